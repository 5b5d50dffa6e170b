/**
 * `npm run bench:engine`: runs every engine scenario in a fresh child process, prints a table, and
 * rewrites the figures section of benchmarks/engine/README.md. `--no-write` leaves the README alone;
 * `--only NAME` runs one scenario.
 */
import { execFileSync, fork } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runScenario, scenarioNames, type ScenarioResult } from './scenarios.js';

const here = dirname(fileURLToPath(import.meta.url));

async function child(name: string): Promise<void> {
  const result = await runScenario(name);
  process.send?.(result);
}

function runInChild(name: string): Promise<ScenarioResult> {
  return new Promise((resolve, reject) => {
    const worker = fork(fileURLToPath(import.meta.url), ['--scenario', name], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    let result: ScenarioResult | undefined;
    worker.on('message', (message) => (result = message as ScenarioResult));
    worker.on('exit', (code) => (result !== undefined ? resolve(result) : reject(new Error(`scenario ${name} exited with ${code}`))));
  });
}

function readmePath(): string {
  // Compiled to dist/benchmarks/engine; the README lives in the source tree.
  for (const candidate of [join(here, 'README.md'), join(here, '..', '..', '..', 'benchmarks', 'engine', 'README.md')]) {
    if (existsSync(candidate)) return candidate;
  }
  return join(here, 'README.md');
}

function table(results: ScenarioResult[]): string {
  const rows = results.map((result) => {
    const notes = Object.entries(result.notes)
      .map(([key, value]) => `${key} ${value}`)
      .join(', ');
    return `| ${result.name} | **${result.value} ${result.unit}** | ${result.peakRssMb} MB | ${notes} |`;
  });
  return ['| scenario | result | peak RSS | notes |', '|---|---|---|---|', ...rows].join('\n');
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const scenarioIndex = args.indexOf('--scenario');
  if (scenarioIndex !== -1) return child(args[scenarioIndex + 1] ?? '');
  const onlyIndex = args.indexOf('--only');
  const names = onlyIndex !== -1 ? [args[onlyIndex + 1] ?? ''] : scenarioNames;
  const results: ScenarioResult[] = [];
  for (const name of names) {
    process.stderr.write(`running ${name}…\n`);
    const result = await runInChild(name);
    results.push(result);
    process.stderr.write(`  ${result.name}: ${result.value} ${result.unit}, peak RSS ${result.peakRssMb} MB\n`);
  }
  const commit = (() => {
    try {
      return execFileSync('git', ['rev-parse', '--short', 'HEAD'], { encoding: 'utf8' }).trim();
    } catch {
      return 'unknown';
    }
  })();
  const machine = `${cpus().length} × ${cpus()[0]?.model.trim() ?? 'cpu'}, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}`;
  const section = `<!-- figures:start -->\nLatest run: ${new Date().toISOString().slice(0, 10)}, commit ${commit}, on ${machine}.\n\n${table(results)}\n<!-- figures:end -->`;
  process.stdout.write(`${table(results)}\n`);
  if (!args.includes('--no-write') && onlyIndex === -1) {
    const path = readmePath();
    const readme = readFileSync(path, 'utf8');
    writeFileSync(path, readme.replace(/<!-- figures:start -->[\s\S]*<!-- figures:end -->/, section));
    process.stderr.write(`updated ${path}\n`);
  }
}

await main();
