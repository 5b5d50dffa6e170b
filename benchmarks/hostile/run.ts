/**
 * `npm run bench:hostile`: does `conclave serve` stay responsive while an API caller sends hostile
 * documents (issue 14)? A real server process (the built CLI, a temp SQLite database, an API key of
 * workspace `tenant-b`) is probed with `GET /healthz`, one request at a time, first with no other
 * load (the floor), then while a few loops keep posting one kind of hostile document to
 * `POST /v1/sessions`, one phase per kind, and finally with no load again. Each phase reports the
 * probe's p50 / p99 / max and its p99 as a ratio to the floor's, plus what the server answered the
 * hostile requests, so a reader sees that refusals were refusals. A blocked event loop shows as a
 * /healthz tail of the same length as the block.
 *
 * `--seconds N` per phase (default 6), `--concurrency C` hostile loops (default 3), `--interval MS`
 * between probes (default 5), `--json` prints the results as JSON instead of the table (the table
 * then goes to stderr), `--out FILE` also writes them as JSON. Always exits 0: it is a measurement.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { Agent } from 'node:http';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { setTimeout as delay } from 'node:timers/promises';
import { readProcessCpuSeconds } from '../scale/cpu-usage.js';
import { runMeasurement } from '../run-measurement.js';
import { hostileKinds, type HostileKind } from './hostile-documents.js';
import { probeHealth, send, sendHostileLoad, type LoadTally } from './http-load.js';
import { startServeProcess, createKey, type ServerProcess } from './serve-process.js';
import { argument, percentile, wholeNumber } from '../benchmark-arguments.js';

/** Longest wait, after a phase, for the sessions it started to stop running. */
const drainLimitMs = 60_000;
/** Untimed probes before the floor, so the floor is not the server's (or the JIT's) first requests. */
const warmupMs = 1_000;

interface Stats {
  p50: number;
  p99: number;
  max: number;
}

interface PhaseResult {
  phase: string;
  expected: string;
  seconds: number;
  /** Hostile requests sent, and their answers by status (empty for the floors). */
  sent: number;
  statuses: Record<string, number>;
  firstAnswers: Record<string, string>;
  /** Probes answered 200, and the others by status. */
  healthz: number;
  healthzFailures: Record<string, number>;
  latency: Stats;
  /** This phase's /healthz p99 over the floor's. */
  p99Ratio: number;
  /** Server CPU, in cores, averaged over the phase (Linux only). */
  serverCores?: number;
  /** How long the sessions the phase created took to stop running after it. */
  drainMs?: number;
  /** The last session the phase created, once drained. */
  lastSession?: { id: string; status: string; stop_reason: string | null; answer_chars: number | null; error: unknown };
  /** Why the phase could not be measured, if it could not. */
  error?: string;
}

function stats(values: readonly number[]): Stats {
  const sorted = [...values].sort((a, b) => a - b);
  const round = (value: number): number => Math.round(value * 10) / 10;
  return { p50: round(percentile(sorted, 0.5)), p99: round(percentile(sorted, 0.99)), max: round(sorted[sorted.length - 1] ?? Number.NaN) };
}

/** Waits until the caller's workspace has no running (or not yet started) session; the time it took. */
async function drainSessions(probe: Agent, url: string, key: string): Promise<number> {
  const start = performance.now();
  const headers = { authorization: `Bearer ${key}` };
  while (performance.now() - start < drainLimitMs) {
    const busy = await Promise.all(
      ['running', 'created'].map(async (status) => {
        const answer = await send(probe, new URL(`/v1/sessions?status=${status}&limit=1`, url), 'GET', headers);
        if (answer.status !== '200') throw new Error(`GET /v1/sessions?status=${status} answered ${answer.status}: ${answer.text.slice(0, 200)}`);
        return (JSON.parse(answer.text) as { data: unknown[] }).data.length > 0;
      }),
    );
    if (!busy.includes(true)) return performance.now() - start;
    await delay(100);
  }
  throw new Error(`sessions were still running ${drainLimitMs / 1000} s after the phase`);
}

