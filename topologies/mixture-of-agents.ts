/**
 * mixture-of-agents — L layers of proposers. Layer 1 answers the task independently; every later
 * layer sees the task and all answers of the previous layer, labelled by agent, and writes its own
 * improved answer. An `aggregator` agent, which never proposes, writes the final answer from the
 * last layer's answers. `layers` is either a list of layers (agent names per layer) or a number N:
 * N layers of every proposer (every agent but the aggregator).
 *
 * With `on_agent_error: skip`, a proposer whose call fails for good is left out of its layer (the
 * next layer and the aggregator see the others); a layer where every proposer failed, or a failed
 * aggregator (its answer is the answer), fails the run.
 *
 * Command paths: `layer:<l>/agent:<i>` (l from 1, i = the agent's index in `agents`), `aggregate`.
 */
import { assign, setup } from 'xstate';
import { z } from 'zod';
import type { TopologyDefinition, TopologyInput, TopologyIssue, TopologyResult } from '../src/protocol/index.js';
import { onAgentErrorOption, requireAnswered, requireReply } from './support/agent-failure.js';
import { checkAgentReference } from './support/agent-roles.js';
import { agentCall, agentIndex, callAgentsPlaceholder, userTurn } from './support/call-agents.js';

export const mixtureOfAgentsOptions = z.strictObject({
  layers: z
    .union([z.number().int().min(1).max(20), z.array(z.array(z.string()).min(1)).min(1).max(20)])
    .default(2)
    .describe('Layers of proposers: a list of agent-name lists (one per layer), or N for N layers of every proposer. Default 2.'),
  aggregator: z.string().optional().describe('Agent that writes the final answer from the last layer; it never proposes. Default: the last agent in `agents`.'),
  concurrency: z.number().int().min(1).max(1000).optional().describe('Most proposers of one layer answering at once (default: all).'),
  on_agent_error: onAgentErrorOption('a failed proposer is left out of its layer and the next layer and the aggregator see the others; a layer where every proposer failed, or a failed aggregator, fails the run'),
});
export type MixtureOfAgentsOptions = z.infer<typeof mixtureOfAgentsOptions>;

interface Proposal {
  agent: string;
  text: string;
}

interface MixtureContext {
  task: string;
  names: string[];
  layers: string[][];
  aggregator: string;
  concurrency: number | undefined;
  /** Answers per finished layer, in layer order. */
  answers: Proposal[][];
  final: string | undefined;
}

function labelled(proposals: readonly Proposal[]): string {
  return proposals.map((proposal) => `### ${proposal.agent}\n${proposal.text}`).join('\n\n');
}

/**
 * What a proposer sees: the task alone in layer 1, else the task and the previous layer's answers.
 *
 * @example
 * proposerPrompt('Name a colour', [{ agent: 'a', text: 'red' }]) // layer 2 prompt citing a's answer
 */
export function proposerPrompt(task: string, previous: readonly Proposal[] | undefined): string {
  if (previous === undefined) return task;
  return `Task: ${task}\n\nAnswers from the previous layer:\n\n${labelled(previous)}\n\nUse them as references: keep what is right, fix what is wrong, and write your own best answer to the task.`;
}

/**
 * The aggregator's prompt: the task and the last layer's answers.
 *
 * @example
 * aggregatorPrompt('Name a colour', [{ agent: 'a', text: 'red' }, { agent: 'b', text: 'blue' }])
 */
export function aggregatorPrompt(task: string, last: readonly Proposal[]): string {
  return `Task: ${task}\n\n${last.length} proposers gave these answers in the final layer:\n\n${labelled(last)}\n\nSynthesise them into the single best answer to the task.`;
}

/**
 * The layers a document describes, resolved to agent names.
 *
 * @example
 * resolveLayers(2, ['a', 'b', 'agg'], 'agg') // → [['a', 'b'], ['a', 'b']]
 */
export function resolveLayers(layers: MixtureOfAgentsOptions['layers'], names: readonly string[], aggregator: string): string[][] {
  if (typeof layers !== 'number') return layers.map((layer) => [...layer]);
  const proposers = names.filter((name) => name !== aggregator);
  return Array.from({ length: layers }, () => [...proposers]);
}

