/**
 * What every benchmark script parses the same way: `--name value` arguments, whole-number options
 * with a clear message, and nearest-rank percentiles of its samples.
 */

/**
 * The value after `name` in `args`, or undefined when the option is absent.
 *
 * @example
 * argument(['--seconds', '6'], '--seconds') // → '6'
 */
export function argument(args: readonly string[], name: string): string | undefined {
  const index = args.indexOf(name);
  return index === -1 ? undefined : args[index + 1];
}

/**
 * A whole-number option: `fallback` when absent; throws naming the option when it is not a whole
 * number of at least `minimum` (default 1).
 *
 * @example
 * wholeNumber(argument(args, '--workers'), 2, '--workers') // → 2 when absent
 */
export function wholeNumber(value: string | undefined, fallback: number, name: string, minimum = 1): number {
  if (value === undefined) return fallback;
  const number = Number(value);
  if (!Number.isInteger(number) || number < minimum) throw new Error(`${name} expects a whole number ≥ ${minimum}, got "${value}"`);
  return number;
}

/**
 * Nearest-rank percentile of sorted values (NaN for none).
 *
 * @example
 * percentile([1, 2, 3, 4], 0.5) // → 2
 */
export function percentile(sorted: readonly number[], fraction: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.min(sorted.length, Math.max(1, Math.ceil(fraction * sorted.length)));
  return sorted[rank - 1] as number;
}
