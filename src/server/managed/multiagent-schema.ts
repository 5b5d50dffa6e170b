/**
 * An agent's `multiagent` setting on the Managed Agents face: the roster of saved agents its session
 * may start as threads at run time. Two forms are accepted, as the SDK defines them:
 *
 * - `{ type: 'coordinator', agents: [...] }` — 1–20 entries, each an agent id, a
 *   `{ type: 'agent', id, version? }` reference, or `{ type: 'self' }`;
 * - `{ type: 'multiagent_20261001', subagents, workflows, advisor }` — of which conclave runs
 *   `subagents` with `predefined_agents`. Workflow runs, inline agents and advisor models are not
 *   run by conclave, so a setting that enables them (they default to enabled, except the advisor)
 *   is refused with a 400 naming the field, never stored and ignored.
 *
 * Entries are resolved when the agent is created or updated, as the hosted API does: each to a
 * concrete `{ type: 'agent', id, version }` of the same workspace, not archived, itself without
 * `multiagent` (one level of coordination), no agent twice, `self` at most once (the agent's own new
 * version). A session of the agent runs the stored versions (see `coordinator-plan.ts`).
 */
import { z } from 'zod';
import { ConclaveError } from '../../protocol/errors.js';
import type { ResourceStore } from '../../protocol/resources.js';

/** Most agents a roster may name (the API's limit). */
export const maxRosterAgents = 20;

const agentReference = z.strictObject({ type: z.literal('agent'), id: z.string().min(1), version: z.number().int().min(1).nullable().optional() });
const selfEntry = z.strictObject({ type: z.literal('self') });
const advisorEntry = z.strictObject({ type: z.literal('advisor'), model: z.string().min(1) });
const rosterEntry = z.union([z.string().min(1), agentReference, selfEntry, advisorEntry]);
const disabled = z.strictObject({ type: z.literal('disabled') });
const enabledInline = z.strictObject({ type: z.literal('enabled') });

const coordinatorParam = z.strictObject({
  type: z.literal('coordinator'),
  agents: z.array(rosterEntry).min(1, 'a coordinator needs at least one agent').max(maxRosterAgents),
});

const subagentsParam = z.discriminatedUnion('type', [
  z.strictObject({
    type: z.literal('enabled'),
    inline_agents: z.union([disabled, enabledInline]).nullable().optional(),
    predefined_agents: z.array(z.union([z.string().min(1), agentReference, selfEntry])).max(maxRosterAgents).nullable().optional(),
  }),
  disabled,
]);

const multiagent20261001Param = z.strictObject({
  type: z.literal('multiagent_20261001'),
  advisor: z.discriminatedUnion('type', [disabled, z.strictObject({ type: z.literal('enabled'), model: z.string().min(1) })]).nullable().optional(),
  subagents: subagentsParam.nullable().optional(),
  workflows: z.discriminatedUnion('type', [disabled, z.strictObject({ type: z.literal('enabled'), inline_agents: z.unknown().optional(), predefined_agents: z.unknown().optional() })]).nullable().optional(),
});

/** `multiagent` in an agent's create or update body. */
export const multiagentParam = z.discriminatedUnion('type', [coordinatorParam, multiagent20261001Param]);
export type MultiagentParam = z.output<typeof multiagentParam>;

/** A roster entry resolved to one version of a saved agent. */
export interface AgentReference {
  type: 'agent';
  id: string;
  version: number;
}

/** The agent being created or updated: what `self` resolves to, and what it must not combine with. */
export interface MultiagentOwner {
  workspace: string;
  id: string;
  /** The version the create or update writes. */
  version: number;
  metadata: Record<string, string>;
}

/** The metadata key of a topology agent (kept here to avoid importing the session routes). */
const topologyKey = 'conclave.topology';

function refuse(path: string, message: string, hint?: string): ConclaveError {
  return new ConclaveError('invalid_argument', `${path}: ${message}`, { location: { path }, ...(hint !== undefined ? { hint } : {}) });
}

/**
 * The agents a stored `multiagent` lets a session start as threads (none when it has no roster).
 *
 * @example
 * rosterOf({ type: 'coordinator', agents: [{ type: 'agent', id: 'agent_1', version: 2 }] }) // → [{ type: 'agent', id: 'agent_1', version: 2 }]
 */
export function rosterOf(multiagent: Record<string, unknown> | null | undefined): AgentReference[] {
  if (multiagent === null || multiagent === undefined) return [];
  if (multiagent['type'] === 'coordinator') return (multiagent['agents'] as AgentReference[] | undefined) ?? [];
  const subagents = multiagent['subagents'] as { type?: string; predefined_agents?: AgentReference[] } | undefined;
  return subagents?.type === 'enabled' ? (subagents.predefined_agents ?? []) : [];
}

/**
 * The stored form of `multiagent` from a create or update body: entries resolved to agent versions,
 * `multiagent_20261001` with every member filled in (merged into the stored one, level by level, on
 * an update of the same type). `undefined` keeps what `current` holds; `null` clears it.
 *
 * @example
 * const multiagent = await resolveMultiagent(resources, { workspace, id, version: 1, metadata }, body.multiagent, null);
 * // → { type: 'coordinator', agents: [{ type: 'agent', id: 'agent_…', version: 3 }] }
 */
