/**
 * Outcomes on the Managed face: `user.define_outcome` becomes a user message that carries the
 * outcome (`src/kernel/session-outcome.ts` grades the turn it starts), the session's
 * `outcome_evaluations` are read off the log, and outcome ids are derived from the id of the
 * message that defined them, so they are stable across reads, restarts and workers.
 *
 * As on the hosted runtime, the description is the task: the agent starts on it at once, and a
 * session works toward one outcome at a time (another is refused until the first is over).
 */
import type { z } from 'zod';
import type { Kernel } from '../../kernel/index.js';
import { ConclaveError, outcomeSchema, type OutcomeSettings, type SessionEvent } from '../../protocol/index.js';
import { idPrefixes } from '../../protocol/ids.js';
import type { ServerDeps } from '../server-deps.js';
import { fileStoreOf } from './file-upload.js';
import type { defineOutcomeEvent } from './session-schema.js';

/** The Managed Agents `outcome_evaluations[]` entry (`BetaManagedAgentsOutcomeEvaluationResource`). */
export interface ManagedOutcomeEvaluation {
  type: 'outcome_evaluation';
  outcome_id: string;
  description: string;
  /** `pending` · `running` · `evaluating` · terminal: `satisfied`, `max_iterations_reached`, `failed`, `interrupted`. */
  result: string;
  /** The 0-indexed revision cycle the outcome is on. */
  iteration: number;
  explanation: string | null;
  completed_at: string | null;
}

const terminalResults = new Set(['satisfied', 'max_iterations_reached', 'failed', 'interrupted']);
/** The most characters a rubric file may hold, as for a text rubric. */
const rubricLimit = 262_144;

/**
 * The `outc_…` id of the outcome a message defined: its event id under the outcome prefix.
 *
 * @example
 * outcomeIdOf('sevt_4fG7abc') // → 'outc_4fG7abc'
 */
export function outcomeIdOf(eventId: string): string {
  const prefix = `${idPrefixes.event}_`;
  return `outc_${eventId.startsWith(prefix) ? eventId.slice(prefix.length) : eventId}`;
}

/**
 * The outcome a journaled user message defines, if it carries one.
 *
 * @example
 * outcomeOfMessage(event)?.description // → 'A recommendation that names its source'
 */
export function outcomeOfMessage(event: SessionEvent): OutcomeSettings | undefined {
  if (event.type !== 'user.message' || event.data['outcome'] === undefined) return undefined;
  const parsed = outcomeSchema.safeParse(event.data['outcome']);
  return parsed.success ? parsed.data : undefined;
}

/** The text of an uploaded rubric file, or a 400 naming `rubric.file_id`. */
async function rubricFileText(deps: ServerDeps, workspace: string, fileId: string, path: string): Promise<string> {
  const where = { location: { path: `${path}.rubric.file_id` } };
  const content = await fileStoreOf(deps).readFileContent(workspace, fileId);
  if (content === undefined) throw new ConclaveError('invalid_argument', `${path}.rubric.file_id: no file ${fileId} in this workspace`, { ...where, hint: 'upload the rubric with client.beta.files.upload and pass its id' });
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(content);
  } catch {
    throw new ConclaveError('invalid_argument', `${path}.rubric.file_id: file ${fileId} is not UTF-8 text; a rubric is a text or markdown document`, where);
  }
  if (text.trim() === '') throw new ConclaveError('invalid_argument', `${path}.rubric.file_id: file ${fileId} is empty`, where);
  if (text.length > rubricLimit) throw new ConclaveError('invalid_argument', `${path}.rubric.file_id: file ${fileId} has ${text.length} characters; a rubric is at most ${rubricLimit}`, where);
  return text;
}

/**
 * The kernel outcome of a `user.define_outcome` (a file rubric read from the workspace's files).
 * The grader is the agent's model (the offline grader for an offline agent; see `graderModel`).
 *
 * @example
 * const outcome = await outcomeOfEvent(deps, 'team-a', { type: 'user.define_outcome', description: 'A cited answer', rubric: { type: 'text', content: 'Says "cited"' } }, 'events[0]');
 */
export async function outcomeOfEvent(deps: ServerDeps, workspace: string, event: z.infer<typeof defineOutcomeEvent>, path: string): Promise<OutcomeSettings> {
  const rubric = event.rubric.type === 'text' ? event.rubric.content : await rubricFileText(deps, workspace, event.rubric.file_id, path);
  return { description: event.description, rubric, ...(typeof event.max_iterations === 'number' ? { max_iterations: event.max_iterations } : {}) };
}

/**
 * Refuses an outcome while the session works: on a running turn, or toward an outcome not over yet.
 *
 * @example
 * await assertReadyForOutcome(kernel, sessionId, 'events[1]');
 */
export async function assertReadyForOutcome(kernel: Kernel, sessionId: string, path: string): Promise<void> {
  const events = await kernel.store.read(sessionId);
  const open = outcomeEvaluationsFrom(events).find((evaluation) => !terminalResults.has(evaluation.result));
  const summary = await kernel.store.getSession(sessionId);
  if (open === undefined && !kernel.isRunning(sessionId) && summary?.status !== 'running') return;
  const why = open !== undefined ? `the session still works toward outcome ${open.outcome_id} (${open.result})` : 'the session is running a turn';
  throw new ConclaveError('invalid_argument', `${path}: ${why}; a session works toward one outcome at a time`, {
    location: { path: `${path}.type` },
    hint: 'define the next outcome once the session is idle, or send user.interrupt to end this one',
  });
}

