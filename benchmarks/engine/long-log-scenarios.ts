/**
 * Engine scenarios over long logs and large stores: resuming a session whose log holds 10,000
 * events (a process died mid-run), and the per-step cost of a pipeline on a store that already
 * holds a million events, against the same pipeline on an empty store in the same process.
 */
import { join } from 'node:path';
import { Kernel, type SessionDefinition } from '../../src/kernel/index.js';
import { createDefaultRegistry } from '../../src/presets/default-registry.js';
import type { NewSessionEvent, SessionEvent } from '../../src/protocol/index.js';
import { createSqliteStore } from '../../src/store/index.js';
import { inTempDirectory, instant, median, peakRssMb, type ScenarioResult } from './bench-support.js';

function pipeline(stages: number, passes: number): SessionDefinition {
  return { topology: 'pipeline', agents: Array.from({ length: stages }, (_, index) => ({ name: `s${index}`, model: instant })), options: { passes, include_task: false } };
}

function asDraft(event: SessionEvent): NewSessionEvent {
  return { id: event.id, type: event.type, at: event.at, data: event.data };
}

/** How many `command.started` each command has in `events`. */
function startsByCommand(events: readonly SessionEvent[]): Map<string, number> {
  const starts = new Map<string, number>();
  for (const event of events) {
    if (event.type !== 'command.started') continue;
    const commandId = String(event.data.commandId);
    starts.set(commandId, (starts.get(commandId) ?? 0) + 1);
  }
  return starts;
}

/**
 * Resume of a session that died after 10,000 events: a fresh kernel (new process state, same
 * store) reads the log, replays every completed call from it and runs the rest. Timed from
 * `runSession` to the first call that had not completed before the crash (the figure), and to the
 * session's end (a note). Fails if any call completed before the crash is issued again.
 */
export async function resumeLongLog(eventCount = 10_000, runs = 7): Promise<ScenarioResult> {
  return inTempDirectory(async (directory) => {
    const path = join(directory, 'resume.db');
    const store = createSqliteStore({ path });
    const registry = createDefaultRegistry();
    // A whole run just long enough to cut at `eventCount`, so that a few dozen steps are left to
    // run after the resume: sized from the events a pass journals (two calibration runs, one and two
    // passes, tell a pass's events from the session's own).
    const calibrate = async (passes: number): Promise<number> => {
      const run = await new Kernel({ store, registry }).run(pipeline(40, passes), { task: 'calibrate' });
      return (await store.read(run.sessionId)).length;
    };
    const onePass = await calibrate(1);
    const perPass = (await calibrate(2)) - onePass;
    const passes = Math.min(100, Math.ceil((eventCount + 30 - (onePass - perPass)) / perPass));
    const whole = await new Kernel({ store, registry }).run(pipeline(40, passes), { task: 'resume' });
    const events = await store.read(whole.sessionId);
    if (events.length < eventCount + 20) throw new Error(`the source run has only ${events.length} events`);
    // Cut before a command.started, so the crash falls between two steps' commits, as a real one does.
    let cut = eventCount;
    while (events[cut]?.type !== 'command.started') cut += 1;
    const prefix = events.slice(0, cut).map(asDraft);
    const before = startsByCommand(events.slice(0, cut));
    const completedBefore = new Set(events.slice(0, cut).filter((event) => event.type === 'command.completed').map((event) => String(event.data.commandId)));
    const timings: number[] = [];
    const reads: number[] = [];
    const totals: number[] = [];
    let remainingSteps = 0;
    for (let run = 0; run < runs; run += 1) {
      const sessionId = `sesn_resume_${run}`;
      await store.append(sessionId, 1, prefix);
      // The floor: only reading the log back from the store.
      const read = process.hrtime.bigint();
      await store.read(sessionId);
      reads.push(Number(process.hrtime.bigint() - read) / 1e6);
      const kernel = new Kernel({ store, registry });
      // The resume is over when the first call not completed before the crash is journaled.
      let firstNewCallAt: bigint | undefined;
      const append = store.append.bind(store);
      store.append = (id, expectedSeq, drafts, options) => {
        if (firstNewCallAt === undefined && drafts.some((draft) => draft.type === 'command.started' && !completedBefore.has(String(draft.data.commandId)))) {
          firstNewCallAt = process.hrtime.bigint();
        }
        return append(id, expectedSeq, drafts, options);
      };
      const started = process.hrtime.bigint();
      const result = await kernel.runSession(sessionId);
      const ended = process.hrtime.bigint();
      store.append = append;
      timings.push(Number((firstNewCallAt ?? ended) - started) / 1e6);
      totals.push(Number(ended - started) / 1e6);
      if (result.answer === undefined) throw new Error(`the resumed session failed: ${JSON.stringify(result.error)}`);
      const after = startsByCommand(await store.read(sessionId));
      for (const commandId of completedBefore) {
        if (after.get(commandId) !== before.get(commandId)) throw new Error(`${commandId} completed before the crash and was issued again on resume`);
      }
      remainingSteps = [...after.keys()].filter((commandId) => !completedBefore.has(commandId)).length;
    }
    await store.close();
    return {
      name: `resume of a ${prefix.length.toLocaleString('en')}-event session`,
      value: Math.round(median(timings) * 10) / 10,
      unit: 'ms',
      notes: { runs, 'log read ms': Math.round(median(reads) * 10) / 10, 'ms to the end': Math.round(median(totals)), 'steps left to run': remainingSteps, reissued: 0, min: Math.round(Math.min(...timings)), max: Math.round(Math.max(...timings)) },
      peakRssMb: peakRssMb(),
    };
  });
}

