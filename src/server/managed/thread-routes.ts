/**
 * The route table of the Managed Agents session threads API (`/anthropic/v1/sessions/{id}/threads…`):
 * `threads.ts` mounts its handlers on it and `openapi.ts` publishes it. The shapes are the SDK's
 * `BetaManagedAgentsSessionThread` (an agent of a topology is an `inline` agent; the primary thread
 * runs the session's agent) and its pages.
 */
import { z } from 'zod';
import { pageQueryShape } from '../paging.js';
import { defineRoutes } from '../route-table.js';
import { managedApiBasePath } from './managed-api-base-path.js';
import { agentSnapshotSchema, managedEventPageSchema } from './managed-response-schemas.js';

const timestamp = z.string().meta({ format: 'date-time' });
const nextPage = z.string().nullable().meta({ description: 'The cursor of the next page (`page=`); null on the last page, which ends the SDK auto-pagination.' });

/** A topology's agent slot as a thread's agent: it has no Agent resource, so no `id` or `version`. */
const inlineAgentSchema = z.object({
  type: z.literal('inline'),
  name: z.string().meta({ description: "The slot's name in the document." }),
  description: z.string().nullable(),
  model: z.object({ id: z.string().meta({ description: 'The slot\'s model (the first of a fallback chain, without its query); `topology:<name>` for a nested topology.' }) }),
  system: z.string().nullable(),
  tools: z.array(z.looseObject({ type: z.string() })).meta({ description: 'Built-in tools as an `agent_toolset_20260401`; the document\'s other tools as `custom` entries.' }),
  mcp_servers: z.array(z.object({ type: z.literal('url'), name: z.string(), url: z.string() })),
  skills: z.array(z.unknown()),
  execution_identity: z.object({ type: z.literal('service_account') }),
});

/** The session's own agent on its primary thread (the multiagent roster is not repeated here). */
const threadAgentSchema = agentSnapshotSchema.omit({ multiagent: true });

/** A session thread as the API returns it. */
export const managedThreadSchema = z.object({
  id: z.string().meta({ examples: ['sthr_4fG7h2kLmN9pQrStUvWxYz'], description: 'Derived from the session and the slot path (for an agent started by spawn_agent, from the tool call that started it): the same on every read and after a restart.' }),
  type: z.literal('session_thread'),
  session_id: z.string(),
  agent: z.union([threadAgentSchema, inlineAgentSchema]),
  parent_thread_id: z.string().nullable().meta({ description: "Null for the primary thread; a topology's agents have the primary, a nested topology's agents their slot's thread, and an agent started by spawn_agent the thread of the agent that started it." }),
  status: z.enum(['running', 'idle', 'rescheduling', 'terminated']),
  archived_at: timestamp.nullable(),
  created_at: timestamp,
  updated_at: timestamp,
  stats: z.object({ active_seconds: z.number().min(0), duration_seconds: z.number().min(0), startup_seconds: z.number().min(0).optional() }).nullable(),
  usage: z
    .object({
      input_tokens: z.number().int().min(0),
      output_tokens: z.number().int().min(0),
      cache_read_input_tokens: z.number().int().min(0),
      cache_creation: z.object({ ephemeral_5m_input_tokens: z.number().int().min(0), ephemeral_1h_input_tokens: z.number().int().min(0) }),
      active_seconds: z.number().min(0),
      list_cost: z.object({ amount: z.string(), currency: z.literal('USD') }).nullable(),
    })
    .nullable(),
  workflow_run_id: z.null(),
});
export type ManagedThreadObject = z.output<typeof managedThreadSchema>;

export const managedThreadPageSchema = z.object({ data: z.array(managedThreadSchema), next_page: nextPage });

/** The query parameters of `GET …/threads`, for the document (`statuses[]` is read as a list by the handler). */
export const listThreadsParameters = z.object({
  ...pageQueryShape(),
  'statuses[]': z.array(z.string()).optional().meta({ description: 'Only threads in these statuses (`running`, `idle`, `terminated`).' }),
});

/** The query parameters of `GET …/threads/{thread_id}/events`. */
export const listThreadEventsParameters = z.object({ ...pageQueryShape(1000) });

/** The query parameters of `GET …/threads/{thread_id}/stream`. */
export const streamThreadEventsParameters = z.object({
  'event_deltas[]': z
    .array(z.string())
    .optional()
    .meta({ description: "Also stream `event_start` / `event_delta` frames of the thread's model output for these event types (`agent.message`, `agent.thinking`)." }),
});

const params = { id: 'The session id (`sesn_…`).' };
const threadParams = { ...params, thread_id: 'The thread id (`sthr_…`).' };
const thread = { name: 'ManagedSessionThread', schema: managedThreadSchema };

const streamDescription = [
  "Server-sent events of one thread: a live tail from now on (history is listed with GET …/threads/{thread_id}/events; dedupe by `id`).",
  "The primary thread's stream is the session's; a child thread's carries its own events (and, for a nested topology, its agents', with their `session_thread_id`).",
  'With `event_deltas[]`, `event_start` / `event_delta` frames carry its model output as it streams. The stream ends when the session is deleted.',
].join(' ');

/** The thread routes, relative to `/anthropic/v1`. */
export const managedThreadRouteTable = defineRoutes({
  basePath: managedApiBasePath,
  face: 'managed',
  routes: {
    listManagedSessionThreads: {
      method: 'get',
      path: '/sessions/:id/threads',
      summary: 'List the threads of a session: the primary thread, then one per agent of its topology, in document order',
      params,
      query: listThreadsParameters,
      responses: { 200: { description: 'A page of threads.', json: { name: 'ManagedSessionThreadPage', schema: managedThreadPageSchema } } },
      errors: [400, 404],
    },
    getManagedSessionThread: {
      method: 'get',
      path: '/sessions/:id/threads/:thread_id',
      summary: 'Get a thread of a session',
      params: threadParams,
      responses: { 200: { description: 'The thread.', json: thread } },
      errors: [404],
    },
    listManagedSessionThreadEvents: {
      method: 'get',
      path: '/sessions/:id/threads/:thread_id/events',
      summary: "List the events of a thread (the primary thread's are the session's)",
      params: threadParams,
      query: listThreadEventsParameters,
      responses: { 200: { description: 'A page of events.', json: { name: 'ManagedEventPage', schema: managedEventPageSchema } } },
      errors: [400, 404],
    },
    streamManagedSessionThreadEvents: {
      method: 'get',
      path: '/sessions/:id/threads/:thread_id/stream',
      summary: 'Follow the events of a thread',
      description: streamDescription,
      params: threadParams,
      query: streamThreadEventsParameters,
      responses: { 200: { description: streamDescription, eventStream: 'Frames whose data is a `ManagedEvent` (or, with `event_deltas[]`, a `ManagedDeltaEvent`).' } },
      errors: [404],
    },
  },
});
