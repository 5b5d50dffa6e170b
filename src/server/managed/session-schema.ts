/**
 * Request schemas of the Managed Agents sessions API: the session bodies, the events a client
 * sends, and the list queries. Parameters sent as lists (`statuses[]=a&statuses[]=b`, the SDK's
 * encoding) are read by the handlers with `queryList`, not validated; the `…Parameters` schemas
 * add them for the OpenAPI document. The sessions list query is strict: a parameter it does not
 * know (a typo, or one of the SDK's that conclave cannot honour) is a 400 naming it, never ignored.
 */
import { z } from 'zod';
import { pageQueryShape, queryBoolean, queryInteger, queryTimestamp } from '../paging.js';
import { metadataSchema } from './managed-fields.js';

const contentBlock = z.looseObject({ type: z.string() });
export const userMessageEvent = z.strictObject({ type: z.literal('user.message'), content: z.array(contentBlock).min(1) });
const userInterruptEvent = z.strictObject({ type: z.literal('user.interrupt'), session_thread_id: z.string().optional() });
export const toolConfirmationEvent = z.strictObject({
  type: z.literal('user.tool_confirmation'),
  tool_use_id: z.string().min(1),
  result: z.enum(['allow', 'deny']),
  deny_message: z.string().optional(),
  session_thread_id: z.string().optional(),
});
export const customToolResultEvent = z.strictObject({
  type: z.literal('user.custom_tool_result'),
  custom_tool_use_id: z.string().min(1),
  content: z.array(contentBlock).optional(),
  is_error: z.boolean().optional(),
  session_thread_id: z.string().optional(),
});
/** `user.define_outcome`: what "done" means for the work it starts (see `managed-outcomes.ts`). */
export const defineOutcomeEvent = z.strictObject({
  type: z.literal('user.define_outcome'),
  description: z.string().trim().min(1, 'describe what the agent should produce'),
  rubric: z.discriminatedUnion('type', [
    z.strictObject({ type: z.literal('text'), content: z.string().trim().min(1, 'the rubric is empty').max(262_144, 'a text rubric is at most 262144 characters') }),
    z.strictObject({ type: z.literal('file'), file_id: z.string().min(1) }),
  ]),
  max_iterations: z.number().int().min(1).max(20).nullable().optional(),
});
const unsupportedEvent = z.looseObject({
  type: z.enum(['user.tool_result', 'system.message']),
});
const sentEvent = z.union([userMessageEvent, userInterruptEvent, toolConfirmationEvent, customToolResultEvent, defineOutcomeEvent, unsupportedEvent]);
/** One event a client sends. */
export type SentEvent = z.infer<typeof sentEvent>;

const agentReference = z.union([
  z.string().min(1),
  z.strictObject({ type: z.literal('agent'), id: z.string().min(1), version: z.number().int().min(1).optional() }),
  z.looseObject({ type: z.literal('agent_with_overrides'), id: z.string().min(1), version: z.number().int().min(1).optional(), model: z.unknown().optional(), system: z.string().nullable().optional() }),
]);

/**
 * A Managed Agents budget (`BetaManagedAgentsBudgetLimit`): a list-cost ceiling in US cents, as an
 * integer string. It maps onto the session's `max_usd`.
 */
export const managedBudgetSchema = z.strictObject({
  type: z.literal('limit'),
  max_list_cost: z.strictObject({
    amount: z.string().regex(/^[1-9][0-9]{0,11}$/, 'must be a whole number of cents above 0, as a string with no leading zeros ("2500" is $25.00)'),
    currency: z.literal('USD'),
  }),
});
export type ManagedBudget = z.infer<typeof managedBudgetSchema>;

/** Body of `POST /v1/sessions`. */
export const createSessionBody = z.strictObject({
  agent: agentReference,
  environment_id: z.string().min(1),
  vault_ids: z.array(z.string()).optional(),
  metadata: metadataSchema.optional(),
  title: z.string().max(500).nullable().optional(),
  initial_events: z.array(z.union([userMessageEvent, defineOutcomeEvent, unsupportedEvent])).max(50).optional(),
  resources: z.array(z.unknown()).optional(),
  budget: managedBudgetSchema.optional(),
});

/** Body of `POST /v1/sessions/{id}`. */
export const updateSessionBody = z.strictObject({
  title: z.string().max(500).nullable().optional(),
  metadata: z.record(z.string(), z.string().nullable()).optional(),
  agent: z.unknown().optional(),
  budget: managedBudgetSchema.nullable().optional(),
  vault_ids: z.unknown().optional(),
});

/** Body of `POST /v1/sessions/{id}/events`. */
export const sendEventsBody = z.strictObject({ events: z.array(sentEvent).min(1).max(50) });

/** `created_at[gte]` … `created_at[lt]`: the time range of a list. */
const createdAtRangeShape = {
  'created_at[gte]': queryTimestamp.optional(),
  'created_at[gt]': queryTimestamp.optional(),
  'created_at[lte]': queryTimestamp.optional(),
  'created_at[lt]': queryTimestamp.optional(),
};

/**
 * The query of `GET /v1/sessions` the handler validates. `statuses[]` (or `statuses`, repeated) is
 * read apart as a list (`queryList`); it is named here only so that it is not an unknown key.
 */
export const listSessionsQuery = z.strictObject({
  ...pageQueryShape(),
  order: z.enum(['asc', 'desc']).optional(),
  include_archived: queryBoolean.optional(),
  agent_id: z.string().optional(),
  agent_version: queryInteger(1).optional(),
  memory_store_id: z.string().min(1, 'name a memory store (memstore_…)').optional().meta({ description: 'Only sessions whose resources include this memory store (`memstore_…`).' }),
  // The SDK's `deployment_id`: refused with the reason rather than reported as an unknown key.
  deployment_id: z.never({ error: 'conclave has no deployments, so no session was created by one; leave deployment_id out' }).optional(),
  ...createdAtRangeShape,
  'statuses[]': z.string().optional(),
  statuses: z.string().optional(),
});

/** A query parameter sent as a list (`key[]=a&key[]=b`, or `key` repeated). */
function listParameter(description: string) {
  return z.array(z.string()).optional().meta({ description });
}

/** `created_at[gte]` … `created_at[lt]`: the time range of a list (other parameters pass, for the handler to read). */
export const createdAtRangeQuery = z.object(createdAtRangeShape);

/** Every query parameter of `GET /v1/sessions` conclave honours, for the document. */
export const listSessionsParameters = listSessionsQuery
  .omit({ deployment_id: true, statuses: true })
  .extend({ 'statuses[]': listParameter('Only sessions in these statuses (`idle`, `running`, `terminated`).') });

/** The query parameters of `GET /v1/sessions/{id}/events`, for the document (the handler reads them one by one). */
export const listEventsParameters = z.object({
  ...pageQueryShape(1000),
  order: z.enum(['asc', 'desc']).optional().meta({ description: 'Oldest first (`asc`, the default) or newest first.' }),
  'types[]': listParameter('Only events of these types (`agent.message`, …).'),
  ...createdAtRangeQuery.shape,
});

/** The query parameters of `GET /v1/sessions/{id}/events/stream`, for the document. */
export const streamEventsParameters = z.object({
  'event_deltas[]': listParameter('Also stream `event_start` / `event_delta` frames for these event types (`agent.message`, `agent.thinking`).'),
});
