/**
 * `/v1/vaults/{id}/credentials` of the Managed-Agents-compatible API: create, retrieve, update,
 * list, delete and archive the credentials sessions send to MCP servers. Supported: `static_bearer`
 * (a token for one MCP server URL) and `mcp_oauth` with an access token. Secret values are sealed
 * by the credential vault before they reach the store and no response, listing or error carries
 * them. An `mcp_oauth` credential with `refresh` settings is refreshed by the credential vault when
 * its access token is about to expire; its token endpoint must be on the server policy's
 * `mcp_hosts` (the server reaches it). Refused with a 400 naming the field and why:
 * `environment_variable` credentials (conclave's sandbox has no per-request secret substitution)
 * and `mcp_oauth_validate`.
 */
import type { Context } from 'hono';
import { isHostAllowed } from '../../policy/host-allow-list.js';
import { rulesFor } from '../../policy/server-policy.js';
import { ConclaveError } from '../../protocol/errors.js';
import type { CredentialRecord } from '../../protocol/credentials.js';
import { createId } from '../../protocol/ids.js';
import { normalizeServerUrl, type CredentialSecrets, type CredentialVault } from '../../vault/credential-vault.js';
import { parseQuery, validateJson } from '../http-errors.js';
import { buildPage } from '../paging.js';
import type { RouteHandlers } from '../route-table.js';
import type { ServerDeps, ServerEnv } from '../server-deps.js';
import { patchMetadata } from './managed-fields.js';
import { managedVaultRouteTable } from './managed-vault-routes.js';
import type { CreateCredentialBody, CredentialObject, UpdateCredentialBody } from './vault-schema.js';
import { loadVault, requireCredentialVault } from './vault-lookup.js';

type CredentialRoutes = Pick<
  RouteHandlers<typeof managedVaultRouteTable.routes>,
  'createCredential' | 'listCredentials' | 'getCredential' | 'updateCredential' | 'deleteCredential' | 'archiveCredential' | 'validateCredential'
>;

function refuse(path: string, message: string, hint?: string): ConclaveError {
  return new ConclaveError('invalid_argument', `${path}: ${message}`, { location: { path }, ...(hint !== undefined ? { hint } : {}) });
}

const environmentVariableRefusal = () =>
  refuse('body.auth.type', 'environment_variable credentials are not supported by this server: its sandbox has no per-request secret substitution', 'store a static_bearer or mcp_oauth credential for an MCP server');

type RefreshParams = NonNullable<Extract<CreateCredentialBody['auth'], { type: 'mcp_oauth' }>['refresh']>;
type RefreshPatch = NonNullable<Extract<NonNullable<UpdateCredentialBody['auth']>, { type: 'mcp_oauth' }>['refresh']>;

/** The server reaches the token endpoint, so it is held to the same allow-list as MCP servers. */
function assertTokenEndpointAllowed(deps: ServerDeps, workspace: string, url: string): void {
  const rules = rulesFor(deps.kernel.policy, workspace);
  if (rules.trust === 'trusted' || isHostAllowed(url, rules.mcp_hosts)) return;
  throw new ConclaveError('policy_denied', `body.auth.refresh.token_endpoint: the host of ${JSON.stringify(url)} is not on the server's allow-list (policy rule \`mcp_hosts\`)`, {
    location: { path: 'body.auth.refresh.token_endpoint' },
    hint: 'the operator allows hosts with `mcp_hosts:` in the server policy',
  });
}

/** The public refresh settings and the secrets of a new credential's `refresh`. */
function newRefresh(refresh: RefreshParams): { settings: Record<string, unknown>; secrets: CredentialSecrets } {
  const method = refresh.token_endpoint_auth;
  return {
    settings: {
      client_id: refresh.client_id,
      token_endpoint: refresh.token_endpoint,
      token_endpoint_auth: { type: method.type },
      resource: refresh.resource ?? null,
      scope: refresh.scope ?? null,
    },
    secrets: { refresh_token: refresh.refresh_token, ...(method.type !== 'none' ? { client_secret: method.client_secret } : {}) },
  };
}

