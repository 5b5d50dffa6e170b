/**
 * Request and response schemas of the Managed Agents memory API (`/v1/memory_stores…`, their
 * `memories` and `memory_versions`), as in the SDK's `resources/beta/memory-stores/*.d.ts`, and the
 * conversions from stored records to the objects the API returns (`view=basic` leaves `content`
 * null; `content_sha256` and `content_size_bytes` are always there).
 */
import { z } from 'zod';
import type { MemoryActor, MemoryRecord, MemoryStoreRecord, MemoryVersionRecord } from '../../memory/agent-memory-types.js';
import { maximumMemoryBytes } from '../../memory/memory-paths.js';
import type { ResolvedMemoryEntry } from '../../memory/memory-settings.js';
import { pageQueryShape, queryInteger, queryTimestamp } from '../paging.js';
import { listResourcesQuery, metadataPatchSchema, metadataSchema } from './managed-fields.js';

const timestamp = z.string().meta({ format: 'date-time' });
const nextPage = z.string().nullable().meta({ description: 'The cursor of the next page (`page=`); null on the last page.' });
const storeName = z
  .string()
  .min(1)
  .max(255)
  .regex(/^[^\p{Cc}]*$/u, 'a memory store name cannot contain control characters')
  .meta({ description: 'The name of the memory store, 1 to 255 characters, without control characters; not unique.' });
const description = z.string().max(1024).meta({ description: 'What the store holds, up to 1,024 characters; agents that use the store see it.' });
const memoryPath = z.string().min(1).meta({ description: 'A path such as `/projects/foo/notes.md`: starts with `/`, 1 to 20 segments, at most 1,024 bytes.' });
const memoryContent = z.string().meta({ description: `UTF-8 text, at most ${maximumMemoryBytes} bytes.` });
const view = z.enum(['basic', 'full']).meta({ description: 'Whether memories and versions include `content` (`full`) or leave it null (`basic`).' });

/** Body of `POST /v1/memory_stores`. */
export const createMemoryStoreBody = z.strictObject({
  name: storeName,
  description: description.optional(),
  metadata: metadataSchema.optional(),
});

/** Body of `POST /v1/memory_stores/{id}`. */
export const updateMemoryStoreBody = z.strictObject({
  name: storeName.nullable().optional(),
  description: description.nullable().optional(),
  metadata: metadataPatchSchema.optional(),
});

/** The query of `GET /v1/memory_stores`. */
export const listMemoryStoresQuery = listResourcesQuery;

/** The `view` query of a single memory or version. */
export const memoryViewQuery = z.object({ view: view.optional() });

/** Body of `POST /v1/memory_stores/{id}/memories`. */
export const createMemoryBody = z.strictObject({
  path: memoryPath,
  content: memoryContent.nullable(),
});

/** Body of `POST /v1/memory_stores/{id}/memories/{memory_id}`. */
export const updateMemoryBody = z.strictObject({
  path: memoryPath.nullable().optional(),
  content: memoryContent.nullable().optional(),
  precondition: z
    .strictObject({
      type: z.literal('content_sha256'),
      content_sha256: z.string().regex(/^[0-9a-f]{64}$/, 'expected 64 lowercase hexadecimal characters').optional(),
    })
    .optional()
    .meta({ description: 'Apply the update only if the memory’s current content has this SHA-256 (else 409).' }),
});

/** The query of `GET /v1/memory_stores/{id}/memories`. */
export const listMemoriesQuery = z.object({
  ...pageQueryShape(),
  path_prefix: z.string().optional().meta({ description: 'Only memories below this prefix; it ends with `/` and matches whole segments.' }),
  depth: queryInteger(0, 20).optional().meta({ description: 'Segments below the prefix to list (0, the default: all); deeper memories are rolled up into `memory_prefix` items.' }),
  view: view.optional(),
});

/** The query of `DELETE /v1/memory_stores/{id}/memories/{memory_id}`. */
export const deleteMemoryQuery = z.object({
  expected_content_sha256: z.string().regex(/^[0-9a-f]{64}$/, 'expected 64 lowercase hexadecimal characters').optional(),
});

/** The query of `GET /v1/memory_stores/{id}/memory_versions`. */
export const listMemoryVersionsQuery = z.object({
  ...pageQueryShape(),
  memory_id: z.string().optional(),
  operation: z.enum(['created', 'modified', 'deleted']).optional(),
  session_id: z.string().optional(),
  api_key_id: z.string().optional(),
  service_account_id: z.string().optional().meta({ description: 'conclave has no service accounts: a list filtered by one is empty.' }),
  'created_at[gte]': queryTimestamp.optional(),
  'created_at[lte]': queryTimestamp.optional(),
  view: view.optional(),
});

/** A memory store as the API returns it. */
export const memoryStoreObjectSchema = z.object({
  id: z.string().meta({ examples: ['memstore_4fG7h2kLmN9pQrStUvWxYz'] }),
  type: z.literal('memory_store'),
  name: z.string(),
  description: z.string(),
  metadata: z.record(z.string(), z.string()),
  created_at: timestamp,
  updated_at: timestamp,
  archived_at: timestamp.nullable(),
});
export type MemoryStoreObject = z.output<typeof memoryStoreObjectSchema>;

export const memoryStorePageSchema = z.object({ data: z.array(memoryStoreObjectSchema), next_page: nextPage });
export const deletedMemoryStoreSchema = z.object({ id: z.string(), type: z.literal('memory_store_deleted') });

