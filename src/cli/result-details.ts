/**
 * The lines under a run's final answer that say how it was reached, read from the topology's
 * `details`: a vote's tally and how a tie was broken, a debate's tally, a tournament's bracket
 * with its draws (and that a champion who won no match advanced by seeding), a router's route.
 * Topologies without such details print nothing more; `--json` carries the same details in full.
 */
import type { Styler } from './terminal.js';

type Details = Record<string, unknown>;

function isRecord(value: unknown): value is Details {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function tallyLine(tally: Details): string {
  return Object.entries(tally)
    .sort((left, right) => Number(right[1]) - Number(left[1]))
    .map(([answer, count]) => `${answer} ${String(count)}`)
    .join(' · ');
}

interface Match {
  a: string;
  b: string;
  round: number;
  winner: string | null;
  advanced?: string;
}

function matchesOf(details: Details): Match[] {
  const bracket = Array.isArray(details['bracket']) ? details['bracket'] : [];
  const fromBracket = bracket.flatMap((round) => (isRecord(round) && Array.isArray(round['matches']) ? round['matches'] : []));
  const listed = Array.isArray(details['matches']) ? details['matches'] : [];
  return [...fromBracket, ...listed].filter((match): match is Match => isRecord(match) && typeof match['a'] === 'string' && typeof match['b'] === 'string');
}

function tournamentLines(details: Details): string[] {
  const matches = matchesOf(details);
  if (matches.length === 0) return [];
  const draws = matches.filter((match) => match.winner === null);
  const lines = matches.map((match) => {
    const result = match.winner !== null ? `${match.winner} won` : `draw${match.advanced !== undefined ? `, ${match.advanced} advanced by seeding` : ''}`;
    return `round ${match.round}: ${match.a} vs ${match.b} — ${result}`;
  });
  const champion = typeof details['champion'] === 'string' ? details['champion'] : undefined;
  if (champion !== undefined && draws.length > 0 && !matches.some((match) => match.winner === champion)) {
    lines.push(`${champion} won no match outright: the judge's two orders disagreed every time, so seeding decided`);
  } else if (draws.length > 0) {
    lines.push(`${draws.length} of ${matches.length} matches drawn (the judge's two orders disagreed)`);
  }
  return lines;
}

/**
 * The explanation lines for a result's details, styled for `style`; [] when there is nothing to add.
 *
 * @example
 * describeResultDetails({ tally: { split: 2, 'it depends': 2 }, tied: ['split', 'it depends'], tie_break: 'first' }, style)
 * // → ['tally: split 2 · it depends 2', 'tie between split and it depends, broken by tie_break: first']
 */
export function describeResultDetails(details: Details | undefined | null, style: Styler): string[] {
  if (details === undefined || details === null) return [];
  const lines: string[] = [];
  if (isRecord(details['tally']) && Object.keys(details['tally']).length > 0) {
    const abstentions = typeof details['abstentions'] === 'number' && details['abstentions'] > 0 ? ` (${details['abstentions']} abstained)` : '';
    lines.push(`tally: ${tallyLine(details['tally'])}${abstentions}`);
  }
  const tied = Array.isArray(details['tied']) ? details['tied'].map(String) : [];
  if (tied.length > 1) lines.push(`tie between ${tied.join(' and ')}, broken by tie_break: ${String(details['tie_break'] ?? 'first')}`);
  lines.push(...tournamentLines(details));
  if (Array.isArray(details['chosen']) && details['chosen'].length > 0) {
    const fallback = details['method'] === 'none' ? ' (the classifier named no route: fallback)' : '';
    lines.push(`route: ${details['chosen'].map(String).join(', ')}${fallback}`);
  }
  const outcome = details['outcome'];
  if (isRecord(outcome)) {
    const answers = typeof outcome['iterations'] === 'number' ? ` after ${outcome['iterations']} answer(s)` : '';
    const feedback = outcome['result'] !== 'satisfied' && typeof outcome['feedback'] === 'string' ? ` — ${outcome['feedback']}` : '';
    lines.push(`outcome: ${String(outcome['result'])}${answers}${feedback}`);
  }
  return lines.map((line) => style.dim(line));
}
