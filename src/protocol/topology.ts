/**
 * The topology contract. A topology is a pure XState machine: it decides which agents to call with
 * which messages and how to combine their replies, and nothing else. It reaches the world only by
 * invoking the `callAgents` actor, which the kernel provides (journaled, replayable, retried). Given
 * the same replies, a machine takes the same path — no clocks, no randomness but the seed it is given.
 */
import type { AnyStateMachine } from 'xstate';
import type { z } from 'zod';
import type { AgentSlot } from './agents.js';
import { ConclaveError } from './errors.js';
import type { Cost, Message, Usage } from './messages.js';
import type { GenerateRequest } from './provider.js';

/** Name under which a topology machine invokes the kernel's agent-calling actor. */
export const callAgentsActorName = 'callAgents';

export interface TopologyInput<Options = Record<string, unknown>> {
  task: string;
  agents: readonly AgentSlot[];
  options: Options;
  /** Seed for any choice the topology makes at random (tie-breaks, sampling). */
  seed: number;
}

/** One agent turn a topology asks for. */
export interface AgentCall {
  /** Position inside the topology, unique within one run: `round:2/agent:1`. */
  path: string;
  /** Name of the agent slot to call. */
  agent: string;
  messages: Message[];
  /** Where the call is in the topology; `label` says it in words (`match 2 of round 1 (a vs b), order 1 of 2`). */
  step: { phase: string; round?: number; label?: string };
  /** Ask the model for JSON (matching `schema` when given); see topologies/support/structured-output.ts. */
  responseFormat?: GenerateRequest['responseFormat'];
}

export interface CallAgentsInput {
  calls: AgentCall[];
  /** At most this many calls in flight at once (default: all). */
  concurrency?: number;
}

export interface AgentReply {
  path: string;
  agent: string;
  text: string;
  usage: Usage;
  cost: Cost;
  /** Log position of the reply's completion: lower finished earlier. Stable across replay. */
  completedSeq: number;
  /**
   * Set when the call failed for good and was skipped under `on_agent_error: skip` (its `text` is
   * then empty): the error's code and message. Each topology decides what a skipped call means.
   */
  skipped?: { code: string; message: string };
}

/**
 * The replies that were answered, without the skipped ones.
 *
 * @example
 * answeredReplies(event.output).map((reply) => reply.text)
 */
export function answeredReplies(replies: readonly AgentReply[]): AgentReply[] {
  return replies.filter((reply) => reply.skipped === undefined);
}

const agentFailures = new WeakSet<ConclaveError>();

/**
 * The error a topology throws when, under `on_agent_error: skip`, too few agents are left for it to
 * go on (every voter failed, one debater left, a judge whose verdict is the answer failed). It names
 * the skipped agents and their errors. A parent slot whose policy is `skip` skips a nested run that
 * ends with it, as it skips a failed agent (`isAgentFailure`).
 *
 * @example
 * throw agentsFailedError('voting', 'every voter failed', skipped);
 */
export function agentsFailedError(topology: string, problem: string, failed: ReadonlyArray<Pick<AgentReply, 'agent' | 'path' | 'skipped'>>): ConclaveError {
  const causes = failed.map((reply) => `${reply.agent} (${reply.path}): ${reply.skipped?.message ?? 'failed'}`).join('; ');
  const error = new ConclaveError('topology_failed', `${topology}: ${problem}${causes === '' ? '' : ` — ${causes}`}`, {
    hint: 'on_agent_error: skip goes on without failed agents only while enough are left; fix the failing agents (see their errors) and run again',
  });
  agentFailures.add(error);
  return error;
}

/**
 * Whether an error is an agent's own failure — retries or fallbacks exhausted (`agent_failed`), or a
 * topology left without enough agents (`agentsFailedError`) — which `on_agent_error: skip` may skip.
 * Never an interruption, a waiting tool call or a configuration problem.
 *
 * @example
 * isAgentFailure(new ConclaveError('aborted', 'interrupted')) // → false
 */
export function isAgentFailure(error: unknown): error is ConclaveError {
  return error instanceof ConclaveError && (error.code === 'agent_failed' || agentFailures.has(error));
}

/** What a topology machine's final state outputs. */
export interface TopologyResult {
  answer: string;
  /** Why it stopped: `all_stages_done`, `consensus`, `max_rounds`, … */
  reason: string;
  /** How the answer was formed: `last_stage`, `concat`, `judge`, … */
  aggregation: string;
  details?: Record<string, unknown>;
}

/** A problem found by a topology's own checks, at a path inside its `options` or `agents`. */
export interface TopologyIssue {
  path: Array<string | number>;
  message: string;
  hint?: string;
}

export interface TopologyDefinition<Options = Record<string, unknown>> {
  readonly name: string;
  readonly description: string;
  /**
   * Where a steering message sent mid-turn is delivered, in the topology's own terms. Every shipped
   * topology sets it; optional so that bare definitions (test fixtures, embedders) need not.
   */
  readonly steering?: string;
  /** Options schema; its defaults are the documented defaults. */
  readonly options: z.ZodType<Options>;
  /** Checks beyond the schema, such as agent names referenced by options. */
  check?(options: Options, agents: readonly AgentSlot[]): TopologyIssue[];
  /** Minimum number of agents. */
  readonly minAgents: number;
  /** The machine: input `TopologyInput<Options>`, output `TopologyResult`, actor `callAgents`. */
  readonly machine: AnyStateMachine;
}

/** An alternative name for a topology, optionally with options preset. */
export interface TopologyAlias {
  alias: string;
  topology: string;
  options?: Record<string, unknown>;
  description: string;
}
