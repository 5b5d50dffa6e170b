// pipeline: stage order, the previous output reaching the next stage, ring passes, failure, resume.
import { afterEach, describe, expect, it } from 'vitest';
import { ConclaveError, type SessionStore } from '../../src/protocol/index.js';
import { completedIds, expectKillAndResume, runWith } from '../support/topology-harness.js';
import { storeFixtures } from '../support/stores.js';

const stages = ['draft', 'edit', 'polish'].map((name) => ({ name, model: `script/${name}` }));
const tagging = (call: { request: { model: string }; lastUserMessage: string }) => `${call.lastUserMessage.split('\n').pop()} >${call.request.model}`;

describe.each(storeFixtures())('pipeline on the $name store', (fixture) => {
  let store: SessionStore;
  afterEach(async () => {
    await store.close();
    await fixture.cleanup();
  });

  it('runs stages in order, each seeing the task and the previous output', async () => {
    store = fixture.create();
    const { result, provider } = await runWith(store, { topology: 'pipeline', agents: stages, options: { passes: 1, include_task: true } }, tagging);
    expect(result.answer).toBe('the task >draft >edit >polish');
    expect(result.reason).toBe('all_stages_done');
    expect(result.aggregation).toBe('last_stage');
    expect(provider.calls[1]?.lastUserMessage).toContain('Task: the task');
    expect(provider.calls[1]?.lastUserMessage).toContain('Output of the previous stage (draft)');
  });

  it('with passes > 1 runs as a ring, the first stage receiving the last stage output', async () => {
    store = fixture.create();
    const { result, events } = await runWith(store, { topology: 'pipeline', agents: stages.slice(0, 2), options: { passes: 2, include_task: false } }, tagging);
    expect(result.answer).toBe('the task >draft >edit >draft >edit');
    expect(completedIds(events)).toEqual([
      'pipeline/pass:1/stage:0/generate:0',
      'pipeline/pass:1/stage:1/generate:0',
      'pipeline/pass:2/stage:0/generate:0',
      'pipeline/pass:2/stage:1/generate:0',
    ]);
  });

  it('follows options.order', async () => {
    store = fixture.create();
    const { result } = await runWith(store, { topology: 'pipeline', agents: stages, options: { passes: 1, include_task: false, order: ['polish', 'draft'] } }, tagging);
    expect(result.answer).toBe('the task >polish >draft');
  });

  it('stops at a failing stage after its retries, and later stages never run', async () => {
    store = fixture.create();
    const { result, provider } = await runWith(store, { topology: 'pipeline', agents: stages, options: { passes: 1, include_task: false } }, (call) =>
      call.request.model === 'edit' ? new ConclaveError('provider_overloaded', 'busy') : tagging(call),
    );
    expect(result.error?.code).toBe('agent_failed');
    expect(result.error?.message).toContain('"edit"');
    expect(provider.calls.filter((call) => call.request.model === 'polish')).toHaveLength(0);
  });

  it('survives a kill at every stage boundary', async () => {
    store = fixture.create();
    await expectKillAndResume(() => fixture.create(), { topology: 'pipeline', agents: stages, options: { passes: 2, include_task: true } }, tagging, [0, 1, 2, 3, 4, 5]);
  });
});
