/**
 * Session events: the append-only log that is a session's only durable state. Every event has a
 * per-session, gapless sequence number. Types are `<domain>.<action>`. The data shapes of the core
 * events are declared here so that writers and readers (CLI, server, replay) agree on them.
 */
import { z } from 'zod';
import type { ConclaveErrorJSON } from './errors.js';
import type { Cost, Message, ToolCall, Usage } from './messages.js';
import type { FinishReason } from './provider.js';
import type { OutcomeSettings } from './outcome.js';

export const sessionEventTypes = [
  'session.created',
  'session.status_running',
  'session.status_idle',
  'session.status_terminated',
  'session.error',
  'user.message',
  'user.interrupt',
  'command.started',
  'command.completed',
  'command.failed',
  'agent.message',
  /** An agent call that failed for good was skipped under `on_agent_error: skip`: `AgentSkippedData`; replay answers the call from it. */
  'agent.skipped',
  'agent.tool_use',
  'agent.tool_result',
  'agent.custom_tool_use',
  'user.tool_confirmation',
  'user.custom_tool_result',
  /**
   * Legacy, read and never written: a step (`StepInfo` plus its `commandId`) in an event of its
   * own. The step now travels on its command's first `command.started` (`CommandStartedData.step`);
   * replay still reads this event in logs written before that.
   */
  'topology.step',
  'topology.completed',
  'turn.started',
  'steering.delivered',
  /** A model call's oldest messages were left out to fit its agent's `context.max_input_tokens`: `ContextFittedData`. */
  'context.truncated',
  /** A model call's oldest messages were replaced by a summary (its own command): `ContextFittedData`. */
  'context.summarized',
  'session.archived',
  'session.deleted',
  'session.updated',
  /** A budget was set (at creation) or changed (`conclave resume --budget`, the APIs): `BudgetSetData`. */
  'budget.set',
  /** A budget check refused a model call: `BudgetExceededData`; the session idles (`budget_exceeded`). */
  'budget.exceeded',
  /** A grader starts checking a turn's answer against the session's outcome: `{ commandId, turn, iteration, outcomeEventId? }` (the message that defined it, if one did). */
  'outcome.evaluation_started',
  /** Its verdict: `{ commandId, turn, iteration, outcomeEventId?, result: satisfied | needs_revision | max_iterations_reached, feedback }`. */
  'outcome.evaluation_completed',
] as const;
export type SessionEventType = (typeof sessionEventTypes)[number];

/** An event as stored: the store assigns `seq`; `id` and `at` are set by the writer. */
export const sessionEventSchema = z.object({
  id: z.string(),
  sessionId: z.string(),
  seq: z.number().int().positive(),
  type: z.string().regex(/^[a-z_]+\.[a-z_.]+$/, 'event type must be <domain>.<action>'),
  at: z.string(),
  data: z.record(z.string(), z.unknown()),
});
export type SessionEvent = z.infer<typeof sessionEventSchema>;

/** What a writer hands to `SessionStore.append`. */
export interface NewSessionEvent {
  id: string;
  type: string;
  at: string;
  data: Record<string, unknown>;
}

/** Status of a session, as derived from its last `session.status_*` event. */
export type SessionStatus = 'created' | 'running' | 'idle' | 'terminated';

/**
 * Why a session went idle. Mirrors the Managed Agents API's `stop_reason`. `requires_action`: tool
 * calls wait for a person (`user.tool_confirmation`) or a client (`user.custom_tool_result`); the
 * idle names them in `eventIds`.
 */
export type StopReason = 'end_turn' | 'retries_exhausted' | 'interrupted' | 'requires_action' | 'budget_exceeded';

/**
 * A change of budgets: limits for the session and for agents by name, merged over the document's
 * limit by limit (`null` removes a limit). `reason` says whether the session started with it.
 */
export interface BudgetSetData {
  [key: string]: unknown;
  budget?: Partial<Record<'max_usd' | 'max_tokens' | 'max_calls' | 'max_duration_s', number | null>>;
  agents?: Record<string, Partial<Record<'max_usd' | 'max_tokens' | 'max_calls' | 'max_duration_s', number | null>>>;
  reason: 'created' | 'raised';
}

