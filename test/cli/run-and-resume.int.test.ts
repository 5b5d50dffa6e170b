// The CLI as a user drives it: run a document, read the JSON result, kill -9 a run part-way and
// resume it, inspect sessions — all through spawned processes against a real SQLite file.
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SessionEvent } from '../../src/protocol/index.js';
import { createSqliteStore } from '../../src/store/index.js';
import { readSqliteEvents } from '../support/stores.js';
import { collect, runCli, startCli } from '../support/cli.js';

let directory: string;
beforeAll(() => {
  directory = mkdtempSync(join(tmpdir(), 'conclave-cli-'));
});
afterAll(() => rmSync(directory, { recursive: true, force: true }));

function database(name: string): string {
  return join(directory, `${name}.db`);
}

const readEvents = readSqliteEvents;

/** Resolves once `child` has written `text` to its stdout (the test's timeout bounds the wait). */
function untilPrinted(child: ChildProcess, text: string): Promise<void> {
  return new Promise((resolve) => {
    let printed = '';
    const onData = (chunk: Buffer): void => {
      printed += chunk.toString();
      if (!printed.includes(text)) return;
      child.stdout?.off('data', onData);
      resolve();
    };
    child.stdout?.on('data', onData);
  });
}

describe('conclave run', () => {
  it('prints the debate rounds and a final answer in a pipe', async () => {
    const result = await runCli(['run', 'examples/debate.yaml', '--db', database('pipe')]);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('── debate · round 1');
    expect(result.stdout).toContain('▸ optimist offline/persona (simulated)');
    expect(result.stdout).toContain('══ Final answer');
    expect(result.stdout).not.toContain('\u001b[');
  });

  it('--json prints one parseable result with session id, reason, usage and cost', async () => {
    const result = await runCli(['run', 'examples/debate.yaml', '--json', '--db', database('json')]);
    expect(result.code).toBe(0);
    const parsed = JSON.parse(result.stdout) as Record<string, unknown>;
    expect(parsed['sessionId']).toMatch(/^sesn_/);
    expect(['consensus', 'max_rounds']).toContain(parsed['reason']);
    expect(parsed['answer']).toEqual(expect.stringContaining('Final answer:'));
    expect(parsed['usage']).toEqual({ inputTokens: expect.any(Number), outputTokens: expect.any(Number) });
    expect((parsed['usage'] as { outputTokens: number }).outputTokens).toBeGreaterThan(0);
    expect(parsed['cost']).toEqual({ usd: 0, simulated: true });
    expect(parsed['simulated']).toBe(true);
    expect(Object.keys(parsed['byAgent'] as object).sort()).toEqual(['optimist', 'pragmatist', 'skeptic']);
  });

  it('the same seed gives the same answer', async () => {
    const db = database('seeded');
    const first = JSON.parse((await runCli(['run', 'examples/pipeline.yaml', '--json', '--seed', '5', '--db', db])).stdout) as { answer: string };
    const second = JSON.parse((await runCli(['run', 'examples/pipeline.yaml', '--json', '--seed', '5', '--db', db])).stdout) as { answer: string };
    const other = JSON.parse((await runCli(['run', 'examples/pipeline.yaml', '--json', '--seed', '6', '--db', db])).stdout) as { answer: string };
    expect(second.answer).toBe(first.answer);
    expect(other.answer).not.toBe(first.answer);
  });

  it('survives SIGKILL part-way: resume completes, re-issues no completed command, and matches an uninterrupted run', async () => {
    const db = database('killed');
    const args = ['examples/debate.yaml', '--seed', '42', '--task', 'Should we rewrite the billing system in Rust?'];
    const child = startCli(['run', ...args, '--json', '--db', db]);
    const outcome = collect(child);
    let sessionId: string | undefined;
    const deadline = Date.now() + 20_000;
    while (sessionId === undefined && Date.now() < deadline) {
      const store = createSqliteStore({ path: db });
      const [session] = await store.listSessions({ limit: 1 });
      const completed = session === undefined ? 0 : (await store.read(session.id)).filter((event) => event.type === 'command.completed').length;
      await store.close();
      if (session !== undefined && completed >= 2) sessionId = session.id;
      else await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(sessionId).toBeDefined();
    child.kill('SIGKILL');
    const killed = await outcome;
    expect(killed.signal).toBe('SIGKILL');
    const before = (await readEvents(db, sessionId as string)).filter((event) => event.type === 'command.completed');
    expect(before.length).toBeLessThan(6);

    const resumed = await runCli(['resume', sessionId as string, '--json', '--db', db]);
    expect(resumed.code).toBe(0);
    const resumedResult = JSON.parse(resumed.stdout) as { answer: string; reason: string };
    const events = await readEvents(db, sessionId as string);
    const completedIds = events.filter((event) => event.type === 'command.completed').map((event) => event.data['commandId']);
    expect(new Set(completedIds).size).toBe(completedIds.length);
    for (const event of before) {
      const startedAgain = events.filter((later) => later.seq > event.seq && later.type === 'command.started' && later.data['commandId'] === event.data['commandId']);
      expect(startedAgain).toEqual([]);
    }

    const uninterrupted = JSON.parse((await runCli(['run', ...args, '--json', '--db', database('uninterrupted')])).stdout) as { answer: string; reason: string };
    expect(resumedResult.answer).toBe(uninterrupted.answer);
    expect(resumedResult.reason).toBe(uninterrupted.reason);
  });
});

describe('conclave sessions', () => {
  it('lists, shows and prints the journal of a session as JSON', async () => {
    const db = database('sessions');
    const run = JSON.parse((await runCli(['run', 'examples/pipeline.yaml', '--json', '--db', db])).stdout) as { sessionId: string; answer: string };

    const list = await runCli(['sessions', 'list', '--json', '--db', db]);
    expect(JSON.parse(list.stdout)).toEqual([expect.objectContaining({ id: run.sessionId, status: 'idle', topology: 'pipeline' })]);

    const show = JSON.parse((await runCli(['sessions', 'show', run.sessionId, '--json', '--db', db])).stdout) as { answer: string; status: string };
    expect(show.answer).toBe(run.answer);

    const events = (await runCli(['sessions', 'events', run.sessionId, '--json', '--db', db])).stdout.trim().split('\n').map((line) => JSON.parse(line) as SessionEvent);
    expect(events[0]?.type).toBe('session.created');
    expect(events.map((event) => event.seq)).toEqual(events.map((_, index) => index + 1));
    expect(events.at(-1)?.type).toBe('session.status_idle');
  });

  it('follows a session that another process is running', async () => {
    const db = database('follow');
    const runner = collect(startCli(['run', 'examples/pipeline.yaml', '--json', '--db', db]));
    let sessionId: string | undefined;
    while (sessionId === undefined) {
      const store = createSqliteStore({ path: db });
      sessionId = (await store.listSessions({ limit: 1 }))[0]?.id;
      await store.close();
      if (sessionId === undefined) await new Promise((resolve) => setTimeout(resolve, 30));
    }
    const follower = startCli(['sessions', 'events', sessionId, '--follow', '--json', '--db', db]);
    const followed = collect(follower);
    // The follower is stopped once it has printed the session's end, however long a busy machine
    // takes to start it and catch up: a fixed wait here would sometimes stop it before.
    const caughtUp = untilPrinted(follower, '"type":"session.status_idle"');
    await runner;
    await caughtUp;
    follower.kill('SIGINT');
    const lines = (await followed).stdout.trim().split('\n').map((line) => JSON.parse(line) as SessionEvent);
    expect(lines.at(-1)?.type).toBe('session.status_idle');
    expect(lines.map((event) => event.seq)).toEqual(lines.map((_, index) => index + 1));
  });

  it('says clearly when a session does not exist', async () => {
    const result = await runCli(['sessions', 'show', 'sesn_nope', '--db', database('missing')]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('error[session_not_found]');
    expect(result.stderr).toContain('conclave sessions list');
  });
});
