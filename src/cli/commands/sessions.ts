/**
 * `conclave sessions list|show|events`: find sessions and read their journals, as tables for people
 * or as JSON (events as JSON lines) for scripts; `show` lists tool calls waiting for an answer. `events --follow` tails a session that another
 * process is running.
 */
import { describeCost, unpricedModels } from '../../catalogue/unpriced-cost.js';
import { describeBudgetStop, raiseHint, summarizeSession } from '../../kernel/index.js';
import { ConclaveError, type SessionEvent } from '../../protocol/index.js';
import type { CliContext } from '../cli-context.js';
import { exitCodes } from '../cli-errors.js';
import { formatCount, formatDuration, formatUsd, stylerFor } from '../terminal.js';
import { describePendingToolUses } from '../pending-tool-uses.js';
import { jsonResult } from './run-session.js';

/**
 * Lists sessions, newest first.
 *
 * @example
 * await sessionsListCommand(context, { limit: 20 });
 */
export async function sessionsListCommand(context: CliContext, options: { json?: boolean; limit?: number }): Promise<number> {
  const sessions = await context.store().listSessions({ limit: options.limit ?? 50 });
  if (options.json === true) {
    process.stdout.write(`${JSON.stringify(sessions, null, 2)}\n`);
    return exitCodes.success;
  }
  if (sessions.length === 0) {
    process.stdout.write('no sessions yet — start one with: conclave run examples/debate.yaml\n');
    return exitCodes.success;
  }
  const style = stylerFor(process.stdout);
  const rows = sessions.map((session) => [session.id, session.status, session.topology, session.updatedAt.replace('T', ' ').slice(0, 19), session.title]);
  const header = ['ID', 'STATUS', 'TOPOLOGY', 'UPDATED', 'TITLE'];
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => (row[column] ?? '').length)));
  const line = (row: string[]) => row.map((cell, column) => (column === row.length - 1 ? cell : cell.padEnd(widths[column] ?? 0))).join('  ');
  process.stdout.write(`${style.bold(line(header))}\n${rows.map(line).join('\n')}\n`);
  return exitCodes.success;
}

/**
 * Shows one session: status, task, answer, usage and cost.
 *
 * @example
 * await sessionsShowCommand(context, 'sesn_abc', { json: true });
 */
export async function sessionsShowCommand(context: CliContext, sessionId: string, options: { json?: boolean }): Promise<number> {
  const events = await context.store().read(sessionId);
  if (events.length === 0) throw new ConclaveError('session_not_found', `no session ${sessionId}`, { hint: 'list sessions with: conclave sessions list' });
  const result = summarizeSession(events);
  const unpriced = unpricedModels(events);
  const summary = await context.store().getSession(sessionId);
  if (options.json === true) {
    process.stdout.write(`${JSON.stringify({ ...jsonResult(result, unpriced), task: result.task, createdAt: summary?.createdAt, updatedAt: summary?.updatedAt, events: events.length }, null, 2)}\n`);
    return exitCodes.success;
  }
  const style = stylerFor(process.stdout);
  const lines = [
    `${style.bold(sessionId)}  ${result.status}${result.stopReason !== undefined ? ` (${result.stopReason})` : ''}`,
    `topology  ${result.topology}`,
    `task      ${result.task.split('\n')[0]}`,
    `created   ${summary?.createdAt ?? '?'}`,
    `events    ${events.length}`,
    `calls     ${result.commands.completed} completed, ${result.commands.failed} failed (${result.commands.retried} retried)`,
    `tokens    ${formatCount(result.usage.inputTokens)} in / ${formatCount(result.usage.outputTokens)} out`,
    `cost      ${describeCost(result.cost.usd, unpriced, formatUsd)}${result.simulated ? ' (simulated)' : ''}`,
    `duration  ${formatDuration(result.durationMs)}`,
  ];
  if (result.reason !== undefined) lines.push(`reason    ${result.reason} (${result.aggregation})`);
  if (result.error !== undefined) lines.push(`error     [${result.error.code}] ${result.error.message}`);
  if (result.budgetExceeded !== undefined) lines.push(`budget    reached: ${describeBudgetStop(result.budgetExceeded)}`, `          raise it and go on with: ${raiseHint(result.budgetExceeded, sessionId)}`);
  if (result.partialAnswer !== undefined) lines.push('', `${style.bold('answer so far')} ${style.dim(`(${result.partialAnswer.agent})`)}`, result.partialAnswer.text.trim());
  if (result.pendingToolUses.length > 0) lines.push('', ...describePendingToolUses(result, style));
  else if (result.answer !== undefined) lines.push('', style.bold('answer'), result.answer.trim());
  else if (result.status !== 'running' && result.budgetExceeded === undefined) lines.push('', `resume with: conclave resume ${sessionId}`);
  process.stdout.write(`${lines.join('\n')}\n`);
  return exitCodes.success;
}

