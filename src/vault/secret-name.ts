/**
 * What a secret may be called. Names look like environment variables (`OPENAI_API_KEY`) because the
 * environment is the first place a secret is looked up: one spelling works in both places.
 */
import { ConclaveError, type ErrorLocation } from '../protocol/index.js';

/** Upper-case letters, digits and `_`, not starting with a digit — an environment variable name. */
export const secretNamePattern = /^[A-Z_][A-Z0-9_]*$/;

/**
 * Throws `invalid_argument` unless `name` is a valid secret name; returns it otherwise.
 *
 * @example
 * assertSecretName('OPENAI_API_KEY')  // → 'OPENAI_API_KEY'
 * assertSecretName('openai-key')      // throws invalid_argument
 */
export function assertSecretName(name: string, location?: ErrorLocation): string {
  if (secretNamePattern.test(name)) return name;
  const suggestion = name.toUpperCase().replace(/[^A-Z0-9_]/g, '_').replace(/^(?=[0-9])/, '_');
  throw new ConclaveError('invalid_argument', `invalid secret name ${JSON.stringify(name)}: use upper-case letters, digits and "_", not starting with a digit`, {
    ...(location !== undefined ? { location } : {}),
    ...(secretNamePattern.test(suggestion) ? { hint: `did you mean ${suggestion}?` } : {}),
  });
}

/** A vault entry: a secret name, or `workspace/NAME` for a secret of one workspace only. */
export const vaultEntryNamePattern = /^(?:[a-z0-9][a-z0-9_-]{0,62}\/)?[A-Z_][A-Z0-9_]*$/;

/**
 * The vault entry of a workspace's own secret: what documents from that workspace's API callers
 * read when they say `${secret:NAME}` (they never read the server's secrets).
 *
 * @example
 * workspaceSecretEntry('tenant-b', 'OPENAI_API_KEY') // → 'tenant-b/OPENAI_API_KEY'
 */
export function workspaceSecretEntry(workspace: string, name: string): string {
  return `${workspace}/${assertSecretName(name)}`;
}

/**
 * Throws `invalid_argument` unless `entry` is a secret name or `workspace/NAME`; returns it otherwise.
 *
 * @example
 * assertVaultEntryName('tenant-b/OPENAI_API_KEY') // → 'tenant-b/OPENAI_API_KEY'
 */
export function assertVaultEntryName(entry: string): string {
  if (vaultEntryNamePattern.test(entry)) return entry;
  const slash = entry.lastIndexOf('/');
  if (slash === -1) return assertSecretName(entry);
  assertSecretName(entry.slice(slash + 1));
  throw new ConclaveError('invalid_argument', `invalid workspace ${JSON.stringify(entry.slice(0, slash))} in vault entry ${JSON.stringify(entry)}`, {
    hint: 'a workspace name is lower-case letters, digits, "_" and "-"',
  });
}
