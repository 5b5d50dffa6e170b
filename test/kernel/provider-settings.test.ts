// The document's `providers:` and `timeouts:` sections as a user relies on them: a hung call times
// out and is retried, limits hold across sessions, prices can be overridden, and a key named by
// `api_key_env` is checked before the session starts and handed to the provider.
import { afterEach, describe, expect, it } from 'vitest';
import { Kernel, type SessionDefinition } from '../../src/kernel/index.js';
import type { ProviderSettings, SessionStore } from '../../src/protocol/index.js';
import { createScriptedProvider } from '../support/scripted-provider.js';
import { testRegistry } from '../support/registry.js';
import { storeFixtures } from '../support/stores.js';

const fastRetry = { maxAttempts: 3, initialDelayMs: 1, maxDelayMs: 2 };
const single = (extra: Partial<SessionDefinition> = {}): SessionDefinition => ({
  topology: 'pipeline',
  agents: [{ name: 'writer', model: 'script/m' }],
  options: {},
  retry: fastRetry,
  ...extra,
});

describe.each(storeFixtures())('provider settings on the $name store', (fixture) => {
  let store: SessionStore;
  afterEach(async () => {
    await store.close();
    await fixture.cleanup();
  });

  it('times out an attempt with no output (timeouts.first_token_ms) and retries it', async () => {
    store = fixture.create();
    const provider = createScriptedProvider((call) => (call.attempt === 1 ? { hang: true } : 'second try'));
    const kernel = new Kernel({ store, registry: testRegistry(provider.module) });
    const result = await kernel.run(single({ timeouts: { first_token_ms: 50 } }), { task: 'x' });
    expect(result.answer).toBe('second try');
    const failed = (await store.read(result.sessionId)).find((event) => event.type === 'command.failed');
    expect(failed?.data).toMatchObject({ willRetry: true, error: { code: 'provider_timeout', retryable: true } });
    expect((failed?.data['error'] as { message: string }).message).toContain('timeouts.first_token_ms');
  });

  it('times out a call that keeps streaming past timeouts.total_ms', async () => {
    store = fixture.create();
    const provider = createScriptedProvider(() => ({ delayMs: 200, text: 'too slow' }));
    const kernel = new Kernel({ store, registry: testRegistry(provider.module) });
    const result = await kernel.run(single({ timeouts: { total_ms: 40 } }), { task: 'x' });
    expect(result.error?.code).toBe('agent_failed');
    expect(result.error?.message).toContain('timeouts.total_ms');
    expect(provider.calls).toHaveLength(3);
  });

  it('keeps at most `concurrency` calls in flight to one provider, across sessions', async () => {
    store = fixture.create();
    let inFlight = 0;
    let peak = 0;
    const provider = createScriptedProvider((call) => {
      inFlight += 1;
      peak = Math.max(peak, inFlight);
      setTimeout(() => (inFlight -= 1), 20);
      return { delayMs: 20, text: call.request.model };
    });
    const kernel = new Kernel({ store, registry: testRegistry(provider.module) });
    const definition: SessionDefinition = {
      topology: 'parallel',
      agents: Array.from({ length: 5 }, (_, index) => ({ name: `w${index}`, model: `script/w${index}` })),
      options: { concurrency: 5 },
      providers: { script: { concurrency: 2 } },
    };
    const results = await Promise.all([kernel.run(definition, { task: 'a' }), kernel.run(definition, { task: 'b' })]);
    expect(results.every((result) => result.status === 'idle' && result.answer !== undefined)).toBe(true);
    expect(peak).toBe(2);
  });

  it('prices from providers.<name>.prices override the adapter\'s table', async () => {
    store = fixture.create();
    const provider = createScriptedProvider(() => 'one two three');
    const kernel = new Kernel({ store, registry: testRegistry(provider.module) });
    const result = await kernel.run(single({ providers: { script: { prices: { m: { input: 3, output: 30 } } } } }), { task: 'x' });
    // 10 input tokens at $3/M and 3 output tokens at $30/M.
    expect(result.cost.usd).toBeCloseTo((10 * 3 + 3 * 30) / 1_000_000, 12);
  });

  it('checks the key variable named by api_key_env before starting, then hands the key to the provider', async () => {
    store = fixture.create();
    const seen: ProviderSettings[] = [];
    const provider = createScriptedProvider(() => 'ok');
    const module = { ...provider.module, keyVariable: 'SCRIPT_API_KEY', create: (settings: ProviderSettings) => (seen.push(settings), provider.module.create(settings)) };
    const definition = single({ providers: { script: { api_key_env: 'WORK_SCRIPT_KEY', base_url: 'http://127.0.0.1:9/v1' } } });
    const without = new Kernel({ store, registry: testRegistry(module), env: { SCRIPT_API_KEY: 'unused' } });
    await expect(without.createSession(definition, { task: 'x' })).rejects.toMatchObject({ code: 'missing_credentials', message: expect.stringContaining('WORK_SCRIPT_KEY') });
    const withKey = new Kernel({ store, registry: testRegistry(module), env: { WORK_SCRIPT_KEY: 'sk-canary-123' } });
    const result = await withKey.run(definition, { task: 'x' });
    expect(result.answer).toBe('ok');
    expect(seen[0]).toMatchObject({ apiKey: 'sk-canary-123', baseUrl: 'http://127.0.0.1:9/v1' });
    const journal = JSON.stringify(await store.read(result.sessionId));
    expect(journal).not.toContain('sk-canary-123');
  });
});