export async function resolveMultiagent(
  resources: ResourceStore,
  owner: MultiagentOwner,
  param: MultiagentParam | null | undefined,
  current: Record<string, unknown> | null,
): Promise<Record<string, unknown> | null> {
  if (param === undefined) {
    if (current === null) return null;
    // An update that leaves multiagent alone still re-checks its roster against the agent's new fields.
    assertNotTopologyAgent(owner);
    return current;
  }
  if (param === null) return null;
  assertNotTopologyAgent(owner);
  const base = 'body.multiagent';
  if (param.type === 'coordinator') {
    for (const [index, entry] of param.agents.entries()) {
      if (typeof entry === 'object' && entry.type === 'advisor') {
        throw refuse(`${base}.agents[${index}]`, 'advisor models are not supported by this server', 'name saved agents (an id, { type: "agent", id, version }) or { type: "self" }');
      }
    }
    const entries = param.agents as Array<z.output<typeof rosterEntry>>;
    return { type: 'coordinator', agents: await resolveEntries(resources, owner, entries, `${base}.agents`) };
  }
  const stored = current?.['type'] === 'multiagent_20261001' ? current : undefined;
  const advisor = param.advisor === undefined ? (stored?.['advisor'] ?? { type: 'disabled' }) : (param.advisor ?? { type: 'disabled' });
  if ((advisor as { type: string }).type === 'enabled') throw refuse(`${base}.advisor`, 'advisor models are not supported by this server', 'leave advisor out, or { type: "disabled" }');
  const workflows = param.workflows === undefined ? (stored?.['workflows'] ?? { type: 'enabled' }) : (param.workflows ?? { type: 'enabled' });
  if ((workflows as { type: string }).type === 'enabled') {
    throw refuse(`${base}.workflows`, 'workflow runs are not supported by this server (they are enabled unless you disable them)', 'send workflows: { type: "disabled" }; use subagents to start agents as threads');
  }
  return { type: 'multiagent_20261001', advisor: { type: 'disabled' }, subagents: await resolveSubagents(resources, owner, param.subagents, stored?.['subagents']), workflows: { type: 'disabled' } };
}

async function resolveSubagents(
  resources: ResourceStore,
  owner: MultiagentOwner,
  param: z.output<typeof subagentsParam> | null | undefined,
  stored: unknown,
): Promise<Record<string, unknown>> {
  const path = 'body.multiagent.subagents';
  const previous = stored as { type?: string; inline_agents?: unknown; predefined_agents?: AgentReference[] } | undefined;
  if (param === undefined && previous !== undefined) {
    if (previous.type !== 'enabled') return { type: 'disabled' };
    return { type: 'enabled', inline_agents: { type: 'disabled' }, predefined_agents: await resolveEntries(resources, owner, previous.predefined_agents ?? [], `${path}.predefined_agents`) };
  }
  const given = param ?? { type: 'enabled' as const };
  if (given.type === 'disabled') return { type: 'disabled' };
  const sameType = previous?.type === 'enabled';
  const inline = given.inline_agents === undefined ? (sameType ? previous.inline_agents : undefined) : given.inline_agents;
  if (inline === undefined || inline === null || (inline as { type: string }).type === 'enabled') {
    throw refuse(`${path}.inline_agents`, 'inline agents are not supported by this server (they are enabled unless you disable them)', 'send inline_agents: { type: "disabled" } and name saved agents in predefined_agents');
  }
  const entries = given.predefined_agents === undefined ? (sameType ? (previous.predefined_agents ?? []) : []) : (given.predefined_agents ?? []);
  if (entries.length === 0) throw refuse(`${path}.predefined_agents`, 'with inline agents disabled, name at least one saved agent', 'predefined_agents: ["agent_…"]');
  return { type: 'enabled', inline_agents: { type: 'disabled' }, predefined_agents: await resolveEntries(resources, owner, entries, `${path}.predefined_agents`) };
}

function assertNotTopologyAgent(owner: MultiagentOwner): void {
  const topology = owner.metadata[topologyKey];
  if (topology !== undefined && topology.trim() !== '') {
    throw refuse('body.multiagent', `a topology agent (metadata["${topologyKey}"]) cannot also be a coordinator`, "its document's agents are the session's threads already; give one of them a spawn: roster in the document instead");
  }
}

/** Resolves roster entries to agent versions of the owner's workspace, checking the roster's rules. */
async function resolveEntries(resources: ResourceStore, owner: MultiagentOwner, entries: ReadonlyArray<string | { type: string; id?: string; version?: number | null | undefined }>, path: string): Promise<AgentReference[]> {
  const resolved: AgentReference[] = [];
  const seenAt = new Map<string, number>();
  for (const [index, entry] of entries.entries()) {
    const at = `${path}[${index}]`;
    let reference: AgentReference;
    if (typeof entry === 'object' && entry.type === 'self') {
      reference = { type: 'agent', id: owner.id, version: owner.version };
    } else {
      const id = typeof entry === 'string' ? entry : String(entry.id);
      const version = typeof entry === 'string' ? undefined : (entry.version ?? undefined);
      const record = await resources.getResource('agent', owner.workspace, id, version);
      if (record === undefined) {
        const what = version === undefined ? `no agent ${id} in this workspace` : `agent ${id} has no version ${version}`;
        throw refuse(at, what, 'create the agent first (POST /v1/agents), or list them with GET /v1/agents');
      }
      if (record.archivedAt !== null) throw refuse(at, `agent ${id} is archived and cannot join a roster`);
      const nested = (record.body as { multiagent?: unknown }).multiagent;
      if (nested !== undefined && nested !== null && id !== owner.id) {
        throw refuse(at, `agent ${id} has a multiagent roster of its own; a roster agent cannot coordinate others (one level deep)`, 'name an agent without multiagent');
      }
      reference = { type: 'agent', id: record.id, version: record.version };
    }
    const first = seenAt.get(reference.id);
    if (first !== undefined) throw refuse(at, `agent ${reference.id} is already in the roster at ${path}[${first}]`, 'name each agent once ({ type: "self" } counts as this agent)');
    seenAt.set(reference.id, index);
    resolved.push(reference);
  }
  return resolved;
}
