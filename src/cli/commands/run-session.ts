/**
 * `conclave run` and `conclave resume`: run a session with live progress, then print the answer —
 * or, with --json, one machine-readable result. Ctrl-C interrupts cleanly: the session is left idle
 * and `conclave resume ID` finishes it without paying again for finished calls. A session that
 * stops on tool calls waiting for answers (`requires_action`) is asked about at a terminal and goes
 * on; in a pipe the run ends, exit 0, with the waiting calls listed and how to answer them.
 */
import { describeCost, unpricedModels, withUnpricedModels } from '../../catalogue/unpriced-cost.js';
import { loadTopologyDocument } from '../../config/index.js';
import { describeBudgetStop, parseBudgetFlags, raiseHint, type SessionResult } from '../../kernel/index.js';
import { sessionResultJson, startSession } from '../../kernel/start-session.js';
import { ConclaveError } from '../../protocol/index.js';
import type { CliContext } from '../cli-context.js';
import { exitCodes } from '../cli-errors.js';
import { listenForCtrlC } from '../ctrl-c.js';
import { askPendingToolUses, canAskInline, describePendingToolUses } from '../pending-tool-uses.js';
import { describeResultDetails } from '../result-details.js';
import { SessionRenderer } from '../session-renderer.js';
import { formatCount, formatDuration, formatUsd, stylerFor } from '../terminal.js';

export interface RunCommandOptions {
  task?: string;
  seed?: number;
  json?: boolean;
  quiet?: boolean;
  /** `--budget` values (`max_usd=2,max_calls=40`, repeatable): limits over the document's. */
  budget?: string[];
}

/** The `--budget` values as a budget change, or undefined when none was given. */
function budgetOption(options: RunCommandOptions): ReturnType<typeof parseBudgetFlags> | undefined {
  return options.budget === undefined || options.budget.length === 0 ? undefined : parseBudgetFlags(options.budget);
}

/**
 * Runs a topology document as a new session. Returns the process exit code.
 *
 * @example
 * await runCommand(context, 'examples/debate.yaml', { seed: 7 });
 */
export async function runCommand(context: CliContext, file: string, options: RunCommandOptions): Promise<number> {
  const document = await loadTopologyDocument(file, context.registry);
  const budget = budgetOption(options);
  const { sessionId, task } = await startSession(context.kernel(), document, {
    ...(budget !== undefined ? { budget } : {}),
    ...(options.task !== undefined ? { task: options.task } : {}),
    ...(options.seed !== undefined ? { seed: options.seed } : {}),
    source: file,
    noTask: () => new ConclaveError('invalid_argument', `${file} has no task`, { hint: 'add `task:` to the document or pass --task "…"' }),
  });
  return followRun(context, sessionId, options, { file, topology: document.topology, agents: document.agents.length, task: task ?? '' });
}

/**
 * Resumes a session from its log. Returns the process exit code.
 *
 * @example
 * await resumeCommand(context, 'sesn_abc', { json: true });
 */
export async function resumeCommand(context: CliContext, sessionId: string, options: RunCommandOptions): Promise<number> {
  const budget = budgetOption(options);
  const before = await context.kernel().result(sessionId);
  // Journaled before the run: a session stopped by its budget goes on under the raised one.
  if (budget !== undefined) await context.kernel().setBudget(sessionId, budget);
  return followRun(context, sessionId, options, { topology: before.topology, task: before.task, resumed: true });
}

export interface SendCommandOptions extends RunCommandOptions {
  /** false: journal the message and return without running the turn here. */
  wait?: boolean;
}

/**
 * Sends a user message to a session. Idle: the message starts the next turn, run here with live
 * progress. Running in another process: the message steers it (delivered at the topology's next
 * step) and this command returns at once. Returns the process exit code.
 *
 * @example
 * await sendCommand(context, 'sesn_abc', 'Now compare the costs.', {});
 */
