/**
 * Chat Completions stream chunks as conclave stream parts. Every chunk is parsed with zod at the
 * edge; text and reasoning deltas pass straight through, tool call fragments are joined by `index`
 * and emitted as whole `tool-call` parts once the stream is complete, then `usage` and `finish`.
 * A stream that ends without a finish reason was cut. Reasoning arrives as `reasoning_content`
 * (DeepSeek) or `reasoning` (OpenRouter, Groq); usage as `usage` or Groq's `x_groq.usage`.
 */
import { z } from 'zod';
import { type StreamPart, type Usage } from '../../src/protocol/index.js';
import { mapOpenAIFinishReason } from './map-openai-finish-reason.js';
import { abortedError, malformedResponseError, mapOpenAIError } from './map-openai-error.js';
import { streamCutFailure } from '../support/provider-errors.js';

const usageSchema = z.object({
  prompt_tokens: z.number().int().nonnegative(),
  completion_tokens: z.number().int().nonnegative(),
  prompt_tokens_details: z.object({ cached_tokens: z.number().int().nonnegative().nullish() }).nullish(),
});

const toolCallDeltaSchema = z.object({
  index: z.number().int().nonnegative(),
  id: z.string().nullish(),
  function: z.object({ name: z.string().nullish(), arguments: z.string().nullish() }).nullish(),
});

export const openAIChunkSchema = z.object({
  choices: z.array(
    z.object({
      index: z.number().int().nullish(),
      delta: z
        .object({
          content: z.string().nullish(),
          reasoning_content: z.string().nullish(),
          reasoning: z.string().nullish(),
          tool_calls: z.array(toolCallDeltaSchema).nullish(),
        })
        .nullish(),
      finish_reason: z.string().nullish(),
    }),
  ),
  usage: usageSchema.nullish(),
  x_groq: z.object({ usage: usageSchema.nullish() }).nullish(),
});

export interface OpenAIStreamContext {
  provider: string;
  keyVariable?: string;
  signal: AbortSignal;
}

interface PendingToolCall {
  id: string;
  name: string;
  arguments: string;
}

function mapUsage(usage: z.infer<typeof usageSchema>): Usage {
  const cached = usage.prompt_tokens_details?.cached_tokens;
  return {
    inputTokens: usage.prompt_tokens,
    outputTokens: usage.completion_tokens,
    ...(cached !== undefined && cached !== null && cached > 0 ? { cachedInputTokens: cached } : {}),
  };
}

/** Whole tool calls from their fragments, or an error part when arguments are not a JSON object. */
function finishToolCalls(pending: Map<number, PendingToolCall>, provider: string): StreamPart[] {
  const parts: StreamPart[] = [];
  for (const index of [...pending.keys()].sort((left, right) => left - right)) {
    const call = pending.get(index)!;
    let input: unknown;
    try {
      input = call.arguments.trim() === '' ? {} : JSON.parse(call.arguments);
    } catch (error) {
      return [{ type: 'error', error: malformedResponseError(provider, `arguments of tool call "${call.name}" are not valid JSON`, error) }];
    }
    if (call.name === '') return [{ type: 'error', error: malformedResponseError(provider, `tool call ${index} has no function name`) }];
    parts.push({ type: 'tool-call', toolCallId: call.id === '' ? `call_${index}` : call.id, toolName: call.name, input });
  }
  return parts;
}

/**
 * Maps the SDK's chunk iterator to stream parts. Never throws: every failure, including one thrown
 * by the iterator, ends the stream with exactly one `error` part.
 *
 * @example
 * const stream = await client.chat.completions.create(body, { signal });
 * for await (const part of mapOpenAIStream(stream, { provider: 'openai', signal })) console.log(part.type);
 */
export async function* mapOpenAIStream(chunks: AsyncIterable<unknown>, context: OpenAIStreamContext): AsyncGenerator<StreamPart> {
  const { provider, signal } = context;
  const pending = new Map<number, PendingToolCall>();
  let usage: Usage | undefined;
  let finishReason: string | undefined;
  try {
    for await (const raw of chunks) {
      const parsed = openAIChunkSchema.safeParse(raw);
      if (!parsed.success) {
        yield { type: 'error', error: malformedResponseError(provider, `unexpected chunk shape: ${parsed.error.issues[0]?.message ?? 'invalid'}`) };
        return;
      }
      const chunk = parsed.data;
      const chunkUsage = chunk.usage ?? chunk.x_groq?.usage;
      if (chunkUsage !== undefined && chunkUsage !== null) usage = mapUsage(chunkUsage);
      const choice = chunk.choices.find((candidate) => (candidate.index ?? 0) === 0);
      if (choice === undefined) continue;
      const delta = choice.delta;
      const reasoning = delta?.reasoning_content ?? delta?.reasoning;
      if (typeof reasoning === 'string' && reasoning !== '') yield { type: 'reasoning-delta', delta: reasoning };
      if (typeof delta?.content === 'string' && delta.content !== '') yield { type: 'text-delta', delta: delta.content };
      for (const fragment of delta?.tool_calls ?? []) {
        const call = pending.get(fragment.index) ?? { id: '', name: '', arguments: '' };
        if (typeof fragment.id === 'string' && fragment.id !== '') call.id = fragment.id;
        if (typeof fragment.function?.name === 'string') call.name += fragment.function.name;
        if (typeof fragment.function?.arguments === 'string') call.arguments += fragment.function.arguments;
        pending.set(fragment.index, call);
      }
      if (typeof choice.finish_reason === 'string' && choice.finish_reason !== '') finishReason = choice.finish_reason;
    }
  } catch (error) {
    yield { type: 'error', error: mapOpenAIError(error, { ...context, phase: 'stream' }) };
    return;
  }
  // The SDK ends its iterator quietly when the request is aborted.
  if (signal.aborted) {
    yield { type: 'error', error: abortedError(provider) };
    return;
  }
  if (finishReason === undefined) {
    const error = streamCutFailure(provider, 'the stream ended without a finish reason');
    yield { type: 'error', error: error.toJSON() };
    return;
  }
  const toolCalls = finishToolCalls(pending, provider);
  yield* toolCalls;
  if (toolCalls.some((part) => part.type === 'error')) return;
  if (usage !== undefined) yield { type: 'usage', usage };
  yield { type: 'finish', finishReason: mapOpenAIFinishReason(finishReason) };
}
