/**
 * The vaults and credentials API through the official SDK over real HTTP, run on each pair of
 * stores (memory, SQLite, PostgreSQL): vault create / retrieve / update / list / archive / delete,
 * credentials likewise, another workspace's vault or credential a 404, bad input a 400 naming the
 * field, and the secret in no response, listing, error or stored row.
 */
import { randomBytes } from 'node:crypto';
import Anthropic from '@anthropic-ai/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CredentialStore } from '../../src/protocol/credentials.js';
import type { ResourceStore } from '../../src/protocol/resources.js';
import { CredentialVault } from '../../src/vault/credential-vault.js';
import { startTestServer, type TestServer } from '../support/test-server.js';

export interface VaultApiSuiteInit {
  name: string;
  /** New, empty stores; the suite closes them. */
  create(): Promise<{ resources: ResourceStore; credentials: CredentialStore }>;
}

async function failure(call: Promise<unknown>): Promise<InstanceType<typeof Anthropic.APIError>> {
  const error = await call.then(
    () => undefined,
    (thrown: unknown) => thrown,
  );
  if (!(error instanceof Anthropic.APIError)) throw new Error(`expected an API error, got ${String(error)}`);
  return error;
}

/**
 * Registers the vault API cases for one pair of stores.
 *
 * @example
 * describeVaultApi({ name: 'memory', create: async () => ({ resources: createMemoryResourceStore(), credentials: createMemoryCredentialStore() }) });
 */
