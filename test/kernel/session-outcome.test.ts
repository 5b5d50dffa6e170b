// Outcomes: a grader checks each answer against what "done" means; an answer that falls short is
// worked again with the grader's feedback, up to max_iterations; every grading is journaled and, on
// resume, answered from the log.
import { describe, expect, it } from 'vitest';
import { Kernel } from '../../src/kernel/index.js';
import type { SessionDefinition } from '../../src/kernel/index.js';
import { createDefaultRegistry } from '../../src/presets/default-registry.js';
import { createMemoryStore } from '../../src/store/memory-store.js';
import { parseVerdict } from '../../src/kernel/session-outcome.js';
import { parseTopologyDocument } from '../../src/config/index.js';

const registry = createDefaultRegistry();

/** One echo agent: its answer is its task, so a revision carries the grader's feedback into the answer. */
function document(outcome: SessionDefinition['outcome']): SessionDefinition {
  return { topology: 'pipeline', agents: [{ name: 'writer', model: 'offline/echo' }], options: { passes: 1 }, ...(outcome !== undefined ? { outcome } : {}) };
}

const cited = { description: 'A recommendation with its source', rubric: 'The answer must contain the word "cited".', grader: 'offline/grader', max_iterations: 3 };

describe('outcomes', () => {
  it('grades the first answer as unmet, works again with the feedback, and passes the second', async () => {
    const store = createMemoryStore();
    const kernel = new Kernel({ store, registry });
    const result = await kernel.run(document(cited), { task: 'Recommend a database.' });
    expect(result.status).toBe('idle');
    expect(result.details?.['outcome']).toMatchObject({ result: 'satisfied', iterations: 2 });
    expect(result.answer).toContain('cited');
    const events = await store.read(result.sessionId);
    const evaluations = events.filter((event) => event.type === 'outcome.evaluation_completed').map((event) => event.data);
    expect(evaluations).toEqual([
      expect.objectContaining({ iteration: 1, result: 'needs_revision', feedback: 'The answer must mention "cited".' }),
      expect.objectContaining({ iteration: 2, result: 'satisfied' }),
    ]);
    expect(events.filter((event) => event.type === 'outcome.evaluation_started')).toHaveLength(2);
    // The second run of the topology has command ids of its own, and it saw the feedback.
    const started = events.filter((event) => event.type === 'command.started').map((event) => String(event.data['commandId']));
    expect(started).toEqual(['pipeline/pass:1/stage:0/generate:0', 'outcome/evaluation:1/generate:0', 'outcome:2/pipeline/pass:1/stage:0/generate:0', 'outcome/evaluation:2/generate:0']);
    const revision = events.find((event) => event.type === 'command.started' && event.data['commandId'] === 'outcome:2/pipeline/pass:1/stage:0/generate:0');
    expect(JSON.stringify(revision?.data['input'])).toContain('The answer must mention');
  });

  it('stops at max_iterations with the verdict max_iterations_reached', async () => {
    const kernel = new Kernel({ store: createMemoryStore(), registry });
    const never = { ...cited, rubric: 'Must say "a phrase the echo never writes" and "another".', max_iterations: 2 };
    // The feedback names the phrases, so an echo writes them: make the agent ignore its task instead.
    const result = await kernel.run({ ...document(never), agents: [{ name: 'writer', model: 'offline/persona?persona=skeptic' }] }, { task: 'Recommend a database.' });
    expect(result.details?.['outcome']).toMatchObject({ result: 'max_iterations_reached', iterations: 2 });
    expect(result.answer).toBeDefined();
  });

  it('answers gradings from the log when the session is run again', async () => {
    const store = createMemoryStore();
    const first = new Kernel({ store, registry });
    const sessionId = await first.createSession(document(cited), { task: 'Recommend a database.' });
    await first.runSession(sessionId);
    const before = (await store.read(sessionId)).length;
    // A second turn on the same session grades again, under ids of its own; the first turn's gradings are not redone.
    const second = new Kernel({ store, registry });
    await second.send(sessionId, { text: 'Now recommend a cache.' });
    const result = await second.runSession(sessionId);
    const events = (await store.read(sessionId)).slice(before);
    const graded = events.filter((event) => event.type === 'command.started' && String(event.data['commandId']).includes('outcome/evaluation'));
    expect(graded.map((event) => String(event.data['commandId']))).toEqual(['turn:2/outcome/evaluation:1/generate:0', 'turn:2/outcome/evaluation:2/generate:0']);
    expect(result.details?.['outcome']).toMatchObject({ result: 'satisfied' });
  });

  it('reads verdicts leniently and validates the document field', () => {
    expect(parseVerdict('Looks fine.\nVerdict: **satisfied**\nFeedback: none')).toEqual({ satisfied: true, feedback: 'none' });
    expect(parseVerdict('Verdict: needs revision\nFeedback: cite a source')).toEqual({ satisfied: false, feedback: 'cite a source' });
    expect(parseVerdict('no verdict at all')).toMatchObject({ satisfied: false });
    const parsed = parseTopologyDocument('topology: pipeline\nagents: [{ name: a, model: offline/echo }]\noutcome: { description: Done, grader: offline/grader, max_iterations: 2 }\n', { registry });
    expect(parsed.outcome).toEqual({ description: 'Done', grader: 'offline/grader', max_iterations: 2 });
    let problems = '';
    try {
      parseTopologyDocument('topology: pipeline\nagents: [{ name: a, model: offline/echo }]\noutcome: { rubric: x, max_iteration: 2 }\n', { registry });
    } catch (error) {
      problems = JSON.stringify(error);
    }
    expect(problems).toContain('outcome.description');
    expect(problems).toContain('max_iteration');
  });
});
