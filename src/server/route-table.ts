/**
 * Route tables: each part of the HTTP API declares its routes once — method, path, summary, and the
 * zod schemas of its query, body and responses — and that one declaration both registers the hono
 * handlers (`mountRoutes`) and feeds the OpenAPI document (`openapi.ts`). The handler map is typed
 * from the table, so TypeScript refuses a declared route without a handler and a handler without a
 * declared route; a test compares the app's registered routes with the document for what is left
 * (a route registered outside any table). Handlers still validate with the schemas named here,
 * through the same helpers as before, so errors keep their exact wording.
 */
import { Hono, type Handler } from 'hono';
import type { z } from 'zod';
import type { ServerEnv } from './server-deps.js';

export type RouteMethod = 'get' | 'post' | 'delete';

/** The error statuses an operation documents (each answered with the error envelope). */
export type ErrorStatus = 400 | 401 | 404 | 409 | 413;

/** A zod schema published as `#/components/schemas/<name>`. */
export interface NamedSchema {
  name: string;
  schema: z.ZodType;
}

export interface RouteResponse {
  description: string;
  /** A JSON body. */
  json?: NamedSchema;
  /** A `text/event-stream` body: what its frames carry. */
  eventStream?: string;
  /** Raw bytes (`application/octet-stream`; a file's content): what they are. */
  binary?: string;
}

/** A header the route reads (documented only; headers are not validated with zod). */
export interface HeaderParameter {
  name: string;
  description: string;
  /** JSON Schema of the value. */
  schema: Record<string, unknown>;
}

export interface RouteSpec<Path extends string = string> {
  method: RouteMethod;
  /** Relative to the group's `basePath`, hono syntax (`/sessions/:id`). */
  path: Path;
  summary: string;
  description?: string;
  /** No API key needed (health probes). */
  public?: boolean;
  /** Descriptions of the path parameters; a parameter of `path` without one is a definition error. */
  params?: Record<string, string>;
  /** The query schema the handler validates with (its input form is published). */
  query?: z.ZodType;
  headers?: HeaderParameter[];
  /** The body schema the handler validates with (a JSON body unless `contentType` says otherwise). */
  body?: NamedSchema & { required: boolean; description?: string; contentType?: 'application/json' | 'multipart/form-data' };
  responses: Record<number, RouteResponse>;
  /** Error statuses beyond 401 (every non-public route) and 500 (every route). */
  errors: ErrorStatus[];
}

/** A table of routes mounted together under one path prefix; keys are the operation ids. */
export interface RouteGroup<Routes extends Record<string, RouteSpec> = Record<string, RouteSpec>> {
  /** Where the group is mounted in the app (`/v1`, `/anthropic/v1`, `/`). */
  basePath: string;
  /** The API face it belongs to (the OpenAPI tag, and the part served by the face's own document). */
  face: 'service' | 'native' | 'managed';
  routes: Routes;
}

/** One handler per route of the table, each typed with its path (so `c.req.param('id')` is a string). */
export type RouteHandlers<Routes extends Record<string, RouteSpec>> = {
  [OperationId in keyof Routes]: Handler<ServerEnv, Routes[OperationId]['path']>;
};

/** The names of the `:params` of a hono path. */
export function pathParameterNames(path: string): string[] {
  return [...path.matchAll(/:([A-Za-z_][A-Za-z0-9_]*)/g)].map((match) => match[1] as string);
}

/**
 * Declares a route table; checks that every path parameter is described and every description
 * names a path parameter.
 *
 * @example
 * export const probeRoutes = defineRoutes({
 *   basePath: '/', face: 'service',
 *   routes: { health: { method: 'get', path: '/healthz', summary: 'Liveness probe', public: true, responses: { 200: { description: 'Up.' } }, errors: [] } },
 * });
 */
export function defineRoutes<const Routes extends Record<string, RouteSpec>>(group: RouteGroup<Routes>): RouteGroup<Routes> {
  for (const [operationId, spec] of Object.entries(group.routes)) {
    const names = pathParameterNames(spec.path).sort();
    const described = Object.keys(spec.params ?? {}).sort();
    if (names.join() !== described.join()) {
      throw new Error(`route ${operationId} (${spec.method.toUpperCase()} ${spec.path}): path parameters [${names.join(', ')}] but params describe [${described.join(', ')}]`);
    }
  }
  return group;
}

/**
 * A hono app with one handler per route of `group`, registered in table order (paths relative to
 * `group.basePath`, where the caller mounts it).
 *
 * @example
 * app.route(probeRoutes.basePath, mountRoutes(probeRoutes, { health: (c) => c.json({ ok: true }) }));
 */
export function mountRoutes<Routes extends Record<string, RouteSpec>>(group: RouteGroup<Routes>, handlers: RouteHandlers<Routes>): Hono<ServerEnv> {
  const app = new Hono<ServerEnv>();
  for (const operationId of Object.keys(group.routes) as Array<keyof Routes & string>) {
    const spec = group.routes[operationId] as RouteSpec;
    app.on(spec.method.toUpperCase(), spec.path, handlers[operationId] as Handler<ServerEnv>);
  }
  return app;
}

/**
 * The full path of a route in OpenAPI syntax: base path joined, `:id` as `{id}`.
 *
 * @example
 * openApiPath('/v1', '/sessions/:id') // → '/v1/sessions/{id}'
 */
export function openApiPath(basePath: string, path: string): string {
  const joined = `${basePath.replace(/\/+$/, '')}/${path.replace(/^\/+/, '')}`;
  return joined.replace(/:([A-Za-z_][A-Za-z0-9_]*)/g, '{$1}');
}
