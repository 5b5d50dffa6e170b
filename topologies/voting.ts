/**
 * voting — N voters answer the task independently and the answers are counted. Voters are all the
 * agents, or, with `samples: N`, N samples of the first agent (self-consistency: the same agent at
 * N command paths, so each sample gets its own kernel-derived seed). Each reply's answer is
 * extracted with a regular expression (group 1) or from a JSON path; a reply without one abstains.
 * The `rule` decides (see support/vote-rules.ts): `majority` (more than half of all voters),
 * `plurality` (most votes), `weighted` (most weight, `weights` per agent, default 1), `unanimous`
 * (every voter), `quorum` (at least the `quorum` share of all voters). A tie at the top goes to
 * `tie_break`: `first` (the answer whose first voter comes earliest), `random` (seeded by the input
 * seed), `none` (no decision).
 *
 * Result: the answer is the winning extracted answer as its first voter wrote it. When the rule is
 * not met the reason is `no_decision` and the answer is the empty string; the plurality candidate
 * is still reported as `details.leader`. Reasons: the rule's name, `tie_break`, `no_decision`.
 * `details.tally` (normalised answer → votes, or weight under `weighted`) and `details.votes`
 * (voter → extracted answer or null) are always present.
 *
 * With `on_agent_error: skip`, a voter whose call fails for good casts no ballot (`details.failed`)
 * and the rule is decided over the ballots cast — except `quorum`, whose share is of every declared
 * voter, so failed voters count against it. No voter left fails the run.
 *
 * Command paths: `vote:<i>` (i = the agent's index in `agents`), or `sample:<i>` (i from 0).
 */
import { assign, setup } from 'xstate';
import { z } from 'zod';
import { agentsFailedError, type AgentReply, type TopologyDefinition, type TopologyInput, type TopologyIssue, type TopologyResult } from '../src/protocol/index.js';
import { onAgentErrorOption } from './support/agent-failure.js';
import { defaultAnswerPattern, extractAnswer, regexError } from './support/answers.js';
import { agentCall, agentIndex, callAgentsPlaceholder, userTurn } from './support/call-agents.js';
import { extractJson } from './support/structured-output.js';
import { decideVote, tieBreaks, voteRules, type Ballot, type VoteDecision } from './support/vote-rules.js';

const extractOptions = z.union([
  z.strictObject({ regex: z.string().min(1).describe('Regular expression (case-insensitive); group 1 is the answer, the last match counts.') }),
  z.strictObject({ json_path: z.string().min(1).describe('Dotted path into the JSON object in the reply: `answer`, `result.value`, `choices.0`.') }),
]);

export const votingOptions = z.strictObject({
  rule: z.enum(voteRules).default('plurality').describe('How votes decide: majority, plurality, weighted, unanimous or quorum. Default: plurality.'),
  samples: z
    .number()
    .int()
    .min(1)
    .max(1000)
    .optional()
    .describe('Self-consistency: call the first agent this many times (paths sample:<i>) instead of every agent once. Default: unset, every agent votes once.'),
  extract: extractOptions
    .default({ regex: defaultAnswerPattern })
    .describe('How the answer is taken from a reply: { regex } (group 1) or { json_path }. Default: the "Final answer: X" / "The answer is X" pattern.'),
  weights: z
    .record(z.string(), z.number().min(0))
    .optional()
    .describe('Weight per agent name for rule "weighted"; agents not listed weigh 1.'),
  quorum: z.number().gt(0).max(1).optional().describe('Share of all voters the winner needs under rule "quorum" (0 < q ≤ 1). Default: 2/3.'),
  tie_break: z.enum(tieBreaks).default('first').describe('A tie at the top: first (earliest voter in agent order), random (seeded), none (no decision). Default: first.'),
  concurrency: z.number().int().min(1).max(10_000).optional().describe('Most voters answering at once (default: all).'),
  on_agent_error: onAgentErrorOption('a failed voter casts no ballot (a reply without an answer, by contrast, abstains and counts as a voter) and the vote is decided over the ballots cast; a quorum still counts every declared voter, so it may require more; when every voter failed the run fails'),
});
export type VotingOptions = z.infer<typeof votingOptions>;

