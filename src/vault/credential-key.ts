/**
 * The key that seals vault credentials at rest (AES-256-GCM, `vault-crypto.ts`). Where it comes
 * from, first match wins:
 * 1. `CONCLAVE_CREDENTIAL_KEY`: 32 random bytes as 64 hex digits or base64 — what a deployment with
 *    several hosts (a server and its workers on PostgreSQL) sets everywhere;
 * 2. the key file `CONCLAVE_CREDENTIAL_KEY_FILE` names;
 * 3. a key file beside the SQLite database (`conclave.db` → `conclave.db.credential-key`), or
 *    `.conclave/credential.key` for a PostgreSQL store — generated on first use, mode 0600;
 * 4. for an in-memory store, a random key that lives as long as the process (so do its credentials).
 * A key file readable by group or others is refused, as ssh refuses such a private key: anyone who
 * can read it can open every credential in the database.
 */
import { randomBytes } from 'node:crypto';
import { link, mkdir, open, readFile, stat, unlink } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { ConclaveError } from '../protocol/index.js';

/** The environment variable holding the key itself. */
export const credentialKeyVariable = 'CONCLAVE_CREDENTIAL_KEY';
/** The environment variable naming the key file. */
export const credentialKeyFileVariable = 'CONCLAVE_CREDENTIAL_KEY_FILE';

const keyLength = 32;

export interface CredentialKeyOptions {
  /** The store location as resolved (`resolveDatabasePath`): a file, `postgres://…` or `:memory:`. */
  location: string;
  env?: Record<string, string | undefined>;
  /** Directory relative paths are resolved against. Default `process.cwd()`. */
  cwd?: string;
}

/** Where the key came from, for the server's banner and error messages (never the key). */
export interface CredentialKey {
  key: Buffer;
  source: string;
}

/**
 * A key written as 64 hex digits or base64 of 32 bytes; `invalid_argument` otherwise.
 *
 * @example
 * parseCredentialKey(randomBytes(32).toString('hex'), 'CONCLAVE_CREDENTIAL_KEY').length // → 32
 */
export function parseCredentialKey(text: string, source: string): Buffer {
  const trimmed = text.trim();
  const key = /^[0-9a-fA-F]{64}$/.test(trimmed) ? Buffer.from(trimmed, 'hex') : /^[A-Za-z0-9+/_-]{43}=?$/.test(trimmed) ? Buffer.from(trimmed, 'base64') : undefined;
  if (key === undefined || key.length !== keyLength) {
    throw new ConclaveError('invalid_argument', `${source} is not a credential key: it must be 32 random bytes, as 64 hex digits or base64`, {
      hint: 'make one with: openssl rand -hex 32',
    });
  }
  return key;
}

/**
 * The key file that goes with a store location, or undefined for an in-memory store.
 *
 * @example
 * credentialKeyPath('/srv/conclave/conclave.db') // → '/srv/conclave/conclave.db.credential-key'
 */
export function credentialKeyPath(location: string, cwd: string = process.cwd()): string | undefined {
  if (location === ':memory:') return undefined;
  if (/^postgres(ql)?:\/\//i.test(location)) return resolve(cwd, '.conclave', 'credential.key');
  return `${resolve(cwd, location)}.credential-key`;
}

async function readKeyFile(path: string): Promise<Buffer> {
  const info = await stat(path);
  if ((info.mode & 0o077) !== 0) {
    throw new ConclaveError('invalid_argument', `the credential key file ${path} can be read by others (mode ${(info.mode & 0o777).toString(8)})`, {
      hint: `restrict it: chmod 600 ${path}`,
    });
  }
  return parseCredentialKey(await readFile(path, 'utf8'), `the credential key file ${path}`);
}

/** Creates the key file unless another process got there first; either way returns the file's key. */
async function createKeyFile(path: string): Promise<Buffer> {
  await mkdir(dirname(path), { recursive: true, mode: 0o700 });
  const temporary = join(dirname(path), `.${basename(path)}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`);
  const handle = await open(temporary, 'wx', 0o600);
  try {
    await handle.chmod(0o600);
    await handle.writeFile(`${randomBytes(keyLength).toString('hex')}\n`, 'utf8');
    await handle.sync();
  } finally {
    await handle.close();
  }
  try {
    // A hard link never replaces an existing file: two first uses agree on one key.
    await link(temporary, path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  } finally {
    await unlink(temporary).catch(() => undefined);
  }
  return readKeyFile(path);
}

/**
 * The credential key for a store location (see the module comment for the order).
 *
 * @example
 * const { key, source } = await loadCredentialKey({ location: resolveDatabasePath({}) });
 */
export async function loadCredentialKey(options: CredentialKeyOptions): Promise<CredentialKey> {
  const env = options.env ?? process.env;
  const inline = env[credentialKeyVariable];
  if (inline !== undefined && inline.trim() !== '') return { key: parseCredentialKey(inline, credentialKeyVariable), source: credentialKeyVariable };
  const named = env[credentialKeyFileVariable];
  const path = named !== undefined && named.trim() !== '' ? resolve(options.cwd ?? process.cwd(), named.trim()) : credentialKeyPath(options.location, options.cwd);
  if (path === undefined) return { key: randomBytes(keyLength), source: 'a random key of this process (in-memory store)' };
  try {
    return { key: await readKeyFile(path), source: path };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  if (named !== undefined && named.trim() !== '') {
    throw new ConclaveError('invalid_argument', `${credentialKeyFileVariable} names ${path}, which does not exist`, { hint: 'create it with: openssl rand -hex 32 > FILE && chmod 600 FILE' });
  }
  return { key: await createKeyFile(path), source: path };
}
