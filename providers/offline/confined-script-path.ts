/**
 * Where a scripted model's `script=` path points, when files are confined to one folder (documents
 * from API callers, under the server policy's `scripts_dir`): only a relative path that stays inside
 * the folder, after symbolic links are followed, is read. A refusal says why without naming any
 * server path.
 */
import { realpathSync } from 'node:fs';
import { isAbsolute, relative, resolve, sep } from 'node:path';

function inside(folder: string, path: string): boolean {
  const rest = relative(folder, path);
  return rest !== '' && rest !== '..' && !rest.startsWith(`..${sep}`) && !isAbsolute(rest);
}

/**
 * The path to read for `script`, or why it may not be read. `confineFiles` undefined: any path (the
 * local user's own document); `null`: none at all.
 *
 * @example
 * confinedScriptPath('coder.yaml', '/srv/scripts')  // → '/srv/scripts/coder.yaml'
 * confinedScriptPath('/etc/passwd', '/srv/scripts') // → { refused: 'script "/etc/passwd" is not inside the server\'s scripts folder' }
 */
export function confinedScriptPath(script: string, confineFiles: string | null | undefined): string | { refused: string } {
  if (confineFiles === undefined) return script;
  if (confineFiles === null) return { refused: 'scripts are not available to documents from the API on this server' };
  const refusal = { refused: `script ${JSON.stringify(script)} is not inside the server's scripts folder` };
  if (isAbsolute(script) || script.includes('\0')) return refusal;
  const folder = resolve(confineFiles);
  const candidate = resolve(folder, script);
  if (!inside(folder, candidate)) return refusal;
  try {
    // A link inside the folder may point anywhere: what counts is where the file really is.
    if (!inside(realpathSync(folder), realpathSync(candidate))) return refusal;
  } catch {
    return { refused: `script ${JSON.stringify(script)} not found in the server's scripts folder` };
  }
  return candidate;
}