/** A refresh patch applied to stored settings and secrets (`client_id` and the endpoint never change). */
function patchedRefresh(current: Record<string, unknown> | null, secrets: CredentialSecrets, patch: RefreshPatch): { settings: Record<string, unknown>; secrets: CredentialSecrets } {
  if (current === null) throw refuse('body.auth.refresh', 'the credential has no refresh settings to update', 'create a new credential with refresh');
  const settings: Record<string, unknown> = { ...current, ...(patch.scope !== undefined ? { scope: patch.scope } : {}) };
  const next = { ...secrets };
  if (typeof patch.refresh_token === 'string') next.refresh_token = patch.refresh_token;
  if (patch.token_endpoint_auth !== undefined) {
    settings['token_endpoint_auth'] = { type: patch.token_endpoint_auth.type };
    if (typeof patch.token_endpoint_auth.client_secret === 'string') next.client_secret = patch.token_endpoint_auth.client_secret;
    if (next.client_secret === undefined) throw refuse('body.auth.refresh.token_endpoint_auth.client_secret', `${patch.token_endpoint_auth.type} needs a client_secret`);
  }
  return { settings, secrets: next };
}

function assertFuture(expiresAt: string | null | undefined): void {
  if (typeof expiresAt === 'string' && Date.parse(expiresAt) <= Date.now()) throw refuse('body.auth.expires_at', `${expiresAt} is not in the future`);
}

/**
 * A stored credential as the API returns it: the public auth fields only.
 *
 * @example
 * return c.json(credentialObject(record));
 */
export function credentialObject(record: CredentialRecord): CredentialObject {
  return {
    id: record.id,
    type: 'vault_credential',
    vault_id: record.vaultId,
    display_name: record.displayName,
    auth: record.auth as CredentialObject['auth'],
    metadata: { ...record.metadata },
    created_at: record.createdAt,
    updated_at: record.updatedAt,
    archived_at: record.archivedAt,
  };
}

/** The credential of the path, when it is in the path's vault of the caller's workspace; `not_found` otherwise. */
async function loadCredential(c: Context<ServerEnv>, deps: ServerDeps): Promise<{ vault: CredentialVault; record: CredentialRecord }> {
  const vault = requireCredentialVault(deps);
  const workspace = c.get('workspace');
  const vaultId = c.req.param('vault_id') as string;
  const id = c.req.param('id') as string;
  await loadVault(deps.resources, workspace, vaultId);
  const record = await vault.store.getCredential(workspace, id);
  if (record === undefined || record.vaultId !== vaultId) throw new ConclaveError('not_found', `no credential ${id} in vault ${vaultId}`);
  return { vault, record };
}

/** Refuses a second active credential for the same MCP server URL in one vault (which one would a session send?). */
async function assertUrlFree(vault: CredentialVault, workspace: string, vaultId: string, url: string): Promise<void> {
  let cursor: string | undefined;
  do {
    const page = await vault.store.listCredentials(workspace, vaultId, { limit: 100, ...(cursor !== undefined ? { cursor } : {}) });
    const taken = page.items.find((record) => typeof record.auth['mcp_server_url'] === 'string' && normalizeServerUrl(record.auth['mcp_server_url']) === normalizeServerUrl(url));
    if (taken !== undefined) {
      throw new ConclaveError('store_conflict', `vault ${vaultId} already has an active credential for ${url} (${taken.id})`, { hint: 'update that credential, or archive it first' });
    }
    cursor = page.nextCursor ?? undefined;
  } while (cursor !== undefined);
}

/**
 * The credential handlers of the vault route table.
 *
 * @example
 * mountRoutes(managedVaultRouteTable, { …vaultHandlers, ...credentialHandlers(deps) });
 */
