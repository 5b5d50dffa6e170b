/**
 * Response schemas of the Managed-Agents-compatible API, in zod, for the OpenAPI document: agents,
 * environments, sessions, events, and their pages. The builders' types (`AgentObject`,
 * `EnvironmentObject`, `ManagedSessionObject`) are checked against these in
 * `test/server/openapi.test.ts`; `ManagedSessionObject` is inferred from its schema. Events are
 * loose objects — `id`, `type`, `processed_at` and conclave's `conclave.seq` — because each of
 * their many types carries fields of its own (see the Managed Agents reference).
 */
import { z } from 'zod';

const timestamp = z.string().meta({ format: 'date-time' });
const metadata = z.record(z.string(), z.string());
const nextPage = z.string().nullable().meta({ description: 'The cursor of the next page (`page=`); null on the last page, which ends the SDK auto-pagination.' });
const efforts = z.enum(['low', 'medium', 'high', 'xhigh', 'max']);

const agentFields = {
  name: z.string(),
  description: z.string().nullable(),
  model: z.object({ id: z.string(), effort: z.object({ type: efforts }).optional(), speed: z.enum(['standard', 'fast']).optional(), inference_geo: z.string().optional() }),
  system: z.string().nullable(),
  tools: z.array(z.looseObject({ type: z.string() })).meta({ description: 'Tools in resolved form, defaults filled in (`agent_toolset_20260401`, `mcp_toolset`, `custom`).' }),
  mcp_servers: z.array(z.object({ type: z.literal('url'), name: z.string(), url: z.string() })),
  skills: z.array(z.object({ type: z.enum(['anthropic', 'custom']), skill_id: z.string(), version: z.string() })),
  multiagent: z.record(z.string(), z.unknown()).nullable(),
  execution_identity: z.union([z.object({ type: z.literal('service_account') }), z.object({ type: z.literal('aws_role'), role_arn: z.string() })]),
};

/** An agent version as the API returns it. */
export const agentObjectSchema = z.object({
  id: z.string().meta({ examples: ['agent_4fG7h2kLmN9pQrStUvWxYz'] }),
  type: z.literal('agent'),
  ...agentFields,
  metadata,
  version: z.number().int().min(1),
  created_at: timestamp,
  updated_at: timestamp,
  archived_at: timestamp.nullable(),
});

/** The agent a session runs, as embedded in the session (no metadata or times). */
export const agentSnapshotSchema = z.object({ id: z.string(), type: z.literal('agent'), version: z.number().int().min(1), ...agentFields });

const packages = z.object({
  type: z.literal('packages'),
  apt: z.array(z.string()),
  cargo: z.array(z.string()),
  gem: z.array(z.string()),
  go: z.array(z.string()),
  npm: z.array(z.string()),
  pip: z.array(z.string()),
});

/** An environment as the API returns it (`config` with every default filled in). */
export const environmentObjectSchema = z.object({
  id: z.string().meta({ examples: ['env_4fG7h2kLmN9pQrStUvWxYz'] }),
  type: z.literal('environment'),
  name: z.string(),
  description: z.string().nullable(),
  config: z.discriminatedUnion('type', [
    z.object({
      type: z.literal('cloud'),
      networking: z.discriminatedUnion('type', [
        z.object({ type: z.literal('unrestricted') }),
        z.object({ type: z.literal('limited'), allowed_hosts: z.array(z.string()), allow_mcp_servers: z.boolean(), allow_package_managers: z.boolean() }),
      ]),
      packages,
    }),
    z.object({ type: z.literal('self_hosted') }),
  ]),
  metadata,
  scope: z.enum(['organization', 'account']).optional(),
  created_at: timestamp,
  updated_at: timestamp,
  archived_at: timestamp.nullable(),
});

