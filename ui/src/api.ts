/**
 * The UI's client of the native API (`/v1`): every call sends the API key the user signed in with
 * (kept in sessionStorage, so it lives as long as the tab), and every failure becomes an `ApiError`
 * carrying the server's error envelope — its message, hint and the document location of each issue —
 * so views can show exactly what the server said. Streams are read with fetch, not EventSource,
 * because EventSource cannot send the key header.
 */
import type { Problem, ProblemLocation } from './problem.js';
import { parseServerSentEvents, type ServerSentEvent } from './server-sent-events.js';

export type { Problem, ProblemLocation } from './problem.js';

const keyStorageName = 'conclave.apiKey';

/** A failed API call: HTTP status, stable code, and every problem the envelope listed. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly hint: string | undefined,
    readonly problems: Problem[],
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

/**
 * The API key of this tab, if signed in.
 *
 * @example
 * if (storedKey() === undefined) showSignIn();
 */
export function storedKey(): string | undefined {
  return sessionStorage.getItem(keyStorageName) ?? undefined;
}

/**
 * Keeps (or, with undefined, forgets) the key for this tab only.
 *
 * @example
 * storeKey('ck_live_…'); storeKey(undefined); // sign out
 */
export function storeKey(key: string | undefined): void {
  if (key === undefined) sessionStorage.removeItem(keyStorageName);
  else sessionStorage.setItem(keyStorageName, key);
}

interface EnvelopeDetails {
  error_code?: string;
  hint?: string;
  location?: ProblemLocation;
  issues?: Array<{ message?: string; hint?: string; location?: ProblemLocation }>;
}

async function errorOf(response: Response): Promise<ApiError> {
  let body: { error?: { message?: string; details?: EnvelopeDetails } } = {};
  try {
    body = (await response.json()) as typeof body;
  } catch {
    // Not our envelope (a proxy's page): the status line is all there is.
  }
  const message = body.error?.message ?? `${response.status} ${response.statusText}`;
  const details = body.error?.details ?? {};
  const problems: Problem[] =
    details.issues !== undefined && details.issues.length > 0
      ? details.issues.map((issue) => ({ message: issue.message ?? message, ...(issue.hint !== undefined ? { hint: issue.hint } : {}), ...(issue.location !== undefined ? { location: issue.location } : {}) }))
      : [{ message, ...(details.hint !== undefined ? { hint: details.hint } : {}), ...(details.location !== undefined ? { location: details.location } : {}) }];
  return new ApiError(response.status, details.error_code ?? 'unknown', message, details.hint, problems);
}

function headersWith(key: string | undefined, extra: Record<string, string> = {}): Record<string, string> {
  return key === undefined ? extra : { ...extra, authorization: `Bearer ${key}` };
}

/**
 * Calls the API with this tab's key (or `key`); resolves to the JSON body, rejects with `ApiError`.
 *
 * @example
 * const page = await api<{ data: SessionView[] }>('GET', '/v1/sessions?limit=50');
 * await api('POST', `/v1/sessions/${id}/messages`, { text: 'Focus on costs' });
 */
export async function api<T>(method: 'GET' | 'POST' | 'DELETE', path: string, body?: unknown, key: string | undefined = storedKey()): Promise<T> {
  const response = await fetch(path, {
    method,
    headers: headersWith(key, body === undefined ? {} : { 'content-type': 'application/json' }),
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  if (!response.ok) throw await errorOf(response);
  return (await response.json()) as T;
}

/**
 * Follows a server-sent event stream with this tab's key, calling `onEvent` for each frame, until
 * the stream ends or `signal` aborts. Resolves when the server closes the stream.
 *
 * @example
 * const controller = new AbortController();
 * void follow(`/v1/sessions/${id}/events/stream?deltas=true`, (frame) => console.log(frame.event), controller.signal);
 */
export async function follow(path: string, onEvent: (event: ServerSentEvent) => void, signal: AbortSignal): Promise<void> {
  const response = await fetch(path, { headers: headersWith(storedKey(), { accept: 'text/event-stream' }), signal });
  if (!response.ok) throw await errorOf(response);
  if (response.body === null) return;
  const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
  await parseServerSentEvents(reader, onEvent);
}
