/**
 * `npm run bench:interrupt`: how long an interrupt takes to idle a session, through the real HTTP
 * API of `conclave serve` (started in this process on a free port). Each iteration creates a session
 * whose one agent is a slow offline model (`offline/echo?ttft_ms=60000`), waits until its model call
 * is in flight, interrupts it, and times the interrupt request and the `session.status_idle` it
 * causes on the event stream. Scenarios: the native API and the Managed Agents API (official SDK),
 * each over SQLite (a temp file, as `conclave serve` keeps it) and over the in-memory store.
 *
 * `--iterations N` (default 50) timed iterations per scenario, after `--warmup N` (default 5)
 * untimed ones; `--out FILE` also writes the results as JSON. Always exits 0: it is a measurement.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir, totalmem } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import Anthropic from '@anthropic-ai/sdk';
import { Kernel } from '../../src/kernel/index.js';
import { createDefaultRegistry } from '../../src/presets/default-registry.js';
import type { ResourceStore } from '../../src/protocol/resources.js';
import type { SessionStore } from '../../src/protocol/store.js';
import { createApiKey } from '../../src/server/api-keys.js';
import { createDocumentCatalog } from '../../src/server/document-catalog.js';
import { startServer, type RunningServer } from '../../src/server/serve.js';
import { createMemoryResourceStore, createMemoryStore, createSqliteResourceStore, createSqliteStore } from '../../src/store/index.js';
import { runMeasurement } from '../run-measurement.js';
import { argument, percentile, wholeNumber } from '../benchmark-arguments.js';

const here = dirname(fileURLToPath(import.meta.url));
/** The target: an interrupt idles the session in under 100 ms. */
const targetMs = 100;
/** The slow model: its first token would come after a minute, so only the interrupt can end the call. */
const slowModel = 'offline/echo?ttft_ms=60000';
/** Longer than any interrupt should take, far shorter than the model's minute: past it, the iteration failed. */
const waitLimitMs = 10_000;

type StoreKind = 'sqlite' | 'memory';
type Api = 'native' | 'managed';

interface Stats {
  p50: number;
  p95: number;
  p99: number;
  max: number;
}

interface ScenarioResult {
  api: Api;
  store: StoreKind;
  iterations: number;
  failures: number;
  /** Interrupt sent (t0) → `session.status_idle` read from the event stream (t1). */
  idle: Stats;
  /** Interrupt sent → its HTTP response read. */
  post: Stats;
}

interface Sample {
  idleMs: number;
  postMs: number;
}

interface Harness {
  server: RunningServer;
  key: string;
  close(): Promise<void>;
}

function stats(values: readonly number[]): Stats {
  const sorted = [...values].sort((a, b) => a - b);
  const round = (value: number): number => Math.round(value * 10) / 10;
  return {
    p50: round(percentile(sorted, 0.5)),
    p95: round(percentile(sorted, 0.95)),
    p99: round(percentile(sorted, 0.99)),
    max: round(sorted[sorted.length - 1] ?? Number.NaN),
  };
}

/** Server, stores and an API key, as `conclave serve` builds them (SQLite: one temp database file). */
async function startHarness(kind: StoreKind): Promise<Harness> {
  const registry = createDefaultRegistry();
  let store: SessionStore;
  let resources: ResourceStore;
  let directory: string | undefined;
  if (kind === 'sqlite') {
    directory = mkdtempSync(join(tmpdir(), 'conclave-bench-interrupt-'));
    const path = join(directory, 'conclave.db');
    store = createSqliteStore({ path });
    resources = createSqliteResourceStore({ path });
  } else {
    store = createMemoryStore();
    resources = createMemoryResourceStore();
  }
  const kernel = new Kernel({ store, registry });
  const documents = createDocumentCatalog({ directory: resolve(here, 'no-documents'), registry });
  const { key } = await createApiKey(resources, { workspace: 'default', name: 'bench-interrupt' });
  const server = await startServer({ deps: { kernel, resources, documents, heartbeatMs: 15_000 }, port: 0, streamGraceMs: 50 });
  return {
    server,
    key,
    close: async () => {
      await server.close();
      await resources.close();
      await store.close();
      if (directory !== undefined) rmSync(directory, { recursive: true, force: true });
    },
  };
}

/** Events as they arrive, each with the time it was read; waits for a type to arrive. */
class ArrivalLog {
  private readonly arrived: Array<{ type: string; at: number }> = [];
  private readonly waiters: Array<{ type: string; resolve: (at: number) => void; reject: (error: Error) => void }> = [];
  private ended: Error | undefined;

  push(type: string, at: number): void {
    if (this.ended !== undefined) return;
    this.arrived.push({ type, at });
    for (const waiter of [...this.waiters]) {
      if (waiter.type !== type) continue;
      this.waiters.splice(this.waiters.indexOf(waiter), 1);
      waiter.resolve(at);
    }
  }

  end(error: Error): void {
    this.ended ??= error;
    for (const waiter of this.waiters.splice(0)) waiter.reject(error);
  }

