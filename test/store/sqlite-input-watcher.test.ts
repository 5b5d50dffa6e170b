// The SQLite store's `watch`: one data-version check per store tells a runner about appends another
// process (here: a second store instance on the same file) makes to the sessions it watches — and
// nothing about the sessions it does not watch. Every wait is on a callback or a condition, never a sleep.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Kernel, type SessionDefinition } from '../../src/kernel/index.js';
import { createId } from '../../src/protocol/ids.js';
import type { NewSessionEvent } from '../../src/protocol/events.js';
import { openDatabase } from '../../src/store/sqlite-database.js';
import { createSqliteInputWatcher } from '../../src/store/sqlite-input-watcher.js';
import { createSqliteStore, type SqliteSessionStore } from '../../src/store/sqlite-store.js';
import { createScriptedProvider } from '../support/scripted-provider.js';
import { testRegistry } from '../support/registry.js';

function message(text: string): NewSessionEvent {
  return { id: createId('event'), type: 'user.message', at: new Date().toISOString(), data: { text } };
}

function messages(count: number): NewSessionEvent[] {
  return Array.from({ length: count }, (_, index) => message(`m${index}`));
}

/** Records a watcher's calls, and resolves `reached(seq)` once a call reports at least `seq`. */
function recorder() {
  const calls: Array<number | undefined> = [];
  const waiting: Array<{ seq: number; resolve: () => void }> = [];
  return {
    calls,
    onAppend(seq?: number): void {
      calls.push(seq);
      for (const wait of waiting.splice(0)) {
        if (seq !== undefined && seq >= wait.seq) wait.resolve();
        else waiting.push(wait);
      }
    },
    reached(seq: number): Promise<void> {
      if (calls.some((call) => call !== undefined && call >= seq)) return Promise.resolve();
      return new Promise((resolve) => waiting.push({ seq, resolve }));
    },
  };
}

