/**
 * conclave from code: one object that owns a store, a registry (the built-ins plus the embedder's
 * topologies, providers and tools) and a kernel, and runs documents given as typed objects, YAML
 * text or file paths. It is what the CLI does, without the terminal: the same validation, the same
 * journal, the same result object as `conclave run --json`.
 */
import { existsSync } from 'node:fs';
import { unpricedModels, withUnpricedModels } from '../catalogue/unpriced-cost.js';
import { loadTopologyDocument } from '../config/load-topology-document.js';
import { parseTopologyDocument } from '../config/parse-topology-document.js';
import type { TopologyDocument as NormalisedDocument } from '../config/document-schema.js';
import { Kernel, type BudgetChange, type BudgetPatch, type LiveItem, type SessionResult } from '../kernel/index.js';
import { sessionResultJson, startSession, type SessionResultJson } from '../kernel/start-session.js';
import type { AgentMemoryStore } from '../memory/agent-memory-types.js';
import { memorySessionPreparer } from '../memory/memory-session.js';
import { createSessionToolsFactory, removeSessionWorkspace } from '../presets/session-tools.js';
import { ConclaveError } from '../protocol/errors.js';
import type { HostTool, ProviderModule, SessionEvent, SessionStore, SessionSummary, TopologyAlias, TopologyDefinition } from '../protocol/index.js';
import { openStore, prepareStore } from '../store/open-store.js';
import { createSecretResolver } from '../vault/secret-resolver.js';
import { mergeLiveDeltas, type StreamedItem } from './event-stream.js';
import { extendRegistry } from './plugins.js';
import type { TopologyDocument } from './document-types.js';
import { withHostTools } from './with-host-tools.js';

export interface ConclaveOptions {
  /**
   * Where sessions live: `':memory:'` (the default), a SQLite file path, a `postgres://` URL, or a
   * `SessionStore` object (which `close()` then leaves open).
   */
  store?: string | SessionStore;
  /** Providers to add to (or replace among) the built-ins, by name. */
  providers?: readonly ProviderModule[];
  /** Topologies to add (usable from YAML as `topology: <name>` once registered). */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- each topology has its own options type
  topologies?: ReadonlyArray<TopologyDefinition<any>>;
  /** Aliases of topologies, with optional preset options. */
  aliases?: readonly TopologyAlias[];
  /** Functions of this program that agents may call (see `defineTool`). */
  tools?: readonly HostTool[];
  /** Where providers read keys and base URLs, and `${secret:NAME}` falls back to. Default `process.env`. */
  env?: Record<string, string | undefined>;
  /** Values for `${secret:NAME}` references, checked before `env`; redacted from every event. */
  secrets?: Record<string, string>;
  /** Directory of per-session tool workspaces. Default CONCLAVE_WORKSPACES, else `.conclave/workspaces`. */
  workspaceRoot?: string;
  /**
   * The memory stores documents' `memory:` names: an `AgentMemoryStore` object (which `close()` then
   * leaves open). Default: beside the sessions — the same SQLite file or PostgreSQL schema as a
   * `store` location, else in this process.
   */
  memory?: AgentMemoryStore;
}

/** A document as a typed object, YAML (or JSON) text, or the path of a file holding one. */
export type DocumentInput = TopologyDocument | string;

export interface RunOptions {
  /** Overrides the document's task. */
  task?: string;
  /** Overrides the document's seed (same seed, same simulated answers and tie-breaks). */
  seed?: number;
  /** Aborting interrupts the session: finished calls stay journaled and `resume` continues it. */
  signal?: AbortSignal;
  /** Spend limits over the document's `budget` (`{ max_usd: 1, agents: { critic: { max_calls: 5 } } }`). */
  budget?: BudgetOptions;
}

/**
 * Budget limits as the library takes them: the session's (`max_usd`, `max_tokens`, `max_calls`,
 * `max_duration_s`; null removes one) and agents' by name under `agents`.
 */
export type BudgetOptions = BudgetPatch & { agents?: Record<string, BudgetPatch> };

