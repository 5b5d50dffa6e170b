// debate: rounds see the others' answers, consensus stops early, max rounds, judge, failure, resume.
import { afterEach, describe, expect, it } from 'vitest';
import { ConclaveError, type SessionStore } from '../../src/protocol/index.js';
import { completedIds, expectKillAndResume, runWith } from '../support/topology-harness.js';
import type { ScriptedCall } from '../support/scripted-provider.js';
import { storeFixtures } from '../support/stores.js';

const debaters = ['ann', 'bob', 'cy'].map((name) => ({ name, model: `script/${name}` }));
const round = (call: ScriptedCall) => (call.request.messages.length + 1) / 2;

/** ann says yes; bob and cy say no in round 1 and adopt yes once they have seen ann. */
const converging = (call: ScriptedCall) =>
  call.request.model === 'ann' || round(call) > 1 ? `I considered it. Final answer: Yes` : `Unsure. Final answer: No`;
const stubborn = (call: ScriptedCall) => `Final answer: ${call.request.model === 'ann' ? 'yes' : 'no'}`;

describe.each(storeFixtures())('debate on the $name store', (fixture) => {
  let store: SessionStore;
  afterEach(async () => {
    await store.close();
    await fixture.cleanup();
  });

  it('stops early with reason consensus once every debater gives the same answer', async () => {
    store = fixture.create();
    const { result, provider, events } = await runWith(store, { topology: 'debate', agents: debaters, options: { rounds: 5 } }, converging);
    expect(result.reason).toBe('consensus');
    expect(result.aggregation).toBe('consensus');
    expect(result.answer).toContain('Final answer: Yes');
    expect(provider.calls).toHaveLength(6);
    expect(completedIds(events)).toContain('debate/round:2/agent:2/generate:0');
    expect(completedIds(events)).not.toContain('debate/round:3/agent:0/generate:0');
  });

  it('shows each debater the others\' previous answers, not its own', async () => {
    store = fixture.create();
    const { provider } = await runWith(store, { topology: 'debate', agents: debaters, options: { rounds: 2, stop_on_consensus: false } }, stubborn);
    const bobRound2 = provider.calls.find((call) => call.request.model === 'bob' && round(call) === 2);
    expect(bobRound2?.lastUserMessage).toContain('[ann]: Final answer: yes');
    expect(bobRound2?.lastUserMessage).toContain('[cy]: Final answer: no');
    expect(bobRound2?.lastUserMessage).not.toContain('[bob]');
    expect(bobRound2?.request.messages[1]).toEqual({ role: 'assistant', content: 'Final answer: no' });
  });

  it('runs all rounds without consensus and answers by plurality', async () => {
    store = fixture.create();
    const { result, provider } = await runWith(store, { topology: 'debate', agents: debaters, options: { rounds: 3 } }, stubborn);
    expect(result.reason).toBe('max_rounds');
    expect(result.aggregation).toBe('plurality');
    expect(result.answer).toBe('Final answer: no');
    expect(provider.calls).toHaveLength(9);
    expect(result.details?.['tally']).toEqual({ yes: 1, no: 2 });
  });

  it('holds min_rounds before consensus may stop it', async () => {
    store = fixture.create();
    const { result, provider } = await runWith(store, { topology: 'debate', agents: debaters, options: { rounds: 4, min_rounds: 3 } }, () => 'Final answer: 42');
    expect(result.reason).toBe('consensus');
    expect(provider.calls).toHaveLength(9);
  });

  it('lets a judge, who does not debate, give the verdict', async () => {
    store = fixture.create();
    const agents = [...debaters, { name: 'judge', model: 'script/judge' }];
    const { result, provider } = await runWith(store, { topology: 'debate', agents, options: { rounds: 2, judge: 'judge' } }, (call) =>
      call.request.model === 'judge' ? 'Having weighed both sides. Final answer: maybe' : stubborn(call),
    );
    expect(result.aggregation).toBe('judge');
    expect(result.answer).toContain('Final answer: maybe');
    expect(result.details?.['verdict']).toBe('maybe');
    expect(provider.calls.filter((call) => call.request.model === 'judge')).toHaveLength(1);
    expect(provider.calls.find((call) => call.request.model === 'judge')?.lastUserMessage).toContain('[bob]: Final answer: no');
  });

  it('fails the session when a debater keeps failing', async () => {
    store = fixture.create();
    const { result } = await runWith(store, { topology: 'debate', agents: debaters, options: { rounds: 2 } }, (call) =>
      call.request.model === 'cy' && round(call) === 2 ? new ConclaveError('provider_stream_cut', 'cut') : stubborn(call),
    );
    expect(result.stopReason).toBe('retries_exhausted');
    expect(result.error?.message).toContain('agent "cy"');
    expect(result.error?.message).toContain('after 3 attempts');
  });

  it('survives a kill in any round with the same final answer', async () => {
    store = fixture.create();
    const agents = [...debaters, { name: 'judge', model: 'script/judge' }];
    await expectKillAndResume(
      () => fixture.create(),
      { topology: 'debate', agents, options: { rounds: 3, judge: 'judge', concurrency: 1 } },
      (call) => (call.request.model === 'judge' ? 'Final answer: verdict' : converging(call)),
      [0, 2, 4, 5, 6],
    );
  });
});
