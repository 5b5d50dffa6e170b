// router: structured and mentioned choices, top-k in parallel, the fallback for unknown or failed
// choices, option checks, failure and resume, and state coverage.
import { afterEach, describe, expect, it } from 'vitest';
import { ConclaveError, type SessionStore } from '../../src/protocol/index.js';
import { readRouteChoice, routerTopology } from '../../topologies/router.js';
import { StateCoverage, driveMachine } from '../support/machine-driver.js';
import type { ScriptedCall, ScriptedReply } from '../support/scripted-provider.js';
import { storeFixtures } from '../support/stores.js';
import { expectKillAndResume, runWith } from '../support/topology-harness.js';

const agents = [
  { name: 'triage', model: 'script/triage' },
  { name: 'billing', model: 'script/billing', description: 'invoices and payments' },
  { name: 'tech', model: 'script/tech', description: 'bugs and outages' },
  { name: 'sales', model: 'script/sales' },
];

function classifyWith(choice: string) {
  return (call: ScriptedCall): ScriptedReply => (call.request.model === 'triage' ? choice : `${call.request.model} answers`);
}

describe.each(storeFixtures())('router on the $name store', (fixture) => {
  let store: SessionStore;
  afterEach(async () => {
    await store.close();
    await fixture.cleanup();
  });

  it('runs only the route the classifier picks as JSON', async () => {
    store = fixture.create();
    const { result, provider, events } = await runWith(store, { topology: 'router', agents, options: {} }, classifyWith('{"route": "tech"}'));
    expect(result.answer).toBe('tech answers');
    expect(result.reason).toBe('routed');
    expect(result.aggregation).toBe('single_route');
    expect(result.details).toMatchObject({ chosen: ['tech'], method: 'structured', classifier: 'triage' });
    expect(provider.calls.map((call) => call.request.model)).toEqual(['triage', 'tech']);
    expect(provider.calls[0]?.request.responseFormat).toMatchObject({ type: 'json', name: 'route' });
    expect(provider.calls[0]?.lastUserMessage).toContain('billing: invoices and payments');
    const ids = events.filter((event) => event.type === 'command.completed').map((event) => event.data['commandId']);
    expect(ids).toEqual(['router/classify/generate:0', 'router/route:2/generate:0']);
  });

  it('reads the first route mentioned when the reply is not JSON', async () => {
    store = fixture.create();
    const { result } = await runWith(store, { topology: 'router', agents, options: {} }, classifyWith('This is for Billing, maybe tech later.'));
    expect(result.answer).toBe('billing answers');
    expect(result.details).toMatchObject({ method: 'mention' });
  });

  it('runs the top k routes in parallel and concatenates them in route order', async () => {
    store = fixture.create();
    const { result } = await runWith(store, { topology: 'router', agents, options: { k: 2 } }, classifyWith('{"routes": ["sales", "billing", "tech"]}'));
    expect(result.answer).toBe('## billing\n\nbilling answers\n\n## sales\n\nsales answers');
    expect(result.aggregation).toBe('concat');
    expect(result.reason).toBe('routed');
  });

  it('takes the fallback when the classifier names an unknown route', async () => {
    store = fixture.create();
    const { result } = await runWith(store, { topology: 'router', agents, options: { fallback: 'sales' } }, classifyWith('{"route": "legal"}'));
    expect(result.answer).toBe('sales answers');
    expect(result.reason).toBe('fallback');
    expect(result.details).toMatchObject({ chosen: ['sales'], method: 'none' });
  });

  it('takes the fallback (default: the first route) when the reply names no route at all', async () => {
    store = fixture.create();
    const { result } = await runWith(store, { topology: 'router', agents, options: { classifier: 'sales', routes: ['tech', 'billing'] } }, (call) =>
      call.request.model === 'sales' ? 'I cannot decide.' : `${call.request.model} answers`,
    );
    expect(result.answer).toBe('tech answers');
    expect(result.reason).toBe('fallback');
  });

  it('fails with retries_exhausted when the chosen route always fails', async () => {
    store = fixture.create();
    const { result } = await runWith(store, { topology: 'router', agents, options: {} }, (call) =>
      call.request.model === 'tech' ? new ConclaveError('provider_server_error', 'boom') : classifyWith('{"route": "tech"}')(call),
    );
    expect(result.stopReason).toBe('retries_exhausted');
    expect(result.error?.message).toContain('agent "tech"');
  });

  it('survives a kill before and after classification', async () => {
    store = fixture.create();
    await expectKillAndResume(() => fixture.create(), { topology: 'router', agents, options: { k: 3 } }, classifyWith('{"routes": ["tech", "sales", "billing"]}'), [0, 1, 2, 3]);
  });
});

describe('router choices and checks', () => {
  it('reads structured and mentioned choices, dropping unknown names', () => {
    expect(readRouteChoice('```json\n{"routes": ["x", "tech", "tech"]}\n```', ['billing', 'tech'], 2)).toEqual({ routes: ['tech'], method: 'structured' });
    expect(readRouteChoice('Not billing-ops but tech-ish; billing.', ['billing', 'tech'], 2)).toEqual({ routes: ['billing'], method: 'mention' });
    expect(readRouteChoice('{"route": 7}', ['billing'], 1)).toEqual({ routes: [], method: 'none' });
  });

  it('rejects an unknown fallback, classifier and route, and a k above the route count', () => {
    const issues = (options: Record<string, unknown>) => routerTopology.check?.(routerTopology.options.parse(options), agents).map((issue) => issue.path.join('.'));
    expect(issues({ fallback: 'legal' })).toEqual(['options.fallback']);
    expect(issues({ fallback: 'triage' })).toEqual(['options.fallback']);
    expect(issues({ classifier: 'nobody' })).toContain('options.classifier');
    expect(issues({ routes: ['tech', 'ghost', 'triage'] })).toEqual(['options.routes.1', 'options.routes.2']);
    expect(issues({ k: 4 })).toEqual(['options.k']);
    expect(issues({ routes: ['tech'], fallback: 'tech', k: 1 })).toEqual([]);
  });

  it('reaches every state: routed and fallback', async () => {
    const coverage = new StateCoverage(routerTopology.machine);
    const routed = await driveMachine(routerTopology, { task: 't', agents }, (call) => (call.path === 'classify' ? '{"route": "sales"}' : call.agent));
    expect(routed.output?.answer).toBe('sales');
    coverage.add(routed);
    const fallback = await driveMachine(routerTopology, { task: 't', agents }, (call) => (call.path === 'classify' ? 'none of them' : call.agent));
    expect(fallback.output?.reason).toBe('fallback');
    coverage.add(fallback);
    coverage.expectComplete();
  });
});
