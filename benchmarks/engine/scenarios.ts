/**
 * The engine benchmark's scenarios. Each runs in its own process (so peak RSS is its own) and
 * returns figures: the raw floor (a bare XState transition, a bare SQLite append, one step's commit through the store), the
 * least a journaled step costs without the kernel (the store, the machine and the offline adapter alone), engine overhead
 * per agent step with an instant offline model and the SQLite journal on, and 1,000 concurrent
 * pipeline sessions whose model takes 50 ms per call.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PerformanceObserver, constants as perfConstants, type PerformanceEntry } from 'node:perf_hooks';
import Database from 'better-sqlite3';
import { createActor, createMachine } from 'xstate';
import { compileCallStates, type CallRunner } from '../../src/kernel/call-states.js';
import { Kernel, type SessionDefinition } from '../../src/kernel/index.js';
import { createId, type AgentReply, type CallAgentsInput, type NewSessionEvent, type SessionStore } from '../../src/protocol/index.js';
import { createOfflineAdapter } from '../../providers/offline/index.js';
import { createDefaultRegistry } from '../../src/presets/default-registry.js';
import { createSqliteStore } from '../../src/store/index.js';
import { pipelineTopology } from '../../topologies/pipeline.js';

export interface ScenarioResult {
  name: string;
  /** Headline figure and its unit. */
  value: number;
  unit: string;
  /** Extra figures (runs, steps, spread). */
  notes: Record<string, number | string>;
  peakRssMb: number;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 0 ? ((sorted[middle - 1] ?? 0) + (sorted[middle] ?? 0)) / 2 : (sorted[middle] ?? 0);
}

function peakRssMb(): number {
  return Math.round((process.resourceUsage().maxRSS / 1024) * 10) / 10;
}

function withTempDatabase<T>(body: (path: string) => Promise<T>): Promise<T> {
  const directory = mkdtempSync(join(tmpdir(), 'conclave-bench-'));
  return body(join(directory, 'bench.db')).finally(() => rmSync(directory, { recursive: true, force: true }));
}

const instant = 'offline/echo';

function pipelineOf(stages: number, model = instant): SessionDefinition {
  return { topology: 'pipeline', agents: Array.from({ length: stages }, (_, index) => ({ name: `s${index}`, model })), options: { passes: 1, include_task: false } };
}

const definitions: Record<string, { definition: SessionDefinition; steps: number }> = {
  'pipeline-12': { definition: pipelineOf(12), steps: 12 },
  'parallel-100': {
    definition: { topology: 'parallel', agents: Array.from({ length: 100 }, (_, index) => ({ name: `w${index}`, model: instant })), options: { concurrency: 100 } },
    steps: 100,
  },
  'debate-3x3': {
    definition: {
      topology: 'debate',
      agents: ['a', 'b', 'c'].map((name) => ({ name, model: instant })),
      options: { rounds: 3, stop_on_consensus: false },
    },
    steps: 9,
  },
};

/**
 * Agent steps run before a per-step scenario measures: enough for V8 to have optimised the step's
 * code, so the figure is the engine's steady state, as in a server that has been up a while. With
 * 20 warm-up sessions (240 steps) pipeline-12 measured ≈ 1.5× its steady state (274 against 175 µs
 * a step, and 556 against 271 µs of CPU, 2026-12-05): that was V8's tiers, not the engine.
 */
const warmUpSteps = 2_400;

/**
 * Times whole sessions of `steps` steps: `session` run for the warm-up (`warmUpSteps`), then `runs`
 * times measured. The figure is the median wall time per step; the notes give the spread and the
 * process's CPU per step (user + system, every thread: SQLite's checkpoints included).
 *
 * @example
 * const { value, notes } = await timeSessions((task) => runOne(task), 12, 200);
 */
