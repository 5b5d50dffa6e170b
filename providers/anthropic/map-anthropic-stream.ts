/**
 * Anthropic's streamed events mapped to conclave stream parts. Each event is parsed with zod at the
 * edge; a known event with the wrong shape ends the stream with one `provider_malformed_response`
 * error part. Text deltas pass straight through, thinking deltas become `reasoning-delta`, and a
 * `tool_use` block's `partial_json` fragments are collected and parsed once, at its
 * `content_block_stop`, into a single `tool-call` part. Usage comes from `message_start` (input,
 * cache reads and writes) and `message_delta` (cumulative output); at `message_stop` the mapper
 * yields `usage` then `finish` and stops. A source that ends before `message_stop` was cut.
 *
 * Thrown errors of the source (HTTP, connection, SDK parse failures) are not caught here: the
 * adapter classifies them, because only it knows whether the call was aborted.
 */
import { z } from 'zod';
import { type StreamPart, type Usage } from '../../src/protocol/index.js';
import { mapAnthropicFinishReason } from './map-anthropic-finish-reason.js';
import { malformedFailure, streamCutFailure } from '../support/provider-errors.js';

const tokenCount = z.number().int().nonnegative();

const messageStartSchema = z.object({
  type: z.literal('message_start'),
  message: z.object({
    usage: z.object({
      input_tokens: tokenCount,
      output_tokens: tokenCount.nullish(),
      cache_creation_input_tokens: tokenCount.nullish(),
      cache_read_input_tokens: tokenCount.nullish(),
    }),
  }),
});

const contentBlockStartSchema = z.object({
  type: z.literal('content_block_start'),
  index: z.number().int().nonnegative(),
  content_block: z.object({ type: z.string(), id: z.string().optional(), name: z.string().optional(), input: z.unknown().optional() }),
});

const contentBlockDeltaSchema = z.object({
  type: z.literal('content_block_delta'),
  index: z.number().int().nonnegative(),
  delta: z.discriminatedUnion('type', [
    z.object({ type: z.literal('text_delta'), text: z.string() }),
    z.object({ type: z.literal('input_json_delta'), partial_json: z.string() }),
    z.object({ type: z.literal('thinking_delta'), thinking: z.string() }),
    z.object({ type: z.literal('signature_delta') }),
    z.object({ type: z.literal('citations_delta') }),
  ]),
});

const contentBlockStopSchema = z.object({ type: z.literal('content_block_stop'), index: z.number().int().nonnegative() });

const messageDeltaSchema = z.object({
  type: z.literal('message_delta'),
  delta: z.object({ stop_reason: z.string().nullish() }),
  usage: z
    .object({
      output_tokens: tokenCount.nullish(),
      input_tokens: tokenCount.nullish(),
      cache_creation_input_tokens: tokenCount.nullish(),
      cache_read_input_tokens: tokenCount.nullish(),
    })
    .nullish(),
});

const schemasByType = {
  message_start: messageStartSchema,
  content_block_start: contentBlockStartSchema,
  content_block_delta: contentBlockDeltaSchema,
  content_block_stop: contentBlockStopSchema,
  message_delta: messageDeltaSchema,
} as const;

type OpenBlock = { kind: 'tool'; id: string; name: string; json: string; initialInput: unknown } | { kind: 'other' };

interface UsageCounts {
  input: number;
  output: number;
  cacheRead: number;
  cacheCreation: number;
}

function malformed(message: string): StreamPart {
  return {
    type: 'error',
    error: malformedFailure('anthropic', message).toJSON(),
  };
}

function usageOf(counts: UsageCounts): Usage {
  const usage: Usage = { inputTokens: counts.input + counts.cacheRead + counts.cacheCreation, outputTokens: counts.output };
  if (counts.cacheRead > 0) usage.cachedInputTokens = counts.cacheRead;
  if (counts.cacheCreation > 0) usage.cacheWriteInputTokens = counts.cacheCreation;
  return usage;
}

/** The one `tool-call` part of a finished `tool_use` block, or an error part for broken JSON. */
function toolCallOf(block: Extract<OpenBlock, { kind: 'tool' }>): StreamPart {
  if (block.json.trim() === '') {
    return { type: 'tool-call', toolCallId: block.id, toolName: block.name, input: block.initialInput ?? {} };
  }
  try {
    return { type: 'tool-call', toolCallId: block.id, toolName: block.name, input: JSON.parse(block.json) as unknown };
  } catch {
    return malformed(`the input of tool call ${block.id} (${block.name}) is not valid JSON: ${block.json.slice(0, 200)}`);
  }
}

