/**
 * The shape of a topology document, and of the normalised `TopologyDocument` the loader returns.
 * Only the fields this module owns are typed strictly here; `topology`, `agents` and `options` are
 * left open so that the loader can check them itself, with better messages and with the registry
 * at hand (a topology's own options schema, its minimum number of agents, the providers).
 */
import { z } from 'zod';
import type { MemoryEntry, ResolvedMemoryEntry } from '../memory/memory-settings.js';
import { defaultRetryPolicy, modelAgentSchema, onAgentErrorSchema, type AgentSlot, type Budget, type CallTimeouts, type CustomToolSettings, type EnvironmentSettings, type OnAgentError, type OutcomeSettings, type ProvidersSection, type RetryPolicy } from '../protocol/index.js';

/** A validated, normalised topology document. */
export interface TopologyDocument {
  /** Canonical topology name (an alias is resolved; see `alias`). */
  topology: string;
  /** The alias the user wrote, when they wrote one. */
  alias?: string;
  name?: string;
  description?: string;
  task?: string;
  seed?: number;
  retry: RetryPolicy;
  /** How to reach each provider (base URL, key variable, limits, prices), by provider name. */
  providers?: ProvidersSection;
  timeouts?: CallTimeouts;
  /** Defaults applied; nested slots carry their canonical topology and parsed options. */
  agents: AgentSlot[];
  /** Parsed by the topology's options schema, defaults filled, alias presets under the user's values. */
  options: Record<string, unknown>;
  /** Where tools run; `seed` is an absolute path. */
  environment?: EnvironmentSettings;
  /** The document's own tools (command templates run in the sandbox). */
  tools?: CustomToolSettings[];
  /** MCP servers whose tools agents may use (checked when connected). */
  mcp_servers?: Array<Record<string, unknown> & { name: string }>;
  /** Limits on the session's spend, checked before every model call. */
  budget?: Budget;
  /** What "done" means: a grader checks each answer and the topology runs again until it is met. */
  outcome?: OutcomeSettings;
  /** Memory stores the agents may use (resolved to their ids when a session is created). */
  memory?: Array<MemoryEntry | ResolvedMemoryEntry>;
  /** What a failed agent call does when neither its slot nor its topology's options say: fail (default) or skip. */
  on_agent_error?: OnAgentError;
}

/** Fields of a model agent that `defaults` may supply. */
export const defaultableAgentFields = ['model', 'temperature', 'max_tokens', 'system', 'context'] as const;

export const documentDefaultsSchema = z.strictObject({
  model: modelAgentSchema.shape.model.optional(),
  temperature: modelAgentSchema.shape.temperature,
  max_tokens: modelAgentSchema.shape.max_tokens,
  system: modelAgentSchema.shape.system,
  context: modelAgentSchema.shape.context,
});
export type DocumentDefaults = z.infer<typeof documentDefaultsSchema>;

const delay = z.number().int().min(0);

export const documentRetrySchema = z.strictObject({
  max_attempts: z.number().int().min(1).default(defaultRetryPolicy.maxAttempts),
  initial_delay_ms: delay.default(defaultRetryPolicy.initialDelayMs),
  max_delay_ms: delay.default(defaultRetryPolicy.maxDelayMs),
});

/**
 * The top level. `topology`, `agents`, `options`, `defaults` and `retry` are declared (so they are
 * known keys) but checked on their own, so that a problem in one never hides problems in another.
 */
export const documentTopLevelSchema = z.strictObject({
  topology: z.unknown().optional(),
  name: z.string().optional(),
  description: z.string().optional(),
  task: z.string().optional(),
  seed: z.number().int().optional(),
  defaults: z.unknown().optional(),
  retry: z.unknown().optional(),
  providers: z.unknown().optional(),
  timeouts: z.unknown().optional(),
  environment: z.unknown().optional(),
  tools: z.unknown().optional(),
  mcp_servers: z.unknown().optional(),
  budget: z.unknown().optional(),
  outcome: z.unknown().optional(),
  memory: z.unknown().optional(),
  on_agent_error: onAgentErrorSchema.optional(),
  agents: z.unknown().optional(),
  options: z.unknown().optional(),
});

/** A model agent slot whose `model` may still come from `defaults` (its presence is checked separately). */
export const documentModelAgentSchema = modelAgentSchema.partial({ model: true });

/** A nested topology slot; its `topology`, `agents` and `options` are checked like a document's. */
export const documentNestedTopologySchema = z.strictObject({
  name: modelAgentSchema.shape.name,
  topology: z.unknown().optional(),
  agents: z.unknown().optional(),
  options: z.unknown().optional(),
  description: z.string().optional(),
  on_agent_error: onAgentErrorSchema.optional(),
});
