/**
 * Seeded randomness for the offline simulator. Everything the simulator "decides" — which words a
 * persona uses, whether an arithmetic answer is right, whether a call fails — is drawn from a PRNG
 * seeded by a hash of the request, so the same request always produces the same stream and
 * `Math.random` is never used. FNV-1a (32-bit) hashes strings; mulberry32 generates the numbers.
 * Both are tiny, fast and good enough for simulation (not for cryptography).
 */

const fnvOffsetBasis = 0x811c9dc5;
const fnvPrime = 0x01000193;

/**
 * Hashes strings with 32-bit FNV-1a. Several parts are hashed as one sequence with a separator
 * between them, so `['ab', 'c']` and `['a', 'bc']` hash differently.
 *
 * @example
 * hashStrings(['persona', 'Is remote work here to stay?']) // → an unsigned 32-bit integer
 */
export function hashStrings(parts: readonly string[], seed: number = fnvOffsetBasis): number {
  let hash = seed >>> 0;
  for (let partIndex = 0; partIndex < parts.length; partIndex += 1) {
    const part = parts[partIndex] ?? '';
    for (let index = 0; index < part.length; index += 1) {
      hash ^= part.charCodeAt(index);
      hash = Math.imul(hash, fnvPrime);
    }
    // Unit separator between parts: a character that ordinary text does not contain.
    hash ^= 0x1f;
    hash = Math.imul(hash, fnvPrime);
  }
  return hash >>> 0;
}

/**
 * Derives a new seed from a seed and a label, for independent streams of draws
 * (the text, the failure decision, the stance) that come from one request.
 *
 * @example
 * const failureSeed = deriveSeed(textSeed, 'failure', 2);
 */
export function deriveSeed(seed: number, ...labels: readonly (string | number)[]): number {
  return hashStrings(labels.map(String), seed);
}

/** A deterministic source of numbers in [0, 1) and the few helpers built on it. */
export interface SeededRandom {
  /** The next number in [0, 1). */
  next(): number;
  /** An integer in [minimum, maximum], both included. */
  integer(minimum: number, maximum: number): number;
  /** True with the given probability. */
  chance(probability: number): boolean;
  /** One element of a non-empty list. */
  pick<Item>(items: readonly Item[]): Item;
  /** An index drawn with the given non-negative weights. */
  weightedIndex(weights: readonly number[]): number;
}

/**
 * Creates a mulberry32 generator from a 32-bit seed.
 *
 * @example
 * const random = createSeededRandom(hashStrings(['offline/persona', 'seed=7']));
 * random.integer(1, 10); // same value every run for this seed
 */
export function createSeededRandom(seed: number): SeededRandom {
  let state = seed >>> 0;
  const next = (): number => {
    state = (state + 0x6d2b79f5) >>> 0;
    let mixed = state;
    mixed = Math.imul(mixed ^ (mixed >>> 15), mixed | 1);
    mixed ^= mixed + Math.imul(mixed ^ (mixed >>> 7), mixed | 61);
    return ((mixed ^ (mixed >>> 14)) >>> 0) / 4294967296;
  };
  return {
    next,
    integer: (minimum, maximum) => minimum + Math.floor(next() * (maximum - minimum + 1)),
    chance: (probability) => next() < probability,
    pick: (items) => {
      if (items.length === 0) throw new RangeError('pick needs at least one item');
      return items[Math.floor(next() * items.length)] as (typeof items)[number];
    },
    weightedIndex: (weights) => {
      const total = weights.reduce((sum, weight) => sum + Math.max(0, weight), 0);
      if (total <= 0) return Math.floor(next() * weights.length);
      let remaining = next() * total;
      for (let index = 0; index < weights.length; index += 1) {
        remaining -= Math.max(0, weights[index] ?? 0);
        if (remaining < 0) return index;
      }
      return weights.length - 1;
    },
  };
}