async function timeSessions(session: (task: string) => Promise<void>, steps: number, runs: number): Promise<{ value: number; notes: Record<string, number> }> {
  const warmUpRuns = Math.ceil(warmUpSteps / steps);
  for (let warm = 0; warm < warmUpRuns; warm += 1) await session('warm up');
  const perRun: number[] = [];
  const cpuPerRun: number[] = [];
  for (let run = 0; run < runs; run += 1) {
    const cpu = process.cpuUsage();
    const started = process.hrtime.bigint();
    await session(`task ${run}`);
    const elapsedUs = Number(process.hrtime.bigint() - started) / 1000;
    const used = process.cpuUsage(cpu);
    perRun.push(elapsedUs / steps);
    cpuPerRun.push((used.user + used.system) / steps);
  }
  return {
    value: Math.round(median(perRun) * 10) / 10,
    notes: { runs, steps, 'warm-up runs': warmUpRuns, p10: Math.round(quantile(perRun, 0.1)), p90: Math.round(quantile(perRun, 0.9)), 'CPU µs/step': Math.round(median(cpuPerRun)) },
  };
}

/** Engine overhead per agent step: whole-session wall time / steps, median over runs. */
async function perStep(name: string, runs: number): Promise<ScenarioResult> {
  const spec = definitions[name];
  if (spec === undefined) throw new Error(`unknown scenario ${name}`);
  return withTempDatabase(async (path) => {
    const store = createSqliteStore({ path });
    const kernel = new Kernel({ store, registry: createDefaultRegistry() });
    const timed = await timeSessions(async (task) => {
      const result = await kernel.run(spec.definition, { task });
      if (result.answer === undefined) throw new Error(`${name} failed: ${JSON.stringify(result.error)}`);
    }, spec.steps, runs);
    await store.close();
    return { name, ...timed, unit: 'µs/step', peakRssMb: peakRssMb() };
  });
}

function quantile(values: number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0;
}

/** A bare XState v5 transition: the floor under any machine step. */
async function bareXState(): Promise<ScenarioResult> {
  const machine = createMachine({ initial: 'a', states: { a: { on: { next: 'b' } }, b: { on: { next: 'a' } } } });
  const actor = createActor(machine).start();
  const count = 200_000;
  for (let index = 0; index < 10_000; index += 1) actor.send({ type: 'next' });
  const started = process.hrtime.bigint();
  for (let index = 0; index < count; index += 1) actor.send({ type: 'next' });
  const us = Number(process.hrtime.bigint() - started) / 1000 / count;
  return { name: 'bare XState transition', value: Math.round(us * 100) / 100, unit: 'µs', notes: { transitions: count }, peakRssMb: peakRssMb() };
}

/**
 * The pipeline-12 machine as the kernel runs it (its `callAgents` invokes compiled, see
 * call-states.ts), every call answered at once with one reply, no journal, no dispatcher: the part
 * of a step XState and the topology take whatever the kernel does. Per step, the actor's creation
 * spread over its 12 steps. With the step commit it is the least a journaled step can cost.
 */
async function machineStep(): Promise<ScenarioResult> {
  const usage = { inputTokens: 1, outputTokens: 1 };
  const answer: CallRunner = (_self, input) => {
    const [call] = (input as CallAgentsInput).calls;
    return Promise.resolve([{ path: call?.path ?? '', agent: call?.agent ?? '', text: 'hello', usage, cost: { usd: 0 }, completedSeq: 1 }]);
  };
  const machine = compileCallStates(pipelineTopology.machine, answer);
  const agents = Array.from({ length: 12 }, (_, index) => ({ name: `s${index}`, model: instant }));
  const input = { task: 'task', agents, options: { passes: 1, include_task: false }, seed: 0 };
  const once = (): Promise<void> =>
    new Promise((resolve, reject) => {
      const actor = createActor(machine, { input });
      actor.subscribe({ complete: () => resolve(), error: reject });
      actor.start();
    });
  const runs = 5_000;
  for (let warm = 0; warm < warmUpSteps / 12 + 1_000; warm += 1) await once();
  const started = process.hrtime.bigint();
  for (let run = 0; run < runs; run += 1) await once();
  const us = Number(process.hrtime.bigint() - started) / 1000 / runs / 12;
  return { name: 'pipeline-12 machine alone', value: Math.round(us * 100) / 100, unit: 'µs/step', notes: { runs, steps: 12 }, peakRssMb: peakRssMb() };
}

