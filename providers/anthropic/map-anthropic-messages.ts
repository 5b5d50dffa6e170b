/**
 * Conclave's provider-neutral messages mapped to the Messages API. Anthropic takes the system prompt
 * as a top-level `system` field, wants user and assistant turns to alternate, and carries tools as
 * content blocks: an assistant's tool calls become `tool_use` blocks, and a `tool` message becomes a
 * `tool_result` block inside a user turn. Consecutive messages that land on the same role are merged
 * into one turn, so that several tool results (or a tool result followed by a user question) form
 * the single user turn the API expects.
 */
import type { ContentBlockParam, MessageParam } from '@anthropic-ai/sdk/resources/messages/messages';
import type { Message } from '../../src/protocol/index.js';

export interface AnthropicConversation {
  system?: string;
  messages: MessageParam[];
}

type Role = MessageParam['role'] & ('user' | 'assistant');

/** The role and content blocks of one conclave message; empty texts are dropped (the API rejects them). */
function blocksOf(message: Message): { role: Role; blocks: ContentBlockParam[] } {
  switch (message.role) {
    case 'user':
      return { role: 'user', blocks: message.content === '' ? [] : [{ type: 'text', text: message.content }] };
    case 'assistant': {
      const blocks: ContentBlockParam[] = message.content === '' ? [] : [{ type: 'text', text: message.content }];
      for (const call of message.toolCalls ?? []) {
        blocks.push({ type: 'tool_use', id: call.toolCallId, name: call.toolName, input: call.input ?? {} });
      }
      return { role: 'assistant', blocks };
    }
    case 'tool': {
      const block: ContentBlockParam = { type: 'tool_result', tool_use_id: message.toolCallId, content: message.content };
      if (message.isError === true) block.is_error = true;
      return { role: 'user', blocks: [block] };
    }
  }
}

/**
 * Maps a system prompt and a conversation to Anthropic's `system` and `messages`.
 *
 * @example
 * mapAnthropicMessages('Be brief.', [
 *   { role: 'user', content: 'Weather in Oslo?' },
 *   { role: 'assistant', content: '', toolCalls: [{ toolCallId: 'toolu_1', toolName: 'get_weather', input: { city: 'Oslo' } }] },
 *   { role: 'tool', toolCallId: 'toolu_1', toolName: 'get_weather', content: 'Snow' },
 * ])
 * // → { system: 'Be brief.', messages: [
 * //   { role: 'user', content: [{ type: 'text', text: 'Weather in Oslo?' }] },
 * //   { role: 'assistant', content: [{ type: 'tool_use', id: 'toolu_1', name: 'get_weather', input: { city: 'Oslo' } }] },
 * //   { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'toolu_1', content: 'Snow' }] } ] }
 */
export function mapAnthropicMessages(system: string | undefined, messages: readonly Message[]): AnthropicConversation {
  const turns: Array<{ role: Role; content: ContentBlockParam[] }> = [];
  for (const message of messages) {
    const { role, blocks } = blocksOf(message);
    if (blocks.length === 0) continue;
    const previous = turns.at(-1);
    if (previous !== undefined && previous.role === role) previous.content.push(...blocks);
    else turns.push({ role, content: blocks });
  }
  const conversation: AnthropicConversation = { messages: turns };
  if (system !== undefined && system !== '') conversation.system = system;
  return conversation;
}
