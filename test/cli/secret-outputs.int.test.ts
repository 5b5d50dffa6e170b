// Canaries for both kinds of secret — a provider key the openai adapter takes from OPENAI_API_KEY
// with no `${secret:}` reference, and a vault secret used as another provider's key (plus the vault
// passphrase itself) — repeated by models, in errors, and streamed in pieces cut at every offset.
// None may appear in any output: the SQLite file's bytes, `run` and `resume` (text and --json),
// `sessions show` and `sessions events`, the native API (events list, and SSE with deltas), the
// Managed Agents API (event list, and stream with deltas), and the bench's files. Where a secret
// was, its `[secret:NAME]` marker is. A stream cut and retried shows, by the documented client
// rule, exactly the journaled text.
import Anthropic from '@anthropic-ai/sdk';
import { mkdir, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Kernel } from '../../src/kernel/index.js';
import { createDefaultRegistry } from '../../src/presets/default-registry.js';
import { ConclaveError } from '../../src/protocol/index.js';
import { createDocumentCatalog } from '../../src/server/document-catalog.js';
import { createMemoryStore } from '../../src/store/index.js';
import { startOpenAIEmulator, type OpenAIEmulator, type OpenAIEmulatorReply } from '../emulators/openai-emulator.js';
import { runCli } from '../support/cli.js';
import { startTestServer, type TestServer } from '../support/test-server.js';

const envKey = 'sk-envcanary-7d3f1a9c5e2b4d60';
const vaultSecret = 'vaultcanary-2c8e6a4f1b9d3e57';
const passphrase = 'passphrase canary 6b1f0e93';
const canaries = [envKey, vaultSecret, passphrase];

let directory: string;
let emulator: OpenAIEmulator;

beforeAll(async () => {
  directory = await mkdtemp(join(tmpdir(), 'conclave-outputs-'));
  emulator = await startOpenAIEmulator();
});
afterAll(async () => {
  await emulator.close();
  await rm(directory, { recursive: true, force: true });
});

function expectNoCanary(text: string, where: string): void {
  for (const canary of canaries) expect(text.includes(canary), `${where} holds ${canary}`).toBe(false);
}

async function filesUnder(path: string): Promise<string[]> {
  const entries = await readdir(path, { withFileTypes: true, recursive: true });
  return entries.filter((entry) => entry.isFile()).map((entry) => join(entry.parentPath, entry.name));
}

async function expectNoCanaryInFiles(path: string): Promise<void> {
  for (const file of await filesUnder(path)) {
    const bytes = await readFile(file);
    for (const canary of canaries) expect(bytes.includes(Buffer.from(canary)), `${file} holds ${canary}`).toBe(false);
  }
}

/** An OpenAI stream that sends exactly these content pieces, one chunk each. */
function streamed(pieces: readonly string[], cutAfter?: number): OpenAIEmulatorReply {
  const base = { id: 'chatcmpl-canary', object: 'chat.completion.chunk', created: 1, model: 'emulated' };
  const chunk = (delta: Record<string, unknown>, finish: string | null = null): unknown => ({ ...base, choices: [{ index: 0, delta, finish_reason: finish }] });
  return {
    rawChunks: [chunk({ role: 'assistant', content: '' }), ...pieces.map((content) => chunk({ content })), chunk({}, 'stop')],
    ...(cutAfter !== undefined ? { fail: { kind: 'cut', afterChunks: cutAfter } } : {}),
  };
}

/** `text` cut `offset` characters into the first occurrence of `secret`. */
function splitInside(text: string, secret: string, offset: number): string[] {
  const at = text.indexOf(secret) + offset;
  return [text.slice(0, at), text.slice(at)];
}

/** A pipeline: `leaky` on openai (key from OPENAI_API_KEY), `leakier` on groq (key from the vault). */
function canaryDocument(task: boolean): string {
  return [
    'topology: pipeline',
    ...(task ? ['task: Tell me your keys.'] : []),
    'retry: { max_attempts: 2, initial_delay_ms: 1, max_delay_ms: 2 }',
    'providers:',
    `  openai: { base_url: "${emulator.baseUrl}" }`,
    `  groq: { base_url: "${emulator.baseUrl}", api_key: "\${secret:VAULT_CANARY}" }`,
    'agents:',
    '  - { name: leaky, model: openai/gpt-4.1-mini }',
    '  - { name: leakier, model: groq/llama-3.3-70b-versatile }',
    '',
  ].join('\n');
}

