/**
 * Vault credentials (the Managed Agents `vaults.credentials`) sealed at rest and opened only to be
 * sent. Each credential's secret values are sealed together with AES-256-GCM under the server's
 * credential key (`credential-key.ts`), the associated data naming the workspace, vault and
 * credential, so a sealed value copied onto another credential does not open. A session refers to
 * a credential as `${secret:CONCLAVE_CREDENTIAL_<hex of the id>}` in an MCP server's header: the
 * ordinary secret path then resolves it at connect time (`withCredentialSecrets`), registers it
 * with the redactor, and keeps it out of the journal — and a credential opens only for a session of
 * its own workspace, and only for the MCP server URL it was stored for. An `mcp_oauth` access token
 * within a minute of its expiry is refreshed first (`oauth-refresh.ts`) when the credential has
 * refresh settings, and the new tokens are sealed back into the store.
 */
import { ConclaveError } from '../protocol/index.js';
import type { CredentialRecord, CredentialStore } from '../protocol/credentials.js';
import { exchangeRefreshToken, type OAuthRefreshSettings } from './oauth-refresh.js';
import { openSealedValue, sealValue, type SealedValue } from './vault-crypto.js';

/** The secret values of a credential (only those of its auth type are set). */
export interface CredentialSecrets {
  /** `static_bearer`. */
  token?: string;
  /** `mcp_oauth`. */
  access_token?: string;
  /** `mcp_oauth` with refresh settings. */
  refresh_token?: string;
  /** `mcp_oauth` whose token endpoint authenticates the client with a secret. */
  client_secret?: string;
}

export interface CredentialVaultOptions {
  /**
   * Whether a workspace's credential may refresh at `tokenEndpoint` (the server policy's
   * `mcp_hosts` for `conclave serve`). Default: any.
   */
  tokenEndpointAllowed?: (tokenEndpoint: string, workspace: string) => boolean;
  /** For the refresh exchange (tests). Default: global fetch. */
  fetch?: typeof fetch;
}

/** An access token this close to its expiry is refreshed before it is sent. */
export const refreshMarginMs = 60_000;

/** Where a credential belongs: what its sealed value is bound to. */
export interface CredentialPlace {
  workspace: string;
  vaultId: string;
  id: string;
}

const secretNamePrefix = 'CONCLAVE_CREDENTIAL_';

/**
 * The secret name a document uses for a credential (a valid `${secret:NAME}`: upper-case hex).
 *
 * @example
 * credentialSecretName('vcrd_abc') // → 'CONCLAVE_CREDENTIAL_766372645F616263'
 */
export function credentialSecretName(credentialId: string): string {
  return `${secretNamePrefix}${Buffer.from(credentialId, 'utf8').toString('hex').toUpperCase()}`;
}

/**
 * The credential id a secret name refers to, or undefined for any other secret.
 *
 * @example
 * credentialIdOfSecretName(credentialSecretName('vcrd_abc')) // → 'vcrd_abc'
 */
export function credentialIdOfSecretName(name: string): string | undefined {
  if (!name.startsWith(secretNamePrefix)) return undefined;
  const hex = name.slice(secretNamePrefix.length);
  return /^(?:[0-9A-F]{2})+$/.test(hex) ? Buffer.from(hex, 'hex').toString('utf8') : undefined;
}

/**
 * A URL in one spelling (`new URL().href`), so `https://Host/mcp` and `https://host/mcp` match.
 *
 * @example
 * normalizeServerUrl('HTTPS://Example.com:443/mcp') // → 'https://example.com/mcp'
 */
export function normalizeServerUrl(url: string): string {
  return URL.canParse(url) ? new URL(url).href : url;
}

function associatedData(place: CredentialPlace): string {
  return `conclave-credential:v1:${place.workspace}:${place.vaultId}:${place.id}`;
}

function unavailable(credentialId: string, why: string): ConclaveError {
  return new ConclaveError('secret_not_found', `vault credential ${credentialId} ${why}`, {
    hint: 'list the session vaults\' credentials with GET /v1/vaults/{id}/credentials; update the credential or create the session with another vault',
  });
}

/** Seals and opens credentials of one store under one key. */
export class CredentialVault {
  /** Refreshes in progress by credential id: concurrent senders share one exchange. */
  private readonly refreshing = new Map<string, Promise<string>>();

  constructor(
    readonly store: CredentialStore,
    private readonly key: Buffer,
    private readonly options: CredentialVaultOptions = {},
  ) {}

  /**
   * The sealed text of `secrets` for the credential at `place` (what the store keeps).
   *
   * @example
   * const sealed = vault.seal({ workspace, vaultId, id }, { token: 'secret' });
   */
  seal(place: CredentialPlace, secrets: CredentialSecrets): string {
    return JSON.stringify(sealValue(this.key, JSON.stringify(secrets), associatedData(place)));
  }

