// Writing mounted files into a workspace: directories made on the way, an existing read-only copy
// replaced, and never a write through a link the agent planted.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, symlinkSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { writeWorkspaceFile } from '../../src/sandbox/mounted-files.js';

const root = mkdtempSync(join(tmpdir(), 'conclave-mounts-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('writeWorkspaceFile', () => {
  it('creates directories, writes a read-only copy, and replaces it on the next write', async () => {
    const workspace = join(root, 'ws1');
    mkdirSync(workspace);
    await writeWorkspaceFile(workspace, 'mnt/session/uploads/a.txt', new TextEncoder().encode('one'));
    const path = join(workspace, 'mnt/session/uploads/a.txt');
    expect(readFileSync(path, 'utf8')).toBe('one');
    expect(statSync(path).mode & 0o777).toBe(0o444);
    await writeWorkspaceFile(workspace, 'mnt/session/uploads/a.txt', new TextEncoder().encode('two'));
    expect(readFileSync(path, 'utf8')).toBe('two');
  });

  it('refuses a directory on the way that is a link, and writes nothing where it points', async () => {
    const workspace = join(root, 'ws2');
    const outside = join(root, 'outside');
    mkdirSync(workspace);
    mkdirSync(outside);
    symlinkSync(outside, join(workspace, 'mnt'));
    await expect(writeWorkspaceFile(workspace, 'mnt/session/a.txt', new TextEncoder().encode('x'))).rejects.toThrow('mnt is a link');
    expect(existsSync(join(outside, 'session'))).toBe(false);
  });

  it('replaces a link at the file’s own place instead of writing through it', async () => {
    const workspace = join(root, 'ws3');
    const target = join(root, 'target.txt');
    mkdirSync(workspace);
    symlinkSync(target, join(workspace, 'a.txt'));
    await writeWorkspaceFile(workspace, 'a.txt', new TextEncoder().encode('mounted'));
    expect(existsSync(target)).toBe(false);
    expect(readFileSync(join(workspace, 'a.txt'), 'utf8')).toBe('mounted');
  });
});
