/**
 * Follows one session: its view (`GET /v1/sessions/:id`, fetched again whenever its status or
 * result changes) and its events with live deltas (`…/events/stream?deltas=true`, read with fetch so
 * the key header goes along; reconnects after `lastSeq` if the stream drops). Events and deltas are
 * folded into a `SessionModel`; renders are coalesced to one per animation frame.
 */
import { useEffect, useRef, useState } from 'preact/hooks';
import { api, ApiError, follow } from './api.js';
import { applyDelta, applyEvent, createSessionModel, type Delta, type SessionEvent, type SessionModel } from './session-model.js';
import type { SessionSummary } from './sessions-list.js';

/** Events after which the session's view (status, usage, pending tool calls) is fetched again. */
const viewChangingEvents = new Set(['session.status_running', 'session.status_idle', 'session.status_terminated', 'topology.completed', 'session.archived', 'session.updated', 'user.tool_confirmation', 'user.custom_tool_result', 'budget.set']);

export interface SessionStream {
  model: SessionModel;
  view?: SessionSummary;
  problem?: string;
  /** Fetches the view again (after a control was used). */
  refresh: () => void;
}

/**
 * The live state of session `id`; `onUnauthorized` is called when the key stops being accepted.
 *
 * @example
 * const { model, view } = useSessionStream(id, signOut);
 */
export function useSessionStream(id: string, onUnauthorized: () => void): SessionStream {
  const model = useRef<SessionModel>(createSessionModel());
  const [, setVersion] = useState(0);
  const [view, setView] = useState<SessionSummary>();
  const [problem, setProblem] = useState<string>();
  const refreshRef = useRef<() => void>(() => undefined);

  useEffect(() => {
    model.current = createSessionModel();
    const controller = new AbortController();
    let frame: number | undefined;
    const render = (): void => {
      if (frame !== undefined) return;
      frame = requestAnimationFrame(() => {
        frame = undefined;
        setVersion((version) => version + 1);
      });
    };
    const fail = (error: unknown): void => {
      if (controller.signal.aborted) return;
      if (error instanceof ApiError && error.status === 401) return onUnauthorized();
      setProblem(error instanceof Error ? error.message : String(error));
    };
    const loadView = (): void => {
      api<SessionSummary>('GET', `/v1/sessions/${id}`)
        .then((loaded) => {
          if (!controller.signal.aborted) setView(loaded);
        })
        .catch(fail);
    };
    refreshRef.current = loadView;
    loadView();

    const stream = async (): Promise<void> => {
      while (!controller.signal.aborted) {
        const after = model.current.lastSeq;
        try {
          await follow(
            `/v1/sessions/${id}/events/stream?deltas=true${after > 0 ? `&after=${after}` : ''}`,
            (frame) => {
              const data = JSON.parse(frame.data) as SessionEvent | (Delta & { type: 'delta' });
              if (frame.event === 'delta') applyDelta(model.current, data as Delta);
              else {
                applyEvent(model.current, data as SessionEvent);
                if (viewChangingEvents.has((data as SessionEvent).type)) loadView();
              }
              render();
            },
            controller.signal,
          );
          return; // The server ended the stream: the session was deleted.
        } catch (error) {
          if (controller.signal.aborted) return;
          if (error instanceof ApiError) return fail(error);
          // A dropped connection: go on after the last event seen, once the network is back.
          await new Promise((resolve) => setTimeout(resolve, 1000));
        }
      }
    };
    void stream();
    return () => {
      controller.abort();
      if (frame !== undefined) cancelAnimationFrame(frame);
    };
  }, [id]);

  return { model: model.current, ...(view !== undefined ? { view } : {}), ...(problem !== undefined ? { problem } : {}), refresh: () => refreshRef.current() };
}
