/**
 * The shape of a benchmark's results: one `BenchSample` per measured request (or topology
 * session), one `ContestantSummary` per contestant aggregated from all its samples, and the
 * pairwise head-to-head when the suite asks for one. `results.json` is exactly `BenchResults`;
 * the CSV, Markdown and HTML reports are views of it.
 */

/** The contract of one measured request, all times in milliseconds from the request's start. */
export interface SampleMetrics {
  /** Time to the first output token (text, reasoning or tool-call); null when none arrived. */
  ttftMs: number | null;
  /** Mean gap between output chunks after the first; null with fewer than two chunks. */
  itlMs: number | null;
  /** Every gap between consecutive output chunks, so percentiles pool all of them. */
  itlGapsMs: number[];
  /** Output tokens after the first, per second between the first and the last chunk. */
  tokensPerSecond: number | null;
  /** From sending the request to the end of the stream (or the error). */
  e2eMs: number;
  inputTokens: number;
  outputTokens: number;
  /** Input tokens the provider served from its prompt cache, when it reports them. */
  cachedInputTokens?: number;
  costUsd: number;
  /** Some model of the request had no known price: `costUsd` counts nothing for its calls. */
  unpriced?: boolean;
  /** The answer came from a simulator (offline provider). */
  simulated: boolean;
  /** Why the request failed (stable error code and message); null when it did not. */
  error: { code: string; message: string } | null;
}

/** One check of an answer: an assertion, a rubric grade or a function's verdict. */
export interface QualityCheck {
  /** `equals`, `contains`, `regex`, `json-schema`, `numeric`, `function`, `rubric`. */
  name: string;
  passed: boolean;
  /** 0 to 1. */
  score: number;
  /** Why it failed, or the judge's grade. */
  detail?: string;
}

export interface QualityResult {
  /** Mean of the checks' scores, 0 to 1. */
  score: number;
  /** Every check passed. */
  passed: boolean;
  checks: QualityCheck[];
}

export interface BenchSample {
  contestant: string;
  promptId: string;
  /** 0-based repeat index. */
  repeat: number;
  output: string;
  metrics: SampleMetrics;
  /** Null when the suite has no scoring for this prompt. */
  quality: QualityResult | null;
  /** Answered from the response cache: timing is the one measured when it was first fetched. */
  cached: boolean;
  /** When it was measured (ISO 8601). */
  at: string;
  /** Session id, for topology contestants. */
  sessionId?: string;
}

/** Summary statistics of one metric over all samples (linear-interpolated percentiles). */
export interface Distribution {
  count: number;
  mean: number;
  min: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
}

export interface ContestantSummary {
  name: string;
  kind: 'model' | 'topology';
  /** The model reference, or the topology document's path (or `inline`). */
  target: string;
  simulated: boolean;
  samples: number;
  errors: number;
  errorRate: number;
  /** Error code → how many samples failed with it. */
  errorTypes: Record<string, number>;
  /** Null when no sample of this contestant produced the metric (topologies have no TTFT). */
  ttftMs: Distribution | null;
  itlMs: Distribution | null;
  tokensPerSecond: Distribution | null;
  e2eMs: Distribution;
  inputTokens: Distribution;
  outputTokens: Distribution;
  /** Cached input tokens over all input tokens of the answered samples; absent when no provider reported cache use. */
  cacheHitRate?: number;
  /** `unpriced`: some sample called a model with no known price, so the figures are only the priced part. */
  cost: { totalUsd: number; perRequestUsd: Distribution; unpriced?: boolean };
  /** Null when the suite scores nothing. `passRate` counts samples whose every check passed. */
  quality: { mean: number; passRate: number; scored: number } | null;
}

/** Pairwise head-to-head through the tournament topology. */
export interface PairwiseResult {
  judge: string;
  contestants: string[];
  /** `winRate[i][j]`: share of i's games against j that i won (a draw counts half); null on the diagonal or with no games. */
  winRate: Array<Array<number | null>>;
  /** `games[i][j]`: how many matches i and j played. */
  games: number[][];
  /** Bradley–Terry strengths (summing to 1) with 95% bootstrap intervals, best first. */
  ranking: Array<{ name: string; strength: number; low: number; high: number }>;
  /** How many tournament sessions were played (one per prompt and repeat). */
  tournaments: number;
}

export interface BenchSettings {
  concurrency: number;
  repeat: number;
  warmup: number;
  timeoutMs: number;
  cache: boolean;
}

export interface BenchResults {
  version: 1;
  runId: string;
  suite: { name: string; file: string; description?: string };
  startedAt: string;
  finishedAt: string;
  settings: BenchSettings;
  /** The harness's own cost per request, measured against an instant simulated model. */
  overhead: { perRequestMs: number; samples: number; method: string };
  /** Any contestant ran on a simulator. */
  simulated: boolean;
  contestants: ContestantSummary[];
  pairwise: PairwiseResult | null;
  /** Calls to judge models (rubric and pairwise) and what they cost; not part of any contestant's cost. */
  judging?: { calls: number; costUsd: number };
  /** The run was stopped before every sample finished (`conclave bench --resume` continues it). */
  incomplete?: boolean;
  /** Samples answered from the response cache in this run (their timing is from when they were fetched). */
  cachedSamples?: number;
  samples: BenchSample[];
}

/** A run in the list: what it measured and when, without its samples. */
export interface BenchRunEntry {
  id: string;
  suite: string;
  description?: string;
  startedAt: string;
  finishedAt: string;
  contestants: string[];
  prompts: number;
  samples: number;
  /** Stopped before every sample finished (`conclave bench --resume` continues it). */
  incomplete: boolean;
  /** Some contestant ran on a simulator (offline models). */
  simulated: boolean;
  /** A pairwise head-to-head was played (the win-rate matrix). */
  pairwise: boolean;
}
