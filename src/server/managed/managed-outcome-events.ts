/**
 * The outcome part of the Managed Agents event view (`ManagedEventView` hands it every event
 * first): a user message that defines an outcome is its `user.define_outcome` echo, with its
 * `outcome_id`; the kernel's `outcome.evaluation_started` / `_completed` are
 * `span.outcome_evaluation_start` / `_end` (iterations 0-indexed, the grader's feedback as the
 * explanation, its tokens as the usage), and each attempt of the grader's call a
 * `span.outcome_evaluation_ongoing` heartbeat between them. The grader's own model call is the evaluation, not the
 * agent's work: its spans and its message are left out, as the hosted grader's are. A turn that
 * ends while a grading is open (interrupted, failed) ends the span with that result.
 */
import type { SessionEvent } from '../../protocol/events.js';
import { modelUsageOf, zeroUsage, type ModelUsage } from './managed-session-summary.js';
import { outcomeIdOf, outcomeOfMessage } from './managed-outcomes.js';

/** An event this part of the view writes (the shape of `ManagedEvent`). */
export interface ManagedOutcomeEvent {
  [key: string]: unknown;
  id: string;
  type: string;
  processed_at: string;
  conclave: { [key: string]: unknown; seq: number };
}

/** What the outcome view made of an event: `handled` events are its alone; others go on to the rest of the view. */
export interface OutcomeTranslation {
  handled: boolean;
  /** Its events (for an unhandled event, ones that come before the rest of the view's). */
  events: ManagedOutcomeEvent[];
}

/** A grader's model call: `[turn:N/]outcome/evaluation:I/generate:0` (see `session-outcome.ts`). */
const gradingCommand = /(?:^|\/)outcome\/evaluation:\d+\/generate:\d+$/;

/**
 * Whether a command is an outcome grading (the grader's model call).
 *
 * @example
 * isGradingCommand('turn:2/outcome/evaluation:1/generate:0') // → true
 */
export function isGradingCommand(commandId: unknown): boolean {
  return typeof commandId === 'string' && gradingCommand.test(commandId);
}

interface OpenEvaluation {
  startId: string;
  outcomeId: string;
  iteration: number;
}

const unhandled: OutcomeTranslation = { handled: false, events: [] };

function out(source: SessionEvent, type: string, fields: Record<string, unknown>, conclave: Record<string, unknown>, id = source.id): ManagedOutcomeEvent {
  return { id, type, processed_at: source.at, ...fields, conclave: { seq: source.seq, ...conclave } };
}

/**
 * Translates the outcome events of one log, in order (it remembers open gradings and their usage).
 *
 * @example
 * const outcomes = new OutcomeEventView();
 * outcomes.translate(evaluationStarted) // → { handled: true, events: [{ type: 'span.outcome_evaluation_start', outcome_id: 'outc_…', iteration: 0, … }] }
 */
export class OutcomeEventView {
  private readonly open = new Map<string, OpenEvaluation>();
  private readonly usage = new Map<string, ModelUsage>();

  translate(event: SessionEvent): OutcomeTranslation {
    const data = event.data;
    const outcome = outcomeOfMessage(event);
    if (outcome !== undefined) {
      const rubric = { type: 'text', content: outcome.rubric ?? '' };
      return { handled: true, events: [out(event, 'user.define_outcome', { description: outcome.description, rubric, max_iterations: outcome.max_iterations ?? null, outcome_id: outcomeIdOf(event.id) }, {})] };
    }
    switch (event.type) {
      case 'command.started':
        // Each attempt of the grader's call is a heartbeat of its evaluation: running, not stuck.
        return isGradingCommand(data['commandId']) ? { handled: true, events: this.ongoing(event) } : unhandled;
      case 'agent.message':
        return isGradingCommand(data['commandId']) ? { handled: true, events: [] } : unhandled;
      case 'command.completed':
        if (!isGradingCommand(data['commandId'])) return unhandled;
        this.usage.set(String(data['commandId']), modelUsageOf(data['usage']));
        return { handled: true, events: [] };
      case 'outcome.evaluation_started':
        return { handled: true, events: [this.started(event)] };
      case 'outcome.evaluation_completed':
        return { handled: true, events: this.completed(event) };
      case 'session.status_idle': {
        const stopReason = data['stopReason'];
        if (stopReason === 'requires_action' || stopReason === 'budget_exceeded') return unhandled;
        return { handled: false, events: this.closeOpen(event, stopReason === 'interrupted' ? 'interrupted' : 'failed') };
      }
      case 'session.status_terminated':
      case 'session.deleted':
        return { handled: false, events: this.closeOpen(event, 'failed') };
      default:
        return unhandled;
    }
  }

  /** The outcome id a grading names: its defining message's, or (a document's outcome) one per session and turn. */
  private outcomeIdOf(event: SessionEvent): string {
    const definedBy = event.data['outcomeEventId'];
    return typeof definedBy === 'string' ? outcomeIdOf(definedBy) : `outc_${event.sessionId.replace(/^sesn_/, '')}_turn${Number(event.data['turn'])}`;
  }

  private started(event: SessionEvent): ManagedOutcomeEvent {
    const commandId = String(event.data['commandId']);
    const evaluation: OpenEvaluation = { startId: event.id, outcomeId: this.outcomeIdOf(event), iteration: Number(event.data['iteration']) - 1 };
    this.open.set(commandId, evaluation);
    return out(event, 'span.outcome_evaluation_start', { outcome_id: evaluation.outcomeId, iteration: evaluation.iteration }, { commandId, turn: event.data['turn'] });
  }

  /** `span.outcome_evaluation_ongoing` for an attempt of an open evaluation's grader call. */
  private ongoing(event: SessionEvent): ManagedOutcomeEvent[] {
    const commandId = String(event.data['commandId']);
    const evaluation = this.open.get(commandId);
    if (evaluation === undefined) return [];
    return [out(event, 'span.outcome_evaluation_ongoing', { outcome_id: evaluation.outcomeId, iteration: evaluation.iteration }, { commandId, attempt: event.data['attempt'] })];
  }

  private completed(event: SessionEvent): ManagedOutcomeEvent[] {
    const commandId = String(event.data['commandId']);
    const evaluation = this.open.get(commandId);
    // A completion whose start this view never saw (a truncated log) names itself as its start.
    const startId = evaluation?.startId ?? event.id;
    this.open.delete(commandId);
    const fields = {
      outcome_evaluation_start_id: startId,
      outcome_id: evaluation?.outcomeId ?? this.outcomeIdOf(event),
      iteration: Number(event.data['iteration']) - 1,
      result: String(event.data['result']),
      explanation: typeof event.data['feedback'] === 'string' ? event.data['feedback'] : '',
      usage: { ...(this.usage.get(commandId) ?? zeroUsage) },
    };
    return [out(event, 'span.outcome_evaluation_end', fields, { commandId, turn: event.data['turn'] })];
  }

  private closeOpen(event: SessionEvent, result: 'interrupted' | 'failed'): ManagedOutcomeEvent[] {
    const ends = [...this.open.entries()].map(([commandId, evaluation]) =>
      out(
        event,
        'span.outcome_evaluation_end',
        { outcome_evaluation_start_id: evaluation.startId, outcome_id: evaluation.outcomeId, iteration: evaluation.iteration, result, explanation: `the turn ended (${result}) before the grader answered`, usage: { ...zeroUsage } },
        { commandId },
        `${evaluation.startId}_end`,
      ),
    );
    this.open.clear();
    return ends;
  }
}
