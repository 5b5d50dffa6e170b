/**
 * Model ids for OpenAI-style providers: the provider's own model id, optionally followed by query
 * parameters (`o4-mini?reasoning_effort=low`). Checked without calling anything, so a typo in a
 * document fails before a session starts.
 */

export const reasoningEfforts = ['none', 'minimal', 'low', 'medium', 'high', 'xhigh'] as const;
export type ReasoningEffortName = (typeof reasoningEfforts)[number];

export interface OpenAIModelOptions {
  /** The model id sent on the wire (`o4-mini`). */
  name: string;
  reasoningEffort?: ReasoningEffortName;
}

export type ParsedOpenAIModel = { ok: true; options: OpenAIModelOptions } | { ok: false; message: string };

/**
 * Parses a model id with its query string.
 *
 * @example
 * parseOpenAIModel('openai', 'o4-mini?reasoning_effort=low')
 * // → { ok: true, options: { name: 'o4-mini', reasoningEffort: 'low' } }
 * parseOpenAIModel('openai', 'gpt-4.1?temp=1')
 * // → { ok: false, message: 'openai/gpt-4.1?temp=1: unknown parameter "temp" (known: reasoning_effort)' }
 */
export function parseOpenAIModel(provider: string, model: string): ParsedOpenAIModel {
  const question = model.indexOf('?');
  const name = question === -1 ? model : model.slice(0, question);
  const where = `${provider}/${model}`;
  if (name.trim() === '' || /\s/.test(name)) {
    return { ok: false, message: `${where}: the model id must be non-empty and contain no spaces` };
  }
  const options: OpenAIModelOptions = { name };
  if (question === -1) return { ok: true, options };
  for (const [key, value] of new URLSearchParams(model.slice(question + 1))) {
    if (key !== 'reasoning_effort') {
      return { ok: false, message: `${where}: unknown parameter "${key}" (known: reasoning_effort)` };
    }
    if (!(reasoningEfforts as readonly string[]).includes(value)) {
      return { ok: false, message: `${where}: reasoning_effort must be one of ${reasoningEfforts.join(', ')}, got "${value}"` };
    }
    options.reasoningEffort = value as ReasoningEffortName;
  }
  return { ok: true, options };
}
