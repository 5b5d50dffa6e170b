/**
 * The OpenAPI 3.1 description of the native HTTP API, served at `/v1/openapi.json`. Request bodies
 * and query parameters are generated from the zod schemas the routes validate with
 * (`native/schemas.ts`), so they cannot drift; response shapes are written out here, next to each
 * other, because they are the contract clients code against.
 */
import { z } from 'zod';
import { createSessionBody, interruptBody, listEventsQuery, listSessionsQuery, sendMessageBody, streamQuery } from './native/schemas.js';

type JsonObject = Record<string, unknown>;

const ref = (name: string): JsonObject => ({ $ref: `#/components/schemas/${name}` });
const nullable = (schema: JsonObject): JsonObject => ({ anyOf: [schema, { type: 'null' }] });
const string: JsonObject = { type: 'string' };
const integer: JsonObject = { type: 'integer', minimum: 0 };
const timestamp: JsonObject = { type: 'string', format: 'date-time' };

/** A zod schema as a JSON Schema fragment (no `$schema` key, which OpenAPI components do not want). */
function jsonSchemaOf(schema: z.ZodType): JsonObject {
  const { $schema: _dialect, ...rest } = z.toJSONSchema(schema, { io: 'input' }) as JsonObject;
  return rest;
}

/** One OpenAPI parameter per property of a query schema, its description lifted to the parameter. */
function queryParameters(schema: z.ZodType): JsonObject[] {
  const json = jsonSchemaOf(schema) as { properties?: Record<string, JsonObject>; required?: string[] };
  return Object.entries(json.properties ?? {}).map(([name, property]) => {
    const { description, ...propertySchema } = property;
    return { name, in: 'query', required: json.required?.includes(name) ?? false, schema: propertySchema, ...(description !== undefined ? { description } : {}) };
  });
}

const schemas: Record<string, JsonObject> = {
  CreateSessionBody: jsonSchemaOf(createSessionBody),
  SendMessageBody: jsonSchemaOf(sendMessageBody),
  InterruptBody: jsonSchemaOf(interruptBody),
  ConclaveError: {
    type: 'object',
    description: 'A conclave error as journaled: a stable code, whose fault it is, and whether retrying can help.',
    required: ['name', 'code', 'category', 'message', 'retryable'],
    properties: {
      name: { const: 'ConclaveError' },
      code: string,
      category: { enum: ['user', 'provider', 'system'] },
      message: string,
      retryable: { type: 'boolean' },
      retryAfterMs: integer,
      location: ref('ErrorLocation'),
      hint: string,
      issues: { type: 'array', items: ref('ConclaveError') },
    },
  },
  ErrorLocation: {
    type: 'object',
    properties: { file: string, line: { type: 'integer' }, column: { type: 'integer' }, path: { type: 'string', description: 'JSON path, e.g. `agents[1].model`.' } },
  },
  Error: {
    type: 'object',
    description: 'The error envelope of every non-2xx response (the Managed Agents API uses the same).',
    required: ['type', 'error', 'request_id'],
    properties: {
      type: { const: 'error' },
      error: {
        type: 'object',
        required: ['type', 'message'],
        properties: {
          type: { type: 'string', examples: ['invalid_request_error', 'authentication_error', 'not_found_error', 'api_error'] },
          message: string,
          details: {
            type: 'object',
            required: ['error_code'],
            properties: { error_code: { type: 'string', description: 'The conclave error code (`invalid_argument`, …).' }, hint: string, location: ref('ErrorLocation') },
          },
        },
      },
      request_id: string,
    },
  },
  SessionView: {
    type: 'object',
    required: ['id', 'status', 'stop_reason', 'topology', 'title', 'workspace', 'task', 'answer', 'reason', 'error', 'usage', 'cost', 'metadata', 'created_at', 'updated_at', 'archived_at', 'last_seq'],
    properties: {
      id: { type: 'string', examples: ['sesn_4fG7h2kLmN9pQrStUvWxYz'] },
      status: { enum: ['created', 'running', 'idle', 'terminated'] },
      stop_reason: nullable({ enum: ['end_turn', 'retries_exhausted', 'interrupted'] }),
      topology: string,
      title: string,
      workspace: string,
      task: nullable(string),
      answer: nullable({ type: 'string', description: "The topology's answer, once it completed." }),
      reason: nullable({ type: 'string', description: 'Why the topology stopped (`max_rounds`, `consensus`, …).' }),
      error: nullable(ref('ConclaveError')),
      usage: { type: 'object', required: ['input_tokens', 'output_tokens'], properties: { input_tokens: integer, output_tokens: integer } },
      cost: { type: 'object', required: ['usd', 'simulated'], properties: { usd: { type: 'number', minimum: 0 }, simulated: { type: 'boolean' } } },
      metadata: { type: 'object', additionalProperties: string },
      created_at: timestamp,
      updated_at: timestamp,
      archived_at: nullable(timestamp),
      last_seq: { type: 'integer', minimum: 0, description: 'The `seq` of the last event; resume streams after it.' },
    },
  },
  Event: {
    type: 'object',
    description: 'One event of the session log. `type` is `<domain>.<action>`; `seq` is gapless per session.',
    required: ['id', 'seq', 'type', 'at', 'data'],
    properties: {
      id: { type: 'string', examples: ['sevt_9aB3cD4eF5gH6iJ7kL8mN0'] },
      seq: { type: 'integer', minimum: 1 },
      type: { type: 'string', examples: ['user.message', 'command.completed', 'agent.message', 'session.status_idle'] },
      at: timestamp,
      data: { type: 'object', additionalProperties: true },
    },
  },
  Delta: {
    type: 'object',
    description:
      'Model output as it streams (the data of `event: delta` frames, which have no `id:`); never stored, redacted of every known secret. ' +
      '`attempt` counts the starts of the command; each attempt after the first begins with a `reset` (empty `delta`): keep, per command, only the text of the highest attempt seen.',
    required: ['type', 'sessionId', 'commandId', 'agent', 'attempt', 'kind', 'delta'],
    properties: {
      type: { const: 'delta' },
      sessionId: string,
      commandId: string,
      agent: string,
      attempt: { type: 'integer', minimum: 1 },
      kind: { enum: ['text', 'reasoning', 'reset'] },
      delta: string,
    },
  },
  SessionPage: { type: 'object', required: ['data', 'next_page'], properties: { data: { type: 'array', items: ref('SessionView') }, next_page: nullable(string) } },
  EventPage: { type: 'object', required: ['data', 'next_page'], properties: { data: { type: 'array', items: ref('Event') }, next_page: nullable(string) } },
  EventResponse: { type: 'object', required: ['event'], properties: { event: ref('Event') } },
  DeletedSession: { type: 'object', required: ['id', 'deleted'], properties: { id: string, deleted: { const: true } } },
  DocumentList: { type: 'object', required: ['data'], properties: { data: { type: 'array', items: string } } },
  Health: { type: 'object', additionalProperties: true },
};

