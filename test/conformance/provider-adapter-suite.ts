/**
 * The one conformance suite every provider adapter runs (OpenAI and its compatible presets,
 * Anthropic, Google, Ollama). Each case goes through the adapter's official SDK over real HTTP to a
 * local emulator of that provider's wire protocol, and asserts on both sides: the parsed stream
 * parts the kernel sees, and the request body the provider would have received.
 *
 * The body checks are written against any wire format: they look for values (a temperature, a stop
 * sequence, a tool name) anywhere in the JSON body, and for the order in which texts appear. An
 * adapter that wants stricter, wire-specific checks passes `inspectRequest`.
 *
 * Emulator contract assumed here (see `test/emulators/emulator-script.ts`): a text reply is streamed
 * in several chunks (about one per word); a reply with `toolCalls` and no `finishReason` ends with
 * the provider's own tool-use finish reason; `usage` is reported as given; every request is recorded
 * before any scripted failure happens. Adapters must build their SDK client with retries off
 * (`maxRetries: 0`): the kernel's dispatcher owns retries.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { ConclaveErrorJSON, ErrorCode } from '../../src/protocol/errors.js';
import type { GenerateRequest, ProviderAdapter, StreamPart } from '../../src/protocol/provider.js';
import type { EmulatorReply, WireEmulator } from '../emulators/emulator-script.js';

/** Names of the cases, as passed to `inspectRequest`. */
export type ProviderConformanceCase = 'text' | 'conversation' | 'parameters' | 'tool-call' | 'tool-result' | 'structured-output' | 'length';

export interface ProviderAdapterConformanceInit {
  name: string;
  /** A new emulator; the suite makes one per case and closes it afterwards. */
  createEmulator(): Promise<WireEmulator>;
  /** An adapter pointed at `emulator.baseUrl`, with a dummy key and SDK retries off. */
  createAdapter(emulator: WireEmulator): ProviderAdapter;
  /** Model id to request (without the provider prefix). */
  model: string;
  capabilities: {
    tools: boolean;
    /** True when the provider takes a JSON schema in the request; false when the adapter asks in the prompt. */
    jsonSchema: boolean;
  };
  /**
   * The provider's own words for finish reasons, as the emulator should send them. Without
   * `length` (`'length'`, `'max_tokens'`, `'MAX_TOKENS'`, …) the length case is skipped.
   */
  nativeFinishReasons?: { length?: string };
  /** Extra wire-specific assertions on the outgoing body of a case. */
  inspectRequest?(caseName: ProviderConformanceCase, body: unknown): void;
}

/** Longest any case may take before it counts as a hang. */
const caseTimeoutMs = 8_000;

interface CollectOptions {
  signal?: AbortSignal;
  onPart?(part: StreamPart): void;
}

/**
 * Runs one `generate` call to its end. Fails the test (instead of hanging or throwing through) when
 * the adapter throws or the stream does not end in time.
 */
async function collect(adapter: ProviderAdapter, request: GenerateRequest, options: CollectOptions = {}): Promise<StreamPart[]> {
  const signal = options.signal ?? new AbortController().signal;
  const iterator = adapter.generate(request, { signal, attempt: 1 })[Symbol.asyncIterator]();
  const parts: StreamPart[] = [];
  const deadline = Date.now() + caseTimeoutMs;
  for (;;) {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), Math.max(0, deadline - Date.now()));
    });
    let next: IteratorResult<StreamPart> | 'timeout';
    try {
      next = await Promise.race([iterator.next(), timeout]);
    } catch (error) {
      throw new Error(`the adapter threw instead of yielding an error part: ${String(error)}`);
    } finally {
      clearTimeout(timer);
    }
    if (next === 'timeout') {
      void iterator.return?.(undefined);
      throw new Error(`the stream did not end within ${caseTimeoutMs} ms; parts so far: ${parts.map((part) => part.type).join(', ')}`);
    }
    if (next.done === true) return parts;
    parts.push(next.value);
    options.onPart?.(next.value);
  }
}

function textOf(parts: readonly StreamPart[]): string {
  return parts.map((part) => (part.type === 'text-delta' ? part.delta : '')).join('');
}

function errorsOf(parts: readonly StreamPart[]): ConclaveErrorJSON[] {
  return parts.flatMap((part) => (part.type === 'error' ? [part.error] : []));
}

/** A successful stream: no error part, and `finish` last. */
function expectFinished(parts: readonly StreamPart[], finishReason: string): void {
  expect(errorsOf(parts), 'unexpected error part').toEqual([]);
  expect(parts.at(-1), 'the last part must be finish').toEqual({ type: 'finish', finishReason });
  expect(parts.filter((part) => part.type === 'finish')).toHaveLength(1);
}

