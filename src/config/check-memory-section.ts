/**
 * Checks a document's `memory:` section and the memory tools agents name: each entry's shape (at
 * its JSON path), no store named twice, and no agent naming a memory tool the section does not
 * provide (any memory tool without a `memory:` section; `memory_write` when every store is `read`).
 * Whether the stores exist is checked when a session is created, in its workspace.
 */
import { memorySectionSchema, memoryToolNames, type MemoryEntry } from '../memory/memory-settings.js';
import { isNestedTopology, type AgentSlot } from '../protocol/index.js';
import { appendProblems, documentProblem, isPlainObject, type DocumentProblem } from './document-problem.js';
import type { JsonPath } from './format-json-path.js';
import { parseWithProblems } from './zod-problems.js';

export interface MemorySection {
  /** The entries, when the document has a valid section. */
  entries?: MemoryEntry[];
  /** Tool names agents may list without being told they are unknown (problems about them are reported here). */
  toolNames: readonly string[];
}

function checkAgentMemoryTools(agents: readonly AgentSlot[], path: JsonPath, entries: readonly MemoryEntry[] | undefined, problems: DocumentProblem[]): void {
  const writable = entries?.some((entry) => (entry.access ?? 'read_write') === 'read_write') === true;
  for (const [index, slot] of agents.entries()) {
    if (isNestedTopology(slot)) {
      checkAgentMemoryTools(slot.agents, [...path, index, 'agents'], entries, problems);
      continue;
    }
    if (slot.spawn !== undefined) checkAgentMemoryTools(slot.spawn.agents, [...path, index, 'spawn', 'agents'], entries, problems);
    for (const [toolIndex, tool] of (slot.tools ?? []).entries()) {
      if (!(memoryToolNames as readonly string[]).includes(tool)) continue;
      const at = [...path, index, 'tools', toolIndex];
      if (entries === undefined || entries.length === 0) {
        problems.push(documentProblem(at, `"${tool}" needs a memory store`, { hint: 'declare the stores the agents use under `memory:`, e.g. memory: [{ store: notes, access: read_write }]' }));
      } else if (tool === 'memory_write' && !writable) {
        problems.push(documentProblem(at, '"memory_write" needs a store with access read_write', { hint: 'every store under `memory:` is read-only (access: read)' }));
      }
    }
  }
}

/**
 * The `memory:` section of a raw document and the problems of it and of the agents' memory tools.
 *
 * @example
 * const memory = checkMemorySection(raw.memory, level?.agents, problems);
 * // memory.entries → [{ store: 'notes', access: 'read_write' }]
 */
export function checkMemorySection(raw: unknown, agents: readonly AgentSlot[] | undefined, problems: DocumentProblem[]): MemorySection {
  const parsed = parseWithProblems(memorySectionSchema.optional(), raw, ['memory']);
  if (!parsed.ok) appendProblems(problems, parsed.problems);
  // Checked on the raw entries, so a store listed twice is reported beside an entry's other problems.
  const seen = new Map<string, number>();
  for (const [index, entry] of (Array.isArray(raw) ? raw : []).entries()) {
    const store = isPlainObject(entry) ? entry['store'] : undefined;
    if (typeof store !== 'string') continue;
    const first = seen.get(store);
    if (first !== undefined) problems.push(documentProblem(['memory', index, 'store'], `store "${store}" is listed twice (first at memory[${first}])`, { hint: 'list each store once, with the access its agents need' }));
    else seen.set(store, index);
  }
  if (!parsed.ok) return { toolNames: memoryToolNames };
  const entries = parsed.value;
  if (agents !== undefined) checkAgentMemoryTools(agents, ['agents'], entries, problems);
  return { ...(entries !== undefined && entries.length > 0 ? { entries } : {}), toolNames: memoryToolNames };
}
