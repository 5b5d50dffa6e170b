/**
 * The OpenAI adapter through the provider conformance suite against the local Chat Completions
 * emulator, with OpenAI's exact wire fields checked on every case, plus what the suite leaves to each
 * provider: the missing-key path, base URL and key from the environment, chunk validation at the
 * edge, reasoning and cached-token usage, model parameters and prices.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { GenerateRequest, ProviderAdapter, StreamPart } from '../../src/protocol/index.js';
import { openaiProvider, openAIPrice, openAIPricesAsOf } from '../../providers/openai/index.js';
import { describeProviderAdapterConformance, type ProviderConformanceCase } from '../conformance/provider-adapter-suite.js';
import { startOpenAIEmulator, type OpenAIEmulator } from '../emulators/openai-emulator.js';

type Body = Record<string, unknown> & { messages: Array<Record<string, unknown>> };

/** OpenAI's own field names, on top of the suite's wire-neutral checks. */
function inspectOpenAIRequest(caseName: ProviderConformanceCase, raw: unknown): void {
  const body = raw as Body;
  expect(body.stream).toBe(true);
  expect(body.stream_options).toEqual({ include_usage: true });
  expect(body.model).toBe('gpt-4.1-mini');
  switch (caseName) {
    case 'conversation':
      expect(body.messages).toEqual([
        { role: 'system', content: 'You are a careful conformance tester.' },
        { role: 'user', content: 'First question about apples' },
        { role: 'assistant', content: 'An answer about bananas' },
        { role: 'user', content: 'Follow-up about cherries' },
      ]);
      break;
    case 'parameters':
      expect(body).toMatchObject({ temperature: 0.25, max_completion_tokens: 123, stop: ['END_MARK'] });
      expect(body).not.toHaveProperty('max_tokens');
      break;
    case 'tool-call':
      expect(body.tools).toEqual([
        {
          type: 'function',
          function: {
            name: 'get_weather',
            description: 'Look up the weather for a city',
            parameters: { type: 'object', properties: { city: { type: 'string' }, days: { type: 'integer' } }, required: ['city'] },
          },
        },
      ]);
      break;
    case 'tool-result':
      expect(body.messages.slice(1)).toEqual([
        {
          role: 'assistant',
          content: null,
          tool_calls: [{ id: 'call_weather_1', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Reykjavik"}' } }],
        },
        { role: 'tool', tool_call_id: 'call_weather_1', content: 'Sunny and 21 degrees' },
      ]);
      break;
    case 'structured-output':
      expect(body.response_format).toMatchObject({ type: 'json_schema', json_schema: { name: 'verdict', schema: { required: ['verdictScore', 'reasonText'] } } });
      break;
    case 'text':
    case 'length':
      break;
  }
}

describeProviderAdapterConformance({
  name: 'openai',
  createEmulator: startOpenAIEmulator,
  createAdapter: (emulator) => openaiProvider.create({ baseUrl: emulator.baseUrl, apiKey: 'sk-test', env: {} }),
  model: 'gpt-4.1-mini',
  capabilities: { tools: true, jsonSchema: true },
  nativeFinishReasons: { length: 'length' },
  inspectRequest: inspectOpenAIRequest,
});

async function collect(adapter: ProviderAdapter, request: Partial<GenerateRequest> = {}): Promise<StreamPart[]> {
  const parts: StreamPart[] = [];
  const full: GenerateRequest = { model: 'gpt-4.1-mini', messages: [{ role: 'user', content: 'hi' }], ...request };
  for await (const part of adapter.generate(full, { signal: AbortSignal.timeout(5_000), attempt: 1 })) parts.push(part);
  return parts;
}

function chunk(delta: Record<string, unknown>, finishReason: string | null = null, extra: Record<string, unknown> = {}): unknown {
  return { id: 'chatcmpl-raw', object: 'chat.completion.chunk', created: 1, model: 'gpt-4.1-mini', choices: [{ index: 0, delta, finish_reason: finishReason }], ...extra };
}

describe('openai provider', () => {
  let emulator: OpenAIEmulator;
  let adapter: ProviderAdapter;
  beforeEach(async () => {
    emulator = await startOpenAIEmulator();
    adapter = openaiProvider.create({ baseUrl: emulator.baseUrl, apiKey: 'sk-test', env: {} });
  });
  afterEach(async () => {
    await emulator.close();
  });

  it('without a key, create() does not throw and generate yields one missing_credentials part', async () => {
    const keyless = openaiProvider.create({ env: {} });
    const parts = await collect(keyless);
    expect(parts).toHaveLength(1);
    expect(parts[0]).toMatchObject({ type: 'error', error: { code: 'missing_credentials', category: 'user', retryable: false } });
    expect(parts[0]?.type === 'error' && parts[0].error.message).toMatch(/^openai: set OPENAI_API_KEY/);
    expect(openaiProvider.keyVariable).toBe('OPENAI_API_KEY');
  });

  it('reads the key from OPENAI_API_KEY and the base URL from OPENAI_BASE_URL', async () => {
    const fromEnvironment = openaiProvider.create({ env: { OPENAI_API_KEY: 'sk-from-env', OPENAI_BASE_URL: emulator.baseUrl, OPENAI_ORG_ID: 'org-7' } });
    const parts = await collect(fromEnvironment);
    expect(parts.at(-1)).toEqual({ type: 'finish', finishReason: 'stop' });
    const request = emulator.requests[0]!;
    expect(request.path).toBe('/v1/chat/completions');
    expect(request.headers.authorization).toBe('Bearer sk-from-env');
    expect(request.headers['openai-organization']).toBe('org-7');
  });

  it('sends seed, reasoning_effort from the model query, and marks failed tool results', async () => {
    await collect(adapter, {
      model: 'o4-mini?reasoning_effort=low',
      seed: 7,
      messages: [
        { role: 'user', content: 'run it' },
        { role: 'assistant', content: 'running', toolCalls: [{ toolCallId: 'call_1', toolName: 'run', input: {} }] },
        { role: 'tool', toolCallId: 'call_1', toolName: 'run', content: 'exit 1', isError: true },
      ],
    });
    const body = emulator.requests[0]!.body as Body;
    expect(body).toMatchObject({ model: 'o4-mini', seed: 7, reasoning_effort: 'low' });
    expect(body.messages[1]).toMatchObject({ role: 'assistant', content: 'running' });
    expect(body.messages[2]).toEqual({ role: 'tool', tool_call_id: 'call_1', content: 'Error: exit 1' });
  });

  it('asks for JSON mode with a prompt instruction when no schema is given', async () => {
    await collect(adapter, { system: 'Be terse.', responseFormat: { type: 'json' } });
    const body = emulator.requests[0]!.body as Body;
    expect(body.response_format).toEqual({ type: 'json_object' });
    expect(body.messages[0]).toEqual({ role: 'system', content: 'Be terse.\n\nAnswer with one JSON object and nothing else.' });
  });

  it('turns reasoning deltas, cached tokens and parallel tool calls into parts', async () => {
    emulator.enqueue({
      rawChunks: [
        chunk({ role: 'assistant', reasoning_content: 'thinking…' }),
        chunk({ content: 'Checking.' }),
        chunk({ tool_calls: [{ index: 1, id: 'call_b', type: 'function', function: { name: 'second', arguments: '{"n":' } }] }),
        chunk({ tool_calls: [{ index: 0, id: 'call_a', type: 'function', function: { name: 'first', arguments: '{}' } }] }),
        chunk({ tool_calls: [{ index: 1, function: { arguments: '2}' } }] }),
        chunk({}, 'tool_calls'),
        { id: 'chatcmpl-raw', object: 'chat.completion.chunk', created: 1, model: 'gpt-4.1-mini', choices: [], usage: { prompt_tokens: 100, completion_tokens: 5, prompt_tokens_details: { cached_tokens: 64 } } },
      ],
    });
    const parts = await collect(adapter);
    expect(parts.map((part) => part.type)).toEqual(['stream-start', 'reasoning-delta', 'text-delta', 'tool-call', 'tool-call', 'usage', 'finish']);
    expect(parts.filter((part) => part.type === 'tool-call')).toEqual([
      { type: 'tool-call', toolCallId: 'call_a', toolName: 'first', input: {} },
      { type: 'tool-call', toolCallId: 'call_b', toolName: 'second', input: { n: 2 } },
    ]);
    expect(parts.find((part) => part.type === 'usage')).toEqual({ type: 'usage', usage: { inputTokens: 100, outputTokens: 5, cachedInputTokens: 64 } });
  });

  it.each([
    ['a chunk of the wrong shape', [{ choices: 'nope' }], 'provider_malformed_response'],
    ['tool call arguments that are not JSON', [chunk({ tool_calls: [{ index: 0, id: 'c', function: { name: 'f', arguments: '{"a":' } }] }), chunk({}, 'tool_calls')], 'provider_malformed_response'],
    ['a stream that ends without a finish reason', [chunk({ content: 'half' })], 'provider_stream_cut'],
    ['an error object sent inside the stream', [chunk({ content: 'half' }), { error: { message: 'overloaded mid-stream', type: 'server_error' } }], 'provider_server_error'],
  ])('ends with one error part for %s', async (_label, rawChunks, code) => {
    emulator.enqueue({ rawChunks });
    const parts = await collect(adapter);
    expect(parts.filter((part) => part.type === 'error')).toHaveLength(1);
    expect(parts.at(-1)).toMatchObject({ type: 'error', error: { code, retryable: true } });
  });

  it('reports an invalid model as unknown_model without calling the server', async () => {
    const parts = await collect(adapter, { model: 'gpt-4.1?temp=2' });
    expect(parts).toEqual([expect.objectContaining({ type: 'error', error: expect.objectContaining({ code: 'unknown_model' }) })]);
    expect(emulator.requests).toHaveLength(0);
  });

  it('validates model ids with their query parameters', () => {
    expect(openaiProvider.validateModel('gpt-4.1-mini')).toBeUndefined();
    expect(openaiProvider.validateModel('o4-mini?reasoning_effort=high')).toBeUndefined();
    expect(openaiProvider.validateModel('o4-mini?reasoning_effort=max')).toMatch(/reasoning_effort must be one of/);
    expect(openaiProvider.validateModel('gpt-4.1?temp=1')).toMatch(/unknown parameter "temp"/);
    expect(openaiProvider.validateModel('')).toMatch(/non-empty/);
  });

  it('prices every default model from the catalogue, with a date, and ignores snapshot suffixes', () => {
    for (const model of openaiProvider.defaultModels) {
      const price = adapter.price?.(model.replace(/^openai\//, ''));
      expect(price, model).toMatchObject({ asOf: openAIPricesAsOf });
      expect(price!.cachedInputPerMillion).toBeLessThan(price!.inputPerMillion);
    }
    expect(adapter.price?.('gpt-4.1-mini-2025-04-14')).toEqual(openAIPrice('gpt-4.1-mini'));
    expect(adapter.price?.('gpt-4.1-mini?reasoning_effort=low')).toMatchObject({ inputPerMillion: 0.4, outputPerMillion: 1.6 });
    expect(adapter.price?.('gpt-unknown')).toBeUndefined();
    expect(openAIPricesAsOf).toMatch(/^\d{4}-\d{2}-\d{2}$/);
  });
});
