/**
 * `conclave approve|deny|tool-result`: answer tool calls a session waits on (`requires_action`),
 * from any process. The answer is journaled; when it was the last one, the turn goes on here with
 * live progress (like `conclave send`), unless `--no-wait` or another process runs the session.
 */
import { readFile } from 'node:fs/promises';
import type { ToolAnswerReceipt } from '../../kernel/index.js';
import { ConclaveError } from '../../protocol/index.js';
import type { CliContext } from '../cli-context.js';
import { exitCodes } from '../cli-errors.js';
import { stylerFor } from '../terminal.js';
import { followRun, type RunCommandOptions } from './run-session.js';

export interface ToolAnswerOptions extends RunCommandOptions {
  /** false: journal the answer and return, even when it was the last one. */
  wait?: boolean;
}

/**
 * Allows (`allow: true`) or denies a tool call that asked permission. Returns the exit code.
 *
 * @example
 * await confirmCommand(context, 'sesn_abc', 'evt_123', { allow: false, message: 'not on prod' }, {});
 */
export async function confirmCommand(context: CliContext, sessionId: string, toolUseId: string, decision: { allow: boolean; message?: string }, options: ToolAnswerOptions): Promise<number> {
  const summary = await sessionSummary(context, sessionId);
  const receipt = await context.kernel().confirmTool(sessionId, toolUseId, decision, { start: false });
  return afterAnswer(context, sessionId, summary, receipt, `${decision.allow ? 'allowed' : 'denied'} ${toolUseId}`, options);
}

/**
 * Gives the result of a client-run tool call: `--content TEXT` or `--file F`, `--error` for a failure.
 *
 * @example
 * await toolResultCommand(context, 'sesn_abc', 'evt_456', { content: 'ticket #42 created' });
 */
export async function toolResultCommand(context: CliContext, sessionId: string, toolUseId: string, options: ToolAnswerOptions & { content?: string; file?: string; error?: boolean }): Promise<number> {
  if ((options.content === undefined) === (options.file === undefined)) {
    throw new ConclaveError('invalid_argument', 'give the result with exactly one of --content TEXT or --file F');
  }
  const content = options.content ?? (await readFile(options.file as string, 'utf8'));
  const summary = await sessionSummary(context, sessionId);
  const receipt = await context.kernel().submitToolResult(sessionId, toolUseId, { content, ...(options.error === true ? { isError: true } : {}) }, { start: false });
  return afterAnswer(context, sessionId, summary, receipt, `result given for ${toolUseId}`, options);
}

async function sessionSummary(context: CliContext, sessionId: string): Promise<{ status: string; topology: string; title: string }> {
  const summary = await context.store().getSession(sessionId);
  if (summary === undefined || summary.deleted) throw new ConclaveError('session_not_found', `no session ${sessionId}`, { hint: 'see `conclave sessions list`' });
  return summary;
}

async function afterAnswer(context: CliContext, sessionId: string, summary: { status: string; topology: string; title: string }, receipt: ToolAnswerReceipt, what: string, options: ToolAnswerOptions): Promise<number> {
  const goOn = receipt.remaining.length === 0 && summary.status !== 'running' && options.wait !== false;
  if (goOn) return followRun(context, sessionId, options, { topology: summary.topology, task: `${what}; the turn goes on`, resumed: true });
  if (options.json === true) {
    process.stdout.write(`${JSON.stringify({ sessionId, event: receipt.event, remaining: receipt.remaining }, null, 2)}\n`);
    return exitCodes.success;
  }
  const style = stylerFor(process.stdout);
  const next =
    receipt.remaining.length > 0
      ? `${receipt.remaining.length} more call${receipt.remaining.length === 1 ? '' : 's'} still wait${receipt.remaining.length === 1 ? 's' : ''}: ${receipt.remaining.join(' ')} (see conclave sessions show ${sessionId})`
      : summary.status === 'running'
        ? 'the process running the session takes it from the log'
        : `continue with: conclave resume ${sessionId}`;
  process.stdout.write(`${style.bold(what)} (seq ${receipt.event.seq}); ${next}\n`);
  return exitCodes.success;
}