/**
 * The least a journaled pipeline step costs without conclave's kernel: the SQLite store's `append`,
 * the compiled pipeline machine and the offline adapter, wired by the fewest lines that keep the
 * journal's rule (a call's `command.started` committed before the call; its completion and message
 * committed with the next one, and the session's own start and end events). No dispatcher, no
 * retries, timeouts, redaction, live output, budget, result or resume: a bound any kernel on this
 * store, machine and adapter pays, so the pipeline-12 row can be read against it. Per step, like
 * pipeline-12: whole-session wall time / 12, median over runs.
 */
async function minimalStep(): Promise<ScenarioResult> {
  return withTempDatabase(async (path) => {
    const store: SessionStore = createSqliteStore({ path });
    const adapter = createOfflineAdapter();
    const agents = Array.from({ length: 12 }, (_, index) => ({ name: `s${index}`, model: instant }));
    let sessionId = '';
    let seq = 0;
    let held: NewSessionEvent[] = [];
    const event = (type: string, data: Record<string, unknown>): NewSessionEvent => ({ id: createId('event'), type, at: new Date().toISOString(), data });
    /** Appends `events` after the events held back (the last call's completion), and waits for the commit. */
    const commit = async (events: NewSessionEvent[]): Promise<void> => {
      const batch = [...held, ...events];
      held = [];
      await store.append(sessionId, seq + 1, batch);
      seq += batch.length;
    };
    const answer: CallRunner = async (_self, input) => {
      const [call] = (input as CallAgentsInput).calls;
      if (call === undefined) throw new Error('minimal-step: a step without a call');
      const commandId = `pipeline/${call.path}/generate:0`;
      const step = { topology: 'pipeline', agent: call.agent };
      await commit([event('command.started', { commandId, kind: 'model.generate', attempt: 1, input: { agent: call.agent, model: instant, messages: call.messages, seed: 1 }, step })]);
      let text = '';
      for await (const part of adapter.generate({ model: 'echo', messages: call.messages, seed: 1 }, { signal: new AbortController().signal, attempt: 1 })) {
        if (part.type === 'text-delta') text += part.delta;
      }
      const usage = { inputTokens: 1, outputTokens: 1 };
      held.push(
        event('command.completed', { commandId, kind: 'model.generate', attempt: 1, output: { text, finishReason: 'stop' }, model: instant, agent: call.agent, usage, cost: { usd: 0 } }),
        event('agent.message', { commandId, agent: call.agent, text, step }),
      );
      const reply: AgentReply = { path: call.path, agent: call.agent, text, usage, cost: { usd: 0 }, completedSeq: seq };
      return [reply];
    };
    const machine = compileCallStates(pipelineTopology.machine, answer);
    const session = async (task: string): Promise<void> => {
      sessionId = createId('session');
      held = [];
      await store.append(sessionId, 1, [event('session.created', { topology: 'pipeline', task, document: { topology: 'pipeline', agents } }), event('session.status_running', {})]);
      seq = 2;
      await new Promise<void>((resolve, reject) => {
        const actor = createActor(machine, { input: { task, agents, options: { passes: 1, include_task: false }, seed: 0 } });
        actor.subscribe({ complete: () => resolve(), error: reject });
        actor.start();
      });
      await commit([event('topology.completed', { topology: 'pipeline' }), event('session.status_idle', { stopReason: 'end_turn' })]);
    };
    const timed = await timeSessions(session, 12, 200);
    await store.close();
    return { name: 'pipeline-12 without the kernel', ...timed, unit: 'µs/step', peakRssMb: peakRssMb() };
  });
}

/** The floor's table, statement and row: one small event in a table keyed by session and seq. */
const floorSchema = 'CREATE TABLE events (session_id TEXT, seq INTEGER, type TEXT, data TEXT, PRIMARY KEY (session_id, seq))';
const floorInsert = 'INSERT INTO events VALUES (?, ?, ?, ?)';
const floorRow = { type: 'command.completed', data: '{"commandId":"pipeline/pass:1/stage:0/generate:0","text":"hello"}' };