export async function sendCommand(context: CliContext, sessionId: string, text: string, options: SendCommandOptions): Promise<number> {
  const kernel = context.kernel();
  const summary = await context.store().getSession(sessionId);
  if (summary === undefined || summary.deleted) throw new ConclaveError('session_not_found', `no session ${sessionId}`, { hint: 'see `conclave sessions list`' });
  const event = await kernel.send(sessionId, { text }, { start: false });
  if (summary.status === 'running' || options.wait === false) {
    const where = summary.status === 'running'
      ? 'the session is running in another process, which delivers it at its next step'
      : `run it with: conclave resume ${sessionId}`;
    if (options.json === true) process.stdout.write(`${JSON.stringify({ sessionId, event }, null, 2)}\n`);
    else process.stdout.write(`message journaled (seq ${event.seq}); ${where}\n`);
    return exitCodes.success;
  }
  return followRun(context, sessionId, options, { topology: summary.topology, task: text, continued: true });
}

/**
 * Interrupts a session: journals `user.interrupt`; the process running it aborts its model calls
 * and idles the session. Returns the process exit code.
 *
 * @example
 * await interruptCommand(context, 'sesn_abc', { reason: 'wrong direction' });
 */
export async function interruptCommand(context: CliContext, sessionId: string, options: { reason?: string; json?: boolean }): Promise<number> {
  const summary = await context.store().getSession(sessionId);
  if (summary === undefined || summary.deleted) throw new ConclaveError('session_not_found', `no session ${sessionId}`, { hint: 'see `conclave sessions list`' });
  const event = await context.kernel().interrupt(sessionId, options.reason);
  if (options.json === true) {
    process.stdout.write(`${JSON.stringify({ sessionId, event, wasRunning: summary.status === 'running' }, null, 2)}\n`);
  } else if (summary.status === 'running') {
    process.stdout.write(`interrupt journaled (seq ${event.seq}); the running process stops its model calls and idles the session\n  continue with: conclave send ${sessionId} "…"  or  conclave resume ${sessionId}\n`);
  } else {
    process.stdout.write(`session ${sessionId} is ${summary.status}; the interrupt is journaled and drops any queued messages\n`);
  }
  return exitCodes.success;
}

export interface RunHeader {
  file?: string;
  topology: string;
  agents?: number;
  task: string;
  resumed?: boolean;
  continued?: boolean;
}

/**
 * Runs (or resumes) a session here with live progress, then prints its outcome. Waiting tool calls
 * are asked about at a terminal and the turn goes on; in a pipe they are listed. Returns the exit
 * code: 0 answered or waiting for answers, 1 failed, 130 interrupted.
 *
 * @example
 * return followRun(context, sessionId, { json: true }, { topology: 'pipeline', task: 'Go on', continued: true });
 */
export async function followRun(context: CliContext, sessionId: string, options: RunCommandOptions, header: RunHeader): Promise<number> {
  const kernel = context.kernel();
  // With --json stdout carries only the result, so progress (if any) goes to a terminal stderr.
  const stream = options.json === true ? process.stderr : process.stdout;
  const interactive = stream.isTTY === true;
  const style = stylerFor(stream);
  const showTranscript = options.quiet !== true && (options.json !== true || interactive);
  if (showTranscript) {
    const what = `${header.resumed === true ? 'resuming' : header.continued === true ? 'next turn' : 'conclave'} · ${header.topology}${header.agents !== undefined ? ` · ${header.agents} agents` : ''} · ${sessionId}`;
    stream.write(`${style.bold(what)}\n${style.dim(`task: ${header.task.split('\n')[0]}`)}\n\n`);
  }
  let result: SessionResult;
  for (;;) {
    const renderer = showTranscript ? new SessionRenderer({ stream, style, live: interactive, transcript: true }) : undefined;
    const unsubscribe = renderer === undefined ? () => undefined : kernel.live.subscribe(sessionId, (item) => renderer.handle(item));
    const ctrlC = listenForCtrlC();
    try {
      result = await kernel.runSession(sessionId, { signal: ctrlC.signal });
    } finally {
      ctrlC.release();
      unsubscribe();
      renderer?.stop();
    }
    // A person at the terminal answers inline, and the turn goes on.
    if (result.stopReason !== 'requires_action' || !canAskInline(options.json === true)) break;
    if (!(await askPendingToolUses(kernel, result, stylerFor(process.stderr)))) {
      result = await kernel.result(sessionId);
      break;
    }
  }

  // Calls to models with no known price: their cost is not in `usd`, and the output says so.
  const unpriced = unpricedModels(await context.store().read(sessionId));
  if (options.json === true) {
    process.stdout.write(`${JSON.stringify(jsonResult(result, unpriced), null, 2)}\n`);
  } else {
    printOutcome(result, unpriced, style, options.quiet === true);
  }
  if (result.stopReason === 'interrupted') return exitCodes.interrupted;
  if (result.stopReason === 'requires_action') return exitCodes.success;
  if (result.stopReason === 'budget_exceeded') return exitCodes.runFailed;
  return result.answer !== undefined ? exitCodes.success : exitCodes.runFailed;
}

