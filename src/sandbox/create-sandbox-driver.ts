/**
 * Sandbox drivers by name. `bubblewrap` is the default and refuses to run where it cannot isolate;
 * `unisolated` has to be asked for by name — nothing falls back to it on its own.
 */
import { ConclaveError, type SandboxDriver } from '../protocol/index.js';
import { createBubblewrapDriver } from './bubblewrap-driver.js';
import type { BubblewrapDriverOptions } from './driver-options.js';
import { createUnisolatedDriver } from './unisolated-driver.js';

export type SandboxDriverName = 'bubblewrap' | 'unisolated';

const sandboxDriverFactories: Record<SandboxDriverName, (options: BubblewrapDriverOptions) => SandboxDriver> = {
  bubblewrap: createBubblewrapDriver,
  unisolated: createUnisolatedDriver,
};

/** The names `createSandboxDriver` accepts. */
export const sandboxDriverNames = Object.keys(sandboxDriverFactories) as SandboxDriverName[];

/**
 * Creates a sandbox driver by name; options a driver does not use are ignored. An unknown name (from
 * configuration) is `invalid_argument`.
 *
 * @example
 * const driver = createSandboxDriver(settings.sandbox ?? 'bubblewrap', { workspaceRoot: '.conclave/workspaces' });
 */
export function createSandboxDriver(name: SandboxDriverName, options: BubblewrapDriverOptions = {}): SandboxDriver {
  const factory = Object.hasOwn(sandboxDriverFactories, name) ? sandboxDriverFactories[name] : undefined;
  if (factory === undefined) {
    throw new ConclaveError('invalid_argument', `unknown sandbox driver ${JSON.stringify(name)}; the drivers are ${sandboxDriverNames.join(', ')}`, {
      location: { path: 'sandbox' },
    });
  }
  return factory(options);
}
