// The response cache: keys change with anything that changes the answer and nothing else; a cached
// stream replays on its original schedule; failures are never cached.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { cachingAdapter, requestKey, ResponseCache } from '../../src/bench/response-cache.js';
import { createProgress } from '../../src/bench/bench-progress.js';
import type { GenerateRequest, ProviderAdapter, StreamPart } from '../../src/protocol/index.js';
import { createOfflineAdapter } from '../../providers/offline/offline-provider.js';

let directory: string;
beforeAll(async () => {
  directory = await mkdtemp(join(tmpdir(), 'conclave-cache-'));
});
afterAll(async () => {
  await rm(directory, { recursive: true, force: true });
});

const request: GenerateRequest = { model: 'echo?ttft_ms=60&tokens_per_s=100', messages: [{ role: 'user', content: 'one two three four' }], seed: 1 };

async function collectTimed(adapter: ProviderAdapter, body: GenerateRequest): Promise<{ parts: StreamPart[]; firstTextMs: number }> {
  const start = performance.now();
  const parts: StreamPart[] = [];
  let firstTextMs = -1;
  for await (const part of adapter.generate(body, { signal: new AbortController().signal, attempt: 1 })) {
    if (part.type === 'text-delta' && firstTextMs < 0) firstTextMs = performance.now() - start;
    parts.push(part);
  }
  return { parts, firstTextMs };
}

/**
 * Runs `work` with setTimeout and performance.now faked, moving the fake clock to each timer in
 * turn, and letting real I/O (the cache's files) complete whenever no timer is due.
 */
async function onFakeClock<T>(work: () => Promise<T>): Promise<T> {
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'performance'] });
  try {
    let settled = false;
    const running = work().finally(() => {
      settled = true;
    });
    while (!settled) {
      if (vi.getTimerCount() > 0) await vi.advanceTimersToNextTimerAsync();
      else await new Promise((resolve) => setImmediate(resolve));
    }
    return await running;
  } finally {
    vi.useRealTimers();
  }
}

function countingAdapter(inner: ProviderAdapter): ProviderAdapter & { calls: number } {
  const counted = { ...inner, calls: 0 };
  counted.generate = (body, options) => {
    counted.calls += 1;
    return inner.generate(body, options);
  };
  return counted;
}

describe('requestKey', () => {
  it('depends on provider, model, messages and sampling parameters', () => {
    const base = requestKey('offline', request);
    expect(requestKey('offline', { ...request })).toBe(base);
    expect(requestKey('openai', request)).not.toBe(base);
    expect(requestKey('offline', { ...request, seed: 2 })).not.toBe(base);
    expect(requestKey('offline', { ...request, temperature: 0.5 })).not.toBe(base);
    expect(requestKey('offline', { ...request, system: 'Be brief.' })).not.toBe(base);
    expect(requestKey('offline', { ...request, messages: [{ role: 'user', content: 'other' }] })).not.toBe(base);
  });
});

describe('cachingAdapter', () => {
  it('answers a repeated request from the cache, on the schedule it was recorded with', async () => {
    const cache = new ResponseCache(join(directory, 'replay'));
    const inner = countingAdapter(createOfflineAdapter());
    const adapter = cachingAdapter(inner, 'offline', cache);
    // On a fake clock, so the schedule is compared exactly and this machine's load cannot move it.
    const live = await onFakeClock(() => collectTimed(adapter, request));
    const replayed = await onFakeClock(() => collectTimed(adapter, request));
    expect(inner.calls).toBe(1);
    expect(replayed.parts).toEqual(live.parts);
    // The first text came 60 ms (ttft_ms) into the live call, and again into the replay: a replay
    // that ignored the recorded schedule would give it at once.
    expect(live.firstTextMs).toBe(60);
    expect(replayed.firstTextMs).toBe(live.firstTextMs);
    expect(cache.stats).toEqual({ hits: 1, stores: 1 });
  });

  it('never caches a failed response', async () => {
    const cache = new ResponseCache(join(directory, 'failures'));
    const inner = countingAdapter(createOfflineAdapter());
    const adapter = cachingAdapter(inner, 'offline', cache);
    const failing = { ...request, model: 'echo?fail_rate=1&fail=500' };
    await collectTimed(adapter, failing);
    await collectTimed(adapter, failing);
    expect(inner.calls).toBe(2);
    expect(cache.stats.stores).toBe(0);
  });

  it('is a no-op when the cache is disabled', async () => {
    const inner = createOfflineAdapter();
    expect(cachingAdapter(inner, 'offline', new ResponseCache(undefined))).toBe(inner);
  });
});

describe('createProgress', () => {
  function sink(live: boolean): { lines: string[]; progress: ReturnType<typeof createProgress> } {
    const lines: string[] = [];
    let now = 0;
    const stream = { write: (text: string) => lines.push(text), columns: 100 } as unknown as NodeJS.WriteStream;
    const progress = createProgress({ stream, live, now: () => (now += 100) });
    return { lines, progress };
  }

  it('redraws one line with a bar and an ETA in a terminal', () => {
    const { lines, progress } = sink(true);
    progress.phase('swift', 4);
    for (let index = 0; index < 4; index += 1) progress.tick(index === 1);
    progress.end();
    const drawn = lines.filter((line) => line.startsWith('\r') && line.length > 5);
    expect(drawn.length).toBeGreaterThan(1);
    expect(drawn.at(-1)).toMatch(/█+ 4\/4 100% · swift · 1 error · ETA 0s/);
    expect(lines.at(-1)).toBe('\r\u001b[2K');
  });

  it('writes plain lines at every tenth in a pipe', () => {
    const { lines, progress } = sink(false);
    progress.phase('sage', 100);
    for (let index = 0; index < 100; index += 1) progress.tick();
    expect(lines.every((line) => !line.includes('\r') && line.endsWith('\n'))).toBe(true);
    expect(lines.length).toBeLessThanOrEqual(13);
    expect(lines.at(-1)).toMatch(/^bench: sage 100\/100 \(100%\)/);
  });
});
