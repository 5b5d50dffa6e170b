// The OpenAPI document of both faces: generated from the route tables the app mounts, so every
// route the hono app registered is in it and nothing else is (the drift check below); valid OAS 3.1
// by a maintained validator (@readme/openapi-parser); every $ref resolvable; bodies and queries from
// the zod schemas the routes validate with; served at /v1/openapi.json and, the Managed part, at
// /anthropic/v1/openapi.json. Then the native request schemas' verdicts on good and bad input.
import { compileErrors, validate } from '@readme/openapi-parser';
import { afterAll, beforeAll, describe, expect, expectTypeOf, it } from 'vitest';
import type { z } from 'zod';
import { Kernel } from '../../src/kernel/index.js';
import { createDefaultRegistry } from '../../src/presets/default-registry.js';
import { isConclaveError, type ConclaveError } from '../../src/protocol/errors.js';
import { createApiKey } from '../../src/server/api-keys.js';
import { createServerApp } from '../../src/server/app.js';
import { createDocumentCatalog } from '../../src/server/document-catalog.js';
import type { errorEnvelopeSchema } from '../../src/server/error-envelope-schema.js';
import type { ErrorEnvelope } from '../../src/server/http-errors.js';
import type { AgentObject, AgentSnapshot } from '../../src/server/managed/agents.js';
import type { EnvironmentObject } from '../../src/server/managed/environments.js';
import type { agentObjectSchema, agentSnapshotSchema, environmentObjectSchema } from '../../src/server/managed/managed-response-schemas.js';
import { openApiDocument } from '../../src/server/openapi.js';
import type { ServerDeps } from '../../src/server/server-deps.js';
import { createMemoryResourceStore, createMemoryStore } from '../../src/store/index.js';
import {
  createSessionBody,
  interruptBody,
  listEventsQuery,
  listSessionsQuery,
  parseRequestPart,
  sendMessageBody,
  streamQuery,
} from '../../src/server/native/schemas.js';

type Json = Record<string, unknown>;
const methods = ['get', 'post', 'put', 'patch', 'delete'];

function collectRefs(value: unknown, into: string[] = []): string[] {
  if (Array.isArray(value)) for (const item of value) collectRefs(item, into);
  else if (typeof value === 'object' && value !== null) {
    for (const [key, item] of Object.entries(value)) {
      if (key === '$ref' && typeof item === 'string') into.push(item);
      else collectRefs(item, into);
    }
  }
  return into;
}

