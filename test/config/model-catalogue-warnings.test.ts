// `conclave validate`'s catalogue warnings, without the CLI: an unknown model of a checked provider
// is a warning at its JSON path with a did-you-mean; local, open-ended and offline providers, a
// provider the document points at its own base_url, and known models (aliases, snapshots, query
// strings) are not.
import { describe, expect, it } from 'vitest';
import { modelCatalogueWarning, modelCatalogueWarnings } from '../../src/config/model-catalogue-warnings.js';
import { createDefaultRegistry } from '../../src/presets/default-registry.js';
import type { AgentSlot } from '../../src/protocol/index.js';

const registry = createDefaultRegistry();

describe('model catalogue warnings', () => {
  it('warns about a misspelt model with a did-you-mean, at its path', () => {
    expect(modelCatalogueWarning('openai/gpt-4.1-mni', ['agents', 0, 'model'], registry)).toMatchObject({
      code: 'unknown_model',
      path: ['agents', 0, 'model'],
      message: expect.stringMatching(/^agents\[0\]\.model: "gpt-4\.1-mni" is not a model of openai in the model catalogue \(\d{4}-\d{2}-\d{2}\)/),
      hint: 'did you mean "openai/gpt-4.1-mini"?',
    });
  });

  it('names the provider\'s models when nothing is close, and how to price a newer one', () => {
    const warning = modelCatalogueWarning('openai/gpt-nope', ['agents', 0, 'model'], registry);
    expect(warning?.hint).toMatch(/^models of openai include openai\/gpt-4\.1-mini.*providers\.openai\.prices$/);
  });

  it('accepts known models, their snapshots and query strings', () => {
    for (const reference of ['openai/gpt-4.1-mini', 'openai/o4-mini?reasoning_effort=low', 'anthropic/claude-haiku-4-5-20251001', 'google/gemini-2.5-flash', 'xai/grok-4', 'mistral/mistral-small-latest']) {
      expect(modelCatalogueWarning(reference, ['agents', 0, 'model'], registry), reference).toBeUndefined();
    }
  });

  it('leaves open-ended, local and offline providers alone, and unknown providers to the validator', () => {
    for (const reference of ['ollama/my-finetune', 'vllm/org/model', 'openrouter/vendor/new-model', 'together/me/my-finetune', 'offline/echo', 'nowhere/model']) {
      expect(modelCatalogueWarning(reference, ['agents', 0, 'model'], registry), reference).toBeUndefined();
    }
  });

  it('trusts a provider pointed at the document\'s own base_url (a proxy serves its own names)', () => {
    expect(modelCatalogueWarning('openai/team-model', ['agents', 0, 'model'], registry, { openai: { base_url: 'http://llm.internal/v1' } })).toBeUndefined();
  });

  it('walks fallback chains and nested topologies in document order', () => {
    const agents = [
      { name: 'a', model: ['anthropic/claude-haiku-4-5', 'openai/gpt-nope'] },
      { name: 'team', topology: 'pipeline', agents: [{ name: 'inner', model: 'google/gemini-9-ultra' }] },
      { name: 'b', model: 'openai/gpt-4.1' },
    ] as unknown as AgentSlot[];
    expect(modelCatalogueWarnings({ agents }, registry).map((warning) => warning.path)).toEqual([
      ['agents', 0, 'model', 1],
      ['agents', 1, 'agents', 0, 'model'],
    ]);
  });
});
