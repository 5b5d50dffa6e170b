/**
 * The Anthropic provider: Claude models through the official `@anthropic-ai/sdk`, streaming the
 * Messages API. The SDK client is built with `maxRetries: 0` (the kernel's dispatcher owns
 * retries), its logger off (failures are reported as error parts, not console lines) and its
 * tracing off. The key comes from `settings.apiKey` or `ANTHROPIC_API_KEY`, the base URL from
 * `settings.baseUrl` or `ANTHROPIC_BASE_URL`, both read from `settings.env` (default `process.env`).
 *
 * A stream starts with `stream-start`, then text, reasoning and tool-call parts, and ends with
 * `usage` and `finish`, or with exactly one `error` part: `missing_credentials` without a key,
 * `aborted` when the signal aborts, otherwise the classification in `anthropic-failure.ts`. The
 * adapter never throws. Request mapping (and the structured-output approach) is described in
 * `map-anthropic-request.ts`; stream mapping in `map-anthropic-stream.ts`.
 *
 * The SDK (and the modules that need its classes) is imported on the first call, not with this
 * module: the registry lists and validates Anthropic models in every `conclave` command, and only
 * a session that calls one should pay for loading the SDK.
 */
import type Anthropic from '@anthropic-ai/sdk';
import {
  ConclaveError,
  type GenerateOptions,
  type GenerateRequest,
  type ProviderAdapter,
  type ProviderModule,
  type ProviderSettings,
  type StreamPart,
} from '../../src/protocol/index.js';
import type { classifyAnthropicFailure } from './anthropic-failure.js';
import { anthropicPrice } from './anthropic-prices.js';
import { withCacheWritePrice } from './anthropic-cache-write-price.js';
import type { mapAnthropicRequest } from './map-anthropic-request.js';
import { mapAnthropicStream } from './map-anthropic-stream.js';
import { abortedFailure, nonEmpty } from '../support/provider-errors.js';

/** Environment variable holding the key. */
export const anthropicKeyVariable = 'ANTHROPIC_API_KEY';
/** Environment variable that may point the SDK at another host (a proxy, an emulator). */
export const anthropicBaseUrlVariable = 'ANTHROPIC_BASE_URL';

/** What a call needs from the SDK, loaded once on the first call. */
interface AnthropicRuntime {
  Anthropic: typeof Anthropic;
  classifyAnthropicFailure: typeof classifyAnthropicFailure;
  mapAnthropicRequest: typeof mapAnthropicRequest;
}

let runtime: Promise<AnthropicRuntime> | undefined;

function loadAnthropicRuntime(): Promise<AnthropicRuntime> {
  runtime ??= Promise.all([import('@anthropic-ai/sdk'), import('./anthropic-failure.js'), import('./map-anthropic-request.js')]).then(
    ([sdk, failure, request]) => ({ Anthropic: sdk.default, classifyAnthropicFailure: failure.classifyAnthropicFailure, mapAnthropicRequest: request.mapAnthropicRequest }),
  );
  return runtime;
}

/** The same error part as `anthropicAborted` (anthropic-failure.ts), without loading the SDK. */
function abortedPart(model: string): StreamPart {
  return { type: 'error', error: abortedFailure(`anthropic/${model}`).toJSON() };
}

/** Models listed by `conclave providers`; any other Claude model id is accepted too. */
export const anthropicDefaultModels = ['claude-sonnet-4-6', 'claude-haiku-4-5', 'claude-opus-4-6'] as const;

/**
 * Checks an Anthropic model id without calling anything: any non-empty id without spaces or a
 * query string (the Messages API has no per-model options to put there).
 *
 * @example
 * validateAnthropicModel('claude-haiku-4-5') // → undefined
 * validateAnthropicModel('claude haiku')     // → 'anthropic/claude haiku: a model id has no spaces'
 */
