/**
 * A conclave `GenerateRequest` as a Chat Completions request body. A JSON schema goes out as
 * `response_format: json_schema`, `strict` when the schema allows it (`openai-strict-schema.ts`);
 * the session's cache key as `prompt_cache_key`, so calls sharing a prefix reach the same cache.
 * Providers that speak the same wire protocol differ in a few places (the max-tokens field, the seed field, whether a JSON schema
 * or JSON mode is accepted, whether `stream_options` is understood); `OpenAIWireOptions` names those
 * differences so that a compatible preset states them instead of patching the mapper.
 */
import type {
  ChatCompletionCreateParamsStreaming,
  ChatCompletionMessageParam,
  ChatCompletionTool,
} from 'openai/resources/chat/completions';
import type { GenerateRequest, Message } from '../../src/protocol/index.js';
import type { OpenAIModelOptions } from './openai-model-options.js';
import { isStrictJsonSchema } from './openai-strict-schema.js';

export interface OpenAIWireOptions {
  /** Accepts `response_format: { type: 'json_schema' }`. */
  supportsJsonSchema: boolean;
  /** Accepts `response_format: { type: 'json_object' }` (JSON mode). */
  supportsJsonObject: boolean;
  /** Field for `request.maxTokens`: OpenAI wants `max_completion_tokens`, most compatible servers `max_tokens`. */
  maxTokensField: 'max_completion_tokens' | 'max_tokens';
  /** Field for `request.seed` (Mistral calls it `random_seed`); undefined drops the seed. */
  seedField: 'seed' | 'random_seed' | undefined;
  /** Send `stream_options: { include_usage: true }` (servers that reject it report usage anyway). */
  sendStreamOptions: boolean;
  /**
   * Send `prompt_cache_key` (OpenAI's prompt-cache routing key). Off for compatible servers unless
   * their preset turns it on: strict ones (Mistral, NVIDIA NIM, Azure) reject unknown fields with a 400.
   */
  sendPromptCacheKey?: boolean;
}

/** The wire options of api.openai.com. */
export const openAIWireOptions: OpenAIWireOptions = {
  supportsJsonSchema: true,
  supportsJsonObject: true,
  maxTokensField: 'max_completion_tokens',
  seedField: 'seed',
  sendStreamOptions: true,
  sendPromptCacheKey: true,
};

/** A Chat Completions streaming body, plus the fields compatible providers name differently. */
export type OpenAIRequestBody = ChatCompletionCreateParamsStreaming & { random_seed?: number };

/**
 * The instruction added to the system prompt when JSON is asked for without a schema field on the
 * wire (JSON mode needs the word "JSON" in the prompt, and a prompt is all some servers have).
 *
 * @example
 * jsonInstruction(undefined) // → 'Answer with one JSON object and nothing else.'
 */
export function jsonInstruction(schema: Record<string, unknown> | undefined): string {
  const base = 'Answer with one JSON object and nothing else.';
  return schema === undefined ? base : `${base} It must match this JSON Schema:\n${JSON.stringify(schema)}`;
}

/**
 * Maps conclave messages to Chat Completions messages: assistant tool calls become `tool_calls`
 * with JSON-string arguments, tool results become `tool` messages tied by `tool_call_id`.
 *
 * @example
 * mapOpenAIMessages('Be brief.', [{ role: 'user', content: 'hi' }])
 * // → [{ role: 'system', content: 'Be brief.' }, { role: 'user', content: 'hi' }]
 */
export function mapOpenAIMessages(system: string | undefined, messages: readonly Message[]): ChatCompletionMessageParam[] {
  const mapped: ChatCompletionMessageParam[] = [];
  if (system !== undefined && system !== '') mapped.push({ role: 'system', content: system });
  for (const message of messages) {
    switch (message.role) {
      case 'user':
        mapped.push({ role: 'user', content: message.content });
        break;
      case 'assistant': {
        const toolCalls = message.toolCalls ?? [];
        if (toolCalls.length === 0) {
          mapped.push({ role: 'assistant', content: message.content });
          break;
        }
        mapped.push({
          role: 'assistant',
          content: message.content === '' ? null : message.content,
          tool_calls: toolCalls.map((call) => ({
            id: call.toolCallId,
            type: 'function' as const,
            function: { name: call.toolName, arguments: JSON.stringify(call.input ?? {}) },
          })),
        });
        break;
      }
      case 'tool':
        // Chat Completions has no error flag on tool results; say it in the content.
        mapped.push({ role: 'tool', tool_call_id: message.toolCallId, content: message.isError === true ? `Error: ${message.content}` : message.content });
        break;
    }
  }
  return mapped;
}

function mapTools(request: GenerateRequest): ChatCompletionTool[] | undefined {
  if (request.tools === undefined || request.tools.length === 0) return undefined;
  return request.tools.map((tool) => ({
    type: 'function' as const,
    function: {
      name: tool.name,
      ...(tool.description !== undefined ? { description: tool.description } : {}),
      parameters: tool.inputSchema,
    },
  }));
}

/** `response_format` plus whether the prompt must also carry a JSON instruction. */
function mapResponseFormat(
  request: GenerateRequest,
  wire: OpenAIWireOptions,
): { responseFormat?: OpenAIRequestBody['response_format']; instruction?: string } {
  const format = request.responseFormat;
  if (format?.type !== 'json') return {};
  if (format.schema !== undefined && wire.supportsJsonSchema) {
    const jsonSchema = { name: format.name ?? 'response', schema: format.schema, ...(isStrictJsonSchema(format.schema) ? { strict: true } : {}) };
    return { responseFormat: { type: 'json_schema', json_schema: jsonSchema } };
  }
  const instruction = jsonInstruction(format.schema);
  return wire.supportsJsonObject ? { responseFormat: { type: 'json_object' }, instruction } : { instruction };
}

/**
 * The full streaming request body for one call.
 *
 * @example
 * mapOpenAIRequest({ model: 'gpt-4.1-mini', messages: [{ role: 'user', content: 'hi' }], maxTokens: 50 }, { name: 'gpt-4.1-mini' }, openAIWireOptions)
 * // → { model: 'gpt-4.1-mini', messages: [...], stream: true, stream_options: { include_usage: true }, max_completion_tokens: 50 }
 */
export function mapOpenAIRequest(request: GenerateRequest, model: OpenAIModelOptions, wire: OpenAIWireOptions): OpenAIRequestBody {
  const { responseFormat, instruction } = mapResponseFormat(request, wire);
  const system = instruction === undefined ? request.system : [request.system, instruction].filter((part) => part !== undefined && part !== '').join('\n\n');
  const body: OpenAIRequestBody = {
    model: model.name,
    messages: mapOpenAIMessages(system, request.messages),
    stream: true,
  };
  if (wire.sendStreamOptions) body.stream_options = { include_usage: true };
  if (request.temperature !== undefined) body.temperature = request.temperature;
  if (request.maxTokens !== undefined) body[wire.maxTokensField] = request.maxTokens;
  if (request.stop !== undefined && request.stop.length > 0) body.stop = request.stop;
  if (request.seed !== undefined && wire.seedField !== undefined) body[wire.seedField] = request.seed;
  const tools = mapTools(request);
  if (tools !== undefined) body.tools = tools;
  if (responseFormat !== undefined) body.response_format = responseFormat;
  if (model.reasoningEffort !== undefined) body.reasoning_effort = model.reasoningEffort;
  const cacheKey = request.cache?.enabled === false ? undefined : request.cache?.key;
  if (cacheKey !== undefined && wire.sendPromptCacheKey === true) body.prompt_cache_key = cacheKey;
  return body;
}
