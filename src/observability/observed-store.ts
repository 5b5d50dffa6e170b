/**
 * A session store that tells observers about every batch of events it has stored: the one tap that
 * metrics, traces and logs need, whichever face or kernel wrote the events. The observer runs after
 * the append succeeded, with the async context of the code that appended (so a tracer finds the HTTP
 * request a session's run belongs to); an observer that throws is ignored — observing never fails a
 * session. Everything else is passed to the store untouched.
 */
import type { SessionEvent, SessionStore } from '../protocol/index.js';

/** Called with each stored batch, in order per session; `appendContext` is what `captureContext` returned at append time. */
export type StoredEventsObserver<Context> = (events: readonly SessionEvent[], appendContext: Context | undefined) => void;

export interface EventObserverOptions<Context> {
  /** Captures something of the appender's async context (an OpenTelemetry context, say), synchronously, at append time. */
  captureContext?: () => Context;
}

/**
 * Wraps `store` so that `observer` sees every batch it stores.
 *
 * @example
 * const observed = withEventObserver(store, (events) => metrics.observe(events));
 * const kernel = new Kernel({ store: observed, registry });
 */
export function withEventObserver<Context = undefined>(store: SessionStore, observer: StoredEventsObserver<Context>, options: EventObserverOptions<Context> = {}): SessionStore {
  const capture = options.captureContext;
  /** Tells the observer about a stored batch (after it is stored), in the appender's context. */
  const observed = (appendContext: Context | undefined) => (appended: SessionEvent[]): SessionEvent[] => {
    if (appended.length > 0) {
      try {
        observer(appended, appendContext);
      } catch {
        // An observer's failure is its own: the events are stored and the session goes on.
      }
    }
    return appended;
  };
  const append: SessionStore['append'] = (sessionId, expectedSeq, events, appendOptions) =>
    store.append(sessionId, expectedSeq, events, appendOptions).then(observed(capture?.()));
  // A store that creates sessions claimed has their first batch observed too; one without it keeps lacking it.
  const storeCreateClaimed = store.createClaimed?.bind(store);
  const createClaimed: SessionStore['createClaimed'] =
    storeCreateClaimed === undefined
      ? undefined
      : (sessionId, events) => {
          const seen = observed(capture?.());
          return storeCreateClaimed(sessionId, events).then((claimed) => ({ ...claimed, events: seen(claimed.events) }));
        };
  // Methods are bound once (to the store itself, so class stores keep their private state).
  const bound = new Map<PropertyKey, { from: unknown; to: unknown }>();
  return new Proxy(store, {
    get(target, property) {
      if (property === 'append') return append;
      if (property === 'createClaimed') return createClaimed;
      const value: unknown = Reflect.get(target, property, target);
      if (typeof value !== 'function') return value;
      const known = bound.get(property);
      if (known !== undefined && known.from === value) return known.to;
      const to = (value as (...args: unknown[]) => unknown).bind(target);
      bound.set(property, { from: value, to });
      return to;
    },
  });
}
