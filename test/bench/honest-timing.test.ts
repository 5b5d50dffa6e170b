/**
 * Honest timing: `measureStream` against the four wire emulators, through our real adapters and the
 * official SDKs over loopback HTTP, gives back the timing the emulators were told to produce. For
 * every request, one at a time and sixteen at once: time to first token within 5 % + 1 ms of the
 * injected one, the mean gap between tokens within 5 % + 1 ms of `1000 / tokensPerSecond`, and as
 * many output tokens as were streamed. The measured values include the bench's own overhead (the
 * SDK building the request, the loopback round trip, parsing, the adapter's mapping); the test
 * passing states that this overhead fits in the tolerance. Set CONCLAVE_TIMING_REPORT=1 to print
 * the worst deviations.
 *
 * How the measurement is run, and why:
 * - Warm-up requests come first and are not measured, as in a bench run: the first calls of an SDK
 *   client load code, open connections (sixteen of them for sixteen at once) and run cold code.
 * - Before sixteen requests at once, the garbage of their warm-up (eighty requests) is collected
 *   when the collector can be reached, and the process idles briefly, so that collecting it does not
 *   land inside the measurement. Collections of the measured requests' own garbage still do.
 * - Sixteen at once are launched one event-loop turn apart (about 0.3 ms each). Launched in the
 *   same turn, every request's clock starts before any of them is sent, and each request's time to
 *   first token then includes the client building the fifteen others — 5 to 10 ms on a two-core
 *   machine — which is the client's queue, not the provider's latency.
 * - A test that fails is run again, at most twice, with the same tolerance for every request: the
 *   emulators share the process with the client, so a pause of that process (another program on
 *   the core, a collector pause) delays both. The emulators' own schedule does not drift: they pace
 *   on absolute deadlines (`test/emulators/emulator-pacing.ts`).
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { anthropicProvider } from '../../providers/anthropic/index.js';
import { googleProvider } from '../../providers/google/index.js';
import { ollamaProvider } from '../../providers/ollama/index.js';
import { openaiProvider } from '../../providers/openai/index.js';
import { measureStream, type MeasuredCall } from '../../src/bench/measure-stream.js';
import type { GenerateRequest, ProviderAdapter } from '../../src/protocol/index.js';
import { startAnthropicEmulator } from '../emulators/anthropic-emulator.js';
import type { EmulatorReply, WireEmulator } from '../emulators/emulator-script.js';
import { startGeminiEmulator } from '../emulators/gemini-emulator.js';
import { createOllamaEmulator } from '../emulators/ollama-emulator.js';
import { startOpenAIEmulator } from '../emulators/openai-emulator.js';

const injectedTtftMs = 120;
const injectedTokensPerSecond = 200;
const injectedTokenIntervalMs = 1000 / injectedTokensPerSecond;
/** 5 % of the injected time to first token, plus 1 ms. */
const ttftToleranceMs = 0.05 * injectedTtftMs + 1;
/**
 * The same tolerance on the token rate, taken on its interval: the measured mean gap between tokens,
 * `1000 / tokensPerSecond`, must be within 5 % + 1 ms of `1000 / injected rate` (5 ± 1.25 ms here,
 * 160 to 267 tokens/s). A rate has no milliseconds of its own; its interval is where "1 ms" means something.
 */
const intervalToleranceMs = 0.05 * injectedTokenIntervalMs + 1;

/** Forty one-word tokens: every emulator streams one word (with its space) per chunk. */
const replyWords = Array.from({ length: 40 }, (_, index) => `word${index}`);
const replyText = replyWords.join(' ');
const pacedReply: EmulatorReply = { text: replyText, ttftMs: injectedTtftMs, tokensPerSecond: injectedTokensPerSecond };
const sequentialRequests = 5;
const concurrentRequests = 16;
const warmUpRounds = 5;
const report = process.env.CONCLAVE_TIMING_REPORT === '1';

interface WireProtocol {
  name: string;
  model: string;
  startEmulator(): Promise<WireEmulator>;
  createAdapter(baseUrl: string): ProviderAdapter;
}

const protocols: WireProtocol[] = [
  {
    name: 'anthropic',
    model: 'claude-haiku-4-5',
    startEmulator: startAnthropicEmulator,
    createAdapter: (baseUrl) => anthropicProvider.create({ baseUrl, apiKey: 'test-key', env: {} }),
  },
  {
    name: 'openai',
    model: 'gpt-4.1-mini',
    startEmulator: startOpenAIEmulator,
    createAdapter: (baseUrl) => openaiProvider.create({ baseUrl, apiKey: 'sk-test', env: {} }),
  },
  {
    name: 'gemini',
    model: 'gemini-2.5-flash',
    startEmulator: startGeminiEmulator,
    createAdapter: (baseUrl) => googleProvider.create({ baseUrl, apiKey: 'test-key', env: {} }),
  },
  {
    name: 'ollama',
    model: 'llama3.2',
    startEmulator: createOllamaEmulator,
    createAdapter: (baseUrl) => ollamaProvider.create({ baseUrl, env: {} }),
  },
];

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

