/**
 * What every engine scenario module shares: the result a scenario reports, and the helpers its
 * figures are taken with (median, quantiles, peak RSS, a temporary directory), and the model they run.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** The instant offline model every engine scenario runs (or, at the SQL level, names in its events). */
export const instant = 'offline/echo';

/** What a scenario reports: its headline figure and unit, extra figures, and its process's peak RSS. */
export interface ScenarioResult {
  name: string;
  /** Headline figure and its unit. */
  value: number;
  unit: string;
  /** Extra figures (runs, steps, spread). */
  notes: Record<string, number | string>;
  peakRssMb: number;
}

/**
 * The median of `values` (the mean of the two middle ones for an even count).
 *
 * @example
 * median([3, 1, 2]); // 2
 */
export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 0 ? ((sorted[middle - 1] ?? 0) + (sorted[middle] ?? 0)) / 2 : (sorted[middle] ?? 0);
}

/**
 * The value at quantile `q` (0–1) of `values`, by rank.
 *
 * @example
 * quantile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 0.9); // 10
 */
export function quantile(values: number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0;
}

/**
 * This process's peak resident set so far, in MB to one decimal.
 *
 * @example
 * const peak = peakRssMb(); // 121.9
 */
export function peakRssMb(): number {
  return Math.round((process.resourceUsage().maxRSS / 1024) * 10) / 10;
}

/**
 * Runs `body` in a fresh temporary directory, removed afterwards whatever happens.
 *
 * @example
 * await inTempDirectory(async (directory) => createSqliteStore({ path: join(directory, 'a.db') }));
 */
export async function inTempDirectory<T>(body: (directory: string) => Promise<T>): Promise<T> {
  const directory = mkdtempSync(join(tmpdir(), 'conclave-bench-'));
  try {
    return await body(directory);
  } finally {
    rmSync(directory, { recursive: true, force: true });
  }
}
