/**
 * parallel — every worker gets the same task at once (bounded by `concurrency`); the replies are
 * aggregated: `concat` (sections in agent order), `json` (an object keyed by agent), `first` (the
 * reply that completed first, by its position in the log, so replay picks the same one), or
 * `synthesizer` (a named agent, not itself a worker, writes one answer from all replies).
 *
 * With `on_agent_error: skip`, a worker whose call fails for good is left out of the answer (and
 * out of the synthesizer's prompt); when every worker failed, or the synthesizer failed (its
 * answer is the answer), the run fails.
 *
 * Command paths: `agent:<i>` for workers, `synthesize` for the synthesizer.
 */
import { assign, setup } from 'xstate';
import { z } from 'zod';
import type { AgentReply, TopologyDefinition, TopologyInput, TopologyIssue, TopologyResult } from '../src/protocol/index.js';
import { onAgentErrorOption, requireAnswered, requireReply } from './support/agent-failure.js';
import { checkAgentReference } from './support/agent-roles.js';
import { agentCall, agentIndex, callAgentsPlaceholder, userTurn } from './support/call-agents.js';

export const parallelOptions = z.strictObject({
  concurrency: z.number().int().min(1).max(10_000).default(16).describe('Most workers in flight at once.'),
  aggregate: z
    .enum(['concat', 'json', 'first', 'synthesizer'])
    .optional()
    .describe('How replies become the answer. Default: synthesizer when `synthesizer` is set, else concat.'),
  synthesizer: z.string().optional().describe('Agent that writes the final answer from all replies; it is not a worker.'),
  on_agent_error: onAgentErrorOption('a failed worker is left out and the answer is formed from the others; when every worker failed, or the synthesizer failed, the run fails'),
});
export type ParallelOptions = z.infer<typeof parallelOptions>;

type Aggregate = NonNullable<ParallelOptions['aggregate']>;

interface ParallelContext {
  task: string;
  names: string[];
  workers: string[];
  aggregate: Aggregate;
  synthesizer: string | undefined;
  concurrency: number;
  replies: AgentReply[];
  synthesis: string | undefined;
}

/**
 * The synthesizer's prompt: the task and every worker's reply.
 *
 * @example
 * synthesisPrompt('Name a colour', [{ agent: 'a', text: 'red' }])
 */
export function synthesisPrompt(task: string, replies: ReadonlyArray<{ agent: string; text: string }>): string {
  const sections = replies.map((reply) => `### ${reply.agent}\n${reply.text}`).join('\n\n');
  return `Task: ${task}\n\n${replies.length} agents answered independently:\n\n${sections}\n\nWrite the single best answer to the task, drawing on their strengths and fixing their mistakes.`;
}

function aggregateReplies(context: ParallelContext): { answer: string; aggregation: string; details: Record<string, unknown> } {
  const byAgent = Object.fromEntries(context.replies.map((reply) => [reply.agent, reply.text]));
  switch (context.aggregate) {
    case 'json':
      return { answer: JSON.stringify(byAgent, null, 2), aggregation: 'json', details: { workers: context.workers.length } };
    case 'first': {
      const first = [...context.replies].sort((a, b) => a.completedSeq - b.completedSeq)[0];
      return { answer: first?.text ?? '', aggregation: 'first', details: { winner: first?.agent, workers: context.workers.length } };
    }
    case 'synthesizer':
      return { answer: context.synthesis ?? '', aggregation: 'synthesizer', details: { synthesizer: context.synthesizer, workers: context.workers.length } };
    case 'concat':
      return {
        answer: context.replies.map((reply) => `## ${reply.agent}\n\n${reply.text}`).join('\n\n'),
        aggregation: 'concat',
        details: { workers: context.workers.length },
      };
  }
}

const machine = setup({
  types: {
    context: {} as ParallelContext,
    input: {} as TopologyInput<ParallelOptions>,
    output: {} as TopologyResult,
  },
  actors: { callAgents: callAgentsPlaceholder },
  guards: {
    needsSynthesis: ({ context }) => context.aggregate === 'synthesizer',
  },
}).createMachine({
  id: 'parallel',
  context: ({ input }) => {
    const synthesizer = input.options.synthesizer;
    const names = input.agents.map((agent) => agent.name);
    return {
      task: input.task,
      names,
      workers: names.filter((name) => name !== synthesizer),
      aggregate: input.options.aggregate ?? (synthesizer !== undefined ? 'synthesizer' : 'concat'),
      synthesizer,
      concurrency: input.options.concurrency,
      replies: [],
      synthesis: undefined,
    };
  },
  initial: 'working',
  states: {
    working: {
      invoke: {
        src: 'callAgents',
        input: ({ context }) => ({
          calls: context.workers.map((name) => agentCall(`agent:${agentIndex(context.names, name)}`, name, userTurn(context.task), { phase: 'work' })),
          concurrency: context.concurrency,
        }),
        onDone: { target: 'aggregating', actions: assign({ replies: ({ event }) => requireAnswered('parallel', event.output, 'every worker failed') }) },
      },
    },
    aggregating: {
      always: [{ guard: 'needsSynthesis', target: 'synthesizing' }, { target: 'done' }],
    },
    synthesizing: {
      invoke: {
        src: 'callAgents',
        input: ({ context }) => ({
          calls: [agentCall('synthesize', context.synthesizer as string, userTurn(synthesisPrompt(context.task, context.replies)), { phase: 'synthesize' })],
        }),
        onDone: { target: 'done', actions: assign({ synthesis: ({ event }) => requireReply('parallel', 'synthesizer', event.output[0]) }) },
      },
    },
    done: { type: 'final' },
  },
  output: ({ context }) => ({ ...aggregateReplies(context), reason: 'all_agents_done' }),
});

export const parallelTopology: TopologyDefinition<ParallelOptions> = {
  name: 'parallel',
  description: 'All agents on the same task with bounded concurrency; aggregate by concat, json, first, or a synthesizer agent.',
  steering: 'All workers run in one batch, so a message sent while they work goes to the synthesizer (aggregate `synthesizer`), and with any other aggregate becomes the next turn. During the synthesis it becomes the next turn.',
  options: parallelOptions,
  minAgents: 1,
  check(options, agents): TopologyIssue[] {
    const issues = checkAgentReference(agents, 'synthesizer', options.synthesizer);
    if (options.aggregate === 'synthesizer' && options.synthesizer === undefined) {
      issues.push({ path: ['options', 'aggregate'], message: 'aggregate "synthesizer" needs options.synthesizer: the name of the agent that writes the answer' });
    }
    if (options.synthesizer !== undefined && options.aggregate !== undefined && options.aggregate !== 'synthesizer') {
      issues.push({ path: ['options', 'synthesizer'], message: `options.synthesizer is set but aggregate is "${options.aggregate}"`, hint: 'drop one of them' });
    }
    if (options.synthesizer !== undefined && agents.length < 2) {
      issues.push({ path: ['agents'], message: 'a parallel topology with a synthesizer needs at least one other agent' });
    }
    return issues;
  },
  machine,
};
