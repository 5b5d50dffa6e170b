/**
 * How a session's summary (status, topology, title, last seq) follows from its events. Every store
 * keeps a summary next to the log so that listing sessions never replays logs; deriving it in one
 * place keeps the memory, SQLite and later stores in agreement about what a summary says.
 */
import type { SessionEvent, SessionStatus } from '../protocol/events.js';
import type { ListSessionsOptions, SessionSummary } from '../protocol/store.js';

/** The part of an event a summary depends on. */
export type SummaryEvent = Pick<SessionEvent, 'seq' | 'type' | 'at' | 'data'>;

/** Workspace of sessions created without one (by the CLI, say). */
export const defaultWorkspace = 'default';

/** Longest title derived from a task; longer tasks are cut and end with an ellipsis. */
export const maximumDerivedTitleLength = 80;

const statusByEventType: ReadonlyMap<string, SessionStatus> = new Map([
  ['session.status_running', 'running'],
  ['session.status_idle', 'idle'],
  ['session.status_terminated', 'terminated'],
]);

/**
 * The summary of a session before its first event is applied: status `created`, no topology,
 * no title, `lastSeq` 0. `at` is the time of the first event.
 *
 * @example
 * createSessionSummary('sesn_1', '2025-01-01T00:00:00.000Z').status // → 'created'
 */
export function createSessionSummary(sessionId: string, at: string): SessionSummary {
  return { id: sessionId, createdAt: at, updatedAt: at, status: 'created', topology: '', title: '', lastSeq: 0, workspace: defaultWorkspace, archivedAt: null, deleted: false };
}

/**
 * A title for a session from its `session.created` data: the explicit `title`, else the task, on
 * one line, the task cut to {@link maximumDerivedTitleLength} characters.
 *
 * @example
 * deriveSessionTitle({ task: 'Compare\n  two sorting algorithms' }) // → 'Compare two sorting algorithms'
 */
export function deriveSessionTitle(data: Record<string, unknown>): string {
  const title = typeof data.title === 'string' ? toSingleLine(data.title) : '';
  if (title !== '') return title;
  const task = typeof data.task === 'string' ? toSingleLine(data.task) : '';
  if (task.length <= maximumDerivedTitleLength) return task;
  return `${task.slice(0, maximumDerivedTitleLength - 1).trimEnd()}…`;
}

/**
 * What a batch of events changes in a summary; absent fields stay as they were. A store can apply
 * it without first reading the summary (SQLite does, as one `UPDATE … coalesce(…)`).
 */
export interface SummaryChange {
  /** From the batch's last `session.status_*` event. */
  status?: SessionStatus;
  /** From the batch's last `session.created` event. */
  created?: { topology: string; title: string; createdAt: string; workspace: string };
  /** From a `session.updated` event that sets a title. */
  title?: string;
  /** From a `session.archived` event. */
  archivedAt?: string;
  /** From a `session.deleted` event. */
  deleted?: true;
  updatedAt: string;
  lastSeq: number;
}

/**
 * The change a batch of events makes to its session's summary, or `undefined` for no events.
 * `session.created` sets topology, title and createdAt; `session.status_*` sets the status; every
 * event moves `updatedAt` and `lastSeq`.
 *
 * @example
 * summarizeChange([statusIdleEvent]) // → { status: 'idle', updatedAt: statusIdleEvent.at, lastSeq: 7 }
 */
export function summarizeChange(events: readonly SummaryEvent[]): SummaryChange | undefined {
  const last = events[events.length - 1];
  if (last === undefined) return undefined;
  const change: SummaryChange = { updatedAt: last.at, lastSeq: last.seq };
  for (const event of events) {
    const status = statusByEventType.get(event.type);
    if (status !== undefined) {
      change.status = status;
    } else if (event.type === 'session.created') {
      const topology = typeof event.data.topology === 'string' ? event.data.topology : '';
      const workspace = typeof event.data.workspace === 'string' ? event.data.workspace : defaultWorkspace;
      change.created = { topology, title: deriveSessionTitle(event.data), createdAt: event.at, workspace };
    } else if (event.type === 'session.updated' && typeof event.data.title === 'string') {
      change.title = toSingleLine(event.data.title);
    } else if (event.type === 'session.archived') {
      change.archivedAt = event.at;
    } else if (event.type === 'session.deleted') {
      change.deleted = true;
    }
  }
  return change;
}

/**
 * Returns a new summary with `change` applied; `summary` is left unchanged.
 *
 * @example
 * const next = applySummaryChange(summary, summarizeChange(events) ?? { updatedAt: summary.updatedAt, lastSeq: summary.lastSeq });
 */
export function applySummaryChange(summary: SessionSummary, change: SummaryChange): SessionSummary {
  const next = { ...summary, updatedAt: change.updatedAt, lastSeq: change.lastSeq };
  if (change.status !== undefined) next.status = change.status;
  if (change.created !== undefined) {
    next.topology = change.created.topology;
    next.title = change.created.title;
    next.createdAt = change.created.createdAt;
    next.workspace = change.created.workspace;
  }
  if (change.title !== undefined) next.title = change.title;
  if (change.archivedAt !== undefined) next.archivedAt = change.archivedAt;
  if (change.deleted === true) next.deleted = true;
  return next;
}

/**
 * Returns a new summary with `events` applied in order; `summary` is left unchanged.
 *
 * @example
 * const summary = applyEventsToSummary(createSessionSummary('sesn_1', event.at), [event]);
 */
export function applyEventsToSummary(summary: SessionSummary, events: readonly SummaryEvent[]): SessionSummary {
  const change = summarizeChange(events);
  return change === undefined ? { ...summary } : applySummaryChange(summary, change);
}

/**
 * The summary of a whole log, or `undefined` for an empty one. Useful to rebuild summaries.
 *
 * @example
 * summarizeEvents('sesn_1', await store.read('sesn_1'))?.status // → 'idle'
 */
export function summarizeEvents(sessionId: string, events: readonly SummaryEvent[]): SessionSummary | undefined {
  const first = events[0];
  if (first === undefined) return undefined;
  return applyEventsToSummary(createSessionSummary(sessionId, first.at), events);
}

function toSingleLine(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

/**
 * Whether a summary belongs in a `listSessions` answer: not deleted, and matching the workspace,
 * status, archive and cursor filters. The SQLite store says the same in SQL.
 *
 * @example
 * summaries.filter((summary) => listsSession(summary, { workspace: 'team-a', includeArchived: false }));
 */
export function listsSession(summary: SessionSummary, options: ListSessionsOptions): boolean {
  if (summary.deleted) return false;
  if (options.workspace !== undefined && summary.workspace !== options.workspace) return false;
  if (options.status !== undefined && summary.status !== options.status) return false;
  if (options.includeArchived === false && summary.archivedAt !== null) return false;
  const key = sortKeyOf(summary, options.order);
  if (options.before !== undefined && !(summary.updatedAt < options.before)) return false;
  if (options.after !== undefined && !(key < options.after.at || (key === options.after.at && summary.id < options.after.id))) return false;
  return true;
}

/**
 * The time a summary sorts by in `listSessions`: `updatedAt`, or `createdAt` for `order: 'created'`.
 *
 * @example
 * const cursor = { at: sortKeyOf(last, 'created'), id: last.id };
 */
export function sortKeyOf(summary: SessionSummary, order: ListSessionsOptions['order']): string {
  return order === 'created' ? summary.createdAt : summary.updatedAt;
}
