/**
 * hierarchical — a manager plans, workers execute, the manager synthesizes. The manager replies with
 * a structured plan `{ subtasks: [{ id, worker, instruction }] }` (at most `max_subtasks`, each
 * `worker` one of the worker agents, ids unique); an invalid plan gets one corrective retry, and a
 * plan still invalid after it ends the run with reason `invalid_plan` (empty answer, the parse error
 * in `details.error`). Workers run their subtasks with at most `concurrency` in flight; the manager
 * then writes the final answer from every result (reason `all_subtasks_done`). Depth comes from
 * nesting: a worker slot may itself be a hierarchical (or any) topology. Alias: `star`.
 *
 * With `on_agent_error: skip`, a subtask whose worker fails for good is left out of the synthesis
 * (its id in `details.failed_subtasks`); when every subtask failed, or the manager's plan or
 * synthesis failed (there is nothing to go on without them), the run fails.
 *
 * Command paths: `plan`, `plan/retry:1`, `subtask:<i>` (i = position in the plan, from 1), `synthesize`.
 */
import { assign, setup } from 'xstate';
import { z } from 'zod';
import type { AgentSlot, Message, TopologyDefinition, TopologyInput, TopologyIssue, TopologyResult } from '../src/protocol/index.js';
import { onAgentErrorOption, requireAnswered, requireReply } from './support/agent-failure.js';
import { checkAgentReference } from './support/agent-roles.js';
import { agentCall, callAgentsPlaceholder, userTurn } from './support/call-agents.js';
import { correctionMessages, describeSchema, jsonResponseFormat, parseStructured } from './support/structured-output.js';

export const hierarchicalOptions = z.strictObject({
  manager: z.string().optional().describe('Agent that plans and synthesizes; it is not a worker. Default: the first agent.'),
  max_subtasks: z.number().int().min(1).max(100).default(8).describe('Most subtasks a plan may hold; a longer plan is invalid.'),
  concurrency: z.number().int().min(1).max(1000).default(4).describe('Most subtasks in flight at once.'),
  on_agent_error: onAgentErrorOption('a failed subtask is left out of the synthesis; when every subtask failed, or the manager\'s plan or synthesis failed, the run fails'),
});
export type HierarchicalOptions = z.infer<typeof hierarchicalOptions>;

export interface Subtask {
  id: string;
  worker: string;
  instruction: string;
}

type PlanOutcome = { ok: true; value: { subtasks: Subtask[] } } | { ok: false; error: string };

interface HierarchicalContext {
  task: string;
  manager: string;
  workers: Array<{ name: string; description: string | undefined }>;
  options: HierarchicalOptions;
  planMessages: Message[];
  planReply: string;
  outcome: PlanOutcome | undefined;
  retried: boolean;
  results: Array<Subtask & { text: string }>;
  /** Ids of subtasks whose workers failed and were skipped. */
  failedSubtasks: string[];
  synthesis: string;
}

/**
 * The schema a plan must match: workers restricted to `workers`, at most `maxSubtasks`, unique ids.
 *
 * @example
 * parseStructured(reply, planSchema(['researcher', 'writer'], 8))
 */
export function planSchema(workers: readonly string[], maxSubtasks: number) {
  const subtask = z.strictObject({
    id: z.string().min(1).describe('Short unique id of the subtask'),
    worker: z.enum(workers as [string, ...string[]]).describe('Name of the worker that does it'),
    instruction: z.string().min(1).describe('What the worker must do, self-contained'),
  });
  return z.strictObject({
    subtasks: z
      .array(subtask)
      .min(1)
      .max(maxSubtasks)
      .superRefine((subtasks, context) => {
        subtasks.forEach((entry, index) => {
          if (subtasks.findIndex((other) => other.id === entry.id) !== index) {
            context.addIssue({ code: 'custom', path: [index, 'id'], message: `duplicate subtask id "${entry.id}"` });
          }
        });
      }),
  });
}

