/**
 * The Google provider: Gemini models through the official `@google/genai` SDK, streamed with
 * `ai.models.generateContentStream` (`POST /v1beta/models/{model}:streamGenerateContent?alt=sse`).
 *
 * The key comes from `settings.apiKey`, else `GEMINI_API_KEY`, else `GOOGLE_API_KEY`; the base URL
 * from `settings.baseUrl`, else `GOOGLE_GEMINI_BASE_URL`, else Google's endpoint. Both are read from
 * `settings.env` (default `process.env`) when the adapter is created, never by the SDK on its own.
 *
 * A stream starts with `stream-start`, then text, reasoning and tool-call parts as they arrive, and
 * ends with `usage` and `finish` — or with exactly one `error` part: `missing_credentials` (no key),
 * `unknown_model`, `aborted` when `options.signal` aborts, or the classified provider failure
 * (`map-google-error.ts`). The adapter never throws and never retries; the dispatcher does.
 *
 * The SDK is imported on the first call, not with this module, so that listing and validating
 * Gemini models (every `conclave` command does) never loads it.
 */
import type * as GoogleSdk from '@google/genai';
import type { GoogleGenAI } from '@google/genai';
import {
  ConclaveError,
  type GenerateOptions,
  type GenerateRequest,
  type ProviderAdapter,
  type ProviderModule,
  type ProviderSettings,
  type StreamPart,
} from '../../src/protocol/index.js';
import { googlePrice, pricedGoogleModels } from './google-prices.js';
import { mapGoogleError, observeGoogleFetch } from './map-google-error.js';
import { mapGoogleRequest } from './map-google-request.js';
import { createGoogleStreamMapper } from './map-google-stream.js';
import { abortedFailure, nonEmpty } from '../support/provider-errors.js';

/** Where the Gemini API lives when no base URL is configured. */
export const defaultGoogleBaseUrl = 'https://generativelanguage.googleapis.com';

const keyVariable = 'GEMINI_API_KEY';
const alternativeKeyVariable = 'GOOGLE_API_KEY';
const baseUrlVariable = 'GOOGLE_GEMINI_BASE_URL';
const modelPattern = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

/** The SDK, imported on the first call: listing or validating Gemini models never loads it. */
let sdk: Promise<typeof GoogleSdk> | undefined;

/**
 * Checks a Gemini model id without calling anything; returns a message when it is not valid.
 *
 * @example
 * validateGoogleModel('gemini-2.5-flash')         // → undefined
 * validateGoogleModel('gemini-2.5-flash?seed=1')  // → 'google/gemini-2.5-flash?seed=1: Gemini models take no options …'
 */
export function validateGoogleModel(model: string): string | undefined {
  if (model.includes('?')) return `google/${model}: Gemini models take no options; remove the "?…" part`;
  if (!modelPattern.test(model)) {
    return `google/${model}: not a Gemini model id (letters, digits, ".", "-" and "_", e.g. ${pricedGoogleModels.join(', ')})`;
  }
  return undefined;
}

function errorPart(error: ConclaveError): StreamPart {
  return { type: 'error', error: error.toJSON() };
}

/**
 * Creates the Google adapter. The SDK client is built once; each call gets its own abort plumbing
 * and its own observed fetch (for `retry-after`).
 *
 * @example
 * const adapter = createGoogleAdapter({ env: { GEMINI_API_KEY: 'AIza…' } });
 * for await (const part of adapter.generate({ model: 'gemini-2.5-flash', messages: [{ role: 'user', content: 'Hi' }] }, { signal, attempt: 1 })) {
 *   console.log(part.type); // stream-start, text-delta…, usage, finish
 * }
 */
export function createGoogleAdapter(settings: ProviderSettings = {}): ProviderAdapter {
  const env = settings.env ?? process.env;
  const apiKey = nonEmpty(settings.apiKey) ?? nonEmpty(env[keyVariable]) ?? nonEmpty(env[alternativeKeyVariable]);
  const baseUrl = nonEmpty(settings.baseUrl) ?? nonEmpty(env[baseUrlVariable]) ?? defaultGoogleBaseUrl;
  let client: GoogleGenAI | undefined;

  async function* generate(request: GenerateRequest, options: GenerateOptions): AsyncGenerator<StreamPart> {
    const { signal } = options;
    yield { type: 'stream-start', model: request.model };
    if (apiKey === undefined) {
      yield errorPart(
        new ConclaveError('missing_credentials', `google/${request.model}: no API key; set ${keyVariable}`, {
          hint: `export ${keyVariable}=… (${alternativeKeyVariable} is read too), or give the agent credentials`,
        }),
      );
      return;
    }
    const invalid = validateGoogleModel(request.model);
    if (invalid !== undefined) {
      yield errorPart(new ConclaveError('unknown_model', invalid));
      return;
    }
    if (client === undefined) {
      sdk ??= import('@google/genai');
      const { GoogleGenAI } = await sdk;
      client ??= new GoogleGenAI({ apiKey, vertexai: false, httpOptions: { baseUrl } });
    }
    if (signal.aborted) {
      yield errorPart(abortedFailure(`google/${request.model}`));
      return;
    }

    // Our own controller, so that the connection is torn down however the stream ends: a caller that
    // stops reading, a malformed chunk, or the caller's signal.
    const controller = new AbortController();
    const forwardAbort = (): void => controller.abort(signal.reason);
    signal.addEventListener('abort', forwardAbort, { once: true });
    const observed = observeGoogleFetch((input, init) => globalThis.fetch(input, init));
    const mapper = createGoogleStreamMapper({ turn: request.messages.length });
    try {
      try {
        const stream = await client.models.generateContentStream(
          mapGoogleRequest(request, { signal: controller.signal, fetch: observed.fetch }),
        );
        for await (const chunk of stream) {
          for (const part of mapper.push(chunk)) {
            yield part;
            if (part.type === 'error') return;
          }
          if (signal.aborted) break;
        }
      } catch (thrown) {
        yield { type: 'error', error: mapGoogleError(thrown, { signal, observation: observed.observation, model: request.model, keyVariable }) };
        return;
      }
      if (signal.aborted) {
        yield errorPart(abortedFailure(`google/${request.model}`));
        return;
      }
      yield* mapper.end();
    } finally {
      signal.removeEventListener('abort', forwardAbort);
      controller.abort();
    }
  }

  return {
    specificationVersion: 'v1',
    provider: 'google',
    simulated: false,
    generate,
    price: googlePrice,
  };
}

/**
 * The Google provider module, as registered under the name `google`.
 *
 * @example
 * googleProvider.keyVariable                     // → 'GEMINI_API_KEY'
 * googleProvider.validateModel('gemini-2.5-pro') // → undefined (valid)
 * const adapter = googleProvider.create({ baseUrl: 'http://127.0.0.1:8085', apiKey: 'test' });
 */
export const googleProvider: ProviderModule = {
  specificationVersion: 'v1',
  name: 'google',
  description: `Google Gemini models through the official @google/genai SDK (key in ${keyVariable} or ${alternativeKeyVariable}).`,
  simulated: false,
  keyVariable,
  alternativeKeyVariables: [alternativeKeyVariable],
  missingCredentials: (env) =>
    nonEmpty(env[keyVariable]) ?? nonEmpty(env[alternativeKeyVariable]) ? undefined : `google needs an API key: set ${keyVariable} (or ${alternativeKeyVariable})`,
  defaultModels: pricedGoogleModels.map((model) => `google/${model}`),
  validateModel: validateGoogleModel,
  create: createGoogleAdapter,
};
