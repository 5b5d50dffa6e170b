/**
 * The default local sandbox driver: every tool call runs in a fresh bubblewrap jail over the
 * session's workspace (see bubblewrap-arguments.ts for what the jail sees). As root, the jail is
 * started as the unprivileged sandbox user (65534) — its real uid, so RLIMIT_NPROC binds and a
 * setuid binary gains nothing — and the workspace belongs to that user. Construction costs nothing;
 * the first provision checks once that bubblewrap can start a jail here, and refuses with
 * `sandbox_unavailable` (saying how to install it) when it cannot.
 */
import { resolve } from 'node:path';
import { ConclaveError, type Sandbox, type SandboxDriver, type SandboxSpec } from '../protocol/index.js';
import { buildBubblewrapArguments, describeSystemDirectories, jailEnvironment } from './bubblewrap-arguments.js';
import { diagnoseBubblewrap, jailIdentity } from './bubblewrap-probe.js';
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
      const jailArguments = buildBubblewrapArguments(
        { workspaceDirectory, network: spec.network, scratchBytes: limits.memoryBytes, ...(options.readOnlyPaths !== undefined ? { readOnlyPaths: options.readOnlyPaths } : {}) },
        describeSystemDirectories(),
      );
      return createSandboxSession({
        id: `bubblewrap:${spec.sessionId}`,
        workspaceDirectory,
        limits,
        network: spec.network,
        tools,
        processLimit: true,
        keepWorkspace: spec.keepWorkspace === true,
        launch: (script, scriptArguments) => ({
          executable,
          arguments: [...jailArguments, '--', '/bin/bash', '-c', script, 'conclave', ...scriptArguments],
          environment: { ...jailEnvironment },
          workingDirectory: '/',
          ...identity,
        }),
      });
    },
  };
}
