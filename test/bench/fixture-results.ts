// A realistic `BenchResults` for report tests: two model contestants and one topology contestant
// (no TTFT, simulated, free), four prompts × three repeats each, a few failures, cached answers,
// outputs with commas, quotes and line breaks, and a pairwise tournament. Summaries are computed
// from the samples with the real statistics, so every view of it must agree with every other.
import type { BenchResults, BenchSample, ContestantSummary, Distribution, PairwiseResult } from '../../src/bench/bench-types.js';
import { describeValues } from '../../src/bench/stats.js';

export interface FixtureOptions {
  /** Replace the three contestants' names (model, model, topology), e.g. with hostile text. */
  names?: [string, string, string];
  /** Include the pairwise tournament (default true). */
  pairwise?: boolean;
}

interface ContestantPlan {
  name: string;
  kind: 'model' | 'topology';
  target: string;
  simulated: boolean;
  ttftBase: number | null;
  e2eBase: number;
  costPerRequest: number;
  qualityBias: number;
  failures: Record<number, { code: string; message: string }>;
  cachedRepeat: number | null;
}

const prompts = ['refund-request', 'outage-report', 'password-reset', 'invoice-dispute'];
const repeats = 3;

/** A small deterministic generator, so the fixture is identical on every run. */
function sequence(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state * 1_103_515_245 + 12_345) % 2_147_483_648;
    return state / 2_147_483_648;
  };
}

function outputFor(plan: ContestantPlan, promptId: string, repeat: number): string {
  if (promptId === 'invoice-dispute') return `Category: billing, priority "high"\nReason: the customer says "charged twice", refund due.`;
  if (promptId === 'outage-report') return `Category: incident\r\nPriority: urgent, page on-call (repeat ${repeat + 1})`;
  return `${plan.kind === 'topology' ? 'Consensus' : 'Answer'}: category ${promptId.split('-')[0]}; priority normal`;
}

function buildSamples(plan: ContestantPlan, seed: number): BenchSample[] {
  const random = sequence(seed);
  const samples: BenchSample[] = [];
  prompts.forEach((promptId, promptIndex) => {
    for (let repeat = 0; repeat < repeats; repeat += 1) {
      const index = promptIndex * repeats + repeat;
      const error = plan.failures[index] ?? null;
      const e2eMs = Math.round(plan.e2eBase * (0.75 + random() * 0.7 + (index === 7 ? 0.9 : 0)));
      const ttftMs = plan.ttftBase === null || error !== null ? null : Math.round(plan.ttftBase * (0.7 + random() * 0.8));
      const outputTokens = error === null ? 80 + Math.round(random() * 120) : 0;
      const score = Math.min(1, Math.max(0, plan.qualityBias + (random() - 0.5) * 0.3));
      samples.push({
        contestant: plan.name,
        promptId,
        repeat,
        output: error === null ? outputFor(plan, promptId, repeat) : '',
        metrics: {
          ttftMs,
          itlMs: ttftMs === null ? null : Math.round((8 + random() * 10) * 10) / 10,
          itlGapsMs: [],
          tokensPerSecond: ttftMs === null ? null : Math.round((45 + random() * 40) * 10) / 10,
          e2eMs,
          inputTokens: 420 + promptIndex * 35,
          outputTokens,
          costUsd: error === null ? plan.costPerRequest * (0.8 + random() * 0.4) : 0,
          simulated: plan.simulated,
          error,
        },
        quality: error === null ? { score, passed: score >= 0.7, checks: [{ name: 'rubric', passed: score >= 0.7, score }] } : null,
        cached: plan.cachedRepeat === repeat,
        at: new Date(Date.UTC(2025, 5, 3, 9, 0, index * 4)).toISOString(),
        ...(plan.kind === 'topology' ? { sessionId: `ses_${seed}_${index}` } : {}),
      });
    }
  });
  return samples;
}

function describe(values: number[]): Distribution | null {
  return describeValues(values) ?? null;
}

