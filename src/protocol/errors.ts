/**
 * The one error type of conclave. Every failure that crosses a module boundary is a `ConclaveError`
 * with a stable `code`, a `category` that says whose fault it is, and whether retrying can help.
 * The CLI prints code, message and location; a user mistake never shows a stack trace.
 */

/** Stable error codes. Adding one is fine; renaming one is a breaking change. */
export type ErrorCode =
  | 'invalid_document'
  | 'document_not_found'
  | 'document_syntax'
  | 'invalid_argument'
  | 'unknown_topology'
  | 'unknown_provider'
  | 'unknown_model'
  | 'missing_credentials'
  | 'provider_auth'
  | 'provider_bad_request'
  | 'provider_rate_limited'
  | 'provider_overloaded'
  | 'provider_server_error'
  | 'provider_stream_cut'
  | 'provider_malformed_response'
  | 'provider_timeout'
  | 'provider_connection'
  | 'content_filter'
  | 'agent_failed'
  | 'invalid_structured_output'
  | 'context_overflow'
  | 'aborted'
  | 'store_conflict'
  | 'session_claimed'
  | 'store_error'
  | 'session_not_found'
  | 'session_not_resumable'
  | 'topology_failed'
  | 'design_failed'
  | 'unauthenticated'
  | 'not_found'
  | 'version_conflict'
  | 'payload_too_large'
  | 'sandbox_unavailable'
  | 'sandbox_failed'
  | 'tool_failed'
  | 'secret_not_found'
  | 'policy_denied'
  | 'document_too_large'
  | 'requires_action'
  | 'tool_use_not_found'
  | 'tool_use_not_pending'
  | 'tool_use_already_answered'
  | 'budget_exceeded'
  | 'internal';

/** Whose fault an error is: the user's input, an upstream provider, or conclave itself. */
export type ErrorCategory = 'user' | 'provider' | 'system';

/** Where in a document a user error is, for messages like `debate.yaml:4 agents[1].model`. */
export interface ErrorLocation {
  file?: string;
  line?: number;
  column?: number;
  /** JSON path, e.g. `agents[1].model`. */
  path?: string;
}

export interface ConclaveErrorOptions {
  category?: ErrorCategory;
  retryable?: boolean;
  /** Provider's hint, in milliseconds, for when to try again (from `retry-after`). */
  retryAfterMs?: number;
  location?: ErrorLocation;
  /** Further user errors found in the same pass (validation reports all of them). */
  issues?: ConclaveErrorJSON[];
  hint?: string;
  cause?: unknown;
}

/** The serialised form of a `ConclaveError`, as journaled and as returned by the APIs. */
export interface ConclaveErrorJSON {
  name: 'ConclaveError';
  code: ErrorCode;
  category: ErrorCategory;
  message: string;
  retryable: boolean;
  retryAfterMs?: number;
  location?: ErrorLocation;
  hint?: string;
  issues?: ConclaveErrorJSON[];
}

const defaultCategory: Partial<Record<ErrorCode, ErrorCategory>> = {
  sandbox_unavailable: 'user',
  secret_not_found: 'user',
  policy_denied: 'user',
  document_too_large: 'user',
  invalid_document: 'user',
  document_not_found: 'user',
  document_syntax: 'user',
  invalid_argument: 'user',
  unknown_topology: 'user',
  unknown_provider: 'user',
  unknown_model: 'user',
  missing_credentials: 'user',
  session_not_found: 'user',
  session_not_resumable: 'user',
  requires_action: 'user',
  tool_use_not_found: 'user',
  tool_use_not_pending: 'user',
  tool_use_already_answered: 'user',
  unauthenticated: 'user',
  not_found: 'user',
  version_conflict: 'user',
  payload_too_large: 'user',
  provider_auth: 'provider',
  provider_bad_request: 'provider',
  provider_rate_limited: 'provider',
  provider_overloaded: 'provider',
  provider_server_error: 'provider',
  provider_stream_cut: 'provider',
  provider_malformed_response: 'provider',
  provider_timeout: 'provider',
  provider_connection: 'provider',
  content_filter: 'provider',
};