/**
 * A plain better-sqlite3 database at `path`, set as conclave's store sets its file (WAL,
 * `synchronous = NORMAL`), with `schema` run on it.
 *
 * @example
 * const db = openPlainDatabase(join(directory, 'floor.db'), floorSchema);
 */
function openPlainDatabase(path: string, schema: string): Database.Database {
  const db = new Database(path);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.exec(schema);
  return db;
}

/**
 * One step's journal write at the SQL level, with no store around it, two ways, taking turns in one
 * process: the three events (`command.completed`, `agent.message`, the next `command.started`, as
 * large as the kernel writes them) as three rows of the events table, as the store writes them, and
 * as a single row holding all three (a table keyed by each batch's first seq) — the cheapest layout
 * a store could give a step's commit. The headline is the single row; the notes give three rows and
 * a one-row transaction of the floor's kind measured in the same process.
 */
async function stepRows(): Promise<ScenarioResult> {
  const directory = mkdtempSync(join(tmpdir(), 'conclave-bench-'));
  try {
    const open = (name: string, schema: string): Database.Database => openPlainDatabase(join(directory, name), schema);
    const sessionId = createId('session');
    const commandId = 'pipeline/pass:1/stage:0/generate:0';
    const step = { topology: 'pipeline', agent: 's0', phase: 'stage', round: 1 };
    const messages = [{ role: 'user', content: 'task 0' }];
    const events = [
      { type: 'command.completed', data: { commandId, kind: 'model.generate', attempt: 1, output: { text: 'task 0', finishReason: 'stop' }, model: instant, agent: 's0', usage: { inputTokens: 2, outputTokens: 2 }, cost: { usd: 0, simulated: true }, latencyMs: 1.52, simulated: true, timeToFirstTokenMs: 1.36 } },
      { type: 'agent.message', data: { commandId, agent: 's0', text: 'task 0', step } },
      { type: 'command.started', data: { commandId, kind: 'model.generate', attempt: 1, input: { agent: 's0', model: instant, messages, seed: 1736040779 }, step } },
    ].map((event) => ({ id: createId('event'), type: event.type, text: JSON.stringify(event.data) }));

    const small = open('small.db', floorSchema);
    const insertSmall = small.prepare(floorInsert);
    let smallSeq = 0;
    const oneSmallRow = small.transaction(() => insertSmall.run('s', (smallSeq += 1), floorRow.type, floorRow.data));

    const rows = open('rows.db', 'CREATE TABLE events (session_id TEXT NOT NULL, seq INTEGER NOT NULL, id TEXT NOT NULL, type TEXT NOT NULL, at TEXT NOT NULL, data TEXT NOT NULL, PRIMARY KEY (session_id, seq))');
    const insertRow = rows.prepare('INSERT INTO events VALUES (?, ?, ?, ?, ?, ?)');
    let rowSeq = 0;
    const threeRows = rows.transaction(() => {
      for (const event of events) insertRow.run(sessionId, (rowSeq += 1), event.id, event.type, new Date().toISOString(), event.text);
    });

    const batches = open('batches.db', 'CREATE TABLE batches (session_id TEXT NOT NULL, first_seq INTEGER NOT NULL, last_seq INTEGER NOT NULL, events TEXT NOT NULL, PRIMARY KEY (session_id, first_seq))');
    const insertBatch = batches.prepare('INSERT INTO batches VALUES (?, ?, ?, ?)');
    let batchSeq = 0;
    const oneRow = batches.transaction(() => {
      const text = `[${events.map((event) => `{"id":"${event.id}","type":"${event.type}","at":"${new Date().toISOString()}","data":${event.text}}`).join(',')}]`;
      insertBatch.run(sessionId, batchSeq + 1, batchSeq + events.length, text);
      batchSeq += events.length;
    });

    const kinds = [oneSmallRow, threeRows, oneRow];
    const timings: number[][] = [[], [], []];
    const block = 5_000;
    for (const write of kinds) for (let warm = 0; warm < 3_000; warm += 1) write();
    for (let round = 0; round < 7; round += 1) {
      kinds.forEach((write, kind) => {
        const started = process.hrtime.bigint();
        for (let index = 0; index < block; index += 1) write();
        timings[kind]?.push(Number(process.hrtime.bigint() - started) / 1000 / block);
      });
    }
    for (const db of [small, rows, batches]) db.close();
    const [smallUs, threeUs, oneUs] = timings.map((values) => Math.round(median(values) * 100) / 100) as [number, number, number];
    return {
      name: "a step's events as one SQL row",
      value: oneUs,
      unit: 'µs',
      notes: { 'as three rows µs': threeUs, 'one-row txn of the floor in this process µs': smallUs, 'one row ×': Math.round((oneUs / smallUs) * 100) / 100, 'three rows ×': Math.round((threeUs / smallUs) * 100) / 100, 'bytes of data': events.reduce((sum, event) => sum + event.text.length, 0) },
      peakRssMb: peakRssMb(),
    };
  } finally {
    rmSync(directory, { recursive: true, force: true });
  }
}

