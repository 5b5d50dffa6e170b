/**
 * Head-to-head statistics from tournament matches: who beat whom how often (win-rate and games
 * matrices) and a Bradley–Terry ranking with 95% bootstrap intervals.
 *
 * The intervals come from resampling the matches with replacement (1000 times by default) and
 * refitting; the 2.5th and 97.5th percentiles of each player's refitted strength are its interval.
 * The resampling draws from a seeded PRNG, so the same matches always give the same intervals.
 * A player with no win has strength 0 (Bradley–Terry's maximum-likelihood estimate), which also
 * covers a player with no games.
 */
import { createSeededRandom } from '../../providers/offline/seeded-random.js';
import { ConclaveError } from '../protocol/index.js';
import { fitBradleyTerry, type PairResult } from '../../topologies/support/bradley-terry.js';
import type { PairwiseResult } from './bench-types.js';
import { quantileSorted } from './stats.js';

/** One match between two contestants: `wins` is how much of it `a` won (1, 0.5 for a draw, 0). */
export interface PairwiseMatch {
  a: string;
  b: string;
  wins: number;
}

/** Everything of a `PairwiseResult` that the matches determine (not the judge or the session count). */
export type PairwiseStats = Omit<PairwiseResult, 'judge' | 'tournaments'>;

export interface PairwiseStatsOptions {
  /** Bootstrap resamples for the intervals; 1000 unless given (0 makes each interval the point estimate). */
  resamples?: number;
  /** Seed of the resampling. */
  seed?: number;
}

/**
 * A tournament match (`winner` null for a draw) as a `PairwiseMatch`.
 *
 * @example
 * pairwiseMatchOf({ a: 'gpt', b: 'claude', winner: 'claude' }) // → { a: 'gpt', b: 'claude', wins: 0 }
 * pairwiseMatchOf({ a: 'gpt', b: 'claude', winner: null })     // → { a: 'gpt', b: 'claude', wins: 0.5 }
 */
export function pairwiseMatchOf(match: { a: string; b: string; winner: string | null }): PairwiseMatch {
  const wins = match.winner === match.a ? 1 : match.winner === match.b ? 0 : 0.5;
  return { a: match.a, b: match.b, wins };
}

function indexResults(names: readonly string[], matches: readonly PairwiseMatch[]): PairResult[] {
  const indexOf = new Map(names.map((name, index) => [name, index]));
  return matches.map((match) => {
    const a = indexOf.get(match.a);
    const b = indexOf.get(match.b);
    if (a === undefined || b === undefined) {
      const unknown = a === undefined ? match.a : match.b;
      throw new ConclaveError('invalid_argument', `match between "${match.a}" and "${match.b}": "${unknown}" is not among ${names.join(', ')}`);
    }
    if (a === b) throw new ConclaveError('invalid_argument', `"${match.a}" cannot play a match against itself`);
    if (!(match.wins >= 0 && match.wins <= 1)) {
      throw new ConclaveError('invalid_argument', `match between "${match.a}" and "${match.b}": wins must be from 0 to 1, got ${match.wins}`);
    }
    return { a, b, wins: match.wins };
  });
}

function matrices(players: number, results: readonly PairResult[]): Pick<PairwiseStats, 'winRate' | 'games'> {
  const games = Array.from({ length: players }, () => new Array<number>(players).fill(0));
  const won = Array.from({ length: players }, () => new Array<number>(players).fill(0));
  for (const { a, b, wins } of results) {
    (games[a] as number[])[b] = ((games[a] as number[])[b] as number) + 1;
    (games[b] as number[])[a] = ((games[b] as number[])[a] as number) + 1;
    (won[a] as number[])[b] = ((won[a] as number[])[b] as number) + wins;
    (won[b] as number[])[a] = ((won[b] as number[])[a] as number) + (1 - wins);
  }
  const winRate = games.map((row, player) =>
    row.map((played, other) => (player === other || played === 0 ? null : ((won[player] as number[])[other] as number) / played)),
  );
  return { winRate, games };
}

/**
 * Win-rate and games matrices (in `names` order) and the Bradley–Terry ranking, best first, with
 * 95% bootstrap intervals. Throws `invalid_argument` for a match naming an unknown contestant, a
 * contestant against itself, or `wins` outside 0..1.
 *
 * @example
 * const stats = pairwiseStats(['x', 'y'], [{ a: 'x', b: 'y', wins: 1 }, { a: 'x', b: 'y', wins: 0.5 }]);
 * stats.winRate   // → [[null, 0.75], [0.25, null]]
 * stats.ranking[0] // → { name: 'x', strength: 0.75, low: …, high: … }
 */
export function pairwiseStats(names: readonly string[], matches: readonly PairwiseMatch[], options: PairwiseStatsOptions = {}): PairwiseStats {
  const players = names.length;
  const results = indexResults(names, matches);
  const strengths = fitBradleyTerry(players, results).strengths;

  const resamples = options.resamples ?? 1000;
  const random = createSeededRandom(options.seed ?? 0x5eed);
  const samples: number[][] = names.map(() => []);
  if (results.length > 0) {
    for (let round = 0; round < resamples; round += 1) {
      const resampled = results.map(() => results[random.integer(0, results.length - 1)] as PairResult);
      fitBradleyTerry(players, resampled).strengths.forEach((strength, player) => samples[player]?.push(strength));
    }
  }

  const ranking = names.map((name, player) => {
    const strength = strengths[player] as number;
    const sorted = (samples[player] as number[]).sort((left, right) => left - right);
    if (sorted.length === 0) return { name, strength, low: strength, high: strength };
    return { name, strength, low: quantileSorted(sorted, 0.025), high: quantileSorted(sorted, 0.975) };
  });
  // A stable sort: equal strengths keep the contestants' order.
  ranking.sort((left, right) => right.strength - left.strength);
  return { contestants: [...names], ...matrices(players, results), ranking };
}
