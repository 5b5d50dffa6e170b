/**
 * Seeded failure injection. Whether a call fails, and how, is a function of the text seed and the
 * attempt number only — so a run is reproducible, and a retry (a higher attempt) draws again and
 * can succeed where the first attempt failed.
 */
import { ConclaveError, type ConclaveErrorJSON } from '../../src/protocol/index.js';
import type { FailureKind, OfflineModelOptions } from './offline-model-options.js';
import { createSeededRandom, deriveSeed } from './seeded-random.js';

/**
 * The failure injected into this attempt, if any.
 *
 * @example
 * decideFailure({ failRate: 1, failKinds: ['429'] }, textSeed, 1) // → '429'
 */
export function decideFailure(
  options: Pick<OfflineModelOptions, 'failRate' | 'failKinds'>,
  textSeed: number,
  attempt: number,
): FailureKind | undefined {
  if (options.failRate <= 0 || options.failKinds.length === 0) return undefined;
  const random = createSeededRandom(deriveSeed(textSeed, 'failure', attempt));
  if (!random.chance(options.failRate)) return undefined;
  return random.pick(options.failKinds);
}

/**
 * The error part's payload for an injected failure, as a real adapter would report it.
 *
 * @example
 * failureError('429', 'offline/echo', 250) // → { code: 'provider_rate_limited', retryable: true, retryAfterMs: 250, … }
 */
export function failureError(kind: FailureKind, model: string, retryAfterMs: number): ConclaveErrorJSON {
  switch (kind) {
    case '429':
      return new ConclaveError('provider_rate_limited', `simulated rate limit (HTTP 429) from ${model}`, {
        retryable: true,
        retryAfterMs,
      }).toJSON();
    case '500':
      return new ConclaveError('provider_server_error', `simulated server error (HTTP 500) from ${model}`, {
        retryable: true,
      }).toJSON();
    case 'cut':
      return new ConclaveError('provider_stream_cut', `simulated stream cut halfway through the answer of ${model}`, {
        retryable: true,
      }).toJSON();
  }
}
