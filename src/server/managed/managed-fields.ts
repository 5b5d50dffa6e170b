/**
 * Fields the Managed Agents resources share: `metadata` (string pairs, patched key by key on update,
 * a `null` value deleting its key) and the list query of agents and environments (`limit`, `page`,
 * `include_archived`, `created_at[gte]`, `created_at[lte]`). Limits follow the Managed Agents API:
 * at most 16 metadata keys of at most 64 characters, values of at most 512.
 */
import { z } from 'zod';
import { ConclaveError } from '../../protocol/errors.js';
import type { ListResourcesOptions } from '../../protocol/resources.js';
import { pageQueryShape, queryBoolean, queryTimestamp } from '../paging.js';

export const maximumMetadataKeys = 16;
export const maximumMetadataKeyLength = 64;
export const maximumMetadataValueLength = 512;

/** `metadata` of a create request. */
export const metadataSchema = z
  .record(z.string().min(1).max(maximumMetadataKeyLength), z.string().max(maximumMetadataValueLength))
  .refine((value) => Object.keys(value).length <= maximumMetadataKeys, { message: `must have at most ${maximumMetadataKeys} keys` });

/** `metadata` of an update request: a patch; `null` for a key deletes it, `null` for the whole clears all. */
export const metadataPatchSchema = z.record(z.string().min(1).max(maximumMetadataKeyLength), z.string().max(maximumMetadataValueLength).nullable()).nullable();

/** The query of `GET /agents` and `GET /environments`. */
export const listResourcesQuery = z.object({
  ...pageQueryShape(),
  include_archived: queryBoolean.optional(),
  'created_at[gte]': queryTimestamp.optional(),
  'created_at[lte]': queryTimestamp.optional(),
});

/**
 * The store's list options for a parsed `listResourcesQuery`.
 *
 * @example
 * const page = await resources.listResources('agent', workspace, listOptionsOf(parseQuery(listResourcesQuery, c)));
 */
export function listOptionsOf(query: z.output<typeof listResourcesQuery>): ListResourcesOptions {
  const options: ListResourcesOptions = { limit: query.limit, includeArchived: query.include_archived ?? false };
  if (query.page !== undefined) options.cursor = query.page;
  if (query['created_at[gte]'] !== undefined) options.createdGte = query['created_at[gte]'];
  if (query['created_at[lte]'] !== undefined) options.createdLte = query['created_at[lte]'];
  return options;
}

/**
 * Applies a metadata patch: absent keeps everything, `null` clears everything, a `null` value
 * deletes its key, any other value sets it. The result is checked against the key limit.
 *
 * @example
 * patchMetadata({ team: 'a', tier: 'gold' }, { tier: null, region: 'eu' }) // → { team: 'a', region: 'eu' }
 */
export function patchMetadata(current: Record<string, string>, patch: Record<string, string | null> | null | undefined): Record<string, string> {
  if (patch === undefined) return { ...current };
  if (patch === null) return {};
  const next = { ...current };
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete next[key];
    else next[key] = value;
  }
  if (Object.keys(next).length > maximumMetadataKeys) {
    throw new ConclaveError('invalid_argument', `body.metadata: must have at most ${maximumMetadataKeys} keys after the update, would have ${Object.keys(next).length}`, {
      location: { path: 'body.metadata' },
      hint: 'delete keys by setting them to null',
    });
  }
  return next;
}

/**
 * A stored string-valued map (metadata), tolerating anything else as empty.
 *
 * @example
 * const metadata = stringMap(record.body['metadata']);
 */
export function stringMap(value: unknown): Record<string, string> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return {};
  const result: Record<string, string> = {};
  for (const [key, entry] of Object.entries(value)) if (typeof entry === 'string') result[key] = entry;
  return result;
}
