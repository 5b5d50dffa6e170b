// `conclave send` and `conclave interrupt` as a user drives them, through spawned processes over
// one SQLite file: a follow-up turn after an answer, and an interrupt of a run in another process
// followed by a message that continues it.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSqliteStore } from '../../src/store/index.js';
import { readSqliteEvents } from '../support/stores.js';
import { collect, runCli, startCli } from '../support/cli.js';

let directory: string;
beforeAll(() => {
  directory = mkdtempSync(join(tmpdir(), 'conclave-send-'));
});
afterAll(() => rmSync(directory, { recursive: true, force: true }));

const readEvents = readSqliteEvents;

async function waitForStatus(db: string, status: string): Promise<string> {
  const deadline = Date.now() + 15_000;
  for (;;) {
    const store = createSqliteStore({ path: db });
    try {
      const [latest] = await store.listSessions({ limit: 1 });
      if (latest?.status === status) return latest.id;
    } finally {
      await store.close();
    }
    if (Date.now() > deadline) throw new Error(`no session reached ${status}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe('conclave send', () => {
  it('runs a follow-up turn on an idle session, with the first turn as history', async () => {
    const db = join(directory, 'follow-up.db');
    const first = await runCli(['run', 'examples/pipeline.yaml', '--json', '--db', db]);
    expect(first.code).toBe(0);
    const sessionId = (JSON.parse(first.stdout) as { sessionId: string }).sessionId;

    const second = await runCli(['send', sessionId, 'Now', 'in', 'one', 'sentence.', '--json', '--db', db]);
    expect(second.code).toBe(0);
    const result = JSON.parse(second.stdout) as { turns: number; answer: string; status: string };
    expect(result).toMatchObject({ turns: 2, status: 'idle' });
    expect(result.answer.length).toBeGreaterThan(0);
    const events = await readEvents(db, sessionId);
    expect(events.filter((event) => event.type === 'turn.started').map((event) => event.data['task'])).toEqual(['Now in one sentence.']);
    expect(events.filter((event) => event.type === 'topology.completed')).toHaveLength(2);
  });

  it('refuses an unknown session with exit 1 and says how to find one', async () => {
    const result = await runCli(['send', 'sesn_missing', 'hello', '--db', join(directory, 'empty.db')]);
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain('no session sesn_missing');
  });
});

describe('conclave interrupt', () => {
  it('stops a run in another process at once; a message sent afterwards continues the turn', async () => {
    const db = join(directory, 'interrupt.db');
    const document = join(directory, 'slow.yaml');
    writeFileSync(
      document,
      'topology: pipeline\ntask: Explain CRDTs in one line.\nagents:\n  - name: writer\n    model: offline/echo?ttft_ms=20000\n  - name: editor\n    model: offline/echo\n',
    );
    const runner = startCli(['run', document, '--json', '--db', db]);
    const finished = collect(runner);
    const sessionId = await waitForStatus(db, 'running');

    const steer = await runCli(['send', sessionId, 'Mention', 'merge', 'semantics.', '--db', db]);
    expect(steer.code).toBe(0);
    expect(steer.stdout).toContain('running in another process');

    // Interrupt once the writer's call is under way, so that it is the call the interrupt cuts.
    for (const deadline = Date.now() + 15_000; !(await readEvents(db, sessionId)).some((event) => event.type === 'command.started'); ) {
      if (Date.now() > deadline) throw new Error("the writer's call never started");
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    const interrupt = await runCli(['interrupt', sessionId, '--reason', 'taking too long', '--db', db]);
    expect(interrupt.code).toBe(0);
    const run = await finished;
    expect(run.code).toBe(130);
    expect(JSON.parse(run.stdout)).toMatchObject({ status: 'idle', stopReason: 'interrupted' });

    // The slow model is still slow: continue with a message, and interrupt the continuation too.
    const events = await readEvents(db, sessionId);
    const types = events.map((event) => event.type);
    expect(types.indexOf('user.interrupt')).toBeLessThan(types.lastIndexOf('session.status_idle'));
    expect(events.at(-1)?.data).toMatchObject({ stopReason: 'interrupted', reason: 'taking too long' });
    // The writer's call (20 s to its first token) was aborted, not waited out: it failed as aborted,
    // never completed, and the editor was never called.
    const writerCalls = events.filter((event) => event.type.startsWith('command.') && String(event.data['commandId']).includes('stage:0'));
    expect(writerCalls.map((event) => event.type)).toEqual(['command.started', 'command.failed']);
    expect(writerCalls[1]?.data).toMatchObject({ error: { code: 'aborted' } });
    expect(events.some((event) => String(event.data['commandId']).includes('stage:1'))).toBe(false);
    // The message sent before the interrupt was queued, and the interrupt dropped it.
    expect(types).not.toContain('steering.delivered');
  }, 30_000);
});