/** A bare better-sqlite3 insert of one small event row in its own transaction (WAL, NORMAL). */
async function bareSqlite(): Promise<ScenarioResult> {
  return withTempDatabase(async (path) => {
    const db = openPlainDatabase(path, floorSchema);
    const insert = db.prepare(floorInsert);
    const append = db.transaction((seq: number) => insert.run('s', seq, floorRow.type, floorRow.data));
    const count = 50_000;
    for (let seq = 1; seq <= 5_000; seq += 1) append(seq);
    const started = process.hrtime.bigint();
    for (let seq = 5_001; seq <= 5_000 + count; seq += 1) append(seq);
    const us = Number(process.hrtime.bigint() - started) / 1000 / count;
    db.close();
    return { name: 'bare SQLite append', value: Math.round(us * 100) / 100, unit: 'µs', notes: { appends: count }, peakRssMb: peakRssMb() };
  });
}

/**
 * One step's journal commit through the SQLite session store: three events (`command.completed`,
 * the next `command.started` carrying its step, `agent.message`) appended to one session and
 * awaited, 20,000 in a row — group commit, summary patch and WAL checkpoints included, no engine.
 */
async function stepCommit(): Promise<ScenarioResult> {
  return withTempDatabase(async (path) => {
    const store = createSqliteStore({ path });
    const sessionId = createId('session');
    let counter = 0;
    const event = (type: string, data: Record<string, unknown>) => ({ id: `evnt_${(counter += 1)}`, type, at: new Date().toISOString(), data });
    // A running session, as a run's steps find it (its row is then not written by a step's append).
    await store.append(sessionId, 1, [event('session.created', { topology: 'pipeline', task: 'commit' }), event('session.status_running', {})]);
    let seq = 3;
    const text = 'hello '.repeat(20);
    const step = async (): Promise<void> => {
      const commandId = `pipeline/pass:1/stage:${seq}/generate:0`;
      const events = [event('command.completed', { commandId, text }), event('command.started', { commandId, model: instant, step: { round: seq } }), event('agent.message', { text })];
      await store.append(sessionId, seq, events);
      seq += events.length;
    };
    for (let warm = 0; warm < 3_000; warm += 1) await step();
    const count = 20_000;
    const started = process.hrtime.bigint();
    for (let index = 0; index < count; index += 1) await step();
    const us = Number(process.hrtime.bigint() - started) / 1000 / count;
    await store.close();
    return { name: 'SQLite step commit', value: Math.round(us * 10) / 10, unit: 'µs', notes: { commits: count, events: 3 }, peakRssMb: peakRssMb() };
  });
}

/** What V8's collector paused the main thread for while it was watched: young-generation scavenges and full collections. */
interface GcPauses {
  scavengeMs: number;
  scavenges: number;
  fullMs: number;
  fulls: number;
}

