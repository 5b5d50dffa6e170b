/**
 * `npm run bench:timing`: does `measureStream` give back the timing a provider produced? The four
 * wire emulators (Anthropic, OpenAI, Gemini, Ollama) are told to answer with a known time to first
 * token and token rate; the real adapters and the official SDKs stream from them over loopback HTTP,
 * and `measureStream` measures each call, one request at a time and `--concurrency` at once. The
 * offline simulator is measured the same way, paced by its model options (`ttft_ms`,
 * `tokens_per_s`) instead of an emulator: its tests check the schedule it keeps on a fake clock, and
 * this is where its pacing meets a real one.
 *
 * For every wire and concurrency it reports the injected and the measured time to first token and
 * token rate, the worst deviation of any request, and whether every request stayed within the
 * tolerance (5 % + 1 ms, on the token rate taken as its interval). The floor is the same wire's
 * unpaced reply (no injected delay), measured in the same run: the bench's own overhead (the SDK
 * building the request, the loopback round trip, parsing, the adapter's mapping), which the
 * measured time to first token should exceed the injected one by, and no more. The load average
 * is printed with the figures, since the emulators share this process with the client and any
 * other program on the cores delays both.
 *
 * `--requests N` (default 10) one-at-a-time requests per wire, `--concurrency N` (default 16),
 * `--warmup N` (default 5) unmeasured rounds first, `--out FILE` also writes the results as JSON.
 * Always exits 0: it is a measurement.
 */
import { writeFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { anthropicProvider } from '../../providers/anthropic/index.js';
import { googleProvider } from '../../providers/google/index.js';
import { ollamaProvider } from '../../providers/ollama/index.js';
import { openaiProvider } from '../../providers/openai/index.js';
import { createOfflineAdapter } from '../../providers/offline/offline-provider.js';
import { countTokens } from '../../providers/offline/token-estimate.js';
import { measureStream, type MeasuredCall } from '../../src/bench/measure-stream.js';
import type { GenerateRequest, ProviderAdapter } from '../../src/protocol/index.js';
import { startAnthropicEmulator } from '../../test/emulators/anthropic-emulator.js';
import type { EmulatorReply, WireEmulator } from '../../test/emulators/emulator-script.js';
import { startGeminiEmulator } from '../../test/emulators/gemini-emulator.js';
import { createOllamaEmulator } from '../../test/emulators/ollama-emulator.js';
import { startOpenAIEmulator } from '../../test/emulators/openai-emulator.js';
import { argument, percentile, wholeNumber } from '../benchmark-arguments.js';
import { runMeasurement } from '../run-measurement.js';

const injectedTtftMs = 120;
const injectedTokensPerSecond = 200;
const injectedIntervalMs = 1000 / injectedTokensPerSecond;
/** 5 % of the injected time to first token, plus 1 ms. */
const ttftToleranceMs = 0.05 * injectedTtftMs + 1;
/** The same tolerance on the mean gap between tokens (5 ± 1.25 ms: 160 to 267 tokens/s). */
const intervalToleranceMs = 0.05 * injectedIntervalMs + 1;

/** Forty one-word tokens: every emulator streams one word (with its space) per chunk. */
const replyWords = Array.from({ length: 40 }, (_, index) => `word${index}`);
const replyText = replyWords.join(' ');
const pacedReply: EmulatorReply = { text: replyText, ttftMs: injectedTtftMs, tokensPerSecond: injectedTokensPerSecond };
const unpacedReply: EmulatorReply = { text: replyText };

interface WireProtocol {
  name: string;
  model: string;
  startEmulator(): Promise<WireEmulator>;
  createAdapter(baseUrl: string): ProviderAdapter;
  /** The request for `reply`, when it is not the model's to pace (the offline simulator's is). */
  requestFor?(reply: EmulatorReply): GenerateRequest;
  /** Output tokens a whole reply has, when not one per word. */
  replyTokens?: number;
}

/**
 * The offline simulator as a "wire": no emulator (enqueued replies are ignored), its echo model
 * repeats the reply text, paced by the model options.
 */
const offlineWire: WireProtocol = {
  name: 'offline',
  model: 'echo',
  startEmulator: () =>
    Promise.resolve({ baseUrl: '', enqueue: () => undefined, requests: [], openResponses: 0, unfinishedResponses: 0, close: () => Promise.resolve() }),
  createAdapter: () => createOfflineAdapter(),
  requestFor: (reply) => ({
    model: `echo?${[reply.ttftMs !== undefined ? `ttft_ms=${reply.ttftMs}` : '', reply.tokensPerSecond !== undefined ? `tokens_per_s=${reply.tokensPerSecond}` : ''].filter((option) => option !== '').join('&')}`.replace(/\?$/, ''),
    messages: [{ role: 'user', content: replyText }],
  }),
  replyTokens: countTokens(replyText),
};

const protocols: WireProtocol[] = [
  { name: 'anthropic', model: 'claude-haiku-4-5', startEmulator: startAnthropicEmulator, createAdapter: (baseUrl) => anthropicProvider.create({ baseUrl, apiKey: 'test-key', env: {} }) },
  { name: 'openai', model: 'gpt-4.1-mini', startEmulator: startOpenAIEmulator, createAdapter: (baseUrl) => openaiProvider.create({ baseUrl, apiKey: 'sk-test', env: {} }) },
  { name: 'gemini', model: 'gemini-2.5-flash', startEmulator: startGeminiEmulator, createAdapter: (baseUrl) => googleProvider.create({ baseUrl, apiKey: 'test-key', env: {} }) },
  { name: 'ollama', model: 'llama3.2', startEmulator: createOllamaEmulator, createAdapter: (baseUrl) => ollamaProvider.create({ baseUrl, env: {} }) },
  offlineWire,
];

interface Row {
  wire: string;
  concurrency: number;
  requests: number;
  /** Requests with an error, a different text or a different token count. */
  wrong: number;
  /** Unpaced time to first token, p50: the overhead floor. */
  floorTtftMs: number;
  ttftP50Ms: number;
  /** The deviation from the injected time to first token furthest from zero. */
  ttftWorstDeviationMs: number;
  tokensPerSecondP50: number;
  /** The deviation of the mean token interval from the injected one, furthest from zero. */
  intervalWorstDeviationMs: number;
  withinTolerance: boolean;
}

/** V8's full collection, reached through `--expose-gc` set at run time; undefined where that fails. */
const collectGarbage = ((): (() => void) | undefined => {
  try {
    setFlagsFromString('--expose-gc');
    const collect: unknown = runInNewContext('gc');
    return typeof collect === 'function' ? (collect as () => void) : undefined;
  } catch {
    return undefined;
  }
})();

function pause(milliseconds: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, milliseconds));
}

