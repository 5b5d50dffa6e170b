// Pairwise statistics: win-rate and games matrices, and a Bradley–Terry ranking whose bootstrap
// intervals are deterministic and separate a dominant contestant from a weak one.
import { describe, expect, it } from 'vitest';
import { isConclaveError } from '../../src/protocol/index.js';
import { pairwiseMatchOf, pairwiseStats, type PairwiseMatch } from '../../src/bench/pairwise-stats.js';

/** `count` matches of a against b, of which a wins `aWins`, draws `draws`, and loses the rest. */
function series(a: string, b: string, count: number, aWins: number, draws = 0): PairwiseMatch[] {
  return Array.from({ length: count }, (_, index) => ({ a, b, wins: index < aWins ? 1 : index < aWins + draws ? 0.5 : 0 }));
}

const names = ['strong', 'middle', 'weak'];
const matches = [...series('strong', 'middle', 20, 16, 2), ...series('strong', 'weak', 20, 19), ...series('middle', 'weak', 20, 13, 2)];

describe('pairwiseStats', () => {
  it('ranks a dominant contestant first with its interval above the weakest one', () => {
    const stats = pairwiseStats(names, matches);
    expect(stats.contestants).toEqual(names);
    expect(stats.ranking.map((entry) => entry.name)).toEqual(['strong', 'middle', 'weak']);
    const [strong, , weak] = stats.ranking;
    expect(strong && weak && strong.low > weak.high).toBe(true);
    for (const entry of stats.ranking) {
      expect(entry.low).toBeLessThanOrEqual(entry.high);
      expect(entry.strength).toBeGreaterThanOrEqual(0);
    }
    expect(stats.ranking.reduce((sum, entry) => sum + entry.strength, 0)).toBeCloseTo(1, 9);
  });

  it('fills symmetric win-rate and games matrices', () => {
    const { winRate, games } = pairwiseStats(names, matches);
    expect(games).toEqual([
      [0, 20, 20],
      [20, 0, 20],
      [20, 20, 0],
    ]);
    expect(winRate[0]?.[1]).toBeCloseTo(17 / 20, 12);
    for (let row = 0; row < names.length; row += 1) {
      expect(winRate[row]?.[row]).toBeNull();
      for (let column = 0; column < names.length; column += 1) {
        if (row === column) continue;
        expect((winRate[row]?.[column] as number) + (winRate[column]?.[row] as number)).toBeCloseTo(1, 12);
      }
    }
  });

  it('is deterministic across calls and depends on the seed', () => {
    expect(pairwiseStats(names, matches)).toEqual(pairwiseStats(names, matches));
    const reseeded = pairwiseStats(names, matches, { seed: 7 });
    expect(reseeded.ranking.map((entry) => entry.strength)).toEqual(pairwiseStats(names, matches).ranking.map((entry) => entry.strength));
    expect(reseeded.ranking.map((entry) => entry.low)).not.toEqual(pairwiseStats(names, matches).ranking.map((entry) => entry.low));
  });

  it('handles two players, ties and a player without games', () => {
    const tied = pairwiseStats(['a', 'b', 'idle'], series('a', 'b', 6, 2, 2));
    expect(tied.ranking.map((entry) => [entry.name, entry.strength])).toEqual([
      ['a', 0.5],
      ['b', 0.5],
      ['idle', 0],
    ]);
    expect(tied.winRate[0]).toEqual([null, 0.5, null]);
    expect(tied.games[2]).toEqual([0, 0, 0]);
    expect(tied.ranking[2]).toEqual({ name: 'idle', strength: 0, low: 0, high: 0 });

    const shutout = pairwiseStats(['a', 'b'], series('a', 'b', 5, 0));
    expect(shutout.ranking.map((entry) => [entry.name, entry.strength])).toEqual([
      ['b', 1],
      ['a', 0],
    ]);
    expect(shutout.winRate).toEqual([
      [null, 0],
      [1, null],
    ]);
  });

  it('gives zero strengths and point intervals without matches', () => {
    const empty = pairwiseStats(['a', 'b'], []);
    expect(empty.ranking).toEqual([
      { name: 'a', strength: 0, low: 0, high: 0 },
      { name: 'b', strength: 0, low: 0, high: 0 },
    ]);
    expect(empty.winRate).toEqual([
      [null, null],
      [null, null],
    ]);
  });

  it('rejects unknown contestants, self-play and impossible scores', () => {
    for (const bad of [{ a: 'a', b: 'zed', wins: 1 }, { a: 'a', b: 'a', wins: 1 }, { a: 'a', b: 'b', wins: 2 }]) {
      expect(() => pairwiseStats(['a', 'b'], [bad]), JSON.stringify(bad)).toThrow(expect.objectContaining({ code: 'invalid_argument' }));
    }
    try {
      pairwiseStats(['a', 'b'], [{ a: 'a', b: 'zed', wins: 1 }]);
    } catch (error) {
      expect(isConclaveError(error) && error.message).toBe('match between "a" and "zed": "zed" is not among a, b');
    }
  });
});

describe('pairwiseMatchOf', () => {
  it('scores a tournament match from the first contestant’s side', () => {
    expect(pairwiseMatchOf({ a: 'x', b: 'y', winner: 'x' })).toEqual({ a: 'x', b: 'y', wins: 1 });
    expect(pairwiseMatchOf({ a: 'x', b: 'y', winner: 'y' })).toEqual({ a: 'x', b: 'y', wins: 0 });
    expect(pairwiseMatchOf({ a: 'x', b: 'y', winner: null })).toEqual({ a: 'x', b: 'y', wins: 0.5 });
  });
});