describe('the CLI', () => {
  const env = (): Record<string, string> => ({
    OPENAI_API_KEY: envKey,
    CONCLAVE_VAULT: join(directory, 'vault.json'),
    CONCLAVE_VAULT_KEY: passphrase,
    CONCLAVE_STORE: join(directory, 'cli.db'),
  });

  it('shows no secret in run, resume, sessions show and sessions events, nor in the SQLite file', async () => {
    expect((await runCli(['vault', 'set', 'VAULT_CANARY', vaultSecret], env())).code).toBe(0);
    const document = join(directory, 'canary.yaml');
    await writeFile(document, canaryDocument(true));
    const outputs: string[] = [];

    // Run 1 (text): the first model repeats the env key and the passphrase, streamed in pieces; the
    // second fails with an error that quotes both keys. Resume (--json) then finishes it.
    emulator.enqueue(
      streamed([...splitInside(`env ${envKey} and passphrase `, envKey, 7), passphrase, '.']),
      { fail: { kind: 'status', status: 400, message: `rejected key ${vaultSecret} (also ${envKey})` } },
    );
    const first = await runCli(['run', document], env());
    expect(first.code).not.toBe(0);
    outputs.push(first.stdout, first.stderr);
    const firstId = /conclave resume (\S+)/.exec(first.stderr)?.[1] ?? '';
    expect(firstId).toMatch(/^sesn_/);
    expect(first.stdout).toContain('[secret:OPENAI_API_KEY]');
    expect(first.stdout).toContain('[secret:CONCLAVE_VAULT_KEY]');
    expect(first.stderr).toContain('[secret:VAULT_CANARY]');
    emulator.enqueue(streamed(splitInside(`vault ${vaultSecret} done`, vaultSecret, 11)));
    const resumed = await runCli(['resume', firstId, '--json'], env());
    expect(resumed.code, resumed.stderr).toBe(0);
    outputs.push(resumed.stdout, resumed.stderr);
    expect(JSON.parse(resumed.stdout)).toMatchObject({ answer: 'vault [secret:VAULT_CANARY] done' });

    // Run 2 (--json), then resume (text).
    emulator.enqueue({ text: `key: ${envKey}` }, { fail: { kind: 'status', status: 400, message: `no: ${vaultSecret}` } });
    const second = await runCli(['run', document, '--json'], env());
    outputs.push(second.stdout, second.stderr);
    const secondResult = JSON.parse(second.stdout) as { sessionId: string; error: { message: string } };
    expect(secondResult.error.message).toContain('[secret:VAULT_CANARY]');
    emulator.enqueue({ text: `again ${vaultSecret} and ${envKey}` });
    const resumedText = await runCli(['resume', secondResult.sessionId], env());
    expect(resumedText.code, resumedText.stderr).toBe(0);
    outputs.push(resumedText.stdout, resumedText.stderr);
    expect(resumedText.stdout).toContain('again [secret:VAULT_CANARY] and [secret:OPENAI_API_KEY]');

    for (const id of [firstId, secondResult.sessionId]) {
      for (const args of [['sessions', 'show', id], ['sessions', 'show', id, '--json'], ['sessions', 'events', id], ['sessions', 'events', id, '--json']]) {
        const shown = await runCli(args, env());
        expect(shown.code, shown.stderr).toBe(0);
        outputs.push(shown.stdout, shown.stderr);
      }
    }
    const all = outputs.join('\n');
    expectNoCanary(all, 'CLI output');
    for (const marker of ['[secret:OPENAI_API_KEY]', '[secret:VAULT_CANARY]', '[secret:CONCLAVE_VAULT_KEY]']) expect(all).toContain(marker);
    // Every file of the store (the database and any journal or WAL beside it), byte by byte.
    for (const file of (await readdir(directory)).filter((name) => name.startsWith('cli.db'))) {
      const bytes = await readFile(join(directory, file));
      for (const canary of canaries) expect(bytes.includes(Buffer.from(canary)), `${file} holds ${canary}`).toBe(false);
    }
  }, 120_000);
});

