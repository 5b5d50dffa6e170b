// A provider declared in the document itself (`compatible: openai`): validated by the loader,
// checked for its key before the session starts, and called through the OpenAI SDK.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseTopologyDocument } from '../../src/config/index.js';
import { Kernel } from '../../src/kernel/index.js';
import { createDefaultRegistry } from '../../src/presets/default-registry.js';
import { createMemoryStore } from '../../src/store/index.js';
import { startOpenAIEmulator } from '../emulators/openai-emulator.js';
import type { WireEmulator } from '../emulators/emulator-script.js';

let emulator: WireEmulator;
beforeAll(async () => {
  emulator = await startOpenAIEmulator();
});
afterAll(() => emulator.close());

const documentFor = (baseUrl: string) => `topology: pipeline
task: Say hello.
providers:
  mycorp:
    compatible: openai
    base_url: ${baseUrl}
    api_key_env: MYCORP_KEY
    prices:
      house-model: { input: 1, output: 2 }
agents:
  - { name: writer, model: mycorp/house-model }
`;

describe('a provider declared in the document', () => {
  it('runs through the OpenAI SDK against its base URL with the key from its variable', async () => {
    const registry = createDefaultRegistry();
    const document = parseTopologyDocument(documentFor(emulator.baseUrl), { file: 'corp.yaml', registry });
    emulator.enqueue({ text: 'Hello from the house model.', usage: { inputTokens: 1000, outputTokens: 500 } });
    const kernel = new Kernel({ store: createMemoryStore(), registry, env: { MYCORP_KEY: 'corp-canary-55' } });
    const result = await kernel.run(document);
    expect(result.answer).toBe('Hello from the house model.');
    expect(result.byProvider['mycorp']?.cost.usd).toBeCloseTo((1000 * 1 + 500 * 2) / 1_000_000, 12);
    const request = emulator.requests.at(-1);
    expect(request?.headers['authorization']).toBe('Bearer corp-canary-55');
    expect((request?.body as { model: string }).model).toBe('house-model');
  });

  it('is checked for its key before the session starts', async () => {
    const registry = createDefaultRegistry();
    const document = parseTopologyDocument(documentFor(emulator.baseUrl), { file: 'corp.yaml', registry });
    const kernel = new Kernel({ store: createMemoryStore(), registry, env: {} });
    await expect(kernel.createSession(document)).rejects.toMatchObject({ code: 'missing_credentials', message: expect.stringContaining('MYCORP_KEY') });
  });

  it('needs a known kind and a base_url', () => {
    const registry = createDefaultRegistry();
    const bad = `topology: pipeline\ntask: x\nproviders:\n  mycorp: { compatible: opnai }\nagents:\n  - { name: w, model: offline/echo }\n`;
    expect(() => parseTopologyDocument(bad, { file: 'corp.yaml', registry })).toThrow(/unknown kind "opnai"/);
    const noUrl = `topology: pipeline\ntask: x\nproviders:\n  mycorp: { compatible: openai }\nagents:\n  - { name: w, model: offline/echo }\n`;
    expect(() => parseTopologyDocument(noUrl, { file: 'corp.yaml', registry })).toThrow(/needs a base_url/);
  });
});
