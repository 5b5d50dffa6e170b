/**
 * The read-only parts of the session view: the transcript (grouped by step, then by who spoke, with
 * each call's tokens and cost), the result (answer, reason, tally and ranking from the details) and
 * the journal, event by event.
 */
import { tokens, usd } from './format.js';
import type { AgentEntry, SessionEvent, StepGroup, TopologyResult } from './session-model.js';

function AgentTurn({ entry }: { entry: AgentEntry }) {
  return (
    <article class={`turn turn-${entry.state}`} data-agent={entry.agent} data-command={entry.commandId} aria-busy={entry.state === 'running'}>
      <header>
        <strong>{entry.agent}</strong>
        {entry.model !== undefined && <span class="muted model">{entry.model.split('?')[0]}</span>}
        <span class="muted">
          {entry.state === 'running' ? 'speaking…' : entry.state === 'done' ? `${tokens(entry.inputTokens)} in · ${tokens(entry.outputTokens)} out · ${usd(entry.usd, entry.simulated)}` : entry.state}
          {entry.attempt > 1 && ` · attempt ${entry.attempt}`}
        </span>
      </header>
      {entry.text !== '' && <p class="said">{entry.text}</p>}
      {entry.error !== undefined && entry.error !== '' && <p class={entry.state === 'stopped' ? 'muted' : 'error'}>{entry.error}</p>}
    </article>
  );
}

/**
 * The transcript: one section per step, in order.
 *
 * @example
 * <Transcript groups={model.groups} />
 */
export function Transcript({ groups }: { groups: StepGroup[] }) {
  if (groups.length === 0) return <p class="muted">Nothing said yet.</p>;
  return (
    <div class="transcript">
      {groups.map((group) => {
        const agentEntries = group.entries.filter((entry): entry is AgentEntry => entry.kind === 'agent');
        const totalTokens = agentEntries.reduce((sum, entry) => sum + entry.inputTokens + entry.outputTokens, 0);
        const totalUsd = agentEntries.reduce((sum, entry) => sum + entry.usd, 0);
        return (
          <section key={group.key} class="step-group" data-step={group.label} aria-label={group.label}>
            <h3>
              {group.label}
              {agentEntries.length > 0 && (
                <span class="muted">
                  {' '}
                  · {agentEntries.length} {agentEntries.length === 1 ? 'call' : 'calls'} · {tokens(totalTokens)} tokens · {usd(totalUsd, agentEntries.every((entry) => entry.simulated))}
                </span>
              )}
            </h3>
            {group.entries.map((entry) =>
              entry.kind === 'agent' ? (
                <AgentTurn key={entry.commandId} entry={entry} />
              ) : (
                <p key={entry.seq} class={`note note-${entry.who}`}>
                  <strong>{entry.who === 'user' ? 'you' : entry.who}</strong> {entry.text}
                </p>
              ),
            )}
          </section>
        );
      })}
    </div>
  );
}

function isNumberRecord(value: unknown): value is Record<string, number> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && Object.values(value).every((item) => typeof item === 'number');
}

function isRowList(value: unknown): value is Array<Record<string, unknown>> {
  return Array.isArray(value) && value.length > 0 && value.every((row) => typeof row === 'object' && row !== null && !Array.isArray(row));
}

const cell = (value: unknown): string => (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean' ? String(value) : JSON.stringify(value));

/**
 * The topology's result: answer, why it stopped, and the tally or ranking when the details have one.
 *
 * @example
 * <Result result={model.result} />
 */
export function Result({ result }: { result: TopologyResult }) {
  const tally = result.details['tally'];
  const ranking = result.details['ranking'];
  const rest = Object.fromEntries(Object.entries(result.details).filter(([key]) => key !== 'tally' && key !== 'ranking'));
  return (
    <div class="result">
      <p>
        <span class="badge">{result.reason}</span> <span class="muted">aggregation: {result.aggregation}</span>
      </p>
      <p class="answer">{result.answer === '' ? <span class="muted">(no answer)</span> : result.answer}</p>
      {isNumberRecord(tally) && (
        <table class="tally">
          <caption>Tally</caption>
          <tbody>
            {Object.entries(tally)
              .sort((left, right) => right[1] - left[1])
              .map(([answer, votes]) => (
                <tr>
                  <th scope="row">{answer}</th>
                  <td class="number">{votes}</td>
                </tr>
              ))}
          </tbody>
        </table>
      )}
      {isRowList(ranking) && (
        <table class="ranking">
          <caption>Ranking</caption>
          <thead>
            <tr>
              {Object.keys(ranking[0] ?? {}).map((column) => (
                <th scope="col">{column}</th>
              ))}
            </tr>
          </thead>
          <tbody>
            {ranking.map((row) => (
              <tr>
                {Object.keys(ranking[0] ?? {}).map((column) => (
                  <td>{cell(row[column])}</td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {Object.keys(rest).length > 0 && (
        <details>
          <summary>Details</summary>
          <pre>{JSON.stringify(rest, null, 2)}</pre>
        </details>
      )}
    </div>
  );
}

function summary(event: SessionEvent): string {
  const data = event.data;
  const agent = typeof data['agent'] === 'string' ? data['agent'] : (data['input'] as { agent?: string } | undefined)?.agent;
  const parts = [typeof data['commandId'] === 'string' ? data['commandId'] : '', agent ?? '', typeof data['stopReason'] === 'string' ? data['stopReason'] : '', typeof data['text'] === 'string' ? data['text'].slice(0, 80) : ''];
  return parts.filter((part) => part !== '').join(' · ');
}

/**
 * The journal: every stored event, newest last, each expandable to its JSON.
 *
 * @example
 * <Journal events={model.events} />
 */
export function Journal({ events }: { events: SessionEvent[] }) {
  return (
    <ol class="journal">
      {events.map((event) => (
        <li key={event.seq} data-seq={event.seq}>
          <details>
            <summary>
              <span class="seq">{event.seq}</span> <code>{event.type}</code> <span class="muted">{summary(event)}</span>
            </summary>
            <pre>{JSON.stringify(event, null, 2)}</pre>
          </details>
        </li>
      ))}
    </ol>
  );
}