/** A memory as the API returns it. */
export const memoryObjectSchema = z.object({
  id: z.string().meta({ examples: ['mem_4fG7h2kLmN9pQrStUvWxYz'] }),
  type: z.literal('memory'),
  memory_store_id: z.string(),
  path: z.string(),
  content: z.string().nullable().meta({ description: 'Null with `view=basic`.' }),
  content_sha256: z.string(),
  content_size_bytes: z.number().int(),
  memory_version_id: z.string(),
  created_at: timestamp,
  updated_at: timestamp,
});
export type MemoryObject = z.output<typeof memoryObjectSchema>;

const memoryPrefixSchema = z.object({ type: z.literal('memory_prefix'), path: z.string() });
export const memoryPageSchema = z.object({ data: z.array(z.union([memoryObjectSchema, memoryPrefixSchema])), next_page: nextPage });
export const deletedMemorySchema = z.object({ id: z.string(), type: z.literal('memory_deleted') });

const actorSchema = z.union([
  z.object({ type: z.literal('api_actor'), api_key_id: z.string() }),
  z.object({ type: z.literal('session_actor'), session_id: z.string() }),
  z.object({ type: z.literal('user_actor'), user_id: z.string() }),
]);

/** A memory version as the API returns it. */
export const memoryVersionObjectSchema = z.object({
  id: z.string().meta({ examples: ['memver_4fG7h2kLmN9pQrStUvWxYz'] }),
  type: z.literal('memory_version'),
  memory_id: z.string(),
  memory_store_id: z.string(),
  operation: z.enum(['created', 'modified', 'deleted']),
  path: z.string().nullable(),
  content: z.string().nullable(),
  content_sha256: z.string().nullable(),
  content_size_bytes: z.number().int().nullable(),
  created_at: timestamp,
  created_by: actorSchema.optional(),
  redacted_at: timestamp.nullable(),
  redacted_by: actorSchema.optional(),
});
export type MemoryVersionObject = z.output<typeof memoryVersionObjectSchema>;

export const memoryVersionPageSchema = z.object({ data: z.array(memoryVersionObjectSchema), next_page: nextPage });

/**
 * A stored store as the API returns it.
 *
 * @example
 * return c.json(memoryStoreObject(record));
 */
export function memoryStoreObject(record: MemoryStoreRecord): MemoryStoreObject {
  return {
    id: record.id,
    type: 'memory_store',
    name: record.name,
    description: record.description,
    metadata: { ...record.metadata },
    created_at: record.createdAt,
    updated_at: record.updatedAt,
    archived_at: record.archivedAt,
  };
}

/**
 * A stored memory as the API returns it; `basic` leaves the content out.
 *
 * @example
 * return c.json(memoryObject(memory, query.view ?? 'full'));
 */
export function memoryObject(record: MemoryRecord, shown: 'basic' | 'full'): MemoryObject {
  return {
    id: record.id,
    type: 'memory',
    memory_store_id: record.storeId,
    path: record.path,
    content: shown === 'full' ? record.content : null,
    content_sha256: record.contentSha256,
    content_size_bytes: record.sizeBytes,
    memory_version_id: record.versionId,
    created_at: record.createdAt,
    updated_at: record.updatedAt,
  };
}

function actorObject(actor: MemoryActor | null): { created_by?: MemoryActor } | undefined {
  return actor === null ? undefined : { created_by: { ...actor } };
}

/**
 * A stored version as the API returns it; `basic` leaves the content out.
 *
 * @example
 * return c.json(memoryVersionObject(version, 'full'));
 */
export function memoryVersionObject(record: MemoryVersionRecord, shown: 'basic' | 'full'): MemoryVersionObject {
  const object: MemoryVersionObject = {
    id: record.id,
    type: 'memory_version',
    memory_id: record.memoryId,
    memory_store_id: record.storeId,
    operation: record.operation,
    path: record.path,
    content: shown === 'full' ? record.content : null,
    content_sha256: record.contentSha256,
    content_size_bytes: record.sizeBytes,
    created_at: record.createdAt,
    redacted_at: record.redactedAt,
    ...actorObject(record.createdBy),
  };
  if (record.redactedBy !== null) object.redacted_by = { ...record.redactedBy };
  return object;
}

/** A memory store attached to a session, as its `resources` show it. */
export const memoryStoreResourceSchema = z.object({
  type: z.literal('memory_store'),
  memory_store_id: z.string(),
  access: z.enum(['read_write', 'read_only']),
  name: z.string().meta({ description: 'The store’s name when the session was created.' }),
  description: z.string().meta({ description: 'The store’s description when the session was created.' }),
  instructions: z.string().nullable(),
  mount_path: z.null().meta({ description: 'Always null: agents reach the store through the memory tools, not a mounted directory.' }),
});
export type MemoryStoreResourceObject = z.output<typeof memoryStoreResourceSchema>;

/**
 * A session's resolved memory entry as a `memory_store` session resource.
 *
 * @example
 * const resources = definition.memory.map(memoryStoreResourceObject);
 */
export function memoryStoreResourceObject(entry: ResolvedMemoryEntry): MemoryStoreResourceObject {
  return {
    type: 'memory_store',
    memory_store_id: entry.store,
    access: entry.access === 'read' ? 'read_only' : 'read_write',
    name: entry.name,
    description: entry.description,
    instructions: entry.instructions ?? null,
    mount_path: null,
  };
}