/** A failed stream: exactly one error part, last, with no finish. Returns that error. */
function expectSingleFinalError(parts: readonly StreamPart[], code: ErrorCode): ConclaveErrorJSON {
  const errors = errorsOf(parts);
  expect(errors, 'exactly one error part').toHaveLength(1);
  expect(parts.at(-1)?.type, 'the error part must be last').toBe('error');
  expect(parts.some((part) => part.type === 'finish'), 'no finish after a failure').toBe(false);
  const error = errors[0]!;
  expect(error.code, error.message).toBe(code);
  expect(error.message.length).toBeGreaterThan(0);
  return error;
}

/** Every primitive value in a JSON document. */
function leavesOf(value: unknown): unknown[] {
  if (Array.isArray(value)) return value.flatMap(leavesOf);
  if (value !== null && typeof value === 'object') return Object.values(value).flatMap(leavesOf);
  return [value];
}

/** Every object key in a JSON document. */
function keysOf(value: unknown): string[] {
  if (Array.isArray(value)) return value.flatMap(keysOf);
  if (value !== null && typeof value === 'object') {
    return Object.entries(value).flatMap(([key, inner]) => [key, ...keysOf(inner)]);
  }
  return [];
}

function hasStringContaining(body: unknown, text: string): boolean {
  return leavesOf(body).some((leaf) => typeof leaf === 'string' && leaf.includes(text));
}

/** Asserts that the texts appear in the body in this order (by position in its JSON). */
function expectInOrder(body: unknown, texts: readonly string[]): void {
  const json = JSON.stringify(body);
  const positions = texts.map((text) => json.indexOf(text));
  for (const [index, text] of texts.entries()) expect(positions[index], `"${text}" is in the request body`).toBeGreaterThanOrEqual(0);
  expect([...positions].sort((left, right) => left - right), `order of ${texts.join(' < ')}`).toEqual(positions);
}

const weatherTool = {
  name: 'get_weather',
  description: 'Look up the weather for a city',
  inputSchema: { type: 'object', properties: { city: { type: 'string' }, days: { type: 'integer' } }, required: ['city'] },
};

const verdictSchema = {
  type: 'object',
  properties: { verdictScore: { type: 'number' }, reasonText: { type: 'string' } },
  required: ['verdictScore', 'reasonText'],
  additionalProperties: false,
};

const longText = Array.from({ length: 200 }, (_, index) => `word${index}`).join(' ');

/**
 * Registers the provider adapter conformance cases for one adapter.
 *
 * @example
 * describeProviderAdapterConformance({
 *   name: 'openai',
 *   createEmulator: startOpenAIEmulator,
 *   createAdapter: (emulator) => openaiProvider.create({ baseUrl: emulator.baseUrl, apiKey: 'test-key' }),
 *   model: 'gpt-4.1-mini',
 *   capabilities: { tools: true, jsonSchema: true },
 *   nativeFinishReasons: { length: 'length' },
 * });
 */
