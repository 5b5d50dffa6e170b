/**
 * The agent step with tools: model → tool calls → sandbox → results → model, up to a limit. Every
 * model round is its own `model.generate` command (`…/generate:0`, `…/generate:1`, …) and every
 * tool call a `tool.execute` command (`…/generate:0/tool:0`), journaled like any other, so a
 * resumed session answers finished rounds and finished tool calls from the log and never runs a
 * completed tool call again. A tool failure — including a crashed sandbox — is a tool result the
 * model sees (`isError`), not a dead session.
 *
 * A call the document gates (`approval: always_ask`) or a client-run tool (`type: custom`) is
 * journaled (`command.started` with `agent.tool_use` + `permission: 'ask'`, or
 * `agent.custom_tool_use`) and not run: the branch throws `requires_action`, after the round's
 * other calls have run, and the turn idles once every other branch has finished or waits too. The
 * next run replays to it and finds the answer in the journal: allowed, the tool runs; denied, the
 * model gets an error result with the deny message; a client's result completes the command.
 */
import {
  ConclaveError,
  toConclaveError,
  type CommandCompletedData,
  type Message,
  type ToolCall,
  type ToolCallPolicy,
  type ToolDefinition,
  type Usage,
} from '../protocol/index.js';
import { dispatchModelCall, type DispatcherContext, type ModelCall, type ModelCallResult } from './dispatcher.js';
import { addUsage } from './usage-sum.js';

/** The error of a tool call stopped before it ran (before or after its `command.started`). */
function toolCallAborted(signal: AbortSignal): ConclaveError {
  return new ConclaveError('aborted', 'the tool call was aborted', { cause: signal.reason });
}

/** What a tool call came to. */
export interface ToolOutcome {
  output: string;
  isError: boolean;
}

/** Where a tool call runs: its command id and its agent (a spawned child runs under that id). */
export interface ToolCallSite {
  commandId: string;
  agent: string;
}

/** The tools of one session: offered to agents, executed in the session's sandbox. */
export interface SessionTools {
  /** The definitions an agent may call (async: MCP servers list their tools when first connected). */
  definitionsFor(agentTools: readonly string[] | undefined): Promise<ToolDefinition[]>;
  /**
   * Runs one tool call; failures are outcomes with `isError`. Throws only what stops the session —
   * an abort, `sandbox_unavailable`, and from a spawned child (`spawn-agent.ts`) a budget stop or a
   * tool call that waits for an answer. `site` is where the call runs (a child runs under its id).
   */
  execute(call: ToolCall, signal: AbortSignal, site?: ToolCallSite): Promise<ToolOutcome>;
  /** Releases what the turn opened (MCP connections); called when each turn ends. */
  dispose?(): Promise<void>;
  /** Whether a call of the tool runs, asks a person first, or waits for the client. Absent: every call runs. */
  policyFor?(toolName: string): ToolCallPolicy;
}

/** What the model is told when a person denies a call and gives no message. */
export const defaultDenyMessage = 'the user denied this tool call';

/** Default rounds of tool use before the model must answer without tools. */
export const defaultMaxToolRounds = 8;

function toolCommandId(roundId: string, index: number): string {
  return `${roundId}/tool:${index}`;
}

/**
 * Runs one tool call as a journaled command: answered from the log when it completed before.
 *
 * @example
 * const outcome = await dispatchToolCall(context, tools, 'coder/generate:0/tool:0', call, 'coder', signal);
 */
