/**
 * Runs a topology machine inside a scope. The kernel supplies the machine's `callAgents` actor:
 * each agent call becomes a journaled model command, or — when the slot holds a topology — a nested
 * run whose commands are journaled under the parent's command id, so nested sessions replay too.
 * (Children an agent spawns at run time with `spawn_agent` run the same way: `spawn-agent.ts`.)
 */
import { createActor, fromPromise, type AnyStateMachine } from 'xstate';
import {
  ConclaveError,
  callAgentsActorName,
  commandPath,
  isAgentFailure,
  isNestedTopology,
  onAgentErrorSchema,
  toConclaveError,
  type AgentCall,
  type AgentReply,
  type AgentSlot,
  type NestedTopologyAgent,
  type CallAgentsInput,
  type OnAgentError,
  type Registry,
  type TopologyDefinition,
  type TopologyInput,
  type TopologyResult,
} from '../protocol/index.js';
import { compileCallStates, type CallRunner } from './call-states.js';
import { abortedError } from './clock.js';
import type { ModelCall } from './dispatcher.js';
import { callModelSlot } from './spawn-agent.js';
import { deriveSeed } from './seeds.js';
import { addUsage } from './usage-sum.js';
import { modelCommandIds, slotNamed, stepOf } from './topology-scope.js';
import type { NestedResult, RunTotals, SkippedCall, TopologyRunContext, TopologyRunOutcome, TopologyScope } from './topology-run-types.js';

export type { NestedResult, RunTotals, SkippedCall, TopologyRunContext, TopologyRunOutcome, TopologyScope } from './topology-run-types.js';

/**
 * Resolves an alias to its topology, with the alias's preset options under the caller's own —
 * so command ids always carry canonical names, however a slot or caller spelled the topology.
 *
 * @example
 * resolveAlias(registry, 'circular', {}) // → { topology: 'pipeline', options: { passes: 2 } }
 */
export function resolveAlias(registry: Registry, topology: string, options: Record<string, unknown> | undefined): { topology: string; options: Record<string, unknown> } {
  const alias = registry.aliases.get(topology);
  if (alias === undefined) return { topology, options: options ?? {} };
  return { topology: alias.topology, options: { ...alias.options, ...options } };
}

interface ActiveRun {
  context: TopologyRunContext;
  scope: TopologyScope;
  totals: RunTotals;
  /** The run's signal: every call of the run listens to it. */
  signal: AbortSignal;
  /** The run's failure policy (its options', else inherited); an agent slot's own wins over it. */
  policy: OnAgentError;
  /** Calls skipped in this run and in its nested runs, in call order. */
  skipped: SkippedCall[];
  /** Results of nested slots by the slot call's path in this run. */
  nested: Record<string, NestedResult>;
}

/** What one agent call gives back to its batch: the reply, plus a nested run's skips and result. */
interface CallOutcome {
  reply: AgentReply;
  skipped: SkippedCall[];
  nested?: NestedResult;
}

/** The run each actor system belongs to: how a shared `callAgents` finds its session. */
const runs = new WeakMap<object, ActiveRun>();

/**
 * The calls of a compiled `callAgents` state (call-states.ts), which starts them on entry and
 * turns their outcome into XState's own done or error event; the invoked `callAgents` below runs
 * them too. The machine is compiled once per topology, so the calls find their run through the
 * actor system. They listen to the run's signal:
 * no topology machine leaves a calling state other than on its reply, so a run's calls are stopped
 * only when the whole run stops, and a run stops on its signal.
 */
const runCompiledCalls: CallRunner = (self, input) => {
  const run = runs.get(self.system);
  if (run === undefined) return Promise.reject(new ConclaveError('internal', 'callAgents was started outside a topology run'));
  return runAgentCalls(run, input as CallAgentsInput);
};

/** Built once: making a zod schema costs more than parsing with it (≈ 2 % of a one-call session). */
const optionalOnAgentError = onAgentErrorSchema.optional();

const promiseResolved = 'xstate.promise.resolve';
const promiseRejected = 'xstate.promise.reject';

/**
 * `callAgents` as an invoked actor, for the invokes `compileCallStates` leaves as they are (a
 * third-party machine's invoke with `onSnapshot`, say). It is XState's `fromPromise` without the
 * AbortController each invoked promise actor makes: its calls listen to the run's signal too.
 */
