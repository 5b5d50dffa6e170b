// A provider that accepts a request and then says nothing — no headers at all, or headers and a
// first chunk and then silence — fails the attempt with a retryable provider_timeout under the
// kernel's *default* timeouts (the documents here have no `timeouts:`; the defaults are made small
// through KernelOptions.defaultTimeouts). Each wire goes through its official SDK over real HTTP to
// its emulator, whose stalled connection the adapter must close. The retry policy takes over, and a
// session that ran out of attempts resumes later without repeating the calls it completed.
// Assertions are on the journal and the emulator's open connections, never on durations.
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { anthropicProvider } from '../../providers/anthropic/index.js';
import { googleProvider } from '../../providers/google/index.js';
import { ollamaProvider } from '../../providers/ollama/index.js';
import { openaiProvider } from '../../providers/openai/index.js';
import { findOpenAICompatiblePreset } from '../../providers/openai-compatible/index.js';
import { Kernel, type SessionDefinition } from '../../src/kernel/index.js';
import type { ProviderModule, SessionEvent } from '../../src/protocol/index.js';
import { createMemoryStore } from '../../src/store/memory-store.js';
import { startAnthropicEmulator } from '../emulators/anthropic-emulator.js';
import type { EmulatorReply, WireEmulator } from '../emulators/emulator-script.js';
import { startGeminiEmulator } from '../emulators/gemini-emulator.js';
import { createOllamaEmulator } from '../emulators/ollama-emulator.js';
import { startOpenAIEmulator } from '../emulators/openai-emulator.js';
import { testRegistry } from '../support/registry.js';

interface Wire {
  name: string;
  provider: () => ProviderModule;
  model: string;
  start: () => Promise<WireEmulator>;
  /** Streamed chunks up to and including the first one that carries text. */
  chunksToFirstText: number;
}

const groq = (): ProviderModule => {
  const found = findOpenAICompatiblePreset('groq');
  if (found === undefined) throw new Error('no groq preset');
  return found;
};

const wires: Wire[] = [
  // message_start, content_block_start, ping, then the first text_delta
  { name: 'anthropic', provider: () => anthropicProvider, model: 'claude-haiku-4-5', start: startAnthropicEmulator, chunksToFirstText: 4 },
  // the role chunk, then the first content chunk
  { name: 'openai', provider: () => openaiProvider, model: 'gpt-4.1-mini', start: startOpenAIEmulator, chunksToFirstText: 2 },
  { name: 'groq', provider: groq, model: 'llama-3.3-70b-versatile', start: startOpenAIEmulator, chunksToFirstText: 2 },
  { name: 'google', provider: () => googleProvider, model: 'gemini-2.5-flash', start: startGeminiEmulator, chunksToFirstText: 1 },
  { name: 'ollama', provider: () => ollamaProvider, model: 'llama3.2', start: createOllamaEmulator, chunksToFirstText: 1 },
];

const env = { ANTHROPIC_API_KEY: 'sk-ant-test', OPENAI_API_KEY: 'sk-test', GROQ_API_KEY: 'gsk-test', GEMINI_API_KEY: 'gemini-test' };
// Small enough that a stall costs the suite little, large enough that a healthy reply on a machine
// busy with other work still beats it (each stalled attempt waits this long).
const smallDefaults = { first_token_ms: 1_000, idle_ms: 1_000 };
const retry = { maxAttempts: 3, initialDelayMs: 1, maxDelayMs: 2 };

interface Outcome {
  code?: string;
  message?: string;
  willRetry?: boolean;
}

/** `command.failed` and `command.completed` of model calls, in journal order. */
function commandTrail(events: readonly SessionEvent[]): Array<{ type: string; commandId: string } & Outcome> {
  return events
    .filter((event) => event.type === 'command.failed' || event.type === 'command.completed')
    .map((event) => {
      const error = event.data['error'] as { code: string; message: string } | undefined;
      return {
        type: event.type,
        commandId: event.data['commandId'] as string,
        ...(error !== undefined ? { code: error.code, message: error.message, willRetry: event.data['willRetry'] as boolean } : {}),
      };
    });
}

