/**
 * Deciding a vote: count ballots under a rule, find who qualifies, and break ties. Kept apart from
 * the voting machine so the arithmetic of every rule can be read (and tested) on its own. Ties are
 * broken by voter order or by a seeded hash, never by `Math.random`, so a replay decides the same.
 */
import { normalizeAnswer } from './answers.js';

export const voteRules = ['majority', 'plurality', 'weighted', 'unanimous', 'quorum'] as const;
export type VoteRule = (typeof voteRules)[number];

export const tieBreaks = ['first', 'random', 'none'] as const;
export type TieBreak = (typeof tieBreaks)[number];

export type VoteReason = VoteRule | 'tie_break' | 'no_decision';

/** One voter's extracted answer; `answer` undefined is an abstention. */
export interface Ballot {
  /** Who voted: an agent name, or `sample:<i>` for self-consistency samples. */
  voter: string;
  answer: string | undefined;
  weight: number;
}

export interface VoteSettings {
  rule: VoteRule;
  /** Share of all voters the winner needs under `quorum`. */
  quorum: number;
  tieBreak: TieBreak;
  seed: number;
  /**
   * How many voters `quorum` measures its share against; default the ballots. Voting passes every
   * declared voter, so a voter skipped after failing counts against a quorum (but not against the
   * other rules, which are decided over the ballots cast).
   */
  quorumOf?: number;
}

export interface VoteDecision {
  /** The winning answer as its first voter wrote it; '' when there is no decision. */
  answer: string;
  reason: VoteReason;
  /** Normalised answer → votes (weight under `weighted`), in first-seen order. */
  tally: Record<string, number>;
  /** The answer with the most votes (weight), or null when the top is tied or nobody answered. */
  leader: string | null;
  /** Answers that met the rule with the same top score, when there was a tie. */
  tied: string[];
}

interface Candidate {
  key: string;
  written: string;
  votes: number;
  weight: number;
  firstVoter: number;
}

/**
 * A small deterministic 32-bit hash (FNV-1a) for seeded choices inside machines.
 *
 * @example
 * seededHash(7, 'a|b') === seededHash(7, 'a|b') // → true
 */
export function seededHash(seed: number, text: string): number {
  let hash = 0x811c9dc5;
  for (const char of `${seed}:${text}`) {
    hash ^= char.codePointAt(0) ?? 0;
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash;
}

function collect(ballots: readonly Ballot[]): Candidate[] {
  const byKey = new Map<string, Candidate>();
  ballots.forEach((ballot, index) => {
    if (ballot.answer === undefined) return;
    const key = normalizeAnswer(ballot.answer);
    const candidate = byKey.get(key) ?? { key, written: ballot.answer, votes: 0, weight: 0, firstVoter: index };
    candidate.votes += 1;
    candidate.weight += ballot.weight;
    byKey.set(key, candidate);
  });
  return [...byKey.values()];
}

function qualifies(candidate: Candidate, ballots: number, settings: VoteSettings): boolean {
  const voters = settings.rule === 'quorum' ? (settings.quorumOf ?? ballots) : ballots;
  switch (settings.rule) {
    case 'majority':
      return candidate.votes * 2 > voters;
    case 'unanimous':
      return candidate.votes === voters;
    case 'quorum':
      return candidate.votes >= settings.quorum * voters - 1e-9;
    case 'plurality':
    case 'weighted':
      return true;
  }
}

function topScorers(candidates: readonly Candidate[], score: (candidate: Candidate) => number): Candidate[] {
  const best = Math.max(...candidates.map(score));
  return candidates.filter((candidate) => score(candidate) === best);
}

/**
 * Decides a vote. Abstentions count as voters (so they weigh against `majority`, `unanimous` and
 * `quorum`) but back no answer. Among the answers that meet the rule, the one with the most votes
 * (weight, under `weighted`) wins; a tie at the top is broken by `tieBreak`: `first` picks the
 * answer whose first voter comes earliest, `random` picks by a hash of the seed and the tied answers,
 * `none` leaves the vote undecided.
 *
 * @example
 * decideVote([{ voter: 'a', answer: '4', weight: 1 }, { voter: 'b', answer: '4', weight: 1 }, { voter: 'c', answer: '5', weight: 1 }],
 *   { rule: 'majority', quorum: 2 / 3, tieBreak: 'first', seed: 0 })
 * // → { answer: '4', reason: 'majority', tally: { '4': 2, '5': 1 }, leader: '4', tied: [] }
 */
export function decideVote(ballots: readonly Ballot[], settings: VoteSettings): VoteDecision {
  const candidates = collect(ballots);
  const score = (candidate: Candidate): number => (settings.rule === 'weighted' ? candidate.weight : candidate.votes);
  const tally = Object.fromEntries(candidates.map((candidate) => [candidate.key, score(candidate)]));
  const leaders = candidates.length === 0 ? [] : topScorers(candidates, score);
  const leader = leaders.length === 1 ? (leaders[0] as Candidate).key : null;
  const undecided = (tied: string[]): VoteDecision => ({ answer: '', reason: 'no_decision', tally, leader, tied });

  const qualified = candidates.filter((candidate) => qualifies(candidate, ballots.length, settings));
  if (qualified.length === 0) return undecided([]);
  const top = topScorers(qualified, score);
  if (top.length === 1) return { answer: (top[0] as Candidate).written, reason: settings.rule, tally, leader, tied: [] };

  const tied = top.map((candidate) => candidate.key);
  if (settings.tieBreak === 'none') return undecided(tied);
  const chosen =
    settings.tieBreak === 'first'
      ? top.reduce((earliest, candidate) => (candidate.firstVoter < earliest.firstVoter ? candidate : earliest))
      : (top[seededHash(settings.seed, tied.join('\u0000')) % top.length] as Candidate);
  return { answer: chosen.written, reason: 'tie_break', tally, leader, tied };
}
