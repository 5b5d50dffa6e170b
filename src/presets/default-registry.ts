/**
 * The default registry: every built-in topology and alias, and every provider. This is the one
 * place that wires plug-ins into the kernel — adding a provider is adding a folder and a line here.
 */
// Each provider from its `*-provider.ts` module, not its index: the indexes also export mappers that
// import the provider's SDK, and the adapters load their SDK only on their first call. This keeps
// `conclave --help`, `validate` and offline runs from loading any SDK (benchmarks/startup/).
import { anthropicProvider } from '../../providers/anthropic/anthropic-provider.js';
import { googleProvider } from '../../providers/google/google-provider.js';
import { offlineProvider } from '../../providers/offline/index.js';
import { ollamaProvider } from '../../providers/ollama/ollama-provider.js';
import { openaiProvider } from '../../providers/openai/openai-provider.js';
import { createOpenAICompatibleProvider, openAICompatiblePresets } from '../../providers/openai-compatible/openai-compatible-provider.js';
import { builtInAliases, builtInTopologies } from '../../topologies/index.js';
import type { DocumentProviderPreset, ProviderModule, Registry } from '../protocol/index.js';

/**
 * Builds the default registry.
 *
 * @example
 * const kernel = new Kernel({ store, registry: createDefaultRegistry() });
 */
export function createDefaultRegistry(): Registry {
  const providers: ProviderModule[] = [offlineProvider, anthropicProvider, openaiProvider, googleProvider, ollamaProvider, ...openAICompatiblePresets];
  return {
    topologies: new Map(builtInTopologies.map((topology) => [topology.name, topology])),
    aliases: new Map(builtInAliases.map((alias) => [alias.alias, alias])),
    providers: new Map(providers.map((provider) => [provider.name, provider])),
    compatibleProviders: new Map([
      [
        'openai',
        (preset: DocumentProviderPreset) =>
          createOpenAICompatibleProvider({
            name: preset.name,
            description: `OpenAI-compatible service at ${preset.baseUrl} (declared in the document)`,
            baseUrl: preset.baseUrl,
            baseUrlVariable: `${preset.name.toUpperCase().replace(/[^A-Z0-9]/g, '_')}_BASE_URL`,
            keyVariable: preset.keyVariable,
            defaultModels: [],
          }),
      ],
    ]),
  };
}
