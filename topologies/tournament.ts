/**
 * tournament — every candidate answers the task; a `judge` agent (not a candidate) compares
 * answers in pairs, each pair twice with the order swapped, and names the winner with "Winner: A"
 * or "Winner: B" (or JSON `{"winner": "A"}`). A candidate wins a match only when picked in both
 * orders; otherwise the match is a draw (half a win each), which cancels the judge's position bias.
 *
 * `single-elimination`: a bracket seeded by agent order; each round the remaining candidates meet
 * first against last, with a bye for the top seed when their number is odd; a drawn match is won by
 * the candidate earlier in agent order. The last one standing is the champion (reason `champion`),
 * every round in `details.bracket`.
 * `round-robin`: every pair meets once; candidates are ranked by points (a win 1, a draw ½), then
 * by their Bradley–Terry strength (MM fit, support/bradley-terry.ts), then by agent order (reason `ranked`,
 * `details.ranking`). The answer is the champion's (first-ranked candidate's) answer text.
 *
 * Every judgement says which match and order it is, in its prompt's last line and its step's `label`
 * ("match 2 of round 1 (a vs b), order 1 of 2: Answer A is a's").
 *
 * With `on_agent_error: skip`, a candidate whose answer fails for good forfeits: it plays no match
 * (`details.forfeited`); one candidate left is champion by walkover, none left fails the run. A
 * judgement that fails gives no verdict for its order, so the match is a draw (`failedOrders`).
 *
 * Command paths: `answer:<i>` (i = index in `agents`), `match:<round>:<i>-<j>/order:1` and
 * `…/order:2` (round from 1; round-robin plays every match in round 1).
 */
import { assign, setup } from 'xstate';
import { z } from 'zod';
import type { AgentCall, AgentReply, TopologyDefinition, TopologyInput, TopologyIssue, TopologyResult } from '../src/protocol/index.js';
import { onAgentErrorOption, requireAnswered } from './support/agent-failure.js';
import { checkAgentReference } from './support/agent-roles.js';
import { fitBradleyTerry } from './support/bradley-terry.js';
import { agentCall, agentIndex, callAgentsPlaceholder, userTurn } from './support/call-agents.js';
import { allPairings, eliminationRound, judgePrompt, matchLabel, parseVerdict, scoreMatch, type MatchResult, type Pairing } from './support/tournament-matches.js';

export const tournamentFormats = ['single-elimination', 'round-robin'] as const;

export const tournamentOptions = z.strictObject({
  judge: z.string().min(1).describe('Agent that compares pairs of answers; it is not a candidate. Required.'),
  format: z.enum(tournamentFormats).default('single-elimination').describe('single-elimination (a bracket) or round-robin (every pair, ranked). Default: single-elimination.'),
  concurrency: z.number().int().min(1).max(10_000).optional().describe('Most calls in flight at once, answers and judgements alike (default: all).'),
  on_agent_error: onAgentErrorOption('a candidate whose answer failed forfeits (one left is champion by walkover, none left fails the run); a failed judgement gives no verdict, so its match is a draw'),
});
export type TournamentOptions = z.infer<typeof tournamentOptions>;

interface BracketRound {
  round: number;
  matches: Array<MatchResult & { advanced: string }>;
  bye: string | null;
}

interface TournamentContext {
  task: string;
  names: string[];
  candidates: string[];
  options: TournamentOptions;
  answers: Record<string, string>;
  round: number;
  /** Candidates still in the bracket, in agent order. */
  entrants: string[];
  bracket: BracketRound[];
  matches: MatchResult[];
  /** Candidates whose answers failed and were skipped: they play no match. */
  forfeited: string[];
}

function matchCalls(context: TournamentContext, round: number, pairings: readonly Pairing[]): AgentCall[] {
  const judge = context.options.judge;
  return pairings.flatMap((pairing, index) => {
    const base = `match:${round}:${agentIndex(context.names, pairing.a)}-${agentIndex(context.names, pairing.b)}`;
    const first = context.answers[pairing.a] ?? '';
    const second = context.answers[pairing.b] ?? '';
    const label = (order: 1 | 2): string => matchLabel(round, index + 1, pairing, order);
    return [
      agentCall(`${base}/order:1`, judge, userTurn(judgePrompt(context.task, first, second, label(1))), { phase: 'judge', round, label: label(1) }),
      agentCall(`${base}/order:2`, judge, userTurn(judgePrompt(context.task, second, first, label(2))), { phase: 'judge', round, label: label(2) }),
    ];
  });
}

function scoreReplies(round: number, pairings: readonly Pairing[], replies: readonly AgentReply[]): MatchResult[] {
  return pairings.map((pairing, index) => {
    const orders = [replies[2 * index], replies[2 * index + 1]];
    const match = scoreMatch(round, pairing, parseVerdict(orders[0]?.text ?? ''), parseVerdict(orders[1]?.text ?? ''));
    const failedOrders = orders.flatMap((reply, order) => (reply?.skipped !== undefined ? [order + 1] : []));
    return failedOrders.length > 0 ? { ...match, failedOrders } : match;
  });
}

function batch(context: TournamentContext, calls: AgentCall[]) {
  return { calls, ...(context.options.concurrency !== undefined ? { concurrency: context.options.concurrency } : {}) };
}

