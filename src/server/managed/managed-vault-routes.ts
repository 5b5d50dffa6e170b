/**
 * The route table of the Managed Agents vaults API (`/anthropic/v1/vaults…` and their
 * `credentials`): `vaults.ts` and `vault-credentials.ts` mount its handlers and `openapi.ts`
 * publishes it.
 */
import { defineRoutes } from '../route-table.js';
import { managedApiBasePath } from './managed-api-base-path.js';
import {
  createCredentialBody,
  createVaultBody,
  credentialObjectSchema,
  credentialPageSchema,
  credentialValidationSchema,
  deletedCredentialSchema,
  deletedVaultSchema,
  listVaultsQuery,
  updateCredentialBody,
  updateVaultBody,
  vaultObjectSchema,
  vaultPageSchema,
} from './vault-schema.js';

const vaultId = { id: 'The vault id (`vlt_…`).' };
const credentialIds = { vault_id: 'The vault id (`vlt_…`).', id: 'The credential id (`vcrd_…`).' };
const vault = { name: 'Vault', schema: vaultObjectSchema };
const credential = { name: 'VaultCredential', schema: credentialObjectSchema };

/** The vault and credential routes, relative to `/anthropic/v1`. */
export const managedVaultRouteTable = defineRoutes({
  basePath: managedApiBasePath,
  face: 'managed',
  routes: {
    createVault: {
      method: 'post',
      path: '/vaults',
      summary: 'Create a vault: a named set of credentials that sessions can use',
      body: { name: 'CreateVaultBody', schema: createVaultBody, required: true },
      responses: { 200: { description: 'The vault.', json: vault } },
      errors: [400, 413],
    },
    listVaults: {
      method: 'get',
      path: '/vaults',
      summary: 'List the vaults of the workspace, newest first',
      query: listVaultsQuery,
      responses: { 200: { description: 'A page of vaults.', json: { name: 'VaultPage', schema: vaultPageSchema } } },
      errors: [400],
    },
    getVault: {
      method: 'get',
      path: '/vaults/:id',
      summary: 'Get a vault',
      params: vaultId,
      responses: { 200: { description: 'The vault.', json: vault } },
      errors: [404],
    },
    updateVault: {
      method: 'post',
      path: '/vaults/:id',
      summary: 'Update a vault: its display name, and a metadata patch (a null value deletes its key)',
      params: vaultId,
      body: { name: 'UpdateVaultBody', schema: updateVaultBody, required: true },
      responses: { 200: { description: 'The vault.', json: vault } },
      errors: [400, 404, 413],
    },
    deleteVault: {
      method: 'delete',
      path: '/vaults/:id',
      summary: 'Delete a vault and every credential in it',
      params: vaultId,
      responses: { 200: { description: 'What was deleted.', json: { name: 'DeletedVault', schema: deletedVaultSchema } } },
      errors: [404],
    },
    archiveVault: {
      method: 'post',
      path: '/vaults/:id/archive',
      summary: 'Archive a vault: it and its credentials stay readable, and no session can use them any more',
      params: vaultId,
      responses: { 200: { description: 'The archived vault.', json: vault } },
      errors: [404],
    },
    createCredential: {
      method: 'post',
      path: '/vaults/:id/credentials',
      summary: 'Store a credential for an MCP server (`static_bearer`, or `mcp_oauth` with an access token); its secret is encrypted at rest and never returned',
      params: vaultId,
      body: { name: 'CreateCredentialBody', schema: createCredentialBody, required: true },
      responses: { 200: { description: 'The credential, without its secret.', json: credential } },
      errors: [400, 404, 409, 413],
    },
    listCredentials: {
      method: 'get',
      path: '/vaults/:id/credentials',
      summary: 'List the credentials of a vault, newest first (never their secrets)',
      params: vaultId,
      query: listVaultsQuery,
      responses: { 200: { description: 'A page of credentials.', json: { name: 'VaultCredentialPage', schema: credentialPageSchema } } },
      errors: [400, 404],
    },
    getCredential: {
      method: 'get',
      path: '/vaults/:vault_id/credentials/:id',
      summary: 'Get a credential (never its secret)',
      params: credentialIds,
      responses: { 200: { description: 'The credential.', json: credential } },
      errors: [404],
    },
    updateCredential: {
      method: 'post',
      path: '/vaults/:vault_id/credentials/:id',
      summary: 'Update a credential: a new token, display name, metadata patch',
      params: credentialIds,
      body: { name: 'UpdateCredentialBody', schema: updateCredentialBody, required: true },
      responses: { 200: { description: 'The credential.', json: credential } },
      errors: [400, 404, 413],
    },
    deleteCredential: {
      method: 'delete',
      path: '/vaults/:vault_id/credentials/:id',
      summary: 'Delete a credential',
      params: credentialIds,
      responses: { 200: { description: 'What was deleted.', json: { name: 'DeletedVaultCredential', schema: deletedCredentialSchema } } },
      errors: [404],
    },
    archiveCredential: {
      method: 'post',
      path: '/vaults/:vault_id/credentials/:id/archive',
      summary: 'Archive a credential: it stays readable, and no session can use it any more',
      params: credentialIds,
      responses: { 200: { description: 'The archived credential.', json: credential } },
      errors: [404],
    },
    validateCredential: {
      method: 'post',
      path: '/vaults/:vault_id/credentials/:id/mcp_oauth_validate',
      summary: 'Probe an MCP OAuth credential against its server: not offered, always a 400 saying why',
      params: credentialIds,
      responses: { 200: { description: 'Never sent by conclave.', json: { name: 'VaultCredentialValidation', schema: credentialValidationSchema } } },
      errors: [400, 404],
    },
  },
});
