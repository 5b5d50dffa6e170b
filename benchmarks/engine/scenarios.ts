/**
 * The engine benchmark's scenarios. Each runs in its own process (so peak RSS is its own) and
 * returns figures: the raw floors (a bare XState transition; the SQL-level rows of sql-floors.ts),
 * one step's commit through the store, the least a journaled step costs without the kernel (the
 * store, the machine and the offline adapter alone), engine overhead per agent step with an instant
 * offline model and the SQLite journal on, and 1,000 concurrent pipeline sessions whose model takes
 * 50 ms per call.
 */
import { join } from 'node:path';
import { PerformanceObserver, constants as perfConstants, type PerformanceEntry } from 'node:perf_hooks';
import { createActor, createMachine } from 'xstate';
import { compileCallStates, type CallRunner } from '../../src/kernel/call-states.js';
import { Kernel, type SessionDefinition } from '../../src/kernel/index.js';
import { createId, type AgentReply, type CallAgentsInput, type NewSessionEvent, type SessionStore } from '../../src/protocol/index.js';
import { createOfflineAdapter } from '../../providers/offline/index.js';
import { createDefaultRegistry } from '../../src/presets/default-registry.js';
import { createSqliteStore } from '../../src/store/index.js';
import { pipelineTopology } from '../../topologies/pipeline.js';
import { inTempDirectory, instant, median, peakRssMb, quantile, type ScenarioResult } from './bench-support.js';
import { bareSqlite, stepRows } from './sql-floors.js';

export type { ScenarioResult } from './bench-support.js';

function withTempDatabase<T>(body: (path: string) => Promise<T>): Promise<T> {
  return inTempDirectory((directory) => body(join(directory, 'bench.db')));
}

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
    const definition = pipelineOf(12, `${instant}?ttft_ms=50`);
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
