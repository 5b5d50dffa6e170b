/**
 * Identifiers. Resources get prefixed random ids (`sesn_…`, `sevt_…`) that match the Managed Agents
 * API, so one id works in both HTTP APIs; event ids are a random start per process and a counter.
 * Session ids begin with their creation time, so they sort by it. Command ids are never random:
 * they are paths derived from the position in the topology (see `commands.ts`), which is what makes
 * replay possible.
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
 * createId('session') // → 'sesn_0miq3k2x84fG7…' (the creation time, then 13 random characters)
 */
export function createId(kind: IdKind): string {
  if (kind === 'event') {
    eventCount += 1;
    return eventIdStart + eventCount.toString(36).padStart(10, '0');
  }
  if (kind === 'session') return `${idPrefixes.session}_${Date.now().toString(36).padStart(sessionTimeLength, '0')}${sessionRandomPart()}`;
  return `${idPrefixes[kind]}_${randomPart()}`;
}

/**
 * A session id is its creation time in milliseconds, in 9 base-36 digits (in ASCII order, so ids
 * compare as their times do, until the year 3700), then 13 random characters (77 bits: nobody
 * guesses one). Stores index events by session id: a new session's keys then land at the end of
 * the index, beside those of sessions created just before it, instead of at a random place — on
 * SQLite ≈ 9 % less of a pipeline step's commit, and a group commit of 1,000 sessions' steps ≈ 13 ms
 * instead of 19–25 ms (measured at the SQL level, 2026-12-05). Same shape as every other id: the prefix, then 22 characters.
 */
const sessionTimeLength = 9;
const sessionRandomPart = customAlphabet(alphabet, 22 - sessionTimeLength);

/**
 * Whether `value` looks like an id of the given kind.
 *
 * @example
 * isId('session', 'sesn_abc') // → true
 */
export function isId(kind: IdKind, value: string): boolean {
  return value.startsWith(`${idPrefixes[kind]}_`) && value.length > idPrefixes[kind].length + 1;
}
