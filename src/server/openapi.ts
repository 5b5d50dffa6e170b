/**
 * The OpenAPI 3.1 document of both faces — the native API under `/v1` and the Managed-Agents-
 * compatible API under `/anthropic/v1` — plus the health probes. It is generated from the route
 * tables the app mounts (`route-table.ts`): every path, method, query parameter and body comes from
 * the declaration that registers the handler, and every schema from zod (`z.toJSONSchema`: request
 * schemas in their input form, responses in their output form), so the document cannot drift from
 * the routes. Served whole at `/v1/openapi.json`, and the Managed part at `/anthropic/v1/openapi.json`.
 */
import { z } from 'zod';
import { errorEnvelopeSchema } from './error-envelope-schema.js';
import { managedAgentRouteTable } from './managed/managed-agent-routes.js';
import { managedApiBasePath } from './managed/managed-api-base-path.js';
import { managedEnvironmentRouteTable } from './managed/managed-environment-routes.js';
import { managedSessionRouteTable, managedStreamComponents } from './managed/managed-session-routes.js';
import { managedThreadRouteTable } from './managed/thread-routes.js';
import { managedFileRouteTable, managedSessionResourceRouteTable } from './managed/managed-file-routes.js';
import { managedVaultRouteTable } from './managed/managed-vault-routes.js';
import { managedMemoryStoreRouteTable } from './managed/managed-memory-store-routes.js';
import { conclaveErrorSchema } from './native/native-response-schemas.js';
import { benchRunRouteTable } from './native/bench-run-routes.js';
import { designRouteTable } from './native/design-routes.js';
import { nativeSessionRouteTable, nativeStreamComponents } from './native/native-session-routes.js';
import { probeRouteTable } from './probe-routes.js';
import { defineRoutes, openApiPath, pathParameterNames, type ErrorStatus, type NamedSchema, type RouteGroup, type RouteSpec } from './route-table.js';

type JsonObject = Record<string, unknown>;

const openApiDocumentResponse = {
  200: { description: 'An OpenAPI 3.1 document.', json: { name: 'OpenApiDocument', schema: z.looseObject({ openapi: z.string(), info: z.looseObject({}), paths: z.looseObject({}) }) } },
};

/** The routes that serve this document: whole at `/v1/openapi.json`, the Managed part under its own prefix. */
export const openApiRouteTable = defineRoutes({
  basePath: '/',
  face: 'service',
  routes: {
    getOpenApiDocument: {
      method: 'get',
      path: '/v1/openapi.json',
      summary: 'This document: both faces and the probes',
      responses: openApiDocumentResponse,
      errors: [],
    },
    getManagedOpenApiDocument: {
      method: 'get',
      path: `${managedApiBasePath}/openapi.json`,
      summary: 'The part of this document that describes the Managed-Agents-compatible API',
      responses: openApiDocumentResponse,
      errors: [],
    },
  },
});

/** Every route table the app mounts, in the order the document lists them. */
export const routeTables: readonly RouteGroup[] = [probeRouteTable, openApiRouteTable, nativeSessionRouteTable, benchRunRouteTable, designRouteTable, managedAgentRouteTable, managedEnvironmentRouteTable, managedSessionRouteTable, managedThreadRouteTable, managedSessionResourceRouteTable, managedFileRouteTable, managedVaultRouteTable, managedMemoryStoreRouteTable];

/** Schemas published though no route answers with them alone: the data of SSE frames, and shared ones that recur. */
const nativeComponents: NamedSchema[] = [{ name: 'ConclaveError', schema: conclaveErrorSchema }, ...nativeStreamComponents];

const tagOf: Record<RouteGroup['face'], string> = { service: 'service', native: 'native', managed: 'managed-agents' };

