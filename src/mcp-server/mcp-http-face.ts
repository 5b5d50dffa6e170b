/**
 * The MCP server over streamable HTTP, for `conclave serve` (`/mcp`). Stateful: a client's
 * `initialize` opens an MCP session (its own `McpServer` and transport, named by the
 * `mcp-session-id` header), so progress reaches the request that asked for it and a cancel reaches
 * the run it names. Each MCP session belongs to the API key that opened it — a request with another
 * key gets "session not found" — and runs in that key's workspace as an untrusted caller: its inline
 * documents are parsed like a `POST /v1/sessions` body (the server's parser thread, the caller
 * limits) and held to the policy. Sessions idle for `idleTimeoutMs` with no run in flight are closed.
 */
import { randomUUID } from 'node:crypto';
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { WebStandardStreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/webStandardStreamableHttp.js';
import type { TopologyDocument } from '../config/index.js';
import type { Kernel } from '../kernel/index.js';
import { ConclaveError } from '../protocol/index.js';
import type { DocumentCatalog } from '../server/document-catalog.js';
import { inThreadDocumentParser, type DocumentParser } from '../server/document-parser-thread.js';
import { createConclaveMcpServer } from './conclave-mcp-server.js';

/** The API key a request was authenticated with. */
export interface McpHttpCaller {
  workspace: string;
  keyId: string;
}

export interface McpHttpFaceOptions {
  kernel: Kernel;
  documents: DocumentCatalog;
  /** Parses inline documents off the event loop (`conclave serve`); default: in the request's thread. */
  documentParser?: DocumentParser;
  /** An MCP session with no request and no run for this long is closed. Default 30 minutes. */
  idleTimeoutMs?: number;
  /** Open MCP sessions at most; beyond, the longest idle one is closed. Default 1000. */
  maxSessions?: number;
  /** Sessions run on workers (`serve --queue`): `run_topology` launches them and follows their log. */
  sessionsRunOnWorkers?: boolean;
}

export interface McpHttpFace {
  /** Answers one HTTP request of the MCP endpoint (POST, GET or DELETE). */
  handle(request: Request, caller: McpHttpCaller): Promise<Response>;
  /** Closes every MCP session (their streams end; runs in flight are cancelled, hence interrupted). */
  close(): Promise<void>;
}

interface OpenSession {
  server: McpServer;
  transport: WebStandardStreamableHTTPServerTransport;
  keyId: string;
  /** When a request or a run last touched it, and how many runs are in flight. */
  activity: { lastUsed: number; running: number };
}

/** Default `idleTimeoutMs`: 30 minutes. */
export const defaultMcpIdleTimeoutMs = 30 * 60_000;

function jsonRpcError(status: number, code: number, message: string): Response {
  return new Response(JSON.stringify({ jsonrpc: '2.0', error: { code, message }, id: null }), { status, headers: { 'content-type': 'application/json' } });
}

/**
 * The MCP endpoint's state and handler, over the server's kernel and catalog.
 *
 * @example
 * const face = createMcpHttpFace({ kernel, documents, documentParser });
 * app.all('/mcp', (c) => face.handle(c.req.raw, { workspace: c.get('workspace'), keyId: c.get('keyId') }));
 */
export function createMcpHttpFace(options: McpHttpFaceOptions): McpHttpFace {
  const parser = options.documentParser ?? inThreadDocumentParser(options.documents);
  const idleTimeoutMs = options.idleTimeoutMs ?? defaultMcpIdleTimeoutMs;
  const maxSessions = options.maxSessions ?? 1000;
  const sessions = new Map<string, OpenSession>();

  // The same parse as an inline document of `POST /v1/sessions`, named `document` in error locations.
  async function parseInline(text: string): Promise<TopologyDocument> {
    const request = await parser.read(JSON.stringify({ document: text }), 'document');
    if (request.documentError !== undefined) throw ConclaveError.fromJSON(request.documentError);
    if (request.document === undefined) throw new ConclaveError('internal', 'the inline document was not parsed');
    return request.document;
  }

  async function closeSession(id: string): Promise<void> {
    const session = sessions.get(id);
    if (session === undefined) return;
    sessions.delete(id);
    await session.server.close().catch(() => undefined);
  }

  function closeIdle(): void {
    const now = Date.now();
    for (const [id, session] of sessions) if (session.activity.running === 0 && now - session.activity.lastUsed >= idleTimeoutMs) void closeSession(id);
  }

  const sweeper = setInterval(closeIdle, Math.min(idleTimeoutMs, 60_000));
  sweeper.unref();

  async function open(request: Request, caller: McpHttpCaller): Promise<Response> {
    if (sessions.size >= maxSessions) {
      const oldest = [...sessions].filter(([, session]) => session.activity.running === 0).sort(([, a], [, b]) => a.activity.lastUsed - b.activity.lastUsed)[0];
      if (oldest === undefined) return jsonRpcError(503, -32000, `too many MCP sessions (${maxSessions}) with runs in flight; try again later`);
      await closeSession(oldest[0]);
    }
    const activity = { lastUsed: Date.now(), running: 0 };
    const transport = new WebStandardStreamableHTTPServerTransport({
      sessionIdGenerator: () => randomUUID(),
      onsessioninitialized: (id) => void sessions.set(id, session),
      onsessionclosed: (id) => void closeSession(id),
    });
    const server = createConclaveMcpServer({
      kernel: options.kernel,
      documents: options.documents,
      parseInline,
      caller: { workspace: caller.workspace, untrusted: true },
      ...(options.sessionsRunOnWorkers === true ? { sessionsRunOnWorkers: true } : {}),
      onRun: {
        started: () => (activity.running += 1),
        ended: () => {
          activity.running -= 1;
          activity.lastUsed = Date.now();
        },
      },
    });
    const session: OpenSession = { server, transport, keyId: caller.keyId, activity };
    await session.server.connect(session.transport);
    const response = await session.transport.handleRequest(request);
    // Anything but an `initialize` without a session id is refused by the transport: nothing to keep.
    if (session.transport.sessionId === undefined) await session.server.close().catch(() => undefined);
    return response;
  }

  return {
    async handle(request, caller) {
      const id = request.headers.get('mcp-session-id');
      if (id === null) {
        if (request.method !== 'POST') return jsonRpcError(400, -32000, 'Bad Request: no mcp-session-id header; start with an initialize request');
        return open(request, caller);
      }
      const session = sessions.get(id);
      // Another key's session is answered exactly like one that does not exist.
      if (session === undefined || session.keyId !== caller.keyId) return jsonRpcError(404, -32001, 'Session not found');
      session.activity.lastUsed = Date.now();
      return session.transport.handleRequest(request);
    },
    async close() {
      clearInterval(sweeper);
      await Promise.all([...sessions.keys()].map((id) => closeSession(id)));
    },
  };
}
