/**
 * pipeline — stages in order. Each stage gets the task and the previous stage's output; the last
 * stage's output is the answer. `passes` > 1 runs the stages as a ring: the first stage of pass 2
 * receives the last stage's output of pass 1 (the `circular` alias).
 *
 * With `on_agent_error: skip`, a stage whose call fails for good is passed over: the next stage gets
 * the last output there is (or the task), the skipped stages are in `details.skipped_stages`, and
 * when the last stage failed the answer is the last output of a stage that answered (aggregation
 * `last_answered_stage`). When no stage answered, the run fails.
 *
 * Command paths: `pass:<p>/stage:<i>` (p from 1, i = the agent's index in `agents`).
 */
import { assign, setup } from 'xstate';
import { z } from 'zod';
import { agentsFailedError, type AgentReply, type TopologyDefinition, type TopologyInput, type TopologyIssue, type TopologyResult } from '../src/protocol/index.js';
import { onAgentErrorOption } from './support/agent-failure.js';
import { agentCall, agentIndex, callAgentsPlaceholder, userTurn } from './support/call-agents.js';

export const pipelineOptions = z.strictObject({
  passes: z.number().int().min(1).max(100).default(1).describe('How many times to run the stages in order (a ring when > 1).'),
  include_task: z.boolean().default(true).describe('Give every stage the task as well as the previous output; if false, stages after the first see only the previous output.'),
  order: z.array(z.string()).min(1).optional().describe('Agent names in stage order; default: agents in the order declared.'),
  on_agent_error: onAgentErrorOption('a failed stage is passed over and the next stage gets the last output there is; when the last stage failed, the answer is the last output of a stage that answered; when no stage answered, the run fails'),
});
export type PipelineOptions = z.infer<typeof pipelineOptions>;

interface PipelineContext {
  task: string;
  names: string[];
  stages: string[];
  passes: number;
  includeTask: boolean;
  step: number;
  outputs: Array<{ agent: string; pass: number; text: string }>;
  /** Stages whose calls failed and were skipped: `pass:<p>/stage:<i>` paths. */
  skipped: AgentReply[];
}

/**
 * The message a stage receives.
 *
 * @example
 * stagePrompt('Write a haiku', { agent: 'drafter', text: '…' }, true)
 */
export function stagePrompt(task: string, previous: { agent: string; text: string } | undefined, includeTask: boolean): string {
  if (previous === undefined) return task;
  if (!includeTask) return previous.text;
  return `Task: ${task}\n\nOutput of the previous stage (${previous.agent}):\n${previous.text}`;
}

function currentCall(context: PipelineContext) {
  const stageIndex = context.step % context.stages.length;
  const pass = Math.floor(context.step / context.stages.length) + 1;
  const agent = context.stages[stageIndex] as string;
  const previous = context.outputs[context.outputs.length - 1];
  return agentCall(`pass:${pass}/stage:${agentIndex(context.names, agent)}`, agent, userTurn(stagePrompt(context.task, previous, context.includeTask)), {
    phase: 'stage',
    round: pass,
  });
}

const machine = setup({
  types: {
    context: {} as PipelineContext,
    input: {} as TopologyInput<PipelineOptions>,
    output: {} as TopologyResult,
  },
  actors: { callAgents: callAgentsPlaceholder },
  guards: {
    // Checked before the reply is recorded: the stage that just answered was the last one.
    lastStage: ({ context }) => context.step + 1 >= context.stages.length * context.passes,
  },
  actions: {
    recordReply: assign(({ context, event }) => {
      const reply = (event as unknown as { output: AgentReply[] }).output[0] as AgentReply;
      const pass = Math.floor(context.step / context.stages.length) + 1;
      if (reply.skipped !== undefined) {
        const skipped = [...context.skipped, reply];
        if (context.step + 1 >= context.stages.length * context.passes && context.outputs.length === 0) throw agentsFailedError('pipeline', 'every stage failed', skipped);
        return { step: context.step + 1, skipped };
      }
      return { step: context.step + 1, outputs: [...context.outputs, { agent: reply.agent, pass, text: reply.text }] };
    }),
  },
}).createMachine({
  id: 'pipeline',
  context: ({ input }) => ({
    task: input.task,
    names: input.agents.map((agent) => agent.name),
    stages: input.options.order ?? input.agents.map((agent) => agent.name),
    passes: input.options.passes,
    includeTask: input.options.include_task,
    step: 0,
    outputs: [],
    skipped: [],
  }),
  initial: 'stage',
  states: {
    // One state re-entered per stage (no transient state between stages: a step is one transition).
    stage: {
      invoke: {
        src: 'callAgents',
        input: ({ context }) => ({ calls: [currentCall(context)] }),
        onDone: [
          { guard: 'lastStage', target: 'done', actions: 'recordReply' },
          { target: 'stage', reenter: true, actions: 'recordReply' },
        ],
      },
    },
    done: { type: 'final' },
  },
  output: ({ context }) => {
    const details: Record<string, unknown> = { stages: context.stages, passes: context.passes, steps: context.outputs.length };
    if (context.skipped.length > 0) details['skipped_stages'] = context.skipped.map((reply) => reply.path);
    const lastSkipped = context.skipped[context.skipped.length - 1];
    const lastStageFailed = lastSkipped !== undefined && lastSkipped.path === `pass:${context.passes}/stage:${context.names.indexOf(context.stages[context.stages.length - 1] as string)}`;
    return {
      answer: context.outputs[context.outputs.length - 1]?.text ?? '',
      reason: 'all_stages_done',
      aggregation: lastStageFailed ? 'last_answered_stage' : 'last_stage',
      details,
    };
  },
});

export const pipelineTopology: TopologyDefinition<PipelineOptions> = {
  name: 'pipeline',
  description: 'Stages in order; each gets the task and the previous output. passes > 1 makes a ring.',
  steering: 'At the next stage: the stage after the one running receives it (with `passes` > 1, the last stage of a pass is followed by the first stage of the next pass). During the very last stage it becomes the next turn.',
  options: pipelineOptions,
  minAgents: 1,
  check(options, agents): TopologyIssue[] {
    const names = new Set(agents.map((agent) => agent.name));
    return (options.order ?? []).flatMap((name, index) =>
      names.has(name) ? [] : [{ path: ['options', 'order', index], message: `options.order[${index}] names agent "${name}", which is not in agents` }],
    );
  },
  machine,
};