/**
 * Prints a session's events; with `follow`, keeps printing new ones until interrupted.
 *
 * @example
 * await sessionsEventsCommand(context, 'sesn_abc', { json: true, follow: true });
 */
export async function sessionsEventsCommand(
  context: CliContext,
  sessionId: string,
  options: { json?: boolean; follow?: boolean; after?: number },
): Promise<number> {
  const store = context.store();
  if ((await store.head(sessionId)) === 0) throw new ConclaveError('session_not_found', `no session ${sessionId}`, { hint: 'list sessions with: conclave sessions list' });
  const style = stylerFor(process.stdout);
  const print = (event: SessionEvent): void => {
    process.stdout.write(options.json === true ? `${JSON.stringify(event)}\n` : `${describeEvent(event, style)}\n`);
  };
  if (options.follow !== true) {
    for (const event of await store.read(sessionId, { afterSeq: options.after ?? 0 })) print(event);
    return exitCodes.success;
  }
  const controller = new AbortController();
  const stop = (): void => controller.abort();
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  try {
    for await (const event of store.follow(sessionId, { afterSeq: options.after ?? 0, signal: controller.signal })) print(event);
  } finally {
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
  }
  return exitCodes.success;
}

function describeEvent(event: SessionEvent, style: ReturnType<typeof stylerFor>): string {
  const data = event.data;
  const time = event.at.slice(11, 23);
  let detail = '';
  switch (event.type) {
    case 'command.started':
    case 'command.completed':
    case 'command.failed':
      detail = `${String(data['commandId'])}${data['attempt'] !== undefined && data['attempt'] !== 1 ? ` attempt ${String(data['attempt'])}` : ''}`;
      // A command's first start carries its step (round, phase, agent), formerly an event of its own.
      if (event.type === 'command.started' && typeof data['step'] === 'object' && data['step'] !== null) detail += ` · ${describeStep(data['step'] as Record<string, unknown>)}`;
      if (event.type === 'command.failed') detail += ` ${JSON.stringify((data['error'] as { code?: string } | undefined)?.code)}${data['willRetry'] === true ? ' (will retry)' : ''}`;
      break;
    case 'agent.message':
      detail = `${String(data['agent'])}: ${String(data['text']).replace(/\s+/g, ' ').slice(0, 100)}`;
      break;
    case 'topology.step':
      // Legacy: logs written before the step moved onto `command.started` still show it.
      detail = describeStep(data);
      break;
    case 'topology.completed':
      detail = `reason=${String(data['reason'])} aggregation=${String(data['aggregation'])}`;
      break;
    case 'session.status_idle':
      detail = `${String(data['stopReason'])}${Array.isArray(data['eventIds']) ? ` ${data['eventIds'].join(' ')}` : ''}`;
      break;
    case 'session.created':
      detail = `${String(data['topology'])}: ${String(data['task']).split('\n')[0]?.slice(0, 80)}`;
      break;
    case 'session.error':
      detail = JSON.stringify(data['error']);
      break;
    case 'budget.exceeded':
      detail = `${data['scope'] === 'agent' ? `agent ${String(data['agent'])} ` : ''}${String(data['limit'])}: spent ${String(data['spent'])} of ${String(data['max'])}; refused ${String(data['commandId'])}`;
      break;
    default:
      detail = JSON.stringify(data).slice(0, 100);
  }
  return `${style.dim(String(event.seq).padStart(5))} ${style.dim(time)} ${style.cyan(event.type.padEnd(24))} ${detail}`;
}

/** `debate debate 2 critic`: topology, phase, round (when there is one) and agent of a step. */
function describeStep(step: Record<string, unknown>): string {
  return `${String(step['topology'])} ${String(step['phase'])}${step['round'] !== undefined ? ` ${String(step['round'])}` : ''} ${String(step['agent'] ?? '')}`.trimEnd();
}
