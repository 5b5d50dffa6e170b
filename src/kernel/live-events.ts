/**
 * In-process fan-out of what happens in running sessions: every journaled event as soon as it is
 * stored, plus non-durable stream deltas (text as it arrives). The CLI's progress display and the
 * server's SSE streams subscribe here; other processes follow the store instead, and a scale-out
 * server gets the deltas of sessions its workers run through the live relay (`src/queue`).
 */
import type { SessionEvent } from '../protocol/index.js';

/**
 * A piece of model output as it streams; never journaled, and redacted of every known secret even
 * when one is split across pieces.
 *
 * A command may be attempted more than once (a stream cut and retried, a fallback model, a resume
 * in another process); the text of an earlier attempt is not part of the answer. So every delta
 * names its `attempt`, and each attempt after the first begins with a `reset` (empty `delta`). A
 * subscriber keeps, per command, only the text of the highest attempt it has seen: joined, it
 * equals the text the command's `agent.message` journals.
 */
export interface StreamDelta {
  type: 'delta';
  sessionId: string;
  commandId: string;
  agent: string;
  /**
   * Which start of the command this output belongs to: 1 for the first, then counting every
   * `command.started` of the command in the log (so it keeps growing across fallback models and
   * resumes, where `command.started.attempt` begins again at 1).
   */
  attempt: number;
  /** `text` / `reasoning`: output. `reset`: attempt `attempt` begins; drop the command's text of earlier attempts. */
  kind: 'text' | 'reasoning' | 'reset';
  /** The piece of output; '' for `reset`. */
  delta: string;
}

export type LiveItem = { type: 'event'; event: SessionEvent } | StreamDelta;
export type LiveListener = (item: LiveItem) => void;

/** Told when a session gets its first listener and when it loses its last one. */
export interface SubscriptionObserver {
  first(sessionId: string): void;
  last(sessionId: string): void;
}

export class LiveEvents {
  private readonly bySession = new Map<string, Set<LiveListener>>();
  private readonly everywhere = new Set<LiveListener>();
  private readonly observers = new Set<SubscriptionObserver>();

  /**
   * Observes which sessions have listeners (a relay subscribes to another process's deltas only
   * while someone here wants them). Returns the function that stops observing.
   *
   * @example
   * const stop = live.observeSubscriptions({ first: (id) => relay.add(id), last: (id) => relay.remove(id) });
   */
  observeSubscriptions(observer: SubscriptionObserver): () => void {
    this.observers.add(observer);
    for (const sessionId of this.bySession.keys()) observer.first(sessionId);
    return () => this.observers.delete(observer);
  }

  /**
   * Listens to one session (or to all sessions with `'*'`). Returns the unsubscribe function.
   *
   * @example
   * const stop = live.subscribe(sessionId, (item) => render(item));
   */
  subscribe(sessionId: string | '*', listener: LiveListener): () => void {
    if (sessionId === '*') {
      this.everywhere.add(listener);
      return () => this.everywhere.delete(listener);
    }
    let listeners = this.bySession.get(sessionId);
    if (listeners === undefined) {
      listeners = new Set();
      this.bySession.set(sessionId, listeners);
      for (const observer of this.observers) observer.first(sessionId);
    }
    listeners.add(listener);
    return () => {
      if (!listeners.delete(listener) || listeners.size > 0 || this.bySession.get(sessionId) !== listeners) return;
      this.bySession.delete(sessionId);
      for (const observer of this.observers) observer.last(sessionId);
    };
  }

  /** Whether anyone listens to this session; lets hot paths skip building deltas. */
  hasListeners(sessionId: string): boolean {
    return this.everywhere.size > 0 || this.bySession.has(sessionId);
  }

  /** Delivers an item; a throwing listener is isolated from the others and from the session. */
  publish(sessionId: string, item: LiveItem): void {
    const listeners = this.bySession.get(sessionId);
    if (listeners === undefined && this.everywhere.size === 0) return;
    for (const listener of [...(listeners ?? []), ...this.everywhere]) {
      try {
        listener(item);
      } catch {
        // A broken display must never break the session it displays.
      }
    }
  }
}
