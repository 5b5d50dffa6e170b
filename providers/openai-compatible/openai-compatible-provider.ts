/**
 * OpenAI-compatible services as provider modules: each preset is the OpenAI adapter with another
 * base URL, key variable and a few wire differences. `createOpenAICompatibleProvider` is public so a
 * user can add a service conclave does not list, without writing an adapter.
 */
import type { ModelPrice, ProviderAdapter, ProviderModule, ProviderSettings } from '../../src/protocol/index.js';
// Straight from the modules, not from '../openai/index.js': the index also exports the mappers
// that import the OpenAI SDK, which the adapter loads only on its first call.
import { createOpenAIAdapter, settingOrEnvironment } from '../openai/openai-provider.js';
import { openAIWireOptions } from '../openai/map-openai-messages.js';
import { parseOpenAIModel } from '../openai/openai-model-options.js';
import { openAICompatiblePresetTable, type OpenAICompatiblePreset } from './openai-compatible-presets.js';
import { catalogueModelPrice } from '../../src/catalogue/model-catalogue.js';

/** A local server (no key) charges nothing per token: its calls are free, not unpriced. */
const localServerPrice: ModelPrice = { inputPerMillion: 0, outputPerMillion: 0 };

/**
 * Builds a provider module from a preset.
 *
 * @example
 * const myProxy = createOpenAICompatibleProvider({
 *   name: 'myproxy',
 *   description: 'The team LiteLLM proxy',
 *   baseUrl: 'http://llm.internal:4000/v1',
 *   baseUrlVariable: 'MYPROXY_BASE_URL',
 *   keyVariable: 'MYPROXY_API_KEY',
 *   defaultModels: ['gpt-4.1-mini'],
 * });
 * registry.addProvider(myProxy); // then use `myproxy/gpt-4.1-mini` in a document
 */
export function createOpenAICompatibleProvider(preset: OpenAICompatiblePreset): ProviderModule {
  const keyVariable = preset.keyVariable ?? undefined;
  // No `prompt_cache_key` unless the preset says the server takes it (many reject unknown fields).
  const wire = { ...openAIWireOptions, sendPromptCacheKey: false, ...preset.wire };
  return {
    specificationVersion: 'v1',
    name: preset.name,
    description: preset.description,
    simulated: false,
    ...(keyVariable !== undefined ? { keyVariable } : {}),
    defaultModels: preset.defaultModels.map((model) => `${preset.name}/${model}`),
    validateModel(model: string): string | undefined {
      const parsed = parseOpenAIModel(preset.name, model);
      return parsed.ok ? undefined : parsed.message;
    },
    create(settings: ProviderSettings): ProviderAdapter {
      const env = settings.env ?? process.env;
      const apiKey = keyVariable === undefined ? settings.apiKey : settingOrEnvironment(settings.apiKey, env, keyVariable, undefined);
      return createOpenAIAdapter({
        provider: preset.name,
        baseUrl: settingOrEnvironment(settings.baseUrl, env, preset.baseUrlVariable, preset.baseUrl),
        wire,
        // Hosted services are priced from the model catalogue where it lists them.
        price: preset.keyVariable === null ? () => localServerPrice : (model) => catalogueModelPrice(preset.name, model),
        ...(apiKey !== undefined ? { apiKey } : {}),
        ...(keyVariable !== undefined ? { keyVariable } : {}),
        ...(preset.headers !== undefined ? { headers: preset.headers } : {}),
      });
    },
  };
}

/** Every built-in OpenAI-compatible provider module, in table order. */
export const openAICompatiblePresets: readonly ProviderModule[] = openAICompatiblePresetTable.map(createOpenAICompatibleProvider);

/**
 * One built-in preset module by name.
 *
 * @example
 * findOpenAICompatiblePreset('groq')?.keyVariable // → 'GROQ_API_KEY'
 */
export function findOpenAICompatiblePreset(name: string): ProviderModule | undefined {
  return openAICompatiblePresets.find((module) => module.name === name);
}
