// WAL checkpoints of the SQLite session store run off the commit path (sqlite-checkpointer.ts): these
// cases check that they still happen — once commits pause, and periodically under continuous load —
// that other connections see commits before any checkpoint, and that close() leaves nothing behind.
import { existsSync, mkdtempSync, readdirSync, readlinkSync, rmSync, statSync, unlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { createId } from '../../src/protocol/ids.js';
import { createSqliteStore } from '../../src/store/index.js';

const directory = mkdtempSync(join(tmpdir(), 'conclave-checkpoint-'));
let databases = 0;

afterAll(() => {
  rmSync(directory, { recursive: true, force: true });
});

function newDatabasePath(): string {
  databases += 1;
  return join(directory, `store-${databases}.db`);
}

function event(type: string, data: Record<string, unknown>) {
  return { id: createId('event'), type, at: new Date().toISOString(), data };
}

const kilobyte = 'x'.repeat(1024);

function fileSize(path: string): number {
  return existsSync(path) ? statSync(path).size : 0;
}

/** This process's open descriptors on files of the database at `path` (Linux: /proc/self/fd). */
function openFilesOf(path: string): string[] {
  return readdirSync('/proc/self/fd').flatMap((fd) => {
    try {
      const target = readlinkSync(`/proc/self/fd/${fd}`);
      return target.startsWith(path) ? [target] : [];
    } catch {
      return [];
    }
  });
}

async function waitFor(condition: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe('sqlite store checkpoints', () => {
  it('copies the WAL into the database file once commits pause', async () => {
    const path = newDatabasePath();
    const store = createSqliteStore({ path, checkpoint: { idleMs: 200 } });
    const sessionId = createId('session');
    await store.append(sessionId, 1, [event('session.created', { topology: 'pipeline', task: 'checkpoint' })]);
    await store.append(sessionId, 2, Array.from({ length: 199 }, () => event('agent.message', { text: kilobyte })));
    // 200 KB of events are in the WAL; the database file holds little more than the schema.
    expect(fileSize(path)).toBeLessThan(100_000);
    await waitFor(() => fileSize(path) > 200_000);
    expect(await store.head(sessionId)).toBe(200);
    await store.close();
  });

  it('keeps the WAL bounded under continuous load', async () => {
    const path = newDatabasePath();
    // No pause ever comes: only the append budget triggers checkpoints.
    const store = createSqliteStore({ path, checkpoint: { idleMs: 600_000, maxDelayMs: 600_000, maxAppends: 20 } });
    const sessionId = createId('session');
    await store.append(sessionId, 1, [event('session.created', { topology: 'pipeline', task: 'load' })]);
    let largestWal = 0;
    for (let seq = 2; seq <= 2000; seq += 1) {
      await store.append(sessionId, seq, [event('agent.message', { text: kilobyte })]);
      if (seq % 100 === 0) largestWal = Math.max(largestWal, fileSize(`${path}-wal`));
    }
    // Without checkpoints 2,000 appends of 1 KB would leave well over 8 MB of WAL (at least one 4 KB page each).
    expect(largestWal).toBeGreaterThan(0);
    expect(largestWal).toBeLessThan(4_000_000);
    expect(fileSize(path)).toBeGreaterThan(1_000_000);
    await store.close();
  });

  it('lets another connection read committed events before any checkpoint', async () => {
    const path = newDatabasePath();
    const writer = createSqliteStore({ path, checkpoint: { idleMs: 600_000, maxDelayMs: 600_000 } });
    const sessionId = createId('session');
    await writer.append(sessionId, 1, [event('session.created', { topology: 'pipeline', task: 'read me' })]);
    await writer.append(sessionId, 2, [event('agent.message', { text: 'hello' }), event('session.status_idle', {})]);

    const raw = new Database(path, { readonly: true });
    expect(raw.prepare('SELECT count(*) FROM events WHERE session_id = ?').pluck().get(sessionId)).toBe(3);
    raw.close();
    const reader = createSqliteStore({ path });
    expect((await reader.read(sessionId)).map((read) => read.type)).toEqual(['session.created', 'agent.message', 'session.status_idle']);
    expect(await reader.getSession(sessionId)).toMatchObject({ status: 'idle', title: 'read me', lastSeq: 3, workspace: 'default' });
    await reader.close();
    await writer.close();
  });

  it('closes cleanly while a checkpoint’s fsync is still running: every event kept, no WAL, no file left open', async () => {
    const path = newDatabasePath();
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'performance'] });
    let store: ReturnType<typeof createSqliteStore> | undefined;
    const sessionId = createId('session');
    try {
      store = createSqliteStore({ path, checkpoint: { idleMs: 10, maxDelayMs: 10 } });
      await store.append(sessionId, 1, [event('session.created', { topology: 'pipeline', task: 'close mid-cycle' })]);
      await store.append(sessionId, 2, Array.from({ length: 50 }, () => event('agent.message', { text: kilobyte })));
      // The timer starts a cycle: its WAL fsync is queued on the thread pool and cannot have
      // finished before this synchronous close.
      vi.advanceTimersByTime(20);
      expect(openFilesOf(path).length).toBeGreaterThan(0);
      await store.close();
    } finally {
      vi.useRealTimers();
    }
    expect(existsSync(`${path}-wal`)).toBe(false);
    await waitFor(() => openFilesOf(path).length === 0);
    const reopened = createSqliteStore({ path });
    expect(await reopened.head(sessionId)).toBe(51);
    await reopened.close();
  });

  it('keeps appending when a checkpoint cannot open the database file (removed under it), and closes', async () => {
    const path = newDatabasePath();
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'performance'] });
    const sessionId = createId('session');
    try {
      const store = createSqliteStore({ path, checkpoint: { idleMs: 10, maxDelayMs: 10 } });
      await store.append(sessionId, 1, [event('session.created', { topology: 'pipeline', task: 'file gone' })]);
      unlinkSync(path);
      // The checkpoint's timer fires here, synchronously: a throw would surface in this test.
      vi.advanceTimersByTime(20);
      await store.append(sessionId, 2, [event('agent.message', { text: 'still here' })]);
      vi.advanceTimersByTime(20);
      expect(await store.head(sessionId)).toBe(2);
      await store.close();
    } finally {
      vi.useRealTimers();
    }
  });

  it('checkpoints on close and leaves no timer and no WAL behind', async () => {
    // The checkpoint timer is unref'd, so only fake timers can count it; appends still flush on setImmediate.
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const paths: string[] = [];
    try {
      for (let index = 0; index < 20; index += 1) {
        const path = newDatabasePath();
        paths.push(path);
        const store = createSqliteStore({ path, checkpoint: { idleMs: 600_000, maxDelayMs: 600_000 } });
        await store.append(createId('session'), 1, [event('session.created', { topology: 'pipeline', task: `close ${index}` })]);
        expect(vi.getTimerCount()).toBe(1);
        await store.close();
        expect(vi.getTimerCount()).toBe(0);
      }
    } finally {
      vi.useRealTimers();
    }
    for (const path of paths) {
      expect(existsSync(`${path}-wal`)).toBe(false);
      const raw = new Database(path, { readonly: true });
      expect(raw.prepare('SELECT count(*) FROM sessions').pluck().get()).toBe(1);
      raw.close();
    }
  });
});
