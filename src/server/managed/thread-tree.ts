/**
 * The thread tree of a Managed Agents session: the primary thread (the session itself) and one
 * child thread per agent slot of a topology agent's document, nested slots' agents under their
 * slot's thread. Ids are derived from the session id and the slot path, so they never change.
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
  return primary;
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