  /** The arrival time of the first `type` event (now or later), rejected after `waitLimitMs`. */
  waitFor(type: string): Promise<number> {
    const seen = this.arrived.find((entry) => entry.type === type);
    if (seen !== undefined) return Promise.resolve(seen.at);
    if (this.ended !== undefined) return Promise.reject(this.ended);
    return new Promise((resolveArrival, rejectArrival) => {
      const timer = setTimeout(() => {
        this.waiters.splice(this.waiters.indexOf(waiter), 1);
        rejectArrival(new Error(`no ${type} within ${waitLimitMs} ms (saw: ${this.arrived.map((entry) => entry.type).join(', ')})`));
      }, waitLimitMs);
      const waiter = {
        type,
        resolve: (at: number) => {
          clearTimeout(timer);
          resolveArrival(at);
        },
        reject: (error: Error) => {
          clearTimeout(timer);
          rejectArrival(error);
        },
      };
      this.waiters.push(waiter);
    });
  }
}

/** Reads a native SSE response frame by frame into `log`, stamping each frame when its bytes are read. */
async function readNativeStream(response: Response, log: ArrivalLog): Promise<void> {
  const reader = (response.body as ReadableStream<Uint8Array>).getReader();
  const decoder = new TextDecoder();
  let buffer = '';
  try {
    for (;;) {
      const { value, done } = await reader.read();
      const at = performance.now();
      if (done) break;
      buffer += decoder.decode(value, { stream: true });
      let end: number;
      while ((end = buffer.indexOf('\n\n')) >= 0) {
        const frame = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        const lines = frame.split('\n');
        const event = lines.find((line) => line.startsWith('event:'))?.slice('event:'.length).trim();
        if (event === undefined) continue;
        if (event === 'session.status_idle') {
          const data = lines.find((line) => line.startsWith('data:'))?.slice('data:'.length) ?? '{}';
          const stopReason = (JSON.parse(data) as { data?: { stopReason?: string } }).data?.stopReason;
          if (stopReason !== 'interrupted') log.end(new Error(`the session went idle with stopReason ${String(stopReason)}, not interrupted`));
        }
        log.push(event, at);
      }
    }
    log.end(new Error('the event stream ended'));
  } catch (error) {
    log.end(error instanceof Error ? error : new Error(String(error)));
  }
}

async function timed(request: () => Promise<unknown>): Promise<{ at: number; ms: number }> {
  const start = performance.now();
  await request();
  const at = performance.now();
  return { at, ms: at - start };
}

/** One native iteration: create, stream, wait for `command.started`, interrupt, wait for the idle. */
async function nativeIteration(harness: Harness): Promise<Sample> {
  const { url } = harness.server;
  const headers = { authorization: `Bearer ${harness.key}`, 'content-type': 'application/json' };
  const document = { topology: 'pipeline', agents: [{ name: 'slow', model: slowModel }] };
  const created = await fetch(`${url}/v1/sessions`, { method: 'POST', headers, body: JSON.stringify({ document, task: 'Take your time.' }) });
  if (created.status !== 201) throw new Error(`POST /v1/sessions answered ${created.status}: ${await created.text()}`);
  const { id } = (await created.json()) as { id: string };
  const controller = new AbortController();
  try {
    const stream = await fetch(`${url}/v1/sessions/${id}/events/stream`, { headers: { authorization: headers.authorization }, signal: controller.signal });
    if (stream.status !== 200) throw new Error(`GET /v1/sessions/${id}/events/stream answered ${stream.status}`);
    const log = new ArrivalLog();
    void readNativeStream(stream, log);
    await log.waitFor('command.started');
    const idle = log.waitFor('session.status_idle');
    const t0 = performance.now();
    const post = await timed(async () => {
      const response = await fetch(`${url}/v1/sessions/${id}/interrupt`, { method: 'POST', headers, body: '{}' });
      const body = await response.text();
      if (response.status !== 200) throw new Error(`POST /v1/sessions/${id}/interrupt answered ${response.status}: ${body}`);
    });
    const t1 = await idle;
    return { idleMs: t1 - t0, postMs: post.ms };
  } finally {
    controller.abort();
  }
}

type ManagedEvent = { type: string; conclave?: { stop_reason?: string } };

/** One Managed Agents iteration through the official SDK: the same, with `user.message` / `user.interrupt`. */
async function managedIteration(client: Anthropic, agentId: string, environmentId: string): Promise<Sample> {
  const session = await client.beta.sessions.create({ agent: agentId, environment_id: environmentId });
  const stream = await client.beta.sessions.events.stream(session.id);
  const log = new ArrivalLog();
  const reading = (async () => {
    try {
      for await (const event of stream as AsyncIterable<ManagedEvent>) {
        const at = performance.now();
        if (event.type === 'session.status_idle' && event.conclave?.stop_reason !== 'interrupted') {
          log.end(new Error(`the session went idle with stop_reason ${String(event.conclave?.stop_reason)}, not interrupted`));
        }
        log.push(event.type, at);
        if (event.type === 'session.status_idle') break;
      }
      log.end(new Error('the event stream ended'));
    } catch (error) {
      log.end(error instanceof Error ? error : new Error(String(error)));
    }
  })();
  try {
    await client.beta.sessions.events.send(session.id, { events: [{ type: 'user.message', content: [{ type: 'text', text: 'Take your time.' }] }] });
    await log.waitFor('span.model_request_start');
    const idle = log.waitFor('session.status_idle');
    const t0 = performance.now();
    const post = await timed(() => client.beta.sessions.events.send(session.id, { events: [{ type: 'user.interrupt' }] }));
    const t1 = await idle;
    return { idleMs: t1 - t0, postMs: post.ms };
  } finally {
    stream.controller.abort();
    await reading;
  }
}