/**
 * The manager's planning prompt: the task, the workers (with descriptions) and the plan format.
 *
 * @example
 * planPrompt('Write a report', [{ name: 'researcher', description: 'finds facts' }], 8)
 */
export function planPrompt(task: string, workers: ReadonlyArray<{ name: string; description: string | undefined }>, maxSubtasks: number): string {
  const roster = workers.map((worker) => `- ${worker.name}${worker.description !== undefined ? `: ${worker.description}` : ''}`).join('\n');
  return (
    `Task: ${task}\n\nYou are the manager. Split the task into at most ${maxSubtasks} self-contained subtasks and assign each to one of these workers:\n${roster}\n\n` +
    `Reply with only JSON: {"subtasks": [{"id": "<short id>", "worker": "<worker name>", "instruction": "<what to do>"}]}`
  );
}

/**
 * What a worker receives: the overall task for context and its own subtask.
 *
 * @example
 * subtaskPrompt('Write a report', { id: 'facts', worker: 'researcher', instruction: 'List 3 facts' })
 */
export function subtaskPrompt(task: string, subtask: Subtask): string {
  return `Overall task (for context): ${task}\n\nYour subtask (${subtask.id}): ${subtask.instruction}`;
}

/**
 * The manager's synthesis prompt: the task and every subtask's result, in plan order.
 *
 * @example
 * synthesisPrompt('Write a report', [{ id: 'facts', worker: 'researcher', instruction: '…', text: '…' }])
 */
export function synthesisPrompt(task: string, results: ReadonlyArray<Subtask & { text: string }>): string {
  const sections = results.map((result) => `### ${result.id} (${result.worker}): ${result.instruction}\n${result.text}`).join('\n\n');
  return `Task: ${task}\n\nYour workers finished their subtasks:\n\n${sections}\n\nWrite the final answer to the task from their results.`;
}

function schemaOf(context: HierarchicalContext) {
  return planSchema(
    context.workers.map((worker) => worker.name),
    context.options.max_subtasks,
  );
}

function slotDescription(slot: AgentSlot): string | undefined {
  return slot.description ?? ('system' in slot ? slot.system : undefined);
}

function hierarchicalResult(context: HierarchicalContext): TopologyResult {
  const retried = context.retried;
  if (context.outcome === undefined || !context.outcome.ok) {
    const error = context.outcome?.ok === false ? context.outcome.error : 'no plan';
    return { answer: '', reason: 'invalid_plan', aggregation: 'none', details: { manager: context.manager, error, reply: context.planReply, retried } };
  }
  return {
    answer: context.synthesis,
    reason: 'all_subtasks_done',
    aggregation: 'manager_synthesis',
    details: {
      manager: context.manager,
      retried,
      subtasks: context.results.map(({ id, worker }) => ({ id, worker })),
      ...(context.failedSubtasks.length > 0 ? { failed_subtasks: context.failedSubtasks } : {}),
    },
  };
}

