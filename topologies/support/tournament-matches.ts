/**
 * Matches of a tournament: how a judge is asked, how its verdict is read, how two verdicts with the
 * answers' order swapped become one result, and who meets whom. A candidate wins a match only when
 * the judge picks it in both orders; any disagreement (a judge that always says "A", say) is a
 * draw, which is how the swap cancels position bias.
 */
import { extractAnswer } from './answers.js';
import { extractJson } from './structured-output.js';

export type Verdict = 'A' | 'B';

/** A pairing: agent names, `a` the earlier in agent order. */
export interface Pairing {
  a: string;
  b: string;
}

export interface MatchResult extends Pairing {
  round: number;
  /** The judge's pick with `a` shown first (order 1) and with `b` shown first (order 2). */
  verdicts: [Verdict | null, Verdict | null];
  /** The candidate picked in both orders, or null for a draw. */
  winner: string | null;
  /** Orders (1, 2) whose judgement failed and was skipped under `on_agent_error: skip`: no verdict, so a draw. */
  failedOrders?: number[];
}

/**
 * The judge's prompt for one order of a match. The question comes first so that a reader (or a
 * simulated judge) that looks for the first question finds the choice, not the task's question.
 *
 * @example
 * judgePrompt('Name a colour', 'red', 'blue') // → 'Which answer to the task below is better: Answer-A or Answer-B?\n\nTask: Name a colour\n\n### Answer A\nred…'
 */
export function judgePrompt(task: string, first: string, second: string, label?: string): string {
  return (
    `Which answer to the task below is better: Answer-A or Answer-B?\n\nTask: ${task}\n\n### Answer A\n${first}\n\n### Answer B\n${second}\n\n` +
    'Compare the two answers for correctness, depth and clarity, then end with a line "Winner: A" or "Winner: B".' +
    (label === undefined ? '' : `\n\n(This is ${label}.)`)
  );
}

/**
 * Which match and order a judgement belongs to, in words, for its prompt and its step.
 *
 * @example
 * matchLabel(1, 2, { a: 'alice', b: 'bob' }, 1) // → 'match 2 of round 1 (alice vs bob), order 1 of 2: Answer A is alice\'s'
 */
export function matchLabel(round: number, match: number, pairing: Pairing, order: 1 | 2): string {
  const first = order === 1 ? pairing.a : pairing.b;
  return `match ${match} of round ${round} (${pairing.a} vs ${pairing.b}), order ${order} of 2: Answer A is ${first}'s`;
}

function asVerdict(value: string | undefined): Verdict | null {
  const letter = value?.trim().replace(/^answer[\s-]+/i, '').replace(/^["'*([]+/, '').charAt(0).toUpperCase();
  return letter === 'A' || letter === 'B' ? letter : null;
}

/**
 * Which answer the judge picked: the last `Winner: A|B` line, else a JSON `{"winner": "A"}`, else a
 * `Final answer: A|B` line; null when the reply names neither.
 *
 * @example
 * parseVerdict('B is more precise.\nWinner: B') // → 'B'
 * parseVerdict('{"winner": "A"}')               // → 'A'
 */
export function parseVerdict(text: string): Verdict | null {
  const line = extractAnswer(text, 'winner\\s*\\**\\s*[:：=-]\\s*\\**\\s*((?:answer[\\s-]+)?[AB])\\b');
  if (line !== undefined) return asVerdict(line);
  const json = extractJson(text);
  if (json !== null && typeof json === 'object' && typeof (json as Record<string, unknown>)['winner'] === 'string') {
    return asVerdict((json as Record<string, string>)['winner']);
  }
  const final = extractAnswer(text, '(?:final answer)\\s*[:：]\\s*\\**\\s*((?:answer[\\s-]+)?[AB])\\b');
  return final === undefined ? null : asVerdict(final);
}

/**
 * One match from its two verdicts: order 1 shows `a` as A, order 2 shows `b` as A.
 *
 * @example
 * scoreMatch(1, { a: 'x', b: 'y' }, 'A', 'A').winner // → null (the judge only ever said "A": a draw)
 * scoreMatch(1, { a: 'x', b: 'y' }, 'A', 'B').winner // → 'x'
 */
export function scoreMatch(round: number, pairing: Pairing, first: Verdict | null, second: Verdict | null): MatchResult {
  const pickFirst = first === 'A' ? pairing.a : first === 'B' ? pairing.b : undefined;
  const pickSecond = second === 'A' ? pairing.b : second === 'B' ? pairing.a : undefined;
  const winner = pickFirst !== undefined && pickFirst === pickSecond ? pickFirst : null;
  return { ...pairing, round, verdicts: [first, second], winner };
}

/**
 * Pairings of a single-elimination round. Entrants are in agent order (their seeding); with an
 * odd count the top seed (first) gets a bye; the rest meet first against last, second against
 * second-to-last, …
 *
 * @example
 * eliminationRound(['a', 'b', 'c', 'd', 'e']) // → { pairings: [{ a: 'b', b: 'e' }, { a: 'c', b: 'd' }], bye: 'a' }
 */
export function eliminationRound(entrants: readonly string[]): { pairings: Pairing[]; bye: string | undefined } {
  const bye = entrants.length % 2 === 1 ? entrants[0] : undefined;
  const playing = bye === undefined ? entrants : entrants.slice(1);
  const pairings: Pairing[] = [];
  for (let index = 0; index < playing.length / 2; index += 1) {
    pairings.push({ a: playing[index] as string, b: playing[playing.length - 1 - index] as string });
  }
  return { pairings, bye };
}

/**
 * Every pair of candidates once, in agent order.
 *
 * @example
 * allPairings(['a', 'b', 'c']) // → [{ a: 'a', b: 'b' }, { a: 'a', b: 'c' }, { a: 'b', b: 'c' }]
 */
export function allPairings(candidates: readonly string[]): Pairing[] {
  return candidates.flatMap((a, index) => candidates.slice(index + 1).map((b) => ({ a, b })));
}
