// Tool calls that wait for a person (`approval: always_ask`) or a client (`type: custom`): journaled
// and not run, the session idle with `requires_action` naming them; answers journaled as
// `user.tool_confirmation` / `user.custom_tool_result`, after which the turn replays to the call and
// finds its answer. Waiting survives the kernel: a new kernel on the same SQLite file answers.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Kernel, type SessionDefinition, type SessionTools } from '../../src/kernel/index.js';
import { ConclaveError, type Message, type ProviderModule, type SessionEvent, type ToolCall } from '../../src/protocol/index.js';
import { createMemoryStore, createSqliteStore } from '../../src/store/index.js';
import { createScriptedProvider, type ScriptedCall } from '../support/scripted-provider.js';
import { testRegistry } from '../support/registry.js';

interface CountingTools extends SessionTools {
  executed: string[];
}

function countingTools(): CountingTools {
  const executed: string[] = [];
  return {
    executed,
    definitionsFor: async (names) => (names ?? []).map((name) => ({ name, inputSchema: { type: 'object' } })),
    async execute(call: ToolCall) {
      executed.push(`${call.toolName}:${JSON.stringify(call.input)}`);
      return { output: `${call.toolName} ran`, isError: false };
    },
  };
}

type ToolMessage = Extract<Message, { role: 'tool' }>;

function toolMessages(call: ScriptedCall): ToolMessage[] {
  return call.request.messages.filter((message): message is ToolMessage => message.role === 'tool');
}

function idles(events: readonly SessionEvent[]): Array<Record<string, unknown>> {
  return events.filter((event) => event.type === 'session.status_idle').map((event) => event.data);
}

async function expectCode(promise: Promise<unknown>, code: string): Promise<void> {
  await expect(promise).rejects.toSatisfy((error: unknown) => error instanceof ConclaveError && error.code === code);
}

const gatedBash: SessionDefinition = {
  topology: 'pipeline',
  agents: [{ name: 'ops', model: 'script/model', tools: ['bash'] }],
  tools: [{ name: 'bash', approval: 'always_ask' }],
  task: 'Clean the build.',
};

let directory: string;
beforeAll(async () => {
  directory = await mkdtemp(join(tmpdir(), 'conclave-approval-'));
});
afterAll(async () => {
  await rm(directory, { recursive: true, force: true });
});

