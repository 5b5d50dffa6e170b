/**
 * Bradley–Terry strengths from pairwise results, fitted with the minorization–maximization (MM)
 * iteration: p_i ← W_i / Σ_j n_ij / (p_i + p_j), renormalised after every sweep, until it settles.
 * W_i counts wins with a draw as half a win, n_ij the games between i and j. A player with no win
 * gets strength 0 (its maximum-likelihood estimate); strengths sum to 1.
 */

/** One game: `wins` is how much of it `a` won (1, 0.5 for a draw, 0). */
export interface PairResult {
  a: number;
  b: number;
  wins: number;
}

export interface BradleyTerryFit {
  /** Strength per player index, summing to 1. */
  strengths: number[];
  iterations: number;
}

/**
 * Fits Bradley–Terry strengths for `players` players from `results`.
 *
 * @example
 * fitBradleyTerry(2, [{ a: 0, b: 1, wins: 1 }, { a: 0, b: 1, wins: 0.5 }]).strengths // → [0.75, 0.25]
 */
export function fitBradleyTerry(players: number, results: readonly PairResult[], maxIterations = 1000, tolerance = 1e-10): BradleyTerryFit {
  const wins = new Array<number>(players).fill(0);
  const games: number[][] = Array.from({ length: players }, () => new Array<number>(players).fill(0));
  for (const result of results) {
    wins[result.a] = (wins[result.a] as number) + result.wins;
    wins[result.b] = (wins[result.b] as number) + (1 - result.wins);
    (games[result.a] as number[])[result.b] = ((games[result.a] as number[])[result.b] as number) + 1;
    (games[result.b] as number[])[result.a] = ((games[result.b] as number[])[result.a] as number) + 1;
  }
  let strengths = new Array<number>(players).fill(players === 0 ? 0 : 1 / players);
  let iterations = 0;
  while (iterations < maxIterations) {
    iterations += 1;
    const next = strengths.map((strength, player) => {
      const won = wins[player] as number;
      if (won === 0) return 0;
      let denominator = 0;
      for (let other = 0; other < players; other += 1) {
        const played = (games[player] as number[])[other] as number;
        const together = strength + (strengths[other] as number);
        if (played > 0 && together > 0) denominator += played / together;
      }
      return denominator === 0 ? strength : won / denominator;
    });
    const total = next.reduce((sum, value) => sum + value, 0);
    const normalised = total === 0 ? next : next.map((value) => value / total);
    const change = Math.max(0, ...normalised.map((value, index) => Math.abs(value - (strengths[index] as number))));
    strengths = normalised;
    if (change < tolerance) break;
  }
  return { strengths, iterations };
}
