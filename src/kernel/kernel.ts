/**
 * The kernel: creates sessions from topology definitions and runs them. A run is always a replay
 * first: the machine is rebuilt from the start and every command already completed in the log is
 * answered from it, so `run` and `resume` are the same operation and a session survives the death
 * of any process. Providers, topologies and stores arrive through the registry and options.
 */
import {
  ConclaveError,
  type Registry,
  type ClaimedSession,
  type NewSessionEvent,
  type SessionEvent,
  type SessionStore,
  type UserInterruptData,
  type UserMessageData,
} from '../protocol/index.js';
import { systemClock, type Clock } from './clock.js';
import { ProviderAccess } from './provider-access.js';
import { Journal } from './journal.js';
import { LiveEvents } from './live-events.js';
import { summarizeSession, type SessionResult } from './session-result.js';
import type { EventDraft } from './session-writer.js';
import { SessionSecrets } from './session-secrets.js';
import { checkedOutcome } from './session-outcome.js';
import { assertDocumentAllowed, defaultServerPolicy, sessionTrustFor, type ServerPolicy } from '../policy/index.js';
import type { CreateSessionOptions, KernelOptions, RunOptions, SendOptions, SessionDefinition, SessionTrust, UserMessage } from './kernel-options.js';
import { driveTurns, type ActiveRun } from './session-turn.js';
import { appendAfterHead, assertWritable } from './session-input.js';
import { raisedBudgetData, type BudgetChange } from './session-budget.js';
import { activeRunOf, isPricedModel } from './session-setup.js';
import { checkedSessionCreation } from './session-creation.js';
import { answerToolUse, confirmationDraft, customResultDraft, type CustomToolResult, type ToolAnswerReceipt, type ToolConfirmation } from './tool-answers.js';

export class Kernel {
  readonly store: SessionStore;
  readonly registry: Registry;
  readonly live = new LiveEvents();
  private readonly secrets: SessionSecrets;
  private readonly clock: Clock;
  private readonly access: ProviderAccess;
  private readonly options: KernelOptions;
  /** What documents from API callers may use. */
  readonly policy: ServerPolicy;
  private readonly active = new Map<string, ActiveRun>();
  /** Runs between `runSession` and their registration in `active` (claiming, reading the log). */
  private readonly opening = new Map<string, Promise<SessionResult>>();

  constructor(options: KernelOptions) {
    this.options = options;
    this.store = options.store;
    this.registry = options.registry;
    this.clock = options.clock ?? systemClock;
    this.policy = options.policy ?? defaultServerPolicy();
    this.secrets = new SessionSecrets(options.secrets);
    // Provider keys in the environment and the vault passphrase are secrets from the start, reference or not.
    this.secrets.addFromEnvironment(options.registry, options.env ?? process.env);
    this.access = new ProviderAccess(options.registry, options.env ?? process.env, this.clock, options.createAdapter, options.wrapAdapter, (reference, scope) => this.secrets.valueOf(reference, scope));
  }

  /**
   * Creates a session (journals `session.created`) and returns its id. Nothing runs yet.
   *
   * @example
   * const sessionId = await kernel.createSession(document, { task: 'Is P = NP?', seed: 7 });
   */
  async createSession(definition: SessionDefinition, options: CreateSessionOptions = {}): Promise<string> {
    const { sessionId, created } = await this.sessionCreation(definition, options);
    await this.store.append(sessionId, 1, created);
    return sessionId;
  }

  /** Checks a new session (refusing it before anything is written) and words its first events. */
  private sessionCreation(definition: SessionDefinition, options: CreateSessionOptions): Promise<{ sessionId: string; created: NewSessionEvent[] }> {
    const host = { registry: this.registry, policy: this.policy, options: this.options, secrets: this.secrets, access: this.access, at: this.now() };
    return checkedSessionCreation(host, definition, options);
  }

  private isPriced(model: string, definition: SessionDefinition, trust: SessionTrust): boolean {
    return isPricedModel(this.access, model, definition, trust);
  }

  /**
   * Changes a session's budgets — the session's own and agents' by name, limit by limit (`null`
   * removes one) — by journaling a `budget.set`. A session that stopped on its budget goes on when
   * it runs next (`runSession`, or `resume` in the CLI); one running here sees the change before
   * its next model call. Throws `invalid_argument` for a malformed change or an unmeasurable
   * `max_usd`.
   *
   * @example
   * await kernel.setBudget(sessionId, { budget: { max_usd: 2, max_calls: 40 } });
   */
  async setBudget(sessionId: string, change: BudgetChange): Promise<SessionEvent> {
    await assertWritable(this.store, sessionId);
    const events = await this.store.read(sessionId);
    const created = Journal.from(events.slice(0, 1)).created;
    if (created === undefined) throw new ConclaveError('session_not_found', `no session ${sessionId}`);
    const definition = created.document as unknown as SessionDefinition;
    const trust = sessionTrustFor(this.policy, created.workspace ?? 'default', created.trust === 'untrusted');
    const data = raisedBudgetData(definition, events, change, (model) => this.isPriced(model, definition, trust));
    return this.journalInput(sessionId, { type: 'budget.set', data });
  }

