/**
 * The built-in `spawn_agent` tool. An agent whose slot lists `spawn_agent` in its `tools` and a
 * roster under `spawn:` starts children at run time — a model agent or a whole topology from the
 * roster — and gets each child's answer as the tool result. A child runs under its tool call's
 * command id (`…/generate:0/tool:1/spawn/<name>/generate:0`, or `…/spawn/<name>/<topology>/…`)
 * through the same dispatcher as every other call, so its model calls are journaled commands,
 * answered from the log when the session resumes, and counted by the session's budget. A child
 * that fails is an error result its parent's model sees (the tool loop's rule for every tool);
 * an abort, a budget stop or a child's tool call that waits for an answer stops the parent too.
 *
 * One model slot's call (tools, roster and output schema) is made here for the topology runner as
 * well, because a spawned model agent runs exactly as an agent of a topology does.
 */
import {
  ConclaveError,
  commandPath,
  isNestedTopology,
  spawnAgentToolName,
  type AgentSlot,
  type ModelAgent,
  type SpawnSettings,
  type StepInfo,
  type ToolCall,
  type ToolDefinition,
} from '../protocol/index.js';
import { dispatchModelCall, type ModelCall, type ModelCallResult } from './dispatcher.js';
import type { Journal } from './journal.js';
import { deriveSeed } from './seeds.js';
import { dispatchAgentModelCall } from './structured-agent-call.js';
import { defaultMaxToolRounds, runModelWithTools, type SessionTools, type ToolCallSite, type ToolOutcome } from './tool-loop.js';
import type { TopologyRunContext, TopologyRunOutcome, TopologyScope } from './topology-run-types.js';

/** The topology runner's `runTopology`, handed in: it calls back into this module. */
export type RunTopology = (context: TopologyRunContext, scope: TopologyScope, signal: AbortSignal) => Promise<TopologyRunOutcome>;

/** Children one call of an agent may spawn when its roster sets no `max_children`. */
export const defaultMaxChildren = 8;

/**
 * One call of a model slot: a single model call, or rounds with its tools (`spawn_agent` among
 * them when it has a roster), its answer checked against its `output_schema` when it has one.
 *
 * @example
 * const reply = await callModelSlot(context, slot, { commandId: 'pipeline/pass:1/stage:0/generate:0', agent: slot, messages, step, seed }, signal, runTopology);
 */
export function callModelSlot(context: TopologyRunContext, slot: ModelAgent, call: ModelCall, signal: AbortSignal, runTopology: RunTopology): Promise<ModelCallResult> {
  const agentTools = slot.tools ?? [];
  // The plain model call, the common one, is the dispatcher's own promise: no wrapper, no closure.
  if (agentTools.length === 0 && slot.output_schema === undefined) return dispatchModelCall(context.dispatcher, call, signal);
  let tools: SessionTools | undefined;
  try {
    if (agentTools.length > 0) tools = slot.spawn === undefined ? requireTools(context, slot.name) : withSpawnAgent(context, slot, slot.spawn, call, runTopology);
  } catch (error) {
    return Promise.reject(error);
  }
  const dispatch = (model: ModelCall): Promise<ModelCallResult> =>
    tools === undefined ? dispatchModelCall(context.dispatcher, model, signal) : runModelWithTools(context.dispatcher, tools, model, agentTools, slot.max_tool_rounds ?? defaultMaxToolRounds, signal);
  return slot.output_schema === undefined ? dispatch(call) : dispatchAgentModelCall(slot, call, dispatch);
}

/**
 * The session's tools, or `sandbox_unavailable` when the kernel has none.
 *
 * @example
 * const tools = requireTools(context, 'coder');
 */
export function requireTools(context: TopologyRunContext, agent: string): SessionTools {
  if (context.tools === undefined) {
    throw new ConclaveError('sandbox_unavailable', `agent "${agent}" has tools, but this kernel has no sandbox driver`, {
      hint: 'give the kernel a sandbox driver (conclave run does: bubblewrap, or "unisolated" by name)',
    });
  }
  return context.tools;
}

/** The session's tools for one call of `parent`, with `spawn_agent` run here, over its roster. */
function withSpawnAgent(context: TopologyRunContext, parent: ModelAgent, spawn: SpawnSettings, parentCall: ModelCall, runTopology: RunTopology): SessionTools {
  const definition = spawnToolDefinition(spawn);
  return {
    async definitionsFor(names) {
      const wanted = names ?? [];
      const others = wanted.filter((name) => name !== spawnAgentToolName);
      const definitions = others.length === 0 ? [] : await requireTools(context, parent.name).definitionsFor(others);
      return wanted.includes(spawnAgentToolName) ? [...definitions, definition] : definitions;
    },
    async execute(call, signal, site) {
      if (call.toolName !== spawnAgentToolName) return requireTools(context, parent.name).execute(call, signal, site);
      if (site === undefined) throw new ConclaveError('internal', 'spawn_agent was called without its command id');
      return runChild(context, { parent, spawn, parentCall, call, site, runTopology }, signal);
    },
    policyFor: (name) => (name === spawnAgentToolName ? 'run' : (context.tools?.policyFor?.(name) ?? 'run')),
  };
}