/** Which limit refused a model call, what was spent and what the limit was. */
export interface BudgetExceededData {
  [key: string]: unknown;
  /** `session`: the document's (or the API's) budget; `agent`: the budget of `agent`. */
  scope: 'session' | 'agent';
  agent?: string;
  limit: 'max_usd' | 'max_tokens' | 'max_calls' | 'max_duration_s';
  spent: number;
  max: number;
  /** The call that was refused (issued once the budget is raised). */
  commandId: string;
}

// ---- data of the core events -------------------------------------------------------------

export interface SessionCreatedData {
  [key: string]: unknown;
  /** The validated, normalised topology document (see `src/config`). */
  document: Record<string, unknown>;
  topology: string;
  task: string;
  seed: number;
  /** Where the document came from, for display (`examples/debate.yaml`). */
  source?: string;
  title?: string;
  /** Workspace of the API key that created it; absent means `default`. */
  workspace?: string;
  /**
   * `untrusted`: the document came from an API caller and runs under the server policy with its
   * workspace's own secrets (see `src/policy`); absent means the local user's or operator's own.
   */
  trust?: 'untrusted';
  /** Caller's key-value labels. */
  metadata?: Record<string, string>;
  /** What an API needs to show the session its way (the Managed Agents agent snapshot, …). */
  attributes?: Record<string, unknown>;
}

/**
 * A message from the user. Sent while the session is idle it starts the next turn; sent while it
 * runs it is steering, delivered to the agent calls of the topology's next step.
 */
export interface UserMessageData {
  [key: string]: unknown;
  text: string;
  /** The content blocks as the client sent them (Managed Agents API); `text` is their text. */
  content?: unknown[];
  /** An outcome this message defines (`user.define_outcome`): the turn it starts is graded against it. */
  outcome?: OutcomeSettings;
}

/** A request to stop the running turn: in-flight model calls are aborted, the session idles. */
export interface UserInterruptData {
  [key: string]: unknown;
  reason?: string;
}

/**
 * A turn begins: the topology runs once on `task`, formed from the user messages at `messageSeqs`.
 * The first turn of a session created with a task has no `turn.started`; it is implied.
 */
export interface TurnStartedData {
  [key: string]: unknown;
  turn: number;
  task: string;
  messageSeqs: number[];
}

/** Steering messages (by seq) handed to the model calls of one topology step. */
/**
 * How a model call was fitted into its agent's context window (`context.truncated`,
 * `context.summarized`): the sizes before and after, counted by `countedBy` (`tiktoken:o200k_base`,
 * or `estimate` where no tokenizer of the provider is at hand), and which messages of the call
 * (indices into the messages it would have sent) were left out or summarized.
 */
export interface ContextFittedData {
  [key: string]: unknown;
  commandId: string;
  agent: string;
  strategy: 'truncate' | 'summarize';
  countedBy: string;
  maxInputTokens: number;
  tokensBefore: number;
  tokensAfter: number;
  messagesBefore: number;
  messagesAfter: number;
  /** Indices of the messages left out (summarize: the ones the summary replaces). */
  dropped: number[];
  /** The summary's own command (`<commandId>/context-summary:0`), for `context.summarized`. */
  summaryCommandId?: string;
}

export interface SteeringDeliveredData {
  [key: string]: unknown;
  messageSeqs: number[];
  commandIds: string[];
}

export interface StatusIdleData {
  [key: string]: unknown;
  stopReason: StopReason;
  /**
   * With `requires_action`: the ids of the `agent.tool_use` (asking permission) and
   * `agent.custom_tool_use` events still waiting for an answer — all of them, oldest first.
   */
  eventIds?: string[];
  /** With `budget_exceeded`: the limit that stopped the session (as in its `budget.exceeded`). */
  budget?: BudgetExceededData;
}

/**
 * An agent calls a tool (`agent.tool_use`), or a client-run tool (`agent.custom_tool_use`, never
 * run by the session). `permission: 'ask'` (tool use only): the call waits for a
 * `user.tool_confirmation` naming this event's id before it runs. The call's `command.started`
 * is journaled with it, in the same append.
 */
export interface AgentToolUseData {
  [key: string]: unknown;
  commandId: string;
  agent: string;
  toolCallId: string;
  tool: string;
  input: unknown;
  permission?: 'ask';
}

