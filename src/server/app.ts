/**
 * The HTTP application: one hono app serving both APIs over the same kernel and stores — the native
 * API under `/v1` and the Managed-Agents-compatible API under `/anthropic/v1` (so the official SDK
 * works with `baseURL: 'http://host:port/anthropic'`). Around the routes: a request id on every
 * response, CORS only when origins are configured, request logs, metrics and spans when observed,
 * API-key authentication on everything but `/healthz`, `/readyz` and the web UI's static files
 * (whose API calls send a key), a body size limit (larger for file uploads), and one error envelope
 * for every failure, unknown routes included.
 * Runtime-neutral: `serve.ts` puts it on Node's HTTP server, tests can call `app.request()`.
 */
import { Hono, type Context, type MiddlewareHandler } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { cors } from 'hono/cors';
import { ConclaveError } from '../protocol/errors.js';
import { createId } from '../protocol/ids.js';
import { verifyApiKey } from './api-keys.js';
import { checkReadiness, storeCheck } from './health.js';
import { errorResponse } from './http-errors.js';
import { managedAgentRoutes } from './managed/agents.js';
import { managedEnvironmentRoutes } from './managed/environments.js';
import { managedAgentRouteTable } from './managed/managed-agent-routes.js';
import { managedEnvironmentRouteTable } from './managed/managed-environment-routes.js';
import { managedSessionRouteTable } from './managed/managed-session-routes.js';
import { managedSessionRoutes } from './managed/sessions.js';
import { managedThreadRouteTable } from './managed/thread-routes.js';
import { managedThreadRoutes } from './managed/threads.js';
import { managedFileRoutes } from './managed/files.js';
import { fileTooLarge, fileUploadLimit, multipartOverheadBytes } from './managed/file-upload.js';
import { managedFileRouteTable, managedSessionResourceRouteTable } from './managed/managed-file-routes.js';
import { managedSessionResourceRoutes } from './managed/session-resources.js';
import { managedVaultRouteTable } from './managed/managed-vault-routes.js';
import { managedMemoryStoreRouteTable } from './managed/managed-memory-store-routes.js';
import { managedMemoryStoreRoutes } from './managed/memory-store-handlers.js';
import { managedVaultRoutes } from './managed/vaults.js';
import { mountUnsupportedFamilies } from './managed/unsupported-families.js';
import { benchRunRouteTable, benchRunRoutes } from './native/bench-run-routes.js';
import { designRouteTable, designRoutes } from './native/design-routes.js';
import { nativeSessionRouteTable } from './native/native-session-routes.js';
import { nativeSessionRoutes } from './native/sessions.js';
import { openApiDocument, openApiRouteTable } from './openapi.js';
import { probeRouteTable } from './probe-routes.js';
import { mountMcpRoute } from './mcp-route.js';
import { observabilityMiddleware } from './observability-middleware.js';
import { mountRoutes } from './route-table.js';
import type { ServerDeps, ServerEnv } from './server-deps.js';
import { uiRoutes } from './ui-routes.js';

export { managedApiPrefix } from './managed/managed-api-base-path.js';

export interface ServerAppOptions {
  /** Origins allowed to call the API from a browser; CORS headers are sent only when given. */
  cors?: string[];
  /** Largest request body accepted, in bytes (413 beyond). Default 1 MiB. */
  maxBodyBytes?: number;
}

/** Default `maxBodyBytes`: 1 MiB. */
export const defaultMaxBodyBytes = 1024 * 1024;

/** Headers a browser client may send (the SDK's, plus ours). */
const corsAllowHeaders = [
  'authorization',
  'x-api-key',
  'content-type',
  'anthropic-version',
  'anthropic-beta',
  'anthropic-workspace-id',
  'x-stainless-retry-count',
  'x-stainless-timeout',
  'last-event-id',
  'mcp-session-id',
  'mcp-protocol-version',
];

function requestIdMiddleware(): MiddlewareHandler<ServerEnv> {
  return async (c, next) => {
    const requestId = createId('request');
    c.set('requestId', requestId);
    c.header('request-id', requestId);
    await next();
    if (!c.res.headers.has('request-id')) {
      try {
        c.res.headers.set('request-id', requestId);
      } catch {
        // A response with immutable headers (a proxied fetch) keeps its own.
      }
    }
  };
}

/** The API key of a request: `Authorization: Bearer <key>` (what the SDK sends), else `x-api-key`. */
function presentedKey(authorization: string | undefined, apiKeyHeader: string | undefined): string | undefined {
  const bearer = authorization === undefined ? undefined : /^Bearer\s+(.+)$/i.exec(authorization.trim())?.[1]?.trim();
  if (bearer !== undefined && bearer !== '') return bearer;
  const key = apiKeyHeader?.trim();
  return key === undefined || key === '' ? undefined : key;
}