function resolvePointer(document: Json, pointer: string): unknown {
  return pointer
    .replace(/^#\//, '')
    .split('/')
    .reduce<unknown>((node, segment) => (node as Json | undefined)?.[segment.replace(/~1/g, '/').replace(/~0/g, '~')], document);
}

function rejection(run: () => unknown): ConclaveError {
  try {
    run();
  } catch (error) {
    if (isConclaveError(error)) return error;
    throw error;
  }
  throw new Error('expected a rejection');
}

let deps: ServerDeps;
let app: ReturnType<typeof createServerApp>;
let key: string;

beforeAll(async () => {
  const registry = createDefaultRegistry();
  const resources = createMemoryResourceStore();
  deps = {
    kernel: new Kernel({ store: createMemoryStore(), registry }),
    resources,
    documents: createDocumentCatalog({ directory: new URL('../../examples', import.meta.url).pathname, registry }),
    heartbeatMs: 1000,
  };
  app = createServerApp(deps);
  ({ key } = await createApiKey(resources, { workspace: 'team-a' }));
});

afterAll(async () => {
  await deps.resources.close();
  await deps.kernel.store.close();
});

/** `GET /x` for every operation of the document. */
function documentedOperations(document: Json): string[] {
  return Object.entries(document.paths as Record<string, Json>).flatMap(([path, item]) =>
    methods.filter((method) => item[method] !== undefined).map((method) => `${method.toUpperCase()} ${path}`),
  );
}

/** `GET /x` for every route the hono app registered, `:id` as `{id}`; middleware (`ALL`), HEAD and OPTIONS left out. */
function registeredOperations(): string[] {
  const operations = app.routes
    .filter((route) => !['ALL', 'HEAD', 'OPTIONS'].includes(route.method) && route.path !== '*' && route.path !== '/*')
    .map((route) => `${route.method} ${route.path.replace(/:([A-Za-z_][A-Za-z0-9_]*)/g, '{$1}')}`);
  return [...new Set(operations)];
}

describe('openApiDocument', () => {
  const document = openApiDocument();
  const paths = document.paths as Record<string, Json>;

  it('is plain JSON of OpenAPI 3.1', () => {
    expect(JSON.parse(JSON.stringify(document))).toEqual(document);
    expect(document.openapi).toBe('3.1.0');
    expect(JSON.stringify(document)).not.toContain('$schema');
    expect(JSON.stringify(document)).not.toContain('$defs');
  });

  it('is a valid OAS 3.1 document, whole and the Managed part', async () => {
    for (const candidate of [document, openApiDocument({ part: 'managed' })]) {
      const result = await validate(structuredClone(candidate) as never);
      expect(result.valid, result.valid ? '' : compileErrors(result)).toBe(true);
      expect(result.specification).toBe('OpenAPI');
    }
  });

  it('fails validation when broken, so the check above can fail', async () => {
    const broken = structuredClone(document) as Json;
    const listSessions = (broken.paths as Record<string, Json>)['/v1/sessions']!.get as Json;
    ((listSessions.responses as Json)['200'] as Json).content = { 'application/json': { schema: { $ref: '#/components/schemas/NoSuchSchema' } } };
    expect((await validate(broken as never)).valid).toBe(false);
    const badParameter = structuredClone(document) as Json;
    const getSession = (badParameter.paths as Record<string, Json>)['/v1/sessions/{id}']!.get as Json;
    (getSession.parameters as Json[])[0]!.in = 'body';
    expect((await validate(badParameter as never)).valid).toBe(false);
  });

  it('describes exactly the routes the app registered, on both faces', () => {
    const registered = registeredOperations();
    expect(registered.length).toBeGreaterThan(30);
    expect(registered.filter((operation) => operation.includes(' /anthropic/v1/')).length).toBeGreaterThan(15);
    expect(documentedOperations(document).sort()).toEqual(registered.sort());
  });

  it('gives every operation an id, a 2xx response and the error envelope', () => {
    const operationIds: string[] = [];
    for (const [path, item] of Object.entries(paths)) {
      for (const method of methods.filter((name) => item[name] !== undefined)) {
        const operation = item[method] as Json;
        operationIds.push(operation.operationId as string);
        const responses = operation.responses as Json;
        expect(Object.keys(responses).some((status) => status.startsWith('2')), `${method} ${path}`).toBe(true);
        expect(responses['500'], `${method} ${path}`).toEqual({ $ref: '#/components/responses/InternalError' });
        for (const parameter of path.match(/\{[^}]+\}/g) ?? []) {
          const declared = (operation.parameters as Json[]).find((entry) => entry.in === 'path' && `{${entry.name as string}}` === parameter);
          expect(declared, `${method} ${path} ${parameter}`).toMatchObject({ required: true, description: expect.any(String) });
        }
      }
    }
    expect(new Set(operationIds).size).toBe(operationIds.length);
    expect(Object.keys((paths['/v1/sessions']!.post as Json).responses as Json)).toContain('201');
    expect(((document.components as Json).responses as Record<string, Json>).NotFound).toEqual({
      description: expect.any(String),
      content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } },
    });
  });

  it('requires an API key everywhere but the probes', () => {
    const schemes = (document.components as Json).securitySchemes as Json;
    expect(schemes.bearerAuth).toEqual(expect.objectContaining({ type: 'http', scheme: 'bearer' }));
    expect(schemes.apiKeyHeader).toEqual(expect.objectContaining({ type: 'apiKey', in: 'header', name: 'x-api-key' }));
    expect(document.security).toEqual([{ bearerAuth: [] }, { apiKeyHeader: [] }]);
    expect((paths['/healthz']!.get as Json).security).toEqual([]);
    expect((paths['/readyz']!.get as Json).security).toEqual([]);
    expect((paths['/v1/documents']!.get as Json).security).toBeUndefined();
    expect(Object.keys((paths['/v1/documents']!.get as Json).responses as Json)).toContain('401');
  });

  it('resolves every $ref', () => {
    const refs = collectRefs(document);
    expect(refs.length).toBeGreaterThan(10);
    for (const pointer of refs) expect(resolvePointer(document, pointer), pointer).toBeDefined();
  });

  it('carries the body schemas generated from zod, and the query parameters', () => {
    const schemas = (document.components as Json).schemas as Record<string, Json>;
    const create = schemas.CreateSessionBody!;
    expect(create).toMatchObject({ type: 'object', additionalProperties: false });
    expect(Object.keys(create.properties as Json).sort()).toEqual(['budget', 'document', 'metadata', 'name', 'run', 'seed', 'task', 'title']);
    expect((create.properties as Record<string, Json>).metadata).toMatchObject({ maxProperties: 16 });
    expect((create.properties as Record<string, Json>).run).toMatchObject({ type: 'boolean', default: true });
    expect(schemas.SendMessageBody).toMatchObject({ required: ['text'], properties: { text: { type: 'string', minLength: 1, maxLength: 100_000 } } });
    expect(schemas.InterruptBody).toMatchObject({ properties: { reason: { type: 'string', maxLength: 500 } } });
    expect(schemas.CreateAgentBody).toMatchObject({ type: 'object', required: ['name', 'model'], additionalProperties: false });
    expect(Object.keys((schemas.SendEventsBody!.properties as Record<string, Json>).events!)).toContain('items');
    for (const name of ['SessionView', 'Event', 'Error', 'SessionPage', 'EventPage', 'Agent', 'Environment', 'ManagedSession', 'ManagedEvent', 'ManagedEventPage']) expect(schemas[name], name).toBeDefined();
    expect(Object.keys(schemas.SessionView!.properties as Json)).toContain('turns');
    expect((schemas.EventPage!.properties as Record<string, Json>).data).toEqual({ type: 'array', items: { $ref: '#/components/schemas/Event' } });

    const events = paths['/v1/sessions/{id}/events']!.get as Json;
    expect((events.parameters as Json[]).filter((parameter) => parameter.in === 'query').map((parameter) => parameter.name)).toEqual(['after', 'limit', 'page', 'types']);
    expect((events.parameters as Json[])[2]).toMatchObject({ name: 'limit', in: 'query', required: false, schema: { type: 'integer', minimum: 1, maximum: 1000 } });
    const stream = paths['/v1/sessions/{id}/events/stream']!.get as Json;
    expect((stream.parameters as Json[]).map((parameter) => parameter.name)).toEqual(['id', 'after', 'deltas', 'Last-Event-ID']);
    expect(Object.keys(((stream.responses as Json)['200'] as Json).content as Json)).toEqual(['text/event-stream']);
    const managedEvents = paths['/anthropic/v1/sessions/{id}/events']!.get as Json;
    expect((managedEvents.parameters as Json[]).find((parameter) => parameter.name === 'types[]')).toMatchObject({ in: 'query', schema: { type: 'array' }, explode: true });
    const agents = paths['/anthropic/v1/agents']!.get as Json;
    expect((agents.parameters as Json[]).map((parameter) => parameter.name)).toEqual(['limit', 'page', 'include_archived', 'created_at[gte]', 'created_at[lte]']);
  });

  it('keeps the response schemas and the types the handlers build the same', () => {
    expectTypeOf<z.output<typeof errorEnvelopeSchema>>().toEqualTypeOf<ErrorEnvelope>();
    expectTypeOf<AgentObject>().toExtend<z.output<typeof agentObjectSchema>>();
    expectTypeOf<AgentSnapshot>().toExtend<z.output<typeof agentSnapshotSchema>>();
    expectTypeOf<EnvironmentObject>().toExtend<z.output<typeof environmentObjectSchema>>();
  });

  it('is served at /v1/openapi.json, and the Managed part at /anthropic/v1/openapi.json', async () => {
    const whole = await app.request('/v1/openapi.json', { headers: { 'x-api-key': key } });
    expect(whole.status).toBe(200);
    expect(await whole.json()).toEqual(document);
    const managed = await app.request('/anthropic/v1/openapi.json', { headers: { authorization: `Bearer ${key}` } });
    expect(managed.status).toBe(200);
    const managedDocument = (await managed.json()) as Json;
    expect(managedDocument).toEqual(openApiDocument({ part: 'managed' }));
    expect(Object.keys(managedDocument.paths as Json).every((path) => path.startsWith('/anthropic/v1/'))).toBe(true);
    expect(documentedOperations(managedDocument).sort()).toEqual(registeredOperations().filter((operation) => operation.includes(' /anthropic/v1/')).sort());
    expect(Object.keys((managedDocument.components as Json).schemas as Json)).not.toContain('SessionView');
  });

  it('returns a fresh copy on every call', () => {
    (openApiDocument().info as Json).title = 'changed';
    expect((openApiDocument().info as Json).title).toBe('conclave API');
  });
});

