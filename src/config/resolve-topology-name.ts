/**
 * Resolves what a document wrote under `topology` — a topology's name or one of its aliases — to the
 * registered definition, or explains what went wrong with a suggestion.
 */
import { ConclaveError, type Registry, type TopologyDefinition } from '../protocol/index.js';
import { didYouMeanHint } from './did-you-mean.js';
import { describeValueType, documentProblem, type DocumentProblem } from './document-problem.js';
import type { JsonPath } from './format-json-path.js';

/** A resolved topology name. */
export interface ResolvedTopology {
  /** Canonical name, the registry key of the definition. */
  name: string;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- each topology has its own options type
  definition: TopologyDefinition<any>;
  /** The alias as written, when one was used. */
  alias?: string;
  /** Options preset by the alias, to be merged under the user's. */
  presetOptions: Record<string, unknown>;
}

function knownNames(registry: Registry): string {
  const names = [...registry.topologies.keys()].join(', ');
  const aliases = [...registry.aliases.keys()];
  return aliases.length === 0 ? `valid topologies: ${names}` : `valid topologies: ${names} (aliases: ${aliases.join(', ')})`;
}

/**
 * Looks up `value` (found at `path`) in the registry.
 *
 * @example
 * resolveTopologyName('sequential', ['topology'], registry)
 * // → { ok: true, resolved: { name: 'pipeline', definition: pipeline, alias: 'sequential', presetOptions: {} } }
 */
export function resolveTopologyName(
  value: unknown,
  path: JsonPath,
  registry: Registry,
): { ok: true; resolved: ResolvedTopology } | { ok: false; problem: DocumentProblem } {
  if (value === undefined) {
    return { ok: false, problem: documentProblem(path, 'required, name the topology to run', { hint: knownNames(registry) }) };
  }
  if (typeof value !== 'string') {
    const detail = `expected string, received ${describeValueType(value)}`;
    return { ok: false, problem: documentProblem(path, detail, { hint: knownNames(registry) }) };
  }
  const definition = registry.topologies.get(value);
  if (definition !== undefined) return { ok: true, resolved: { name: value, definition, presetOptions: {} } };
  const alias = registry.aliases.get(value);
  if (alias !== undefined) {
    const target = registry.topologies.get(alias.topology);
    if (target === undefined) {
      throw new ConclaveError('internal', `alias "${value}" points to "${alias.topology}", which is not a registered topology`);
    }
    return { ok: true, resolved: { name: alias.topology, definition: target, alias: value, presetOptions: alias.options ?? {} } };
  }
  const candidates = [...registry.topologies.keys(), ...registry.aliases.keys()];
  const hint = didYouMeanHint(value, candidates) ?? knownNames(registry);
  return { ok: false, problem: documentProblem(path, `unknown topology "${value}"`, { code: 'unknown_topology', hint }) };
}