/** A person's answer to an `agent.tool_use` that asked permission (`toolUseId`: that event's id). */
export interface UserToolConfirmationData {
  [key: string]: unknown;
  toolUseId: string;
  result: 'allow' | 'deny';
  /** With `deny`: what the model is told (default "the user denied this tool call"). */
  denyMessage?: string;
}

/** A client's result of a client-run tool (`customToolUseId`: the `agent.custom_tool_use` event's id). */
export interface UserCustomToolResultData {
  [key: string]: unknown;
  customToolUseId: string;
  content: string;
  isError?: boolean;
}

export interface StepInfo {
  [key: string]: unknown;
  /** Topology that issued the step (`debate`), innermost for nested topologies. */
  topology: string;
  phase: string;
  round?: number;
  agent?: string;
  /**
   * The nested slots the step's topology runs in, outermost first (`['panel']` for agent `optimist`
   * of the debate in slot `panel`); absent at the document's own level. With `agent` it is the
   * agent's slot path (`panel › optimist`), known from the first command on, not only once the
   * nested slot's result is in the log (see `src/kernel/slot-paths.ts`).
   */
  slots?: string[];
}

export interface ModelCommandInput {
  [key: string]: unknown;
  agent: string;
  /** `provider/model?params`, as written in the document. */
  model: string;
  system?: string;
  messages: Message[];
  temperature?: number;
  maxTokens?: number;
  seed?: number;
  responseFormat?: { type: 'json'; schema?: Record<string, unknown>; name?: string };
}

export interface CommandStartedData {
  [key: string]: unknown;
  commandId: string;
  kind: string;
  attempt: number;
  input: Record<string, unknown>;
  /**
   * The topology step the command belongs to, on the command's first start only (later attempts and
   * fallback models leave it out). The only place a step is written; older logs also have it in a
   * legacy `topology.step` event.
   */
  step?: StepInfo;
}

export interface ModelCommandOutput {
  [key: string]: unknown;
  text: string;
  finishReason: FinishReason;
  toolCalls?: ToolCall[];
}

export interface CommandCompletedData {
  [key: string]: unknown;
  commandId: string;
  kind: string;
  attempt: number;
  output: Record<string, unknown>;
  /** Model calls only. */
  model?: string;
  agent?: string;
  usage?: Usage;
  cost?: Cost;
  latencyMs: number;
  timeToFirstTokenMs?: number;
  simulated?: boolean;
}

export interface CommandFailedData {
  [key: string]: unknown;
  commandId: string;
  kind: string;
  attempt: number;
  error: ConclaveErrorJSON;
  /** The model this attempt used (an agent may have a fallback chain). */
  model?: string;
  /** True when the dispatcher will try again after `retryInMs`. */
  willRetry: boolean;
  retryInMs?: number;
  /** Set when this model is given up and the next model of the agent's fallback chain takes over. */
  fallbackTo?: string;
}

export interface AgentMessageData {
  [key: string]: unknown;
  commandId: string;
  agent: string;
  text: string;
  step?: StepInfo;
  /** A nested topology slot's result beyond its answer: topology, reason, aggregation and details. */
  nested?: { topology: string; reason: string; aggregation?: string; details?: Record<string, unknown> };
}

/**
 * An agent call given up under `on_agent_error: skip`: its retries (and fallback chain) ran out, or
 * its nested topology failed, and the topology went on without it. `path` is the call's full path
 * (`voting/vote:1`), the key replay answers the call by; `commandId` is its model command, if any.
 */
export interface AgentSkippedData {
  [key: string]: unknown;
  path: string;
  commandId?: string;
  agent: string;
  topology: string;
  step?: StepInfo;
  error: { code: string; message: string };
}

export interface TopologyCompletedData {
  [key: string]: unknown;
  topology: string;
  /** The turn this answers (absent on the first turn of older logs). */
  turn?: number;
  answer: string;
  /** Why the topology stopped (`max_rounds`, `consensus`, `all_stages_done`, …). */
  reason: string;
  /** How the answer was formed (`last_stage`, `concat`, `judge`, `majority`, …). */
  aggregation: string;
  details?: Record<string, unknown>;
}

export interface SessionErrorData {
  [key: string]: unknown;
  error: ConclaveErrorJSON;
}
