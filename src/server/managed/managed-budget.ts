/**
 * The Managed Agents `budget` of a session over conclave's `max_usd`: a list-cost ceiling in US
 * cents on the wire, dollars in the kernel; what the session has spent, read off its log; and the
 * Managed error for a model no budget can measure (`model_not_budgetable`).
 */
import { effectiveBudgets, type Kernel, type SessionDefinition } from '../../kernel/index.js';
import { BudgetLedger } from '../../kernel/session-budget.js';
import { isConclaveError, type SessionEvent, type SessionSummary } from '../../protocol/index.js';
import { ApiError } from '../http-errors.js';
import type { ManagedBudget } from './session-schema.js';

/**
 * A Managed budget's ceiling in US dollars (its amount is in cents).
 *
 * @example
 * dollarsOf({ type: 'limit', max_list_cost: { amount: '2500', currency: 'USD' } }) // → 25
 */
export function dollarsOf(budget: ManagedBudget): number {
  return Number(budget.max_list_cost.amount) / 100;
}

/**
 * The session's `max_usd` as a Managed budget, or null when it has none.
 *
 * @example
 * managedBudgetOf(await store.read(sessionId)) // → { type: 'limit', max_list_cost: { amount: '50', currency: 'USD' } }
 */
export function managedBudgetOf(events: readonly SessionEvent[]): ManagedBudget | null {
  const document = events[0]?.type === 'session.created' ? (events[0].data['document'] as SessionDefinition | undefined) : undefined;
  const usd = document === undefined ? undefined : effectiveBudgets(document, events).budget?.max_usd;
  return usd === undefined ? null : { type: 'limit', max_list_cost: { amount: String(Math.round(usd * 100)), currency: 'USD' } };
}

/**
 * What the session's model calls cost so far, in US dollars (the budget's measure).
 *
 * @example
 * spentDollars(await store.read(sessionId)) // → 0.73
 */
export function spentDollars(events: readonly SessionEvent[]): number {
  const ledger = new BudgetLedger({});
  for (const event of events) ledger.observe(event);
  return ledger.spent.usd;
}

/**
 * A model with no list price under a budget becomes the Managed Agents `model_not_budgetable`;
 * any other error is returned as it is.
 *
 * @example
 * await kernel.createSession(definition, options).catch((error: unknown) => Promise.reject(notBudgetable(error)));
 */
export function notBudgetable(error: unknown): unknown {
  if (!isConclaveError(error) || error.code !== 'invalid_argument' || !/max_usd/.test(error.message)) return error;
  return new ApiError('invalid_argument', `budget: ${error.message}`, { errorCode: 'model_not_budgetable', location: { path: 'budget' }, ...(error.hint !== undefined ? { hint: error.hint } : {}) });
}

/**
 * A budget update, by the Managed Agents rules: only a session created with a budget has one to
 * replace (`budget_create_only`), a new ceiling must be above what was spent
 * (`budget_not_raised`), and null removes it. A session its budget stopped goes on at once.
 *
 * @example
 * await updateManagedBudget(kernel, summary, { type: 'limit', max_list_cost: { amount: '5000', currency: 'USD' } });
 */
export async function updateManagedBudget(kernel: Kernel, summary: SessionSummary, budget: ManagedBudget | null): Promise<void> {
  const events = await kernel.store.read(summary.id);
  if (managedBudgetOf(events) === null) {
    const what = budget === null ? 'there is no budget to remove' : 'a budget cannot be added to a session created without one';
    throw new ApiError('invalid_argument', `budget: ${what}`, { errorCode: 'budget_create_only', location: { path: 'budget' } });
  }
  const spent = spentDollars(events);
  if (budget !== null && dollarsOf(budget) <= spent) {
    throw new ApiError('invalid_argument', `budget.max_list_cost.amount: ${budget.max_list_cost.amount} cents is not above the ${Math.round(spent * 100 * 1000) / 1000} cents the session has spent`, {
      errorCode: 'budget_not_raised',
      location: { path: 'budget.max_list_cost.amount' },
    });
  }
  await kernel.setBudget(summary.id, { budget: { max_usd: budget === null ? null : dollarsOf(budget) } }).catch((error: unknown) => Promise.reject(notBudgetable(error)));
  // Stopped by its budget: the refused call is made now (here, or by a worker).
  const result = await kernel.result(summary.id);
  if (result.status === 'idle' && result.stopReason === 'budget_exceeded' && !kernel.isRunning(summary.id)) await kernel.launch(summary.id);
}
