/**
 * How every face turns a caller's request into a session, and how it reports the outcome. The task
 * is the request's, else the document's; a request with neither is refused (`conclave run`, the MCP
 * server's `run_topology`) or, where a session may wait for its first message (`POST /v1/sessions`),
 * created idle. Who sent the document (`untrusted`, `workspace`) goes to the kernel, which holds it
 * to the policy before anything is written. One function, so the faces cannot drift apart.
 */
import { ConclaveError } from '../protocol/index.js';
import type { Kernel } from './kernel.js';
import type { CreateSessionOptions, SessionDefinition } from './kernel-options.js';
import type { SessionResult } from './session-result.js';

export interface StartSessionRequest extends Omit<CreateSessionOptions, 'task' | 'awaitInput'> {
  /** The task; overrides the document's. */
  task?: string;
  /**
   * What a request with no task (neither given nor in the document) does: `refuse` (default) throws
   * `noTask()`; `await-input` creates the session idle, waiting for its first user message.
   */
  withoutTask?: 'refuse' | 'await-input';
  /** The error a refused request throws. Default: `invalid_argument` "the document has no task". */
  noTask?: () => ConclaveError;
}

export interface StartedSession {
  sessionId: string;
  /** The task the first turn runs on; undefined for a session that waits for its first message. */
  task: string | undefined;
}

/**
 * Creates a session for a caller's document; nothing runs yet (run it with `kernel.runSession`, or
 * hand it over with `kernel.launch`).
 *
 * @example
 * const { sessionId } = await startSession(kernel, document, { task: 'Is P = NP?', seed: 7, source: 'examples/debate.yaml' });
 * const result = await kernel.runSession(sessionId, { signal });
 * // An API caller's own document, in its workspace, held to the policy:
 * await startSession(kernel, inline, { task, source: 'inline', workspace: 'team-a', untrusted: true });
 */
export async function startSession(kernel: Pick<Kernel, 'createSession'>, document: SessionDefinition, request: StartSessionRequest = {}): Promise<StartedSession> {
  const { task: given, withoutTask = 'refuse', noTask, ...options } = request;
  const task = given ?? document.task;
  const hasTask = task !== undefined && task.trim() !== '';
  if (!hasTask && withoutTask === 'refuse') {
    throw noTask?.() ?? new ConclaveError('invalid_argument', 'the document has no task', { hint: 'add `task:` to the document or give a task' });
  }
  const sessionId = await kernel.createSession(document, { ...options, ...(hasTask ? { task } : { awaitInput: true }) });
  return { sessionId, task: hasTask ? task : undefined };
}

/**
 * A session result as `conclave run --json` prints it: the summary's fields, with `null` where the
 * summary has none (no answer yet, no error), and without the task.
 */
export type SessionResultJson = Omit<SessionResult, 'task' | 'stopReason' | 'answer' | 'reason' | 'aggregation' | 'error' | 'details'> & {
  [Field in 'stopReason' | 'answer' | 'reason' | 'aggregation' | 'error' | 'details']-?: Exclude<SessionResult[Field], undefined> | null;
};

/**
 * A session result as plain JSON: what `conclave run --json` prints and the MCP server's
 * `run_topology` returns as structured content.
 *
 * @example
 * process.stdout.write(JSON.stringify(sessionResultJson(await kernel.runSession(sessionId))));
 */
export function sessionResultJson(result: SessionResult): SessionResultJson {
  return {
    sessionId: result.sessionId,
    status: result.status,
    stopReason: result.stopReason ?? null,
    topology: result.topology,
    answer: result.answer ?? null,
    reason: result.reason ?? null,
    aggregation: result.aggregation ?? null,
    error: result.error ?? null,
    usage: result.usage,
    cost: result.cost,
    byAgent: result.byAgent,
    byProvider: result.byProvider,
    commands: result.commands,
    durationMs: result.durationMs,
    simulated: result.simulated,
    seed: result.seed,
    turns: result.turns,
    details: result.details ?? null,
    pendingToolUses: result.pendingToolUses,
    ...(result.budgetExceeded !== undefined ? { budgetExceeded: result.budgetExceeded } : {}),
    ...(result.partialAnswer !== undefined ? { partialAnswer: result.partialAnswer } : {}),
  };
}
