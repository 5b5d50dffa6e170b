// A session that waits for a custom tool's result survives the death of its server: `conclave
// serve` (a real process, SQLite) is SIGKILLed while the call is pending, a new server on the same
// file takes the result from the official SDK and finishes the turn, and the model call that asked
// for the tool is not made again.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Anthropic from '@anthropic-ai/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startOpenAIEmulator, type OpenAIEmulator } from '../emulators/openai-emulator.js';
import { streamManagedWhile, type ManagedStreamEvent } from '../support/managed-stream.js';
import { createKey, killServers, serve } from '../support/serve-process.js';

let directory: string;
let emulator: OpenAIEmulator;

beforeAll(async () => {
  directory = mkdtempSync(join(tmpdir(), 'conclave-managed-restart-'));
  emulator = await startOpenAIEmulator();
});
afterAll(async () => {
  killServers();
  await emulator.close();
  rmSync(directory, { recursive: true, force: true });
});

function untilIdle(client: Anthropic, sessionId: string, act: () => Promise<unknown>): Promise<ManagedStreamEvent[]> {
  return streamManagedWhile(client, sessionId, act, (event) => event.type === 'session.status_idle');
}

describe('a pending custom tool across a server crash', () => {
  it('is answered on a restarted server and the turn completes without a second call for the tool use', async () => {
    const database = join(directory, 'conclave.db');
    const { key } = await createKey(database, 'default');
    const env = { OPENAI_API_KEY: 'sk-test-emulator', OPENAI_BASE_URL: emulator.baseUrl };
    const first = await serve(database, [], env);
    const before = new Anthropic({ apiKey: key, baseURL: `${first.url}/anthropic`, maxRetries: 0 });
    const environmentId = (await before.beta.environments.create({ name: 'local', config: { type: 'cloud', networking: { type: 'limited' } } })).id;
    const agentId = (
      await before.beta.agents.create({
        name: 'asker',
        model: 'openai/gpt-4o-mini',
        tools: [{ type: 'custom', name: 'lookup', description: 'Looks a word up.', input_schema: { type: 'object', properties: { word: { type: 'string' } } } }],
      })
    ).id;
    const session = await before.beta.sessions.create({ agent: agentId, environment_id: environmentId });
    emulator.enqueue({ toolCalls: [{ id: 'call_l', name: 'lookup', input: { word: 'quorum' } }] }, { text: 'A quorum is the minimum number present.' });
    const waiting = await untilIdle(before, session.id, () =>
      before.beta.sessions.events.send(session.id, { events: [{ type: 'user.message', content: [{ type: 'text', text: 'What is a quorum?' }] }] }),
    );
    const use = waiting.find((event) => event.type === 'agent.custom_tool_use');
    expect(waiting.at(-1)).toMatchObject({ stop_reason: { type: 'requires_action', event_ids: [use?.id] } });
    const callsBeforeCrash = emulator.requests.length;

    first.child.kill('SIGKILL');
    await first.done;

    const second = await serve(database, [], env);
    const after = new Anthropic({ apiKey: key, baseURL: `${second.url}/anthropic`, maxRetries: 0 });
    const finished = await untilIdle(after, session.id, () =>
      after.beta.sessions.events.send(session.id, {
        events: [{ type: 'user.custom_tool_result', custom_tool_use_id: use?.id as string, content: [{ type: 'text', text: 'the minimum number of members present' }] }],
      }),
    );
    expect(finished.find((event) => event.type === 'agent.message')).toMatchObject({ content: [{ type: 'text', text: 'A quorum is the minimum number present.' }] });
    expect(finished.at(-1)).toMatchObject({ stop_reason: { type: 'end_turn' } });
    // One model call after the restart: the answer's; the call that asked for the tool was replayed.
    expect(emulator.requests.length).toBe(callsBeforeCrash + 1);
    expect(JSON.stringify(emulator.requests.at(-1)?.body)).toContain('the minimum number of members present');
  });
});
