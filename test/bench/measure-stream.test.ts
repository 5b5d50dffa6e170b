/**
 * `measureStream` with a scripted adapter and an injected clock: every stream part advances a fake
 * clock by a known step, so time to first token, the gaps between tokens and the token rate have
 * exact expected values, and failures (error parts, thrown errors, aborts) land in `metrics.error`.
 */
import { describe, expect, it } from 'vitest';
import { measureStream } from '../../src/bench/measure-stream.js';
import { ConclaveError, type GenerateRequest, type ProviderAdapter, type StreamPart, type Usage } from '../../src/protocol/index.js';

/** A part, and how far the fake clock moves before the adapter yields it. */
interface Step {
  afterMs: number;
  part: StreamPart;
}

interface FakeClock {
  now: () => number;
  advance: (milliseconds: number) => void;
}

function fakeClock(startMs = 1_000): FakeClock {
  let current = startMs;
  return {
    now: () => current,
    advance: (milliseconds) => {
      current += milliseconds;
    },
  };
}

/** An adapter that yields `steps` in order, moving `clock` first; then throws `thenThrow` if given. */
function scriptedAdapter(clock: FakeClock, steps: Step[], options: { thenThrow?: unknown; simulated?: boolean } = {}): ProviderAdapter {
  return {
    specificationVersion: 'v1',
    provider: 'scripted',
    simulated: options.simulated ?? false,
    async *generate(): AsyncGenerator<StreamPart> {
      for (const step of steps) {
        clock.advance(step.afterMs);
        yield step.part;
      }
      if (options.thenThrow !== undefined) throw options.thenThrow;
    },
  };
}

const request: GenerateRequest = { model: 'scripted', messages: [{ role: 'user', content: 'hi' }] };
const usage: Usage = { inputTokens: 7, outputTokens: 4 };

function text(afterMs: number, delta: string): Step {
  return { afterMs, part: { type: 'text-delta', delta } };
}

function run(clock: FakeClock, adapter: ProviderAdapter, signal = new AbortController().signal, cost: (used: Usage) => number = () => 0) {
  return measureStream(adapter, request, { signal, cost, now: clock.now });
}

describe('measureStream timing', () => {
  it('takes ttft from the start to the first token, and the rate over the tokens after the first', async () => {
    const clock = fakeClock();
    const adapter = scriptedAdapter(clock, [
      { afterMs: 3, part: { type: 'stream-start', model: 'scripted' } },
      text(97, 'one '),
      text(10, 'two '),
      text(20, 'three '),
      text(30, 'four'),
      { afterMs: 5, part: { type: 'usage', usage } },
      { afterMs: 1, part: { type: 'finish', finishReason: 'stop' } },
    ]);
    const { text: answer, metrics } = await run(clock, adapter, undefined, (used) => used.outputTokens * 0.5);
    expect(answer).toBe('one two three four');
    expect(metrics.ttftMs).toBe(100);
    expect(metrics.itlGapsMs).toEqual([10, 20, 30]);
    expect(metrics.itlMs).toBe(20);
    // (4 − 1) tokens over the 60 ms between the first and the last token.
    expect(metrics.tokensPerSecond).toBe(50);
    expect(metrics.e2eMs).toBe(166);
    expect(metrics).toMatchObject({ inputTokens: 7, outputTokens: 4, costUsd: 2, simulated: false, error: null });
  });

  it('uses the reported output tokens for the rate, not the number of chunks', async () => {
    const clock = fakeClock();
    const adapter = scriptedAdapter(clock, [text(50, 'two words '), text(40, 'in each chunk'), { afterMs: 0, part: { type: 'usage', usage: { inputTokens: 1, outputTokens: 5 } } }]);
    const { metrics } = await run(clock, adapter);
    expect(metrics.itlMs).toBe(40);
    expect(metrics.tokensPerSecond).toBe(100); // (5 − 1) · 1000 / 40
    expect(metrics.outputTokens).toBe(5);
  });

  it('without usage, counts the chunks as output tokens and costs nothing', async () => {
    const clock = fakeClock();
    const adapter = scriptedAdapter(clock, [text(20, 'a'), text(5, 'b'), text(5, 'c')]);
    const { metrics } = await run(clock, adapter, undefined, () => 99);
    expect(metrics.outputTokens).toBe(3);
    expect(metrics.tokensPerSecond).toBe(200); // 2 · 1000 / 10
    expect(metrics.costUsd).toBe(0);
    expect(metrics.inputTokens).toBe(0);
  });

  it('ignores empty deltas: they neither start the clock of the first token nor count as chunks', async () => {
    const clock = fakeClock();
    const adapter = scriptedAdapter(clock, [
      text(10, ''),
      { afterMs: 5, part: { type: 'reasoning-delta', delta: '' } },
      text(25, 'first'),
      text(7, ''),
      text(3, ' second'),
    ]);
    const { text: answer, metrics } = await run(clock, adapter);
    expect(answer).toBe('first second');
    expect(metrics.ttftMs).toBe(40);
    expect(metrics.itlGapsMs).toEqual([10]);
    expect(metrics.outputTokens).toBe(2);
  });

  it('stamps reasoning and tool calls as output, but only text goes into the answer', async () => {
    const clock = fakeClock();
    const adapter = scriptedAdapter(clock, [
      { afterMs: 12, part: { type: 'reasoning-delta', delta: 'thinking' } },
      text(8, 'calling'),
      { afterMs: 4, part: { type: 'tool-call', toolCallId: 'call_1', toolName: 'add', input: { a: 1 } } },
    ]);
    const { text: answer, metrics } = await run(clock, adapter);
    expect(answer).toBe('calling');
    expect(metrics.ttftMs).toBe(12);
    expect(metrics.itlGapsMs).toEqual([8, 4]);
  });

  it('has no ttft, gaps or rate without output, and no rate with a single token', async () => {
    const empty = fakeClock();
    const none = await run(empty, scriptedAdapter(empty, [{ afterMs: 30, part: { type: 'finish', finishReason: 'stop' } }]));
    expect(none.metrics).toMatchObject({ ttftMs: null, itlMs: null, itlGapsMs: [], tokensPerSecond: null, outputTokens: 0, e2eMs: 30 });

    const single = fakeClock();
    const one = await run(single, scriptedAdapter(single, [text(30, 'only')]));
    expect(one.metrics).toMatchObject({ ttftMs: 30, itlMs: null, tokensPerSecond: null, outputTokens: 1 });
  });

  it('rounds to microseconds', async () => {
    const clock = fakeClock(0.1234567);
    const { metrics } = await run(clock, scriptedAdapter(clock, [text(1.0004444, 'a'), text(2.0005555, 'b')]));
    expect(metrics.ttftMs).toBe(1);
    expect(metrics.itlGapsMs).toEqual([2.001]);
  });

  it('marks the sample simulated when the adapter or its stream-start says so', async () => {
    const clock = fakeClock();
    const byAdapter = await run(clock, scriptedAdapter(clock, [text(1, 'a')], { simulated: true }));
    expect(byAdapter.metrics.simulated).toBe(true);
    const byPart = await run(clock, scriptedAdapter(clock, [{ afterMs: 0, part: { type: 'stream-start', model: 'm', simulated: true } }, text(1, 'a')]));
    expect(byPart.metrics.simulated).toBe(true);
  });
});

