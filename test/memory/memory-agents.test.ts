// Agents with memory, through the kernel, on every agent memory backend (in-process, SQLite,
// PostgreSQL): a document's `memory:` is resolved when the session is created (an unknown store is
// an error naming `memory[0].store`; `create: true` makes it); every model agent is offered the
// memory tools its stores allow; what one session's agent writes, the next session's agent reads
// and finds; and a resumed session answers finished memory reads and writes from its journal,
// never calling the store for them again.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Kernel, type SessionDefinition } from '../../src/kernel/index.js';
import type { AgentMemoryStore } from '../../src/memory/agent-memory-types.js';
import { createInProcessAgentMemoryStore } from '../../src/memory/in-process-agent-memory.js';
import { memorySessionPreparer } from '../../src/memory/memory-session.js';
import { createPostgresAgentMemoryStore } from '../../src/memory/postgres-agent-memory.js';
import { createSqliteAgentMemoryStore } from '../../src/memory/sqlite-agent-memory.js';
import { createSessionToolsFactory } from '../../src/presets/session-tools.js';
import { createId, type ToolCall } from '../../src/protocol/index.js';
import { createMemoryStore } from '../../src/store/index.js';
import { dropSchema, testPostgresUrl, uniqueSchema } from '../support/postgres.js';
import { testRegistry } from '../support/registry.js';
import { createScriptedProvider, type ScriptedCall, type ScriptedReply } from '../support/scripted-provider.js';

const directory = mkdtempSync(join(tmpdir(), 'conclave-memory-agents-'));
const schemas: string[] = [];
afterAll(async () => {
  rmSync(directory, { recursive: true, force: true });
  for (const schema of schemas) await dropSchema(schema);
});

/** Counts the store calls agents make, by method. */
function counted(store: AgentMemoryStore): { store: AgentMemoryStore; calls: Map<string, number> } {
  const calls = new Map<string, number>();
  const wrapped = new Proxy(store, {
    get(target, property, receiver) {
      const value = Reflect.get(target, property, receiver) as unknown;
      if (typeof value !== 'function') return value;
      return (...args: unknown[]) => {
        calls.set(String(property), (calls.get(String(property)) ?? 0) + 1);
        return (value as (...parameters: unknown[]) => unknown).apply(target, args);
      };
    },
  });
  return { store: wrapped, calls };
}

function toolRound(call: ScriptedCall): number {
  return call.request.messages.filter((message) => message.role === 'assistant' && (message.toolCalls?.length ?? 0) > 0).length;
}

function toolResults(call: ScriptedCall): string[] {
  return call.request.messages.filter((message) => message.role === 'tool').map((message) => message.content);
}

const use = (toolName: string, input: Record<string, unknown>): ToolCall => ({ toolCallId: `call_${toolName}_${JSON.stringify(input).length}`, toolName, input });

const backends: Array<{ name: string; create(): AgentMemoryStore }> = [
  { name: 'in-process', create: () => createInProcessAgentMemoryStore() },
  { name: 'sqlite', create: () => createSqliteAgentMemoryStore({ path: join(directory, `${createId('memoryStore')}.db`) }) },
  {
    name: 'postgres',
    create: () => {
      const schema = uniqueSchema('memory_agents');
      schemas.push(schema);
      return createPostgresAgentMemoryStore({ url: testPostgresUrl, schema });
    },
  },
];

