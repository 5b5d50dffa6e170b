/**
 * Secrets the process holds without any `${secret:NAME}` reference: provider keys read from
 * environment variables (each registered provider's `keyVariable`, and any variable a document
 * names in `providers.<name>.api_key_env`) and the vault's passphrase (`CONCLAVE_VAULT_KEY`). A model
 * that repeats its own `OPENAI_API_KEY` is as dangerous as one repeating a vault secret, so these
 * values are redacted the same way. The kernel and the benchmark both build their list here, so
 * the two can never disagree about what counts as a key.
 */
import type { ProvidersSection, Registry } from '../protocol/index.js';
import type { NamedSecret } from './redactor.js';
import { vaultKeyVariable } from './vault-file.js';

/**
 * The environment variables that hold provider keys: every registered provider's `keyVariable`,
 * then the variables a document's `providers:` section names in `api_key_env`. Sorted, no repeats.
 *
 * @example
 * providerKeyVariables(createDefaultRegistry(), { mycorp: { compatible: 'openai', base_url: 'https://llm.corp/v1', api_key_env: 'MYCORP_KEY' } })
 * // → ['ANTHROPIC_API_KEY', …, 'MYCORP_KEY', 'OPENAI_API_KEY', …]
 */
export function providerKeyVariables(registry: Registry, providers?: ProvidersSection): string[] {
  const variables = new Set<string>();
  for (const module of registry.providers.values()) {
    if (module.keyVariable !== undefined) variables.add(module.keyVariable);
    for (const variable of module.alternativeKeyVariables ?? []) variables.add(variable);
  }
  for (const settings of Object.values(providers ?? {})) if (settings?.api_key_env !== undefined) variables.add(settings.api_key_env);
  return [...variables].sort();
}

/**
 * The secrets `env` holds for the process: the value of each provider key variable (see
 * {@link providerKeyVariables}) and of `CONCLAVE_VAULT_KEY`, named after their variable. Unset and
 * empty variables are skipped.
 *
 * @example
 * knownSecretsFromEnvironment(registry, { OPENAI_API_KEY: 'sk-live-123', HOME: '/root' })
 * // → [{ name: 'OPENAI_API_KEY', value: 'sk-live-123' }]
 */
export function knownSecretsFromEnvironment(registry: Registry, env: Record<string, string | undefined>, providers?: ProvidersSection): NamedSecret[] {
  const secrets: NamedSecret[] = [];
  for (const name of [...providerKeyVariables(registry, providers), vaultKeyVariable]) {
    const value = env[name];
    if (value !== undefined && value.trim() !== '') secrets.push({ name, value });
  }
  return secrets;
}
