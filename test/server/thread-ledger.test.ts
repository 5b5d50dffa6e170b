// The thread side of the Managed Agents view, over hand-built conclave logs: which thread each
// event belongs to (tool rounds, retries, the outcome grader), the thread status events and where
// they fall (no flicker between a tool round and its tools; a waiting tool idles its thread with
// `requires_action`; an interrupt or the session's end closes every thread), and stable ids.
import { describe, expect, it } from 'vitest';
import type { SessionEvent } from '../../src/protocol/events.js';
import { toManagedEvents, type ManagedEvent } from '../../src/server/managed/event-view.js';
import { sessionThreadId } from '../../src/server/managed/thread-ledger.js';
import { log, type Draft } from '../support/session-log.js';

const document = {
  topology: 'pipeline',
  agents: [
    { name: 'writer', model: 'openai/gpt-5', tools: ['bash'] },
    // A slot named like the outcome grader: the grader's calls are still the session's.
    { name: 'grader', model: 'openai/gpt-5' },
  ],
};
const created: Draft = ['session.created', { topology: 'pipeline', task: 'Write', seed: 1, document, attributes: { managed: { topology_agent: true } } }];
const writer = sessionThreadId('sesn_test', ['writer']);
const step = { topology: 'pipeline', phase: 'stage', agent: 'writer' };

function started(commandId: string, agent = 'writer', stepInfo: Record<string, unknown> = step): Draft {
  return ['command.started', { commandId, kind: 'model.generate', attempt: 1, input: { agent, model: 'openai/gpt-5', messages: [] }, step: stepInfo }];
}

function completed(commandId: string, output: Record<string, unknown> = { text: 'Done.' }): Draft {
  return ['command.completed', { commandId, kind: 'model.generate', attempt: 1, output, usage: { inputTokens: 10, outputTokens: 5 }, agent: 'writer', model: 'openai/gpt-5', latencyMs: 3 }];
}

const view = (events: SessionEvent[]): ManagedEvent[] => toManagedEvents(events, { topologyAgent: true });
const summary = (events: ManagedEvent[]) => events.map((event) => `${event.type}${event['session_thread_id'] === writer ? ' @writer' : ''}`);