export function describeVaultApi(init: VaultApiSuiteInit): void {
  describe(`vaults API: ${init.name}`, () => {
    let server: TestServer;
    let client: Anthropic;
    let other: Anthropic;
    let credentialStore: CredentialStore;
    const token = `tok-${randomBytes(12).toString('hex')}`;

    beforeAll(async () => {
      const stores = await init.create();
      credentialStore = stores.credentials;
      server = await startTestServer({ resources: stores.resources, credentials: new CredentialVault(stores.credentials, randomBytes(32)) });
      client = new Anthropic({ apiKey: server.key, baseURL: `${server.url}/anthropic`, maxRetries: 0 });
      other = new Anthropic({ apiKey: server.otherKey, baseURL: `${server.url}/anthropic`, maxRetries: 0 });
    });
    afterAll(async () => {
      await server.close();
      await credentialStore.close();
    });

    it('creates, retrieves, updates, lists, archives and deletes vaults of its own workspace', async () => {
      const vault = await client.beta.vaults.create({ display_name: 'Team keys', metadata: { team: 'infra', tier: 'gold' } });
      expect(vault).toMatchObject({ type: 'vault', display_name: 'Team keys', metadata: { team: 'infra', tier: 'gold' }, archived_at: null });
      expect(vault.id).toMatch(/^vlt_/);
      expect(await client.beta.vaults.retrieve(vault.id)).toMatchObject({ id: vault.id, display_name: 'Team keys' });
      const updated = await client.beta.vaults.update(vault.id, { display_name: 'Infra keys', metadata: { tier: null, region: 'eu' } });
      expect(updated).toMatchObject({ display_name: 'Infra keys', metadata: { team: 'infra', region: 'eu' } });
      const second = await client.beta.vaults.create({ display_name: 'Second' });
      const listed: string[] = [];
      for await (const item of client.beta.vaults.list({ limit: 1 })) listed.push(item.id);
      expect(listed).toEqual([second.id, vault.id]);
      const archived = await client.beta.vaults.archive(second.id);
      expect(archived.archived_at).not.toBeNull();
      expect((await client.beta.vaults.list()).data.map((item) => item.id)).toEqual([vault.id]);
      expect((await client.beta.vaults.list({ include_archived: true })).data.map((item) => item.id)).toEqual([second.id, vault.id]);
      expect(await client.beta.vaults.delete(second.id)).toMatchObject({ id: second.id, type: 'vault_deleted' });
      expect((await failure(client.beta.vaults.retrieve(second.id))).status).toBe(404);
    });

    it("answers another workspace's vault and credentials with a 404", async () => {
      const vault = await client.beta.vaults.create({ display_name: 'Mine' });
      const credential = await client.beta.vaults.credentials.create(vault.id, { auth: { type: 'static_bearer', token, mcp_server_url: 'https://mcp.example.com/a' } });
      const attempts = [
        () => other.beta.vaults.retrieve(vault.id),
        () => other.beta.vaults.update(vault.id, { display_name: 'theirs' }),
        () => other.beta.vaults.archive(vault.id),
        () => other.beta.vaults.delete(vault.id),
        () => other.beta.vaults.credentials.list(vault.id),
        () => other.beta.vaults.credentials.create(vault.id, { auth: { type: 'static_bearer', token: 'x', mcp_server_url: 'https://x.example.com' } }),
        () => other.beta.vaults.credentials.retrieve(credential.id, { vault_id: vault.id }),
        () => other.beta.vaults.credentials.update(credential.id, { vault_id: vault.id, display_name: 'x' }),
        () => other.beta.vaults.credentials.archive(credential.id, { vault_id: vault.id }),
        () => other.beta.vaults.credentials.delete(credential.id, { vault_id: vault.id }),
      ];
      for (const attempt of attempts) expect((await failure(attempt())).status).toBe(404);
      expect((await other.beta.vaults.list()).data.map((item) => item.id)).not.toContain(vault.id);
      // A credential is reached only through its own vault.
      const elsewhere = await client.beta.vaults.create({ display_name: 'Elsewhere' });
      expect((await failure(client.beta.vaults.credentials.retrieve(credential.id, { vault_id: elsewhere.id }))).status).toBe(404);
      expect(await client.beta.vaults.credentials.retrieve(credential.id, { vault_id: vault.id })).toMatchObject({ id: credential.id });
    });

    it('keeps credentials whose secrets no read, listing, error or stored row shows', async () => {
      const vault = await client.beta.vaults.create({ display_name: 'Secrets' });
      const created = await client.beta.vaults.credentials.create(vault.id, {
        display_name: 'GitHub',
        metadata: { owner: 'ada' },
        auth: { type: 'static_bearer', token, mcp_server_url: 'https://mcp.example.com/github' },
      });
      expect(created).toEqual({
        id: expect.stringMatching(/^vcrd_/),
        type: 'vault_credential',
        vault_id: vault.id,
        display_name: 'GitHub',
        auth: { type: 'static_bearer', mcp_server_url: 'https://mcp.example.com/github' },
        metadata: { owner: 'ada' },
        created_at: expect.any(String),
        updated_at: expect.any(String),
        archived_at: null,
      });
      const newToken = `${token}-rotated`;
      const oauth = await client.beta.vaults.credentials.create(vault.id, {
        auth: { type: 'mcp_oauth', access_token: `${token}-oauth`, mcp_server_url: 'https://mcp.example.com/linear', expires_at: new Date(Date.now() + 3_600_000).toISOString() },
      });
      expect(oauth.auth).toMatchObject({ type: 'mcp_oauth', mcp_server_url: 'https://mcp.example.com/linear' });
      const updated = await client.beta.vaults.credentials.update(created.id, { vault_id: vault.id, auth: { type: 'static_bearer', token: newToken }, metadata: { owner: null } });
      expect(updated.metadata).toEqual({});
      const reads = [
        created,
        oauth,
        updated,
        await client.beta.vaults.credentials.retrieve(created.id, { vault_id: vault.id }),
        await client.beta.vaults.credentials.list(vault.id),
        await client.beta.vaults.credentials.archive(oauth.id, { vault_id: vault.id }),
        await client.beta.vaults.credentials.list(vault.id, { include_archived: true }),
      ];
      const errors = [
        await failure(client.beta.vaults.credentials.create(vault.id, { auth: { type: 'static_bearer', token, mcp_server_url: 'not a url' } })),
        await failure(client.beta.vaults.credentials.create(vault.id, { auth: { type: 'static_bearer', token, mcp_server_url: 'https://mcp.example.com/github' } })),
        await failure(client.beta.vaults.credentials.create(vault.id, { auth: { type: 'static_bearer', token, mcp_server_url: 'https://x.example.com', extra: token } as never })),
      ];
      expect(errors.map((error) => error.status)).toEqual([400, 409, 400]);
      for (const text of [...reads, ...errors.map((error) => ({ message: error.message, body: error.error }))].map((value) => JSON.stringify(value))) {
        expect(text).not.toContain(token);
      }
      const stored = await credentialStore.getCredential('team-a', created.id);
      expect(JSON.stringify(stored)).not.toContain(token);
      expect(await client.beta.vaults.credentials.delete(created.id, { vault_id: vault.id })).toEqual({ id: created.id, type: 'vault_credential_deleted' });
      expect((await failure(client.beta.vaults.credentials.retrieve(created.id, { vault_id: vault.id }))).status).toBe(404);
    });

    it('refuses bad input and what it does not support with a 400 naming the field', async () => {
      const vault = await client.beta.vaults.create({ display_name: 'Rules' });
      const cases: Array<[() => Promise<unknown>, string]> = [
        [() => client.beta.vaults.create({} as never), 'display_name'],
        [() => client.beta.vaults.create({ display_name: 'x', metadata: { key: 7 } } as never), 'metadata'],
        [() => client.beta.vaults.credentials.create(vault.id, { auth: { type: 'environment_variable', secret_name: 'A', secret_value: 'b', networking: { type: 'unrestricted' } } }), 'auth.type'],
        [
          () => client.beta.vaults.credentials.create(vault.id, {
            auth: { type: 'mcp_oauth', access_token: 'a', mcp_server_url: 'https://o.example.com', refresh: { client_id: 'c', refresh_token: 'r', token_endpoint: 'https://o.example.com/token', token_endpoint_auth: { type: 'client_secret_basic' } } as never },
          }),
          'auth.refresh.token_endpoint_auth.client_secret',
        ],
        [() => client.beta.vaults.credentials.create(vault.id, { auth: { type: 'mcp_oauth', access_token: 'a', mcp_server_url: 'https://o.example.com', expires_at: '2020-01-01T00:00:00Z' } }), 'auth.expires_at'],
        [() => client.beta.vaults.credentials.create(vault.id, { auth: { type: 'static_bearer', mcp_server_url: 'https://o.example.com' } } as never), 'auth.token'],
      ];
      for (const [call, field] of cases) {
        const error = await failure(call());
        expect(error.status, field).toBe(400);
        expect(error.message, field).toContain(field);
      }
      const credential = await client.beta.vaults.credentials.create(vault.id, { auth: { type: 'static_bearer', token: 'abcd-efgh', mcp_server_url: 'https://o.example.com' } });
      // The server would reach the token endpoint: off the MCP allow-list (none by default) it is a 403.
      const offList = await failure(
        client.beta.vaults.credentials.create(vault.id, {
          auth: { type: 'mcp_oauth', access_token: 'a', mcp_server_url: 'https://o.example.com', refresh: { client_id: 'c', refresh_token: 'r', token_endpoint: 'https://o.example.com/token', token_endpoint_auth: { type: 'none' } } },
        }),
      );
      expect(offList.status).toBe(403);
      expect(offList.message).toContain('auth.refresh.token_endpoint');
      const validate = await failure(client.beta.vaults.credentials.mcpOAuthValidate(credential.id, { vault_id: vault.id }));
      expect(validate.status).toBe(400);
      expect(validate.message).toContain('mcp_oauth_validate is not supported');
      const typeChange = await failure(client.beta.vaults.credentials.update(credential.id, { vault_id: vault.id, auth: { type: 'mcp_oauth', access_token: 'x' } }));
      expect(typeChange.message).toContain('auth.type');
      await client.beta.vaults.archive(vault.id);
      expect((await client.beta.vaults.credentials.list(vault.id, { include_archived: true })).data[0]?.archived_at).not.toBeNull();
      expect((await failure(client.beta.vaults.credentials.create(vault.id, { auth: { type: 'static_bearer', token: 'x', mcp_server_url: 'https://p.example.com' } }))).status).toBe(400);
    });
  });
}
