/**
 * Seeds derived from positions. A call's seed is a pure function of the session seed and the
 * command id, so N samples of one model differ from each other yet are identical on replay.
 */

/**
 * 32-bit FNV-1a hash of a string.
 *
 * @example
 * hashString('debate/round:1/agent:0') // → a stable unsigned 32-bit integer
 */
export function hashString(text: string): number {
  let hash = 0x811c9dc5;
  for (let index = 0; index < text.length; index += 1) {
    hash ^= text.charCodeAt(index);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}

/**
 * Seed for the thing at `path` in a session seeded with `seed`.
 *
 * @example
 * deriveSeed(7, 'debate/round:2/agent:1/generate:0') // → same number every run
 */
export function deriveSeed(seed: number, path: string): number {
  return hashString(`${seed}:${path}`) % 2_147_483_647;
}
