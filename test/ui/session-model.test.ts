// The UI's pure parts under Node: the server-sent-event parser and the session model, driven by a
// stream recorded from a real `conclave serve` running examples/debate.yaml with deltas
// (fixtures/debate-stream.sse), read in awkward chunk sizes so frames split across reads.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseServerSentEvents, type ServerSentEvent } from '../../ui/src/server-sent-events.js';
import { applyDelta, applyEvent, createSessionModel, graphOf, stepLabel, type Delta, type SessionEvent } from '../../ui/src/session-model.js';
import { routeOf } from '../../ui/src/routes.js';
import { syntaxProblems } from '../../ui/src/yaml-syntax.js';

const recorded = readFileSync(join(import.meta.dirname, 'fixtures', 'debate-stream.sse'), 'utf8');

async function framesOf(text: string, chunkSize: number): Promise<ServerSentEvent[]> {
  const chunks: string[] = [];
  for (let offset = 0; offset < text.length; offset += chunkSize) chunks.push(text.slice(offset, offset + chunkSize));
  const frames: ServerSentEvent[] = [];
  await parseServerSentEvents({ read: async () => (chunks.length === 0 ? { done: true } : { done: false, value: chunks.shift() }) }, (frame) => frames.push(frame));
  return frames;
}

describe('parseServerSentEvents', () => {
  it('reads the same frames whatever the chunk size, skipping comments', async () => {
    const whole = await framesOf(recorded, recorded.length);
    const split = await framesOf(recorded, 7);
    expect(split).toEqual(whole);
    expect(whole.filter((frame) => frame.event !== 'delta').map((frame) => Number(frame.id))).toEqual(Array.from({ length: 22 }, (_, index) => index + 1));
    // Recorded with the stream open before the session ran, so every delta is in it.
    expect(whole.filter((frame) => frame.event === 'delta').length).toBeGreaterThan(100);
    expect(whole.some((frame) => frame.event === 'delta' && frame.id === undefined)).toBe(true);
  });

  it('joins multi-line data and accepts CRLF line ends', async () => {
    const frames = await framesOf('id: 4\r\nevent: note\r\ndata: one\r\ndata: two\r\n\r\n: ping\n\n', 3);
    expect(frames).toEqual([{ id: '4', event: 'note', data: 'one\ntwo' }]);
  });
});

