/**
 * Honest timing, the part that does not depend on the machine's speed: `measureStream` against the
 * four wire emulators, through our real adapters and the official SDKs over loopback HTTP, stamps
 * every streamed token exactly once and in order, for every request, one at a time and sixteen at
 * once. Each call gets its own counting clock (every reading is the previous one + 1 ms), so its
 * time to first token, gaps, token rate and end-to-end time are exact numbers that say how many
 * times, and when, the clock was read, whatever the scheduler does.
 *
 * Whether the measured times match the injected ones (within 5 % + 1 ms) is a question about the
 * machine and its load: `npm run bench:timing` (benchmarks/timing/) answers it, with the load average.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { anthropicProvider } from '../../providers/anthropic/index.js';
import { googleProvider } from '../../providers/google/index.js';
import { ollamaProvider } from '../../providers/ollama/index.js';
import { openaiProvider } from '../../providers/openai/index.js';
import { measureStream, type MeasuredCall } from '../../src/bench/measure-stream.js';
import type { GenerateRequest, ProviderAdapter } from '../../src/protocol/index.js';
import { startAnthropicEmulator } from '../emulators/anthropic-emulator.js';
import type { WireEmulator } from '../emulators/emulator-script.js';
import { startGeminiEmulator } from '../emulators/gemini-emulator.js';
import { createOllamaEmulator } from '../emulators/ollama-emulator.js';
import { startOpenAIEmulator } from '../emulators/openai-emulator.js';

/** Forty one-word tokens: every emulator streams one word (with its space) per chunk. */
const tokenCount = 40;
const sequentialRequests = 5;
const concurrentRequests = 16;

/** The reply of request `index`: forty words that name the request, so that replies cannot mix unseen. */
function replyText(index: number): string {
  return Array.from({ length: tokenCount }, (_, word) => `r${index}w${word}`).join(' ');
}

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

/** A clock that reads 0 ms first and 1 ms more at every reading after. */
function countingClock(): () => number {
  let readings = -1;
  return () => (readings += 1);
}

/**
 * Checks one call measured on a counting clock: one reading at the start (0), one per token (1 to
 * 40), one at the end (41) — so ttft 1 ms, 39 gaps of 1 ms, (40 − 1) tokens over 39 ms, 41 ms in all.
 */
function expectEveryTokenStampedOnce(call: MeasuredCall, label: string): void {
  expect(call.metrics.error, label).toBeNull();
  expect(call.metrics.outputTokens, `${label}: output tokens`).toBe(tokenCount);
  expect(call.metrics.ttftMs, `${label}: ttft`).toBe(1);
  expect(call.metrics.itlGapsMs, `${label}: gaps`).toEqual(Array.from({ length: tokenCount - 1 }, () => 1));
  expect(call.metrics.itlMs, `${label}: mean gap`).toBe(1);
  expect(call.metrics.tokensPerSecond, `${label}: token rate`).toBe(1000);
  expect(call.metrics.e2eMs, `${label}: end to end`).toBe(tokenCount + 1);
}

describe.each(protocols)('honest timing over the $name wire', (protocol) => {
  let emulator: WireEmulator;
  let adapter: ProviderAdapter;
  const request: GenerateRequest = { model: protocol.model, messages: [{ role: 'user', content: 'Say forty words.' }] };

  function measure(): Promise<MeasuredCall> {
    return measureStream(adapter, request, { signal: new AbortController().signal, cost: () => 0, now: countingClock() });
  }

  beforeAll(async () => {
    emulator = await protocol.startEmulator();
    adapter = protocol.createAdapter(emulator.baseUrl);
  });

  afterAll(async () => {
    await emulator.close();
  });

  it(`one request at a time: ${sequentialRequests} requests, every token stamped once, in order`, async () => {
    const calls: MeasuredCall[] = [];
    for (let index = 0; index < sequentialRequests; index += 1) {
      emulator.enqueue({ text: replyText(index) });
      calls.push(await measure());
    }
    for (const [index, call] of calls.entries()) {
      expect(call.text, `${protocol.name} request ${index}`).toBe(replyText(index));
      expectEveryTokenStampedOnce(call, `${protocol.name} request ${index}`);
    }
  });

  it(`${concurrentRequests} requests at once: every reply whole, every token stamped once, in order`, async () => {
    const texts = Array.from({ length: concurrentRequests }, (_, index) => replyText(index));
    emulator.enqueue(...texts.map((text) => ({ text })));
    const calls = await Promise.all(texts.map(() => measure()));
    // Which request gets which reply depends on arrival order; that every reply arrives whole does not.
    expect(calls.map((call) => call.text).sort()).toEqual([...texts].sort());
    for (const [index, call] of calls.entries()) expectEveryTokenStampedOnce(call, `${protocol.name} concurrent request ${index}`);
  });
});
