/**
 * Ollama chat chunks as conclave stream parts. Each chunk is parsed with zod at the edge; a chunk
 * that does not fit is reported, not trusted. `message.content` becomes `text-delta`,
 * `message.thinking` becomes `reasoning-delta`, and every entry of `message.tool_calls` becomes one
 * `tool-call` part — Ollama streams tool calls whole, never as argument fragments. The final
 * `done: true` chunk yields `usage` (`prompt_eval_count` in, `eval_count` out) and `finish`.
 *
 * Tool call ids: Ollama ≥ 0.12 sends one, older servers do not. A missing id is derived from the
 * request and the call (a hash), so the same request answered the same way gets the same id on a
 * replay, while the same tool called in a later turn gets a different one.
 */
import { createHash } from 'node:crypto';
import { z } from 'zod';
import type { StreamPart } from '../../src/protocol/index.js';
import { mapOllamaFinishReason } from './map-ollama-finish-reason.js';

const ollamaToolCallSchema = z.object({
  id: z.string().optional(),
  function: z.object({
    name: z.string(),
    // Ollama sends an object; a string of JSON is tolerated because some proxies re-encode it.
    arguments: z.union([z.record(z.string(), z.unknown()), z.string()]).optional(),
  }),
});

/** The fields of a chat chunk the adapter reads; everything else is ignored. */
export const ollamaChatChunkSchema = z.object({
  model: z.string().optional(),
  message: z
    .object({
      role: z.string().optional(),
      content: z.string().optional(),
      thinking: z.string().optional(),
      tool_calls: z.array(ollamaToolCallSchema).optional(),
    })
    .optional(),
  done: z.boolean(),
  done_reason: z.string().optional(),
  prompt_eval_count: z.number().int().nonnegative().optional(),
  eval_count: z.number().int().nonnegative().optional(),
});
export type OllamaChatChunk = z.infer<typeof ollamaChatChunkSchema>;

/** Result of mapping one chunk: its parts, or why the chunk could not be read. */
export type OllamaChunkResult = { ok: true; parts: StreamPart[]; done: boolean } | { ok: false; message: string };

function parseArguments(value: Record<string, unknown> | string | undefined): unknown {
  if (value === undefined) return {};
  if (typeof value !== 'string') return value;
  try {
    return JSON.parse(value) as unknown;
  } catch {
    return value;
  }
}

/**
 * A stable id for a tool call the server sent without one.
 *
 * @example
 * deriveOllamaToolCallId('f3a1…', 0, 'add', { a: 1 }) // → 'call_5c0e…' (24 hex digits)
 */
export function deriveOllamaToolCallId(requestFingerprint: string, index: number, name: string, input: unknown): string {
  const digest = createHash('sha256').update(JSON.stringify([requestFingerprint, index, name, input])).digest('hex');
  return `call_${digest.slice(0, 24)}`;
}

/**
 * A fingerprint of a request body, the seed of derived tool call ids.
 *
 * @example
 * const fingerprint = fingerprintOllamaRequest(body);
 */
export function fingerprintOllamaRequest(body: unknown): string {
  return createHash('sha256').update(JSON.stringify(body)).digest('hex');
}

/**
 * Creates a mapper for one streamed response; it remembers how many tool calls it has seen.
 *
 * @example
 * const mapChunk = createOllamaStreamMapper(fingerprintOllamaRequest(body));
 * for await (const chunk of stream) {
 *   const result = mapChunk(chunk);
 *   if (result.ok) yield* result.parts;
 * }
 */
export function createOllamaStreamMapper(requestFingerprint: string): (chunk: unknown) => OllamaChunkResult {
  let toolCallCount = 0;
  return (chunk) => {
    const parsed = ollamaChatChunkSchema.safeParse(chunk);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      const where = issue === undefined || issue.path.length === 0 ? '' : ` at ${issue.path.join('.')}`;
      return { ok: false, message: `unexpected chunk${where}: ${issue?.message ?? 'invalid'}` };
    }
    const { message, done } = parsed.data;
    const parts: StreamPart[] = [];
    if (message?.thinking !== undefined && message.thinking !== '') parts.push({ type: 'reasoning-delta', delta: message.thinking });
    if (message?.content !== undefined && message.content !== '') parts.push({ type: 'text-delta', delta: message.content });
    for (const call of message?.tool_calls ?? []) {
      const input = parseArguments(call.function.arguments);
      const toolCallId = call.id !== undefined && call.id !== '' ? call.id : deriveOllamaToolCallId(requestFingerprint, toolCallCount, call.function.name, input);
      toolCallCount += 1;
      parts.push({ type: 'tool-call', toolCallId, toolName: call.function.name, input });
    }
    if (done) {
      parts.push({ type: 'usage', usage: { inputTokens: parsed.data.prompt_eval_count ?? 0, outputTokens: parsed.data.eval_count ?? 0 } });
      parts.push({ type: 'finish', finishReason: mapOllamaFinishReason(parsed.data.done_reason, toolCallCount > 0) });
    }
    return { ok: true, parts, done };
  };
}
