/**
 * How both HTTP APIs report failures: one envelope, the Managed Agents one —
 * `{type:'error', error:{type, message, details?}, request_id}` — with the `ConclaveError` code in
 * `details.error_code`, so the official SDK raises the right class and a client can branch on the
 * code. Requests are validated with zod at the edge; every issue is reported with the JSON path it is
 * about (`body.events[0].content: expected array, received string`). A 409 carries
 * `x-should-retry: false`, because the SDK would otherwise silently repeat the request, and a 500
 * never carries a stack or the text of an unexpected exception.
 */
import { parseJsonBody } from './inline-document-request.js';
import type { Context } from 'hono';
import { HTTPException } from 'hono/http-exception';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import type { z } from 'zod';
import { formatJsonPath } from '../config/format-json-path.js';
import { parseWithProblems } from '../config/zod-problems.js';
import { ConclaveError, isConclaveError, type ConclaveErrorJSON, type ConclaveErrorOptions, type ErrorCode, type ErrorLocation } from '../protocol/errors.js';
import { createId } from '../protocol/ids.js';
import type { ServerEnv } from './server-deps.js';

/** `error.type` values of the envelope (those of the Managed Agents API that conclave uses). */
export type ApiErrorType =
  | 'invalid_request_error'
  | 'authentication_error'
  | 'permission_error'
  | 'not_found_error'
  | 'request_too_large'
  | 'rate_limit_error'
  | 'api_error'
  | 'overloaded_error';

/** One problem of a failed validation, as listed in `details.issues`. */
export interface ErrorEnvelopeIssue {
  error_code: string;
  message: string;
  hint?: string;
  location?: ErrorLocation;
}

/** The body of every error response. */
export interface ErrorEnvelope {
  type: 'error';
  error: {
    type: ApiErrorType;
    message: string;
    details?: {
      error_code: string;
      hint?: string;
      location?: ErrorLocation;
      issues?: ErrorEnvelopeIssue[];
    };
  };
  request_id: string;
}

/** How an error is sent: status, `error.type`, and whether to tell the SDK not to retry. */
export interface HttpErrorMapping {
  status: ContentfulStatusCode;
  type: ApiErrorType;
  /** Send `x-should-retry: false`. */
  noRetry: boolean;
}

/**
 * A `ConclaveError` whose `details.error_code` on the wire is more specific than its code — the
 * Managed Agents code the SDK knows (`environment_not_found` makes it raise
 * `BetaEnvironmentNotFoundError`).
 *
 * @example
 * throw new ApiError('not_found', `no environment ${id}`, { errorCode: 'environment_not_found' });
 */
export class ApiError extends ConclaveError {
  readonly errorCode: string;

  constructor(code: ErrorCode, message: string, options: ConclaveErrorOptions & { errorCode: string }) {
    const { errorCode, ...rest } = options;
    super(code, message, rest);
    this.errorCode = errorCode;
  }
}

const badRequestCodes = new Set<ErrorCode>(['missing_credentials']);
const conflictCodes = new Set<ErrorCode>(['version_conflict', 'session_not_resumable', 'store_conflict', 'tool_use_not_pending', 'tool_use_already_answered']);

/**
 * The status and `error.type` for a `ConclaveError` code.
 *
 * @example
 * httpErrorMapping('version_conflict') // → { status: 409, type: 'invalid_request_error', noRetry: true }
 */
export function httpErrorMapping(code: ErrorCode): HttpErrorMapping {
  if (code.startsWith('invalid_') || code.startsWith('document_') || code.startsWith('unknown_') || badRequestCodes.has(code)) {
    return { status: 400, type: 'invalid_request_error', noRetry: false };
  }
  if (code === 'unauthenticated') return { status: 401, type: 'authentication_error', noRetry: false };
  if (code === 'policy_denied') return { status: 403, type: 'permission_error', noRetry: true };
  if (code === 'not_found' || code === 'session_not_found' || code === 'tool_use_not_found') return { status: 404, type: 'not_found_error', noRetry: false };
  if (conflictCodes.has(code)) return { status: 409, type: 'invalid_request_error', noRetry: true };
  if (code === 'payload_too_large') return { status: 413, type: 'request_too_large', noRetry: false };
  return { status: 500, type: 'api_error', noRetry: false };
}

/**
 * Any thrown value as the `ConclaveError` to report. Hono's `HTTPException`s keep their meaning;
 * anything unexpected becomes an `internal` error whose message reveals nothing.
 *
 * @example
 * const error = toHttpError(thrown); // ConclaveError, safe to send
 */
export function toHttpError(thrown: unknown): ConclaveError {
  if (isConclaveError(thrown)) return thrown;
  if (thrown instanceof HTTPException) {
    if (thrown.status === 413) return new ConclaveError('payload_too_large', 'the request body is too large');
    if (thrown.status === 401) return new ConclaveError('unauthenticated', thrown.message || 'authentication required');
    if (thrown.status === 404) return new ConclaveError('not_found', thrown.message || 'not found');
    if (thrown.status >= 400 && thrown.status < 500) return new ConclaveError('invalid_argument', thrown.message || `bad request (${thrown.status})`);
  }
  return new ConclaveError('internal', 'internal server error', { cause: thrown });
}