const callAgents: ReturnType<typeof fromPromise<AgentReply[], CallAgentsInput>> = {
  ...fromPromise<AgentReply[], CallAgentsInput>(() => Promise.reject(new ConclaveError('internal', 'callAgents started without its run'))),
  start(snapshot, { self }) {
    if (snapshot.status !== 'active') return;
    runCompiledCalls(self, snapshot.input).then(
      (replies) => {
        if (self.getSnapshot().status === 'active') self.send({ type: promiseResolved, data: replies });
      },
      (error: unknown) => {
        if (self.getSnapshot().status === 'active') self.send({ type: promiseRejected, data: error });
      },
    );
  },
};

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- any topology
const provided = new WeakMap<TopologyDefinition<any>, AnyStateMachine>();

/** The topology's machine as the kernel runs it: `callAgents` provided, its invokes compiled. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- any topology
function providedMachine(definition: TopologyDefinition<any>): AnyStateMachine {
  let machine = provided.get(definition);
  if (machine === undefined) {
    machine = compileCallStates(definition.machine.provide({ actors: { [callAgentsActorName]: callAgents } }), runCompiledCalls);
    provided.set(definition, machine);
  }
  return machine;
}

/**
 * Runs a topology to its final state and returns its result. Rejects with the machine's error
 * (an `agent_failed` from the dispatcher, say) or with `aborted` when the signal aborts.
 *
 * @example
 * const result = await runTopology(context, { topology: 'debate', prefix: 'debate', task, agents, options, seed: 7 }, signal);
 */