const machine = setup({
  types: {
    context: {} as HierarchicalContext,
    input: {} as TopologyInput<HierarchicalOptions>,
    output: {} as TopologyResult,
  },
  actors: { callAgents: callAgentsPlaceholder },
  guards: {
    planValid: ({ context }) => context.outcome?.ok === true,
  },
}).createMachine({
  id: 'hierarchical',
  context: ({ input }) => {
    const manager = input.options.manager ?? (input.agents[0] as AgentSlot).name;
    const workers = input.agents.filter((agent) => agent.name !== manager).map((agent) => ({ name: agent.name, description: slotDescription(agent) }));
    return {
      task: input.task,
      manager,
      workers,
      options: input.options,
      planMessages: userTurn(planPrompt(input.task, workers, input.options.max_subtasks)),
      planReply: '',
      outcome: undefined,
      retried: false,
      results: [],
      failedSubtasks: [],
      synthesis: '',
    };
  },
  initial: 'planning',
  states: {
    planning: {
      invoke: {
        src: 'callAgents',
        input: ({ context }) => ({
          calls: [{ ...agentCall('plan', context.manager, context.planMessages, { phase: 'plan' }), responseFormat: jsonResponseFormat('plan', schemaOf(context)) }],
        }),
        onDone: {
          target: 'reviewingPlan',
          actions: assign(({ context, event }) => {
            const text = requireReply('hierarchical', 'manager', event.output[0]);
            return { planReply: text, outcome: parseStructured(text, schemaOf(context)) };
          }),
        },
      },
    },
    reviewingPlan: {
      always: [{ guard: 'planValid', target: 'working' }, { target: 'correcting' }],
    },
    correcting: {
      invoke: {
        src: 'callAgents',
        input: ({ context }) => {
          const error = context.outcome?.ok === false ? context.outcome.error : '';
          const messages = correctionMessages(context.planMessages, context.planReply, error, describeSchema(schemaOf(context)));
          return { calls: [{ ...agentCall('plan/retry:1', context.manager, messages, { phase: 'plan' }), responseFormat: jsonResponseFormat('plan', schemaOf(context)) }] };
        },
        onDone: {
          target: 'reviewingCorrection',
          actions: assign(({ context, event }) => {
            const text = requireReply('hierarchical', 'manager', event.output[0]);
            return { planReply: text, outcome: parseStructured(text, schemaOf(context)), retried: true };
          }),
        },
      },
    },
    reviewingCorrection: {
      always: [{ guard: 'planValid', target: 'working' }, { target: 'failed' }],
    },
    working: {
      invoke: {
        src: 'callAgents',
        input: ({ context }) => {
          const subtasks = context.outcome?.ok === true ? context.outcome.value.subtasks : [];
          return {
            calls: subtasks.map((subtask, index) => agentCall(`subtask:${index + 1}`, subtask.worker, userTurn(subtaskPrompt(context.task, subtask)), { phase: 'work' })),
            concurrency: context.options.concurrency,
          };
        },
        onDone: {
          target: 'synthesizing',
          actions: assign(({ context, event }) => {
            const subtasks = context.outcome?.ok === true ? context.outcome.value.subtasks : [];
            requireAnswered('hierarchical', event.output, 'every subtask failed');
            const done = subtasks.flatMap((subtask, index) => (event.output[index]?.skipped === undefined ? [{ ...subtask, text: event.output[index]?.text ?? '' }] : []));
            return { results: done, failedSubtasks: subtasks.filter((_, index) => event.output[index]?.skipped !== undefined).map((subtask) => subtask.id) };
          }),
        },
      },
    },
    synthesizing: {
      invoke: {
        src: 'callAgents',
        input: ({ context }) => ({ calls: [agentCall('synthesize', context.manager, userTurn(synthesisPrompt(context.task, context.results)), { phase: 'synthesize' })] }),
        onDone: { target: 'done', actions: assign({ synthesis: ({ event }) => requireReply('hierarchical', 'manager', event.output[0]) }) },
      },
    },
    done: { type: 'final' },
    failed: { type: 'final' },
  },
  output: ({ context }) => hierarchicalResult(context),
});

export const hierarchicalTopology: TopologyDefinition<HierarchicalOptions> = {
  name: 'hierarchical',
  description: 'A manager plans subtasks as structured output, workers execute them with bounded concurrency, the manager synthesizes; nests for depth.',
  steering: 'During planning, every worker\'s subtask receives it (or the manager\'s plan retry, if the plan is invalid); during the subtasks, the manager\'s synthesis. During the synthesis, or a retry whose plan is still invalid, it becomes the next turn.',
  options: hierarchicalOptions,
  minAgents: 2,
  check(options, agents): TopologyIssue[] {
    const issues = checkAgentReference(agents, 'manager', options.manager);
    const manager = options.manager ?? agents[0]?.name;
    if (agents.filter((agent) => agent.name !== manager).length < 1) {
      issues.push({ path: ['agents'], message: 'a hierarchical topology needs at least one worker besides the manager' });
    }
    return issues;
  },
  machine,
};