function budgetChange(options: BudgetOptions): BudgetChange {
  const { agents, ...limits } = options;
  return { ...(Object.keys(limits).length > 0 ? { budget: limits } : {}), ...(agents !== undefined ? { agents } : {}) };
}

export interface EventsOptions {
  /** Only events after this sequence number. Default 0: from the start. */
  after?: number;
  /** Keep waiting for new events (also those other processes journal) until `signal` aborts or the loop breaks. */
  follow?: boolean;
  /** Also yield the live text deltas of calls this object runs (with `follow`). */
  deltas?: boolean;
  signal?: AbortSignal;
}

/** What `events(id, { deltas: true })` yields: journaled events, and the live deltas between them. */
export type { StreamedItem };

/** Only names that look like files are read as files; anything else is document text. */
const documentFileName = /\.(ya?ml|json)$/i;

/**
 * Runs topology documents in this process.
 *
 * @example
 * const conclave = new Conclave({ store: ':memory:' });
 * const result = await conclave.run('examples/debate.yaml', { task: 'Tabs or spaces?', seed: 7 });
 * console.log(result.answer, result.cost.usd);
 * await conclave.close();
 */
export class Conclave {
  private readonly options: ConclaveOptions;
  readonly registry: ReturnType<typeof extendRegistry>;
  private kernelPromise: Promise<{ kernel: Kernel; store: SessionStore }> | undefined;
  private memoryPromise: Promise<AgentMemoryStore> | undefined;
  private closed = false;

  constructor(options: ConclaveOptions = {}) {
    this.options = options;
    this.registry = extendRegistry({
      ...(options.providers !== undefined ? { providers: options.providers } : {}),
      ...(options.topologies !== undefined ? { topologies: options.topologies } : {}),
      ...(options.aliases !== undefined ? { aliases: options.aliases } : {}),
      ...(options.tools !== undefined ? { tools: options.tools } : {}),
    });
  }

  /**
   * Validates a document without running it; throws `ConclaveError` (`invalid_document`, with every
   * problem in `issues`) like `conclave validate`.
   *
   * @example
   * const normalised = await conclave.validate({ topology: 'debate', agents: [...] });
   */
  async validate(document: DocumentInput): Promise<NormalisedDocument> {
    if (typeof document !== 'string') return parseTopologyDocument(JSON.stringify(document), { registry: this.registry });
    const isPath = !document.includes('\n') && (documentFileName.test(document.trim()) || existsSync(document));
    if (isPath) return loadTopologyDocument(document.trim(), this.registry);
    return parseTopologyDocument(document, { registry: this.registry });
  }

  /**
   * Runs a document as a new session to its end and returns the result `conclave run --json` prints.
   * A failed run is a result with `status: 'failed'` and `error`, not a throw; an invalid document throws.
   *
   * @example
   * const result = await conclave.run({ topology: 'voting', agents: [...] }, { task: '2+2?' });
   */
  async run(document: DocumentInput, options: RunOptions = {}): Promise<SessionResultJson> {
    const sessionId = await this.createSession(document, options);
    return this.resume(sessionId, options.signal === undefined ? {} : { signal: options.signal });
  }

  /**
   * Creates a session without running it; `resume(id)` runs it, `events(id)` reads it.
   *
   * @example
   * const id = await conclave.createSession('examples/debate.yaml', { task: 'Is P = NP?' });
   */
  async createSession(document: DocumentInput, options: Omit<RunOptions, 'signal'> = {}): Promise<string> {
    const normalised = await this.validate(document);
    const { kernel } = await this.open();
    const source = typeof document === 'string' && !document.includes('\n') ? document : 'library';
    const { sessionId } = await startSession(kernel, normalised, {
      source,
      ...(options.task !== undefined ? { task: options.task } : {}),
      ...(options.seed !== undefined ? { seed: options.seed } : {}),
      ...(options.budget !== undefined ? { budget: budgetChange(options.budget) } : {}),
    });
    return sessionId;
  }

