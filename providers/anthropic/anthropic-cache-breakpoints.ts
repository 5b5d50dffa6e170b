/**
 * Prompt caching on the Messages API: `cache_control: { type: 'ephemeral' }` breakpoints on the
 * stable prefix of a request, which Anthropic caches for five minutes and bills at a tenth of the
 * input price when read back. The prefix is rendered tools → system → messages, so the breakpoints
 * go on the last tool definition, on the system prompt, and on the last block of the turn before
 * the newest one (the conversation so far, which the next call of the same agent repeats; the
 * API's lookback then finds the previous call's entry). That is at most three of the four
 * breakpoints the API allows. A prefix shorter than the model's minimum is simply not cached.
 */
import type { CacheControlEphemeral, ContentBlockParam, MessageParam, TextBlockParam } from '@anthropic-ai/sdk/resources/messages/messages';
import type { AnthropicRequestBody } from './map-anthropic-request.js';

/** The breakpoint Conclave sends: the default five-minute cache. */
export const ephemeralCacheControl: CacheControlEphemeral = { type: 'ephemeral' };

/** Most breakpoints one request may carry. */
export const maxAnthropicCacheBreakpoints = 4;

function markLastBlock(blocks: ContentBlockParam[]): ContentBlockParam[] {
  const last = blocks.at(-1);
  if (last === undefined || last.type === 'thinking' || last.type === 'redacted_thinking') return blocks;
  return [...blocks.slice(0, -1), { ...last, cache_control: ephemeralCacheControl } as ContentBlockParam];
}

/**
 * The body with cache breakpoints on its tools, system prompt and earlier turns (the body itself is
 * not changed).
 *
 * @example
 * withCacheBreakpoints({ model: 'claude-haiku-4-5', max_tokens: 1024, stream: true, system: 'Be brief.', messages })
 * // → { …, system: [{ type: 'text', text: 'Be brief.', cache_control: { type: 'ephemeral' } }], messages: [… earlier turn marked …] }
 */
export function withCacheBreakpoints(body: AnthropicRequestBody): AnthropicRequestBody {
  const marked: AnthropicRequestBody = { ...body };
  const tools = body.tools;
  if (tools !== undefined && tools.length > 0) {
    marked.tools = [...tools.slice(0, -1), { ...tools[tools.length - 1]!, cache_control: ephemeralCacheControl } as (typeof tools)[number]];
  }
  if (typeof body.system === 'string' && body.system !== '') {
    const system: TextBlockParam[] = [{ type: 'text', text: body.system, cache_control: ephemeralCacheControl }];
    marked.system = system;
  }
  const earlier = body.messages.length - 2;
  if (earlier >= 0) {
    const turn = body.messages[earlier]!;
    const blocks: ContentBlockParam[] = typeof turn.content === 'string' ? [{ type: 'text', text: turn.content }] : turn.content;
    marked.messages = body.messages.map((message, index) => (index === earlier ? ({ ...message, content: markLastBlock(blocks) } as MessageParam) : message));
  }
  return marked;
}
