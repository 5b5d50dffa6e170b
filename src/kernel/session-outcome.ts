/**
 * Outcomes: what "done" means for a session's turns. After the topology answers, a grader model
 * checks the answer against the outcome's description and rubric; while the verdict is
 * `needs_revision` and iterations remain, the topology runs again on the task with the previous
 * answer and the grader's feedback. Each grading is a model command of its own
 * (`[turn:N/]outcome/evaluation:I/generate:0`), so a resumed session answers it from the log, and
 * each is journaled as `outcome.evaluation_started` / `outcome.evaluation_completed`; the final
 * verdict goes into the turn's result (`details.outcome`).
 */
import { ConclaveError, outcomeSchema, type OutcomeSettings } from '../protocol/index.js';
import { dispatchModelCall, type DispatcherContext } from './dispatcher.js';
import type { Journal } from './journal.js';
import { deriveSeed } from './seeds.js';

/** What one grading concluded. */
export interface OutcomeVerdict {
  iteration: number;
  result: 'satisfied' | 'needs_revision' | 'max_iterations_reached';
  feedback: string;
  commandId: string;
}

/** The grader offline agents' outcomes default to (`providers/offline/outcome-grader.ts`). */
const offlineGrader = 'offline/grader';

/** Default `max_iterations`: the first answer and two revisions. */
export const defaultOutcomeIterations = 3;

/** The command-id prefix of a turn's gradings. */
function evaluationId(turn: number, iteration: number): string {
  return `${turn === 1 ? '' : `turn:${turn}/`}outcome/evaluation:${iteration}/generate:0`;
}

/**
 * The prompt a grader answers: the sections the offline grader reads too (`Outcome:`, `Rubric:`,
 * `Answer:`), and the two lines every grader ends with.
 *
 * @example
 * graderPrompt({ description: 'A cited recommendation', rubric: 'Names a source' }, 'Use Postgres.')
 */
export function graderPrompt(outcome: OutcomeSettings, answer: string): string {
  return [
    'You grade an answer against what "done" means for its task. Be strict and concrete.',
    '',
    `Outcome:\n${outcome.description.trim()}`,
    '',
    `Rubric:\n${(outcome.rubric ?? 'The answer fully meets the outcome.').trim()}`,
    '',
    `Answer:\n${answer.trim()}`,
    '',
    'End with two lines:',
    'Verdict: satisfied   (or: Verdict: needs_revision)',
    'Feedback: what is missing or wrong, in one or two sentences (or "none")',
  ].join('\n');
}

/** Reads a grader's verdict; `needs_revision` unless it says `satisfied` in its verdict line. */
export function parseVerdict(text: string): { satisfied: boolean; feedback: string } {
  const verdict = /verdict\s*:\s*\**\s*(satisfied|needs[_ ]revision)/i.exec(text)?.[1]?.toLowerCase();
  const feedback = /feedback\s*:\s*([\s\S]*)$/i.exec(text)?.[1]?.trim() ?? text.trim();
  return { satisfied: verdict === 'satisfied', feedback: feedback === '' ? 'none' : feedback };
}

/**
 * Grades one answer (journaled, replayed from the log on resume).
 *
 * @example
 * const verdict = await evaluateOutcome(dispatcher, journal, outcome, { turn: 1, iteration: 1, answer, grader: 'offline/grader', seed }, signal);
 */
export async function evaluateOutcome(
  context: DispatcherContext,
  journal: Journal,
  outcome: OutcomeSettings,
  at: { turn: number; iteration: number; answer: string; grader: string; seed: number; outcomeEventId?: string },
  signal: AbortSignal,
): Promise<OutcomeVerdict> {
  const commandId = evaluationId(at.turn, at.iteration);
  const maxIterations = outcome.max_iterations ?? defaultOutcomeIterations;
  // Gradings of an outcome a message defined name that message, so a view can tell outcomes apart.
  const definedBy = at.outcomeEventId !== undefined ? { outcomeEventId: at.outcomeEventId } : {};
  if (!journal.outcomeEvents.has(`${commandId}:started`)) {
    await context.writer.append([{ type: 'outcome.evaluation_started', data: { commandId, turn: at.turn, iteration: at.iteration, ...definedBy } }]);
  }
  const reply = await dispatchModelCall(
    context,
    {
      commandId,
      agent: { name: 'grader', model: at.grader },
      messages: [{ role: 'user', content: graderPrompt(outcome, at.answer) }],
      step: { topology: 'outcome', agent: 'grader', phase: 'evaluation', round: at.iteration },
      seed: deriveSeed(at.seed, commandId),
    },
    signal,
  );
  const parsed = parseVerdict(reply.text);
  const result = parsed.satisfied ? 'satisfied' : at.iteration >= maxIterations ? 'max_iterations_reached' : 'needs_revision';
  if (!journal.outcomeEvents.has(`${commandId}:completed`)) {
    await context.writer.append([{ type: 'outcome.evaluation_completed', data: { commandId, turn: at.turn, iteration: at.iteration, ...definedBy, result, feedback: parsed.feedback } }]);
  }
  return { iteration: at.iteration, result, feedback: parsed.feedback, commandId };
}

/**
 * The task of the next iteration: the original task, the answer that fell short, and the feedback.
 *
 * @example
 * revisedTask('Pick a database.', 'Use Postgres.', 'Cite a source.')
 */
export function revisedTask(task: string, answer: string, feedback: string): string {
  return `${task}\n\nA grader checked the previous answer against what "done" means and found it not met yet.\n\nPrevious answer:\n${answer.trim()}\n\nFeedback:\n${feedback.trim()}\n\nAnswer again, addressing the feedback.`;
}

/**
 * The grader model: the outcome's own, else `documentGrader` (the document's outcome's, for an
 * outcome a message defined), else the first model agent's — for an offline agent, the offline
 * grader (the simulated writers cannot grade), so outcomes run with no key.
 *
 * @example
 * graderModel({ description: 'A cited answer' }, 'offline/echo') // → 'offline/grader'
 */
export function graderModel(outcome: OutcomeSettings, firstModel: string | undefined, documentGrader?: string): string {
  const model = outcome.grader ?? documentGrader ?? (firstModel?.startsWith('offline/') === true ? offlineGrader : firstModel);
  if (model === undefined) throw new ConclaveError('invalid_document', 'the outcome has no grader and the document no model agent to grade with', { hint: 'set outcome.grader to a model, e.g. openai/gpt-4.1-mini' });
  return model;
}

/**
 * An outcome a caller hands the kernel (a user message's), checked: `invalid_argument` naming the
 * first problem's path (`outcome.max_iterations`, …) rather than a message whose outcome is ignored.
 *
 * @example
 * checkedOutcome({ description: 'A cited answer', rubric: 'Says "cited"', max_iterations: 2 })
 */
export function checkedOutcome(value: unknown): OutcomeSettings {
  const parsed = outcomeSchema.safeParse(value);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const path = ['outcome', ...(issue?.path ?? []).map(String)].join('.');
  throw new ConclaveError('invalid_argument', `${path}: ${issue?.message ?? 'not a valid outcome'}`, { location: { path } });
}
