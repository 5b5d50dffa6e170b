/**
 * Budgets: limits on what a session — and each agent — spends, checked before every model call.
 * Spend is read off the journal (every `command.completed` of a model call carries its usage and
 * cost), so a resumed session counts what earlier processes spent; duration is running time only
 * (the sum of `session.status_running` … idle intervals), so a budget never expires while a
 * session sits idle. A refused call journals `budget.exceeded` and stops the turn with
 * `budget_exceeded`; `budget.set` (at creation, or raised later) changes the limits, and the
 * refused call is issued when the session resumes.
 */
import {
  ConclaveError,
  type AgentSlot,
  type Budget,
  type BudgetExceededData,
  type BudgetLimitName,
  type BudgetSetData,
  type CommandCompletedData,
  type CommandFailedData,
  type ModelAgent,
  type SessionEvent,
} from '../protocol/index.js';
import type { Clock } from './clock.js';
import { applyBudgetPatch, assertBudgetChange, assertBudgetMeasurable, assertBudgetPatch, modelAgentsOf, type BudgetChange } from './budget-changes.js';
export { applyBudgetPatch, assertBudgetChange, assertBudgetMeasurable, assertBudgetPatch, parseBudgetFlags, type BudgetChange, type BudgetPatch } from './budget-changes.js';
import type { SessionWriter } from './session-writer.js';

/** What has been spent, by one agent or by the whole session. */
export interface BudgetSpend {
  calls: number;
  tokens: number;
  usd: number;
  /** Running time in milliseconds (an agent's: the latency of its calls). */
  durationMs: number;
}

const emptySpend = (): BudgetSpend => ({ calls: 0, tokens: 0, usd: 0, durationMs: 0 });

/**
 * The budgets in force: the document's (top level and agent slots), then every `budget.set`.
 *
 * @example
 * effectiveBudgets(document, events).budget // → { max_calls: 40 }
 */
export function effectiveBudgets(document: { budget?: Budget; agents?: readonly AgentSlot[] }, events: readonly SessionEvent[]): { budget: Budget | undefined; agents: Record<string, Budget> } {
  const tracker = new BudgetLedger(document);
  for (const event of events) tracker.observe(event);
  return { budget: tracker.budget, agents: tracker.agentBudgets };
}

/** A `budget.set` event as `effectiveBudgets` reads it, not yet journaled. */
function budgetEvent(data: BudgetSetData): SessionEvent {
  return { id: '', sessionId: '', seq: 0, type: 'budget.set', at: '', data };
}

/**
 * The `budget.set` a new session starts with: the document's budgets (top level and agents) with
 * the caller's change over them; undefined when the session has no limit. Throws `invalid_argument`
 * for a malformed budget or a `max_usd` over a model `isPriced` says has no price.
 *
 * @example
 * createdBudgetData(document, { budget: { max_usd: 1 } }, isPriced) // → { reason: 'created', budget: { max_calls: 40, max_usd: 1 } }
 */
export function createdBudgetData(definition: { budget?: Budget; agents: readonly AgentSlot[] }, change: BudgetChange | undefined, isPriced: (model: string) => boolean): BudgetSetData | undefined {
  if (change !== undefined) assertBudgetChange(change);
  // Documents from the loader are checked already; one built in code is checked here.
  if (definition.budget !== undefined) assertBudgetPatch(definition.budget, 'budget');
  const data: BudgetSetData = { reason: 'created' };
  const session = { ...definition.budget, ...change?.budget };
  if (Object.keys(session).length > 0) data.budget = session;
  const agents: NonNullable<BudgetSetData['agents']> = {};
  for (const [name, budget] of Object.entries(effectiveBudgets(definition, []).agents)) agents[name] = { ...budget };
  for (const [name, patch] of Object.entries(change?.agents ?? {})) agents[name] = { ...agents[name], ...patch };
  if (Object.keys(agents).length > 0) data.agents = agents;
  const budgets = effectiveBudgets(definition, [budgetEvent(data)]);
  if (budgets.budget === undefined && Object.keys(budgets.agents).length === 0) return undefined;
  assertBudgetMeasurable(definition.agents, budgets, isPriced);
  return data;
}

/**
 * The `budget.set` that changes a session's budgets, after checking the budgets it leaves in force
 * (a `max_usd` must be measurable).
 *
 * @example
 * raisedBudgetData(document, events, { budget: { max_calls: 80 } }, isPriced) // → { reason: 'raised', budget: { max_calls: 80 } }
 */
export function raisedBudgetData(definition: { budget?: Budget; agents: readonly AgentSlot[] }, events: readonly SessionEvent[], change: BudgetChange, isPriced: (model: string) => boolean): BudgetSetData {
  assertBudgetChange(change);
  const data: BudgetSetData = { reason: 'raised' };
  if (change.budget !== undefined) data.budget = change.budget;
  if (change.agents !== undefined) data.agents = change.agents;
  assertBudgetMeasurable(definition.agents, effectiveBudgets(definition, [...events, budgetEvent(data)]), isPriced);
  return data;
}