async function waitFor(probe: () => boolean, what: string, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!probe()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

let directory: string | undefined;
const stores: SqliteSessionStore[] = [];

afterEach(async () => {
  for (const store of stores.splice(0)) await store.close();
  if (directory !== undefined) rmSync(directory, { recursive: true, force: true });
  directory = undefined;
});

function databasePath(): string {
  directory ??= mkdtempSync(join(tmpdir(), 'conclave-watch-'));
  return join(directory, 'conclave.db');
}

/** Two store instances on one file: a runner's and another process's. */
function twoStores(): { runner: SqliteSessionStore; other: SqliteSessionStore } {
  const path = databasePath();
  const runner = createSqliteStore({ path, watchIntervalMs: 5 });
  const other = createSqliteStore({ path, watchIntervalMs: 5 });
  stores.push(runner, other);
  return { runner, other };
}

describe('SQLite store watch', () => {
  it('calls a watcher when another instance appends to the watched session, with the new last seq', async () => {
    const { runner, other } = twoStores();
    const sessionId = createId('session');
    await other.append(sessionId, 1, [message('created')]);
    const watcher = recorder();
    const stop = runner.watch?.(sessionId, watcher.onAppend);
    try {
      await other.append(sessionId, 2, messages(3));
      await watcher.reached(4);
      // Seq 1 existed before the watch began: it is not reported as news.
      expect(watcher.calls).toEqual([4]);
    } finally {
      stop?.();
    }
  });

  it('hears appends to a running session, whose row the appends leave alone, and both instances agree on its head', async () => {
    const { runner, other } = twoStores();
    const sessionId = createId('session');
    await runner.append(sessionId, 1, [message('created'), { id: createId('event'), type: 'session.status_running', at: new Date().toISOString(), data: {} }]);
    const watcher = recorder();
    const stop = runner.watch?.(sessionId, watcher.onAppend, 2);
    try {
      await other.append(sessionId, 3, messages(2));
      await watcher.reached(4);
      expect(watcher.calls).toEqual([4]);
      expect(await runner.head(sessionId)).toBe(4);
      expect(await runner.getSession(sessionId)).toMatchObject({ status: 'running', lastSeq: 4 });
      // The runner's next append is checked against that head.
      await expect(runner.append(sessionId, 3, [message('late')])).rejects.toMatchObject({ code: 'store_conflict' });
      await runner.append(sessionId, 5, [message('after')]);
      expect(await other.head(sessionId)).toBe(5);
    } finally {
      stop?.();
    }
  });

  it('does not call a watcher for appends to sessions it does not watch', async () => {
    const { runner, other } = twoStores();
    const watched = createId('session');
    const unwatched = createId('session');
    const watcher = recorder();
    const stop = runner.watch?.(watched, watcher.onAppend);
    try {
      await other.append(unwatched, 1, messages(7));
      await other.append(watched, 1, messages(2));
      await watcher.reached(2);
      expect(watcher.calls).toEqual([2]);
    } finally {
      stop?.();
    }
  });

  it('announces the store\'s own appends once, and then only what is new from others', async () => {
    const { runner, other } = twoStores();
    const sessionId = createId('session');
    const watcher = recorder();
    const stop = runner.watch?.(sessionId, watcher.onAppend);
    try {
      await runner.append(sessionId, 1, messages(2));
      await watcher.reached(2);
      await other.append(sessionId, 3, messages(1));
      await watcher.reached(3);
      expect(watcher.calls).toEqual([2, 3]);
    } finally {
      stop?.();
    }
  });

  it('starts from the seq the caller says it knows: what lies past it is news at the next change to the file', async () => {
    const { runner, other } = twoStores();
    const known = createId('session');
    const unknown = createId('session');
    await other.append(known, 1, messages(3));
    await other.append(unknown, 1, messages(3));
    const told = recorder();
    const untold = recorder();
    // The caller of the first watch has seen seq 1 only; the second watch starts from the head (3).
    const stopKnown = runner.watch?.(known, told.onAppend, 1);
    const stopUnknown = runner.watch?.(unknown, untold.onAppend);
    try {
      // A change to a third session makes the store look at both heads.
      await other.append(createId('session'), 1, messages(1));
      await told.reached(3);
      expect(told.calls).toEqual([3]);
      expect(untold.calls).toEqual([]);
    } finally {
      stopKnown?.();
      stopUnknown?.();
    }
  });

  it('serves several watchers of one session; a stop removes only its own watcher', async () => {
    const { runner, other } = twoStores();
    const sessionId = createId('session');
    const first = recorder();
    const second = recorder();
    const stopFirst = runner.watch?.(sessionId, first.onAppend);
    const stopSecond = runner.watch?.(sessionId, second.onAppend);
    // The same function twice is two watchers too.
    const third = recorder();
    const stopThird = runner.watch?.(sessionId, third.onAppend);
    const stopThirdAgain = runner.watch?.(sessionId, third.onAppend);
    try {
      await other.append(sessionId, 1, messages(1));
      await Promise.all([first.reached(1), second.reached(1), third.reached(1)]);
      expect(third.calls).toEqual([1, 1]);

      stopFirst?.();
      stopFirst?.(); // twice is harmless
      stopThirdAgain?.();
      await other.append(sessionId, 2, messages(1));
      await Promise.all([second.reached(2), third.reached(2)]);
      expect(first.calls).toEqual([1]);
      expect(second.calls).toEqual([1, 2]);
      expect(third.calls).toEqual([1, 1, 2]);
    } finally {
      stopSecond?.();
      stopThird?.();
    }
  });

  it('stops calling watchers once the store is closed, and a watch on a closed store does nothing', async () => {
    const { runner, other } = twoStores();
    const sessionId = createId('session');
    const closedWatcher = recorder();
    runner.watch?.(sessionId, closedWatcher.onAppend);
    // A third instance watching the same session tells when the append has been seen.
    const witness = createSqliteStore({ path: runner.path, watchIntervalMs: 5 });
    stores.push(witness);
    const witnessWatcher = recorder();
    const stopWitness = witness.watch?.(sessionId, witnessWatcher.onAppend);
    await runner.close();
    const lateStop = runner.watch?.(sessionId, closedWatcher.onAppend);
    lateStop?.();
    await other.append(sessionId, 1, messages(1));
    await witnessWatcher.reached(1);
    stopWitness?.();
    expect(closedWatcher.calls).toEqual([]);
  });
});

describe('the SQLite input watcher', () => {
  it('has a timer from the first watch until a tick finds nothing watched, and none after close', async () => {
    const path = databasePath();
    const db = openDatabase(path, 5000);
    const watcher = createSqliteInputWatcher(db, { intervalMs: 5 });
    try {
      expect(watcher.polling).toBe(false);
      const stopA = watcher.watch('session_a', () => undefined);
      const stopB = watcher.watch('session_b', () => undefined);
      const stopB2 = watcher.watch('session_b', () => undefined);
      expect(watcher.watchedSessions).toBe(2);
      expect(watcher.polling).toBe(true);
      stopB();
      expect(watcher.watchedSessions).toBe(2);
      stopB2();
      stopA();
      expect(watcher.watchedSessions).toBe(0);
      // A session started right after the last one stopped finds the timer still there…
      expect(watcher.polling).toBe(true);
      // …and the first tick with nothing watched removes it.
      await waitFor(() => !watcher.polling, 'the idle timer to stop');

      watcher.watch('session_a', () => undefined);
      expect(watcher.polling).toBe(true);
      watcher.close();
      expect(watcher.polling).toBe(false);
      expect(watcher.watchedSessions).toBe(0);
      watcher.watch('session_a', () => undefined);
      expect(watcher.polling).toBe(false);
    } finally {
      watcher.close();
      db.close();
    }
  });

  it('with interval 0 keeps no timer and hears only announcements', async () => {
    const db = openDatabase(':memory:', 5000);
    const watcher = createSqliteInputWatcher(db, { intervalMs: 0 });
    try {
      const heard = recorder();
      watcher.watch('session_a', heard.onAppend);
      expect(watcher.polling).toBe(false);
      watcher.announce('session_b', 9);
      watcher.announce('session_a', 3);
      watcher.announce('session_a', 2);
      await heard.reached(3);
      expect(heard.calls).toEqual([3]);
    } finally {
      watcher.close();
      db.close();
    }
  });
});

describe('a kernel on a SQLite file hears input journaled by another store instance', () => {
  function pipelineOf(count: number): SessionDefinition {
    return {
      topology: 'pipeline',
      agents: Array.from({ length: count }, (_, index) => ({ name: `stage${index}`, model: 'script/any' })),
      options: { passes: 1, include_task: false },
      retry: { maxAttempts: 2, initialDelayMs: 1, maxDelayMs: 2 },
    };
  }

  it('stops on an interrupt another instance journals, through watch (no inputPollMs)', async () => {
    const { runner: runnerStore, other: senderStore } = twoStores();
    const provider = createScriptedProvider(() => ({ hang: true }));
    const runner = new Kernel({ store: runnerStore, registry: testRegistry(provider.module) });
    const sender = new Kernel({ store: senderStore, registry: testRegistry(provider.module) });
    const sessionId = await runner.createSession(pipelineOf(1), { task: 'task' });
    const done = runner.runSession(sessionId);
    await waitFor(() => provider.calls.length === 1, 'the hanging call');
    await sender.send(sessionId, { text: 'from the other process' });
    await sender.interrupt(sessionId, 'stop from afar');
    const result = await done;
    expect(result).toMatchObject({ status: 'idle', stopReason: 'interrupted' });
    const events = await runnerStore.read(sessionId);
    expect(events.map((event) => event.seq)).toEqual(events.map((_, index) => index + 1));
    expect(events.some((event) => event.type === 'user.message' && event.data['text'] === 'from the other process')).toBe(true);
    expect(events.at(-1)?.data).toMatchObject({ reason: 'stop from afar' });
  });
});
