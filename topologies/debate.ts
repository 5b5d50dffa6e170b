/**
 * debate — N debaters × R rounds. Round 1: every debater answers the task. Each later round, every
 * debater sees the other debaters' answers from the previous round (and its own history) and keeps
 * or revises its answer. Answers are extracted with `answer_pattern` (default: "Final answer: X" or
 * "The answer is X"); when every debater gives the same answer after `min_rounds`, the debate stops
 * early with reason `consensus`, else after `rounds` with reason `max_rounds`. The answer is the
 * judge's verdict when a `judge` agent is named (it does not debate), else the last message of the
 * first debater holding the consensus / most common answer (ties: the earlier debater).
 *
 * With `on_agent_error: skip`, a debater whose call fails for good leaves the debate (it is listed in
 * `details.dropped`) and the others go on; fewer than two debaters left fails the run. A failed
 * judge leaves the answer to the debaters, as if there were no judge (`details.judge_failed`).
 *
 * Command paths: `round:<r>/agent:<i>` (r from 1, i = index in `agents`), `judge`.
 */
import { assign, setup } from 'xstate';
import { z } from 'zod';
import { agentsFailedError, type AgentReply, type Message, type TopologyDefinition, type TopologyInput, type TopologyIssue, type TopologyResult } from '../src/protocol/index.js';
import { onAgentErrorOption, skippedReplies } from './support/agent-failure.js';
import { checkAgentReference } from './support/agent-roles.js';
import { defaultAnswerPattern, extractAnswer, normalizeAnswer, regexError, tallyAnswers } from './support/answers.js';
import { agentCall, agentIndex, callAgentsPlaceholder, userTurn } from './support/call-agents.js';

export const debateOptions = z.strictObject({
  rounds: z.number().int().min(1).max(50).default(3).describe('Most rounds; the debate may stop earlier on consensus.'),
  stop_on_consensus: z.boolean().default(true).describe('Stop as soon as every debater gives the same answer.'),
  min_rounds: z.number().int().min(1).max(50).default(1).describe('Rounds to hold before consensus may stop the debate.'),
  answer_pattern: z.string().default(defaultAnswerPattern).describe('Regular expression (case-insensitive) whose group 1 is a debater\'s answer.'),
  judge: z.string().optional().describe('Agent that reads the final answers and gives the verdict; it does not debate.'),
  concurrency: z.number().int().min(1).max(1000).optional().describe('Most debaters answering at once (default: all).'),
  on_agent_error: onAgentErrorOption('a failed debater leaves the debate and the others go on (at least two must be left, else the run fails); a failed judge leaves the answer to the debaters, as without a judge'),
});
export type DebateOptions = z.infer<typeof debateOptions>;

interface Turn {
  agent: string;
  text: string;
  answer: string | undefined;
}

interface DebateContext {
  task: string;
  names: string[];
  debaters: string[];
  judge: string | undefined;
  options: DebateOptions;
  round: number;
  rounds: Turn[][];
  reason: 'consensus' | 'max_rounds' | undefined;
  verdict: string | undefined;
  /** Debaters whose calls failed and were skipped, who left the debate. */
  dropped: string[];
  judgeFailed: boolean;
}

const answerInstruction = 'End with a line "Final answer: <your answer>".';

/**
 * The conversation debater `agent` sees in round `rounds.length + 1`: the task, then for each past
 * round its own answer and the others' answers.
 *
 * @example
 * debaterMessages('Is tea better than coffee?', 'alice', []) // round 1: just the task
 */
export function debaterMessages(task: string, agent: string, rounds: readonly Turn[][]): Message[] {
  const messages: Message[] = userTurn(`${task}\n\nGive your answer with your reasoning. ${answerInstruction}`);
  rounds.forEach((turns, index) => {
    const own = turns.find((turn) => turn.agent === agent);
    messages.push({ role: 'assistant', content: own?.text ?? '' });
    const others = turns.filter((turn) => turn.agent !== agent).map((turn) => `[${turn.agent}]: ${turn.text}`);
    messages.push({
      role: 'user',
      content: `Round ${index + 2}. The other debaters answered:\n\n${others.join('\n\n')}\n\nConsider their arguments. Keep or revise your answer. ${answerInstruction}`,
    });
  });
  return messages;
}

function judgePrompt(context: DebateContext): string {
  const last = context.rounds[context.rounds.length - 1] ?? [];
  const answers = last.map((turn) => `[${turn.agent}]: ${turn.text}`).join('\n\n');
  const why = context.reason === 'consensus' ? 'the debaters reached consensus' : 'the last round was held';
  return `Task: ${context.task}\n\nThe debate ended after ${context.rounds.length} round(s) because ${why}. Final positions:\n\n${answers}\n\nAs the judge, weigh the arguments and give the best answer. ${answerInstruction}`;
}

function lastTally(context: DebateContext) {
  const last = context.rounds[context.rounds.length - 1] ?? [];
  return { last, tally: tallyAnswers(last.map((turn) => turn.answer)) };
}

