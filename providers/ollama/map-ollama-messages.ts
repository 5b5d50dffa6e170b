/**
 * Conclave's provider-neutral request in the shape of Ollama's `/api/chat` body: the system prompt
 * becomes the first `system` message, assistant tool calls become `tool_calls` (with the call id,
 * which Ollama ≥ 0.12 echoes back and older servers ignore), tool results become `tool` messages
 * carrying `tool_name` (how Ollama matches a result to its call) and `tool_call_id`. Sampling
 * settings go into `options` (`num_predict` is Ollama's max tokens), tools into `tools`, and
 * structured output into `format`: the JSON schema itself, or `'json'` when no schema is given.
 */
import type { ChatRequest, Message as OllamaMessage, Options as OllamaOptions, Tool as OllamaTool } from 'ollama';
import type { GenerateRequest, Message, ToolDefinition } from '../../src/protocol/index.js';

/** An assistant tool call as sent: the SDK's shape plus the call id newer servers understand. */
export interface OllamaOutgoingToolCall {
  id?: string;
  function: { name: string; arguments: Record<string, unknown> };
}

/** An Ollama message as sent: the SDK's type plus the id fields newer servers understand. */
export type OllamaOutgoingMessage = Omit<OllamaMessage, 'tool_calls'> & { tool_calls?: OllamaOutgoingToolCall[]; tool_call_id?: string };

/** The body of one streamed chat call, without `stream` (the adapter sets it). */
export type OllamaChatBody = Omit<ChatRequest, 'messages' | 'stream'> & { messages: OllamaOutgoingMessage[] };

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Ollama wants tool arguments as an object; anything else is wrapped so nothing is lost. */
function toolArguments(input: unknown): Record<string, unknown> {
  return isPlainObject(input) ? input : { value: input };
}

/**
 * Maps conclave messages (and the system prompt) to Ollama chat messages.
 *
 * @example
 * mapOllamaMessages('Be brief.', [{ role: 'user', content: 'hi' }])
 * // → [{ role: 'system', content: 'Be brief.' }, { role: 'user', content: 'hi' }]
 */
export function mapOllamaMessages(system: string | undefined, messages: readonly Message[]): OllamaOutgoingMessage[] {
  const mapped: OllamaOutgoingMessage[] = [];
  if (system !== undefined && system !== '') mapped.push({ role: 'system', content: system });
  for (const message of messages) {
    switch (message.role) {
      case 'user':
        mapped.push({ role: 'user', content: message.content });
        break;
      case 'assistant': {
        const assistant: OllamaOutgoingMessage = { role: 'assistant', content: message.content };
        if (message.toolCalls !== undefined && message.toolCalls.length > 0) {
          assistant.tool_calls = message.toolCalls.map((call) => ({
            id: call.toolCallId,
            function: { name: call.toolName, arguments: toolArguments(call.input) },
          }));
        }
        mapped.push(assistant);
        break;
      }
      case 'tool':
        // Ollama has no error flag on tool results; the content itself has to say it failed.
        mapped.push({ role: 'tool', content: message.content, tool_name: message.toolName, tool_call_id: message.toolCallId });
        break;
    }
  }
  return mapped;
}

/**
 * Maps tool definitions to Ollama's function tools.
 *
 * @example
 * mapOllamaTools([{ name: 'add', inputSchema: { type: 'object' } }])
 * // → [{ type: 'function', function: { name: 'add', parameters: { type: 'object' } } }]
 */
export function mapOllamaTools(tools: readonly ToolDefinition[]): OllamaTool[] {
  return tools.map((tool) => ({
    type: 'function',
    function: {
      name: tool.name,
      ...(tool.description !== undefined ? { description: tool.description } : {}),
      // The SDK types `parameters` narrowly; Ollama accepts any JSON Schema object here.
      parameters: tool.inputSchema as NonNullable<OllamaTool['function']['parameters']>,
    },
  }));
}

/**
 * Builds the `/api/chat` body for a request: model, messages, options, tools and format.
 *
 * @example
 * mapOllamaRequest({ model: 'llama3.2', messages: [{ role: 'user', content: 'hi' }], maxTokens: 64 })
 * // → { model: 'llama3.2', messages: [{ role: 'user', content: 'hi' }], options: { num_predict: 64 } }
 */
export function mapOllamaRequest(request: GenerateRequest): OllamaChatBody {
  const body: OllamaChatBody = { model: request.model, messages: mapOllamaMessages(request.system, request.messages) };
  const options: Partial<OllamaOptions> = {};
  if (request.temperature !== undefined) options.temperature = request.temperature;
  if (request.maxTokens !== undefined) options.num_predict = request.maxTokens;
  if (request.stop !== undefined && request.stop.length > 0) options.stop = request.stop;
  if (request.seed !== undefined) options.seed = request.seed;
  if (Object.keys(options).length > 0) body.options = options;
  if (request.tools !== undefined && request.tools.length > 0) body.tools = mapOllamaTools(request.tools);
  if (request.responseFormat?.type === 'json') body.format = request.responseFormat.schema ?? 'json';
  return body;
}