describe('the HTTP APIs', () => {
  let server: TestServer;
  let kernel: Kernel;
  let client: Anthropic;

  beforeAll(async () => {
    const catalog = join(directory, 'catalog');
    await mkdir(catalog, { recursive: true });
    await writeFile(join(catalog, 'canary-live.yaml'), canaryDocument(false));
    const registry = createDefaultRegistry();
    kernel = new Kernel({
      store: createMemoryStore(),
      registry,
      env: { OPENAI_API_KEY: envKey, OPENAI_BASE_URL: emulator.baseUrl, CONCLAVE_VAULT_KEY: passphrase },
      secrets: async (name) => (name === 'VAULT_CANARY' ? vaultSecret : Promise.reject(new ConclaveError('secret_not_found', `no ${name}`))),
    });
    server = await startTestServer({ kernel, documents: createDocumentCatalog({ directory: catalog, registry }) });
    client = new Anthropic({ apiKey: server.key, baseURL: `${server.url}/anthropic`, maxRetries: 0 });
  });
  afterAll(async () => {
    await server.close();
  });

  const headers = (): Record<string, string> => ({ 'x-api-key': server.key, 'content-type': 'application/json' });

  async function until(check: () => boolean, what: string): Promise<void> {
    for (let tries = 0; !check(); tries += 1) {
      if (tries > 2000) throw new Error(`gave up waiting for ${what}`);
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
  }

  /** Reads SSE frames from a response until `stop` says so; returns the raw text and the frames. */
  async function readFrames(response: Response, stop: (event: string, data: Record<string, unknown>) => boolean): Promise<{ raw: string; frames: Array<{ event: string; data: Record<string, unknown> }> }> {
    const reader = (response.body as ReadableStream<Uint8Array>).getReader();
    const decoder = new TextDecoder();
    let raw = '';
    let buffer = '';
    const frames: Array<{ event: string; data: Record<string, unknown> }> = [];
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      const text = decoder.decode(value, { stream: true });
      raw += text;
      buffer += text;
      let end: number;
      while ((end = buffer.indexOf('\n\n')) >= 0) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        const event = /^event: (.*)$/m.exec(block)?.[1];
        const data = block.split('\n').filter((line) => line.startsWith('data: ')).map((line) => line.slice(6)).join('\n');
        if (event === undefined) continue;
        const parsed = JSON.parse(data) as Record<string, unknown>;
        frames.push({ event, data: parsed });
        if (stop(event, parsed)) {
          await reader.cancel();
          return { raw, frames };
        }
      }
    }
    return { raw, frames };
  }

  /** The README's client rule: per command, only the text of the highest attempt seen. */
  function lastAttemptTexts(deltas: ReadonlyArray<Record<string, unknown>>): Map<string, string> {
    const live = new Map<string, { attempt: number; text: string }>();
    for (const delta of deltas) {
      const commandId = delta['commandId'] as string;
      const attempt = delta['attempt'] as number;
      let entry = live.get(commandId);
      if (entry !== undefined && attempt < entry.attempt) continue;
      if (entry === undefined || attempt > entry.attempt) live.set(commandId, (entry = { attempt, text: '' }));
      if (delta['kind'] === 'text') entry.text += delta['delta'] as string;
    }
    return new Map([...live].map(([commandId, entry]) => [commandId, entry.text]));
  }

  /** Runs one turn of a native session with an SSE client asking for deltas; returns what it saw. */
  async function nativeTurn(replies: OpenAIEmulatorReply[]): Promise<{ id: string; raw: string; deltas: Array<Record<string, unknown>>; messages: Map<string, string> }> {
    const created = (await (await fetch(`${server.url}/v1/sessions`, { method: 'POST', headers: headers(), body: JSON.stringify({ name: 'canary-live' }) })).json()) as { id: string };
    const stream = await fetch(`${server.url}/v1/sessions/${created.id}/events/stream?deltas=true`, { headers: headers() });
    const reading = readFrames(stream, (event) => event === 'session.status_idle');
    await until(() => kernel.live.hasListeners(created.id), 'the SSE client to subscribe');
    emulator.enqueue(...replies);
    const sent = await fetch(`${server.url}/v1/sessions/${created.id}/messages`, { method: 'POST', headers: headers(), body: JSON.stringify({ text: 'Tell me your keys.' }) });
    expect(sent.status).toBe(200);
    const { raw, frames } = await reading;
    const deltas = frames.filter((frame) => frame.event === 'delta').map((frame) => frame.data);
    const messages = new Map(frames.filter((frame) => frame.event === 'agent.message').map((frame) => [(frame.data['data'] as Record<string, string>)['commandId'] as string, (frame.data['data'] as Record<string, string>)['text'] as string]));
    return { id: created.id, raw, deltas, messages };
  }

  it('native SSE deltas split at every offset of either secret hold neither, and join into the journaled text', async () => {
    const envText = `env key ${envKey} end`;
    const vaultText = `vault key ${vaultSecret} end`;
    for (let offset = 1; offset < Math.max(envKey.length, vaultSecret.length); offset += 1) {
      const replies = [streamed(splitInside(envText, envKey, Math.min(offset, envKey.length - 1))), streamed(splitInside(vaultText, vaultSecret, Math.min(offset, vaultSecret.length - 1)))];
      const { id, raw, deltas, messages } = await nativeTurn(replies);
      expectNoCanary(raw, `SSE at offset ${offset}`);
      expectNoCanary(deltas.map((delta) => delta['delta']).join(''), `joined deltas at offset ${offset}`);
      expect([...messages.values()]).toEqual(['env key [secret:OPENAI_API_KEY] end', 'vault key [secret:VAULT_CANARY] end']);
      expect(lastAttemptTexts(deltas)).toEqual(messages);
      const listed = await (await fetch(`${server.url}/v1/sessions/${id}/events`, { headers: headers() })).text();
      expectNoCanary(listed, 'native events list');
      expect(listed).toContain('[secret:VAULT_CANARY]');
      const view = await (await fetch(`${server.url}/v1/sessions/${id}`, { headers: headers() })).text();
      expectNoCanary(view, 'native session view');
    }
  }, 120_000);

  it('a stream cut mid-answer and retried: the client rule keeps exactly the journaled text', async () => {
    const answer = `Alpha beta gamma ${envKey} delta.`;
    const pieces = ['Alpha ', 'beta ', 'gamma ', ...splitInside(`${envKey} delta.`, envKey, 5)];
    // The first attempt sends three pieces (after the role chunk) and the connection drops.
    const { raw, deltas, messages } = await nativeTurn([streamed(pieces, 4), streamed(pieces), streamed(['Done.'])]);
    expectNoCanary(raw, 'SSE of a retried stream');
    expect(deltas.filter((delta) => delta['kind'] === 'text').map((delta) => delta['delta']).join('')).toMatch(/^Alpha beta gamma Alpha beta gamma /);
    expect(deltas.find((delta) => delta['kind'] === 'reset')).toMatchObject({ attempt: 2, delta: '' });
    const [leaky] = [...lastAttemptTexts(deltas).values()];
    expect(leaky).toBe(answer.replace(envKey, '[secret:OPENAI_API_KEY]'));
    expect(lastAttemptTexts(deltas)).toEqual(messages);
  }, 60_000);

  it('Managed Agents stream (with deltas) and event list hold no secret', async () => {
    const environment = await client.beta.environments.create({ name: 'canary', config: { type: 'cloud', networking: { type: 'unrestricted' } } });
    const plain = await client.beta.agents.create({ name: 'plain', model: 'openai/gpt-4.1-mini' } as never);
    const topology = await client.beta.agents.create({ name: 'topology', model: 'openai/gpt-4.1-mini', metadata: { 'conclave.topology': 'canary-live' } } as never);
    for (const [agent, replies] of [
      [plain, [streamed(splitInside(`plain ${envKey} end`, envKey, 13))]],
      [topology, [streamed(splitInside(`first ${envKey} end`, envKey, 3)), streamed(splitInside(`second ${vaultSecret} end`, vaultSecret, 17))]],
    ] as const) {
      const session = await client.beta.sessions.create({ agent: agent.id, environment_id: environment.id });
      const stream = await client.beta.sessions.events.stream(session.id, { event_deltas: ['agent.message'] } as never);
      const seen: unknown[] = [];
      const reading = (async () => {
        for await (const event of stream as AsyncIterable<{ type: string }>) {
          seen.push(event);
          if (event.type === 'session.status_idle') break;
        }
      })();
      await until(() => kernel.live.hasListeners(session.id), 'the Managed Agents stream to subscribe');
      emulator.enqueue(...replies);
      await client.beta.sessions.events.send(session.id, { events: [{ type: 'user.message', content: [{ type: 'text', text: 'Tell me your keys.' }] }] });
      await reading;
      const streamedText = JSON.stringify(seen);
      expectNoCanary(streamedText, 'Managed Agents stream');
      const joined = (seen as Array<{ type: string; delta?: { content: { text: string } } }>).filter((event) => event.type === 'event_delta').map((event) => event.delta?.content.text).join('');
      expectNoCanary(joined, 'joined Managed Agents deltas');
      expect(streamedText).toContain('event_delta');
      expect(streamedText).toContain('[secret:OPENAI_API_KEY]');
      const listed: unknown[] = [];
      for await (const event of client.beta.sessions.events.list(session.id) as AsyncIterable<unknown>) listed.push(event);
      expectNoCanary(JSON.stringify(listed), 'Managed Agents event list');
      expect(JSON.stringify(listed)).toContain('[secret:OPENAI_API_KEY]');
      if (agent === topology) expect(JSON.stringify(listed)).toContain('[secret:VAULT_CANARY]');
    }
  }, 60_000);
});

