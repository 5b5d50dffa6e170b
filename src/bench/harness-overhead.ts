/**
 * The harness's own cost per request, stated with every result: requests to an in-process model
 * that answers at once (no timers, no I/O) go through the same measuring path as real samples, so
 * their mean end-to-end time is what the harness adds to every measured latency.
 */
import type { GenerateRequest, ProviderAdapter, StreamPart } from '../protocol/index.js';
import { measureStream } from './measure-stream.js';

async function* instantStream(request: GenerateRequest): AsyncGenerator<StreamPart> {
  yield { type: 'stream-start', model: request.model, simulated: true };
  for (const word of ['The', ' answer', ' is', ' 42', '.']) yield { type: 'text-delta', delta: word };
  yield { type: 'usage', usage: { inputTokens: 12, outputTokens: 5 } };
  yield { type: 'finish', finishReason: 'stop' };
}

const instantAdapter: ProviderAdapter = { specificationVersion: 'v1', provider: 'instant', simulated: true, generate: instantStream };

/**
 * Measures the harness overhead: the mean of `samples` instant requests after a few warm-up ones.
 *
 * @example
 * const overhead = await measureHarnessOverhead(200);
 * overhead.perRequestMs // → 0.012
 */
export async function measureHarnessOverhead(samples = 200): Promise<{ perRequestMs: number; samples: number; method: string }> {
  const request: GenerateRequest = { model: 'instant', messages: [{ role: 'user', content: 'What is 6 * 7?' }] };
  const signal = new AbortController().signal;
  const options = { signal, cost: () => 0 };
  for (let index = 0; index < 20; index += 1) await measureStream(instantAdapter, request, options);
  let total = 0;
  for (let index = 0; index < samples; index += 1) total += (await measureStream(instantAdapter, request, options)).metrics.e2eMs;
  return {
    perRequestMs: Math.round((total / samples) * 1000) / 1000,
    samples,
    method: `mean end-to-end time of ${samples} requests to an in-process model that answers at once, through the same measuring path as every sample`,
  };
}
