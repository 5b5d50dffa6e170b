/**
 * JSON Schema (draft 2020-12) of topology documents, for editor autocompletion and validation as
 * you type (e.g. `# yaml-language-server: $schema=…`). It is generated from the same zod schemas
 * the loader uses plus the registry: `topology` lists every name and alias, and each topology's
 * options schema applies through an `if`/`then` on `topology`. Agent slots nest, so the slot is a
 * `$defs` entry that refers to itself. The loader stays the authority: it also checks what a
 * schema cannot (providers, models, agent names referenced by options).
 */
import { z } from 'zod';
import { mcpServerConfigSchema } from '../mcp/mcp-server-config.js';
import { memorySectionSchema } from '../memory/memory-settings.js';
import { budgetSchema, outcomeSchema, customToolSchema, environmentSchema, onAgentErrorSchema, providersSectionSchema, timeoutsSchema, type Registry } from '../protocol/index.js';
import { documentDefaultsSchema, documentModelAgentSchema, documentRetrySchema } from './document-schema.js';

type JsonSchema = Record<string, unknown>;

const schemaDialect = 'https://json-schema.org/draft/2020-12/schema';

function generate(schema: z.core.$ZodType): JsonSchema {
  const generated = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any', target: 'draft-2020-12' }) as JsonSchema;
  delete generated.$schema;
  return generated;
}

