/**
 * Response schemas of the native API, in zod: the OpenAPI document publishes them, and
 * `SessionView` (the type `sessionView()` returns) is inferred from one, so the published shape
 * and what the handler builds cannot part ways. Events are the protocol's own `sessionEventSchema`.
 */
import { z } from 'zod';
import type { ConclaveErrorJSON } from '../../protocol/errors.js';
import { sessionEventSchema } from '../../protocol/events.js';

const timestamp = z.string().meta({ format: 'date-time' });

/** `ConclaveErrorJSON` with its code as any string (codes are added over time). */
type JournaledError = Omit<ConclaveErrorJSON, 'code' | 'issues'> & { code: string; issues?: JournaledError[] };

/** A `ConclaveError` as journaled (`toJSON()`): a stable code, whose fault it is, whether retrying helps. */
export const conclaveErrorSchema: z.ZodType<JournaledError> = z
  .object({
    name: z.literal('ConclaveError'),
    code: z.string(),
    category: z.enum(['user', 'provider', 'system']),
    message: z.string(),
    retryable: z.boolean(),
    retryAfterMs: z.number().int().min(0).optional(),
    location: z.object({ file: z.string().optional(), line: z.number().int().optional(), column: z.number().int().optional(), path: z.string().optional() }).optional(),
    hint: z.string().optional(),
    /** Further problems found in the same pass. */
    get issues() {
      return z.array(conclaveErrorSchema).optional();
    },
  })
  .meta({ description: 'A conclave error as journaled: a stable code, whose fault it is, and whether retrying can help.' });

/** One event of a session log; `type` is `<domain>.<action>` and `seq` is gapless per session. */
export const eventSchema = sessionEventSchema.meta({ description: 'One event of the session log. `type` is `<domain>.<action>`; `seq` is gapless per session.' });

export const pendingToolUseSchema = z.object({
  id: z.string().meta({ description: 'The id of the `agent.tool_use` / `agent.custom_tool_use` event; answers name it.' }),
  kind: z.enum(['confirmation', 'custom_result']).meta({ description: '`confirmation`: answer with tool-confirmations; `custom_result`: with tool-results.' }),
  agent: z.string(),
  tool: z.string(),
  input: z.unknown().meta({ description: 'The input the model gave the tool.' }),
});

/** Budget limits as the native API shows them. */
const budgetLimitsView = z.object({ max_usd: z.number().optional(), max_tokens: z.number().int().optional(), max_calls: z.number().int().optional(), max_duration_s: z.number().optional() });

/** A session as the native API shows it. */
export const sessionViewSchema = z.object({
  id: z.string().meta({ examples: ['sesn_4fG7h2kLmN9pQrStUvWxYz'] }),
  status: z.enum(['created', 'running', 'idle', 'terminated']),
  stop_reason: z.enum(['end_turn', 'retries_exhausted', 'interrupted', 'requires_action', 'budget_exceeded']).nullable(),
  topology: z.string(),
  title: z.string(),
  workspace: z.string(),
  task: z.string().nullable(),
  answer: z.string().nullable().meta({ description: "The topology's answer, once it completed." }),
  reason: z.string().nullable().meta({ description: 'Why the topology stopped (`max_rounds`, `consensus`, …).' }),
  error: conclaveErrorSchema.nullable(),
  turns: z.number().int().min(0),
  usage: z.object({ input_tokens: z.number().int().min(0), output_tokens: z.number().int().min(0) }),
  cost: z.object({
    usd: z.number().min(0).meta({ description: 'US dollars of the priced calls.' }),
    simulated: z.boolean(),
    unpriced: z.literal(true).optional().meta({ description: 'Present when some calls used a model with no known price: `usd` leaves them out.' }),
    unpriced_models: z.array(z.string()).optional().meta({ description: 'The models (`provider/model`) of those calls.' }),
  }),
  metadata: z.record(z.string(), z.string()),
  created_at: timestamp,
  updated_at: timestamp,
  archived_at: timestamp.nullable(),
  last_seq: z.number().int().min(0).meta({ description: 'The `seq` of the last event; resume streams after it.' }),
  pending_tool_uses: z.array(pendingToolUseSchema).meta({ description: 'Tool calls waiting for an answer (stop reason `requires_action`), oldest first.' }),
  budget: z
    .object({
      limits: budgetLimitsView.nullable().meta({ description: "The session's limits in force (the document's, changed by later `budget.set` events), or null." }),
      agents: z.record(z.string(), budgetLimitsView).meta({ description: 'Limits of agents by name.' }),
      spent: z.object({ usd: z.number(), tokens: z.number().int(), calls: z.number().int(), duration_s: z.number() }).meta({ description: 'What the session spent: model calls, their tokens and dollars, and running seconds (idle time not counted).' }),
      exceeded: z
        .object({ scope: z.enum(['session', 'agent']), agent: z.string().optional(), limit: z.enum(['max_usd', 'max_tokens', 'max_calls', 'max_duration_s']), spent: z.number(), max: z.number(), commandId: z.string() })
        .nullable()
        .meta({ description: 'With stop reason `budget_exceeded`: the limit that stopped the session. Raise it with POST /v1/sessions/{id}/resume.' }),
    })
    .optional()
    .meta({ description: 'Present when the session has a budget.' }),
  partial_answer: z
    .object({ agent: z.string(), text: z.string() })
    .optional()
    .meta({ description: "With stop reason `budget_exceeded` and no answer: the turn's latest agent message, the answer so far." }),
});
export type SessionView = z.output<typeof sessionViewSchema>;
export type PendingToolUseView = z.output<typeof pendingToolUseSchema>;

/** Model output as it streams: the data of `event: delta` frames (documented; the SSE body is text). */
export const deltaSchema = z
  .object({
    type: z.literal('delta'),
    sessionId: z.string(),
    commandId: z.string(),
    agent: z.string(),
    attempt: z.number().int().min(1),
    kind: z.enum(['text', 'reasoning', 'reset']),
    delta: z.string(),
  })
  .meta({
    description:
      'Model output as it streams (the data of `event: delta` frames, which have no `id:`); never stored, redacted of every known secret. ' +
      '`attempt` counts the starts of the command; each attempt after the first begins with a `reset` (empty `delta`): keep, per command, only the text of the highest attempt seen.',
  });

const nextPage = z.string().nullable().meta({ description: 'The cursor of the next page (`page=`); null on the last page.' });

export const sessionPageSchema = z.object({ data: z.array(sessionViewSchema), next_page: nextPage });
export const eventPageSchema = z.object({ data: z.array(eventSchema), next_page: nextPage });
export const eventResponseSchema = z.object({ event: eventSchema });
export const toolAnswerResponseSchema = z.object({
  event: eventSchema,
  remaining: z.array(z.string()).meta({ description: 'Ids of the calls still waiting; empty when this answer was the last.' }),
  resumed: z.boolean().meta({ description: 'True when this was the last answer and the turn went on.' }),
});
export const deletedSessionSchema = z.object({ id: z.string(), deleted: z.literal(true) });
export const documentListSchema = z.object({ data: z.array(z.string()).meta({ description: 'Document names, sorted.' }) });
