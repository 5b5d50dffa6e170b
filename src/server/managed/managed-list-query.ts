/**
 * Query helpers of the Managed Agents list routes: list parameters as the SDK encodes them
 * (`key[]=a&key[]=b`), the event list's offset cursor, and the `created_at[…]` time range.
 */
import type { Context } from 'hono';
import { ConclaveError } from '../../protocol/index.js';
import type { ServerEnv } from '../server-deps.js';

/** The `created_at[gte]` … `created_at[lt]` bounds of a list, as ISO timestamps. */
export type CreatedAtRange = Partial<Record<'created_at[gte]' | 'created_at[gt]' | 'created_at[lte]' | 'created_at[lt]', string>>;

/**
 * Query values that may come as `key` or `key[]` (the SDK sends arrays as `key[]=…`).
 *
 * @example
 * queryList(c, 'types') // → ['agent.message'] for ?types[]=agent.message
 */
export function queryList(c: Context<ServerEnv>, key: string): string[] {
  return [...(c.req.queries(`${key}[]`) ?? []), ...(c.req.queries(key) ?? [])];
}

/**
 * The event list cursor: how many view events the earlier pages returned.
 *
 * @example
 * eventOffset('40') // → 40
 */
export function eventOffset(page: string | undefined): number {
  if (page === undefined) return 0;
  if (!/^\d+$/.test(page)) throw new ConclaveError('invalid_argument', `query.page: "${page}" is not a page cursor from this API`, { location: { path: 'page' } });
  return Number(page);
}

/**
 * Whether a timestamp falls within a list's `created_at[…]` bounds (absent bounds let all through).
 *
 * @example
 * inCreatedRange('2026-05-01T00:00:00.000Z', { 'created_at[gte]': '2026-04-01T00:00:00Z' }) // → true
 */
export function inCreatedRange(at: string, range: CreatedAtRange): boolean {
  const gte = range['created_at[gte]'];
  const gt = range['created_at[gt]'];
  const lte = range['created_at[lte]'];
  const lt = range['created_at[lt]'];
  return (gte === undefined || at >= gte) && (gt === undefined || at > gt) && (lte === undefined || at <= lte) && (lt === undefined || at < lt);
}
