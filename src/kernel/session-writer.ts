/**
 * The only way the kernel writes to a session's log. It reserves sequence numbers when an append is
 * queued, so every append is optimistic (`expectedSeq`) and a second process writing the same
 * session is refused by the store. Appends queued while one is in flight are coalesced into a
 * single store call (group commit), so each agent step costs one transaction, not two.
 *
 * Durability rule the dispatcher relies on: appends commit in the order they were queued, so once
 * an append has resolved, everything queued before it is durable too.
 */
import { ConclaveError, createId, type SessionEvent, type SessionStore } from '../protocol/index.js';
import type { Clock } from './clock.js';
import type { LiveEvents } from './live-events.js';

export interface EventDraft {
  type: string;
  data: Record<string, unknown>;
}

export interface QueuedAppend {
  /** Sequence number the first event of this append will have. */
  firstSeq: number;
  /** Resolves when the events (and everything queued before them) are stored. */
  stored: Promise<SessionEvent[]>;
}

interface PendingAppend {
  drafts: readonly EventDraft[];
  resolve: (events: SessionEvent[]) => void;
  reject: (error: unknown) => void;
}

export class SessionWriter {
  /** Every event of the session: those read at start plus those written since. */
  readonly events: SessionEvent[];
  private reservedSeq: number;
  private storedSeq: number;
  private pending: PendingAppend[] = [];
  private flushing = false;
  private failure: unknown;

  constructor(
    private readonly store: SessionStore,
    readonly sessionId: string,
    existing: SessionEvent[],
    private readonly clock: Clock,
    private readonly live: LiveEvents,
  ) {
    this.events = existing;
    this.storedSeq = existing[existing.length - 1]?.seq ?? 0;
    this.reservedSeq = this.storedSeq;
  }

  /** Sequence number of the last event stored. */
  get lastSeq(): number {
    return this.storedSeq;
  }

  /**
   * Queues events to be appended atomically, after everything queued before. The returned
   * sequence number is final; await `stored` when the caller must know they are durable.
   *
   * @example
   * const { stored } = writer.enqueue([{ type: 'session.status_running', data: {} }]);
   * await stored;
   */
  enqueue(drafts: readonly EventDraft[]): QueuedAppend {
    const firstSeq = this.reservedSeq + 1;
    if (this.failure !== undefined) return { firstSeq, stored: Promise.reject(this.failure) };
    this.reservedSeq += drafts.length;
    const stored = new Promise<SessionEvent[]>((resolve, reject) => {
      this.pending.push({ drafts, resolve, reject });
      if (!this.flushing) {
        this.flushing = true;
        queueMicrotask(() => void this.flush());
      }
    });
    return { firstSeq, stored };
  }

  /**
   * Appends events and waits until they are durable.
   *
   * @example
   * await writer.append([{ type: 'session.status_running', data: {} }]);
   */
  append(drafts: readonly EventDraft[]): Promise<SessionEvent[]> {
    return this.enqueue(drafts).stored;
  }

  /**
   * Waits until everything queued so far is stored (or rejects with the writer's failure).
   *
   * @example
   * await writer.drain();
   */
  async drain(): Promise<void> {
    await this.append([]);
  }

  private async flush(): Promise<void> {
    while (this.pending.length > 0) {
      const batch = this.pending;
      this.pending = [];
      const at = new Date(this.clock.now()).toISOString();
      const events = batch.flatMap((item) => item.drafts.map((draft) => ({ id: createId('event'), type: draft.type, at, data: draft.data })));
      try {
        const stored = events.length === 0 ? [] : await this.store.append(this.sessionId, this.storedSeq + 1, events);
        this.storedSeq += stored.length;
        for (const event of stored) this.events.push(event);
        let offset = 0;
        for (const item of batch) {
          item.resolve(stored.slice(offset, offset + item.drafts.length));
          offset += item.drafts.length;
        }
        for (const event of stored) this.live.publish(this.sessionId, { type: 'event', event });
      } catch (error) {
        // After a failed append this writer's view of the log is wrong: fail this and every later append.
        this.failure =
          error instanceof ConclaveError && error.code === 'store_conflict'
            ? new ConclaveError('store_conflict', `session ${this.sessionId} is being written by another process; this run stopped`, { cause: error })
            : error;
        for (const item of batch) item.reject(this.failure);
        for (const item of this.pending) item.reject(this.failure);
        this.pending = [];
      }
    }
    this.flushing = false;
  }
}
