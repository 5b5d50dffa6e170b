/**
 * Secrets by name. A document (a topology, provider settings, later an MCP connection) says
 * `${secret:OPENAI_API_KEY}` instead of the key; the value is looked up only at the moment a
 * provider or connection is configured, and the substituted copy is used there and never stored,
 * journaled or handed to a sandbox.
 *
 * Precedence: an environment variable of the same name (when non-empty) wins, so CI and containers
 * need no vault file; otherwise the vault file (`conclave vault set NAME`).
 */
import { formatJsonPath, type JsonPath } from '../config/format-json-path.js';
import { ConclaveError, isConclaveError } from '../protocol/index.js';
import { assertSecretName, workspaceSecretEntry } from './secret-name.js';
import type { VaultFile } from './vault-file.js';

/** Where secrets come from, in order. Both are optional: no vault means environment only. */
export interface SecretSources {
  env?: Record<string, string | undefined>;
  vault?: Pick<VaultFile, 'get' | 'path'>;
}

/** One `${secret:NAME}` found in a value, with the JSON path of the string that holds it. */
export interface SecretReference {
  name: string;
  /** As in error locations: `providers.openai.apiKey`, `servers[0].headers["my header"]`. */
  path: string;
}

/** Looks a name up; may be sync (tests) or async (the vault). */
export type SecretLookup = (name: string) => string | Promise<string>;

const referencePattern = /\$\{secret:([^}]*)\}/g;

/** Whose secret is asked for: absent, the server's; with a workspace, only that workspace's own. */
export interface SecretScopeOption {
  workspace: string;
}

/**
 * A workspace's own secret: its vault entry `workspace/NAME`, never the environment or the server's
 * entries. The error names neither the vault file nor any server path (the caller is a tenant).
 */
async function resolveWorkspaceSecret(name: string, workspace: string, sources: SecretSources): Promise<string> {
  const entry = workspaceSecretEntry(workspace, name);
  const value = sources.vault === undefined ? undefined : await sources.vault.get(entry);
  if (value !== undefined) return value;
  throw new ConclaveError('secret_not_found', `secret ${name} is not set for workspace ${workspace}`, {
    hint: `the operator stores it with \`conclave vault set ${name} --workspace ${workspace}\`; documents from the API read only their workspace's own secrets`,
  });
}

/**
 * The value of a secret: the environment variable of the same name if set and non-empty, else
 * the vault. Throws `secret_not_found` (naming the secret and the vault file, with a hint) when
 * neither has it, and `invalid_argument` for a malformed name. With a `scope`, only that
 * workspace's own vault entry is read.
 *
 * @example
 * const key = await resolveSecret('OPENAI_API_KEY', { env: process.env, vault: openVaultFile() });
 */
export async function resolveSecret(name: string, sources: SecretSources = {}, scope?: SecretScopeOption): Promise<string> {
  assertSecretName(name);
  if (scope !== undefined) return resolveWorkspaceSecret(name, scope.workspace, sources);
  const fromEnvironment = (sources.env ?? process.env)[name];
  if (fromEnvironment !== undefined && fromEnvironment !== '') return fromEnvironment;
  const fromVault = sources.vault === undefined ? undefined : await sources.vault.get(name);
  if (fromVault !== undefined) return fromVault;
  const places = sources.vault === undefined ? 'not in the environment (no vault configured)' : `not in the environment, not in the vault ${sources.vault.path}`;
  throw new ConclaveError('secret_not_found', `secret ${name} is not set: ${places}`, {
    ...(sources.vault !== undefined ? { location: { file: sources.vault.path } } : {}),
    hint: `store it with \`conclave vault set ${name}\` (reads the value from stdin), or export ${name}=…`,
  });
}

/**
 * A lookup bound to its sources, ready for `substituteSecrets`.
 *
 * @example
 * const settings = await substituteSecrets(raw, createSecretResolver({ env: process.env, vault }));
 */
export function createSecretResolver(sources: SecretSources = {}): (name: string, scope?: SecretScopeOption) => Promise<string> {
  return (name, scope) => resolveSecret(name, sources, scope);
}

/**
 * Every `${secret:NAME}` in a JSON-like value (strings at any depth, several per string), in
 * document order. Throws `invalid_argument`, with the path, for a reference whose name is malformed.
 *
 * @example
 * findSecretReferences({ providers: { openai: { apiKey: '${secret:OPENAI_API_KEY}' } } })
 * // → [{ name: 'OPENAI_API_KEY', path: 'providers.openai.apiKey' }]
 */
export function findSecretReferences(value: unknown): SecretReference[] {
  const references: SecretReference[] = [];
  walkStrings(value, [], (text, path) => {
    for (const match of text.matchAll(referencePattern)) {
      const formatted = formatJsonPath(path);
      references.push({ name: assertSecretName(match[1] ?? '', { path: formatted }), path: formatted });
    }
  });
  return references;
}

/**
 * A deep copy of `value` with every `${secret:NAME}` replaced by its value; the input is not
 * touched. Each name is looked up once. A lookup failure is rethrown with the JSON path of the
 * first reference to that name. Call it where a provider or connection is configured, and keep
 * the result there: it holds live secrets.
 *
 * @example
 * await substituteSecrets({ headers: { authorization: 'Bearer ${secret:TOKEN}' } }, () => 'abc')
 * // → { headers: { authorization: 'Bearer abc' } }
 */
export async function substituteSecrets<T>(value: T, resolve: SecretLookup): Promise<T> {
  const values = new Map<string, string>();
  for (const reference of findSecretReferences(value)) {
    if (values.has(reference.name)) continue;
    try {
      values.set(reference.name, await resolve(reference.name));
    } catch (error) {
      throw withPath(error, reference.path);
    }
  }
  return mapStrings(value, (text) => text.replace(referencePattern, (_whole, name: string) => values.get(name) ?? '')) as T;
}

function withPath(error: unknown, path: string): unknown {
  if (!isConclaveError(error) || error.location?.path !== undefined) return error;
  return new ConclaveError(error.code, error.message, {
    category: error.category,
    retryable: error.retryable,
    location: { ...error.location, path },
    ...(error.hint !== undefined ? { hint: error.hint } : {}),
    cause: error,
  });
}

function walkStrings(value: unknown, path: JsonPath, visit: (text: string, path: JsonPath) => void): void {
  if (typeof value === 'string') visit(value, path);
  else if (Array.isArray(value)) value.forEach((item, index) => walkStrings(item, [...path, index], visit));
  else if (isPlainObject(value)) for (const [key, item] of Object.entries(value)) walkStrings(item, [...path, key], visit);
}

function mapStrings(value: unknown, map: (text: string) => string): unknown {
  if (typeof value === 'string') return map(value);
  if (Array.isArray(value)) return value.map((item) => mapStrings(item, map));
  if (isPlainObject(value)) return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, mapStrings(item, map)]));
  return value;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (value === null || typeof value !== 'object') return false;
  const prototype: unknown = Object.getPrototypeOf(value);
  return prototype === Object.prototype || prototype === null;
}
