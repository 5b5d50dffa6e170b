/**
 * Where session resources (uploaded files) appear in a sandbox. A mount path is an absolute path
 * under one of two roots: `/mnt/session` (the Managed Agents API's default, `/mnt/session/uploads/
 * <file_id>`) or `/workspace` (the jail's working directory); a relative path is taken as relative
 * to `/workspace`. Both roots live inside the session's workspace on the host — `/workspace/x` is
 * `<workspace>/x`, `/mnt/session/x` is `<workspace>/mnt/session/x`, which the bubblewrap jail also
 * shows at `/mnt/session` — so a mounted file is a file of the workspace and nothing outside it is
 * ever written. Paths are checked as text, before any file system is involved: a `..` segment, an
 * absolute path under neither root, or a name no file system takes is refused.
 */
import { ConclaveError } from '../protocol/errors.js';

/** The API's mount root: what `/mnt/session/…` paths are under. */
export const sessionMountRoot = '/mnt/session';

/** Where the workspace is inside the jail (also `jailWorkspacePath` in bubblewrap-arguments.ts). */
export const workspaceMountRoot = '/workspace';

/** Where `/mnt/session` lives inside the workspace on the host. */
export const sessionMountDirectory = 'mnt/session';

/** A checked mount path. */
export interface ResolvedMountPath {
  /** The canonical absolute path in the sandbox (`/mnt/session/uploads/file_1`). */
  mountPath: string;
  /** The same place relative to the workspace directory on the host (`mnt/session/uploads/file_1`). */
  workspacePath: string;
}

const maximumPathLength = 1024;
const maximumSegmentLength = 255;

function refuse(path: string, why: string): ConclaveError {
  return new ConclaveError('invalid_argument', `mount_path ${JSON.stringify(path)}: ${why}`, {
    location: { path: 'mount_path' },
    hint: `use a path under ${sessionMountRoot}/ (the default is ${sessionMountRoot}/uploads/<file_id>) or under ${workspaceMountRoot}/`,
  });
}

/**
 * The default mount path of a file: the Managed Agents API's.
 *
 * @example
 * defaultMountPath('file_abc') // → '/mnt/session/uploads/file_abc'
 */
export function defaultMountPath(fileId: string): string {
  return `${sessionMountRoot}/uploads/${fileId}`;
}

/**
 * Checks a mount path and says where it lives in the workspace; `invalid_argument` (a 400 naming
 * `mount_path`) for a path that escapes or lies outside the mount roots.
 *
 * @example
 * resolveMountPath('/mnt/session/uploads/a.csv') // → { mountPath: '/mnt/session/uploads/a.csv', workspacePath: 'mnt/session/uploads/a.csv' }
 * resolveMountPath('data/a.csv')                 // → { mountPath: '/workspace/data/a.csv', workspacePath: 'data/a.csv' }
 * resolveMountPath('/etc/passwd')                // throws: outside the allowed mount roots
 */
export function resolveMountPath(path: string): ResolvedMountPath {
  if (path.trim() === '') throw refuse(path, 'is empty');
  if (path.length > maximumPathLength) throw refuse(path.slice(0, 40), `is longer than ${maximumPathLength} characters`);
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f\\]/.test(path)) throw refuse(path, 'holds a control character or a backslash');
  const absolute = path.startsWith('/') ? path : `${workspaceMountRoot}/${path}`;
  const segments = absolute.split('/').filter((segment) => segment !== '' && segment !== '.');
  if (segments.includes('..')) throw refuse(path, 'has a ".." segment; a mount path cannot leave its mount root');
  const tooLong = segments.find((segment) => segment.length > maximumSegmentLength);
  if (tooLong !== undefined) throw refuse(path, `has a name longer than ${maximumSegmentLength} characters`);
  const mountPath = `/${segments.join('/')}`;
  for (const [root, directory] of [
    [sessionMountRoot, sessionMountDirectory],
    [workspaceMountRoot, ''],
  ] as const) {
    if (!mountPath.startsWith(`${root}/`)) continue;
    const rest = mountPath.slice(root.length + 1);
    return { mountPath, workspacePath: directory === '' ? rest : `${directory}/${rest}` };
  }
  if (mountPath === sessionMountRoot || mountPath === workspaceMountRoot) throw refuse(path, 'names a mount root itself, not a file under it');
  throw refuse(path, `is outside the allowed mount roots (${sessionMountRoot}/ and ${workspaceMountRoot}/)`);
}
