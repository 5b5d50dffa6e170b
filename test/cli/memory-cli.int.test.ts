// `conclave memory` as an operator runs it (the built CLI, in a pipe) on a SQLite file: a store is
// created, written (from a file and from stdin), read back, listed, searched and its versions
// listed; a stale --if-sha256 fails with a non-zero exit code (a JSON error with --json) and
// writes nothing; an empty stdin is refused; a missing store is an error naming it; and what the
// CLI wrote is in the same agent memory tables the server opens on that file, in the workspace
// the CLI named.
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createSqliteAgentMemoryStore } from '../../src/memory/sqlite-agent-memory.js';
import { cliPath, collect, projectRoot, runCli, type CliResult } from '../support/cli.js';

const directory = mkdtempSync(join(tmpdir(), 'conclave-memory-cli-'));
afterAll(() => rmSync(directory, { recursive: true, force: true }));

const database = join(directory, 'conclave.db');
const sha = (text: string): string => createHash('sha256').update(text, 'utf8').digest('hex');

function memory(...args: string[]): Promise<CliResult> {
  return runCli(['--store', database, 'memory', ...args]);
}

/** `conclave memory …` with `input` on its stdin. */
function memoryWithInput(input: string, ...args: string[]): Promise<CliResult> {
  const child = spawn(process.execPath, [cliPath, '--store', database, 'memory', ...args], { cwd: projectRoot, env: { ...process.env, NO_COLOR: '1' }, stdio: ['pipe', 'pipe', 'pipe'] });
  child.stdin.end(input);
  return collect(child);
}

function json<T>(result: CliResult): T {
  expect(result.code, result.stderr).toBe(0);
  return JSON.parse(result.stdout) as T;
}

type StoreJson = { id: string; name: string; workspace: string; description: string };
type MemoryJson = { id: string; path: string; contentSha256: string; sizeBytes: number };
type WriteJson = { outcome: string; memory: MemoryJson };
type ErrorJson = { error: { code: string; message: string; hint?: string } };

const first = 'Use SQLite first.\n';
const second = 'Use SQLite first; PostgreSQL when workers scale out.\n';