/**
 * Spend and limits, kept current from the journal's events (`observe` each one, in order).
 * `budget.set` merges over the document; `command.completed` of model calls adds spend; status
 * events open and close running intervals.
 */
export class BudgetLedger {
  budget: Budget | undefined;
  /** Agent budgets changed by `budget.set` (the rest are on the agent slots). */
  readonly agentBudgets: Record<string, Budget> = {};
  readonly spent: BudgetSpend = emptySpend();
  readonly byAgent = new Map<string, BudgetSpend>();
  private closedMs = 0;
  private runningSince: number | undefined;
  private lastAt: number | undefined;
  /** The last time text parsed, and what it gave: the events of one append share their time. */
  private parsedText: string | undefined;
  private parsedAt = Number.NaN;

  constructor(document: { budget?: Budget; agents?: readonly AgentSlot[] }) {
    this.budget = document.budget;
    for (const agent of modelAgentsOf(document.agents ?? [])) if (agent.budget !== undefined) this.agentBudgets[agent.name] = agent.budget;
  }

  /** Whether any limit is set for the session or an agent. */
  get active(): boolean {
    return this.budget !== undefined || Object.keys(this.agentBudgets).length > 0;
  }

  observe(event: SessionEvent): void {
    if (event.at !== this.parsedText) {
      this.parsedText = event.at;
      this.parsedAt = Date.parse(event.at);
    }
    const at = this.parsedAt;
    switch (event.type) {
      case 'budget.set': {
        const data = event.data as BudgetSetData;
        this.budget = applyBudgetPatch(this.budget, data.budget);
        for (const [name, patch] of Object.entries(data.agents ?? {})) {
          const next = applyBudgetPatch(this.agentBudgets[name], patch);
          if (next === undefined) delete this.agentBudgets[name];
          else this.agentBudgets[name] = next;
        }
        break;
      }
      case 'command.completed': {
        const data = event.data as CommandCompletedData;
        if (data.kind !== 'model.generate') break;
        const tokens = (data.usage?.inputTokens ?? 0) + (data.usage?.outputTokens ?? 0);
        const usd = data.cost?.usd ?? 0;
        add(this.spent, tokens, usd, 0);
        let line = this.byAgent.get(data.agent ?? 'unknown');
        if (line === undefined) this.byAgent.set(data.agent ?? 'unknown', (line = emptySpend()));
        add(line, tokens, usd, typeof data.latencyMs === 'number' ? data.latencyMs : 0);
        break;
      }
      case 'session.status_running':
        // A run that died without idling ends at its last event, not at this new start.
        if (this.runningSince !== undefined && this.lastAt !== undefined) this.closedMs += Math.max(0, this.lastAt - this.runningSince);
        this.runningSince = at;
        break;
      case 'session.status_idle':
      case 'session.status_terminated':
        if (this.runningSince !== undefined) this.closedMs += Math.max(0, at - this.runningSince);
        this.runningSince = undefined;
        break;
      default:
        break;
    }
    if (Number.isFinite(at)) this.lastAt = at;
  }

  /** Running time so far, in milliseconds, counting the open interval up to `now`. */
  durationMs(now: number): number {
    return this.closedMs + (this.runningSince === undefined ? 0 : Math.max(0, now - this.runningSince));
  }
}

function add(line: BudgetSpend, tokens: number, usd: number, durationMs: number): void {
  line.calls += 1;
  line.tokens += tokens;
  line.usd += usd;
  line.durationMs += durationMs;
}

/** The figure a limit is compared with. */
function spentOn(limit: BudgetLimitName, spend: BudgetSpend): number {
  switch (limit) {
    case 'max_usd':
      return spend.usd;
    case 'max_tokens':
      return spend.tokens;
    case 'max_calls':
      return spend.calls;
    case 'max_duration_s':
      return spend.durationMs / 1000;
  }
}

/** The check order: the cheapest to overrun first. */
const checkOrder: readonly BudgetLimitName[] = ['max_calls', 'max_tokens', 'max_usd', 'max_duration_s'];

/**
 * The budget of one run of a session: the ledger (fed every stored event by the kernel) plus the
 * check the dispatcher makes before each model call it issues (calls answered from the journal are
 * never checked: they cost nothing again).
 */
export class SessionBudget {
  readonly ledger: BudgetLedger;
  /** Calls let through and not yet finished (their completion is not stored yet). */
  private readonly inflight = new Set<string>();
  /** The agent of each call let through (an agent's calls in flight count toward its `max_calls`). */
  private readonly agentOf = new Map<string, string>();
  /** What stopped this run, once a call was refused (journaled once). */
  exceeded: BudgetExceededData | undefined;

  constructor(
    document: { budget?: Budget; agents?: readonly AgentSlot[] },
    private readonly writer: SessionWriter,
    private readonly clock: Clock,
  ) {
    this.ledger = new BudgetLedger(document);
  }

