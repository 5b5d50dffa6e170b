/**
 * Everything that can go wrong in one Ollama call, as one journal-ready error. HTTP error responses
 * (the SDK's `ResponseError` with `status_code`) and connection failures go through the shared
 * `classifyProviderFailure`, so a 429 from Ollama retries like a 429 from anyone else; the
 * `retry-after` header comes from the exchange the fetch wrapper recorded, since the SDK drops it.
 * Failures after the response started are told apart by what the exchange saw: a line that is not
 * JSON (`provider_malformed_response`), an `{ "error": … }` line (`provider_server_error`), or a
 * body that ended or broke before the `done` line (`provider_stream_cut`). A malformed response is
 * marked retryable: from a local server it is a glitch of that one response, not of the request.
 */
import { ConclaveError, type ConclaveErrorJSON } from '../../src/protocol/index.js';
import { abortedFailure, classifyProviderFailure, malformedFailure, streamCutFailure } from '../support/provider-errors.js';
import { MalformedOllamaLineError, type OllamaExchange } from './ollama-fetch.js';

export interface OllamaFailureContext {
  signal: AbortSignal;
  exchange: OllamaExchange;
  /** The model as the user named it, for messages (`ollama/llama3.2`). */
  model: string;
  /** The host the client talks to, for connection messages. */
  host: string;
}

function isResponseError(value: unknown): value is Error & { error: string; status_code: number } {
  return value instanceof Error && value.name === 'ResponseError' && typeof (value as { status_code?: unknown }).status_code === 'number';
}

/** The error code of a failure's cause (`fetch failed` hides `ECONNREFUSED` there), if any. */
function causeCode(value: unknown): string | undefined {
  const cause: unknown = value instanceof Error ? value.cause : undefined;
  const code = cause instanceof Error ? (cause as { code?: unknown }).code : undefined;
  return typeof code === 'string' ? code : undefined;
}

/** The most specific message of an error and its cause. */
function describe(value: unknown): string {
  if (!(value instanceof Error)) return String(value);
  const code = causeCode(value);
  if (code !== undefined) return `${value.message} (${code})`;
  return value.cause instanceof Error ? `${value.message}: ${value.cause.message}` : value.message;
}

/** Causes that mean nothing listens at the host, as opposed to a connection that broke. */
const unreachableCodes = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH']);

/**
 * Classifies a failure of an Ollama call. Call it from the one `catch` around the call.
 *
 * @example
 * catch (error) {
 *   yield { type: 'error', error: mapOllamaFailure(error, { signal, exchange, model: 'ollama/llama3.2', host }) };
 * }
 */
export function mapOllamaFailure(error: unknown, context: OllamaFailureContext): ConclaveErrorJSON {
  const { exchange, model } = context;
  if (context.signal.aborted) {
    return abortedFailure(model, error).toJSON();
  }
  if (error instanceof MalformedOllamaLineError || error instanceof SyntaxError) {
    return malformedFailure(model, error.message, error).toJSON();
  }
  if (isResponseError(error)) {
    return classifyProviderFailure({
      provider: 'ollama',
      status: error.status_code,
      message: error.error,
      retryAfterHeader: exchange.response?.retryAfter ?? null,
      retryAfterMsHeader: exchange.response?.retryAfterMs ?? null,
      keyVariable: 'OLLAMA_API_KEY',
    });
  }
  if (exchange.streamError !== undefined) {
    return new ConclaveError('provider_server_error', `ollama: ${model} failed mid-stream: ${exchange.streamError}`, { cause: error }).toJSON();
  }
  if (exchange.response !== undefined) {
    return streamCutFailure(model, `the stream ended before it was done (${describe(error)})`, error).toJSON();
  }
  const failure = classifyProviderFailure({ provider: 'ollama', message: `request to ${context.host} failed: ${describe(error)}` });
  const code = causeCode(error);
  if (code === undefined || !unreachableCodes.has(code)) return failure;
  return { ...failure, hint: 'is the Ollama server running (`ollama serve`)? Set OLLAMA_HOST or the provider baseUrl if it listens elsewhere' };
}
