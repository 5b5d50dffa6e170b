/**
 * Answers to tool calls that wait (`requires_action`): a person's `user.tool_confirmation` and a
 * client's `user.custom_tool_result`. An answer is checked against the log before it is journaled
 * — the id must name a call that waits for that kind of answer and has none yet — so a typo or a
 * second answer is the caller's error, never a silent no-op.
 */
import { ConclaveError, type SessionEvent, type SessionStore, type UserCustomToolResultData, type UserToolConfirmationData } from '../protocol/index.js';
import { Journal, type WaitingToolUse } from './journal.js';
import { assertWritable } from './session-input.js';
import type { EventDraft } from './session-writer.js';

/** A person's decision on a call that asked permission ({@link Kernel.confirmTool}). */
export interface ToolConfirmation {
  allow: boolean;
  /** With a denial: what the model is told (default "the user denied this tool call"). */
  message?: string;
}

/** A client's result of a client-run tool ({@link Kernel.submitToolResult}). */
export interface CustomToolResult {
  content: string;
  /** The tool failed: the model sees the content as an error. */
  isError?: boolean;
}

/** What answering did: the journaled answer, the calls still waiting, and whether the turn went on. */
export interface ToolAnswerReceipt {
  event: SessionEvent;
  /** Event ids of the calls still waiting, oldest first; empty when this was the last one. */
  remaining: string[];
  /** True when this answer was the last and the next run of the turn was started (or enqueued). */
  resumed: boolean;
}

/**
 * The waiting call `toolUseId` names, or the error that says why it cannot take this answer:
 * `tool_use_not_found` (no such event in the session), `tool_use_not_pending` (the event is not
 * a call waiting for this kind of answer) or `tool_use_already_answered`.
 *
 * @example
 * const use = waitingToolUse(journal, events, 'evt_123', 'confirmation');
 */
export function waitingToolUse(journal: Journal, events: readonly SessionEvent[], toolUseId: string, kind: WaitingToolUse['kind']): WaitingToolUse {
  const sessionId = events[0]?.sessionId ?? '';
  const use = journal.waitingByEvent.get(toolUseId);
  if (use === undefined) {
    const event = events.find((candidate) => candidate.id === toolUseId);
    if (event === undefined) {
      throw new ConclaveError('tool_use_not_found', `session ${sessionId} has no event ${toolUseId}`, { hint: `the waiting calls are listed by: conclave sessions show ${sessionId}` });
    }
    throw new ConclaveError('tool_use_not_pending', `event ${toolUseId} is a ${event.type}, not a tool call waiting for ${kind === 'confirmation' ? 'approval' : 'a client-run result'}`);
  }
  if (use.kind !== kind) {
    const other = use.kind === 'confirmation' ? 'it asks for approval: answer with conclave approve / deny' : 'it is a client-run tool: answer with conclave tool-result';
    throw new ConclaveError('tool_use_not_pending', `tool call ${toolUseId} (${use.tool}) does not wait for ${kind === 'confirmation' ? 'approval' : 'a client-run result'}`, { hint: other });
  }
  if (journal.toolAnswers.has(toolUseId) || journal.completed.has(use.commandId)) {
    throw new ConclaveError('tool_use_already_answered', `tool call ${toolUseId} (${use.tool}) was already answered`);
  }
  return use;
}

/**
 * The `user.tool_confirmation` event for a decision.
 *
 * @example
 * confirmationDraft('evt_123', { allow: false, message: 'not on prod' })
 * // → { type: 'user.tool_confirmation', data: { toolUseId: 'evt_123', result: 'deny', denyMessage: 'not on prod' } }
 */
export function confirmationDraft(toolUseId: string, decision: ToolConfirmation): EventDraft {
  const data: UserToolConfirmationData = { toolUseId, result: decision.allow ? 'allow' : 'deny' };
  if (!decision.allow && decision.message !== undefined && decision.message.trim() !== '') data.denyMessage = decision.message;
  return { type: 'user.tool_confirmation', data };
}

/**
 * The `user.custom_tool_result` event for a client's result.
 *
 * @example
 * customResultDraft('evt_456', { content: '42' }) // → { type: 'user.custom_tool_result', data: { customToolUseId: 'evt_456', content: '42' } }
 */
export function customResultDraft(customToolUseId: string, result: CustomToolResult): EventDraft {
  const data: UserCustomToolResultData = { customToolUseId, content: result.content };
  if (result.isError === true) data.isError = true;
  return { type: 'user.custom_tool_result', data };
}

/** What answering needs from the kernel. */
export interface ToolAnswerHost {
  store: SessionStore;
  /** The run of the session in this kernel, if it runs here (its journal is current). */
  running(sessionId: string): { journal: Journal } | undefined;
  /** Appends input: through the running writer, or after the store's head. */
  journalInput(sessionId: string, draft: EventDraft): Promise<SessionEvent>;
  /** Has the session run (here, or by a queue of workers). */
  launch(sessionId: string): Promise<void>;
}

export interface ToolAnswerRequest {
  sessionId: string;
  toolUseId: string;
  kind: WaitingToolUse['kind'];
  draft: EventDraft;
  /** Start the next run when this is the last answer (false: only journal it). */
  start: boolean;
}

/**
 * Checks and journals one answer; when no call waits any more and nobody runs the session, has
 * the next run of the turn start — like `send` does for an idle session. An answer that lands
 * while this kernel still runs the turn is picked up by that run (see `Kernel.driveTurns`).
 *
 * @example
 * const receipt = await answerToolUse(host, { sessionId, toolUseId, kind: 'confirmation', draft, start: true });
 */
export async function answerToolUse(host: ToolAnswerHost, request: ToolAnswerRequest): Promise<ToolAnswerReceipt> {
  const { sessionId } = request;
  await assertWritable(host.store, sessionId);
  const running = host.running(sessionId);
  // A running session's journal is current; its log is read only to word a refusal.
  const events = running === undefined || !running.journal.waitingByEvent.has(request.toolUseId) ? await host.store.read(sessionId) : [];
  waitingToolUse(running?.journal ?? Journal.from(events), events, request.toolUseId, request.kind);
  const event = await host.journalInput(sessionId, request.draft);
  // Read after our own append, so answers others journaled meanwhile count too.
  const journal = host.running(sessionId)?.journal ?? Journal.from(await host.store.read(sessionId));
  const remaining = journal.pendingToolUses().map((use) => use.eventId);
  let resumed = false;
  if (remaining.length === 0 && request.start && host.running(sessionId) === undefined) {
    const summary = await host.store.getSession(sessionId);
    // A session another process runs takes the answer from its log.
    if (summary !== undefined && summary.status !== 'running' && host.running(sessionId) === undefined) {
      await host.launch(sessionId);
      resumed = true;
    }
  }
  return { event, remaining, resumed };
}
