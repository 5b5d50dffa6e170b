// The built-in tools and command tools as a model meets them, run in a real bubblewrap jail: exact
// result strings for success, for each kind of mistake, and at the edges (empty files, binary files,
// ambiguous edits, globs with ** and {a,b}, invalid regular expressions).
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Sandbox, SandboxCommandTool } from '../../src/protocol/index.js';
import { builtinToolDefinitions, createBubblewrapDriver, sandboxToolDefinitions } from '../../src/sandbox/index.js';
import { describeWithBubblewrap } from './bubblewrap-gate.js';

const limits = { wallTimeMs: 5_000, cpuSeconds: 2, memoryBytes: 256 * 1024 * 1024, processes: 64, outputBytes: 64 * 1024 };
const signal = new AbortController().signal;

const runTests: SandboxCommandTool = {
  name: 'run_tests',
  description: 'Run the tests of one file.',
  inputSchema: {
    type: 'object',
    properties: { path: { type: 'string', minLength: 1 }, verbose: { type: 'boolean' }, only: { type: 'array', items: { type: 'string' } }, retries: { type: 'integer', minimum: 0 } },
    required: ['path'],
    additionalProperties: false,
  },
  command: 'printf "[%s]" test {{path}} {{verbose}} {{only}} {{ retries }}',
};