function nextTurn(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

function median(values: number[]): number {
  return percentile([...values].sort((a, b) => a - b), 0.5);
}

function furthestFromZero(values: number[]): number {
  return values.reduce((largest, value) => (Number.isNaN(value) || Math.abs(value) > Math.abs(largest) ? value : largest), 0);
}

/**
 * `count` requests on one wire, `concurrency` at a time, each answered with `reply`. Requests of one
 * batch are launched one event-loop turn apart: launched in the same turn, every request's clock
 * would start before any is sent, and each would include the client building the others.
 */
async function measureBatches(emulator: WireEmulator, measure: (reply: EmulatorReply) => Promise<MeasuredCall>, reply: EmulatorReply, count: number, concurrency: number): Promise<MeasuredCall[]> {
  const calls: MeasuredCall[] = [];
  while (calls.length < count) {
    const size = Math.min(concurrency, count - calls.length);
    emulator.enqueue(...Array.from({ length: size }, () => reply));
    const launched: Array<Promise<MeasuredCall>> = [];
    for (let index = 0; index < size; index += 1) {
      launched.push(measure(reply));
      if (size > 1) await nextTurn();
    }
    calls.push(...(await Promise.all(launched)));
  }
  return calls;
}

function isWrong(call: MeasuredCall, replyTokens: number): boolean {
  return call.metrics.error !== null || call.text !== replyText || call.metrics.outputTokens !== replyTokens;
}

async function measureWire(protocol: WireProtocol, concurrency: number, requests: number, warmup: number): Promise<Row> {
  const emulator = await protocol.startEmulator();
  try {
    const adapter = protocol.createAdapter(emulator.baseUrl);
    const request: GenerateRequest = { model: protocol.model, messages: [{ role: 'user', content: 'Say forty words.' }] };
    const measure = (reply: EmulatorReply): Promise<MeasuredCall> =>
      measureStream(adapter, protocol.requestFor?.(reply) ?? request, { signal: new AbortController().signal, cost: () => 0 });
    // Warm-up: the first calls of an SDK client load code, open connections and run cold code.
    await measureBatches(emulator, measure, unpacedReply, warmup * concurrency, concurrency);
    const floor = await measureBatches(emulator, measure, unpacedReply, requests, concurrency);
    // The warm-up's garbage is collected, and the process idles briefly, outside the measurement.
    collectGarbage?.();
    await pause(50);
    const calls = await measureBatches(emulator, measure, pacedReply, requests, concurrency);
    const ttfts = calls.map((call) => call.metrics.ttftMs ?? Number.NaN);
    const rates = calls.map((call) => call.metrics.tokensPerSecond ?? Number.NaN);
    const ttftDeviations = ttfts.map((ttft) => ttft - injectedTtftMs);
    const intervalDeviations = rates.map((rate) => 1000 / rate - injectedIntervalMs);
    const wrong = calls.filter((call) => isWrong(call, protocol.replyTokens ?? replyWords.length)).length;
    return {
      wire: protocol.name,
      concurrency,
      requests: calls.length,
      wrong,
      floorTtftMs: median(floor.map((call) => call.metrics.ttftMs ?? Number.NaN)),
      ttftP50Ms: median(ttfts),
      ttftWorstDeviationMs: furthestFromZero(ttftDeviations),
      tokensPerSecondP50: median(rates),
      intervalWorstDeviationMs: furthestFromZero(intervalDeviations),
      withinTolerance:
        wrong === 0 &&
        ttftDeviations.every((deviation) => Math.abs(deviation) <= ttftToleranceMs) &&
        intervalDeviations.every((deviation) => Math.abs(deviation) <= intervalToleranceMs),
    };
  } finally {
    await emulator.close();
  }
}

function signed(value: number): string {
  return `${value >= 0 ? '+' : ''}${value.toFixed(2)}`;
}

function table(rows: readonly Row[]): string {
  const lines = rows.map((row) => {
    const overheadRatio = row.ttftP50Ms / (injectedTtftMs + row.floorTtftMs);
    const verdict = row.withinTolerance ? 'yes' : row.wrong > 0 ? `**NO** (${row.wrong} wrong)` : '**NO**';
    return (
      `| ${row.wire} | ${row.concurrency} | ${row.requests} | ${injectedTtftMs} | ${row.ttftP50Ms.toFixed(2)} | ${signed(row.ttftWorstDeviationMs)} | ` +
      `${row.floorTtftMs.toFixed(2)} | ${overheadRatio.toFixed(3)} | ${injectedTokensPerSecond} | ${row.tokensPerSecondP50.toFixed(1)} | ${signed(row.intervalWorstDeviationMs)} | ${verdict} |`
    );
  });
  return [
    '| wire | concurrency | requests | injected TTFT ms | measured TTFT p50 ms | worst TTFT deviation ms | floor (unpaced) TTFT p50 ms | p50 / (injected + floor) | injected tokens/s | measured tokens/s p50 | worst interval deviation ms | within tolerance |',
    '|---|---|---|---|---|---|---|---|---|---|---|---|',
    ...lines,
  ].join('\n');
}

function formatLoad(load: number[]): string {
  return load.map((value) => value.toFixed(2)).join(' / ');
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const requests = wholeNumber(argument(args, '--requests'), 10, '--requests');
  const concurrency = wholeNumber(argument(args, '--concurrency'), 16, '--concurrency');
  const warmup = wholeNumber(argument(args, '--warmup'), 5, '--warmup', 0);
  const out = argument(args, '--out');
  const loadBefore = loadavg();
  const rows: Row[] = [];
  for (const protocol of protocols) {
    for (const [level, count] of [
      [1, requests],
      [concurrency, concurrency],
    ] as const) {
      process.stderr.write(`measuring ${protocol.name} at concurrency ${level}: ${warmup} warm-up rounds + ${count} requests…\n`);
      rows.push(await measureWire(protocol, level, count, warmup));
    }
  }
  const loadAfter = loadavg();
  const machine = `${cpus().length} × ${cpus()[0]?.model.trim() ?? 'cpu'}, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}`;
  const date = new Date().toISOString().slice(0, 10);
  process.stdout.write(
    `Honest timing, ${date}, on ${machine}; load average (1 / 5 / 15 min) ${formatLoad(loadBefore)} before, ${formatLoad(loadAfter)} after.\n` +
      `Injected: TTFT ${injectedTtftMs} ms (tolerance ±${ttftToleranceMs} ms), ${injectedTokensPerSecond} tokens/s (interval ${injectedIntervalMs} ms, tolerance ±${intervalToleranceMs} ms).\n\n` +
      `${table(rows)}\n\n`,
  );
  const outside = rows.filter((row) => !row.withinTolerance);
  if (outside.length === 0) process.stdout.write('PASS: every request of every wire and concurrency within tolerance.\n');
  else process.stdout.write(`FAIL: outside tolerance: ${outside.map((row) => `${row.wire} at concurrency ${row.concurrency}`).join('; ')}\n`);
  if (out !== undefined) {
    writeFileSync(out, `${JSON.stringify({ date, machine, loadBefore, loadAfter, injectedTtftMs, injectedTokensPerSecond, ttftToleranceMs, intervalToleranceMs, rows }, null, 2)}\n`);
    process.stderr.write(`wrote ${out}\n`);
  }
}

await runMeasurement('bench:timing', main);