function debateResult(context: DebateContext): TopologyResult {
  const { last, tally } = lastTally(context);
  const details: Record<string, unknown> = {
    rounds: context.rounds.map((turns, index) => ({ round: index + 1, answers: Object.fromEntries(turns.map((turn) => [turn.agent, turn.answer ?? null])) })),
    tally: Object.fromEntries(tally.counts),
  };
  if (context.dropped.length > 0) details['dropped'] = context.dropped;
  if (context.judgeFailed) details['judge_failed'] = true;
  if (context.verdict !== undefined) {
    details['verdict'] = extractAnswer(context.verdict, context.options.answer_pattern) ?? null;
    return { answer: context.verdict, reason: context.reason ?? 'max_rounds', aggregation: 'judge', details };
  }
  const holder = last.find((turn) => turn.answer !== undefined && normalizeAnswer(turn.answer) === tally.leader);
  details['extracted'] = holder?.answer ?? null;
  if (holder === undefined) {
    return { answer: last.map((turn) => `## ${turn.agent}\n\n${turn.text}`).join('\n\n'), reason: context.reason ?? 'max_rounds', aggregation: 'concat', details };
  }
  return { answer: holder.text, reason: context.reason ?? 'max_rounds', aggregation: tally.unanimous ? 'consensus' : 'plurality', details };
}

const machine = setup({
  types: {
    context: {} as DebateContext,
    input: {} as TopologyInput<DebateOptions>,
    output: {} as TopologyResult,
  },
  actors: { callAgents: callAgentsPlaceholder },
  guards: {
    consensus: ({ context }) => context.options.stop_on_consensus && context.round >= context.options.min_rounds && lastTally(context).tally.unanimous,
    lastRound: ({ context }) => context.round >= context.options.rounds,
    hasJudge: ({ context }) => context.judge !== undefined,
  },
}).createMachine({
  id: 'debate',
  context: ({ input }) => {
    const names = input.agents.map((agent) => agent.name);
    return {
      task: input.task,
      names,
      debaters: names.filter((name) => name !== input.options.judge),
      judge: input.options.judge,
      options: input.options,
      round: 1,
      rounds: [],
      reason: undefined,
      verdict: undefined,
      dropped: [],
      judgeFailed: false,
    };
  },
  initial: 'debating',
  states: {
    debating: {
      invoke: {
        src: 'callAgents',
        input: ({ context }) => ({
          calls: context.debaters.map((name) =>
            agentCall(`round:${context.round}/agent:${agentIndex(context.names, name)}`, name, debaterMessages(context.task, name, context.rounds), {
              phase: 'debate',
              round: context.round,
            }),
          ),
          ...(context.options.concurrency !== undefined ? { concurrency: context.options.concurrency } : {}),
        }),
        onDone: {
          target: 'deciding',
          actions: assign(({ context, event }) => {
            const failed = skippedReplies(event.output);
            const debaters = context.debaters.filter((name) => !failed.some((reply) => reply.agent === name));
            if (failed.length > 0 && debaters.length < 2) {
              throw agentsFailedError('debate', `round ${context.round} left ${debaters.length} debater${debaters.length === 1 ? '' : 's'}, and a debate needs at least two`, failed);
            }
            const answered = event.output.filter((reply: AgentReply) => reply.skipped === undefined);
            return {
              debaters,
              dropped: [...context.dropped, ...failed.map((reply) => reply.agent)],
              rounds: [...context.rounds, answered.map((reply) => ({ agent: reply.agent, text: reply.text, answer: extractAnswer(reply.text, context.options.answer_pattern) }))],
            };
          }),
        },
      },
    },
    deciding: {
      always: [
        { guard: 'consensus', target: 'concluding', actions: assign({ reason: 'consensus' as const }) },
        { guard: 'lastRound', target: 'concluding', actions: assign({ reason: 'max_rounds' as const }) },
        { target: 'debating', actions: assign({ round: ({ context }) => context.round + 1 }) },
      ],
    },
    concluding: {
      always: [{ guard: 'hasJudge', target: 'judging' }, { target: 'done' }],
    },
    judging: {
      invoke: {
        src: 'callAgents',
        input: ({ context }) => ({ calls: [agentCall('judge', context.judge as string, userTurn(judgePrompt(context)), { phase: 'judge', round: context.round })] }),
        onDone: {
          target: 'done',
          actions: assign(({ event }) => (event.output[0]?.skipped !== undefined ? { judgeFailed: true } : { verdict: event.output[0]?.text })),
        },
      },
    },
    done: { type: 'final' },
  },
  output: ({ context }) => debateResult(context),
});

export const debateTopology: TopologyDefinition<DebateOptions> = {
  name: 'debate',
  description: 'N debaters × R rounds; each round every debater sees the others\' last answers; stops early on consensus; optional judge.',
  steering: 'At the next round: every debater of that round, or the judge if the rounds are over (consensus, or `rounds` reached). During the judge\'s verdict, or the last round when there is no judge, it becomes the next turn.',
  options: debateOptions,
  minAgents: 2,
  check(options, agents): TopologyIssue[] {
    const issues = checkAgentReference(agents, 'judge', options.judge);
    const problem = regexError(options.answer_pattern);
    if (problem !== undefined) issues.push({ path: ['options', 'answer_pattern'], message: `options.answer_pattern is not a valid regular expression: ${problem}` });
    if (options.min_rounds > options.rounds) {
      issues.push({ path: ['options', 'min_rounds'], message: `options.min_rounds (${options.min_rounds}) is more than options.rounds (${options.rounds})` });
    }
    const debaters = agents.filter((agent) => agent.name !== options.judge).length;
    if (debaters < 2) issues.push({ path: ['agents'], message: `a debate needs at least 2 debaters besides the judge; it has ${debaters}` });
    return issues;
  },
  machine,
};
