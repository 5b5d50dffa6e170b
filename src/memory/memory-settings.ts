/**
 * A document's `memory:` section: the memory stores its agents may use, each named by name or id
 * (`memstore_…`) in the session's workspace, with the access its agents get — `read` (list, read,
 * search) or `read_write` (also write). Every model agent of the document is offered the memory
 * tools; one that names memory tools in its own `tools:` is offered only those. When a session is
 * created, each entry is resolved to its store (an unknown store is an error naming the entry's
 * JSON path) and journaled resolved, so a resumed session uses the same stores whatever their names
 * are by then.
 */
import { z } from 'zod';

/** What agents may do with a store: `read` (list, read, search) or `read_write` (also write). */
export type MemoryAccess = 'read' | 'read_write';

export const memoryAccessSchema = z.enum(['read', 'read_write']);

/** One entry of `memory:` as written in a document. */
export const memoryEntrySchema = z.strictObject({
  store: z
    .string()
    .min(1, 'name a memory store: its name or its id (memstore_…)')
    .meta({ description: "A memory store of the session's workspace: its name, or its id (`memstore_…`)." }),
  access: memoryAccessSchema.optional().meta({ description: '`read` (list, read, search) or `read_write` (also write). Default `read_write`.' }),
  create: z.boolean().optional().meta({ description: 'Create the store (by name) when the workspace has none of that name. Default false: an unknown store is an error.' }),
  instructions: z.string().max(4096).optional().meta({ description: 'How the agents should use this store; shown to them with the memory tools.' }),
});

/** One entry of a document's `memory:`. */
export interface MemoryEntry {
  /** A memory store of the session's workspace: its name, or its id (`memstore_…`). */
  store: string;
  /** Default `read_write`. */
  access?: MemoryAccess;
  /** Create the store (by name) when the workspace has none of that name. Default false. */
  create?: boolean;
  /** How the agents should use this store; shown to them with the memory tools. */
  instructions?: string;
}

// The schema and the interface describe the same entries.
const sameEntry: [z.infer<typeof memoryEntrySchema>] extends [MemoryEntry] ? ([MemoryEntry] extends [z.infer<typeof memoryEntrySchema>] ? true : false) : false = true;
void sameEntry;

/** Most stores one session may use. */
export const maximumSessionStores = 8;

/** The `memory:` section. */
export const memorySectionSchema = z.array(memoryEntrySchema).max(maximumSessionStores, `a session uses at most ${maximumSessionStores} memory stores`);

/** An entry once its store is resolved: what `session.created` journals. */
export interface ResolvedMemoryEntry {
  /** The store's id (`memstore_…`). */
  store: string;
  /** Its name when the session was created (what agents call it). */
  name: string;
  /** Its description when the session was created. */
  description: string;
  access: MemoryAccess;
  instructions?: string;
  /** Where the entry came from: the document's `memory:` (default) or a Managed session's `resources`. */
  source?: 'resources';
}

/** The memory tools, in the order they are offered. */
export const memoryToolNames = ['memory_list', 'memory_read', 'memory_search', 'memory_write'] as const;
export type MemoryToolName = (typeof memoryToolNames)[number];

/** The tools that only read. */
export const readOnlyMemoryTools: readonly MemoryToolName[] = ['memory_list', 'memory_read', 'memory_search'];

/**
 * Whether `name` is a memory tool's.
 *
 * @example
 * isMemoryTool('memory_write') // → true
 */
export function isMemoryTool(name: string): name is MemoryToolName {
  return (memoryToolNames as readonly string[]).includes(name);
}