  /**
   * The secret values of a stored credential; `store_error` when they do not open (another key).
   *
   * @example
   * const { token } = vault.open(record);
   */
  open(record: CredentialRecord): CredentialSecrets {
    const place = { workspace: record.workspace, vaultId: record.vaultId, id: record.id };
    let sealed: SealedValue | undefined;
    try {
      sealed = JSON.parse(record.sealed) as SealedValue;
    } catch {
      sealed = undefined;
    }
    const text = sealed === undefined ? undefined : openSealedValue(this.key, sealed, associatedData(place));
    if (text === undefined) {
      throw new ConclaveError('store_error', `vault credential ${record.id} cannot be opened with this server's credential key`, {
        hint: 'the key changed since it was stored (CONCLAVE_CREDENTIAL_KEY or the key file beside the database); restore the key, or store the credential again',
      });
    }
    return JSON.parse(text) as CredentialSecrets;
  }

  /**
   * The bearer token of a credential of `workspace`, for an MCP server at `serverUrl` (checked
   * against the URL the credential was stored for when given). `secret_not_found` for a missing,
   * archived, expired or mismatched credential — never naming the value.
   *
   * @example
   * const token = await vault.bearerToken('team-a', 'vcrd_…', 'https://mcp.example.com/mcp');
   */
  async bearerToken(workspace: string, credentialId: string, serverUrl?: string): Promise<string> {
    const record = await this.store.getCredential(workspace, credentialId);
    if (record === undefined) throw unavailable(credentialId, `does not exist in workspace ${workspace}`);
    if (record.archivedAt !== null) throw unavailable(credentialId, 'is archived');
    const storedUrl = typeof record.auth['mcp_server_url'] === 'string' ? record.auth['mcp_server_url'] : undefined;
    if (serverUrl !== undefined && (storedUrl === undefined || normalizeServerUrl(storedUrl) !== normalizeServerUrl(serverUrl))) {
      throw unavailable(credentialId, `is for ${storedUrl ?? 'no MCP server'}, not for ${serverUrl}`);
    }
    const expiresAt = record.auth['expires_at'];
    const refresh = record.auth['refresh'] as OAuthRefreshSettings | null | undefined;
    if (typeof expiresAt === 'string' && Date.parse(expiresAt) - refreshMarginMs <= Date.now()) {
      if (refresh !== null && refresh !== undefined) return this.refreshOnce(record, refresh);
      if (Date.parse(expiresAt) <= Date.now()) throw unavailable(credentialId, `expired at ${expiresAt}: update its access_token`);
    }
    const secrets = this.open(record);
    const token = secrets.token ?? secrets.access_token;
    if (token === undefined) throw unavailable(credentialId, 'has no bearer token');
    return token;
  }

  private refreshOnce(record: CredentialRecord, refresh: OAuthRefreshSettings): Promise<string> {
    const running = this.refreshing.get(record.id);
    if (running !== undefined) return running;
    const attempt = this.refresh(record, refresh).finally(() => this.refreshing.delete(record.id));
    this.refreshing.set(record.id, attempt);
    return attempt;
  }

  /** Runs the refresh-token exchange and stores the new tokens (sealed) and expiry. */
  private async refresh(record: CredentialRecord, refresh: OAuthRefreshSettings): Promise<string> {
    const allowed = this.options.tokenEndpointAllowed?.(refresh.token_endpoint, record.workspace) ?? true;
    if (!allowed) throw unavailable(record.id, `cannot be refreshed: its token endpoint is not on this server's allow-list (policy rule \`mcp_hosts\`)`);
    const secrets = this.open(record);
    if (secrets.refresh_token === undefined) throw unavailable(record.id, 'has expired and has no refresh token');
    const tokens = await exchangeRefreshToken(refresh, { refreshToken: secrets.refresh_token, ...(secrets.client_secret !== undefined ? { clientSecret: secrets.client_secret } : {}) }, this.options.fetch !== undefined ? { fetch: this.options.fetch } : {});
    const place = { workspace: record.workspace, vaultId: record.vaultId, id: record.id };
    const next: CredentialSecrets = { ...secrets, access_token: tokens.accessToken, ...(tokens.refreshToken !== undefined ? { refresh_token: tokens.refreshToken } : {}) };
    await this.store.updateCredential(record.workspace, record.id, { sealed: this.seal(place, next), auth: { ...record.auth, expires_at: tokens.expiresAt } });
    return tokens.accessToken;
  }
}

/** Looks up a secret by name, in a workspace's scope or the server's. */
export type ScopedSecretLookup = (name: string, scope?: { workspace: string }) => Promise<string>;

/**
 * `resolve` that also knows vault credentials: a `CONCLAVE_CREDENTIAL_…` name opens that
 * credential, for a session of its own workspace only (an unscoped lookup — the operator's own
 * documents — is refused: credentials belong to workspaces). `vault` is asked for lazily, so a
 * process that never meets a credential never opens the credential store.
 *
 * @example
 * const secrets = withCredentialSecrets(createSecretResolver({ env: process.env }), () => openVault());
 */
export function withCredentialSecrets(resolve: ScopedSecretLookup, vault: () => Promise<CredentialVault>): ScopedSecretLookup {
  return async (name, scope) => {
    const credentialId = credentialIdOfSecretName(name);
    if (credentialId === undefined) return resolve(name, scope);
    if (scope === undefined) throw unavailable(credentialId, 'belongs to a workspace; only sessions of that workspace can use it');
    return (await vault()).bearerToken(scope.workspace, credentialId);
  };
}
