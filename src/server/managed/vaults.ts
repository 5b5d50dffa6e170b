/**
 * `/v1/vaults` of the Managed-Agents-compatible API: create, retrieve, update (display name,
 * metadata patch), list (page cursor, `include_archived`), delete (with every credential in it) and
 * archive (its credentials too: no session can use them any more). Vaults are versioned resources of
 * the resource store, scoped to the API key's workspace: another workspace's vault is a 404. Their
 * credentials are mounted from `vault-credentials.ts` on the same table.
 */
import type { Hono } from 'hono';
import { ConclaveError } from '../../protocol/errors.js';
import { createId } from '../../protocol/ids.js';
import type { CredentialVault } from '../../vault/credential-vault.js';
import { parseQuery, validateJson } from '../http-errors.js';
import { buildPage } from '../paging.js';
import { mountRoutes } from '../route-table.js';
import type { ServerDeps, ServerEnv } from '../server-deps.js';
import { patchMetadata, stringMap } from './managed-fields.js';
import { managedVaultRouteTable } from './managed-vault-routes.js';
import { credentialHandlers } from './vault-credentials.js';
import { loadVault, vaultObject } from './vault-lookup.js';

/** Archives every credential of a vault, page by page. */
async function archiveCredentialsOf(vault: CredentialVault, workspace: string, vaultId: string): Promise<void> {
  let cursor: string | undefined;
  do {
    const page = await vault.store.listCredentials(workspace, vaultId, { limit: 100, ...(cursor !== undefined ? { cursor } : {}) });
    for (const record of page.items) await vault.store.archiveCredential(workspace, record.id);
    cursor = page.nextCursor ?? undefined;
  } while (cursor !== undefined);
}

/**
 * The vault and credential routes, relative to the Managed API root (`/anthropic/v1`).
 *
 * @example
 * app.route(managedVaultRouteTable.basePath, managedVaultRoutes(deps)); // POST /anthropic/v1/vaults, …
 */
export function managedVaultRoutes(deps: ServerDeps): Hono<ServerEnv> {
  const { resources } = deps;
  const { routes } = managedVaultRouteTable;

  return mountRoutes(managedVaultRouteTable, {
    createVault: async (c) => {
      const body = await validateJson(routes.createVault.body.schema, c);
      const record = await resources.createResource({
        kind: 'vault',
        id: createId('vault'),
        workspace: c.get('workspace'),
        body: { display_name: body.display_name, metadata: body.metadata ?? {} },
      });
      return c.json(vaultObject(record));
    },

    listVaults: async (c) => {
      const query = parseQuery(routes.listVaults.query, c);
      const page = await resources.listResources('vault', c.get('workspace'), {
        limit: query.limit,
        includeArchived: query.include_archived ?? false,
        ...(query.page !== undefined ? { cursor: query.page } : {}),
      });
      return c.json(buildPage(page.items.map(vaultObject), page.nextCursor));
    },

    getVault: async (c) => c.json(vaultObject(await loadVault(resources, c.get('workspace'), c.req.param('id')))),

    updateVault: async (c) => {
      const workspace = c.get('workspace');
      const id = c.req.param('id');
      const body = await validateJson(routes.updateVault.body.schema, c);
      const current = await loadVault(resources, workspace, id);
      if (current.archivedAt !== null) throw new ConclaveError('invalid_argument', `vault ${id} is archived and can no longer be updated`);
      const next = {
        display_name: body.display_name ?? current.body['display_name'],
        metadata: patchMetadata(stringMap(current.body['metadata']), body.metadata),
      };
      return c.json(vaultObject(await resources.updateResource('vault', workspace, id, next, current.version)));
    },

    deleteVault: async (c) => {
      const workspace = c.get('workspace');
      const id = c.req.param('id');
      await loadVault(resources, workspace, id);
      await deps.credentials?.store.deleteVaultCredentials(workspace, id);
      if (!(await resources.deleteResource('vault', workspace, id))) throw new ConclaveError('not_found', `no vault ${id}`);
      return c.json({ id, type: 'vault_deleted' as const });
    },

    archiveVault: async (c) => {
      const workspace = c.get('workspace');
      const id = c.req.param('id');
      await loadVault(resources, workspace, id);
      if (deps.credentials !== undefined) await archiveCredentialsOf(deps.credentials, workspace, id);
      return c.json(vaultObject(await resources.archiveResource('vault', workspace, id)));
    },

    ...credentialHandlers(deps),
  });
}
