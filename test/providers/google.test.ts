// The Google (Gemini) adapter: the shared provider conformance suite through the official
// @google/genai SDK against the local Gemini emulator, then the Gemini-specific parts — the exact
// outgoing body, function calls, usage, finish reasons, keys and base URLs, prices and cost.
import { ApiError, GoogleGenAI } from '@google/genai';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ConclaveErrorJSON, GenerateRequest, ProviderAdapter, StreamPart } from '../../src/protocol/index.js';
import {
  createGoogleStreamMapper,
  googlePrice,
  googleProvider,
  mapGoogleError,
  mapGoogleFinishReason,
} from '../../providers/google/index.js';
import { modelCatalogueAsOf } from '../../src/catalogue/model-catalogue.js';
import { describeProviderAdapterConformance } from '../conformance/provider-adapter-suite.js';
import { startGeminiEmulator, type GeminiEmulator } from '../emulators/gemini-emulator.js';

const model = 'gemini-2.5-flash';

function generationConfigOf(body: unknown): Record<string, unknown> {
  return (body as { generationConfig?: Record<string, unknown> }).generationConfig ?? {};
}

describeProviderAdapterConformance({
  name: 'google',
  createEmulator: startGeminiEmulator,
  createAdapter: (emulator) => googleProvider.create({ baseUrl: emulator.baseUrl, apiKey: 'test-key', env: {} }),
  model,
  capabilities: { tools: true, jsonSchema: true },
  nativeFinishReasons: { length: 'MAX_TOKENS' },
  inspectRequest(caseName, body) {
    if (caseName === 'parameters') {
      expect(generationConfigOf(body)).toMatchObject({ temperature: 0.25, maxOutputTokens: 123, stopSequences: ['END_MARK'] });
    }
    if (caseName === 'conversation') {
      expect(body).toMatchObject({ systemInstruction: { parts: [{ text: 'You are a careful conformance tester.' }] } });
    }
    if (caseName === 'tool-call') {
      expect(body).toMatchObject({ tools: [{ functionDeclarations: [{ name: 'get_weather', parametersJsonSchema: { required: ['city'] } }] }] });
    }
    if (caseName === 'structured-output') {
      expect(generationConfigOf(body)).toMatchObject({ responseMimeType: 'application/json', responseJsonSchema: { required: ['verdictScore', 'reasonText'] } });
    }
  },
});

async function collect(adapter: ProviderAdapter, request: Partial<GenerateRequest>, signal = new AbortController().signal): Promise<StreamPart[]> {
  const parts: StreamPart[] = [];
  const full: GenerateRequest = { model, messages: [{ role: 'user', content: 'Hello' }], ...request };
  for await (const part of adapter.generate(full, { signal, attempt: 1 })) parts.push(part);
  return parts;
}

function errorOf(parts: StreamPart[]): ConclaveErrorJSON | undefined {
  const part = parts.find((candidate) => candidate.type === 'error');
  return part?.type === 'error' ? part.error : undefined;
}

describe('google provider module', () => {
  it('is named google, not simulated, keyed by GEMINI_API_KEY, with the 2.5 models as defaults', () => {
    expect(googleProvider.specificationVersion).toBe('v1');
    expect(googleProvider.name).toBe('google');
    expect(googleProvider.simulated).toBe(false);
    expect(googleProvider.keyVariable).toBe('GEMINI_API_KEY');
    expect(googleProvider.defaultModels).toEqual(['google/gemini-2.5-pro', 'google/gemini-2.5-flash', 'google/gemini-2.5-flash-lite']);
  });

  it('validates model ids without calling anything', () => {
    expect(googleProvider.validateModel('gemini-2.5-flash')).toBeUndefined();
    expect(googleProvider.validateModel('gemini-2.0-flash-001')).toBeUndefined();
    expect(googleProvider.validateModel('gemini-2.5-flash?seed=1')).toMatch(/take no options/);
    expect(googleProvider.validateModel('gemini 2.5')).toMatch(/not a Gemini model id/);
    expect(googleProvider.validateModel('')).toMatch(/not a Gemini model id/);
  });
});