  /**
   * Runs a session until it has nothing left to do — from the start, or from wherever its log says
   * it stopped — then resolves with its result. Each turn runs the topology once: the first on the
   * session's task, later ones on user messages. Commands completed in the log are not issued
   * again. A failed turn leaves the session idle with `retries_exhausted` (the error in
   * `result.error`); an interrupt leaves it idle with `interrupted`. Calling it for a session this
   * kernel already runs returns that run's result.
   *
   * @example
   * const result = await kernel.runSession(sessionId, { signal: controller.signal });
   */
  runSession(sessionId: string, options: RunOptions = {}): Promise<SessionResult> {
    if (options.budget !== undefined) {
      const { budget, ...rest } = options;
      return this.setBudget(sessionId, budget).then(() => this.runSession(sessionId, rest));
    }
    return this.openOnce(sessionId, options, undefined);
  }

  /** Opens one run of a session unless one is open or opening here (then its result). */
  private openOnce(sessionId: string, options: RunOptions, claimed: ClaimedSession | undefined): Promise<SessionResult> {
    const running = this.active.get(sessionId)?.done ?? this.opening.get(sessionId);
    if (running !== undefined) return running;
    // Errors leave the kernel redacted too: the CLI prints them, workers log them, queues store them.
    const done = this.openRun(sessionId, options, claimed).catch((error: unknown) => Promise.reject(this.secrets.redactThrown(error)));
    this.opening.set(sessionId, done);
    done.catch(() => undefined).finally(() => {
      if (this.opening.get(sessionId) === done) this.opening.delete(sessionId);
    });
    return done;
  }

  /**
   * Claims, reads and starts one run; `runSession` makes sure only one is opening per session. A
   * session this kernel has just created claimed (`claimed`) is neither claimed nor read again.
   */
  private async openRun(sessionId: string, options: RunOptions, claimed: ClaimedSession | undefined): Promise<SessionResult> {
    // The claim (which refuses an unknown session) comes before the read: whoever ran the session before can append nothing more, so
    // the log read next is the whole truth this run continues from.
    const fence = claimed?.fence ?? (await this.store.claim(sessionId));
    const events = claimed?.events ?? (await this.store.read(sessionId));
    const journal = Journal.from(events);
    if (journal.created === undefined || journal.deleted) throw new ConclaveError('session_not_found', `no session ${sessionId}`);
    if (summarizeSession(events).status === 'terminated') {
      throw new ConclaveError('session_not_resumable', `session ${sessionId} is terminated and cannot be resumed`);
    }
    const definition = journal.created.document as unknown as SessionDefinition;
    const trust = sessionTrustFor(this.policy, journal.created.workspace ?? 'default', journal.created.trust === 'untrusted');
    // Checked again on every run: a worker holds the document to its own, possibly newer, policy.
    assertDocumentAllowed(definition, this.policy, trust.workspace, { untrusted: trust.untrusted });
    await this.secrets.prepare(definition, trust.untrusted ? { workspace: trust.workspace } : undefined);
    this.secrets.addFromEnvironment(this.registry, this.options.env ?? process.env, definition.providers);
    const run = activeRunOf({ sessionId, events, fence, journal, definition, trust, store: this.store, live: this.live, clock: this.clock, access: this.access, secrets: this.secrets, options: this.options });
    const loop = { store: this.store, inputPollMs: this.options.inputPollMs, registry: this.registry, sessionTools: this.options.sessionTools };
    run.done = driveTurns(loop, sessionId, run, options.signal, () => this.active.delete(sessionId)).catch((error: unknown) => Promise.reject(this.secrets.redactThrown(error)));
    this.active.set(sessionId, run);
    // From here `active` answers for the session; a run after this one opens afresh.
    this.opening.delete(sessionId);
    return run.done;
  }

  /**
   * Starts running a session in the background (if this kernel is not already running it) and
   * returns the promise of its result; a failure to start is reported through that promise only.
   *
   * @example
   * void kernel.start(sessionId);
   */
  start(sessionId: string): Promise<SessionResult> {
    const done = this.runSession(sessionId);
    done.catch(() => undefined);
    return done;
  }

