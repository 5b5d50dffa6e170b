/**
 * Conversation messages as Gemini `contents`. Gemini has two roles: `user` and `model`. Assistant
 * messages become `model` turns (text, then one `functionCall` part per tool call); tool results
 * become `functionResponse` parts of a `user` turn, and consecutive results share one turn, since
 * Gemini expects the answers to a parallel call together. Call ids are not sent: Gemini pairs calls
 * and responses by name and order, and ids conclave generated would mean nothing to it.
 */
import type { Content, Part } from '@google/genai';
import type { Message } from '../../src/protocol/index.js';

/**
 * The `response` object of a `functionResponse`: Gemini wants a JSON object, and documents the keys
 * `output` and `error`. A result that already is a JSON object is passed as it is.
 */
function functionResponseBody(content: string, isError: boolean | undefined): Record<string, unknown> {
  if (isError === true) return { error: content };
  try {
    const parsed: unknown = JSON.parse(content);
    if (parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed)) return parsed as Record<string, unknown>;
  } catch {
    // Plain text, wrapped below.
  }
  return { output: content };
}

function toolCallArguments(input: unknown): Record<string, unknown> {
  return input !== null && typeof input === 'object' && !Array.isArray(input) ? (input as Record<string, unknown>) : { input };
}

/**
 * Maps conclave messages to Gemini contents (the system prompt goes to `config.systemInstruction`).
 *
 * @example
 * mapGoogleContents([
 *   { role: 'user', content: 'Weather in Paris?' },
 *   { role: 'assistant', content: '', toolCalls: [{ toolCallId: 'c1', toolName: 'weather', input: { city: 'Paris' } }] },
 *   { role: 'tool', toolCallId: 'c1', toolName: 'weather', content: '{"celsius":21}' },
 * ])
 * // → [
 * //   { role: 'user', parts: [{ text: 'Weather in Paris?' }] },
 * //   { role: 'model', parts: [{ functionCall: { name: 'weather', args: { city: 'Paris' } } }] },
 * //   { role: 'user', parts: [{ functionResponse: { name: 'weather', response: { celsius: 21 } } }] },
 * // ]
 */
export function mapGoogleContents(messages: readonly Message[]): Content[] {
  const contents: Content[] = [];
  let toolTurn: Part[] | undefined;
  for (const message of messages) {
    if (message.role === 'tool') {
      const part: Part = {
        functionResponse: { name: message.toolName, response: functionResponseBody(message.content, message.isError) },
      };
      if (toolTurn === undefined) {
        toolTurn = [part];
        contents.push({ role: 'user', parts: toolTurn });
      } else {
        toolTurn.push(part);
      }
      continue;
    }
    toolTurn = undefined;
    if (message.role === 'user') {
      contents.push({ role: 'user', parts: [{ text: message.content }] });
      continue;
    }
    const parts: Part[] = message.content === '' ? [] : [{ text: message.content }];
    for (const call of message.toolCalls ?? []) {
      parts.push({ functionCall: { name: call.toolName, args: toolCallArguments(call.input) } });
    }
    // Gemini rejects a turn without parts; an empty answer is still a turn of the conversation.
    contents.push({ role: 'model', parts: parts.length === 0 ? [{ text: '' }] : parts });
  }
  return contents;
}
