/**
 * The thread tree of a Managed Agents session: the primary thread (the session itself) and one
 * child thread per agent slot of a topology agent's document, nested slots' agents under their
 * slot's thread. Ids are derived from the session id and the slot path, so they never change.
 * Agents started at run time with `spawn_agent` join the tree as the log shows them
 * (`spawnedThread`), each under the thread whose tool call started it, its id derived from that
 * call's command id.
 */
import { createHash } from 'node:crypto';
import type { SessionEvent } from '../../protocol/events.js';
import { isNestedTopology, type AgentSlot } from '../../protocol/index.js';
import { recordOf } from './managed-session-summary.js';

/** One thread of a session: the primary (path `[]`) or an agent slot (its slot path). */
export interface ThreadNode {
  id: string;
  /** Slot names from the document's top level down; empty for the primary thread. */
  path: readonly string[];
  /** The name its agent goes by (the slot's name; the session agent's for the primary). */
  name: string;
  parent: ThreadNode | undefined;
  children: ThreadNode[];
  /** The document slot it runs; undefined for the primary thread. */
  slot: AgentSlot | undefined;
  /** For a thread started by `spawn_agent`: the tool call's command id, and when the thread began. */
  spawn?: { toolCommandId: string; createdAt: string };
  /** On the primary thread: what spawned threads need (set when the document has a spawn roster). */
  spawning?: SpawnRosters;
}

/** The spawn rosters of a session's document, and the names of the agents behind their slots. */
export interface SpawnRosters {
  /** Every agent slot of the document, top level first (spawn rosters' slots among them). */
  slots: AgentSlot[];
  /** A Managed coordinator's roster: each spawn slot's agent name, as `session.thread_created` gives it. */
  agentNames: Map<string, string>;
}

/**
 * The id of a session's thread: `sthr_` and 22 characters derived from the session id and the slot
 * path, so it is stable across reads, processes and restarts, and differs between sessions.
 *
 * @example
 * sessionThreadId('sesn_1', [])            // → the primary thread's id
 * sessionThreadId('sesn_1', ['optimist'])  // → 'sthr_…' (the same on every call)
 */
export function sessionThreadId(sessionId: string, path: readonly string[]): string {
  const digest = createHash('sha256').update(`session_thread\n${sessionId}\n${path.join('\n')}`).digest();
  const alphabet = '0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ';
  let id = '';
  for (let index = 0; index < 22; index += 1) id += alphabet[(digest[index] as number) % alphabet.length];
  return `sthr_${id}`;
}

/** The session's `session.created` attributes as the Managed face wrote them. */
function managedAttributesOf(created: SessionEvent): Record<string, unknown> | undefined {
  return recordOf(recordOf(created.data['attributes'])?.['managed']);
}

/**
 * The thread tree of a session, from its `session.created` event: the primary thread, and — when the
 * session's agent is a topology — one thread per agent slot of its document, nested slots' agents
 * under their slot's thread, in document order.
 *
 * @example
 * threadTreeOf(created, { topologyAgent: true }).children.map((thread) => thread.name) // → ['optimist', 'skeptic', 'pragmatist']
 */
export function threadTreeOf(created: SessionEvent, options: { topologyAgent: boolean }): ThreadNode {
  const data = created.data;
  const agent = recordOf(managedAttributesOf(created)?.['agent']);
  const document = recordOf(data['document']);
  const name = typeof agent?.['name'] === 'string' ? agent['name'] : typeof document?.['name'] === 'string' ? document['name'] : String(data['topology'] ?? 'session');
  const primary: ThreadNode = { id: sessionThreadId(created.sessionId, []), path: [], name, parent: undefined, children: [], slot: undefined };
  const slots = document?.['agents'];
  if (options.topologyAgent && Array.isArray(slots)) addSlots(created.sessionId, primary, slots as AgentSlot[]);
  const everySlot = Array.isArray(slots) ? allSlots(slots as AgentSlot[]) : [];
  if (everySlot.some((slot) => !isNestedTopology(slot) && slot.spawn !== undefined)) {
    const roster = managedAttributesOf(created)?.['roster'];
    const agentNames = new Map<string, string>();
    if (Array.isArray(roster)) {
      for (const member of roster as Array<{ slot?: unknown; agent?: { name?: unknown } }>) {
        if (typeof member?.slot === 'string' && typeof member.agent?.name === 'string') agentNames.set(member.slot, member.agent.name);
      }
    }
    primary.spawning = { slots: everySlot, agentNames };
  }
  return primary;
}