async function pipelinePerStepUs(kernel: Kernel, runs: number): Promise<number> {
  const definition = pipeline(12, 1);
  const perRun: number[] = [];
  for (let run = 0; run < runs; run += 1) {
    const started = process.hrtime.bigint();
    const result = await kernel.run(definition, { task: `task ${run}` });
    if (result.answer === undefined) throw new Error(`pipeline-12 failed: ${JSON.stringify(result.error)}`);
    perRun.push(Number(process.hrtime.bigint() - started) / 1000 / 12);
  }
  return median(perRun);
}

/** Appends `total` events to a store as 1,000-event sessions, in 500-event appends. */
async function fill(store: ReturnType<typeof createSqliteStore>, total: number): Promise<void> {
  const data = { commandId: 'pipeline/pass:1/stage:0/generate:0', text: 'hello '.repeat(20) };
  const at = new Date().toISOString();
  for (let session = 0; session * 1000 < total; session += 1) {
    const sessionId = `sesn_fill_${session}`;
    for (let seq = 1; seq <= 1000; seq += 500) {
      const batch = Array.from({ length: 500 }, (_, index) => ({ id: `evnt_${session}_${seq + index}`, type: seq + index === 1 ? 'session.created' : 'command.completed', at, data }));
      await store.append(sessionId, seq, batch);
    }
  }
}

/**
 * Per-step cost of pipeline-12 on a store holding `total` events (other sessions' logs), as a
 * ratio to the same pipeline on an empty store, both measured in this process, interleaved.
 */
export async function largeStore(total = 1_000_000, runs = 100): Promise<ScenarioResult> {
  return inTempDirectory(async (directory) => {
    const registry = createDefaultRegistry();
    const empty = createSqliteStore({ path: join(directory, 'empty.db') });
    const filling = createSqliteStore({ path: join(directory, 'full.db') });
    const filled = process.hrtime.bigint();
    await fill(filling, total);
    // Closed and opened again, so the measurement sees a store at rest holding the events, not
    // one still checkpointing the fill's write-ahead log.
    await filling.close();
    const fillSeconds = Number(process.hrtime.bigint() - filled) / 1e9;
    const full = createSqliteStore({ path: join(directory, 'full.db') });
    const onEmpty = new Kernel({ store: empty, registry });
    const onFull = new Kernel({ store: full, registry });
    await pipelinePerStepUs(onEmpty, 20);
    await pipelinePerStepUs(onFull, 20);
    const emptyUs: number[] = [];
    const fullUs: number[] = [];
    for (let round = 0; round < 5; round += 1) {
      emptyUs.push(await pipelinePerStepUs(onEmpty, runs / 5));
      fullUs.push(await pipelinePerStepUs(onFull, runs / 5));
    }
    await empty.close();
    await full.close();
    const emptyMedian = median(emptyUs);
    const fullMedian = median(fullUs);
    return {
      name: `pipeline-12 on a store of ${(total / 1e6).toLocaleString('en')}M events`,
      value: Math.round((fullMedian / emptyMedian) * 100) / 100,
      unit: '× empty store',
      notes: { 'µs/step full': Math.round(fullMedian), 'µs/step empty': Math.round(emptyMedian), runs, 'fill s': Math.round(fillSeconds) },
      peakRssMb: peakRssMb(),
    };
  });
}
