/**
 * Identifiers. Resources get prefixed random ids (`sesn_…`, `sevt_…`) that match the Managed Agents
 * API, so one id works in both HTTP APIs; event ids are a random start per process and a counter. Command ids are never random: they are paths derived from
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
  vault: 'vlt',
  credential: 'vcrd',
  apiKey: 'key',
  request: 'req',
  file: 'file',
  sessionResource: 'sesrsc',
  memoryStore: 'memstore',
  memory: 'mem',
  memoryVersion: 'memver',
} as const;

export type IdKind = keyof typeof idPrefixes;

const alphabet = '0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ';
const randomPart = customAlphabet(alphabet, 22);

/**
 * Event ids are by far the most frequent (several per model call) and name nothing anyone could
 * guess their way into, so they are not drawn afresh each time: 12 random characters drawn once per
 * process (71 bits, unique across processes as any random id is) and a counter in 10 base-36 digits
 * (3.6 × 10¹⁵ ids before it would widen). Same shape as every other id: the prefix, then 22 characters.
 */
const eventIdStart = `${idPrefixes.event}_${customAlphabet(alphabet, 12)()}`;
let eventCount = 0;

/**
 * Creates a new random id of the given kind (an event id: unique, not random; see above).
 *
 * @example
 * createId('session') // → 'sesn_4fG7…' (22 random characters after the prefix)
 */
export function createId(kind: IdKind): string {
  if (kind === 'event') {
    eventCount += 1;
    return eventIdStart + eventCount.toString(36).padStart(10, '0');
  }
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
