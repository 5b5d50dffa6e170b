/**
 * The route table of the Managed Agents environments API (`/anthropic/v1/environments…`):
 * `environments.ts` mounts its handlers on it and `openapi.ts` publishes it.
 */
import { defineRoutes } from '../route-table.js';
import { createEnvironmentBody, updateEnvironmentBody } from './environment-schema.js';
import { listResourcesQuery } from './managed-fields.js';
import { managedApiBasePath } from './managed-api-base-path.js';
import { deletedEnvironmentSchema, environmentObjectSchema, environmentPageSchema } from './managed-response-schemas.js';

const environmentId = { id: 'The environment id (`env_…`).' };
const environment = { name: 'Environment', schema: environmentObjectSchema };

/** The environment routes, relative to `/anthropic/v1`. */
export const managedEnvironmentRouteTable = defineRoutes({
  basePath: managedApiBasePath,
  face: 'managed',
  routes: {
    createEnvironment: {
      method: 'post',
      path: '/environments',
      summary: 'Create an environment (omitted `config`: cloud, unrestricted networking, no packages)',
      body: { name: 'CreateEnvironmentBody', schema: createEnvironmentBody, required: true },
      responses: { 200: { description: 'The environment, defaults filled in.', json: environment } },
      errors: [400, 413],
    },
    listEnvironments: {
      method: 'get',
      path: '/environments',
      summary: 'List environments of the workspace',
      query: listResourcesQuery,
      responses: { 200: { description: 'A page of environments.', json: { name: 'EnvironmentPage', schema: environmentPageSchema } } },
      errors: [400],
    },
    getEnvironment: {
      method: 'get',
      path: '/environments/:id',
      summary: 'Get an environment',
      params: environmentId,
      responses: { 200: { description: 'The environment.', json: environment } },
      errors: [404],
    },
    updateEnvironment: {
      method: 'post',
      path: '/environments/:id',
      summary: 'Update an environment: omitted fields are kept, metadata is a patch, `null` clears; the config type cannot change',
      params: environmentId,
      body: { name: 'UpdateEnvironmentBody', schema: updateEnvironmentBody, required: true },
      responses: { 200: { description: 'The updated environment.', json: environment } },
      errors: [400, 404, 409, 413],
    },
    deleteEnvironment: {
      method: 'delete',
      path: '/environments/:id',
      summary: 'Delete an environment',
      params: environmentId,
      responses: { 200: { description: 'The environment is deleted.', json: { name: 'DeletedEnvironment', schema: deletedEnvironmentSchema } } },
      errors: [404],
    },
    archiveEnvironment: {
      method: 'post',
      path: '/environments/:id/archive',
      summary: 'Archive an environment: it stays readable but can no longer be updated',
      params: environmentId,
      responses: { 200: { description: 'The archived environment.', json: environment } },
      errors: [404],
    },
  },
});
