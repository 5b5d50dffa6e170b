/**
 * The command dispatcher: the one door between topology machines and providers. For every model
 * call it journals `command.started` before dispatch (the first one carrying the call's step) and
 * `command.completed` or `command.failed` after; a command already completed in the log is answered
 * from the log without calling anyone.
 * Retryable failures are retried with backoff; the AbortSignal reaches the provider.
 */
import {
  ConclaveError,
  parseModelRef,
  toConclaveError,
  type CommandCompletedData,
  type CommandFailedData,
  type CommandStartedData,
  type Cost,
  type FinishReason,
  type GenerateRequest,
  type CallTimeouts,
  type Message,
  type ProvidersSection,
  modelChain,
  type ModelAgent,
  type ModelCommandInput,
  type ModelRef,
  type ProviderAdapter,
  type ToolDefinition,
  type StepInfo,
  type ToolCall,
  type Usage,
} from '../protocol/index.js';
import { createAttemptSignal, type AttemptSignal } from './attempt-signal.js';
import { abortedError, type Clock } from './clock.js';
import type { ProviderAccess } from './provider-access.js';
import type { SessionTrust } from './kernel-options.js';
import type { Journal } from './journal.js';
import type { LiveEvents } from './live-events.js';
import { LiveOutput } from './live-output.js';
import { retryDelay, type RetryPolicy } from './retry-policy.js';
import { modelCost } from './model-cost.js';
import { promptCacheFor } from './prompt-cache.js';
import { fitContextWindow } from './context-window.js';
import type { SessionWriter } from './session-writer.js';
import type { StreamRedactor } from '../vault/index.js';

export interface ModelCall {
  commandId: string;
  agent: ModelAgent;
  messages: Message[];
  responseFormat?: GenerateRequest['responseFormat'];
  /** Tools offered to the model in this round (see `tool-loop.ts`). */
  tools?: ToolDefinition[];
  step: StepInfo;
  seed: number;
}

export interface ModelCallResult {
  text: string;
  usage: Usage;
  cost: Cost;
  toolCalls?: ToolCall[];
  /** Sequence number of the `command.completed` event: the order in which calls finished. */
  completedSeq: number;
  replayed: boolean;
}

export interface DispatcherContext {
  sessionId: string;
  writer: SessionWriter;
  journal: Journal;
  live: LiveEvents;
  clock: Clock;
  retry: RetryPolicy;
  access: ProviderAccess;
  /** Whether the session's document came from an API caller (its keys and files are confined). */
  trust?: SessionTrust;
  /** The document's `providers:` section (base URLs, key variables, limits, prices). */
  providers?: ProvidersSection;
  timeouts?: CallTimeouts;
  /** [0, 1) numbers for backoff jitter; timing only, never outcomes. */
  random(): number;
  /** Replaces secret values in a model's output (text and tool-call inputs) before anyone sees it. */
  redact?: <T>(value: T) => T;
  /**
   * A fresh redactor for one stream of live deltas, which holds back a tail that could begin a
   * secret (`createStreamRedactor`); absent, each delta is redacted alone with `redact`.
   */
  streamRedactor?: () => StreamRedactor;
  /** The session's budget, when it has one: checked before each model call that is not in the journal. */
  budget?: { beforeCall(call: ModelCall): Promise<void> };
}

const zeroUsage: Usage = { inputTokens: 0, outputTokens: 0 };

/** Parsed model references by their text; a document's few models are parsed once, not per call. */
const modelReferences = new Map<string, ModelRef | undefined>();
/** Past this many distinct references the cache starts over (documents are user input). */
const modelReferencesKept = 1000;

/** `parseModelRef`, remembered. The result is shared: nobody may change it. */
function modelReference(model: string): ModelRef | undefined {
  if (modelReferences.has(model)) return modelReferences.get(model);
  if (modelReferences.size >= modelReferencesKept) modelReferences.clear();
  const reference = parseModelRef(model);
  modelReferences.set(model, reference);
  return reference;
}

