/**
 * The only way the kernel writes to a session's log. It knows the next sequence number, so every
 * append is optimistic (`expectedSeq`) and a second process writing the same session is refused by
 * the store. Appends made while one is in flight are coalesced into a single store call (group
 * commit), which keeps parallel topologies cheap without ever reordering one caller's events.
 */
import { ConclaveError, createId, type SessionEvent, type SessionStore } from '../protocol/index.js';
import type { Clock } from './clock.js';
import type { LiveEvents } from './live-events.js';

export interface EventDraft {
  type: string;
  data: Record<string, unknown>;
}

interface PendingAppend {
  drafts: readonly EventDraft[];
  resolve: (events: SessionEvent[]) => void;
  reject: (error: unknown) => void;
}

export class SessionWriter {
  private nextSeq: number;
  private pending: PendingAppend[] = [];
  private flushing = false;
  private failure: unknown;

  constructor(
    private readonly store: SessionStore,
    readonly sessionId: string,
    lastSeq: number,
    private readonly clock: Clock,
    private readonly live: LiveEvents,
  ) {
    this.nextSeq = lastSeq + 1;
  }

  /** Sequence number of the last event written (or read at start). */
  get lastSeq(): number {
    return this.nextSeq - 1;
  }

  /**
   * Appends events atomically, in order, after everything appended before.
   *
   * @example
   * await writer.append([{ type: 'session.status_running', data: {} }]);
   */
  append(drafts: readonly EventDraft[]): Promise<SessionEvent[]> {
    if (this.failure !== undefined) return Promise.reject(this.failure);
    return new Promise((resolve, reject) => {
      this.pending.push({ drafts, resolve, reject });
      if (!this.flushing) {
        this.flushing = true;
        queueMicrotask(() => void this.flush());
      }
    });
  }

  private async flush(): Promise<void> {
    while (this.pending.length > 0) {
      const batch = this.pending;
      this.pending = [];
      const at = new Date(this.clock.now()).toISOString();
      const events = batch.flatMap((item) => item.drafts.map((draft) => ({ id: createId('event'), type: draft.type, at, data: draft.data })));
      try {
        const stored = await this.store.append(this.sessionId, this.nextSeq, events);
        this.nextSeq += stored.length;
        let offset = 0;
        for (const item of batch) {
          const slice = stored.slice(offset, offset + item.drafts.length);
          offset += item.drafts.length;
          item.resolve(slice);
        }
        for (const event of stored) this.live.publish(this.sessionId, { type: 'event', event });
      } catch (error) {
        // After a conflict this writer's view of the log is wrong: fail this and every later append.
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