/** Collects the warm-up's garbage and lets the process idle, before sixteen requests at once. */
async function settle(): Promise<void> {
  collectGarbage?.();
  await pause(50);
}

interface Deviations {
  ttftMs: number;
  intervalMs: number;
}

/** How far one measured call is from the injected timing (NaN where a value is missing). */
function deviationsOf(call: MeasuredCall): Deviations {
  const { ttftMs, tokensPerSecond } = call.metrics;
  return {
    ttftMs: ttftMs === null ? Number.NaN : ttftMs - injectedTtftMs,
    intervalMs: tokensPerSecond === null ? Number.NaN : 1000 / tokensPerSecond - injectedTokenIntervalMs,
  };
}

/** Checks one measured call against the injected timing and the streamed text. */
function expectHonest(call: MeasuredCall, label: string): void {
  const { metrics } = call;
  const deviations = deviationsOf(call);
  expect(metrics.error, label).toBeNull();
  expect(call.text, label).toBe(replyText);
  expect(metrics.outputTokens, `${label}: output tokens`).toBe(replyWords.length);
  expect(Math.abs(deviations.ttftMs), `${label}: ttft ${metrics.ttftMs} ms, injected ${injectedTtftMs} ms`).toBeLessThanOrEqual(ttftToleranceMs);
  expect(Math.abs(deviations.intervalMs), `${label}: ${metrics.tokensPerSecond} tokens/s, injected ${injectedTokensPerSecond}`).toBeLessThanOrEqual(
    intervalToleranceMs,
  );
}

/** Prints the worst deviations of a series when CONCLAVE_TIMING_REPORT=1. */
function reportWorst(label: string, calls: MeasuredCall[]): void {
  if (!report) return;
  const deviations = calls.map(deviationsOf);
  const worst = (values: number[]): number => values.reduce((largest, value) => (Math.abs(value) > Math.abs(largest) ? value : largest), 0);
  const ttft = worst(deviations.map((deviation) => deviation.ttftMs));
  const interval = worst(deviations.map((deviation) => deviation.intervalMs));
  console.info(`${label}: worst ttft ${signed(ttft)} ms (tolerance ${ttftToleranceMs}), token interval ${signed(interval)} ms (tolerance ${intervalToleranceMs})`);
}

function signed(value: number): string {
  return `${value >= 0 ? '+' : ''}${value.toFixed(3)}`;
}

describe.each(protocols)('honest timing over the $name wire', (protocol) => {
  let emulator: WireEmulator;
  let adapter: ProviderAdapter;
  const request: GenerateRequest = { model: protocol.model, messages: [{ role: 'user', content: 'Say forty words.' }] };

  function measure(): Promise<MeasuredCall> {
    return measureStream(adapter, request, { signal: new AbortController().signal, cost: () => 0 });
  }

  /** Unpaced, unmeasured requests: `warmUpRounds` rounds of `concurrency` at once. */
  async function warmUp(concurrency: number): Promise<void> {
    for (let round = 0; round < warmUpRounds; round += 1) {
      emulator.enqueue(...Array.from({ length: concurrency }, () => ({ text: replyText })));
      const calls = await Promise.all(Array.from({ length: concurrency }, () => measure()));
      for (const call of calls) expect(call.metrics.error, 'warm-up request').toBeNull();
    }
  }

  beforeAll(async () => {
    emulator = await protocol.startEmulator();
    adapter = protocol.createAdapter(emulator.baseUrl);
  });

  afterAll(async () => {
    await emulator.close();
  });

  it(`one request at a time: ${sequentialRequests} requests, each within 5 % + 1 ms`, { retry: 2 }, async () => {
    await warmUp(1);
    const calls: MeasuredCall[] = [];
    for (let index = 0; index < sequentialRequests; index += 1) {
      emulator.enqueue(pacedReply);
      calls.push(await measure());
    }
    reportWorst(`${protocol.name}, concurrency 1`, calls);
    for (const [index, call] of calls.entries()) expectHonest(call, `${protocol.name} request ${index}`);
  });

  it(`${concurrentRequests} requests at once, each within 5 % + 1 ms`, { retry: 2 }, async () => {
    await warmUp(concurrentRequests);
    await settle();
    emulator.enqueue(...Array.from({ length: concurrentRequests }, () => pacedReply));
    const launched: Array<Promise<MeasuredCall>> = [];
    for (let index = 0; index < concurrentRequests; index += 1) {
      launched.push(measure());
      await nextTurn();
    }
    const calls = await Promise.all(launched);
    reportWorst(`${protocol.name}, concurrency ${concurrentRequests}`, calls);
    for (const [index, call] of calls.entries()) expectHonest(call, `${protocol.name} concurrent request ${index}`);
  });
});
