/**
 * What a session's journal must look like however often its runner was killed, and the traces a
 * kill leaves in it. A log is gapless (seq 1..n); a model call is completed at most once (a second
 * `command.completed` for one `commandId` would be a call paid for twice); and a call that was
 * `command.started` but neither completed nor failed before the same `commandId` started again was
 * cut off by a kill and re-issued by the next runner.
 */
import type { SessionEvent } from '../../src/protocol/index.js';

/** What one journal shows. */
export interface JournalCheck {
  /** Positions where `seq` is not its index + 1 (empty for a gapless log). */
  gaps: number[];
  /** Command ids completed more than once. */
  duplicateCompletions: string[];
  /** Command ids started again after a start that never finished (the runner died mid-call). */
  reissued: string[];
}

/**
 * Checks one session's events.
 *
 * @example
 * const check = checkJournal(await store.read(sessionId));
 * expect(check.gaps).toEqual([]);
 * expect(check.duplicateCompletions).toEqual([]);
 */
export function checkJournal(events: readonly SessionEvent[]): JournalCheck {
  const gaps = events.flatMap((event, index) => (event.seq === index + 1 ? [] : [index]));
  const completions = new Map<string, number>();
  const open = new Set<string>();
  const reissued = new Set<string>();
  for (const event of events) {
    const commandId = typeof event.data['commandId'] === 'string' ? event.data['commandId'] : undefined;
    if (commandId === undefined) continue;
    if (event.type === 'command.started') {
      if (open.has(commandId)) reissued.add(commandId);
      open.add(commandId);
    } else if (event.type === 'command.completed' || event.type === 'command.failed') {
      open.delete(commandId);
      if (event.type === 'command.completed') completions.set(commandId, (completions.get(commandId) ?? 0) + 1);
    }
  }
  const duplicateCompletions = [...completions].filter(([, count]) => count > 1).map(([commandId]) => commandId);
  return { gaps, duplicateCompletions, reissued: [...reissued] };
}
