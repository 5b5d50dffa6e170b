// Memory from the library: a typed document's `memory:` (with `create: true`) gives its agents the
// memory tools; what a run's agent writes, a later run's agent — in another Conclave on the same
// SQLite file — reads back; `memoryStores()` reaches the same stores from code; and an unknown store
// is refused before anything runs, naming `memory[0].store`.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Conclave, type TopologyDocument } from '../../src/index.js';
import { createScriptedProvider, type ScriptedCall } from '../support/scripted-provider.js';

const directory = mkdtempSync(join(tmpdir(), 'conclave-library-memory-'));
afterAll(() => rmSync(directory, { recursive: true, force: true }));

function toolRound(call: ScriptedCall): number {
  return call.request.messages.filter((message) => message.role === 'assistant' && (message.toolCalls?.length ?? 0) > 0).length;
}

const provider = createScriptedProvider((call) => {
  const results = call.request.messages.filter((message) => message.role === 'tool').map((message) => message.content);
  if (toolRound(call) > 0) return results.join(' | ');
  if (call.lastUserMessage.startsWith('Remember')) return { toolCalls: [{ toolCallId: 'w1', toolName: 'memory_write', input: { path: '/people/ada.md', content: 'Ada prefers short meetings.' } }] };
  return { toolCalls: [{ toolCallId: 'r1', toolName: 'memory_search', input: { query: 'meetings' } }] };
});

const document = (task: string, access: 'read' | 'read_write'): TopologyDocument => ({
  topology: 'pipeline',
  task,
  memory: [{ store: 'people', access, create: true }],
  agents: [{ name: 'assistant', model: 'script/model' }],
});

describe('memory in the library', () => {
  it('carries what one run wrote to the next, across Conclave objects on one SQLite file', async () => {
    const store = join(directory, 'conclave.db');
    const first = new Conclave({ store, providers: [provider.module] });
    const wrote = await first.run(document('Remember Ada’s preference.', 'read_write'));
    expect(wrote.status).toBe('idle');
    expect(wrote.answer).toMatch(/^Created \/people\/ada\.md in "people"/);
    await first.close();

    const second = new Conclave({ store, providers: [provider.module] });
    const read = await second.run(document('What does Ada prefer?', 'read'));
    expect(read.answer).toContain('/people/ada.md: Ada prefers short meetings.');
    const memory = await second.memoryStores();
    const [people] = await memory.findStoresByName('default', 'people');
    expect((await memory.getMemoryByPath('default', people?.id ?? '', '/people/ada.md'))?.content).toBe('Ada prefers short meetings.');
    await expect(second.run({ ...document('x', 'read'), memory: [{ store: 'nobody' }] })).rejects.toMatchObject({ code: 'not_found', location: { path: 'memory[0].store' } });
    await second.close();
  });
});