function summarize(plan: ContestantPlan, samples: BenchSample[]): ContestantSummary {
  const successful = samples.filter((sample) => sample.metrics.error === null);
  const pick = (read: (sample: BenchSample) => number | null) => successful.map(read).filter((value): value is number => value !== null);
  const errorTypes: Record<string, number> = {};
  for (const sample of samples) if (sample.metrics.error !== null) errorTypes[sample.metrics.error.code] = (errorTypes[sample.metrics.error.code] ?? 0) + 1;
  const scored = samples.filter((sample) => sample.quality !== null);
  const costs = samples.map((sample) => sample.metrics.costUsd);
  return {
    name: plan.name,
    kind: plan.kind,
    target: plan.target,
    simulated: plan.simulated,
    samples: samples.length,
    errors: samples.length - successful.length,
    errorRate: (samples.length - successful.length) / samples.length,
    errorTypes,
    ttftMs: describe(pick((sample) => sample.metrics.ttftMs)),
    itlMs: describe(pick((sample) => sample.metrics.itlMs)),
    tokensPerSecond: describe(pick((sample) => sample.metrics.tokensPerSecond)),
    e2eMs: describeValues(pick((sample) => sample.metrics.e2eMs)) as Distribution,
    inputTokens: describeValues(samples.map((sample) => sample.metrics.inputTokens)) as Distribution,
    outputTokens: describeValues(samples.map((sample) => sample.metrics.outputTokens)) as Distribution,
    cost: { totalUsd: costs.reduce((sum, cost) => sum + cost, 0), perRequestUsd: describeValues(costs) as Distribution },
    quality: {
      mean: scored.reduce((sum, sample) => sum + (sample.quality?.score ?? 0), 0) / scored.length,
      passRate: scored.filter((sample) => sample.quality?.passed).length / scored.length,
      scored: scored.length,
    },
  };
}

function pairwiseFor(names: string[]): PairwiseResult {
  return {
    judge: 'anthropic:claude-opus-4',
    contestants: names,
    winRate: [
      [null, 0.75, 0.5833],
      [0.25, null, 0.4167],
      [0.4167, 0.5833, null],
    ],
    games: [
      [0, 12, 12],
      [12, 0, 12],
      [12, 12, 0],
    ],
    ranking: [
      { name: names[0] as string, strength: 0.452, low: 0.351, high: 0.561 },
      { name: names[2] as string, strength: 0.318, low: 0.224, high: 0.415 },
      { name: names[1] as string, strength: 0.23, low: 0.148, high: 0.322 },
    ],
    tournaments: 12,
  };
}

/**
 * The fixture run; each call builds a fresh object, so a test may change it freely.
 *
 * @example
 * const results = buildFixtureResults({ names: ['<script>alert(1)</script>', 'b', 'c'] });
 */
export function buildFixtureResults(options: FixtureOptions = {}): BenchResults {
  const [first, second, third] = options.names ?? ['anthropic:claude-sonnet-4-5', 'openai:gpt-4.1-mini', 'debate-trio'];
  const plans: ContestantPlan[] = [
    { name: first, kind: 'model', target: 'anthropic:claude-sonnet-4-5', simulated: false, ttftBase: 620, e2eBase: 2400, costPerRequest: 0.0042, qualityBias: 0.86, failures: { 5: { code: 'provider_overloaded', message: 'Overloaded, try again' } }, cachedRepeat: null },
    {
      name: second,
      kind: 'model',
      target: 'openai:gpt-4.1-mini',
      simulated: false,
      ttftBase: 310,
      e2eBase: 1150,
      costPerRequest: 0.00061,
      qualityBias: 0.7,
      failures: { 2: { code: 'rate_limited', message: 'Rate limit reached, "retry after" 20s' }, 9: { code: 'timeout', message: 'No answer within 60000 ms' } },
      cachedRepeat: 2,
    },
    { name: third, kind: 'topology', target: 'topologies/debate.yaml', simulated: true, ttftBase: null, e2eBase: 9800, costPerRequest: 0, qualityBias: 0.8, failures: {}, cachedRepeat: null },
  ];
  const samplesByPlan = plans.map((plan, index) => buildSamples(plan, 17 + index * 31));
  return {
    version: 1,
    runId: 'bench_20250603T090000Z_k3f9',
    suite: { name: 'Support triage, "v2" <beta>', file: 'bench/support-triage.yaml', description: 'Classify inbound tickets & pick a priority.' },
    startedAt: '2025-06-03T09:00:00.000Z',
    finishedAt: '2025-06-03T09:04:12.500Z',
    settings: { concurrency: 4, repeat: repeats, warmup: 1, timeoutMs: 60_000, cache: true },
    overhead: { perRequestMs: 0.42, samples: 200, method: 'instant simulated model' },
    simulated: plans.some((plan) => plan.simulated),
    contestants: plans.map((plan, index) => summarize(plan, samplesByPlan[index] as BenchSample[])),
    pairwise: options.pairwise === false ? null : pairwiseFor(plans.map((plan) => plan.name)),
    samples: samplesByPlan.flat(),
  };
}
