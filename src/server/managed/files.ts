/**
 * The Files API on the Managed face (`/anthropic/v1/files…`): upload (multipart, one `file` part, as
 * `client.beta.files.upload` sends it), list, metadata, download and delete, all within the caller's
 * workspace — another workspace's file is a 404, like one that never existed. Files never expire
 * here, so `expires_in_seconds` is refused rather than ignored.
 */
import type { Context, Hono } from 'hono';
import { ConclaveError } from '../../protocol/errors.js';
import { createId } from '../../protocol/ids.js';
import { buildPage } from '../paging.js';
import { mountRoutes } from '../route-table.js';
import type { ServerDeps, ServerEnv } from '../server-deps.js';
import { validateValue } from '../http-errors.js';
import { fileMetadata, listFilesQuery, type deletedFileSchema } from './file-schemas.js';
import { fileStoreOf, fileTooLarge, fileUploadLimit, normalizeMimeType, sanitizeFilename } from './file-upload.js';
import { managedFileRouteTable } from './managed-file-routes.js';
import type { z } from 'zod';

function fileNotFound(id: string): ConclaveError {
  return new ConclaveError('not_found', `no file ${id}`, { hint: 'list yours with GET /anthropic/v1/files' });
}

function badUpload(message: string, path = 'file'): ConclaveError {
  return new ConclaveError('invalid_argument', message, { location: { path }, hint: 'send multipart/form-data with one part named "file" (what client.beta.files.upload does)' });
}

/** The one `file` part of an upload form; 400 for anything else in the form. */
async function uploadedPart(c: Context<ServerEnv>): Promise<File> {
  if (!/^multipart\/form-data\b/i.test(c.req.header('content-type') ?? '')) throw badUpload('the upload must be multipart/form-data');
  let form: FormData;
  try {
    form = await c.req.raw.formData();
  } catch (error) {
    throw badUpload(`the multipart body cannot be read: ${error instanceof Error ? error.message : String(error)}`);
  }
  for (const name of new Set(form.keys())) {
    if (name === 'expires_in_seconds') throw badUpload('expires_in_seconds: files on this server do not expire; leave it out', name);
    if (name !== 'file') throw badUpload(`${name}: unknown form field; the upload takes one part named "file"`, name);
  }
  const parts = form.getAll('file');
  if (parts.length !== 1) throw badUpload(parts.length === 0 ? 'file: the form has no part named "file"' : 'file: send one file per upload');
  const part = parts[0];
  if (typeof part === 'string') throw badUpload('file: the part must be a file (with a filename), not a text field');
  return part as File;
}

/**
 * The file routes, relative to the Managed API root (`/anthropic/v1`).
 *
 * @example
 * app.route(managedFileRouteTable.basePath, managedFileRoutes(deps)); // POST /anthropic/v1/files, …
 */
export function managedFileRoutes(deps: ServerDeps): Hono<ServerEnv> {
  const files = fileStoreOf(deps);

  return mountRoutes(managedFileRouteTable, {
    uploadFile: async (c) => {
      const part = await uploadedPart(c);
      const limit = fileUploadLimit(deps.kernel.policy);
      if (part.size > limit) throw fileTooLarge(limit, part.size);
      const mimeType = normalizeMimeType(part.type);
      const content = new Uint8Array(await part.arrayBuffer());
      const record = await files.createFile({ id: createId('file'), workspace: c.get('workspace'), filename: sanitizeFilename(part.name, mimeType), mimeType, content });
      return c.json(fileMetadata(record));
    },

    listFiles: async (c) => {
      const workspace = c.get('workspace');
      const ids = [...(c.req.queries('ids[]') ?? []), ...(c.req.queries('ids') ?? [])];
      const query = validateValue(listFilesQuery.omit({ 'ids[]': true }), { limit: c.req.query('limit'), page: c.req.query('page'), scope_id: c.req.query('scope_id') }, 'query');
      // Uploaded files are never scoped to a session, so no file matches a scope.
      if (query.scope_id !== undefined) return c.json(buildPage([], null));
      if (ids.length > 0) {
        if (ids.length > 100) throw new ConclaveError('invalid_argument', `query.ids: at most 100 ids, got ${ids.length}`, { location: { path: 'ids' } });
        const found = await Promise.all([...new Set(ids)].map((id) => files.getFile(workspace, id)));
        return c.json(buildPage(found.flatMap((record) => (record === undefined ? [] : [fileMetadata(record)])), null));
      }
      const page = await files.listFiles(workspace, { limit: query.limit, ...(query.page !== undefined ? { cursor: query.page } : {}) });
      return c.json(buildPage(page.items.map(fileMetadata), page.nextCursor));
    },

    getFileMetadata: async (c) => {
      const id = c.req.param('id');
      const record = await files.getFile(c.get('workspace'), id);
      if (record === undefined) throw fileNotFound(id);
      return c.json(fileMetadata(record));
    },

    downloadFile: async (c) => {
      const id = c.req.param('id');
      const workspace = c.get('workspace');
      const record = await files.getFile(workspace, id);
      const content = record === undefined ? undefined : await files.readFileContent(workspace, id);
      if (record === undefined || content === undefined) throw fileNotFound(id);
      return c.body(content as Uint8Array<ArrayBuffer>, 200, {
        'content-type': record.mimeType,
        'content-length': String(content.byteLength),
        'content-disposition': `attachment; filename*=UTF-8''${encodeURIComponent(record.filename)}`,
      });
    },

    deleteFile: async (c) => {
      const id = c.req.param('id');
      if (!(await files.deleteFile(c.get('workspace'), id))) throw fileNotFound(id);
      const deleted: z.infer<typeof deletedFileSchema> = { id, type: 'file_deleted' };
      return c.json(deleted);
    },
  });
}
