/**
 * Agent slots as written in topology documents. A slot holds either a model agent or a whole nested
 * topology, which is how topologies compose (a debate of pipelines, a tournament of mixtures).
 */
import { z } from 'zod';

const agentName = z
  .string()
  .regex(/^[A-Za-z][A-Za-z0-9_-]{0,63}$/, 'an agent name starts with a letter and holds only letters, digits, "-" and "_" (at most 64)');

const modelReference = z.string().min(1, 'model must be "provider/model", e.g. "offline/echo"');

/**
 * What a topology does with an agent call whose retries (and fallback chain) are exhausted: `fail`
 * the session (the default), or `skip` the call — its reply is marked skipped and the topology goes
 * on with the agents left, as each topology defines. Set in the document, a topology's `options`,
 * or an agent slot; the most specific wins.
 */
export const onAgentErrorSchema = z.enum(['fail', 'skip']);
export type OnAgentError = z.infer<typeof onAgentErrorSchema>;

/** The limits a budget may set (`max_usd`, `max_tokens`, `max_calls`, `max_duration_s`). */
export const budgetLimits = ['max_usd', 'max_tokens', 'max_calls', 'max_duration_s'] as const;
export type BudgetLimitName = (typeof budgetLimits)[number];

/**
 * Limits on what a session (document top level) or one agent spends, checked before every model
 * call: dollars (`max_usd`, needs priced models), tokens in + out, model calls (tool calls do not
 * count), and seconds of running time (idle time does not count). Reaching one idles the session
 * with stop reason `budget_exceeded`; `conclave resume ID --budget …` raises it and goes on.
 */
export const budgetSchema = z
  .strictObject({
    max_usd: z.number().positive().optional().meta({ description: 'US dollars of model calls (priced models only).' }),
    max_tokens: z.number().int().positive().optional().meta({ description: 'Input plus output tokens of model calls.' }),
    max_calls: z.number().int().positive().optional().meta({ description: 'Model calls (tool calls do not count).' }),
    max_duration_s: z.number().positive().optional().meta({ description: 'Seconds of running time (idle time does not count).' }),
  })
  .refine((budget) => Object.keys(budget).length > 0, { message: 'a budget needs at least one of max_usd, max_tokens, max_calls, max_duration_s' });
export type Budget = z.infer<typeof budgetSchema>;

/** The built-in tool that starts a child from an agent's `spawn` roster (see `src/kernel/spawn-agent.ts`). */
export const spawnAgentToolName = 'spawn_agent';

/**
 * What a model agent may start at run time with `spawn_agent`: plain agents or nested topologies,
 * each run under the tool call's command id, and how many calls of `spawn_agent` one call of the
 * agent may make.
 */
export interface SpawnSettings {
  agents: AgentSlot[];
  /** Calls of `spawn_agent` one call of the agent may make (default 8). */
  max_children?: number;
}

/** `max_children` of a spawn roster. */
export const maxChildrenSchema = z.number().int().min(1).max(100);

export const spawnSettingsSchema: z.ZodType<SpawnSettings> = z.strictObject({
  get agents() {
    return z.array(agentSlotSchema).min(1, 'a spawn roster needs at least one agent');
  },
  max_children: maxChildrenSchema.optional(),
});

export const modelAgentSchema = z.strictObject({
  name: agentName,
  /**
   * `provider/model`, optionally with query parameters (`offline/persona?seed=7`), or a fallback
   * chain tried in order once a model's retries are exhausted (`[openai/gpt-4.1-mini, anthropic/claude-haiku-4-5]`).
   */
  model: z.union([modelReference, z.array(modelReference).min(1, 'a fallback chain needs at least one model')]),
  system: z.string().optional(),
  temperature: z.number().min(0).max(2).optional(),
  max_tokens: z.number().int().positive().optional(),
  /** Free-form label shown in progress output (`persona`, `role`). */
  description: z.string().optional(),
  /** Tools the agent may call: built-in (`bash`, `read_file`, …) or declared under the document's `tools:`. */
  tools: z.array(z.string().min(1)).optional(),
  /** Rounds of tool calls before the agent must answer without tools (default 8). */
  max_tool_rounds: z.number().int().min(1).max(100).optional(),
  /**
   * JSON Schema the agent's answer must match: sent as the provider's native structured output,
   * validated, and asked again once with the validation errors before the call fails.
   */
  output_schema: z.record(z.string(), z.unknown()).optional(),
  /** `false` sends no prompt-caching hints for this agent (default: cache the stable prefix). */
  cache: z.boolean().optional(),
  /** `skip`: when this agent's call fails for good, the topology goes on without it (see `onAgentErrorSchema`). */
  on_agent_error: onAgentErrorSchema.optional(),
  /** Limits on this agent's own calls (see `budgetSchema`); the session's budget applies as well. */
  budget: budgetSchema.optional(),
  /**
   * Keeps each request under `max_input_tokens`: the oldest turns are dropped (`truncate`, the
   * default) or replaced by a summary a model call writes (`summarize`, by `model` or the agent's
   * own); never the system prompt or the latest user message (see `src/kernel/context-window.ts`).
   */
  context: z
    .strictObject({
      max_input_tokens: z.number().int().positive().meta({ description: 'Largest request (system, tools and messages) sent to the model, in tokens.' }),
      strategy: z.enum(['truncate', 'summarize']).optional().meta({ description: 'Drop the oldest turns (truncate, the default) or replace them by a summary (summarize).' }),
      model: modelReference.optional().meta({ description: "The model that writes summaries (default: the agent's first model)." }),
    })
    .optional(),
  /** The agents it may start at run time with the built-in `spawn_agent` tool (which it must list in `tools`). */
  spawn: spawnSettingsSchema.optional(),
});
export type ModelAgent = z.infer<typeof modelAgentSchema>;
/** An agent's `context:` settings. */
export type AgentContextSettings = NonNullable<ModelAgent['context']>;

export interface NestedTopologyAgent {
  name: string;
  topology: string;
  agents: AgentSlot[];
  options?: Record<string, unknown>;
  description?: string;
  /** `skip`: when the nested run fails for good, the parent goes on without this slot. */
  on_agent_error?: OnAgentError;
}

export type AgentSlot = ModelAgent | NestedTopologyAgent;

export const nestedTopologyAgentSchema: z.ZodType<NestedTopologyAgent> = z.strictObject({
  name: agentName,
  topology: z.string().min(1),
  get agents() {
    return z.array(agentSlotSchema).min(1, 'a nested topology needs at least one agent');
  },
  options: z.record(z.string(), z.unknown()).optional(),
  description: z.string().optional(),
  on_agent_error: onAgentErrorSchema.optional(),
});

export const agentSlotSchema: z.ZodType<AgentSlot> = z.union([modelAgentSchema, nestedTopologyAgentSchema]);

/**
 * Whether a slot holds a nested topology rather than a model.
 *
 * @example
 * if (isNestedTopology(slot)) runChild(slot.topology, slot.agents);
 */
export function isNestedTopology(slot: AgentSlot): slot is NestedTopologyAgent {
  return 'topology' in slot;
}

/**
 * The models of a model agent, in fallback order.
 *
 * @example
 * modelChain({ name: 'a', model: ['openai/gpt-4.1-mini', 'anthropic/claude-haiku-4-5'] }) // → both, in order
 */
export function modelChain(agent: ModelAgent): string[] {
  return Array.isArray(agent.model) ? agent.model : [agent.model];
}
