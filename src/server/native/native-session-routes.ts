/**
 * The route table of the native API (`/v1`): every route's method, path, summary, and the zod
 * schemas of what it reads and answers. `native/sessions.ts` mounts its handlers on this table and
 * `openapi.ts` publishes it, so neither can list a route the other lacks.
 */
import { defineRoutes, type NamedSchema } from '../route-table.js';
import {
  deletedSessionSchema,
  deltaSchema,
  documentListSchema,
  eventSchema,
  eventPageSchema,
  eventResponseSchema,
  sessionPageSchema,
  sessionViewSchema,
  toolAnswerResponseSchema,
} from './native-response-schemas.js';
import { createSessionBody, resumeSessionBody, interruptBody, listEventsQuery, listSessionsQuery, sendMessageBody, streamQuery, toolConfirmationBody, toolResultBody } from './schemas.js';

const sessionId = { id: 'The session id (`sesn_…`).' };
const sessionView = { name: 'SessionView', schema: sessionViewSchema };
const eventResponse = { name: 'EventResponse', schema: eventResponseSchema };
const toolAnswer = { name: 'ToolAnswerResponse', schema: toolAnswerResponseSchema };

const streamDescription = [
  'Server-sent events: the log from `after` (or the `Last-Event-ID` header) onwards, then new events as they are stored.',
  'Each frame is `id: <seq>`, `event: <type>`, `data: <Event as JSON>`. `: ping` comments are heartbeats.',
  'With `deltas=true`, `event: delta` frames (no `id:`) carry model output as it streams (a `Delta`); a `reset` frame starts a retried command over.',
  'The stream stays open when the session goes idle and ends when the session is deleted.',
].join(' ');

/** The native routes, relative to `/v1`. */
export const nativeSessionRouteTable = defineRoutes({
  basePath: '/v1',
  face: 'native',
  routes: {
    listDocuments: {
      method: 'get',
      path: '/documents',
      summary: 'Names of the documents in the server catalog (usable as `name` when creating a session)',
      responses: { 200: { description: 'Document names, sorted.', json: { name: 'DocumentList', schema: documentListSchema } } },
      errors: [],
    },
    createSession: {
      method: 'post',
      path: '/sessions',
      summary: 'Create a session (and run it, unless `run` is false)',
      body: { name: 'CreateSessionBody', schema: createSessionBody, required: true },
      responses: { 201: { description: 'The new session.', json: sessionView } },
      errors: [400, 404, 413],
    },
    listSessions: {
      method: 'get',
      path: '/sessions',
      summary: 'List sessions of the workspace, newest first',
      query: listSessionsQuery,
      responses: { 200: { description: 'A page of sessions.', json: { name: 'SessionPage', schema: sessionPageSchema } } },
      errors: [400],
    },
    getSession: {
      method: 'get',
      path: '/sessions/:id',
      summary: 'Get a session',
      params: sessionId,
      responses: { 200: { description: 'The session.', json: sessionView } },
      errors: [404],
    },
    listSessionEvents: {
      method: 'get',
      path: '/sessions/:id/events',
      summary: 'List the events of a session in `seq` order',
      params: sessionId,
      query: listEventsQuery,
      responses: { 200: { description: 'A page of events.', json: { name: 'EventPage', schema: eventPageSchema } } },
      errors: [400, 404],
    },
    streamSessionEvents: {
      method: 'get',
      path: '/sessions/:id/events/stream',
      summary: 'Follow the events of a session',
      description: streamDescription,
      params: sessionId,
      query: streamQuery,
      headers: [{ name: 'Last-Event-ID', description: 'Resume after this `seq` (sent by EventSource on reconnect).', schema: { type: 'string', pattern: '^[0-9]+$' } }],
      responses: { 200: { description: streamDescription, eventStream: 'Frames whose data is an `Event` (or, with `deltas=true`, a `Delta`).' } },
      errors: [400, 404],
    },
    sendSessionMessage: {
      method: 'post',
      path: '/sessions/:id/messages',
      summary: 'Send a message: it steers a running session or starts a new turn of an idle one',
      params: sessionId,
      body: { name: 'SendMessageBody', schema: sendMessageBody, required: true },
      responses: { 200: { description: 'The stored `user.message` event.', json: eventResponse } },
      errors: [400, 404, 409, 413],
    },
    confirmSessionToolUse: {
      method: 'post',
      path: '/sessions/:id/tool-confirmations',
      summary: 'Allow or deny a tool call that waits for approval; the last answer continues the turn',
      params: sessionId,
      body: { name: 'ToolConfirmationBody', schema: toolConfirmationBody, required: true },
      responses: { 200: { description: 'The stored `user.tool_confirmation` event and the calls still waiting.', json: toolAnswer } },
      errors: [400, 404, 409],
    },
    submitSessionToolResult: {
      method: 'post',
      path: '/sessions/:id/tool-results',
      summary: 'Give the result of a client-run tool call; the last answer continues the turn',
      params: sessionId,
      body: { name: 'ToolResultBody', schema: toolResultBody, required: true },
      responses: { 200: { description: 'The stored `user.custom_tool_result` event and the calls still waiting.', json: toolAnswer } },
      errors: [400, 404, 409, 413],
    },
    resumeSession: {
      method: 'post',
      path: '/sessions/:id/resume',
      summary: 'Go on from the journal, after changing the budget if `budget` is given (a session stopped by its budget resumes once it is raised); finished calls are not made again',
      params: sessionId,
      body: { name: 'ResumeSessionBody', schema: resumeSessionBody, required: false },
      responses: { 200: { description: 'The session, running (or handed to a worker).', json: sessionView } },
      errors: [400, 404, 409],
    },
    interruptSession: {
      method: 'post',
      path: '/sessions/:id/interrupt',
      summary: 'Interrupt the running turn; the session goes idle with stop reason `interrupted`',
      params: sessionId,
      body: { name: 'InterruptBody', schema: interruptBody, required: false },
      responses: { 200: { description: 'The stored `user.interrupt` event.', json: eventResponse } },
      errors: [400, 404, 409],
    },
    archiveSession: {
      method: 'post',
      path: '/sessions/:id/archive',
      summary: 'Archive a session: it stays readable but takes no more messages',
      params: sessionId,
      responses: { 200: { description: 'The archived session.', json: sessionView } },
      errors: [404, 409],
    },
    deleteSession: {
      method: 'delete',
      path: '/sessions/:id',
      summary: 'Delete a session: it is stopped, hidden, and its streams end',
      params: sessionId,
      responses: { 200: { description: 'The session is deleted.', json: { name: 'DeletedSession', schema: deletedSessionSchema } } },
      errors: [404],
    },
  },
});

/** Schemas the document publishes though no route answers them directly (SSE frame data). */
export const nativeStreamComponents: NamedSchema[] = [
  { name: 'Event', schema: eventSchema },
  { name: 'Delta', schema: deltaSchema },
];
