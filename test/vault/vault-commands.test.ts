// `conclave vault set|list|rm` in process, with fake streams: values go in by argument, by pipe or
// at a hidden prompt, and never come out — not in output, not in notes, not in errors.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import { CliContext } from '../../src/cli/cli-context.js';
import { vaultListCommand, vaultRemoveCommand, vaultSetCommand, type VaultCommandIo } from '../../src/cli/commands/vault.js';
import { ConclaveError } from '../../src/protocol/index.js';
import { openVaultFile } from '../../src/vault/index.js';

const directory = mkdtempSync(join(tmpdir(), 'conclave-vault-commands-'));
afterAll(() => rmSync(directory, { recursive: true, force: true }));
const context = new CliContext({ db: ':memory:' });
const key = { CONCLAVE_VAULT_KEY: 'commands test passphrase' };
const canary = 'canary-7f3a0b1c2d3e4f56';

let counter = 0;
function freshVault(): string {
  counter += 1;
  return join(directory, `vault-${counter}.json`);
}

interface FakeIo extends VaultCommandIo {
  out(): string;
  err(): string;
}

/** Streams for one command: stdin is a PassThrough (optionally posing as a terminal). */
function fakeIo(env: Record<string, string | undefined>, stdin = new PassThrough(), terminal = false): FakeIo {
  let stdout = '';
  let stderr = '';
  const input = Object.assign(stdin, terminal ? { isTTY: true, setRawMode: () => input } : {});
  return {
    stdin: input,
    stdout: { write: (text: string) => (stdout += text) },
    stderr: { write: (text: string) => (stderr += text) },
    env,
    out: () => stdout,
    err: () => stderr,
  };
}

function piped(text: string): PassThrough {
  const stream = new PassThrough();
  stream.end(text);
  return stream;
}

