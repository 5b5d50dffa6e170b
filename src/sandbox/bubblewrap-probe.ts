/**
 * Whether bubblewrap can jail tools on this machine: the `bwrap` binary has to exist, and the kernel
 * has to let the sandbox user create user namespaces (some distributions switch that off, with a
 * sysctl or an AppArmor policy). The check runs an empty jail with the real arguments, as the real
 * user, so "available" means the driver's own jails will start.
 */
import { delimiter } from 'node:path';
import { buildBubblewrapArguments, describeSystemDirectories, jailEnvironment } from './bubblewrap-arguments.js';
import { firstExecutable, inPathDirectories } from './find-executable.js';
import { runJailed } from './run-jailed.js';

/** The Unix user and group jailed tools run as when conclave runs as root ("nobody"). */
export const defaultSandboxUserId = 65534;
export const defaultSandboxGroupId = 65534;

/** What to tell a user whose machine has no bubblewrap. */
export const installBubblewrapHint =
  'install bubblewrap (Debian/Ubuntu: `apt-get install bubblewrap`; Fedora: `dnf install bubblewrap`), or opt in to running tools without isolation with the `unisolated` sandbox driver';

export interface BubblewrapProbeOptions {
  /** Path of the `bwrap` binary; default: `bwrap` from PATH, else /usr/bin/bwrap. */
  bubblewrapPath?: string;
  /** User and group the jail runs as when conclave runs as root. */
  sandboxUserId?: number;
  sandboxGroupId?: number;
}

export type BubblewrapDiagnosis = { available: true; bubblewrapPath: string } | { available: false; reason: string; hint: string };

/**
 * Finds the `bwrap` binary: the given path, else the first executable `bwrap` on PATH.
 *
 * @example
 * findBubblewrap() // → '/usr/bin/bwrap', or undefined when it is not installed
 */
export function findBubblewrap(bubblewrapPath?: string): string | undefined {
  return firstExecutable(bubblewrapPath !== undefined ? [bubblewrapPath] : [...inPathDirectories(process.env['PATH'] ?? '', delimiter, 'bwrap'), '/usr/bin/bwrap']);
}

/**
 * The user and group a jail is started as: the sandbox user when running as root, so that the
 * jail's real uid is unprivileged; nothing (keep the current user) otherwise.
 *
 * @example
 * jailIdentity({}) // → { userId: 65534, groupId: 65534 } as root, {} as anyone else
 */
export function jailIdentity(options: Pick<BubblewrapProbeOptions, 'sandboxUserId' | 'sandboxGroupId'>): { userId?: number; groupId?: number } {
  if (process.getuid?.() !== 0) return {};
  return { userId: options.sandboxUserId ?? defaultSandboxUserId, groupId: options.sandboxGroupId ?? defaultSandboxGroupId };
}

/**
 * Checks that bubblewrap is installed and can start a jail here, and says why not otherwise.
 *
 * @example
 * const diagnosis = await diagnoseBubblewrap();
 * if (!diagnosis.available) console.error(`${diagnosis.reason}; ${diagnosis.hint}`);
 */
export async function diagnoseBubblewrap(options: BubblewrapProbeOptions = {}): Promise<BubblewrapDiagnosis> {
  const bubblewrapPath = findBubblewrap(options.bubblewrapPath);
  if (bubblewrapPath === undefined) {
    const where = options.bubblewrapPath !== undefined ? `at ${options.bubblewrapPath}` : 'on PATH';
    return { available: false, reason: `bubblewrap (bwrap) is not installed: no executable bwrap ${where}`, hint: installBubblewrapHint };
  }
  const jailArguments = buildBubblewrapArguments({ network: false, scratchBytes: 1024 * 1024 }, describeSystemDirectories());
  try {
    const result = await runJailed({
      process: {
        executable: bubblewrapPath,
        arguments: [...jailArguments, '--', '/bin/sh', '-c', 'exit 0'],
        environment: { ...jailEnvironment },
        workingDirectory: '/',
        ...jailIdentity(options),
      },
      wallTimeMs: 10_000,
      outputBytes: 64 * 1024,
      signal: AbortSignal.timeout(15_000),
    });
    if (result.exitCode === 0) return { available: true, bubblewrapPath };
    const detail = result.launcherErrors || result.output.toString('utf8').trim() || `exit code ${result.exitCode}`;
    return {
      available: false,
      reason: `bubblewrap is installed at ${bubblewrapPath} but cannot start a jail: ${detail}`,
      hint: 'unprivileged user namespaces must be allowed (sysctl kernel.unprivileged_userns_clone=1; on Ubuntu 24.04+ also kernel.apparmor_restrict_unprivileged_userns=0), and inside a container the container must allow them',
    };
  } catch (error) {
    return { available: false, reason: `bubblewrap at ${bubblewrapPath} could not be run: ${error instanceof Error ? error.message : String(error)}`, hint: installBubblewrapHint };
  }
}

/**
 * Whether bubblewrap is installed and can start a jail here.
 *
 * @example
 * if (!(await bubblewrapAvailable())) console.warn('tools need bubblewrap: apt-get install bubblewrap');
 */
export async function bubblewrapAvailable(options: BubblewrapProbeOptions = {}): Promise<boolean> {
  return (await diagnoseBubblewrap(options)).available;
}