async function runScenario(api: Api, store: StoreKind, iterations: number, warmup: number): Promise<ScenarioResult> {
  const harness = await startHarness(store);
  const samples: Sample[] = [];
  let failures = 0;
  try {
    let iterate: () => Promise<Sample>;
    if (api === 'native') {
      iterate = () => nativeIteration(harness);
    } else {
      const client = new Anthropic({ apiKey: harness.key, baseURL: `${harness.server.url}/anthropic`, maxRetries: 0 });
      const agent = await client.beta.agents.create({ name: 'slow', model: slowModel } as never);
      const environment = await client.beta.environments.create({ name: 'bench', config: { type: 'cloud', networking: { type: 'unrestricted' } } });
      iterate = () => managedIteration(client, agent.id, environment.id);
    }
    for (let index = 0; index < warmup + iterations; index += 1) {
      try {
        const sample = await iterate();
        if (index >= warmup) samples.push(sample);
      } catch (error) {
        failures += 1;
        process.stderr.write(`  iteration ${index + 1} failed: ${error instanceof Error ? error.message : String(error)}\n`);
      }
    }
  } finally {
    await harness.close();
  }
  return {
    api,
    store,
    iterations: samples.length,
    failures,
    idle: stats(samples.map((sample) => sample.idleMs)),
    post: stats(samples.map((sample) => sample.postMs)),
  };
}

function label(result: ScenarioResult): string {
  return `${result.api === 'native' ? 'native API' : 'Managed Agents API (SDK)'} · ${result.store}`;
}

/** Met when the p99 is within the target and no iteration failed. */
function meets(result: ScenarioResult, measure: Stats): boolean {
  return result.failures === 0 && result.iterations > 0 && measure.p99 <= targetMs;
}

function table(results: readonly ScenarioResult[]): string {
  const cell = (value: number): string => `${value.toFixed(1)} ms`;
  const rows = results.flatMap((result) =>
    (
      [
        ['interrupt → status_idle on SSE', result.idle],
        ['interrupt POST response', result.post],
      ] as const
    ).map(([what, measure]) => {
      const met = meets(result, measure) ? 'yes' : result.failures > 0 ? `**NO** (${result.failures} failed)` : '**NO**';
      return `| ${label(result)}: ${what} | ${cell(measure.p50)} | ${cell(measure.p95)} | ${cell(measure.p99)} | ${cell(measure.max)} | ${met} |`;
    }),
  );
  return [`| scenario | p50 | p95 | p99 | max | target ≤ ${targetMs} ms met? |`, '|---|---|---|---|---|---|', ...rows].join('\n');
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const iterations = wholeNumber(argument(args, '--iterations'), 50, '--iterations', 0);
  const warmup = wholeNumber(argument(args, '--warmup'), 5, '--warmup', 0);
  const out = argument(args, '--out');
  const scenarios: Array<[Api, StoreKind]> = [
    ['native', 'sqlite'],
    ['native', 'memory'],
    ['managed', 'sqlite'],
    ['managed', 'memory'],
  ];
  const results: ScenarioResult[] = [];
  for (const [api, store] of scenarios) {
    process.stderr.write(`running ${api} over ${store}: ${warmup} warm-up + ${iterations} iterations…\n`);
    const result = await runScenario(api, store, iterations, warmup);
    results.push(result);
    process.stderr.write(`  p50 ${result.idle.p50} ms, p99 ${result.idle.p99} ms to idle; POST p50 ${result.post.p50} ms\n`);
  }
  const machine = `${cpus().length} × ${cpus()[0]?.model.trim() ?? 'cpu'}, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}`;
  const date = new Date().toISOString().slice(0, 10);
  process.stdout.write(`Interrupt latency, ${date}, on ${machine}; ${iterations} iterations per scenario after ${warmup} warm-up.\n\n${table(results)}\n\n`);
  const missed = results.filter((result) => !meets(result, result.idle));
  if (missed.length === 0) {
    process.stdout.write(`Target met: every scenario idles within ${targetMs} ms at p99.\n`);
  } else {
    process.stdout.write(`TARGET MISSED (interrupt → idle p99 > ${targetMs} ms, or failed iterations): ${missed.map(label).join('; ')}\n`);
  }
  if (out !== undefined) {
    writeFileSync(out, `${JSON.stringify({ date, machine, targetMs, iterations, warmup, model: slowModel, results }, null, 2)}\n`);
    process.stderr.write(`wrote ${out}\n`);
  }
}

await runMeasurement('bench:interrupt', main);
