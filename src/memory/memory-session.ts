/**
 * Memory in a session: when a session is created, its stores — a document's `memory:`, a Managed
 * session's `memory_store` resources — are looked up in its workspace (an unknown or archived one
 * is an error naming the entry's JSON path; `create: true` makes a missing one), journaled resolved
 * (id, name, description, access), and every model agent is offered the memory tools the stores
 * allow, unless it names memory tools itself. When the session runs, `sessionMemoryTools` puts the
 * tools in front of the session's other tools.
 */
import type { PrepareDefinitionContext, SessionDefinition } from '../kernel/kernel-options.js';
import type { SessionTools } from '../kernel/index.js';
import { ConclaveError, createId, isNestedTopology, type AgentSlot } from '../protocol/index.js';
import type { AgentMemoryStore, MemoryStoreRecord } from './agent-memory-types.js';
import { isMemoryTool, type MemoryAccess, type ResolvedMemoryEntry } from './memory-settings.js';
import { createMemoryTools, offeredMemoryTools, withMemoryTools } from './memory-tools.js';

/** One store a session asks for, and where it asked. */
interface WantedStore {
  store: string;
  access: MemoryAccess;
  create: boolean;
  instructions?: string;
  /** The JSON path of the field that names the store. */
  path: string;
  source?: 'resources';
}

function located(code: 'not_found' | 'invalid_argument', path: string, message: string, hint?: string): ConclaveError {
  return new ConclaveError(code, `${path}: ${message}`, { location: { path }, ...(hint !== undefined ? { hint } : {}) });
}

/** The stores a definition's `memory:` and a Managed session's resources ask for. */
function wantedStores(definition: SessionDefinition, attributes: Record<string, unknown> | undefined): WantedStore[] {
  const wanted: WantedStore[] = [];
  for (const [index, entry] of (definition.memory ?? []).entries()) {
    const raw = entry as { store: string; access?: MemoryAccess; create?: boolean; instructions?: string };
    wanted.push({ store: raw.store, access: raw.access ?? 'read_write', create: raw.create === true, ...(raw.instructions !== undefined ? { instructions: raw.instructions } : {}), path: `memory[${index}].store` });
  }
  const managed = (attributes?.['managed'] as { resources?: unknown } | undefined)?.resources;
  if (Array.isArray(managed)) {
    for (const [index, resource] of managed.entries()) {
      const entry = resource as { type?: unknown; memory_store_id?: unknown; access?: unknown; instructions?: unknown };
      if (entry.type !== 'memory_store' || typeof entry.memory_store_id !== 'string') continue;
      wanted.push({
        store: entry.memory_store_id,
        access: entry.access === 'read_only' ? 'read' : 'read_write',
        create: false,
        ...(typeof entry.instructions === 'string' && entry.instructions !== '' ? { instructions: entry.instructions } : {}),
        path: `resources[${index}].memory_store_id`,
        source: 'resources',
      });
    }
  }
  return wanted;
}

/** The store `wanted` names in `workspace`: by id, or by name (made when asked and missing). */
async function resolveStore(memory: AgentMemoryStore, workspace: string, wanted: WantedStore): Promise<MemoryStoreRecord> {
  if (wanted.store.startsWith('memstore_')) {
    const record = await memory.getStore(workspace, wanted.store);
    if (record === undefined) throw located('not_found', wanted.path, `no memory store ${wanted.store} in workspace "${workspace}"`, 'list the stores with GET /anthropic/v1/memory_stores');
    return record;
  }
  const named = await memory.findStoresByName(workspace, wanted.store);
  const live = named.filter((record) => record.archivedAt === null);
  if (live.length > 1) throw located('invalid_argument', wanted.path, `${live.length} memory stores of workspace "${workspace}" are named "${wanted.store}"`, `name one by its id: ${live.map((record) => record.id).join(', ')}`);
  if (live[0] !== undefined) return live[0];
  if (named[0] !== undefined && !wanted.create) return named[0];
  if (wanted.create) return memory.createStore({ id: createId('memoryStore'), workspace, name: wanted.store });
  throw located('not_found', wanted.path, `no memory store named "${wanted.store}" in workspace "${workspace}"`, 'create it first (POST /anthropic/v1/memory_stores, or `create: true` on the entry), or name it by its id (memstore_…)');
}

/** The agents with the memory tools added to every model agent that names none itself. */
function withMemoryToolNames(agents: readonly AgentSlot[], offered: readonly string[]): AgentSlot[] {
  return agents.map((slot) => {
    if (isNestedTopology(slot)) return { ...slot, agents: withMemoryToolNames(slot.agents, offered) };
    const spawned = slot.spawn === undefined ? slot : { ...slot, spawn: { ...slot.spawn, agents: withMemoryToolNames(slot.spawn.agents, offered) } };
    const tools = slot.tools ?? [];
    if (tools.some(isMemoryTool)) return spawned;
    return { ...spawned, tools: [...tools, ...offered] };
  });
}

/**
 * A `prepareDefinition` for the kernel: resolves the session's memory stores in its workspace and
 * offers the agents the memory tools. A definition without memory comes back as it was.
 *
 * @example
 * new Kernel({ store, registry, prepareDefinition: memorySessionPreparer(() => openAgentMemoryStore({ db })) });
 */
export function memorySessionPreparer(open: () => Promise<AgentMemoryStore>): (definition: SessionDefinition, context: PrepareDefinitionContext) => Promise<SessionDefinition> {
  return async (definition, context) => {
    const wanted = wantedStores(definition, context.attributes);
    if (wanted.length === 0) return definition;
    const memory = await open();
    const resolved: ResolvedMemoryEntry[] = [];
    for (const entry of wanted) {
      const record = await resolveStore(memory, context.workspace, entry);
      if (record.archivedAt !== null) throw located('invalid_argument', entry.path, `memory store ${record.id} ("${record.name}") is archived and cannot be attached to a session`);
      const same = resolved.find((existing) => existing.store === record.id);
      if (same !== undefined) {
        // Named twice (a document's entry and a resource, say): the wider access, both instructions.
        if (entry.access === 'read_write') same.access = 'read_write';
        if (entry.instructions !== undefined) same.instructions = same.instructions === undefined ? entry.instructions : `${same.instructions}\n${entry.instructions}`;
        continue;
      }
      resolved.push({
        store: record.id,
        name: record.name,
        description: record.description,
        access: entry.access,
        ...(entry.instructions !== undefined ? { instructions: entry.instructions } : {}),
        ...(entry.source !== undefined ? { source: entry.source } : {}),
      });
    }
    return { ...definition, memory: resolved, agents: withMemoryToolNames(definition.agents, offeredMemoryTools(resolved)) };
  };
}

/**
 * The session's tools with its memory tools in front, when its definition has memory stores;
 * `tools` unchanged otherwise.
 *
 * @example
 * const tools = sessionMemoryTools(base(sessionId, definition, trust), { store: () => memory, sessionId, definition, workspace: trust.workspace });
 */
export function sessionMemoryTools(tools: SessionTools | undefined, options: { store: () => Promise<AgentMemoryStore>; sessionId: string; definition: SessionDefinition; workspace: string }): SessionTools | undefined {
  const entries = (options.definition.memory ?? []).filter((entry): entry is ResolvedMemoryEntry => 'name' in entry && typeof entry.name === 'string');
  if (entries.length === 0) return tools;
  return withMemoryTools(tools, createMemoryTools({ store: options.store, sessionId: options.sessionId, workspace: options.workspace, entries }));
}
