/**
 * Answer extraction and comparison for topologies that need to know whether agents agree:
 * pull the final answer out of free text, normalise it, and tally. Answer patterns come from
 * documents, so they run on the linear-time engine (`compileLinearRegex`), in RE2 syntax.
 */
import { compileLinearRegex, linearRegexProblem } from '../../src/protocol/index.js';

/**
 * Matches `Final answer: X` and `The answer is X` on one line; group 1 is the answer. A dash counts
 * as a separator only when a space follows it, so `The answer is -5` keeps its sign.
 */
export const defaultAnswerPattern = '(?:final answer|the answer is)\\s*(?:[:：]|-\\s)?\\s*(.+)';

/**
 * The last answer in `text` matched by `pattern` (case-insensitive; group 1 if present), or
 * undefined when there is none.
 *
 * @example
 * extractAnswer('…\nFinal answer: Yes.', defaultAnswerPattern) // → 'Yes'
 */
export function extractAnswer(text: string, pattern: string): string | undefined {
  const last = compileLinearRegex(pattern, { flags: 'i' }).last(text);
  const found = last === undefined ? undefined : (last[1] ?? last[0]);
  if (found === undefined) return undefined;
  const cleaned = found.trim().replace(/^\*+|\*+$/g, '').replace(/[.!。]+$/, '').trim();
  return cleaned === '' ? undefined : cleaned;
}

/**
 * Canonical form for comparing answers: lower case, single spaces, no surrounding quotes.
 *
 * @example
 * normalizeAnswer('  "It  Depends" ') // → 'it depends'
 */
export function normalizeAnswer(answer: string): string {
  return answer.toLowerCase().replace(/\s+/g, ' ').trim().replace(/^["'`“”‘’]+|["'`“”‘’]+$/g, '').trim();
}

export interface Tally {
  /** Normalised answer → how many gave it, in first-seen order. */
  counts: Map<string, number>;
  /** The most common answer; ties go to the one seen first. */
  leader: string | undefined;
  leaderCount: number;
  /** True when every entry had an answer and all were the same. */
  unanimous: boolean;
}

/**
 * Counts normalised answers. Entries without an answer count against unanimity.
 *
 * @example
 * tallyAnswers(['yes', 'Yes', 'no']).leader // → 'yes'
 */
export function tallyAnswers(answers: ReadonlyArray<string | undefined>): Tally {
  const counts = new Map<string, number>();
  for (const answer of answers) {
    if (answer === undefined) continue;
    const key = normalizeAnswer(answer);
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  let leader: string | undefined;
  let leaderCount = 0;
  for (const [answer, count] of counts) {
    if (count > leaderCount) {
      leader = answer;
      leaderCount = count;
    }
  }
  return { counts, leader, leaderCount, unanimous: answers.length > 0 && counts.size === 1 && leaderCount === answers.length };
}

/**
 * Why an answer pattern cannot run (it does not compile, or uses what RE2 lacks: lookaround,
 * backreferences), for option validation; undefined when it can.
 *
 * @example
 * regexError('(') // → 'invalid regular expression: missing closing ): `(`'
 * regexError('(?<=: )\\w+') // → 'lookbehind (?<=…) is not supported: conclave runs document patterns in linear time (RE2 syntax)'
 */
export function regexError(pattern: string): string | undefined {
  return linearRegexProblem(pattern, 'i');
}
