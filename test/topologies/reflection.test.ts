// reflection: generate → critique → revise, structured and text-fallback verdicts, all/majority
// approval, both termination reasons, the maker alias, failure, resume, and every state reached.
import { afterEach, describe, expect, it } from 'vitest';
import { ConclaveError, type SessionStore } from '../../src/protocol/index.js';
import { builtInAliases } from '../../topologies/index.js';
import { approves, readVerdict, reflectionTopology } from '../../topologies/reflection.js';
import { StateCoverage, driveMachine } from '../support/machine-driver.js';
import type { ScriptedCall } from '../support/scripted-provider.js';
import { storeFixtures } from '../support/stores.js';
import { completedIds, expectKillAndResume, runWith } from '../support/topology-harness.js';

const agents = ['gen', 'c1', 'c2', 'c3'].map((name) => ({ name, model: `script/${name}` }));
const draftNumber = (call: ScriptedCall) => Number(/draft (\d+)/.exec(call.lastUserMessage)?.[1] ?? 0);
const generate = (call: ScriptedCall) => `draft ${draftNumber(call) + 1}`;
const verdict = (value: 'approve' | 'revise', feedback = `${value}d`) => JSON.stringify({ verdict: value, feedback });
/** Critics approve draft `n` or later when critic number <= approversAt(n). */
const critics = (approvers: (draft: number) => number) => (call: ScriptedCall) => {
  if (call.request.model === 'gen') return generate(call);
  return Number(call.request.model.slice(1)) <= approvers(draftNumber(call)) ? verdict('approve') : verdict('revise', `fix ${call.request.model}`);
};

describe.each(storeFixtures())('reflection on the $name store', (fixture) => {
  let store: SessionStore;
  afterEach(async () => {
    await store.close();
    await fixture.cleanup();
  });

  it('revises with the critics\' feedback until a majority approves', async () => {
    store = fixture.create();
    const { result, provider, events } = await runWith(store, { topology: 'reflection', agents, options: {} }, critics((draft) => (draft >= 2 ? 2 : 1)));
    expect(result.reason).toBe('approved');
    expect(result.aggregation).toBe('latest_draft');
    expect(result.answer).toBe('draft 2');
    const revise = provider.calls.find((call) => call.request.model === 'gen' && draftNumber(call) === 1);
    expect(revise?.lastUserMessage).toContain('### c2 (revise)\nfix c2');
    expect(revise?.lastUserMessage).toContain('### c1 (approve)');
    expect(completedIds(events)).toEqual(expect.arrayContaining(['reflection/iteration:1/generate/generate:0', 'reflection/iteration:2/critic:3/generate:0']));
  });

  it('asks critics for the verdict schema as structured output', async () => {
    store = fixture.create();
    const { provider } = await runWith(store, { topology: 'reflection', agents, options: {} }, critics(() => 3));
    const critic = provider.calls.find((call) => call.request.model === 'c1');
    expect(critic?.request.responseFormat).toMatchObject({ type: 'json', name: 'verdict', schema: { type: 'object', properties: { verdict: { enum: ['approve', 'revise'] } } } });
    expect(provider.calls.find((call) => call.request.model === 'gen')?.request.responseFormat).toBeUndefined();
  });

  it('with approval: all keeps revising until every critic approves', async () => {
    store = fixture.create();
    const { result } = await runWith(store, { topology: 'reflection', agents, options: { approval: 'all', max_iterations: 5 } }, critics((draft) => draft));
    expect(result.reason).toBe('approved');
    expect(result.answer).toBe('draft 3');
  });

  it('stops at max_iterations with the latest draft', async () => {
    store = fixture.create();
    const { result, provider } = await runWith(store, { topology: 'reflection', agents, options: { max_iterations: 2 } }, critics(() => 1));
    expect(result.reason).toBe('max_iterations');
    expect(result.answer).toBe('draft 2');
    expect(provider.calls).toHaveLength(8);
  });

  it('falls back to text for an unparseable verdict: APPROVE approves, anything else is feedback', async () => {
    store = fixture.create();
    const two = agents.slice(0, 3);
    const { result, provider } = await runWith(store, { topology: 'reflection', agents: two, options: { approval: 'all' } }, (call) => {
      if (call.request.model === 'gen') return generate(call);
      if (call.request.model === 'c1') return 'Fine by me. APPROVE';
      return draftNumber(call) === 1 ? 'The second paragraph is vague.' : 'APPROVED';
    });
    expect(result.reason).toBe('approved');
    expect(result.answer).toBe('draft 2');
    expect(provider.calls.find((call) => call.request.model === 'gen' && draftNumber(call) === 1)?.lastUserMessage).toContain('The second paragraph is vague.');
    const rounds = result.details?.['verdicts'] as Array<{ verdicts: Array<{ parsed: boolean }> }>;
    expect(rounds[0]?.verdicts.every((entry) => !entry.parsed)).toBe(true);
  });

  it('fails the session when a critic keeps failing', async () => {
    store = fixture.create();
    const { result } = await runWith(store, { topology: 'reflection', agents, options: {} }, (call) =>
      call.request.model === 'c2' ? new ConclaveError('provider_server_error', 'boom') : critics(() => 3)(call),
    );
    expect(result.stopReason).toBe('retries_exhausted');
    expect(result.error?.message).toContain('agent "c2"');
  });

  it('survives a kill while generating and while critiquing', async () => {
    store = fixture.create();
    await expectKillAndResume(() => fixture.create(), { topology: 'reflection', agents, options: { concurrency: 1 } }, critics((draft) => (draft >= 2 ? 3 : 0)), [0, 1, 3, 4, 6]);
  });
});