/**
 * Runs one model call as a journaled, replayable command.
 *
 * @example
 * const reply = await dispatchModelCall(context, {
 *   commandId: 'debate/round:1/agent:0/generate:0', agent, messages, step, seed: 7,
 * }, signal);
 */
export function dispatchModelCall(context: DispatcherContext, call: ModelCall, signal: AbortSignal): Promise<ModelCallResult> {
  const done = context.journal.completed.get(call.commandId);
  if (done !== undefined) return Promise.resolve(fromJournal(done, context.journal.completedSeq.get(call.commandId) ?? 0));
  const chain = modelChain(call.agent);
  // The common call (no budget to check, no context to fit, one model) is its attempts' own promise:
  // no frame of this function waits beside it for the reply.
  if (context.budget === undefined && call.agent.context === undefined && chain.length === 1) return callModel(context, call, chain, 0, signal) as Promise<ModelCallResult>;
  return dispatchChecked(context, call, chain, signal);
}

/** A call with a budget, a context window to fit, or fallback models. */
async function dispatchChecked(context: DispatcherContext, call: ModelCall, chain: readonly string[], signal: AbortSignal): Promise<ModelCallResult> {
  // A session with a budget: refused (journaled `budget.exceeded`, `budget_exceeded` thrown) once a limit is reached.
  if (context.budget !== undefined) await context.budget.beforeCall(call);
  // An agent with `context:`: the request is brought under its max_input_tokens (context-window.ts).
  if (call.agent.context !== undefined) call = await fitContextWindow(context, call, signal, dispatchModelCall);

  const failures: string[] = [];
  for (let index = 0; index < chain.length; index += 1) {
    const result = await callModel(context, call, chain, index, signal, failures);
    if (result !== undefined) return result;
  }
  throw new ConclaveError('internal', `agent "${call.agent.name}" has no model`);
}

/**
 * The failure of a call whose last model gave up: `agent_failed`, naming every model of the chain
 * and why each failed (`failures`, in order, the last one's included).
 */
function agentFailed(call: ModelCall, chain: readonly string[], failures: readonly string[], error: ConclaveError, attempts: number): ConclaveError {
  const summary = chain.length > 1 ? `every model of its fallback chain failed — ${failures.join('; ')}` : error.message;
  return new ConclaveError(
    'agent_failed',
    `agent "${call.agent.name}" (${chain.join(' → ')}) failed${chain.length === 1 && attempts > 1 ? ` after ${attempts} attempts` : ''}: ${summary}`,
    { category: error.category, retryable: false, cause: error, ...(error.hint !== undefined ? { hint: error.hint } : {}) },
  );
}

/**
 * Model `index` of the call's chain: attempts with backoff until success or a final failure, which is
 * journaled (with `fallbackTo` when another model will take over). Resolves with the result, or with
 * undefined when this model gave up and the next takes over (its failure noted in `failures`); the
 * chain's last model throws its final failure as `agent_failed` (see `agentFailed`). Aborts and
 * store conflicts throw.
 */