const errorResponses: Record<ErrorStatus | 500, { name: string; description: string }> = {
  400: { name: 'BadRequest', description: 'The request is not valid (`invalid_request_error`); `details.location.path` names the field, `details.issues` lists every problem.' },
  401: { name: 'Unauthorized', description: 'No API key, or an unknown one (`authentication_error`).' },
  404: { name: 'NotFound', description: 'No such resource in this workspace (`not_found_error`).' },
  409: { name: 'Conflict', description: 'Not now: a version conflict, an archived resource, an answered tool call (`invalid_request_error`, `x-should-retry: false`).' },
  413: { name: 'PayloadTooLarge', description: 'The body is too large (`request_too_large`).' },
  500: { name: 'InternalError', description: 'conclave failed (`api_error`); the message reveals nothing, the request id finds the log line.' },
};

const schemaRef = (name: string): JsonObject => ({ $ref: `#/components/schemas/${name}` });

/** A zod schema as a JSON Schema fragment fit for OpenAPI (no `$schema` / `$id` keys). */
function jsonSchemaOf(schema: z.ZodType, io: 'input' | 'output'): JsonObject {
  const { $schema: _dialect, ...rest } = z.toJSONSchema(schema, { io }) as JsonObject;
  return rest;
}

/**
 * `#/components/schemas` for named zod schemas, references between them as `$ref`s. A name given
 * to two different schemas is a definition error.
 */
function componentSchemas(named: NamedSchema[], io: 'input' | 'output'): Record<string, JsonObject> {
  const registry = z.registry<{ id: string }>();
  const byName = new Map<string, z.ZodType>();
  for (const { name, schema } of named) {
    const known = byName.get(name);
    if (known === schema) continue;
    if (known !== undefined) throw new Error(`OpenAPI component ${name} names two different schemas`);
    byName.set(name, schema);
    registry.add(schema, { id: name });
  }
  const { schemas } = z.toJSONSchema(registry, { io, uri: (id) => `#/components/schemas/${id}` }) as { schemas: Record<string, JsonObject> };
  return Object.fromEntries(
    Object.entries(schemas).map(([name, { $schema: _dialect, $id: _id, ...schema }]) => [name, schema]),
  );
}

/** One OpenAPI parameter per property of a query schema, its description lifted to the parameter. */
function queryParameters(schema: z.ZodType): JsonObject[] {
  const json = jsonSchemaOf(schema, 'input') as { properties?: Record<string, JsonObject>; required?: string[] };
  return Object.entries(json.properties ?? {}).map(([name, property]) => {
    const { description, ...propertySchema } = property;
    const list = propertySchema['type'] === 'array' ? { style: 'form', explode: true } : {};
    return { name, in: 'query', required: json.required?.includes(name) ?? false, schema: propertySchema, ...list, ...(description !== undefined ? { description } : {}) };
  });
}

function operationOf(group: RouteGroup, operationId: string, spec: RouteSpec): JsonObject {
  const parameters: JsonObject[] = [
    ...pathParameterNames(spec.path).map((name) => ({ name, in: 'path', required: true, schema: { type: 'string' }, description: spec.params?.[name] })),
    ...(spec.query !== undefined ? queryParameters(spec.query) : []),
    ...(spec.headers ?? []).map((header) => ({ name: header.name, in: 'header', required: false, schema: header.schema, description: header.description })),
  ];
  const responses: JsonObject = {};
  for (const [status, response] of Object.entries(spec.responses)) {
    const content: JsonObject = {};
    if (response.json !== undefined) content['application/json'] = { schema: schemaRef(response.json.name) };
    if (response.eventStream !== undefined) content['text/event-stream'] = { schema: { type: 'string', description: response.eventStream } };
    if (response.binary !== undefined) content['application/octet-stream'] = { schema: { type: 'string', contentMediaType: 'application/octet-stream', description: response.binary } };
    responses[status] = { description: response.description, content };
  }
  const errors: Array<ErrorStatus | 500> = [...spec.errors, ...(spec.public === true ? [] : [401 as const]), 500];
  for (const status of [...new Set(errors)].sort()) responses[String(status)] = { $ref: `#/components/responses/${errorResponses[status].name}` };
  return {
    operationId,
    summary: spec.summary,
    ...(spec.description !== undefined ? { description: spec.description } : {}),
    tags: [tagOf[group.face]],
    ...(spec.public === true ? { security: [] } : {}),
    ...(parameters.length > 0 ? { parameters } : {}),
    ...(spec.body !== undefined
      ? {
          requestBody: {
            required: spec.body.required,
            ...(spec.body.description !== undefined ? { description: spec.body.description } : {}),
            content: { [spec.body.contentType ?? 'application/json']: { schema: schemaRef(spec.body.name) } },
          },
        }
      : {}),
    responses,
  };
}

