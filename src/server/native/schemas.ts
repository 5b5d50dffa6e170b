/**
 * Request schemas of the native HTTP API: bodies and query strings, as zod schemas. The routes
 * validate with them and `openApiDocument` publishes them (through `z.toJSONSchema`), so the
 * documentation cannot drift from what the server accepts. Bodies are strict — a misspelt key is
 * an error with a "did you mean" hint, not a silently ignored field. Query values arrive as strings.
 */
import { z } from 'zod';
import { formatJsonPath } from '../../config/format-json-path.js';
import { parseWithProblems } from '../../config/zod-problems.js';
import { ConclaveError, type ConclaveErrorJSON } from '../../protocol/errors.js';
import type { BudgetChange } from '../../kernel/session-budget.js';

export const maximumMetadataKeys = 16;
export const maximumMetadataValueLength = 512;
export const maximumTitleLength = 200;
export const maximumMessageLength = 100_000;
export const maximumInterruptReasonLength = 500;
export const maximumEventsPageSize = 1000;

const metadata = z
  .record(z.string().min(1), z.string().max(maximumMetadataValueLength))
  .refine((value) => Object.keys(value).length <= maximumMetadataKeys, { message: `must have at most ${maximumMetadataKeys} keys` })
  .meta({ maxProperties: maximumMetadataKeys, description: `Free-form string pairs (at most ${maximumMetadataKeys}, values at most ${maximumMetadataValueLength} characters).` });

const booleanText = z.enum(['true', 'false']);

/** Budget limits in a request: a number sets one, null removes it. */
const budgetPatchBody = z.strictObject({
  max_usd: z.number().positive().nullable().optional().meta({ description: 'US dollars of model calls (every model must have a known price).' }),
  max_tokens: z.number().int().positive().nullable().optional().meta({ description: 'Input plus output tokens of model calls.' }),
  max_calls: z.number().int().positive().nullable().optional().meta({ description: 'Model calls; tool calls do not count.' }),
  max_duration_s: z.number().positive().nullable().optional().meta({ description: 'Seconds of running time; idle time does not count.' }),
});

/** A budget in a request: the session's limits, and agents' by name. */
const budgetBody = budgetPatchBody
  .extend({ agents: z.record(z.string().min(1), budgetPatchBody).optional().meta({ description: "Limits of single agents, by the agent's name." }) })
  .meta({ title: 'BudgetBody' });

/**
 * A request's `budget` as a kernel budget change.
 *
 * @example
 * budgetChangeOf({ max_usd: 2, agents: { critic: { max_calls: 5 } } }) // → { budget: { max_usd: 2 }, agents: { critic: { max_calls: 5 } } }
 */
export function budgetChangeOf(body: z.output<typeof budgetBody>): BudgetChange {
  const { agents, ...limits } = body;
  const change: BudgetChange = {};
  if (Object.keys(limits).length > 0) change.budget = limits;
  if (agents !== undefined) change.agents = agents;
  return change;
}

/** `POST /v1/sessions`: what to run (an inline document or a named one), the task, and options. */
export const createSessionBody = z
  .strictObject({
    document: z
      .union([z.record(z.string(), z.unknown()), z.string().min(1)])
      .optional()
      .meta({ description: 'An inline topology document: a JSON object, or YAML/JSON text.' }),
    name: z.string().min(1).optional().meta({ description: 'The name of a document in the server catalog (see GET /v1/documents).' }),
    task: z.string().optional().meta({ description: "The task; overrides the document's own." }),
    seed: z.number().int().min(0).optional().meta({ description: 'Seed of every random choice of the run.' }),
    title: z.string().max(maximumTitleLength).optional(),
    metadata: metadata.optional(),
    run: z.boolean().default(true).meta({ description: 'Start running at once; false only creates the session.' }),
    budget: budgetBody.optional().meta({ description: "Spend limits over the document's, checked before every model call; reaching one idles the session (`budget_exceeded`)." }),
  })
  .superRefine((body, context) => {
    if (body.document !== undefined && body.name !== undefined) {
      context.addIssue({ code: 'custom', path: ['name'], message: 'give either document or name, not both' });
    } else if (body.document === undefined && body.name === undefined) {
      context.addIssue({ code: 'custom', path: ['document'], message: 'required: give document (inline) or name (from the catalog)' });
    }
  })
  .meta({ title: 'CreateSessionBody', description: 'Exactly one of `document` and `name` is required.' });
export type CreateSessionBody = z.output<typeof createSessionBody>;

/** `POST /v1/sessions/{id}/resume`: raise (or set) the budget, then go on from the journal. */
export const resumeSessionBody = z
  .strictObject({ budget: budgetBody.optional().meta({ description: 'Limits to change first (a number sets one, null removes it; others stay).' }) })
  .meta({ title: 'ResumeSessionBody' });
export type ResumeSessionBody = z.output<typeof resumeSessionBody>;

