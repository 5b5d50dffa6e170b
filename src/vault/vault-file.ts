/**
 * The encrypted local secret store behind `conclave vault set|list|rm`. One JSON file (default
 * `./.conclave/vault.json`, beside the default session database; `CONCLAVE_VAULT` or the `path`
 * option moves it), mode 0600, replaced atomically on every change. Values are sealed one by one
 * (see vault-crypto.ts) under a key derived from the passphrase in `CONCLAVE_VAULT_KEY`, which is
 * needed to read or write the file and is never stored. Listing returns names and dates, never values.
 *
 * Writes from one handle are serialised; two processes writing at the same instant can still lose
 * one update (last rename wins) — the file is never corrupted, and `vault set` is a human-speed act.
 */
import { readFile } from 'node:fs/promises';
import { isAbsolute, join, resolve } from 'node:path';
import { ConclaveError } from '../protocol/index.js';
import { assertVaultEntryName } from './secret-name.js';
import { defaultScryptParameters, deriveVaultKey, openSealedValue, randomSalt, sealValue } from './vault-crypto.js';
import { checkAssociatedData, checkPlaintext, secretAssociatedData, vaultDocumentSchema, type VaultDocument } from './vault-file-format.js';
import { writeFileAtomically } from './write-file-atomically.js';

/** Default vault location, relative to the working directory (next to `.conclave/conclave.db`). */
export const defaultVaultPath = join('.conclave', 'vault.json');

/** The environment variable holding the passphrase the vault key is derived from. */
export const vaultKeyVariable = 'CONCLAVE_VAULT_KEY';

/** The environment variable that moves the vault file. */
export const vaultPathVariable = 'CONCLAVE_VAULT';

/** Passphrases shorter than this are refused when a new vault is created. */
export const minimumPassphraseLength = 8;

export interface OpenVaultFileOptions {
  /** The vault file; wins over `CONCLAVE_VAULT`. */
  path?: string;
  /** Environment to read `CONCLAVE_VAULT` and `CONCLAVE_VAULT_KEY` from. Default `process.env`. */
  env?: Record<string, string | undefined>;
  /** Directory relative paths are resolved against. Default `process.cwd()`. */
  cwd?: string;
  /** Clock for `updatedAt`. Default `() => new Date()`. */
  now?: () => Date;
}

/** A stored secret as listed: never its value. */
export interface VaultEntryInfo {
  name: string;
  /** ISO 8601 time of the last `set`. */
  updatedAt: string;
}

export interface VaultFile {
  /** Absolute path of the file (it may not exist yet). */
  readonly path: string;
  /** Stores or replaces a secret; creates the file on first use. */
  set(name: string, value: string): Promise<{ replaced: boolean; updatedAt: string }>;
  /** The secret's value, or `undefined` when it is not stored (or there is no file yet). */
  get(name: string): Promise<string | undefined>;
  /** Names and dates of every stored secret, by name; each entry's auth tag is checked. */
  list(): Promise<VaultEntryInfo[]>;
  /** Deletes a secret; `false` when it was not stored. */
  remove(name: string): Promise<boolean>;
  /** Throws the error `set` would for a missing or wrong passphrase, without changing anything. */
  verifyKey(): Promise<void>;
}

/**
 * Where the vault file is: the `path` option, else `CONCLAVE_VAULT`, else `./.conclave/vault.json`.
 *
 * @example
 * resolveVaultPath({ env: {}, cwd: '/home/ada/project' }) // → '/home/ada/project/.conclave/vault.json'
 */
export function resolveVaultPath(options: Pick<OpenVaultFileOptions, 'path' | 'env' | 'cwd'> = {}): string {
  const env = options.env ?? process.env;
  const value = nonEmpty(options.path) ?? nonEmpty(env[vaultPathVariable]) ?? defaultVaultPath;
  return isAbsolute(value) ? value : resolve(options.cwd ?? process.cwd(), value);
}

/**
 * Opens (lazily: nothing is read until the first call) the vault file.
 *
 * @example
 * const vault = openVaultFile({ env: process.env });
 * await vault.set('OPENAI_API_KEY', 'sk-…');
 * await vault.get('OPENAI_API_KEY');   // → 'sk-…'
 * await vault.list();                  // → [{ name: 'OPENAI_API_KEY', updatedAt: '2025-…' }]
 */