const errorResponse = (description: string): JsonObject => ({ description, content: { 'application/json': { schema: ref('Error') } } });

const responses: Record<string, JsonObject> = {
  BadRequest: errorResponse('The request is not valid (`invalid_request_error`); `details.location.path` names the field.'),
  Unauthorized: errorResponse('No API key, or an unknown one (`authentication_error`).'),
  NotFound: errorResponse('No such session in this workspace (`not_found_error`).'),
  Conflict: errorResponse('The session cannot do that now, e.g. it is archived (`invalid_request_error`).'),
  PayloadTooLarge: errorResponse('The body is too large (`invalid_request_error`).'),
  InternalError: errorResponse('conclave failed (`api_error`).'),
};

function json(description: string, schema: JsonObject): JsonObject {
  return { description, content: { 'application/json': { schema } } };
}

function errors(...names: string[]): JsonObject {
  const statusOf: Record<string, string> = { BadRequest: '400', Unauthorized: '401', NotFound: '404', Conflict: '409', PayloadTooLarge: '413' };
  const out: JsonObject = {};
  for (const name of [...names, 'Unauthorized']) out[statusOf[name] ?? '500'] = { $ref: `#/components/responses/${name}` };
  out['500'] = { $ref: '#/components/responses/InternalError' };
  return out;
}

const sessionId: JsonObject = { name: 'id', in: 'path', required: true, schema: { type: 'string', pattern: '^sesn_' }, description: 'The session id (`sesn_…`).' };
const jsonBody = (name: string, required = true): JsonObject => ({ required, content: { 'application/json': { schema: ref(name) } } });

const streamDescription = [
  'Server-sent events: the log from `after` (or the `Last-Event-ID` header) onwards, then new events as they are stored.',
  'Each frame is `id: <seq>`, `event: <type>`, `data: <Event as JSON>`. `: ping` comments are heartbeats.',
  'With `deltas=true`, `event: delta` frames (no `id:`) carry model output as it streams; a `reset` frame starts a retried command over.',
  'The stream stays open when the session goes idle and ends when the session is deleted.',
].join(' ');

