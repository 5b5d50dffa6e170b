/**
 * The bench view's data: the shapes of `GET /v1/bench/runs[/<id>]` the UI reads, and the pure
 * functions that turn a run into what the view draws — the answer matrix (a row per prompt, a cell
 * per contestant with every repeat's answer and assertion results), the chart series and the
 * win-rate cells. DOM-free, so the unit tests run them. The shapes are the server's own types
 * (type-only imports: nothing of the server is bundled).
 */
import type { BenchResults, BenchRunEntry, BenchSample, ContestantSummary } from '../../src/bench/bench-types.js';

export type { BenchRunEntry, BenchSample, ContestantSummary, Distribution, PairwiseResult, QualityCheck } from '../../src/bench/bench-types.js';

/** What `GET /v1/bench/runs/<id>` answers (the parts the view reads). */
export interface BenchRunView {
  run: BenchRunEntry;
  prompts: Array<{ id: string; prompt: string; expected?: unknown }>;
  results: Pick<BenchResults, 'suite' | 'contestants' | 'pairwise' | 'samples'> & { settings: Pick<BenchResults['settings'], 'concurrency' | 'repeat'> };
}

/** One cell of the answer matrix: a contestant's answers to one prompt (one per repeat). */
export interface MatrixCell {
  contestant: string;
  samples: BenchSample[];
  /** Every scored repeat passed every check; null when nothing was scored. */
  passed: boolean | null;
  /** Some repeat failed with an error. */
  failed: boolean;
}

export interface MatrixRow {
  promptId: string;
  prompt: string;
  expected?: unknown;
  cells: MatrixCell[];
}

export interface MatrixFilter {
  /** Case-insensitive text over the prompt, the expected answer and the answers. */
  search?: string;
  /** Only rows where some contestant failed an assertion or errored. */
  onlyProblems?: boolean;
}

function cellOf(contestant: string, samples: BenchSample[]): MatrixCell {
  const scored = samples.filter((sample) => sample.quality !== null);
  return {
    contestant,
    samples: [...samples].sort((a, b) => a.repeat - b.repeat),
    passed: scored.length === 0 ? null : scored.every((sample) => sample.quality?.passed === true),
    failed: samples.some((sample) => sample.metrics.error !== null),
  };
}

/** The text of an expected answer as the matrix shows it. */
export function expectedText(expected: unknown): string {
  return expected === undefined ? '' : typeof expected === 'string' ? expected : JSON.stringify(expected);
}

/**
 * The answer matrix of a run: a row per prompt (suite order), a cell per contestant (ranking order).
 *
 * @example
 * answerMatrix(view, { onlyProblems: true }) // → the rows where some contestant failed a check
 */
export function answerMatrix(view: BenchRunView, filter: MatrixFilter = {}): MatrixRow[] {
  const contestants = view.results.contestants.map((contestant) => contestant.name);
  const byKey = new Map<string, BenchSample[]>();
  for (const sample of view.results.samples) {
    const key = `${sample.promptId}\u0000${sample.contestant}`;
    const list = byKey.get(key);
    if (list === undefined) byKey.set(key, [sample]);
    else list.push(sample);
  }
  const needle = filter.search?.trim().toLowerCase() ?? '';
  const rows: MatrixRow[] = [];
  for (const prompt of view.prompts) {
    const cells = contestants.map((contestant) => cellOf(contestant, byKey.get(`${prompt.id}\u0000${contestant}`) ?? []));
    if (filter.onlyProblems === true && !cells.some((cell) => cell.passed === false || cell.failed)) continue;
    if (needle !== '') {
      const texts = [prompt.id, prompt.prompt, expectedText(prompt.expected), ...cells.flatMap((cell) => cell.samples.map((sample) => sample.output))];
      if (!texts.some((text) => text.toLowerCase().includes(needle))) continue;
    }
    rows.push({ promptId: prompt.id, prompt: prompt.prompt, ...(prompt.expected !== undefined ? { expected: prompt.expected } : {}), cells });
  }
  return rows;
}

/** A latency chart's series: per contestant, its p50/p95/p99 (ms), null where it has none. */
export interface LatencySeries {
  labels: string[];
  p50: Array<number | null>;
  p95: Array<number | null>;
  p99: Array<number | null>;
}

/**
 * The percentiles of one latency metric per contestant, for the grouped bar chart.
 *
 * @example
 * latencySeries(view.results.contestants, 'e2eMs').p50 // → [812.4, 1204.9, …]
 */
export function latencySeries(contestants: readonly ContestantSummary[], metric: 'e2eMs' | 'ttftMs'): LatencySeries {
  const pick = (contestant: ContestantSummary, field: 'p50' | 'p95' | 'p99'): number | null => contestant[metric]?.[field] ?? null;
  return {
    labels: contestants.map((contestant) => contestant.name),
    p50: contestants.map((contestant) => pick(contestant, 'p50')),
    p95: contestants.map((contestant) => pick(contestant, 'p95')),
    p99: contestants.map((contestant) => pick(contestant, 'p99')),
  };
}

/**
 * Cost per request against mean quality, one point per scored contestant.
 *
 * @example
 * costQualityPoints(view.results.contestants) // → [{ name: 'sage', costUsd: 0.0021, quality: 0.93 }, …]
 */
export function costQualityPoints(contestants: readonly ContestantSummary[]): Array<{ name: string; costUsd: number; quality: number }> {
  return contestants.filter((contestant) => contestant.quality !== null).map((contestant) => ({ name: contestant.name, costUsd: contestant.cost.perRequestUsd.mean, quality: contestant.quality?.mean ?? 0 }));
}

/**
 * A win rate as the matrix prints it: `67%`, or `–` on the diagonal and where no game was played.
 *
 * @example
 * winRateLabel(2 / 3) // → '67%'
 */
export function winRateLabel(rate: number | null): string {
  return rate === null ? '–' : `${Math.round(rate * 100)}%`;
}

/**
 * The colour band of a win rate, for the cell's class: `win` (≥ 60 %), `loss` (≤ 40 %), `even`, `none`.
 *
 * @example
 * winRateBand(0.75) // → 'win'
 */
export function winRateBand(rate: number | null): 'win' | 'loss' | 'even' | 'none' {
  if (rate === null) return 'none';
  return rate >= 0.6 ? 'win' : rate <= 0.4 ? 'loss' : 'even';
}

/**
 * Milliseconds as the bench view prints them.
 *
 * @example
 * milliseconds(1234.5) // → '1.23 s'; milliseconds(87.2) // → '87 ms'
 */
export function milliseconds(value: number | null | undefined): string {
  if (value === null || value === undefined) return '–';
  return value >= 1000 ? `${(value / 1000).toFixed(2)} s` : `${Math.round(value)} ms`;
}
