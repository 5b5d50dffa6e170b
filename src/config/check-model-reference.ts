/**
 * Checks a model agent's `model` against the registry without calling anything: it must be
 * `provider/model`, the provider must be registered, and the provider must accept the model id.
 */
import { parseModelRef, type Registry } from '../protocol/index.js';
import { didYouMeanHint } from './did-you-mean.js';
import { documentProblem, type DocumentProblem } from './document-problem.js';
import type { JsonPath } from './format-json-path.js';

const exampleHint = 'write it as provider/model, e.g. offline/echo';

/**
 * Problems with one model reference at `path` (empty when it is fine).
 *
 * @example
 * checkModelReference('ofline/echo', ['agents', 0, 'model'], registry)
 * // → [{ code: 'unknown_provider', message: 'agents[0].model: unknown provider "ofline"', hint: 'did you mean "offline"?', … }]
 */
export function checkModelReference(reference: string, path: JsonPath, registry: Registry): DocumentProblem[] {
  const parsed = parseModelRef(reference);
  if (parsed === undefined) {
    return [documentProblem(path, `"${reference}" is not a model reference`, { hint: exampleHint })];
  }
  const provider = registry.providers.get(parsed.provider);
  if (provider === undefined) {
    const hint = didYouMeanHint(parsed.provider, registry.providers.keys(), 'known providers');
    return [documentProblem(path, `unknown provider "${parsed.provider}"`, { code: 'unknown_provider', hint })];
  }
  const complaint = provider.validateModel(parsed.model);
  if (complaint !== undefined) {
    const models = provider.defaultModels;
    const hint = models.length > 0 ? `models of "${provider.name}" include ${models.join(', ')}` : undefined;
    return [documentProblem(path, complaint, { code: 'unknown_model', hint })];
  }
  return [];
}

/**
 * Problems with a model or a fallback chain of models (each checked at its index).
 *
 * @example
 * checkModelReferences(['offline/echo', 'ofline/echo'], ['agents', 0, 'model'], registry)
 * // → one problem, at agents[0].model[1]
 */
export function checkModelReferences(model: unknown, path: JsonPath, registry: Registry): DocumentProblem[] {
  if (typeof model === 'string') return model === '' ? [] : checkModelReference(model, path, registry);
  if (!Array.isArray(model)) return [];
  return model.flatMap((reference, index) => (typeof reference === 'string' && reference !== '' ? checkModelReference(reference, [...path, index], registry) : []));
}