describe('vault commands', () => {
  it('set (argument), list, rm — without ever printing the value', async () => {
    const vault = freshVault();
    const setIo = fakeIo(key);
    expect(await vaultSetCommand(context, 'CANARY_TOKEN', canary, { vault }, setIo)).toBe(0);
    expect(setIo.out()).toBe(`stored secret CANARY_TOKEN in ${vault}\n`);
    expect(await openVaultFile({ path: vault, env: key }).get('CANARY_TOKEN')).toBe(canary);

    const replaceIo = fakeIo(key);
    await vaultSetCommand(context, 'CANARY_TOKEN', `${canary}-2`, { vault, json: true }, replaceIo);
    expect(JSON.parse(replaceIo.out())).toMatchObject({ name: 'CANARY_TOKEN', path: vault, replaced: true });

    const listIo = fakeIo(key);
    expect(await vaultListCommand(context, { vault }, listIo)).toBe(0);
    expect(listIo.out()).toMatch(/^NAME\s+UPDATED\nCANARY_TOKEN\s+\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\n/);

    const jsonIo = fakeIo({ ...key, CANARY_TOKEN: 'from-env' });
    await vaultListCommand(context, { vault, json: true }, jsonIo);
    expect(JSON.parse(jsonIo.out())).toEqual([{ name: 'CANARY_TOKEN', updatedAt: expect.any(String), shadowedByEnvironment: true }]);

    const removeIo = fakeIo(key);
    expect(await vaultRemoveCommand(context, 'CANARY_TOKEN', { vault }, removeIo)).toBe(0);
    expect(removeIo.out()).toBe(`removed secret CANARY_TOKEN from ${vault}\n`);
    const emptyIo = fakeIo(key);
    await vaultListCommand(context, { vault }, emptyIo);
    expect(emptyIo.out()).toContain('no secrets in');

    for (const io of [setIo, replaceIo, listIo, jsonIo, removeIo, emptyIo]) {
      expect(io.out() + io.err()).not.toContain(canary);
    }
  });

  it('set without a value reads stdin (one trailing newline dropped), and echoes nothing', async () => {
    const vault = freshVault();
    const io = fakeIo(key, piped(`${canary}\n`));
    await vaultSetCommand(context, 'PIPED', undefined, { vault }, io);
    expect(await openVaultFile({ path: vault, env: key }).get('PIPED')).toBe(canary);
    await vaultSetCommand(context, 'MULTILINE', undefined, { vault }, fakeIo(key, piped('line one\nline two\r\n')));
    expect(await openVaultFile({ path: vault, env: key }).get('MULTILINE')).toBe('line one\nline two');
    expect(io.out() + io.err()).not.toContain(canary);
  });

  it('at a terminal, prompts on stderr and reads one hidden line (Backspace edits)', async () => {
    const vault = freshVault();
    const stdin = new PassThrough();
    const io = fakeIo(key, stdin, true);
    const done = vaultSetCommand(context, 'TYPED', undefined, { vault }, io);
    await new Promise((resolve) => setTimeout(resolve, 50));
    stdin.write('hidden-typoX\u007f-value\r');
    expect(await done).toBe(0);
    expect(await openVaultFile({ path: vault, env: key }).get('TYPED')).toBe('hidden-typo-value');
    expect(io.err()).toBe('value for TYPED (input hidden, Enter to finish): \n');
    expect(io.out()).not.toContain('hidden');
  });

  it('Ctrl-C at the prompt cancels without storing anything', async () => {
    const vault = freshVault();
    const stdin = new PassThrough();
    const done = vaultSetCommand(context, 'TYPED', undefined, { vault }, fakeIo(key, stdin, true));
    await new Promise((resolve) => setTimeout(resolve, 50));
    stdin.write('half\u0003');
    await expect(done).rejects.toMatchObject({ code: 'aborted' });
    expect(await openVaultFile({ path: vault, env: key }).list()).toEqual([]);
  });

  it('empty stdin is a clear invalid_argument', async () => {
    await expect(vaultSetCommand(context, 'EMPTY', undefined, { vault: freshVault() }, fakeIo(key, piped('\n')))).rejects.toMatchObject({
      code: 'invalid_argument',
      message: 'no value for secret EMPTY: stdin was empty',
    });
  });

  it('a missing CONCLAVE_VAULT_KEY fails before stdin is read', async () => {
    const neverEnds = new PassThrough();
    const error = await vaultSetCommand(context, 'TOKEN', undefined, { vault: freshVault() }, fakeIo({}, neverEnds)).catch((thrown: unknown) => thrown);
    expect(error).toBeInstanceOf(ConclaveError);
    expect(error).toMatchObject({ code: 'secret_not_found', message: expect.stringContaining('CONCLAVE_VAULT_KEY is not set') });
  });

  it('notes when an environment variable of the same name wins over the stored secret', async () => {
    const io = fakeIo({ ...key, SHADOWED: 'env-value' });
    await vaultSetCommand(context, 'SHADOWED', 'vault-value', { vault: freshVault() }, io);
    expect(io.err()).toBe('note: the environment variable SHADOWED is set and wins over the vault\n');
    expect(io.out() + io.err()).not.toContain('vault-value');
  });

  it('rm of an unknown name is secret_not_found; bad names are invalid_argument', async () => {
    const vault = freshVault();
    await vaultSetCommand(context, 'KEEP', 'keep-me-1234', { vault }, fakeIo(key));
    await expect(vaultRemoveCommand(context, 'GONE', { vault }, fakeIo(key))).rejects.toMatchObject({ code: 'secret_not_found', message: `no secret GONE in the vault ${vault}` });
    await expect(vaultSetCommand(context, 'bad-name', 'x', { vault }, fakeIo(key))).rejects.toMatchObject({ code: 'invalid_argument' });
    await expect(vaultRemoveCommand(context, 'bad name', { vault }, fakeIo(key))).rejects.toMatchObject({ code: 'invalid_argument' });
  });
});
