/**
 * Replaces a file all at once: the new content goes to a private temporary file in the same
 * directory, is flushed to disk, and is renamed over the target. A reader (or a crash) sees the old
 * file or the new one, never half of either; the file is created with mode 0600 (owner only).
 */
import { randomBytes } from 'node:crypto';
import { mkdir, open, rename, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

/**
 * Writes `text` to `path` atomically with the given permissions, creating the directory (0700).
 *
 * @example
 * await writeFileAtomically('.conclave/vault.json', JSON.stringify(vault), 0o600);
 */
export async function writeFileAtomically(path: string, text: string, mode = 0o600): Promise<void> {
  const directory = dirname(path);
  await mkdir(directory, { recursive: true, mode: 0o700 });
  const temporary = join(directory, `.${basename(path)}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`);
  const handle = await open(temporary, 'wx', mode);
  try {
    // The umask may have narrowed `mode`; chmod makes it exact (and never wider than asked).
    await handle.chmod(mode);
    await handle.writeFile(text, 'utf8');
    await handle.sync();
  } catch (error) {
    await handle.close().catch(() => undefined);
    await unlink(temporary).catch(() => undefined);
    throw error;
  }
  await handle.close();
  try {
    await rename(temporary, path);
  } catch (error) {
    await unlink(temporary).catch(() => undefined);
    throw error;
  }
}
