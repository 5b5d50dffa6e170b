// The built-in spawn_agent tool, through the kernel: an agent starts a child from its roster (a
// model agent or a whole topology) and gets the child's answer as the tool result; the child's
// calls are journaled under the tool call's command id, never repeated when an interrupted
// session resumes, and counted by the session's budget; a failed child, an unknown name or one
// spawn too many is an error result the parent's model sees; a child's tool call that waits for
// approval makes the parent wait, and runs once when allowed.
import { describe, expect, it, vi } from 'vitest';
import { Kernel, type SessionDefinition, type SessionTools } from '../../src/kernel/index.js';
import { ConclaveError, type AgentSlot, type SessionEvent } from '../../src/protocol/index.js';
import { createMemoryStore } from '../../src/store/index.js';
import { createScriptedProvider, type ScriptedCall, type ScriptedReply } from '../support/scripted-provider.js';
import { testRegistry } from '../support/registry.js';

const researcher: AgentSlot = { name: 'researcher', model: 'script/researcher', system: 'You research one question.' };

function leadWith(roster: AgentSlot[], extra: Record<string, unknown> = {}): SessionDefinition {
  return {
    topology: 'pipeline',
    task: 'Plan the launch.',
    agents: [{ name: 'lead', model: 'script/lead', tools: ['spawn_agent'], spawn: { agents: roster }, ...extra }],
  };
}

function toolRound(call: ScriptedCall): number {
  return call.request.messages.filter((message) => message.role === 'assistant' && (message.toolCalls?.length ?? 0) > 0).length;
}

/** The lead spawns what `spawns` lists in its first round, then answers with every tool result. */
function lead(call: ScriptedCall, spawns: Array<Record<string, unknown>>): ScriptedReply {
  if (toolRound(call) === 0) return { toolCalls: spawns.map((input, index) => ({ toolCallId: `s${index}`, toolName: 'spawn_agent', input })) };
  const results = call.request.messages.flatMap((message) => (message.role === 'tool' ? [`${message.isError === true ? 'error' : 'ok'}: ${message.content}`] : []));
  return `Plan from ${results.join(' | ')}`;
}

function modelCommands(events: readonly SessionEvent[]): string[] {
  return events.filter((event) => event.type === 'command.completed' && event.data['kind'] === 'model.generate').map((event) => event.data['commandId'] as string);
}

const spawnCommand = 'pipeline/pass:1/stage:0/generate:0/tool:0';

