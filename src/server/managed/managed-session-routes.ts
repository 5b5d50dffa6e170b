/**
 * The route table of the Managed Agents sessions and events API (`/anthropic/v1/sessions…`):
 * `sessions.ts` mounts its handlers on it and `openapi.ts` publishes it.
 */
import { defineRoutes, type NamedSchema } from '../route-table.js';
import { managedApiBasePath } from './managed-api-base-path.js';
import {
  deletedManagedSessionSchema,
  managedDeltaEventSchema,
  managedEventPageSchema,
  managedEventSchema,
  managedSessionPageSchema,
  managedSessionSchema,
  sentEventsResponseSchema,
} from './managed-response-schemas.js';
import { createSessionBody, listEventsParameters, listSessionsParameters, sendEventsBody, streamEventsParameters, updateSessionBody } from './session-schema.js';

const sessionId = { id: 'The session id (`sesn_…`).' };
const session = { name: 'ManagedSession', schema: managedSessionSchema };

const streamDescription = [
  'Server-sent events: a live tail from now on (history is listed with GET …/events; dedupe by `id`).',
  'Each frame is `event: <type>`, `data: <ManagedEvent as JSON>`; `: ping` comments are heartbeats.',
  'With `event_deltas[]`, `event_start` / `event_delta` frames (a `ManagedDeltaEvent`) carry model output as it streams.',
  'The stream ends when the session is deleted.',
].join(' ');

/** The session and event routes, relative to `/anthropic/v1`. */
export const managedSessionRouteTable = defineRoutes({
  basePath: managedApiBasePath,
  face: 'managed',
  routes: {
    createManagedSession: {
      method: 'post',
      path: '/sessions',
      summary: "Create a session of an agent in an environment (and deliver `initial_events`)",
      body: { name: 'CreateManagedSessionBody', schema: createSessionBody, required: true },
      responses: { 200: { description: 'The session.', json: session } },
      errors: [400, 404, 413],
    },
    listManagedSessions: {
      method: 'get',
      path: '/sessions',
      summary: 'List sessions of the workspace, newest first',
      query: listSessionsParameters,
      responses: { 200: { description: 'A page of sessions.', json: { name: 'ManagedSessionPage', schema: managedSessionPageSchema } } },
      errors: [400],
    },
    getManagedSession: {
      method: 'get',
      path: '/sessions/:id',
      summary: 'Get a session',
      params: sessionId,
      responses: { 200: { description: 'The session.', json: session } },
      errors: [404],
    },
    updateManagedSession: {
      method: 'post',
      path: '/sessions/:id',
      summary: 'Update the title or metadata (a patch) of a session',
      params: sessionId,
      body: { name: 'UpdateManagedSessionBody', schema: updateSessionBody, required: true },
      responses: { 200: { description: 'The updated session.', json: session } },
      errors: [400, 404, 413],
    },
    deleteManagedSession: {
      method: 'delete',
      path: '/sessions/:id',
      summary: 'Delete a session: it is stopped, hidden, and its streams end',
      params: sessionId,
      responses: { 200: { description: 'The session is deleted.', json: { name: 'DeletedManagedSession', schema: deletedManagedSessionSchema } } },
      errors: [404],
    },
    archiveManagedSession: {
      method: 'post',
      path: '/sessions/:id/archive',
      summary: 'Archive a session: it stays readable but takes no more messages',
      params: sessionId,
      responses: { 200: { description: 'The archived session.', json: session } },
      errors: [404, 409],
    },
    sendManagedSessionEvents: {
      method: 'post',
      path: '/sessions/:id/events',
      summary: 'Send events: user messages, interrupts, tool confirmations and custom tool results',
      params: sessionId,
      body: { name: 'SendEventsBody', schema: sendEventsBody, required: true },
      responses: { 200: { description: 'The stored events.', json: { name: 'SentEventsResponse', schema: sentEventsResponseSchema } } },
      errors: [400, 404, 409, 413],
    },
    listManagedSessionEvents: {
      method: 'get',
      path: '/sessions/:id/events',
      summary: 'List the events of a session',
      params: sessionId,
      query: listEventsParameters,
      responses: { 200: { description: 'A page of events.', json: { name: 'ManagedEventPage', schema: managedEventPageSchema } } },
      errors: [400, 404],
    },
    streamManagedSessionEvents: {
      method: 'get',
      path: '/sessions/:id/events/stream',
      summary: 'Follow the events of a session',
      description: streamDescription,
      params: sessionId,
      query: streamEventsParameters,
      responses: { 200: { description: streamDescription, eventStream: 'Frames whose data is a `ManagedEvent` (or, with `event_deltas[]`, a `ManagedDeltaEvent`).' } },
      errors: [404],
    },
  },
});

/** Schemas the document publishes though no route answers them directly (SSE frame data). */
export const managedStreamComponents: NamedSchema[] = [
  { name: 'ManagedEvent', schema: managedEventSchema },
  { name: 'ManagedDeltaEvent', schema: managedDeltaEventSchema },
];