describe.each(wires)('a stalled $name provider under the default timeouts', (wire) => {
  let emulator: WireEmulator;
  beforeAll(async () => {
    emulator = await wire.start();
  });
  afterAll(async () => {
    await emulator.close();
  });

  const definition = (agents: string[]): SessionDefinition => ({
    topology: 'pipeline',
    agents: agents.map((name) => ({ name, model: `${wire.name}/${wire.model}` })),
    options: {},
    retry,
    providers: { [wire.name]: { base_url: emulator.baseUrl } },
  });
  const kernel = (store: ReturnType<typeof createMemoryStore>) =>
    new Kernel({ store, registry: testRegistry(wire.provider()), env, defaultTimeouts: smallDefaults });

  /** The adapter aborted the stalled HTTP request: the emulator sees no connection left open. */
  async function expectStalledRequestsClosed(): Promise<void> {
    await vi.waitFor(() => expect(emulator.openResponses, 'stalled requests the client never closed').toBe(0), { timeout: 10_000, interval: 10 });
  }

  async function runOnce(stall: EmulatorReply): Promise<Array<{ type: string; commandId: string } & Outcome>> {
    const store = createMemoryStore();
    emulator.enqueue(stall, { text: 'Recovered answer.' });
    const result = await kernel(store).run(definition(['writer']), { task: 'Say something.' });
    expect(result.error).toBeUndefined();
    expect(result.answer).toBe('Recovered answer.');
    const trail = commandTrail(await store.read(result.sessionId));
    await store.close();
    await expectStalledRequestsClosed();
    return trail;
  }

  it('no headers at all: provider_timeout (first_token_ms), retried, then completed', async () => {
    const trail = await runOnce({ fail: { kind: 'stall' } });
    expect(trail).toEqual([
      expect.objectContaining({ type: 'command.failed', code: 'provider_timeout', willRetry: true, message: expect.stringContaining('timeouts.first_token_ms') }),
      expect.objectContaining({ type: 'command.completed' }),
    ]);
    expect(trail[0]?.message).toContain('1000 ms');
  });

  it('headers and no output: provider_timeout (first_token_ms), retried, then completed', async () => {
    const trail = await runOnce({ text: 'Never sent.', fail: { kind: 'stall', afterChunks: 0 } });
    expect(trail.map((entry) => [entry.type, entry.code])).toEqual([
      ['command.failed', 'provider_timeout'],
      ['command.completed', undefined],
    ]);
    expect(trail[0]?.message).toContain('timeouts.first_token_ms');
  });

  it('a first chunk of text, then silence: provider_timeout (idle_ms), retried, then completed', async () => {
    const trail = await runOnce({ text: 'Half of an answer that never ends', fail: { kind: 'stall', afterChunks: wire.chunksToFirstText } });
    expect(trail.map((entry) => [entry.type, entry.code])).toEqual([
      ['command.failed', 'provider_timeout'],
      ['command.completed', undefined],
    ]);
    expect(trail[0]?.message).toContain('timeouts.idle_ms');
  });

  it('fails after its attempts, and a resume completes without repeating the completed call', async () => {
    const store = createMemoryStore();
    const stall: EmulatorReply = { fail: { kind: 'stall' } };
    emulator.enqueue({ text: 'First stage done.' }, stall, stall, stall);
    const sessionId = await kernel(store).createSession(definition(['drafter', 'editor']), { task: 'Write.' });
    const requestsBefore = emulator.requests.length;
    const failed = await kernel(store).runSession(sessionId);
    expect(failed.error?.code).toBe('agent_failed');
    expect(emulator.requests.length - requestsBefore).toBe(1 + retry.maxAttempts);
    await expectStalledRequestsClosed();

    emulator.enqueue({ text: 'Edited.' });
    const resumed = await kernel(store).runSession(sessionId);
    expect(resumed.error).toBeUndefined();
    expect(resumed.answer).toBe('Edited.');
    // Only the editor's call went out again: the drafter's completion came from the log.
    expect(emulator.requests.length - requestsBefore).toBe(1 + retry.maxAttempts + 1);
    const trail = commandTrail(await store.read(sessionId));
    const drafter = trail.filter((entry) => entry.commandId.includes('stage:0'));
    const editor = trail.filter((entry) => !entry.commandId.includes('stage:0'));
    expect(drafter.map((entry) => entry.type)).toEqual(['command.completed']);
    expect(editor.map((entry) => [entry.type, entry.code])).toEqual([
      ['command.failed', 'provider_timeout'],
      ['command.failed', 'provider_timeout'],
      ['command.failed', 'provider_timeout'],
      ['command.completed', undefined],
    ]);
    await store.close();
  });
});
