/**
 * Everything the Anthropic SDK can throw during one call, as one journal-ready error. HTTP errors
 * go through the shared `classifyProviderFailure` with their status and `retry-after` headers; an
 * `error` event in the middle of a stream (which the SDK throws without a status) is classified by
 * the status Anthropic uses for that error type; connection failures before any response are
 * `provider_connection`; a body that breaks off after the response began is `provider_stream_cut`;
 * an event that is not JSON is `provider_malformed_response` (retryable: the next try may be fine).
 * An abort always wins, whatever the SDK made of it.
 */
import { APIConnectionError, APIError, APIUserAbortError } from '@anthropic-ai/sdk';
import { ConclaveError, type ConclaveErrorJSON } from '../../src/protocol/index.js';
import { abortedFailure, classifyProviderFailure, malformedFailure, streamCutFailure } from '../support/provider-errors.js';

/** The HTTP status Anthropic documents for each error `type`, for errors that arrive mid-stream. */
const statusByErrorType: Record<string, number> = {
  invalid_request_error: 400,
  authentication_error: 401,
  billing_error: 402,
  permission_error: 403,
  not_found_error: 404,
  request_too_large: 413,
  rate_limit_error: 429,
  api_error: 500,
  timeout_error: 504,
  overloaded_error: 529,
};

export interface AnthropicFailureContext {
  signal: AbortSignal;
  /** Whether the HTTP response had begun (its headers arrived) when the error was thrown. */
  responseStarted: boolean;
  keyVariable: string;
}

/**
 * The `aborted` error of a call the caller cancelled.
 *
 * @example
 * anthropicAborted('claude-haiku-4-5').code // → 'aborted'
 */
export function anthropicAborted(model: string): ConclaveErrorJSON {
  return abortedFailure(`anthropic/${model}`).toJSON();
}

function headerOf(error: APIError, name: string): string | null {
  return error.headers instanceof Headers ? error.headers.get(name) : null;
}

/** The message of an error and of its cause (`Connection error.` alone says little). */
function describeCause(thrown: unknown): string {
  if (!(thrown instanceof Error)) return String(thrown);
  const cause = thrown.cause instanceof Error ? thrown.cause.message : undefined;
  return cause === undefined || cause === thrown.message ? thrown.message || 'connection failed' : `${thrown.message} (${cause})`;
}

/**
 * Classifies one thrown value.
 *
 * @example
 * classifyAnthropicFailure(rateLimitError, { signal, responseStarted: false, keyVariable: 'ANTHROPIC_API_KEY' }, 'claude-haiku-4-5')
 * // → { code: 'provider_rate_limited', retryable: true, retryAfterMs: 1000, … }
 */
export function classifyAnthropicFailure(thrown: unknown, context: AnthropicFailureContext, model: string): ConclaveErrorJSON {
  if (context.signal.aborted || thrown instanceof APIUserAbortError) return anthropicAborted(model);
  const provider = 'anthropic';
  const message = thrown instanceof Error ? thrown.message : String(thrown);
  if (thrown instanceof SyntaxError) {
    return malformedFailure('anthropic', `an event is not valid JSON: ${message}`).toJSON();
  }
  if (thrown instanceof APIError && !(thrown instanceof APIConnectionError)) {
    const apiMessage = thrown.apiMessage ?? message;
    const status = thrown.status ?? (thrown.type === null ? undefined : statusByErrorType[thrown.type]);
    if (status === undefined) {
      return new ConclaveError('provider_server_error', `anthropic: error event in the stream: ${apiMessage}`).toJSON();
    }
    return classifyProviderFailure({
      provider,
      status,
      message: thrown.status === undefined ? `error event in the stream (${thrown.type ?? 'unknown'}): ${apiMessage}` : apiMessage,
      retryAfterMsHeader: headerOf(thrown, 'retry-after-ms'),
      retryAfterHeader: headerOf(thrown, 'retry-after'),
      keyVariable: context.keyVariable,
    });
  }
  if (context.responseStarted) {
    return streamCutFailure('anthropic', `the stream broke off: ${describeCause(thrown)}`).toJSON();
  }
  return classifyProviderFailure({ provider, message: describeCause(thrown) });
}