export async function dispatchToolCall(
  context: DispatcherContext,
  tools: SessionTools,
  commandId: string,
  call: ToolCall,
  agent: string,
  signal: AbortSignal,
): Promise<ToolOutcome> {
  const done = context.journal.completed.get(commandId);
  if (done !== undefined) {
    const output = done.output as { result?: string; isError?: boolean };
    return { output: output.result ?? '', isError: output.isError === true };
  }
  if (signal.aborted) throw toolCallAborted(signal);
  const input = { toolCallId: call.toolCallId, tool: call.toolName, input: call.input };
  const use = { commandId, agent, toolCallId: call.toolCallId, tool: call.toolName, input: call.input };
  // A call that asked before keeps asking on replay, whatever the tools say now.
  const asked = context.journal.waitingByCommand.get(commandId);
  const policy = asked !== undefined ? (asked.kind === 'confirmation' ? 'ask' : 'client') : (tools.policyFor?.(call.toolName) ?? 'run');
  if (policy === 'run') {
    await context.writer.append([
      { type: 'command.started', data: { commandId, kind: 'tool.execute', attempt: 1, input, agent } },
      { type: 'agent.tool_use', data: use },
    ]);
  } else {
    if (asked === undefined) {
      await context.writer.append([
        { type: 'command.started', data: { commandId, kind: 'tool.execute', attempt: 1, input, agent } },
        policy === 'ask' ? { type: 'agent.tool_use', data: { ...use, permission: 'ask' } } : { type: 'agent.custom_tool_use', data: use },
      ]);
    }
    const waiting = context.journal.waitingByCommand.get(commandId);
    const answer = waiting === undefined ? undefined : context.journal.toolAnswers.get(waiting.eventId);
    if (answer === undefined) {
      throw new ConclaveError('requires_action', `tool call "${call.toolName}" of agent "${agent}" waits for ${policy === 'ask' ? 'approval' : 'its client-run result'}`);
    }
    if (answer.kind === 'custom_result') return completeToolCall(context, commandId, call, agent, { output: answer.content, isError: answer.isError }, 0);
    if (!answer.allow) return completeToolCall(context, commandId, call, agent, { output: answer.denyMessage ?? defaultDenyMessage, isError: true }, 0);
  }
  const startedAt = context.clock.monotonic();
  let outcome: ToolOutcome;
  try {
    // As for a model call: an interrupt heard while `command.started` committed runs nothing.
    if (signal.aborted) throw toolCallAborted(signal);
    outcome = await tools.execute(call, signal, { commandId, agent });
  } catch (thrown) {
    const error = toConclaveError(thrown);
    // A spawned child's tool call that waits for an answer: the call waits with it, and runs again on resume.
    if (error.code === 'requires_action') throw error;
    // An abort, a sandbox that cannot exist here (bubblewrap missing), a spawned child's budget stop
    // or a conflicting writer stops the session.
    if (error.code === 'aborted' || error.code === 'sandbox_unavailable' || error.code === 'budget_exceeded' || error.code === 'store_conflict' || signal.aborted) {
      await context.writer.append([{ type: 'command.failed', data: { commandId, kind: 'tool.execute', attempt: 1, error: error.toJSON(), willRetry: false } }]);
      throw error;
    }
    outcome = { output: `Error: ${error.message}`, isError: true };
  }
  return completeToolCall(context, commandId, call, agent, outcome, context.clock.monotonic() - startedAt);
}

/** Journals a tool call's outcome: `command.completed` and `agent.tool_result`. */
async function completeToolCall(context: DispatcherContext, commandId: string, call: ToolCall, agent: string, outcome: ToolOutcome, elapsedMs: number): Promise<ToolOutcome> {
  const completed: CommandCompletedData = {
    commandId,
    kind: 'tool.execute',
    attempt: 1,
    agent,
    output: { result: outcome.output, isError: outcome.isError },
    latencyMs: Math.round(elapsedMs * 100) / 100,
  };
  await context.writer.append([
    { type: 'command.completed', data: completed },
    { type: 'agent.tool_result', data: { commandId, agent, toolCallId: call.toolCallId, tool: call.toolName, output: outcome.output, isError: outcome.isError } },
  ]);
  return outcome;
}

/**
 * A model call with the agent's tools: rounds of model → tools until the model answers without
 * calling a tool, or `maxRounds` rounds of tools have run (then it is asked once more, without
 * tools, for its answer). Usage and cost add up over every round.
 *
 * @example
 * const reply = await runModelWithTools(context, tools, call, ['bash', 'read_file'], 8, signal);
 */
export async function runModelWithTools(
  context: DispatcherContext,
  tools: SessionTools,
  call: ModelCall,
  agentTools: readonly string[],
  maxRounds: number,
  signal: AbortSignal,
): Promise<ModelCallResult> {
  const definitions = await tools.definitionsFor(agentTools);
  const base = call.commandId.replace(/\/generate:0$/, '');
  const messages: Message[] = [...call.messages];
  let usage: Usage = { inputTokens: 0, outputTokens: 0 };
  let usd = 0;
  let simulated = false;
  for (let round = 0; ; round += 1) {
    const offerTools = round < maxRounds && definitions.length > 0;
    const roundId = `${base}/generate:${round}`;
    // A copy: the list grows after the call, and what a call was sent (its journaled input) must not.
    const reply = await dispatchModelCall(context, { ...call, commandId: roundId, messages: messages.slice(), ...(offerTools ? { tools: definitions } : {}) }, signal);
    usage = addUsage(usage, reply.usage);
    usd += reply.cost.usd;
    simulated ||= reply.cost.simulated === true;
    const calls = offerTools ? (reply.toolCalls ?? []) : [];
    if (calls.length === 0) {
      return { ...reply, usage, cost: simulated ? { usd, simulated } : { usd } };
    }
    messages.push({ role: 'assistant', content: reply.text, toolCalls: calls });
    // The round's other calls run while one waits; the branch waits once they are done.
    let waiting: ConclaveError | undefined;
    for (const [index, toolCall] of calls.entries()) {
      let outcome: ToolOutcome;
      try {
        outcome = await dispatchToolCall(context, tools, toolCommandId(roundId, index), toolCall, call.agent.name, signal);
      } catch (thrown) {
        if (thrown instanceof ConclaveError && thrown.code === 'requires_action') {
          waiting ??= thrown;
          continue;
        }
        throw thrown;
      }
      // A tool (an MCP server, say) that prints a secret does not hand it to the model.
      const content = context.redact === undefined ? outcome.output : context.redact(outcome.output);
      messages.push({ role: 'tool', toolCallId: toolCall.toolCallId, toolName: toolCall.toolName, content, ...(outcome.isError ? { isError: true } : {}) });
    }
    if (waiting !== undefined) throw waiting;
  }
}
