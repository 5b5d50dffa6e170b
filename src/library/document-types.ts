/**
 * The type of a topology document as a person writes it (YAML keys, snake_case), for documents
 * built in code. Every part is inferred from the zod schema that validates it, and the top-level
 * keys are checked against the validator's own list at compile time, so the type cannot drift
 * from what `conclave validate` accepts.
 */
import type { z } from 'zod';
import type { documentDefaultsSchema, documentRetrySchema, documentTopLevelSchema } from '../config/document-schema.js';
import type { mcpServerConfigSchema } from '../mcp/mcp-server-config.js';
import type { memorySectionSchema } from '../memory/memory-settings.js';
import type { budgetSchema, outcomeSchema, customToolSchema, environmentSchema, modelAgentSchema, providersSectionSchema, timeoutsSchema } from '../protocol/index.js';

/** An agent that calls a model; `model` may come from the document's `defaults`. */
export type ModelAgentDocument = Omit<z.input<typeof modelAgentSchema>, 'model' | 'spawn'> & {
  model?: z.input<typeof modelAgentSchema>['model'];
  /** The agents it may start at run time with the built-in `spawn_agent` tool (listed in its `tools`). */
  spawn?: { agents: AgentDocument[]; max_children?: number };
};

/** An agent slot that is itself a topology (topologies compose). */
export interface NestedTopologyDocument {
  name: string;
  topology: string;
  agents: AgentDocument[];
  options?: Record<string, unknown>;
  description?: string;
  /** `skip`: when the nested run fails for good, the parent goes on without this slot. Default: fail. */
  on_agent_error?: 'fail' | 'skip';
}

/** One entry of `agents:`. */
export type AgentDocument = ModelAgentDocument | NestedTopologyDocument;

/** A topology document as written: what `conclave run` reads from YAML. */
export interface TopologyDocument {
  /** A registered topology or alias: `debate`, `pipeline`, … or your own (`defineTopology`). */
  topology: string;
  name?: string;
  description?: string;
  /** The default task; `run(…, { task })` overrides it. */
  task?: string;
  seed?: number;
  defaults?: z.input<typeof documentDefaultsSchema>;
  retry?: z.input<typeof documentRetrySchema>;
  providers?: z.input<typeof providersSectionSchema>;
  timeouts?: z.input<typeof timeoutsSchema>;
  environment?: z.input<typeof environmentSchema>;
  tools?: Array<z.input<typeof customToolSchema>>;
  mcp_servers?: Array<z.input<typeof mcpServerConfigSchema>>;
  /** Limits on the session's spend, checked before every model call (agents may have their own `budget`). */
  budget?: z.input<typeof budgetSchema>;
  /** What "done" means: a grader checks each answer and the topology runs again with its feedback until it is met. */
  outcome?: z.input<typeof outcomeSchema>;
  /** Memory stores the agents may use (`{ store, access: 'read' | 'read_write' }`); every model agent gets the memory tools. */
  memory?: z.input<typeof memorySectionSchema>;
  /** What a failed agent call (retries and fallbacks exhausted) does: fail the run (default) or skip it. Options and agents may override it. */
  on_agent_error?: 'fail' | 'skip';
  agents: AgentDocument[];
  /** The topology's own options (see `conclave topologies show NAME`). */
  options?: Record<string, unknown>;
}

// Compile-time drift checks: the validator's top-level keys and this type's keys are the same set.
type ValidatorKeys = keyof z.infer<typeof documentTopLevelSchema>;
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const sameKeys: Same<ValidatorKeys, keyof TopologyDocument> = true;
void sameKeys;
