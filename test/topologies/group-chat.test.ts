// group-chat: round-robin, selector and handoff speaker selection with their fallbacks; every
// termination reason; failure; resume; and every machine state reached.
import { afterEach, describe, expect, it } from 'vitest';
import { ConclaveError, type SessionStore } from '../../src/protocol/index.js';
import { groupChatTopology, handoffName, matchSpeaker } from '../../topologies/group-chat.js';
import { StateCoverage, driveMachine } from '../support/machine-driver.js';
import type { ScriptedCall } from '../support/scripted-provider.js';
import { storeFixtures } from '../support/stores.js';
import { completedIds, expectKillAndResume, runWith } from '../support/topology-harness.js';

const speakers = ['ann', 'bob', 'cy'].map((name) => ({ name, model: `script/${name}` }));
const withSelector = [...speakers, { name: 'host', model: 'script/host' }];
const turnOf = (call: ScriptedCall) => (call.lastUserMessage.match(/^\[\w+\]: /gm) ?? []).length + 1;
const spoken = (calls: readonly ScriptedCall[]) => calls.filter((call) => call.request.model !== 'host').map((call) => call.request.model);
/** Everyone disagrees: ann says 1, bob 2, cy 3. */
const stubborn = (call: ScriptedCall) => `My view. Final answer: ${{ ann: 1, bob: 2, cy: 3 }[call.request.model] ?? 0}`;

describe.each(storeFixtures())('group-chat on the $name store', (fixture) => {
  let store: SessionStore;
  afterEach(async () => {
    await store.close();
    await fixture.cleanup();
  });

  it('takes turns round-robin on a shared transcript until max_turns', async () => {
    store = fixture.create();
    const { result, provider, events } = await runWith(store, { topology: 'group-chat', agents: speakers, options: { max_turns: 5 } }, stubborn);
    expect(result.reason).toBe('max_turns');
    expect(result.aggregation).toBe('last_message');
    expect(spoken(provider.calls)).toEqual(['ann', 'bob', 'cy', 'ann', 'bob']);
    expect(result.answer).toBe('My view. Final answer: 2');
    expect(provider.calls[3]?.lastUserMessage).toContain('[cy]: My view. Final answer: 3');
    expect(provider.calls[3]?.lastUserMessage).toContain('[ann]: My view. Final answer: 1');
    expect(completedIds(events)).toContain('group-chat/turn:5/agent:1/generate:0');
  });

  it('stops on consensus once every speaker\'s latest answer agrees', async () => {
    store = fixture.create();
    const { result, provider } = await runWith(store, { topology: 'group-chat', agents: speakers, options: {} }, (call) =>
      turnOf(call) >= 3 || call.request.model === 'cy' ? 'Agreed. Final answer: 7' : stubborn(call),
    );
    expect(result.reason).toBe('consensus');
    expect(result.aggregation).toBe('consensus');
    expect(spoken(provider.calls)).toEqual(['ann', 'bob', 'cy', 'ann', 'bob']);
    expect(result.answer).toBe('Agreed. Final answer: 7');
  });

  it('stops on the stop phrase and answers with the message without it', async () => {
    store = fixture.create();
    const { result, provider } = await runWith(store, { topology: 'group-chat', agents: speakers, options: { stop_phrase: 'TERMINATE' } }, (call) =>
      turnOf(call) === 2 ? 'Done: 42. TERMINATE' : stubborn(call),
    );
    expect(result.reason).toBe('stop_phrase');
    expect(result.answer).toBe('Done: 42.');
    expect(provider.calls).toHaveLength(2);
    expect(provider.calls[0]?.lastUserMessage).toContain('include TERMINATE');
  });

  it('answers with the previous message when the stop phrase is all the last one says', async () => {
    store = fixture.create();
    const { result } = await runWith(store, { topology: 'group-chat', agents: speakers, options: { stop_phrase: 'TERMINATE' } }, (call) =>
      turnOf(call) === 3 ? 'TERMINATE' : stubborn(call),
    );
    expect(result.answer).toBe('My view. Final answer: 2');
  });

  it('lets a selector, who never speaks, pick each speaker and falls back to round-robin on an unknown name', async () => {
    store = fixture.create();
    const picks = ['cy', '"Ann".', 'nobody', 'CY'];
    const { result, provider, events } = await runWith(store, { topology: 'group-chat', agents: withSelector, options: { selection: 'selector', selector: 'host', max_turns: 4 } }, (call) =>
      call.request.model === 'host' ? (picks[turnOf(call) - 1] ?? 'ann') : stubborn(call),
    );
    expect(spoken(provider.calls)).toEqual(['cy', 'ann', 'bob', 'cy']);
    expect(result.details?.['fallbacks']).toEqual([{ turn: 3, wanted: 'nobody', used: 'bob' }]);
    expect(completedIds(events)).toEqual(expect.arrayContaining(['group-chat/turn:1/select/generate:0', 'group-chat/turn:1/agent:2/generate:0']));
  });

  it('follows NEXT: handoffs and falls back to round-robin when the name is missing or unknown', async () => {
    store = fixture.create();
    const next: Record<number, string> = { 1: '\nNEXT: cy', 2: '\nNEXT: zed', 3: '' };
    const { result, provider } = await runWith(store, { topology: 'group-chat', agents: speakers, options: { selection: 'handoff', max_turns: 4 } }, (call) =>
      `${stubborn(call)}${next[turnOf(call)] ?? ''}`,
    );
    expect(spoken(provider.calls)).toEqual(['ann', 'cy', 'ann', 'bob']);
    expect(result.details?.['fallbacks']).toEqual([
      { turn: 3, wanted: 'zed', used: 'ann' },
      { turn: 4, wanted: undefined, used: 'bob' },
    ]);
    expect(provider.calls[0]?.lastUserMessage).toContain('NEXT: <name>');
  });

  it('fails the session when a speaker keeps failing', async () => {
    store = fixture.create();
    const { result } = await runWith(store, { topology: 'group-chat', agents: speakers, options: {} }, (call) =>
      call.request.model === 'bob' ? new ConclaveError('provider_server_error', 'boom') : stubborn(call),
    );
    expect(result.stopReason).toBe('retries_exhausted');
    expect(result.error?.message).toContain('agent "bob"');
  });

  it('survives a kill at a selection and at a speaker turn', async () => {
    store = fixture.create();
    await expectKillAndResume(
      () => fixture.create(),
      { topology: 'group-chat', agents: withSelector, options: { selection: 'selector', selector: 'host', max_turns: 3 } },
      (call) => (call.request.model === 'host' ? 'bob' : stubborn(call)),
      [0, 1, 2, 3, 5],
    );
  });
});

