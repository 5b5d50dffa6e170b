// hierarchical: the manager's plan drives the workers, the corrective retry, the invalid-plan
// result, bounded concurrency, nesting for depth, failure and resume, and state coverage.
import { afterEach, describe, expect, it } from 'vitest';
import { parseTopologyDocument } from '../../src/config/index.js';
import { ConclaveError, type SessionStore } from '../../src/protocol/index.js';
import { hierarchicalTopology } from '../../topologies/hierarchical.js';
import { StateCoverage, driveMachine } from '../support/machine-driver.js';
import { testRegistry } from '../support/registry.js';
import { createScriptedProvider, type ScriptedCall, type ScriptedReply } from '../support/scripted-provider.js';
import { storeFixtures } from '../support/stores.js';
import { expectKillAndResume, runWith } from '../support/topology-harness.js';

const agents = ['boss', 'researcher', 'writer'].map((name) => ({ name, model: `script/${name}` }));
const plan = JSON.stringify({
  subtasks: [
    { id: 'facts', worker: 'researcher', instruction: 'List the facts' },
    { id: 'draft', worker: 'writer', instruction: 'Draft the text' },
    { id: 'more', worker: 'researcher', instruction: 'Find sources' },
  ],
});

/** Stateless, so the same script serves a baseline run and its resumed runs: the first plan reply, or the second after a correction. */
function scripted(planReplies: string[] = [plan]) {
  return (call: ScriptedCall): ScriptedReply => {
    if (call.request.model !== 'boss') return `${call.request.model} did: ${call.lastUserMessage.split('): ')[1] ?? ''}`;
    if (call.lastUserMessage.startsWith('Task:') && call.lastUserMessage.includes('Your workers finished')) {
      return `final from ${(call.lastUserMessage.match(/ did: /g) ?? []).length} results`;
    }
    const corrected = call.lastUserMessage.startsWith('Your previous reply was not valid');
    return planReplies[Math.min(corrected ? 1 : 0, planReplies.length - 1)] as string;
  };
}