function authMiddleware(deps: ServerDeps): MiddlewareHandler<ServerEnv> {
  return async (c, next) => {
    const secret = presentedKey(c.req.header('authorization'), c.req.header('x-api-key'));
    if (secret === undefined) {
      throw new ConclaveError('unauthenticated', 'missing API key', {
        hint: 'send "Authorization: Bearer <key>" or "x-api-key: <key>"; create a key with: conclave keys create --workspace default',
      });
    }
    const record = await verifyApiKey(deps.resources, secret);
    if (record === undefined) {
      throw new ConclaveError('unauthenticated', 'invalid API key', { hint: 'the key is unknown or revoked; list keys with: conclave keys list' });
    }
    c.set('workspace', record.workspace);
    c.set('keyId', record.id);
    await next();
  };
}

/**
 * Builds the application over `deps`.
 *
 * @example
 * const app = createServerApp({ kernel, resources, documents, heartbeatMs: 15_000 }, { cors: ['http://localhost:5173'] });
 * const response = await app.request('/healthz'); // → 200 {"ok":true}
 */
export function createServerApp(deps: ServerDeps, options: ServerAppOptions = {}): Hono<ServerEnv> {
  const app = new Hono<ServerEnv>();
  const maxBodyBytes = options.maxBodyBytes ?? defaultMaxBodyBytes;

  app.onError((error, c) => errorResponse(c, error));
  app.notFound((c) => errorResponse(c, new ConclaveError('not_found', `no route ${c.req.method} ${c.req.path}`)));

  app.use('*', requestIdMiddleware());
  if (deps.observability !== undefined) app.use('*', observabilityMiddleware(deps.observability));
  if (options.cors !== undefined && options.cors.length > 0) {
    app.use('*', cors({ origin: options.cors, allowHeaders: corsAllowHeaders, exposeHeaders: ['request-id', 'mcp-session-id'], maxAge: 600 }));
  }

  // Every route is mounted from a route table, which is also what `openApiDocument()` publishes.
  app.route(
    probeRouteTable.basePath,
    mountRoutes(probeRouteTable, {
      health: (c) => c.json({ ok: true }),
      readiness: async (c) => {
        const report = await checkReadiness({ store: storeCheck(deps.kernel.store), ...deps.readiness });
        return c.json(report, report.ready ? 200 : 503);
      },
    }),
  );

  // The web UI's static files need no key (every API call the app makes sends one).
  app.use('*', uiRoutes());
  app.use('*', authMiddleware(deps));
  // A refused body's unread rest is still on the connection: the 413 closes it, so it is never reused.
  const refuseBody = (c: Context<ServerEnv>, error: ConclaveError): Response => {
    const response = errorResponse(c, error);
    response.headers.set('connection', 'close');
    return response;
  };
  const generalBodyLimit = bodyLimit({
    maxSize: maxBodyBytes,
    onError: (c) => refuseBody(c, new ConclaveError('payload_too_large', `the request body is larger than ${maxBodyBytes} bytes`)),
  });
  // A file upload is the one body allowed past `maxBodyBytes`: up to the policy's file limit.
  const uploadLimit = fileUploadLimit(deps.kernel.policy);
  const uploadBodyLimit = bodyLimit({ maxSize: uploadLimit + multipartOverheadBytes, onError: (c) => refuseBody(c, fileTooLarge(uploadLimit)) });
  const uploadPath = `${managedFileRouteTable.basePath}/files`;
  app.use('*', (c, next) => (c.req.method === 'POST' && c.req.path.replace(/\/+$/, '') === uploadPath ? uploadBodyLimit(c, next) : generalBodyLimit(c, next)));

  const metrics = deps.observability?.metrics;
  if (metrics !== undefined) {
    // Behind the API key like every route: counts across workspaces are the operator's to see.
    app.get('/metrics', async (c) => c.body(await metrics.render(), 200, { 'content-type': metrics.contentType }));
  }

  app.route(
    openApiRouteTable.basePath,
    mountRoutes(openApiRouteTable, {
      getOpenApiDocument: (c) => c.json(openApiDocument()),
      getManagedOpenApiDocument: (c) => c.json(openApiDocument({ part: 'managed' })),
    }),
  );
  app.route(nativeSessionRouteTable.basePath, nativeSessionRoutes(deps));
  app.route(benchRunRouteTable.basePath, benchRunRoutes(deps));
  app.route(designRouteTable.basePath, designRoutes(deps));
  app.route(managedAgentRouteTable.basePath, managedAgentRoutes(deps));
  app.route(managedEnvironmentRouteTable.basePath, managedEnvironmentRoutes(deps));
  app.route(managedSessionRouteTable.basePath, managedSessionRoutes(deps));
  app.route(managedThreadRouteTable.basePath, managedThreadRoutes(deps));
  app.route(managedFileRouteTable.basePath, managedFileRoutes(deps));
  app.route(managedSessionResourceRouteTable.basePath, managedSessionResourceRoutes(deps));
  app.route(managedVaultRouteTable.basePath, managedVaultRoutes(deps));
  app.route(managedMemoryStoreRouteTable.basePath, managedMemoryStoreRoutes(deps));
  mountUnsupportedFamilies(app);
  // Not a REST route (JSON-RPC over POST, GET and DELETE), so outside the route tables and the OpenAPI document.
  mountMcpRoute(app, deps);

  return app;
}
