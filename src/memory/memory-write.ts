/**
 * Writing a memory by its path: create it, or replace the content of the memory already there —
 * what "write" means to an operator (`conclave memory write`), as to an agent's `memory_write`.
 * The store only knows create (by path) and update (by id); between looking a path up and
 * creating it, another writer may take it, so a create that meets its own path taken is retried
 * once as an update. Writing the content a memory already has adds no version.
 */
import { createId } from '../protocol/ids.js';
import type { AgentMemoryStore, MemoryActor, MemoryRecord } from './agent-memory-types.js';
import { MemoryPathConflictError, MemoryPreconditionError } from './memory-paths.js';

/** What a write did: made the memory, changed its content, or found it already so. */
export type MemoryWriteOutcome = 'created' | 'updated' | 'unchanged';

/** A write by path; the caller checks the path and content (`checkMemoryPath`, `checkMemoryContent`). */
export interface MemoryPathWrite {
  path: string;
  content: string;
  /**
   * Write only if the memory at the path has this SHA-256; else `MemoryPreconditionError`, also
   * when there is no memory at the path.
   */
  expectedSha256?: string;
  /** Who writes (absent: nobody is recorded). */
  actor?: MemoryActor;
}

/**
 * Creates the memory at `write.path`, or replaces the content of the one there.
 *
 * @example
 * const { outcome, memory } = await writeMemoryAtPath(store, 'default', 'memstore_01…', { path: '/notes.md', content: 'Ship on Monday.' });
 * // outcome: 'created' the first time, 'updated' or 'unchanged' after
 */
export async function writeMemoryAtPath(store: AgentMemoryStore, workspace: string, storeId: string, write: MemoryPathWrite): Promise<{ outcome: MemoryWriteOutcome; memory: MemoryRecord }> {
  const { path, content, expectedSha256, actor } = write;
  const written = { versionId: createId('memoryVersion'), ...(actor !== undefined ? { actor } : {}) };
  for (let attempt = 0; ; attempt += 1) {
    const current = await store.getMemoryByPath(workspace, storeId, path);
    try {
      if (current === undefined) {
        if (expectedSha256 !== undefined) throw new MemoryPreconditionError(path, expectedSha256);
        return { outcome: 'created', memory: await store.createMemory(workspace, storeId, { id: createId('memory'), path, content, ...written }) };
      }
      const memory = await store.updateMemory(workspace, storeId, current.id, { content, ...written, ...(expectedSha256 !== undefined ? { expectedSha256 } : {}) });
      return { outcome: memory.versionId === current.versionId ? 'unchanged' : 'updated', memory };
    } catch (error) {
      // Another writer created the path between the lookup and the create: write over theirs, once.
      if (error instanceof MemoryPathConflictError && attempt === 0 && current === undefined && error.conflictingPath === path) continue;
      throw error;
    }
  }
}