describe('measureStream failures', () => {
  it('an error part becomes metrics.error with its code, and stops reading', async () => {
    const clock = fakeClock();
    const error = new ConclaveError('provider_stream_cut', 'the stream ended early').toJSON();
    const adapter = scriptedAdapter(clock, [text(10, 'partial'), { afterMs: 5, part: { type: 'error', error } }, text(5, ' never read')]);
    const { text: answer, metrics } = await run(clock, adapter);
    expect(answer).toBe('partial');
    expect(metrics.error).toEqual({ code: 'provider_stream_cut', message: 'the stream ended early' });
    expect(metrics.ttftMs).toBe(10);
    expect(metrics.e2eMs).toBe(15);
    expect(metrics.outputTokens).toBe(0); // no usage came with the failed call
  });

  it('a thrown ConclaveError keeps its code', async () => {
    const clock = fakeClock();
    const adapter = scriptedAdapter(clock, [text(10, 'a')], { thenThrow: new ConclaveError('provider_rate_limited', 'slow down') });
    const { metrics } = await run(clock, adapter);
    expect(metrics.error).toEqual({ code: 'provider_rate_limited', message: 'slow down' });
  });

  it('any other thrown value becomes provider_error', async () => {
    const clock = fakeClock();
    const thrownError = await run(clock, scriptedAdapter(clock, [], { thenThrow: new TypeError('fetch failed') }));
    expect(thrownError.metrics.error).toEqual({ code: 'provider_error', message: 'fetch failed' });
    const thrownString = await run(clock, scriptedAdapter(clock, [], { thenThrow: 'socket hang up' }));
    expect(thrownString.metrics.error).toEqual({ code: 'provider_error', message: 'socket hang up' });
  });

  it('an abort is reported as aborted, whether the stream ends quietly or throws', async () => {
    const quietClock = fakeClock();
    const quiet = new AbortController();
    const quietAdapter: ProviderAdapter = {
      ...scriptedAdapter(quietClock, []),
      async *generate(): AsyncGenerator<StreamPart> {
        yield { type: 'text-delta', delta: 'a' };
        quiet.abort();
      },
    };
    expect((await run(quietClock, quietAdapter, quiet.signal)).metrics.error).toEqual({ code: 'aborted', message: 'the request was aborted' });

    const thrownClock = fakeClock();
    const thrown = new AbortController();
    const throwingAdapter: ProviderAdapter = {
      ...scriptedAdapter(thrownClock, []),
      async *generate(): AsyncGenerator<StreamPart> {
        yield { type: 'text-delta', delta: 'a' };
        thrown.abort();
        throw new DOMException('This operation was aborted', 'AbortError');
      },
    };
    const { metrics } = await run(thrownClock, throwingAdapter, thrown.signal);
    expect(metrics.error).toEqual({ code: 'aborted', message: 'This operation was aborted' });
  });

  it('an error part wins over a later abort', async () => {
    const clock = fakeClock();
    const controller = new AbortController();
    const error = new ConclaveError('provider_server_error', 'boom').toJSON();
    const adapter: ProviderAdapter = {
      ...scriptedAdapter(clock, []),
      async *generate(): AsyncGenerator<StreamPart> {
        controller.abort();
        yield { type: 'error', error };
      },
    };
    expect((await run(clock, adapter, controller.signal)).metrics.error).toEqual({ code: 'provider_server_error', message: 'boom' });
  });
});
