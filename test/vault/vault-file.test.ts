// The encrypted vault file: values survive a round trip and a new process (handle), the passphrase
// is required and checked, any edit to the file is caught by the auth tag, the file is 0600 and
// replaced atomically, and nothing that lists or fails ever shows a value.
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ConclaveError } from '../../src/protocol/index.js';
import { openVaultFile, resolveVaultPath } from '../../src/vault/index.js';
import { writeFileAtomically } from '../../src/vault/write-file-atomically.js';

const root = mkdtempSync(join(tmpdir(), 'conclave-vault-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

let counter = 0;
function freshPath(): string {
  counter += 1;
  return join(root, `case-${counter}`, 'vault.json');
}

const passphrase = 'correct horse battery staple';
const env = { CONCLAVE_VAULT_KEY: passphrase };
const value = 'sk-live-9f8e7d6c5b4a3210';

async function expectConclaveError(promise: Promise<unknown>, code: string, ...phrases: string[]): Promise<ConclaveError> {
  const error: unknown = await promise.then(
    () => undefined,
    (thrown: unknown) => thrown,
  );
  expect(error).toBeInstanceOf(ConclaveError);
  const conclaveError = error as ConclaveError;
  expect(conclaveError.code).toBe(code);
  for (const phrase of phrases) expect(`${conclaveError.message} ${conclaveError.hint ?? ''}`).toContain(phrase);
  expect(JSON.stringify(conclaveError.toJSON())).not.toContain(value);
  return conclaveError;
}

function readJson(path: string): { secrets: Record<string, { iv: string; data: string; tag: string; updatedAt: string }> } & Record<string, unknown> {
  return JSON.parse(readFileSync(path, 'utf8')) as ReturnType<typeof readJson>;
}

describe('vault file', () => {
  it('round trip: set, get, list, replace, remove — and a second handle reads what the first wrote', async () => {
    const path = freshPath();
    const clock = [new Date('2025-03-01T10:00:00.000Z'), new Date('2025-03-02T11:00:00.000Z'), new Date('2025-03-03T12:00:00.000Z')];
    const vault = openVaultFile({ path, env, now: () => clock.shift() ?? new Date() });
    expect(await vault.get('OPENAI_API_KEY')).toBeUndefined();
    expect(await vault.list()).toEqual([]);

    expect(await vault.set('OPENAI_API_KEY', value)).toEqual({ replaced: false, updatedAt: '2025-03-01T10:00:00.000Z' });
    expect(await vault.set('ANTHROPIC_API_KEY', 'ünïcødé "quoted" \\ $1 \n second line')).toMatchObject({ replaced: false });
    expect(await vault.set('OPENAI_API_KEY', `${value}-rotated`)).toEqual({ replaced: true, updatedAt: '2025-03-03T12:00:00.000Z' });

    const again = openVaultFile({ path, env });
    expect(await again.get('OPENAI_API_KEY')).toBe(`${value}-rotated`);
    expect(await again.get('ANTHROPIC_API_KEY')).toBe('ünïcødé "quoted" \\ $1 \n second line');
    expect(await again.get('MISSING')).toBeUndefined();
    expect(await again.list()).toEqual([
      { name: 'ANTHROPIC_API_KEY', updatedAt: '2025-03-02T11:00:00.000Z' },
      { name: 'OPENAI_API_KEY', updatedAt: '2025-03-03T12:00:00.000Z' },
    ]);

    expect(await again.remove('OPENAI_API_KEY')).toBe(true);
    expect(await again.remove('OPENAI_API_KEY')).toBe(false);
    expect(await vault.get('OPENAI_API_KEY')).toBeUndefined();
    expect((await vault.list()).map((entry) => entry.name)).toEqual(['ANTHROPIC_API_KEY']);
  });

  it('stores only ciphertext: the value, and the passphrase, appear nowhere in the file', async () => {
    const path = freshPath();
    await openVaultFile({ path, env }).set('TOKEN', value);
    const text = readFileSync(path, 'utf8');
    expect(text).not.toContain(value);
    expect(text).not.toContain(passphrase);
    expect(text).not.toContain(Buffer.from(value).toString('base64'));
    const json = readJson(path);
    expect(json).toMatchObject({ format: 'conclave-vault', version: 1, cipher: 'aes-256-gcm', kdf: { algorithm: 'scrypt' } });
    expect(Buffer.from(json.secrets['TOKEN']?.iv ?? '', 'base64')).toHaveLength(12);
  });

  it('uses a fresh IV per entry and per write', async () => {
    const path = freshPath();
    const vault = openVaultFile({ path, env });
    await vault.set('FIRST', value);
    await vault.set('SECOND', value);
    const before = readJson(path).secrets;
    await vault.set('FIRST', value);
    const after = readJson(path).secrets;
    expect(before['FIRST']?.iv).not.toBe(before['SECOND']?.iv);
    expect(before['FIRST']?.data).not.toBe(before['SECOND']?.data);
    expect(after['FIRST']?.iv).not.toBe(before['FIRST']?.iv);
  });

  it('lists names and dates only, never values', async () => {
    const path = freshPath();
    const vault = openVaultFile({ path, env });
    await vault.set('ONE', value);
    await vault.set('TWO', `${value}-2`);
    const listed = await vault.list();
    expect(listed.map((entry) => Object.keys(entry).sort())).toEqual([
      ['name', 'updatedAt'],
      ['name', 'updatedAt'],
    ]);
    expect(JSON.stringify(listed)).not.toContain(value);
  });

  it('without CONCLAVE_VAULT_KEY: a clear secret_not_found that says what to set (and no file is created)', async () => {
    const path = freshPath();
    const error = await expectConclaveError(openVaultFile({ path, env: {} }).set('TOKEN', value), 'secret_not_found', 'CONCLAVE_VAULT_KEY is not set', path, 'export CONCLAVE_VAULT_KEY=');
    expect(error.message).toContain('TOKEN');
    expect(() => statSync(path)).toThrow();

    await openVaultFile({ path, env }).set('TOKEN', value);
    await expectConclaveError(openVaultFile({ path, env: { CONCLAVE_VAULT_KEY: '' } }).get('TOKEN'), 'secret_not_found', 'cannot read secret TOKEN', 'CONCLAVE_VAULT_KEY is not set');
    await expectConclaveError(openVaultFile({ path, env: {} }).list(), 'secret_not_found', 'CONCLAVE_VAULT_KEY');
    await expectConclaveError(openVaultFile({ path, env: {} }).remove('TOKEN'), 'secret_not_found', 'CONCLAVE_VAULT_KEY');
  });

  it('a new vault refuses a passphrase shorter than 8 characters', async () => {
    await expectConclaveError(openVaultFile({ path: freshPath(), env: { CONCLAVE_VAULT_KEY: 'short' } }).set('TOKEN', value), 'invalid_argument', 'shorter than 8');
  });

  it('the wrong passphrase: a clear invalid_argument, for every operation', async () => {
    const path = freshPath();
    await openVaultFile({ path, env }).set('TOKEN', value);
    const wrong = openVaultFile({ path, env: { CONCLAVE_VAULT_KEY: 'not the passphrase' } });
    await expectConclaveError(wrong.get('TOKEN'), 'invalid_argument', 'CONCLAVE_VAULT_KEY does not open the vault', path);
    await expectConclaveError(wrong.set('OTHER', 'other-value'), 'invalid_argument', 'does not open');
    await expectConclaveError(wrong.list(), 'invalid_argument', 'does not open');
    await expectConclaveError(wrong.remove('TOKEN'), 'invalid_argument', 'does not open');
    await expectConclaveError(wrong.verifyKey(), 'invalid_argument', 'does not open');
    expect(await openVaultFile({ path, env }).get('TOKEN')).toBe(value);
  });

  it('tampering is detected by the auth tag: ciphertext, tag, date, or a value moved to another name', async () => {
    const path = freshPath();
    const vault = openVaultFile({ path, env });
    await vault.set('TOKEN', value);
    await vault.set('OTHER', 'another-secret');
    const pristine = readFileSync(path, 'utf8');
    const edits: Array<(json: ReturnType<typeof readJson>) => void> = [
      (json) => {
        const entry = json.secrets['TOKEN']!;
        const bytes = Buffer.from(entry.data, 'base64');
        bytes[0] = (bytes[0] ?? 0) ^ 1;
        entry.data = bytes.toString('base64');
      },
      (json) => {
        const entry = json.secrets['TOKEN']!;
        const bytes = Buffer.from(entry.tag, 'base64');
        bytes[15] = (bytes[15] ?? 0) ^ 0x80;
        entry.tag = bytes.toString('base64');
      },
      (json) => {
        json.secrets['TOKEN']!.updatedAt = '2020-01-01T00:00:00.000Z';
      },
      (json) => {
        json.secrets['TOKEN'] = { ...json.secrets['OTHER']! };
      },
    ];
    for (const edit of edits) {
      const json = readJson(path);
      edit(json);
      writeFileSync(path, JSON.stringify(json));
      await expectConclaveError(openVaultFile({ path, env }).get('TOKEN'), 'invalid_argument', 'secret TOKEN', 'failed its integrity check', path);
      await expectConclaveError(openVaultFile({ path, env }).list(), 'invalid_argument', 'integrity check');
      writeFileSync(path, pristine);
    }
    expect(await openVaultFile({ path, env }).get('TOKEN')).toBe(value);
  });

  it('a file that is not JSON, or not a vault, is a clear error naming the file', async () => {
    const path = freshPath();
    mkdirSync(join(path, '..'), { recursive: true });
    writeFileSync(path, '{ "format": "conclave-vault", ');
    await expectConclaveError(openVaultFile({ path, env }).get('TOKEN'), 'invalid_argument', 'is not valid JSON', path);
    writeFileSync(path, JSON.stringify({ hello: 'world' }));
    await expectConclaveError(openVaultFile({ path, env }).list(), 'invalid_argument', 'is not a conclave vault file', path);
  });

  it('is written with mode 0600, even over a file someone made readable', async () => {
    const path = freshPath();
    const vault = openVaultFile({ path, env });
    await vault.set('TOKEN', value);
    expect(statSync(path).mode & 0o777).toBe(0o600);
    chmodSync(path, 0o644);
    await vault.set('TOKEN', `${value}-2`);
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(statSync(join(path, '..')).mode & 0o077).toBe(0);
  });

  it('is replaced atomically: a new file renamed over the old one, no temporary file left behind', async () => {
    const path = freshPath();
    const vault = openVaultFile({ path, env });
    await vault.set('TOKEN', value);
    const before = statSync(path).ino;
    await vault.set('OTHER', 'another-secret');
    expect(statSync(path).ino).not.toBe(before);
    expect(readdirSync(join(path, '..'))).toEqual(['vault.json']);
  });

  it('concurrent sets through one handle all land (operations are serialised)', async () => {
    const path = freshPath();
    const vault = openVaultFile({ path, env });
    const names = ['A_1', 'A_2', 'A_3', 'A_4', 'A_5', 'A_6'];
    await Promise.all(names.map((name) => vault.set(name, `value-of-${name}`)));
    expect((await vault.list()).map((entry) => entry.name)).toEqual(names);
    expect(await openVaultFile({ path, env }).get('A_4')).toBe('value-of-A_4');
  });

  it('a failed atomic write leaves the target as it was and removes its temporary file', async () => {
    const directory = join(root, 'atomic');
    const target = join(directory, 'target');
    mkdirSync(join(target, 'occupied'), { recursive: true });
    await expect(writeFileAtomically(target, 'new content')).rejects.toThrow();
    expect(readdirSync(directory)).toEqual(['target']);
    expect(readdirSync(target)).toEqual(['occupied']);
  });

  it('rejects malformed names and empty values, naming the problem', async () => {
    const vault = openVaultFile({ path: freshPath(), env });
    const error = await expectConclaveError(vault.set('openai-key', value), 'invalid_argument', 'invalid secret name "openai-key"');
    expect(error.hint).toBe('did you mean OPENAI_KEY?');
    await expectConclaveError(vault.get('1ABC'), 'invalid_argument', 'invalid secret name');
    await expectConclaveError(vault.set('TOKEN', ''), 'invalid_argument', 'TOKEN', 'empty');
  });

  it('lives at --path, else CONCLAVE_VAULT, else ./.conclave/vault.json', () => {
    expect(resolveVaultPath({ env: {}, cwd: '/home/ada/project' })).toBe('/home/ada/project/.conclave/vault.json');
    expect(resolveVaultPath({ env: { CONCLAVE_VAULT: 'secrets/v.json' }, cwd: '/srv' })).toBe('/srv/secrets/v.json');
    expect(resolveVaultPath({ path: '/etc/conclave/vault.json', env: { CONCLAVE_VAULT: 'ignored.json' } })).toBe('/etc/conclave/vault.json');
    expect(openVaultFile({ env: { CONCLAVE_VAULT: '/tmp/x/vault.json' } }).path).toBe('/tmp/x/vault.json');
  });
});
