/**
 * Plug-ins for embedders: a topology, a provider or a tool of their own, added to the same registry
 * the built-ins live in, so a document names them exactly like built-ins. The `define*` helpers
 * only check and type what they are given; `extendRegistry` is where they meet the built-ins.
 */
import { createDefaultRegistry } from '../presets/default-registry.js';
import { ConclaveError } from '../protocol/errors.js';
import { builtinToolNames, type HostTool, type ProviderModule, type Registry, type TopologyAlias, type TopologyDefinition } from '../protocol/index.js';

/** Names a document can use: lowercase, digits, `-` and `_`, starting with a letter. */
const pluginName = /^[a-z][a-z0-9_-]{0,63}$/;

function assertName(kind: string, name: string): void {
  if (!pluginName.test(name)) {
    throw new ConclaveError('invalid_argument', `${kind} name "${name}" is not usable from a document`, { hint: 'use 1–64 lowercase letters, digits, "-" or "_", starting with a letter' });
  }
}

/**
 * A topology of your own: an XState machine that calls agents through the `callAgents` actor
 * (use `callAgentsPlaceholder` in `setup({ actors })`; the kernel provides the real one).
 *
 * @example
 * const critiqueThenVote = defineTopology({ name: 'critique-then-vote', description: '…', options: z.strictObject({}), minAgents: 3, machine });
 * new Conclave({ topologies: [critiqueThenVote] });
 */
export function defineTopology<Options>(topology: TopologyDefinition<Options>): TopologyDefinition<Options> {
  assertName('topology', topology.name);
  if (!Number.isInteger(topology.minAgents) || topology.minAgents < 1) throw new ConclaveError('invalid_argument', `topology "${topology.name}": minAgents must be a whole number ≥ 1`);
  return topology;
}

/**
 * A provider of your own (models named `<name>/<model>` in documents).
 *
 * @example
 * const mine = defineProvider({ specificationVersion: 'v1', name: 'acme', description: 'ACME LLM', simulated: false, defaultModels: ['fast'], validateModel: () => undefined, create: (settings) => acmeAdapter(settings) });
 */
export function defineProvider(provider: ProviderModule): ProviderModule {
  assertName('provider', provider.name);
  if (provider.specificationVersion !== 'v1') throw new ConclaveError('invalid_argument', `provider "${provider.name}": specificationVersion must be "v1"`);
  return provider;
}

/**
 * A tool that runs in this process: agents that list its name may call it, each call journaled.
 *
 * @example
 * const lookupOrder = defineTool({
 *   name: 'lookup_order',
 *   description: 'Status of an order by id',
 *   inputSchema: { type: 'object', properties: { id: { type: 'string' } }, required: ['id'] },
 *   execute: async ({ id }) => `order ${String(id)}: shipped`,
 * });
 */
export function defineTool(tool: HostTool): HostTool {
  assertName('tool', tool.name);
  if (tool.inputSchema['type'] !== 'object') throw new ConclaveError('invalid_argument', `tool "${tool.name}": inputSchema must be a JSON Schema with type "object"`);
  return tool;
}

export interface RegistryExtensions {
  providers?: readonly ProviderModule[];
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- each topology has its own options type
  topologies?: ReadonlyArray<TopologyDefinition<any>>;
  aliases?: readonly TopologyAlias[];
  tools?: readonly HostTool[];
}

/**
 * The default registry plus `extensions`. A provider replaces a built-in of the same name; a
 * topology, alias or tool that clashes with an existing name is refused.
 *
 * @example
 * const registry = extendRegistry({ topologies: [critiqueThenVote], tools: [lookupOrder] });
 * registry.topologies.has('critique-then-vote') // → true
 */
export function extendRegistry(extensions: RegistryExtensions = {}, base: Registry = createDefaultRegistry()): Registry {
  const topologies = new Map(base.topologies);
  const aliases = new Map(base.aliases);
  for (const topology of extensions.topologies ?? []) {
    defineTopology(topology);
    if (topologies.has(topology.name) || aliases.has(topology.name)) throw new ConclaveError('invalid_argument', `topology "${topology.name}" is already registered`, { hint: 'give your topology another name' });
    topologies.set(topology.name, topology);
  }
  for (const alias of extensions.aliases ?? []) {
    assertName('alias', alias.alias);
    if (topologies.has(alias.alias) || aliases.has(alias.alias)) throw new ConclaveError('invalid_argument', `alias "${alias.alias}" is already a topology or alias`);
    if (!topologies.has(alias.topology)) throw new ConclaveError('unknown_topology', `alias "${alias.alias}" names unknown topology "${alias.topology}"`);
    aliases.set(alias.alias, alias);
  }
  const providers = new Map(base.providers);
  for (const provider of extensions.providers ?? []) providers.set(defineProvider(provider).name, provider);
  const tools = new Map(base.tools ?? []);
  for (const tool of extensions.tools ?? []) {
    defineTool(tool);
    if ((builtinToolNames as readonly string[]).includes(tool.name)) throw new ConclaveError('invalid_argument', `tool "${tool.name}" is a built-in tool's name`, { hint: 'give your tool another name' });
    if (tools.has(tool.name)) throw new ConclaveError('invalid_argument', `tool "${tool.name}" is registered twice`);
    tools.set(tool.name, tool);
  }
  return { ...base, topologies, aliases, providers, tools };
}
