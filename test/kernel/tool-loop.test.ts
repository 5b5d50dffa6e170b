// The agent step with tools, through the kernel: model → tool calls → tools → model; each tool
// call journaled as a `tool.execute` command; a resumed session never re-runs a completed tool
// call; a failing tool (or crashed sandbox) is a result the model sees; the round limit holds.
import { describe, expect, it } from 'vitest';
import { Kernel, type SessionDefinition, type SessionTools } from '../../src/kernel/index.js';
import { ConclaveError, type ToolCall } from '../../src/protocol/index.js';
import { createMemoryStore } from '../../src/store/index.js';
import { createScriptedProvider, type ScriptedCall } from '../support/scripted-provider.js';
import { testRegistry } from '../support/registry.js';

interface FakeTools extends SessionTools {
  executed: string[];
}

function fakeTools(run: (call: ToolCall, signal: AbortSignal) => Promise<string>): FakeTools {
  const executed: string[] = [];
  return {
    executed,
    definitionsFor: async (names) => (names ?? []).map((name) => ({ name, inputSchema: { type: 'object' } })),
    async execute(call, signal) {
      executed.push(`${call.toolName}:${JSON.stringify(call.input)}`);
      try {
        return { output: await run(call, signal), isError: false };
      } catch (error) {
        if (signal.aborted) throw new ConclaveError('aborted', 'aborted');
        return { output: `Error: ${(error as Error).message}`, isError: true };
      }
    },
  };
}

const definition: SessionDefinition = {
  topology: 'pipeline',
  agents: [{ name: 'coder', model: 'script/model', tools: ['bash', 'read_file'], max_tool_rounds: 3 }],
  task: 'Make the tests pass.',
};

function toolRound(call: ScriptedCall): number {
  return call.request.messages.filter((message) => message.role === 'assistant' && (message.toolCalls?.length ?? 0) > 0).length;
}

describe('tool loop', () => {
  it('runs tools between model rounds, journals each call, and feeds results back', async () => {
    const provider = createScriptedProvider((call) =>
      toolRound(call) === 0
        ? { text: 'Let me look.', toolCalls: [{ toolCallId: 'c1', toolName: 'bash', input: { command: 'ls' } }, { toolCallId: 'c2', toolName: 'read_file', input: { path: 'a.txt' } }] }
        : `Done: ${call.request.messages.filter((message) => message.role === 'tool').map((message) => message.content).join(', ')}`,
    );
    const tools = fakeTools(async (call) => `${call.toolName} ok`);
    const store = createMemoryStore();
    const kernel = new Kernel({ store, registry: testRegistry(provider.module), sessionTools: () => tools });
    const result = await kernel.run(definition);
    expect(result.answer).toBe('Done: bash ok, read_file ok');
    expect(tools.executed).toEqual(['bash:{"command":"ls"}', 'read_file:{"path":"a.txt"}']);
    expect(provider.calls[0]?.request.tools?.map((tool) => tool.name)).toEqual(['bash', 'read_file']);
    const events = await store.read(result.sessionId);
    const toolCommands = events.filter((event) => event.type === 'command.completed' && (event.data as { kind: string }).kind === 'tool.execute');
    expect(toolCommands.map((event) => (event.data as { commandId: string }).commandId)).toEqual(['pipeline/pass:1/stage:0/generate:0/tool:0', 'pipeline/pass:1/stage:0/generate:0/tool:1']);
    expect(events.filter((event) => event.type === 'agent.tool_use')).toHaveLength(2);
    expect(events.filter((event) => event.type === 'agent.tool_result')).toHaveLength(2);
    expect(result.usage).toEqual({ inputTokens: 20, outputTokens: 5 + 'Done: bash ok, read_file ok'.split(/\s+/).length });
  });

  it('never re-runs a completed tool call when an interrupted session resumes', async () => {
    const provider = createScriptedProvider((call) =>
      toolRound(call) === 0
        ? { toolCalls: [{ toolCallId: 'c1', toolName: 'bash', input: { command: 'make' } }, { toolCallId: 'c2', toolName: 'bash', input: { command: 'make test' } }] }
        : 'All green.',
    );
    let hang = true;
    const tools = fakeTools(async (call, signal) => {
      if (hang && (call.input as { command: string }).command === 'make test') {
        await new Promise((resolve) => signal.addEventListener('abort', resolve, { once: true }));
        throw new Error('killed');
      }
      return 'ok';
    });
    const store = createMemoryStore();
    const kernel = new Kernel({ store, registry: testRegistry(provider.module), sessionTools: () => tools });
    const sessionId = await kernel.createSession(definition);
    const controller = new AbortController();
    const running = kernel.runSession(sessionId, { signal: controller.signal });
    while (tools.executed.length < 2) await new Promise((resolve) => setTimeout(resolve, 5));
    controller.abort();
    expect((await running).stopReason).toBe('interrupted');

    hang = false;
    const resumed = await new Kernel({ store, registry: testRegistry(provider.module), sessionTools: () => tools }).runSession(sessionId);
    expect(resumed.answer).toBe('All green.');
    expect(tools.executed).toEqual(['bash:{"command":"make"}', 'bash:{"command":"make test"}', 'bash:{"command":"make test"}']);
    expect(provider.calls).toHaveLength(2); // round 0 once (answered from the log on resume), round 1 once
  });

  it('hands a failing tool to the model as an error result, not a dead session', async () => {
    const provider = createScriptedProvider((call) => {
      const toolMessage = call.request.messages.find((message) => message.role === 'tool');
      return toolRound(call) === 0 ? { toolCalls: [{ toolCallId: 'c1', toolName: 'bash', input: {} }] } : `saw ${toolMessage?.role === 'tool' && toolMessage.isError === true ? 'an error' : 'success'}`;
    });
    const tools = fakeTools(async () => {
      throw new Error('sandbox crashed');
    });
    const result = await new Kernel({ store: createMemoryStore(), registry: testRegistry(provider.module), sessionTools: () => tools }).run(definition);
    expect(result.answer).toBe('saw an error');
  });

  it('stops offering tools after max_tool_rounds and asks for an answer', async () => {
    const provider = createScriptedProvider((call) => (call.request.tools === undefined ? 'final' : { toolCalls: [{ toolCallId: 'again', toolName: 'bash', input: {} }] }));
    const tools = fakeTools(async () => 'ok');
    const result = await new Kernel({ store: createMemoryStore(), registry: testRegistry(provider.module), sessionTools: () => tools }).run(definition);
    expect(result.answer).toBe('final');
    expect(tools.executed).toHaveLength(3);
    expect(provider.calls).toHaveLength(4);
  });

  it('refuses an agent with tools when the kernel has no sandbox', async () => {
    const provider = createScriptedProvider(() => 'unused');
    const result = await new Kernel({ store: createMemoryStore(), registry: testRegistry(provider.module) }).run(definition);
    expect(result.error?.code).toBe('sandbox_unavailable');
    expect(provider.calls).toHaveLength(0);
  });
});
