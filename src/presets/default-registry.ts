/**
 * The default registry: every built-in topology and alias, and every provider. This is the one
 * place that wires plug-ins into the kernel — adding a provider is adding a folder and a line here.
 */
import { anthropicProvider } from '../../providers/anthropic/index.js';
import { googleProvider } from '../../providers/google/index.js';
import { offlineProvider } from '../../providers/offline/index.js';
import { ollamaProvider } from '../../providers/ollama/index.js';
import { builtInAliases, builtInTopologies } from '../../topologies/index.js';
import type { ProviderModule, Registry } from '../protocol/index.js';

/**
 * Builds the default registry.
 *
 * @example
 * const kernel = new Kernel({ store, registry: createDefaultRegistry() });
 */
export function createDefaultRegistry(): Registry {
  const providers: ProviderModule[] = [offlineProvider, anthropicProvider, googleProvider, ollamaProvider];
  return {
    topologies: new Map(builtInTopologies.map((topology) => [topology.name, topology])),
    aliases: new Map(builtInAliases.map((alias) => [alias.alias, alias])),
    providers: new Map(providers.map((provider) => [provider.name, provider])),
  };
}
