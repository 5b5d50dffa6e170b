/**
 * Per-session workspaces on the host: `<root>/<sessionId>`, created on provision (seeded by copying
 * a directory), reused when the session comes back, removed on dispose. This is the only host-side
 * code that touches workspace contents, and it never follows a link inside one: seeding copies links
 * as links, ownership is changed with lchown on fresh copies only (an existing workspace may hold
 * links or hard links the agent made), and removal unlinks.
 */
import { existsSync } from 'node:fs';
import { chmod, cp, lchown, mkdir, readdir, rm, stat } from 'node:fs/promises';
import { dirname, join, resolve, sep } from 'node:path';
import { ConclaveError } from '../protocol/index.js';

/** Default directory of workspaces, relative to the working directory of the process. */
export const defaultWorkspaceRoot = '.conclave/workspaces';

const sessionIdPattern = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$/;

export interface PrepareWorkspaceOptions {
  root: string;
  sessionId: string;
  seedDirectory?: string;
  /** Owner of the workspace when tools run as another user than conclave (conclave as root). */
  owner?: { userId: number; groupId: number };
}

/**
 * The host directory of a session's workspace. Refuses session ids that are not plain names, so an
 * id can never point outside the root.
 *
 * @example
 * workspaceDirectory('/srv/workspaces', 'sesn_abc') // → '/srv/workspaces/sesn_abc'
 */
export function workspaceDirectory(root: string, sessionId: string): string {
  if (!sessionIdPattern.test(sessionId)) {
    throw new ConclaveError('invalid_argument', `session id ${JSON.stringify(sessionId)} cannot name a workspace: use letters, digits, "_", "." and "-" (up to 128)`, {
      location: { path: 'sessionId' },
    });
  }
  return join(resolve(root), sessionId);
}

/**
 * Creates the session's workspace (or reuses an existing one, unseeded) and returns its path. As
 * root, the workspace is handed to the sandbox user and every directory above it must let that user
 * through (others-execute), since bubblewrap opens the workspace as that user.
 *
 * @example
 * const directory = await prepareWorkspace({ root: '.conclave/workspaces', sessionId: 'sesn_abc', seedDirectory: './repo' });
 */
export async function prepareWorkspace(options: PrepareWorkspaceOptions): Promise<string> {
  const directory = workspaceDirectory(options.root, options.sessionId);
  const root = dirname(directory);
  await mkdir(root, { recursive: true, mode: 0o711 });
  if (options.owner !== undefined) await ensureTraversable(root);
  if (existsSync(directory)) return directory;
  if (options.seedDirectory !== undefined) await checkSeedDirectory(options.seedDirectory);
  await mkdir(directory, { mode: 0o700 });
  try {
    if (options.seedDirectory !== undefined) await copySeed(resolve(options.seedDirectory), directory, root);
    if (options.owner !== undefined) await changeOwnerRecursively(directory, options.owner.userId, options.owner.groupId);
  } catch (error) {
    await removeWorkspace(directory);
    throw new ConclaveError('sandbox_failed', `could not prepare the workspace ${directory}: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  }
  return directory;
}

/**
 * Removes a workspace and everything in it, including directories a tool made read-only.
 *
 * @example
 * await removeWorkspace('/srv/workspaces/sesn_abc');
 */
export async function removeWorkspace(directory: string): Promise<void> {
  try {
    await rm(directory, { recursive: true, force: true });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EACCES' && (error as NodeJS.ErrnoException).code !== 'EPERM') throw error;
    await makeWritableRecursively(directory);
    await rm(directory, { recursive: true, force: true });
  }
}

/**
 * Copies the seed into the workspace, links as links. A seed may hold the workspace root itself
 * (seeding from the project directory, with workspaces under its `.conclave/`): that part is skipped,
 * or the copy would copy itself.
 */
async function copySeed(seed: string, directory: string, workspaceRoot: string): Promise<void> {
  for (const entry of await readdir(seed, { withFileTypes: true })) {
    const source = join(seed, entry.name);
    const target = join(directory, entry.name);
    if (source === workspaceRoot) continue;
    if (entry.isDirectory() && workspaceRoot.startsWith(`${source}${sep}`)) {
      await mkdir(target);
      await copySeed(source, target, workspaceRoot);
      continue;
    }
    await cp(source, target, { recursive: true, verbatimSymlinks: true, force: true, errorOnExist: false });
  }
}

async function checkSeedDirectory(seedDirectory: string): Promise<void> {
  const stats = await stat(seedDirectory).catch(() => undefined);
  if (stats?.isDirectory() !== true) {
    throw new ConclaveError('invalid_argument', `the seed directory ${seedDirectory} does not exist or is not a directory`, { location: { path: 'seedDirectory' } });
  }
}

/** Lets other users through the root (it is ours) and checks every directory above it does too. */
async function ensureTraversable(root: string): Promise<void> {
  const rootStats = await stat(root);
  if ((rootStats.mode & 0o001) === 0) await chmod(root, (rootStats.mode & 0o7777) | 0o001);
  for (let directory = dirname(root); ; directory = dirname(directory)) {
    const stats = await stat(directory);
    if ((stats.mode & 0o001) === 0) {
      throw new ConclaveError('sandbox_unavailable', `the sandbox user cannot reach the workspace root ${root}: ${directory} does not let other users through`, {
        hint: `run \`chmod o+x ${directory}\`, or put the workspace root somewhere every user can reach (not under a private home directory)`,
      });
    }
    if (directory === dirname(directory)) return;
  }
}

async function changeOwnerRecursively(directory: string, userId: number, groupId: number): Promise<void> {
  await lchown(directory, userId, groupId);
  for (const entry of await readdir(directory, { withFileTypes: true })) {
    const path = join(directory, entry.name);
    if (entry.isDirectory()) await changeOwnerRecursively(path, userId, groupId);
    else await lchown(path, userId, groupId);
  }
}

async function makeWritableRecursively(directory: string): Promise<void> {
  await chmod(directory, 0o700).catch(() => undefined);
  const entries = await readdir(directory, { withFileTypes: true }).catch(() => []);
  for (const entry of entries) {
    if (entry.isDirectory()) await makeWritableRecursively(join(directory, entry.name));
  }
}
