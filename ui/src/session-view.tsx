/**
 * One session at `/sessions/<id>`: its header (status, topology, task, tokens, cost), the topology
 * graph with the running step highlighted, the controls (steer, interrupt, resume, approve or deny
 * waiting tool calls), the result, the live transcript and the journal.
 */
import { useState } from 'preact/hooks';
import { api, ApiError } from './api.js';
import { tokens, usd } from './format.js';
import { linkClick } from './router.js';
import { graphOf } from './session-model.js';
import { Journal, Result, Transcript } from './session-parts.js';
import type { SessionSummary } from './sessions-list.js';
import { TopologyGraph } from './topology-graph.js';
import { useSessionStream } from './use-session-stream.js';

/** The answer to a client-run tool call: its result, typed in. */
function CustomToolResult({ tool, busy, onSubmit }: { tool: string; busy: boolean; onSubmit: (content: string) => Promise<boolean> }) {
  const [content, setContent] = useState('');
  const submit = async (event: Event): Promise<void> => {
    event.preventDefault();
    if (await onSubmit(content)) setContent('');
  };
  return (
    <form class="custom-result" onSubmit={(event) => void submit(event)}>
      <label>
        Result of {tool}
        <textarea rows={2} value={content} onInput={(event) => setContent(event.currentTarget.value)} />
      </label>
      <button type="submit" disabled={busy}>
        Give result
      </button>
    </form>
  );
}

function Controls({ view, refresh }: { view: SessionSummary; refresh: () => void }) {
  const [message, setMessage] = useState('');
  const [problem, setProblem] = useState<string>();
  const [notice, setNotice] = useState<string>();
  const [busy, setBusy] = useState(false);

  const call = async (path: string, body: unknown, done: string): Promise<boolean> => {
    setBusy(true);
    setProblem(undefined);
    setNotice(undefined);
    try {
      await api('POST', `/v1/sessions/${view.id}/${path}`, body);
      setNotice(done);
      refresh();
      return true;
    } catch (error) {
      setProblem(error instanceof ApiError && error.hint !== undefined ? `${error.message} — ${error.hint}` : error instanceof Error ? error.message : String(error));
      return false;
    } finally {
      setBusy(false);
    }
  };

  const steer = async (event: Event): Promise<void> => {
    event.preventDefault();
    if (await call('messages', { text: message }, view.status === 'running' ? 'Steering sent: the next step reads it.' : 'Message sent: a new turn starts.')) setMessage('');
  };

  const closed = view.status === 'terminated';
  // A finished turn has nothing to go on with (a new message starts the next one); a waiting tool call needs its answer.
  const resumable = view.status === 'created' || (view.status === 'idle' && view.stop_reason !== 'end_turn' && view.stop_reason !== 'requires_action');
  return (
    <section class="controls" aria-label="Controls">
      <form onSubmit={(event) => void steer(event)} class="steer">
        <label for="steer-text">{view.status === 'running' ? 'Steer the running session' : 'Send a message (starts a new turn)'}</label>
        <textarea id="steer-text" rows={3} value={message} onInput={(event) => setMessage(event.currentTarget.value)} disabled={closed} />
        <div class="buttons">
          <button type="submit" disabled={busy || closed || message.trim() === ''}>
            Send
          </button>
          <button type="button" disabled={busy || view.status !== 'running'} onClick={() => void call('interrupt', { reason: 'interrupted from the web UI' }, 'Interrupted.')}>
            Interrupt
          </button>
          <button type="button" disabled={busy || !resumable} onClick={() => void call('resume', {}, 'Resumed.')}>
            Resume
          </button>
        </div>
      </form>
      {view.pending_tool_uses.length > 0 && (
        <div class="pending">
          <h3>Waiting for you</h3>
          <ul>
            {view.pending_tool_uses.map((pending) => (
              <li key={pending.id} data-tool-use={pending.id}>
                <strong>{pending.agent}</strong> wants to call <code>{pending.tool}</code> <code class="muted">{JSON.stringify(pending.input)}</code>
                {pending.kind === 'confirmation' ? (
                  <span class="buttons">
                    <button type="button" disabled={busy} onClick={() => void call('tool-confirmations', { tool_use_id: pending.id, result: 'allow' }, 'Approved.')}>
                      Approve
                    </button>
                    <button type="button" disabled={busy} onClick={() => void call('tool-confirmations', { tool_use_id: pending.id, result: 'deny' }, 'Denied.')}>
                      Deny
                    </button>
                  </span>
                ) : (
                  <CustomToolResult tool={pending.tool} busy={busy} onSubmit={(content) => call('tool-results', { custom_tool_use_id: pending.id, content }, 'Result given.')} />
                )}
              </li>
            ))}
          </ul>
        </div>
      )}
      <div aria-live="polite">
        {notice !== undefined && <p class="notice">{notice}</p>}
        {problem !== undefined && (
          <p role="alert" class="error">
            {problem}
          </p>
        )}
      </div>
    </section>
  );
}