/** A session in the Managed Agents shape. */
export const managedSessionSchema = z.object({
  id: z.string().meta({ examples: ['sesn_4fG7h2kLmN9pQrStUvWxYz'] }),
  type: z.literal('session'),
  status: z.enum(['idle', 'running', 'terminated']),
  agent: agentSnapshotSchema.nullable(),
  environment_id: z.string().nullable(),
  vault_ids: z.array(z.string()),
  metadata,
  title: z.string().nullable(),
  resources: z.array(z.unknown()),
  outcome_evaluations: z.array(
    z.object({
      type: z.literal('outcome_evaluation'),
      outcome_id: z.string().meta({ examples: ['outc_4fG7h2kLmN9pQrStUvWxYz'] }),
      description: z.string(),
      result: z.string().meta({ description: '`pending`, `running`, `evaluating`, or terminal: `satisfied`, `max_iterations_reached`, `failed`, `interrupted`.' }),
      iteration: z.number().int().min(0).meta({ description: 'The 0-indexed revision cycle the outcome is on.' }),
      explanation: z.string().nullable().meta({ description: "The grader's latest feedback." }),
      completed_at: timestamp.nullable(),
    }),
  ).meta({ description: 'One entry per `user.define_outcome`, oldest first.' }),
  budget: z
    .object({ type: z.literal('limit'), max_list_cost: z.object({ amount: z.string(), currency: z.literal('USD') }) })
    .nullable()
    .meta({ description: "The session's list-cost ceiling (its `max_usd`, in cents), or null. Reaching it idles the session with stop reason `budget_reached`; raise it with POST /v1/sessions/{id}." }),
  stats: z.object({ active_seconds: z.number().min(0), duration_seconds: z.number().min(0) }),
  usage: z.object({
    input_tokens: z.number().int().min(0),
    output_tokens: z.number().int().min(0),
    cache_read_input_tokens: z.number().int().min(0),
    cache_creation: z.object({ ephemeral_5m_input_tokens: z.number().int().min(0), ephemeral_1h_input_tokens: z.number().int().min(0) }),
    cache_creation_input_tokens: z.number().int().min(0),
    list_cost: z.object({ amount: z.string(), currency: z.literal('USD') }).nullable(),
  }),
  created_at: timestamp,
  updated_at: timestamp,
  archived_at: timestamp.nullable(),
});
export type ManagedSessionObject = z.output<typeof managedSessionSchema>;

/** One event as listed and streamed: a loose object (each type carries fields of its own). */
export const managedEventSchema = z
  .looseObject({
    id: z.string().meta({ examples: ['sevt_4fG7h2kLmN9pQrStUvWxYz'] }),
    type: z.string().meta({ examples: ['user.message', 'agent.message', 'agent.tool_use', 'session.status_idle'] }),
    processed_at: timestamp,
    conclave: z.looseObject({ seq: z.number().int().min(0).meta({ description: '`seq` of the conclave event this one was translated from.' }) }).meta({
      description: 'Non-standard correlation fields (the SDK ignores them).',
    }),
  })
  .meta({ description: 'A Managed Agents event; the fields beyond these depend on `type`.' });

/** Stream-only frames sent to connections that asked for `event_deltas[]`; never listed. */
export const managedDeltaEventSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('event_start'), event: z.object({ id: z.string(), type: z.enum(['agent.message', 'agent.thinking']) }) }),
  z.object({
    type: z.literal('event_delta'),
    event_id: z.string(),
    delta: z.object({ type: z.literal('content_delta'), content: z.object({ type: z.literal('text'), text: z.string() }) }),
  }),
]);

export const agentPageSchema = z.object({ data: z.array(agentObjectSchema), next_page: nextPage });
export const environmentPageSchema = z.object({ data: z.array(environmentObjectSchema), next_page: nextPage });
export const managedSessionPageSchema = z.object({ data: z.array(managedSessionSchema), next_page: nextPage, prev_page: z.null() });
export const managedEventPageSchema = z.object({ data: z.array(managedEventSchema), next_page: nextPage });
export const sentEventsResponseSchema = z.object({ data: z.array(managedEventSchema).meta({ description: 'The events stored, as the event list shows them.' }) });
export const deletedEnvironmentSchema = z.object({ id: z.string(), type: z.literal('environment_deleted') });
export const deletedManagedSessionSchema = z.object({ id: z.string(), type: z.literal('session_deleted') });
