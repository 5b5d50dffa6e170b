/**
 * `npm run bench:engine`: runs every engine scenario in a fresh child process, then the start-up
 * benchmark, and prints one table: each figure beside the floor it is measured against in the same
 * run (a bare XState transition, a one-row SQLite transaction, reading the log back, `node -e 0`,
 * the ideal wall time), its ratio to that floor, and issue 15's target with whether it is met. The
 * one-row transaction, pipeline-12 and the 1,000-session burst run three times, taking turns, each
 * reported by its median run.
 * The load average before and after says how busy the machine was. Rewrites the figures section of
 * benchmarks/engine/README.md unless `--no-write` or `--only NAME` (one scenario) is given.
 * Always exits 0 when every scenario ran: it is a measurement, and the table says what was met.
 */
import { execFileSync, fork } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { largeStore, resumeLongLog } from './long-log-scenarios.js';
import { runScenario, scenarioNames, type ScenarioResult } from './scenarios.js';

const here = dirname(fileURLToPath(import.meta.url));

/** Scenarios of this folder's other module, run the same way as those of scenarios.ts. */
const longLogScenarios: Record<string, () => Promise<ScenarioResult>> = {
  'resume-10k': () => resumeLongLog(),
  'store-1m': () => largeStore(),
};

const allNames = [...scenarioNames, ...Object.keys(longLogScenarios)];

/** What a figure is compared with, and the target issue 15 sets for it. */
interface Judgement {
  /** The floor's value in the figure's own unit, and what it is. */
  floor?: (results: Map<string, ScenarioResult>, own: ScenarioResult) => { value: number; name: string } | undefined;
  /** Met when the ratio to the floor is at most this. */
  ratio?: number;
  /** Met when the figure itself is at most this. */
  value?: number;
  /** Met when peak RSS is at most this many MB. */
  rssMb?: number;
  /** Met when the process's CPU per step (the `CPU µs/step` note) is at most this. */
  cpuUs?: number;
  /** A note derived from other rows of the same run (the least the figure could be, say). */
  derived?: (results: Map<string, ScenarioResult>) => string | undefined;
}

/**
 * The least a journaled pipeline step can cost in this design, in the same run, as × the floor: its
 * commit (the step-commit row) plus the topology machine's own step (the machine-step row), the
 * whole step without the kernel (the minimal-step row), and what its commit would cost were a step's
 * events one SQL row (the step-rows row, × its own process's one-row transaction).
 */
const stepBound: Judgement['derived'] = (results) => {
  const floor = results.get('bare-sqlite')?.value;
  const commit = results.get('step-commit')?.value;
  const machine = results.get('machine-step')?.value;
  const minimal = results.get('minimal-step')?.value;
  if (floor === undefined || floor === 0) return undefined;
  const bounds: string[] = [];
  if (commit !== undefined && machine !== undefined) bounds.push(`commit + machine alone ${round(commit + machine, 1)} µs = ${round((commit + machine) / floor, 2)}×`);
  if (minimal !== undefined) bounds.push(`without the kernel ${minimal} µs = ${round(minimal / floor, 2)}×`);
  const rows = results.get('step-rows');
  if (rows !== undefined) bounds.push(`a step's events as one SQL row ${rows.notes['one row ×']}× its own floor (as three rows ${rows.notes['three rows ×']}×)`);
  return bounds.length === 0 ? undefined : bounds.join(', ');
};

const sqliteFloor: Judgement['floor'] = (results) => {
  const floor = results.get('bare-sqlite');
  return floor === undefined ? undefined : { value: floor.value, name: 'one-row SQLite txn' };
};

const judgements: Record<string, Judgement> = {
  'step-rows': { floor: sqliteFloor },
  'step-commit': { floor: sqliteFloor },
  'machine-step': { floor: sqliteFloor },
  'minimal-step': { floor: sqliteFloor },
  // CPU: half of Qualixar OS's 462 µs per sequential step, measured beside it in issue 15.
  'pipeline-12': { floor: sqliteFloor, ratio: 3, cpuUs: 231, derived: stepBound },
  'parallel-100': { floor: sqliteFloor },
  'debate-3x3': { floor: sqliteFloor },
  'concurrent-1000': { floor: (_, own) => ({ value: Number(own.notes.idealMs), name: 'ideal (12 × 50 ms)' }), ratio: 2.5, rssMb: 250 },
  'resume-10k': { floor: (_, own) => ({ value: Number(own.notes['log read ms']), name: 'reading the log' }), value: 300 },
  'store-1m': { floor: () => ({ value: 1, name: 'same run, empty store' }), ratio: 1.15 },
};

