/**
 * Model references: `provider/model?param=value&…`. The provider part picks the adapter; the rest
 * (model id and query parameters) is the adapter's to interpret.
 */

export interface ModelRef {
  /** `offline` in `offline/persona?seed=7`. */
  provider: string;
  /** Everything after the first slash: `persona?seed=7`. */
  model: string;
  /** Model id without the query string: `persona`. */
  name: string;
  /** Query parameters, decoded: `{ seed: '7' }`. */
  params: Record<string, string>;
}

/**
 * Splits a model reference. Returns undefined when there is no `provider/` part.
 *
 * @example
 * parseModelRef('offline/persona?seed=7')
 * // → { provider: 'offline', model: 'persona?seed=7', name: 'persona', params: { seed: '7' } }
 */
export function parseModelRef(reference: string): ModelRef | undefined {
  const slash = reference.indexOf('/');
  if (slash <= 0 || slash === reference.length - 1) return undefined;
  const provider = reference.slice(0, slash);
  const model = reference.slice(slash + 1);
  const question = model.indexOf('?');
  const name = question === -1 ? model : model.slice(0, question);
  const params: Record<string, string> = {};
  if (question !== -1) {
    for (const [key, value] of new URLSearchParams(model.slice(question + 1))) params[key] = value;
  }
  return { provider, model, name, params };
}
