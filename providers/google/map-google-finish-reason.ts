/**
 * Gemini's finish reasons in conclave's vocabulary. Gemini ends a turn that calls functions with
 * `STOP`, so "the model asked for tools" is read off the parts, not the finish reason.
 */
import type { FinishReason } from '../../src/protocol/index.js';

/** Reasons for which Gemini withheld or cut the answer on policy grounds. */
const contentFilterReasons = new Set([
  'SAFETY',
  'RECITATION',
  'BLOCKLIST',
  'PROHIBITED_CONTENT',
  'SPII',
  'IMAGE_SAFETY',
  'IMAGE_PROHIBITED_CONTENT',
  'IMAGE_RECITATION',
]);

/**
 * Maps a Gemini `finishReason` (or a `promptFeedback.blockReason`) to a `FinishReason`.
 *
 * @example
 * mapGoogleFinishReason('STOP', false)       // → 'stop'
 * mapGoogleFinishReason('STOP', true)        // → 'tool-calls'
 * mapGoogleFinishReason('MAX_TOKENS', false) // → 'length'
 * mapGoogleFinishReason('SAFETY', false)     // → 'content-filter'
 */
export function mapGoogleFinishReason(reason: string | undefined, hasToolCalls: boolean): FinishReason {
  if (reason === 'MAX_TOKENS') return 'length';
  if (reason !== undefined && contentFilterReasons.has(reason)) return 'content-filter';
  if (hasToolCalls) return 'tool-calls';
  if (reason === 'STOP') return 'stop';
  return 'other';
}