describe('spawn_agent', () => {
  it('runs a roster agent on the task it is given and hands its answer back as the tool result', async () => {
    const provider = createScriptedProvider((call) => (call.request.model === 'researcher' ? `Findings on "${call.lastUserMessage}"` : lead(call, [{ agent: 'researcher', task: 'Who buys it?' }])));
    const store = createMemoryStore();
    // No sessionTools: spawn_agent runs in the kernel, with no sandbox.
    const result = await new Kernel({ store, registry: testRegistry(provider.module) }).run(leadWith([researcher]));
    expect(result.error).toBeUndefined();
    expect(result.answer).toBe('Plan from ok: Findings on "Who buys it?"');
    const offered = provider.calls[0]?.request.tools?.find((tool) => tool.name === 'spawn_agent');
    expect(offered?.inputSchema).toMatchObject({ properties: { agent: { enum: ['researcher'] } }, required: ['agent', 'task'] });
    const child = provider.calls.find((call) => call.request.model === 'researcher');
    expect(child?.request.system).toBe('You research one question.');
    expect(child?.request.messages).toEqual([{ role: 'user', content: 'Who buys it?' }]);
    const events = await store.read(result.sessionId);
    expect(modelCommands(events)).toEqual(['pipeline/pass:1/stage:0/generate:0', `${spawnCommand}/spawn/researcher/generate:0`, 'pipeline/pass:1/stage:0/generate:1']);
    const started = events.find((event) => event.type === 'command.started' && event.data['commandId'] === `${spawnCommand}/spawn/researcher/generate:0`);
    expect(started?.data['step']).toMatchObject({ agent: 'researcher', phase: 'spawn', slots: ['lead'] });
    expect(events.find((event) => event.type === 'agent.tool_result')?.data).toMatchObject({ commandId: spawnCommand, tool: 'spawn_agent', output: 'Findings on "Who buys it?"', isError: false });
  });

  it('resumes an interrupted child topology without repeating any of its completed calls', async () => {
    let hang = true;
    const provider = createScriptedProvider((call) => {
      if (call.request.model === 'drafter') return 'a draft';
      if (call.request.model === 'editor') return hang ? { hang: true } : `edited: ${call.lastUserMessage.includes('a draft') ? 'a draft' : '?'}`;
      return lead(call, [{ agent: 'team', task: 'Write the announcement.' }]);
    });
    const team: AgentSlot = { name: 'team', topology: 'pipeline', agents: [{ name: 'drafter', model: 'script/drafter' }, { name: 'editor', model: 'script/editor' }] };
    const store = createMemoryStore();
    const kernel = new Kernel({ store, registry: testRegistry(provider.module) });
    const sessionId = await kernel.createSession(leadWith([team]));
    const controller = new AbortController();
    const running = kernel.runSession(sessionId, { signal: controller.signal });
    await vi.waitFor(() => expect(provider.calls.some((call) => call.request.model === 'editor')).toBe(true));
    controller.abort();
    expect((await running).stopReason).toBe('interrupted');

    hang = false;
    const resumed = await new Kernel({ store, registry: testRegistry(provider.module) }).runSession(sessionId);
    expect(resumed.answer).toBe('Plan from ok: edited: a draft');
    const models = provider.calls.map((call) => call.request.model);
    // The lead's first round and the drafter ran once; the editor's interrupted call ran again.
    expect(models).toEqual(['lead', 'drafter', 'editor', 'editor', 'lead']);
    const commands = modelCommands(await store.read(sessionId));
    expect(commands.filter((id) => id.startsWith(`${spawnCommand}/spawn/team/pipeline/`))).toEqual([
      `${spawnCommand}/spawn/team/pipeline/pass:1/stage:0/generate:0`,
      `${spawnCommand}/spawn/team/pipeline/pass:1/stage:1/generate:0`,
    ]);
  });

  it("counts a child's calls against the session budget, stops there, and resumes with a raised budget", async () => {
    const provider = createScriptedProvider((call) => (call.request.model === 'researcher' ? 'findings' : lead(call, [{ agent: 'researcher', task: 'Look.' }])));
    const store = createMemoryStore();
    const kernel = new Kernel({ store, registry: testRegistry(provider.module) });
    const stopped = await kernel.run({ ...leadWith([researcher]), budget: { max_calls: 1 } });
    expect(stopped.stopReason).toBe('budget_exceeded');
    expect(stopped.budgetExceeded).toMatchObject({ scope: 'session', limit: 'max_calls', spent: 1, max: 1, commandId: `${spawnCommand}/spawn/researcher/generate:0` });
    expect(provider.calls.map((call) => call.request.model)).toEqual(['lead']);

    const resumed = await kernel.runSession(stopped.sessionId, { budget: { budget: { max_calls: 10 } } });
    expect(resumed.answer).toBe('Plan from ok: findings');
    expect(provider.calls.map((call) => call.request.model)).toEqual(['lead', 'researcher', 'lead']);
  });

  it('hands a failed child, an unknown agent and a spawn past max_children to the parent as error results', async () => {
    const provider = createScriptedProvider((call) => {
      if (call.request.model === 'researcher') return call.lastUserMessage === 'fail' ? new ConclaveError('invalid_argument', 'the question makes no sense', { retryable: false }) : `found ${call.lastUserMessage}`;
      return lead(call, [
        { agent: 'researcher', task: 'one' },
        { agent: 'nobody', task: 'two' },
        { agent: 'researcher', task: 'fail' },
        { agent: 'researcher', task: 'four' },
      ]);
    });
    const result = await new Kernel({ store: createMemoryStore(), registry: testRegistry(provider.module) }).run({
      ...leadWith([researcher]),
      agents: [{ name: 'lead', model: 'script/lead', tools: ['spawn_agent'], spawn: { agents: [researcher], max_children: 3 } }],
    });
    expect(result.error).toBeUndefined();
    const parts = (result.answer ?? '').replace(/^Plan from /, '').split(' | ');
    expect(parts[0]).toBe('ok: found one');
    expect(parts[1]).toBe('error: Error: there is no agent "nobody" to spawn; the agents are "researcher"');
    expect(parts[2]).toMatch(/^error: Error: agent "researcher" .*failed.*the question makes no sense/);
    expect(parts[3]).toMatch(/^error: Error: agent "lead" may call spawn_agent at most 3 times in one call/);
    expect(provider.calls.filter((call) => call.request.model === 'researcher').map((call) => call.lastUserMessage)).toEqual(['one', 'fail']);
  });

  it("waits with a child's tool call that asks for approval, and runs it once when allowed", async () => {
    const provider = createScriptedProvider((call) => {
      if (call.request.model !== 'researcher') return lead(call, [{ agent: 'researcher', task: 'Count the files.' }]);
      const result = call.request.messages.find((message) => message.role === 'tool');
      return result === undefined ? { toolCalls: [{ toolCallId: 'b0', toolName: 'bash', input: { command: 'ls | wc -l' } }] } : `counted: ${result.content}`;
    });
    const executed: string[] = [];
    const tools: SessionTools = {
      definitionsFor: async (names) => (names ?? []).map((name) => ({ name, inputSchema: { type: 'object' } })),
      async execute(call) {
        executed.push(call.toolName);
        return { output: '42', isError: false };
      },
    };
    const store = createMemoryStore();
    const kernel = new Kernel({ store, registry: testRegistry(provider.module), sessionTools: () => tools });
    const waiting = await kernel.run({ ...leadWith([{ ...researcher, tools: ['bash'] }]), tools: [{ name: 'bash', approval: 'always_ask' }] });
    expect(waiting.stopReason).toBe('requires_action');
    expect(waiting.pendingToolUses).toEqual([expect.objectContaining({ kind: 'confirmation', agent: 'researcher', tool: 'bash' })]);
    expect(executed).toEqual([]);

    await kernel.confirmTool(waiting.sessionId, waiting.pendingToolUses[0]!.eventId, { allow: true });
    const done = await kernel.runSession(waiting.sessionId);
    expect(done.answer).toBe('Plan from ok: counted: 42');
    expect(executed).toEqual(['bash']);
    // Every model call was made once: the replay answered the lead's first round and the child's from the log.
    expect(provider.calls.map((call) => call.request.model)).toEqual(['lead', 'researcher', 'researcher', 'lead']);
  });
});
