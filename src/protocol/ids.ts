/**
 * Identifiers. Resources get prefixed random ids (`sesn_…`, `sevt_…`) that match the Managed Agents
 * API, so one id works in both HTTP APIs. Command ids are never random: they are paths derived from
 * the position in the topology (see `commands.ts`), which is what makes replay possible.
 */
import { customAlphabet } from 'nanoid';

/** Prefixes of every kind of random id conclave hands out. */
export const idPrefixes = {
  session: 'sesn',
  event: 'sevt',
  run: 'run',
  agent: 'agent',
  environment: 'env',
  apiKey: 'key',
  request: 'req',
} as const;

export type IdKind = keyof typeof idPrefixes;

const randomPart = customAlphabet('0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ', 22);

/**
 * Creates a new random id of the given kind.
 *
 * @example
 * createId('session') // → 'sesn_4fG7…' (22 random characters after the prefix)
 */
export function createId(kind: IdKind): string {
  return `${idPrefixes[kind]}_${randomPart()}`;
}

/**
 * Whether `value` looks like an id of the given kind.
 *
 * @example
 * isId('session', 'sesn_abc') // → true
 */
export function isId(kind: IdKind, value: string): boolean {
  return value.startsWith(`${idPrefixes[kind]}_`) && value.length > idPrefixes[kind].length + 1;
}
