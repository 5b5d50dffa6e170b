/**
 * The OpenAI provider: Chat Completions through the official `openai` SDK, streamed with
 * `stream_options.include_usage`. The same adapter serves every OpenAI-compatible server (see
 * `providers/openai-compatible/`): `createOpenAIAdapter` takes the provider's name, key variable,
 * base URL, wire differences and price table.
 *
 * The SDK client is built with `maxRetries: 0`: the kernel's dispatcher owns retries, and an SDK
 * retrying underneath it would multiply attempts and hide failures from the journal. A missing key
 * never throws from `create()`; the call yields one `missing_credentials` error part instead.
 *
 * Base URL: `settings.baseUrl`, else the `OPENAI_BASE_URL` variable, else `https://api.openai.com/v1`.
 * Key: `settings.apiKey`, else `OPENAI_API_KEY`.
 *
 * The SDK (and the mappers that need its classes) is imported on the first call, not with this
 * module: the registry lists and validates OpenAI models in every `conclave` command, and only a
 * session that calls one should pay for loading the SDK.
 */
import type OpenAI from 'openai';
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
import type { mapOpenAIError } from './map-openai-error.js';
import { mapOpenAIRequest, openAIWireOptions, type OpenAIWireOptions } from './map-openai-messages.js';
import type { mapOpenAIStream } from './map-openai-stream.js';
import { parseOpenAIModel } from './openai-model-options.js';
import { lookupModelPrice, openAIPrice } from './openai-prices.js';

export interface OpenAIAdapterConfig {
  /** Provider name, used in messages and as `adapter.provider` (`openai`, `groq`, …). */
  provider: string;
  /** Full base URL including the version path (`https://api.openai.com/v1`). */
  baseUrl: string;
  apiKey?: string;
  /** Environment variable the key comes from; undefined for servers that need no key. */
  keyVariable?: string;
  wire?: OpenAIWireOptions;
  /** A price table by model id (snapshot suffixes ignored); `price` is asked when it has no entry. */
  prices?: Readonly<Record<string, ModelPrice>>;
  /** Prices models `prices` does not list: the catalogue's, or zero for a local server. */
  price?: (model: string) => ModelPrice | undefined;
  /** Extra headers on every request (OpenRouter's `HTTP-Referer`, an organization id, …). */
  headers?: Record<string, string>;
}

/** What a call needs from the SDK, loaded once on the first call. */
interface OpenAIRuntime {
  OpenAI: typeof OpenAI;
  mapOpenAIError: typeof mapOpenAIError;
  mapOpenAIStream: typeof mapOpenAIStream;
}

let runtime: Promise<OpenAIRuntime> | undefined;

function loadOpenAIRuntime(): Promise<OpenAIRuntime> {
  runtime ??= Promise.all([import('openai'), import('./map-openai-error.js'), import('./map-openai-stream.js')]).then(([sdk, error, stream]) => ({
    OpenAI: sdk.default,
    mapOpenAIError: error.mapOpenAIError,
    mapOpenAIStream: stream.mapOpenAIStream,
  }));
  return runtime;
}

/** Sent as the key to servers that need none: the SDK insists on one. */
const placeholderKey = 'no-key-needed';

/**
 * The error for a provider whose key variable is not set, as yielded by `generate` and as a kernel
 * would report it before a session starts.
 *
 * @example
 * missingCredentialsError('openai', 'OPENAI_API_KEY').message
 * // → 'openai: set OPENAI_API_KEY (or pass apiKey in the provider settings)'
 */
export function missingCredentialsError(provider: string, keyVariable: string): ConclaveError {
  return new ConclaveError('missing_credentials', `${provider}: set ${keyVariable} (or pass apiKey in the provider settings)`, {
    hint: `export ${keyVariable}=… in the environment that runs conclave`,
  });
}

/**
 * Creates an adapter for OpenAI or any server speaking Chat Completions.
 *
 * @example
 * const adapter = createOpenAIAdapter({ provider: 'openai', baseUrl: 'https://api.openai.com/v1', apiKey: process.env.OPENAI_API_KEY, keyVariable: 'OPENAI_API_KEY' });
 * for await (const part of adapter.generate({ model: 'gpt-4.1-mini', messages: [{ role: 'user', content: 'hi' }] }, { signal, attempt: 1 })) {
 *   if (part.type === 'text-delta') process.stdout.write(part.delta);
 * }
 */
