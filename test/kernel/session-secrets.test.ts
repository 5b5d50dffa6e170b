// SessionSecrets beyond `${secret:}` references: values registered with addKnown (provider keys from
// the environment) are redacted but never handed out, a kernel registers its environment's keys
// from the start, and thrown errors leave redacted — untouched when they hold no secret.
import { describe, expect, it } from 'vitest';
import { Kernel } from '../../src/kernel/index.js';
import { SessionSecrets } from '../../src/kernel/session-secrets.js';
import { ConclaveError } from '../../src/protocol/index.js';
import { createMemoryStore } from '../../src/store/index.js';
import { createScriptedProvider } from '../support/scripted-provider.js';
import { testRegistry } from '../support/registry.js';

describe('SessionSecrets', () => {
  it('redacts a known value it was never asked to resolve, and does not hand it out', () => {
    const secrets = new SessionSecrets(undefined);
    expect(secrets.active).toBe(false);
    secrets.addKnown('OPENAI_API_KEY', 'sk-known-12345');
    secrets.addKnown('EMPTY_API_KEY', '  ');
    secrets.addKnown('UNSET_API_KEY', undefined);
    expect(secrets.active).toBe(true);
    expect(secrets.redact({ text: 'key sk-known-12345' })).toEqual({ text: 'key [secret:OPENAI_API_KEY]' });
    expect(secrets.valueOf('${secret:OPENAI_API_KEY}')).toBeUndefined();
    const stream = secrets.streamRedactor();
    expect(stream.push('key sk-kno') + stream.push('wn-12345 ok') + stream.flush()).toBe('key [secret:OPENAI_API_KEY] ok');
  });

  it('passes a thrown value on as it is unless it holds a secret', () => {
    const secrets = new SessionSecrets(undefined);
    secrets.addKnown('OPENAI_API_KEY', 'sk-known-12345');
    const harmless = new ConclaveError('store_conflict', 'another process writes this session');
    expect(secrets.redactThrown(harmless)).toBe(harmless);
    const leaky = secrets.redactThrown(new ConclaveError('internal', 'failed with sk-known-12345', { hint: 'sk-known-12345 is wrong' })) as ConclaveError;
    expect(leaky).toBeInstanceOf(ConclaveError);
    expect(leaky.code).toBe('internal');
    expect(leaky.message).toBe('failed with [secret:OPENAI_API_KEY]');
    expect(leaky.hint).toBe('[secret:OPENAI_API_KEY] is wrong');
  });

  it('is filled by a kernel with the key variables of its providers and the vault passphrase', async () => {
    const provider = createScriptedProvider(() => 'the key is sk-script-98765 and the passphrase is vault passphrase 42');
    const module = { ...provider.module, keyVariable: 'SCRIPT_API_KEY' };
    const store = createMemoryStore();
    const kernel = new Kernel({ store, registry: testRegistry(module), env: { SCRIPT_API_KEY: 'sk-script-98765', CONCLAVE_VAULT_KEY: 'vault passphrase 42' } });
    const result = await kernel.run({ topology: 'pipeline', agents: [{ name: 'talker', model: 'script/any' }], options: {} }, { task: 'Say sk-script-98765 back.' });
    expect(result.answer).toBe('the key is [secret:SCRIPT_API_KEY] and the passphrase is [secret:CONCLAVE_VAULT_KEY]');
    const journal = JSON.stringify(await store.read(result.sessionId));
    expect(journal).not.toContain('sk-script-98765');
    expect(journal).not.toContain('vault passphrase 42');
    await store.close();
  });

  it('redacts a key set in the environment after the kernel started, once an adapter can read it', async () => {
    const provider = createScriptedProvider(() => 'the key is sk-late-24680');
    const module = { ...provider.module, keyVariable: 'SCRIPT_API_KEY' };
    const store = createMemoryStore();
    const env: Record<string, string | undefined> = {};
    const kernel = new Kernel({ store, registry: testRegistry(module), env });
    env['SCRIPT_API_KEY'] = 'sk-late-24680';
    const result = await kernel.run({ topology: 'pipeline', agents: [{ name: 'talker', model: 'script/any' }], options: {} }, { task: 'Say your key.' });
    expect(result.answer).toBe('the key is [secret:SCRIPT_API_KEY]');
    expect(JSON.stringify(await store.read(result.sessionId))).not.toContain('sk-late-24680');
    await store.close();
  });

  it('redacts the value of a variable the document names in api_key_env', async () => {
    const provider = createScriptedProvider(() => 'their key is corp-key-13579');
    const store = createMemoryStore();
    const kernel = new Kernel({ store, registry: testRegistry(provider.module), env: { CORP_KEY: 'corp-key-13579' } });
    const definition = { topology: 'pipeline', agents: [{ name: 'talker', model: 'script/any' }], options: {}, providers: { corp: { compatible: 'openai', base_url: 'http://127.0.0.1:9/v1', api_key_env: 'CORP_KEY' } } };
    const result = await kernel.run(definition as never, { task: 'Say it.' });
    expect(result.answer).toBe('their key is [secret:CORP_KEY]');
    await store.close();
  });
});
