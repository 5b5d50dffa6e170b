// Whether the programs an integration test needs are installed here (each answers its version flag).
import { execFileSync } from 'node:child_process';

/**
 * True when every `[program, versionFlag]` runs.
 *
 * @example
 * const hasJailTools = programsInstalled(['bwrap', '--version'], ['socat', '-V']);
 */
export function programsInstalled(...programs: Array<[string, string]>): boolean {
  try {
    for (const [program, flag] of programs) execFileSync(program, [flag], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}
