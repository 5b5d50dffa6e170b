/**
 * Warnings about model ids the model catalogue does not know, for `conclave validate`: a misspelt
 * `openai/gpt-4.1-mni` passes every syntax check and would only fail, or run unpriced, once a session
 * calls it. A warning, not an error — the catalogue is a dated snapshot and a provider may have
 * released the model since — unless `validate --strict` asks for errors. Only providers whose
 * models form a closed list are checked: not local servers (ollama, vllm, …), not open-ended
 * services (openrouter, together, fireworks), not the offline simulator, and not a provider the
 * document points at its own `base_url` (a proxy or gateway serves whatever names it likes).
 */
import { catalogueChecksProvider, catalogueModelIds, findCatalogueModel, modelCatalogueAsOf } from '../catalogue/model-catalogue.js';
import { isNestedTopology, parseModelRef, type AgentSlot, type ProvidersSection, type Registry } from '../protocol/index.js';
import { suggestClosest } from './did-you-mean.js';
import { documentProblem, type DocumentProblem } from './document-problem.js';
import type { JsonPath } from './format-json-path.js';

/** The parts of a validated document the check reads. */
export interface CatalogueCheckedDocument {
  agents: readonly AgentSlot[];
  providers?: ProvidersSection | undefined;
}

/**
 * The warning for one model reference at `path`, or undefined when the catalogue knows the model
 * or does not check its provider.
 *
 * @example
 * modelCatalogueWarning('openai/gpt-4.1-mni', ['agents', 0, 'model'], registry)
 * // → { code: 'unknown_model', message: 'agents[0].model: "gpt-4.1-mni" is not a model of openai in the model catalogue (2026-12-04)…', hint: 'did you mean "openai/gpt-4.1-mini"?', … }
 * modelCatalogueWarning('ollama/llama3.2', ['agents', 0, 'model'], registry) // → undefined
 */
export function modelCatalogueWarning(reference: string, path: JsonPath, registry: Registry, providers?: ProvidersSection): DocumentProblem | undefined {
  const parsed = parseModelRef(reference);
  const module = parsed === undefined ? undefined : registry.providers.get(parsed.provider);
  // A simulator, or a server that needs no key (a local one), serves whatever models it has: no
  // need to read the catalogue for it at all.
  if (parsed === undefined || module === undefined || module.simulated || (module.keyVariable === undefined && module.missingCredentials === undefined)) return undefined;
  if (providers?.[parsed.provider]?.base_url !== undefined) return undefined;
  if (!catalogueChecksProvider(parsed.provider) || findCatalogueModel(parsed.provider, parsed.model) !== undefined) return undefined;
  const name = parsed.model.split('?')[0] ?? parsed.model;
  const suggestion = suggestClosest(name, catalogueModelIds(parsed.provider));
  const defaults = module.defaultModels;
  const hint =
    suggestion !== undefined
      ? `did you mean "${parsed.provider}/${suggestion}"?`
      : `models of ${parsed.provider} include ${(defaults.length > 0 ? defaults : catalogueModelIds(parsed.provider).slice(0, 5).map((id) => `${parsed.provider}/${id}`)).join(', ')}; a newer model can be priced with providers.${parsed.provider}.prices`;
  return documentProblem(
    path,
    `"${name}" is not a model of ${parsed.provider} in the model catalogue (${modelCatalogueAsOf}): the call may fail, and its cost would read "unpriced"`,
    { code: 'unknown_model', hint },
  );
}

/**
 * Every catalogue warning of a document: each agent's model, each model of a fallback chain, nested
 * topologies' agents included, in document order.
 *
 * @example
 * modelCatalogueWarnings(document, registry).map((warning) => warning.message)
 * // → ['agents[1].model: "gpt-nope" is not a model of openai in the model catalogue (2026-12-04): …']
 */
export function modelCatalogueWarnings(document: CatalogueCheckedDocument, registry: Registry): DocumentProblem[] {
  const warnings: DocumentProblem[] = [];
  const visit = (slots: readonly AgentSlot[], path: JsonPath): void => {
    slots.forEach((slot, index) => {
      if (isNestedTopology(slot)) {
        visit(slot.agents, [...path, index, 'agents']);
        return;
      }
      const chain = Array.isArray(slot.model) ? slot.model.map((model, position) => ({ model, at: [...path, index, 'model', position] })) : [{ model: slot.model, at: [...path, index, 'model'] }];
      for (const { model, at } of chain) {
        const warning = modelCatalogueWarning(model, at, registry, document.providers);
        if (warning !== undefined) warnings.push(warning);
      }
      if (slot.spawn !== undefined) visit(slot.spawn.agents, [...path, index, 'spawn', 'agents']);
    });
  };
  visit(document.agents, ['agents']);
  return warnings;
}