/** Rewrites local `$ref`s of a generated schema so that it can live under `#/$defs/<name>`. */
function relocateReferences(value: unknown, name: string): unknown {
  if (Array.isArray(value)) return value.map((item) => relocateReferences(item, name));
  if (typeof value !== 'object' || value === null) return value;
  const copy: JsonSchema = {};
  for (const [key, inner] of Object.entries(value)) {
    if (key === '$ref' && typeof inner === 'string' && inner.startsWith('#')) {
      copy[key] = inner === '#' ? `#/$defs/${name}` : inner.replace(/^#\/\$defs\//, `#/$defs/${name}.`);
    } else {
      copy[key] = relocateReferences(inner, name);
    }
  }
  return copy;
}

/** Adds a generated schema to `definitions` under `name`, hoisting its own `$defs` beside it. */
function define(definitions: JsonSchema, name: string, schema: JsonSchema): void {
  const { $defs: inner, ...rest } = relocateReferences(schema, name) as JsonSchema;
  definitions[name] = rest;
  for (const [innerName, innerSchema] of Object.entries((inner as JsonSchema | undefined) ?? {})) {
    definitions[`${name}.${innerName}`] = innerSchema;
  }
}

/** An agent's `spawn:` roster (see `check-spawn-section.ts`). */
const spawnJsonSchema: JsonSchema = {
  type: 'object',
  description: 'The agents this agent may start at run time with the built-in spawn_agent tool (list spawn_agent in its tools).',
  properties: {
    agents: { type: 'array', minItems: 1, items: { $ref: '#/$defs/agentSlot' }, description: 'Plain agents or nested topologies; spawn_agent names one and gives it a task.' },
    max_children: { type: 'integer', minimum: 1, maximum: 100, description: 'Calls of spawn_agent one call of the agent may make (default 8).' },
  },
  required: ['agents'],
  additionalProperties: false,
};

function modelExamples(registry: Registry): string[] {
  const examples: string[] = [];
  for (const [name, provider] of registry.providers) {
    for (const model of provider.defaultModels) examples.push(model.includes('/') ? model : `${name}/${model}`);
  }
  return examples;
}

/** One `if`/`then` per topology: its options schema and minimum number of agents. */
function optionsConditionals(registry: Registry): JsonSchema[] {
  return [...registry.topologies].map(([name, definition]) => {
    const names = [name, ...[...registry.aliases.values()].filter((alias) => alias.topology === name).map((alias) => alias.alias)];
    const then: JsonSchema = { properties: { options: { $ref: `#/$defs/options-${name}` } } };
    if (definition.minAgents > 1) (then.properties as JsonSchema).agents = { minItems: definition.minAgents };
    return { if: { properties: { topology: { enum: names } }, required: ['topology'] }, then };
  });
}

function withModelExamples(schema: JsonSchema, examples: string[]): JsonSchema {
  const properties = schema.properties as Record<string, JsonSchema> | undefined;
  if (properties?.model !== undefined && examples.length > 0) properties.model = { ...properties.model, examples };
  return schema;
}

/**
 * Builds the document JSON Schema for a registry.
 *
 * @example
 * const schema = topologyDocumentJsonSchema(registry);
 * await writeFile('conclave.schema.json', JSON.stringify(schema, null, 2));
 */
export function topologyDocumentJsonSchema(registry: Registry): Record<string, unknown> {
  const examples = modelExamples(registry);
  const onAgentError = generate(onAgentErrorSchema);
  const definitions: JsonSchema = {};
  const topologyNames = [...registry.topologies.keys(), ...registry.aliases.keys()];
  definitions.topologyName = {
    type: 'string',
    enum: topologyNames,
    description: 'A topology name or alias.',
  };
  // The roster holds agent slots: written by hand, so it refers to `agentSlot` instead of repeating it.
  define(definitions, 'modelAgent', withModelExamples(generate(documentModelAgentSchema.omit({ spawn: true })), examples));
  const modelAgent = definitions.modelAgent as JsonSchema;
  (modelAgent.properties as JsonSchema).spawn = spawnJsonSchema;
  definitions.nestedTopology = {
    type: 'object',
    properties: {
      name: (modelAgent.properties as JsonSchema).name,
      topology: { $ref: '#/$defs/topologyName' },
      agents: { type: 'array', minItems: 1, items: { $ref: '#/$defs/agentSlot' } },
      options: { type: 'object' },
      description: { type: 'string' },
      on_agent_error: onAgentError,
    },
    required: ['name', 'topology', 'agents'],
    additionalProperties: false,
    allOf: optionsConditionals(registry),
  };
  definitions.agentSlot = { anyOf: [{ $ref: '#/$defs/modelAgent' }, { $ref: '#/$defs/nestedTopology' }] };
  for (const [name, definition] of registry.topologies) {
    const options = generate(definition.options);
    define(definitions, `options-${name}`, { title: `${name} options`, description: definition.description, ...options });
  }

  return {
    $schema: schemaDialect,
    title: 'conclave topology document',
    type: 'object',
    properties: {
      topology: { $ref: '#/$defs/topologyName' },
      name: { type: 'string', description: 'Title of the run.' },
      description: { type: 'string' },
      task: { type: 'string', description: 'The task; the CLI --task option overrides it.' },
      seed: { type: 'integer', description: 'Default seed for the run.' },
      defaults: {
        description: 'Applied to every model agent that lacks the field.',
        ...withModelExamples(generate(documentDefaultsSchema), examples),
      },
      retry: { description: 'Retry policy of the command dispatcher.', ...generate(documentRetrySchema) },
      providers: { description: 'How to reach each provider: base URL, key variable, limits, prices; or your own OpenAI-compatible service (`compatible: openai`).', ...generate(providersSectionSchema) },
      timeouts: { description: 'Limits of every model call: first token, idle gap, total.', ...generate(timeoutsSchema) },
      environment: { description: "Where the agents' tools run: sandbox driver, seed directory, network, limits.", ...generate(environmentSchema) },
      tools: { type: 'array', description: "The document's own tools (commands run in the sandbox, client-run tools) and approvals on other tools.", items: generate(customToolSchema) },
      mcp_servers: { type: 'array', description: 'MCP servers whose tools agents may use (`<server>__<tool>`).', items: generate(mcpServerConfigSchema) },
      on_agent_error: { ...onAgentError, description: 'What a failed agent call (retries and fallbacks exhausted) does: fail the session (default) or skip the call and go on with the agents left. A topology\'s options and an agent may override it.' },
      budget: { description: "Limits on the session's spend (dollars, tokens, model calls, running seconds), checked before every model call; reaching one idles the session (`budget_exceeded`) until `conclave resume ID --budget …` raises it.", ...generate(budgetSchema) },
      outcome: { description: 'What "done" means: after each answer a grader model checks it against the description and rubric, and the topology runs again with the feedback until it is met or max_iterations answers were graded.', ...generate(outcomeSchema) },
      memory: { description: 'Memory stores the agents may use, by name or id, each `read` or `read_write`: every model agent is offered memory_list, memory_read, memory_search (and memory_write for a read_write store); an agent that names memory tools in its `tools:` gets only those.', ...generate(memorySectionSchema) },
      agents: { type: 'array', minItems: 1, items: { $ref: '#/$defs/agentSlot' } },
      options: { type: 'object', description: "The topology's own options." },
    },
    required: ['topology', 'agents'],
    additionalProperties: false,
    allOf: optionsConditionals(registry),
    $defs: definitions,
  };
}