/**
 * Sums V8's garbage-collection pauses (the `gc` performance entries) from now until the returned
 * stop is called.
 *
 * @example
 * const stop = watchGcPauses(); await work(); const { scavengeMs } = stop();
 */
function watchGcPauses(): () => GcPauses {
  const pauses: GcPauses = { scavengeMs: 0, scavenges: 0, fullMs: 0, fulls: 0 };
  const count = (entries: readonly PerformanceEntry[]): void => {
    for (const entry of entries) {
      const kind = ((entry as PerformanceEntry & { detail?: { kind?: number } }).detail)?.kind;
      if (kind === perfConstants.NODE_PERFORMANCE_GC_MINOR) {
        pauses.scavengeMs += entry.duration;
        pauses.scavenges += 1;
      } else if (kind === perfConstants.NODE_PERFORMANCE_GC_MAJOR) {
        pauses.fullMs += entry.duration;
        pauses.fulls += 1;
      }
    }
  };
  const observer = new PerformanceObserver((list) => count(list.getEntries()));
  observer.observe({ entryTypes: ['gc'] });
  return () => {
    count(observer.takeRecords());
    observer.disconnect();
    return pauses;
  };
}

/**
 * 1,000 pipeline-12 sessions at once, model latency 50 ms per call (ideal: 12 × 50 ms = 0.6 s). The
 * notes say where the wall time went: the process's CPU (main thread and helpers) and V8's
 * collection pauses during the burst.
 */
async function concurrentSessions(sessions: number): Promise<ScenarioResult> {
  return withTempDatabase(async (path) => {
    const store = createSqliteStore({ path });
    const kernel = new Kernel({ store, registry: createDefaultRegistry() });
    const definition = pipelineOf(12, 'offline/echo?ttft_ms=50');
    // Warmed up as the per-step scenarios are (2,400 steps), here by 200 sessions at once.
    await Promise.all(Array.from({ length: warmUpSteps / 12 }, (_, index) => kernel.run(definition, { task: `warm up ${index}` })));
    const stopWatching = watchGcPauses();
    const cpu = process.cpuUsage();
    const started = performance.now();
    const results = await Promise.all(Array.from({ length: sessions }, (_, index) => kernel.run(definition, { task: `task ${index}` })));
    const wallMs = performance.now() - started;
    const used = process.cpuUsage(cpu);
    // The last collection's entry is delivered on a later turn of the event loop.
    await new Promise((resolve) => setImmediate(resolve));
    const gc = stopWatching();
    const failed = results.filter((result) => result.answer === undefined).length;
    await store.close();
    return {
      name: `${sessions} concurrent pipeline-12 sessions (50 ms/call)`,
      value: Math.round(wallMs),
      unit: 'ms wall',
      notes: {
        sessions,
        failed,
        idealMs: 600,
        modelCalls: sessions * 12,
        'warm-up sessions': warmUpSteps / 12,
        'CPU ms': Math.round((used.user + used.system) / 1000),
        'GC pauses ms': `${Math.round(gc.scavengeMs)} in ${gc.scavenges} scavenges, ${Math.round(gc.fullMs)} in ${gc.fulls} full`,
      },
      peakRssMb: peakRssMb(),
    };
  });
}

/**
 * Runs one scenario by name.
 *
 * @example
 * const result = await runScenario('pipeline-12');
 */
export async function runScenario(name: string): Promise<ScenarioResult> {
  switch (name) {
    case 'bare-xstate':
      return bareXState();
    case 'bare-sqlite':
      return bareSqlite();
    case 'step-commit':
      return stepCommit();
    case 'step-rows':
      return stepRows();
    case 'machine-step':
      return machineStep();
    case 'minimal-step':
      return minimalStep();
    case 'concurrent-1000':
      return concurrentSessions(1000);
    default:
      return perStep(name, name === 'parallel-100' ? 30 : 200);
  }
}

export const scenarioNames = ['bare-xstate', 'bare-sqlite', 'step-rows', 'step-commit', 'machine-step', 'minimal-step', 'pipeline-12', 'parallel-100', 'debate-3x3', 'concurrent-1000'];
