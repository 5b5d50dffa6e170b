/**
 * Chat messages as topologies build them and providers receive them. Kept minimal and
 * provider-neutral: adapters map these to each wire format.
 */
import { z } from 'zod';

export const toolCallSchema = z.object({
  toolCallId: z.string(),
  toolName: z.string(),
  input: z.unknown(),
});
export type ToolCall = z.infer<typeof toolCallSchema>;

export const messageSchema = z.discriminatedUnion('role', [
  z.object({ role: z.literal('user'), content: z.string() }),
  z.object({
    role: z.literal('assistant'),
    content: z.string(),
    toolCalls: z.array(toolCallSchema).optional(),
  }),
  z.object({
    role: z.literal('tool'),
    toolCallId: z.string(),
    toolName: z.string(),
    content: z.string(),
    isError: z.boolean().optional(),
  }),
]);
export type Message = z.infer<typeof messageSchema>;

/**
 * Token counts of one model call, or summed over many. `inputTokens` is every input token, those
 * read from the provider's prompt cache (`cachedInputTokens`) and those written to it
 * (`cacheWriteInputTokens`, billed above the base price where the provider charges for writes) included.
 */
export const usageSchema = z.object({
  inputTokens: z.number().int().nonnegative(),
  outputTokens: z.number().int().nonnegative(),
  cachedInputTokens: z.number().int().nonnegative().optional(),
  cacheWriteInputTokens: z.number().int().nonnegative().optional(),
});
export type Usage = z.infer<typeof usageSchema>;

/**
 * Money spent, in US dollars. `simulated` marks figures that came from the offline simulator;
 * `unpriced` marks a call whose model has no known price (its `usd` is 0 because nothing was
 * counted, not because it was free).
 */
export const costSchema = z.object({
  usd: z.number().nonnegative(),
  simulated: z.boolean().optional(),
  unpriced: z.boolean().optional(),
});
export type Cost = z.infer<typeof costSchema>;
