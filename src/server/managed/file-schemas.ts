/**
 * Schemas of the Files API and of session resources on the Managed face: the upload's multipart
 * form (for the OpenAPI document; the handler reads the form itself), the list query, the body that
 * adds a resource, and the objects returned — shaped as the SDK's `BetaFileMetadata`,
 * `BetaDeletedFile`, `BetaManagedAgentsFileResource` and `BetaManagedAgentsDeleteSessionResource`.
 */
import { z } from 'zod';
import type { FileRecord, SessionFileResource } from '../../protocol/files.js';
import { pageQueryShape } from '../paging.js';
import { memoryStoreResourceSchema } from './memory-store-schema.js';

const timestamp = z.string().meta({ format: 'date-time' });
const nextPage = z.string().nullable().meta({ description: 'The cursor of the next page (`page=`); null on the last page.' });

/** The upload form, as the SDK sends it (`file` is the part holding the bytes). */
export const uploadFileForm = z.object({
  file: z.string().meta({ format: 'binary', description: 'The file. Only the last path component of its filename is kept; its declared type becomes `mime_type`.' }),
});

/** The query of `GET /v1/files`. */
export const listFilesQuery = z.object({
  ...pageQueryShape(),
  'ids[]': z.array(z.string()).optional().meta({ description: 'Only these files (at most 100; one page). Unknown ids are left out.' }),
  scope_id: z.string().optional().meta({ description: 'Only files scoped to this session. Files uploaded here are never scoped, so the page is empty.' }),
});

/** A file's metadata as the API returns it. */
export const fileMetadataSchema = z.object({
  id: z.string().meta({ examples: ['file_4fG7h2kLmN9pQrStUvWxYz'] }),
  type: z.literal('file'),
  filename: z.string(),
  mime_type: z.string(),
  size_bytes: z.number().int().min(0),
  created_at: timestamp,
  downloadable: z.boolean(),
  expires_at: z.null(),
  scope: z.null(),
});
export type FileMetadataObject = z.infer<typeof fileMetadataSchema>;

export const filePageSchema = z.object({ data: z.array(fileMetadataSchema), next_page: nextPage });
export const deletedFileSchema = z.object({ id: z.string(), type: z.literal('file_deleted') });

/** Body of `POST /v1/sessions/{id}/resources` (and an entry of a new session's `resources`). */
export const addSessionResourceBody = z.looseObject({
  type: z.string().meta({ description: 'Only `file` is supported.' }),
  file_id: z.string().min(1).optional(),
  mount_path: z.string().nullable().optional().meta({ description: 'Default `/mnt/session/uploads/<file_id>`; under `/mnt/session/` or `/workspace/` (relative paths are under `/workspace`).' }),
});

/** Body of `POST /v1/sessions/{id}/resources/{resource_id}`. */
export const updateSessionResourceBody = z.looseObject({ authorization_token: z.string().optional() });

/** A session resource as the API returns it. */
export const sessionResourceSchema = z.object({
  id: z.string().meta({ examples: ['sesrsc_4fG7h2kLmN9pQrStUvWxYz'] }),
  type: z.literal('file'),
  file_id: z.string(),
  mount_path: z.string(),
  created_at: timestamp,
  updated_at: timestamp,
});
export type SessionResourceObject = z.infer<typeof sessionResourceSchema>;

/** A page of a session's resources: its files, and the memory stores it was created with. */
export const sessionResourcePageSchema = z.object({ data: z.array(z.union([sessionResourceSchema, memoryStoreResourceSchema])), next_page: nextPage });
export const deletedSessionResourceSchema = z.object({ id: z.string(), type: z.literal('session_resource_deleted') });

/**
 * A stored file as the API returns it.
 *
 * @example
 * return c.json(fileMetadata(await files.getFile(workspace, id)));
 */
export function fileMetadata(record: FileRecord): FileMetadataObject {
  return {
    id: record.id,
    type: 'file',
    filename: record.filename,
    mime_type: record.mimeType,
    size_bytes: record.sizeBytes,
    created_at: record.createdAt,
    downloadable: true,
    expires_at: null,
    scope: null,
  };
}

/**
 * A stored session resource as the API returns it.
 *
 * @example
 * return c.json(sessionResourceObject(await files.addSessionResource(resource)));
 */
export function sessionResourceObject(record: SessionFileResource): SessionResourceObject {
  return { id: record.id, type: 'file', file_id: record.fileId, mount_path: record.mountPath, created_at: record.createdAt, updated_at: record.updatedAt };
}
