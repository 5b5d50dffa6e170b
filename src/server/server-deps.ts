/**
 * What every HTTP route needs, built once by `createServerApp`: the kernel (sessions), the resource
 * store (API keys, agents, environments), the catalog of named topology documents, and timing
 * settings. Route modules receive this instead of importing singletons, so tests build their own.
 */
import type { Kernel } from '../kernel/index.js';
import type { AgentMemoryStore } from '../memory/agent-memory-types.js';
import type { FileStore } from '../protocol/files.js';
import type { ResourceStore } from '../protocol/resources.js';
import type { CredentialVault } from '../vault/credential-vault.js';
import type { BenchRunLibrary } from './bench-run-library.js';
import type { DocumentCatalog } from './document-catalog.js';
import type { DocumentParser } from './document-parser-thread.js';
import type { ReadinessCheck } from './health.js';
import type { ServerObservability } from './observability-middleware.js';

/** Hono variables set by the auth middleware for every authenticated request. */
export interface ServerEnv {
  Variables: {
    /** The workspace of the API key that made the request; every resource is scoped to it. */
    workspace: string;
    /** The id of the API key that made the request. */
    keyId: string;
    /** `req_…`, also sent as the `request-id` header and in error bodies. */
    requestId: string;
  };
}

export interface ServerDeps {
  kernel: Kernel;
  resources: ResourceStore;
  /**
   * Uploaded files and session resources (the Files API). Give the store the kernel's session tools
   * use too, or mounted files never reach the sandbox. Default: one in memory for this server.
   */
  files?: FileStore;
  documents: DocumentCatalog;
  /**
   * Memory stores, their memories and versions (the memory API). Give the store the kernel's memory
   * tools use too (`memorySessionPreparer`), or agents never see what the API writes. Default: one
   * in memory for this server.
   */
  memory?: AgentMemoryStore;
  /**
   * The vault credentials of the Managed API (sealed at rest). Without it, the credential routes
   * answer a 400 and sessions cannot use vaults; vaults themselves still work.
   */
  credentials?: CredentialVault;
  /**
   * Parses the bodies of `POST /v1/sessions` with their inline documents; `conclave serve` does it
   * in a worker thread (`startDocumentParserThread`). Default: in the request's thread, with `documents`.
   */
  documentParser?: DocumentParser;
  /** Interval of SSE heartbeats (`: ping` comments). */
  heartbeatMs: number;
  /** What `/readyz` checks besides the session store (the queue, when sessions go to workers). */
  readiness?: Record<string, ReadinessCheck>;
  /**
   * Sessions run on `conclave worker`s (`serve --queue`; the kernel launches them through the
   * queue): a face that waits for a session's outcome (MCP `run_topology`) follows its log instead
   * of running it in this process.
   */
  sessionsRunOnWorkers?: boolean;
  /**
   * Aborted when the server starts shutting down (`startServer(…).close()`): long-lived responses
   * such as event streams should end when it fires. Optional; connections still open a moment
   * after shutdown began are closed by the server.
   */
  shutdownSignal?: AbortSignal;
  /** Finished `conclave bench` runs shown by `GET /v1/bench/runs` and the UI (`serve --bench-runs`); none by default. */
  benchRuns?: BenchRunLibrary;
  /** Request logs, metrics (`GET /metrics`) and request spans; none by default. */
  observability?: ServerObservability;
}