/**
 * The `--json` form of a session result (shared with the other faces: `sessionResultJson`), with
 * `cost.unpriced` and `unpricedModels` when some calls had no price.
 *
 * @example
 * JSON.stringify(jsonResult(result, unpricedModels(events)))
 */
export function jsonResult(result: SessionResult, unpriced: readonly string[] = []): ReturnType<typeof sessionResultJson> & { unpricedModels?: string[] } {
  return withUnpricedModels(sessionResultJson(result), unpriced);
}

function printOutcome(result: SessionResult, unpriced: readonly string[], style: ReturnType<typeof stylerFor>, quiet: boolean): void {
  const out = process.stdout;
  if (result.answer !== undefined) {
    if (quiet) {
      out.write(`${result.answer}\n`);
      return;
    }
    out.write(`${style.green(style.bold(`══ Final answer `))}${style.dim(`(${result.reason} · ${result.aggregation})`)}\n${result.answer.trim()}\n\n`);
    const how = describeResultDetails(result.details, style);
    if (how.length > 0) out.write(`${how.join('\n')}\n\n`);
  } else if (result.stopReason === 'requires_action') {
    out.write(`${describePendingToolUses(result, style).join('\n')}\n`);
  } else if (result.stopReason === 'budget_exceeded') {
    printBudgetStop(result, style, quiet);
  } else if (result.stopReason === 'interrupted') {
    process.stderr.write(`${style.yellow('interrupted')} — finished calls are saved; continue with: conclave resume ${result.sessionId}\n`);
  } else if (result.error !== undefined) {
    process.stderr.write(`${style.red(style.bold(`error[${result.error.code}]`))}: ${result.error.message}\n`);
    if (result.error.hint !== undefined) process.stderr.write(`  ${style.dim('hint:')} ${result.error.hint}\n`);
    // A terminated session (a topology that could not go on) has nothing left to resume.
    if (result.status !== 'terminated') process.stderr.write(`  finished calls are saved; retry the rest with: conclave resume ${result.sessionId}\n`);
  }
  if (quiet) return;
  const simulated = result.simulated ? style.dim(' (simulated)') : '';
  const summary = [
    `session ${result.sessionId}`,
    `${result.commands.completed} calls`,
    `${formatCount(result.usage.inputTokens)} in / ${formatCount(result.usage.outputTokens)} out tokens`,
    `${describeCost(result.cost.usd, unpriced, formatUsd)}${simulated}`,
    formatDuration(result.durationMs),
  ].join(' · ');
  (result.answer !== undefined ? out : process.stderr).write(`${style.dim(summary)}\n`);
}

/**
 * A session its budget stopped: the answer so far (the turn's latest agent message), which budget
 * stopped it, and the resume that raises it.
 */
function printBudgetStop(result: SessionResult, style: ReturnType<typeof stylerFor>, quiet: boolean): void {
  const partial = result.partialAnswer;
  if (partial !== undefined) {
    if (quiet) process.stdout.write(`${partial.text.trim()}\n`);
    else process.stdout.write(`${style.yellow(style.bold('══ Answer so far '))}${style.dim(`(${partial.agent}; stopped by its budget)`)}\n${partial.text.trim()}\n\n`);
  }
  const exceeded = result.budgetExceeded;
  const what = exceeded === undefined ? 'a budget' : describeBudgetStop(exceeded);
  process.stderr.write(`${style.yellow('budget reached')}: ${what} — finished calls are saved\n`);
  process.stderr.write(`  raise it and go on with: ${exceeded === undefined ? `conclave resume ${result.sessionId} --budget max_calls=…` : raiseHint(exceeded, result.sessionId)}\n`);
}
