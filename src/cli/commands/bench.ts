/**
 * `conclave bench SUITE` and `conclave bench --resume RUN`: run a benchmark suite with a live
 * progress bar (plain lines in a pipe), print the ranking table, and say where the five outputs
 * are. Ctrl-C stops cleanly: finished samples are kept and the run continues with `--resume`.
 * `--view` then serves the run in the web UI (charts, win-rate matrix, the answer matrix); `--view`
 * alone, or `--view RUN`, only views runs already made.
 */
import { existsSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { createProgress, displayPath, resumeBench, startBench, formatResultsTable, type BenchOutcome, type BenchRunOptions } from '../../bench/index.js';
import { ConclaveError } from '../../protocol/index.js';
import type { CliContext } from '../cli-context.js';
import { exitCodes } from '../cli-errors.js';
import { listenForCtrlC } from '../ctrl-c.js';
import { formatUsd, stylerFor } from '../terminal.js';

export interface BenchCommandOptions {
  concurrency?: number;
  repeat?: number;
  filter?: string[];
  out?: string;
  cache?: boolean;
  resume?: string;
  json?: boolean;
  quiet?: boolean;
  /** `true`: view the run once done (or the list of runs, with no suite); a string: view that run. */
  view?: boolean | string;
  /** Open the viewer's link in a browser (default: in an interactive terminal). */
  open?: boolean;
}

async function view(context: CliContext, options: BenchCommandOptions, directory: string, runId?: string): Promise<number> {
  if (runId !== undefined && !existsSync(join(directory, runId, 'results.json'))) {
    throw new ConclaveError('invalid_argument', `no finished bench run ${join(directory, runId)} (it has no results.json)`, { hint: `the runs are the folders of ${directory}; an interrupted run is finished with: conclave bench --resume RUN` });
  }
  const { viewBenchRuns } = await import('../bench-viewer.js');
  return viewBenchRuns({ registry: context.registry, directory, ...(runId !== undefined ? { runId } : {}), ...(options.open !== undefined ? { open: options.open } : {}) });
}

/**
 * Runs (or resumes) a benchmark. Returns the process exit code: 0 when it finished (failed
 * requests are results, not failures of the bench), 130 when interrupted.
 *
 * @example
 * await benchCommand(context, 'benchmarks/providers/head-to-head.yaml', { concurrency: 4 });
 */
export async function benchCommand(context: CliContext, suite: string | undefined, options: BenchCommandOptions): Promise<number> {
  const out = options.out ?? 'bench-results';
  if (typeof options.view === 'string') {
    if (suite !== undefined || options.resume !== undefined) {
      throw new ConclaveError('invalid_argument', '--view RUN views a finished run; it cannot be given with a suite or --resume', { hint: 'run and then view: conclave bench SUITE --view' });
    }
    // A run's directory (bench-results/x-2026…) or its id under --out.
    return options.view.includes('/') ? view(context, options, dirname(options.view.replace(/\/+$/, '')), basename(options.view.replace(/\/+$/, ''))) : view(context, options, out, options.view);
  }
  if (options.view === true && suite === undefined && options.resume === undefined) return view(context, options, out);
  if ((suite === undefined) === (options.resume === undefined)) {
    throw new ConclaveError('invalid_argument', suite === undefined ? 'name a suite file, or --resume RUN' : 'give either a suite file or --resume RUN, not both', {
      hint: 'conclave bench benchmarks/providers/head-to-head.yaml',
    });
  }
  const stream = process.stderr;
  const live = stream.isTTY === true;
  const progress = options.quiet === true ? undefined : createProgress({ stream, live });
  const ctrlC = listenForCtrlC();
  const runOptions: BenchRunOptions = {
    registry: context.registry,
    signal: ctrlC.signal,
    cache: options.cache !== false,
    ...(progress !== undefined ? { progress } : {}),
    ...(options.out !== undefined ? { outDir: options.out } : {}),
    ...(options.concurrency !== undefined ? { concurrency: options.concurrency } : {}),
    ...(options.repeat !== undefined ? { repeat: options.repeat } : {}),
    ...(options.filter !== undefined ? { filter: options.filter } : {}),
  };
  let outcome: BenchOutcome;
  try {
    outcome = options.resume !== undefined ? await resumeBench(options.resume, runOptions) : await startBench(suite as string, runOptions);
  } finally {
    ctrlC.release();
  }
  const { results, run } = outcome;
  if (options.json === true) {
    process.stdout.write(`${JSON.stringify({ runId: run.runId, directory: run.path, interrupted: outcome.interrupted, files: outcome.files, contestants: results.contestants, pairwise: results.pairwise, overhead: results.overhead }, null, 2)}\n`);
  } else {
    const style = stylerFor(process.stdout);
    process.stdout.write(`${style.bold(`${results.suite.name} · ${run.runId}`)}\n\n`);
    process.stdout.write(`${formatResultsTable(results, { color: process.stdout.isTTY === true && process.env.NO_COLOR === undefined, ...(process.stdout.columns > 0 ? { width: process.stdout.columns } : {}) })}\n`);
    if (results.pairwise !== null) {
      const ranking = results.pairwise.ranking.map((entry, index) => `${index + 1}. ${entry.name} ${(entry.strength * 100).toFixed(0)}% [${(entry.low * 100).toFixed(0)}–${(entry.high * 100).toFixed(0)}]`).join('  ');
      process.stdout.write(`pairwise (${results.pairwise.tournaments} tournaments, judge ${results.pairwise.judge}), Bradley–Terry: ${ranking}\n`);
    }
    if (results.judging !== undefined && results.judging.calls > 0) process.stdout.write(`judging: ${results.judging.calls} calls, ${formatUsd(results.judging.costUsd)}\n`);
    process.stdout.write(`\nreports in ${displayPath(run.path)}/: results.json results.csv report.md report.html\n`);
  }
  if (options.view === true && !outcome.interrupted) return view(context, options, dirname(run.path), basename(run.path));
  if (outcome.interrupted) {
    process.stderr.write(`interrupted: ${run.samples.length} samples kept; continue with: conclave bench --resume ${displayPath(run.path)}\n`);
    return exitCodes.interrupted;
  }
  return exitCodes.success;
}
