/**
 * Checks, before a session starts, that every provider its agents use has the key it needs — so a
 * missing key is one clear message (which provider, which variable) instead of a failure half-way
 * through a debate. Only presence is checked here; the key's value never leaves the environment.
 */
import { ConclaveError, isNestedTopology, modelChain, parseModelRef, type AgentSlot, type ProvidersSection, type Registry } from '../protocol/index.js';

/**
 * Throws `missing_credentials` naming the first agent whose provider lacks its key.
 *
 * @example
 * assertCredentials(document.agents, registry, process.env);
 */
export function assertCredentials(
  agents: readonly AgentSlot[],
  registry: Registry,
  env: Record<string, string | undefined>,
  providers?: ProvidersSection,
): void {
  const checked = new Map<string, string | undefined>();
  const visit = (slots: readonly AgentSlot[]): void => {
    for (const slot of slots) {
      if (isNestedTopology(slot)) {
        visit(slot.agents);
        continue;
      }
      for (const model of modelChain(slot)) {
        const provider = parseModelRef(model)?.provider;
        if (provider === undefined) continue;
        // A `${secret:NAME}` api_key is resolved (or reported missing) before the session runs.
        if (providers?.[provider]?.api_key !== undefined) continue;
        if (!checked.has(provider)) checked.set(provider, missingFor(provider, registry, env, providers?.[provider]?.api_key_env));
        const missing = checked.get(provider);
        if (missing !== undefined) {
          throw new ConclaveError('missing_credentials', `agent "${slot.name}" uses ${model}, but ${missing}`, {
            hint: 'set the variable in the environment, or give the provider api_key: ${secret:NAME} and store it with `conclave vault set NAME` (keys are never written into documents or the journal)',
          });
        }
      }
    }
  };
  visit(agents);
}

function missingFor(provider: string, registry: Registry, env: Record<string, string | undefined>, keyVariable: string | undefined): string | undefined {
  const module = registry.providers.get(provider);
  if (module === undefined) return undefined;
  if (keyVariable !== undefined) {
    return (env[keyVariable] ?? '').trim() === '' ? `the document names ${keyVariable} for ${provider}'s key (providers.${provider}.api_key_env) and it is not set` : undefined;
  }
  if (module.missingCredentials !== undefined) return module.missingCredentials(env);
  const variable = module.keyVariable;
  if (variable === undefined || (env[variable] ?? '').trim() !== '') return undefined;
  return `${provider} needs an API key: set ${variable}`;
}
