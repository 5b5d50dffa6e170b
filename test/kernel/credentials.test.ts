// Missing keys are named all at once: a document using three providers without keys fails with one
// error that names each provider and its variable, so one run finds them all.
import { describe, expect, it } from 'vitest';
import { assertCredentials } from '../../src/kernel/credentials.js';
import { ConclaveError, type AgentSlot } from '../../src/protocol/index.js';
import { createDefaultRegistry } from '../../src/presets/default-registry.js';

const registry = createDefaultRegistry();

function thrown(run: () => void): ConclaveError {
  try {
    run();
  } catch (error) {
    if (error instanceof ConclaveError) return error;
    throw error;
  }
  throw new Error('expected missing_credentials');
}

describe('assertCredentials', () => {
  const agents = [
    { name: 'optimist', model: 'openai/gpt-4.1-mini' },
    { name: 'skeptic', model: 'anthropic/claude-haiku-4-5' },
    { name: 'second-openai', model: 'openai/gpt-4.1' },
    { name: 'team', topology: 'pipeline', agents: [{ name: 'judge', model: 'google/gemini-2.5-flash' }] },
    { name: 'local', model: 'offline/echo' },
  ] as unknown as AgentSlot[];

  it('names every provider without a key, each with its variable, in one error', () => {
    const error = thrown(() => assertCredentials(agents, registry, {}));
    expect(error.code).toBe('missing_credentials');
    expect(error.message).toBe('3 providers have no key: set OPENAI_API_KEY (openai), ANTHROPIC_API_KEY (anthropic), GEMINI_API_KEY (google)');
    expect(error.issues?.map((issue) => issue.message)).toEqual([
      'agent "optimist" uses openai/gpt-4.1-mini, but openai needs an API key: set OPENAI_API_KEY',
      'agent "skeptic" uses anthropic/claude-haiku-4-5, but anthropic needs an API key: set ANTHROPIC_API_KEY',
      'agent "judge" uses google/gemini-2.5-flash, but google needs an API key: set GEMINI_API_KEY (or GOOGLE_API_KEY)',
    ]);
  });

  it('keeps the single-provider message as it was', () => {
    const error = thrown(() => assertCredentials(agents, registry, { OPENAI_API_KEY: 'sk', GEMINI_API_KEY: 'g' }));
    expect(error.message).toBe('agent "skeptic" uses anthropic/claude-haiku-4-5, but anthropic needs an API key: set ANTHROPIC_API_KEY');
    expect(error.issues).toBeUndefined();
  });

  it('names a document\'s own key variable, and skips a provider keyed by a vault secret', () => {
    const error = thrown(() => assertCredentials(agents, registry, {}, { openai: { api_key_env: 'TEAM_OPENAI_KEY' }, anthropic: { api_key: '${secret:ANTHROPIC}' } }));
    expect(error.message).toBe('2 providers have no key: set TEAM_OPENAI_KEY (openai), GEMINI_API_KEY (google)');
  });

  it('passes when every key is set', () => {
    expect(() => assertCredentials(agents, registry, { OPENAI_API_KEY: 'o', ANTHROPIC_API_KEY: 'a', GEMINI_API_KEY: 'g' })).not.toThrow();
  });

  it('asks for the keys of the agents an agent may spawn', () => {
    const spawning = [{ name: 'lead', model: 'offline/echo', tools: ['spawn_agent'], spawn: { agents: [{ name: 'researcher', model: 'openai/gpt-4.1-mini' }] } }] as AgentSlot[];
    expect(thrown(() => assertCredentials(spawning, registry, {})).message).toContain('agent "researcher" uses openai/gpt-4.1-mini');
  });
});