export function createOpenAIAdapter(config: OpenAIAdapterConfig): ProviderAdapter {
  const { provider, keyVariable } = config;
  const wire = config.wire ?? openAIWireOptions;
  const needsKey = keyVariable !== undefined;
  const hasKey = config.apiKey !== undefined && config.apiKey !== '';
  let client: OpenAI | undefined;

  async function* generate(request: GenerateRequest, options: GenerateOptions): AsyncGenerator<StreamPart> {
    const { signal } = options;
    if (needsKey && !hasKey) {
      yield { type: 'error', error: missingCredentialsError(provider, keyVariable ?? 'the key variable').toJSON() };
      return;
    }
    const parsed = parseOpenAIModel(provider, request.model);
    if (!parsed.ok) {
      yield { type: 'error', error: new ConclaveError('unknown_model', parsed.message).toJSON() };
      return;
    }
    const { OpenAI, mapOpenAIError, mapOpenAIStream } = await loadOpenAIRuntime();
    client ??= new OpenAI({
      apiKey: hasKey ? config.apiKey : placeholderKey,
      baseURL: config.baseUrl,
      maxRetries: 0,
      organization: null,
      project: null,
      logLevel: 'off',
      ...(config.headers !== undefined ? { defaultHeaders: config.headers } : {}),
    });
    const errorContext = { provider, ...(keyVariable !== undefined ? { keyVariable } : {}), signal };
    let stream: AsyncIterable<unknown>;
    try {
      stream = await client.chat.completions.create(mapOpenAIRequest(request, parsed.options, wire), { signal });
    } catch (error) {
      yield { type: 'error', error: mapOpenAIError(error, { ...errorContext, phase: 'request' }) };
      return;
    }
    yield { type: 'stream-start', model: parsed.options.name };
    yield* mapOpenAIStream(stream, errorContext);
  }

  return {
    specificationVersion: 'v1',
    provider,
    simulated: false,
    generate,
    price(model: string): ModelPrice | undefined {
      return (config.prices === undefined ? undefined : lookupModelPrice(config.prices, model)) ?? config.price?.(model);
    },
  };
}

/**
 * Reads a setting: the explicit value, else the environment variable, else the fallback.
 *
 * @example
 * settingOrEnvironment(undefined, { OPENAI_BASE_URL: 'http://proxy/v1' }, 'OPENAI_BASE_URL', 'https://api.openai.com/v1') // → 'http://proxy/v1'
 */
export function settingOrEnvironment<T extends string | undefined>(
  explicit: string | undefined,
  env: Record<string, string | undefined>,
  variable: string | undefined,
  fallback: T,
): string | T {
  if (explicit !== undefined && explicit !== '') return explicit;
  const fromEnvironment = variable === undefined ? undefined : env[variable];
  return fromEnvironment !== undefined && fromEnvironment !== '' ? fromEnvironment : fallback;
}

export const openAIDefaultBaseUrl = 'https://api.openai.com/v1';

/**
 * The OpenAI provider module, as registered under the name `openai`.
 *
 * @example
 * const adapter = openaiProvider.create({ env: process.env });           // key from OPENAI_API_KEY
 * const local = openaiProvider.create({ baseUrl: 'http://127.0.0.1:4000/v1', apiKey: 'sk-test' });
 * openaiProvider.validateModel('o4-mini?reasoning_effort=low')           // → undefined (valid)
 */
export const openaiProvider: ProviderModule = {
  specificationVersion: 'v1',
  name: 'openai',
  description: 'OpenAI Chat Completions (GPT-4.1, GPT-4o, o-series) through the official SDK; key in OPENAI_API_KEY.',
  simulated: false,
  keyVariable: 'OPENAI_API_KEY',
  defaultModels: ['openai/gpt-4.1-mini', 'openai/gpt-4.1', 'openai/gpt-4o-mini', 'openai/o4-mini'],
  validateModel(model: string): string | undefined {
    const parsed = parseOpenAIModel('openai', model);
    return parsed.ok ? undefined : parsed.message;
  },
  create(settings: ProviderSettings): ProviderAdapter {
    const env = settings.env ?? process.env;
    const apiKey = settingOrEnvironment(settings.apiKey, env, 'OPENAI_API_KEY', undefined);
    const organization = env.OPENAI_ORG_ID;
    const project = env.OPENAI_PROJECT_ID;
    const headers: Record<string, string> = {
      ...(organization !== undefined && organization !== '' ? { 'OpenAI-Organization': organization } : {}),
      ...(project !== undefined && project !== '' ? { 'OpenAI-Project': project } : {}),
    };
    return createOpenAIAdapter({
      provider: 'openai',
      baseUrl: settingOrEnvironment(settings.baseUrl, env, 'OPENAI_BASE_URL', openAIDefaultBaseUrl),
      keyVariable: 'OPENAI_API_KEY',
      price: openAIPrice,
      ...(apiKey !== undefined ? { apiKey } : {}),
      ...(Object.keys(headers).length > 0 ? { headers } : {}),
    });
  },
};
