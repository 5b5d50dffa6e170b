/**
 * What the kernel builds when a session is created and when a run opens: the `session.created`
 * event (with a `budget.set` when the session starts with a budget), the run's writer and budget,
 * and the dispatcher context every model and tool call of the run goes through (retries,
 * timeouts, redaction, budget).
 */
import { ConclaveError, createId, parseModelRef, type BudgetSetData, type NewSessionEvent, type SessionCreatedData, type SessionEvent, type SessionStore } from '../protocol/index.js';
import type { Clock } from './clock.js';
import type { DispatcherContext } from './dispatcher.js';
import type { Journal } from './journal.js';
import type { CreateSessionOptions, KernelOptions, SessionDefinition, SessionTrust } from './kernel-options.js';
import type { LiveEvents } from './live-events.js';
import type { ProviderAccess } from './provider-access.js';
import { defaultRetryPolicy } from './retry-policy.js';
import { SessionBudget } from './session-budget.js';
import { SessionSummarizer } from './session-result.js';
import type { SessionSecrets } from './session-secrets.js';
import { SessionWriter } from './session-writer.js';
import type { SessionResult } from './session-result.js';
import { interruptReason, type ActiveRun } from './session-turn.js';

export interface SessionCreation {
  definition: SessionDefinition;
  /** The canonical topology and its options (aliases resolved). */
  resolved: { topology: string; options: Record<string, unknown> };
  task: string;
  seed: number;
  options: CreateSessionOptions;
  untrusted: boolean;
  at: string;
  /** Redacts every secret the process knows from the created data. */
  redact: <T>(data: T) => T;
  /** The `budget.set` data of a session created with a budget. */
  budgetSet?: BudgetSetData;
}

/**
 * The first events of a new session: `session.created`, then its `budget.set` if any.
 *
 * @example
 * await store.append(sessionId, 1, sessionCreatedEvents({ definition, resolved, task, seed, options, untrusted: false, at, redact }));
 */
export function sessionCreatedEvents(creation: SessionCreation): NewSessionEvent[] {
  const { definition, resolved, task, seed, options } = creation;
  const document = { ...definition, ...resolved, task, seed };
  const data: SessionCreatedData = { document, topology: resolved.topology, task, seed };
  if (options.source !== undefined) data.source = options.source;
  const title = options.title ?? definition.name;
  if (title !== undefined) data.title = title;
  if (options.workspace !== undefined) data.workspace = options.workspace;
  if (creation.untrusted) data.trust = 'untrusted';
  if (options.metadata !== undefined) data.metadata = options.metadata;
  if (options.attributes !== undefined) data.attributes = options.attributes;
  const created: NewSessionEvent[] = [{ id: createId('event'), type: 'session.created', at: creation.at, data: creation.redact(data) }];
  if (creation.budgetSet !== undefined) created.push({ id: createId('event'), type: 'budget.set', at: creation.at, data: creation.budgetSet });
  return created;
}

export interface RunDispatcherParts {
  sessionId: string;
  writer: SessionWriter;
  journal: Journal;
  live: LiveEvents;
  clock: Clock;
  access: ProviderAccess;
  trust: SessionTrust;
  definition: SessionDefinition;
  secrets: SessionSecrets;
  budget: SessionBudget;
  options: KernelOptions;
}

/**
 * The dispatcher context of a run: the document's retry policy and timeouts over the kernel's
 * defaults, redaction when secrets are known, and the budget when one is set.
 *
 * @example
 * const dispatcher = runDispatcherContext({ sessionId, writer, journal, live, clock, access, trust, definition, secrets, budget, options });
 */
export function runDispatcherContext(parts: RunDispatcherParts): DispatcherContext {
  const { definition, secrets, budget } = parts;
  return {
    sessionId: parts.sessionId,
    writer: parts.writer,
    journal: parts.journal,
    live: parts.live,
    clock: parts.clock,
    retry: { ...defaultRetryPolicy, ...definition.retry },
    access: parts.access,
    trust: parts.trust,
    ...(definition.providers !== undefined ? { providers: definition.providers } : {}),
    timeouts: { ...parts.options.defaultTimeouts, ...definition.timeouts },
    ...(secrets.active ? { redact: <T>(value: T): T => secrets.redact(value), streamRedactor: () => secrets.streamRedactor() } : {}),
    random: parts.options.random ?? Math.random,
    ...(budget.active ? { budget } : {}),
  };
}