/**
 * Scenarios run `alternatedRuns` times, taking turns, each reported by its median run: on this
 * project's shared host one run of each, a minute apart, put pipeline-12 at 3.36×, 4.75× and 4.5×
 * the floor within five minutes (2026-12-05); a figure and its floor taken in turns see the same
 * phases of the host. (Measuring the floor inside pipeline-12's own process, between its sessions,
 * was tried and dropped: each measured the other's cold caches, the ratio moving with the block size.)
 * The 1,000-session burst is one of them since 2026-12-06: five single runs in ten minutes read
 * 1,297, 1,441, 1,483, 1,542 and 1,613 ms, across its 1.5 s target.
 */
const alternatedNames = ['bare-sqlite', 'pipeline-12', 'concurrent-1000'];
const alternatedRuns = 3;

/**
 * The run with the median figure, noting every run's figure and peak RSS. Its peak RSS is the
 * highest of the runs, so a memory target is held to the worst of them.
 */
function medianRun(runs: ScenarioResult[]): ScenarioResult {
  const sorted = [...runs].sort((a, b) => a.value - b.value);
  const middle = sorted[Math.floor((sorted.length - 1) / 2)] as ScenarioResult;
  if (runs.length < 2) return middle;
  return {
    ...middle,
    peakRssMb: Math.max(...runs.map((run) => run.peakRssMb)),
    notes: {
      ...middle.notes,
      [`median of ${runs.length} alternated runs`]: runs.map((run) => run.value).join(' / '),
      'peak RSS of each run (the column: the highest)': runs.map((run) => `${run.peakRssMb} MB`).join(' / '),
    },
  };
}

async function child(name: string): Promise<void> {
  const longLog = longLogScenarios[name];
  const result = longLog !== undefined ? await longLog() : await runScenario(name);
  process.send?.(result);
}

/** Runs `name` in a child process, saying so on stderr (`round`: which of its alternated runs). */
async function runReported(name: string, round?: number): Promise<ScenarioResult> {
  process.stderr.write(`running ${name}${round === undefined ? '' : ` (${round} of ${alternatedRuns})`}…\n`);
  const result = await runInChild(name);
  process.stderr.write(`  ${result.name}: ${result.value} ${result.unit}, peak RSS ${result.peakRssMb} MB\n`);
  return result;
}