function eventType(event: unknown): string | undefined {
  return typeof event === 'object' && event !== null && typeof (event as { type?: unknown }).type === 'string'
    ? (event as { type: string }).type
    : undefined;
}

/**
 * Maps the SDK's raw stream events to stream parts, ending with `usage` and `finish` at
 * `message_stop`, or with one error part.
 *
 * @example
 * const stream = await client.messages.create({ ...body, stream: true }, { signal });
 * for await (const part of mapAnthropicStream(stream)) console.log(part);
 * // { type: 'text-delta', delta: 'Hello' } … { type: 'usage', usage: { inputTokens: 9, outputTokens: 2 } }
 * // { type: 'finish', finishReason: 'stop' }
 */
export async function* mapAnthropicStream(events: AsyncIterable<unknown>): AsyncGenerator<StreamPart> {
  const blocks = new Map<number, OpenBlock>();
  const counts: UsageCounts = { input: 0, output: 0, cacheRead: 0, cacheCreation: 0 };
  let stopReason: string | null | undefined;
  for await (const event of events) {
    const type = eventType(event);
    if (type === undefined) {
      yield malformed(`an event without a type: ${JSON.stringify(event)?.slice(0, 200)}`);
      return;
    }
    if (type === 'message_stop') {
      yield { type: 'usage', usage: usageOf(counts) };
      yield { type: 'finish', finishReason: mapAnthropicFinishReason(stopReason) };
      return;
    }
    if (!(type in schemasByType)) continue; // ping and event types newer than this adapter
    const parsed = schemasByType[type as keyof typeof schemasByType].safeParse(event);
    if (!parsed.success) {
      yield malformed(`unexpected ${type} event: ${parsed.error.issues[0]?.message ?? 'invalid'} (${JSON.stringify(event).slice(0, 200)})`);
      return;
    }
    const data = parsed.data;
    switch (data.type) {
      case 'message_start': {
        const usage = data.message.usage;
        counts.input = usage.input_tokens;
        counts.output = usage.output_tokens ?? 0;
        counts.cacheRead = usage.cache_read_input_tokens ?? 0;
        counts.cacheCreation = usage.cache_creation_input_tokens ?? 0;
        break;
      }
      case 'content_block_start': {
        const block = data.content_block;
        blocks.set(
          data.index,
          block.type === 'tool_use'
            ? { kind: 'tool', id: block.id ?? `toolu_${data.index}`, name: block.name ?? '', json: '', initialInput: block.input }
            : { kind: 'other' },
        );
        if (block.type === 'tool_use' && (block.id === undefined || block.name === undefined)) {
          yield malformed(`a tool_use block without an id or a name at index ${data.index}`);
          return;
        }
        break;
      }
      case 'content_block_delta': {
        const delta = data.delta;
        if (delta.type === 'text_delta') {
          if (delta.text !== '') yield { type: 'text-delta', delta: delta.text };
        } else if (delta.type === 'thinking_delta') {
          if (delta.thinking !== '') yield { type: 'reasoning-delta', delta: delta.thinking };
        } else if (delta.type === 'input_json_delta') {
          const block = blocks.get(data.index);
          if (block?.kind !== 'tool') {
            yield malformed(`input_json_delta for index ${data.index}, which is not an open tool_use block`);
            return;
          }
          block.json += delta.partial_json;
        }
        break;
      }
      case 'content_block_stop': {
        const block = blocks.get(data.index);
        blocks.delete(data.index);
        if (block?.kind === 'tool') {
          const part = toolCallOf(block);
          yield part;
          if (part.type === 'error') return;
        }
        break;
      }
      case 'message_delta': {
        if (data.delta.stop_reason !== undefined) stopReason = data.delta.stop_reason;
        const usage = data.usage;
        if (usage?.output_tokens !== undefined && usage.output_tokens !== null) counts.output = usage.output_tokens;
        if (usage?.input_tokens !== undefined && usage.input_tokens !== null) counts.input = usage.input_tokens;
        if (usage?.cache_read_input_tokens !== undefined && usage.cache_read_input_tokens !== null) counts.cacheRead = usage.cache_read_input_tokens;
        if (usage?.cache_creation_input_tokens !== undefined && usage.cache_creation_input_tokens !== null) {
          counts.cacheCreation = usage.cache_creation_input_tokens;
        }
        break;
      }
    }
  }
  yield {
    type: 'error',
    error: streamCutFailure('anthropic', 'the stream ended before message_stop').toJSON(),
  };
}
