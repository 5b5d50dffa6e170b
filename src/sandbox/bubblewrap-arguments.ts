/**
 * The bubblewrap command line of one jail, as a pure function of the host's layout and the spec. The
 * jail sees a read-only /usr (and /bin, /lib… as the host has them: directories bound, merged-/usr
 * symlinks recreated), a minimal /etc, fresh /proc, /dev and in-memory /tmp, and the session's
 * workspace at /workspace — nothing else of the host exists inside it. Every namespace is new
 * (network too, unless the session allows network; with limited networking the jail keeps its own
 * loopback-only namespace and gets the egress proxy's socket directory and the proxy variables, see
 * limited-network.ts), no capabilities are kept, no further user
 * namespaces can be made, and the root and /dev are remounted read-only so that the only places a
 * tool can write are the workspace and the size-capped /tmp and /dev/shm. `/mnt/session`, where
 * session resources are mounted, is a link to `/workspace/mnt/session`.
 */
import { lstatSync, readlinkSync } from 'node:fs';

/** Where the workspace is mounted inside the jail; tools' relative paths start here. */
export const jailWorkspacePath = '/workspace';

/** Where `/mnt/session` points in the jail: its place in the workspace. */
const sessionMountLink = `${jailWorkspacePath}/mnt/session`;

/** The environment of every jailed process: nothing of the host's. */
export const jailEnvironment: Readonly<Record<string, string>> = {
  PATH: '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin',
  HOME: jailWorkspacePath,
  LANG: 'C.UTF-8',
  TERM: 'dumb',
};

/** Where a limited sandbox's egress proxy socket directory appears in the jail. */
export const jailEgressDirectory = '/run/conclave-egress';
/** The jail's loopback port bridged to the egress proxy. */
export const jailProxyPort = 3128;

/** The proxy variables of a jail with limited networking: every scheme through the bridge, nothing exempt. */
export const proxyEnvironment: Readonly<Record<string, string>> = {
  ...Object.fromEntries(['HTTP_PROXY', 'HTTPS_PROXY', 'ALL_PROXY', 'http_proxy', 'https_proxy', 'all_proxy'].map((name) => [name, `http://127.0.0.1:${jailProxyPort}`])),
  NO_PROXY: '',
  no_proxy: '',
};

/** Top-level system directories the jail gets read-only, when the host has them. */
const systemDirectories = ['/bin', '/sbin', '/lib', '/lib32', '/lib64', '/libx32'];
/** The /etc files dynamic linking and `update-alternatives` commands (awk, …) need. */
const baseEtcPaths = ['/etc/ld.so.cache', '/etc/alternatives'];
/** The /etc files name resolution and TLS need; bound only when the session has network (limited included). */
const networkEtcPaths = ['/etc/resolv.conf', '/etc/hosts', '/etc/nsswitch.conf', '/etc/host.conf', '/etc/gai.conf', '/etc/ssl', '/etc/ca-certificates', '/etc/pki', '/etc/crypto-policies'];

export interface BubblewrapArgumentsOptions {
  /** Host directory mounted writable at /workspace; without one, /workspace is an empty directory. */
  workspaceDirectory?: string;
  /** The host's network (`true`) or none (`false`); with `egressDirectory`, none but the proxy. */
  network: boolean;
  /**
   * Host directory of the egress proxy's socket, for limited networking: bound read-only at
   * {@link jailEgressDirectory}, with the proxy variables set; the jail still has no network of its own.
   */
  egressDirectory?: string;
  /** Size of each in-memory scratch file system (/tmp, /dev/shm), in bytes. */
  scratchBytes: number;
  /** Extra host paths bound read-only at the same place (a toolchain under /opt, …). */
  readOnlyPaths?: readonly string[];
}

/** How a top-level system directory appears in the jail. */
export type SystemDirectoryMount = { kind: 'bind'; path: string } | { kind: 'symlink'; path: string; target: string };

/**
 * Reads how the host lays out /bin, /lib and friends: real directories are bound, symlinks (merged
 * /usr, as on Debian: /bin → usr/bin) are recreated as the same symlinks, missing ones are left out.
 *
 * @example
 * describeSystemDirectories() // → [{ kind: 'symlink', path: '/bin', target: 'usr/bin' }, …]
 */
export function describeSystemDirectories(): SystemDirectoryMount[] {
  const mounts: SystemDirectoryMount[] = [];
  for (const path of systemDirectories) {
    try {
      const stats = lstatSync(path);
      if (stats.isSymbolicLink()) mounts.push({ kind: 'symlink', path, target: readlinkSync(path) });
      else if (stats.isDirectory()) mounts.push({ kind: 'bind', path });
    } catch {
      // Not on this host.
    }
  }
  return mounts;
}

/**
 * The bubblewrap options of a jail (everything before `--` and the command).
 *
 * @example
 * spawn('bwrap', [...buildBubblewrapArguments({ workspaceDirectory: '/srv/ws/s1', network: false, scratchBytes: 2 ** 26 }, describeSystemDirectories()), '--', '/bin/bash', '-c', 'ls']);
 */
export function buildBubblewrapArguments(options: BubblewrapArgumentsOptions, systemMounts: readonly SystemDirectoryMount[]): string[] {
  const scratchSize = String(Math.max(4096, Math.floor(options.scratchBytes)));
  const hostNetwork = options.network && options.egressDirectory === undefined;
  const environment = options.egressDirectory === undefined ? jailEnvironment : { ...jailEnvironment, ...proxyEnvironment };
  const argumentList = [
    '--unshare-all',
    ...(hostNetwork ? ['--share-net'] : []),
    '--unshare-user',
    '--disable-userns',
    '--die-with-parent',
    '--new-session',
    '--cap-drop',
    'ALL',
    '--hostname',
    'conclave',
    '--clearenv',
    ...Object.entries(environment).flatMap(([name, value]) => ['--setenv', name, value]),
    '--ro-bind',
    '/usr',
    '/usr',
  ];
  for (const mount of systemMounts) {
    if (mount.kind === 'symlink') argumentList.push('--symlink', mount.target, mount.path);
    else argumentList.push('--ro-bind', mount.path, mount.path);
  }
  const anyNetwork = options.network || options.egressDirectory !== undefined;
  for (const path of [...baseEtcPaths, ...(anyNetwork ? networkEtcPaths : [])]) argumentList.push('--ro-bind-try', path, path);
  for (const path of options.readOnlyPaths ?? []) argumentList.push('--ro-bind-try', path, path);
  argumentList.push(
    '--proc',
    '/proc',
    '--dev',
    '/dev',
    '--size',
    scratchSize,
    '--tmpfs',
    '/dev/shm',
    '--size',
    scratchSize,
    '--tmpfs',
    '/tmp',
  );
  if (options.egressDirectory !== undefined) argumentList.push('--ro-bind', options.egressDirectory, jailEgressDirectory);
  if (options.workspaceDirectory !== undefined) argumentList.push('--bind', options.workspaceDirectory, jailWorkspacePath);
  else argumentList.push('--dir', jailWorkspacePath);
  // Session resources mounted under /mnt/session live in the workspace (see mount-paths.ts).
  if (!(options.readOnlyPaths ?? []).some((path) => path === '/mnt' || path.startsWith('/mnt/'))) argumentList.push('--symlink', sessionMountLink, '/mnt/session');
  argumentList.push('--remount-ro', '/dev', '--remount-ro', '/', '--chdir', jailWorkspacePath);
  return argumentList;
}