async function callModel(context: DispatcherContext, call: ModelCall, chain: readonly string[], index: number, signal: AbortSignal, failures: string[] = []): Promise<ModelCallResult | undefined> {
  const model = chain[index] as string;
  const fallback = chain[index + 1];
  const reference = modelReference(model);
  if (reference === undefined) {
    throw new ConclaveError('unknown_model', `agent "${call.agent.name}": model "${model}" is not provider/model`);
  }
  const settings = context.providers?.[reference.provider];
  const adapter = context.access.adapter(reference.provider, settings, context.trust);
  const limiter = context.access.limiter(reference.provider, settings);
  const input: ModelCommandInput = { agent: call.agent.name, model, messages: call.messages, seed: call.seed };
  if (call.agent.system !== undefined) input.system = call.agent.system;
  if (call.agent.temperature !== undefined) input.temperature = call.agent.temperature;
  if (call.agent.max_tokens !== undefined) input.maxTokens = call.agent.max_tokens;
  const request: GenerateRequest = { model: reference.model, messages: call.messages, seed: call.seed };
  if (input.system !== undefined) request.system = input.system;
  if (input.temperature !== undefined) request.temperature = input.temperature;
  if (input.maxTokens !== undefined) request.maxTokens = input.maxTokens;
  if (call.responseFormat !== undefined) request.responseFormat = input.responseFormat = call.responseFormat;
  request.cache = promptCacheFor(context.sessionId, call.agent, settings);
  if (call.tools !== undefined && call.tools.length > 0) {
    request.tools = call.tools;
    input.tools = call.tools.map((tool) => tool.name);
  }

  for (let attempt = 1; ; attempt += 1) {
    if (signal.aborted) throw abortedError(signal);
    // No limiter, no await: an `await undefined` would still cost a turn of the microtask queue.
    const release = limiter === undefined ? undefined : await limiter.acquire(signal);
    let tokens = 0;
    const started: CommandStartedData = { commandId: call.commandId, kind: 'model.generate', attempt, input };
    // The step is journaled once per command, on its first `command.started` (there is no separate
    // `topology.step` event any more); later attempts and fallback models leave it out.
    if (!context.journal.stepped.has(call.commandId)) {
      started.step = call.step;
      context.journal.stepped.set(call.commandId, call.step);
    }
    await context.writer.append([{ type: 'command.started', data: started }]);
    // Counted over the whole log, so a fallback model or a resumed run never repeats a number live clients saw.
    const live = new LiveOutput(context, call.commandId, call.agent.name, Math.max(attempt, context.journal.startedCount.get(call.commandId) ?? 0));

    const startedAt = context.clock.monotonic();
    const attemptSignal = createAttemptSignal(signal, context.timeouts);
    try {
      // An interrupt heard while `command.started` was committing (one another process journaled
      // before it, absorbed by that very append) stops the call before any provider sees it.
      if (signal.aborted) throw abortedError(signal);
      const streamed = await consumeStream(context, adapter, request, attempt, attemptSignal, startedAt, live);
      // A model that repeats a secret passes it on to nobody: not the next agent, not a tool, not the log.
      const outcome = context.redact === undefined ? streamed : { ...streamed, text: context.redact(streamed.text), toolCalls: context.redact(streamed.toolCalls) };
      tokens = outcome.usage.inputTokens + outcome.usage.outputTokens;
      const latencyMs = round(context.clock.monotonic() - startedAt);
      const cost = modelCost(context.access.price(adapter, reference.name, reference.model, settings), adapter.simulated, outcome.usage);
      const completed: CommandCompletedData = {
        commandId: call.commandId,
        kind: 'model.generate',
        attempt,
        output: outcome.toolCalls.length > 0
          ? { text: outcome.text, finishReason: outcome.finishReason, toolCalls: outcome.toolCalls }
          : { text: outcome.text, finishReason: outcome.finishReason },
        model,
        agent: call.agent.name,
        usage: outcome.usage,
        cost,
        latencyMs,
        simulated: adapter.simulated,
      };
      if (outcome.timeToFirstTokenMs !== undefined) completed.timeToFirstTokenMs = outcome.timeToFirstTokenMs;
      // Not awaited: the completion commits with the next command's `command.started`, which the
      // dispatcher does await before calling any provider — one transaction per step, and no call
      // is ever made while an earlier completion is not durable. Failures resurface on that await.
      const queued = context.writer.enqueue([
        { type: 'command.completed', data: completed },
        { type: 'agent.message', data: { commandId: call.commandId, agent: call.agent.name, text: outcome.text, step: call.step } },
      ]);
      queued.stored.catch(ignore);
      const result: ModelCallResult = { text: outcome.text, usage: outcome.usage, cost, completedSeq: queued.firstSeq, replayed: false };
      if (outcome.toolCalls.length > 0) result.toolCalls = outcome.toolCalls;
      return result;
    } catch (thrown) {
      const error = signal.aborted ? abortedError(signal) : (attemptSignal.timeoutError() ?? toConclaveError(thrown));
      const delay = error.code === 'aborted' ? undefined : retryDelay(error, attempt, context.retry, context.random());
      const failed: CommandFailedData = { commandId: call.commandId, kind: 'model.generate', attempt, model, error: error.toJSON(), willRetry: delay !== undefined };
      if (delay !== undefined) failed.retryInMs = delay;
      else if (fallback !== undefined && error.code !== 'aborted') failed.fallbackTo = fallback;
      await context.writer.append([{ type: 'command.failed', data: failed }]);
      if (delay === undefined) {
        if (error.code === 'aborted' || error.code === 'store_conflict') throw error;
        failures.push(`${model}: ${error.message}`);
        if (fallback === undefined) throw agentFailed(call, chain, failures, error, attempt);
        return undefined;
      }
      await context.clock.sleep(delay, signal);
    } finally {
      attemptSignal.dispose();
      release?.(tokens);
    }
  }
}

