/**
 * The kernel's vocabulary: what a session runs (`SessionDefinition`), how one is created, sent to
 * and run, and what a kernel is built from (`KernelOptions`). Types only, apart from the kernel.
 */
import type {
  AgentSlot,
  Budget,
  CallTimeouts,
  CustomToolSettings,
  EnvironmentSettings,
  OnAgentError,
  OutcomeSettings,
  ProviderAdapter,
  ProviderModule,
  ProvidersSection,
  Registry,
  SessionStore,
} from '../protocol/index.js';
import type { MemoryEntry, ResolvedMemoryEntry } from '../memory/memory-settings.js';
import type { ServerPolicy } from '../policy/server-policy.js';
import type { Clock } from './clock.js';
import type { RetryPolicy } from './retry-policy.js';
import type { BudgetChange } from './session-budget.js';
import type { SessionTools } from './tool-loop.js';

/** What a session runs: a validated, normalised topology document (see `src/config`). */
export interface SessionDefinition {
  topology: string;
  agents: AgentSlot[];
  /** The topology's options; omitted means all defaults. */
  options?: Record<string, unknown>;
  task?: string;
  seed?: number;
  name?: string;
  retry?: Partial<RetryPolicy>;
  /** How to reach each provider: base URL, key variable, limits, prices. */
  providers?: ProvidersSection;
  timeouts?: CallTimeouts;
  /** Where the agents' tools run. */
  environment?: EnvironmentSettings;
  /** The document's own tools. */
  tools?: CustomToolSettings[];
  /** MCP servers whose tools agents may use. */
  mcp_servers?: Array<Record<string, unknown> & { name: string }>;
  /** Limits on the session's spend, checked before every model call (see `session-budget.ts`). */
  budget?: Budget;
  /** `skip`: an agent that fails for good is left out and the topology goes on (agents and options may override it). */
  on_agent_error?: OnAgentError;
  /** What "done" means: a grader checks each answer; the topology runs again with its feedback until it is met. */
  outcome?: OutcomeSettings;
  /** Memory stores the agents may use; journaled resolved (`ResolvedMemoryEntry`) by `KernelOptions.prepareDefinition`. */
  memory?: Array<MemoryEntry | ResolvedMemoryEntry>;
}

export interface CreateSessionOptions {
  /** Overrides the document's task. */
  task?: string;
  /** Overrides the document's seed. Default: the document's, else 0. */
  seed?: number;
  /** Where the document came from, for display. */
  source?: string;
  /** Overrides the document's name as the session's title. */
  title?: string;
  /** Workspace the session belongs to. Default `default`. */
  workspace?: string;
  /**
   * The document came from an API caller: it is checked against the kernel's `policy` (refused
   * with `policy_denied` before anything is written), and it runs with its workspace's own secrets
   * only. Default false: the local user's or operator's own document.
   */
  untrusted?: boolean;
  metadata?: Record<string, string>;
  /** Extra data an API keeps with the session (journaled in `session.created`). */
  attributes?: Record<string, unknown>;
  /**
   * Create the session without a task: it waits, idle, and its first user message starts the
   * first turn (the Managed Agents way). Default false: a task is required.
   */
  awaitInput?: boolean;
  /**
   * Budget limits over the document's (`conclave run --budget`, an API's `budget` field), journaled
   * with the document's in a `budget.set` at creation. A `max_usd` over a model with no known
   * price is refused (`invalid_argument`) before anything is written.
   */
  budget?: BudgetChange;
}

/** A user message for {@link Kernel.send}. */
export interface UserMessage {
  text: string;
  /** Content blocks as a client sent them; kept in the journal next to `text`. */
  content?: unknown[];
  /** An outcome the turn this message starts (or steers) is graded against, instead of the document's. */
  outcome?: OutcomeSettings;
}

export interface SendOptions {
  /**
   * Run the turn in this process if nobody runs the session: true (default) for servers and
   * `conclave send`; false only journals the message.
   */
  start?: boolean;
}

