/**
 * Agent slots as written in topology documents. A slot holds either a model agent or a whole nested
 * topology, which is how topologies compose (a debate of pipelines, a tournament of mixtures).
 */
import { z } from 'zod';

const agentName = z
  .string()
  .regex(/^[A-Za-z][A-Za-z0-9_-]{0,63}$/, 'an agent name starts with a letter and holds only letters, digits, "-" and "_" (at most 64)');

const modelReference = z.string().min(1, 'model must be "provider/model", e.g. "offline/echo"');

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
});
export type ModelAgent = z.infer<typeof modelAgentSchema>;

export interface NestedTopologyAgent {
  name: string;
  topology: string;
  agents: AgentSlot[];
  options?: Record<string, unknown>;
  description?: string;
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
