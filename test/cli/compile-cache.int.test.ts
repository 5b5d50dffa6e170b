// The `conclave` command's V8 code cache (src/cli/entry.ts, src/cli/compile-cache.ts): where it is
// written, that a later run uses it instead of writing it again, that a damaged or foreign cache
// never changes what a command does, and that an untrusted directory or `off` keeps it out. How
// much time it saves is measured by benchmarks/startup/, never asserted here.
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { compileCacheCommand, compileCacheDirectory, compileCacheFileName } from '../../src/cli/compile-cache.js';
import { runCli } from '../support/cli.js';

const root = mkdtempSync(join(tmpdir(), 'conclave-compile-cache-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

let directories = 0;

/** A fresh cache directory, private to this user as the command requires. */
function cacheDirectory(): string {
  directories += 1;
  const directory = join(root, `cache-${directories}`);
  mkdirSync(directory, { mode: 0o700 });
  chmodSync(directory, 0o700);
  return directory;
}

function cacheFiles(directory: string): string[] {
  return existsSync(directory) ? readdirSync(directory).filter((name) => name.endsWith('.v8')) : [];
}

const validate = ['validate', 'examples/debate.yaml'];

describe('the command’s code cache', () => {
  it('is written after a command succeeds, then used as it is by the next run of that command', async () => {
    const directory = cacheDirectory();
    const first = await runCli(validate, { CONCLAVE_COMPILE_CACHE: directory });
    expect(first.code, first.stderr).toBe(0);
    const [file] = cacheFiles(directory);
    expect(file).toMatch(new RegExp(`^[0-9a-f]{16}-${process.version.replaceAll('.', '\\.')}-${process.arch}-validate\\.v8$`));
    const written = statSync(join(directory, file as string));
    expect(written.mode & 0o077).toBe(0);

    const second = await runCli(validate, { CONCLAVE_COMPILE_CACHE: directory });
    expect(second.code, second.stderr).toBe(0);
    expect(second.stdout).toBe(first.stdout);
    // Not written again: the same file (a rewrite renames a new one into place).
    const after = statSync(join(directory, file as string));
    expect([after.ino, after.mtimeMs]).toEqual([written.ino, written.mtimeMs]);
    expect(cacheFiles(directory)).toEqual([file]);
  });

  it('keeps one cache file per command (what --help compiled apart from what validate did)', async () => {
    const directory = cacheDirectory();
    expect((await runCli(['--help'], { CONCLAVE_COMPILE_CACHE: directory })).code).toBe(0);
    expect((await runCli(validate, { CONCLAVE_COMPILE_CACHE: directory })).code).toBe(0);
    expect(cacheFiles(directory).map((name) => name.replace(/^.*-/, '')).sort()).toEqual(['help.v8', 'validate.v8']);
  });

  it('a damaged cache changes nothing: V8 refuses it, the command runs, and a good one replaces it', async () => {
    const directory = cacheDirectory();
    const clean = await runCli(validate, { CONCLAVE_COMPILE_CACHE: directory });
    const [file] = cacheFiles(directory);
    const path = join(directory, file as string);
    const garbage = Buffer.alloc(4096, 0x5a);
    writeFileSync(path, garbage);

    const result = await runCli(validate, { CONCLAVE_COMPILE_CACHE: directory });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toBe(clean.stdout);
    expect(readFileSync(path).equals(garbage)).toBe(false);
    expect(statSync(path).size).toBeGreaterThan(garbage.length);
  });

  it('removes other builds’ caches once the directory holds more than 64 files', async () => {
    const directory = cacheDirectory();
    const stale = Array.from({ length: 70 }, (_, index) => compileCacheFileName(index.toString(16).padStart(16, '0'), 'run'));
    for (const name of stale) writeFileSync(join(directory, name), Buffer.alloc(16));
    const result = await runCli(validate, { CONCLAVE_COMPILE_CACHE: directory });
    expect(result.code, result.stderr).toBe(0);
    expect(cacheFiles(directory)).toHaveLength(1);
    expect(cacheFiles(directory)[0]).toMatch(/-validate\.v8$/);
  });

  it('is not written after a command that failed', async () => {
    const directory = cacheDirectory();
    const result = await runCli(['validate', join(root, 'missing.yaml')], { CONCLAVE_COMPILE_CACHE: directory });
    expect(result.code).not.toBe(0);
    expect(cacheFiles(directory)).toEqual([]);
  });

  it('is neither read nor written in a directory others can write to', async () => {
    const directory = cacheDirectory();
    chmodSync(directory, 0o777);
    const result = await runCli(validate, { CONCLAVE_COMPILE_CACHE: directory });
    expect(result.code, result.stderr).toBe(0);
    expect(cacheFiles(directory)).toEqual([]);
  });

  it('CONCLAVE_COMPILE_CACHE=off writes nothing, not even in the default place', async () => {
    const home = cacheDirectory();
    const result = await runCli(validate, { CONCLAVE_COMPILE_CACHE: 'off', HOME: home, XDG_CACHE_HOME: '' });
    expect(result.code, result.stderr).toBe(0);
    expect(readdirSync(home)).toEqual([]);
  });

  it('lives under ~/.cache/conclave, or $XDG_CACHE_HOME/conclave, when not told where', async () => {
    const home = cacheDirectory();
    expect((await runCli(validate, { CONCLAVE_COMPILE_CACHE: '', HOME: home, XDG_CACHE_HOME: '' })).code).toBe(0);
    expect(cacheFiles(join(home, '.cache', 'conclave', 'compile-cache'))).toHaveLength(1);
    expect(statSync(join(home, '.cache', 'conclave', 'compile-cache')).mode & 0o777).toBe(0o700);

    const xdg = cacheDirectory();
    expect((await runCli(validate, { CONCLAVE_COMPILE_CACHE: '', HOME: home, XDG_CACHE_HOME: xdg })).code).toBe(0);
    expect(cacheFiles(join(xdg, 'conclave', 'compile-cache'))).toHaveLength(1);
  });
});

describe('compile cache naming', () => {
  it('keys a cache by the first argument shaped like a command', () => {
    expect(compileCacheCommand(['--store', ':memory:', 'run', 'doc.yaml'])).toBe('run');
    expect(compileCacheCommand(['sessions', 'list'])).toBe('sessions');
    expect(compileCacheCommand(['--help'])).toBe('help');
    expect(compileCacheCommand([])).toBe('help');
  });

  it('reads CONCLAVE_COMPILE_CACHE, then XDG_CACHE_HOME, then HOME', () => {
    expect(compileCacheDirectory({ CONCLAVE_COMPILE_CACHE: '/var/cache/conclave', HOME: '/home/ada' })).toBe('/var/cache/conclave');
    for (const off of ['off', '0', 'false', 'OFF']) expect(compileCacheDirectory({ CONCLAVE_COMPILE_CACHE: off, HOME: '/home/ada' })).toBeUndefined();
    expect(compileCacheDirectory({ XDG_CACHE_HOME: '/xdg', HOME: '/home/ada' })).toBe(join('/xdg', 'conclave', 'compile-cache'));
    expect(compileCacheDirectory({ HOME: '/home/ada' })).toBe(join('/home/ada', '.cache', 'conclave', 'compile-cache'));
    expect(compileCacheDirectory({})).toBeUndefined();
  });
});