export function describeProviderAdapterConformance(init: ProviderAdapterConformanceInit): void {
  describe(`provider adapter conformance: ${init.name}`, () => {
    let emulator: WireEmulator;
    let adapter: ProviderAdapter;

    beforeEach(async () => {
      emulator = await init.createEmulator();
      adapter = init.createAdapter(emulator);
    });
    afterEach(async () => {
      await emulator.close();
    });

    /** Sends one request with one scripted reply; returns the parts and the recorded body. */
    async function run(request: Partial<GenerateRequest>, reply: EmulatorReply, options?: CollectOptions): Promise<{ parts: StreamPart[]; body: unknown }> {
      emulator.enqueue(reply);
      const full: GenerateRequest = { model: init.model, messages: [{ role: 'user', content: 'Say something.' }], ...request };
      const parts = await collect(adapter, full, options);
      return { parts, body: emulator.requests.at(-1)?.body };
    }

    const itWithTools = init.capabilities.tools ? it : it.skip;
    const toolsTitle = init.capabilities.tools ? '' : ' (skipped: the provider has no tool calling)';

    it('streams text as several text-delta parts, then usage and finish stop', async () => {
      const text = 'The quick brown fox jumps over the lazy dog.';
      const { parts, body } = await run({}, { text, usage: { inputTokens: 12, outputTokens: 9 } });
      const deltas = parts.filter((part) => part.type === 'text-delta');
      expect(deltas.length, 'text arrives in several deltas').toBeGreaterThanOrEqual(2);
      expect(textOf(parts)).toBe(text);
      const usageIndex = parts.findIndex((part) => part.type === 'usage');
      expect(usageIndex, 'a usage part').toBeGreaterThanOrEqual(0);
      expect(usageIndex).toBeGreaterThan(parts.findLastIndex((part) => part.type === 'text-delta'));
      expect(parts[usageIndex]).toMatchObject({ type: 'usage', usage: { inputTokens: 12, outputTokens: 9 } });
      expectFinished(parts, 'stop');
      expect(emulator.requests).toHaveLength(1);
      expect(hasStringContaining(body, 'Say something.')).toBe(true);
      init.inspectRequest?.('text', body);
    });

    it('maps the system prompt and a multi-turn conversation into the request body', async () => {
      const { parts, body } = await run(
        {
          system: 'You are a careful conformance tester.',
          messages: [
            { role: 'user', content: 'First question about apples' },
            { role: 'assistant', content: 'An answer about bananas' },
            { role: 'user', content: 'Follow-up about cherries' },
          ],
        },
        { text: 'Cherries are red.' },
      );
      expectFinished(parts, 'stop');
      expect(hasStringContaining(body, 'You are a careful conformance tester.'), 'system prompt sent').toBe(true);
      expectInOrder(body, ['First question about apples', 'An answer about bananas', 'Follow-up about cherries']);
      init.inspectRequest?.('conversation', body);
    });

    it('passes temperature, max tokens and stop sequences through', async () => {
      const { parts, body } = await run({ temperature: 0.25, maxTokens: 123, stop: ['END_MARK'] }, { text: 'Fine by me.' });
      expectFinished(parts, 'stop');
      const leaves = leavesOf(body);
      expect(leaves, 'temperature 0.25 sent').toContain(0.25);
      expect(leaves, 'max tokens 123 sent').toContain(123);
      expect(leaves, 'stop sequence sent').toContain('END_MARK');
      init.inspectRequest?.('parameters', body);
    });

    itWithTools(`sends a tool definition and parses a streamed tool call${toolsTitle}`, async () => {
      const { parts, body } = await run(
        { messages: [{ role: 'user', content: 'Weather in Paris for 3 days?' }], tools: [weatherTool] },
        { toolCalls: [{ id: 'call_weather_1', name: 'get_weather', input: { city: 'Paris', days: 3 } }] },
      );
      const calls = parts.filter((part) => part.type === 'tool-call');
      expect(calls, 'exactly one tool-call part').toHaveLength(1);
      expect(calls[0]).toMatchObject({ type: 'tool-call', toolName: 'get_weather', input: { city: 'Paris', days: 3 } });
      expect(typeof calls[0]?.toolCallId === 'string' && calls[0].toolCallId.length > 0, 'a tool call id').toBe(true);
      expectFinished(parts, 'tool-calls');
      expect(hasStringContaining(body, 'get_weather'), 'tool name sent').toBe(true);
      expect(hasStringContaining(body, 'Look up the weather for a city'), 'tool description sent').toBe(true);
      expect(keysOf(body), 'tool input schema sent').toContain('city');
      init.inspectRequest?.('tool-call', body);
    });

    itWithTools(`round-trips an assistant tool call and its tool result into the next request${toolsTitle}`, async () => {
      const { parts, body } = await run(
        {
          tools: [weatherTool],
          messages: [
            { role: 'user', content: 'What is the weather there?' },
            { role: 'assistant', content: '', toolCalls: [{ toolCallId: 'call_weather_1', toolName: 'get_weather', input: { city: 'Reykjavik' } }] },
            { role: 'tool', toolCallId: 'call_weather_1', toolName: 'get_weather', content: 'Sunny and 21 degrees' },
          ],
        },
        { text: 'It is sunny.' },
      );
      expectFinished(parts, 'stop');
      expect(textOf(parts)).toBe('It is sunny.');
      expectInOrder(body, ['What is the weather there?', 'Reykjavik', 'Sunny and 21 degrees']);
      expect(hasStringContaining(body, 'get_weather'), 'tool name in the history').toBe(true);
      init.inspectRequest?.('tool-result', body);
    });

    it(`asks for structured output (${init.capabilities.jsonSchema ? 'schema in the request' : 'instruction in the prompt'})`, async () => {
      const answer = { verdictScore: 0.8, reasonText: 'fine' };
      const { parts, body } = await run(
        { responseFormat: { type: 'json', name: 'verdict', schema: verdictSchema } },
        { text: JSON.stringify(answer) },
      );
      expectFinished(parts, 'stop');
      expect(JSON.parse(textOf(parts))).toEqual(answer);
      if (init.capabilities.jsonSchema) {
        expect(keysOf(body), 'the schema is sent as JSON').toContain('verdictScore');
      } else {
        expect(leavesOf(body).some((leaf) => typeof leaf === 'string' && /json/i.test(leaf)), 'a JSON instruction in the prompt').toBe(true);
        expect(hasStringContaining(body, 'verdictScore'), 'the schema is described in the prompt').toBe(true);
      }
      init.inspectRequest?.('structured-output', body);
    });

    const lengthReason = init.nativeFinishReasons?.length;
    (lengthReason === undefined ? it.skip : it)(
      `maps the provider's max-tokens finish reason to length${lengthReason === undefined ? ' (skipped: pass nativeFinishReasons.length)' : ''}`,
      async () => {
        const { parts, body } = await run({ maxTokens: 5 }, { text: 'cut short here', finishReason: lengthReason! });
        expect(textOf(parts)).toBe('cut short here');
        expectFinished(parts, 'length');
        init.inspectRequest?.('length', body);
      },
    );

    describe('failures end the stream with exactly one error part', () => {
      it('401 → provider_auth, not retryable', async () => {
        const { parts } = await run({}, { fail: { kind: 'status', status: 401, message: 'bad key' } });
        expect(expectSingleFinalError(parts, 'provider_auth').retryable).toBe(false);
      });

      it('400 → provider_bad_request, not retryable', async () => {
        const { parts } = await run({}, { fail: { kind: 'status', status: 400, message: 'bad request' } });
        expect(expectSingleFinalError(parts, 'provider_bad_request').retryable).toBe(false);
      });

      it('429 with retry-after 1 → provider_rate_limited, retryable, retryAfterMs 1000', async () => {
        const { parts } = await run({}, { fail: { kind: 'status', status: 429, retryAfterSeconds: 1, message: 'slow down' } });
        const error = expectSingleFinalError(parts, 'provider_rate_limited');
        expect(error.retryable).toBe(true);
        expect(error.retryAfterMs).toBe(1000);
        expect(emulator.requests, 'the SDK must not retry (maxRetries: 0)').toHaveLength(1);
      });

      it('500 → provider_server_error, retryable, and the SDK does not retry', async () => {
        const { parts } = await run({}, { fail: { kind: 'status', status: 500, message: 'boom' } });
        expect(expectSingleFinalError(parts, 'provider_server_error').retryable).toBe(true);
        expect(emulator.requests, 'exactly one request: the dispatcher owns retries').toHaveLength(1);
      });

      it('connection reset → provider_connection, retryable', async () => {
        const { parts } = await run({}, { fail: { kind: 'reset' } });
        expect(expectSingleFinalError(parts, 'provider_connection').retryable).toBe(true);
        expect(emulator.requests).toHaveLength(1);
      });

      it('stream cut mid-way → provider_stream_cut, retryable', async () => {
        const { parts } = await run({}, { text: 'one two three four five six seven eight', fail: { kind: 'cut', afterChunks: 2 } });
        expect(expectSingleFinalError(parts, 'provider_stream_cut').retryable).toBe(true);
        expect('one two three four five six seven eight'.startsWith(textOf(parts))).toBe(true);
      });

      it('malformed chunk → provider_malformed_response, retryable', async () => {
        const { parts } = await run({}, { text: 'one two three four five six', fail: { kind: 'malformed', afterChunks: 1 } });
        expect(expectSingleFinalError(parts, 'provider_malformed_response').retryable).toBe(true);
      });

      it('aborting mid-stream ends the stream promptly with an aborted error part', async () => {
        const controller = new AbortController();
        const { parts } = await run({}, { text: longText, tokensPerSecond: 20 }, {
          signal: controller.signal,
          onPart(part) {
            if (part.type === 'text-delta') controller.abort();
          },
        });
        expect(controller.signal.aborted, 'at least one text delta before the abort').toBe(true);
        expectSingleFinalError(parts, 'aborted');
        expect(textOf(parts).length).toBeLessThan(longText.length);
        // Promptly: the adapter hung up on the reply mid-stream (200 tokens at 20/s take 10 s). One
        // that read the rest of it before ending would let the emulator finish the response.
        await vi.waitFor(() => expect(emulator.openResponses).toBe(0), { timeout: caseTimeoutMs, interval: 10 });
        expect(emulator.unfinishedResponses, 'the reply was cut by the client, not sent to its end').toBe(1);
      });
    });
  });
}