/** Quorum share used when `quorum` is not set. */
export const defaultQuorum = 2 / 3;

interface Voter {
  id: string;
  agent: string;
  path: string;
}

interface VotingContext {
  task: string;
  seed: number;
  options: VotingOptions;
  voters: Voter[];
  ballots: Ballot[];
  /** Voters whose calls failed and were skipped: not in `ballots`. */
  failed: string[];
  decision: VoteDecision | undefined;
}

/**
 * The value at a dotted path inside a JSON value, as text; undefined when absent or null.
 *
 * @example
 * readJsonPath({ result: { answer: 42 } }, 'result.answer') // → '42'
 */
export function readJsonPath(value: unknown, path: string): string | undefined {
  let current = value;
  for (const key of path.split('.')) {
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Record<string, unknown>)[key];
  }
  if (current === undefined || current === null) return undefined;
  const text = typeof current === 'string' ? current.trim() : JSON.stringify(current);
  return text === '' ? undefined : text;
}

/**
 * A voter's answer in `text`, by the `extract` option; undefined is an abstention.
 *
 * @example
 * extractVote('Reasoning… Final answer: 12', { regex: defaultAnswerPattern }) // → '12'
 * extractVote('{"answer": "Paris"}', { json_path: 'answer' })               // → 'Paris'
 */
export function extractVote(text: string, extract: VotingOptions['extract']): string | undefined {
  if ('json_path' in extract) return readJsonPath(extractJson(text), extract.json_path);
  return extractAnswer(text, extract.regex);
}

/**
 * The prompt every voter receives: the task and how to state the answer so it can be counted.
 *
 * @example
 * voterPrompt('What is 2+2?', { regex: defaultAnswerPattern }) // → 'What is 2+2?\n\n… "Final answer: <your answer>".'
 */
export function voterPrompt(task: string, extract: VotingOptions['extract']): string {
  if ('json_path' in extract) return `${task}\n\nReply with a JSON object whose "${extract.json_path}" field holds your answer.`;
  if (extract.regex === defaultAnswerPattern) return `${task}\n\nThink it through, then end with a line "Final answer: <your answer>".`;
  return task;
}

function votersOf(input: TopologyInput<VotingOptions>): Voter[] {
  const names = input.agents.map((agent) => agent.name);
  const samples = input.options.samples;
  if (samples !== undefined) {
    const agent = names[0] as string;
    return Array.from({ length: samples }, (_, index) => ({ id: `sample:${index}`, agent, path: `sample:${index}` }));
  }
  return names.map((name) => ({ id: name, agent: name, path: `vote:${agentIndex(names, name)}` }));
}

function votingResult(context: VotingContext): TopologyResult {
  const decision = context.decision as VoteDecision;
  const votes = Object.fromEntries(context.ballots.map((ballot) => [ballot.voter, ballot.answer ?? null]));
  const details: Record<string, unknown> = {
    rule: context.options.rule,
    tie_break: context.options.tie_break,
    voters: context.ballots.length,
    abstentions: context.ballots.filter((ballot) => ballot.answer === undefined).length,
    tally: decision.tally,
    votes,
    leader: decision.leader,
  };
  if (context.failed.length > 0) details['failed'] = context.failed;
  if (decision.tied.length > 0) details['tied'] = decision.tied;
  if (context.options.rule === 'quorum') details['quorum'] = context.options.quorum ?? defaultQuorum;
  return { answer: decision.answer, reason: decision.reason, aggregation: context.options.rule, details };
}