export interface KernelOptions {
  store: SessionStore;
  registry: Registry;
  clock?: Clock;
  /** Environment that providers read keys and base URLs from. Default `process.env`. */
  env?: Record<string, string | undefined>;
  /** Builds the adapter of a provider; tests wrap it to count calls. */
  createAdapter?: (module: ProviderModule) => ProviderAdapter;
  /**
   * The tools of a session, for agents that list `tools` (built on first use per session run; see
   * `tool-loop.ts`). Without it, an agent with tools fails with `sandbox_unavailable`.
   */
  sessionTools?: (sessionId: string, definition: SessionDefinition, trust: SessionTrust) => SessionTools;
  /**
   * Completes a definition before its session is created and journaled: looks up what lives outside
   * the document (the memory stores of `memory:`, in the session's workspace) and throws for what
   * does not exist, so the caller's mistake is an error now, not a failed run (see
   * `memorySessionPreparer`). Without it, a definition with `memory:` is refused.
   */
  prepareDefinition?: (definition: SessionDefinition, context: PrepareDefinitionContext) => Promise<SessionDefinition>;
  /**
   * Resolves `${secret:NAME}` references (provider `api_key`, MCP servers) before a session runs:
   * the environment, then the vault. Resolved values are redacted from every event.
   */
  secrets?: (name: string, scope?: SecretScope) => Promise<string>;
  /**
   * What documents from API callers may use (`conclave serve|worker --policy`). Default: every
   * rule at its safe default (see `src/policy` and SECURITY.md).
   */
  policy?: ServerPolicy;
  /** Told when a session is deleted, after its tombstone is journaled (removes its workspace). */
  onSessionDeleted?: (sessionId: string) => Promise<void>;
  /** Wraps every adapter once it is built with its settings (the benchmark's response cache). */
  wrapAdapter?: (adapter: ProviderAdapter, provider: string) => ProviderAdapter;
  /** [0, 1) numbers for backoff jitter. */
  random?: () => number;
  /**
   * How often a running session looks for input other processes journaled (`conclave send`,
   * `conclave interrupt`). Default 100 ms for stores shared between processes that cannot `watch`;
   * 0 disables.
   */
  inputPollMs?: number;
  /**
   * Changes the provider-call timeouts that apply where a document's `timeouts:` is silent (each
   * field on its own); the rest keep `defaultCallTimeouts` (first token 60 s, idle 60 s, total
   * 10 min). An operator can tighten them; a test sets them small.
   */
  defaultTimeouts?: Partial<CallTimeouts>;
  /**
   * Hands a session that should run to someone else — a queue of workers — instead of running it
   * in this process (`launch`, and `send` to an idle session). Default: run here.
   */
  launch?: (sessionId: string) => Promise<void>;
}

/** What `prepareDefinition` knows about the session being created. */
export interface PrepareDefinitionContext {
  workspace: string;
  untrusted: boolean;
  /** The API's data kept with the session (a Managed session's `resources`, say). */
  attributes?: Record<string, unknown>;
}

/** Where a session's document came from, as its tools and secrets need to know. */
export interface SessionTrust {
  /** True for a document from an API caller (see `CreateSessionOptions.untrusted`). */
  untrusted: boolean;
  /** The session's workspace. */
  workspace: string;
  /** The folder `offline/scripted?script=` paths are confined to, for an untrusted document. */
  scriptsDirectory?: string;
}

/** Whose secrets a `${secret:NAME}` reference reads: absent, the server's (environment, then vault). */
export interface SecretScope {
  /** Only this workspace's own vault entries (`conclave vault set NAME --workspace W`). */
  workspace: string;
}

export interface RunOptions {
  signal?: AbortSignal;
  /**
   * Changes the budget before the run (`conclave resume ID --budget max_usd=2`): journaled as a
   * `budget.set` (see {@link Kernel.setBudget}); a session stopped by its budget then goes on.
   */
  budget?: BudgetChange;
}
