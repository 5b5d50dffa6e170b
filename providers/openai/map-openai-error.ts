/**
 * Failures of the OpenAI SDK as conclave errors. HTTP and connection failures go through the shared
 * `classifyProviderFailure`, so retry policy is the same for every provider; what only this wire
 * can tell apart (an abort, a timeout, a body cut mid-stream, a chunk that is not JSON) is decided
 * here.
 */
import { APIConnectionError, APIConnectionTimeoutError, APIError, APIUserAbortError } from 'openai';
import { ConclaveError, type ConclaveErrorJSON } from '../../src/protocol/index.js';
import { abortedFailure, classifyProviderFailure, malformedFailure, streamCutFailure } from '../support/provider-errors.js';

export interface OpenAIErrorContext {
  /** Provider name for messages (`openai`, `groq`, …). */
  provider: string;
  keyVariable?: string;
  signal: AbortSignal;
  /** `request` before the response headers arrived, `stream` while reading the body. */
  phase: 'request' | 'stream';
}

/**
 * The error part for a call the user (or the kernel) aborted.
 *
 * @example
 * abortedError('openai') // → { code: 'aborted', message: 'openai: the call was aborted', … }
 */
export function abortedError(provider: string): ConclaveErrorJSON {
  return abortedFailure(provider).toJSON();
}

/**
 * A response that does not have the shape of a Chat Completions stream. Retryable: it is usually
 * a proxy or a server hiccup, not a problem with the request.
 *
 * @example
 * malformedResponseError('groq', 'a chunk is not JSON')
 */
export function malformedResponseError(provider: string, detail: string, cause?: unknown): ConclaveErrorJSON {
  return malformedFailure(provider, detail, cause).toJSON();
}

function messageOf(error: APIError): string {
  const body = error.error as { message?: unknown } | undefined;
  return typeof body?.message === 'string' && body.message !== '' ? body.message : error.message;
}

/**
 * Classifies anything the SDK threw.
 *
 * @example
 * mapOpenAIError(error, { provider: 'openai', keyVariable: 'OPENAI_API_KEY', signal, phase: 'request' })
 * // a RateLimitError with retry-after: 1 → { code: 'provider_rate_limited', retryable: true, retryAfterMs: 1000, … }
 */
export function mapOpenAIError(error: unknown, context: OpenAIErrorContext): ConclaveErrorJSON {
  const { provider, keyVariable } = context;
  if (context.signal.aborted || error instanceof APIUserAbortError) return abortedError(provider);
  if (error instanceof APIConnectionTimeoutError) {
    return new ConclaveError('provider_timeout', `${provider}: the request timed out`, { cause: error }).toJSON();
  }
  if (error instanceof SyntaxError) return malformedResponseError(provider, `a chunk is not valid JSON (${error.message})`, error);
  if (error instanceof APIConnectionError) {
    return classifyProviderFailure({ provider, message: `cannot reach the server: ${error.message}`, ...(keyVariable !== undefined ? { keyVariable } : {}) });
  }
  if (error instanceof APIError) {
    // An error object sent inside the stream has no HTTP status; the server failed mid-answer.
    const status = error.status ?? 500;
    return classifyProviderFailure({
      provider,
      status,
      message: messageOf(error),
      retryAfterMsHeader: error.headers?.get('retry-after-ms') ?? null,
      retryAfterHeader: error.headers?.get('retry-after') ?? null,
      ...(keyVariable !== undefined ? { keyVariable } : {}),
    });
  }
  const message = error instanceof Error ? error.message : String(error);
  if (context.phase === 'stream') {
    return streamCutFailure(provider, `the stream was cut before it finished (${message})`, error).toJSON();
  }
  return classifyProviderFailure({ provider, message, ...(keyVariable !== undefined ? { keyVariable } : {}) });
}
