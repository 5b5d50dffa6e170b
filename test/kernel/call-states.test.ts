// compileCallStates: a machine's `callAgents` invokes become a request on entry and XState's own
// done/error events, with an invoke's semantics kept: the input it would get, its onDone/onError,
// a failure without onError failing the machine, and a reply after the state was left dropped.
import { createActor, createMachine, fromPromise, setup, type AnyActorRef, type AnyStateMachine } from 'xstate';
import { describe, expect, it } from 'vitest';
import { compileCallStates } from '../../src/kernel/call-states.js';
import { agentCall, callAgentsPlaceholder, userTurn } from '../../topologies/support/call-agents.js';

interface Deferred {
  input: unknown;
  resolve(value: unknown): void;
  reject(error: unknown): void;
}

/** A call runner whose calls the test settles by hand, in the order it chooses. */
function manualCalls(): { run: (self: AnyActorRef, input: unknown) => Promise<unknown>; calls: Deferred[] } {
  const calls: Deferred[] = [];
  return {
    calls,
    run: (_self, input) =>
      new Promise((resolve, reject) => {
        calls.push({ input, resolve, reject });
      }),
  };
}

function started(machine: AnyStateMachine) {
  const actor = createActor(machine, { input: { task: 'go' } });
  actor.start();
  return actor;
}

/** Lets promise callbacks (the replies' `then`) run. */
const settle = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

const twoStages = setup({
  types: { context: {} as { task: string; replies: string[] }, input: {} as { task: string }, output: {} as string[] },
  actors: { callAgents: callAgentsPlaceholder },
}).createMachine({
  id: 'twoStages',
  context: ({ input }) => ({ task: input.task, replies: [] }),
  initial: 'first',
  states: {
    first: {
      invoke: {
        src: 'callAgents',
        input: ({ context }) => ({ calls: [agentCall('first', 'a', userTurn(context.task), { phase: 'one' })] }),
        onDone: { target: 'second', actions: ({ context, event }) => context.replies.push(String(event.output)) },
      },
    },
    second: {
      invoke: {
        src: 'callAgents',
        input: ({ context }) => ({ calls: [agentCall('second', 'b', userTurn(context.replies.join()), { phase: 'two' })] }),
        onDone: { target: 'done', actions: ({ context, event }) => context.replies.push(String(event.output)) },
      },
    },
    done: { type: 'final' },
  },
  output: ({ context }) => context.replies,
});

