/**
 * Checks, before a session starts, that every provider its agents use has the key it needs — so a
 * missing key is one clear message (which provider, which variable) instead of a failure half-way
 * through a debate. Only presence is checked here; the key's value never leaves the environment.
 */
import { ConclaveError, isNestedTopology, modelChain, parseModelRef, type AgentSlot, type ProvidersSection, type Registry } from '../protocol/index.js';

/** One provider without its key: the first agent and model that need it, and what to set. */
interface MissingKey {
  provider: string;
  agent: string;
  model: string;
  missing: string;
}

const credentialsHint =
  'set the variable in the environment, or give the provider api_key: ${secret:NAME} and store it with `conclave vault set NAME` (keys are never written into documents or the journal)';

/**
 * Throws `missing_credentials` naming every provider whose key is missing, at once: each with the
 * first agent that uses it and the variable to set (one issue per provider), so a document using
 * three providers without keys takes one run to fix, not three.
 *
 * @example
 * assertCredentials(document.agents, registry, process.env);
 * // error[missing_credentials]: 3 providers have no key: set ANTHROPIC_API_KEY (anthropic), OPENAI_API_KEY (openai), GEMINI_API_KEY (google)
 */
export function assertCredentials(
  agents: readonly AgentSlot[],
  registry: Registry,
  env: Record<string, string | undefined>,
  providers?: ProvidersSection,
): void {
  const checked = new Set<string>();
  const missingKeys: MissingKey[] = [];
  const visit = (slots: readonly AgentSlot[]): void => {
    for (const slot of slots) {
      if (isNestedTopology(slot)) {
        visit(slot.agents);
        continue;
      }
      if (slot.spawn !== undefined) visit(slot.spawn.agents);
      for (const model of modelChain(slot)) {
        const provider = parseModelRef(model)?.provider;
        if (provider === undefined || checked.has(provider)) continue;
        checked.add(provider);
        // A `${secret:NAME}` api_key is resolved (or reported missing) before the session runs.
        if (providers?.[provider]?.api_key !== undefined) continue;
        const missing = missingFor(provider, registry, env, providers?.[provider]?.api_key_env);
        if (missing !== undefined) missingKeys.push({ provider, agent: slot.name, model, missing });
      }
    }
  };
  visit(agents);
  if (missingKeys.length === 0) return;
  const issues = missingKeys.map((key) => new ConclaveError('missing_credentials', `agent "${key.agent}" uses ${key.model}, but ${key.missing}`, { hint: credentialsHint }).toJSON());
  if (missingKeys.length === 1) throw new ConclaveError('missing_credentials', issues[0]!.message, { hint: credentialsHint });
  const variables = missingKeys.map((key) => `${keyVariableOf(key.provider, registry, providers) ?? 'its key'} (${key.provider})`);
  throw new ConclaveError('missing_credentials', `${missingKeys.length} providers have no key: set ${variables.join(', ')}`, { hint: credentialsHint, issues });
}

/** The variable a provider's key is read from: the document's `api_key_env`, else the provider's own. */
function keyVariableOf(provider: string, registry: Registry, providers: ProvidersSection | undefined): string | undefined {
  return providers?.[provider]?.api_key_env ?? registry.providers.get(provider)?.keyVariable;
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