describe('google adapter over the wire', () => {
  let emulator: GeminiEmulator;
  let adapter: ProviderAdapter;

  beforeEach(async () => {
    emulator = await startGeminiEmulator();
    adapter = googleProvider.create({ baseUrl: emulator.baseUrl, apiKey: 'test-key', env: {} });
  });
  afterEach(async () => {
    await emulator.close();
  });

  it('posts to the streaming endpoint of the model with the key in x-goog-api-key', async () => {
    await collect(adapter, {});
    expect(emulator.requests).toHaveLength(1);
    const request = emulator.requests[0]!;
    expect(request.method).toBe('POST');
    expect(request.path).toBe('/v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse');
    expect(request.headers['x-goog-api-key']).toBe('test-key');
  });

  it('sends exactly this body for a system prompt, a multi-turn conversation and function responses', async () => {
    await collect(adapter, {
      system: 'Answer as a meteorologist.',
      temperature: 0.4,
      maxTokens: 256,
      stop: ['###'],
      seed: 11,
      tools: [{ name: 'get_weather', description: 'Weather for a city', inputSchema: { type: 'object', properties: { city: { type: 'string' } } } }],
      messages: [
        { role: 'user', content: 'Hi' },
        { role: 'assistant', content: 'Hello! Which cities?' },
        { role: 'user', content: 'Paris and Oslo' },
        {
          role: 'assistant',
          content: 'Looking them up.',
          toolCalls: [
            { toolCallId: 'call_1', toolName: 'get_weather', input: { city: 'Paris' } },
            { toolCallId: 'call_2', toolName: 'get_weather', input: { city: 'Oslo' } },
          ],
        },
        { role: 'tool', toolCallId: 'call_1', toolName: 'get_weather', content: '{"celsius":21,"sky":"clear"}' },
        { role: 'tool', toolCallId: 'call_2', toolName: 'get_weather', content: 'station offline', isError: true },
        { role: 'user', content: 'And tomorrow?' },
      ],
    });
    expect(emulator.requests[0]!.body).toEqual({
      contents: [
        { role: 'user', parts: [{ text: 'Hi' }] },
        { role: 'model', parts: [{ text: 'Hello! Which cities?' }] },
        { role: 'user', parts: [{ text: 'Paris and Oslo' }] },
        {
          role: 'model',
          parts: [
            { text: 'Looking them up.' },
            { functionCall: { name: 'get_weather', args: { city: 'Paris' } } },
            { functionCall: { name: 'get_weather', args: { city: 'Oslo' } } },
          ],
        },
        {
          role: 'user',
          parts: [
            { functionResponse: { name: 'get_weather', response: { celsius: 21, sky: 'clear' } } },
            { functionResponse: { name: 'get_weather', response: { error: 'station offline' } } },
          ],
        },
        { role: 'user', parts: [{ text: 'And tomorrow?' }] },
      ],
      systemInstruction: { parts: [{ text: 'Answer as a meteorologist.' }] },
      tools: [
        {
          functionDeclarations: [
            { name: 'get_weather', description: 'Weather for a city', parametersJsonSchema: { type: 'object', properties: { city: { type: 'string' } } } },
          ],
        },
      ],
      generationConfig: { temperature: 0.4, maxOutputTokens: 256, stopSequences: ['###'], seed: 11 },
    });
  });

  it('wraps a plain-text tool result as { output } and keeps an empty assistant turn', async () => {
    await collect(adapter, {
      messages: [
        { role: 'user', content: 'Go' },
        { role: 'assistant', content: '', toolCalls: [{ toolCallId: 'c', toolName: 'clock', input: {} }] },
        { role: 'tool', toolCallId: 'c', toolName: 'clock', content: '12:00' },
        { role: 'assistant', content: '' },
        { role: 'user', content: 'Again' },
      ],
    });
    expect((emulator.requests[0]!.body as { contents: unknown }).contents).toEqual([
      { role: 'user', parts: [{ text: 'Go' }] },
      { role: 'model', parts: [{ functionCall: { name: 'clock', args: {} } }] },
      { role: 'user', parts: [{ functionResponse: { name: 'clock', response: { output: '12:00' } } }] },
      { role: 'model', parts: [{ text: '' }] },
      { role: 'user', parts: [{ text: 'Again' }] },
    ]);
  });

  it('maps parallel function calls to tool-call parts with distinct ids that are stable across calls', async () => {
    const reply = {
      text: 'Checking both.',
      toolCalls: [
        { id: 'ignored', name: 'get_weather', input: { city: 'Paris' } },
        { id: 'ignored', name: 'get_weather', input: { city: 'Oslo' } },
      ],
    };
    emulator.enqueue(reply, reply);
    const first = await collect(adapter, {});
    const second = await collect(adapter, {});
    const calls = first.filter((part) => part.type === 'tool-call');
    expect(calls).toMatchObject([
      { toolName: 'get_weather', input: { city: 'Paris' } },
      { toolName: 'get_weather', input: { city: 'Oslo' } },
    ]);
    expect(new Set(calls.map((call) => call.toolCallId)).size).toBe(2);
    expect(second.filter((part) => part.type === 'tool-call')).toEqual(calls);
    expect(first.at(-1)).toEqual({ type: 'finish', finishReason: 'tool-calls' });
  });

  it('reports usage from usageMetadata before finish', async () => {
    emulator.enqueue({ text: 'Short answer.', usage: { inputTokens: 1200, outputTokens: 34 } });
    const parts = await collect(adapter, {});
    expect(parts.slice(-2)).toEqual([
      { type: 'usage', usage: { inputTokens: 1200, outputTokens: 34 } },
      { type: 'finish', finishReason: 'stop' },
    ]);
  });

  it('finishes with content-filter when Gemini stops for SAFETY', async () => {
    emulator.enqueue({ text: 'I cannot', finishReason: 'SAFETY' });
    const parts = await collect(adapter, {});
    expect(parts.at(-1)).toEqual({ type: 'finish', finishReason: 'content-filter' });
  });

  it('503 → provider_overloaded with Google’s message and status name', async () => {
    emulator.enqueue({ fail: { kind: 'status', status: 503, message: 'The model is overloaded.' } });
    const error = errorOf(await collect(adapter, {}));
    expect(error).toMatchObject({ code: 'provider_overloaded', retryable: true, message: 'google (HTTP 503): The model is overloaded. (UNAVAILABLE)' });
  });

  it('401 → provider_auth with a hint naming GEMINI_API_KEY', async () => {
    emulator.enqueue({ fail: { kind: 'status', status: 401 } });
    const error = errorOf(await collect(adapter, {}));
    expect(error).toMatchObject({ code: 'provider_auth', retryable: false });
    expect(error?.hint).toContain('GEMINI_API_KEY');
  });

  it('a stream cut before its first frame is a cut stream, from exactly one request', async () => {
    emulator.enqueue({ text: 'never sent', fail: { kind: 'cut', afterChunks: 0 } });
    const error = errorOf(await collect(adapter, {}));
    expect(error).toMatchObject({ code: 'provider_stream_cut', retryable: true });
    expect(emulator.requests).toHaveLength(1);
  });

  it('the emulator also serves the non-streaming generateContent endpoint', async () => {
    emulator.enqueue({ text: 'All in one piece.', usage: { inputTokens: 4, outputTokens: 4 } });
    const ai = new GoogleGenAI({ apiKey: 'test-key', vertexai: false, httpOptions: { baseUrl: emulator.baseUrl } });
    const response = await ai.models.generateContent({ model, contents: 'Hello' });
    expect(response.text).toBe('All in one piece.');
    expect(response.usageMetadata).toMatchObject({ promptTokenCount: 4, candidatesTokenCount: 4 });
    expect(emulator.requests[0]!.path).toBe('/v1beta/models/gemini-2.5-flash:generateContent');
  });

  it('an already aborted signal yields aborted without a request', async () => {
    const controller = new AbortController();
    controller.abort();
    const parts = await collect(adapter, {}, controller.signal);
    expect(parts.map((part) => part.type)).toEqual(['stream-start', 'error']);
    expect(errorOf(parts)).toMatchObject({ code: 'aborted', retryable: false });
    expect(emulator.requests).toHaveLength(0);
  });

  it('a consumer that stops reading closes the connection', async () => {
    emulator.enqueue({ text: Array.from({ length: 100 }, (_, index) => `w${index}`).join(' '), tokensPerSecond: 50 });
    for await (const part of adapter.generate({ model, messages: [{ role: 'user', content: 'Hi' }] }, { signal: new AbortController().signal, attempt: 1 })) {
      if (part.type === 'text-delta') break;
    }
    const deadline = Date.now() + 1_000;
    while (emulator.openResponses > 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10));
    expect(emulator.openResponses).toBe(0);
  });
});