  /**
   * Has the session run: by the `launch` option (a queue of workers) when there is one, else in
   * this process, in the background. Resolves once it is handed over (enqueued or started).
   *
   * @example
   * await kernel.launch(sessionId); // enqueued for a worker, or running here
   */
  async launch(sessionId: string): Promise<void> {
    if (this.options.launch !== undefined) await this.options.launch(sessionId);
    else void this.start(sessionId);
  }

  /**
   * Stops running a session here without writing anything more to its log — not an interrupt: the
   * session stays as it was, for another process to continue from the log (a worker handing its
   * sessions back to the queue on shutdown). Resolves once the run has stopped.
   *
   * @example
   * await kernel.detach(sessionId, 'worker shutting down');
   */
  async detach(sessionId: string, reason: string): Promise<void> {
    const run = this.active.get(sessionId);
    if (run === undefined) return;
    run.writer.stop(new ConclaveError('aborted', `session ${sessionId} was handed back (${reason}); another runner continues it from the log`));
    run.controller?.abort(reason);
    await run.done.catch(() => undefined);
  }

  /** Ids of the sessions this kernel runs now. */
  runningSessions(): string[] {
    return [...this.active.keys()];
  }

  /**
   * Interrupts every session this kernel runs and waits until each has gone idle (finished calls
   * journaled, `stopReason: interrupted`). Returns how many there were. For shutdowns.
   *
   * @example
   * process.on('SIGTERM', async () => { await kernel.stopAll('shutting down'); process.exit(0); });
   */
  async stopAll(reason: string): Promise<number> {
    const runs = [...this.active.values()];
    for (const run of runs) run.controller?.abort(reason);
    await Promise.allSettled(runs.map((run) => run.done));
    return runs.length;
  }

  /** Whether this kernel is running the session now. */
  isRunning(sessionId: string): boolean {
    return this.active.has(sessionId);
  }

  /**
   * Journals a user message. While a turn runs it is steering, delivered to the model calls of the
   * topology's next step; otherwise it starts the next turn — run here unless `start: false` or
   * another process is running the session (that process picks the message up).
   *
   * @example
   * await kernel.send(sessionId, { text: 'Focus on the security trade-offs.' });
   */
  async send(sessionId: string, message: UserMessage, options: SendOptions = {}): Promise<SessionEvent> {
    if (message.text.trim() === '') throw new ConclaveError('invalid_argument', 'a user message needs some text');
    await assertWritable(this.store, sessionId);
    const data: UserMessageData = { text: message.text };
    if (message.content !== undefined) data.content = message.content;
    if (message.outcome !== undefined) data.outcome = checkedOutcome(message.outcome);
    const event = await this.journalInput(sessionId, { type: 'user.message', data });
    if (options.start !== false && !this.active.has(sessionId)) {
      const summary = await this.store.getSession(sessionId);
      // A session another process runs takes the message from its log; here we run only idle ones.
      if (summary !== undefined && summary.status !== 'running' && !this.active.has(sessionId)) await this.launch(sessionId);
    }
    return event;
  }

  /**
   * Journals a `user.interrupt` and stops the running turn: model calls in flight are aborted and
   * the session goes idle (`interrupted`). Messages queued before the interrupt are dropped; one sent
   * after it continues the turn. Against an idle session it is only journaled. When another process
   * runs the session, that process sees the interrupt in the log within its input poll interval.
   *
   * @example
   * await kernel.interrupt(sessionId, 'wrong direction');
   */
  async interrupt(sessionId: string, reason = 'interrupted by the user'): Promise<SessionEvent> {
    await assertWritable(this.store, sessionId);
    const data: UserInterruptData = { reason };
    const run = this.active.get(sessionId);
    if (run === undefined) return this.journalInput(sessionId, { type: 'user.interrupt', data });
    // Queued before the abort, so the log shows the interrupt before the idle it causes.
    const queued = run.writer.enqueue([{ type: 'user.interrupt', data }]);
    run.controller?.abort(reason);
    const [event] = await queued.stored;
    return event as SessionEvent;
  }

  /**
   * Answers a tool call that asked permission (`agent.tool_use` with `permission: 'ask'`; its event
   * id is `toolUseId`): journals `user.tool_confirmation`. Allowed, the tool runs when the turn
   * goes on; denied, the model gets an error result with `message`. Once no call of the session
   * waits any more, the next run of the turn starts (here, or through `launch`; `start: false` only
   * journals); until then the session stays idle (`requires_action`) and nothing else is written. Throws
   * `tool_use_not_found`, `tool_use_not_pending` or `tool_use_already_answered`.
   *
   * @example
   * await kernel.confirmTool(sessionId, 'evt_123', { allow: false, message: 'not on the prod database' });
   */
  confirmTool(sessionId: string, toolUseId: string, decision: ToolConfirmation, options: SendOptions = {}): Promise<ToolAnswerReceipt> {
    return this.answerToolUse(sessionId, toolUseId, 'confirmation', confirmationDraft(toolUseId, decision), options);
  }