/** One `spawn_agent` call, with what it needs to know about its parent. */
interface SpawnRequest {
  parent: ModelAgent;
  spawn: SpawnSettings;
  parentCall: ModelCall;
  call: ToolCall;
  site: ToolCallSite;
  runTopology: RunTopology;
}

/** Runs the child a `spawn_agent` call names and answers with its answer. */
async function runChild(context: TopologyRunContext, request: SpawnRequest, signal: AbortSignal): Promise<ToolOutcome> {
  const { parent, spawn, parentCall, site } = request;
  const input = spawnInput(request.call.input, spawn);
  if (typeof input === 'string') return { output: `Error: ${input}`, isError: true };
  const limit = spawn.max_children ?? defaultMaxChildren;
  if (spawnsBefore(context.dispatcher.journal, site.commandId) >= limit) {
    return { output: `Error: agent "${parent.name}" may call spawn_agent at most ${limit} times in one call (its spawn.max_children); answer with what the children found`, isError: true };
  }
  const { child, task } = input;
  const prefix = commandPath(site.commandId, 'spawn', child.name);
  // The child reads as under its parent (`lead › researcher`) in transcripts and spend by agent.
  const slots = [...(parentCall.step.slots ?? []), parent.name];
  if (isNestedTopology(child)) {
    // Document slots carry canonical names already; one built in code may name an alias.
    const alias = context.registry.aliases.get(child.topology);
    const topology = alias?.topology ?? child.topology;
    const scope: TopologyScope = {
      topology,
      prefix: commandPath(prefix, topology),
      task,
      agents: child.agents,
      options: { ...alias?.options, ...child.options },
      seed: deriveSeed(parentCall.seed, prefix),
      slots: [...slots, child.name],
    };
    if (child.on_agent_error !== undefined) scope.onAgentError = child.on_agent_error;
    const { result } = await request.runTopology(context, scope, signal);
    return { output: result.answer, isError: false };
  }
  const commandId = commandPath(prefix, 'generate:0');
  const step: StepInfo = { topology: parentCall.step.topology, phase: 'spawn', agent: child.name, slots };
  const call: ModelCall = { commandId, agent: child, messages: [{ role: 'user', content: task }], step, seed: deriveSeed(parentCall.seed, commandId) };
  const reply = await callModelSlot(context, child, call, signal, request.runTopology);
  return { output: reply.text, isError: false };
}

/** The roster slot and task a call's input names, or what is wrong with it (the model is told). */
function spawnInput(input: unknown, spawn: SpawnSettings): { child: AgentSlot; task: string } | string {
  const fields = typeof input === 'object' && input !== null ? (input as Record<string, unknown>) : {};
  const names = spawn.agents.map((slot) => `"${slot.name}"`).join(', ');
  const agent = fields['agent'];
  if (typeof agent !== 'string') return `spawn_agent needs "agent": one of ${names}`;
  const child = spawn.agents.find((slot) => slot.name === agent);
  if (child === undefined) return `there is no agent "${agent}" to spawn; the agents are ${names}`;
  const task = fields['task'];
  if (typeof task !== 'string' || task.trim() === '') return 'spawn_agent needs "task": the work to hand the child';
  return { child, task };
}

/**
 * How many `spawn_agent` calls the same agent call made before the one at `commandId`
 * (`<call>/generate:<round>/tool:<index>`), read from the journaled tool calls of its model rounds:
 * the same count on every replay.
 */
function spawnsBefore(journal: Journal, commandId: string): number {
  const match = /^(.*)\/generate:(\d+)\/tool:(\d+)$/.exec(commandId);
  if (match === null) return 0;
  const base = match[1] as string;
  const round = Number(match[2]);
  const index = Number(match[3]);
  let count = 0;
  for (let earlier = 0; earlier <= round; earlier += 1) {
    const output = journal.completed.get(`${base}/generate:${earlier}`)?.output as { toolCalls?: ToolCall[] } | undefined;
    for (const [position, toolCall] of (output?.toolCalls ?? []).entries()) {
      if (toolCall.toolName === spawnAgentToolName && (earlier < round || position < index)) count += 1;
    }
  }
  return count;
}

/** The tool as the parent's model sees it: the roster's names (and descriptions) in its schema. */
function spawnToolDefinition(spawn: SpawnSettings): ToolDefinition {
  const roster = spawn.agents.map((slot) => {
    const what = slot.description ?? (isNestedTopology(slot) ? `a ${slot.topology} of ${slot.agents.length} agents` : undefined);
    return what === undefined ? slot.name : `${slot.name} (${what})`;
  });
  return {
    name: spawnAgentToolName,
    description: `Starts a child agent on a task and returns its answer. The child sees only the task, not this conversation. Agents you may spawn: ${roster.join('; ')}.`,
    inputSchema: {
      type: 'object',
      properties: {
        agent: { type: 'string', enum: spawn.agents.map((slot) => slot.name), description: 'The agent to spawn.' },
        task: { type: 'string', description: 'Everything the child needs to know to do its work.' },
      },
      required: ['agent', 'task'],
      additionalProperties: false,
    },
  };
}
