/**
 * Percentiles and summaries for benchmark metrics. Percentiles interpolate linearly between the
 * closest ranks (the method of NumPy's default and Excel's PERCENTILE.INC) over all samples, never
 * over per-sample means.
 */
import type { Distribution } from './bench-types.js';

/**
 * The `q`-quantile (0..1) of values already sorted ascending; NaN for none.
 *
 * @example
 * quantileSorted([1, 2, 3, 4], 0.5) // → 2.5
 */
export function quantileSorted(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return Number.NaN;
  const position = (sorted.length - 1) * q;
  const lower = Math.floor(position);
  const upper = Math.ceil(position);
  const low = sorted[lower] as number;
  return low + ((sorted[upper] as number) - low) * (position - lower);
}

/**
 * Count, mean, min, p50, p95, p99 and max of `values`; undefined for an empty list.
 *
 * @example
 * describeValues([10, 20, 30])?.p50 // → 20
 */
export function describeValues(values: readonly number[]): Distribution | undefined {
  if (values.length === 0) return undefined;
  const sorted = [...values].sort((left, right) => left - right);
  const total = sorted.reduce((sum, value) => sum + value, 0);
  return {
    count: sorted.length,
    mean: total / sorted.length,
    min: sorted[0] as number,
    p50: quantileSorted(sorted, 0.5),
    p95: quantileSorted(sorted, 0.95),
    p99: quantileSorted(sorted, 0.99),
    max: sorted[sorted.length - 1] as number,
  };
}
