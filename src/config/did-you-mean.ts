/**
 * "Did you mean …?" suggestions for misspelt names (topologies, providers, keys). Uses the optimal
 * string alignment distance (Levenshtein plus adjacent transpositions, so `modle` is one edit from
 * `model`), compared case-insensitively, with a threshold that grows with the length of the input
 * so that short words are not "corrected" into unrelated ones.
 */

/**
 * Edit distance between two strings: insertions, deletions, substitutions and swaps of two
 * adjacent characters each cost one.
 *
 * @example
 * editDistance('debat', 'debate') // → 1
 * editDistance('modle', 'model')  // → 1
 */
export function editDistance(left: string, right: string): number {
  const columns = right.length + 1;
  // Three rows of the table are enough: the current one, the one above, and the one above that (for swaps).
  let twoUp: number[] = [];
  let above: number[] = Array.from({ length: columns }, (_, column) => column);
  for (let row = 1; row <= left.length; row += 1) {
    const current: number[] = [row];
    for (let column = 1; column < columns; column += 1) {
      const substitution = left[row - 1] === right[column - 1] ? 0 : 1;
      let best = Math.min(above[column]! + 1, current[column - 1]! + 1, above[column - 1]! + substitution);
      if (row > 1 && column > 1 && left[row - 1] === right[column - 2] && left[row - 2] === right[column - 1]) {
        best = Math.min(best, twoUp[column - 2]! + 1);
      }
      current.push(best);
    }
    twoUp = above;
    above = current;
  }
  return above[columns - 1]!;
}

/** How many edits a word of this length may be away from a suggestion: none below 3 characters. */
function allowedDistance(length: number): number {
  if (length < 3) return 0;
  return Math.max(1, Math.floor(length / 3));
}

/**
 * The candidate closest to `input`, or undefined when none is close enough. Case is ignored, so
 * `Debate` suggests `debate`; ties go to the candidate listed first.
 *
 * @example
 * suggestClosest('debat', ['debate', 'pipeline'])  // → 'debate'
 * suggestClosest('agent', ['agents', 'options'])   // → 'agents'
 * suggestClosest('xyz', ['debate', 'pipeline'])    // → undefined
 */
export function suggestClosest(input: string, candidates: Iterable<string>): string | undefined {
  const wanted = input.toLowerCase();
  const limit = allowedDistance(wanted.length);
  let best: string | undefined;
  let bestDistance = Number.POSITIVE_INFINITY;
  for (const candidate of candidates) {
    const lowered = candidate.toLowerCase();
    // The distance is at least the difference in length: most candidates need no table at all.
    if (Math.abs(lowered.length - wanted.length) > limit) continue;
    const distance = editDistance(wanted, lowered);
    if (distance <= limit && distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return best;
}

/**
 * A ready-made hint: `did you mean "x"?` when something is close, otherwise the list of valid
 * choices (when given a label for them), otherwise undefined.
 *
 * @example
 * didYouMeanHint('ofline', ['offline', 'openai'], 'known providers') // → 'did you mean "offline"?'
 * didYouMeanHint('zzz', ['offline', 'openai'], 'known providers')    // → 'known providers: offline, openai'
 */
export function didYouMeanHint(input: string, candidates: Iterable<string>, listLabel?: string): string | undefined {
  const choices = [...candidates];
  const suggestion = suggestClosest(input, choices);
  if (suggestion !== undefined) return `did you mean "${suggestion}"?`;
  if (listLabel === undefined || choices.length === 0) return undefined;
  return `${listLabel}: ${choices.join(', ')}`;
}
