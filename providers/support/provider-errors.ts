/**
 * One classification of provider failures for every adapter: an HTTP status (and the provider's own
 * error type, when it sends one) becomes a stable conclave error code with `retryable` and the
 * `retry-after` hint in milliseconds. Adapters call this at the edge, so the dispatcher's retry
 * policy treats a 429 from Anthropic and a 429 from Ollama the same way.
 */
import { ConclaveError, type ConclaveErrorJSON, type ErrorCode } from '../../src/protocol/index.js';

export interface ProviderFailure {
  /** HTTP status, when the failure was an HTTP response. */
  status?: number;
  message: string;
  /** Value of `retry-after-ms`, if the response had one. */
  retryAfterMsHeader?: string | null;
  /** Value of `retry-after` (seconds or an HTTP date), if the response had one. */
  retryAfterHeader?: string | null;
  /** The provider name, for messages (`anthropic`). */
  provider: string;
  /** Environment variable holding the key, for the 401 hint. */
  keyVariable?: string;
}

/**
 * Milliseconds to wait from `retry-after-ms` / `retry-after` headers, or undefined.
 *
 * @example
 * parseRetryAfter(null, '2') // → 2000
 */
export function parseRetryAfter(retryAfterMs: string | null | undefined, retryAfter: string | null | undefined, now = Date.now()): number | undefined {
  if (retryAfterMs !== null && retryAfterMs !== undefined && retryAfterMs.trim() !== '') {
    const value = Number(retryAfterMs);
    if (Number.isFinite(value) && value >= 0) return value;
  }
  if (retryAfter === null || retryAfter === undefined || retryAfter.trim() === '') return undefined;
  const seconds = Number(retryAfter);
  if (Number.isFinite(seconds) && seconds >= 0) return seconds * 1000;
  const date = Date.parse(retryAfter);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

function codeForStatus(status: number): ErrorCode {
  if (status === 401 || status === 403) return 'provider_auth';
  if (status === 408) return 'provider_timeout';
  if (status === 429) return 'provider_rate_limited';
  if (status === 529 || status === 503) return 'provider_overloaded';
  if (status >= 500) return 'provider_server_error';
  return 'provider_bad_request';
}

/**
 * A provider failure as a journal-ready error.
 *
 * @example
 * classifyProviderFailure({ provider: 'openai', status: 429, message: 'slow down', retryAfterHeader: '1' })
 * // → { code: 'provider_rate_limited', retryable: true, retryAfterMs: 1000, … }
 */
export function classifyProviderFailure(failure: ProviderFailure): ConclaveErrorJSON {
  const status = failure.status;
  const code: ErrorCode = status === undefined ? 'provider_connection' : codeForStatus(status);
  const retryAfterMs = parseRetryAfter(failure.retryAfterMsHeader, failure.retryAfterHeader);
  const where = status === undefined ? failure.provider : `${failure.provider} (HTTP ${status})`;
  const hint =
    code === 'provider_auth' && failure.keyVariable !== undefined
      ? `check the key in ${failure.keyVariable} (or the agent's credentials)`
      : undefined;
  return new ConclaveError(code, `${where}: ${failure.message}`, {
    ...(retryAfterMs !== undefined ? { retryAfterMs } : {}),
    ...(hint !== undefined ? { hint } : {}),
  }).toJSON();
}

/**
 * The caller cancelled the call (an interrupt, a timeout of the kernel's): never retried here.
 *
 * @example
 * abortedFailure('anthropic/claude-haiku-4-5').toJSON() // → { code: 'aborted', … }
 */
export function abortedFailure(where: string, cause?: unknown): ConclaveError {
  return new ConclaveError('aborted', `${where}: the call was aborted`, { retryable: false, ...(cause !== undefined ? { cause } : {}) });
}

/**
 * The response began and then broke off before the provider said it was finished. Retryable.
 *
 * @example
 * streamCutFailure('google', 'the stream ended without a finish reason')
 */
export function streamCutFailure(where: string, detail: string, cause?: unknown): ConclaveError {
  return new ConclaveError('provider_stream_cut', `${where}: ${detail}`, cause !== undefined ? { cause } : {});
}

/**
 * The response does not have the shape of the provider's protocol. Retryable: usually a proxy or a
 * server hiccup, not a problem with the request.
 *
 * @example
 * malformedFailure('openai', 'a chunk is not JSON')
 */
export function malformedFailure(where: string, detail: string, cause?: unknown): ConclaveError {
  return new ConclaveError('provider_malformed_response', `${where}: malformed response: ${detail}`, cause !== undefined ? { cause } : {});
}

/**
 * A setting's value, treating an empty or blank string as absent (an exported-but-empty variable).
 *
 * @example
 * nonEmpty('  ') // → undefined
 */
export function nonEmpty(value: string | undefined | null): string | undefined {
  return value === undefined || value === null || value.trim() === '' ? undefined : value;
}
