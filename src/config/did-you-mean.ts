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
  const rows = left.length + 1;
  const columns = right.length + 1;
  const table: number[][] = Array.from({ length: rows }, (_, row) =>
    Array.from({ length: columns }, (_, column) => (row === 0 ? column : column === 0 ? row : 0)),
  );
  for (let row = 1; row < rows; row += 1) {
    for (let column = 1; column < columns; column += 1) {
      const substitution = left[row - 1] === right[column - 1] ? 0 : 1;
      let best = Math.min(
        table[row - 1]![column]! + 1,
        table[row]![column - 1]! + 1,
        table[row - 1]![column - 1]! + substitution,
      );
      if (row > 1 && column > 1 && left[row - 1] === right[column - 2] && left[row - 2] === right[column - 1]) {
        best = Math.min(best, table[row - 2]![column - 2]! + 1);
      }
      table[row]![column] = best;
    }
  }
  return table[rows - 1]![columns - 1]!;
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
    const distance = editDistance(wanted, candidate.toLowerCase());
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
