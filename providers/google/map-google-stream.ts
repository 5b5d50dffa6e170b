/**
 * Gemini stream chunks (`GenerateContentResponse`s) as conclave stream parts. Each chunk is checked
 * with zod at this edge; a chunk of the wrong shape becomes one `provider_malformed_response` error.
 * Text parts become `text-delta`s (`thought` parts become `reasoning-delta`s); each `functionCall`
 * arrives whole and becomes one `tool-call` with a stable id (Gemini's own when it sends one). Usage
 * is the last `usageMetadata` seen — Gemini sends running totals, not increments — and goes out once,
 * before `finish`. A blocked prompt (`promptFeedback.blockReason`) finishes as a content filter; a
 * stream that closes with neither that nor a finish reason was cut short.
 */
import { createHash } from 'node:crypto';
import { z } from 'zod';
import { type StreamPart, type Usage } from '../../src/protocol/index.js';
import { mapGoogleFinishReason } from './map-google-finish-reason.js';
import { malformedFailure, streamCutFailure } from '../support/provider-errors.js';

const count = z.number().int().nonnegative().nullish();

const partSchema = z.looseObject({
  text: z.string().nullish(),
  thought: z.boolean().nullish(),
  functionCall: z
    .looseObject({
      id: z.string().nullish(),
      name: z.string(),
      args: z.record(z.string(), z.unknown()).nullish(),
    })
    .nullish(),
});

const chunkSchema = z.looseObject({
  candidates: z
    .array(
      z.looseObject({
        content: z.looseObject({ parts: z.array(partSchema).nullish() }).nullish(),
        finishReason: z.string().nullish(),
      }),
    )
    .nullish(),
  promptFeedback: z.looseObject({ blockReason: z.string().nullish() }).nullish(),
  usageMetadata: z
    .looseObject({
      promptTokenCount: count,
      candidatesTokenCount: count,
      thoughtsTokenCount: count,
      toolUsePromptTokenCount: count,
      cachedContentTokenCount: count,
    })
    .nullish(),
});

type GoogleUsageMetadata = NonNullable<z.infer<typeof chunkSchema>['usageMetadata']>;

export interface GoogleStreamMapper {
  /** Parts for one chunk, as the SDK yields it. */
  push(chunk: unknown): StreamPart[];
  /** Parts once the stream has ended cleanly: `usage` and `finish`, or an error if it was cut short. */
  end(): StreamPart[];
}

export interface GoogleStreamMapperOptions {
  /** Number of messages in the request: part of generated tool-call ids, so that they differ per turn. */
  turn: number;
}

function mapUsage(metadata: GoogleUsageMetadata): Usage {
  // Thinking tokens are billed as output; tool-use prompt tokens as input.
  const usage: Usage = {
    inputTokens: (metadata.promptTokenCount ?? 0) + (metadata.toolUsePromptTokenCount ?? 0),
    outputTokens: (metadata.candidatesTokenCount ?? 0) + (metadata.thoughtsTokenCount ?? 0),
  };
  const cached = metadata.cachedContentTokenCount ?? 0;
  if (cached > 0) usage.cachedInputTokens = cached;
  return usage;
}

/**
 * A tool-call id that is the same every time the same answer is mapped, and differs between turns.
 *
 * @example
 * googleToolCallId({ turn: 3, index: 0, name: 'weather', args: { city: 'Paris' } }) // → 'call_' + 24 hex digits
 */
export function googleToolCallId(call: { turn: number; index: number; name: string; args: Record<string, unknown> }): string {
  const digest = createHash('sha256').update(JSON.stringify([call.turn, call.index, call.name, call.args])).digest('hex');
  return `call_${digest.slice(0, 24)}`;
}

/**
 * Creates the mapper for one stream. Feed it every chunk, then call `end()` when the SDK's
 * iterator finishes without throwing.
 *
 * @example
 * const mapper = createGoogleStreamMapper({ turn: request.messages.length });
 * for await (const chunk of stream) yield* mapper.push(chunk);
 * yield* mapper.end(); // usage, finish
 */
export function createGoogleStreamMapper(options: GoogleStreamMapperOptions): GoogleStreamMapper {
  let toolCallCount = 0;
  let finishReason: string | undefined;
  let usage: Usage | undefined;
  let failed = false;

  function malformed(message: string): StreamPart[] {
    failed = true;
    return [{ type: 'error', error: malformedFailure('google', message).toJSON() }];
  }

  return {
    push(chunk: unknown): StreamPart[] {
      if (failed) return [];
      const parsed = chunkSchema.safeParse(chunk);
      if (!parsed.success) {
        const issue = parsed.error.issues[0];
        return malformed(`unexpected stream chunk (${issue === undefined ? 'invalid' : `${issue.path.join('.')}: ${issue.message}`})`);
      }
      const parts: StreamPart[] = [];
      if (parsed.data.usageMetadata != null) usage = mapUsage(parsed.data.usageMetadata);
      const blockReason = parsed.data.promptFeedback?.blockReason;
      if (blockReason != null && finishReason === undefined) finishReason = blockReason;
      const candidate = parsed.data.candidates?.[0];
      for (const part of candidate?.content?.parts ?? []) {
        if (part.functionCall != null) {
          const args = part.functionCall.args ?? {};
          const toolCallId =
            part.functionCall.id ?? googleToolCallId({ turn: options.turn, index: toolCallCount, name: part.functionCall.name, args });
          toolCallCount += 1;
          parts.push({ type: 'tool-call', toolCallId, toolName: part.functionCall.name, input: args });
        } else if (part.text != null && part.text !== '') {
          parts.push(part.thought === true ? { type: 'reasoning-delta', delta: part.text } : { type: 'text-delta', delta: part.text });
        }
      }
      if (candidate?.finishReason != null) finishReason = candidate.finishReason;
      return parts;
    },
    end(): StreamPart[] {
      if (failed) return [];
      if (finishReason === undefined) {
        return [{ type: 'error', error: streamCutFailure('google', 'the stream ended without a finish reason').toJSON() }];
      }
      const parts: StreamPart[] = [];
      if (usage !== undefined) parts.push({ type: 'usage', usage });
      parts.push({ type: 'finish', finishReason: mapGoogleFinishReason(finishReason, toolCallCount > 0) });
      return parts;
    },
  };
}
