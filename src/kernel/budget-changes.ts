/**
 * Budget changes as people and APIs write them: `--budget` flags, patches of limits (`null`
 * removes one) and the checks a change passes before it is journaled — well-formed limits, and a
 * `max_usd` only over models whose cost can be measured.
 */
import { budgetLimits, budgetSchema, ConclaveError, isNestedTopology, modelChain, parseModelRef, type AgentSlot, type ModelAgent, type Budget, type BudgetLimitName } from '../protocol/index.js';

/** Limits to change: a number sets one, `null` removes it; limits left out stay as they are. */
export type BudgetPatch = Partial<Record<'max_usd' | 'max_tokens' | 'max_calls' | 'max_duration_s', number | null>>;

/** A change of the session's budget and of agents' budgets (by agent name). */
export interface BudgetChange {
  budget?: BudgetPatch;
  agents?: Record<string, BudgetPatch>;
}

/** Shorter names a person may type for a limit (`--budget usd=2,calls=40`). */
const limitAliases: Record<string, BudgetLimitName> = {
  usd: 'max_usd',
  tokens: 'max_tokens',
  calls: 'max_calls',
  duration_s: 'max_duration_s',
  duration: 'max_duration_s',
  seconds: 'max_duration_s',
};

const budgetHint = 'write LIMIT=VALUE pairs separated by commas, e.g. --budget max_usd=2,max_calls=40 (limits: max_usd, max_tokens, max_calls, max_duration_s; AGENT.LIMIT for one agent; VALUE none removes a limit)';

/**
 * Parses `--budget` values: `max_usd=2,max_calls=40`, repeatable; `critic.max_calls=5` for one
 * agent; `none` (or `off`) removes a limit; `usd`, `tokens`, `calls`, `duration_s` are accepted
 * for the `max_` names.
 *
 * @example
 * parseBudgetFlags(['max_usd=2,max_calls=40', 'critic.max_tokens=5000'])
 * // → { budget: { max_usd: 2, max_calls: 40 }, agents: { critic: { max_tokens: 5000 } } }
 */
export function parseBudgetFlags(values: readonly string[]): BudgetChange {
  const change: BudgetChange = {};
  for (const value of values) {
    for (const pair of value.split(',').map((part) => part.trim()).filter((part) => part !== '')) {
      const match = /^(?:([A-Za-z][A-Za-z0-9_-]*)\.)?([a-z_]+)\s*=\s*(\S+)$/.exec(pair);
      if (match === null) throw new ConclaveError('invalid_argument', `--budget: "${pair}" is not LIMIT=VALUE`, { hint: budgetHint });
      const [, agent, rawName, rawValue] = match as unknown as [string, string | undefined, string, string];
      const name = (budgetLimits as readonly string[]).includes(rawName) ? (rawName as BudgetLimitName) : limitAliases[rawName];
      if (name === undefined) throw new ConclaveError('invalid_argument', `--budget: unknown limit "${rawName}"`, { hint: budgetHint });
      let number: number | null;
      if (rawValue === 'none' || rawValue === 'off') number = null;
      else {
        number = Number(rawValue.replace(/^\$/, ''));
        if (!Number.isFinite(number) || number <= 0) throw new ConclaveError('invalid_argument', `--budget: ${pair}: the value must be a number above 0 (or none)`, { hint: budgetHint });
        if (name !== 'max_usd' && name !== 'max_duration_s' && !Number.isInteger(number)) throw new ConclaveError('invalid_argument', `--budget: ${pair}: ${name} must be a whole number`, { hint: budgetHint });
      }
      const target = agent === undefined ? (change.budget ??= {}) : ((change.agents ??= {})[agent] ??= {});
      target[name] = number;
    }
  }
  if (change.budget === undefined && change.agents === undefined) throw new ConclaveError('invalid_argument', '--budget: no limit given', { hint: budgetHint });
  return change;
}

/**
 * A budget with a patch applied (`null` removes a limit); undefined when no limit is left.
 *
 * @example
 * applyBudgetPatch({ max_calls: 4 }, { max_calls: 8, max_usd: 1 }) // → { max_calls: 8, max_usd: 1 }
 */
