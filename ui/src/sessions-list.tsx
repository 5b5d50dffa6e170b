/**
 * The sessions of the key's workspace, newest first, refreshed every few seconds: status, title and
 * task, topology, tokens, cost and age, with a status filter (asked of the server) and a search box
 * (over what is listed).
 */
import { useEffect, useState } from 'preact/hooks';
import { api, ApiError } from './api.js';
import { age, tokens, usd } from './format.js';
import { linkClick } from './router.js';

/** The parts of a `SessionView` the UI reads. */
export interface SessionSummary {
  id: string;
  status: 'created' | 'running' | 'idle' | 'terminated';
  stop_reason: string | null;
  topology: string;
  title: string;
  task: string | null;
  answer: string | null;
  reason: string | null;
  usage: { input_tokens: number; output_tokens: number };
  cost: { usd: number; simulated: boolean };
  created_at: string;
  last_seq: number;
  pending_tool_uses: Array<{ id: string; kind: 'confirmation' | 'custom_result'; agent: string; tool: string; input: unknown }>;
}

const refreshMs = 2000;
const statuses = ['created', 'running', 'idle', 'terminated'] as const;

/**
 * Whether `session` matches a search text (id, title, task or topology, case-insensitive).
 *
 * @example
 * matchesSearch(session, 'debate') // → true for a debate session
 */
export function matchesSearch(session: SessionSummary, search: string): boolean {
  const needle = search.trim().toLowerCase();
  if (needle === '') return true;
  return [session.id, session.title, session.task ?? '', session.topology].some((field) => field.toLowerCase().includes(needle));
}

/**
 * The sessions view.
 *
 * @example
 * <SessionsList onUnauthorized={signOut} />
 */
export function SessionsList({ onUnauthorized }: { onUnauthorized: () => void }) {
  const [sessions, setSessions] = useState<SessionSummary[]>();
  const [status, setStatus] = useState('');
  const [search, setSearch] = useState('');
  const [problem, setProblem] = useState<string>();
  const [now, setNow] = useState(Date.now());

  useEffect(() => {
    let stopped = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const load = async (): Promise<void> => {
      try {
        const page = await api<{ data: SessionSummary[] }>('GET', `/v1/sessions?limit=100${status === '' ? '' : `&status=${status}`}`);
        if (stopped) return;
        setSessions(page.data);
        setNow(Date.now());
        setProblem(undefined);
      } catch (error) {
        if (stopped) return;
        if (error instanceof ApiError && error.status === 401) return onUnauthorized();
        setProblem(error instanceof Error ? error.message : String(error));
      }
      if (!stopped) timer = setTimeout(() => void load(), refreshMs);
    };
    void load();
    return () => {
      stopped = true;
      clearTimeout(timer);
    };
  }, [status]);

  const shown = (sessions ?? []).filter((session) => matchesSearch(session, search));
  return (
    <main>
      <h1>Sessions</h1>
      <div class="toolbar" role="search">
        <label>
          Status{' '}
          <select value={status} onChange={(event) => setStatus(event.currentTarget.value)}>
            <option value="">any</option>
            {statuses.map((value) => (
              <option value={value}>{value}</option>
            ))}
          </select>
        </label>
        <label>
          Search <input type="search" value={search} onInput={(event) => setSearch(event.currentTarget.value)} placeholder="title, task, topology, id" />
        </label>
        <a class="button" href="/start" onClick={linkClick}>
          Start a session
        </a>
      </div>
      {problem !== undefined && (
        <p role="alert" class="error">
          {problem}
        </p>
      )}
      {sessions === undefined ? (
        <p class="muted">Loading…</p>
      ) : shown.length === 0 ? (
        <p class="muted">{sessions.length > 0 ? 'No session matches.' : status === '' ? 'No sessions yet.' : `No session is ${status}.`}</p>
      ) : (
        <div class="table-scroll">
          <table class="sessions">
            <thead>
              <tr>
                <th scope="col">Status</th>
                <th scope="col">Session</th>
                <th scope="col">Topology</th>
                <th scope="col" class="number">Tokens</th>
                <th scope="col" class="number">Cost</th>
                <th scope="col" class="number">Age</th>
              </tr>
            </thead>
            <tbody>
              {shown.map((session) => (
                <tr key={session.id} data-session={session.id}>
                  <td>
                    <span class={`status status-${session.status}`}>{session.status}</span>
                    {session.stop_reason !== null && session.status === 'idle' && <span class="muted"> {session.stop_reason}</span>}
                  </td>
                  <td>
                    <a href={`/sessions/${session.id}`} onClick={linkClick}>
                      {session.title || session.id}
                    </a>
                    {session.task !== null && <div class="muted clamp">{session.task}</div>}
                  </td>
                  <td>{session.topology}</td>
                  <td class="number">{tokens(session.usage.input_tokens + session.usage.output_tokens)}</td>
                  <td class="number">{usd(session.cost.usd, session.cost.simulated)}</td>
                  <td class="number">{age(session.created_at, now)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </main>
  );
}