describeWithBubblewrap('sandbox tools (bubblewrap)', () => {
  let hostDirectory: string;
  let workspace: string;
  let sandbox: Sandbox;
  const run = (name: string, input: Record<string, unknown>): Promise<string> => sandbox.execute(name, input, { signal });
  const bash = (command: string): Promise<string> => run('bash', { command });

  beforeAll(async () => {
    hostDirectory = mkdtempSync(join(tmpdir(), 'conclave-tools-'));
    chmodSync(hostDirectory, 0o755);
    sandbox = await createBubblewrapDriver({ workspaceRoot: join(hostDirectory, 'workspaces') }).provision({ sessionId: 'tools', network: false, limits, commandTools: [runTests] });
    workspace = join(hostDirectory, 'workspaces', 'tools');
  });

  afterAll(async () => {
    await sandbox.dispose();
    rmSync(hostDirectory, { recursive: true, force: true });
  });

  it('offers the built-in tools and the command tools to models, with JSON Schemas', () => {
    expect(builtinToolDefinitions.map((definition) => definition.name)).toEqual(['bash', 'read_file', 'write_file', 'edit_file', 'list_files', 'grep', 'web_fetch', 'web_search']);
    expect(sandboxToolDefinitions([runTests]).map((definition) => definition.name)).toEqual(['bash', 'read_file', 'write_file', 'edit_file', 'list_files', 'grep', 'web_fetch', 'web_search', 'run_tests']);
    for (const definition of builtinToolDefinitions) {
      expect(definition.description?.length).toBeGreaterThan(40);
      expect(definition.inputSchema).toMatchObject({ type: 'object', additionalProperties: false });
    }
  });

  it('read_file numbers lines, reads ranges and says when more follow', async () => {
    await run('write_file', { path: 'read/lines.txt', content: Array.from({ length: 5 }, (_, index) => `line ${index + 1}`).join('\n') });
    expect(await run('read_file', { path: 'read/lines.txt' })).toBe('     1\tline 1\n     2\tline 2\n     3\tline 3\n     4\tline 4\n     5\tline 5');
    expect(await run('read_file', { path: 'read/lines.txt', offset: 2, limit: 2 })).toBe('     2\tline 2\n     3\tline 3\n[more lines follow; read on with offset 4]');
    expect(await run('read_file', { path: '/workspace/read/lines.txt', offset: 5, limit: 1 })).toBe('     5\tline 5');
    expect(await run('read_file', { path: 'read/lines.txt', offset: 9 })).toBe('(read/lines.txt has fewer than 9 lines)');
  });

  it('read_file explains empty, missing, directory, binary and oversized files', async () => {
    writeFileSync(join(workspace, 'empty.txt'), '');
    writeFileSync(join(workspace, 'binary.bin'), Buffer.from([0x7f, 0x45, 0x4c, 0x46, 0x00, 0x01]));
    writeFileSync(join(workspace, 'wide.txt'), `${'x'.repeat(100 * 1024)}\n`);
    expect(await run('read_file', { path: 'empty.txt' })).toBe('(empty.txt is empty)');
    expect(await run('read_file', { path: 'missing.txt' })).toBe('Error: could not read missing.txt: no such file: missing.txt');
    expect(await run('read_file', { path: '.' })).toBe('Error: could not read .: . is a directory; use list_files to see what it holds');
    expect(await run('read_file', { path: 'binary.bin' })).toBe('Error: binary.bin looks like a binary file; read_file only shows text');
    const wide = await run('read_file', { path: 'wide.txt' });
    expect(wide).toBe(`     1\t${'x'.repeat(2000)}… [line cut]\n[file truncated at ${limits.outputBytes} bytes; read on with offset 1]`);
  });

  it('write_file creates parent directories, replaces content exactly, and counts bytes', async () => {
    const content = 'héllo "world" $HOME `id` \\n\n\ttabs\n';
    expect(await run('write_file', { path: 'deep/er/file.txt', content })).toBe(`Wrote ${Buffer.byteLength(content)} bytes to deep/er/file.txt`);
    expect(readFileSync(join(workspace, 'deep/er/file.txt'), 'utf8')).toBe(content);
    expect(await run('write_file', { path: 'deep/er/file.txt', content: '' })).toBe('Wrote 0 bytes to deep/er/file.txt');
    expect(readFileSync(join(workspace, 'deep/er/file.txt'), 'utf8')).toBe('');
    expect(await run('write_file', { path: 'deep', content: 'x' })).toMatch(/^Error: could not write deep: deep: Is a directory$/);
  });

  it('edit_file replaces one exact occurrence, refuses missing and ambiguous ones, and replaces all when asked', async () => {
    const original = 'let count = 1;\ncount = count + 1;\n// $& and $1 stay literal\n';
    await run('write_file', { path: 'edit/code.ts', content: original });
    expect(await run('edit_file', { path: 'edit/code.ts', old_string: 'let total', new_string: 'const total' })).toBe(
      'Error: old_string was not found in edit/code.ts; it must match the file exactly, whitespace and indentation included',
    );
    expect(await run('edit_file', { path: 'edit/code.ts', old_string: 'count', new_string: 'total' })).toBe(
      'Error: old_string occurs 3 times in edit/code.ts; include more surrounding text to make it unique, or set replace_all to replace every occurrence',
    );
    expect(await run('edit_file', { path: 'edit/code.ts', old_string: 'count', new_string: 'count' })).toBe('Error: old_string and new_string are the same; there is nothing to change');
    expect(readFileSync(join(workspace, 'edit/code.ts'), 'utf8')).toBe(original);
    expect(await run('edit_file', { path: 'edit/code.ts', old_string: 'count + 1;\n// $&', new_string: 'count * 2;\n// $$ $&' })).toBe('Edited edit/code.ts: replaced 1 occurrence');
    expect(readFileSync(join(workspace, 'edit/code.ts'), 'utf8')).toBe('let count = 1;\ncount = count * 2;\n// $$ $& and $1 stay literal\n');
    expect(await run('edit_file', { path: 'edit/code.ts', old_string: 'count', new_string: 'total', replace_all: true })).toBe('Edited edit/code.ts: replaced 3 occurrences');
    expect(readFileSync(join(workspace, 'edit/code.ts'), 'utf8')).toBe('let total = 1;\ntotal = total * 2;\n// $$ $& and $1 stay literal\n');
    expect(await run('edit_file', { path: 'edit/nope.ts', old_string: 'a', new_string: 'b' })).toBe('Error: could not read edit/nope.ts: no such file: edit/nope.ts');
    writeFileSync(join(workspace, 'edit', 'latin1.txt'), Buffer.from([0x63, 0x61, 0x66, 0xe9]));
    expect(await run('edit_file', { path: 'edit/latin1.txt', old_string: 'caf', new_string: 'CAF' })).toBe('Error: edit/latin1.txt is not a UTF-8 text file; edit it with bash instead');
  });

  it('list_files expands ** and {a,b}, marks directories, skips hidden files, and works under a path', async () => {
    await bash('mkdir -p glob/src/util glob/src/.hidden glob/docs && touch glob/src/a.ts glob/src/b.js glob/src/util/c.ts glob/src/util/d.tsx glob/src/.hidden/e.ts glob/docs/f.md');
    expect(await run('list_files', { pattern: 'glob/src/**/*.ts' })).toBe('glob/src/a.ts\nglob/src/util/c.ts');
    expect(await run('list_files', { pattern: 'src/**/*.{ts,tsx}', path: 'glob' })).toBe('glob/src/a.ts\nglob/src/util/c.ts\nglob/src/util/d.tsx');
    expect(await run('list_files', { pattern: '*', path: 'glob/' })).toBe('glob/docs/\nglob/src/');
    expect(await run('list_files', { pattern: 'src/.hidden/*', path: 'glob' })).toBe('glob/src/.hidden/e.ts');
    expect(await run('list_files', { pattern: '**/*.py', path: 'glob' })).toBe('No files match **/*.py in glob');
    expect(await run('list_files', { pattern: '*', path: 'nowhere' })).toBe('Error: could not list files: no such directory: nowhere');
  });

  it('grep searches with extended regular expressions, narrowed by glob and path, skipping .git and binary files', async () => {
    await bash(
      'mkdir -p search/src/deep search/.git && printf "alpha\\nbeta TODO\\n" > search/src/a.ts && printf "TODO: gamma\\n" > search/src/deep/b.ts && ' +
        'printf "TODO in js\\n" > search/src/c.js && printf "TODO\\n" > search/.git/config && printf "TODO\\0binary" > search/src/d.bin',
    );
    expect(await run('grep', { pattern: 'TODO', path: 'search' })).toBe('search/src/a.ts:2:beta TODO\nsearch/src/c.js:1:TODO in js\nsearch/src/deep/b.ts:1:TODO: gamma'.split('\n').sort().join('\n'));
    expect(await run('grep', { pattern: '^(TODO|beta)', path: 'search', glob: '*.ts' })).toBe('search/src/a.ts:2:beta TODO\nsearch/src/deep/b.ts:1:TODO: gamma');
    expect(await run('grep', { pattern: 'TODO', path: 'search', glob: 'src/deep/**/*.{ts,js}' })).toBe('search/src/deep/b.ts:1:TODO: gamma');
    expect(await run('grep', { pattern: 'TODO', path: 'search/src/a.ts' })).toBe('search/src/a.ts:2:beta TODO');
    expect(await run('grep', { pattern: 'zeta', path: 'search' })).toBe('No matches for zeta in search');
    expect(await run('grep', { pattern: 'zeta', path: 'search', glob: '*.ts' })).toBe('No matches for zeta in search (files matching *.ts)');
    expect(await run('grep', { pattern: 'TODO', path: 'search', glob: '*.py' })).toBe('No files match *.py in search');
    expect(await run('grep', { pattern: 'a[', path: 'search' })).toMatch(/^Error: invalid regular expression "a\[": grep: (Unmatched \[|Invalid regular expression)/);
  });

  it('bash keeps state in the workspace only: /tmp is emptied between calls', async () => {
    expect(await bash('echo scratch > /tmp/scratch && echo kept > kept.txt && cat /tmp/scratch')).toBe('scratch\n');
    expect(await bash('cat /tmp/scratch 2>&1; cat kept.txt')).toBe('cat: /tmp/scratch: No such file or directory\nkept\n');
  });

  it('bash refuses a command too long to pass to a process', async () => {
    expect(await bash(`echo ${'x'.repeat(200 * 1024)}`)).toMatch(/^Error: the command is 204805 bytes long, more than the 122880 a command may have;/);
  });

  it('runs a command tool with each field shell-quoted: arrays as words, missing fields as nothing', async () => {
    expect(await run('run_tests', { path: 'tests/a b.py', verbose: true, only: ['x y', "it's"], retries: 2 })).toBe("[test][tests/a b.py][true][x y][it's][2]");
    expect(await run('run_tests', { path: '$(touch pwned)' })).toBe('[test][$(touch pwned)]');
    expect(await bash('ls pwned 2>&1')).toMatch(/No such file or directory/);
    expect(await run('run_tests', { path: 'a', retries: -1 })).toMatch(/^Error: invalid input for tool "run_tests": retries: /);
    expect(await run('run_tests', { path: 'a', extra: 1 })).toMatch(/^Error: invalid input for tool "run_tests": Unrecognized key: "extra"/);
  });

  it('refuses command tools that clash with a built-in tool or use fields their schema lacks', async () => {
    const driver = createBubblewrapDriver({ workspaceRoot: join(hostDirectory, 'workspaces') });
    await expect(driver.provision({ sessionId: 'clash', network: false, commandTools: [{ name: 'bash', inputSchema: { type: 'object' }, command: 'true' }] })).rejects.toMatchObject({
      code: 'invalid_argument',
      message: 'there are two tools named "bash"; tool names must be unique and not those of the built-in tools',
    });
    await expect(driver.provision({ sessionId: 'unknown-field', network: false, commandTools: [{ ...runTests, command: 'pytest {{file}}' }] })).rejects.toMatchObject({
      code: 'invalid_argument',
      message: 'the command of tool "run_tests" uses {{file}}, which its input schema does not define',
    });
  });
});