const machine = setup({
  types: {
    context: {} as MixtureContext,
    input: {} as TopologyInput<MixtureOfAgentsOptions>,
    output: {} as TopologyResult,
  },
  actors: { callAgents: callAgentsPlaceholder },
  guards: {
    allLayersDone: ({ context }) => context.answers.length >= context.layers.length,
  },
}).createMachine({
  id: 'mixture-of-agents',
  context: ({ input }) => {
    const names = input.agents.map((agent) => agent.name);
    const aggregator = input.options.aggregator ?? (names[names.length - 1] as string);
    return {
      task: input.task,
      names,
      layers: resolveLayers(input.options.layers, names, aggregator),
      aggregator,
      concurrency: input.options.concurrency,
      answers: [],
      final: undefined,
    };
  },
  initial: 'proposing',
  states: {
    proposing: {
      invoke: {
        src: 'callAgents',
        input: ({ context }) => {
          const layer = context.answers.length + 1;
          const prompt = proposerPrompt(context.task, context.answers[context.answers.length - 1]);
          return {
            calls: (context.layers[layer - 1] ?? []).map((name) =>
              agentCall(`layer:${layer}/agent:${agentIndex(context.names, name)}`, name, userTurn(prompt), { phase: 'propose', round: layer }),
            ),
            ...(context.concurrency !== undefined ? { concurrency: context.concurrency } : {}),
          };
        },
        onDone: {
          target: 'next',
          actions: assign({
            answers: ({ context, event }) => [
              ...context.answers,
              requireAnswered('mixture-of-agents', event.output, `every proposer of layer ${context.answers.length + 1} failed`).map((reply) => ({ agent: reply.agent, text: reply.text })),
            ],
          }),
        },
      },
    },
    next: {
      always: [{ guard: 'allLayersDone', target: 'aggregating' }, { target: 'proposing' }],
    },
    aggregating: {
      invoke: {
        src: 'callAgents',
        input: ({ context }) => ({
          calls: [
            agentCall('aggregate', context.aggregator, userTurn(aggregatorPrompt(context.task, context.answers[context.answers.length - 1] ?? [])), {
              phase: 'aggregate',
            }),
          ],
        }),
        onDone: { target: 'done', actions: assign({ final: ({ event }) => requireReply('mixture-of-agents', 'aggregator', event.output[0]) }) },
      },
    },
    done: { type: 'final' },
  },
  output: ({ context }) => ({
    answer: context.final ?? '',
    reason: 'all_layers_done',
    aggregation: 'aggregator',
    details: { aggregator: context.aggregator, layers: context.layers, proposals: context.answers.reduce((sum, layer) => sum + layer.length, 0) },
  }),
});

export const mixtureOfAgentsTopology: TopologyDefinition<MixtureOfAgentsOptions> = {
  name: 'mixture-of-agents',
  description: 'Layers of proposers, each seeing the previous layer\'s answers; an aggregator writes the final answer.',
  steering: 'At the next layer: every proposer of that layer receives it, or the aggregator if the running layer is the last. During the aggregator\'s answer it becomes the next turn.',
  options: mixtureOfAgentsOptions,
  minAgents: 2,
  check(options, agents): TopologyIssue[] {
    const names = agents.map((agent) => agent.name);
    const issues = checkAgentReference(agents, 'aggregator', options.aggregator);
    const aggregator = options.aggregator ?? names[names.length - 1];
    if (typeof options.layers === 'number') {
      if (names.filter((name) => name !== aggregator).length === 0) issues.push({ path: ['agents'], message: 'a mixture of agents needs at least one proposer besides the aggregator' });
      return issues;
    }
    options.layers.forEach((layer, layerIndex) => {
      layer.forEach((name, index) => {
        const path = ['options', 'layers', layerIndex, index];
        if (!names.includes(name)) issues.push({ path, message: `options.layers[${layerIndex}][${index}] names agent "${name}", which is not in agents` });
        else if (name === aggregator) issues.push({ path, message: `the aggregator "${name}" cannot also be a proposer`, hint: 'name another aggregator or drop it from the layer' });
        else if (layer.indexOf(name) !== index) issues.push({ path, message: `agent "${name}" appears twice in layer ${layerIndex + 1}` });
      });
    });
    return issues;
  },
  machine,
};
