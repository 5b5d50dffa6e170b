// mixture-of-agents: layers see the previous layer, the aggregator writes the answer, explicit
// layers, option checks, failure, resume, and every machine state reached.
import { afterEach, describe, expect, it } from 'vitest';
import { ConclaveError, type SessionStore } from '../../src/protocol/index.js';
import { mixtureOfAgentsTopology } from '../../topologies/mixture-of-agents.js';
import { StateCoverage, driveMachine } from '../support/machine-driver.js';
import type { ScriptedCall } from '../support/scripted-provider.js';
import { storeFixtures } from '../support/stores.js';
import { completedIds, expectKillAndResume, runWith } from '../support/topology-harness.js';

const agents = ['ann', 'bob', 'agg'].map((name) => ({ name, model: `script/${name}` }));
const layerOf = (call: ScriptedCall) => (call.lastUserMessage.includes('previous layer') ? 'later' : 'first');
const respond = (call: ScriptedCall) =>
  call.request.model === 'agg' ? `final from ${(call.lastUserMessage.match(/### /g) ?? []).length} answers` : `${call.request.model} ${layerOf(call)}`;

describe.each(storeFixtures())('mixture-of-agents on the $name store', (fixture) => {
  let store: SessionStore;
  afterEach(async () => {
    await store.close();
    await fixture.cleanup();
  });

  it('runs N layers of every proposer and lets the last agent aggregate by default', async () => {
    store = fixture.create();
    const { result, provider, events } = await runWith(store, { topology: 'mixture-of-agents', agents, options: { layers: 3 } }, respond);
    expect(result.reason).toBe('all_layers_done');
    expect(result.aggregation).toBe('aggregator');
    expect(result.answer).toBe('final from 2 answers');
    expect(provider.calls).toHaveLength(7);
    expect(completedIds(events)).toEqual(expect.arrayContaining(['mixture-of-agents/layer:1/agent:0/generate:0', 'mixture-of-agents/layer:3/agent:1/generate:0', 'mixture-of-agents/aggregate/generate:0']));
    expect(result.details?.['aggregator']).toBe('agg');
  });

  it('shows each later layer every answer of the previous layer, labelled by agent', async () => {
    store = fixture.create();
    const { provider } = await runWith(store, { topology: 'mixture-of-agents', agents, options: { layers: 2 } }, respond);
    const second = provider.calls.filter((call) => call.lastUserMessage.includes('previous layer'));
    expect(second).toHaveLength(2);
    expect(second[0]?.lastUserMessage).toContain('### ann\nann first');
    expect(second[0]?.lastUserMessage).toContain('### bob\nbob first');
    const aggregate = provider.calls.find((call) => call.request.model === 'agg');
    expect(aggregate?.lastUserMessage).toContain('### ann\nann later');
    expect(aggregate?.lastUserMessage).not.toContain('ann first');
  });

  it('runs explicit layers with a named aggregator', async () => {
    store = fixture.create();
    const four = [...agents, { name: 'cy', model: 'script/cy' }];
    const { result, provider } = await runWith(store, { topology: 'mixture-of-agents', agents: four, options: { layers: [['ann', 'bob', 'cy'], ['cy']], aggregator: 'agg' } }, respond);
    expect(result.answer).toBe('final from 1 answers');
    expect(provider.calls.map((call) => call.request.model)).toEqual(expect.arrayContaining(['ann', 'bob', 'cy', 'cy', 'agg']));
    expect(provider.calls).toHaveLength(5);
    expect(result.details?.['layers']).toEqual([['ann', 'bob', 'cy'], ['cy']]);
  });

  it('fails the session when a proposer keeps failing', async () => {
    store = fixture.create();
    const { result } = await runWith(store, { topology: 'mixture-of-agents', agents, options: { layers: 2 } }, (call) =>
      call.request.model === 'bob' ? new ConclaveError('provider_server_error', 'boom') : respond(call),
    );
    expect(result.stopReason).toBe('retries_exhausted');
    expect(result.error?.message).toContain('agent "bob"');
  });

  it('survives a kill in any layer and at the aggregator', async () => {
    store = fixture.create();
    await expectKillAndResume(() => fixture.create(), { topology: 'mixture-of-agents', agents, options: { layers: 2, concurrency: 1 } }, respond, [0, 1, 2, 3, 4]);
  });
});

describe('mixture-of-agents checks and states', () => {
  const names = agents.map(({ name }) => ({ name, model: 'script/x' }));
  const check = (options: Record<string, unknown>) => mixtureOfAgentsTopology.check?.(mixtureOfAgentsTopology.options.parse(options), names) ?? [];

  it('rejects unknown names, an aggregator that proposes, duplicates and no proposers', () => {
    expect(check({ layers: 2 })).toEqual([]);
    expect(check({ aggregator: 'zed' })[0]?.path).toEqual(['options', 'aggregator']);
    expect(check({ layers: [['ann', 'zed']] })[0]?.message).toContain('"zed"');
    expect(check({ layers: [['ann', 'agg']] })[0]?.message).toContain('cannot also be a proposer');
    expect(check({ layers: [['ann', 'ann']] })[0]?.message).toContain('twice');
    expect(mixtureOfAgentsTopology.check?.(mixtureOfAgentsTopology.options.parse({ aggregator: 'a' }), [{ name: 'a', model: 'x/y' }])[0]?.path).toEqual(['agents']);
  });

  it('reaches every state', async () => {
    const coverage = new StateCoverage(mixtureOfAgentsTopology.machine);
    coverage.add(await driveMachine(mixtureOfAgentsTopology, { task: 't', agents: names, options: { layers: 2 } }, (call) => call.agent));
    coverage.expectComplete();
  });
});
