// The Managed Agents view over hand-built conclave logs: documented turn order, retries, nested
// results, the topology agent's final message, unique ids, and the usage/stats/status helpers.
import { describe, expect, it } from 'vitest';
import type { SessionEvent } from '../../src/protocol/events.js';
import {
  createDeltaStreamState,
  deltaEventId,
  deltaEvents,
  managedStatusOf,
  ManagedEventView,
  sessionStatsFrom,
  sessionUsageFrom,
  toManagedEvents,
  type ManagedEvent,
} from '../../src/server/managed/event-view.js';
import { log, type Draft } from '../support/session-log.js';

const step = { topology: 'pipeline', phase: 'stage', agent: 'writer' };
const input = { agent: 'writer', model: 'openai/gpt-5', messages: [] };

/** One model call as the kernel journals it: the step rides on the first `command.started`. */
function modelCall(commandId: string, text: string, usage: Record<string, number> = { inputTokens: 10, outputTokens: 5 }): Draft[] {
  return [
    ['command.started', { commandId, kind: 'model.generate', attempt: 1, input, step }],
    ['command.completed', { commandId, kind: 'model.generate', attempt: 1, output: { text }, usage, cost: { usd: 0.01 }, agent: 'writer', model: 'openai/gpt-5', latencyMs: 12 }],
    ['agent.message', { commandId, agent: 'writer', text, step }],
  ];
}

function oneTurn(): SessionEvent[] {
  return log(
    ['session.created', { topology: 'pipeline', task: 'Write', seed: 1, document: {} }],
    ['user.message', { text: 'Write' }],
    ['session.status_running'],
    ...modelCall('pipeline/stage:0/writer/generate:0', 'Done.', { inputTokens: 10, outputTokens: 5, cachedInputTokens: 3 }),
    ['topology.completed', { topology: 'pipeline', answer: 'Done.', reason: 'all_stages_done', aggregation: 'last_stage' }],
    ['session.status_idle', { stopReason: 'end_turn' }],
  );
}

const types = (events: ManagedEvent[]) => events.map((event) => event.type);

