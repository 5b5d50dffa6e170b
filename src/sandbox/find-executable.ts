/**
 * Finding a program the sandbox needs (bubblewrap, socat) without running a shell: the first
 * candidate path the process may execute.
 */
import { accessSync, constants } from 'node:fs';
import { join } from 'node:path';

/**
 * The first of `candidates` that is executable, or undefined.
 *
 * @example
 * firstExecutable(['/usr/local/bin/socat', '/usr/bin/socat']) // → '/usr/bin/socat'
 */
export function firstExecutable(candidates: readonly string[]): string | undefined {
  for (const candidate of candidates) {
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // Not here; try the next one.
    }
  }
  return undefined;
}

/**
 * `name` in each directory of a PATH-like list (empty entries skipped).
 *
 * @example
 * inPathDirectories('/usr/bin:/bin', ':', 'bwrap') // → ['/usr/bin/bwrap', '/bin/bwrap']
 */
export function inPathDirectories(path: string, delimiter: string, name: string): string[] {
  return path.split(delimiter).filter((directory) => directory !== '').map((directory) => join(directory, name));
}
