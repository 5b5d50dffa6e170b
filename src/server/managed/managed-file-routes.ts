/**
 * The route tables of the Files API (`/anthropic/v1/files…`) and of session resources
 * (`/anthropic/v1/sessions/{id}/resources…`): `files.ts` and `session-resources.ts` mount their
 * handlers on them and `openapi.ts` publishes them.
 */
import { defineRoutes } from '../route-table.js';
import { managedApiBasePath } from './managed-api-base-path.js';
import {
  addSessionResourceBody,
  deletedFileSchema,
  deletedSessionResourceSchema,
  fileMetadataSchema,
  filePageSchema,
  listFilesQuery,
  sessionResourcePageSchema,
  sessionResourceSchema,
  updateSessionResourceBody,
  uploadFileForm,
} from './file-schemas.js';
import { pageQueryShape } from '../paging.js';
import { z } from 'zod';

const fileId = { id: 'The file id (`file_…`).' };
const file = { name: 'FileMetadata', schema: fileMetadataSchema };
const resourceParams = { id: 'The session id (`sesn_…`).', resource_id: 'The resource id (`sesrsc_…`).' };
const resource = { name: 'SessionResource', schema: sessionResourceSchema };

/** The file routes, relative to `/anthropic/v1`. */
export const managedFileRouteTable = defineRoutes({
  basePath: managedApiBasePath,
  face: 'managed',
  routes: {
    uploadFile: {
      method: 'post',
      path: '/files',
      summary: 'Upload a file (multipart, one `file` part) into the workspace',
      description: 'The largest upload is the server policy’s `limits.file_bytes` (default 32 MiB); a larger one is a 413 naming the limit.',
      body: { name: 'UploadFileForm', schema: uploadFileForm, required: true, contentType: 'multipart/form-data' },
      responses: { 200: { description: 'The stored file’s metadata.', json: file } },
      errors: [400, 413],
    },
    listFiles: {
      method: 'get',
      path: '/files',
      summary: 'List files of the workspace, newest first',
      query: listFilesQuery,
      responses: { 200: { description: 'A page of files.', json: { name: 'FilePage', schema: filePageSchema } } },
      errors: [400],
    },
    getFileMetadata: {
      method: 'get',
      path: '/files/:id',
      summary: 'Get a file’s metadata',
      params: fileId,
      responses: { 200: { description: 'The file’s metadata.', json: file } },
      errors: [404],
    },
    downloadFile: {
      method: 'get',
      path: '/files/:id/content',
      summary: 'Download a file’s content',
      params: fileId,
      responses: { 200: { description: 'The bytes, with the file’s `mime_type` as Content-Type.', binary: 'The file’s content, byte for byte.' } },
      errors: [404],
    },
    deleteFile: {
      method: 'delete',
      path: '/files/:id',
      summary: 'Delete a file (sessions that mount it get a tool error on their next tool call)',
      params: fileId,
      responses: { 200: { description: 'The file is deleted.', json: { name: 'DeletedFile', schema: deletedFileSchema } } },
      errors: [404],
    },
  },
});

/** The session resource routes, relative to `/anthropic/v1`. */
export const managedSessionResourceRouteTable = defineRoutes({
  basePath: managedApiBasePath,
  face: 'managed',
  routes: {
    addSessionResource: {
      method: 'post',
      path: '/sessions/:id/resources',
      summary: 'Mount a file into the session’s sandbox (written before its next tool call)',
      params: { id: resourceParams.id },
      body: { name: 'AddSessionResourceBody', schema: addSessionResourceBody, required: true },
      responses: { 200: { description: 'The resource.', json: resource } },
      errors: [400, 404, 409, 413],
    },
    listSessionResources: {
      method: 'get',
      path: '/sessions/:id/resources',
      summary: 'List the resources of a session, in the order they were added',
      params: { id: resourceParams.id },
      query: z.object(pageQueryShape()),
      responses: { 200: { description: 'A page of resources.', json: { name: 'SessionResourcePage', schema: sessionResourcePageSchema } } },
      errors: [400, 404],
    },
    getSessionResource: {
      method: 'get',
      path: '/sessions/:id/resources/:resource_id',
      summary: 'Get a session resource',
      params: resourceParams,
      responses: { 200: { description: 'The resource.', json: resource } },
      errors: [404],
    },
    updateSessionResource: {
      method: 'post',
      path: '/sessions/:id/resources/:resource_id',
      summary: 'Update a session resource: file resources have nothing to update (a 400 says so)',
      params: resourceParams,
      body: { name: 'UpdateSessionResourceBody', schema: updateSessionResourceBody, required: true },
      responses: { 200: { description: 'The resource.', json: resource } },
      errors: [400, 404, 413],
    },
    deleteSessionResource: {
      method: 'delete',
      path: '/sessions/:id/resources/:resource_id',
      summary: 'Remove a resource from a session (its copy leaves the workspace before the next tool call)',
      params: resourceParams,
      responses: { 200: { description: 'The resource is removed.', json: { name: 'DeletedSessionResource', schema: deletedSessionResourceSchema } } },
      errors: [404],
    },
  },
});