describe('ManagedEventView', () => {
  it('translates one turn in the documented order', () => {
    const events = toManagedEvents(oneTurn(), { topologyAgent: false });
    expect(types(events)).toEqual([
      'user.message',
      'session.status_running',
      'span.model_request_start',
      'agent.message',
      'span.model_request_end',
      'session.status_idle',
    ]);
    const [user, running, start, message, end, idle] = events;
    expect(user).toEqual({ id: 'sevt_2', type: 'user.message', processed_at: '2026-01-01T00:00:01.000Z', content: [{ type: 'text', text: 'Write' }], conclave: { seq: 2 } });
    expect(running).toEqual({ id: 'sevt_3', type: 'session.status_running', processed_at: '2026-01-01T00:00:02.000Z', conclave: { seq: 3 } });
    expect(start).toMatchObject({ id: 'sevt_4', type: 'span.model_request_start', conclave: { seq: 4, commandId: 'pipeline/stage:0/writer/generate:0', step } });
    expect(message).toEqual({
      // The id the message was streamed under (see `deltaEventId`), not the conclave event's.
      id: deltaEventId('sesn_test', 'pipeline/stage:0/writer/generate:0', 'text'),
      type: 'agent.message',
      processed_at: '2026-01-01T00:00:05.000Z',
      content: [{ type: 'text', text: 'Done.' }],
      conclave: { seq: 6, agent: 'writer', commandId: 'pipeline/stage:0/writer/generate:0', step },
    });
    expect(end).toMatchObject({
      id: 'sevt_5',
      type: 'span.model_request_end',
      model_request_start_id: 'sevt_4',
      is_error: false,
      model_usage: { input_tokens: 10, output_tokens: 5, cache_creation_input_tokens: 0, cache_read_input_tokens: 3 },
      conclave: { seq: 6 },
    });
    expect(idle).toEqual({
      id: 'sevt_8',
      type: 'session.status_idle',
      processed_at: '2026-01-01T00:00:07.000Z',
      stop_reason: { type: 'end_turn' },
      stop_details: null,
      conclave: { seq: 8, stop_reason: 'end_turn' },
    });
  });

  it('reads a legacy topology.step as nothing of its own: the span start still shows the step', () => {
    const commandId = 'pipeline/stage:0/writer/generate:0';
    const legacy = log(
      ['session.status_running'],
      ['topology.step', { ...step, commandId }],
      ...modelCall(commandId, 'Done.'),
      ['session.status_idle', { stopReason: 'end_turn' }],
    );
    const events = toManagedEvents(legacy, { topologyAgent: false });
    expect(types(events)).toEqual(['session.status_running', 'span.model_request_start', 'agent.message', 'span.model_request_end', 'session.status_idle']);
    expect(events[1]).toMatchObject({ id: 'sevt_3', conclave: { commandId, step } });
  });

  it('adds the final answer as an agent.message when the topology is the agent', () => {
    const events = toManagedEvents(oneTurn(), { topologyAgent: true });
    expect(types(events)).toEqual([
      'user.message',
      'session.status_running',
      'span.model_request_start',
      'agent.message',
      'span.model_request_end',
      'agent.message',
      'session.status_idle',
    ]);
    expect(events[5]).toEqual({
      id: 'sevt_7',
      type: 'agent.message',
      processed_at: '2026-01-01T00:00:06.000Z',
      content: [{ type: 'text', text: 'Done.' }],
      conclave: { seq: 7, final: true, topology: 'pipeline', reason: 'all_stages_done', aggregation: 'last_stage' },
    });
  });

  it('ends a failed attempt as an error span and announces the retry', () => {
    const commandId = 'debate/round:1/pro/generate:0';
    const events = toManagedEvents(
      log(
        ['session.status_running'],
        ['command.started', { commandId, kind: 'model.generate', attempt: 1, input }],
        ['command.failed', { commandId, kind: 'model.generate', attempt: 1, error: { code: 'provider_rate_limited', message: 'slow down', retryable: true }, willRetry: true, retryInMs: 500 }],
        ['command.started', { commandId, kind: 'model.generate', attempt: 2, input }],
        ['command.completed', { commandId, kind: 'model.generate', attempt: 2, output: {}, usage: { inputTokens: 4, outputTokens: 2 }, latencyMs: 3 }],
        ['agent.message', { commandId, agent: 'pro', text: 'Yes.' }],
        ['session.status_idle', { stopReason: 'end_turn' }],
      ),
      { topologyAgent: false },
    );
    expect(types(events)).toEqual([
      'session.status_running',
      'span.model_request_start',
      'span.model_request_end',
      'session.error',
      'span.model_request_start',
      'agent.message',
      'span.model_request_end',
      'session.status_idle',
    ]);
    expect(events[2]).toMatchObject({ id: 'sevt_3', model_request_start_id: 'sevt_2', is_error: true, model_usage: { input_tokens: 0, output_tokens: 0, cache_creation_input_tokens: 0, cache_read_input_tokens: 0 } });
    expect(events[3]).toMatchObject({ type: 'session.error', error: { type: 'model_rate_limited_error', message: 'slow down', retry_status: { type: 'retrying' } }, conclave: { seq: 3, retryInMs: 500 } });
    expect(events[6]).toMatchObject({ id: 'sevt_5', model_request_start_id: 'sevt_4', is_error: false, model_usage: { input_tokens: 4, output_tokens: 2 } });
  });

  it('maps errors and stop reasons of a failed turn', () => {
    const events = toManagedEvents(
      log(
        ['session.status_running'],
        ['command.started', { commandId: 'c', kind: 'model.generate', attempt: 1, input }],
        ['command.failed', { commandId: 'c', kind: 'model.generate', attempt: 1, error: { code: 'provider_overloaded', message: 'busy', retryable: true }, willRetry: false }],
        ['session.error', { error: { name: 'ConclaveError', code: 'agent_failed', category: 'system', message: 'agent "pro" failed', retryable: false } }],
        ['session.status_idle', { stopReason: 'retries_exhausted' }],
        ['session.error', { error: { name: 'ConclaveError', code: 'topology_failed', category: 'system', message: 'broken', retryable: false } }],
        ['session.status_terminated'],
      ),
      { topologyAgent: false },
    );
    expect(types(events)).toEqual([
      'session.status_running',
      'span.model_request_start',
      'span.model_request_end',
      'session.error',
      'session.status_idle',
      'session.error',
      'session.status_terminated',
    ]);
    expect(events[3]).toMatchObject({ error: { type: 'model_request_failed_error', message: 'agent "pro" failed', retry_status: { type: 'exhausted' } }, conclave: { code: 'agent_failed' } });
    expect(events[4]).toMatchObject({ stop_reason: { type: 'retries_exhausted' }, stop_details: null });
    expect(events[5]).toMatchObject({ error: { type: 'unknown_error', retry_status: { type: 'terminal' } } });
  });

  it('ends an interrupted turn with end_turn and says why in conclave', () => {
    const events = toManagedEvents(
      log(
        ['user.interrupt', { reason: 'enough', session_thread_id: 'thr_1' }],
        ['session.status_idle', { stopReason: 'interrupted', reason: 'interrupted by the user' }],
      ),
      { topologyAgent: false },
    );
    expect(events[0]).toEqual({ id: 'sevt_1', type: 'user.interrupt', processed_at: '2026-01-01T00:00:00.000Z', session_thread_id: 'thr_1', conclave: { seq: 1, reason: 'enough' } });
    expect(events[1]).toMatchObject({ stop_reason: { type: 'end_turn' }, conclave: { stop_reason: 'interrupted', reason: 'interrupted by the user' } });
  });

  it('gives a nested topology result only its agent.message', () => {
    const commandId = 'pipeline/stage:1/panel';
    const events = toManagedEvents(
      log(['agent.message', { commandId, agent: 'panel', text: 'Both agree.', nested: { topology: 'debate', reason: 'consensus' } }]),
      { topologyAgent: false },
    );
    expect(events).toEqual([
      {
        id: 'sevt_1',
        type: 'agent.message',
        processed_at: '2026-01-01T00:00:00.000Z',
        content: [{ type: 'text', text: 'Both agree.' }],
        conclave: { seq: 1, agent: 'panel', commandId, nested: { topology: 'debate', reason: 'consensus' } },
      },
    ]);
  });

  it('keeps user content blocks and ignores what has no Managed Agents form', () => {
    const content = [{ type: 'text', text: 'a' }, { type: 'text', text: 'b' }];
    const events = toManagedEvents(
      log(
        ['session.created', { topology: 'pipeline' }],
        ['user.message', { text: 'ab', content }],
        ['steering.delivered', { text: 'x' }],
        ['command.started', { commandId: 't', kind: 'tool.run', attempt: 1, input: {} }],
        ['command.completed', { commandId: 't', kind: 'tool.run', attempt: 1, output: {}, latencyMs: 1 }],
        ['something.new', {}],
        ['session.deleted'],
      ),
      { topologyAgent: true },
    );
    expect(types(events)).toEqual(['user.message', 'session.deleted']);
    expect(events[0]?.content).toEqual(content);
  });

  it('closes spans left open when the turn ends', () => {
    const events = toManagedEvents(
      log(
        ['command.started', { commandId: 'a', kind: 'model.generate', attempt: 1, input }],
        ['command.started', { commandId: 'a', kind: 'model.generate', attempt: 1, input }],
        ['command.completed', { commandId: 'a', kind: 'model.generate', attempt: 1, output: {}, usage: { inputTokens: 1, outputTokens: 1 }, latencyMs: 1 }],
        ['command.started', { commandId: 'b', kind: 'model.generate', attempt: 1, input }],
        ['session.status_idle', { stopReason: 'interrupted' }],
      ),
      { topologyAgent: false },
    );
    expect(events.map((event) => [event.type, event.id, event.model_request_start_id])).toEqual([
      ['span.model_request_start', 'sevt_1', undefined],
      ['span.model_request_end', 'sevt_1_end', 'sevt_1'],
      ['span.model_request_start', 'sevt_2', undefined],
      ['span.model_request_start', 'sevt_4', undefined],
      ['span.model_request_end', 'sevt_3', 'sevt_2'],
      ['span.model_request_end', 'sevt_4_end', 'sevt_4'],
      ['session.status_idle', 'sevt_5', undefined],
    ]);
  });

  it('gives every output a unique id and a non-decreasing seq, the same on every pass', () => {
    const events = log(
      ['session.created', { topology: 'debate' }],
      ['user.message', { text: 'Go' }],
      ['session.status_running'],
      ['command.started', { commandId: 'x', kind: 'model.generate', attempt: 1, input }],
      ['command.failed', { commandId: 'x', kind: 'model.generate', attempt: 1, error: { code: 'provider_timeout', message: 't', retryable: true }, willRetry: true }],
      ...modelCall('x', 'one'),
      ...modelCall('y', 'two'),
      ['topology.completed', { topology: 'debate', answer: 'two', reason: 'max_rounds', aggregation: 'judge' }],
      ['session.status_idle', { stopReason: 'end_turn' }],
    );
    const first = toManagedEvents(events, { topologyAgent: true });
    const ids = first.map((event) => event.id);
    expect(new Set(ids).size).toBe(ids.length);
    const seqs = first.map((event) => event.conclave.seq);
    expect(seqs).toEqual([...seqs].sort((left, right) => left - right));

    // Translating event by event (a live tail) gives exactly the listing.
    const view = new ManagedEventView({ topologyAgent: true });
    expect(events.flatMap((event) => view.translate(event))).toEqual(first);
    expect(JSON.parse(JSON.stringify(first))).toEqual(first);
  });
});