  /**
   * Runs a session until it ends or waits: a new one, an interrupted one, or one a crashed process
   * left running. Finished calls are read from the journal, never made again.
   *
   * @example
   * const result = await conclave.resume('sesn_01J…');
   * // One its budget stopped (stopReason 'budget_exceeded'), with the budget raised first:
   * await conclave.resume('sesn_01J…', { budget: { max_usd: 2, max_calls: 40 } });
   */
  async resume(sessionId: string, options: { signal?: AbortSignal; budget?: BudgetOptions } = {}): Promise<SessionResultJson> {
    const { kernel } = await this.open();
    if (options.budget !== undefined) await kernel.setBudget(sessionId, budgetChange(options.budget));
    const signal = options.signal;
    if (signal === undefined) return this.resultJson(await kernel.runSession(sessionId));
    // An abort is an interrupt, as Ctrl-C is for the CLI: journaled, so the session idles resumable.
    const interrupt = (): void => void kernel.interrupt(sessionId, 'aborted by the caller').catch(() => undefined);
    if (signal.aborted) throw new ConclaveError('aborted', 'the signal was aborted before the session ran');
    signal.addEventListener('abort', interrupt, { once: true });
    try {
      return this.resultJson(await kernel.runSession(sessionId));
    } finally {
      signal.removeEventListener('abort', interrupt);
    }
  }

  /**
   * Sends a message: an idle session runs its next turn (with the earlier turns as history) and the
   * result is returned; a running one receives it as steering and the current result is returned.
   *
   * @example
   * const next = await conclave.send(result.sessionId, 'Now compare their costs.');
   */
  async send(sessionId: string, text: string, options: { signal?: AbortSignal } = {}): Promise<SessionResultJson> {
    const { kernel, store } = await this.open();
    const summary = await store.getSession(sessionId);
    if (summary === undefined || summary.deleted) throw new ConclaveError('session_not_found', `no session ${sessionId}`);
    await kernel.send(sessionId, { text }, { start: false });
    // A running session (here or in another process) takes the message as steering at its next step.
    if (summary.status === 'running') return this.resultJson(await kernel.result(sessionId));
    return this.resume(sessionId, options);
  }

  /**
   * Interrupts a session: in-flight calls are aborted, it goes idle and stays resumable.
   *
   * @example
   * await conclave.interrupt(sessionId, 'taking too long');
   */
  async interrupt(sessionId: string, reason?: string): Promise<SessionEvent> {
    const { kernel } = await this.open();
    return kernel.interrupt(sessionId, reason);
  }

  /**
   * A session's result so far (its journal summarised), without running anything.
   *
   * @example
   * const { status, answer } = await conclave.result(sessionId);
   */
  async result(sessionId: string): Promise<SessionResultJson> {
    const { kernel } = await this.open();
    return this.resultJson(await kernel.result(sessionId));
  }

  /**
   * Sessions in the store, newest first.
   *
   * @example
   * for (const session of await conclave.sessions({ limit: 10 })) console.log(session.id, session.status);
   */
  async sessions(options: { limit?: number } = {}): Promise<SessionSummary[]> {
    const { store } = await this.open();
    return store.listSessions({ limit: options.limit ?? 50 });
  }

  /**
   * A session's journal as an async iterable: every event after `after`; with `follow`, new ones as
   * they are written until `signal` aborts or the loop breaks; with `deltas`, live text too.
   *
   * @example
   * for await (const event of conclave.events(sessionId)) console.log(event.seq, event.type);
   */
  events(sessionId: string, options: EventsOptions & { deltas: true }): AsyncIterable<StreamedItem>;
  events(sessionId: string, options?: EventsOptions): AsyncIterable<SessionEvent>;
  async *events(sessionId: string, options: EventsOptions = {}): AsyncIterable<SessionEvent | StreamedItem> {
    const { kernel, store } = await this.open();
    if ((await store.head(sessionId)) === 0) throw new ConclaveError('session_not_found', `no session ${sessionId}`);
    const after = options.after ?? 0;
    if (options.follow !== true) {
      yield* await store.read(sessionId, { afterSeq: after });
      return;
    }
    if (options.deltas !== true) {
      yield* store.follow(sessionId, { afterSeq: after, ...(options.signal !== undefined ? { signal: options.signal } : {}) });
      return;
    }
    const follow = (signal: AbortSignal): AsyncIterable<SessionEvent> => store.follow(sessionId, { afterSeq: after, signal });
    yield* mergeLiveDeltas(follow, (listener: (item: LiveItem) => void) => kernel.live.subscribe(sessionId, listener), options.signal);
  }