/** `POST /v1/sessions/{id}/messages`. */
export const sendMessageBody = z
  .strictObject({ text: z.string().min(1).max(maximumMessageLength) })
  .meta({ title: 'SendMessageBody' });
export type SendMessageBody = z.output<typeof sendMessageBody>;

/** `POST /v1/sessions/{id}/interrupt`; the body may also be empty. */
export const interruptBody = z
  .strictObject({ reason: z.string().max(maximumInterruptReasonLength).optional() })
  .meta({ title: 'InterruptBody' });
export type InterruptBody = z.output<typeof interruptBody>;

/** `POST /v1/sessions/{id}/tool-confirmations`: allow or deny a tool call that waits for approval. */
export const toolConfirmationBody = z
  .strictObject({
    tool_use_id: z.string().min(1).max(200).meta({ description: 'The id of the waiting `agent.tool_use` event (listed in `pending_tool_uses`).' }),
    result: z.enum(['allow', 'deny']),
    deny_message: z.string().max(maximumMessageLength).optional().meta({ description: 'With `deny`: what the model is told (default "the user denied this tool call").' }),
  })
  .meta({ title: 'ToolConfirmationBody' });
export type ToolConfirmationBody = z.output<typeof toolConfirmationBody>;

/** `POST /v1/sessions/{id}/tool-results`: the result of a client-run tool call. */
export const toolResultBody = z
  .strictObject({
    custom_tool_use_id: z.string().min(1).max(200).meta({ description: 'The id of the waiting `agent.custom_tool_use` event (listed in `pending_tool_uses`).' }),
    content: z.string().max(maximumMessageLength),
    is_error: z.boolean().optional().meta({ description: 'The tool failed: the model sees the content as an error.' }),
  })
  .meta({ title: 'ToolResultBody' });
export type ToolResultBody = z.output<typeof toolResultBody>;

/** `GET /v1/sessions`. */
export const listSessionsQuery = z.object({
  limit: z.coerce.number().int().min(1).max(100).optional().meta({ description: 'Page size, 1 to 100.' }),
  page: z.string().min(1).optional().meta({ description: 'The `next_page` cursor of the previous page.' }),
  status: z.enum(['created', 'running', 'idle', 'terminated']).optional(),
  include_archived: booleanText.optional().meta({ description: 'Include archived sessions (default false).' }),
});
export type ListSessionsQuery = z.output<typeof listSessionsQuery>;

/** `GET /v1/sessions/{id}/events`. */
export const listEventsQuery = z.object({
  after: z.coerce.number().int().min(0).optional().meta({ description: 'Only events with a greater `seq`.' }),
  limit: z.coerce.number().int().min(1).max(maximumEventsPageSize).optional().meta({ description: `Page size, 1 to ${maximumEventsPageSize}.` }),
  page: z.string().min(1).optional().meta({ description: 'The `next_page` cursor of the previous page (takes the place of `after`).' }),
  types: z.string().min(1).optional().meta({ description: 'Only these event types, comma-separated (`agent.message,session.error`).' }),
});
export type ListEventsQuery = z.output<typeof listEventsQuery>;

/** `GET /v1/sessions/{id}/events/stream`. */
export const streamQuery = z.object({
  after: z.coerce.number().int().min(0).optional().meta({ description: 'Resume after this `seq` (as does the `Last-Event-ID` header).' }),
  deltas: booleanText.optional().meta({ description: 'Also send `event: delta` frames with model output as it streams.' }),
});
export type StreamQuery = z.output<typeof streamQuery>;

/**
 * Parses a request body or query with one of the schemas above. A failure is an `invalid_argument`
 * error located at the JSON path of its first problem (`metadata.team`), with every problem listed
 * in `issues`, so the error envelope can say exactly what to fix.
 *
 * @example
 * const body = parseRequestPart(createSessionBody, await c.req.json(), 'body');
 * const query = parseRequestPart(listEventsQuery, c.req.query(), 'query');
 */
export function parseRequestPart<T>(schema: z.ZodType<T>, value: unknown, part: 'body' | 'query'): T {
  const parsed = parseWithProblems(schema, value, []);
  if (parsed.ok) return parsed.value;
  const issues: ConclaveErrorJSON[] = parsed.problems.map((problem) => {
    // Problems are worded for documents; a request part is named by what it is.
    const message = problem.path.length === 0 ? problem.message.replace(/^document: /, `${part}: `) : `${part}.${problem.message}`;
    const issue = new ConclaveError('invalid_argument', message, {
      location: { path: formatJsonPath(problem.path) },
      ...(problem.hint !== undefined ? { hint: problem.hint } : {}),
    });
    return issue.toJSON();
  });
  const [first, ...others] = issues;
  throw new ConclaveError('invalid_argument', others.length === 0 ? `${first?.message}` : `${first?.message} (and ${others.length} more)`, {
    ...(first?.location !== undefined ? { location: first.location } : {}),
    ...(first?.hint !== undefined ? { hint: first.hint } : {}),
    ...(others.length > 0 ? { issues } : {}),
  });
}