async function lastSession(probe: Agent, url: string, key: string, id: string): Promise<PhaseResult['lastSession']> {
  const answer = await send(probe, new URL(`/v1/sessions/${id}`, url), 'GET', { authorization: `Bearer ${key}` });
  if (answer.status !== '200') return { id, status: `GET answered ${answer.status}`, stop_reason: null, answer_chars: null, error: answer.text.slice(0, 200) };
  const view = JSON.parse(answer.text) as { status: string; stop_reason: string | null; answer: string | null; error: unknown };
  return { id, status: view.status, stop_reason: view.stop_reason, answer_chars: view.answer?.length ?? null, error: view.error };
}

interface PhaseOptions {
  server: ServerProcess;
  key: string;
  seconds: number;
  concurrency: number;
  intervalMs: number;
  floorP99: number | undefined;
}

/** One phase: the probe, with the hostile load of `kind` beside it (none for a floor). */
async function runPhase(phase: string, kind: HostileKind | undefined, options: PhaseOptions): Promise<PhaseResult> {
  const { server, key, seconds, concurrency, intervalMs } = options;
  const probeAgent = new Agent({ keepAlive: true, maxSockets: 1 });
  const loadAgent = new Agent({ keepAlive: true, maxSockets: concurrency });
  const pid = server.child.pid ?? 0;
  const result: PhaseResult = {
    phase,
    expected: kind?.expected ?? 'no load',
    seconds: 0,
    sent: 0,
    statuses: {},
    firstAnswers: {},
    healthz: 0,
    healthzFailures: {},
    latency: { p50: Number.NaN, p99: Number.NaN, max: Number.NaN },
    p99Ratio: Number.NaN,
  };
  try {
    const cpuBefore = readProcessCpuSeconds(pid);
    const start = performance.now();
    const endsAt = start + seconds * 1000;
    const emptyTally: LoadTally = { sent: 0, statuses: {}, firstAnswers: {} };
    const [probe, tally] = await Promise.all([
      probeHealth(probeAgent, server.url, endsAt, intervalMs),
      kind === undefined ? Promise.resolve(emptyTally) : sendHostileLoad(loadAgent, server.url, key, kind.body, endsAt, concurrency),
    ]);
    result.seconds = Math.round((performance.now() - start) / 100) / 10;
    const cpuAfter = readProcessCpuSeconds(pid);
    if (cpuBefore !== undefined && cpuAfter !== undefined) result.serverCores = Math.round(((cpuAfter - cpuBefore) / result.seconds) * 100) / 100;
    Object.assign(result, { sent: tally.sent, statuses: tally.statuses, firstAnswers: tally.firstAnswers });
    result.healthz = probe.latencies.length;
    result.healthzFailures = probe.failures;
    result.latency = stats(probe.latencies);
    const floor = options.floorP99 ?? result.latency.p99;
    result.p99Ratio = Math.round((result.latency.p99 / floor) * 10) / 10;
    if (server.exited() !== undefined) throw new Error(`the server exited (${server.exited()}); its last output: ${server.output().slice(-2000)}`);
    if (kind !== undefined && (tally.statuses['201'] ?? 0) > 0) {
      result.drainMs = Math.round(await drainSessions(probeAgent, server.url, key));
      if (tally.lastCreatedId !== undefined) result.lastSession = await lastSession(probeAgent, server.url, key, tally.lastCreatedId);
    }
  } catch (error) {
    result.error = error instanceof Error ? error.message : String(error);
  } finally {
    probeAgent.destroy();
    loadAgent.destroy();
  }
  return result;
}

function formatStatuses(statuses: Record<string, number>): string {
  const entries = Object.entries(statuses);
  return entries.length === 0 ? '—' : entries.map(([status, count]) => `${status} × ${count}`).join(', ');
}

function table(results: readonly PhaseResult[]): string {
  const ms = (value: number): string => (Number.isNaN(value) ? '—' : value.toFixed(1));
  const rows = results.map((result) => {
    const probes = `${result.healthz}${Object.keys(result.healthzFailures).length > 0 ? ` (+ ${formatStatuses(result.healthzFailures)})` : ''}`;
    const ratio = Number.isNaN(result.p99Ratio) ? '—' : `${result.p99Ratio.toFixed(1)}×`;
    const cores = result.serverCores === undefined ? '—' : result.serverCores.toFixed(2);
    const sent = result.phase.startsWith('floor') ? '—' : String(result.sent);
    return `| ${result.phase} | ${sent} | ${formatStatuses(result.statuses)} | ${probes} | ${ms(result.latency.p50)} | ${ms(result.latency.p99)} | ${ms(result.latency.max)} | ${ratio} | ${cores} |`;
  });
  return [
    '| phase | requests sent | statuses | /healthz probes | p50 ms | p99 ms | max ms | p99 / floor p99 | server CPU (cores) |',
    '|---|---|---|---|---|---|---|---|---|',
    ...rows,
  ].join('\n');
}

