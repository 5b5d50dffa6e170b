// The credential key (where it comes from, a generated key file that is private and shared by
// first users, a readable one refused) and the credential vault (sealed values bound to their
// credential, tokens opened only in their workspace and for their MCP server URL).
import { randomBytes } from 'node:crypto';
import { chmodSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { assertDocumentAllowed } from '../../src/policy/check-document-policy.js';
import { defaultServerPolicy } from '../../src/policy/server-policy.js';
import type { SessionDefinition } from '../../src/kernel/index.js';
import { createMemoryCredentialStore } from '../../src/store/memory-credential-store.js';
import { credentialKeyPath, loadCredentialKey, parseCredentialKey } from '../../src/vault/credential-key.js';
import { CredentialVault, credentialIdOfSecretName, credentialSecretName, withCredentialSecrets } from '../../src/vault/credential-vault.js';
import { exchangeRefreshToken } from '../../src/vault/oauth-refresh.js';
import { assertSecretName } from '../../src/vault/secret-name.js';

const directory = mkdtempSync(join(tmpdir(), 'conclave-credential-key-'));
afterAll(() => rmSync(directory, { recursive: true, force: true }));

describe('the credential key', () => {
  it('comes from CONCLAVE_CREDENTIAL_KEY as hex or base64, and refuses anything else', async () => {
    const key = randomBytes(32);
    for (const text of [key.toString('hex'), key.toString('base64')]) {
      const loaded = await loadCredentialKey({ location: join(directory, 'unused.db'), env: { CONCLAVE_CREDENTIAL_KEY: text } });
      expect(loaded).toEqual({ key, source: 'CONCLAVE_CREDENTIAL_KEY' });
    }
    expect(() => parseCredentialKey('too short', 'CONCLAVE_CREDENTIAL_KEY')).toThrow(/32 random bytes/);
  });

  it('is generated beside the database on first use, private, and the same for every later user', async () => {
    const location = join(directory, 'store', 'conclave.db');
    const [first, second] = await Promise.all([loadCredentialKey({ location, env: {} }), loadCredentialKey({ location, env: {} })]);
    expect(first.source).toBe(`${location}.credential-key`);
    expect(first.key.equals(second.key)).toBe(true);
    expect(statSync(first.source).mode & 0o777).toBe(0o600);
    expect((await loadCredentialKey({ location, env: {} })).key.equals(first.key)).toBe(true);
    expect(readFileSync(first.source, 'utf8').trim()).toBe(first.key.toString('hex'));
  });

  it('refuses a key file others can read, and a named file that is missing', async () => {
    const path = join(directory, 'open.key');
    writeFileSync(path, randomBytes(32).toString('hex'));
    chmodSync(path, 0o644);
    await expect(loadCredentialKey({ location: ':memory:', env: { CONCLAVE_CREDENTIAL_KEY_FILE: path } })).rejects.toThrow(/can be read by others/);
    await expect(loadCredentialKey({ location: ':memory:', env: { CONCLAVE_CREDENTIAL_KEY_FILE: join(directory, 'missing.key') } })).rejects.toThrow(/does not exist/);
    expect(credentialKeyPath('postgres://db/conclave', '/srv')).toBe('/srv/.conclave/credential.key');
    expect(credentialKeyPath(':memory:')).toBeUndefined();
  });
});

describe('the credential vault', () => {
  const place = { workspace: 'team-a', vaultId: 'vlt_a', id: 'vcrd_a' };

  it('names credentials with valid secret names that lead back to the id', () => {
    const name = credentialSecretName('vcrd_AbC123');
    expect(assertSecretName(name)).toBe(name);
    expect(credentialIdOfSecretName(name)).toBe('vcrd_AbC123');
    expect(credentialIdOfSecretName('OPENAI_API_KEY')).toBeUndefined();
  });

  it('opens a token only in its workspace, for its URL, while it is active', async () => {
    const store = createMemoryCredentialStore();
    const vault = new CredentialVault(store, randomBytes(32));
    const sealed = vault.seal(place, { token: 'secret-token-1' });
    expect(sealed).not.toContain('secret-token-1');
    await store.createCredential({ ...place, displayName: null, metadata: {}, auth: { type: 'static_bearer', mcp_server_url: 'https://MCP.example.com/mcp' }, sealed });
    expect(await vault.bearerToken('team-a', 'vcrd_a', 'https://mcp.example.com/mcp')).toBe('secret-token-1');
    await expect(vault.bearerToken('team-a', 'vcrd_a', 'https://evil.example.com/mcp')).rejects.toMatchObject({ code: 'secret_not_found' });
    await expect(vault.bearerToken('team-b', 'vcrd_a')).rejects.toMatchObject({ code: 'secret_not_found' });
    const lookup = withCredentialSecrets(async (name) => `plain:${name}`, async () => vault);
    expect(await lookup(credentialSecretName('vcrd_a'), { workspace: 'team-a' })).toBe('secret-token-1');
    expect(await lookup('OTHER')).toBe('plain:OTHER');
    await expect(lookup(credentialSecretName('vcrd_a'))).rejects.toMatchObject({ code: 'secret_not_found' });
    await store.archiveCredential('team-a', 'vcrd_a');
    await expect(vault.bearerToken('team-a', 'vcrd_a')).rejects.toThrow(/archived/);
  });

  it('does not open a sealed value moved to another credential, or under another key', async () => {
    const store = createMemoryCredentialStore();
    const vault = new CredentialVault(store, randomBytes(32));
    const sealed = vault.seal(place, { token: 'secret-token-2' });
    const moved = await store.createCredential({ ...place, id: 'vcrd_b', displayName: null, metadata: {}, auth: { type: 'static_bearer', mcp_server_url: 'https://x' }, sealed });
    expect(() => vault.open(moved)).toThrow(/cannot be opened/);
    const original = await store.createCredential({ ...place, displayName: null, metadata: {}, auth: { type: 'static_bearer', mcp_server_url: 'https://x' }, sealed });
    expect(vault.open(original)).toEqual({ token: 'secret-token-2' });
    expect(() => new CredentialVault(store, randomBytes(32)).open(original)).toThrow(/cannot be opened/);
  });

  it('may be referenced only in an MCP url server’s headers (the policy refuses it anywhere else)', () => {
    const reference = `\${secret:${credentialSecretName('vcrd_a')}}`;
    const base = { topology: 'pipeline', agents: [{ name: 'a', model: 'openai/gpt-4o-mini' }] };
    const allowed = { ...base, mcp_servers: [{ name: 'docs', url: 'https://mcp.example.com', headers: { Authorization: `Bearer ${reference}` } }] };
    expect(() => assertDocumentAllowed(allowed as unknown as SessionDefinition, defaultServerPolicy(), 'team-a', { untrusted: false })).not.toThrow();
    const refused = [
      { ...base, providers: { openai: { api_key: reference } } },
      { ...base, mcp_servers: [{ name: 'docs', url: `https://mcp.example.com/?key=${reference}` }] },
    ];
    for (const definition of refused) {
      expect(() => assertDocumentAllowed(definition as unknown as SessionDefinition, defaultServerPolicy(), 'team-a', { untrusted: false })).toThrow(/vault_credentials/);
    }
  });
});

describe('the OAuth refresh-token exchange', () => {
  const settings = { client_id: 'client id', token_endpoint: 'https://auth.example.com/token?tenant=1', token_endpoint_auth: { type: 'client_secret_post' as const }, resource: 'https://mcp.example.com', scope: null };

  it('posts the form the token endpoint expects, and reads the new tokens', async () => {
    let seen: { url: string; init: RequestInit } | undefined;
    const fetchStub: typeof fetch = async (url, init) => {
      seen = { url: String(url), init: init as RequestInit };
      return new Response(JSON.stringify({ access_token: 'new-access', expires_in: 60, refresh_token: 'new-refresh' }), { headers: { 'content-type': 'application/json' } });
    };
    const tokens = await exchangeRefreshToken(settings, { refreshToken: 'old-refresh', clientSecret: 's3cret' }, { fetch: fetchStub, now: () => 0 });
    expect(tokens).toEqual({ accessToken: 'new-access', refreshToken: 'new-refresh', expiresAt: '1970-01-01T00:01:00.000Z' });
    expect(seen?.init.method).toBe('POST');
    expect(Object.fromEntries(new URLSearchParams(String(seen?.init.body)))).toEqual({ grant_type: 'refresh_token', refresh_token: 'old-refresh', client_id: 'client id', client_secret: 's3cret', resource: 'https://mcp.example.com' });
  });

  it('fails naming the status and OAuth error, never the body or a secret', async () => {
    const fetchStub: typeof fetch = async () => new Response(JSON.stringify({ error: 'invalid_grant', error_description: 'refresh token old-refresh revoked' }), { status: 400 });
    const error = await exchangeRefreshToken(settings, { refreshToken: 'old-refresh', clientSecret: 's3cret' }, { fetch: fetchStub }).then(
      () => new Error('the exchange did not fail'),
      (thrown: unknown) => thrown as Error,
    );
    expect(error.message).toBe('refreshing the access token failed: the token endpoint https://auth.example.com/token answered 400 (invalid_grant)');
    expect(JSON.stringify(error)).not.toMatch(/old-refresh|s3cret/);
  });
});
