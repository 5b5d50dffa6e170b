/**
 * The shapes of a topology run: the scope it runs in, the context the kernel gives it, and what it
 * answers (result, totals, skipped calls). `topology-runner.ts` runs it and re-exports these.
 */
import type { AgentSlot, Cost, OnAgentError, Registry, TopologyResult, Usage } from '../protocol/index.js';
import type { Conversation } from './conversation.js';
import type { DispatcherContext } from './dispatcher.js';
import type { SessionTools } from './tool-loop.js';

export interface TopologyScope {
  /** Canonical topology name. */
  topology: string;
  /** Command id prefix of everything this run issues: `debate`, `tournament/match:1/agent:0/debate`. */
  prefix: string;
  task: string;
  agents: readonly AgentSlot[];
  options: Record<string, unknown>;
  seed: number;
  /**
   * The failure policy this run inherits when its options set none: the parent run's, or for the
   * session's own run the document's `on_agent_error` (read from the journal when absent), else `fail`.
   */
  onAgentError?: OnAgentError;
  /** The nested slots this run is in, outermost first; absent (or empty) for the session's own run. */
  slots?: readonly string[];
}

/** One call skipped under `on_agent_error: skip`, as a result's `details.skipped` lists it. */
export interface SkippedCall {
  agent: string;
  /** The call's full path: `voting/vote:1`, `tournament/answer:0/voting/vote:2`. */
  path: string;
  code: string;
  message: string;
}

/** A nested slot's result beyond its answer, as `details.nested[<slot path>]` keeps it. */
export interface NestedResult {
  topology: string;
  reason: string;
  aggregation: string;
  details?: Record<string, unknown>;
}

/** Usage and cost of everything a run called, nested runs included. */
export interface RunTotals {
  usage: Usage;
  cost: Cost;
  /** Highest `command.completed` sequence number seen: when the run's last call finished. */
  lastCompletedSeq: number;
}

export interface TopologyRunOutcome {
  result: TopologyResult;
  totals: RunTotals;
  /** Calls skipped under `on_agent_error: skip`, nested runs' included (also in `result.details.skipped`). */
  skipped: SkippedCall[];
}

export interface TopologyRunContext {
  registry: Registry;
  dispatcher: DispatcherContext;
  /** The turn's history and steering; absent for a bare topology run. */
  conversation?: Conversation;
  /** Told of every batch of agent calls, so an interrupted turn can wait for them to settle. */
  track?: (work: Promise<unknown>) => void;
  /** The session's tools, for agents that list `tools`. */
  tools?: SessionTools;
}