export function openVaultFile(options: OpenVaultFileOptions = {}): VaultFile {
  const env = options.env ?? process.env;
  const now = options.now ?? (() => new Date());
  const path = resolveVaultPath(options);
  const keys = new Map<string, Promise<Buffer>>();
  let queue: Promise<unknown> = Promise.resolve();

  /** Runs operations one after another, so concurrent `set`s on one handle never lose an update. */
  function serialised<T>(operation: () => Promise<T>): Promise<T> {
    const result = queue.then(operation);
    queue = result.catch(() => undefined);
    return result;
  }

  function passphrase(purpose: string, creating: boolean): string {
    const value = env[vaultKeyVariable];
    if (value === undefined || value === '') {
      throw new ConclaveError('secret_not_found', `cannot ${purpose}: ${vaultKeyVariable} is not set, and the vault ${path} needs it`, {
        location: { file: path },
        hint: `export ${vaultKeyVariable}='a long passphrase' (the same one every time: the vault key is derived from it; keep it out of the vault)`,
      });
    }
    if (creating && value.length < minimumPassphraseLength) {
      throw new ConclaveError('invalid_argument', `cannot ${purpose}: ${vaultKeyVariable} is shorter than ${minimumPassphraseLength} characters`, {
        location: { file: path },
        hint: 'choose a long passphrase; it is the only thing protecting the vault file',
      });
    }
    return value;
  }

  function derive(secret: string, kdf: VaultDocument['kdf']): Promise<Buffer> {
    const cacheKey = `${kdf.salt}:${kdf.N}:${kdf.r}:${kdf.p}:${secret}`;
    let key = keys.get(cacheKey);
    if (key === undefined) {
      key = deriveVaultKey(secret, kdf.salt, kdf);
      keys.set(cacheKey, key);
    }
    return key;
  }

  async function readDocument(): Promise<VaultDocument | undefined> {
    let text: string;
    try {
      text = await readFile(path, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw new ConclaveError('invalid_argument', `cannot read the vault ${path}: ${(error as Error).message}`, { location: { file: path }, cause: error });
    }
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch (error) {
      throw new ConclaveError('invalid_argument', `the vault ${path} is not valid JSON: it was modified outside conclave or is corrupt`, {
        location: { file: path },
        hint: `restore it from a backup, or move it away and set the secrets again with: conclave vault set NAME`,
        cause: error,
      });
    }
    const parsed = vaultDocumentSchema.safeParse(json);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      const where = issue === undefined ? '' : ` at ${issue.path.join('.') || 'the top level'}: ${issue.message}`;
      throw new ConclaveError('invalid_argument', `the vault ${path} is not a conclave vault file${where}`, {
        location: { file: path, ...(issue !== undefined ? { path: issue.path.join('.') } : {}) },
        hint: `restore it from a backup, or point ${vaultPathVariable} at the right file`,
      });
    }
    return parsed.data;
  }

  /** The key for an existing file, after proving it opens the file's check value. */
  async function unlock(document: VaultDocument, purpose: string): Promise<Buffer> {
    const key = await derive(passphrase(purpose, false), document.kdf);
    if (openSealedValue(key, document.check, checkAssociatedData(document.kdf.salt)) !== checkPlaintext) {
      throw new ConclaveError('invalid_argument', `cannot ${purpose}: ${vaultKeyVariable} does not open the vault ${path} (wrong passphrase, or the file was altered)`, {
        location: { file: path },
        hint: `set ${vaultKeyVariable} to the passphrase the vault was created with`,
      });
    }
    return key;
  }

  async function createDocument(purpose: string): Promise<{ document: VaultDocument; key: Buffer }> {
    const kdf = { algorithm: 'scrypt' as const, salt: randomSalt(), ...defaultScryptParameters };
    const key = await derive(passphrase(purpose, true), kdf);
    const check = sealValue(key, checkPlaintext, checkAssociatedData(kdf.salt));
    return { document: { format: 'conclave-vault', version: 1, cipher: 'aes-256-gcm', kdf, check, secrets: {} }, key };
  }

  function openEntry(document: VaultDocument, key: Buffer, name: string): string | undefined {
    const entry = document.secrets[name];
    if (entry === undefined) return undefined;
    const value = openSealedValue(key, entry, secretAssociatedData(name, entry.updatedAt));
    if (value === undefined) {
      throw new ConclaveError('invalid_argument', `secret ${name} in the vault ${path} failed its integrity check (AES-GCM auth tag): the file was altered or is corrupt`, {
        location: { file: path, path: `secrets.${name}` },
        hint: `set it again with: conclave vault set ${name}`,
      });
    }
    return value;
  }

  async function write(document: VaultDocument): Promise<void> {
    try {
      await writeFileAtomically(path, `${JSON.stringify(document, null, 2)}\n`, 0o600);
    } catch (error) {
      throw new ConclaveError('invalid_argument', `cannot write the vault ${path}: ${(error as Error).message}`, { location: { file: path }, cause: error });
    }
  }

  return {
    path,
    set: (name, value) =>
      serialised(async () => {
        assertVaultEntryName(name);
        if (typeof value !== 'string' || value === '') {
          throw new ConclaveError('invalid_argument', `cannot store secret ${name}: the value is empty`, { hint: 'to delete a secret use: conclave vault rm NAME' });
        }
        const purpose = `store secret ${name}`;
        const existing = await readDocument();
        const { document, key } = existing !== undefined ? { document: existing, key: await unlock(existing, purpose) } : await createDocument(purpose);
        const updatedAt = now().toISOString();
        const replaced = document.secrets[name] !== undefined;
        const secrets = { ...document.secrets, [name]: { ...sealValue(key, value, secretAssociatedData(name, updatedAt)), updatedAt } };
        await write({ ...document, secrets });
        return { replaced, updatedAt };
      }),
    get: (name) =>
      serialised(async () => {
        assertVaultEntryName(name);
        const document = await readDocument();
        if (document === undefined) return undefined;
        return openEntry(document, await unlock(document, `read secret ${name}`), name);
      }),
    list: () =>
      serialised(async () => {
        const document = await readDocument();
        if (document === undefined) return [];
        const key = await unlock(document, 'list the vault');
        const names = Object.keys(document.secrets).sort();
        for (const name of names) openEntry(document, key, name);
        return names.map((name) => ({ name, updatedAt: document.secrets[name]?.updatedAt ?? '' }));
      }),
    remove: (name) =>
      serialised(async () => {
        assertVaultEntryName(name);
        const document = await readDocument();
        if (document === undefined) return false;
        await unlock(document, `remove secret ${name}`);
        if (document.secrets[name] === undefined) return false;
        const { [name]: _removed, ...secrets } = document.secrets;
        await write({ ...document, secrets });
        return true;
      }),
    verifyKey: () =>
      serialised(async () => {
        const document = await readDocument();
        if (document === undefined) passphrase('create the vault', true);
        else await unlock(document, 'open the vault');
      }),
  };
}

function nonEmpty(value: string | undefined): string | undefined {
  const trimmed = value?.trim();
  return trimmed === undefined || trimmed === '' ? undefined : trimmed;
}