const paths: Record<string, JsonObject> = {
  '/v1/sessions': {
    post: {
      operationId: 'createSession',
      summary: 'Create a session (and run it, unless `run` is false)',
      requestBody: jsonBody('CreateSessionBody'),
      responses: { '201': json('The new session.', ref('SessionView')), ...errors('BadRequest', 'NotFound', 'PayloadTooLarge') },
    },
    get: {
      operationId: 'listSessions',
      summary: 'List sessions of the workspace, newest first',
      parameters: queryParameters(listSessionsQuery),
      responses: { '200': json('A page of sessions.', ref('SessionPage')), ...errors('BadRequest') },
    },
  },
  '/v1/sessions/{id}': {
    parameters: [sessionId],
    get: { operationId: 'getSession', summary: 'Get a session', responses: { '200': json('The session.', ref('SessionView')), ...errors('NotFound') } },
    delete: {
      operationId: 'deleteSession',
      summary: 'Delete a session: it is stopped, hidden, and its streams end',
      responses: { '200': json('The session is deleted.', ref('DeletedSession')), ...errors('NotFound') },
    },
  },
  '/v1/sessions/{id}/events': {
    parameters: [sessionId],
    get: {
      operationId: 'listSessionEvents',
      summary: 'List the events of a session in `seq` order',
      parameters: queryParameters(listEventsQuery),
      responses: { '200': json('A page of events.', ref('EventPage')), ...errors('BadRequest', 'NotFound') },
    },
  },
  '/v1/sessions/{id}/events/stream': {
    parameters: [sessionId],
    get: {
      operationId: 'streamSessionEvents',
      summary: 'Follow the events of a session',
      description: streamDescription,
      parameters: [
        ...queryParameters(streamQuery),
        { name: 'Last-Event-ID', in: 'header', required: false, schema: { type: 'string', pattern: '^[0-9]+$' }, description: 'Resume after this `seq` (sent by EventSource on reconnect).' },
      ],
      responses: {
        '200': { description: streamDescription, content: { 'text/event-stream': { schema: { type: 'string', description: 'Frames whose data is an `Event` (or a `Delta`).' } } } },
        ...errors('BadRequest', 'NotFound'),
      },
    },
  },
  '/v1/sessions/{id}/messages': {
    parameters: [sessionId],
    post: {
      operationId: 'sendSessionMessage',
      summary: 'Send a message: it steers a running session or starts a new turn of an idle one',
      requestBody: jsonBody('SendMessageBody'),
      responses: { '200': json('The stored `user.message` event.', ref('EventResponse')), ...errors('BadRequest', 'NotFound', 'Conflict', 'PayloadTooLarge') },
    },
  },
  '/v1/sessions/{id}/interrupt': {
    parameters: [sessionId],
    post: {
      operationId: 'interruptSession',
      summary: 'Interrupt the running turn; the session goes idle with stop reason `interrupted`',
      requestBody: jsonBody('InterruptBody', false),
      responses: { '200': json('The stored `user.interrupt` event.', ref('EventResponse')), ...errors('BadRequest', 'NotFound', 'Conflict') },
    },
  },
  '/v1/sessions/{id}/archive': {
    parameters: [sessionId],
    post: {
      operationId: 'archiveSession',
      summary: 'Archive a session: it stays readable but takes no more messages',
      responses: { '200': json('The archived session.', ref('SessionView')), ...errors('NotFound', 'Conflict') },
    },
  },
  '/v1/documents': {
    get: {
      operationId: 'listDocuments',
      summary: 'Names of the documents in the server catalog (usable as `name` when creating a session)',
      responses: { '200': json('Document names, sorted.', ref('DocumentList')), ...errors() },
    },
  },
  '/v1/openapi.json': {
    get: {
      operationId: 'getOpenApiDocument',
      summary: 'This document',
      responses: { '200': json('The OpenAPI 3.1 document of the native API.', { type: 'object' }), ...errors() },
    },
  },
  '/healthz': {
    get: {
      operationId: 'health',
      summary: 'Liveness probe; needs no API key',
      security: [],
      responses: { '200': json('The server is up.', ref('Health')) },
    },
  },
};

/**
 * The OpenAPI 3.1 document of the native API. Every route but `/healthz` needs an API key, as
 * `Authorization: Bearer <key>` or `x-api-key: <key>`.
 *
 * @example
 * app.get('/v1/openapi.json', (c) => c.json(openApiDocument()));
 */
export function openApiDocument(): Record<string, unknown> {
  // Built on every call: callers may mutate what they get (add `servers`, say) without sharing it.
  return structuredClone({
    openapi: '3.1.0',
    info: {
      title: 'conclave native API',
      version: '1',
      description: 'Sessions of multi-agent topologies: create, follow, steer and interrupt them. The Managed Agents compatible API is served alongside, under the same keys.',
    },
    security: [{ bearerAuth: [] }, { apiKeyHeader: [] }],
    paths,
    components: {
      securitySchemes: {
        bearerAuth: { type: 'http', scheme: 'bearer', description: '`Authorization: Bearer <API key>`.' },
        apiKeyHeader: { type: 'apiKey', in: 'header', name: 'x-api-key' },
      },
      schemas,
      responses,
    },
  });
}