/**
 * The session view.
 *
 * @example
 * <SessionView id="sesn_4fG7h2kLmN9pQrStUvWxYz" onUnauthorized={signOut} />
 */
export function SessionView({ id, onUnauthorized }: { id: string; onUnauthorized: () => void }) {
  const { model, view, problem, refresh } = useSessionStream(id, onUnauthorized);
  const status = model.lastSeq > 0 ? model.status : view?.status;
  const stopReason = model.lastSeq > 0 ? model.stopReason : (view?.stop_reason ?? undefined);
  // Live totals from the calls streamed so far; the view's (fetched on status changes) may lag behind.
  const calls = [...model.commands.values()];
  const liveTokens = calls.reduce((sum, entry) => sum + entry.inputTokens + entry.outputTokens, 0);
  const liveUsd = calls.reduce((sum, entry) => sum + entry.usd, 0);
  return (
    <main class="session">
      <p>
        <a href="/" onClick={linkClick}>
          ← Sessions
        </a>
      </p>
      <h1>{view?.title || id}</h1>
      {problem !== undefined && (
        <p role="alert" class="error">
          {problem}
        </p>
      )}
      {view !== undefined && (
        <dl class="facts">
          <div>
            <dt>Status</dt>
            <dd>
              <span class={`status status-${status}`} data-status={status}>
                {status}
              </span>
              {status === 'idle' && stopReason !== undefined && <span class="muted"> ({stopReason})</span>}
            </dd>
          </div>
          <div>
            <dt>Topology</dt>
            <dd>{view.topology}</dd>
          </div>
          <div>
            <dt>Tokens</dt>
            <dd>{tokens(Math.max(liveTokens, view.usage.input_tokens + view.usage.output_tokens))}</dd>
          </div>
          <div>
            <dt>Cost</dt>
            <dd>{usd(Math.max(liveUsd, view.cost.usd), view.cost.simulated || (calls.length > 0 && calls.every((entry) => entry.simulated || entry.state !== 'done')))}</dd>
          </div>
          <div class="wide">
            <dt>Task</dt>
            <dd>{view.task ?? '—'}</dd>
          </div>
        </dl>
      )}
      <div class="columns">
        <div class="main-column">
          <section aria-labelledby="topology-heading">
            <h2 id="topology-heading">Topology</h2>
            <TopologyGraph columns={graphOf(model)} />
          </section>
          {model.result !== undefined && (
            <section aria-labelledby="result-heading">
              <h2 id="result-heading">Result</h2>
              <Result result={model.result} />
            </section>
          )}
          <section aria-labelledby="transcript-heading">
            <h2 id="transcript-heading">Transcript</h2>
            <Transcript groups={model.groups} />
          </section>
        </div>
        <div class="side-column">
          {view !== undefined && <Controls view={{ ...view, status: status ?? view.status, stop_reason: stopReason ?? null }} refresh={refresh} />}
          <section aria-labelledby="journal-heading">
            <h2 id="journal-heading">Journal ({model.events.length} events)</h2>
            <Journal events={model.events} />
          </section>
        </div>
      </div>
    </main>
  );
}
