/**
 * The one conformance suite every session store runs (memory, SQLite, and later PostgreSQL). Each
 * case states behaviour a user would notice — a lost event, an interleaved log, a follower that
 * never wakes — so a new store is done when this suite passes. A case a store cannot run is skipped
 * with its reason in the test title.
 */
import type { ChildProcess } from 'node:child_process';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createId } from '../../src/protocol/ids.js';
import type { NewSessionEvent, SessionEvent } from '../../src/protocol/events.js';
import type { SessionStore } from '../../src/protocol/store.js';
import { startChildWriter, waitUntil, type ChildWriterCapability, type ChildWriterOptions, type RunningChildWriter } from './child-writer.js';

export type { ChildWriterCapability, ChildWriterOptions } from './child-writer.js';

export interface SessionStoreConformanceInit<S extends SessionStore = SessionStore> {
  name: string;
  /** A new, empty store. */
  create(): Promise<S>;
  /** Closes the store and removes its data. */
  destroy(store: S): Promise<void>;
  capabilities: {
    /** Whether several instances or processes can share the same data. */
    crossProcess: boolean;
    /** Opens a second instance on the same data as `store`; the suite closes it. */
    reopen?: (store: S) => Promise<S>;
    /** Spawns a child process that writes to the same data. */
    childWriter?: ChildWriterCapability<S>;
  };
}

const baseTime = Date.parse('2025-01-01T00:00:00.000Z');

/** ISO time `seconds` after a fixed origin, so summaries sort deterministically. */
function time(seconds: number): string {
  return new Date(baseTime + seconds * 1000).toISOString();
}

function event(type: string, data: Record<string, unknown> = {}, at: string = new Date().toISOString()): NewSessionEvent {
  return { id: createId('event'), type, at, data };
}

function sessionCreated(data: Record<string, unknown>, at?: string): NewSessionEvent {
  return event('session.created', { document: {}, seed: 1, ...data }, at);
}

function activeTimers(): number {
  return process.getActiveResourcesInfo().filter((resource) => resource === 'Timeout').length;
}

/** Every event's seq, to compare against `1..n`. */
function seqs(events: readonly SessionEvent[]): number[] {
  return events.map((stored) => stored.seq);
}

function range(from: number, to: number): number[] {
  return Array.from({ length: to - from + 1 }, (_, index) => from + index);
}

/** A deterministic ~1 MB string mixing ASCII, JSON escapes, control characters, BMP and astral code points. */
function megabyteText(): string {
  const alphabet = ['a', 'Z', '0', ' ', '"', '\\', '\n', '\t', '\u0000', '\u007f', 'é', 'ß', '中', '\u2028', '👋', '𝄞', '{', '}'];
  let state = 12345;
  const parts: string[] = [];
  let length = 0;
  while (length < 1024 * 1024) {
    state = (Math.imul(state, 1103515245) + 12345) >>> 0;
    const part = alphabet[state % alphabet.length] as string;
    parts.push(part);
    length += part.length;
  }
  return parts.join('');
}

/**
 * Registers the session store conformance suite for one store.
 *
 * @example
 * describeSessionStoreConformance({
 *   name: 'memory',
 *   create: async () => createMemoryStore(),
 *   destroy: (store) => store.close(),
 *   capabilities: { crossProcess: false },
 * });
 */