export function applyBudgetPatch(budget: Budget | undefined, patch: BudgetPatch | undefined): Budget | undefined {
  if (patch === undefined) return budget;
  const merged: Record<string, number> = { ...budget };
  for (const name of budgetLimits) {
    const value = patch[name];
    if (value === null) delete merged[name];
    else if (value !== undefined) merged[name] = value;
  }
  return Object.keys(merged).length === 0 ? undefined : (merged as Budget);
}

/**
 * Checks a patch's values (positive numbers, whole where they count things); throws
 * `invalid_argument` naming `path` otherwise.
 *
 * @example
 * assertBudgetPatch({ max_calls: 2.5 }, 'budget') // throws: budget.max_calls must be a whole number
 */
export function assertBudgetPatch(patch: unknown, path: string): asserts patch is BudgetPatch {
  if (typeof patch !== 'object' || patch === null || Array.isArray(patch)) throw new ConclaveError('invalid_argument', `${path}: expected an object of limits`, { location: { path } });
  for (const [name, value] of Object.entries(patch)) {
    if (!(budgetLimits as readonly string[]).includes(name)) {
      throw new ConclaveError('invalid_argument', `${path}.${name}: unknown limit (limits: ${budgetLimits.join(', ')})`, { location: { path: `${path}.${name}` } });
    }
    if (value === null) continue;
    const single = budgetSchema.safeParse({ [name]: value });
    if (!single.success) {
      throw new ConclaveError('invalid_argument', `${path}.${name}: ${single.error.issues[0]?.message ?? 'invalid'}`, { location: { path: `${path}.${name}` } });
    }
  }
}

/** Checks every patch of a change; throws `invalid_argument` naming the bad limit. */
export function assertBudgetChange(change: BudgetChange): void {
  if (change.budget !== undefined) assertBudgetPatch(change.budget, 'budget');
  for (const [name, patch] of Object.entries(change.agents ?? {})) assertBudgetPatch(patch, `agents.${name}.budget`);
}

/**
 * Refuses a `max_usd` that cannot be measured: some model it applies to has no known price (its
 * calls would cost "unpriced", never counted). Simulated models count as priced.
 *
 * @example
 * assertBudgetMeasurable(document, budgets, (model) => access.isPriced(model)); // throws invalid_argument
 */
export function assertBudgetMeasurable(
  agents: readonly AgentSlot[],
  budgets: { budget: Budget | undefined; agents: Record<string, Budget> },
  isPriced: (model: string) => boolean,
): void {
  const sessionUsd = budgets.budget?.max_usd !== undefined;
  for (const agent of modelAgentsOf(agents)) {
    const agentUsd = (budgets.agents[agent.name] ?? agent.budget)?.max_usd !== undefined;
    if (!sessionUsd && !agentUsd) continue;
    for (const model of modelChain(agent)) {
      if (parseModelRef(model) === undefined || isPriced(model)) continue;
      const whose = agentUsd && !sessionUsd ? `agent "${agent.name}"'s budget` : 'the budget';
      throw new ConclaveError('invalid_argument', `${whose} sets max_usd, but agent "${agent.name}" uses ${model}, which has no known price, so its cost cannot be measured`, {
        hint: `give its price under providers.<provider>.prices, limit max_tokens or max_calls instead, or remove max_usd`,
        location: { path: agentUsd && !sessionUsd ? `agents.${agent.name}.budget.max_usd` : 'budget.max_usd' },
      });
    }
  }
}

/** The model agents of a document's slots, nested topologies included. */
export function modelAgentsOf(slots: readonly AgentSlot[]): ModelAgent[] {
  const found: ModelAgent[] = [];
  const visit = (list: readonly AgentSlot[]): void => {
    for (const slot of list) {
      if (isNestedTopology(slot)) visit(slot.agents);
      else {
        found.push(slot);
        // The agents a slot may spawn are the session's agents too (budgets, prices).
        if (slot.spawn !== undefined) visit(slot.spawn.agents);
      }
    }
  };
  visit(slots);
  return found;
}