function runInChild(name: string): Promise<ScenarioResult> {
  return new Promise((resolve, reject) => {
    const worker = fork(fileURLToPath(import.meta.url), ['--scenario', name], { execArgv: ['--expose-gc'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    let result: ScenarioResult | undefined;
    worker.on('message', (message) => (result = message as ScenarioResult));
    worker.on('exit', (code) => (result !== undefined ? resolve(result) : reject(new Error(`scenario ${name} exited with ${code}`))));
  });
}

interface StartupResult {
  name: string;
  medianMs: number;
  ratio: number;
  target?: number;
}

/** The start-up benchmark (benchmarks/startup), run as its own process: its floor is `node -e 0`. */
function runStartup(): StartupResult[] {
  const directory = mkdtempSync(join(tmpdir(), 'conclave-engine-startup-'));
  try {
    const out = join(directory, 'startup.json');
    execFileSync(process.execPath, [join(here, '..', 'startup', 'run.js'), '--runs', '7', '--out', out], { stdio: ['ignore', 'ignore', 'inherit'] });
    return (JSON.parse(readFileSync(out, 'utf8')) as { results: StartupResult[] }).results;
  } finally {
    rmSync(directory, { recursive: true, force: true });
  }
}

function readmePath(): string {
  // Compiled to dist/benchmarks/engine; the README lives in the source tree.
  for (const candidate of [join(here, 'README.md'), join(here, '..', '..', '..', 'benchmarks', 'engine', 'README.md')]) {
    if (existsSync(candidate)) return candidate;
  }
  return join(here, 'README.md');
}

const round = (value: number, digits = 1): number => Math.round(value * 10 ** digits) / 10 ** digits;

function verdict(judgement: Judgement | undefined, ratio: number | undefined, result: ScenarioResult): string {
  if (judgement === undefined) return '—';
  const parts: string[] = [];
  let met = true;
  if (judgement.ratio !== undefined && ratio !== undefined) {
    parts.push(`≤ ${judgement.ratio}×`);
    met &&= ratio <= judgement.ratio;
  }
  if (judgement.value !== undefined) {
    parts.push(`≤ ${judgement.value}`);
    met &&= result.value <= judgement.value;
  }
  if (judgement.cpuUs !== undefined) {
    parts.push(`CPU ≤ ${judgement.cpuUs} µs`);
    met &&= Number(result.notes['CPU µs/step']) <= judgement.cpuUs;
  }
  if (judgement.rssMb !== undefined) {
    parts.push(`≤ ${judgement.rssMb} MB`);
    met &&= result.peakRssMb <= judgement.rssMb;
  }
  return parts.length === 0 ? '—' : `${parts.join(', ')}: ${met ? 'met' : '**not met**'}`;
}

function table(names: string[], results: Map<string, ScenarioResult>, startup: StartupResult[]): string {
  const rows = names.map((name) => {
    const result = results.get(name) as ScenarioResult;
    const judgement = judgements[name];
    const floor = judgement?.floor?.(results, result);
    const ratio = floor === undefined || floor.value === 0 ? undefined : name === 'store-1m' ? result.value : result.value / floor.value;
    const derived = judgement?.derived?.(results);
    const notes = [...Object.entries(result.notes).map(([key, value]) => `${key} ${value}`), ...(derived !== undefined ? [derived] : [])].join(', ');
    const floorCell = floor === undefined ? '—' : name === 'store-1m' ? floor.name : `${round(floor.value, 2)} (${floor.name})`;
    return `| ${result.name} | **${result.value} ${result.unit}** | ${floorCell} | ${ratio === undefined ? '—' : `${round(ratio, 2)}×`} | ${verdict(judgement, ratio, result)} | ${result.peakRssMb} MB | ${notes} |`;
  });
  const floorMs = startup[0]?.medianMs ?? 0;
  const startupRows = startup.slice(1).map((result) => {
    const target = result.target === undefined ? '—' : `≤ ${result.target}×: ${result.ratio <= result.target ? 'met' : '**not met**'}`;
    return `| ${result.name} | **${Math.round(result.medianMs)} ms** | ${Math.round(floorMs)} ms (node -e 0) | ${round(result.ratio, 2)}× | ${target} | — | median of 7 interleaved runs |`;
  });
  return ['| figure | result | floor | × floor | target | peak RSS | notes |', '|---|---|---|---|---|---|---|', ...rows, ...startupRows].join('\n');
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const scenarioIndex = args.indexOf('--scenario');
  if (scenarioIndex !== -1) return child(args[scenarioIndex + 1] ?? '');
  const onlyIndex = args.indexOf('--only');
  const only = onlyIndex !== -1 ? args[onlyIndex + 1] : undefined;
  if (only !== undefined && !allNames.includes(only)) {
    process.stderr.write(`bench:engine: no scenario ${only}; the scenarios are ${allNames.join(', ')}\n`);
    process.exitCode = 2;
    return;
  }
  // The floors run first, whichever scenario is asked for, so every ratio has its floor.
  // pipeline-12's bounds need the step's rows, its commit, the machine's step and the step without the kernel of the same run.
  const floors = only === 'pipeline-12' ? ['bare-xstate', 'bare-sqlite', 'step-rows', 'step-commit', 'machine-step', 'minimal-step'] : ['bare-xstate', 'bare-sqlite'];
  const names = only === undefined ? allNames : [...new Set([...floors, only])];
  const loadBefore = loadavg();
  const results = new Map<string, ScenarioResult>();
  // The floor, pipeline-12 and the burst first, taking turns, each figure the median of its runs.
  const alternated = alternatedNames.filter((name) => names.includes(name));
  const runs = new Map<string, ScenarioResult[]>(alternated.map((name) => [name, []]));
  for (let round = 1; round <= alternatedRuns; round += 1) {
    for (const name of alternated) runs.get(name)?.push(await runReported(name, round));
  }
  for (const [name, taken] of runs) results.set(name, medianRun(taken));
  for (const name of names) if (!results.has(name)) results.set(name, await runReported(name));
  let startup: StartupResult[] = [];
  if (only === undefined) {
    process.stderr.write('running start-up (benchmarks/startup)…\n');
    startup = runStartup();
  }
  const loadAfter = loadavg();
  const commit = (() => {
    try {
      return execFileSync('git', ['rev-parse', '--short', 'HEAD'], { encoding: 'utf8' }).trim();
    } catch {
      return 'unknown';
    }
  })();
  const machine = `${cpus().length} × ${cpus()[0]?.model.trim() ?? 'cpu'}, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}`;
  const load = (values: number[]): string => values.map((value) => value.toFixed(2)).join(' ');
  const heading = `Latest run: ${new Date().toISOString().slice(0, 10)}, commit ${commit}, on ${machine}; load average ${load(loadBefore)} before, ${load(loadAfter)} after.`;
  const body = table(names, results, startup);
  process.stdout.write(`${heading}\n\n${body}\n`);
  if (!args.includes('--no-write') && only === undefined) {
    const path = readmePath();
    const readme = readFileSync(path, 'utf8');
    writeFileSync(path, readme.replace(/<!-- figures:start -->[\s\S]*<!-- figures:end -->/, `<!-- figures:start -->\n${heading}\n\n${body}\n<!-- figures:end -->`));
    process.stderr.write(`updated ${path}\n`);
  }
}

await main();
