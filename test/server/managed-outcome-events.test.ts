// Outcomes in the Managed Agents view, over hand-built logs: a grading interrupted before its verdict
// ends its span `interrupted` and leaves the outcome interrupted; a failed turn makes it `failed`; a
// turn waiting for tool answers leaves it open; a document's own outcome gets spans too, under an
// outcome id of its session and turn; the grader's deltas never reach the stream.
import { describe, expect, it } from 'vitest';
import { createDeltaStreamState, deltaEvents, toManagedEvents } from '../../src/server/managed/event-view.js';
import { outcomeEvaluationsFrom } from '../../src/server/managed/managed-outcomes.js';
import { log, type Draft } from '../support/session-log.js';

const outcome = { description: 'A cited answer', rubric: 'Says "cited"' };
const grading = 'outcome/evaluation:1/generate:0';

/** A defined outcome's first turn up to the grader's call, which has not answered. */
function gradingUnderWay(): Draft[] {
  return [
    ['user.message', { text: outcome.description, outcome }],
    ['turn.started', { turn: 1, task: outcome.description, messageSeqs: [1] }],
    ['session.status_running'],
    ['outcome.evaluation_started', { commandId: grading, turn: 1, iteration: 1, outcomeEventId: 'sevt_1' }],
    ['command.started', { commandId: grading, kind: 'model.generate', attempt: 1, input: { agent: 'grader', model: 'offline/grader' } }],
  ];
}

describe('outcomes in the Managed Agents view', () => {
  it('ends an interrupted grading as interrupted, in the spans and in outcome_evaluations', () => {
    const events = log(...gradingUnderWay(), ['user.interrupt', { reason: 'stop' }], ['command.failed', { commandId: grading, kind: 'model.generate', attempt: 1, error: { code: 'aborted' } }], ['session.status_idle', { stopReason: 'interrupted' }]);
    const view = toManagedEvents(events, { topologyAgent: false });
    // The grader's call shows no model span of its own.
    expect(view.map((event) => event.type)).toEqual(['user.define_outcome', 'session.status_running', 'span.outcome_evaluation_start', 'span.outcome_evaluation_ongoing', 'user.interrupt', 'span.outcome_evaluation_end', 'session.status_idle']);
    // The grader's call under way is the evaluation's heartbeat.
    expect(view[3]).toMatchObject({ type: 'span.outcome_evaluation_ongoing', outcome_id: 'outc_1', iteration: 0 });
    expect(view[5]).toMatchObject({ id: 'sevt_4_end', outcome_evaluation_start_id: 'sevt_4', outcome_id: 'outc_1', iteration: 0, result: 'interrupted' });
    expect(outcomeEvaluationsFrom(events)).toEqual([
      { type: 'outcome_evaluation', outcome_id: 'outc_1', description: outcome.description, result: 'interrupted', iteration: 0, explanation: null, completed_at: events[5]?.at },
    ]);
  });

  it('fails the outcome of a failed turn, and leaves one waiting for tool answers open', () => {
    const failed = log(...gradingUnderWay(), ['session.status_idle', { stopReason: 'retries_exhausted' }]);
    expect(toManagedEvents(failed, { topologyAgent: false }).at(-2)).toMatchObject({ type: 'span.outcome_evaluation_end', result: 'failed' });
    expect(outcomeEvaluationsFrom(failed)[0]).toMatchObject({ result: 'failed', completed_at: failed[5]?.at });

    const waiting = log(['user.message', { text: outcome.description, outcome }], ['turn.started', { turn: 1, task: outcome.description, messageSeqs: [1] }], ['session.status_idle', { stopReason: 'requires_action', eventIds: [] }]);
    expect(outcomeEvaluationsFrom(waiting)[0]).toMatchObject({ result: 'running', completed_at: null });
  });

  it("shows a document outcome's gradings under an outcome id of the session and turn", () => {
    const events = log(
      ['outcome.evaluation_started', { commandId: 'turn:2/outcome/evaluation:1/generate:0', turn: 2, iteration: 1 }],
      ['outcome.evaluation_completed', { commandId: 'turn:2/outcome/evaluation:1/generate:0', turn: 2, iteration: 1, result: 'satisfied', feedback: 'none' }],
    );
    const view = toManagedEvents(events, { topologyAgent: true });
    expect(view.map((event) => [event.type, event['outcome_id']])).toEqual([
      ['span.outcome_evaluation_start', 'outc_test_turn2'],
      ['span.outcome_evaluation_end', 'outc_test_turn2'],
    ]);
    // Only `user.define_outcome` makes an entry.
    expect(outcomeEvaluationsFrom(events)).toEqual([]);
  });

  it("never streams the grader's text as an agent message", () => {
    const state = createDeltaStreamState();
    expect(deltaEvents({ sessionId: 'sesn_test', commandId: `turn:2/${grading}`, agent: 'grader', kind: 'text', delta: 'Verdict: satisfied' }, state)).toEqual([]);
    expect(deltaEvents({ sessionId: 'sesn_test', commandId: 'pipeline/pass:1/stage:0/generate:0', agent: 'writer', kind: 'text', delta: 'Hi' }, state)).toHaveLength(2);
  });
});