describe.each(storeFixtures())('hierarchical on the $name store', (fixture) => {
  let store: SessionStore;
  afterEach(async () => {
    await store.close();
    await fixture.cleanup();
  });

  it('plans, runs every subtask on its worker, and synthesizes', async () => {
    store = fixture.create();
    const { result, provider } = await runWith(store, { topology: 'hierarchical', agents, options: {} }, scripted());
    expect(result.answer).toBe('final from 3 results');
    expect(result.reason).toBe('all_subtasks_done');
    expect(result.aggregation).toBe('manager_synthesis');
    expect(result.details?.['subtasks']).toEqual([
      { id: 'facts', worker: 'researcher' },
      { id: 'draft', worker: 'writer' },
      { id: 'more', worker: 'researcher' },
    ]);
    expect(provider.calls.map((call) => call.request.model)).toEqual(['boss', 'researcher', 'writer', 'researcher', 'boss']);
    expect(provider.calls[0]?.request.responseFormat).toMatchObject({ type: 'json', name: 'plan' });
  });

  it('journals the documented command paths', async () => {
    store = fixture.create();
    const { events } = await runWith(store, { topology: 'hierarchical', agents, options: {} }, scripted(['not json', plan]));
    const ids = events.filter((event) => event.type === 'command.completed').map((event) => String(event.data['commandId']));
    for (const suffix of ['plan', 'plan/retry:1', 'subtask:1', 'subtask:3', 'synthesize']) expect(ids).toContain(`hierarchical/${suffix}/generate:0`);
  });

  it('accepts a plan after one corrective retry that names the problem', async () => {
    store = fixture.create();
    const bad = JSON.stringify({ subtasks: [{ id: 'x', worker: 'ghost', instruction: 'boo' }] });
    const { result, provider } = await runWith(store, { topology: 'hierarchical', agents, options: {} }, scripted([bad, plan]));
    expect(result.reason).toBe('all_subtasks_done');
    expect(result.details?.['retried']).toBe(true);
    const retry = provider.calls[1];
    expect(retry?.lastUserMessage).toContain('Your previous reply was not valid: subtasks[0].worker');
    expect(retry?.request.messages.map((message) => message.role)).toEqual(['user', 'assistant', 'user']);
  });

  it('ends with reason invalid_plan when the plan is still invalid after the retry', async () => {
    store = fixture.create();
    const { result, provider } = await runWith(store, { topology: 'hierarchical', agents, options: {} }, scripted(['no plan, sorry']));
    expect(result.status).toBe('idle');
    expect(result.reason).toBe('invalid_plan');
    expect(result.answer).toBe('');
    expect(result.details?.['error']).toContain('(root)');
    expect(provider.calls).toHaveLength(2);
  });

  it('rejects a plan longer than max_subtasks', async () => {
    store = fixture.create();
    const { result } = await runWith(store, { topology: 'hierarchical', agents, options: { max_subtasks: 2 } }, scripted());
    expect(result.reason).toBe('invalid_plan');
    expect(String(result.details?.['error'])).toContain('subtasks');
  });

  it('uses the named manager and never more than `concurrency` workers at once', async () => {
    store = fixture.create();
    let inFlight = 0;
    let peak = 0;
    const many = JSON.stringify({ subtasks: Array.from({ length: 6 }, (_, index) => ({ id: `s${index}`, worker: index % 2 ? 'boss' : 'researcher', instruction: `do ${index}` })) });
    const { result } = await runWith(store, { topology: 'hierarchical', agents, options: { manager: 'writer', concurrency: 2 } }, (call) => {
      if (call.request.model === 'writer') return call.lastUserMessage.includes('Your workers finished') ? 'done' : many;
      inFlight += 1;
      peak = Math.max(peak, inFlight);
      setTimeout(() => (inFlight -= 1), 8);
      return { delayMs: 8, text: 'ok' };
    });
    expect(result.answer).toBe('done');
    expect(peak).toBeLessThanOrEqual(2);
  });

  it('nests: a worker slot may be a hierarchical topology itself', async () => {
    store = fixture.create();
    const team = { name: 'team', topology: 'hierarchical', agents: [{ name: 'lead', model: 'script/lead' }, { name: 'junior', model: 'script/junior' }] };
    const outer = JSON.stringify({ subtasks: [{ id: 'deep', worker: 'team', instruction: 'go deep' }] });
    const inner = JSON.stringify({ subtasks: [{ id: 'leaf', worker: 'junior', instruction: 'the leaf' }] });
    const { result } = await runWith(store, { topology: 'hierarchical', agents: [agents[0] as (typeof agents)[0], team], options: {} }, (call) => {
      const finishing = call.lastUserMessage.includes('Your workers finished');
      if (call.request.model === 'boss') return finishing ? `boss saw: ${call.lastUserMessage.includes('lead summary')}` : outer;
      if (call.request.model === 'lead') return finishing ? 'lead summary' : inner;
      return 'leaf work';
    });
    expect(result.answer).toBe('boss saw: true');
  });

  it('answers to the alias star once the document is normalised', async () => {
    store = fixture.create();
    const yaml = `topology: star\ntask: t\nagents:\n${agents.map((agent) => `  - { name: ${agent.name}, model: ${agent.model} }`).join('\n')}\n`;
    const document = parseTopologyDocument(yaml, { registry: testRegistry(createScriptedProvider(scripted()).module) });
    expect(document.topology).toBe('hierarchical');
    const { result } = await runWith(store, document, scripted());
    expect(result.reason).toBe('all_subtasks_done');
  });

  it('fails with retries_exhausted when a worker always fails', async () => {
    store = fixture.create();
    const respond = scripted();
    const { result } = await runWith(store, { topology: 'hierarchical', agents, options: {} }, (call) =>
      call.request.model === 'writer' ? new ConclaveError('provider_server_error', 'boom') : respond(call),
    );
    expect(result.stopReason).toBe('retries_exhausted');
    expect(result.error?.message).toContain('agent "writer"');
  });

  it('survives a kill at every call boundary', async () => {
    store = fixture.create();
    await expectKillAndResume(() => fixture.create(), { topology: 'hierarchical', agents, options: { concurrency: 1 } }, scripted(['{subtasks: []}', plan]), [0, 1, 2, 3, 4, 5]);
  });
});

describe('hierarchical checks and states', () => {
  it('rejects an unknown manager and a manager without workers', () => {
    const options = hierarchicalTopology.options.parse({ manager: 'ghost' });
    expect(hierarchicalTopology.check?.(options, agents)[0]?.path).toEqual(['options', 'manager']);
    const alone = hierarchicalTopology.check?.(hierarchicalTopology.options.parse({}), [agents[0] as (typeof agents)[0]]);
    expect(alone?.[0]?.path).toEqual(['agents']);
  });

  it('reaches every state: direct plan, corrected plan, and failed plan', async () => {
    const coverage = new StateCoverage(hierarchicalTopology.machine);
    const planFor = (replies: string[]) => {
      let count = 0;
      return (call: { agent: string; path: string }) => {
        if (call.path === 'synthesize') return 'final';
        if (call.agent !== 'boss') return 'work';
        return replies[Math.min(count++, replies.length - 1)] as string;
      };
    };
    coverage.add(await driveMachine(hierarchicalTopology, { task: 't', agents }, planFor([plan])));
    coverage.add(await driveMachine(hierarchicalTopology, { task: 't', agents }, planFor(['?', plan])));
    const failed = await driveMachine(hierarchicalTopology, { task: 't', agents }, planFor(['?']));
    expect(failed.output?.reason).toBe('invalid_plan');
    coverage.add(failed);
    coverage.expectComplete();
  });
});
