/**
 * Input to a session that this kernel does not run: checks that it may take input, and appends an
 * event straight to the store after the head, retrying while other writers move the head.
 */
import { ConclaveError, createId, type SessionEvent, type SessionStore } from '../protocol/index.js';
import type { EventDraft } from './session-writer.js';

/**
 * Throws `session_not_found` for a missing or deleted session, and `session_not_resumable` for a
 * terminated one unless `allowTerminated`.
 *
 * @example
 * await assertWritable(store, sessionId, { allowTerminated: true });
 */
export async function assertWritable(store: SessionStore, sessionId: string, options: { allowTerminated?: boolean } = {}): Promise<void> {
  const summary = await store.getSession(sessionId);
  if (summary === undefined || summary.deleted) throw new ConclaveError('session_not_found', `no session ${sessionId}`);
  if (summary.status === 'terminated' && options.allowTerminated !== true) {
    throw new ConclaveError('session_not_resumable', `session ${sessionId} is terminated and takes no more input`);
  }
}

/**
 * Appends one event (its data already redacted) after the session's head, retrying on
 * `store_conflict` while another writer appends (at most 50 times).
 *
 * @example
 * const event = await appendAfterHead(store, sessionId, { type: 'user.interrupt', data }, new Date().toISOString());
 */
export async function appendAfterHead(store: SessionStore, sessionId: string, draft: EventDraft, at: string): Promise<SessionEvent> {
  for (let attempt = 0; ; attempt += 1) {
    const head = await store.head(sessionId);
    try {
      const [event] = await store.append(sessionId, head + 1, [{ id: createId('event'), type: draft.type, at, data: draft.data }]);
      return event as SessionEvent;
    } catch (error) {
      if (!(error instanceof ConclaveError && error.code === 'store_conflict') || attempt >= 50) throw error;
    }
  }
}
