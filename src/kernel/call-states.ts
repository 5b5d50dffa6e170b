/**
 * Compiles a topology machine's `callAgents` invokes into a request and a reply on the run's own
 * actor. A state that invokes `callAgents` becomes a state whose last entry action starts the calls
 * and whose `onDone` / `onError` transitions listen for the very events XState would have sent
 * (`xstate.done.actor.<invoke id>` with `output`, `xstate.error.actor.<invoke id>` with `error`), so
 * the machine's own transitions, guards and actions run unchanged. What goes is the child actor
 * XState creates, starts, registers and stops for every call (≈ 20 µs and a few KB a step).
 *
 * Stopping is kept too: leaving the state (or stopping the actor) forgets the calls it started, and
 * a reply that comes back after that is dropped, as a stopped child's would be — so a late error
 * never fails a machine that has moved on. An invoke this cannot compile faithfully (one with
 * `onSnapshot`, a `systemId`, or in a state whose `on` handles an event its `onDone` or `onError`
 * handles too) is left as it is, under its own id, and the kernel's `callAgents` actor serves it.
 */
import { createMachine, type AnyActorRef, type AnyStateMachine } from 'xstate';
import { callAgentsActorName } from '../protocol/index.js';

/** One compiled invoke: its XState id and the event types its reply and failure arrive as. */
interface CompiledCall {
  readonly id: string;
  readonly doneType: string;
  readonly errorType: string;
}

/**
 * Runs the calls of a compiled state (its invoke's input, resolved) for the actor `self`; the
 * topology runner supplies it. Called once per entry of the state.
 */
export type CallRunner = (self: AnyActorRef, input: unknown) => Promise<unknown>;

/**
 * Per actor: the number of each compiled invoke's latest start, 0 once its reply came or its state
 * was left (set to 0, not deleted: a map that grows and shrinks by one entry a step reallocates).
 */
const running = new WeakMap<AnyActorRef, Map<string, number>>();
let starts = 0;

function startCalls(self: AnyActorRef, call: CompiledCall, input: unknown, runCalls: CallRunner): void {
  let calls = running.get(self);
  if (calls === undefined) {
    calls = new Map();
    running.set(self, calls);
  }
  const started = (starts += 1);
  calls.set(call.id, started);
  // Whether this start is still the state's own: not left, not started again, actor not stopped.
  const current = (): boolean => {
    if (calls.get(call.id) !== started) return false;
    calls.set(call.id, 0);
    return self.getSnapshot().status === 'active';
  };
  let work: Promise<unknown>;
  try {
    work = runCalls(self, input);
  } catch (error) {
    work = Promise.reject(error);
  }
  work.then(
    (output) => {
      if (current()) self.send({ type: call.doneType, output, actorId: call.id });
    },
    (error: unknown) => {
      if (current()) self.send({ type: call.errorType, error, actorId: call.id });
    },
  );
}

function cancelCalls(self: AnyActorRef, call: CompiledCall): void {
  running.get(self)?.set(call.id, 0);
}

/** The parts of XState's state node this reads (its public fields). */
interface StateNodeLike {
  config: Record<string, unknown>;
  invoke: ReadonlyArray<{ id: string }>;
  states: Record<string, StateNodeLike>;
}

interface ActionArgs {
  context: unknown;
  event: unknown;
  self: AnyActorRef;
}

type InputMapper = (args: ActionArgs) => unknown;

const compilableKeys = new Set(['src', 'input', 'onDone', 'onError', 'id']);

function toArray(value: unknown): unknown[] {
  if (value === undefined) return [];
  return Array.isArray(value) ? value : [value];
}

function isCompilable(invoke: unknown, on: Record<string, unknown> | undefined, id: string): invoke is Record<string, unknown> {
  if (typeof invoke !== 'object' || invoke === null) return false;
  const config = invoke as Record<string, unknown>;
  if (config['src'] !== callAgentsActorName) return false;
  for (const key of Object.keys(config)) if (!compilableKeys.has(key)) return false;
  // A state may handle the invoke's events in `on` itself; only one handler of each can stay.
  if (on === undefined) return true;
  return !((config['onDone'] !== undefined && on[`xstate.done.actor.${id}`] !== undefined) || (config['onError'] !== undefined && on[`xstate.error.actor.${id}`] !== undefined));
}

/** Compiles a state node and its children; `compiled` counts the invokes it turned into events. */
function compileState(node: StateNodeLike, runCalls: CallRunner, compiled: { count: number }): Record<string, unknown> {
  const config: Record<string, unknown> = { ...node.config };
  const invokes = toArray(node.config['invoke']);
  if (invokes.length > 0) {
    const on = node.config['on'] as Record<string, unknown> | undefined;
    const kept: unknown[] = [];
    const entry: unknown[] = toArray(node.config['entry']);
    const exit: unknown[] = toArray(node.config['exit']);
    const handlers: Record<string, unknown> = { ...on };
    invokes.forEach((invoke, index) => {
      const id = node.invoke[index]?.id;
      if (id === undefined || !isCompilable(invoke, on, id)) {
        // Under the id it had: its position among the invokes may change, and with it XState's default id.
        kept.push(id !== undefined && typeof invoke === 'object' && invoke !== null ? { ...invoke, id } : invoke);
        return;
      }
      compiled.count += 1;
      const call: CompiledCall = { id, doneType: `xstate.done.actor.${id}`, errorType: `xstate.error.actor.${id}` };
      const input = invoke['input'];
      // As XState resolves an invoke's input: from the context and event of the state's entry.
      entry.push((args: ActionArgs) => startCalls(args.self, call, typeof input === 'function' ? (input as InputMapper)({ context: args.context, event: args.event, self: args.self }) : input, runCalls));
      exit.push((args: ActionArgs) => cancelCalls(args.self, call));
      if (invoke['onDone'] !== undefined) handlers[call.doneType] = invoke['onDone'];
      if (invoke['onError'] !== undefined) handlers[call.errorType] = invoke['onError'];
    });
    if (kept.length === 0) delete config['invoke'];
    else config['invoke'] = kept;
    if (entry.length > 0) config['entry'] = entry;
    if (exit.length > 0) config['exit'] = exit;
    if (Object.keys(handlers).length > 0) config['on'] = handlers;
  }
  const states = node.states;
  if (Object.keys(states).length > 0) {
    const children: Record<string, unknown> = {};
    for (const [key, child] of Object.entries(states)) children[key] = compileState(child, runCalls, compiled);
    config['states'] = children;
  }
  return config;
}

/**
 * The machine with its `callAgents` invokes compiled into request and reply events (see the
 * module's comment), with the same implementations. A machine without any comes back as it is.
 *
 * @example
 * const machine = compileCallStates(pipelineTopology.machine, (self, input) => runAgentCalls(runs.get(self.system), input));
 */
export function compileCallStates(machine: AnyStateMachine, runCalls: CallRunner): AnyStateMachine {
  const compiled = { count: 0 };
  const config = compileState(machine.root as unknown as StateNodeLike, runCalls, compiled);
  if (compiled.count === 0) return machine;
  return createMachine(config as Parameters<typeof createMachine>[0], machine.implementations as Parameters<typeof createMachine>[1]);
}
