/**
 * The unisolated driver, for machines without bubblewrap whose user opted in by name: the same tools
 * as plain child processes of conclave, in the session's workspace, as conclave's own user. It
 * isolates NOTHING — a tool can read and write every file that user can, reach the network, and see
 * other processes; absolute paths are host paths. It keeps the limits that do not need a jail: wall
 * time (the process group is killed), CPU time, memory, file size and output. The process-count
 * limit is left out: without a user of its own, RLIMIT_NPROC would count every process of the user.
 * Limited networking (an allow-list) is refused: nothing here could enforce it.
 */
import { resolve } from 'node:path';
import { ConclaveError, type Sandbox, type SandboxDriver, type SandboxSpec } from '../protocol/index.js';
import { jailEnvironment } from './bubblewrap-arguments.js';
import type { SandboxDriverOptions } from './driver-options.js';
import { resolveSandboxLimits } from './sandbox-limits.js';
import { createSandboxSession } from './sandbox-session.js';
import { createToolset } from './sandbox-toolset.js';
import { resolveWebToolOptions } from './web-tool-options.js';
import { defaultWorkspaceRoot, prepareWorkspace } from './workspace.js';

/** What to show wherever the unisolated driver is chosen. */
export const unisolatedDriverWarning =
  'the unisolated sandbox driver does not isolate anything: tools run as plain processes with your user rights, can read and write every file you can, and reach the network';

/**
 * Creates the unisolated driver.
 *
 * @example
 * const driver = createUnisolatedDriver({ workspaceRoot: '.conclave/workspaces' });
 * console.warn(unisolatedDriverWarning);
 */
export function createUnisolatedDriver(options: SandboxDriverOptions = {}): SandboxDriver {
  const workspaceRoot = resolve(options.workspaceRoot ?? defaultWorkspaceRoot);
  const defaultLimits = resolveSandboxLimits(options.defaultLimits);
  const web = resolveWebToolOptions(options.web);
  return {
    specificationVersion: 'v1',
    name: 'unisolated',
    isolated: false,
    description: unisolatedDriverWarning,
    async provision(spec: SandboxSpec): Promise<Sandbox> {
      if (typeof spec.network === 'object' || spec.webFetch !== undefined) {
        // Without a jail a tool can open any connection it likes: an allow-list would be a promise, not a rule.
        throw new ConclaveError('sandbox_unavailable', 'the unisolated driver cannot limit the network to some hosts (or web_fetch to some domains): its tools have the host\'s full network', {
          hint: 'use the bubblewrap driver for limited networking, or network: true',
        });
      }
      const limits = resolveSandboxLimits(spec.limits, defaultLimits);
      const tools = createToolset([...(options.commandTools ?? []), ...(spec.commandTools ?? [])], web);
      const workspaceDirectory = await prepareWorkspace({
        root: workspaceRoot,
        sessionId: spec.sessionId,
        ...(spec.seedDirectory !== undefined ? { seedDirectory: spec.seedDirectory } : {}),
      });
      return createSandboxSession({
        id: `unisolated:${spec.sessionId}`,
        workspaceDirectory,
        limits,
        network: true,
        tools,
        processLimit: false,
        keepWorkspace: spec.keepWorkspace === true,
        launch: (script, scriptArguments) => ({
          executable: '/bin/bash',
          arguments: ['-c', script, 'conclave', ...scriptArguments],
          environment: { ...jailEnvironment, HOME: workspaceDirectory },
          workingDirectory: workspaceDirectory,
        }),
      });
    },
  };
}
