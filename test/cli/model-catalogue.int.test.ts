// The model catalogue through the real CLI: `validate` warns about a model id the catalogue does
// not know (after the ✓ line, `warnings` in --json) and `--strict` makes it an error (exit 2); a
// run on an unpriced model (the OpenAI wire emulator answering `gpt-nope`) says "unpriced" — never
// $0.00 — in its summary, `--json` and `sessions show`; and a document whose three providers all
// lack keys names all three in one error.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startOpenAIEmulator, type OpenAIEmulator } from '../emulators/openai-emulator.js';
import { runCli } from '../support/cli.js';

let directory: string;
let emulator: OpenAIEmulator;
/** No provider key from the machine running the tests may leak into these runs. */
const noKeys = { OPENAI_API_KEY: '', ANTHROPIC_API_KEY: '', GEMINI_API_KEY: '', GOOGLE_API_KEY: '' };

beforeAll(async () => {
  directory = mkdtempSync(join(tmpdir(), 'conclave-catalogue-'));
  emulator = await startOpenAIEmulator();
});
afterAll(async () => {
  await emulator.close();
  rmSync(directory, { recursive: true, force: true });
});

function document(name: string, models: string[]): string {
  const file = join(directory, `${name}.yaml`);
  const agents = models.map((model, index) => `  - name: agent${index}\n    model: ${model}\n`).join('');
  writeFileSync(file, `name: ${name}\ntopology: pipeline\ntask: Say hello.\nagents:\n${agents}`);
  return file;
}

describe('validate and the model catalogue', () => {
  it('warns about an unknown model after the ✓ line, with a did-you-mean, and exits 0', async () => {
    const file = document('typo', ['openai/gpt-4.1-mni', 'offline/echo']);
    const result = await runCli(['validate', file]);
    expect(result.code, result.stderr).toBe(0);
    const lines = result.stdout.split('\n');
    expect(lines[0]).toMatch(/^✓ .*typo\.yaml: pipeline, 2 agents$/);
    expect(lines[1]).toMatch(/^warning\[unknown_model\]: agents\[0\]\.model: "gpt-4\.1-mni" is not a model of openai in the model catalogue/);
    expect(lines[2]).toMatch(/--> .*typo\.yaml:6:\d+ \(agents\[0\]\.model\)$/);
    expect(lines[3]).toBe('  hint: did you mean "openai/gpt-4.1-mini"?');
    expect(result.stdout).toContain('--strict makes warnings errors');
  });

  it('lists the warnings in --json', async () => {
    const file = document('typo-json', ['openai/gpt-nope']);
    const result = await runCli(['validate', file, '--json']);
    expect(result.code, result.stderr).toBe(0);
    const parsed = JSON.parse(result.stdout) as { valid: boolean; warnings: Array<{ code: string; location: { path: string; line: number } }> };
    expect(parsed.valid).toBe(true);
    expect(parsed.warnings).toMatchObject([{ code: 'unknown_model', location: { path: 'agents[0].model', line: 6 } }]);
  });

  it('--strict makes an unknown model an error: exit 2, nothing on stdout', async () => {
    const file = document('typo-strict', ['openai/gpt-nope']);
    const result = await runCli(['validate', file, '--strict']);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain('error[unknown_model]');
    expect(result.stderr).toContain('(agents[0].model)');
    const known = await runCli(['validate', document('known-strict', ['openai/gpt-4.1-mini', 'ollama/my-own-model']), '--strict']);
    expect(known.code, known.stderr).toBe(0);
    expect(known.stdout).not.toContain('warning');
  });
});

describe('a run on an unpriced model', () => {
  it('says "unpriced" in the summary, --json and sessions show, never $0.00', async () => {
    const db = join(directory, 'unpriced.db');
    const file = document('unpriced', ['openai/gpt-nope']);
    const env = { ...noKeys, OPENAI_API_KEY: 'sk-test', OPENAI_BASE_URL: emulator.baseUrl };
    emulator.enqueue({ text: 'Hello.', usage: { inputTokens: 12, outputTokens: 3 } }, { text: 'Hello again.', usage: { inputTokens: 12, outputTokens: 3 } });

    const text = await runCli(['run', file, '--db', db], env);
    expect(text.code, text.stderr).toBe(0);
    expect(text.stdout).toContain('unpriced (openai/gpt-nope)');
    expect(text.stdout).not.toContain('$0.00');

    const json = await runCli(['run', file, '--db', db, '--json'], env);
    expect(json.code, json.stderr).toBe(0);
    const parsed = JSON.parse(json.stdout) as { sessionId: string; cost: { usd: number; unpriced?: boolean }; unpricedModels?: string[] };
    expect(parsed.cost).toEqual({ usd: 0, unpriced: true });
    expect(parsed.unpricedModels).toEqual(['openai/gpt-nope']);

    const shown = await runCli(['sessions', 'show', parsed.sessionId, '--db', db], env);
    expect(shown.code, shown.stderr).toBe(0);
    expect(shown.stdout).toMatch(/cost +unpriced \(openai\/gpt-nope\)/);
    const shownJson = JSON.parse((await runCli(['sessions', 'show', parsed.sessionId, '--db', db, '--json'], env)).stdout) as { unpricedModels?: string[] };
    expect(shownJson.unpricedModels).toEqual(['openai/gpt-nope']);
  });
});

describe('missing keys', () => {
  it('names every provider without a key, with its variable, in one run', async () => {
    const file = document('three-keys', ['openai/gpt-4.1-mini', 'anthropic/claude-haiku-4-5', 'google/gemini-2.5-flash']);
    const result = await runCli(['run', file, '--db', join(directory, 'keys.db')], noKeys);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('error[missing_credentials]: 3 providers have no key: set OPENAI_API_KEY (openai), ANTHROPIC_API_KEY (anthropic), GEMINI_API_KEY (google)');
    for (const variable of ['OPENAI_API_KEY', 'ANTHROPIC_API_KEY', 'GEMINI_API_KEY']) expect(result.stderr).toMatch(new RegExp(`error\\[missing_credentials\\]: agent "agent\\d" uses .*set ${variable}`));
  });
});
