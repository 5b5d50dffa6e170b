/**
 * Anthropic's `stop_reason` vocabulary mapped to conclave's `FinishReason`. Unknown or future
 * reasons (`pause_turn`, `model_context_window_exceeded`, …) become `other` rather than an error:
 * the answer itself arrived, only the label is new.
 */
import type { FinishReason } from '../../src/protocol/index.js';

/**
 * Maps one Anthropic stop reason.
 *
 * @example
 * mapAnthropicFinishReason('end_turn')   // → 'stop'
 * mapAnthropicFinishReason('max_tokens') // → 'length'
 * mapAnthropicFinishReason('tool_use')   // → 'tool-calls'
 * mapAnthropicFinishReason('pause_turn') // → 'other'
 */
export function mapAnthropicFinishReason(stopReason: string | null | undefined): FinishReason {
  switch (stopReason) {
    case 'end_turn':
    case 'stop_sequence':
      return 'stop';
    case 'max_tokens':
      return 'length';
    case 'tool_use':
      return 'tool-calls';
    case 'refusal':
      return 'content-filter';
    default:
      return 'other';
  }
}
