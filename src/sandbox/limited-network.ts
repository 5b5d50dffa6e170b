/**
 * Limited networking for a bubblewrap sandbox: the jail keeps its own empty network namespace (only
 * loopback), and each tool call starts a `socat` bridge from 127.0.0.1:3128 in the jail to the
 * sandbox's egress proxy, a Unix socket in a directory bound read-only into the jail. The proxy
 * variables point curl and most tools at the bridge; a program that ignores them has no network at
 * all. Without socat there is no limited mode: provisioning fails with `sandbox_unavailable` rather
 * than giving the jail the host's network. `web_fetch`'s own domain lists get a second proxy of the
 * same kind, used by its calls only, that enforces them on top of the sandbox's lists.
 */
import { chown, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { firstExecutable, inPathDirectories } from './find-executable.js';
import { ConclaveError, type SandboxNetwork, type SandboxNetworkLimits, type SandboxWebFetchDomains } from '../protocol/index.js';
import { jailEgressDirectory, jailEnvironment, jailProxyPort } from './bubblewrap-arguments.js';
import { startEgressProxy, type EgressProxy } from './egress-proxy.js';
import { domainEntries, type EgressRules } from './egress-rules.js';

const socketName = 'proxy.sock';
/** Exit code of a tool call whose bridge did not come up (its reason is on the launcher's stderr). */
const bridgeFailureExitCode = 125;

/** What to tell a user whose machine has no socat. */
export const installSocatHint = 'install socat (Debian/Ubuntu: `apt-get install socat`; Fedora: `dnf install socat`), or use networking without an allow-list';

/**
 * The limits of a network setting, or undefined for `true` / `false`.
 *
 * @example
 * networkLimitsOf({ allowedHosts: ['example.com'] }) // → { allowedHosts: ['example.com'] }
 * networkLimitsOf(true) // → undefined
 */
export function networkLimitsOf(network: SandboxNetwork): SandboxNetworkLimits | undefined {
  return typeof network === 'object' ? network : undefined;
}

/**
 * Finds `socat` where the jail can run it: the given path (which the jail must see too), else on
 * the jail's PATH, which is the host's read-only /usr and /bin.
 *
 * @example
 * findSocat() // → '/usr/bin/socat', or undefined when it is not installed
 */
export function findSocat(socatPath?: string): string | undefined {
  return firstExecutable(socatPath !== undefined ? [socatPath] : inPathDirectories(jailEnvironment['PATH'] ?? '', ':', 'socat'));
}

/**
 * The bash lines that start the bridge in a jail and wait until it listens (read from the jail's own
 * /proc/net/tcp, so no connection is spent on checking); when it does not come up the call ends
 * with a message on the launcher's stderr. They run after the limits, so socat is bound by them.
 *
 * @example
 * bridgePrelude('/usr/bin/socat') // → "'/usr/bin/socat' TCP-LISTEN:3128,bind=127.0.0.1,fork,reuseaddr … &\n…"
 */
export function bridgePrelude(socatPath: string): string {
  const listening = `0100007F:${jailProxyPort.toString(16).toUpperCase().padStart(4, '0')} 00000000:0000 0A`;
  return [
    `'${socatPath}' TCP-LISTEN:${jailProxyPort},bind=127.0.0.1,fork,reuseaddr UNIX-CONNECT:${jailEgressDirectory}/${socketName} </dev/null >/dev/null 2>&1 &`,
    `for ((conclave_try = 0; conclave_try < 500; conclave_try++)); do grep -q '${listening}' /proc/net/tcp && break; sleep 0.01; done`,
    `if ! grep -q '${listening}' /proc/net/tcp; then echo "limited networking: the socat bridge to the egress proxy did not start" >&2; exit ${bridgeFailureExitCode}; fi`,
    'unset conclave_try',
  ].join('\n');
}

/** A running egress proxy and what the jail needs to use it. */
export interface LimitedNetwork {
  /** Host directory holding the proxy's socket, bound at {@link jailEgressDirectory}. */
  directory: string;
  proxy: EgressProxy;
  /** Bash lines run in every call before the tool's script. */
  prelude: string;
  /** Stops the proxy and removes its directory. */
  close(): Promise<void>;
}

/** The rule sets of a sandbox's proxies: the sandbox's own (limited networking), web_fetch's own. */
export interface EgressPlan {
  sandbox?: EgressRules[];
  webFetch?: EgressRules[];
}

/**
 * Which proxies a sandbox needs: one for its tools when its network is an allow-list, and one for
 * `web_fetch` when it has domain lists and any network — enforcing its lists and the sandbox's.
 *
 * @example
 * planEgress(true, { allowedDomains: ['docs.example.com'] })
 * // → { webFetch: [{ allowedHosts: ['docs.example.com', '*.docs.example.com'], blockedHosts: [], scope: 'web_fetch' }] }
 */
export function planEgress(network: SandboxNetwork, webFetch: SandboxWebFetchDomains | undefined): EgressPlan {
  const plan: EgressPlan = {};
  const limits = networkLimitsOf(network);
  if (limits !== undefined) plan.sandbox = [{ allowedHosts: limits.allowedHosts, blockedHosts: limits.blockedHosts ?? [] }];
  const hasDomains = webFetch !== undefined && (webFetch.allowedDomains !== undefined || (webFetch.blockedDomains ?? []).length > 0);
  if (network !== false && hasDomains) {
    const own: EgressRules = {
      allowedHosts: webFetch.allowedDomains === undefined ? undefined : domainEntries(webFetch.allowedDomains),
      blockedHosts: domainEntries(webFetch.blockedDomains ?? []),
      scope: 'web_fetch',
    };
    plan.webFetch = [...(plan.sandbox ?? []), own];
  }
  return plan;
}

/**
 * Starts one egress proxy in a fresh private directory (owned by the jail's user when conclave runs
 * as root), enforcing every rule set given. Throws `sandbox_unavailable` when socat is missing.
 *
 * @example
 * const network = await startLimitedNetwork([{ allowedHosts: ['*.example.com'], blockedHosts: [] }], {});
 * // … jail with --ro-bind network.directory /run/conclave-egress, network.prelude before each script …
 * await network.close();
 */
export async function startLimitedNetwork(rules: readonly EgressRules[], owner: { userId?: number; groupId?: number }, options: { socatPath?: string } = {}): Promise<LimitedNetwork> {
  const socatPath = findSocat(options.socatPath);
  if (socatPath === undefined) {
    throw new ConclaveError('sandbox_unavailable', 'limited networking (an allow-list of hosts) needs socat, which is not installed; the sandbox was not started', { hint: installSocatHint });
  }
  const directory = await mkdtemp(join(tmpdir(), 'conclave-egress-'));
  try {
    const socketOwner = owner.userId !== undefined && owner.groupId !== undefined ? { userId: owner.userId, groupId: owner.groupId } : undefined;
    if (socketOwner !== undefined) await chown(directory, socketOwner.userId, socketOwner.groupId);
    const proxy = await startEgressProxy({ socketPath: join(directory, socketName), rules, ...(socketOwner !== undefined ? { socketOwner } : {}) });
    let closed: Promise<void> | undefined;
    return {
      directory,
      proxy,
      prelude: bridgePrelude(socatPath),
      close() {
        closed ??= proxy.close().finally(() => rm(directory, { recursive: true, force: true }));
        return closed;
      },
    };
  } catch (error) {
    await rm(directory, { recursive: true, force: true });
    throw error;
  }
}