const retryableByDefault = new Set<ErrorCode>([
  'provider_rate_limited',
  'provider_overloaded',
  'provider_server_error',
  'provider_stream_cut',
  'provider_malformed_response',
  'provider_timeout',
  'provider_connection',
]);

/**
 * The base error. Construct with a code and a message written for the person who has to act on it.
 *
 * @example
 * throw new ConclaveError('unknown_topology', 'unknown topology "debat"', {
 *   location: { file: 'debate.yaml', line: 1, path: 'topology' },
 *   hint: 'did you mean "debate"?',
 * });
 */
export class ConclaveError extends Error {
  override readonly name = 'ConclaveError';
  readonly code: ErrorCode;
  readonly category: ErrorCategory;
  readonly retryable: boolean;
  readonly retryAfterMs: number | undefined;
  readonly location: ErrorLocation | undefined;
  readonly issues: ConclaveErrorJSON[] | undefined;
  readonly hint: string | undefined;

  constructor(code: ErrorCode, message: string, options: ConclaveErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.category = options.category ?? defaultCategory[code] ?? 'system';
    this.retryable = options.retryable ?? retryableByDefault.has(code);
    this.retryAfterMs = options.retryAfterMs;
    this.location = options.location;
    this.issues = options.issues;
    this.hint = options.hint;
  }

  /**
   * Plain-object form, safe to journal and to send over the wire (no stack, no cause chain).
   *
   * @example
   * JSON.stringify(new ConclaveError('aborted', 'interrupted by the user')) // uses toJSON
   */
  toJSON(): ConclaveErrorJSON {
    const json: ConclaveErrorJSON = {
      name: 'ConclaveError',
      code: this.code,
      category: this.category,
      message: this.message,
      retryable: this.retryable,
    };
    if (this.retryAfterMs !== undefined) json.retryAfterMs = this.retryAfterMs;
    if (this.location !== undefined) json.location = this.location;
    if (this.hint !== undefined) json.hint = this.hint;
    if (this.issues !== undefined) json.issues = this.issues;
    return json;
  }

  /**
   * Rebuilds an error from its journaled form.
   *
   * @example
   * const error = ConclaveError.fromJSON(event.data.error);
   */
  static fromJSON(json: ConclaveErrorJSON): ConclaveError {
    return new ConclaveError(json.code, json.message, {
      category: json.category,
      retryable: json.retryable,
      ...(json.retryAfterMs !== undefined ? { retryAfterMs: json.retryAfterMs } : {}),
      ...(json.location !== undefined ? { location: json.location } : {}),
      ...(json.hint !== undefined ? { hint: json.hint } : {}),
      ...(json.issues !== undefined ? { issues: json.issues } : {}),
    });
  }
}

/**
 * Whether a value is a `ConclaveError` (works across module copies, by shape).
 *
 * @example
 * if (isConclaveError(error) && error.retryable) retry();
 */
export function isConclaveError(value: unknown): value is ConclaveError {
  return value instanceof ConclaveError || (value instanceof Error && value.name === 'ConclaveError' && 'code' in value);
}

/**
 * Wraps anything thrown into a `ConclaveError`, keeping the original as `cause`.
 *
 * @example
 * catch (error) { throw toConclaveError(error, 'internal'); }
 */
export function toConclaveError(value: unknown, fallbackCode: ErrorCode = 'internal'): ConclaveError {
  if (isConclaveError(value)) return value;
  if (value instanceof Error && value.name === 'AbortError') {
    return new ConclaveError('aborted', 'the operation was aborted', { cause: value });
  }
  const message = value instanceof Error ? value.message : String(value);
  return new ConclaveError(fallbackCode, message, { cause: value });
}
