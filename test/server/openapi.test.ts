// The native API's OpenAPI document (plain JSON, every operation answered, every $ref resolvable,
// bodies generated from the zod schemas) and those schemas' verdicts on good and bad input.
import { describe, expect, it } from 'vitest';
import { isConclaveError, type ConclaveError } from '../../src/protocol/errors.js';
import { openApiDocument } from '../../src/server/openapi.js';
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

describe('openApiDocument', () => {
  const document = openApiDocument();
  const paths = document.paths as Record<string, Json>;

  it('is plain JSON of OpenAPI 3.1', () => {
    expect(JSON.parse(JSON.stringify(document))).toEqual(document);
    expect(document.openapi).toBe('3.1.0');
    expect(JSON.stringify(document)).not.toContain('$schema');
  });

  it('describes every route, each operation with responses', () => {
    expect(Object.keys(paths).sort()).toEqual([
      '/healthz',
      '/v1/documents',
      '/v1/openapi.json',
      '/v1/sessions',
      '/v1/sessions/{id}',
      '/v1/sessions/{id}/archive',
      '/v1/sessions/{id}/events',
      '/v1/sessions/{id}/events/stream',
      '/v1/sessions/{id}/interrupt',
      '/v1/sessions/{id}/messages',
    ]);
    const operationIds: string[] = [];
    for (const [path, item] of Object.entries(paths)) {
      const operations = methods.filter((method) => item[method] !== undefined);
      expect(operations.length, path).toBeGreaterThan(0);
      for (const method of operations) {
        const operation = item[method] as Json;
        operationIds.push(operation.operationId as string);
        const responses = operation.responses as Json;
        expect(Object.keys(responses).some((status) => status.startsWith('2')), `${method} ${path}`).toBe(true);
      }
    }
    expect(new Set(operationIds).size).toBe(operationIds.length);
    expect(Object.keys((paths['/v1/sessions']!.post as Json).responses as Json)).toContain('201');
  });

  it('requires an API key everywhere but /healthz', () => {
    const schemes = (document.components as Json).securitySchemes as Json;
    expect(schemes.bearerAuth).toEqual(expect.objectContaining({ type: 'http', scheme: 'bearer' }));
    expect(schemes.apiKeyHeader).toEqual(expect.objectContaining({ type: 'apiKey', in: 'header', name: 'x-api-key' }));
    expect(document.security).toEqual([{ bearerAuth: [] }, { apiKeyHeader: [] }]);
    expect((paths['/healthz']!.get as Json).security).toEqual([]);
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
    expect(Object.keys(create.properties as Json).sort()).toEqual(['document', 'metadata', 'name', 'run', 'seed', 'task', 'title']);
    expect((create.properties as Record<string, Json>).metadata).toMatchObject({ maxProperties: 16 });
    expect((create.properties as Record<string, Json>).run).toMatchObject({ type: 'boolean', default: true });
    expect(schemas.SendMessageBody).toMatchObject({ required: ['text'], properties: { text: { type: 'string', minLength: 1, maxLength: 100_000 } } });
    expect(schemas.InterruptBody).toMatchObject({ properties: { reason: { type: 'string', maxLength: 500 } } });
    for (const name of ['SessionView', 'Event', 'Error', 'SessionPage', 'EventPage']) expect(schemas[name], name).toBeDefined();

    const events = paths['/v1/sessions/{id}/events']!.get as Json;
    expect((events.parameters as Json[]).map((parameter) => parameter.name)).toEqual(['after', 'limit', 'page', 'types']);
    expect((events.parameters as Json[])[1]).toMatchObject({ in: 'query', required: false, schema: { type: 'integer', minimum: 1, maximum: 1000 } });
    const stream = paths['/v1/sessions/{id}/events/stream']!.get as Json;
    expect((stream.parameters as Json[]).map((parameter) => parameter.name)).toEqual(['after', 'deltas', 'Last-Event-ID']);
    expect(Object.keys(((stream.responses as Json)['200'] as Json).content as Json)).toEqual(['text/event-stream']);
  });

  it('returns a fresh copy on every call', () => {
    (openApiDocument().info as Json).title = 'changed';
    expect((openApiDocument().info as Json).title).toBe('conclave native API');
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
