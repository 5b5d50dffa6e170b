/**
 * OpenAI-compatible presets: Groq (JSON schema on the wire) and DeepSeek (schema in the prompt)
 * through the provider conformance suite against the Chat Completions emulator, the preset table
 * itself, each preset's wire differences, and a user-defined preset.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { GenerateRequest, ProviderAdapter, ProviderModule, StreamPart } from '../../src/protocol/index.js';
import { createOpenAICompatibleProvider, findOpenAICompatiblePreset, openAICompatiblePresets, openAICompatiblePresetTable } from '../../providers/openai-compatible/index.js';
import { describeProviderAdapterConformance } from '../conformance/provider-adapter-suite.js';
import { startOpenAIEmulator, type OpenAIEmulator } from '../emulators/openai-emulator.js';

type Body = Record<string, unknown> & { messages: Array<Record<string, unknown>> };

function preset(name: string): ProviderModule {
  const module = findOpenAICompatiblePreset(name);
  if (module === undefined) throw new Error(`no preset ${name}`);
  return module;
}

describeProviderAdapterConformance({
  name: 'openai-compatible: groq',
  createEmulator: startOpenAIEmulator,
  createAdapter: (emulator) => preset('groq').create({ baseUrl: emulator.baseUrl, env: { GROQ_API_KEY: 'gsk-test' } }),
  model: 'llama-3.3-70b-versatile',
  capabilities: { tools: true, jsonSchema: true },
  nativeFinishReasons: { length: 'length' },
  inspectRequest(caseName, body) {
    if (caseName === 'parameters') expect(body).toMatchObject({ max_tokens: 123 });
  },
});

describeProviderAdapterConformance({
  name: 'openai-compatible: deepseek',
  createEmulator: startOpenAIEmulator,
  createAdapter: (emulator) => preset('deepseek').create({ baseUrl: emulator.baseUrl, env: { DEEPSEEK_API_KEY: 'sk-test' } }),
  model: 'deepseek-chat',
  capabilities: { tools: true, jsonSchema: false },
  nativeFinishReasons: { length: 'length' },
  inspectRequest(caseName, body) {
    if (caseName === 'structured-output') expect((body as Body).response_format).toEqual({ type: 'json_object' });
  },
});

const expectedPresets = ['mistral', 'groq', 'deepseek', 'together', 'xai', 'openrouter', 'fireworks', 'cerebras', 'vllm', 'lmstudio', 'llamacpp'];
const localPresets = new Set(['vllm', 'lmstudio', 'llamacpp']);

describe('openai-compatible preset table', () => {
  it('lists every expected preset once, in order', () => {
    expect(openAICompatiblePresets.map((module) => module.name)).toEqual(expectedPresets);
  });

  it.each(openAICompatiblePresetTable.map((entry) => [entry.name, entry] as const))('%s has a base URL, a key variable or an explicit none, and default models', (name, entry) => {
    const module = preset(name);
    if (localPresets.has(name)) {
      expect(entry.keyVariable).toBeNull();
      expect(module.keyVariable).toBeUndefined();
      expect(new URL(entry.baseUrl).hostname).toBe('localhost');
    } else {
      expect(entry.keyVariable).toBe(`${name.toUpperCase()}_API_KEY`);
      expect(module.keyVariable).toBe(entry.keyVariable);
      expect(new URL(entry.baseUrl).protocol).toBe('https:');
    }
    expect(entry.baseUrl).toMatch(/\/v1$/);
    expect(entry.baseUrlVariable).toBe(`${name.toUpperCase()}_BASE_URL`);
    expect(module.defaultModels.length).toBeGreaterThan(0);
    for (const model of module.defaultModels) {
      expect(model.startsWith(`${name}/`), model).toBe(true);
      expect(module.validateModel(model.slice(name.length + 1)), model).toBeUndefined();
    }
    expect(module.description.length).toBeGreaterThan(10);
    expect(module.simulated).toBe(false);
  });
});

async function collect(adapter: ProviderAdapter, request: Partial<GenerateRequest> = {}): Promise<StreamPart[]> {
  const parts: StreamPart[] = [];
  const full: GenerateRequest = { model: 'some-model', messages: [{ role: 'user', content: 'hi' }], ...request };
  for await (const part of adapter.generate(full, { signal: AbortSignal.timeout(5_000), attempt: 1 })) parts.push(part);
  return parts;
}

describe('openai-compatible presets on the wire', () => {
  let emulator: OpenAIEmulator;
  beforeEach(async () => {
    emulator = await startOpenAIEmulator();
  });
  afterEach(async () => {
    await emulator.close();
  });

  it('a preset without its key yields missing_credentials naming the variable', async () => {
    const parts = await collect(preset('groq').create({ env: {} }));
    expect(parts).toHaveLength(1);
    expect(parts[0]).toMatchObject({ type: 'error', error: { code: 'missing_credentials', message: expect.stringContaining('GROQ_API_KEY') } });
  });

  it('reads the base URL from <NAME>_BASE_URL and the key from <NAME>_API_KEY', async () => {
    const adapter = preset('groq').create({ env: { GROQ_BASE_URL: emulator.baseUrl, GROQ_API_KEY: 'gsk-env' } });
    expect((await collect(adapter)).at(-1)).toEqual({ type: 'finish', finishReason: 'stop' });
    expect(emulator.requests[0]?.headers.authorization).toBe('Bearer gsk-env');
    expect(emulator.requests[0]?.headers['openai-organization']).toBeUndefined();
  });

  it('local servers need no key', async () => {
    const adapter = preset('vllm').create({ env: { VLLM_BASE_URL: emulator.baseUrl } });
    expect((await collect(adapter)).at(-1)).toEqual({ type: 'finish', finishReason: 'stop' });
    expect(emulator.requests).toHaveLength(1);
  });

  it('mistral sends max_tokens and random_seed, and no stream_options', async () => {
    const adapter = preset('mistral').create({ baseUrl: emulator.baseUrl, env: { MISTRAL_API_KEY: 'k' } });
    await collect(adapter, { maxTokens: 40, seed: 3 });
    const body = emulator.requests[0]!.body as Body;
    expect(body).toMatchObject({ max_tokens: 40, random_seed: 3 });
    expect(body).not.toHaveProperty('seed');
    expect(body).not.toHaveProperty('stream_options');
  });

  it('lmstudio asks for schema-less JSON in the prompt only', async () => {
    const adapter = preset('lmstudio').create({ baseUrl: emulator.baseUrl, env: {} });
    await collect(adapter, { responseFormat: { type: 'json' } });
    const body = emulator.requests[0]!.body as Body;
    expect(body).not.toHaveProperty('response_format');
    expect(body.messages[0]).toEqual({ role: 'system', content: 'Answer with one JSON object and nothing else.' });
  });

  it('a user-defined preset works through the same adapter', async () => {
    const custom = createOpenAICompatibleProvider({
      name: 'teamproxy',
      description: 'The team LiteLLM proxy',
      baseUrl: emulator.baseUrl,
      baseUrlVariable: 'TEAMPROXY_BASE_URL',
      keyVariable: 'TEAMPROXY_API_KEY',
      defaultModels: ['gpt-4.1-mini'],
      headers: { 'X-Team': 'research' },
    });
    expect(custom.defaultModels).toEqual(['teamproxy/gpt-4.1-mini']);
    const parts = await collect(custom.create({ env: { TEAMPROXY_API_KEY: 'team-key' } }));
    expect(parts.at(-1)).toEqual({ type: 'finish', finishReason: 'stop' });
    expect(emulator.requests[0]?.headers['x-team']).toBe('research');
  });
});
