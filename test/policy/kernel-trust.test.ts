// The kernel's side of the trust model: a document from an API caller is checked before anything is
// written, journaled as untrusted, checked again on every run (a worker may hold a newer policy),
// and runs with its workspace's own secrets only — a provider at the caller's own address never
// sees the server's environment.
import { describe, expect, it } from 'vitest';
import { Kernel, type SessionDefinition } from '../../src/kernel/index.js';
import { defaultServerPolicy, parseServerPolicy } from '../../src/policy/index.js';
import { ConclaveError, type ProviderModule, type ProviderSettings } from '../../src/protocol/index.js';
import { createMemoryStore } from '../../src/store/index.js';
import { testRegistry } from '../support/registry.js';
import { createScriptedProvider } from '../support/scripted-provider.js';

const serverKey = 'sk-server-0123456789abcdef';
const tenantKey = 'sk-tenant-b-0123456789';

/** A provider that remembers the settings each adapter was built with. */
function recordingProvider(): { module: ProviderModule; built: ProviderSettings[] } {
  const scripted = createScriptedProvider(() => 'fine', 'llm');
  const built: ProviderSettings[] = [];
  return {
    built,
    module: {
      ...scripted.module,
      keyVariable: 'LLM_API_KEY',
      create: (settings) => {
        built.push(settings);
        return scripted.module.create(settings);
      },
    },
  };
}

function kernelWith(provider: ProviderModule, options: { policyText?: string; secrets?: Record<string, string> } = {}): Kernel {
  const store = createMemoryStore();
  const secrets = options.secrets ?? {};
  return new Kernel({
    store,
    registry: testRegistry(provider),
    env: { LLM_API_KEY: serverKey },
    policy: options.policyText === undefined ? defaultServerPolicy() : parseServerPolicy(options.policyText, 'policy.yaml'),
    secrets: async (name, scope) => {
      const value = scope === undefined ? secrets[name] : secrets[`${scope.workspace}/${name}`];
      if (value === undefined) throw new ConclaveError('secret_not_found', `secret ${name} is not set${scope === undefined ? '' : ` for workspace ${scope.workspace}`}`);
      return value;
    },
  });
}

const plain: SessionDefinition = { topology: 'pipeline', agents: [{ name: 'a', model: 'llm/m' }], task: 'hi' };

describe('untrusted documents in the kernel', () => {
  it('refuses before writing anything', async () => {
    const kernel = kernelWith(recordingProvider().module);
    const hostile: SessionDefinition = { ...plain, mcp_servers: [{ name: 'shell', command: '/bin/sh', args: ['-c', 'id'] }] };
    await expect(kernel.createSession(hostile, { workspace: 'tenant-b', untrusted: true })).rejects.toMatchObject({ code: 'policy_denied' });
    expect(await kernel.store.listSessions({})).toEqual([]);
  });

  it('journals the trust, and runs with the server key at the provider\'s standard address', async () => {
    const provider = recordingProvider();
    const kernel = kernelWith(provider.module);
    const sessionId = await kernel.createSession(plain, { workspace: 'tenant-b', untrusted: true });
    const [created] = await kernel.store.read(sessionId);
    expect(created?.data['trust']).toBe('untrusted');
    expect((await kernel.runSession(sessionId)).answer).toBe('fine');
    expect(provider.built).toEqual([expect.objectContaining({ env: { LLM_API_KEY: serverKey }, confineFiles: null })]);
  });

  it('sends a provider at the caller\'s own address only the workspace\'s own key, never the server environment', async () => {
    const provider = recordingProvider();
    const kernel = kernelWith(provider.module, {
      policyText: 'provider_hosts: ["llm.tenant.example"]\n',
      secrets: { 'tenant-b/LLM_KEY': tenantKey, LLM_KEY: serverKey },
    });
    const own: SessionDefinition = { ...plain, providers: { llm: { base_url: 'https://llm.tenant.example/v1', api_key: '${secret:LLM_KEY}' } } };
    const sessionId = await kernel.createSession(own, { workspace: 'tenant-b', untrusted: true });
    await kernel.runSession(sessionId);
    expect(provider.built).toEqual([{ env: {}, baseUrl: 'https://llm.tenant.example/v1', apiKey: tenantKey, confineFiles: null }]);
  });

  it('refuses a workspace secret that is not set, at creation, without falling back to the server\'s', async () => {
    const kernel = kernelWith(recordingProvider().module, { policyText: 'provider_hosts: ["llm.tenant.example"]\n', secrets: { LLM_KEY: serverKey } });
    const own: SessionDefinition = { ...plain, providers: { llm: { base_url: 'https://llm.tenant.example/v1', api_key: '${secret:LLM_KEY}' } } };
    await expect(kernel.createSession(own, { workspace: 'tenant-b', untrusted: true })).rejects.toMatchObject({ code: 'secret_not_found', message: 'secret LLM_KEY is not set for workspace tenant-b' });
    expect(await kernel.store.listSessions({})).toEqual([]);
  });

  it('checks the document again when it runs: a stricter policy on the runner refuses it', async () => {
    const store = createMemoryStore();
    const provider = recordingProvider();
    const lenient = new Kernel({ store, registry: testRegistry(provider.module), env: { LLM_API_KEY: serverKey }, policy: parseServerPolicy('network: true\n', 'policy.yaml') });
    const networked: SessionDefinition = { ...plain, environment: { driver: 'bubblewrap', network: true } };
    const sessionId = await lenient.createSession(networked, { workspace: 'tenant-b', untrusted: true });
    const strict = new Kernel({ store, registry: testRegistry(provider.module), env: { LLM_API_KEY: serverKey } });
    await expect(strict.runSession(sessionId)).rejects.toMatchObject({ code: 'policy_denied', message: expect.stringContaining('environment.network') as string });
    expect(provider.built).toEqual([]);
  });

  it('leaves the operator\'s own documents and trusted workspaces alone', async () => {
    const kernel = kernelWith(recordingProvider().module, { policyText: 'workspaces:\n  ops: { trust: trusted }\n' });
    const tools: SessionDefinition = { ...plain, tools: [{ name: 'lint', description: 'x', input_schema: {}, command: 'true' }] };
    const trusted = await kernel.createSession(tools, { workspace: 'ops', untrusted: true });
    const own = await kernel.createSession(tools, { workspace: 'tenant-b' });
    for (const sessionId of [trusted, own]) expect((await kernel.store.read(sessionId))[0]?.data['trust']).toBeUndefined();
  });
});