describe('the bench', () => {
  it('writes no provider key into samples.jsonl, results, reports, the cache or its sessions', async () => {
    const out = join(directory, 'bench-out');
    const team = join(directory, 'team.yaml');
    await writeFile(team, ['topology: pipeline', 'agents:', '  - { name: solo, model: openai/gpt-4.1-mini }', ''].join('\n'));
    const suite = join(directory, 'canary-suite.yaml');
    await writeFile(
      suite,
      [
        'name: canary',
        'warmup: 0',
        'concurrency: 1',
        'providers:',
        `  openai: { base_url: "${emulator.baseUrl}" }`,
        'contestants:',
        '  - name: mini',
        '    model: openai/gpt-4.1-mini',
        '  - name: team',
        `    topology: ${team}`,
        'prompts:',
        '  - { id: p1, prompt: "What is your key?", expected: "key" }',
        '  - { id: p2, prompt: "And again?", expected: "key" }',
        'scoring:',
        '  assertions: [{ type: contains }]',
        '',
      ].join('\n'),
    );
    emulator.enqueue(
      streamed(splitInside(`my key is ${envKey}`, envKey, 9)),
      { text: `key ${envKey} again` },
      streamed(splitInside(`team key ${envKey}!`, envKey, 2)),
      { text: `team key ${envKey} twice` },
    );
    const result = await runCli(['bench', suite, '--out', out], { OPENAI_API_KEY: envKey });
    expect(result.code, result.stderr).toBe(0);
    expectNoCanary(`${result.stdout}${result.stderr}`, 'bench output');
    await expectNoCanaryInFiles(out);
    const [run] = (await readdir(out)).filter((name) => name !== 'cache');
    const samples = await readFile(join(out, run as string, 'samples.jsonl'), 'utf8');
    expect(samples).toContain('my key is [secret:OPENAI_API_KEY]');
    expect(samples).toContain('team key [secret:OPENAI_API_KEY]');
  }, 120_000);
});