/**
 * The definition with what lives outside the document looked up (memory stores, through the
 * kernel's `prepareDefinition`); a document with `memory:` on a kernel without one is refused.
 *
 * @example
 * definition = await preparedDefinition(definition, kernelOptions, trust, options.attributes);
 */
export async function preparedDefinition(definition: SessionDefinition, options: KernelOptions, trust: SessionTrust, attributes: Record<string, unknown> | undefined): Promise<SessionDefinition> {
  if (options.prepareDefinition !== undefined) {
    return options.prepareDefinition(definition, { workspace: trust.workspace, untrusted: trust.untrusted, ...(attributes !== undefined ? { attributes } : {}) });
  }
  if ((definition.memory?.length ?? 0) > 0) {
    throw new ConclaveError('invalid_argument', 'memory: this runtime has no memory stores', { location: { path: 'memory' }, hint: 'conclave run, serve and the library have them; a Kernel of your own needs `prepareDefinition: memorySessionPreparer(…)`' });
  }
  return definition;
}

/**
 * Whether a model's calls have a cost a `max_usd` can count (simulated ones do).
 *
 * @example
 * isPricedModel(access, 'openai/gpt-4.1-mini', definition, trust) // → true
 */
export function isPricedModel(access: ProviderAccess, model: string, definition: SessionDefinition, trust: SessionTrust): boolean {
  const reference = parseModelRef(model);
  if (reference === undefined) return true;
  const settings = definition.providers?.[reference.provider];
  const adapter = access.adapter(reference.provider, settings, trust);
  return adapter.simulated || access.price(adapter, reference.name, reference.model, settings) !== undefined;
}

export interface ActiveRunParts {
  sessionId: string;
  /** The whole log as read after the claim. */
  events: SessionEvent[];
  /** The claim's epoch: appends of this run are fenced with it. */
  fence: number;
  journal: Journal;
  definition: SessionDefinition;
  trust: SessionTrust;
  store: SessionStore;
  live: LiveEvents;
  clock: Clock;
  access: ProviderAccess;
  secrets: SessionSecrets;
  options: KernelOptions;
}

/**
 * A run's state, opened over the log just read: its writer (fenced, redacting), its budget with
 * the spend the log records, and its dispatcher context. The writer keeps the journal and the
 * budget up to date with every event stored, and aborts the run on an interrupt or a deletion
 * journaled by another process.
 *
 * @example
 * const run = activeRunOf({ sessionId, events, fence, journal, definition, trust, store, live, clock, access, secrets, options });
 */
export function activeRunOf(parts: ActiveRunParts): ActiveRun {
  const { sessionId, journal, definition, trust, secrets } = parts;
  const writer = new SessionWriter(parts.store, sessionId, parts.events.at(-1)?.seq ?? 0, parts.clock, parts.live);
  writer.fence = parts.fence;
  if (secrets.active) writer.redact = (drafts) => secrets.redactDrafts(drafts);
  const budget = new SessionBudget(definition, writer, parts.clock);
  const summary = new SessionSummarizer();
  for (const event of parts.events) {
    budget.ledger.observe(event);
    summary.observe(event);
  }
  const run: ActiveRun = {
    writer,
    journal,
    budget,
    dispatcher: runDispatcherContext({ sessionId, writer, journal, live: parts.live, clock: parts.clock, access: parts.access, trust, definition, secrets, budget, options: parts.options }),
    controller: undefined,
    inflight: new Set(),
    summary,
    done: Promise.resolve(undefined as unknown as SessionResult),
  };
  writer.onStored = (event) => {
    journal.add(event);
    budget.observe(event);
    summary.observe(event);
    // A budget given to a session that had none applies from the next call on.
    if (event.type === 'budget.set' && run.dispatcher.budget === undefined && budget.active) run.dispatcher.budget = budget;
  };
  writer.onExternal = (event) => {
    if (event.type === 'user.interrupt' || event.type === 'session.deleted') run.controller?.abort(interruptReason(event));
  };
  return run;
}