export function credentialHandlers(deps: ServerDeps): CredentialRoutes {
  const { routes } = managedVaultRouteTable;
  return {
    createCredential: async (c) => {
      const vault = requireCredentialVault(deps);
      const workspace = c.get('workspace');
      const vaultId = c.req.param('id');
      const body = await validateJson(routes.createCredential.body.schema, c);
      const vaultRecord = await loadVault(deps.resources, workspace, vaultId);
      if (vaultRecord.archivedAt !== null) throw new ConclaveError('invalid_argument', `vault ${vaultId} is archived: it takes no new credentials`);
      const auth = body.auth;
      let publicAuth: Record<string, unknown>;
      let secrets: CredentialSecrets;
      if (auth.type === 'static_bearer') {
        publicAuth = { type: 'static_bearer', mcp_server_url: auth.mcp_server_url };
        secrets = { token: auth.token };
      } else if (auth.type === 'mcp_oauth') {
        assertFuture(auth.expires_at);
        const refresh = auth.refresh === undefined || auth.refresh === null ? undefined : newRefresh(auth.refresh);
        if (refresh !== undefined) assertTokenEndpointAllowed(deps, workspace, String(refresh.settings['token_endpoint']));
        publicAuth = { type: 'mcp_oauth', mcp_server_url: auth.mcp_server_url, expires_at: auth.expires_at ?? null, refresh: refresh?.settings ?? null };
        secrets = { access_token: auth.access_token, ...refresh?.secrets };
      } else {
        throw environmentVariableRefusal();
      }
      await assertUrlFree(vault, workspace, vaultId, String(publicAuth['mcp_server_url']));
      const id = createId('credential');
      const record = await vault.store.createCredential({
        id,
        vaultId,
        workspace,
        displayName: body.display_name ?? null,
        metadata: body.metadata ?? {},
        auth: publicAuth,
        sealed: vault.seal({ workspace, vaultId, id }, secrets),
      });
      return c.json(credentialObject(record));
    },

    listCredentials: async (c) => {
      const vault = requireCredentialVault(deps);
      const workspace = c.get('workspace');
      const vaultId = c.req.param('id');
      const query = parseQuery(routes.listCredentials.query, c);
      await loadVault(deps.resources, workspace, vaultId);
      const page = await vault.store.listCredentials(workspace, vaultId, {
        limit: query.limit,
        includeArchived: query.include_archived ?? false,
        ...(query.page !== undefined ? { cursor: query.page } : {}),
      });
      return c.json(buildPage(page.items.map(credentialObject), page.nextCursor));
    },

    getCredential: async (c) => c.json(credentialObject((await loadCredential(c, deps)).record)),

    updateCredential: async (c) => {
      const body = await validateJson(routes.updateCredential.body.schema, c);
      const { vault, record } = await loadCredential(c, deps);
      if (record.archivedAt !== null) throw new ConclaveError('invalid_argument', `credential ${record.id} is archived and can no longer be updated`);
      const place = { workspace: record.workspace, vaultId: record.vaultId, id: record.id };
      const changes: { displayName?: string | null; metadata?: Record<string, string>; auth?: Record<string, unknown>; sealed?: string } = {};
      if (body.display_name !== undefined) changes.displayName = body.display_name;
      if (body.metadata !== undefined) changes.metadata = patchMetadata(record.metadata, body.metadata);
      const auth = body.auth;
      if (auth !== undefined) {
        if (auth.type === 'environment_variable') throw environmentVariableRefusal();
        if (auth.type !== record.auth['type']) throw refuse('body.auth.type', `the credential is ${String(record.auth['type'])}; its type cannot change`, 'create a new credential');
        if (auth.type === 'static_bearer' && typeof auth.token === 'string') changes.sealed = vault.seal(place, { token: auth.token });
        if (auth.type === 'mcp_oauth') {
          assertFuture(auth.expires_at);
          let secrets = vault.open(record);
          const nextAuth = { ...record.auth };
          if (typeof auth.access_token === 'string') secrets.access_token = auth.access_token;
          if (auth.expires_at !== undefined) nextAuth['expires_at'] = auth.expires_at;
          if (auth.refresh === null) {
            nextAuth['refresh'] = null;
            const { refresh_token: _refreshToken, client_secret: _clientSecret, ...kept } = secrets;
            secrets = kept;
          } else if (auth.refresh !== undefined) {
            const patched = patchedRefresh((record.auth['refresh'] as Record<string, unknown> | null | undefined) ?? null, secrets, auth.refresh);
            nextAuth['refresh'] = patched.settings;
            secrets = patched.secrets;
          }
          changes.sealed = vault.seal(place, secrets);
          changes.auth = nextAuth;
        }
      }
      return c.json(credentialObject(await vault.store.updateCredential(record.workspace, record.id, changes)));
    },

    deleteCredential: async (c) => {
      const { vault, record } = await loadCredential(c, deps);
      await vault.store.deleteCredential(record.workspace, record.id);
      return c.json({ id: record.id, type: 'vault_credential_deleted' as const });
    },

    archiveCredential: async (c) => {
      const { vault, record } = await loadCredential(c, deps);
      return c.json(credentialObject(await vault.store.archiveCredential(record.workspace, record.id)));
    },

    validateCredential: async (c) => {
      await loadCredential(c, deps);
      throw new ConclaveError('invalid_argument', 'mcp_oauth_validate is not supported by this server: conclave does not probe MCP servers on request', {
        hint: 'start a session that uses the credential: a rejected token shows as an MCP tool error',
      });
    },
  };
}