describe('deltaEvents', () => {
  const delta = (commandId: string, kind: 'text' | 'reasoning', text: string, sessionId = 'sesn_test') => ({ sessionId, commandId, agent: 'pro', kind, delta: text });

  it('starts a message once per command, then streams its text', () => {
    const state = createDeltaStreamState();
    const id = deltaEventId('sesn_test', 'c1', 'text');
    expect(id).toMatch(/^sevt_[0-9a-f]{24}$/);
    expect(deltaEvents(delta('c1', 'text', 'Hel'), state)).toEqual([
      { type: 'event_start', event: { id, type: 'agent.message' } },
      { type: 'event_delta', event_id: id, delta: { type: 'content_delta', content: { type: 'text', text: 'Hel' } } },
    ]);
    expect(deltaEvents(delta('c1', 'text', 'lo'), state)).toEqual([
      { type: 'event_delta', event_id: id, delta: { type: 'content_delta', content: { type: 'text', text: 'lo' } } },
    ]);
    expect(deltaEventId('sesn_test', 'c1', 'text')).toBe(id);
    expect(deltaEventId('sesn_test', 'c2', 'text')).not.toBe(id);
  });

  it('announces reasoning as agent.thinking, once', () => {
    const state = createDeltaStreamState();
    const id = deltaEventId('sesn_test', 'c1', 'reasoning');
    expect(id).not.toBe(deltaEventId('sesn_test', 'c1', 'text'));
    expect(deltaEvents(delta('c1', 'reasoning', 'hmm'), state)).toEqual([{ type: 'event_start', event: { id, type: 'agent.thinking' } }]);
    expect(deltaEvents(delta('c1', 'reasoning', 'hmm'), state)).toEqual([]);
  });

  it('streams each message under the id of the agent.message that concludes it, unique per session', () => {
    const commandId = 'pipeline/stage:0/writer/generate:0';
    const message = toManagedEvents(oneTurn(), { topologyAgent: false }).find((event) => event.type === 'agent.message');
    const [start] = deltaEvents(delta(commandId, 'text', 'Do'), createDeltaStreamState());
    expect(start).toEqual({ type: 'event_start', event: { id: message?.id, type: 'agent.message' } });
    const [other] = deltaEvents(delta(commandId, 'text', 'Do', 'sesn_other'), createDeltaStreamState());
    expect(other?.type === 'event_start' && other.event.id).not.toBe(message?.id);

    // A retried call concludes its second attempt: the message takes that attempt's id.
    const retried = log(
      ['session.created', { topology: 'pipeline' }],
      ['command.started', { commandId, kind: 'model.generate', attempt: 1, input }],
      ['command.failed', { commandId, kind: 'model.generate', attempt: 1, error: { code: 'provider_stream_cut', message: 'cut' }, willRetry: true }],
      ...modelCall(commandId, 'Done.'),
    );
    const retriedMessage = toManagedEvents(retried, { topologyAgent: false }).find((event) => event.type === 'agent.message');
    expect(retriedMessage?.id).toBe(deltaEventId('sesn_test', commandId, 'text', 2));
  });
});

