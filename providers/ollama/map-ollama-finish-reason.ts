/**
 * Ollama's `done_reason` in conclave's vocabulary. Ollama says `stop` even when the model answered
 * with tool calls, so whether any tool call was streamed decides between `stop` and `tool-calls`.
 * `load` and `unload` come from requests that only load or unload a model; they are `other`.
 */
import type { FinishReason } from '../../src/protocol/index.js';

/**
 * Maps a `done_reason` (and whether tool calls were seen) to a `FinishReason`.
 *
 * @example
 * mapOllamaFinishReason('length', false) // → 'length'
 * mapOllamaFinishReason('stop', true)    // → 'tool-calls'
 * mapOllamaFinishReason(undefined, false) // → 'stop'
 */
export function mapOllamaFinishReason(doneReason: string | undefined, sawToolCalls: boolean): FinishReason {
  switch (doneReason) {
    case undefined:
    case '':
    case 'stop':
      return sawToolCalls ? 'tool-calls' : 'stop';
    case 'length':
      return 'length';
    default:
      return 'other';
  }
}
