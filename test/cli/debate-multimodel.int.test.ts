// examples/debate-multimodel.yaml end to end through the real CLI: Anthropic, OpenAI, Google and
// Ollama debaters, each reached through its official SDK over HTTP — here pointed at the wire
// emulators by the SDKs' own base-URL variables — with canary keys that must appear nowhere.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSqliteStore } from '../../src/store/index.js';
import { startAnthropicEmulator } from '../emulators/anthropic-emulator.js';
import type { WireEmulator } from '../emulators/emulator-script.js';
import { startGeminiEmulator } from '../emulators/gemini-emulator.js';
import { createOllamaEmulator } from '../emulators/ollama-emulator.js';
import { startOpenAIEmulator } from '../emulators/openai-emulator.js';
import { runCli } from '../support/cli.js';

const canary = {
  ANTHROPIC_API_KEY: 'sk-ant-canary-4c1d2e',
  OPENAI_API_KEY: 'sk-openai-canary-7f3a9b',
  GEMINI_API_KEY: 'gemini-canary-91be20',
};

let emulators: Record<'anthropic' | 'openai' | 'google' | 'ollama', WireEmulator>;
let directory: string;

beforeAll(async () => {
  directory = mkdtempSync(join(tmpdir(), 'conclave-multimodel-'));
  emulators = {
    anthropic: await startAnthropicEmulator(),
    openai: await startOpenAIEmulator(),
    google: await startGeminiEmulator(),
    ollama: await createOllamaEmulator(),
  };
  const answers = { anthropic: 'yes', openai: 'yes', google: 'no', ollama: 'yes' } as const;
  for (const [name, emulator] of Object.entries(emulators)) {
    const answer = answers[name as keyof typeof answers];
    const reply = { text: `From ${name}: it depends on the domain. Final answer: ${answer}`, usage: { inputTokens: 120, outputTokens: 40 } };
    emulator.enqueue(reply, reply);
  }
});

afterAll(async () => {
  await Promise.all(Object.values(emulators).map((emulator) => emulator.close()));
  rmSync(directory, { recursive: true, force: true });
});

describe('examples/debate-multimodel.yaml', () => {
  it('runs a debate across four providers and reports usage and cost per provider, never leaking a key', async () => {
    const db = join(directory, 'multimodel.db');
    const result = await runCli(['run', 'examples/debate-multimodel.yaml', '--json', '--db', db], {
      ...canary,
      ANTHROPIC_BASE_URL: emulators.anthropic.baseUrl,
      OPENAI_BASE_URL: emulators.openai.baseUrl,
      GOOGLE_GEMINI_BASE_URL: emulators.google.baseUrl,
      OLLAMA_HOST: emulators.ollama.baseUrl,
    });
    expect(result.code, result.stderr).toBe(0);
    const parsed = JSON.parse(result.stdout) as {
      sessionId: string;
      reason: string;
      simulated: boolean;
      byProvider: Record<string, { calls: number; usage: { inputTokens: number; outputTokens: number }; cost: { usd: number } }>;
    };
    expect(Object.keys(parsed.byProvider).sort()).toEqual(['anthropic', 'google', 'ollama', 'openai']);
    for (const [provider, line] of Object.entries(parsed.byProvider)) {
      expect(line.calls, provider).toBe(2);
      expect(line.usage, provider).toEqual({ inputTokens: 240, outputTokens: 80 });
      if (provider === 'ollama') expect(line.cost.usd).toBe(0);
      else expect(line.cost.usd, provider).toBeGreaterThan(0);
    }
    expect(parsed.reason).toBe('max_rounds');
    expect(parsed.simulated).toBe(false);
    for (const emulator of Object.values(emulators)) expect(emulator.requests).toHaveLength(2);

    const store = createSqliteStore({ path: db });
    const journal = JSON.stringify(await store.read(parsed.sessionId));
    await store.close();
    for (const key of Object.values(canary)) {
      expect(journal).not.toContain(key);
      expect(result.stdout).not.toContain(key);
      expect(result.stderr).not.toContain(key);
    }
  });

  it('fails before the session starts when a key is missing, naming the provider and the variable', async () => {
    const db = join(directory, 'missing.db');
    const result = await runCli(['run', 'examples/debate-multimodel.yaml', '--db', db], { ...canary, OPENAI_API_KEY: '' });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('error[missing_credentials]');
    expect(result.stderr).toContain('OPENAI_API_KEY');
  });
});
