/**
 * reflection — a `generator` writes an answer, one or more `critics` review it, and the generator
 * revises with their feedback until the critics approve or `max_iterations` drafts were written.
 *
 * Each critic is asked for the structured verdict `{ "verdict": "approve" | "revise", "feedback": "…" }`
 * (`responseFormat` carries its JSON Schema). A reply that does not parse as that verdict falls back
 * to text: it approves when it contains the word APPROVE (or APPROVED) in capitals, else it asks for
 * a revision with the whole reply as feedback; `details` marks such verdicts `parsed: false`.
 * Critics vote: `approval: all` needs every critic to approve, `majority` needs more than half.
 * Reasons: `approved`, `max_iterations`. The answer is always the latest draft.
 *
 * With `on_agent_error: skip`, a critic whose call fails for good gives no verdict and approval is
 * decided over the critics left (`details.verdicts` lists who answered); when every critic of an
 * iteration failed, the run fails. A failed first draft fails the run (there is no answer without
 * it); a failed revision ends the loop with the latest draft (reason `revision_failed`).
 *
 * Command paths: `iteration:<n>/generate`, `iteration:<n>/critic:<i>` (n from 1, i = index in `agents`).
 */
import { assign, setup } from 'xstate';
import { z } from 'zod';
import type { AgentReply, TopologyDefinition, TopologyInput, TopologyIssue, TopologyResult } from '../src/protocol/index.js';
import { onAgentErrorOption, requireAnswered, requireReply } from './support/agent-failure.js';
import { checkAgentReference } from './support/agent-roles.js';
import { agentCall, agentIndex, callAgentsPlaceholder, userTurn } from './support/call-agents.js';
import { jsonSchemaOf, parseStructured } from './support/structured-output.js';

export const reflectionOptions = z.strictObject({
  generator: z.string().optional().describe('Agent that writes and revises the answer. Default: the first agent in `agents`.'),
  critics: z.array(z.string()).min(1).optional().describe('Agents that review each draft. Default: every agent but the generator.'),
  approval: z.enum(['all', 'majority']).default('majority').describe('How critics\' verdicts combine: every critic, or more than half, must approve.'),
  max_iterations: z.number().int().min(1).max(50).default(3).describe('Most drafts the generator writes.'),
  concurrency: z.number().int().min(1).max(1000).optional().describe('Most critics reviewing at once (default: all).'),
  on_agent_error: onAgentErrorOption('a failed critic gives no verdict and approval is decided over the critics left (every critic failing fails the run); a failed first draft fails the run, a failed revision ends it with the latest draft (reason revision_failed)'),
});
export type ReflectionOptions = z.infer<typeof reflectionOptions>;

export const verdictSchema = z.object({
  verdict: z.enum(['approve', 'revise']),
  feedback: z.string(),
});

export interface CriticVerdict {
  critic: string;
  verdict: 'approve' | 'revise';
  feedback: string;
  /** False when the reply was not a structured verdict and the text fallback decided. */
  parsed: boolean;
}

interface ReflectionContext {
  task: string;
  names: string[];
  generator: string;
  critics: string[];
  options: ReflectionOptions;
  iteration: number;
  drafts: string[];
  verdicts: CriticVerdict[][];
  /** The generator's revision failed and was skipped: the loop ends with the latest draft. */
  revisionFailed: boolean;
}

const verdictFormat = { type: 'json' as const, schema: jsonSchemaOf(verdictSchema), name: 'verdict' };

/**
 * A critic's verdict from its reply: the structured verdict when it parses, else the text fallback.
 *
 * @example
 * readVerdict('ann', '{"verdict": "approve", "feedback": "good"}') // → { critic: 'ann', verdict: 'approve', feedback: 'good', parsed: true }
 * readVerdict('ann', 'Looks fine. APPROVE')                      // → { …, verdict: 'approve', parsed: false }
 */
export function readVerdict(critic: string, text: string): CriticVerdict {
  const parsed = parseStructured(text, verdictSchema);
  if (parsed.ok) return { critic, verdict: parsed.value.verdict, feedback: parsed.value.feedback, parsed: true };
  return { critic, verdict: /\bAPPROVED?\b/.test(text) ? 'approve' : 'revise', feedback: text.trim(), parsed: false };
}

/**
 * Whether a set of verdicts approves the draft under the `approval` rule.
 *
 * @example
 * approves([{ verdict: 'approve' }, { verdict: 'revise' }, { verdict: 'approve' }], 'majority') // → true
 */
export function approves(verdicts: ReadonlyArray<Pick<CriticVerdict, 'verdict'>>, approval: ReflectionOptions['approval']): boolean {
  const yes = verdicts.filter((verdict) => verdict.verdict === 'approve').length;
  return approval === 'all' ? verdicts.length > 0 && yes === verdicts.length : yes * 2 > verdicts.length;
}

/**
 * The generator's prompt: the task first, then the task, its last draft and the critics' feedback.
 *
 * @example
 * generatorPrompt('Write a limerick', undefined, []) // → 'Write a limerick'
 */
export function generatorPrompt(task: string, draft: string | undefined, verdicts: readonly CriticVerdict[]): string {
  if (draft === undefined) return task;
  const feedback = verdicts.map((verdict) => `### ${verdict.critic} (${verdict.verdict})\n${verdict.feedback}`).join('\n\n');
  return `Task: ${task}\n\nYour previous answer:\n${draft}\n\nReviewers' feedback:\n\n${feedback}\n\nRevise your answer to address the feedback. Reply with the complete revised answer only.`;
}

