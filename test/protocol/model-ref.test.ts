import { describe, expect, it } from 'vitest';
import { parseModelRef } from '../../src/protocol/index.js';

describe('parseModelRef', () => {
  it('splits provider, model and decoded query parameters', () => {
    expect(parseModelRef('offline/persona?seed=7&ttft_ms=300')).toEqual({
      provider: 'offline',
      model: 'persona?seed=7&ttft_ms=300',
      name: 'persona',
      params: { seed: '7', ttft_ms: '300' },
    });
  });

  it('keeps slashes inside the model id (OpenRouter-style names)', () => {
    expect(parseModelRef('openrouter/meta-llama/llama-3.1-8b')?.name).toBe('meta-llama/llama-3.1-8b');
  });

  it('rejects references without a provider', () => {
    expect(parseModelRef('gpt-4.1')).toBeUndefined();
    expect(parseModelRef('/echo')).toBeUndefined();
    expect(parseModelRef('offline/')).toBeUndefined();
  });
});
