// map-reduce: each splitter, the splitter agent, round-robin mappers with bounded concurrency, tree
// reduce, empty and invalid input, failure, resume, and every machine state reached.
import { afterEach, describe, expect, it } from 'vitest';
import { ConclaveError, type SessionStore } from '../../src/protocol/index.js';
import { mapReduceInput, mapReduceTopology, splitInput, splitterItems } from '../../topologies/map-reduce.js';
import { StateCoverage, driveMachine } from '../support/machine-driver.js';
import type { ScriptedCall } from '../support/scripted-provider.js';
import { storeFixtures } from '../support/stores.js';
import { completedIds, expectKillAndResume, runWith } from '../support/topology-harness.js';

const agents = ['m1', 'm2', 'red'].map((name) => ({ name, model: `script/${name}` }));
const itemOf = (call: ScriptedCall) => /Item \d+ of \d+:\n(.*)/.exec(call.lastUserMessage)?.[1] ?? '';
/** Mappers upper-case their item; the reducer joins the results it was given with "+". */
const respond = (call: ScriptedCall) =>
  call.request.model === 'red' ? [...call.lastUserMessage.matchAll(/### (?:Partial result|Result) \d+\n(.*)/g)].map((match) => match[1]).join('+') : itemOf(call).toUpperCase();

describe.each(storeFixtures())('map-reduce on the $name store', (fixture) => {
  let store: SessionStore;
  afterEach(async () => {
    await store.close();
    await fixture.cleanup();
  });

  it('maps each line of the task after its instruction line, round-robin, and reduces once', async () => {
    store = fixture.create();
    const { result, provider, events } = await runWith(store, { topology: 'map-reduce', agents, options: {} }, respond, 'Shout each word\nab\ncd\n\nef');
    expect(result.reason).toBe('reduced');
    expect(result.aggregation).toBe('reducer');
    expect(result.answer).toBe('AB+CD+EF');
    const mapCalls = provider.calls.filter((call) => call.request.model !== 'red');
    expect(mapCalls.map((call) => `${call.request.model}:${itemOf(call)}`).sort()).toEqual(['m1:ab', 'm1:ef', 'm2:cd']);
    expect(mapCalls[0]?.lastUserMessage).toContain('Shout each word');
    expect(completedIds(events)).toEqual(expect.arrayContaining(['map-reduce/map:2/generate:0', 'map-reduce/reduce:1:0/generate:0']));
  });

  it('reduces as a tree when the results exceed reduce_fan_in', async () => {
    store = fixture.create();
    const input = Array.from({ length: 7 }, (_, index) => `i${index}`).join('\n');
    const { result, provider, events } = await runWith(store, { topology: 'map-reduce', agents, options: { input, reduce_fan_in: 2 } }, respond);
    expect(result.answer).toBe('I0+I1+I2+I3+I4+I5+I6');
    expect(provider.calls.filter((call) => call.request.model === 'red')).toHaveLength(4 + 2 + 1);
    expect(completedIds(events)).toEqual(expect.arrayContaining(['map-reduce/reduce:1:3/generate:0', 'map-reduce/reduce:2:1/generate:0', 'map-reduce/reduce:3:0/generate:0']));
    expect(result.details?.['reduce_levels']).toBe(3);
  });

  it('never has more than `concurrency` mappers in flight', async () => {
    store = fixture.create();
    let inFlight = 0;
    let peak = 0;
    const input = Array.from({ length: 9 }, (_, index) => `x${index}`).join('\n');
    const { result } = await runWith(store, { topology: 'map-reduce', agents, options: { input, concurrency: 2 } }, (call) => {
      inFlight += 1;
      peak = Math.max(peak, inFlight);
      setTimeout(() => (inFlight -= 1), 10);
      return { delayMs: 10, text: respond(call) };
    });
    expect(result.reason).toBe('reduced');
    expect(peak).toBeLessThanOrEqual(2);
  });

  it('lets a splitter agent split the input', async () => {
    store = fixture.create();
    const four = [{ name: 'cut', model: 'script/cut' }, ...agents];
    const { result, provider } = await runWith(store, { topology: 'map-reduce', agents: four, options: { splitter: 'cut', input: 'one two' } }, (call) =>
      call.request.model === 'cut' ? '["one", "two"]' : respond(call),
    );
    expect(result.answer).toBe('ONE+TWO');
    expect(provider.calls[0]?.lastUserMessage).toContain('one two');
  });

  it('fails with invalid_argument and a hint when there is nothing to map, calling no agent', async () => {
    store = fixture.create();
    const { result, provider } = await runWith(store, { topology: 'map-reduce', agents, options: {} }, respond, 'Only an instruction');
    expect(result.answer).toBeUndefined();
    expect(result.error?.code).toBe('invalid_argument');
    expect(result.error?.message).toContain('map-reduce has nothing to map');
    expect(result.error?.hint).toContain('lines after it');
    expect(provider.calls).toHaveLength(0);
  });

  it('fails with invalid_argument when a json-array input is not an array', async () => {
    store = fixture.create();
    const { result } = await runWith(store, { topology: 'map-reduce', agents, options: { split: 'json-array', input: '{"a": 1}' } }, respond);
    expect(result.error?.code).toBe('invalid_argument');
    expect(result.error?.message).toContain('JSON array');
    expect(result.error?.hint).toContain('JSON array');
  });

  it('fails when a splitter agent gives no items, saying so', async () => {
    store = fixture.create();
    const { result } = await runWith(store, { topology: 'map-reduce', agents: [...agents, { name: 'cut', model: 'script/cut' }], options: { splitter: 'cut', input: 'abc' } }, (call) =>
      call.request.model === 'cut' ? '[]' : respond(call),
    );
    expect(result.error?.code).toBe('invalid_argument');
    expect(result.error?.message).toContain('the splitter agent gave no items');
  });

  it('fails the session when a mapper keeps failing', async () => {
    store = fixture.create();
    const { result } = await runWith(store, { topology: 'map-reduce', agents, options: { input: 'a\nb' } }, (call) =>
      call.request.model === 'm2' ? new ConclaveError('provider_server_error', 'boom') : respond(call),
    );
    expect(result.stopReason).toBe('retries_exhausted');
    expect(result.error?.message).toContain('agent "m2"');
  });

  it('survives a kill while mapping and while reducing', async () => {
    store = fixture.create();
    await expectKillAndResume(() => fixture.create(), { topology: 'map-reduce', agents, options: { input: 'a\nb\nc\nd', concurrency: 1, reduce_fan_in: 2 } }, respond, [0, 2, 4, 5, 6]);
  });
});

describe('map-reduce splitting, checks and states', () => {
  it('defines the input precisely', () => {
    expect(mapReduceInput('Do it\nx\ny', { instruction_line: true })).toEqual({ instruction: 'Do it', input: 'x\ny' });
    expect(mapReduceInput('Do it', { instruction_line: true })).toEqual({ instruction: 'Do it', input: '' });
    expect(mapReduceInput('x\ny', { instruction_line: false })).toEqual({ instruction: '', input: 'x\ny' });
    expect(mapReduceInput('Do it\nignored', { input: 'z', instruction_line: true })).toEqual({ instruction: 'Do it\nignored', input: 'z' });
  });

  it('splits deterministically', () => {
    expect(splitInput('p1 a\np1 b\n\n  \np2', 'paragraphs', 10)).toEqual({ items: ['p1 a\np1 b', 'p2'] });
    expect(splitInput('abcde', 'fixed-size', 2)).toEqual({ items: ['ab', 'cd', 'e'] });
    expect(splitInput('[1, "x", {"k": 2}]', 'json-array', 2)).toEqual({ items: ['1', 'x', '{"k":2}'] });
    expect(splitInput('   ', 'lines', 2)).toEqual({ items: [] });
    expect(splitterItems('```json\n["a"]\n```')).toEqual(['a']);
    expect(splitterItems('first\n\nsecond [note]')).toEqual(['first', 'second [note]']);
  });

  it('checks agent references', () => {
    const names = agents.map(({ name }) => ({ name, model: 'script/x' }));
    const check = (options: Record<string, unknown>) => mapReduceTopology.check?.(mapReduceTopology.options.parse(options), names) ?? [];
    expect(check({ mappers: ['m1'], reducer: 'red' })).toEqual([]);
    expect(check({ mappers: ['zed'] })[0]?.path).toEqual(['options', 'mappers', 0]);
    expect(check({ reducer: 'zed' })[0]?.path).toEqual(['options', 'reducer']);
    expect(check({ splitter: 'm1', split: 'lines' })[0]?.path).toEqual(['options', 'split']);
  });

  it('reaches every state', async () => {
    const coverage = new StateCoverage(mapReduceTopology.machine);
    const names = [{ name: 'cut' }, { name: 'm' }, { name: 'r' }];
    const echo = (call: { agent: string }) => (call.agent === 'cut' ? 'a\nb\nc' : call.agent);
    coverage.add(await driveMachine(mapReduceTopology, { task: 't', agents: names, options: { splitter: 'cut', input: 'abc', reduce_fan_in: 2 } }, echo));
    coverage.add(await driveMachine(mapReduceTopology, { task: 't', agents: names, options: {} }, echo));
    coverage.expectComplete();
  });
});
