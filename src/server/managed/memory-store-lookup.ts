/**
 * Finding a memory store of the caller's workspace (another workspace's store is a 404), the
 * server's agent memory store, and how a memory write's failures reach a client: what the memory
 * routes and the session resources share.
 */
import type { AgentMemoryStore, MemoryStoreRecord } from '../../memory/agent-memory-types.js';
import { createInProcessAgentMemoryStore } from '../../memory/in-process-agent-memory.js';
import { MemoryPathConflictError, MemoryPreconditionError } from '../../memory/memory-paths.js';
import { ConclaveError, isConclaveError } from '../../protocol/errors.js';
import { ApiError } from '../http-errors.js';
import type { ServerDeps } from '../server-deps.js';

const fallbackStores = new WeakMap<ServerDeps, AgentMemoryStore>();

/**
 * The server's agent memory store: `deps.memory`, else one in process for this server (give the
 * kernel's memory tools the same store, or agents never see what the API writes).
 *
 * @example
 * const store = await memoryStoreOf(deps).getStore(workspace, id);
 */
export function memoryStoreOf(deps: ServerDeps): AgentMemoryStore {
  if (deps.memory !== undefined) return deps.memory;
  let store = fallbackStores.get(deps);
  if (store === undefined) {
    store = createInProcessAgentMemoryStore();
    fallbackStores.set(deps, store);
  }
  return store;
}

/**
 * A memory store of the workspace; `not_found` otherwise (another workspace's store does not exist).
 *
 * @example
 * const store = await loadMemoryStore(deps, c.get('workspace'), c.req.param('id'));
 */
export async function loadMemoryStore(deps: ServerDeps, workspace: string, id: string): Promise<MemoryStoreRecord> {
  const record = await memoryStoreOf(deps).getStore(workspace, id);
  if (record === undefined) throw new ConclaveError('not_found', `no memory store ${id}`);
  return record;
}

/**
 * A memory store error as the Managed API reports it: a taken path is a 409
 * `memory_path_conflict_error` naming the memory in the way, a failed precondition a 409
 * `memory_precondition_failed_error`, any other conflict a 409 `conflict_error`.
 *
 * @example
 * const memory = await store.createMemory(…).catch((error: unknown) => Promise.reject(managedMemoryError(error)));
 */
export function managedMemoryError(error: unknown): unknown {
  if (error instanceof MemoryPathConflictError) {
    return new ApiError('store_conflict', `${error.message}; conflicting_path: ${error.conflictingPath}, conflicting_memory_id: ${error.conflictingMemoryId}`, {
      errorCode: 'memory_path_conflict_error',
      ...(error.hint !== undefined ? { hint: error.hint } : {}),
    });
  }
  if (error instanceof MemoryPreconditionError) return new ApiError('version_conflict', error.message, { errorCode: 'memory_precondition_failed_error', ...(error.hint !== undefined ? { hint: error.hint } : {}) });
  if (isConclaveError(error) && error.code === 'store_conflict' && !(error instanceof ApiError)) {
    return new ApiError('store_conflict', error.message, { errorCode: 'conflict_error', ...(error.hint !== undefined ? { hint: error.hint } : {}) });
  }
  return error;
}