export function describeSessionStoreConformance<S extends SessionStore>(init: SessionStoreConformanceInit<S>): void {
  const { reopen, childWriter } = init.capabilities;
  const sharedReason = `the ${init.name} store keeps its data inside one instance`;
  const reopenIf = caseIf(init.capabilities.crossProcess && reopen !== undefined, init.capabilities.crossProcess ? 'no reopen given' : sharedReason);
  const childIf = caseIf(
    init.capabilities.crossProcess && childWriter !== undefined,
    init.capabilities.crossProcess ? 'no child writer given' : `the ${init.name} store keeps its data inside one process: no durability across processes`,
  );

  describe(`session store conformance: ${init.name}`, () => {
    let store: S;
    const extraStores: SessionStore[] = [];
    const children: ChildProcess[] = [];

    beforeEach(async () => {
      store = await init.create();
    });

    afterEach(async () => {
      for (const child of children.splice(0)) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      for (const extra of extraStores.splice(0)) await extra.close();
      await init.destroy(store);
    });

    function startWriter(options: ChildWriterOptions, startOptions: { hold?: boolean } = {}): RunningChildWriter {
      if (childWriter === undefined) throw new Error('childWriter capability missing');
      const writer = startChildWriter(childWriter.command(store, options), options.writer, startOptions);
      children.push(writer.child);
      return writer;
    }

    async function openSecondInstance(): Promise<S> {
      if (reopen === undefined) throw new Error('reopen capability missing');
      const other = await reopen(store);
      extraStores.push(other);
      return other;
    }

    it('stores events in order with gapless seq from 1, per session, and returns them unchanged', async () => {
      const sessionId = createId('session');
      const otherId = createId('session');
      const data = { text: 'héllo 👋 "quoted"\n', nested: { list: [1, 'two', null, true], number: 1.5 } };
      const first = [sessionCreated({ topology: 'debate', task: 't' }), event('user.message', data)];
      const appended = await store.append(sessionId, 1, first);
      expect(appended).toEqual(first.map((written, index) => ({ ...written, sessionId, seq: index + 1 })));
      await store.append(otherId, 1, [event('user.message', { text: 'other' })]);
      await store.append(sessionId, 3, [event('command.started', { commandId: 'c/0' })]);

      const events = await store.read(sessionId);
      expect(seqs(events)).toEqual([1, 2, 3]);
      expect(events.map((stored) => stored.type)).toEqual(['session.created', 'user.message', 'command.started']);
      expect(events[1]).toEqual({ ...first[1], sessionId, seq: 2 });
      expect(events.every((stored) => stored.sessionId === sessionId)).toBe(true);
      expect(seqs(await store.read(otherId))).toEqual([1]);
    });

    it('rejects an expectedSeq that is too low or too high with store_conflict and writes nothing', async () => {
      const sessionId = createId('session');
      const written = [event('user.message', { text: 'a' }), event('user.message', { text: 'b' })];
      await store.append(sessionId, 1, written);
      const before = await store.getSession(sessionId);
      for (const expectedSeq of [1, 2, 4, 10]) {
        const error = await store.append(sessionId, expectedSeq, [event('user.message', { text: 'late' })]).catch((caught: unknown) => caught);
        expect(error).toMatchObject({ name: 'ConclaveError', code: 'store_conflict' });
        const message = (error as Error).message;
        expect(message).toContain(sessionId);
        expect(message).toContain(String(expectedSeq));
        expect(message).toContain('2');
      }
      expect(await store.head(sessionId)).toBe(2);
      expect((await store.read(sessionId)).map((stored) => stored.id)).toEqual(written.map((stored) => stored.id));
      expect(await store.getSession(sessionId)).toEqual(before);

      const neverCreated = createId('session');
      await expect(store.append(neverCreated, 2, [event('user.message')])).rejects.toMatchObject({ code: 'store_conflict' });
      expect(await store.head(neverCreated)).toBe(0);
      expect(await store.getSession(neverCreated)).toBeUndefined();
      expect((await store.listSessions()).map((summary) => summary.id)).toEqual([sessionId]);
    });

    it('keeps the log apart from callers: mutating what was appended or read changes nothing stored', async () => {
      const sessionId = createId('session');
      const written = event('user.message', { text: 'original', tags: ['a'] });
      const [appended] = await store.append(sessionId, 1, [written]);
      (written.data.tags as string[]).push('mutated after append');
      written.data.text = 'mutated after append';
      const [read] = await store.read(sessionId);
      expect(read?.data).toEqual({ text: 'original', tags: ['a'] });
      (read?.data.tags as string[]).push('mutated after read');
      expect((await store.read(sessionId))[0]?.data).toEqual({ text: 'original', tags: ['a'] });
      expect(appended?.seq).toBe(1);
    });

    it('lets exactly one of two concurrent appends with the same expectedSeq win', async () => {
      const sessionId = createId('session');
      await store.append(sessionId, 1, [event('user.message')]);
      const left = event('user.message', { writer: 'left' });
      const right = event('user.message', { writer: 'right' });
      const results = await Promise.allSettled([store.append(sessionId, 2, [left]), store.append(sessionId, 2, [right])]);
      const won = results.filter((result) => result.status === 'fulfilled');
      const lost = results.filter((result): result is PromiseRejectedResult => result.status === 'rejected');
      expect(won).toHaveLength(1);
      expect(lost).toHaveLength(1);
      expect(lost[0]?.reason).toMatchObject({ code: 'store_conflict' });
      const events = await store.read(sessionId);
      expect(seqs(events)).toEqual([1, 2]);
      const winner = results[0]?.status === 'fulfilled' ? left : right;
      expect(events[1]?.id).toBe(winner.id);
    });

    it('creates a session already claimed: its creator runs it under claim 1 until someone claims it again', async () => {
      const createClaimed = store.createClaimed?.bind(store);
      expect(createClaimed, 'built-in stores create sessions claimed in one write').toBeDefined();
      if (createClaimed === undefined) return;
      const sessionId = createId('session');
      const created = await createClaimed(sessionId, [sessionCreated({ topology: 'pipeline', task: 't' }), event('budget.set', { budget: { max_calls: 3 } })]);
      expect(created.fence).toBe(1);
      expect(seqs(created.events)).toEqual([1, 2]);
      expect(await store.read(sessionId)).toEqual(created.events);
      expect((await store.getSession(sessionId))?.topology).toBe('pipeline');
      await store.append(sessionId, 3, [event('command.started', { commandId: 'a' })], { fence: created.fence });
      // The first claim anyone else makes is 2, and it fences the creator out.
      expect(await store.claim(sessionId)).toBe(2);
      await expect(store.append(sessionId, 4, [event('command.completed', { commandId: 'a' })], { fence: created.fence })).rejects.toMatchObject({ code: 'session_claimed' });
      // A session that exists cannot be created again, claimed or not; its log is untouched.
      await expect(createClaimed(sessionId, [sessionCreated({ topology: 'debate', task: 'again' })])).rejects.toMatchObject({ code: 'store_conflict' });
      expect(seqs(await store.read(sessionId))).toEqual([1, 2, 3]);
      await expect(createClaimed(createId('session'), [])).rejects.toMatchObject({ code: 'invalid_argument' });
    });

    it('fences a runner out once the session is claimed again; user input without a claim still lands', async () => {
      const sessionId = createId('session');
      await store.append(sessionId, 1, [sessionCreated({ topology: 'pipeline', task: 't' })]);
      const first = await store.claim(sessionId);
      await store.append(sessionId, 2, [event('command.started', { commandId: 'a' })], { fence: first });
      const second = await store.claim(sessionId);
      expect(second).toBeGreaterThan(first);
      await expect(store.append(sessionId, 3, [event('command.completed', { commandId: 'a' })], { fence: first })).rejects.toMatchObject({ code: 'session_claimed' });
      await expect(store.append(sessionId, 3, [], { fence: first })).rejects.toMatchObject({ code: 'session_claimed' });
      expect(await store.head(sessionId)).toBe(2);
      await store.append(sessionId, 3, [event('user.message', { text: 'steer' })]);
      await store.append(sessionId, 4, [event('command.started', { commandId: 'b' })], { fence: second });
      expect((await store.read(sessionId)).map((stored) => stored.type)).toEqual(['session.created', 'command.started', 'user.message', 'command.started']);
      await expect(store.claim(createId('session'))).rejects.toMatchObject({ code: 'session_not_found' });
    });

    it('refuses a fenced append that would create a session: nobody holds a claim on a session that does not exist', async () => {
      const sessionId = createId('session');
      await expect(store.append(sessionId, 1, [sessionCreated({ topology: 'pipeline', task: 't' })], { fence: 1 })).rejects.toMatchObject({ code: 'session_claimed' });
      expect(await store.head(sessionId)).toBe(0);
      expect(await store.getSession(sessionId)).toBeUndefined();
    });

    it('refuses every append under an old claim that is still queued when the claim lands', async () => {
      const sessionId = createId('session');
      await store.append(sessionId, 1, [sessionCreated({ topology: 'pipeline', task: 't' })]);
      const old = await store.claim(sessionId);
      const inFlight = range(2, 21).map((seq) => store.append(sessionId, seq, [event('command.started', { seq })], { fence: old }));
      const claimed = store.claim(sessionId);
      const settled = await Promise.allSettled(inFlight);
      const fresh = await claimed;
      const landed = settled.filter((result) => result.status === 'fulfilled').length;
      // Whatever landed, landed as a gapless prefix; nothing under the old claim lands afterwards.
      expect(seqs(await store.read(sessionId))).toEqual(range(1, 1 + landed));
      await expect(store.append(sessionId, 2 + landed, [event('late')], { fence: old })).rejects.toMatchObject({ code: 'session_claimed' });
      await store.append(sessionId, 2 + landed, [event('next')], { fence: fresh });
    });

    it('writes a batch all or nothing: data that cannot be stored rejects the whole append', async () => {
      const sessionId = createId('session');
      await store.append(sessionId, 1, [event('user.message')]);
      const batch = [event('user.message', { text: 'fine' }), event('user.message', { size: BigInt(1) })];
      await expect(store.append(sessionId, 2, batch)).rejects.toMatchObject({ code: 'store_error' });
      expect(await store.head(sessionId)).toBe(1);
      expect(seqs(await store.read(sessionId))).toEqual([1]);
      expect((await store.getSession(sessionId))?.lastSeq).toBe(1);
    });

    it('reads from afterSeq with a limit, and nothing for an unknown session', async () => {
      const sessionId = createId('session');
      await store.append(sessionId, 1, range(1, 10).map((index) => event('user.message', { index })));
      expect(seqs(await store.read(sessionId, { afterSeq: 3, limit: 4 }))).toEqual([4, 5, 6, 7]);
      expect(seqs(await store.read(sessionId, { afterSeq: 8 }))).toEqual([9, 10]);
      expect(seqs(await store.read(sessionId, { limit: 2 }))).toEqual([1, 2]);
      expect(await store.read(sessionId, { afterSeq: 10 })).toEqual([]);
      expect(await store.read(sessionId, { limit: 0 })).toEqual([]);
      expect(await store.read(createId('session'))).toEqual([]);
    });

    it('reports head 0 for an unknown session and the last seq otherwise', async () => {
      const sessionId = createId('session');
      expect(await store.head(sessionId)).toBe(0);
      await store.append(sessionId, 1, [event('user.message'), event('user.message'), event('user.message')]);
      expect(await store.head(sessionId)).toBe(3);
    });

    it('summarises a session: topology, one-line title, created time, status from status events', async () => {
      const sessionId = createId('session');
      const task = `Is P equal to NP?\n  Argue   both sides. ${'Then conclude. '.repeat(20)}`;
      await store.append(sessionId, 1, [sessionCreated({ topology: 'debate', task }, time(1))]);
      const created = await store.getSession(sessionId);
      expect(created).toMatchObject({ id: sessionId, status: 'created', topology: 'debate', createdAt: time(1), updatedAt: time(1), lastSeq: 1 });
      expect(created?.title.startsWith('Is P equal to NP? Argue both sides. Then conclude.')).toBe(true);
      expect(created?.title.length).toBeLessThanOrEqual(80);
      expect(created?.title).not.toMatch(/\n/);

      await store.append(sessionId, 2, [event('session.status_running', {}, time(2))]);
      expect(await store.getSession(sessionId)).toMatchObject({ status: 'running', createdAt: time(1), updatedAt: time(2), lastSeq: 2 });
      await store.append(sessionId, 3, [event('agent.message', { text: 'done' }, time(3)), event('session.status_idle', { stopReason: 'end_turn' }, time(4))]);
      expect(await store.getSession(sessionId)).toMatchObject({ status: 'idle', updatedAt: time(4), lastSeq: 4, topology: 'debate' });
      await store.append(sessionId, 5, [event('session.status_running', {}, time(5)), event('session.status_terminated', {}, time(6))]);
      expect(await store.getSession(sessionId)).toMatchObject({ status: 'terminated', updatedAt: time(6), lastSeq: 6 });

      const titled = createId('session');
      await store.append(titled, 1, [sessionCreated({ topology: 'pipeline', task: 'long task', title: 'Release notes' }, time(6))]);
      expect(await store.getSession(titled)).toMatchObject({ title: 'Release notes', topology: 'pipeline' });
      expect(await store.getSession(createId('session'))).toBeUndefined();
    });

    it('lists sessions newest first, with limit and before for paging', async () => {
      const [older, newest, oldest] = [createId('session'), createId('session'), createId('session')];
      await store.append(older, 1, [sessionCreated({ topology: 'voting', task: 'b' }, time(2))]);
      await store.append(newest, 1, [sessionCreated({ topology: 'debate', task: 'a' }, time(3))]);
      await store.append(oldest, 1, [sessionCreated({ topology: 'dag', task: 'c' }, time(1))]);
      const ids = async (options?: Parameters<SessionStore['listSessions']>[0]): Promise<string[]> =>
        (await store.listSessions(options)).map((summary) => summary.id);
      expect(await ids()).toEqual([newest, older, oldest]);
      expect(await ids({ limit: 2 })).toEqual([newest, older]);
      expect(await ids({ before: time(3) })).toEqual([older, oldest]);
      expect(await ids({ before: time(2), limit: 1 })).toEqual([oldest]);
      expect((await store.listSessions({ limit: 1 }))[0]).toMatchObject({ topology: 'debate', title: 'a', status: 'created' });

      await store.append(oldest, 2, [event('session.status_running', {}, time(4))]);
      expect(await ids()).toEqual([oldest, newest, older]);
    });

    it('keeps a running session\'s summary current with every append: last seq, updated time, its place in the list', async () => {
      const [running, idle] = [createId('session'), createId('session')];
      await store.append(running, 1, [sessionCreated({ topology: 'pipeline', task: 'r' }, time(1)), event('session.status_running', {}, time(2))]);
      await store.append(idle, 1, [sessionCreated({ topology: 'pipeline', task: 'i' }, time(3))]);
      const ids = async (options?: Parameters<SessionStore['listSessions']>[0]): Promise<string[]> =>
        (await store.listSessions(options)).map((summary) => summary.id);
      expect(await ids()).toEqual([idle, running]);
      // Steps of the run: events that change nothing but the head.
      await store.append(running, 3, [event('command.started', {}, time(4))]);
      await store.append(running, 4, [event('command.completed', {}, time(5)), event('agent.message', { text: 'x' }, time(5)), event('command.started', {}, time(6))]);
      expect(await store.head(running)).toBe(6);
      expect(await store.getSession(running)).toMatchObject({ status: 'running', lastSeq: 6, updatedAt: time(6), createdAt: time(1), title: 'r' });
      expect(await ids()).toEqual([running, idle]);
      expect((await store.listSessions({ limit: 1 }))[0]).toMatchObject({ id: running, lastSeq: 6, updatedAt: time(6) });
      expect(await ids({ before: time(6) })).toEqual([idle]);
      expect(await ids({ status: 'running' })).toEqual([running]);
      // A stale head is refused as before, and the next append lands after the last event.
      await expect(store.append(running, 6, [event('command.completed', {}, time(7))])).rejects.toMatchObject({ code: 'store_conflict' });
      await store.append(running, 7, [event('command.completed', {}, time(7)), event('session.status_idle', { stopReason: 'end_turn' }, time(8))]);
      expect(await store.getSession(running)).toMatchObject({ status: 'idle', lastSeq: 8, updatedAt: time(8) });
      // Input to an idle session moves its summary too.
      await store.append(running, 9, [event('user.message', { content: [] }, time(9))]);
      expect(await store.getSession(running)).toMatchObject({ status: 'idle', lastSeq: 9, updatedAt: time(9) });
    });

    it('scopes sessions to workspaces, hides deleted ones, filters archived and status, and pages by (created, id) with no skips', async () => {
      const teamA = Array.from({ length: 5 }, () => createId('session'));
      // Three share one creation time: a time-only cursor would skip or repeat them.
      const times = [time(1), time(2), time(2), time(2), time(3)];
      for (const [index, id] of teamA.entries()) {
        await store.append(id, 1, [sessionCreated({ topology: 'debate', task: `a${index}`, workspace: 'team-a' }, times[index])]);
      }
      const other = createId('session');
      await store.append(other, 1, [sessionCreated({ topology: 'debate', task: 'b' }, time(2))]);
      expect(await store.getSession(other)).toMatchObject({ workspace: 'default', archivedAt: null, deleted: false });

      const pages: string[][] = [];
      let after: { at: string; id: string } | undefined;
      for (;;) {
        const page = await store.listSessions({ workspace: 'team-a', order: 'created', limit: 2, ...(after !== undefined ? { after } : {}) });
        if (page.length === 0) break;
        pages.push(page.map((summary) => summary.id));
        const last = page[page.length - 1] as (typeof page)[number];
        after = { at: last.createdAt, id: last.id };
      }
      expect(pages.flat().sort()).toEqual([...teamA].sort());
      expect(pages.flat()).toHaveLength(5);

      await store.append(teamA[0] as string, 2, [event('session.archived', {}, time(5))]);
      await store.append(teamA[1] as string, 2, [event('session.deleted', {}, time(5))]);
      await store.append(teamA[2] as string, 2, [event('session.status_running', {}, time(5))]);
      const listed = async (options: Parameters<SessionStore['listSessions']>[0]): Promise<string[]> =>
        (await store.listSessions(options)).map((summary) => summary.id).sort();
      expect(await listed({ workspace: 'team-a' })).toEqual([teamA[0], teamA[2], teamA[3], teamA[4]].sort());
      expect(await listed({ workspace: 'team-a', includeArchived: false })).toEqual([teamA[2], teamA[3], teamA[4]].sort());
      expect(await listed({ workspace: 'team-a', status: 'running' })).toEqual([teamA[2]]);
      expect(await store.getSession(teamA[0] as string)).toMatchObject({ archivedAt: time(5), workspace: 'team-a' });
      expect(await store.getSession(teamA[1] as string)).toMatchObject({ deleted: true });
    });

    it('counts sessions by status without listing them, leaving deleted ones out', async () => {
      expect(await store.countSessions()).toEqual({ created: 0, running: 0, idle: 0, terminated: 0 });
      const [running, idle, gone] = [createId('session'), createId('session'), createId('session')];
      await store.append(running, 1, [sessionCreated({ topology: 'pipeline', task: 'a' }), event('session.status_running')]);
      await store.append(idle, 1, [sessionCreated({ topology: 'pipeline', task: 'b' }), event('session.status_running'), event('session.status_idle')]);
      await store.append(gone, 1, [sessionCreated({ topology: 'pipeline', task: 'c' }), event('session.deleted')]);
      await store.append(createId('session'), 1, [sessionCreated({ topology: 'pipeline', task: 'd' })]);
      expect(await store.countSessions()).toEqual({ created: 1, running: 1, idle: 1, terminated: 0 });
    });

    it('follows: yields existing events, then new ones at once, and ends cleanly on abort without leaving timers', async () => {
      const sessionId = createId('session');
      await store.append(sessionId, 1, [event('user.message', { index: 1 }), event('user.message', { index: 2 })]);
      const timersBefore = activeTimers();
      const controller = new AbortController();
      const seen: SessionEvent[] = [];
      // A long poll interval: in-process appends must wake the follower without waiting for a poll.
      const following = (async () => {
        for await (const followed of store.follow(sessionId, { signal: controller.signal, pollIntervalMs: 60_000 })) {
          seen.push(followed);
          if (seen.length === 4) controller.abort();
        }
      })();
      await waitUntil(() => seen.length === 2, 'the existing events');
      await store.append(sessionId, 3, [event('user.message', { index: 3 })]);
      await waitUntil(() => seen.length === 3, 'the third event');
      await store.append(sessionId, 4, [event('user.message', { index: 4 }), event('user.message', { index: 5 })]);
      await following;
      expect(seqs(seen)).toEqual([1, 2, 3, 4]);
      // Other parts of the process may drop timers meanwhile; a leak shows as more, never fewer.
      expect(activeTimers()).toBeLessThanOrEqual(timersBefore);
    });

    it('follows from afterSeq, and an abort while waiting ends the loop at once', async () => {
      const sessionId = createId('session');
      await store.append(sessionId, 1, range(1, 5).map((index) => event('user.message', { index })));
      const timersBefore = activeTimers();
      const controller = new AbortController();
      const seen: SessionEvent[] = [];
      const following = (async () => {
        for await (const followed of store.follow(sessionId, { afterSeq: 3, signal: controller.signal, pollIntervalMs: 60_000 })) seen.push(followed);
      })();
      await waitUntil(() => seen.length === 2, 'the events after seq 3');
      // Nothing is appended and the poll interval (60 s) is past the test's timeout: only the abort
      // can end this follow (a store that polls while its notifications flow, as PostgreSQL does
      // every 5 s, would also end it late, which the memory and SQLite runs of this case catch).
      controller.abort();
      await following;
      expect(seqs(seen)).toEqual([4, 5]);
      // Other parts of the process may drop timers meanwhile; a leak shows as more, never fewer.
      expect(activeTimers()).toBeLessThanOrEqual(timersBefore);

      const alreadyAborted: SessionEvent[] = [];
      for await (const followed of store.follow(sessionId, { signal: controller.signal })) alreadyAborted.push(followed);
      expect(alreadyAborted).toEqual([]);
    });

    it('ends a follow that is waiting when the store is closed', async () => {
      const sessionId = createId('session');
      const following = (async () => {
        const seen: SessionEvent[] = [];
        for await (const followed of store.follow(sessionId, { pollIntervalMs: 60_000 })) seen.push(followed);
        return seen;
      })();
      await new Promise((resolve) => setTimeout(resolve, 20));
      await store.close();
      expect(await following).toEqual([]);
    });

    reopenIf('shares data with a second instance: it sees appends, refuses a stale expectedSeq, and wakes followers by polling', async () => {
      const other = await openSecondInstance();
      const sessionId = createId('session');
      const first = event('user.message', { from: 'first' });
      await store.append(sessionId, 1, [first]);
      expect(await other.head(sessionId)).toBe(1);
      await expect(other.append(sessionId, 1, [event('user.message')])).rejects.toMatchObject({ code: 'store_conflict' });
      const second = event('user.message', { from: 'second' });
      await other.append(sessionId, 2, [second]);
      expect((await store.read(sessionId)).map((stored) => stored.id)).toEqual([first.id, second.id]);
      expect((await store.getSession(sessionId))?.lastSeq).toBe(2);

      const controller = new AbortController();
      const seen: SessionEvent[] = [];
      const following = (async () => {
        for await (const followed of store.follow(sessionId, { afterSeq: 2, signal: controller.signal, pollIntervalMs: 20 })) {
          seen.push(followed);
          controller.abort();
        }
      })();
      const third = event('user.message', { from: 'other instance' });
      await other.append(sessionId, 3, [third]);
      await following;
      expect(seen.map((stored) => stored.id)).toEqual([third.id]);
    });

    reopenIf('fences across instances: a claim through one refuses the other\'s appends under its older claim', async () => {
      const other = await openSecondInstance();
      const sessionId = createId('session');
      await store.append(sessionId, 1, [sessionCreated({ topology: 'pipeline', task: 't' })]);
      const mine = await store.claim(sessionId);
      const theirs = await other.claim(sessionId);
      await expect(store.append(sessionId, 2, [event('command.started')], { fence: mine })).rejects.toMatchObject({ code: 'session_claimed' });
      await other.append(sessionId, 2, [event('command.started')], { fence: theirs });
      expect(seqs(await store.read(sessionId))).toEqual([1, 2]);
    });

    reopenIf('tells a watcher about another instance\'s append (when the store can watch)', async () => {
      if (store.watch === undefined) return;
      const other = await openSecondInstance();
      const sessionId = createId('session');
      await other.append(sessionId, 1, [event('user.message')]);
      let calls = 0;
      const stop = store.watch(sessionId, () => {
        calls += 1;
      });
      try {
        await new Promise((resolve) => setTimeout(resolve, 200));
        const before = calls;
        await other.append(sessionId, 2, [event('user.message')]);
        await waitUntil(() => calls > before, 'the watcher to be called', 5000);
      } finally {
        stop();
      }
    });

    childIf('follows events that another process appends', async () => {
      const sessionId = createId('session');
      const controller = new AbortController();
      const seen: SessionEvent[] = [];
      const following = (async () => {
        for await (const followed of store.follow(sessionId, { signal: controller.signal, pollIntervalMs: 20 })) {
          seen.push(followed);
          if (seen.length === 5) controller.abort();
        }
      })();
      const writer = startWriter({ sessionId, count: 5, writer: 'child' });
      expect(await writer.exited).toMatchObject({ code: 0 });
      await following;
      expect(seqs(seen)).toEqual(range(1, 5));
      expect(seen.map((stored) => stored.id)).toEqual(writer.acknowledgements.map((acknowledgement) => acknowledgement.id));
      expect(seen.every((stored) => stored.data.writer === 'child')).toBe(true);
    });

    childIf('never interleaves or loses events when two processes append to one session at once', async () => {
      const sessionId = createId('session');
      const perWriter = 300;
      const writers = ['left', 'right'].map((writer) => startWriter({ sessionId, count: perWriter, writer }, { hold: true }));
      await Promise.all(writers.map((writer) => writer.ready));
      for (const writer of writers) writer.go();
      for (const writer of writers) expect(await writer.exited).toMatchObject({ code: 0 });
      // The writers really did overlap: at least one of them lost a race and retried.
      expect(writers.reduce((sum, writer) => sum + writer.conflicts(), 0)).toBeGreaterThan(0);
      const events = await store.read(sessionId);
      expect(seqs(events)).toEqual(range(1, 2 * perWriter));
      const acknowledged = writers.flatMap((writer) => writer.acknowledgements);
      expect(acknowledged.map((acknowledgement) => acknowledgement.seq).sort((left, right) => left - right)).toEqual(range(1, 2 * perWriter));
      for (const acknowledgement of acknowledged) expect(events[acknowledgement.seq - 1]?.id).toBe(acknowledgement.id);
      for (const name of ['left', 'right']) {
        const indexes = events.filter((stored) => stored.data.writer === name).map((stored) => stored.data.index);
        expect(indexes).toEqual(range(0, perWriter - 1));
      }
    });

    it('holds 100,000 events in one session', async () => {
      const sessionId = createId('session');
      const total = 100_000;
      const batchSize = 1000;
      for (let start = 1; start <= total; start += batchSize) {
        const batch = range(start, start + batchSize - 1).map((index) => event('command.completed', { index }, time(index)));
        await store.append(sessionId, start, batch);
      }
      const events = await store.read(sessionId);
      expect(events).toHaveLength(total);
      expect(events.every((stored, index) => stored.seq === index + 1 && stored.data.index === index + 1)).toBe(true);
      expect(seqs(await store.read(sessionId, { afterSeq: total - 3 }))).toEqual([total - 2, total - 1, total]);
      expect(await store.getSession(sessionId)).toMatchObject({ lastSeq: total, updatedAt: time(total) });
    }, 120_000);

    it('round-trips a 1 MB payload byte-exact', async () => {
      const sessionId = createId('session');
      const data = { text: megabyteText(), numbers: [0, -1, 1.25, 1e21, Number.MAX_SAFE_INTEGER], flag: false, empty: {} };
      await store.append(sessionId, 1, [event('agent.tool_result', data)]);
      const [stored] = await store.read(sessionId);
      expect(stored?.data.text).toBe(data.text);
      expect(Buffer.from(JSON.stringify(stored?.data)).equals(Buffer.from(JSON.stringify(data)))).toBe(true);
    });

    childIf('keeps every acknowledged event when the writing process is killed with SIGKILL', async () => {
      const sessionId = createId('session');
      const writer = startWriter({ sessionId, count: 0, writer: 'doomed' });
      await writer.waitForAcknowledgements(200);
      writer.child.kill('SIGKILL');
      const exit = await writer.exited;
      expect(exit.signal).toBe('SIGKILL');
      const acknowledged = writer.acknowledgements;
      expect(acknowledged.length).toBeGreaterThanOrEqual(200);

      const reopened = await openSecondInstance();
      const events = await reopened.read(sessionId);
      expect(seqs(events)).toEqual(range(1, events.length));
      expect(events.length).toBeGreaterThanOrEqual(Math.max(...acknowledged.map((acknowledgement) => acknowledgement.seq)));
      for (const acknowledgement of acknowledged) expect(events[acknowledgement.seq - 1]?.id).toBe(acknowledgement.id);

      const head = await reopened.head(sessionId);
      expect(head).toBe(events.length);
      await reopened.append(sessionId, head + 1, [event('session.status_terminated')]);
      expect(await reopened.getSession(sessionId)).toMatchObject({ lastSeq: head + 1, status: 'terminated' });
    });
  });
}

/** `it` when the store can run the case, otherwise `it.skip` with the reason in the title. */
function caseIf(capable: boolean, reason: string): (title: string, test: () => Promise<void>, timeoutMs?: number) => void {
  return (title, test, timeoutMs) => {
    if (capable) it(title, test, timeoutMs);
    else it.skip(`${title} (skipped: ${reason})`, test);
  };
}
