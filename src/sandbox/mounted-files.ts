/**
 * Session resources in the sandbox: a driver wrapper that, before every tool call, writes the
 * session's mounted files into its workspace — all of them the first time (the sandbox is provisioned
 * lazily, on the first call), then any added since, and removes the copies of resources removed since.
 * A file whose content is gone (deleted through the Files API while a session still mounts it) makes
 * that call a tool error naming the file and the resource; the session lives on, and the next call
 * tries again. Writing never follows a link the agent made: every directory on the way is checked
 * with lstat, the file is written under a fresh name with O_EXCL | O_NOFOLLOW and renamed into
 * place. Copies are mode 0444 in directories of mode 0755: read-only for the sandbox user when
 * conclave runs as root (the jail then runs as another user); without root the jail's user is
 * conclave's own, which could chmod its copy — the stored file is never affected either way.
 */
import { randomBytes } from 'node:crypto';
import { constants } from 'node:fs';
import { lstat, mkdir, open, rename, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { ConclaveError, toConclaveError, type Sandbox, type SandboxDriver, type SandboxSpec } from '../protocol/index.js';
import { workspaceDirectory } from './workspace.js';

/** One file a session mounts. */
export interface MountedFile {
  /** Changes whenever what is mounted changes (resource, file or path). */
  key: string;
  /** Absolute path in the sandbox, for messages. */
  mountPath: string;
  /** Where it goes, relative to the workspace directory (from `resolveMountPath`). */
  workspacePath: string;
  /** What to name in an error (`file file_1 (session resource sesrsc_1)`). */
  label: string;
  /** The content; undefined when the file no longer exists. */
  read(): Promise<Uint8Array | undefined>;
}

export interface MountedFilesOptions {
  /** The root the wrapped driver puts workspaces in (the same `workspaceRoot`). */
  workspaceRoot: string;
  /** The session's mounted files, now. */
  list(sessionId: string): Promise<MountedFile[]>;
}

async function lstatOrUndefined(path: string): Promise<Awaited<ReturnType<typeof lstat>> | undefined> {
  try {
    return await lstat(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

/**
 * Writes `content` at `relativePath` inside `workspace`, creating directories, following no link.
 *
 * @example
 * await writeWorkspaceFile('/srv/ws/sesn_1', 'mnt/session/uploads/file_1', bytes);
 */
export async function writeWorkspaceFile(workspace: string, relativePath: string, content: Uint8Array): Promise<void> {
  const segments = relativePath.split('/');
  const name = segments.pop() as string;
  let directory = workspace;
  for (const segment of segments) {
    const next = join(directory, segment);
    const stats = await lstatOrUndefined(next);
    if (stats === undefined) await mkdir(next, { mode: 0o755 }).catch((error: NodeJS.ErrnoException) => (error.code === 'EEXIST' ? undefined : Promise.reject(error)));
    const created = await lstat(next);
    if (created.isSymbolicLink() || !created.isDirectory()) throw new Error(`${next.slice(workspace.length + 1)} is ${created.isSymbolicLink() ? 'a link' : 'not a directory'}`);
    directory = next;
  }
  const target = join(directory, name);
  if ((await lstatOrUndefined(target))?.isDirectory() === true) throw new Error(`${relativePath} is a directory`);
  const temporary = join(directory, `.${name.slice(0, 200)}.conclave-${randomBytes(6).toString('hex')}`);
  const handle = await open(temporary, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, 0o444);
  try {
    await handle.writeFile(content);
  } finally {
    await handle.close();
  }
  await rename(temporary, target).catch(async (error: unknown) => {
    await unlink(temporary).catch(() => undefined);
    throw error;
  });
}

/** Removes a mounted copy, if it is still a plain file (never a directory or what a link points to). */
async function removeWorkspaceFile(workspace: string, relativePath: string): Promise<void> {
  const path = join(workspace, relativePath);
  const stats = await lstatOrUndefined(path).catch(() => undefined);
  if (stats?.isFile() === true) await unlink(path).catch(() => undefined);
}

function wrapSandbox(sandbox: Sandbox, directory: string, sessionId: string, options: MountedFilesOptions): Sandbox {
  /** What this sandbox has written: key → workspace path. */
  const written = new Map<string, string>();

  /** Brings the workspace in line with the session's resources; a message when a file cannot be mounted. */
  const synchronise = async (): Promise<string | undefined> => {
    const mounts = await options.list(sessionId);
    const wanted = new Set(mounts.map((mount) => mount.key));
    for (const [key, path] of written) {
      if (wanted.has(key)) continue;
      written.delete(key);
      if (![...written.values()].includes(path)) await removeWorkspaceFile(directory, path);
    }
    const problems: string[] = [];
    for (const mount of mounts) {
      if (written.has(mount.key)) continue;
      const content = await mount.read();
      if (content === undefined) {
        problems.push(`${mount.label} mounted at ${mount.mountPath} no longer exists (it was deleted); remove the session resource or add the file again`);
        continue;
      }
      try {
        await writeWorkspaceFile(directory, mount.workspacePath, content);
        written.set(mount.key, mount.workspacePath);
      } catch (error) {
        problems.push(`${mount.label} cannot be mounted at ${mount.mountPath}: ${error instanceof Error ? error.message : String(error)}`);
      }
    }
    return problems.length === 0 ? undefined : problems.join('; ');
  };

  return {
    id: sandbox.id,
    async execute(name, input, executeOptions) {
      let problem: string | undefined;
      try {
        problem = await synchronise();
      } catch (thrown) {
        problem = `the session's files could not be mounted: ${toConclaveError(thrown).message}`;
      }
      if (problem !== undefined) return `Error: ${problem}`;
      return sandbox.execute(name, input, executeOptions);
    },
    dispose: () => sandbox.dispose(),
  };
}

/**
 * `driver`, with each sandbox it provisions given the session's mounted files before every call.
 *
 * @example
 * const driver = withMountedFiles(createSandboxDriver('bubblewrap', { workspaceRoot }), { workspaceRoot, list: (sessionId) => mountsOf(sessionId) });
 */
export function withMountedFiles(driver: SandboxDriver, options: MountedFilesOptions): SandboxDriver {
  return {
    specificationVersion: 'v1',
    name: driver.name,
    isolated: driver.isolated,
    ...(driver.description !== undefined ? { description: driver.description } : {}),
    async provision(spec: SandboxSpec): Promise<Sandbox> {
      const sandbox = await driver.provision(spec);
      try {
        return wrapSandbox(sandbox, workspaceDirectory(options.workspaceRoot, spec.sessionId), spec.sessionId, options);
      } catch (error) {
        await sandbox.dispose();
        throw new ConclaveError('sandbox_failed', `cannot mount files into the sandbox of session ${spec.sessionId}`, { cause: error });
      }
    },
  };
}