/** Round-robin standings: points (a draw is half), then Bradley–Terry strength, then agent order. */
function ranking(context: TournamentContext) {
  const index = new Map(context.candidates.map((name, position) => [name, position]));
  const fit = fitBradleyTerry(
    context.candidates.length,
    context.matches.map((match) => ({ a: index.get(match.a) as number, b: index.get(match.b) as number, wins: match.winner === null ? 0.5 : match.winner === match.a ? 1 : 0 })),
  );
  const rows = context.candidates.map((agent, position) => {
    const played = context.matches.filter((match) => match.a === agent || match.b === agent);
    const wins = played.filter((match) => match.winner === agent).length;
    const draws = played.filter((match) => match.winner === null).length;
    return { agent, position, wins, draws, losses: played.length - wins - draws, points: wins + draws / 2, score: Number((fit.strengths[position] as number).toFixed(6)) };
  });
  rows.sort((left, right) => right.points - left.points || right.score - left.score || left.position - right.position);
  return rows.map(({ position: _position, ...row }, rank) => ({ rank: rank + 1, ...row }));
}

function tournamentResult(context: TournamentContext): TopologyResult {
  const base: Record<string, unknown> = { judge: context.options.judge, format: context.options.format, candidates: context.candidates.length };
  if (context.forfeited.length > 0) base['forfeited'] = context.forfeited;
  if (context.options.format === 'round-robin') {
    const table = ranking(context);
    const champion = table[0]?.agent ?? '';
    return {
      answer: context.answers[champion] ?? '',
      reason: 'ranked',
      aggregation: 'round-robin',
      details: { ...base, champion, ranking: table, matches: context.matches },
    };
  }
  const champion = context.entrants[0] ?? '';
  return { answer: context.answers[champion] ?? '', reason: 'champion', aggregation: 'single-elimination', details: { ...base, champion, bracket: context.bracket } };
}

const machine = setup({
  types: {
    context: {} as TournamentContext,
    input: {} as TopologyInput<TournamentOptions>,
    output: {} as TopologyResult,
  },
  actors: { callAgents: callAgentsPlaceholder },
  guards: {
    roundRobin: ({ context }) => context.options.format === 'round-robin',
    championFound: ({ context }) => context.entrants.length <= 1,
    // Forfeits left one candidate: it wins a bracket without a match.
    walkover: ({ context }) => context.options.format !== 'round-robin' && context.entrants.length <= 1,
  },
}).createMachine({
  id: 'tournament',
  context: ({ input }) => {
    const names = input.agents.map((agent) => agent.name);
    const candidates = names.filter((name) => name !== input.options.judge);
    return { task: input.task, names, candidates, options: input.options, answers: {}, round: 1, entrants: candidates, bracket: [], matches: [], forfeited: [] };
  },
  initial: 'answering',
  states: {
    answering: {
      invoke: {
        src: 'callAgents',
        input: ({ context }) =>
          batch(
            context,
            context.candidates.map((name) => agentCall(`answer:${agentIndex(context.names, name)}`, name, userTurn(context.task), { phase: 'answer' })),
          ),
        onDone: {
          target: 'scheduling',
          actions: assign(({ context, event }) => {
            const answered = requireAnswered('tournament', event.output, 'every candidate failed to answer');
            const playing = answered.map((reply) => reply.agent);
            return {
              answers: Object.fromEntries(answered.map((reply) => [reply.agent, reply.text])),
              candidates: playing,
              entrants: playing,
              forfeited: context.candidates.filter((name) => !playing.includes(name)),
            };
          }),
        },
      },
    },
    scheduling: {
      always: [{ guard: 'walkover', target: 'crowned' }, { guard: 'roundRobin', target: 'roundRobin' }, { target: 'bracketRound' }],
    },
    bracketRound: {
      invoke: {
        src: 'callAgents',
        input: ({ context }) => batch(context, matchCalls(context, context.round, eliminationRound(context.entrants).pairings)),
        onDone: {
          target: 'advancing',
          actions: assign(({ context, event }) => {
            const { pairings, bye } = eliminationRound(context.entrants);
            const matches = scoreReplies(context.round, pairings, event.output).map((match) => ({ ...match, advanced: match.winner ?? match.a }));
            const advancing = new Set([...(bye === undefined ? [] : [bye]), ...matches.map((match) => match.advanced)]);
            return {
              bracket: [...context.bracket, { round: context.round, matches, bye: bye ?? null }],
              entrants: context.entrants.filter((name) => advancing.has(name)),
              round: context.round + 1,
            };
          }),
        },
      },
    },
    advancing: {
      always: [{ guard: 'championFound', target: 'crowned' }, { target: 'bracketRound' }],
    },
    roundRobin: {
      invoke: {
        src: 'callAgents',
        input: ({ context }) => batch(context, matchCalls(context, 1, allPairings(context.candidates))),
        onDone: {
          target: 'ranked',
          actions: assign({ matches: ({ context, event }) => scoreReplies(1, allPairings(context.candidates), event.output) }),
        },
      },
    },
    crowned: { type: 'final' },
    ranked: { type: 'final' },
  },
  output: ({ context }) => tournamentResult(context),
});

export const tournamentTopology: TopologyDefinition<TournamentOptions> = {
  name: 'tournament',
  description: 'Candidates answer; a judge compares pairs twice with the order swapped; single-elimination bracket or round-robin with a Bradley–Terry ranking.',
  steering: 'At the next batch of judgements: while the candidates answer, every judge call of the first bracket round (round-robin: of all matches, judged in one batch); during a bracket round, every judge call of the next round. During the final bracket round or the round-robin matches it becomes the next turn.',
  options: tournamentOptions,
  minAgents: 3,
  check(options, agents): TopologyIssue[] {
    const issues = checkAgentReference(agents, 'judge', options.judge);
    const candidates = agents.filter((agent) => agent.name !== options.judge).length;
    if (candidates < 2) issues.push({ path: ['agents'], message: `a tournament needs at least 2 candidates besides the judge; it has ${candidates}` });
    return issues;
  },
  machine,
};