describe('tool approval', () => {
  it('waits for a person: a denial reaches the model, then an allowed call runs once', async () => {
    // The model asks for bash until a call succeeds, then reports every tool result it saw.
    const provider = createScriptedProvider((call) => {
      const results = toolMessages(call);
      const last = results[results.length - 1];
      if (last === undefined || last.isError === true) return { toolCalls: [{ toolCallId: `c${results.length}`, toolName: 'bash', input: { command: 'rm -rf build' } }] };
      return `saw: ${results.map((message) => `${message.isError === true ? 'error' : 'ok'}(${message.content})`).join(', ')}`;
    });
    const tools = countingTools();
    const store = createMemoryStore();
    const kernel = new Kernel({ store, registry: testRegistry(provider.module), sessionTools: () => tools });

    const waiting = await kernel.run(gatedBash);
    expect(waiting).toMatchObject({ status: 'idle', stopReason: 'requires_action' });
    expect(waiting.pendingToolUses).toHaveLength(1);
    const first = waiting.pendingToolUses[0]!;
    expect(first).toMatchObject({ kind: 'confirmation', agent: 'ops', tool: 'bash', input: { command: 'rm -rf build' } });
    let events = await store.read(waiting.sessionId);
    const use = events.find((event) => event.id === first.eventId);
    expect(use).toMatchObject({ type: 'agent.tool_use', data: { permission: 'ask', tool: 'bash' } });
    expect(idles(events).at(-1)).toEqual({ stopReason: 'requires_action', eventIds: [first.eventId] });
    expect(tools.executed).toEqual([]);

    // Answers are checked against the log.
    await expectCode(kernel.confirmTool(waiting.sessionId, 'evt_nope', { allow: true }), 'tool_use_not_found');
    await expectCode(kernel.submitToolResult(waiting.sessionId, first.eventId, { content: 'x' }), 'tool_use_not_pending');

    const denied = await kernel.confirmTool(waiting.sessionId, first.eventId, { allow: false, message: 'not on Fridays' });
    expect(denied).toMatchObject({ remaining: [], resumed: true, event: { type: 'user.tool_confirmation', data: { toolUseId: first.eventId, result: 'deny', denyMessage: 'not on Fridays' } } });
    await expectCode(kernel.confirmTool(waiting.sessionId, first.eventId, { allow: true }), 'tool_use_already_answered');
    const again = await kernel.runSession(waiting.sessionId);
    expect(again.stopReason).toBe('requires_action');
    expect(tools.executed).toEqual([]);
    const second = again.pendingToolUses[0]!;
    expect(second.eventId).not.toBe(first.eventId);

    await kernel.confirmTool(waiting.sessionId, second.eventId, { allow: true });
    const done = await kernel.runSession(waiting.sessionId);
    expect(done).toMatchObject({ status: 'idle', stopReason: 'end_turn', pendingToolUses: [] });
    expect(done.answer).toBe('saw: error(not on Fridays), ok(bash ran)');
    expect(tools.executed).toEqual(['bash:{"command":"rm -rf build"}']);
    events = await store.read(waiting.sessionId);
    const results = events.filter((event) => event.type === 'agent.tool_result').map((event) => [event.data['output'], event.data['isError']]);
    expect(results).toEqual([['not on Fridays', true], ['bash ran', false]]);
  });

  it('uses the default deny message when none is given', async () => {
    const provider = createScriptedProvider((call) => {
      const [result] = toolMessages(call);
      return result === undefined ? { toolCalls: [{ toolCallId: 'c0', toolName: 'bash', input: { command: 'ls' } }] } : `told: ${result.content}`;
    });
    const kernel = new Kernel({ store: createMemoryStore(), registry: testRegistry(provider.module), sessionTools: () => countingTools() });
    const waiting = await kernel.run(gatedBash);
    await kernel.confirmTool(waiting.sessionId, waiting.pendingToolUses[0]!.eventId, { allow: false });
    expect((await kernel.runSession(waiting.sessionId)).answer).toBe('told: the user denied this tool call');
  });

  it('round-trips a client-run tool, with no sandbox in the kernel', async () => {
    const provider = createScriptedProvider((call) => {
      const [result] = toolMessages(call);
      return result === undefined ? { toolCalls: [{ toolCallId: 'c0', toolName: 'lookup_order', input: { id: 42 } }] } : `order: ${result.content}${result.isError === true ? ' (error)' : ''}`;
    });
    const store = createMemoryStore();
    const kernel = new Kernel({ store, registry: testRegistry(provider.module) });
    const definition: SessionDefinition = {
      topology: 'pipeline',
      agents: [{ name: 'clerk', model: 'script/model', tools: ['lookup_order'] }],
      tools: [{ name: 'lookup_order', type: 'custom', description: 'Looks an order up in the shop', input_schema: { type: 'object', properties: { id: { type: 'number' } } } }],
      task: 'Where is order 42?',
    };
    const waiting = await kernel.run(definition);
    expect(provider.calls[0]?.request.tools).toEqual([{ name: 'lookup_order', description: 'Looks an order up in the shop', inputSchema: { type: 'object', properties: { id: { type: 'number' } } } }]);
    const use = waiting.pendingToolUses[0]!;
    expect(use).toMatchObject({ kind: 'custom_result', tool: 'lookup_order', input: { id: 42 } });
    const events = await store.read(waiting.sessionId);
    expect(events.find((event) => event.id === use.eventId)?.type).toBe('agent.custom_tool_use');
    await expectCode(kernel.confirmTool(waiting.sessionId, use.eventId, { allow: true }), 'tool_use_not_pending');

    const receipt = await kernel.submitToolResult(waiting.sessionId, use.eventId, { content: 'shipped on Monday' });
    expect(receipt.event).toMatchObject({ type: 'user.custom_tool_result', data: { customToolUseId: use.eventId, content: 'shipped on Monday' } });
    const done = await kernel.runSession(waiting.sessionId);
    expect(done.answer).toBe('order: shipped on Monday');
  });

  it('collects the waiting calls of parallel agents and goes on after the last answer', async () => {
    // `a` and `b` each ask for bash; `c` is a slower model call still in flight when they wait, and
    // is not aborted: the turn idles once it has finished.
    const provider = createScriptedProvider((call) => {
      const agent = call.request.system ?? '';
      const [result] = toolMessages(call);
      if (agent === 'c') return { delayMs: 20, text: 'c done' };
      return result === undefined ? { toolCalls: [{ toolCallId: `${agent}0`, toolName: 'bash', input: { command: `echo ${agent}` } }] } : `${agent}: ${result.content}`;
    });
    const tools = countingTools();
    const store = createMemoryStore();
    const kernel = new Kernel({ store, registry: testRegistry(provider.module), sessionTools: () => tools });
    const definition: SessionDefinition = {
      topology: 'parallel',
      options: { aggregate: 'concat' },
      agents: ['a', 'b', 'c'].map((name) => ({ name, model: 'script/model', system: name, ...(name === 'c' ? {} : { tools: ['bash'] }) })),
      tools: [{ name: 'bash', approval: 'always_ask' }],
      task: 'Say hello.',
    };
    const waiting = await kernel.run(definition);
    expect(waiting.stopReason).toBe('requires_action');
    const [first, second] = waiting.pendingToolUses;
    expect(waiting.pendingToolUses.map((use) => use.agent).sort()).toEqual(['a', 'b']);
    let events = await store.read(waiting.sessionId);
    expect(idles(events)).toEqual([{ stopReason: 'requires_action', eventIds: [first!.eventId, second!.eventId] }]);
    expect(events.filter((event) => event.type === 'command.failed')).toEqual([]);
    expect(events.some((event) => event.type === 'agent.message' && event.data['text'] === 'c done')).toBe(true);

    // One answer of two: journaled, nothing more; the session stays idle with the other one.
    const partial = await kernel.confirmTool(waiting.sessionId, first!.eventId, { allow: true });
    expect(partial).toMatchObject({ remaining: [second!.eventId], resumed: false });
    events = await store.read(waiting.sessionId);
    expect(events.at(-1)?.type).toBe('user.tool_confirmation');
    const between = await kernel.result(waiting.sessionId);
    expect(between).toMatchObject({ status: 'idle', stopReason: 'requires_action' });
    expect(between.pendingToolUses.map((use) => use.eventId)).toEqual([second!.eventId]);
    expect(tools.executed).toEqual([]);

    const last = await kernel.confirmTool(waiting.sessionId, second!.eventId, { allow: true });
    expect(last).toMatchObject({ remaining: [], resumed: true });
    const done = await kernel.runSession(waiting.sessionId);
    expect(done.stopReason).toBe('end_turn');
    expect(done.answer).toContain('a: bash ran');
    expect(done.answer).toContain('b: bash ran');
    expect(tools.executed.sort()).toEqual(['bash:{"command":"echo a"}', 'bash:{"command":"echo b"}']);
    // `c` was answered from the journal on the second run.
    expect(provider.calls.filter((call) => call.request.system === 'c')).toHaveLength(1);
  });

  it('goes straight on when the last answer lands while the turn is still winding down', async () => {
    // `c` is held until `a`'s call has been answered: the turn never idles with requires_action.
    let release: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const provider = createScriptedProvider((call) => {
      const [result] = toolMessages(call);
      if (call.request.system === 'c') return 'c done';
      return result === undefined ? { toolCalls: [{ toolCallId: 'a0', toolName: 'bash', input: { command: 'echo a' } }] } : `a: ${result.content}`;
    });
    const held: ProviderModule = {
      ...provider.module,
      create: (...args: Parameters<ProviderModule['create']>) => {
        const inner = provider.module.create(...args);
        return {
          ...inner,
          async *generate(request, options) {
            if (request.system === 'c') await gate;
            yield* inner.generate(request, options);
          },
        };
      },
    };
    const tools = countingTools();
    const store = createMemoryStore();
    const kernel = new Kernel({ store, registry: testRegistry(held), sessionTools: () => tools });
    const sessionId = await kernel.createSession({
      topology: 'parallel',
      options: { aggregate: 'concat' },
      agents: [{ name: 'a', model: 'script/model', system: 'a', tools: ['bash'] }, { name: 'c', model: 'script/model', system: 'c' }],
      tools: [{ name: 'bash', approval: 'always_ask' }],
      task: 'Go.',
    });
    const answered: Array<Promise<unknown>> = [];
    kernel.live.subscribe(sessionId, (item) => {
      if (item.type !== 'event' || item.event.type !== 'agent.tool_use' || item.event.data['permission'] !== 'ask') return;
      // While the run goes on, a wrong id is still refused by name (the log is read to say so).
      const wrong = kernel.confirmTool(sessionId, 'evt_nope', { allow: true }).then(
        () => 'accepted',
        (error: unknown) => (error instanceof ConclaveError ? `${error.code}: ${error.message}` : String(error)),
      );
      answered.push(wrong, kernel.confirmTool(sessionId, item.event.id, { allow: true }).finally(release));
    });
    const done = await kernel.runSession(sessionId);
    expect(await Promise.all(answered)).toEqual([`tool_use_not_found: session ${sessionId} has no event evt_nope`, expect.objectContaining({ remaining: [], resumed: false })]);
    expect(done).toMatchObject({ stopReason: 'end_turn', pendingToolUses: [] });
    expect(done.answer).toContain('a: bash ran');
    expect(idles(await store.read(sessionId))).toEqual([{ stopReason: 'end_turn' }]);
    expect(tools.executed).toEqual(['bash:{"command":"echo a"}']);
  });

  it('survives the kernel: a new kernel on the same SQLite file answers, and no finished call runs again', async () => {
    const path = join(directory, 'approval.db');
    // One round with two calls: read_file runs at once, bash waits for approval.
    const respond = (call: ScriptedCall): ReturnType<Parameters<typeof createScriptedProvider>[0]> =>
      toolMessages(call).length === 0
        ? { toolCalls: [{ toolCallId: 'c0', toolName: 'read_file', input: { path: 'a.txt' } }, { toolCallId: 'c1', toolName: 'bash', input: { command: 'make deploy' } }] }
        : `done: ${toolMessages(call).map((message) => message.content).join(', ')}`;
    const definition: SessionDefinition = { ...gatedBash, agents: [{ name: 'ops', model: 'script/model', tools: ['read_file', 'bash'] }] };

    const firstProvider = createScriptedProvider(respond);
    const firstTools = countingTools();
    const firstStore = createSqliteStore({ path });
    const firstKernel = new Kernel({ store: firstStore, registry: testRegistry(firstProvider.module), sessionTools: () => firstTools });
    const waiting = await firstKernel.run(definition);
    expect(waiting.stopReason).toBe('requires_action');
    expect(firstTools.executed).toEqual(['read_file:{"path":"a.txt"}']);
    await firstStore.close();

    const secondProvider = createScriptedProvider(respond);
    const secondTools = countingTools();
    const secondStore = createSqliteStore({ path });
    try {
      const secondKernel = new Kernel({ store: secondStore, registry: testRegistry(secondProvider.module), sessionTools: () => secondTools });
      const pending = (await secondKernel.result(waiting.sessionId)).pendingToolUses;
      expect(pending.map((use) => use.tool)).toEqual(['bash']);
      const receipt = await secondKernel.confirmTool(waiting.sessionId, pending[0]!.eventId, { allow: true });
      expect(receipt.resumed).toBe(true);
      const done = await secondKernel.runSession(waiting.sessionId);
      expect(done.answer).toBe('done: read_file ran, bash ran');
      // read_file ran once, in the first kernel; the second ran only the approved call.
      expect(secondTools.executed).toEqual(['bash:{"command":"make deploy"}']);
      expect(secondProvider.calls).toHaveLength(1);
      const events = await secondStore.read(waiting.sessionId);
      const completedTools = events.filter((event) => event.type === 'command.completed' && event.data['kind'] === 'tool.execute').map((event) => event.data['commandId']);
      expect(completedTools).toEqual(['pipeline/pass:1/stage:0/generate:0/tool:0', 'pipeline/pass:1/stage:0/generate:0/tool:1']);
    } finally {
      await secondStore.close();
    }
  });
});
