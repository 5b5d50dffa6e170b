/**
 * Finding a vault of the caller's workspace (another workspace's vault is a 404), showing it as the
 * API returns it, and the server's credential vault: what the vault, credential and session
 * routes share.
 */
import { ConclaveError } from '../../protocol/errors.js';
import type { ResourceRecord, ResourceStore } from '../../protocol/resources.js';
import type { CredentialVault } from '../../vault/credential-vault.js';
import type { ServerDeps } from '../server-deps.js';
import { stringMap } from './managed-fields.js';
import type { VaultObject } from './vault-schema.js';

/**
 * A stored vault as the API returns it.
 *
 * @example
 * return c.json(vaultObject(record));
 */
export function vaultObject(record: ResourceRecord): VaultObject {
  return {
    id: record.id,
    type: 'vault',
    display_name: String(record.body['display_name'] ?? ''),
    metadata: stringMap(record.body['metadata']),
    created_at: record.createdAt,
    updated_at: record.updatedAt,
    archived_at: record.archivedAt,
  };
}

/**
 * A vault of the workspace; `not_found` otherwise (another workspace's vault does not exist).
 *
 * @example
 * const vault = await loadVault(deps.resources, c.get('workspace'), c.req.param('id'));
 */
export async function loadVault(resources: ResourceStore, workspace: string, id: string): Promise<ResourceRecord> {
  const record = await resources.getResource('vault', workspace, id);
  if (record === undefined) throw new ConclaveError('not_found', `no vault ${id}`);
  return record;
}

/**
 * The credential vault of the server, or a 400 saying the server has none (a kernel built without
 * a credential store, as in some embeddings).
 *
 * @example
 * const vault = requireCredentialVault(deps);
 */
export function requireCredentialVault(deps: ServerDeps): CredentialVault {
  if (deps.credentials === undefined) {
    throw new ConclaveError('invalid_argument', 'vault credentials are not available on this server: it was started without a credential store', {
      hint: '`conclave serve` keeps credentials beside its --store',
    });
  }
  return deps.credentials;
}

/**
 * The vaults a session is created with: each must be a vault of the workspace (`not_found`
 * otherwise) and not archived; the ids come back in order, without repeats.
 *
 * @example
 * const vaultIds = await loadSessionVaults(deps, workspace, body.vault_ids ?? []);
 */
export async function loadSessionVaults(deps: ServerDeps, workspace: string, ids: readonly string[]): Promise<string[]> {
  const unique = [...new Set(ids)];
  for (const [index, id] of unique.entries()) {
    const record = await deps.resources.getResource('vault', workspace, id);
    if (record === undefined) throw new ConclaveError('not_found', `vault_ids[${index}]: no vault ${id}`, { location: { path: `vault_ids[${index}]` } });
    if (record.archivedAt !== null) throw new ConclaveError('invalid_argument', `vault_ids[${index}]: vault ${id} is archived`, { location: { path: `vault_ids[${index}]` } });
  }
  if (unique.length > 0 && deps.credentials === undefined) requireCredentialVault(deps);
  return unique;
}