describe('google keys and base URLs', () => {
  let emulator: GeminiEmulator;

  beforeEach(async () => {
    emulator = await startGeminiEmulator();
  });
  afterEach(async () => {
    await emulator.close();
  });

  it('without a key, generate yields missing_credentials naming GEMINI_API_KEY and calls nothing', async () => {
    const adapter = googleProvider.create({ baseUrl: emulator.baseUrl, env: {} });
    const parts = await collect(adapter, {});
    expect(parts.map((part) => part.type)).toEqual(['stream-start', 'error']);
    const error = errorOf(parts)!;
    expect(error.code).toBe('missing_credentials');
    expect(error.category).toBe('user');
    expect(error.message).toContain('GEMINI_API_KEY');
    expect(emulator.requests).toHaveLength(0);
  });

  it('reads GEMINI_API_KEY, then GOOGLE_API_KEY, and GOOGLE_GEMINI_BASE_URL from settings.env', async () => {
    await collect(googleProvider.create({ env: { GEMINI_API_KEY: 'gemini-key', GOOGLE_API_KEY: 'google-key', GOOGLE_GEMINI_BASE_URL: emulator.baseUrl } }), {});
    await collect(googleProvider.create({ env: { GOOGLE_API_KEY: 'google-key', GOOGLE_GEMINI_BASE_URL: emulator.baseUrl } }), {});
    await collect(googleProvider.create({ apiKey: 'settings-key', baseUrl: emulator.baseUrl, env: { GEMINI_API_KEY: 'gemini-key' } }), {});
    expect(emulator.requests.map((request) => request.headers['x-goog-api-key'])).toEqual(['gemini-key', 'google-key', 'settings-key']);
  });
});