const machine = setup({
  types: {
    context: {} as VotingContext,
    input: {} as TopologyInput<VotingOptions>,
    output: {} as TopologyResult,
  },
  actors: { callAgents: callAgentsPlaceholder },
  guards: {
    decided: ({ context }) => context.decision !== undefined && context.decision.reason !== 'no_decision',
  },
}).createMachine({
  id: 'voting',
  context: ({ input }) => ({ task: input.task, seed: input.seed, options: input.options, voters: votersOf(input), ballots: [], failed: [], decision: undefined }),
  initial: 'voting',
  states: {
    voting: {
      invoke: {
        src: 'callAgents',
        input: ({ context }) => ({
          calls: context.voters.map((voter) => agentCall(voter.path, voter.agent, userTurn(voterPrompt(context.task, context.options.extract)), { phase: 'vote' })),
          ...(context.options.concurrency !== undefined ? { concurrency: context.options.concurrency } : {}),
        }),
        onDone: {
          target: 'counting',
          actions: assign(({ context, event }) => {
            const replies = event.output;
            const failed = context.voters.filter((_, index) => replies[index]?.skipped !== undefined);
            if (failed.length === context.voters.length) throw agentsFailedError('voting', 'every voter failed, so there is nothing to count', replies);
            const ballots = context.voters.flatMap((voter, index) => {
              const reply = replies[index] as AgentReply;
              if (reply.skipped !== undefined) return [];
              return [{ voter: voter.id, answer: extractVote(reply.text, context.options.extract), weight: context.options.weights?.[voter.agent] ?? 1 }];
            });
            const settings = {
              rule: context.options.rule,
              quorum: context.options.quorum ?? defaultQuorum,
              tieBreak: context.options.tie_break,
              seed: context.seed,
              quorumOf: context.voters.length,
            };
            return { ballots, failed: failed.map((voter) => voter.id), decision: decideVote(ballots, settings) };
          }),
        },
      },
    },
    counting: {
      always: [{ guard: 'decided', target: 'decided' }, { target: 'undecided' }],
    },
    decided: { type: 'final' },
    undecided: { type: 'final' },
  },
  output: ({ context }) => votingResult(context),
});

export const votingTopology: TopologyDefinition<VotingOptions> = {
  name: 'voting',
  description: 'N voters (or N samples of one agent: self-consistency); answers extracted by regex or JSON path; majority, plurality, weighted, unanimous or quorum rule; tie-break.',
  steering: 'All voters (or `samples`) answer in one batch and no step follows it, so a message sent while they vote becomes the next turn.',
  options: votingOptions,
  minAgents: 1,
  check(options, agents): TopologyIssue[] {
    const issues: TopologyIssue[] = [];
    const names = new Set(agents.map((agent) => agent.name));
    if ('regex' in options.extract) {
      const problem = regexError(options.extract.regex);
      if (problem !== undefined) issues.push({ path: ['options', 'extract', 'regex'], message: `options.extract.regex is not a valid regular expression: ${problem}` });
    }
    for (const name of Object.keys(options.weights ?? {})) {
      if (!names.has(name)) {
        issues.push({ path: ['options', 'weights', name], message: `options.weights names agent "${name}", which is not in agents`, hint: `agents are: ${[...names].join(', ')}` });
      }
    }
    if (options.weights !== undefined && options.rule !== 'weighted') {
      issues.push({ path: ['options', 'weights'], message: `options.weights is set but rule is "${options.rule}"`, hint: 'use rule: weighted, or drop weights' });
    }
    if (options.quorum !== undefined && options.rule !== 'quorum') {
      issues.push({ path: ['options', 'quorum'], message: `options.quorum is set but rule is "${options.rule}"`, hint: 'use rule: quorum, or drop quorum' });
    }
    if (options.samples !== undefined && agents.length > 1) {
      issues.push({ path: ['agents'], message: `with options.samples only the first agent is sampled, but ${agents.length} agents are declared`, hint: 'declare one agent, or drop samples to let every agent vote' });
    }
    return issues;
  },
  machine,
};