describe('session usage, stats and status', () => {
  it('sums usage and cost of completed calls', () => {
    const events = log(...modelCall('a', 'x', { inputTokens: 10, outputTokens: 5 }), ...modelCall('b', 'y', { inputTokens: 1, outputTokens: 2, cachedInputTokens: 4 }));
    expect(sessionUsageFrom(events)).toEqual({
      input_tokens: 11,
      output_tokens: 7,
      cache_read_input_tokens: 4,
      cache_creation: { ephemeral_5m_input_tokens: 0, ephemeral_1h_input_tokens: 0 },
      cache_creation_input_tokens: 0,
      list_cost: { amount: '2', currency: 'USD' },
    });
    expect(sessionUsageFrom(log(['session.created'])).list_cost).toBeNull();
  });

  it('counts running time between running and idle', () => {
    const events = log(['session.created'], ['session.status_running'], ['agent.message'], ['session.status_idle'], ['user.message'], ['session.status_running']);
    expect(sessionStatsFrom(events)).toEqual({ active_seconds: 2, duration_seconds: 5 });
    expect(sessionStatsFrom(events, { now: '2026-01-01T00:00:10.000Z' })).toEqual({ active_seconds: 7, duration_seconds: 10 });
    expect(sessionStatsFrom([])).toEqual({ active_seconds: 0, duration_seconds: 0 });
  });

  it('maps statuses', () => {
    expect((['created', 'running', 'idle', 'terminated'] as const).map((status) => managedStatusOf(status))).toEqual(['idle', 'running', 'idle', 'terminated']);
  });
});