export interface OpenApiDocumentOptions {
  /** `managed`: only the routes under `/anthropic/v1` (what `/anthropic/v1/openapi.json` serves). Default: everything. */
  part?: 'all' | 'managed';
}

/**
 * The OpenAPI 3.1 document of the routes in `routeTables`. Every route but the probes needs an API
 * key, as `Authorization: Bearer <key>` or `x-api-key: <key>`.
 *
 * @example
 * app.get('/v1/openapi.json', (c) => c.json(openApiDocument()));
 * const managedOnly = openApiDocument({ part: 'managed' });
 */
export function openApiDocument(options: OpenApiDocumentOptions = {}): Record<string, unknown> {
  const managedOnly = options.part === 'managed';
  const paths: Record<string, JsonObject> = {};
  const requestComponents: NamedSchema[] = [];
  const responseComponents: NamedSchema[] = [{ name: 'Error', schema: errorEnvelopeSchema }];
  for (const group of routeTables) {
    for (const [operationId, spec] of Object.entries(group.routes)) {
      const path = openApiPath(group.basePath, spec.path);
      if (managedOnly && !path.startsWith(`${managedApiBasePath}/`)) continue;
      const item = (paths[path] ??= {});
      item[spec.method] = operationOf(group, operationId, spec);
      if (spec.body !== undefined) requestComponents.push(spec.body);
      for (const response of Object.values(spec.responses)) if (response.json !== undefined) responseComponents.push(response.json);
    }
  }
  const extras = managedOnly ? managedStreamComponents : [...nativeComponents, ...managedStreamComponents];
  const schemas = componentSchemas([...responseComponents, ...extras], 'output');
  for (const [name, schema] of Object.entries(componentSchemas(requestComponents, 'input'))) {
    if (schemas[name] !== undefined) throw new Error(`OpenAPI component ${name} is both a request and a response schema`);
    schemas[name] = schema;
  }
  const errorStatuses = Object.values(errorResponses);
  return {
    openapi: '3.1.0',
    info: {
      title: managedOnly ? 'conclave Managed-Agents-compatible API' : 'conclave API',
      version: '1',
      description: managedOnly
        ? 'The Managed Agents subset conclave serves under `/anthropic/v1` (the SDK `baseURL` is the server URL plus `/anthropic`). Generated from the route tables the server mounts.'
        : 'Sessions of multi-agent topologies under `/v1` (create, follow, steer and interrupt them), and the Managed-Agents-compatible API under `/anthropic/v1`, on the same keys. Generated from the route tables the server mounts.',
    },
    tags: managedOnly ? [{ name: tagOf.managed }] : Object.values(tagOf).map((name) => ({ name })),
    security: [{ bearerAuth: [] }, { apiKeyHeader: [] }],
    paths,
    components: {
      securitySchemes: {
        bearerAuth: { type: 'http', scheme: 'bearer', description: '`Authorization: Bearer <API key>` (what the Anthropic SDK sends).' },
        apiKeyHeader: { type: 'apiKey', in: 'header', name: 'x-api-key' },
      },
      schemas,
      responses: Object.fromEntries(errorStatuses.map(({ name, description }) => [name, { description, content: { 'application/json': { schema: schemaRef('Error') } } }])),
    },
  };
}
