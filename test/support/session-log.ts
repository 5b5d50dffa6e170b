// A hand-built session log for the tests of log readers (the Managed event view, its outcome events,
// the thread ledger): events with ids `sevt_<seq>`, session `sesn_test`, one second apart.
import type { SessionEvent } from '../../src/protocol/events.js';

/** One event to be: its type and data. */
export type Draft = [type: string, data?: Record<string, unknown>];

/** A log with ids `sevt_<seq>` and one second between events. */
export function log(...drafts: Draft[]): SessionEvent[] {
  return drafts.map(([type, data = {}], index) => ({
    id: `sevt_${index + 1}`,
    sessionId: 'sesn_test',
    seq: index + 1,
    type,
    at: new Date(Date.UTC(2026, 0, 1, 0, 0, index)).toISOString(),
    data,
  }));
}
