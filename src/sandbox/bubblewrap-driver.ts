/**
 * The default local sandbox driver: every tool call runs in a fresh bubblewrap jail over the
 * session's workspace (see bubblewrap-arguments.ts for what the jail sees). As root, the jail is
 * started as the unprivileged sandbox user (65534) — its real uid, so RLIMIT_NPROC binds and a
 * setuid binary gains nothing — and the workspace belongs to that user. Construction costs nothing;
 * the first provision checks once that bubblewrap can start a jail here, and refuses with
 * `sandbox_unavailable` (saying how to install it) when it cannot. A spec with limited networking
 * (`network: { allowedHosts }`) gets its own egress proxy for the sandbox's lifetime
 * (limited-network.ts), and so do `web_fetch`'s calls when the spec gives it domain lists (then
 * they run with no network but that proxy, which also enforces the sandbox's lists); both are
 * stopped when the sandbox is disposed.
 */
import { resolve } from 'node:path';
import { ConclaveError, type Sandbox, type SandboxDriver, type SandboxSpec } from '../protocol/index.js';
import { buildBubblewrapArguments, describeSystemDirectories, jailEnvironment } from './bubblewrap-arguments.js';
import { diagnoseBubblewrap, jailIdentity } from './bubblewrap-probe.js';
import { planEgress, startLimitedNetwork, type LimitedNetwork } from './limited-network.js';
import type { BubblewrapDriverOptions } from './driver-options.js';
import { resolveSandboxLimits } from './sandbox-limits.js';
import { createSandboxSession } from './sandbox-session.js';
import { createToolset } from './sandbox-toolset.js';
import { resolveWebToolOptions } from './web-tool-options.js';
import { defaultWorkspaceRoot, prepareWorkspace } from './workspace.js';

/**
 * Creates the bubblewrap driver.
 *
 * @example
 * const driver = createBubblewrapDriver({ workspaceRoot: '/var/lib/conclave/workspaces' });
 * const sandbox = await driver.provision({ sessionId: 'sesn_1', network: false });
 * await sandbox.execute('bash', { command: 'id -u' }, { signal }) // → '65534\n' (as root)
 */
export function createBubblewrapDriver(options: BubblewrapDriverOptions = {}): SandboxDriver {
  const workspaceRoot = resolve(options.workspaceRoot ?? defaultWorkspaceRoot);
  const defaultLimits = resolveSandboxLimits(options.defaultLimits);
  const web = resolveWebToolOptions(options.web);
  const identity = jailIdentity(options);
  let bubblewrapPath: Promise<string> | undefined;

  const findUsableBubblewrap = (): Promise<string> => {
    bubblewrapPath ??= diagnoseBubblewrap(options).then((diagnosis) => {
      if (diagnosis.available) return diagnosis.bubblewrapPath;
      bubblewrapPath = undefined;
      throw new ConclaveError('sandbox_unavailable', diagnosis.reason, { hint: diagnosis.hint });
    });
    return bubblewrapPath;
  };

  return {
    specificationVersion: 'v1',
    name: 'bubblewrap',
    isolated: true,
    description: 'runs every tool call in a bubblewrap jail: own user, pid, ipc, uts, mount and network namespaces, read-only system, writable workspace only, time/memory/process/output limits',
    async provision(spec: SandboxSpec): Promise<Sandbox> {
      const limits = resolveSandboxLimits(spec.limits, defaultLimits);
      const tools = createToolset([...(options.commandTools ?? []), ...(spec.commandTools ?? [])], web);
      const executable = await findUsableBubblewrap();
      const workspaceDirectory = await prepareWorkspace({
        root: workspaceRoot,
        sessionId: spec.sessionId,
        ...(spec.seedDirectory !== undefined ? { seedDirectory: spec.seedDirectory } : {}),
        ...(identity.userId !== undefined && identity.groupId !== undefined ? { owner: { userId: identity.userId, groupId: identity.groupId } } : {}),
      });
      const egress = planEgress(spec.network, spec.webFetch);
      const socat = options.socatPath !== undefined ? { socatPath: options.socatPath } : {};
      const sandboxNetwork = egress.sandbox === undefined ? undefined : await startLimitedNetwork(egress.sandbox, identity, socat);
      let webFetchNetwork: LimitedNetwork | undefined;
      try {
        webFetchNetwork = egress.webFetch === undefined ? undefined : await startLimitedNetwork(egress.webFetch, identity, socat);
      } catch (error) {
        await sandboxNetwork?.close();
        throw error;
      }
      const jailArguments = (network: LimitedNetwork | undefined): string[] =>
        buildBubblewrapArguments(
          {
            workspaceDirectory,
            network: spec.network === true,
            scratchBytes: limits.memoryBytes,
            ...(network !== undefined ? { egressDirectory: network.directory } : {}),
            ...(options.readOnlyPaths !== undefined ? { readOnlyPaths: options.readOnlyPaths } : {}),
          },
          describeSystemDirectories(),
        );
      const sandboxArguments = jailArguments(sandboxNetwork);
      // web_fetch's jail has no network but its own proxy, whatever the sandbox's network is.
      const webFetchArguments = webFetchNetwork === undefined ? sandboxArguments : jailArguments(webFetchNetwork);
      return createSandboxSession({
        id: `bubblewrap:${spec.sessionId}`,
        workspaceDirectory,
        limits,
        network: spec.network,
        tools,
        processLimit: true,
        keepWorkspace: spec.keepWorkspace === true,
        ...(sandboxNetwork !== undefined ? { networkPrelude: sandboxNetwork.prelude } : {}),
        ...(webFetchNetwork !== undefined ? { webFetchPrelude: webFetchNetwork.prelude } : {}),
        ...(spec.webFetch !== undefined ? { webFetch: spec.webFetch } : {}),
        onDispose: async () => {
          await Promise.all([sandboxNetwork?.close(), webFetchNetwork?.close()]);
        },
        launch: (script, scriptArguments, egressProfile) => ({
          executable,
          arguments: [...(egressProfile === 'web_fetch' ? webFetchArguments : sandboxArguments), '--', '/bin/bash', '-c', script, 'conclave', ...scriptArguments],
          environment: { ...jailEnvironment },
          workingDirectory: '/',
          ...identity,
        }),
      });
    },
  };
}