export function validateAnthropicModel(model: string): string | undefined {
  if (model.trim() === '') return 'anthropic: the model id is empty (e.g. anthropic/claude-sonnet-4-6)';
  if (/\s/.test(model)) return `anthropic/${model}: a model id has no spaces`;
  if (model.includes('?')) return `anthropic/${model}: Anthropic models take no query parameters`;
  return undefined;
}

/**
 * Creates the Anthropic adapter. Without a key it still builds, and every call yields one
 * `missing_credentials` error part naming `ANTHROPIC_API_KEY`.
 *
 * @example
 * const adapter = createAnthropicAdapter({ apiKey: process.env.ANTHROPIC_API_KEY });
 * for await (const part of adapter.generate({ model: 'claude-haiku-4-5', messages: [{ role: 'user', content: 'Hi' }] }, { signal, attempt: 1 })) {
 *   if (part.type === 'text-delta') process.stdout.write(part.delta);
 * }
 */
export function createAnthropicAdapter(settings: ProviderSettings = {}): ProviderAdapter {
  const env = settings.env ?? process.env;
  const apiKey = nonEmpty(settings.apiKey) ?? nonEmpty(env[anthropicKeyVariable]);
  const baseURL = nonEmpty(settings.baseUrl) ?? nonEmpty(env[anthropicBaseUrlVariable]) ?? 'https://api.anthropic.com';
  let client: Anthropic | undefined;

  async function* generate(request: GenerateRequest, options: GenerateOptions): AsyncGenerator<StreamPart> {
    const { signal } = options;
    yield { type: 'stream-start', model: request.model };
    if (apiKey === undefined) {
      const error = new ConclaveError('missing_credentials', `anthropic/${request.model} needs an API key: set ${anthropicKeyVariable}`, {
        hint: `export ${anthropicKeyVariable}=… or give the agent credentials`,
      });
      yield { type: 'error', error: error.toJSON() };
      return;
    }
    const invalid = validateAnthropicModel(request.model);
    if (invalid !== undefined) {
      yield { type: 'error', error: new ConclaveError('unknown_model', invalid).toJSON() };
      return;
    }
    const { Anthropic, classifyAnthropicFailure, mapAnthropicRequest } = await loadAnthropicRuntime();
    client ??= new Anthropic({ apiKey, baseURL, maxRetries: 0, logLevel: 'off', openTelemetry: false });
    if (signal.aborted) {
      yield abortedPart(request.model);
      return;
    }
    let responseStarted = false;
    try {
      const events = await client.messages.create(mapAnthropicRequest(request), { signal });
      responseStarted = true;
      for await (const part of mapAnthropicStream(events)) {
        // The SDK ends its stream quietly on abort, which the mapper would report as a cut.
        if (signal.aborted) break;
        yield part;
      }
      if (signal.aborted) yield abortedPart(request.model);
    } catch (thrown) {
      yield { type: 'error', error: classifyAnthropicFailure(thrown, { signal, responseStarted, keyVariable: anthropicKeyVariable }, request.model) };
    }
  }

  return {
    specificationVersion: 'v1',
    provider: 'anthropic',
    simulated: false,
    generate,
    price: (model) => withCacheWritePrice(anthropicPrice(model)),
  };
}

/**
 * The Anthropic provider module, as a registry would list it under the name `anthropic`.
 *
 * @example
 * const adapter = anthropicProvider.create({ env: process.env });
 * anthropicProvider.validateModel('claude-sonnet-4-6') // → undefined (valid)
 */
export const anthropicProvider: ProviderModule = {
  specificationVersion: 'v1',
  name: 'anthropic',
  description: 'Anthropic Claude models through the Messages API (official SDK, streaming, tools, structured output).',
  simulated: false,
  keyVariable: anthropicKeyVariable,
  defaultModels: anthropicDefaultModels.map((model) => `anthropic/${model}`),
  validateModel: validateAnthropicModel,
  create: createAnthropicAdapter,
};