describe('compileCallStates', () => {
  it('starts a state’s calls on entry with the input the invoke would get, and runs its onDone on the reply, with no child actor', async () => {
    const { run, calls } = manualCalls();
    const actor = started(compileCallStates(twoStages, run));
    expect(calls.map((call) => call.input)).toMatchObject([{ calls: [{ path: 'first', messages: [{ role: 'user', content: 'go' }] }] }]);
    expect(Object.keys(actor.getSnapshot().children)).toEqual([]);
    calls[0]?.resolve('one');
    await settle();
    expect(actor.getSnapshot().value).toBe('second');
    expect(calls[1]?.input).toMatchObject({ calls: [{ path: 'second', messages: [{ role: 'user', content: 'one' }] }] });
    calls[1]?.resolve('two');
    await settle();
    expect(actor.getSnapshot()).toMatchObject({ status: 'done', output: ['one', 'two'] });
  });

  it('sends the very events XState sends for that invoke, so a transition written for them still fires', async () => {
    const machine = createMachine({
      id: 'm',
      initial: 'asking',
      states: {
        asking: {
          invoke: { id: 'ask', src: 'callAgents' },
          on: { 'xstate.done.actor.ask': 'answered' },
        },
        answered: { type: 'final' },
      },
    });
    const { run, calls } = manualCalls();
    const actor = started(compileCallStates(machine, run));
    calls[0]?.resolve([]);
    await settle();
    expect(actor.getSnapshot().status).toBe('done');
  });

  it('fails the machine with the call’s error when the state has no onError, as a failed invoke does', async () => {
    const { run, calls } = manualCalls();
    const actor = started(compileCallStates(twoStages, run));
    actor.subscribe({ error: () => undefined });
    calls[0]?.reject(new Error('provider down'));
    await settle();
    expect(actor.getSnapshot()).toMatchObject({ status: 'error', error: new Error('provider down') });
  });

  it('drops a reply that comes after its state was left: a late failure does not fail a machine that moved on', async () => {
    // Two regions call at once; the first to fail is handled by leaving both regions.
    const machine = createMachine({
      id: 'race',
      initial: 'both',
      states: {
        both: {
          type: 'parallel',
          states: {
            left: { invoke: { src: 'callAgents', input: { calls: ['left'] }, onError: { target: '#race.recovered' } } },
            right: { invoke: { src: 'callAgents', input: { calls: ['right'] } } },
          },
        },
        // Still running, and with no handler for the right region's failure.
        recovered: { invoke: { src: 'callAgents', input: { calls: ['fallback'] }, onDone: 'done' } },
        done: { type: 'final' },
      },
    });
    const { run, calls } = manualCalls();
    const actor = started(compileCallStates(machine, run));
    expect(calls.map((call) => call.input)).toEqual([{ calls: ['left'] }, { calls: ['right'] }]);
    calls[0]?.reject(new Error('left failed'));
    await settle();
    expect(actor.getSnapshot()).toMatchObject({ status: 'active', value: 'recovered' });
    calls[1]?.reject(new Error('right failed late'));
    await settle();
    expect(actor.getSnapshot()).toMatchObject({ status: 'active', value: 'recovered' });
    calls[2]?.resolve([]);
    await settle();
    expect(actor.getSnapshot().status).toBe('done');
  });

  it('drops a reply that comes after the actor was stopped', async () => {
    const { run, calls } = manualCalls();
    const actor = started(compileCallStates(twoStages, run));
    actor.stop();
    calls[0]?.reject(new Error('too late'));
    await settle();
    expect(actor.getSnapshot().status).toBe('stopped');
  });

  it('leaves an invoke it cannot compile faithfully (here one with onSnapshot) to the invoked actor', async () => {
    const machine = createMachine({
      id: 'snap',
      initial: 'asking',
      states: {
        asking: { invoke: { src: 'callAgents', onSnapshot: {}, onDone: 'answered' } },
        answered: { type: 'final' },
      },
    });
    const { run, calls } = manualCalls();
    const compiled = compileCallStates(machine.provide({ actors: { callAgents: fromPromise(async () => ['from the actor']) } }), run);
    const actor = started(compiled);
    expect(Object.keys(actor.getSnapshot().children)).toHaveLength(1);
    await settle();
    expect(actor.getSnapshot().status).toBe('done');
    expect(calls).toEqual([]);
  });

  it('keeps a left-alone invoke under its own id beside a compiled one, so each reply reaches its own handler', async () => {
    const replies: string[] = [];
    const machine = createMachine({
      id: 'mixed',
      initial: 'asking',
      states: {
        asking: {
          invoke: [
            { src: 'callAgents', onDone: { actions: () => replies.push('compiled') } },
            { src: 'callAgents', onSnapshot: {}, onDone: { actions: () => replies.push('actor') } },
          ],
        },
      },
    });
    const { run, calls } = manualCalls();
    const actor = started(compileCallStates(machine.provide({ actors: { callAgents: fromPromise(async () => ['from the actor']) } }), run));
    expect(Object.keys(actor.getSnapshot().children)).toEqual(['1.mixed.asking']);
    await settle();
    calls[0]?.resolve([]);
    await settle();
    expect(replies.sort()).toEqual(['actor', 'compiled']);
  });

  it('gives back a machine with no callAgents invoke as it is', () => {
    const machine = createMachine({ id: 'plain', initial: 'a', states: { a: { on: { go: 'b' } }, b: { type: 'final' } } });
    expect(compileCallStates(machine, manualCalls().run)).toBe(machine);
  });
});
