// Starts the HTTP server on an ephemeral port over in-memory stores, with API keys for two
// workspaces — what every server test needs, in one call.
import { join, resolve } from 'node:path';
import { Kernel } from '../../src/kernel/index.js';
import { createDefaultRegistry } from '../../src/presets/default-registry.js';
import type { AgentMemoryStore } from '../../src/memory/agent-memory-types.js';
import type { FileStore } from '../../src/protocol/files.js';
import type { Registry } from '../../src/protocol/index.js';
import type { ResourceStore } from '../../src/protocol/resources.js';
import { createApiKey } from '../../src/server/api-keys.js';
import type { BenchRunLibrary } from '../../src/server/bench-run-library.js';
import { createDocumentCatalog, type DocumentCatalog } from '../../src/server/document-catalog.js';
import { startServer, type RunningServer, type StartServerOptions } from '../../src/server/serve.js';
import type { ServerDeps } from '../../src/server/server-deps.js';
import type { CredentialVault } from '../../src/vault/credential-vault.js';
import { createMemoryResourceStore, createMemoryStore, createSqliteResourceStore, createSqliteStore } from '../../src/store/index.js';

const projectRoot = resolve(import.meta.dirname, '..', '..');

export interface TestServer extends RunningServer {
  deps: ServerDeps;
  /** A key of workspace `team-a`. */
  key: string;
  /** A key of workspace `team-b`. */
  otherKey: string;
}

export interface TestServerOptions extends Omit<StartServerOptions, 'deps' | 'port'> {
  resources?: ResourceStore;
  /** The file store of the Files API (share it with the kernel's session tools to mount files). */
  files?: FileStore;
  documents?: DocumentCatalog;
  /** A kernel of the test's own (its store is closed with the server). Default: over a memory store. */
  kernel?: Kernel;
  readiness?: ServerDeps['readiness'];
  /** Vault credentials (the credential routes answer 400 without). */
  credentials?: CredentialVault;
  /** The agent memory store of the memory API (share it with the kernel's memory tools). */
  memory?: AgentMemoryStore;
  /** Bench runs shown at /v1/bench/runs (none without). */
  benchRuns?: BenchRunLibrary;
}

export async function startTestServer(options: TestServerOptions = {}): Promise<TestServer> {
  const registry = createDefaultRegistry();
  const resources = options.resources ?? createMemoryResourceStore();
  const deps: ServerDeps = {
    kernel: options.kernel ?? new Kernel({ store: createMemoryStore(), registry }),
    resources,
    ...(options.files !== undefined ? { files: options.files } : {}),
    documents: options.documents ?? createDocumentCatalog({ directory: join(projectRoot, 'examples'), registry }),
    heartbeatMs: 1000,
    ...(options.readiness !== undefined ? { readiness: options.readiness } : {}),
    ...(options.credentials !== undefined ? { credentials: options.credentials } : {}),
    ...(options.memory !== undefined ? { memory: options.memory } : {}),
    ...(options.benchRuns !== undefined ? { benchRuns: options.benchRuns } : {}),
  };
  const { key } = await createApiKey(resources, { workspace: 'team-a', name: 'tests' });
  const { key: otherKey } = await createApiKey(resources, { workspace: 'team-b' });
  const { resources: _resources, files: _files, documents: _documents, kernel: _kernel, readiness: _readiness, credentials: _credentials, memory: _memory, benchRuns: _benchRuns, ...serverOptions } = options;
  const server = await startServer({ ...serverOptions, deps, port: 0 });
  return {
    ...server,
    deps,
    key,
    otherKey,
    close: async () => {
      await server.close();
      await resources.close();
      await deps.kernel.store.close();
    },
  };
}

/**
 * A test server whose sessions and resources live in SQLite files in `directory` (`sessions.db`,
 * `resources.db`): start it again on the same directory to see what a restart keeps.
 */
export function startSqliteTestServer(directory: string, registry: Registry = createDefaultRegistry()): Promise<TestServer> {
  return startTestServer({
    kernel: new Kernel({ store: createSqliteStore({ path: join(directory, 'sessions.db') }), registry }),
    resources: createSqliteResourceStore({ path: join(directory, 'resources.db') }),
  });
}

/** `fetch` that counts the requests it makes, for asserting the SDK did not retry. */
export function countingFetch(): { fetch: typeof fetch; requests: Array<{ method: string; url: string }> } {
  const requests: Array<{ method: string; url: string }> = [];
  return {
    requests,
    fetch: (input, init) => {
      const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
      requests.push({ method: init?.method ?? 'GET', url });
      return fetch(input, init);
    },
  };
}

/** A JSON call to a test server's API with its key (or `init.key`); the status and the parsed body. */
export async function callApi(server: { url: string; key: string }, path: string, init: RequestInit & { key?: string } = {}): Promise<{ status: number; body: Record<string, unknown> }> {
  const headers = new Headers(init.headers);
  headers.set('authorization', `Bearer ${init.key ?? server.key}`);
  if (init.body !== undefined) headers.set('content-type', 'application/json');
  const response = await fetch(`${server.url}${path}`, { ...init, headers });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}