/**
 * The outcomes a batch of events defines, by index, checked before any of it is journaled (before
 * the session exists, for `initial_events`): at most one, on a session ready for it (when
 * `sessionId` names one), with its file rubric read. `root` names the batch in errors.
 *
 * @example
 * const outcomes = await outcomesOfBatch(deps, 'team-a', body.events, 'events', sessionId); // → Map { 0 => { description, rubric } }
 */
export async function outcomesOfBatch(deps: ServerDeps, workspace: string, events: readonly { type: string }[], root: string, sessionId?: string): Promise<Map<number, OutcomeSettings>> {
  const outcomes = new Map<number, OutcomeSettings>();
  const indexes = events.flatMap((event, index) => (event.type === 'user.define_outcome' ? [index] : []));
  if (indexes.length === 0) return outcomes;
  if (indexes.length > 1) {
    throw new ConclaveError('invalid_argument', `${root}[${indexes[1]}]: a batch defines one outcome at most; a session works toward one outcome at a time`, { location: { path: `${root}[${indexes[1]}]` } });
  }
  const index = indexes[0] as number;
  if (sessionId !== undefined) await assertReadyForOutcome(deps.kernel, sessionId, `${root}[${index}]`);
  outcomes.set(index, await outcomeOfEvent(deps, workspace, events[index] as z.infer<typeof defineOutcomeEvent>, `${root}[${index}]`));
  return outcomes;
}

/**
 * Starts the work that journaled outcomes (and messages sent with them) wait for, unless the
 * session runs already — here, or in another process that takes them from the log.
 *
 * @example
 * await startOutcomeWork(kernel, sessionId);
 */
export async function startOutcomeWork(kernel: Kernel, sessionId: string): Promise<void> {
  if (kernel.isRunning(sessionId)) return;
  const summary = await kernel.store.getSession(sessionId);
  if (summary !== undefined && summary.status !== 'running') await kernel.launch(sessionId);
}

function settle(entry: ManagedOutcomeEvaluation, result: string, at: string): void {
  entry.result = result;
  entry.completed_at = at;
}

/**
 * A session's `outcome_evaluations`, one per `user.define_outcome`, oldest first: `pending` until
 * its turn starts, `running` while the agent works or revises, `evaluating` while the grader reads,
 * then the verdict. An interrupt ends an unfinished outcome (`interrupted`); a turn that fails or a
 * session that ends under it makes it `failed`.
 *
 * @example
 * outcomeEvaluationsFrom(await store.read(sessionId))
 * // → [{ type: 'outcome_evaluation', outcome_id: 'outc_…', result: 'satisfied', iteration: 1, explanation: 'none', … }]
 */
export function outcomeEvaluationsFrom(events: readonly SessionEvent[]): ManagedOutcomeEvaluation[] {
  const entries: ManagedOutcomeEvaluation[] = [];
  const byEvent = new Map<string, ManagedOutcomeEvaluation>();
  const bySeq = new Map<number, ManagedOutcomeEvaluation>();
  const unsettled = (): ManagedOutcomeEvaluation[] => entries.filter((entry) => entry.completed_at === null);
  for (const event of events) {
    const data = event.data;
    const outcome = outcomeOfMessage(event);
    if (outcome !== undefined) {
      const entry: ManagedOutcomeEvaluation = { type: 'outcome_evaluation', outcome_id: outcomeIdOf(event.id), description: outcome.description, result: 'pending', iteration: 0, explanation: null, completed_at: null };
      entries.push(entry);
      byEvent.set(event.id, entry);
      bySeq.set(event.seq, entry);
      continue;
    }
    switch (event.type) {
      case 'turn.started':
      case 'steering.delivered':
        for (const seq of Array.isArray(data['messageSeqs']) ? (data['messageSeqs'] as unknown[]) : []) {
          const entry = bySeq.get(Number(seq));
          if (entry?.result === 'pending') entry.result = 'running';
        }
        break;
      case 'outcome.evaluation_started':
      case 'outcome.evaluation_completed': {
        const entry = byEvent.get(String(data['outcomeEventId']));
        if (entry === undefined || entry.completed_at !== null) break;
        const iteration = Number(data['iteration']);
        if (event.type === 'outcome.evaluation_started') {
          entry.result = 'evaluating';
          entry.iteration = iteration - 1;
          break;
        }
        entry.explanation = typeof data['feedback'] === 'string' ? data['feedback'] : null;
        if (data['result'] === 'needs_revision') {
          entry.result = 'running';
          entry.iteration = iteration;
        } else {
          settle(entry, String(data['result']), event.at);
        }
        break;
      }
      case 'user.interrupt':
        for (const entry of unsettled()) settle(entry, 'interrupted', event.at);
        break;
      case 'session.status_idle': {
        const stopReason = data['stopReason'];
        // A turn that waits (for tool answers, for a raised budget) goes on later; one that failed does not.
        if (stopReason === 'requires_action' || stopReason === 'budget_exceeded') break;
        for (const entry of unsettled()) if (entry.result !== 'pending') settle(entry, stopReason === 'interrupted' ? 'interrupted' : 'failed', event.at);
        break;
      }
      case 'session.status_terminated':
        for (const entry of unsettled()) settle(entry, 'failed', event.at);
        break;
      default:
        break;
    }
  }
  return entries;
}