describe('the session model of a recorded debate', () => {
  it('groups the transcript by round and agent, with live text equal to the final output', async () => {
    const model = createSessionModel();
    const currentLabels: string[] = [];
    let streamedBeforeCompletion = '';
    for (const frame of await framesOf(recorded, 4096)) {
      const data = JSON.parse(frame.data) as SessionEvent | Delta;
      if (frame.event === 'delta') {
        applyDelta(model, data as Delta);
        continue;
      }
      const event = data as SessionEvent;
      if (event.type === 'command.completed' && event.data['commandId'] === 'debate/round:1/agent:2/generate:0') {
        streamedBeforeCompletion = model.commands.get('debate/round:1/agent:2/generate:0')?.text ?? '';
      }
      applyEvent(model, event);
      const current = graphOf(model).find((column) => column.current)?.label;
      if (current !== undefined && currentLabels.at(-1) !== current) currentLabels.push(current);
    }

    expect(currentLabels).toEqual(['debate · round 1', 'debate · round 2']);
    expect(model.status).toBe('idle');
    expect(model.stopReason).toBe('end_turn');
    expect(model.agents).toEqual(['optimist', 'skeptic', 'pragmatist']);
    expect(model.groups.map((group) => group.label)).toEqual(['debate · round 1', 'debate · round 2']);
    for (const group of model.groups) {
      const entries = group.entries.filter((entry) => entry.kind === 'agent');
      expect(entries.map((entry) => entry.agent).sort()).toEqual(['optimist', 'pragmatist', 'skeptic']);
      for (const entry of entries) {
        expect(entry.state).toBe('done');
        expect(entry.outputTokens).toBeGreaterThan(0);
        expect(entry.text).toMatch(/Final answer: no$/);
      }
    }
    const final = model.commands.get('debate/round:1/agent:2/generate:0')?.text;
    expect(streamedBeforeCompletion.length).toBeGreaterThan(0);
    expect(streamedBeforeCompletion).toBe(final);
    expect(model.result).toMatchObject({ reason: 'consensus', aggregation: 'consensus', details: { tally: { no: 3 } } });
    expect(graphOf(model).some((column) => column.current)).toBe(false);
    expect(graphOf(model).map((column) => column.nodes.map((node) => node.state))).toEqual([
      ['done', 'done', 'done'],
      ['done', 'done', 'done'],
    ]);
  });

  it('ignores repeated events and starts a retried call over', () => {
    const model = createSessionModel();
    const event = (seq: number, type: string, data: Record<string, unknown>): SessionEvent => ({ id: `sevt_${seq}`, seq, type, at: '2026-01-01T00:00:00Z', data });
    applyEvent(model, event(1, 'session.created', { topology: 'debate', document: { agents: [{ name: 'a' }, { name: 'b' }] } }));
    expect(graphOf(model)).toEqual([{ key: 'agents', label: 'debate', current: false, nodes: [{ agent: 'a', state: 'waiting' }, { agent: 'b', state: 'waiting' }] }]);
    applyEvent(model, event(2, 'session.status_running', {}));
    applyEvent(model, event(3, 'command.started', { commandId: 'c1', kind: 'model.generate', attempt: 1, input: { agent: 'a' }, step: { topology: 'debate', phase: 'debate', round: 1, agent: 'a' } }));
    applyDelta(model, { commandId: 'c1', agent: 'a', attempt: 1, kind: 'text', delta: 'first try' });
    applyEvent(model, event(3, 'user.message', { text: 'a repeat of seq 3 is ignored' }));
    applyDelta(model, { commandId: 'c1', agent: 'a', attempt: 2, kind: 'reset', delta: '' });
    applyDelta(model, { commandId: 'c1', agent: 'a', attempt: 2, kind: 'text', delta: 'second' });
    applyDelta(model, { commandId: 'c1', agent: 'a', attempt: 1, kind: 'text', delta: ' stale' });
    expect(model.commands.get('c1')).toMatchObject({ text: 'second', attempt: 2, state: 'running' });
    expect(model.events).toHaveLength(3);
    expect(graphOf(model)[0]).toMatchObject({ label: 'debate · round 1', current: true, nodes: [{ agent: 'a', state: 'running' }] });
    applyEvent(model, event(4, 'user.message', { text: 'focus on cost' }));
    expect(model.groups[0]?.entries.at(-1)).toEqual({ kind: 'note', seq: 4, who: 'user', text: 'focus on cost' });
    applyEvent(model, event(5, 'session.status_idle', { stopReason: 'interrupted' }));
    expect(model.commands.get('c1')?.state).toBe('stopped');
    expect(graphOf(model)[0]?.current).toBe(false);
  });
});

describe('UI helpers', () => {
  it('labels steps, routes paths and finds YAML syntax errors at their line', () => {
    expect(stepLabel({ topology: 'pipeline', phase: 'stage' }, 2)).toBe('turn 2 · pipeline · stage');
    expect(routeOf('/sessions/sesn_abc')).toEqual({ view: 'session', id: 'sesn_abc' });
    expect(routeOf('/')).toEqual({ view: 'sessions' });
    expect(routeOf('/sessions/a/b')).toEqual({ view: 'missing', path: '/sessions/a/b' });
    expect(syntaxProblems('name: x\ntopology: debate\nagents: [\n')).toMatchObject([{ location: { line: 4 } }]);
    expect(syntaxProblems('- a\n- b\n')).toMatchObject([{ message: expect.stringContaining('mapping') }]);
    expect(syntaxProblems('name: x\ntopology: debate\n')).toEqual([]);
  });
});
