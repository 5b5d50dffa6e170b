/**
 * The kernel: creates sessions from topology definitions and runs them. A run is always a replay
 * first: the machine is rebuilt from the start and every command already completed in the log is
 * answered from it, so `run` and `resume` are the same operation and a session survives the death
 * of any process. Providers, topologies and stores arrive through the registry and options.
 */
import {
  ConclaveError,
  createId,
  registryWithDocumentProviders,
  toConclaveError,
  type AgentSlot,
  type CallTimeouts,
  type ProvidersSection,
  type ProviderAdapter,
  type ProviderModule,
  type Registry,
  type SessionCreatedData,
  type SessionStore,
  type StopReason,
} from '../protocol/index.js';
import { systemClock, type Clock } from './clock.js';
import { assertCredentials } from './credentials.js';
import { ProviderAccess } from './provider-access.js';
import type { DispatcherContext } from './dispatcher.js';
import { Journal } from './journal.js';
import { LiveEvents } from './live-events.js';
import { defaultRetryPolicy, type RetryPolicy } from './retry-policy.js';
import { summarizeSession, type SessionResult } from './session-result.js';
import { SessionWriter } from './session-writer.js';
import { resolveAlias, runTopology } from './topology-runner.js';

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
}

export interface CreateSessionOptions {
  /** Overrides the document's task. */
  task?: string;
  /** Overrides the document's seed. Default: the document's, else 0. */
  seed?: number;
  /** Where the document came from, for display. */
  source?: string;
}

export interface KernelOptions {
  store: SessionStore;
  registry: Registry;
  clock?: Clock;
  /** Environment that providers read keys and base URLs from. Default `process.env`. */
  env?: Record<string, string | undefined>;
  /** Builds the adapter of a provider; tests wrap it to count calls. */
  createAdapter?: (module: ProviderModule) => ProviderAdapter;
  /** [0, 1) numbers for backoff jitter. */
  random?: () => number;
}

export interface RunOptions {
  signal?: AbortSignal;
}

export class Kernel {
  readonly store: SessionStore;
  readonly registry: Registry;
  readonly live = new LiveEvents();
  private readonly clock: Clock;
  private readonly access: ProviderAccess;
  private readonly options: KernelOptions;

  constructor(options: KernelOptions) {
    this.options = options;
    this.store = options.store;
    this.registry = options.registry;
    this.clock = options.clock ?? systemClock;
    this.access = new ProviderAccess(options.registry, options.env ?? process.env, this.clock, options.createAdapter);
  }

  /**
   * Creates a session (journals `session.created`) and returns its id. Nothing runs yet.
   *
   * @example
   * const sessionId = await kernel.createSession(document, { task: 'Is P = NP?', seed: 7 });
   */
  async createSession(definition: SessionDefinition, options: CreateSessionOptions = {}): Promise<string> {
    const task = options.task ?? definition.task;
    if (task === undefined || task.trim() === '') {
      throw new ConclaveError('invalid_argument', 'no task: give one with --task or a `task:` in the document');
    }
    const resolved = resolveAlias(this.registry, definition.topology, definition.options);
    if (!this.registry.topologies.has(resolved.topology)) {
      throw new ConclaveError('unknown_topology', `unknown topology "${definition.topology}"`);
    }
    assertCredentials(definition.agents, registryWithDocumentProviders(this.registry, definition.providers), this.options.env ?? process.env, definition.providers);
    const seed = options.seed ?? definition.seed ?? 0;
    const sessionId = createId('session');
    const document = { ...definition, ...resolved, task, seed };
    const data: SessionCreatedData = { document, topology: resolved.topology, task, seed };
    if (options.source !== undefined) data.source = options.source;
    if (definition.name !== undefined) data.title = definition.name;
    await this.store.append(sessionId, 1, [{ id: createId('event'), type: 'session.created', at: new Date(this.clock.now()).toISOString(), data }]);
    return sessionId;
  }

  /**
   * Runs a session to its end — from the start, or from wherever its log says it stopped.
   * Commands completed in the log are not issued again. Resolves with the session's result, also
   * when the topology failed (status idle with `retries_exhausted`, the error in `result.error`).
   *
   * @example
   * const result = await kernel.runSession(sessionId, { signal: controller.signal });
   */
  async runSession(sessionId: string, options: RunOptions = {}): Promise<SessionResult> {
    const events = await this.store.read(sessionId);
    const journal = Journal.from(events);
    const created = journal.created;
    if (created === undefined) throw new ConclaveError('session_not_found', `no session ${sessionId}`);
    if (journal.topologyCompleted !== undefined) return summarizeSession(events);
    const status = summarizeSession(events).status;
    if (status === 'terminated') {
      throw new ConclaveError('session_not_resumable', `session ${sessionId} is terminated and cannot be resumed`);
    }

    const definition = created.document as unknown as SessionDefinition;
    const writer = new SessionWriter(this.store, sessionId, events, this.clock, this.live);
    const dispatcher: DispatcherContext = {
      sessionId,
      writer,
      journal,
      live: this.live,
      clock: this.clock,
      retry: { ...defaultRetryPolicy, ...definition.retry },
      access: this.access,
      ...(definition.providers !== undefined ? { providers: definition.providers } : {}),
      ...(definition.timeouts !== undefined ? { timeouts: definition.timeouts } : {}),
      random: this.options.random ?? Math.random,
    };
    const signal = options.signal ?? new AbortController().signal;
    await writer.append([{ type: 'session.status_running', data: {} }]);
    try {
      const { result } = await runTopology(
        { registry: this.registry, dispatcher },
        {
          topology: created.topology,
          prefix: created.topology,
          task: created.task,
          agents: definition.agents,
          options: definition.options ?? {},
          seed: created.seed,
        },
        signal,
      );
      await writer.append([
        { type: 'topology.completed', data: { topology: created.topology, ...result } },
        { type: 'session.status_idle', data: { stopReason: 'end_turn' satisfies StopReason } },
      ]);
    } catch (thrown) {
      const error = toConclaveError(thrown);
      if (error.code === 'store_conflict') throw error;
      if (error.code === 'aborted') {
        await writer.append([{ type: 'session.status_idle', data: { stopReason: 'interrupted' satisfies StopReason, reason: error.message } }]);
      } else if (error.code === 'agent_failed') {
        await writer.append([
          { type: 'session.error', data: { error: error.toJSON() } },
          { type: 'session.status_idle', data: { stopReason: 'retries_exhausted' satisfies StopReason } },
        ]);
      } else {
        await writer.append([
          { type: 'session.error', data: { error: error.toJSON() } },
          { type: 'session.status_terminated', data: {} },
        ]);
      }
    }
    await writer.drain();
    return summarizeSession(writer.events);
  }

  /**
   * Creates a session and runs it.
   *
   * @example
   * const result = await kernel.run(document, { task: 'Summarise the RFC' });
   */
  async run(definition: SessionDefinition, options: CreateSessionOptions & RunOptions = {}): Promise<SessionResult> {
    const sessionId = await this.createSession(definition, options);
    return this.runSession(sessionId, options);
  }

  /**
   * The result of a session as its log stands now (it may still be running elsewhere).
   *
   * @example
   * const { status, answer } = await kernel.result(sessionId);
   */
  async result(sessionId: string): Promise<SessionResult> {
    const events = await this.store.read(sessionId);
    if (events.length === 0) throw new ConclaveError('session_not_found', `no session ${sessionId}`);
    return summarizeSession(events);
  }

}