function notes(results: readonly PhaseResult[]): string {
  const lines: string[] = [];
  for (const result of results) {
    if (result.error !== undefined) lines.push(`- ${result.phase}: COULD NOT BE MEASURED: ${result.error}`);
    if (result.phase.startsWith('floor')) continue;
    lines.push(`- ${result.phase}: expected ${result.expected}.`);
    for (const [status, text] of Object.entries(result.firstAnswers)) lines.push(`  - first ${status}: ${text.replace(/\s+/g, ' ')}`);
    if (result.drainMs !== undefined) lines.push(`  - its sessions stopped running ${(result.drainMs / 1000).toFixed(1)} s after the phase.`);
    if (result.lastSession !== undefined) lines.push(`  - last session created: ${JSON.stringify(result.lastSession)}`);
  }
  return lines.join('\n');
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const seconds = wholeNumber(argument(args, '--seconds'), 6, '--seconds');
  const concurrency = wholeNumber(argument(args, '--concurrency'), 3, '--concurrency');
  const intervalMs = wholeNumber(argument(args, '--interval'), 5, '--interval');
  const json = args.includes('--json');
  const out = argument(args, '--out');
  const kinds = hostileKinds();
  const directory = mkdtempSync(join(tmpdir(), 'conclave-bench-hostile-'));
  const database = join(directory, 'conclave.db');
  const loadBefore = loadavg();
  const results: PhaseResult[] = [];
  let server: ServerProcess | undefined;
  try {
    const key = await createKey(database, 'tenant-b');
    server = await startServeProcess(database);
    process.stderr.write(`conclave serve at ${server.url}; ${kinds.length + 2} phases of ${seconds} s\n`);
    await probeHealth(new Agent({ keepAlive: true, maxSockets: 1 }), server.url, performance.now() + warmupMs, intervalMs);
    const options: PhaseOptions = { server, key, seconds, concurrency, intervalMs, floorP99: undefined };
    const phases: Array<[string, HostileKind | undefined]> = [['floor', undefined], ...kinds.map((kind): [string, HostileKind] => [kind.name, kind]), ['floor (again)', undefined]];
    for (const [phase, kind] of phases) {
      process.stderr.write(`  ${phase}… `);
      const result = await runPhase(phase, kind, options);
      if (phase === 'floor' && !Number.isNaN(result.latency.p99)) options.floorP99 = result.latency.p99;
      results.push(result);
      process.stderr.write(result.error !== undefined ? `failed: ${result.error}\n` : `p99 ${result.latency.p99} ms (${formatStatuses(result.statuses)})\n`);
    }
  } finally {
    await server?.stop();
    rmSync(directory, { recursive: true, force: true });
  }
  const machine = `${cpus().length} × ${cpus()[0]?.model.trim() ?? 'cpu'}, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}`;
  const date = new Date().toISOString().slice(0, 10);
  const loadAfter = loadavg();
  const load = `load average ${loadBefore[0]?.toFixed(2)} before, ${loadAfter[0]?.toFixed(2)} after`;
  const report = [
    `/healthz latency under hostile documents, ${date}, on ${machine} (${load}); ${seconds} s per phase, ${concurrency} hostile loops, a probe every ${intervalMs} ms.`,
    '',
    table(results),
    '',
    notes(results),
    '',
  ].join('\n');
  const data = { date, machine, loadBefore, loadAfter, seconds, concurrency, intervalMs, results };
  if (json) {
    process.stderr.write(report);
    process.stdout.write(`${JSON.stringify(data, null, 2)}\n`);
  } else {
    process.stdout.write(report);
  }
  if (out !== undefined) {
    writeFileSync(out, `${JSON.stringify(data, null, 2)}\n`);
    process.stderr.write(`wrote ${out}\n`);
  }
}

await runMeasurement('bench:hostile', main);
