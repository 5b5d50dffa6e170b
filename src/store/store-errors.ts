/**
 * What every session store says the same way: an append that lost the race for a sequence number,
 * an append fenced out by a newer claim, event data that is not a JSON object, and a failed SQLite
 * statement — so a user sees the same message whichever store is plugged in.
 */
import { ConclaveError, isConclaveError } from '../protocol/errors.js';
import type { NewSessionEvent } from '../protocol/events.js';

/**
 * The `store_conflict` of an append whose `expectedSeq` is not the head + 1.
 *
 * @example
 * if (expectedSeq !== head + 1) throw conflictError(sessionId, expectedSeq, head);
 */
export function conflictError(sessionId: string, expectedSeq: number, head: number): ConclaveError {
  return new ConclaveError('store_conflict', `session ${sessionId}: append expected seq ${expectedSeq} but the log is at seq ${head} (next is ${head + 1})`, {
    hint: 'another writer appended to this session; read the new events and try again',
  });
}

/**
 * The `session_claimed` of an append fenced with a claim older than the session's current one.
 *
 * @example
 * if (options.fence !== undefined && options.fence !== epoch) throw claimedError(sessionId, options.fence, epoch);
 */
export function claimedError(sessionId: string, fence: number, current: number): ConclaveError {
  return new ConclaveError('session_claimed', `session ${sessionId} was claimed by another runner (claim ${current}); this runner's claim ${fence} is void and it stopped`, {
    hint: 'another worker or process took over the session, usually after this one stalled; nothing was written twice',
  });
}

/**
 * The `session_not_found` of a claim on a session with no events.
 *
 * @example
 * if (head === 0) throw unknownSessionError(sessionId);
 */
export function unknownSessionError(sessionId: string): ConclaveError {
  return new ConclaveError('session_not_found', `no session ${sessionId}`);
}

/**
 * Refuses a `createClaimed` with no events: a session exists from its first event, so there would
 * be nothing to claim (`invalid_argument`).
 *
 * @example
 * assertCreatable(sessionId, events); // throws for []
 */
export function assertCreatable(sessionId: string, events: readonly NewSessionEvent[]): void {
  if (events.length === 0) throw new ConclaveError('invalid_argument', `session ${sessionId}: a session is created with at least one event`);
}

/**
 * An event's data as the JSON text stores keep; a `store_error` naming the event when it is not a
 * JSON object.
 *
 * @example
 * const text = encodeEventData(sessionId, event); // '{"text":"hi"}'
 */
export function encodeEventData(sessionId: string, event: NewSessionEvent): string {
  let text: string | undefined;
  try {
    text = JSON.stringify(event.data);
  } catch (error) {
    throw new ConclaveError('store_error', `session ${sessionId}: data of event ${event.id} (${event.type}) is not JSON: ${String(error)}`, { cause: error });
  }
  if (typeof text !== 'string' || !text.startsWith('{')) {
    throw new ConclaveError('store_error', `session ${sessionId}: data of event ${event.id} (${event.type}) must be a JSON object`);
  }
  return text;
}

/**
 * A failed SQLite statement of one of conclave's tables as a `ConclaveError`: a constraint is a
 * `store_conflict` ("it already exists"), a busy or locked database a retryable `store_error`,
 * anything else a `store_error` naming the action and the file. A `ConclaveError` passes through.
 *
 * @example
 * try { insert.run(row); } catch (error) { throw sqliteStoreError(error, 'create file file_1', path); }
 */
export function sqliteStoreError(error: unknown, action: string, path: string): ConclaveError {
  if (isConclaveError(error)) return error;
  const sqliteCode = typeof error === 'object' && error !== null && 'code' in error ? String(error.code) : '';
  const message = error instanceof Error ? error.message : String(error);
  if (sqliteCode.startsWith('SQLITE_CONSTRAINT')) return new ConclaveError('store_conflict', `${action}: it already exists`, { cause: error });
  const busy = sqliteCode.startsWith('SQLITE_BUSY') || sqliteCode.startsWith('SQLITE_LOCKED');
  return new ConclaveError('store_error', `${action} in ${path}: ${message}`, { cause: error, retryable: busy, ...(busy ? { hint: 'another process is holding the database; try again' } : {}) });
}