interface StreamOutcome {
  text: string;
  usage: Usage;
  finishReason: FinishReason;
  toolCalls: ToolCall[];
  timeToFirstTokenMs?: number;
}

async function consumeStream(
  context: DispatcherContext,
  adapter: ProviderAdapter,
  request: GenerateRequest,
  attempt: number,
  attemptSignal: AttemptSignal,
  startedAt: number,
  live: LiveOutput,
): Promise<StreamOutcome> {
  const outcome: StreamOutcome = { text: '', usage: zeroUsage, finishReason: 'stop', toolCalls: [] };
  const signal = attemptSignal.signal;
  for await (const part of adapter.generate(request, { signal, attempt })) {
    attemptSignal.observe(part.type);
    switch (part.type) {
      case 'text-delta':
        if (outcome.timeToFirstTokenMs === undefined) outcome.timeToFirstTokenMs = round(context.clock.monotonic() - startedAt);
        // Offered before it joins the text, so a subscriber arriving now is primed with what came before.
        live.publish('text', part.delta, outcome.text);
        outcome.text += part.delta;
        break;
      case 'reasoning-delta':
        live.publish('reasoning', part.delta, outcome.text);
        break;
      case 'tool-call':
        outcome.toolCalls.push({ toolCallId: part.toolCallId, toolName: part.toolName, input: part.input });
        break;
      case 'usage':
        outcome.usage = part.usage;
        break;
      case 'finish':
        outcome.finishReason = part.finishReason;
        break;
      case 'error':
        throw attemptSignal.timeoutError() ?? ConclaveError.fromJSON(part.error);
      case 'stream-start':
        break;
    }
  }
  if (signal.aborted) throw attemptSignal.timeoutError() ?? abortedError(signal);
  // Only a stream that ended well releases what its redactors held back; a failed attempt's held
  // tail (possibly the first half of a secret) is dropped with it, its text superseded anyway.
  live.end();
  return outcome;
}

/** For appends whose failure resurfaces elsewhere (on the next awaited append). */
function ignore(): undefined {
  return undefined;
}

function fromJournal(done: CommandCompletedData, completedSeq: number): ModelCallResult {
  const output = done.output as { text?: string; toolCalls?: ToolCall[] };
  const result: ModelCallResult = {
    text: output.text ?? '',
    usage: done.usage ?? zeroUsage,
    cost: done.cost ?? { usd: 0 },
    completedSeq,
    replayed: true,
  };
  if (output.toolCalls !== undefined) result.toolCalls = output.toolCalls;
  return result;
}


function round(ms: number): number {
  return Math.round(ms * 100) / 100;
}
