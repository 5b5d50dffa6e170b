/**
 * The Ollama provider: local (or self-hosted, or proxied) models through the official `ollama` SDK
 * and its streamed `/api/chat`. No key is needed; `OLLAMA_API_KEY` (or `settings.apiKey`), when
 * set, is sent as a bearer token for hosted Ollama or an authenticating proxy. The host comes from
 * `settings.baseUrl`, then `OLLAMA_HOST`, then `http://127.0.0.1:11434`.
 *
 * Models are whatever the server has pulled (`ollama/llama3.2`, `ollama/qwen2.5:7b`,
 * `ollama/library/mistral:latest`); query strings are not supported. Prices are zero: a local
 * model costs nothing per token (a hosted Ollama subscription is not billed per token either).
 *
 * A stream starts with `stream-start` and ends with `usage` and `finish`, or with exactly one
 * `error` part — for HTTP errors, connection failures, cut or malformed streams and aborts alike;
 * the adapter never throws. The SDK can only abort every stream of a client at once, so each call
 * gets its own client whose `fetch` carries the call's AbortSignal (see `ollama-fetch.ts`).
 * The SDK is imported on the first call, not with this module, so that listing and validating
 * Ollama models (every `conclave` command does) never loads it.
 */
import type * as OllamaSdk from 'ollama';
import {
  ConclaveError,
  type GenerateOptions,
  type GenerateRequest,
  type ModelPrice,
  type ProviderAdapter,
  type ProviderModule,
  type ProviderSettings,
  type StreamPart,
} from '../../src/protocol/index.js';
import { mapOllamaFailure } from './map-ollama-failure.js';
import { mapOllamaRequest } from './map-ollama-messages.js';
import { createOllamaStreamMapper, fingerprintOllamaRequest } from './map-ollama-stream.js';
import { createOllamaFetch, type OllamaExchange } from './ollama-fetch.js';
import { abortedFailure, malformedFailure, nonEmpty, streamCutFailure } from '../support/provider-errors.js';

/** Where a local Ollama listens unless told otherwise. */
export const defaultOllamaHost = 'http://127.0.0.1:11434';

const modelNamePattern = /^[A-Za-z0-9][A-Za-z0-9._\-/:]*$/;

/**
 * Checks an Ollama model name (`name`, `name:tag`, `namespace/name:tag`, `host/namespace/name`).
 * Returns a message for the user when it is not valid.
 *
 * @example
 * validateOllamaModel('qwen2.5:7b') // → undefined
 * validateOllamaModel('llama3.2?temperature=1') // → 'ollama/llama3.2?temperature=1: …'
 */
export function validateOllamaModel(model: string): string | undefined {
  if (model.includes('?')) {
    return `ollama/${model}: Ollama models take no query parameters; set temperature and max_tokens on the agent`;
  }
  if (!modelNamePattern.test(model) || model.includes('//') || model.endsWith('/') || model.endsWith(':')) {
    return `ollama/${model}: not an Ollama model name (expected name, name:tag or namespace/name:tag, e.g. llama3.2 or qwen2.5:7b)`;
  }
  return undefined;
}

function errorPart(error: ConclaveError): StreamPart {
  return { type: 'error', error: error.toJSON() };
}

interface ResolvedSettings {
  host: string;
  headers: Record<string, string>;
}

function resolveSettings(settings: ProviderSettings): ResolvedSettings {
  const env = settings.env ?? process.env;
  const host = settings.baseUrl ?? nonEmpty(env['OLLAMA_HOST']) ?? defaultOllamaHost;
  const apiKey = settings.apiKey ?? nonEmpty(env['OLLAMA_API_KEY']);
  return { host, headers: apiKey === undefined ? {} : { Authorization: `Bearer ${apiKey}` } };
}

/** The SDK, imported on the first call: listing or validating Ollama models never loads it. */
let sdk: Promise<typeof OllamaSdk> | undefined;

async function* generate(settings: ResolvedSettings, request: GenerateRequest, options: GenerateOptions): AsyncGenerator<StreamPart> {
  const { signal } = options;
  const qualified = `ollama/${request.model}`;
  yield { type: 'stream-start', model: request.model };
  const invalid = validateOllamaModel(request.model);
  if (invalid !== undefined) {
    yield errorPart(new ConclaveError('unknown_model', invalid));
    return;
  }
  sdk ??= import('ollama');
  const { Ollama } = await sdk;
  if (signal.aborted) {
    yield errorPart(abortedFailure(qualified));
    return;
  }

  // Aborted by the caller's signal, or by us when the consumer stops reading early.
  const call = new AbortController();
  const forwardAbort = (): void => call.abort(signal.reason);
  signal.addEventListener('abort', forwardAbort, { once: true });
  const exchange: OllamaExchange = { sawDone: false };
  const client = new Ollama({ host: settings.host, headers: settings.headers, fetch: createOllamaFetch(call.signal, exchange) });
  const body = mapOllamaRequest(request);
  const mapChunk = createOllamaStreamMapper(fingerprintOllamaRequest(body));
  try {
    const stream = await client.chat({ ...body, stream: true });
    for await (const chunk of stream) {
      if (signal.aborted) {
        yield errorPart(abortedFailure(qualified));
        return;
      }
      const result = mapChunk(chunk);
      if (!result.ok) {
        yield errorPart(malformedFailure(qualified, result.message));
        return;
      }
      yield* result.parts;
      if (result.done) return;
    }
    // The SDK throws when a stream ends without `done`; this covers an SDK that stops doing so.
    yield errorPart(streamCutFailure(qualified, 'the stream ended before it was done'));
  } catch (error) {
    yield { type: 'error', error: mapOllamaFailure(error, { signal, exchange, model: qualified, host: settings.host }) };
  } finally {
    signal.removeEventListener('abort', forwardAbort);
    call.abort();
  }
}

const zeroPrice: ModelPrice = { inputPerMillion: 0, outputPerMillion: 0 };

/**
 * Creates an Ollama adapter. Settings are read once; each call gets its own SDK client.
 *
 * @example
 * const adapter = createOllamaAdapter({ baseUrl: 'http://127.0.0.1:11434' });
 * for await (const part of adapter.generate({ model: 'llama3.2', messages: [{ role: 'user', content: 'hi' }] }, { signal, attempt: 1 })) {
 *   console.log(part.type); // stream-start, text-delta…, usage, finish
 * }
 */
export function createOllamaAdapter(settings: ProviderSettings = {}): ProviderAdapter {
  const resolved = resolveSettings(settings);
  return {
    specificationVersion: 'v1',
    provider: 'ollama',
    simulated: false,
    generate: (request, options) => generate(resolved, request, options),
    price: (model) => (validateOllamaModel(model) === undefined ? zeroPrice : undefined),
  };
}

/**
 * The Ollama provider module, as registered under the name `ollama`.
 *
 * @example
 * ollamaProvider.validateModel('llama3.2') // → undefined (valid)
 * const adapter = ollamaProvider.create({ env: process.env });
 */
export const ollamaProvider: ProviderModule = {
  specificationVersion: 'v1',
  name: 'ollama',
  description:
    'Local models served by Ollama (OLLAMA_HOST, default http://127.0.0.1:11434); no key needed, ' +
    'OLLAMA_API_KEY is sent as a bearer token when set (hosted Ollama or a proxy); prices are zero.',
  simulated: false,
  defaultModels: ['ollama/llama3.2', 'ollama/qwen2.5', 'ollama/mistral'],
  validateModel: validateOllamaModel,
  create: createOllamaAdapter,
};