describe('google stream mapping', () => {
  it('maps thoughts, text, usage with thinking and cached tokens', () => {
    const mapper = createGoogleStreamMapper({ turn: 1 });
    const parts = [
      ...mapper.push({ candidates: [{ content: { role: 'model', parts: [{ text: 'Let me think.', thought: true }] } }] }),
      ...mapper.push({
        candidates: [{ content: { role: 'model', parts: [{ text: 'Forty-two.' }] }, finishReason: 'STOP' }],
        usageMetadata: { promptTokenCount: 1000, cachedContentTokenCount: 800, candidatesTokenCount: 5, thoughtsTokenCount: 40, totalTokenCount: 1045 },
      }),
      ...mapper.end(),
    ];
    expect(parts).toEqual([
      { type: 'reasoning-delta', delta: 'Let me think.' },
      { type: 'text-delta', delta: 'Forty-two.' },
      { type: 'usage', usage: { inputTokens: 1000, outputTokens: 45, cachedInputTokens: 800 } },
      { type: 'finish', finishReason: 'stop' },
    ]);
  });

  it('uses Gemini’s own function call id when it sends one', () => {
    const mapper = createGoogleStreamMapper({ turn: 1 });
    const parts = mapper.push({ candidates: [{ content: { parts: [{ functionCall: { id: 'fc-7', name: 'lookup', args: { q: 'x' } } }] }, finishReason: 'STOP' }] });
    expect(parts).toEqual([{ type: 'tool-call', toolCallId: 'fc-7', toolName: 'lookup', input: { q: 'x' } }]);
  });

  it('finishes a blocked prompt with content-filter', () => {
    const mapper = createGoogleStreamMapper({ turn: 1 });
    expect([...mapper.push({ promptFeedback: { blockReason: 'PROHIBITED_CONTENT' } }), ...mapper.end()]).toEqual([
      { type: 'finish', finishReason: 'content-filter' },
    ]);
  });

  it('a chunk of the wrong shape becomes one retryable malformed-response error', () => {
    const mapper = createGoogleStreamMapper({ turn: 1 });
    const parts = [...mapper.push({ candidates: 'not a list' }), ...mapper.push({ candidates: [] }), ...mapper.end()];
    expect(parts).toHaveLength(1);
    expect(parts[0]).toMatchObject({ type: 'error', error: { code: 'provider_malformed_response', retryable: true } });
  });

  it('a stream that ends without a finish reason was cut', () => {
    const mapper = createGoogleStreamMapper({ turn: 1 });
    mapper.push({ candidates: [{ content: { parts: [{ text: 'half' }] } }] });
    expect(mapper.end()).toMatchObject([{ type: 'error', error: { code: 'provider_stream_cut', retryable: true } }]);
  });

  it('maps finish reasons', () => {
    expect(mapGoogleFinishReason('STOP', false)).toBe('stop');
    expect(mapGoogleFinishReason('STOP', true)).toBe('tool-calls');
    expect(mapGoogleFinishReason('MAX_TOKENS', true)).toBe('length');
    for (const reason of ['SAFETY', 'RECITATION', 'BLOCKLIST', 'PROHIBITED_CONTENT', 'SPII']) {
      expect(mapGoogleFinishReason(reason, false)).toBe('content-filter');
    }
    expect(mapGoogleFinishReason('MALFORMED_FUNCTION_CALL', false)).toBe('other');
    expect(mapGoogleFinishReason('OTHER', false)).toBe('other');
  });

  it('treats a 400 with reason API_KEY_INVALID as an authentication failure', () => {
    const body = { error: { code: 400, message: 'API key not valid.', status: 'INVALID_ARGUMENT', details: [{ reason: 'API_KEY_INVALID' }] } };
    const error = mapGoogleError(new ApiError({ status: 400, message: JSON.stringify(body) }), {
      signal: new AbortController().signal,
      observation: { started: true },
      model,
      keyVariable: 'GEMINI_API_KEY',
    });
    expect(error).toMatchObject({ code: 'provider_auth', retryable: false, message: 'google (HTTP 401): API key not valid. (INVALID_ARGUMENT)' });
  });
});