/** Every slot of a document: its agents, nested topologies' agents and spawn rosters' agents. */
function allSlots(slots: readonly AgentSlot[]): AgentSlot[] {
  const out: AgentSlot[] = [];
  for (const slot of slots) {
    if (typeof slot?.name !== 'string') continue;
    out.push(slot);
    if (isNestedTopology(slot)) {
      if (Array.isArray(slot.agents)) out.push(...allSlots(slot.agents));
    } else if (slot.spawn !== undefined && Array.isArray(slot.spawn.agents)) {
      out.push(...allSlots(slot.spawn.agents));
    }
  }
  return out;
}

/** The tool call a spawned command runs under: the innermost `…/tool:N/spawn/<name>` of its id. */
const spawnSegment = /\/tool:\d+\/spawn\/([^/]+)/g;

/**
 * Where a command started by `spawn_agent` belongs: the innermost spawn of its id — the tool call
 * that started it, the child's name and the prefix every command of that child shares — or
 * undefined for a command no spawned agent runs.
 *
 * @example
 * spawnOf('pipeline/pass:1/stage:0/generate:0/tool:1/spawn/researcher/generate:0')
 * // → { toolCommandId: 'pipeline/pass:1/stage:0/generate:0/tool:1', name: 'researcher', prefix: '…/tool:1/spawn/researcher' }
 */
export function spawnOf(commandId: string): { toolCommandId: string; name: string; prefix: string } | undefined {
  let last: RegExpExecArray | undefined;
  for (const match of commandId.matchAll(spawnSegment)) last = match as RegExpExecArray;
  if (last === undefined) return undefined;
  const toolEnd = last.index + last[0].length - `/spawn/${last[1] as string}`.length;
  return { toolCommandId: commandId.slice(0, toolEnd), name: last[1] as string, prefix: commandId.slice(0, last.index + last[0].length) };
}

/**
 * A new thread for a child that `spawn_agent` started, under `parent` (the thread of the tool call):
 * its id derived from the session and the tool call, its slot the roster's (a spawn roster near the
 * parent first), its name the Managed agent's name when a coordinator's roster gives one.
 *
 * @example
 * const thread = spawnedThread(sessionId, root, spawnOf(commandId), event.at);
 */
export function spawnedThread(sessionId: string, parent: ThreadNode, spawn: { toolCommandId: string; name: string }, createdAt: string): ThreadNode {
  let root = parent;
  while (root.parent !== undefined) root = root.parent;
  const spawning = root.spawning;
  const near = parent.slot !== undefined && !isNestedTopology(parent.slot) ? parent.slot.spawn?.agents : undefined;
  const slot = near?.find((candidate) => candidate.name === spawn.name) ?? spawning?.slots.find((candidate) => candidate.name === spawn.name);
  const node: ThreadNode = {
    id: sessionThreadId(sessionId, ['spawn', spawn.toolCommandId]),
    path: [...parent.path, spawn.name],
    name: spawning?.agentNames.get(spawn.name) ?? spawn.name,
    parent,
    children: [],
    slot,
    spawn: { toolCommandId: spawn.toolCommandId, createdAt },
  };
  parent.children.push(node);
  return node;
}

function addSlots(sessionId: string, parent: ThreadNode, slots: readonly AgentSlot[]): void {
  for (const slot of slots) {
    if (typeof slot?.name !== 'string') continue;
    const path = [...parent.path, slot.name];
    const node: ThreadNode = { id: sessionThreadId(sessionId, path), path, name: slot.name, parent, children: [], slot };
    parent.children.push(node);
    if (isNestedTopology(slot) && Array.isArray(slot.agents)) addSlots(sessionId, node, slot.agents);
  }
}

/**
 * Every thread of a tree, parents before children, siblings in document order.
 *
 * @example
 * threadsOf(tree).map((thread) => thread.path.join(' › ')) // → ['', 'solo', 'panel', 'panel › optimist', …]
 */
export function threadsOf(root: ThreadNode): ThreadNode[] {
  const out: ThreadNode[] = [];
  const visit = (node: ThreadNode): void => {
    out.push(node);
    for (const child of node.children) visit(child);
  };
  visit(root);
  return out;
}

/**
 * Whether `thread` is `ancestor` or lies below it: a thread's events include its children's.
 *
 * @example
 * isWithin(panelOptimist, panel) // → true
 */
export function isWithin(thread: ThreadNode, ancestor: ThreadNode): boolean {
  for (let node: ThreadNode | undefined = thread; node !== undefined; node = node.parent) if (node === ancestor) return true;
  return false;
}
