/**
 * One `GenerateRequest` as the body of a streaming Messages API call. `max_tokens` is required by
 * the API, so it defaults to 1024. `temperature` is no longer in the SDK's types (Anthropic
 * deprecated sampling parameters, and Sonnet 5 and later reject non-default values), but the 4.x
 * models still honour it, so it is sent as an extra body field only when the request sets one.
 *
 * Structured output (`responseFormat: { type: 'json' }`): an object schema is sent as
 * `output_config.format` (`json_schema`), Anthropic's constrained decoding, after the SDK's own
 * `jsonSchemaOutputFormat` helper has made it acceptable (closed objects, unsupported keywords moved into
 * descriptions). The answer then arrives as ordinary streamed text that is the JSON document. A
 * request without a schema, or with one the transform rejects (a non-object root, an untyped
 * node), falls back to an instruction appended to the system prompt. A forced tool was not used:
 * it is the older workaround, it cannot be combined with the caller's own tools, and newer models
 * (Sonnet 5.5) reject forced tool use.
 *
 * Prompt caching: unless `request.cache.enabled` is false, the stable prefix carries
 * `cache_control` breakpoints (see `anthropic-cache-breakpoints.ts`).
 */
import { jsonSchemaOutputFormat } from '@anthropic-ai/sdk/helpers/json-schema';
import type { MessageCreateParamsStreaming, Tool } from '@anthropic-ai/sdk/resources/messages/messages';
import type { GenerateRequest } from '../../src/protocol/index.js';
import { mapAnthropicMessages } from './map-anthropic-messages.js';
import { withCacheBreakpoints } from './anthropic-cache-breakpoints.js';

/** The body the adapter sends: the SDK's streaming parameters plus the deprecated `temperature`. */
export type AnthropicRequestBody = MessageCreateParamsStreaming & { temperature?: number };

/** What `max_tokens` is when the request does not say. */
export const defaultAnthropicMaxTokens = 1024;

type JsonSchema = Record<string, unknown>;

/** The schema as Anthropic's structured outputs accept it, or undefined when it cannot be sent. */
function structuredOutputSchema(schema: JsonSchema | undefined): JsonSchema | undefined {
  if (schema === undefined || schema['type'] !== 'object') return undefined;
  try {
    return jsonSchemaOutputFormat(schema as Parameters<typeof jsonSchemaOutputFormat>[0]).schema;
  } catch {
    return undefined;
  }
}

/**
 * The prompt instruction used when the schema cannot go into `output_config`.
 *
 * @example
 * jsonInstruction(undefined) // → 'Reply with a single JSON value and nothing else: no prose, no code fences.'
 */
export function jsonInstruction(schema: JsonSchema | undefined): string {
  const base = 'Reply with a single JSON value and nothing else: no prose, no code fences.';
  return schema === undefined ? base : `${base} The JSON must match this JSON Schema:\n${JSON.stringify(schema)}`;
}

function mapTool(tool: NonNullable<GenerateRequest['tools']>[number]): Tool {
  const mapped: Tool = { name: tool.name, input_schema: tool.inputSchema as Tool['input_schema'] };
  if (tool.description !== undefined) mapped.description = tool.description;
  return mapped;
}

/**
 * Builds the streaming request body.
 *
 * @example
 * mapAnthropicRequest({ model: 'claude-haiku-4-5', system: 'Be brief.', messages: [{ role: 'user', content: 'Hi' }], temperature: 0.2 })
 * // → { model: 'claude-haiku-4-5', max_tokens: 1024, stream: true,
 * //     system: [{ type: 'text', text: 'Be brief.', cache_control: { type: 'ephemeral' } }],
 * //     messages: [{ role: 'user', content: [{ type: 'text', text: 'Hi' }] }], temperature: 0.2 }
 */
export function mapAnthropicRequest(request: GenerateRequest): AnthropicRequestBody {
  const conversation = mapAnthropicMessages(request.system, request.messages);
  const body: AnthropicRequestBody = {
    model: request.model,
    max_tokens: request.maxTokens ?? defaultAnthropicMaxTokens,
    stream: true,
    messages: conversation.messages,
  };
  let system = conversation.system;
  const format = request.responseFormat;
  if (format?.type === 'json') {
    const schema = structuredOutputSchema(format.schema);
    if (schema !== undefined) body.output_config = { format: { type: 'json_schema', schema } };
    else system = system === undefined ? jsonInstruction(format.schema) : `${system}\n\n${jsonInstruction(format.schema)}`;
  }
  if (system !== undefined) body.system = system;
  if (request.temperature !== undefined) body.temperature = request.temperature;
  if (request.stop !== undefined && request.stop.length > 0) body.stop_sequences = request.stop;
  if (request.tools !== undefined && request.tools.length > 0) body.tools = request.tools.map(mapTool);
  return request.cache?.enabled === false ? body : withCacheBreakpoints(body);
}
