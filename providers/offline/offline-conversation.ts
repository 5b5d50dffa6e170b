/**
 * Reading a request the way the simulated models need: the last user message, the task, the
 * agent's own previous reply, and the seed that makes the text a pure function of the request.
 */
import type { GenerateRequest, Message } from '../../src/protocol/index.js';
import type { OfflineModelOptions } from './offline-model-options.js';
import { countTokens } from './token-estimate.js';
import { hashStrings } from './seeded-random.js';

/**
 * Content of the last message with the given role, if any.
 *
 * @example
 * lastContent([{ role: 'user', content: 'hi' }], 'user') // → 'hi'
 */
export function lastContent(messages: readonly Message[], role: Message['role']): string | undefined {
  for (let index = messages.length - 1; index >= 0; index -= 1) {
    const message = messages[index];
    if (message !== undefined && message.role === role) return message.content;
  }
  return undefined;
}

/**
 * The task, as topologies write it: the first paragraph of the first user message, without a
 * leading `Task:` label. Instructions that follow it after a blank line ("Give your answer with
 * your reasoning…") are not the topic, so they must not colour the simulated prose.
 *
 * @example
 * firstUserContent([{ role: 'user', content: 'Task: Is it safe?\n\nAnswer briefly.' }]) // → 'Is it safe?'
 */
export function firstUserContent(messages: readonly Message[]): string {
  const content = messages.find((message) => message.role === 'user')?.content ?? '';
  const paragraph = content.split(/\n\s*\n/)[0] ?? '';
  return paragraph.replace(/^\s*task:\s*/i, '').trim();
}

/**
 * The seed of a request's text: a hash of the model name with its text parameters, the system
 * prompt, every message, and `request.seed`. Timing, price and failure parameters are left out.
 *
 * @example
 * const random = createSeededRandom(textSeedOf(options, request));
 */
export function textSeedOf(options: OfflineModelOptions, request: GenerateRequest): number {
  const parts = [options.textIdentity, request.seed === undefined ? '' : String(request.seed), request.system ?? ''];
  for (const message of request.messages) {
    parts.push(message.role, message.content);
    if (message.role === 'tool') parts.push(message.toolName);
  }
  return hashStrings(parts);
}

/**
 * Estimated input tokens: word-ish tokens (see `token-estimate.ts`) of the system prompt and of
 * every message's content.
 *
 * @example
 * countInputTokens({ model: 'echo', system: 'Be brief.', messages: [{ role: 'user', content: 'Hello there' }] }) // → 5
 */
export function countInputTokens(request: GenerateRequest): number {
  let total = request.system === undefined ? 0 : countTokens(request.system);
  for (const message of request.messages) total += countTokens(message.content);
  return total;
}