function criticPrompt(task: string, draft: string, iteration: number): string {
  const revision = iteration > 1 ? ` This is iteration ${iteration}: the answer was revised after earlier feedback.` : '';
  return `Task: ${task}\n\nAnswer to review:\n${draft}\n\nReview the answer.${revision} Reply with only JSON: {"verdict": "approve" | "revise", "feedback": "<what to improve, or why it is good>"}. Approve only an answer that fully solves the task.`;
}

function reflectionResult(context: ReflectionContext): TopologyResult {
  const last = context.verdicts[context.verdicts.length - 1] ?? [];
  const approved = approves(last, context.options.approval);
  return {
    answer: context.drafts[context.drafts.length - 1] ?? '',
    reason: context.revisionFailed ? 'revision_failed' : approved ? 'approved' : 'max_iterations',
    aggregation: 'latest_draft',
    details: {
      iterations: context.drafts.length,
      approval: context.options.approval,
      verdicts: context.verdicts.map((round, index) => ({ iteration: index + 1, verdicts: round })),
    },
  };
}

const machine = setup({
  types: {
    context: {} as ReflectionContext,
    input: {} as TopologyInput<ReflectionOptions>,
    output: {} as TopologyResult,
  },
  actors: { callAgents: callAgentsPlaceholder },
  guards: {
    approved: ({ context }) => approves(context.verdicts[context.verdicts.length - 1] ?? [], context.options.approval),
    lastIteration: ({ context }) => context.iteration >= context.options.max_iterations,
    revisionSkipped: ({ context, event }) => context.drafts.length > 0 && (event as unknown as { output: AgentReply[] }).output[0]?.skipped !== undefined,
  },
}).createMachine({
  id: 'reflection',
  context: ({ input }) => {
    const names = input.agents.map((agent) => agent.name);
    const generator = input.options.generator ?? (names[0] as string);
    return {
      task: input.task,
      names,
      generator,
      critics: input.options.critics ?? names.filter((name) => name !== generator),
      options: input.options,
      iteration: 1,
      drafts: [],
      verdicts: [],
      revisionFailed: false,
    };
  },
  initial: 'generating',
  states: {
    generating: {
      invoke: {
        src: 'callAgents',
        input: ({ context }) => ({
          calls: [
            agentCall(
              `iteration:${context.iteration}/generate`,
              context.generator,
              userTurn(generatorPrompt(context.task, context.drafts[context.drafts.length - 1], context.verdicts[context.verdicts.length - 1] ?? [])),
              { phase: 'generate', round: context.iteration },
            ),
          ],
        }),
        onDone: [
          // A revision that failed ends the loop with the draft the critics last saw.
          { guard: 'revisionSkipped', target: 'done', actions: assign({ revisionFailed: true }) },
          { target: 'critiquing', actions: assign({ drafts: ({ context, event }) => [...context.drafts, requireReply('reflection', 'generator', event.output[0])] }) },
        ],
      },
    },
    critiquing: {
      invoke: {
        src: 'callAgents',
        input: ({ context }) => ({
          calls: context.critics.map((critic) => ({
            ...agentCall(`iteration:${context.iteration}/critic:${agentIndex(context.names, critic)}`, critic, userTurn(criticPrompt(context.task, context.drafts[context.drafts.length - 1] ?? '', context.iteration)), {
              phase: 'critique',
              round: context.iteration,
            }),
            responseFormat: verdictFormat,
          })),
          ...(context.options.concurrency !== undefined ? { concurrency: context.options.concurrency } : {}),
        }),
        onDone: {
          target: 'deciding',
          actions: assign({
            verdicts: ({ context, event }) => [
              ...context.verdicts,
              requireAnswered('reflection', event.output, `every critic of iteration ${context.iteration} failed`).map((reply: AgentReply) => readVerdict(reply.agent, reply.text)),
            ],
          }),
        },
      },
    },
    deciding: {
      always: [
        { guard: 'approved', target: 'done' },
        { guard: 'lastIteration', target: 'done' },
        { target: 'generating', actions: assign({ iteration: ({ context }) => context.iteration + 1 }) },
      ],
    },
    done: { type: 'final' },
  },
  output: ({ context }) => reflectionResult(context),
});

export const reflectionTopology: TopologyDefinition<ReflectionOptions> = {
  name: 'reflection',
  description: 'A generator and critics loop: critics return structured verdicts; stop on approval (all or majority) or max_iterations.',
  steering: 'At the next call: during a draft, every critic reviewing it; during the critics\' review, the generator\'s revision. A message sent during the last review (the draft is approved, or `max_iterations` is reached) becomes the next turn.',
  options: reflectionOptions,
  minAgents: 2,
  check(options, agents): TopologyIssue[] {
    const names = agents.map((agent) => agent.name);
    const issues = checkAgentReference(agents, 'generator', options.generator);
    const generator = options.generator ?? names[0];
    (options.critics ?? []).forEach((name, index) => {
      const path = ['options', 'critics', index];
      if (!names.includes(name)) issues.push({ path, message: `options.critics[${index}] names agent "${name}", which is not in agents` });
      else if (name === generator) issues.push({ path, message: `the generator "${name}" cannot also be a critic` });
      else if (options.critics?.indexOf(name) !== index) issues.push({ path, message: `agent "${name}" is listed twice in options.critics` });
    });
    if (options.critics === undefined && names.filter((name) => name !== generator).length === 0) {
      issues.push({ path: ['agents'], message: 'reflection needs at least one critic besides the generator' });
    }
    return issues;
  },
  machine,
};