describe.each(backends)('agents with memory: $name', (backend) => {
  let memory: AgentMemoryStore;
  let storeId: string;

  beforeEach(async () => {
    memory = backend.create();
    storeId = createId('memoryStore');
    await memory.createStore({ id: storeId, workspace: 'default', name: 'notes', description: 'What the team decided' });
  });
  afterEach(async () => {
    await memory.close();
  });

  function kernelWith(respond: (call: ScriptedCall) => ScriptedReply, store: AgentMemoryStore = memory): { kernel: Kernel; provider: ReturnType<typeof createScriptedProvider> } {
    const provider = createScriptedProvider(respond);
    const open = async (): Promise<AgentMemoryStore> => store;
    const kernel = new Kernel({
      store: createMemoryStore(),
      registry: testRegistry(provider.module),
      sessionTools: createSessionToolsFactory({ memory: open }),
      prepareDefinition: memorySessionPreparer(open),
    });
    return { kernel, provider };
  }

  const document = (memoryEntries: SessionDefinition['memory'], agentTools?: string[]): SessionDefinition => ({
    topology: 'pipeline',
    task: 'Remember the capital.',
    agents: [{ name: 'scribe', model: 'script/model', ...(agentTools !== undefined ? { tools: agentTools } : {}) }],
    memory: memoryEntries,
  });

  it('lets one session’s agent write a memory that the next session’s agent reads and finds', async () => {
    const writer = kernelWith((call) =>
      toolRound(call) === 0
        ? { text: 'Noting it.', toolCalls: [use('memory_write', { path: '/geo/france.md', content: 'The capital of France is Paris.' })] }
        : `Saved: ${toolResults(call).join(' | ')}`,
    );
    const first = await writer.kernel.run(document([{ store: 'notes', access: 'read_write' }]));
    expect(first.answer).toMatch(/^Saved: Created \/geo\/france\.md in "notes"/);
    expect(writer.provider.calls[0]?.request.tools?.map((tool) => tool.name)).toEqual(['memory_list', 'memory_read', 'memory_search', 'memory_write']);
    expect(writer.provider.calls[0]?.request.tools?.[0]?.description).toContain('What the team decided');
    const [version] = (await memory.listVersions('default', storeId)).items;
    expect(version).toMatchObject({ operation: 'created', path: '/geo/france.md', createdBy: { type: 'session_actor', session_id: first.sessionId } });

    const reader = kernelWith((call) =>
      toolRound(call) === 0 ? { toolCalls: [use('memory_search', { query: 'capital france' }), use('memory_read', { path: '/geo/france.md' }), use('memory_list', {})] } : toolResults(call).join('\n---\n'),
    );
    const second = await reader.kernel.run({ ...document([{ store: storeId, access: 'read' }]), task: 'What is the capital of France?' });
    const [found, read, listed] = (second.answer ?? '').split('\n---\n');
    expect(found).toContain('/geo/france.md: The capital of France is Paris.');
    expect(read).toBe('The capital of France is Paris.');
    expect(listed).toMatch(/\/geo\/france\.md {2}31 bytes {2}sha256 [0-9a-f]{64}/);
    // A read-only store: no memory_write offered.
    expect(reader.provider.calls[0]?.request.tools?.map((tool) => tool.name)).toEqual(['memory_list', 'memory_read', 'memory_search']);
  });

  it('never calls the store again for memory tool calls a resumed session finished', async () => {
    const spy = counted(memory);
    let hang = true;
    const { kernel } = kernelWith((call) => {
      if (toolRound(call) === 0) return { toolCalls: [use('memory_write', { path: '/log.md', content: 'step one done' }), use('memory_read', { path: '/log.md' })] };
      if (hang) return { hang: true };
      return `Resumed with: ${toolResults(call).join(' | ')}`;
    }, spy.store);
    const sessionId = await kernel.createSession(document([{ store: 'notes' }]));
    const running = kernel.runSession(sessionId);
    await waitFor(() => (spy.calls.get('getMemoryByPath') ?? 0) >= 2);
    await new Promise((resolve) => setTimeout(resolve, 50));
    await kernel.interrupt(sessionId, 'test');
    await running;
    const callsBefore = new Map(spy.calls);
    hang = false;
    const result = await kernel.runSession(sessionId);
    expect(result.answer).toBe('Resumed with: Created /log.md in "notes" (13 bytes, sha256 ' + (await memory.getMemoryByPath('default', storeId, '/log.md'))?.contentSha256 + '). | step one done');
    for (const method of ['createMemory', 'updateMemory', 'getMemoryByPath']) expect(spy.calls.get(method), method).toBe(callsBefore.get(method));
    expect((await memory.listVersions('default', storeId)).items).toHaveLength(1);
  });

  it('refuses an unknown store at session creation, naming the entry, and makes one when asked', async () => {
    const { kernel } = kernelWith(() => 'unused');
    await expect(kernel.createSession(document([{ store: 'notes' }, { store: 'nope', access: 'read' }]))).rejects.toMatchObject({ code: 'not_found', location: { path: 'memory[1].store' } });
    await expect(kernel.createSession(document([{ store: createId('memoryStore') }]))).rejects.toMatchObject({ code: 'not_found', location: { path: 'memory[0].store' } });
    // Another workspace's store is unknown too.
    await expect(kernel.createSession(document([{ store: storeId }]), { workspace: 'team-b' })).rejects.toMatchObject({ code: 'not_found' });
    const sessionId = await kernel.createSession(document([{ store: 'fresh', create: true, instructions: 'One file per topic.' }]));
    const [created] = await memory.findStoresByName('default', 'fresh');
    expect(created).toBeDefined();
    const journaled = (await kernel.store.read(sessionId))[0]?.data['document'] as SessionDefinition;
    expect(journaled.memory).toEqual([{ store: created?.id, name: 'fresh', description: '', access: 'read_write', instructions: 'One file per topic.' }]);
    expect(journaled.agents[0]).toMatchObject({ tools: ['memory_list', 'memory_read', 'memory_search', 'memory_write'] });
    await memory.archiveStore('default', storeId);
    await expect(kernel.createSession(document([{ store: storeId }]))).rejects.toMatchObject({ code: 'invalid_argument', location: { path: 'memory[0].store' } });
  });

  it('offers an agent that names memory tools only those, and refuses writes to a read-only store', async () => {
    const { kernel, provider } = kernelWith((call) =>
      toolRound(call) === 0 ? { toolCalls: [use('memory_write', { path: '/x.md', content: 'sneaky' }), use('memory_read', { store: 'nowhere', path: '/x.md' })] } : toolResults(call).join(' | '),
    );
    const result = await kernel.run(document([{ store: 'notes', access: 'read' }], ['memory_read']));
    expect(provider.calls[0]?.request.tools?.map((tool) => tool.name)).toEqual(['memory_read']);
    expect(result.answer).toContain('Error: unknown tool "memory_write"');
    expect(result.answer).toContain('Error: no memory store "nowhere" in this session');
    expect((await memory.listVersions('default', storeId)).items).toEqual([]);
  });
});

async function waitFor(condition: () => boolean): Promise<void> {
  for (let waited = 0; !condition(); waited += 10) {
    if (waited > 10_000) throw new Error('timed out waiting');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