describe('native request schemas', () => {
  it('accepts a named or an inline document, and defaults run to true', () => {
    expect(createSessionBody.parse({ name: 'debate' })).toEqual({ name: 'debate', run: true });
    expect(createSessionBody.parse({ document: 'topology: debate\n', run: false, seed: 0 })).toEqual({ document: 'topology: debate\n', run: false, seed: 0 });
    expect(createSessionBody.parse({ document: { topology: 'debate' }, metadata: { team: 'a' } }).metadata).toEqual({ team: 'a' });
  });

  it('rejects bad session bodies with the JSON path', () => {
    const paths = (value: unknown) => createSessionBody.safeParse(value).error?.issues.map((issue) => issue.path.join('.'));
    expect(paths({})).toEqual(['document']);
    expect(paths({ name: 'a', document: {} })).toEqual(['name']);
    expect(paths({ name: 'a', seed: -1 })).toEqual(['seed']);
    expect(paths({ name: 'a', seed: 1.5 })).toEqual(['seed']);
    expect(paths({ name: 'a', title: 'x'.repeat(201) })).toEqual(['title']);
    expect(paths({ name: 'a', metadata: { team: 'x'.repeat(513) } })).toEqual(['metadata.team']);
    expect(paths({ name: 'a', metadata: Object.fromEntries(Array.from({ length: 17 }, (_, index) => [`k${index}`, 'v'])) })).toEqual(['metadata']);
    expect(paths({ name: 'a', run: 'yes' })).toEqual(['run']);
    expect(paths({ name: 'a', tsak: 'x' })).toEqual(['']);
  });

  it('rejects bad messages, interrupts and queries', () => {
    expect(sendMessageBody.safeParse({ text: '' }).error?.issues[0]?.path).toEqual(['text']);
    expect(sendMessageBody.safeParse({ text: 'x'.repeat(100_001) }).error?.issues[0]?.path).toEqual(['text']);
    expect(interruptBody.parse({})).toEqual({});
    expect(interruptBody.safeParse({ reason: 'x'.repeat(501) }).error?.issues[0]?.path).toEqual(['reason']);
    expect(listEventsQuery.parse({ after: '3', limit: '10', types: 'agent.message' })).toEqual({ after: 3, limit: 10, types: 'agent.message' });
    expect(listEventsQuery.safeParse({ limit: '1001' }).error?.issues[0]?.path).toEqual(['limit']);
    expect(listEventsQuery.safeParse({ after: '-1' }).error?.issues[0]?.path).toEqual(['after']);
    expect(listSessionsQuery.safeParse({ status: 'sleeping' }).error?.issues[0]?.path).toEqual(['status']);
    expect(listSessionsQuery.safeParse({ include_archived: 'yes' }).error?.issues[0]?.path).toEqual(['include_archived']);
    expect(streamQuery.parse({ after: '12', deltas: 'true' })).toEqual({ after: 12, deltas: 'true' });
    expect(streamQuery.safeParse({ after: 'x' }).error?.issues[0]?.path).toEqual(['after']);
  });

  it('turns a rejection into an invalid_argument error located at the path', () => {
    const error = rejection(() => parseRequestPart(createSessionBody, { name: 'a', metadata: { team: 'x'.repeat(513) } }, 'body'));
    expect(error.code).toBe('invalid_argument');
    expect(error.category).toBe('user');
    expect(error.location).toEqual({ path: 'metadata.team' });
    expect(error.message).toBe('body.metadata.team: must be at most 512 characters long');

    const typo = rejection(() => parseRequestPart(createSessionBody, { name: 'a', tsak: 'x' }, 'body'));
    expect(typo.location).toEqual({ path: 'tsak' });
    expect(typo.hint).toBe('did you mean "task"?');

    const several = rejection(() => parseRequestPart(listEventsQuery, { after: '-1', limit: '0' }, 'query'));
    expect(several.message).toMatch(/^query\.after: .* \(and 1 more\)$/);
    expect(several.issues?.map((issue) => issue.location?.path)).toEqual(['after', 'limit']);

    const notObject = rejection(() => parseRequestPart(sendMessageBody, 'hello', 'body'));
    expect(notObject.message).toBe('body: expected object, received string');
    expect(parseRequestPart(sendMessageBody, { text: 'hi' }, 'body')).toEqual({ text: 'hi' });
  });
});
