/**
 * The session store contract. A store keeps one append-only, gapless event log per session.
 * `append` is optimistic: the caller states the sequence number its first event must get, and the
 * store refuses (code `store_conflict`) if anything else was appended meanwhile — so two processes
 * can never interleave one session's log. A runner also `claim`s the session first and passes its
 * claim number with every append (a fencing token): once another runner claims the session, the old
 * one's appends are refused (`session_claimed`), even if it still believes it holds the session.
 */
import type { NewSessionEvent, SessionEvent, SessionStatus } from './events.js';

export interface SessionSummary {
  id: string;
  createdAt: string;
  updatedAt: string;
  status: SessionStatus;
  topology: string;
  /** Short human title, from the document or the task. */
  title: string;
  /** Sequence number of the last event. */
  lastSeq: number;
  /** Workspace the session belongs to (API keys are scoped to one); `default` for the CLI's. */
  workspace: string;
  /** When the session was archived (`session.archived`), else null. */
  archivedAt: string | null;
  /** True once `session.deleted` is journaled: hidden from lists, 404 in the APIs. */
  deleted: boolean;
}

export interface ReadOptions {
  /** Only events with `seq > afterSeq`. Default 0 (from the start). */
  afterSeq?: number;
  limit?: number;
}

export interface FollowOptions {
  afterSeq?: number;
  signal?: AbortSignal;
  /** How often to look for events written by other processes. Default 100 ms. */
  pollIntervalMs?: number;
}

export interface AppendOptions {
  /**
   * The claim number `claim` gave this runner. The append is refused with `session_claimed` when
   * the session has been claimed again since. Input from users (messages, interrupts) has none.
   */
  fence?: number;
}

/** A session `createClaimed` created: its events as stored, and the claim its creator holds. */
export interface ClaimedSession {
  events: SessionEvent[];
  fence: number;
}

export interface ListSessionsOptions {
  limit?: number;
  /** Only sessions updated before this ISO time (for paging, newest first). */
  before?: string;
  /** Sort key, newest first: `updated` (default) or `created` (stable, for API paging). */
  order?: 'updated' | 'created';
  /** Only sessions strictly after this position in the chosen order (an API page cursor). */
  after?: { at: string; id: string };
  /** Only sessions of this workspace. */
  workspace?: string;
  /** Only sessions with this status. */
  status?: SessionStatus;
  /** Include archived sessions. Default true. */
  includeArchived?: boolean;
}

export interface SessionStore {
  readonly specificationVersion: 'v1';
  /** `memory`, `sqlite`, … */
  readonly kind: string;
  /**
   * Appends events atomically. `expectedSeq` is the sequence number the first event gets
   * (1 for a new session); the call fails with `store_conflict` unless it is exactly last + 1.
   * Returns the stored events.
   */
  append(sessionId: string, expectedSeq: number, events: readonly NewSessionEvent[], options?: AppendOptions): Promise<SessionEvent[]>;
  /**
   * Makes the caller the session's runner: raises the session's claim number and returns it, so
   * appends fenced with any earlier number fail from now on. Fails with `session_not_found` for a
   * session that has no events.
   */
  claim(sessionId: string): Promise<number>;
  /**
   * Optional: creates a session and claims it in one write — its first events appended at seq 1
   * with the claim number already 1 — so whoever creates a session to run it at once needs neither
   * a separate `claim` nor a read of what it just wrote. Fails like `append` (`store_conflict` when
   * the session exists). A store without it is used through `append` then `claim`.
   */
  createClaimed?(sessionId: string, events: readonly NewSessionEvent[]): Promise<ClaimedSession>;
  /** Events in sequence order. */
  read(sessionId: string, options?: ReadOptions): Promise<SessionEvent[]>;
  /** Sequence number of the last event, 0 for an unknown session. */
  head(sessionId: string): Promise<number>;
  getSession(sessionId: string): Promise<SessionSummary | undefined>;
  /** Newest first. */
  listSessions(options?: ListSessionsOptions): Promise<SessionSummary[]>;
  /** How many sessions (deleted ones aside) have each status, without listing them. */
  countSessions(): Promise<Record<SessionStatus, number>>;
  /**
   * Existing events after `afterSeq`, then new ones as they are appended — by this process or any
   * other — until the signal aborts.
   */
  follow(sessionId: string, options?: FollowOptions): AsyncIterable<SessionEvent>;
  /**
   * Calls `onAppend` soon after the session's log may have grown, by this process or another, with
   * the new last seq when the store knows it, until the returned function is called. Optional:
   * without it, a runner polls `head` for other processes' input. `knownSeq` is the last seq the
   * caller has already seen (a runner knows the head it just wrote): appends past it are reported,
   * and a store that would read the head to know where to start (SQLite) reads nothing. Without it
   * the store starts from the head as it stands when the watch begins.
   */
  watch?(sessionId: string, onAppend: (seq?: number) => void, knownSeq?: number): () => void;
  close(): Promise<void>;
}