describe('reflection verdicts, checks, alias and states', () => {
  it('reads structured and text verdicts', () => {
    expect(readVerdict('a', 'Sure: ```json\n{"verdict": "revise", "feedback": "shorter"}\n```')).toEqual({ critic: 'a', verdict: 'revise', feedback: 'shorter', parsed: true });
    expect(readVerdict('a', 'I would not approve this yet.')).toMatchObject({ verdict: 'revise', parsed: false });
    expect(readVerdict('a', '{"verdict": "maybe"} APPROVE')).toMatchObject({ verdict: 'approve', parsed: false });
    expect(approves([{ verdict: 'approve' }, { verdict: 'revise' }], 'majority')).toBe(false);
    expect(approves([{ verdict: 'approve' }, { verdict: 'approve' }], 'all')).toBe(true);
  });

  it('checks generator and critics', () => {
    const names = agents.map(({ name }) => ({ name, model: 'script/x' }));
    const check = (options: Record<string, unknown>) => reflectionTopology.check?.(reflectionTopology.options.parse(options), names) ?? [];
    expect(check({ generator: 'gen', critics: ['c1', 'c2'] })).toEqual([]);
    expect(check({ generator: 'zed' })[0]?.path).toEqual(['options', 'generator']);
    expect(check({ critics: ['gen'] })[0]?.message).toContain('cannot also be a critic');
    expect(check({ critics: ['c1', 'zed'] })[0]?.path).toEqual(['options', 'critics', 1]);
    expect(check({ critics: ['c1', 'c1'] })[0]?.message).toContain('twice');
    expect(reflectionTopology.check?.(reflectionTopology.options.parse({}), [{ name: 'solo', model: 'x/y' }])[0]?.path).toEqual(['agents']);
  });

  it('maker is reflection with majority-voting critics', () => {
    expect(builtInAliases.find((alias) => alias.alias === 'maker')).toMatchObject({ topology: 'reflection', options: { approval: 'majority' } });
  });

  it('reaches every state', async () => {
    const coverage = new StateCoverage(reflectionTopology.machine);
    const names = [{ name: 'g' }, { name: 'c' }];
    coverage.add(await driveMachine(reflectionTopology, { task: 't', agents: names, options: { max_iterations: 2 } }, (call) => (call.agent === 'g' ? 'draft' : 'revise it')));
    coverage.expectComplete();
  });
});