describe('google prices', () => {
  it('has a dated price for every default model', () => {
    for (const reference of googleProvider.defaultModels) {
      const price = googlePrice(reference.slice('google/'.length));
      expect(price?.asOf).toMatch(/^\d{4}-\d{2}-\d{2}$/);
      expect(price!.outputPerMillion).toBeGreaterThan(price!.inputPerMillion);
    }
    expect(googlePrice('gemini-0.1-imaginary')).toBeUndefined();
  });

  it('prices a gemini-2.5-flash call with cached input as the dispatcher computes it', () => {
    const price = googleProvider.create({ apiKey: 'k', env: {} }).price!('gemini-2.5-flash')!;
    expect(price).toEqual({ inputPerMillion: 0.3, outputPerMillion: 2.5, cachedInputPerMillion: 0.03, asOf: modelCatalogueAsOf });
    const usage = { inputTokens: 1_000_000, cachedInputTokens: 200_000, outputTokens: 100_000 };
    const usd =
      ((usage.inputTokens - usage.cachedInputTokens) * price.inputPerMillion +
        usage.cachedInputTokens * price.cachedInputPerMillion! +
        usage.outputTokens * price.outputPerMillion) /
      1_000_000;
    expect(usd).toBeCloseTo(0.24 + 0.006 + 0.25, 10);
  });
});
