// Secrets by name: the environment wins over the vault, a missing secret says where it looked and
// how to set it, `${secret:NAME}` references are found with their JSON paths, and substitution
// returns a copy without touching the input.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ConclaveError } from '../../src/protocol/index.js';
import { createSecretResolver, findSecretReferences, openVaultFile, resolveSecret, substituteSecrets } from '../../src/vault/index.js';

const directory = mkdtempSync(join(tmpdir(), 'conclave-secrets-'));
afterAll(() => rmSync(directory, { recursive: true, force: true }));

/** A vault stand-in that records which names were asked for. */
function fakeVault(entries: Record<string, string>): { path: string; asked: string[]; get(name: string): Promise<string | undefined> } {
  const asked: string[] = [];
  return { path: '/home/ada/.conclave/vault.json', asked, get: async (name) => (asked.push(name), entries[name]) };
}

/** The ConclaveError a promise rejects with (fails the test if it resolves or rejects with something else). */
async function rejection(promise: Promise<unknown>): Promise<ConclaveError> {
  const error = await promise.then(
    () => undefined,
    (thrown: unknown) => thrown,
  );
  expect(error).toBeInstanceOf(ConclaveError);
  return error as ConclaveError;
}

function caught(run: () => unknown): ConclaveError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(ConclaveError);
    return error as ConclaveError;
  }
  throw new Error('expected an error');
}

describe('resolveSecret', () => {
  it('prefers the environment variable of the same name, then the vault', async () => {
    const vault = fakeVault({ TOKEN: 'from-vault', ONLY_VAULT: 'vault-only' });
    expect(await resolveSecret('TOKEN', { env: { TOKEN: 'from-env' }, vault })).toBe('from-env');
    expect(vault.asked).toEqual([]);
    expect(await resolveSecret('TOKEN', { env: {}, vault })).toBe('from-vault');
    expect(await resolveSecret('TOKEN', { env: { TOKEN: '' }, vault })).toBe('from-vault');
    expect(await resolveSecret('ONLY_VAULT', { env: { TOKEN: 'x' }, vault })).toBe('vault-only');
  });

  it('works with a real vault file, and never asks it for a name the environment has', async () => {
    const path = join(directory, 'vault.json');
    await openVaultFile({ path, env: { CONCLAVE_VAULT_KEY: 'a passphrase for tests' } }).set('TOKEN', 'from-the-file');
    expect(await resolveSecret('TOKEN', { env: {}, vault: openVaultFile({ path, env: { CONCLAVE_VAULT_KEY: 'a passphrase for tests' } }) })).toBe('from-the-file');
    // No key in this environment: fine, because the variable wins before the file is read.
    expect(await resolveSecret('TOKEN', { env: { TOKEN: 'env' }, vault: openVaultFile({ path, env: {} }) })).toBe('env');
  });

  it('a missing secret is secret_not_found naming it and the vault file, with how to set it', async () => {
    const vault = fakeVault({});
    const error = await rejection(resolveSecret('OPENAI_API_KEY', { env: {}, vault }));
    expect(error).toMatchObject({ code: 'secret_not_found', category: 'user', location: { file: vault.path } });
    expect(error.message).toBe(`secret OPENAI_API_KEY is not set: not in the environment, not in the vault ${vault.path}`);
    expect(error.hint).toContain('conclave vault set OPENAI_API_KEY');
    expect(error.hint).toContain('export OPENAI_API_KEY=');

    const withoutVault = await rejection(resolveSecret('OPENAI_API_KEY', { env: {} }));
    expect(withoutVault.message).toContain('no vault configured');
  });

  it('rejects malformed names with invalid_argument', async () => {
    for (const name of ['lower', '1LEADING_DIGIT', 'HAS-DASH', 'SPACE NAME', '']) {
      await expect(resolveSecret(name, { env: { [name]: 'x' } })).rejects.toMatchObject({ code: 'invalid_argument', message: expect.stringContaining('invalid secret name') });
    }
    expect(await resolveSecret('_UNDERSCORE_1', { env: { _UNDERSCORE_1: 'ok' } })).toBe('ok');
  });
});

describe('findSecretReferences', () => {
  it('finds every reference at any depth, several per string, with JSON paths as errors spell them', () => {
    const document = {
      topology: 'debate',
      providers: { openai: { apiKey: '${secret:OPENAI_API_KEY}', baseURL: 'https://api.example.com' } },
      agents: [{ model: 'openai/gpt' }, { headers: { 'x api key': 'k=${secret:KEY_A} and ${secret:KEY_B}' } }],
      count: 3,
      enabled: true,
      nothing: null,
    };
    expect(findSecretReferences(document)).toEqual([
      { name: 'OPENAI_API_KEY', path: 'providers.openai.apiKey' },
      { name: 'KEY_A', path: 'agents[1].headers["x api key"]' },
      { name: 'KEY_B', path: 'agents[1].headers["x api key"]' },
    ]);
    expect(findSecretReferences('${secret:TOP}')).toEqual([{ name: 'TOP', path: '' }]);
    expect(findSecretReferences({ text: 'no references, just ${HOME} and $secret:X' })).toEqual([]);
  });

  it('a malformed name in a reference is invalid_argument at its path', () => {
    const error = caught(() => findSecretReferences({ mcp: [{ token: '${secret:my-token}' }] }));
    expect(error).toMatchObject({ code: 'invalid_argument', location: { path: 'mcp[0].token' } });
    expect(error.message).toContain('"my-token"');
    expect(error.hint).toBe('did you mean MY_TOKEN?');
  });
});

describe('substituteSecrets', () => {
  it('returns a deep copy with every reference replaced and leaves the input untouched', async () => {
    const input = {
      provider: { apiKey: '${secret:TOKEN}', headers: ['Bearer ${secret:TOKEN}', 'x-other: ${secret:OTHER}'] },
      plain: 'unchanged',
      number: 7,
    };
    const snapshot = structuredClone(input);
    const lookups: string[] = [];
    const output = await substituteSecrets(input, (name) => (lookups.push(name), name === 'TOKEN' ? 'tok-$&-1234' : 'other-5678'));
    expect(output).toEqual({
      provider: { apiKey: 'tok-$&-1234', headers: ['Bearer tok-$&-1234', 'x-other: other-5678'] },
      plain: 'unchanged',
      number: 7,
    });
    expect(input).toEqual(snapshot);
    expect(output.provider).not.toBe(input.provider);
    expect(output.provider.headers).not.toBe(input.provider.headers);
    expect(lookups).toEqual(['TOKEN', 'OTHER']);
  });

  it('does not substitute references that appear inside a secret value', async () => {
    expect(await substituteSecrets('${secret:A}', (name) => (name === 'A' ? '${secret:B}' : 'leaked'))).toBe('${secret:B}');
  });

  it('a missing secret is reported with the path of the reference', async () => {
    const resolve = createSecretResolver({ env: {}, vault: fakeVault({}) });
    const error = await rejection(substituteSecrets({ providers: { openai: { apiKey: '${secret:OPENAI_API_KEY}' } } }, resolve));
    expect(error).toMatchObject({ code: 'secret_not_found', location: { file: '/home/ada/.conclave/vault.json', path: 'providers.openai.apiKey' } });
    expect(error.message).toContain('OPENAI_API_KEY');
  });

  it('resolves from the environment through createSecretResolver', async () => {
    const resolve = createSecretResolver({ env: { TOKEN: 'env-token' } });
    expect(await substituteSecrets({ apiKey: '${secret:TOKEN}' }, resolve)).toEqual({ apiKey: 'env-token' });
  });
});
