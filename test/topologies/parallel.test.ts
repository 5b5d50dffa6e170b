// parallel: every worker answers, bounded concurrency, each aggregation, failure and resume.
import { afterEach, describe, expect, it } from 'vitest';
import { ConclaveError, type SessionStore } from '../../src/protocol/index.js';
import { expectKillAndResume, runWith } from '../support/topology-harness.js';
import { storeFixtures } from '../support/stores.js';

const workers = ['a', 'b', 'c'].map((name) => ({ name, model: `script/${name}` }));
const answerByModel = (call: { request: { model: string } }) => `answer of ${call.request.model}`;

describe.each(storeFixtures())('parallel on the $name store', (fixture) => {
  let store: SessionStore;
  afterEach(async () => {
    await store.close();
    await fixture.cleanup();
  });

  it('concatenates every worker\'s answer in agent order by default', async () => {
    store = fixture.create();
    const { result } = await runWith(store, { topology: 'parallel', agents: workers, options: { concurrency: 16 } }, answerByModel);
    expect(result.answer).toBe('## a\n\nanswer of a\n\n## b\n\nanswer of b\n\n## c\n\nanswer of c');
    expect(result.reason).toBe('all_agents_done');
    expect(result.aggregation).toBe('concat');
  });

  it('aggregates as json keyed by agent', async () => {
    store = fixture.create();
    const { result } = await runWith(store, { topology: 'parallel', agents: workers, options: { concurrency: 16, aggregate: 'json' } }, answerByModel);
    expect(JSON.parse(result.answer ?? '')).toEqual({ a: 'answer of a', b: 'answer of b', c: 'answer of c' });
  });

  it('"first" picks the reply that completed first', async () => {
    store = fixture.create();
    const delays: Record<string, number> = { a: 60, b: 5, c: 30 };
    const { result } = await runWith(store, { topology: 'parallel', agents: workers, options: { concurrency: 16, aggregate: 'first' } }, (call) => ({
      delayMs: delays[call.request.model] ?? 0,
      text: answerByModel(call),
    }));
    expect(result.answer).toBe('answer of b');
    expect(result.details?.['winner']).toBe('b');
  });

  it('a synthesizer writes the answer from all replies and is not itself a worker', async () => {
    store = fixture.create();
    const agents = [...workers, { name: 'synth', model: 'script/synth' }];
    const { result, provider } = await runWith(store, { topology: 'parallel', agents, options: { concurrency: 16, synthesizer: 'synth' } }, (call) =>
      call.request.model === 'synth' ? `synthesis of ${(call.lastUserMessage.match(/answer of/g) ?? []).length} answers` : answerByModel(call),
    );
    expect(result.answer).toBe('synthesis of 3 answers');
    expect(result.aggregation).toBe('synthesizer');
    expect(provider.calls.filter((call) => call.request.model === 'synth')).toHaveLength(1);
  });

  it('never has more than `concurrency` workers in flight', async () => {
    store = fixture.create();
    let inFlight = 0;
    let peak = 0;
    const many = Array.from({ length: 12 }, (_, index) => ({ name: `w${index}`, model: `script/w${index}` }));
    const { result } = await runWith(store, { topology: 'parallel', agents: many, options: { concurrency: 3 } }, (call) => {
      inFlight += 1;
      peak = Math.max(peak, inFlight);
      setTimeout(() => (inFlight -= 1), 10);
      return { delayMs: 10, text: call.request.model };
    });
    expect(result.status).toBe('idle');
    expect(peak).toBeLessThanOrEqual(3);
  });

  it('fails with the failing agent named once its retries are exhausted', async () => {
    store = fixture.create();
    const { result } = await runWith(store, { topology: 'parallel', agents: workers, options: { concurrency: 16 } }, (call) =>
      call.request.model === 'b' ? new ConclaveError('provider_server_error', 'boom') : answerByModel(call),
    );
    expect(result.stopReason).toBe('retries_exhausted');
    expect(result.error?.message).toContain('agent "b"');
  });

  it('survives a kill mid-way with every finished worker answered from the log', async () => {
    store = fixture.create();
    const agents = [...workers, { name: 'synth', model: 'script/synth' }];
    await expectKillAndResume(() => fixture.create(), { topology: 'parallel', agents, options: { concurrency: 1, synthesizer: 'synth' } }, answerByModel, [0, 1, 2, 3]);
  });
});
