/**
 * `/mcp`: conclave's MCP server over streamable HTTP, mounted on the app behind the same API-key
 * authentication and body limit as every other route (a client sends `Authorization: Bearer <key>`
 * as a header of its transport). The MCP SDK and the face are imported on the first request, so a
 * server nobody asks for MCP never loads them.
 */
import type { Hono } from 'hono';
import type * as McpHttpFaceModule from '../mcp-server/mcp-http-face.js';
import type { ServerDeps, ServerEnv } from './server-deps.js';

/** Where the MCP endpoint is mounted. */
export const mcpRoutePath = '/mcp';

/**
 * Mounts the MCP endpoint (POST, GET and DELETE of streamable HTTP) on `app`; its MCP sessions
 * close when `deps.shutdownSignal` fires.
 *
 * @example
 * app.use('*', authMiddleware(deps));
 * mountMcpRoute(app, deps); // an MCP client connects to http://127.0.0.1:8787/mcp with its API key
 */
export function mountMcpRoute(app: Hono<ServerEnv>, deps: ServerDeps): void {
  let face: Promise<McpHttpFaceModule.McpHttpFace> | undefined;
  const load = (): Promise<McpHttpFaceModule.McpHttpFace> =>
    (face ??= import('../mcp-server/mcp-http-face.js').then(({ createMcpHttpFace }) => {
      const created = createMcpHttpFace({
        kernel: deps.kernel,
        documents: deps.documents,
        ...(deps.documentParser !== undefined ? { documentParser: deps.documentParser } : {}),
        ...(deps.sessionsRunOnWorkers === true ? { sessionsRunOnWorkers: true } : {}),
      });
      deps.shutdownSignal?.addEventListener('abort', () => void created.close(), { once: true });
      return created;
    }));
  app.all(mcpRoutePath, async (c) => (await load()).handle(c.req.raw, { workspace: c.get('workspace'), keyId: c.get('keyId') }));
}
