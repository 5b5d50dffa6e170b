// Budgets as a user drives them through the built CLI: a run its budget stops exits 1 with the
// answer so far, which limit stopped it and the resume that goes on; `conclave resume ID --budget …`
// (comma-separated and repeated flags) journals the raised budget and finishes without re-issuing a
// finished call; `run --budget` overrides the document; a malformed flag is a usage error.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SessionEvent } from '../../src/protocol/index.js';
import { readSqliteEvents } from '../support/stores.js';
import { runCli } from '../support/cli.js';

let directory: string;
beforeAll(() => {
  directory = mkdtempSync(join(tmpdir(), 'conclave-budget-cli-'));
});
afterAll(() => rmSync(directory, { recursive: true, force: true }));

function completedIds(events: readonly SessionEvent[]): string[] {
  return events.filter((event) => event.type === 'command.completed').map((event) => event.data['commandId'] as string);
}

describe('conclave run / resume with budgets', () => {
  it('stops examples/debate-budgeted.yaml mid-debate, shows the answer so far, and `resume --budget` finishes it without paying twice', async () => {
    const db = join(directory, 'debate.db');
    const stopped = await runCli(['run', 'examples/debate-budgeted.yaml', '--db', db]);
    expect(stopped.code, stopped.stderr).toBe(1);
    expect(stopped.stdout).toContain('── debate · round 2');
    expect(stopped.stdout).toContain('══ Answer so far (optimist; stopped by its budget)');
    expect(stopped.stderr).toContain('budget reached: the session budget max_calls (spent 4 of 4) — finished calls are saved');
    const sessionId = /raise it and go on with: conclave resume (sesn_\w+) --budget max_calls=8/.exec(stopped.stderr)?.[1];
    expect(sessionId, stopped.stderr).toBeDefined();
    const before = await readSqliteEvents(db, sessionId as string);
    expect(before.filter((event) => event.type === 'budget.exceeded').map((event) => event.data)).toEqual([
      { scope: 'session', limit: 'max_calls', spent: 4, max: 4, commandId: 'debate/round:2/agent:1/generate:0' },
    ]);

    const shown = await runCli(['sessions', 'show', sessionId as string, '--db', db]);
    expect(shown.stdout).toContain('idle (budget_exceeded)');
    expect(shown.stdout).toContain(`raise it and go on with: conclave resume ${sessionId} --budget max_calls=8`);

    // Comma-separated and repeated flags; `none` removes the pragmatist's own limit.
    const resumed = await runCli(['resume', sessionId as string, '--budget', 'max_calls=20,max_usd=1', '--budget', 'pragmatist.max_tokens=none', '--json', '--db', db]);
    expect(resumed.code, resumed.stderr).toBe(0);
    const result = JSON.parse(resumed.stdout) as { stopReason: string; reason: string; answer: string; commands: { completed: number } };
    expect(result).toMatchObject({ stopReason: 'end_turn', reason: 'max_rounds' });
    expect(result.answer.length).toBeGreaterThan(0);
    expect(result.commands.completed).toBe(9);

    const after = await readSqliteEvents(db, sessionId as string);
    expect(after.filter((event) => event.type === 'budget.set').map((event) => event.data)).toEqual([
      { reason: 'created', budget: { max_calls: 4, max_usd: 0.25 }, agents: { pragmatist: { max_tokens: 20000 } } },
      { reason: 'raised', budget: { max_calls: 20, max_usd: 1 }, agents: { pragmatist: { max_tokens: null } } },
    ]);
    // Round 1 and the optimist's round-2 call were answered from the journal, not made again.
    const ids = completedIds(after);
    expect(new Set(ids).size).toBe(ids.length);
    expect(completedIds(before).every((id) => ids.includes(id))).toBe(true);
  });

  it('run --budget overrides the document (here: calls allowed, tokens capped), with --json reporting the stop', async () => {
    const db = join(directory, 'override.db');
    const run = await runCli(['run', 'examples/debate-budgeted.yaml', '--budget', 'calls=50', '--budget', 'max_tokens=300', '--json', '--db', db]);
    expect(run.code, run.stderr).toBe(1);
    const result = JSON.parse(run.stdout) as { stopReason: string; answer: null; budgetExceeded: { limit: string; scope: string; max: number }; partialAnswer: { agent: string; text: string } };
    expect(result.stopReason).toBe('budget_exceeded');
    expect(result.answer).toBeNull();
    expect(result.budgetExceeded).toMatchObject({ scope: 'session', limit: 'max_tokens', max: 300 });
    expect(result.partialAnswer.text.length).toBeGreaterThan(0);
  });

  it('refuses a malformed --budget as a usage error naming the limits', async () => {
    const db = join(directory, 'bad.db');
    const bad = await runCli(['run', 'examples/debate-budgeted.yaml', '--budget', 'max_dollars=3', '--db', db]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('unknown limit "max_dollars"');
    expect(bad.stderr).toContain('max_usd, max_tokens, max_calls, max_duration_s');
    const zero = await runCli(['resume', 'sesn_whatever', '--budget', 'max_calls=0', '--db', db]);
    expect(zero.code).toBe(2);
    expect(zero.stderr).toContain('above 0');
  });
});
