/**
 * Structured output for a user's own agents: an agent with an `output_schema` is called with the
 * schema as `responseFormat` (each adapter turns it into its provider's native structured output),
 * and its answer is validated against the schema. An answer that does not match is asked for again
 * once, as its own journaled command `<slot>/output-retry:1/generate:0`, with the original messages,
 * the bad answer as an assistant turn and the validation errors as a user turn; a second miss fails
 * the agent with `agent_failed`, its cause `invalid_structured_output` naming each failing path.
 *
 * Validation is a pure function of journaled answers, so a resumed session takes the same branch.
 * A topology that asks for its own format (a vote's ballot, a router's route) keeps it: the agent's
 * `output_schema` applies to the calls where the topology asks for free text.
 */
import { ConclaveError, type Cost, type ModelAgent } from '../protocol/index.js';
import { checkStructuredAnswer, formatSchemaProblems, type SchemaProblem } from '../json-schema/output-schema-validator.js';
import type { ModelCall, ModelCallResult } from './dispatcher.js';
import { addUsage } from './usage-sum.js';

/** Runs one model call (with or without tools) for the agent. */
export type AgentModelDispatch = (call: ModelCall) => Promise<ModelCallResult>;

/** The name sent with the schema (OpenAI's `json_schema.name`: letters, digits, `_` and `-`, ≤ 64). */
function schemaName(agent: ModelAgent): string {
  const title = agent.output_schema?.['title'];
  const name = typeof title === 'string' && title !== '' ? title : `${agent.name}_output`;
  return name.replace(/[^A-Za-z0-9_-]/g, '_').slice(0, 64);
}

/**
 * The user turn of the one corrective retry.
 *
 * @example
 * correctionOf([{ path: 'score', message: 'must be integer' }])
 * // → 'Your answer did not match the required JSON Schema:\nscore: must be integer\n\nAnswer again with only …'
 */
export function correctionOf(problems: readonly SchemaProblem[]): string {
  return `Your answer did not match the required JSON Schema:\n${formatSchemaProblems(problems)}\n\nAnswer again with only the corrected JSON document, matching the schema, and no other text.`;
}

function retryCommandId(commandId: string): string {
  return `${commandId.replace(/\/generate:0$/, '')}/output-retry:1/generate:0`;
}

/** Both calls' usage and cost under the second's answer (a cost marked simulated or unpriced stays so). */
function merged(first: ModelCallResult, second: ModelCallResult, text: string): ModelCallResult {
  const cost: Cost = { usd: first.cost.usd + second.cost.usd };
  if (first.cost.simulated === true || second.cost.simulated === true) cost.simulated = true;
  if (first.cost.unpriced === true || second.cost.unpriced === true) cost.unpriced = true;
  return { ...second, text, usage: addUsage(first.usage, second.usage), cost };
}

/**
 * Runs an agent's model call, honouring its `output_schema`: without one (or when the topology set
 * its own `responseFormat`) this is `dispatch(call)`; with one, the answer is the validated JSON.
 *
 * @example
 * const reply = await dispatchAgentModelCall(slot, modelCall, (call) => dispatchModelCall(context, call, signal));
 * JSON.parse(reply.text) // matches slot.output_schema
 */
export async function dispatchAgentModelCall(agent: ModelAgent, call: ModelCall, dispatch: AgentModelDispatch): Promise<ModelCallResult> {
  const schema = agent.output_schema;
  if (schema === undefined || call.responseFormat !== undefined) return dispatch(call);
  const responseFormat = { type: 'json' as const, schema, name: schemaName(agent) };
  const first = await dispatch({ ...call, responseFormat });
  const checked = checkStructuredAnswer(first.text, schema);
  if (checked.ok) return { ...first, text: checked.json };

  const messages = [...call.messages, { role: 'assistant' as const, content: first.text }, { role: 'user' as const, content: correctionOf(checked.problems) }];
  const second = await dispatch({ ...call, commandId: retryCommandId(call.commandId), messages, responseFormat });
  const rechecked = checkStructuredAnswer(second.text, schema);
  if (rechecked.ok) return merged(first, second, rechecked.json);

  const where = rechecked.problems.map((problem) => `${problem.path}: ${problem.message}`).join('; ');
  const cause = new ConclaveError('invalid_structured_output', `the answer does not match output_schema — ${where}`, { category: 'provider', retryable: false });
  throw new ConclaveError('agent_failed', `agent "${agent.name}" answered twice with JSON that does not match its output_schema: ${where}`, {
    category: 'provider',
    retryable: false,
    cause,
    hint: 'loosen output_schema, describe the fields in the agent\'s system prompt, or use a model with native structured output',
  });
}
