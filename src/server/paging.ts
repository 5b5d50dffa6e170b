/**
 * Paging and query values shared by every list endpoint: `limit` (1–1000; 20 by default, 1000 for
 * event lists) and the opaque `page` cursor in, `{data, next_page}` out — with `next_page: null` on
 * the last page, the only thing that stops the SDK's auto-pagination. Query values arrive as strings,
 * so booleans, integers and times are parsed here with messages a person can act on.
 */
import { z } from 'zod';
import { ConclaveError } from '../protocol/errors.js';
import { validateValue } from './http-errors.js';

/** Page size of list endpoints when the request gives none. */
export const defaultPageLimit = 20;

/** Page size of event lists when the request gives none (the SDK's tool runner asks for 1000). */
export const defaultEventsPageLimit = 1000;

/** The largest page a client may ask for. */
export const maxPageLimit = 1000;

/** One page of a list response. */
export interface Page<T> {
  data: T[];
  next_page: string | null;
}

/** `limit` and `page`, parsed. */
export interface PageQuery {
  limit: number;
  page: string | undefined;
}

/**
 * A whole number in a query string, within bounds.
 *
 * @example
 * z.object({ version: queryInteger(1) }) // ?version=3 → 3; ?version=0 → 400
 */
export function queryInteger(minimum: number, maximum: number = Number.MAX_SAFE_INTEGER) {
  return z.string().transform((text, context) => {
    const value = Number(text);
    if (!/^-?\d+$/.test(text.trim()) || value < minimum || value > maximum) {
      const range = maximum === Number.MAX_SAFE_INTEGER ? `≥ ${minimum}` : `from ${minimum} to ${maximum}`;
      context.addIssue({ code: 'custom', message: `expected a whole number ${range}, received "${text}"`, input: text });
      return z.NEVER;
    }
    return value;
  });
}

/** `true`/`false` (also `1`/`0`) in a query string. */
export const queryBoolean = z.string().transform((text, context) => {
  const value = text.trim().toLowerCase();
  if (value === 'true' || value === '1') return true;
  if (value === 'false' || value === '0' || value === '') return false;
  context.addIssue({ code: 'custom', message: `expected true or false, received "${text}"`, input: text });
  return z.NEVER;
});

/** An RFC 3339 time in a query string, returned in canonical ISO form. */
export const queryTimestamp = z.string().transform((text, context) => {
  const time = Date.parse(text);
  if (Number.isNaN(time)) {
    context.addIssue({ code: 'custom', message: `expected an RFC 3339 time such as 2025-01-31T12:00:00Z, received "${text}"`, input: text });
    return z.NEVER;
  }
  return new Date(time).toISOString();
});

/**
 * The `limit` and `page` fields of a list endpoint's query schema; spread into a `z.object`.
 *
 * @example
 * const listQuery = z.object({ ...pageQueryShape(), include_archived: queryBoolean.optional() });
 * const eventsQuery = z.object({ ...pageQueryShape(defaultEventsPageLimit) });
 */
export function pageQueryShape(defaultLimit: number = defaultPageLimit) {
  return {
    limit: queryInteger(1, maxPageLimit)
      .optional()
      .transform((limit) => limit ?? defaultLimit)
      .meta({ description: `Page size, 1 to ${maxPageLimit} (default ${defaultLimit}).` }),
    page: z
      .string()
      .optional()
      .transform((page) => (page === undefined || page === '' ? undefined : page))
      .meta({ description: 'The `next_page` cursor of the previous page.' }),
  };
}

/**
 * `limit` and `page` out of a query object (for routes that parse the rest themselves); invalid
 * values are 400s.
 *
 * @example
 * const { limit, page } = parsePageQuery(queryObject(new URL(c.req.url)));
 */
export function parsePageQuery(query: Record<string, unknown>, defaultLimit: number = defaultPageLimit): PageQuery {
  const parsed = validateValue(z.object(pageQueryShape(defaultLimit)), { limit: query['limit'], page: query['page'] }, 'query');
  return { limit: parsed.limit, page: parsed.page };
}

/**
 * A page response; `nextPage` must be null on the last page.
 *
 * @example
 * return c.json(buildPage(items.map(toAgent), result.nextCursor));
 */
export function buildPage<T>(data: T[], nextPage: string | null): Page<T> {
  return { data, next_page: nextPage === '' ? null : nextPage };
}

/**
 * Page cursor of a sessions list: the last session's creation time and id, opaque to clients.
 *
 * @example
 * const next = more ? encodeSessionCursor(last) : null;
 */
export function encodeSessionCursor(summary: { createdAt: string; id: string }): string {
  return Buffer.from(JSON.stringify([summary.createdAt, summary.id])).toString('base64url');
}

/**
 * The position a sessions-list cursor stands for; a cursor this API did not make is a 400.
 *
 * @example
 * const after = query.page !== undefined ? decodeSessionCursor(query.page) : undefined;
 */
export function decodeSessionCursor(page: string): { at: string; id: string } {
  try {
    const [at, id] = JSON.parse(Buffer.from(page, 'base64url').toString('utf8')) as unknown[];
    if (typeof at === 'string' && typeof id === 'string') return { at, id };
  } catch {
    // Reported below.
  }
  throw new ConclaveError('invalid_argument', `query.page: "${page}" is not a page cursor from this API`, { location: { path: 'page' } });
}
