/**
 * Whatever the `@google/genai` SDK throws, as one conclave error. HTTP failures go through the shared
 * `classifyProviderFailure`, with Google's own message taken out of the `{ error: { code, message,
 * status } }` body and `retry-after` read from the response, which the SDK's `ApiError` drops — so
 * the adapter watches each call's fetch (`observeGoogleFetch`). Failures after the response began
 * are cut streams or malformed chunks; failures before it are connection problems.
 */
import { ConclaveError, type ConclaveErrorJSON } from '../../src/protocol/index.js';
import { abortedFailure, classifyProviderFailure, malformedFailure, streamCutFailure } from '../support/provider-errors.js';

/** What one call's fetch saw: whether it was called, and the response status and headers. */
export interface GoogleFetchObservation {
  started: boolean;
  response?: { status: number; headers: Headers };
}

/**
 * Wraps a fetch so that the adapter learns the response status and headers of its call.
 *
 * @example
 * const observed = observeGoogleFetch(fetch);
 * // pass observed.fetch as config.httpOptions.fetch, then read observed.observation.response?.headers
 */
export function observeGoogleFetch(baseFetch: typeof fetch): { fetch: typeof fetch; observation: GoogleFetchObservation } {
  const observation: GoogleFetchObservation = { started: false };
  const observingFetch: typeof fetch = async (input, init) => {
    observation.started = true;
    const response = await baseFetch(input, init);
    observation.response = { status: response.status, headers: response.headers };
    return response;
  };
  return { fetch: observingFetch, observation };
}

interface GoogleErrorBody {
  message?: string;
  status?: string;
  reason?: string;
}

/** Google's message, status name and first `details[].reason` out of an `ApiError` message. */
function parseGoogleErrorBody(text: string): GoogleErrorBody {
  const start = text.indexOf('{');
  if (start === -1) return {};
  try {
    const body = JSON.parse(text.slice(start)) as { error?: { message?: unknown; status?: unknown; details?: unknown } };
    const error = body.error ?? {};
    const details = Array.isArray(error.details) ? (error.details as Array<{ reason?: unknown }>) : [];
    const reason = details.map((detail) => detail.reason).find((value): value is string => typeof value === 'string');
    return {
      ...(typeof error.message === 'string' ? { message: error.message } : {}),
      ...(typeof error.status === 'string' ? { status: error.status } : {}),
      ...(reason !== undefined ? { reason } : {}),
    };
  } catch {
    return {};
  }
}

function describeFailure(thrown: unknown): string {
  if (!(thrown instanceof Error)) return String(thrown);
  const cause = thrown.cause as { code?: unknown; message?: unknown } | undefined;
  const detail = typeof cause?.code === 'string' ? cause.code : typeof cause?.message === 'string' ? cause.message : undefined;
  return detail === undefined || thrown.message.includes(detail) ? thrown.message : `${thrown.message} (${detail})`;
}

export interface GoogleErrorContext {
  signal: AbortSignal;
  observation: GoogleFetchObservation;
  /** The model, for messages. */
  model: string;
  keyVariable: string;
}

/**
 * Maps a thrown SDK failure to a journal-ready error.
 *
 * @example
 * mapGoogleError(apiErrorWith429, { signal, observation, model: 'gemini-2.5-flash', keyVariable: 'GEMINI_API_KEY' })
 * // → { code: 'provider_rate_limited', retryable: true, retryAfterMs: 2000, message: 'google (HTTP 429): …', … }
 */
export function mapGoogleError(thrown: unknown, context: GoogleErrorContext): ConclaveErrorJSON {
  if (context.signal.aborted || (thrown instanceof Error && thrown.name === 'AbortError')) {
    return abortedFailure(`google/${context.model}`).toJSON();
  }
  const response = context.observation.response;
  if (thrown instanceof Error && thrown.name === 'ApiError' && typeof (thrown as { status?: unknown }).status === 'number') {
    const status = (thrown as unknown as { status: number }).status;
    const body = parseGoogleErrorBody(thrown.message);
    // Gemini answers a bad key with 400 INVALID_ARGUMENT; it is an authentication failure all the same.
    const effectiveStatus = body.reason === 'API_KEY_INVALID' ? 401 : status;
    const message = body.message === undefined ? thrown.message : body.status === undefined ? body.message : `${body.message} (${body.status})`;
    const fromHttpStatus = response !== undefined && response.status === status;
    return classifyProviderFailure({
      provider: 'google',
      status: effectiveStatus,
      message,
      keyVariable: context.keyVariable,
      ...(fromHttpStatus
        ? { retryAfterHeader: response.headers.get('retry-after'), retryAfterMsHeader: response.headers.get('retry-after-ms') }
        : {}),
    });
  }
  if (thrown instanceof SyntaxError) {
    // A garbled chunk is usually transient (a proxy, a truncated write); another attempt may well succeed.
    return malformedFailure('google', `a stream chunk is not valid JSON (${thrown.message})`).toJSON();
  }
  if (!context.observation.started) {
    return new ConclaveError('provider_bad_request', `google: the SDK refused the request: ${describeFailure(thrown)}`, { retryable: false }).toJSON();
  }
  if (response !== undefined) {
    return streamCutFailure('google', `the stream broke off: ${describeFailure(thrown)}`).toJSON();
  }
  return classifyProviderFailure({ provider: 'google', message: describeFailure(thrown), keyVariable: context.keyVariable });
}
