// An outcome a user message defines (what the Managed Agents `user.define_outcome` journals): the
// turn it starts is graded against it, with the offline grader for an offline agent; the outcome
// lives in the log, so another kernel — or one resuming after a crash mid-outcome — grades with it;
// the gradings name the message that defined it; and the turns after it are not graded.
import { describe, expect, it } from 'vitest';
import { Kernel, type SessionDefinition } from '../../src/kernel/index.js';
import { createDefaultRegistry } from '../../src/presets/default-registry.js';
import { createMemoryStore } from '../../src/store/memory-store.js';

const registry = createDefaultRegistry();
/** One echo agent and no outcome of its own: its answer is its task. */
const plain: SessionDefinition = { topology: 'pipeline', agents: [{ name: 'writer', model: 'offline/echo' }], options: { passes: 1 } };
const cited = { description: 'Recommend a database for an event-sourced app.', rubric: 'The answer must contain the word "cited".', max_iterations: 3 };

const gradingsOf = (events: Awaited<ReturnType<ReturnType<typeof createMemoryStore>['read']>>) =>
  events.filter((event) => event.type === 'outcome.evaluation_completed').map((event) => event.data);

describe('outcomes defined by a user message', () => {
  it('grades the turn the message starts with the offline grader, even when another kernel runs it', async () => {
    const store = createMemoryStore();
    const first = new Kernel({ store, registry });
    const sessionId = await first.createSession(plain, { awaitInput: true });
    const defined = await first.send(sessionId, { text: cited.description, outcome: cited }, { start: false });

    // Nothing of the outcome is in this process: a second kernel reads it from the log.
    const result = await new Kernel({ store, registry }).runSession(sessionId);
    expect(result.details?.['outcome']).toMatchObject({ result: 'satisfied', iterations: 2 });
    const events = await store.read(sessionId);
    expect(gradingsOf(events)).toEqual([
      expect.objectContaining({ iteration: 1, result: 'needs_revision', outcomeEventId: defined.id, feedback: 'The answer must mention "cited".' }),
      expect.objectContaining({ iteration: 2, result: 'satisfied', outcomeEventId: defined.id }),
    ]);
    const graders = events.filter((event) => event.type === 'command.started' && String(event.data['commandId']).includes('outcome/evaluation'));
    expect(graders.map((event) => (event.data['input'] as { model: string }).model)).toEqual(['offline/grader', 'offline/grader']);

    // The outcome was the first turn's: the next message's turn is not graded.
    const kernel = new Kernel({ store, registry });
    await kernel.send(sessionId, { text: 'Thanks.' }, { start: false });
    const next = await kernel.runSession(sessionId);
    expect(next.details?.['outcome']).toBeUndefined();
    expect(gradingsOf(await store.read(sessionId))).toHaveLength(2);
  });

  it('keeps grading against the defined outcome when a session resumes after a crash between gradings', async () => {
    const store = createMemoryStore();
    const kernel = new Kernel({ store, registry });
    const sessionId = await kernel.createSession(plain, { awaitInput: true });
    await kernel.send(sessionId, { text: cited.description, outcome: cited }, { start: false });
    await kernel.runSession(sessionId);
    const full = await store.read(sessionId);

    // The log as a process that died right after the first verdict left it.
    const cut = full.findIndex((event) => event.type === 'outcome.evaluation_completed') + 1;
    const crashed = createMemoryStore();
    await crashed.append(sessionId, 1, full.slice(0, cut).map(({ id, type, at, data }) => ({ id, type, at, data })));
    const resumed = await new Kernel({ store: crashed, registry }).runSession(sessionId);

    expect(resumed.details?.['outcome']).toMatchObject({ result: 'satisfied', iterations: 2 });
    const events = await crashed.read(sessionId);
    expect(gradingsOf(events).map((data) => data['result'])).toEqual(['needs_revision', 'satisfied']);
    // The first grading came from the log: started once, issued once.
    const issued = events.filter((event) => event.type === 'command.started' && event.data['commandId'] === 'outcome/evaluation:1/generate:0');
    expect(issued).toHaveLength(1);
  });

  it('drops an outcome an interrupt ended before its turn began: the next turn is not graded', async () => {
    const store = createMemoryStore();
    const kernel = new Kernel({ store, registry });
    const sessionId = await kernel.createSession(plain, { awaitInput: true });
    await kernel.send(sessionId, { text: cited.description, outcome: cited }, { start: false });
    await kernel.interrupt(sessionId);
    await kernel.send(sessionId, { text: 'Just answer.' }, { start: false });
    const result = await kernel.runSession(sessionId);
    expect(result.details?.['outcome']).toBeUndefined();
    expect(gradingsOf(await store.read(sessionId))).toEqual([]);
  });

  it('refuses an outcome that is not one, naming the field', async () => {
    const kernel = new Kernel({ store: createMemoryStore(), registry });
    const sessionId = await kernel.createSession(plain, { awaitInput: true });
    await expect(kernel.send(sessionId, { text: 'x', outcome: { description: 'x', max_iterations: 0 } })).rejects.toMatchObject({
      code: 'invalid_argument',
      message: expect.stringContaining('outcome.max_iterations'),
    });
  });
});