  get active(): boolean {
    return this.ledger.active;
  }

  /** Feeds one stored event (the kernel calls this from the writer's `onStored`). */
  observe(event: SessionEvent): void {
    this.ledger.observe(event);
    if (event.type === 'budget.set') this.exceeded = undefined;
    if (event.type === 'command.completed') this.inflight.delete(event.data['commandId'] as string);
    else if (event.type === 'command.failed') {
      const failed = event.data as CommandFailedData;
      if (!failed.willRetry && failed.fallbackTo === undefined) this.inflight.delete(failed.commandId);
    }
  }

  /**
   * Lets a model call through, or refuses it: journals `budget.exceeded` (once per stop) and
   * throws `budget_exceeded`. Calls in flight count toward `max_calls`; their tokens and dollars
   * are not known yet, so those limits can be overrun by what is in flight when they are reached.
   *
   * @example
   * if (context.budget !== undefined) await context.budget.beforeCall(call);
   */
  async beforeCall(call: { commandId: string; agent: ModelAgent }): Promise<void> {
    // A call that just finished commits with the next append: wait for it, so its spend counts.
    if (this.inflight.size > 0) await this.writer.drain();
    const refusal = this.exceeded ?? this.check(call);
    if (refusal === undefined) {
      this.inflight.add(call.commandId);
      return;
    }
    if (this.exceeded === undefined) {
      this.exceeded = refusal;
      await this.writer.append([{ type: 'budget.exceeded', data: refusal }]);
    }
    throw budgetExceededError(refusal);
  }

  private check(call: { commandId: string; agent: ModelAgent }): BudgetExceededData | undefined {
    const now = this.clock.now();
    const session = this.ledger.budget;
    if (session !== undefined) {
      const spend = { ...this.ledger.spent, calls: this.ledger.spent.calls + this.inflight.size, durationMs: this.ledger.durationMs(now) };
      const limit = firstReached(session, spend);
      if (limit !== undefined) return { scope: 'session', limit, spent: round(spentOn(limit, spend)), max: session[limit] as number, commandId: call.commandId };
    }
    const name = call.agent.name;
    const own = this.ledger.agentBudgets[name] ?? call.agent.budget;
    if (own !== undefined) {
      const line = this.ledger.byAgent.get(name) ?? emptySpend();
      const spend = { ...line, calls: line.calls + [...this.inflight].filter((id) => this.agentOf.get(id) === name).length };
      const limit = firstReached(own, spend);
      if (limit !== undefined) return { scope: 'agent', agent: name, limit, spent: round(spentOn(limit, spend)), max: own[limit] as number, commandId: call.commandId };
    }
    this.agentOf.set(call.commandId, name);
    return undefined;
  }
}

function firstReached(budget: Budget, spend: BudgetSpend): BudgetLimitName | undefined {
  for (const limit of checkOrder) {
    const max = budget[limit];
    if (max !== undefined && spentOn(limit, spend) >= max) return limit;
  }
  return undefined;
}

function round(value: number): number {
  return Math.round(value * 1_000_000) / 1_000_000;
}

/** How to raise one limit, as a `--budget` flag. */
export function raiseHint(exceeded: BudgetExceededData, sessionId?: string): string {
  const flagName = `${exceeded.scope === 'agent' && exceeded.agent !== undefined ? `${exceeded.agent}.` : ''}${exceeded.limit}`;
  const raised = exceeded.limit === 'max_usd' ? Math.max(exceeded.max * 2, exceeded.spent * 2) : Math.ceil(Math.max(exceeded.max * 2, exceeded.spent * 2));
  return `conclave resume ${sessionId ?? 'ID'} --budget ${flagName}=${Number(raised.toPrecision(6))}`;
}

/**
 * What a budget stop says: which budget, which limit, spent against the limit.
 *
 * @example
 * describeBudgetStop({ scope: 'session', limit: 'max_calls', spent: 4, max: 4, commandId }) // → 'the session budget max_calls (4 of 4)'
 */
export function describeBudgetStop(exceeded: BudgetExceededData): string {
  const whose = exceeded.scope === 'agent' ? `agent "${exceeded.agent}"'s budget` : 'the session budget';
  const figure = (value: number): string => (exceeded.limit === 'max_usd' ? `$${Number(value.toPrecision(6))}` : exceeded.limit === 'max_duration_s' ? `${Number(value.toFixed(3))} s` : String(value));
  return `${whose} ${exceeded.limit} (spent ${figure(exceeded.spent)} of ${figure(exceeded.max)})`;
}

/** The error a refused call throws; the turn ends idle with `budget_exceeded`. */
export function budgetExceededError(exceeded: BudgetExceededData): ConclaveError {
  return new ConclaveError('budget_exceeded', `budget reached: ${describeBudgetStop(exceeded)}; call ${exceeded.commandId} was not made`, {
    category: 'user',
    retryable: false,
    hint: `raise it and resume: ${raiseHint(exceeded)}`,
  });
}