describe('session threads in the Managed Agents view', () => {
  it('keeps a tool round and its tools in one run of the thread, and idles it with the tool it waits for', () => {
    const round = 'pipeline/stage:0/generate:0';
    const tool = `${round}/tool:0`;
    const events = view(
      log(
        created,
        ['user.message', { text: 'Write' }],
        ['session.status_running'],
        started(round),
        completed(round, { text: '', toolCalls: [{ toolCallId: 't1', toolName: 'bash', input: {} }] }),
        ['agent.message', { commandId: round, agent: 'writer', text: '', step }],
        ['agent.tool_use', { commandId: tool, agent: 'writer', toolCallId: 't1', tool: 'bash', input: { command: 'ls' }, permission: 'ask' }],
        ['command.started', { commandId: tool, kind: 'tool.execute', attempt: 1, input: {}, agent: 'writer' }],
        ['session.status_idle', { stopReason: 'requires_action', eventIds: ['sevt_7'] }],
        ['user.tool_confirmation', { toolUseId: 'sevt_7', result: 'allow' }],
        ['session.status_running'],
        ['command.completed', { commandId: tool, kind: 'tool.execute', attempt: 1, output: {}, latencyMs: 1 }],
        ['agent.tool_result', { commandId: tool, agent: 'writer', toolCallId: 't1', tool: 'bash', output: 'a.txt', isError: false }],
        started('pipeline/stage:0/generate:1'),
        completed('pipeline/stage:0/generate:1'),
        ['agent.message', { commandId: 'pipeline/stage:0/generate:1', agent: 'writer', text: 'Done.', step }],
        ['topology.completed', { topology: 'pipeline', answer: 'Done.', reason: 'all_stages_done', aggregation: 'last_stage' }],
        ['session.status_idle', { stopReason: 'end_turn' }],
      ),
    );
    expect(summary(events)).toEqual([
      'user.message',
      'session.status_running',
      'session.thread_status_running @writer',
      'span.model_request_start @writer',
      'span.model_request_end @writer',
      'agent.tool_use @writer',
      'session.thread_status_idle @writer',
      'session.status_idle',
      'user.tool_confirmation',
      'session.status_running',
      // The turn resumes the call that waited: its thread runs again.
      'session.thread_status_running @writer',
      'agent.tool_result @writer',
      'span.model_request_start @writer',
      'agent.message @writer',
      'span.model_request_end @writer',
      'session.thread_status_idle @writer',
      'agent.message',
      'session.status_idle',
    ]);
    const waiting = events.find((event) => event.type === 'session.thread_status_idle') as ManagedEvent;
    expect(waiting).toMatchObject({ agent_name: 'writer', stop_reason: { type: 'requires_action', event_ids: ['sevt_7'] }, stop_details: null });
    expect(events.filter((event) => event.type === 'session.thread_status_idle').at(-1)).toMatchObject({ stop_reason: { type: 'end_turn' } });
  });

  it("names a retry's error by its thread, leaves the outcome grader on the session, and closes threads an interrupt leaves running", () => {
    const call = 'pipeline/stage:0/generate:0';
    const grade = 'outcome/evaluation:1/generate:0';
    const events = view(
      log(
        created,
        ['session.status_running'],
        started(grade, 'grader', { topology: 'outcome', phase: 'evaluation', agent: 'grader' }),
        completed(grade),
        started(call),
        ['command.failed', { commandId: call, kind: 'model.generate', attempt: 1, error: { code: 'provider_overloaded', message: 'busy' }, willRetry: true, retryInMs: 10 }],
        ['command.started', { commandId: call, kind: 'model.generate', attempt: 2, input: { agent: 'writer' } }],
        ['user.interrupt', {}],
        ['session.status_idle', { stopReason: 'interrupted' }],
      ),
    );
    // The grader's events (outcome events of their own) belong to the session, not to the slot named like it.
    expect(events.some((event) => event['session_thread_id'] === sessionThreadId('sesn_test', ['grader']))).toBe(false);
    const relevant = events.filter((event) => event['session_thread_id'] === writer || event.type.startsWith('session.status') || event.type === 'user.interrupt');
    expect(summary(relevant)).toEqual([
      'session.status_running',
      'session.thread_status_running @writer',
      'span.model_request_start @writer',
      'span.model_request_end @writer',
      'session.error @writer',
      'span.model_request_start @writer',
      'user.interrupt',
      'span.model_request_end @writer',
      'session.thread_status_idle @writer',
      'session.status_idle',
    ]);
    expect(events.find((event) => event.type === 'session.thread_status_idle')).toMatchObject({ stop_reason: { type: 'end_turn' } });
  });

  it('terminates the threads that ran when the session ends, and gives every event one id, the same on every pass', () => {
    const call = 'pipeline/stage:0/generate:0';
    const events = log(created, ['session.status_running'], started(call), ['session.status_terminated']);
    const first = view(events);
    expect(summary(first)).toEqual(['session.status_running', 'session.thread_status_running @writer', 'span.model_request_start @writer', 'span.model_request_end @writer', 'session.thread_status_terminated @writer', 'session.status_terminated']);
    expect(new Set(first.map((event) => event.id)).size).toBe(first.length);
    expect(view(events)).toEqual(first);
  });

  it("keeps an outcome revision's calls on their agents' threads", () => {
    const events = view(log(created, ['session.status_running'], started('turn:2/outcome:2/pipeline/stage:0/generate:0'), completed('turn:2/outcome:2/pipeline/stage:0/generate:0')));
    expect(summary(events)).toEqual(['session.status_running', 'session.thread_status_running @writer', 'span.model_request_start @writer']);
  });

  it('attributes nothing for a plain agent: its one thread is the session', () => {
    const plain = log(['session.created', { topology: 'pipeline', document: { topology: 'pipeline', agents: [{ name: 'agent', model: 'offline/echo' }] } }], started('pipeline/stage:0/generate:0', 'agent'));
    expect(toManagedEvents(plain, { topologyAgent: false }).map((event) => event.type)).toEqual(['span.model_request_start']);
  });

  it("makes a spawned topology one thread under the agent that spawned it, created at its first call and idle when the tool call ends", () => {
    const spawning = {
      topology: 'pipeline',
      agents: [{ name: 'writer', model: 'openai/gpt-5', tools: ['spawn_agent'], spawn: { agents: [{ name: 'panel', topology: 'voting', agents: [{ name: 'a', model: 'openai/gpt-5' }, { name: 'b', model: 'openai/gpt-5' }] }] } }],
    };
    const round = 'pipeline/stage:0/generate:0';
    const tool = `${round}/tool:0`;
    const vote = (index: number): string => `${tool}/spawn/panel/voting/vote:${index}/generate:0`;
    const voteStep = (agent: string) => ({ topology: 'voting', phase: 'vote', agent, slots: ['writer', 'panel'] });
    const events = view(
      log(
        ['session.created', { topology: 'pipeline', task: 'Write', seed: 1, document: spawning, attributes: { managed: { topology_agent: true } } }],
        ['session.status_running'],
        started(round),
        completed(round, { text: '', toolCalls: [{ toolCallId: 't1', toolName: 'spawn_agent', input: { agent: 'panel', task: 'Vote' } }] }),
        ['command.started', { commandId: tool, kind: 'tool.execute', attempt: 1, input: {}, agent: 'writer' }],
        started(vote(0), 'a', voteStep('a')),
        completed(vote(0)),
        ['agent.message', { commandId: vote(0), agent: 'a', text: 'yes', step: voteStep('a') }],
        started(vote(1), 'b', voteStep('b')),
        completed(vote(1)),
        ['agent.message', { commandId: vote(1), agent: 'b', text: 'yes', step: voteStep('b') }],
        ['command.completed', { commandId: tool, kind: 'tool.execute', attempt: 1, output: { output: 'yes' }, latencyMs: 1 }],
      ),
    );
    const panel = sessionThreadId('sesn_test', ['spawn', tool]);
    const at = (event: ManagedEvent): string => (event['session_thread_id'] === writer ? ' @writer' : event['session_thread_id'] === panel ? ' @panel' : '');
    expect(events.map((event) => `${event.type}${at(event)}`)).toEqual([
      'session.status_running',
      'session.thread_status_running @writer',
      'span.model_request_start @writer',
      'session.thread_created @panel',
      'session.thread_status_running @panel',
      'span.model_request_start @panel',
      'agent.message @panel',
      'span.model_request_end @panel',
      'span.model_request_start @panel',
      'agent.message @panel',
      'span.model_request_end @panel',
      // Not after the first vote's message: the thread is the whole panel, idle when its tool call ends.
      'session.thread_status_idle @panel',
    ]);
    expect(events.find((event) => event.type === 'session.thread_created')).toMatchObject({ agent_name: 'panel', workflow_run_id: null, conclave: { parent_thread_id: writer } });
  });
});