  /**
   * Gives the result of a client-run tool call (`agent.custom_tool_use`; its event id is
   * `customToolUseId`): journals `user.custom_tool_result`, which completes the call when the turn
   * goes on. Starts the next run like {@link Kernel.confirmTool}; throws the same codes.
   *
   * @example
   * await kernel.submitToolResult(sessionId, 'evt_456', { content: 'ticket #42 created' });
   */
  submitToolResult(sessionId: string, customToolUseId: string, result: CustomToolResult, options: SendOptions = {}): Promise<ToolAnswerReceipt> {
    return this.answerToolUse(sessionId, customToolUseId, 'custom_result', customResultDraft(customToolUseId, result), options);
  }

  private answerToolUse(sessionId: string, toolUseId: string, kind: 'confirmation' | 'custom_result', draft: EventDraft, options: SendOptions): Promise<ToolAnswerReceipt> {
    const kernel = { store: this.store, running: (id: string) => this.active.get(id), journalInput: (id: string, input: EventDraft) => this.journalInput(id, input), launch: (id: string) => this.launch(id) };
    return answerToolUse(kernel, { sessionId, toolUseId, kind, draft, start: options.start !== false });
  }

  /**
   * Marks a session archived (`session.archived`): still readable, hidden from lists that ask so.
   *
   * @example
   * await kernel.archive(sessionId);
   */
  async archive(sessionId: string): Promise<SessionEvent> {
    await assertWritable(this.store, sessionId, { allowTerminated: true });
    return this.journalInput(sessionId, { type: 'session.archived', data: {} });
  }

  /**
   * Journals new labels for a session (`session.updated`): a title, and metadata merged key by key
   * (a null value removes a key). The summary's title follows.
   *
   * @example
   * await kernel.update(sessionId, { title: 'Pricing debate', metadata: { team: 'growth' } });
   */
  async update(sessionId: string, change: { title?: string | null; metadata?: Record<string, string | null> }): Promise<SessionEvent> {
    await assertWritable(this.store, sessionId, { allowTerminated: true });
    const data: Record<string, unknown> = {};
    if (change.title !== undefined) data['title'] = change.title;
    if (change.metadata !== undefined) data['metadata'] = change.metadata;
    return this.journalInput(sessionId, { type: 'session.updated', data });
  }

  /**
   * Deletes a session: stops it if it runs here and journals `session.deleted`, after which the
   * session is gone from lists and APIs. The log itself is kept (append-only); nothing is erased.
   *
   * @example
   * await kernel.delete(sessionId);
   */
  async delete(sessionId: string): Promise<SessionEvent> {
    await assertWritable(this.store, sessionId, { allowTerminated: true });
    const run = this.active.get(sessionId);
    if (run !== undefined) {
      run.controller?.abort('session deleted');
      await run.done.catch(() => undefined);
    }
    const deleted = await this.journalInput(sessionId, { type: 'session.deleted', data: {} });
    await this.options.onSessionDeleted?.(sessionId);
    return deleted;
  }

  /**
   * Creates a session and runs it.
   *
   * @example
   * const result = await kernel.run(document, { task: 'Summarise the RFC' });
   */
  async run(definition: SessionDefinition, options: CreateSessionOptions & RunOptions = {}): Promise<SessionResult> {
    // The budget goes into the session's creation; it is not a change to journal again.
    const { budget: _created, ...run } = options;
    if (this.store.createClaimed === undefined) return this.runSession(await this.createSession(definition, options), run);
    // Created and claimed in one write; nobody else can have run it yet, so its log is what was written.
    const { sessionId, created } = await this.sessionCreation(definition, options);
    const claimed = await this.store.createClaimed(sessionId, created);
    return this.openOnce(sessionId, run, claimed);
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

  private now(): string {
    return new Date(this.clock.now()).toISOString();
  }

  /**
   * Appends one input event: through the session's writer when it runs here (no conflict with
   * its own appends), else straight to the store after its head, retrying if the head moves.
   */
  private async journalInput(sessionId: string, draft: EventDraft): Promise<SessionEvent> {
    const run = this.active.get(sessionId);
    if (run !== undefined) {
      const [event] = await run.writer.append([draft]);
      return event as SessionEvent;
    }
    return appendAfterHead(this.store, sessionId, { type: draft.type, data: this.secrets.redact(draft.data) }, this.now());
  }
}