describe('conclave memory', () => {
  it('creates a store, writes, reads back, searches and lists the versions', async () => {
    const store = json<StoreJson>(await memory('create-store', 'project-notes', '--description', 'Decisions and their reasons', '--json'));
    expect(store).toMatchObject({ name: 'project-notes', workspace: 'default', description: 'Decisions and their reasons' });
    expect(store.id).toMatch(/^memstore_/);
    expect(json<StoreJson[]>(await memory('stores', '--json')).map((listed) => listed.id)).toEqual([store.id]);

    const file = join(directory, 'db.md');
    writeFileSync(file, first);
    const created = json<WriteJson>(await memory('write', 'project-notes', '/decisions/db.md', '--file', file, '--json'));
    expect(created).toMatchObject({ outcome: 'created', memory: { path: '/decisions/db.md', contentSha256: sha(first), sizeBytes: Buffer.byteLength(first) } });

    // By name and by id, byte for byte.
    for (const reference of ['project-notes', store.id]) {
      const read = await memory('read', reference, '/decisions/db.md');
      expect(read.code, read.stderr).toBe(0);
      expect(read.stdout).toBe(first);
    }
    expect(json<MemoryJson[]>(await memory('ls', 'project-notes', '--json'))).toEqual([expect.objectContaining({ path: '/decisions/db.md', contentSha256: sha(first) })]);
    const listed = await memory('ls', 'project-notes', '--prefix', '/decisions/');
    expect(listed.stdout).toContain(`/decisions/db.md  ${Buffer.byteLength(first)}`);
    expect(listed.stdout).toContain(sha(first));

    // The second write from stdin, on the condition that nobody changed the memory meanwhile.
    const updated = json<WriteJson>(await memoryWithInput(second, 'write', store.id, '/decisions/db.md', '--if-sha256', sha(first), '--json'));
    expect(updated).toMatchObject({ outcome: 'updated', memory: { id: created.memory.id, contentSha256: sha(second) } });
    // The same content again changes nothing and adds no version.
    expect(json<WriteJson>(await memoryWithInput(second, 'write', 'project-notes', '/decisions/db.md', '--json')).outcome).toBe('unchanged');

    const hits = json<Array<{ path: string; snippet: string }>>(await memory('search', 'project-notes', 'postgres*', '--json'));
    expect(hits).toEqual([expect.objectContaining({ path: '/decisions/db.md', snippet: second.trim() })]);
    expect(json<unknown[]>(await memory('search', 'project-notes', 'redis', '--json'))).toEqual([]);

    const versions = json<Array<{ operation: string; contentSha256: string; content: string }>>(await memory('versions', 'project-notes', '/decisions/db.md', '--json'));
    expect(versions.map((version) => [version.operation, version.contentSha256, version.content])).toEqual([
      ['modified', sha(second), second],
      ['created', sha(first), first],
    ]);
    const table = await memory('versions', 'project-notes', '/decisions/db.md');
    expect(table.stdout.split('\n').filter((line) => line.startsWith('memver_'))).toHaveLength(2);

    // The server opens the same tables: the store, the memory and its versions are there.
    const tables = createSqliteAgentMemoryStore({ path: database });
    try {
      expect(await tables.getStore('default', store.id)).toMatchObject({ name: 'project-notes' });
      expect((await tables.getMemoryByPath('default', store.id, '/decisions/db.md'))?.content).toBe(second);
      expect(await tables.getStore('elsewhere', store.id)).toBeUndefined();
    } finally {
      await tables.close();
    }
  });

  it('refuses a write whose --if-sha256 is stale, with a non-zero exit code, and writes nothing', async () => {
    json<StoreJson>(await memory('create-store', 'preconditions', '--json'));
    json<WriteJson>(await memoryWithInput(first, 'write', 'preconditions', '/plan.md', '--json'));
    json<WriteJson>(await memoryWithInput(second, 'write', 'preconditions', '/plan.md', '--json'));

    const text = await memoryWithInput('lost update\n', 'write', 'preconditions', '/plan.md', '--if-sha256', sha(first));
    expect(text.code).not.toBe(0);
    expect(text.stdout).toBe('');
    expect(text.stderr).toContain('error[version_conflict]');
    expect(text.stderr).toContain(`its sha256 is now ${sha(second)}; nothing was written`);

    const scripted = await memoryWithInput('lost update\n', 'write', 'preconditions', '/plan.md', '--if-sha256', sha(first), '--json');
    expect(scripted.code).not.toBe(0);
    const error = JSON.parse(scripted.stdout) as ErrorJson;
    expect(error.error.code).toBe('version_conflict');
    expect(error.error.message).toContain('--if-sha256: /plan.md');
    expect(error.error.hint).toContain('conclave memory read');

    // Nor on a path with no memory: there is nothing the sha256 could be of.
    const absent = await memoryWithInput('new\n', 'write', 'preconditions', '/absent.md', '--if-sha256', sha(first), '--json');
    expect(absent.code).not.toBe(0);
    expect((JSON.parse(absent.stdout) as ErrorJson).error.message).toContain('there is no memory there');

    expect((await memory('read', 'preconditions', '/plan.md')).stdout).toBe(second);
    expect(json<unknown[]>(await memory('versions', 'preconditions', '/plan.md', '--json'))).toHaveLength(2);
    expect((await memory('read', 'preconditions', '/absent.md')).code).not.toBe(0);
  });

  it('refuses an empty stdin (a script\'s mistake, most likely); an empty file writes an empty memory', async () => {
    json<StoreJson>(await memory('create-store', 'empties', '--json'));
    const refused = await memory('write', 'empties', '/blank.md', '--json');
    expect(refused.code).toBe(2);
    expect((JSON.parse(refused.stdout) as ErrorJson).error).toMatchObject({ code: 'invalid_argument', message: 'no text to write: stdin was empty' });
    const empty = join(directory, 'empty.md');
    writeFileSync(empty, '');
    expect(json<WriteJson>(await memory('write', 'empties', '/blank.md', '--file', empty, '--json')).memory).toMatchObject({ sizeBytes: 0, contentSha256: sha('') });
  });

  it('names a missing store, as text and as JSON', async () => {
    const text = await memory('read', 'no-such-store', '/notes.md');
    expect(text.code).toBe(2);
    expect(text.stderr).toContain(`error[not_found]: no memory store named "no-such-store" in workspace "default" of ${database}`);
    expect(text.stderr).toContain('conclave memory create-store "no-such-store"');

    const scripted = await memory('ls', 'memstore_doesnotexist', '--json');
    expect(scripted.code).toBe(2);
    expect((JSON.parse(scripted.stdout) as ErrorJson).error).toMatchObject({ code: 'not_found', message: expect.stringContaining('no memory store memstore_doesnotexist in workspace "default"') as unknown });

    // Stores belong to a workspace: another workspace's name finds nothing.
    json<StoreJson>(await memory('create-store', 'team-only', '--workspace', 'team-a', '--json'));
    expect((await memory('ls', 'team-only')).stderr).toContain('no memory store named "team-only" in workspace "default"');
    expect((await memory('ls', 'team-only', '--workspace', 'team-a')).code).toBe(0);
  });
});
