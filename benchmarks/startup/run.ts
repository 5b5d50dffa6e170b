/**
 * `npm run bench:startup`: how long the `conclave` command takes to start and finish simple work,
 * against the floor of starting Node itself (`node -e 0`) measured in the same run. Scenarios run
 * interleaved — one of each, then again — so that a busy machine slows them all alike; the median
 * of each is reported with its ratio to the floor, which is the figure to compare across machines.
 * Targets (issue 15): `--help` ≤ 2.5× the floor, an offline one-agent `run` ≤ 3×.
 *
 * `--runs N` (default 10) timed runs per scenario after one untimed round. `--out FILE` also writes
 * the results as JSON. Always exits 0: it is a measurement.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { argument, wholeNumber } from '../benchmark-arguments.js';
import { runMeasurement } from '../run-measurement.js';

interface Scenario {
  name: string;
  args: string[];
  /** The ratio to the floor that issue 15 asks for, when it names one. */
  target?: number;
}

interface Result {
  name: string;
  medianMs: number;
  ratio: number;
  target?: number;
}

/** The repository root: dist/benchmarks/startup/ is three levels below it. */
const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const cli = join(root, 'dist', 'cli', 'conclave.js');

const oneAgentDocument = `name: Startup benchmark
topology: pipeline
task: Say hello.
agents:
  - name: only
    model: offline/echo
`;

function timeOnce(args: readonly string[]): number {
  const started = performance.now();
  const outcome = spawnSync(process.execPath, args, { cwd: root, stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf8' });
  const elapsed = performance.now() - started;
  if (outcome.status !== 0) throw new Error(`node ${args.join(' ')} exited with ${outcome.status ?? outcome.signal}: ${outcome.stderr}`);
  return elapsed;
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[middle] as number) : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const runs = wholeNumber(argument(args, '--runs'), 10, '--runs');
  const out = argument(args, '--out');
  const directory = mkdtempSync(join(tmpdir(), 'conclave-startup-'));
  try {
    const document = join(directory, 'one-agent.yaml');
    writeFileSync(document, oneAgentDocument);
    const scenarios: Scenario[] = [
      { name: 'node -e 0 (floor)', args: ['-e', '0'] },
      { name: 'conclave --help', args: [cli, '--help'], target: 2.5 },
      { name: 'conclave validate examples/debate.yaml', args: [cli, 'validate', 'examples/debate.yaml'] },
      { name: 'conclave run (one offline agent, :memory:)', args: [cli, 'run', document, '--store', ':memory:', '--quiet'], target: 3 },
    ];
    const loadBefore = loadavg();
    for (const scenario of scenarios) timeOnce(scenario.args); // warm the file cache
    const samples = scenarios.map((): number[] => []);
    for (let round = 0; round < runs; round += 1) {
      scenarios.forEach((scenario, index) => samples[index]?.push(timeOnce(scenario.args)));
    }
    const loadAfter = loadavg();
    const floor = median(samples[0] ?? []);
    const results: Result[] = scenarios.map((scenario, index) => {
      const medianMs = median(samples[index] ?? []);
      return { name: scenario.name, medianMs, ratio: medianMs / floor, ...(scenario.target !== undefined ? { target: scenario.target } : {}) };
    });
    const format = (load: number[]): string => load.map((value) => value.toFixed(2)).join(' ');
    process.stdout.write(`conclave start-up: median of ${runs} interleaved runs, ${cpus().length} × ${cpus()[0]?.model ?? 'unknown CPU'}, Node ${process.version}\n`);
    process.stdout.write(`load average before ${format(loadBefore)}, after ${format(loadAfter)}\n\n`);
    process.stdout.write(`${'scenario'.padEnd(46)} ${'median'.padStart(9)} ${'× floor'.padStart(8)}  target\n`);
    for (const result of results) {
      const verdict = result.target === undefined ? '' : `≤ ${result.target}× ${result.ratio <= result.target ? 'met' : 'NOT met'}`;
      process.stdout.write(`${result.name.padEnd(46)} ${`${result.medianMs.toFixed(0)} ms`.padStart(9)} ${result.ratio.toFixed(2).padStart(8)}  ${verdict}\n`);
    }
    if (out !== undefined) writeFileSync(out, `${JSON.stringify({ runs, node: process.version, loadBefore, loadAfter, results }, null, 2)}\n`);
  } finally {
    rmSync(directory, { recursive: true, force: true });
  }
}

await runMeasurement('bench:startup', main);
