/**
 * Runs a benchmark: plans every (contestant, prompt, repeat) sample, skips those a resumed run
 * already has, warms each model contestant up, runs the samples `concurrency` at a time, one
 * contestant after another (so contestants never compete for the machine or the network while
 * measured), plays the pairwise tournaments, and writes the five outputs. Each sample is appended
 * to the run's journal as it finishes, so an interrupted run continues with `--resume` and pays
 * for nothing twice.
 */
import { writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { ConclaveError, type Registry } from '../protocol/index.js';
import { BenchContext } from './bench-context.js';
import { silentProgress, type ProgressSink } from './bench-progress.js';
import type { BenchResults, BenchSettings } from './bench-types.js';
import { measureHarnessOverhead } from './harness-overhead.js';
import { loadSuite } from './load-suite.js';
import { pairwisePrompts, runPairwise } from './pairwise-phase.js';
import { renderHtmlReport } from './report-html.js';
import { renderMarkdownReport } from './report-markdown.js';
import { renderResultsCsv } from './results-csv.js';
import { ResponseCache } from './response-cache.js';
import { RunDirectory } from './run-directory.js';
import { runSample, warmUp, type SampleTask } from './run-sample.js';
import { rankContestants, summarizeContestant } from './summarize-results.js';
import type { BenchSuite } from './suite-schema.js';

export interface BenchRunOptions {
  registry: Registry;
  /** Where runs and the response cache live. Default `bench-results`. */
  outDir?: string;
  /** false: neither read nor write the response cache (`--no-cache`). */
  cache?: boolean;
  progress?: ProgressSink;
  signal?: AbortSignal;
  env?: Record<string, string | undefined>;
  /** Command-line overrides of the suite. */
  concurrency?: number;
  repeat?: number;
  /** Contestant names or `*` globs to run (`--filter`). */
  filter?: string[];
  /** Samples for the harness overhead measurement (default 200). */
  overheadSamples?: number;
}

export interface BenchOutcome {
  run: RunDirectory;
  results: BenchResults;
  /** The run stopped early (signal); the outputs cover what finished. */
  interrupted: boolean;
  /** Paths of the files written. */
  files: string[];
}

const defaultOutDir = 'bench-results';

function matchesFilter(name: string, pattern: string): boolean {
  const expression = new RegExp(`^${pattern.split('*').map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`);
  return expression.test(name);
}

function selectContestants(suite: BenchSuite, filter: readonly string[] | undefined): string[] {
  const names = suite.contestants.map((contestant) => contestant.name);
  if (filter === undefined || filter.length === 0) return names;
  for (const pattern of filter) {
    if (!names.some((name) => matchesFilter(name, pattern))) {
      throw new ConclaveError('invalid_argument', `--filter "${pattern}" matches no contestant`, { hint: `the contestants are ${names.join(', ')}` });
    }
  }
  return names.filter((name) => filter.some((pattern) => matchesFilter(name, pattern)));
}

/**
 * Starts a new run of the suite at `file`.
 *
 * @example
 * const { results, run } = await startBench('benchmarks/providers/head-to-head.yaml', { registry });
 * console.log(run.path, results.contestants[0]?.name);
 */
export async function startBench(file: string, options: BenchRunOptions): Promise<BenchOutcome> {
  const suite = await loadSuite(file, options.registry);
  if (options.repeat !== undefined) suite.repeat = options.repeat;
  if (options.concurrency !== undefined) suite.concurrency = options.concurrency;
  const contestants = selectContestants(suite, options.filter);
  const settings: BenchSettings = { concurrency: suite.concurrency, repeat: suite.repeat, warmup: suite.warmup, timeoutMs: suite.timeoutMs, cache: options.cache !== false };
  const run = await RunDirectory.create(options.outDir ?? defaultOutDir, suite, settings, contestants);
  return execute(run, options);
}

/**
 * Continues a run that stopped part-way: `run` is its directory or its id under `outDir`. Finished
 * samples and tournaments are kept; only the rest is run (the suite is the one snapshotted when
 * the run started, with its settings).
 *
 * @example
 * await resumeBench('head-to-head-20261121-093000', { registry });
 */
export async function resumeBench(run: string, options: BenchRunOptions): Promise<BenchOutcome> {
  return execute(await RunDirectory.open(run, options.outDir ?? defaultOutDir), options);
}

/**
 * Runs `work` over `items`, `concurrency` at a time. Workers start one event-loop turn apart: started
 * in the same tick, every request's clock would start before any request is sent, and each one's
 * time to first token would include building all the others (5–15 ms for 16 requests here).
 */
async function runPool<T>(items: readonly T[], concurrency: number, signal: AbortSignal, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length && !signal.aborted) {
      const item = items[next] as T;
      next += 1;
      await work(item);
    }
  };
  const workers: Array<Promise<void>> = [];
  for (let index = 0; index < Math.min(concurrency, items.length); index += 1) {
    if (index > 0) await new Promise((resolve) => setImmediate(resolve));
    workers.push(worker());
  }
  await Promise.all(workers);
}

