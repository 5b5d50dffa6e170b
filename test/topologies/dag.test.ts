// dag: waves of ready nodes, inputs labelled by parent, sink / output / concat answers, cycle and
// reference checks with exact paths, bounded concurrency, failure and resume, and state coverage.
import { afterEach, describe, expect, it } from 'vitest';
import { ConclaveError, type SessionStore } from '../../src/protocol/index.js';
import { dagTopology, findCycle, nodePrompt } from '../../topologies/dag.js';
import { StateCoverage, driveMachine } from '../support/machine-driver.js';
import type { ScriptedCall } from '../support/scripted-provider.js';
import { storeFixtures } from '../support/stores.js';
import { expectKillAndResume, runWith } from '../support/topology-harness.js';

const agents = ['planner', 'coder', 'reviewer'].map((name) => ({ name, model: `script/${name}` }));
const diamond = {
  nodes: [
    { id: 'plan', agent: 'planner' },
    { id: 'front', agent: 'coder', prompt: 'Build the front end' },
    { id: 'back', agent: 'coder', prompt: 'Build the back end' },
    { id: 'review', agent: 'reviewer', prompt: 'Review both' },
  ],
  edges: [
    ['plan', 'front'],
    ['plan', 'back'],
    ['front', 'review'],
    ['back', 'review'],
  ],
};

/** Each reply names the node (from its prompt) and which parent sections it saw. */
const describeInputs = (call: ScriptedCall) => {
  const part = /Your part: (.*)/.exec(call.lastUserMessage)?.[1] ?? 'the plan';
  const seen = [...call.lastUserMessage.matchAll(/^### (\S+)$/gm)].map((match) => match[1]).join('+');
  return `${part}${seen === '' ? '' : ` from ${seen}`}`;
};

describe.each(storeFixtures())('dag on the $name store', (fixture) => {
  let store: SessionStore;
  afterEach(async () => {
    await store.close();
    await fixture.cleanup();
  });

  it('runs ready nodes in waves and answers with the sink', async () => {
    store = fixture.create();
    const { result, events } = await runWith(store, { topology: 'dag', agents, options: diamond }, describeInputs);
    expect(result.answer).toBe('Review both from front+back');
    expect(result.reason).toBe('all_nodes_done');
    expect(result.aggregation).toBe('sink');
    expect(result.details?.['waves']).toEqual([['plan'], ['front', 'back'], ['review']]);
    const ids = events.filter((event) => event.type === 'command.completed').map((event) => event.data['commandId']);
    expect(ids).toContain('dag/node:front/generate:0');
  });

  it('labels each parent output by node id', async () => {
    store = fixture.create();
    const { provider } = await runWith(store, { topology: 'dag', agents, options: diamond }, describeInputs);
    const review = provider.calls.find((call) => call.request.model === 'reviewer');
    expect(review?.lastUserMessage).toContain('### front\nBuild the front end from plan');
    expect(review?.lastUserMessage).toContain('### back\nBuild the back end from plan');
  });

  it('concatenates several sinks in node order, or answers with the `output` node', async () => {
    store = fixture.create();
    const forest = { nodes: [{ id: 'x', agent: 'coder', prompt: 'X' }, { id: 'y', agent: 'coder', prompt: 'Y' }, { id: 'z', agent: 'planner', prompt: 'Z' }], edges: [['x', 'y']] };
    const { result } = await runWith(store, { topology: 'dag', agents, options: forest }, describeInputs);
    expect(result.answer).toBe('## y\n\nY from x\n\n## z\n\nZ');
    expect(result.aggregation).toBe('concat');
    const { result: chosen } = await runWith(store, { topology: 'dag', agents, options: { ...forest, output: 'x' } }, describeInputs);
    expect(chosen.answer).toBe('X');
    expect(chosen.aggregation).toBe('output_node');
  });

  it('never has more than `concurrency` nodes in flight', async () => {
    store = fixture.create();
    let inFlight = 0;
    let peak = 0;
    const wide = { nodes: Array.from({ length: 8 }, (_, index) => ({ id: `n${index}`, agent: 'coder', prompt: `part ${index}` })), concurrency: 3 };
    const { result } = await runWith(store, { topology: 'dag', agents, options: wide }, () => {
      inFlight += 1;
      peak = Math.max(peak, inFlight);
      setTimeout(() => (inFlight -= 1), 8);
      return { delayMs: 8, text: 'ok' };
    });
    expect(result.reason).toBe('all_nodes_done');
    expect(peak).toBeLessThanOrEqual(3);
  });

  it('fails with retries_exhausted when a node\'s agent always fails', async () => {
    store = fixture.create();
    const { result } = await runWith(store, { topology: 'dag', agents, options: diamond }, (call) =>
      call.request.model === 'reviewer' ? new ConclaveError('provider_server_error', 'boom') : describeInputs(call),
    );
    expect(result.stopReason).toBe('retries_exhausted');
    expect(result.error?.message).toContain('agent "reviewer"');
  });

  it('survives a kill in every wave', async () => {
    store = fixture.create();
    await expectKillAndResume(() => fixture.create(), { topology: 'dag', agents, options: { ...diamond, concurrency: 1 } }, describeInputs, [0, 1, 2, 3]);
  });
});

describe('dag checks', () => {
  const issues = (options: Record<string, unknown>) =>
    dagTopology.check?.(dagTopology.options.parse(options), agents).map((issue) => ({ path: issue.path.join('.'), message: issue.message }));

  it('accepts the diamond', () => {
    expect(issues(diamond)).toEqual([]);
  });

  it('rejects a cycle, showing it', () => {
    const found = issues({ ...diamond, edges: [...diamond.edges, ['review', 'plan']] });
    expect(found).toEqual([{ path: 'options.edges', message: 'options.edges form a cycle: plan → front → review → plan' }]);
    expect(issues({ nodes: diamond.nodes, edges: [['back', 'back']] })?.[0]?.message).toContain('back → back');
  });

  it('rejects unknown nodes and agents at their exact paths', () => {
    const found = issues({ ...diamond, nodes: [...diamond.nodes, { id: 'plan', agent: 'ghost' }], edges: [['plan', 'front'], ['front', 'review'], ['back', 'nowhere']], output: 'missing' });
    expect(found?.map((issue) => issue.path)).toEqual(['options.nodes.4.id', 'options.nodes.4.agent', 'options.edges.2.1', 'options.output']);
  });

  it('findCycle and nodePrompt', () => {
    expect(findCycle(['a', 'b', 'c'], [['a', 'b'], ['b', 'c']])).toBeUndefined();
    expect(findCycle(['a', 'b', 'c'], [['a', 'b'], ['b', 'c'], ['c', 'b']])).toEqual(['b', 'c', 'b']);
    expect(nodePrompt('T', { id: 'a', agent: 'x' }, [])).toBe('T');
  });

  it('reaches every state, including blocked when run without the checks', async () => {
    const coverage = new StateCoverage(dagTopology.machine);
    coverage.add(await driveMachine(dagTopology, { task: 't', agents, options: diamond }, (call) => call.path));
    const blocked = await driveMachine(dagTopology, { task: 't', agents, options: { nodes: diamond.nodes, edges: [['plan', 'front'], ['front', 'plan']] } }, (call) => call.path);
    expect(blocked.output).toMatchObject({ reason: 'blocked', answer: '', details: { pending: ['plan', 'front'] } });
    coverage.add(blocked);
    coverage.expectComplete();
  });
});
