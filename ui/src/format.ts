/**
 * Small formatting helpers shared by the views: ages, token counts and dollars.
 */

/**
 * How long ago `iso` was, briefly (`12 s`, `5 min`, `3 h`, `2 d`).
 *
 * @example
 * age('2026-01-01T00:00:00Z', Date.parse('2026-01-01T00:05:00Z')) // → '5 min'
 */
export function age(iso: string, now: number = Date.now()): string {
  const seconds = Math.max(0, Math.round((now - Date.parse(iso)) / 1000));
  if (seconds < 60) return `${seconds} s`;
  if (seconds < 3600) return `${Math.floor(seconds / 60)} min`;
  if (seconds < 86_400) return `${Math.floor(seconds / 3600)} h`;
  return `${Math.floor(seconds / 86_400)} d`;
}

/**
 * A token count with thousands separators.
 *
 * @example
 * tokens(12345) // → '12,345'
 */
export function tokens(count: number): string {
  return count.toLocaleString('en-US');
}

/**
 * Dollars with enough digits for cheap calls; `simulated` marks the offline simulators' zero cost.
 *
 * @example
 * usd(0.01234) // → '$0.0123'
 */
export function usd(amount: number, simulated = false): string {
  if (simulated && amount === 0) return '$0 (simulated)';
  return `$${amount >= 1 ? amount.toFixed(2) : amount.toPrecision(3).replace(/0+$/, '').replace(/\.$/, '')}`;
}