async function execute(run: RunDirectory, options: BenchRunOptions): Promise<BenchOutcome> {
  const { suite, settings } = run.manifest;
  const progress = options.progress ?? silentProgress;
  const signal = options.signal ?? new AbortController().signal;
  const cache = new ResponseCache(settings.cache ? join(dirname(run.path), 'cache') : undefined);
  const context = new BenchContext(suite, options.registry, cache, run.file('sessions.db'), options.env);
  try {
    const selected = suite.contestants.filter((contestant) => run.manifest.contestants.includes(contestant.name));
    const overhead = await measureHarnessOverhead(options.overheadSamples);
    const finished = new Set(run.samples.map((sample) => RunDirectory.sampleKey(sample)));
    const tasks: SampleTask[] = [];
    for (const contestant of selected) {
      for (let repeat = 0; repeat < suite.repeat; repeat += 1) {
        for (const prompt of suite.prompts) {
          if (!finished.has(RunDirectory.sampleKey({ contestant: contestant.name, promptId: prompt.id, repeat }))) tasks.push({ contestant, prompt, repeat });
        }
      }
    }
    if (run.samples.length > 0) progress.note(`resuming ${run.runId}: ${run.samples.length} samples done, ${tasks.length} to go`);
    progress.phase(selected[0]?.name ?? 'samples', tasks.length);
    for (const contestant of selected) {
      const own = tasks.filter((task) => task.contestant === contestant);
      if (own.length === 0 || signal.aborted) continue;
      const firstPrompt = suite.prompts[0];
      if (firstPrompt !== undefined && suite.warmup > 0) await warmUp(context, contestant, firstPrompt, suite.warmup, signal);
      await runPool(own, suite.concurrency, signal, async (task) => {
        const sample = await runSample(context, task, signal);
        if (signal.aborted && sample.metrics.error?.code === 'aborted') return;
        await run.appendSample(sample);
        progress.tick(sample.metrics.error !== null, contestant.name);
      });
    }
    let pairwise = null;
    if (!signal.aborted && suite.scoring.pairwise !== undefined && selected.length >= 2) {
      const pending = pairwisePrompts(context).filter((prompt) => !run.tournaments.some((record) => record.promptId === prompt.id)).length;
      progress.phase('pairwise tournaments', pending);
      pairwise = await runPairwise(context, run, selected.map((contestant) => contestant.name), signal, () => progress.tick(false));
    }
    await run.flush();
    progress.end();

    const summaries = selected.map((contestant) => summarizeContestant(contestant, run.samples.filter((sample) => sample.contestant === contestant.name)));
    const results: BenchResults = {
      version: 1,
      runId: run.runId,
      suite: { name: suite.name, file: suite.file, ...(suite.description !== undefined ? { description: suite.description } : {}) },
      startedAt: run.manifest.startedAt,
      finishedAt: new Date().toISOString(),
      settings,
      overhead,
      simulated: run.samples.some((sample) => sample.metrics.simulated),
      contestants: rankContestants(summaries),
      pairwise,
      judging: { calls: context.judging.calls, costUsd: context.judging.costUsd },
      cachedSamples: run.samples.filter((sample) => sample.cached).length,
      ...(signal.aborted ? { incomplete: true } : {}),
      samples: run.samples,
    };
    const files = await writeOutputs(run, results);
    return { run, results, interrupted: signal.aborted, files };
  } finally {
    await run.flush();
    await context.close();
  }
}

async function writeOutputs(run: RunDirectory, results: BenchResults): Promise<string[]> {
  const outputs: Array<[string, string]> = [
    ['results.json', `${JSON.stringify(results, null, 2)}\n`],
    ['results.csv', renderResultsCsv(results)],
    ['report.md', renderMarkdownReport(results)],
    ['report.html', renderHtmlReport(results)],
  ];
  const files: string[] = [];
  for (const [name, content] of outputs) {
    await writeFile(run.file(name), content);
    files.push(join(run.path, name));
  }
  return files;
}