function issueOf(json: ConclaveErrorJSON): ErrorEnvelopeIssue {
  const issue: ErrorEnvelopeIssue = { error_code: json.code, message: json.message };
  if (json.hint !== undefined) issue.hint = json.hint;
  if (json.location !== undefined) issue.location = json.location;
  return issue;
}

/**
 * The envelope for an error (already converted with `toHttpError`).
 *
 * @example
 * errorEnvelope(new ConclaveError('not_found', 'no agent agent_x'), 'req_1')
 * // → { type: 'error', error: { type: 'not_found_error', message: 'no agent agent_x', details: { error_code: 'not_found' } }, request_id: 'req_1' }
 */
export function errorEnvelope(error: ConclaveError, requestId: string): ErrorEnvelope {
  const mapping = httpErrorMapping(error.code);
  const details: NonNullable<ErrorEnvelope['error']['details']> = { error_code: error instanceof ApiError ? error.errorCode : error.code };
  if (error.hint !== undefined) details.hint = error.hint;
  if (error.location !== undefined) details.location = error.location;
  if (error.issues !== undefined && error.issues.length > 0) details.issues = error.issues.map(issueOf);
  return { type: 'error', error: { type: mapping.type, message: error.message, details }, request_id: requestId };
}

/**
 * Sends `thrown` as an error response: envelope, status, `request-id`, and `x-should-retry: false`
 * on conflicts. Unexpected errors are logged with the request id (the client gets only that id).
 *
 * @example
 * app.onError((error, c) => errorResponse(c, error));
 */
export function errorResponse(c: Context<ServerEnv>, thrown: unknown): Response {
  const error = toHttpError(thrown);
  const requestId = c.get('requestId') ?? createId('request');
  const mapping = httpErrorMapping(error.code);
  if (mapping.status >= 500) {
    const cause = isConclaveError(thrown) ? thrown : (error.cause ?? thrown);
    console.error(`[${requestId}] ${c.req.method} ${c.req.path} failed:`, cause);
  }
  c.header('request-id', requestId);
  if (mapping.noRetry) c.header('x-should-retry', 'false');
  return c.json(errorEnvelope(error, requestId), mapping.status);
}

/**
 * Validates `value` with `schema`; on failure throws one `invalid_argument` error listing every
 * issue with its path under `root` (`body`, `query`, `path`).
 *
 * @example
 * const body = validateValue(createAgentSchema, await c.req.json(), 'body');
 */
export function validateValue<T>(schema: z.ZodType<T>, value: unknown, root: string): T {
  const parsed = parseWithProblems(schema, value, [root]);
  if (parsed.ok) return parsed.value;
  const issues = parsed.problems.map((problem) =>
    new ConclaveError('invalid_argument', problem.message, {
      location: { path: formatJsonPath(problem.path) },
      ...(problem.hint !== undefined ? { hint: problem.hint } : {}),
    }).toJSON(),
  );
  const first = issues[0] as ConclaveErrorJSON;
  return failWith(first, issues);
}

function failWith(first: ConclaveErrorJSON, issues: ConclaveErrorJSON[]): never {
  throw new ConclaveError('invalid_argument', issues.length === 1 ? first.message : `${first.message} (and ${issues.length - 1} more)`, {
    ...(first.location !== undefined ? { location: first.location } : {}),
    ...(first.hint !== undefined ? { hint: first.hint } : {}),
    issues,
  });
}

/**
 * Reads the request body as JSON and validates it; malformed JSON and schema failures are 400s.
 * An empty body reads as `undefined`, so a schema that allows it can treat the body as optional.
 *
 * @example
 * app.post('/agents', async (c) => {
 *   const body = await validateJson(createAgentSchema, c);
 *   …
 * });
 */
export async function validateJson<T>(schema: z.ZodType<T>, c: Context<ServerEnv>): Promise<T> {
  return validateValue(schema, parseJsonBody(await c.req.text()), 'body');
}

/**
 * The query string as an object: repeated and `name[]` parameters become arrays under `name`
 * (`types[]=a&types[]=b` → `{ types: ['a', 'b'] }`), others keep their last value; bracketed keys
 * such as `created_at[gte]` are kept as written.
 *
 * @example
 * queryObject(new URL('http://x/?limit=5&types[]=a')) // → { limit: '5', types: ['a'] }
 */
export function queryObject(url: URL): Record<string, string | string[]> {
  const query: Record<string, string | string[]> = {};
  for (const [key, value] of url.searchParams) {
    if (key.endsWith('[]')) {
      const name = key.slice(0, -2);
      const existing = query[name];
      query[name] = Array.isArray(existing) ? [...existing, value] : existing === undefined ? [value] : [existing, value];
    } else {
      query[key] = value;
    }
  }
  return query;
}

/**
 * Validates the query string (see `queryObject`) with `schema`; failures are 400s with `query.` paths.
 *
 * @example
 * const query = parseQuery(z.object({ include_archived: queryBoolean.optional() }), c);
 */
export function parseQuery<T>(schema: z.ZodType<T>, c: Context<ServerEnv>): T {
  return validateValue(schema, queryObject(new URL(c.req.url)), 'query');
}
