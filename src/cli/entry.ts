#!/usr/bin/env node
/**
 * The `conclave` command's entry (dist/cli/conclave.js). The command itself is one CommonJS bundle
 * beside it (dist/cli/conclave-<hash>.cjs, named in dist/cli/bundle.json; scripts/bundle-cli.mjs
 * builds both). Compiling that bundle is most of a short command's start-up, so the entry compiles
 * it with V8's code cache from an earlier run of the same command, and saves a cache after a
 * command that succeeded without one (or whose cache V8 refused). Where the cache lives and how to
 * turn it off: src/cli/compile-cache.ts. On a Node before 20.12 (no
 * `vm.constants.USE_MAIN_CONTEXT_DEFAULT_LOADER`) nothing is cached, and an `import()` of a computed
 * specifier (a bench's `assert: module` file) fails, since a `vm.Script` cannot import there.
 */
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import Module, { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { constants, Script } from 'node:vm';
import { compileCacheCommand, compileCacheDirectory, compileCacheFileName, trustedCacheDirectory } from './compile-cache.js';

/** dist/cli/bundle.json: the bundle's file name and the SHA-256 of its content. */
interface BundleManifest {
  file: string;
  sha256: string;
}

/** Cache files kept in one directory before those of other builds are removed. */
const keptCacheFiles = 64;

const here = dirname(fileURLToPath(import.meta.url));
const manifest = JSON.parse(readFileSync(join(here, 'bundle.json'), 'utf8')) as BundleManifest;
const bundlePath = join(here, manifest.file);
const defaultLoader = (constants as Partial<typeof constants> | undefined)?.USE_MAIN_CONTEXT_DEFAULT_LOADER;
const directory = defaultLoader === undefined ? undefined : compileCacheDirectory(process.env);

const bundleHash = manifest.sha256.slice(0, 16);
const cacheFile = directory === undefined ? undefined : join(directory, compileCacheFileName(bundleHash, compileCacheCommand(process.argv.slice(2))));
const cachedData = directory !== undefined && cacheFile !== undefined && trustedCacheDirectory(directory) ? readCache(cacheFile) : undefined;
// The bundle is ASCII (the build escapes the rest), so reading it as latin1 is exact and skips UTF-8 decoding.
// It is already the function Node wraps a CommonJS module in.
const script = new Script(readFileSync(bundlePath, 'latin1'), { filename: bundlePath, cachedData, importModuleDynamically: defaultLoader });
if (directory !== undefined && cacheFile !== undefined && (cachedData === undefined || script.cachedDataRejected === true)) {
  process.once('exit', (code) => {
    if (code === 0) saveCache(script, directory, cacheFile, bundleHash);
  });
}
const bundleModule = new Module(bundlePath);
bundleModule.filename = bundlePath;
const run = script.runInThisContext() as (exports: unknown, require: NodeJS.Require, module: Module, filename: string, dirname: string) => void;
run(bundleModule.exports, createRequire(bundlePath), bundleModule, bundlePath, here);

function readCache(file: string): Buffer | undefined {
  try {
    return readFileSync(file);
  } catch {
    return undefined;
  }
}

/**
 * Writes the code V8 compiled during this run, atomically (several commands may finish at once).
 * Never fails the command: a full disk or a read-only home only costs the next start its compile.
 */
function saveCache(script: Script, cacheDirectory: string, file: string, bundleHash: string): void {
  try {
    mkdirSync(cacheDirectory, { recursive: true, mode: 0o700 });
    if (!trustedCacheDirectory(cacheDirectory)) return;
    const temporary = `${file}.${process.pid}.tmp`;
    writeFileSync(temporary, script.createCachedData(), { mode: 0o600 });
    renameSync(temporary, file);
    const names = readdirSync(cacheDirectory);
    if (names.length <= keptCacheFiles) return;
    for (const name of names) if (!name.startsWith(`${bundleHash}-`)) rmSync(join(cacheDirectory, name), { force: true });
  } catch {
    // The cache is an optimisation only.
  }
}