describe('group-chat names, checks and states', () => {
  it('matches names and reads handoffs', () => {
    expect(matchSpeaker(['ann', 'bob'], ' **Bob**. ')).toBe('bob');
    expect(matchSpeaker(['ann', 'bob'], 'bobby')).toBeUndefined();
    expect(handoffName('text\nNEXT: ann\nmore\nnext: bob')).toBe('bob');
    expect(handoffName('no handoff')).toBeUndefined();
  });

  it('checks the selector and speakers', () => {
    const agents = withSelector.map(({ name }) => ({ name, model: 'script/x' }));
    const check = (options: Record<string, unknown>) => groupChatTopology.check?.(groupChatTopology.options.parse(options), agents) ?? [];
    expect(check({ selection: 'selector', selector: 'host' })).toEqual([]);
    expect(check({ selection: 'selector' })[0]?.path).toEqual(['options', 'selector']);
    expect(check({ selector: 'host' })[0]?.message).toContain('selection is "round-robin"');
    expect(check({ speakers: ['ann', 'zed'] })[0]?.path).toEqual(['options', 'speakers', 1]);
    expect(check({ selection: 'selector', selector: 'host', speakers: ['ann', 'host'] })[0]?.message).toContain('cannot also be a speaker');
    expect(check({ answer_pattern: '(' })[0]?.path).toEqual(['options', 'answer_pattern']);
  });

  it('reaches every state', async () => {
    const coverage = new StateCoverage(groupChatTopology.machine);
    const agents = [{ name: 'a' }, { name: 'b' }, { name: 'host' }];
    coverage.add(await driveMachine(groupChatTopology, { task: 't', agents, options: { selection: 'selector', selector: 'host', max_turns: 2 } }, (call) => (call.agent === 'host' ? 'b' : 'x')));
    coverage.add(await driveMachine(groupChatTopology, { task: 't', agents: agents.slice(0, 2), options: {} }, () => 'Final answer: same'));
    coverage.expectComplete();
  });
});
