/**
 * OpenAI's `finish_reason` vocabulary mapped to conclave's `FinishReason`. Compatible servers add
 * their own words (`eos`, `abort`, …); anything unknown becomes `other` rather than a failure.
 */
import type { FinishReason } from '../../src/protocol/index.js';

/**
 * Maps a Chat Completions finish reason.
 *
 * @example
 * mapOpenAIFinishReason('tool_calls') // → 'tool-calls'
 * mapOpenAIFinishReason('length')     // → 'length'
 */
export function mapOpenAIFinishReason(finishReason: string): FinishReason {
  switch (finishReason) {
    case 'stop':
    case 'eos':
    case 'end_turn':
      return 'stop';
    case 'length':
    case 'max_tokens':
    case 'model_length':
      return 'length';
    case 'tool_calls':
    case 'function_call':
      return 'tool-calls';
    case 'content_filter':
      return 'content-filter';
    case 'error':
      return 'error';
    default:
      return 'other';
  }
}
