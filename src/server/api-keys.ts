/**
 * API keys: how a secret is made, what is stored of it, and how a request's key is checked. The
 * secret (`ck_` + 40 base62 characters, about 238 bits) is shown once and never stored; the store
 * keeps its sha256 and its first 12 characters for display. Verification hashes the presented key,
 * looks the hash up, and compares in constant time; a revoked key is refused.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { customAlphabet } from 'nanoid';
import { ConclaveError } from '../protocol/errors.js';
import { createId } from '../protocol/ids.js';
import type { ApiKeyRecord, ResourceStore } from '../protocol/resources.js';

/** Every secret starts with this, so a leaked key is recognisable (and greppable) as conclave's. */
export const apiKeySecretPrefix = 'ck_';

/** How many characters of the secret are kept for display. */
export const apiKeyDisplayLength = 12;

/** Workspace names: lowercase letters, digits, `_` and `-`, starting with a letter or digit, at most 63 characters. */
export const workspaceNamePattern = /^[a-z0-9][a-z0-9_-]{0,62}$/;

/** Uses of a key closer together than this are not recorded again (saves a write per request). */
const touchIntervalMs = 60_000;

const randomSecret = customAlphabet('0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ', 40);

/** A new key: the secret, to hand to its owner once, and what was stored. */
export interface CreatedApiKey {
  key: string;
  record: ApiKeyRecord;
}

/**
 * sha256 of a secret, lowercase hex — the only form in which a secret is stored.
 *
 * @example
 * hashApiKey('ck_abc') // → '5b2c…' (64 hex characters)
 */
export function hashApiKey(secret: string): string {
  return createHash('sha256').update(secret, 'utf8').digest('hex');
}

/**
 * Checks a workspace name; `invalid_argument` when it does not match `workspaceNamePattern`.
 *
 * @example
 * assertWorkspaceName('team-a');   // fine
 * assertWorkspaceName('Team A');   // throws
 */
export function assertWorkspaceName(workspace: string): void {
  if (!workspaceNamePattern.test(workspace)) {
    throw new ConclaveError('invalid_argument', `invalid workspace name "${workspace}"`, {
      hint: 'use 1–63 lowercase letters, digits, "_" or "-", starting with a letter or digit (e.g. "default", "team-a")',
    });
  }
}

/**
 * Makes a new key for a workspace and stores its hash. The returned `key` is the only copy of the
 * secret.
 *
 * @example
 * const { key, record } = await createApiKey(resources, { workspace: 'default', name: 'laptop' });
 * console.log(key);          // ck_… (show once)
 * console.log(record.prefix); // ck_4fG7aB2x9 (safe to show later)
 */
export async function createApiKey(store: ResourceStore, options: { workspace: string; name?: string | null }): Promise<CreatedApiKey> {
  assertWorkspaceName(options.workspace);
  const key = `${apiKeySecretPrefix}${randomSecret()}`;
  const record = await store.createKey({
    id: createId('apiKey'),
    workspace: options.workspace,
    name: options.name ?? null,
    prefix: key.slice(0, apiKeyDisplayLength),
    hash: hashApiKey(key),
  });
  return { key, record };
}

/**
 * The record of a valid, unrevoked key, or undefined. Records the use (at most once a minute).
 *
 * @example
 * const record = await verifyApiKey(resources, bearerToken);
 * if (record === undefined) return unauthorized();
 */
export async function verifyApiKey(store: ResourceStore, secret: string): Promise<ApiKeyRecord | undefined> {
  if (secret === '') return undefined;
  const hash = hashApiKey(secret);
  const record = await store.findKeyByHash(hash);
  if (record === undefined) return undefined;
  // The lookup is by hash already; the constant-time comparison keeps a store that matches loosely
  // (a prefix index, a case-insensitive collation) from ever accepting a different secret.
  const expected = Buffer.from(record.hash, 'utf8');
  const presented = Buffer.from(hash, 'utf8');
  if (expected.length !== presented.length || !timingSafeEqual(expected, presented)) return undefined;
  if (record.revokedAt !== null) return undefined;
  const now = Date.now();
  if (store.touchKey !== undefined && (record.lastUsedAt === null || now - Date.parse(record.lastUsedAt) >= touchIntervalMs)) {
    const at = new Date(now).toISOString();
    await store.touchKey(record.id, at).catch(() => undefined);
    record.lastUsedAt = at;
  }
  return record;
}
