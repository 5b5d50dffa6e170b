// `--json` means JSON on stdout for failures too (issue 17): every command that takes `--json`
// is found from the help text itself, so a new one without a case here fails this test; each
// is then made to fail as a user would, and must print exactly one `{"error":{…}}` line on
// stdout, nothing of the human form on stderr, and the same exit code as without `--json`.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.js';

const directory = mkdtempSync(join(tmpdir(), 'conclave-json-errors-'));
afterAll(() => rmSync(directory, { recursive: true, force: true }));
const store = join(directory, 'sessions.db');
const badDocument = join(directory, 'bad.yaml');
writeFileSync(badDocument, 'topology: nope\n');
const missing = join(directory, 'missing.yaml');
const isolated = { CONCLAVE_VAULT: join(directory, 'vault.json'), CONCLAVE_VAULT_KEY: '', CONCLAVE_STORE: store };

/** One failing invocation per command path that takes `--json`, and the code it must report. */
const failures: Record<string, { args: string[]; code: string }> = {
  run: { args: ['run', missing, '--json'], code: 'document_not_found' },
  resume: { args: ['resume', 'sesn_missing', '--json'], code: 'session_not_found' },
  send: { args: ['send', 'sesn_missing', 'hello', '--json'], code: 'session_not_found' },
  interrupt: { args: ['interrupt', 'sesn_missing', '--json'], code: 'session_not_found' },
  approve: { args: ['approve', 'sesn_missing', 'evt_x', '--json'], code: 'session_not_found' },
  deny: { args: ['deny', 'sesn_missing', 'evt_x', '--json'], code: 'session_not_found' },
  'tool-result': { args: ['tool-result', 'sesn_missing', 'evt_x', '--content', 'x', '--json'], code: 'session_not_found' },
  'sessions list': { args: ['sessions', 'list', '--limit', '0', '--json'], code: 'invalid_argument' },
  'sessions show': { args: ['sessions', 'show', 'sesn_missing', '--json'], code: 'session_not_found' },
  'sessions events': { args: ['sessions', 'events', 'sesn_missing', '--json'], code: 'session_not_found' },
  topologies: { args: ['topologies', '--json', '--no-such-option'], code: 'invalid_argument' },
  'topologies show': { args: ['topologies', 'show', 'nope', '--json'], code: 'unknown_topology' },
  providers: { args: ['providers', '--json', '--no-such-option'], code: 'invalid_argument' },
  'providers ping': { args: ['providers', 'ping', 'nowhere/model', '--json'], code: 'unknown_provider' },
  validate: { args: ['validate', badDocument, '--json'], code: 'invalid_document' },
  design: { args: ['design', '   ', '--json'], code: 'invalid_argument' },
  'vault set': { args: ['vault', 'set', 'TOKEN', 'value', '--json'], code: 'secret_not_found' },
  'vault list': { args: ['vault', 'list', '--workspace', 'Not A Workspace', '--json'], code: 'invalid_argument' },
  'vault rm': { args: ['vault', 'rm', 'TOKEN', '--json'], code: 'secret_not_found' },
  bench: { args: ['bench', missing, '--json'], code: 'document_not_found' },
  'db migrate': { args: ['db', 'migrate', '--json', '--store', 'postgres://127.0.0.1:1/none'], code: 'store_error' },
  status: { args: ['status', '--queue', 'not-a-url', '--json'], code: 'invalid_argument' },
  'keys create': { args: ['keys', 'create', '--workspace', 'BAD!', '--json'], code: 'invalid_argument' },
  'keys list': { args: ['keys', 'list', '--json', '--no-such-option'], code: 'invalid_argument' },
  'keys revoke': { args: ['keys', 'revoke', 'key_missing', '--json'], code: 'not_found' },
  'memory stores': { args: ['memory', 'stores', '--workspace', 'Not A Workspace', '--json'], code: 'invalid_argument' },
  'memory create-store': { args: ['memory', 'create-store', 'memstore_x', '--json'], code: 'invalid_argument' },
  'memory ls': { args: ['memory', 'ls', 'no-such-store', '--json'], code: 'not_found' },
  'memory read': { args: ['memory', 'read', 'no-such-store', '/a.md', '--json'], code: 'not_found' },
  'memory write': { args: ['memory', 'write', 'no-such-store', '/a.md', '--json'], code: 'invalid_argument' },
  'memory search': { args: ['memory', 'search', 'no-such-store', 'words', '--json'], code: 'not_found' },
  'memory versions': { args: ['memory', 'versions', 'no-such-store', '/a.md', '--json'], code: 'not_found' },
  'memory rm': { args: ['memory', 'rm', 'no-such-store', '/a.md', '--json'], code: 'not_found' },
};

/** The subcommand names listed under "Commands:" in a help text. */
function subcommands(help: string): string[] {
  const section = help.split(/^Commands:$/m)[1];
  if (section === undefined) return [];
  return [...section.matchAll(/^ {2}([a-z][a-z-]*)/gm)].map((match) => match[1]!).filter((name) => name !== 'help');
}

/** Every command path (`sessions show`, …) whose help offers `--json`, found by walking `--help`. */
async function commandsWithJson(path: string[] = []): Promise<string[]> {
  const help = (await runCli([...path, '--help'], isolated)).stdout;
  const found = path.length > 0 && /^\s+--json\b/m.test(help) ? [path.join(' ')] : [];
  for (const name of subcommands(help)) found.push(...(await commandsWithJson([...path, name])));
  return found;
}

describe('--json errors', () => {
  it('every command with --json has a failing case here', async () => {
    const withJson = await commandsWithJson();
    expect(withJson.length).toBeGreaterThan(20);
    expect(withJson.filter((path) => failures[path] === undefined)).toEqual([]);
  }, 120_000);

  it.each(Object.entries(failures))('%s prints one JSON error on stdout', async (_path, failure) => {
    const result = await runCli(failure.args, isolated);
    expect(result.code).not.toBe(0);
    const lines = result.stdout.trim().split('\n');
    expect(lines).toHaveLength(1);
    const parsed = JSON.parse(lines[0]!) as { error: { code: string; message: string; category: string } };
    expect(parsed.error.code).toBe(failure.code);
    expect(parsed.error.message.length).toBeGreaterThan(0);
    expect(result.stderr).not.toContain('error[');
    // The exit code is the one the text form gives.
    const text = await runCli(failure.args.filter((arg) => arg !== '--json'), isolated);
    expect(result.code).toBe(text.code);
  }, 60_000);
});