  /**
   * The memory stores documents name in `memory:` (opened on first use): create stores and read or
   * write memories from code with it.
   *
   * @example
   * const memory = await conclave.memoryStores();
   * await memory.createStore({ id: createId('memoryStore'), workspace: 'default', name: 'notes' });
   */
  memoryStores(): Promise<AgentMemoryStore> {
    if (this.closed) return Promise.reject(new ConclaveError('invalid_argument', 'this Conclave was closed', { hint: 'create a new Conclave' }));
    const given = this.options.memory;
    this.memoryPromise ??=
      given !== undefined
        ? Promise.resolve(given)
        : import('../memory/open-agent-memory.js').then(({ openAgentMemoryStore }) => openAgentMemoryStore({ db: typeof this.options.store === 'string' ? this.options.store : ':memory:', env: {} }));
    return this.memoryPromise;
  }

  /**
   * Releases every handle: running sessions are interrupted (resumable), the store is closed (unless
   * it was given as an object).
   *
   * @example
   * await conclave.close();
   */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.memoryPromise !== undefined && this.options.memory === undefined) await (await this.memoryPromise.catch(() => undefined))?.close();
    if (this.kernelPromise === undefined) return;
    const { kernel, store } = await this.kernelPromise.catch(() => ({ kernel: undefined, store: undefined }));
    await kernel?.stopAll('the library was closed');
    if (store !== undefined && typeof this.options.store !== 'object') await store.close();
  }

  /** The kernel and store, built on first use. */
  /** A result as JSON, with `cost.unpriced` and `unpricedModels` when some calls had no known price. */
  private async resultJson(result: SessionResult): Promise<SessionResultJson & { unpricedModels?: string[] }> {
    const { store } = await this.open();
    return withUnpricedModels(sessionResultJson(result), unpricedModels(await store.read(result.sessionId)));
  }

  private open(): Promise<{ kernel: Kernel; store: SessionStore }> {
    if (this.closed) return Promise.reject(new ConclaveError('invalid_argument', 'this Conclave was closed', { hint: 'create a new Conclave' }));
    this.kernelPromise ??= this.build();
    return this.kernelPromise;
  }

  private async build(): Promise<{ kernel: Kernel; store: SessionStore }> {
    const options = this.options;
    let store: SessionStore;
    if (typeof options.store === 'object') store = options.store;
    else {
      const location = { db: options.store ?? ':memory:', env: {} };
      await prepareStore(location);
      store = openStore(location);
    }
    const env = options.env ?? process.env;
    const given = options.secrets ?? {};
    const fromEnvironment = createSecretResolver({ env });
    const secrets = async (name: string): Promise<string> => given[name] ?? fromEnvironment(name);
    const memory = (): Promise<AgentMemoryStore> => this.memoryStores();
    const base = createSessionToolsFactory({ secrets, memory, ...(options.workspaceRoot !== undefined ? { workspaceRoot: options.workspaceRoot } : {}) });
    const hostTools = this.registry.tools;
    const kernel = new Kernel({
      store,
      registry: this.registry,
      env,
      secrets,
      prepareDefinition: memorySessionPreparer(memory),
      sessionTools: (sessionId, definition, trust) => {
        const tools = base(sessionId, definition, trust);
        return hostTools === undefined || hostTools.size === 0 ? tools : withHostTools(tools, hostTools, sessionId);
      },
      onSessionDeleted: (sessionId) => removeSessionWorkspace(sessionId, options.workspaceRoot !== undefined ? { workspaceRoot: options.workspaceRoot } : {}),
    });
    return { kernel, store };
  }
}