export function runTopology(context: TopologyRunContext, scope: TopologyScope, signal: AbortSignal): Promise<TopologyRunOutcome> {
  const totals: RunTotals = { usage: { inputTokens: 0, outputTokens: 0 }, cost: { usd: 0 }, lastCompletedSeq: 0 };
  const definition = context.registry.topologies.get(scope.topology);
  if (definition === undefined) {
    return Promise.reject(new ConclaveError('unknown_topology', `unknown topology "${scope.topology}"`));
  }
  // The failure policy is every topology's option; a topology whose schema lacks it (one defined
  // outside this repository) gets its options without it.
  const policy = optionalOnAgentError.safeParse(scope.options?.['on_agent_error']);
  if (!policy.success) {
    return Promise.reject(new ConclaveError('invalid_document', `invalid options for topology "${scope.topology}" at ${scope.prefix}: on_agent_error must be "fail" or "skip"`));
  }
  // Options are parsed here too (not only by the document loader), so programmatic callers and
  // nested slots get the documented defaults; parsing is idempotent on already-normalised options.
  let parsed = definition.options.safeParse(scope.options ?? {});
  if (!parsed.success && policy.data !== undefined) {
    const { on_agent_error: _policy, ...rest } = scope.options;
    const withoutPolicy = definition.options.safeParse(rest);
    if (withoutPolicy.success) parsed = withoutPolicy;
  }
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${issue.path.join('.') || '(options)'}: ${issue.message}`).join('; ');
    return Promise.reject(new ConclaveError('invalid_document', `invalid options for topology "${scope.topology}" at ${scope.prefix}: ${problems}`));
  }
  const input: TopologyInput = { task: scope.task, agents: scope.agents, options: parsed.data as Record<string, unknown>, seed: scope.seed };
  const actor = createActor(providedMachine(definition), { input });
  const run: ActiveRun = { context, scope, totals, signal, policy: policy.data ?? scope.onAgentError ?? documentPolicy(context), skipped: [], nested: {} };
  runs.set(actor.system, run);

  return new Promise<TopologyRunOutcome>((resolve, reject) => {
    const onAbort = (): void => {
      // Reject first: stopping an actor notifies `complete`, which must not win the race.
      reject(abortedError(signal));
      actor.stop();
    };
    if (signal.aborted) return onAbort();
    signal.addEventListener('abort', onAbort, { once: true });
    actor.subscribe({
      complete: () => {
        signal.removeEventListener('abort', onAbort);
        const snapshot = actor.getSnapshot();
        if (snapshot.status !== 'done') return reject(new ConclaveError('topology_failed', `topology "${scope.topology}" stopped before finishing`));
        resolve({ result: withRunDetails(snapshot.output as TopologyResult, run), totals, skipped: run.skipped });
      },
      error: (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(toConclaveError(error, 'topology_failed'));
      },
    });
    actor.start();
  });
}

/**
 * Runs a batch of agent calls with bounded concurrency and returns replies in call order. A call
 * that fails for good is skipped when its policy (the slot's `on_agent_error`, else the run's) is
 * `skip` and the failure is the agent's own (`isAgentFailure`; never an interruption): its reply is
 * marked `skipped`, the skip is journaled (`agent.skipped`) before the batch goes on, and the other
 * calls carry on. After any other failure no further calls start; calls already in flight finish
 * (their results are journaled, so a resume does not pay for them again) and the first failure is
 * reported.
 */
function runAgentCalls(run: ActiveRun, input: CallAgentsInput): Promise<AgentReply[]> {
  const { context, scope } = run;
  const calls = input.calls;
  try {
    // Steering waiting for this step goes to its model calls (nested slots take it at their own steps).
    context.conversation?.deliver(() => modelCommandIds(scope, calls));
  } catch (error) {
    return Promise.reject(error);
  }
  if (calls.length !== 1) return runBatch(run, calls, input.concurrency);
  // Every sequential step: the call's own promise and one continuation, no frame waiting beside it.
  const call = calls[0] as AgentCall;
  const work = runAgentCallOrSkip(run, call);
  context.track?.(work);
  return work.then((outcome) => {
    addReply(run.totals, outcome.reply);
    recordOutcome(run, call, outcome);
    return [outcome.reply];
  });
}

/** Several calls of one step, at most `concurrency` at once; replies in call order. */
async function runBatch(run: ActiveRun, calls: readonly AgentCall[], concurrency: number | undefined): Promise<AgentReply[]> {
  const { context, totals } = run;
  const outcomes = new Array<CallOutcome>(calls.length);
  const limit = Math.max(1, Math.min(concurrency ?? calls.length, calls.length));
  let next = 0;
  let failure: unknown;

  const worker = async (): Promise<void> => {
    while (failure === undefined && next < calls.length) {
      const index = next;
      next += 1;
      const call = calls[index] as AgentCall;
      try {
        const outcome = await runAgentCallOrSkip(run, call);
        addReply(totals, outcome.reply);
        outcomes[index] = outcome;
      } catch (error) {
        failure ??= error;
      }
    }
  };
  const work = limit === 1 ? worker() : Promise.all(Array.from({ length: limit }, worker));
  context.track?.(work);
  await work;
  if (failure !== undefined) throw failure;
  // Skips and nested results are recorded in call order, so a replay lists them the same way.
  calls.forEach((call, index) => recordOutcome(run, call, outcomes[index] as CallOutcome));
  return outcomes.map((outcome) => outcome.reply);
}

/** Records a finished call's skips and nested result in its run. */
function recordOutcome(run: ActiveRun, call: AgentCall, outcome: CallOutcome): void {
  if (outcome.skipped.length > 0) run.skipped.push(...outcome.skipped);
  if (outcome.nested !== undefined) run.nested[call.path] = outcome.nested;
}

/** The policy of one call: the slot's own `on_agent_error`, else its run's. */
function callPolicy(run: ActiveRun, slot: AgentSlot | undefined): OnAgentError {
  return slot?.on_agent_error ?? run.policy;
}

/**
 * One call, answered from the log when an earlier run skipped it; skipped now when it fails for
 * good under `skip`. Not async, like the call under it: a step's call keeps no suspended frame of
 * its own across the model's reply (see the engine benchmark's README).
 */
function runAgentCallOrSkip(run: ActiveRun, call: AgentCall): Promise<CallOutcome> {
  const path = commandPath(run.scope.prefix, call.path);
  const journaled = run.context.dispatcher.journal.skipped.get(path);
  if (journaled !== undefined) return Promise.resolve(skippedOutcome(call, path, journaled.error));
  let work: Promise<CallOutcome>;
  try {
    work = runAgentCall(run, call, path);
  } catch (error) {
    work = Promise.reject(error);
  }
  return work.catch((error: unknown) => skipOrThrow(run, call, path, error));
}

/** A call that failed: skipped (and the skip journaled) when its policy says so, else the failure again. */
async function skipOrThrow(run: ActiveRun, call: AgentCall, path: string, error: unknown): Promise<CallOutcome> {
  const { context, scope, signal } = run;
  const slot = slotNamed(scope, call.agent);
  if (callPolicy(run, slot) !== 'skip' || !isAgentFailure(error) || signal.aborted) throw error;
  const cause = error.cause;
  const failed = { code: cause instanceof ConclaveError && error.code === 'agent_failed' ? cause.code : error.code, message: error.message };
  const data: Record<string, unknown> = { path, agent: call.agent, topology: scope.topology, step: stepOf(scope, call), error: failed };
  if (slot !== undefined && !isNestedTopology(slot)) data['commandId'] = commandPath(path, 'generate:0');
  // Stored before the topology acts on it: a resume must see the skip its later steps relied on.
  await context.dispatcher.writer.append([{ type: 'agent.skipped', data }]);
  return skippedOutcome(call, path, failed);
}

function skippedOutcome(call: AgentCall, path: string, error: { code: string; message: string }): CallOutcome {
  return {
    reply: { path: call.path, agent: call.agent, text: '', usage: { inputTokens: 0, outputTokens: 0 }, cost: { usd: 0 }, completedSeq: 0, skipped: { code: error.code, message: error.message } },
    skipped: [{ agent: call.agent, path, code: error.code, message: error.message }],
  };
}

/**
 * One call at `base` (its command path): a model slot's command, or a nested topology's run. Throws
 * `topology_failed` for an agent the scope does not have; its caller turns that into a rejection.
 */
function runAgentCall(run: ActiveRun, call: AgentCall, base: string): Promise<CallOutcome> {
  const { context, scope, signal } = run;
  const slot = slotNamed(scope, call.agent);
  if (slot === undefined) {
    throw new ConclaveError('topology_failed', `topology "${scope.topology}" called agent "${call.agent}", which is not in its agents`);
  }
  if (isNestedTopology(slot)) return runNestedSlot(run, call, slot, base);
  const commandId = commandPath(base, 'generate:0');
  const modelCall: ModelCall = {
    commandId,
    agent: slot,
    messages: context.conversation?.messagesFor(commandId, call.messages) ?? call.messages,
    step: stepOf(scope, call),
    seed: deriveSeed(scope.seed, commandId),
  };
  if (call.responseFormat !== undefined) modelCall.responseFormat = call.responseFormat;
  // Tools, a spawn roster and an output schema are handled there, as for a spawned agent.
  return callModelSlot(context, slot, modelCall, signal, runTopology).then((reply) => ({
    reply: { path: call.path, agent: call.agent, text: reply.text, usage: reply.usage, cost: reply.cost, completedSeq: reply.completedSeq },
    skipped: [],
  }));
}

/** A slot that holds a topology: its run, under the slot's command path, and its answer journaled once. */
async function runNestedSlot(run: ActiveRun, call: AgentCall, slot: NestedTopologyAgent, base: string): Promise<CallOutcome> {
  const { context, scope, signal } = run;
  const lastUser = [...call.messages].reverse().find((message) => message.role === 'user');
  const resolved = resolveAlias(context.registry, slot.topology, slot.options);
  const child: TopologyScope = {
    topology: resolved.topology,
    prefix: commandPath(base, resolved.topology),
    task: lastUser?.content ?? scope.task,
    agents: slot.agents,
    options: resolved.options,
    seed: deriveSeed(scope.seed, base),
    onAgentError: run.policy,
    slots: [...(scope.slots ?? []), call.agent],
  };
  const { result, totals, skipped } = await runTopology(context, child, signal);
  const nested: NestedResult = { topology: resolved.topology, reason: result.reason, aggregation: result.aggregation };
  if (result.details !== undefined) nested.details = result.details;
  if (!context.dispatcher.journal.messaged.has(base)) {
    context.dispatcher.journal.messaged.add(base);
    context.dispatcher.writer.enqueue([
      {
        type: 'agent.message',
        data: { commandId: base, agent: call.agent, text: result.answer, step: stepOf(scope, call), nested },
      },
    ]).stored.catch(() => undefined);
  }
  return { reply: { path: call.path, agent: call.agent, text: result.answer, usage: totals.usage, cost: totals.cost, completedSeq: totals.lastCompletedSeq }, skipped, nested };
}

/** The document's `on_agent_error`, as journaled in `session.created`; `fail` when it sets none. */
function documentPolicy(context: TopologyRunContext): OnAgentError {
  const policy = context.dispatcher.journal.created?.document['on_agent_error'];
  // Most documents set none; a failed parse builds an error, so `undefined` is not parsed.
  if (policy === undefined) return 'fail';
  const parsed = onAgentErrorSchema.safeParse(policy);
  return parsed.success ? parsed.data : 'fail';
}

/**
 * The machine's result with what the run itself knows: the calls it skipped (`details.skipped`)
 * and its nested slots' results (`details.nested`, by slot path), when there are any.
 */
function withRunDetails(result: TopologyResult, run: ActiveRun): TopologyResult {
  if (run.skipped.length === 0 && Object.keys(run.nested).length === 0) return result;
  const details: Record<string, unknown> = { ...result.details };
  if (run.skipped.length > 0) details['skipped'] = run.skipped;
  if (Object.keys(run.nested).length > 0) details['nested'] = run.nested;
  return { ...result, details };
}

function addReply(totals: RunTotals, reply: AgentReply): void {
  totals.usage = addUsage(totals.usage, reply.usage);
  const simulated = totals.cost.simulated === true || reply.cost.simulated === true;
  totals.cost = simulated ? { usd: totals.cost.usd + reply.cost.usd, simulated } : { usd: totals.cost.usd + reply.cost.usd };
  totals.lastCompletedSeq = Math.max(totals.lastCompletedSeq, reply.completedSeq);
}
