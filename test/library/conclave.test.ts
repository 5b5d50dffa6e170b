// The library face: `new Conclave()` runs documents given as objects, YAML text or paths, with the
// same validation and result as the CLI; plug-ins join the registry; host tools run in process.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { assign, setup } from 'xstate';
import { z } from 'zod';
import { agentCall, callAgentsPlaceholder, Conclave, ConclaveError, defineTool, defineTopology, userTurn, type AgentReply, type TopologyDocument, type TopologyInput, type TopologyResult } from '../../src/index.js';
import { parallelTopology } from '../../topologies/index.js';

const directory = mkdtempSync(join(tmpdir(), 'conclave-library-'));
afterAll(() => rmSync(directory, { recursive: true, force: true }));

const twoAgents: TopologyDocument = {
  topology: 'pipeline',
  task: 'Summarise CRDTs in one line.',
  agents: [
    { name: 'draft', model: 'offline/echo' },
    { name: 'edit', model: 'offline/echo' },
  ],
};

describe('Conclave', () => {
  it('runs a typed document and returns the result `conclave run --json` prints', async () => {
    const conclave = new Conclave();
    const result = await conclave.run(twoAgents, { seed: 3 });
    expect(result.status).toBe('idle');
    expect(result.answer).toEqual(expect.any(String));
    expect(result.reason).toBe('all_stages_done');
    expect(Object.keys(result.byAgent).sort()).toEqual(['draft', 'edit']);
    expect(result.seed).toBe(3);
    const types = [];
    for await (const event of conclave.events(result.sessionId)) types.push(event.type);
    expect(types[0]).toBe('session.created');
    expect(types.filter((type) => type === 'agent.message')).toHaveLength(2);
    await conclave.close();
    await expect(conclave.run(twoAgents)).rejects.toThrow(/closed/);
  });

  it('reads YAML text and file paths, and refuses a bad document with every problem', async () => {
    const conclave = new Conclave();
    const fromYaml = await conclave.run('topology: pipeline\ntask: hi\nagents:\n  - { name: only, model: offline/echo }\n');
    expect(fromYaml.status).toBe('idle');
    const fromFile = await conclave.run('examples/pipeline.yaml', { task: 'Explain CRDTs' });
    expect(fromFile.status).toBe('idle');
    const bad = await conclave.run({ topology: 'debtae', agents: [{ name: 'a', model: 'offline/nope' }] }).catch((error: unknown) => error);
    expect(bad).toBeInstanceOf(ConclaveError);
    expect((bad as ConclaveError).code).toBe('invalid_document');
    expect((bad as ConclaveError).issues?.map((issue) => issue.location?.path)).toEqual(expect.arrayContaining(['topology']));
    await expect(conclave.run('missing/document.yaml')).rejects.toMatchObject({ code: 'document_not_found' });
    await conclave.close();
  });

  it('continues a session on a SQLite file from a second object, with the earlier turn as history', async () => {
    const store = join(directory, 'turns.db');
    const first = new Conclave({ store });
    const result = await first.run(twoAgents);
    await first.close();
    const second = new Conclave({ store });
    const next = await second.send(result.sessionId, 'Now in French.');
    expect(next.turns).toBe(2);
    expect(next.status).toBe('idle');
    expect((await second.sessions()).map((session) => session.id)).toContain(result.sessionId);
    await expect(second.send('sesn_missing', 'hi')).rejects.toMatchObject({ code: 'session_not_found' });
    await second.close();
  });

  it('follows a session with live deltas until the caller stops', async () => {
    const conclave = new Conclave();
    const sessionId = await conclave.createSession({ ...twoAgents, agents: [{ name: 'slow', model: 'offline/persona?ttft_ms=5&tokens_per_s=2000' }] });
    const running = conclave.resume(sessionId);
    let deltas = 0;
    let idle = false;
    for await (const item of conclave.events(sessionId, { follow: true, deltas: true })) {
      if (item.type === 'delta') deltas += 1;
      else if (item.event.type === 'session.status_idle') {
        idle = true;
        break;
      }
    }
    await running;
    expect(idle).toBe(true);
    expect(deltas).toBeGreaterThan(1);
    await conclave.close();
  });

  it('registers a topology of its own, usable from YAML, and refuses a name clash', async () => {
    const echoTwice = defineTopology({ ...parallelTopology, name: 'parallel-twice', description: 'parallel under another name' });
    const conclave = new Conclave({ topologies: [echoTwice] });
    const result = await conclave.run('topology: parallel-twice\ntask: hi\nagents:\n  - { name: a, model: offline/echo }\n  - { name: b, model: offline/echo }\n');
    expect(result.topology).toBe('parallel-twice');
    expect(result.answer).toContain('## a');
    await conclave.close();
    expect(() => new Conclave({ topologies: [{ ...parallelTopology }] })).toThrow(/already registered/);
    expect(() => defineTopology({ ...parallelTopology, name: 'Bad Name' })).toThrow(/not usable from a document/);
  });

  it('runs a plug-in topology whose callAgents invoke keeps its actor (onSnapshot): the call is journaled once and answers', async () => {
    const snapshots: string[] = [];
    const machine = setup({
      types: { context: {} as { task: string }, input: {} as TopologyInput, output: {} as TopologyResult },
      actors: { callAgents: callAgentsPlaceholder },
    }).createMachine({
      context: ({ input }) => ({ task: input.task }),
      initial: 'asking',
      states: {
        asking: {
          invoke: {
            src: 'callAgents',
            input: ({ context }) => ({ calls: [agentCall('ask', 'solo', userTurn(context.task), { phase: 'ask' })] }),
            onSnapshot: { actions: ({ event }) => snapshots.push(event.snapshot.status) },
            onDone: { target: 'done', actions: assign({ task: ({ event }) => (event.output[0] as AgentReply).text }) },
          },
        },
        done: { type: 'final' },
      },
      output: ({ context }) => ({ answer: context.task, reason: 'answered', aggregation: 'only' }),
    });
    const watched = defineTopology({ name: 'watched-call', description: 'one call, its actor watched', options: z.strictObject({}), minAgents: 1, machine });
    const conclave = new Conclave({ topologies: [watched] });
    const result = await conclave.run('topology: watched-call\ntask: hello there\nagents:\n  - { name: solo, model: offline/echo }\n');
    expect(result.status).toBe('idle');
    expect(result.answer).toContain('hello there');
    expect(snapshots).toContain('active');
    const completed = [];
    for await (const event of conclave.events(result.sessionId)) if (event.type === 'command.completed') completed.push(event);
    expect(completed).toHaveLength(1);
    await conclave.close();
  });

  it('runs a host tool in process, journaled, and resumes an interrupted call without paying for the model again', async () => {
    const store = join(directory, 'tools.db');
    const controller = new AbortController();
    let calls = 0;
    const lookupOrder = defineTool({
      name: 'lookup_order',
      description: 'Status of an order',
      inputSchema: { type: 'object', properties: { id: { type: 'string' } }, required: ['id'] },
      execute: async ({ id }, { signal }) => {
        calls += 1;
        if (calls === 1) {
          // The first call is interrupted while it runs: it never completes, so it runs again on resume.
          controller.abort();
          await new Promise((resolve) => signal.addEventListener('abort', resolve, { once: true }));
          throw new Error('interrupted');
        }
        return `order ${String(id)}: shipped on Monday`;
      },
    });
    const document = 'topology: pipeline\ntask: Where is order 42?\nagents:\n  - name: support\n    model: offline/scripted?script=examples/scripts/lookup-order.yaml\n    tools: [lookup_order]\n';
    const first = new Conclave({ store, tools: [lookupOrder] });
    const stopped = await first.run(document, { signal: controller.signal });
    expect(stopped.status).toBe('idle');
    expect(stopped.stopReason).toBe('interrupted');
    await first.close();

    const second = new Conclave({ store, tools: [lookupOrder] });
    const result = await second.resume(stopped.sessionId);
    expect(result.answer).toBe('Order 42 was shipped on Monday.');
    expect(calls).toBe(2);
    const events = [];
    for await (const event of second.events(stopped.sessionId)) events.push(event);
    const firstModelStarts = events.filter((event) => event.type === 'command.started' && event.data['commandId'] === 'pipeline/pass:1/stage:0/generate:0');
    expect(firstModelStarts).toHaveLength(1);
    expect(events.find((event) => event.type === 'agent.tool_result')?.data['output']).toBe('order 42: shipped on Monday');
    await second.close();
  });

  it('refuses a host tool named like a built-in, and an agent listing an unknown tool names the host tools', async () => {
    const tool = defineTool({ name: 'lookup_order', description: 'x', inputSchema: { type: 'object' }, execute: () => 'x' });
    expect(() => new Conclave({ tools: [{ ...tool, name: 'bash' }] })).toThrow(/built-in/);
    const conclave = new Conclave({ tools: [tool] });
    const error = await conclave.validate('topology: pipeline\nagents:\n  - { name: a, model: offline/echo, tools: [lookup_ordr] }\n').catch((thrown: unknown) => thrown as ConclaveError);
    expect(error).toBeInstanceOf(ConclaveError);
    expect(JSON.stringify(error)).toContain('did you mean \\"lookup_order\\"');
    await conclave.close();
  });
});
