// `conclave vault` as a user runs it (the built CLI, real processes, one vault file): a value piped
// to `vault set` is stored and never printed, `list` shows names only, a missing passphrase is a
// usage error (exit 2) that says what to set, and `rm` deletes. Needs `npm run build` first.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cliPath, collect, projectRoot, runCli, type CliResult } from '../support/cli.js';

const directory = mkdtempSync(join(tmpdir(), 'conclave-vault-cli-'));
afterAll(() => rmSync(directory, { recursive: true, force: true }));

const vault = join(directory, 'vault.json');
const env = { CONCLAVE_VAULT: vault, CONCLAVE_VAULT_KEY: 'cli test passphrase', CANARY_TOKEN: '' };
const canary = 'canary-7f3a5e6d7c8b9a01';

/** Runs the CLI with `input` on stdin (runCli's stdin is closed). */
function runCliWithInput(args: string[], input: string, extraEnv: Record<string, string> = env): Promise<CliResult> {
  const child = spawn(process.execPath, [cliPath, ...args], { cwd: projectRoot, env: { ...process.env, NO_COLOR: '1', ...extraEnv }, stdio: ['pipe', 'pipe', 'pipe'] });
  const done = collect(child);
  child.stdin.end(input);
  return done;
}

describe('conclave vault', () => {
  it('set from stdin, list, rm — the value is never printed and the file is 0600', async () => {
    const set = await runCliWithInput(['vault', 'set', 'CANARY_TOKEN'], `${canary}\n`);
    expect(set.code, set.stderr).toBe(0);
    expect(set.stdout).toBe(`stored secret CANARY_TOKEN in ${vault}\n`);
    expect(statSync(vault).mode & 0o777).toBe(0o600);
    expect(readFileSync(vault, 'utf8')).not.toContain(canary);

    const list = await runCli(['vault', 'list', '--json'], env);
    expect(list.code, list.stderr).toBe(0);
    expect(JSON.parse(list.stdout)).toEqual([{ name: 'CANARY_TOKEN', updatedAt: expect.any(String), shadowedByEnvironment: false }]);

    const wrongKey = await runCli(['vault', 'list'], { ...env, CONCLAVE_VAULT_KEY: 'not the passphrase' });
    expect(wrongKey.code).toBe(2);
    expect(wrongKey.stderr).toContain('error[invalid_argument]: cannot list the vault: CONCLAVE_VAULT_KEY does not open the vault');

    const remove = await runCli(['vault', 'rm', 'CANARY_TOKEN'], env);
    expect(remove.code, remove.stderr).toBe(0);
    const again = await runCli(['vault', 'rm', 'CANARY_TOKEN'], env);
    expect(again.code).toBe(2);
    expect(again.stderr).toContain('error[secret_not_found]: no secret CANARY_TOKEN in the vault');

    for (const result of [set, list, wrongKey, remove, again]) expect(result.stdout + result.stderr).not.toContain(canary);
  });

  it('without CONCLAVE_VAULT_KEY: exit 2, with the variable to set', async () => {
    const result = await runCliWithInput(['vault', 'set', 'TOKEN'], 'value-1234\n', { CONCLAVE_VAULT: join(directory, 'other.json'), CONCLAVE_VAULT_KEY: '' });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('error[secret_not_found]: cannot create the vault: CONCLAVE_VAULT_KEY is not set');
    expect(result.stderr).toContain('hint: export CONCLAVE_VAULT_KEY=');
    expect(result.stdout + result.stderr).not.toContain('value-1234');
  });
});
