/**
 * Tool calls a session waits on (`requires_action`), for people: the list `run`, `resume` and
 * `sessions show` print with the command that answers each, and the y/n questions `conclave run`
 * asks at a terminal so a session with approvals continues inline.
 */
import { createInterface } from 'node:readline/promises';
import type { Kernel, SessionResult } from '../kernel/index.js';
import type { Styler } from './terminal.js';

/** The input of a call on one line, cut to `width`. */
function inputLine(input: unknown, width = 160): string {
  const text = JSON.stringify(input) ?? '';
  return text.length > width ? `${text.slice(0, width - 1)}…` : text;
}

/**
 * Lines that list the waiting calls of a session and how to answer each.
 *
 * @example
 * process.stdout.write(describePendingToolUses(result, style).join('\n') + '\n');
 */
export function describePendingToolUses(result: SessionResult, style: Styler): string[] {
  const pending = result.pendingToolUses;
  if (pending.length === 0) return [];
  const lines = [style.yellow(style.bold(`waiting for ${pending.length} tool call${pending.length === 1 ? '' : 's'} (requires_action)`))];
  for (const use of pending) {
    lines.push(`  ${style.bold(use.eventId)}  ${use.agent} → ${use.tool}${use.kind === 'custom_result' ? ' (client-run)' : ''}  ${style.dim(inputLine(use.input))}`);
    if (use.kind === 'confirmation') {
      lines.push(style.dim(`    allow: conclave approve ${result.sessionId} ${use.eventId}   deny: conclave deny ${result.sessionId} ${use.eventId} --message "…"`));
    } else {
      lines.push(style.dim(`    answer: conclave tool-result ${result.sessionId} ${use.eventId} --content "…"  (or --file F, --error)`));
    }
  }
  lines.push(style.dim('  the session continues once every waiting call is answered'));
  return lines;
}

/**
 * Asks at the terminal about each waiting call — y/n (or a reason, which denies) for approvals, a
 * one-line result for client-run tools — and journals the answers without starting a run.
 * Resolves true when every call was answered (the caller runs the turn on), false when one was
 * left waiting (an empty result line).
 *
 * @example
 * if (await askPendingToolUses(kernel, result, style)) result = await kernel.runSession(result.sessionId);
 */
export async function askPendingToolUses(kernel: Kernel, result: SessionResult, style: Styler): Promise<boolean> {
  const prompt = createInterface({ input: process.stdin, output: process.stderr });
  try {
    let all = true;
    for (const use of result.pendingToolUses) {
      process.stderr.write(`\n${style.yellow(style.bold(`${use.agent} wants to call ${use.tool}`))} ${style.dim(inputLine(use.input, 400))}\n`);
      if (use.kind === 'confirmation') {
        const answer = (await prompt.question('allow? [y]es / [n]o / or type a reason to deny: ')).trim();
        const allow = /^y(es)?$/i.test(answer);
        const message = allow || /^n(o)?$/i.test(answer) || answer === '' ? undefined : answer;
        await kernel.confirmTool(result.sessionId, use.eventId, { allow, ...(message !== undefined ? { message } : {}) }, { start: false });
      } else {
        const content = await prompt.question(`result of ${use.tool} (one line; empty leaves it waiting): `);
        if (content.trim() === '') {
          all = false;
          continue;
        }
        await kernel.submitToolResult(result.sessionId, use.eventId, { content }, { start: false });
      }
    }
    return all;
  } finally {
    prompt.close();
  }
}

/**
 * Whether `run` can ask about waiting calls inline: a person at a terminal on both ends.
 *
 * @example
 * if (canAskInline(options.json === true)) await askPendingToolUses(kernel, result, style);
 */
export function canAskInline(json: boolean): boolean {
  return !json && process.stdin.isTTY === true && process.stderr.isTTY === true;
}

