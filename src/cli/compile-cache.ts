/**
 * Where the `conclave` command keeps V8's code cache of its bundle, and under which name. The
 * command is one CommonJS bundle (dist/cli/conclave-<hash>.cjs); compiling its 2.6 MB costs more
 * than all the rest of a short command, and V8 can skip most of it with the code it cached on an
 * earlier run (src/cli/entry.ts). Node 22 has this built in (`module.enableCompileCache`); Node 20,
 * which conclave supports, does not. Only Node built-ins here: the entry imports this before
 * anything else.
 */
import { statSync } from 'node:fs';
import { join } from 'node:path';

/** The environment variable that moves the cache (a directory) or turns it off (`off`, `0`, `false`, `no`). */
export const compileCacheVariable = 'CONCLAVE_COMPILE_CACHE';

/**
 * The directory for the code cache, or undefined when caching is off: `CONCLAVE_COMPILE_CACHE` if
 * set, else `$XDG_CACHE_HOME/conclave/compile-cache`, else `~/.cache/conclave/compile-cache`.
 *
 * @example
 * compileCacheDirectory({ HOME: '/home/ada' }) // → '/home/ada/.cache/conclave/compile-cache'
 * compileCacheDirectory({ CONCLAVE_COMPILE_CACHE: 'off', HOME: '/home/ada' }) // → undefined
 */
export function compileCacheDirectory(env: NodeJS.ProcessEnv): string | undefined {
  const chosen = env[compileCacheVariable]?.trim();
  if (chosen !== undefined && chosen !== '') return /^(off|0|false|no)$/i.test(chosen) ? undefined : chosen;
  const base = env.XDG_CACHE_HOME?.trim() || (env.HOME?.trim() ? join(env.HOME.trim(), '.cache') : undefined);
  return base === undefined ? undefined : join(base, 'conclave', 'compile-cache');
}

/**
 * The command a cache is kept for: the first argument shaped like a command name (`run`,
 * `validate`), `help` when there is none. Each command gets its own cache, holding the code that
 * command compiled, so `--help` does not load what `run` needed.
 *
 * @example
 * compileCacheCommand(['--store', ':memory:', 'run', 'doc.yaml']) // → 'run'
 * compileCacheCommand(['--help']) // → 'help'
 */
export function compileCacheCommand(args: readonly string[]): string {
  return args.find((arg) => /^[a-z][a-z0-9-]{0,31}$/.test(arg)) ?? 'help';
}

/**
 * The cache file's name. The bundle's content hash, Node's version and the architecture are in it,
 * so a cache is never offered to another build (V8 itself checks only its version, its flags and
 * the source's length).
 *
 * @example
 * compileCacheFileName('3f2a9c…', 'run') // → '3f2a9c…-v20.20.2-x64-run.v8'
 */
export function compileCacheFileName(bundleHash: string, command: string): string {
  return `${bundleHash}-${process.version}-${process.arch}-${command}.v8`;
}

/**
 * Whether a directory may hold code this process runs: it is this user's own and no one else can
 * write to it (a cache file is compiled code; whoever can replace it can run code as this user).
 * On Windows, whose `fs.stat` shows every directory as writable by all, nothing is cached.
 *
 * @example
 * trustedCacheDirectory('/home/ada/.cache/conclave/compile-cache') // → true (mode 0700, owned by ada)
 */
export function trustedCacheDirectory(directory: string): boolean {
  try {
    const stats = statSync(directory);
    if (!stats.isDirectory() || (stats.mode & 0o022) !== 0) return false;
    return typeof process.getuid !== 'function' || stats.uid === process.getuid();
  } catch {
    return false;
  }
}
