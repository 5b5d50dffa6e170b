/**
 * The agent step with tools: model → tool calls → sandbox → results → model, up to a limit. Every
 * model round is its own `model.generate` command (`…/generate:0`, `…/generate:1`, …) and every
 * tool call a `tool.execute` command (`…/generate:0/tool:0`), journaled like any other, so a
 * resumed session answers finished rounds and finished tool calls from the log and never runs a
 * completed tool call again. A tool failure — including a crashed sandbox — is a tool result the
 * model sees (`isError`), not a dead session.
 */
import {
  ConclaveError,
  toConclaveError,
  type CommandCompletedData,
  type Message,
  type ToolCall,
  type ToolDefinition,
  type Usage,
} from '../protocol/index.js';
import { dispatchModelCall, type DispatcherContext, type ModelCall, type ModelCallResult } from './dispatcher.js';

/** What a tool call came to. */
export interface ToolOutcome {
  output: string;
  isError: boolean;
}

/** The tools of one session: offered to agents, executed in the session's sandbox. */
export interface SessionTools {
  /** The definitions an agent may call (async: MCP servers list their tools when first connected). */
  definitionsFor(agentTools: readonly string[] | undefined): Promise<ToolDefinition[]>;
  /** Runs one tool call; failures are outcomes with `isError`; throws only for aborts and `sandbox_unavailable`. */
  execute(call: ToolCall, signal: AbortSignal): Promise<ToolOutcome>;
  /** Releases what the turn opened (MCP connections); called when each turn ends. */
  dispose?(): Promise<void>;
}

/** Default rounds of tool use before the model must answer without tools. */
export const defaultMaxToolRounds = 8;

function addUsage(left: Usage, right: Usage): Usage {
  return { inputTokens: left.inputTokens + right.inputTokens, outputTokens: left.outputTokens + right.outputTokens };
}

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
  if (signal.aborted) throw new ConclaveError('aborted', 'the tool call was aborted');
  const input = { toolCallId: call.toolCallId, tool: call.toolName, input: call.input };
  await context.writer.append([
    { type: 'command.started', data: { commandId, kind: 'tool.execute', attempt: 1, input, agent } },
    { type: 'agent.tool_use', data: { commandId, agent, toolCallId: call.toolCallId, tool: call.toolName, input: call.input } },
  ]);
  const startedAt = context.clock.monotonic();
  let outcome: ToolOutcome;
  try {
    outcome = await tools.execute(call, signal);
  } catch (thrown) {
    const error = toConclaveError(thrown);
    // An abort, or a sandbox that cannot exist here (bubblewrap missing), stops the session.
    if (error.code === 'aborted' || error.code === 'sandbox_unavailable' || signal.aborted) {
      await context.writer.append([{ type: 'command.failed', data: { commandId, kind: 'tool.execute', attempt: 1, error: error.toJSON(), willRetry: false } }]);
      throw error;
    }
    outcome = { output: `Error: ${error.message}`, isError: true };
  }
  const completed: CommandCompletedData = {
    commandId,
    kind: 'tool.execute',
    attempt: 1,
    agent,
    output: { result: outcome.output, isError: outcome.isError },
    latencyMs: Math.round((context.clock.monotonic() - startedAt) * 100) / 100,
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
    const reply = await dispatchModelCall(context, { ...call, commandId: roundId, messages, ...(offerTools ? { tools: definitions } : {}) }, signal);
    usage = addUsage(usage, reply.usage);
    usd += reply.cost.usd;
    simulated ||= reply.cost.simulated === true;
    const calls = offerTools ? (reply.toolCalls ?? []) : [];
    if (calls.length === 0) {
      return { ...reply, usage, cost: simulated ? { usd, simulated } : { usd } };
    }
    messages.push({ role: 'assistant', content: reply.text, toolCalls: calls });
    for (const [index, toolCall] of calls.entries()) {
      const outcome = await dispatchToolCall(context, tools, toolCommandId(roundId, index), toolCall, call.agent.name, signal);
      // A tool (an MCP server, say) that prints a secret does not hand it to the model.
      const content = context.redact === undefined ? outcome.output : context.redact(outcome.output);
      messages.push({ role: 'tool', toolCallId: toolCall.toolCallId, toolName: toolCall.toolName, content, ...(outcome.isError ? { isError: true } : {}) });
    }
  }
}
