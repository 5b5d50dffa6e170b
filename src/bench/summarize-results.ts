/**
 * Aggregates samples into one summary per contestant: percentiles of every metric over all its
 * samples (inter-token latency over every gap of every sample), error rate and types, total cost
 * and quality. Failed samples count in the error rate and score 0 for quality, but their latency
 * is left out of the latency figures, which describe answers that arrived.
 */
import type { BenchSample, ContestantSummary, Distribution } from './bench-types.js';
import { describeValues } from './stats.js';
import type { BenchContestant } from './suite-schema.js';

const emptyDistribution: Distribution = { count: 0, mean: 0, min: 0, p50: 0, p95: 0, p99: 0, max: 0 };

function present(values: Array<number | null>): number[] {
  return values.filter((value): value is number => value !== null);
}

/**
 * The summary of one contestant from its samples.
 *
 * @example
 * summarizeContestant(contestant, samples.filter((sample) => sample.contestant === contestant.name)).e2eMs.p95 // → 812.4
 */
export function summarizeContestant(contestant: BenchContestant, samples: readonly BenchSample[]): ContestantSummary {
  const answered = samples.filter((sample) => sample.metrics.error === null);
  const errorTypes: Record<string, number> = {};
  for (const sample of samples) {
    const code = sample.metrics.error?.code;
    if (code !== undefined) errorTypes[code] = (errorTypes[code] ?? 0) + 1;
  }
  const errors = samples.length - answered.length;
  const scored = samples.filter((sample) => sample.quality !== null);
  const totalCost = samples.reduce((sum, sample) => sum + sample.metrics.costUsd, 0);
  const cacheHitRate = hitRateOf(answered);
  return {
    name: contestant.name,
    kind: contestant.kind,
    target: contestant.kind === 'model' ? contestant.model : contestant.target,
    simulated: samples.some((sample) => sample.metrics.simulated),
    samples: samples.length,
    errors,
    errorRate: samples.length === 0 ? 0 : errors / samples.length,
    errorTypes,
    ttftMs: describeValues(present(answered.map((sample) => sample.metrics.ttftMs))) ?? null,
    itlMs: describeValues(answered.flatMap((sample) => sample.metrics.itlGapsMs)) ?? null,
    tokensPerSecond: describeValues(present(answered.map((sample) => sample.metrics.tokensPerSecond))) ?? null,
    e2eMs: describeValues(answered.map((sample) => sample.metrics.e2eMs)) ?? emptyDistribution,
    inputTokens: describeValues(answered.map((sample) => sample.metrics.inputTokens)) ?? emptyDistribution,
    outputTokens: describeValues(answered.map((sample) => sample.metrics.outputTokens)) ?? emptyDistribution,
    ...(cacheHitRate !== undefined ? { cacheHitRate } : {}),
    cost: {
      totalUsd: totalCost,
      perRequestUsd: describeValues(samples.map((sample) => sample.metrics.costUsd)) ?? emptyDistribution,
      ...(samples.some((sample) => sample.metrics.unpriced === true) ? { unpriced: true } : {}),
    },
    quality:
      scored.length === 0
        ? null
        : {
            mean: scored.reduce((sum, sample) => sum + (sample.quality?.score ?? 0), 0) / scored.length,
            passRate: scored.filter((sample) => sample.quality?.passed === true).length / scored.length,
            scored: scored.length,
          },
  };
}

/** Cached over all input tokens of the samples, when any of them reported cache use. */
function hitRateOf(samples: readonly BenchSample[]): number | undefined {
  if (!samples.some((sample) => sample.metrics.cachedInputTokens !== undefined)) return undefined;
  const input = samples.reduce((sum, sample) => sum + sample.metrics.inputTokens, 0);
  const cached = samples.reduce((sum, sample) => sum + (sample.metrics.cachedInputTokens ?? 0), 0);
  return input === 0 ? 0 : cached / input;
}

/**
 * Orders summaries best first: by quality (when scored), then by median latency, then by cost.
 *
 * @example
 * rankContestants(summaries).map((summary) => summary.name) // → ['sage', 'steady', 'swift']
 */
export function rankContestants(summaries: readonly ContestantSummary[]): ContestantSummary[] {
  return [...summaries].sort(
    (left, right) =>
      (right.quality?.mean ?? -1) - (left.quality?.mean ?? -1) ||
      (left.e2eMs.count === 0 ? Infinity : left.e2eMs.p50) - (right.e2eMs.count === 0 ? Infinity : right.e2eMs.p50) ||
      left.cost.totalUsd - right.cost.totalUsd,
  );
}
