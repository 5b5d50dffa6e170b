/**
 * The benchmark's response cache: a model response is stored under the SHA-256 of what determines
 * it — provider, model, system prompt, messages and sampling parameters (temperature, max tokens,
 * stop sequences, seed, response format, tools) — so a re-run or a resumed run never pays twice for
 * a request it already made. Only successful responses are stored. Entries are one JSON file each,
 * written to a temporary name and renamed, so a run killed mid-write leaves no torn entry.
 *
 * Two kinds of entry: a measured sample (text plus the metrics taken when it was fetched, reused
 * as-is) and a recorded stream (every part with its time offset), which `cachingAdapter` replays on
 * the original schedule inside topology sessions so that a session's latency stays faithful.
 *
 * A cached response is an output like any other: recorded streams are stored redacted of every
 * known secret (a provider key a model repeated), with secrets split across parts caught whole.
 */
import { createHash } from 'node:crypto';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { abortableSleep } from '../kernel/index.js';
import { ConclaveError, type GenerateOptions, type GenerateRequest, type ProviderAdapter, type StreamPart } from '../protocol/index.js';
import { createStreamRedactor, type Redactor } from '../vault/index.js';
import type { SampleMetrics } from './bench-types.js';

export interface CachedSample {
  kind: 'sample';
  text: string;
  metrics: SampleMetrics;
  at: string;
}

export interface CachedStream {
  kind: 'stream';
  parts: StreamPart[];
  /** Milliseconds from the request's start to each part. */
  offsetsMs: number[];
  at: string;
}

export type CacheEntry = CachedSample | CachedStream;

/**
 * The content hash of a request to `provider`.
 *
 * @example
 * requestKey('openai', { model: 'gpt-4.1-mini', messages: [{ role: 'user', content: 'hi' }], seed: 3 }) // → '9f2c…' (64 hex digits)
 */
export function requestKey(provider: string, request: GenerateRequest): string {
  const canonical = {
    provider,
    model: request.model,
    system: request.system ?? null,
    messages: request.messages,
    temperature: request.temperature ?? null,
    maxTokens: request.maxTokens ?? null,
    stop: request.stop ?? null,
    seed: request.seed ?? null,
    tools: request.tools ?? null,
    responseFormat: request.responseFormat ?? null,
  };
  return createHash('sha256').update(JSON.stringify(canonical)).digest('hex');
}

export class ResponseCache {
  /** Hits and stores in this process, for the run's summary. */
  readonly stats = { hits: 0, stores: 0 };

  /** @param directory where entries live; undefined disables the cache (`--no-cache`). */
  constructor(readonly directory: string | undefined) {}

  get enabled(): boolean {
    return this.directory !== undefined;
  }

  private path(key: string): string {
    return join(this.directory as string, key.slice(0, 2), `${key}.json`);
  }

  /**
   * The entry under `key`, or undefined (also when disabled or unreadable).
   *
   * @example
   * const hit = await cache.get(requestKey('offline', request));
   */
  async get(key: string): Promise<CacheEntry | undefined> {
    if (this.directory === undefined) return undefined;
    try {
      const entry = JSON.parse(await readFile(this.path(key), 'utf8')) as CacheEntry;
      this.stats.hits += 1;
      return entry;
    } catch {
      return undefined;
    }
  }

  /**
   * Stores `entry` under `key` (atomically; a no-op when disabled).
   *
   * @example
   * await cache.put(key, { kind: 'sample', text, metrics, at: new Date().toISOString() });
   */
  async put(key: string, entry: CacheEntry): Promise<void> {
    if (this.directory === undefined) return;
    const path = this.path(key);
    await mkdir(join(this.directory, key.slice(0, 2)), { recursive: true });
    const temporary = `${path}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
    await writeFile(temporary, JSON.stringify(entry));
    await rename(temporary, path);
    this.stats.stores += 1;
  }
}

async function* replay(entry: CachedStream, signal: AbortSignal): AsyncGenerator<StreamPart> {
  const start = performance.now();
  for (const [index, part] of entry.parts.entries()) {
    const wait = start + (entry.offsetsMs[index] ?? 0) - performance.now();
    if (wait >= 1) await abortableSleep(wait, signal).catch(() => undefined);
    if (signal.aborted) {
      yield { type: 'error', error: new ConclaveError('aborted', 'the replay of a cached response was aborted').toJSON() };
      return;
    }
    yield part;
  }
}

/**
 * A recorded stream with every known secret redacted: text and reasoning deltas each go through a
 * stream redactor (what it holds back at the end joins the kind's last part), so the parts of a kind
 * still join into the redacted whole; tool-call inputs and errors are redacted as values.
 *
 * @example
 * redactStreamParts([{ type: 'text-delta', delta: 'key sk-ab' }, { type: 'text-delta', delta: 'c123' }], redactor)
 * // → [{ type: 'text-delta', delta: 'key ' }, { type: 'text-delta', delta: '[secret:KEY]' }]
 */
export function redactStreamParts(parts: readonly StreamPart[], redactor: Redactor): StreamPart[] {
  const streams = { 'text-delta': createStreamRedactor(redactor), 'reasoning-delta': createStreamRedactor(redactor) };
  const last: Partial<Record<keyof typeof streams, number>> = {};
  const redacted = parts.map((part, index): StreamPart => {
    if (part.type !== 'text-delta' && part.type !== 'reasoning-delta') return redactor.redactValue(part);
    last[part.type] = index;
    return { ...part, delta: streams[part.type].push(part.delta) };
  });
  for (const type of ['text-delta', 'reasoning-delta'] as const) {
    const index = last[type];
    const part = index === undefined ? undefined : redacted[index];
    if (index !== undefined && part?.type === type) redacted[index] = { ...part, delta: part.delta + streams[type].flush() };
  }
  return redacted;
}

async function* recordThrough(inner: ProviderAdapter, provider: string, request: GenerateRequest, options: GenerateOptions, cache: ResponseCache, redactor: Redactor | undefined): AsyncGenerator<StreamPart> {
  const key = requestKey(provider, request);
  const hit = await cache.get(key);
  if (hit?.kind === 'stream') {
    yield* replay(hit, options.signal);
    return;
  }
  const start = performance.now();
  const parts: StreamPart[] = [];
  const offsetsMs: number[] = [];
  let failed = false;
  for await (const part of inner.generate(request, options)) {
    parts.push(part);
    offsetsMs.push(Math.round((performance.now() - start) * 1000) / 1000);
    if (part.type === 'error') failed = true;
    yield part;
  }
  if (!failed && !options.signal.aborted) {
    await cache.put(key, { kind: 'stream', parts: redactor === undefined ? parts : redactStreamParts(parts, redactor), offsetsMs, at: new Date().toISOString() });
  }
}

/**
 * Wraps an adapter so that every successful stream is recorded in `cache` (redacted with
 * `redactor`, when given) and an identical request later is replayed from it on the original
 * schedule, without calling the provider.
 *
 * @example
 * new Kernel({ store, registry, wrapAdapter: (adapter, provider) => cachingAdapter(adapter, provider, cache, redactor) });
 */
export function cachingAdapter(inner: ProviderAdapter, provider: string, cache: ResponseCache, redactor?: Redactor): ProviderAdapter {
  if (!cache.enabled) return inner;
  const wrapped: ProviderAdapter = {
    specificationVersion: 'v1',
    provider: inner.provider,
    simulated: inner.simulated,
    generate: (request, options) => recordThrough(inner, provider, request, options, cache, redactor),
  };
  if (inner.price !== undefined) wrapped.price = (model) => inner.price?.(model);
  return wrapped;
}
