/**
 * The only way the kernel writes to a session's log. It reserves sequence numbers when an append is
 * queued, so every append is optimistic (`expectedSeq`) and a second process writing the same
 * session is refused by the store. Appends queued while one is in flight are coalesced into a
 * single store call (group commit), so each agent step costs one transaction, not two.
 *
 * Durability rule the dispatcher relies on: appends commit in the order they were queued, so once
 * an append has resolved, everything queued before it is durable too.
 *
 * Other processes may add user input to a running session (`conclave send`, `conclave interrupt`).
 * When an append finds such `user.*` events ahead of it, the writer takes them in (they reach
 * `onExternal`) and appends after them; any other foreign event means a second runner, and the
 * writer stops. A runner's appends carry its claim as a fence, so once another runner claims the
 * session the store refuses them (`session_claimed`) and this writer stops too.
 */
import { ConclaveError, createId, type NewSessionEvent, type SessionEvent, type SessionStore } from '../protocol/index.js';
import type { Clock } from './clock.js';
import type { LiveEvents } from './live-events.js';

/** Events another process may add to a running session besides `user.*` input. */
const absorbable = new Set(['session.archived', 'session.deleted', 'session.updated', 'budget.set']);

/** Errors already worded for the user, not to be wrapped again. */
const final = new WeakSet<Error>();

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
  private reservedSeq: number;
  private storedSeq: number;
  private pending: PendingAppend[] = [];
  private flushing = false;
  private failure: unknown;
  /** Called with every event stored (ours and absorbed ones), in seq order, before appends resolve. */
  onStored: (event: SessionEvent) => void = () => undefined;
  /** Called with each `user.*` event another process appended, after `onStored`. */
  onExternal: (event: SessionEvent) => void = () => undefined;
  /** Rewrites drafts before they are stored: the kernel redacts secrets here. */
  redact: ((drafts: readonly EventDraft[]) => readonly EventDraft[]) | undefined;
  /** The runner's claim on the session (`SessionStore.claim`), sent with every append as a fence. */
  fence: number | undefined;
  /**
   * `flush`, made once per writer rather than once per batch. It runs on `process.nextTick`, which,
   * queued from a promise continuation, runs only once the microtask queue is empty: everything the
   * session queues in one run of continuations goes in one store call. So a model call's
   * `command.completed`, queued without waiting, commits with the next step's `command.started`,
   * which the dispatcher queues a few continuations later — one transaction per step, not two.
   */
  private readonly flushSoon = (): void => void this.flush();

  /**
   * A writer after `headSeq`, the seq of the log's last event when the run read it. It keeps no copy
   * of the log: whoever needs the events stored hears of each through `onStored`.
   */
  constructor(
    private readonly store: SessionStore,
    readonly sessionId: string,
    headSeq: number,
    private readonly clock: Clock,
    private readonly live: LiveEvents,
  ) {
    this.storedSeq = headSeq;
    this.reservedSeq = headSeq;
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
  enqueue(given: readonly EventDraft[]): QueuedAppend {
    const drafts = this.redact === undefined ? given : this.redact(given);
    const firstSeq = this.reservedSeq + 1;
    if (this.failure !== undefined) return { firstSeq, stored: Promise.reject(this.failure) };
    this.reservedSeq += drafts.length;
    const stored = new Promise<SessionEvent[]>((resolve, reject) => {
      this.pending.push({ drafts, resolve, reject });
      if (!this.flushing) {
        this.flushing = true;
        process.nextTick(this.flushSoon);
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

  /**
   * Takes in events other processes appended since the last store, when no append is in flight
   * (an append in flight does it itself). Resolves true when something new was found.
   *
   * @example
   * if ((await store.head(sessionId)) > writer.lastSeq) await writer.refresh();
   */
  async refresh(): Promise<boolean> {
    if (this.flushing || this.failure !== undefined) return false;
    this.flushing = true;
    try {
      return await this.absorbForeign();
    } catch (error) {
      this.fail(error, []);
      return false;
    } finally {
      this.flushing = false;
      if (this.pending.length > 0) {
        this.flushing = true;
        process.nextTick(this.flushSoon);
      }
    }
  }

  /**
   * Refuses every append from now on with `error` (a run handed back to the queue writes nothing
   * more; whoever takes the session over continues from the log).
   *
   * @example
   * writer.stop(new ConclaveError('aborted', 'handed back: worker shutting down'));
   */
  stop(error: ConclaveError): void {
    if (this.failure === undefined) this.fail(error, []);
  }

  /** Reads events appended by others; accepts them only if they are all user input. */
  private async absorbForeign(): Promise<boolean> {
    const foreign = await this.store.read(this.sessionId, { afterSeq: this.storedSeq });
    if (foreign.length === 0) return false;
    const intruder = foreign.find((event) => !absorbable.has(event.type) && !event.type.startsWith('user.'));
    if (intruder !== undefined) {
      const error = new ConclaveError('store_conflict', `session ${this.sessionId} is being run by another process (it wrote ${intruder.type} at seq ${intruder.seq}); this run stopped`);
      final.add(error);
      throw error;
    }
    this.storedSeq += foreign.length;
    this.reservedSeq += foreign.length;
    for (const event of foreign) this.record(event);
    for (const event of foreign) this.onExternal(event);
    return true;
  }

  private record(event: SessionEvent): void {
    this.onStored(event);
    this.live.publish(this.sessionId, { type: 'event', event });
  }

  private fail(error: unknown, batch: PendingAppend[]): void {
    // After a failed append this writer's view of the log is wrong: fail this and every later append.
    this.failure =
      error instanceof ConclaveError && error.code === 'store_conflict' && !final.has(error)
        ? new ConclaveError('store_conflict', `session ${this.sessionId} is being written by another process; this run stopped`, { cause: error })
        : error;
    for (const item of batch) item.reject(this.failure);
    for (const item of this.pending) item.reject(this.failure);
    this.pending = [];
  }

  private async appendBatch(events: NewSessionEvent[]): Promise<SessionEvent[]> {
    for (let attempt = 0; ; attempt += 1) {
      try {
        return await this.store.append(this.sessionId, this.storedSeq + 1, events, this.fence === undefined ? undefined : { fence: this.fence });
      } catch (error) {
        if (!(error instanceof ConclaveError && error.code === 'store_conflict') || attempt >= 20) throw error;
        if (!(await this.absorbForeign())) throw error;
      }
    }
  }

  private async flush(): Promise<void> {
    while (this.pending.length > 0) {
      const batch = this.pending;
      this.pending = [];
      try {
        const events = this.stamp(batch);
        const stored = events.length === 0 ? [] : await this.appendBatch(events);
        this.storedSeq += stored.length;
        for (const event of stored) this.onStored(event);
        if (batch.length === 1) {
          (batch[0] as PendingAppend).resolve(stored);
        } else {
          let offset = 0;
          for (const item of batch) {
            item.resolve(stored.slice(offset, offset + item.drafts.length));
            offset += item.drafts.length;
          }
        }
        // Checked first, so a session nobody watches builds no live items.
        if (this.live.hasListeners(this.sessionId)) {
          for (const event of stored) this.live.publish(this.sessionId, { type: 'event', event });
        }
      } catch (error) {
        this.fail(error, batch);
      }
    }
    this.flushing = false;
  }

  /** The batch's drafts as events to store: each gets an id, all get the same time. */
  private stamp(batch: readonly PendingAppend[]): NewSessionEvent[] {
    const at = new Date(this.clock.now()).toISOString();
    const events: NewSessionEvent[] = [];
    for (const item of batch) {
      for (const draft of item.drafts) events.push({ id: createId('event'), type: draft.type, at, data: draft.data });
    }
    return events;
  }
}
