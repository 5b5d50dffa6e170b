// on_agent_error: for every topology, what `skip` means when an agent's retries run out, that
// `fail` (the default) still fails the session, where the policy may be set (document, options,
// agent; the most specific wins), and that a journaled skip is answered from the log on resume.
import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { Kernel, type SessionDefinition } from '../../src/kernel/index.js';
import { parseTopologyDocument } from '../../src/config/index.js';
import { ConclaveError, isConclaveError, type SessionEvent, type SessionStore } from '../../src/protocol/index.js';
import { createMemoryStore } from '../../src/store/memory-store.js';
import { pipelineTopology } from '../../topologies/pipeline.js';
import { offlineProvider } from '../../providers/offline/offline-provider.js';
import { createScriptedProvider, type ScriptedCall, type ScriptedReply } from '../support/scripted-provider.js';
import { testRegistry } from '../support/registry.js';
import { storeFixtures } from '../support/stores.js';
import { runWith } from '../support/topology-harness.js';

const boom = () => new ConclaveError('provider_server_error', 'simulated server error (HTTP 500)');
const slots = (...names: string[]) => names.map((name) => ({ name, model: `script/${name}` }));
/** One attempt per call, so a broken agent gives up at once. */
const once = { maxAttempts: 1, initialDelayMs: 1, maxDelayMs: 1 };
/** Answers by model name; the models in `broken` always fail. */
const replies = (broken: readonly string[], answer: (call: ScriptedCall) => ScriptedReply) => (call: ScriptedCall) =>
  broken.includes(call.request.model) ? boom() : answer(call);
const skippedEvents = (events: readonly SessionEvent[]) => events.filter((event) => event.type === 'agent.skipped').map((event) => event.data);

describe.each(storeFixtures())('on_agent_error on the $name store', (fixture) => {
  let store: SessionStore | undefined;
  afterEach(async () => {
    await store?.close();
    store = undefined;
    await fixture.cleanup();
  });
  const run = (definition: Omit<SessionDefinition, 'retry'> & { on_agent_error?: string }, respond: (call: ScriptedCall) => ScriptedReply, task?: string) => {
 store ??= fixture.create();
    return runWith(store, { retry: once, ...definition } as SessionDefinition, respond, task);
  };
  const open = () => {
    store = fixture.create();
  };

  describe('voting', () => {
    const votes: Record<string, string> = { a: '4', b: '4', c: '5', d: '6' };
    const voting = replies(['e'], (call) => `Final answer: ${votes[call.request.model] ?? '7'}`);

    it('skip: a failed voter abstains, the vote is decided over the rest, and the skip is journaled and in details', async () => {
      open();
      const { result, events } = await run({ topology: 'voting', agents: slots('a', 'b', 'c', 'd', 'e'), options: { on_agent_error: 'skip' } }, voting);
      expect(result.status).toBe('idle');
      expect(result.answer).toBe('4');
      expect(result.details?.['failed']).toEqual(['e']);
      expect(result.details?.['votes']).toEqual({ a: '4', b: '4', c: '5', d: '6' });
      expect(result.details?.['skipped']).toEqual([{ agent: 'e', path: 'voting/vote:4', code: 'provider_server_error', message: expect.stringContaining('agent "e"') }]);
      expect(skippedEvents(events)).toEqual([
        expect.objectContaining({ path: 'voting/vote:4', commandId: 'voting/vote:4/generate:0', agent: 'e', error: { code: 'provider_server_error', message: expect.stringContaining('HTTP 500') } }),
      ]);
    });

    it('fail (the default) still fails the session when a voter gives up', async () => {
      open();
      const { result, events } = await run({ topology: 'voting', agents: slots('a', 'b', 'c', 'd', 'e') }, voting);
      expect(result.stopReason).toBe('retries_exhausted');
      expect(result.error?.code).toBe('agent_failed');
      expect(skippedEvents(events)).toEqual([]);
    });

    it('unanimous and majority are decided over the voters left; a quorum still counts every voter', async () => {
      open();
      const agreed = await run({ topology: 'voting', agents: slots('a', 'b', 'e'), options: { rule: 'unanimous', on_agent_error: 'skip' } }, replies(['e'], () => 'Final answer: yes'));
      expect(agreed.result.reason).toBe('unanimous');
      expect(agreed.result.answer).toBe('yes');
      const quorum = await run({ topology: 'voting', agents: slots('a', 'b', 'e'), options: { rule: 'quorum', quorum: 1, on_agent_error: 'skip' } }, replies(['e'], () => 'Final answer: yes'));
      expect(quorum.result.reason).toBe('no_decision');
      expect(quorum.result.details?.['failed']).toEqual(['e']);
    });

    it('no voter left fails the run, naming every failed voter', async () => {
      open();
      const { result } = await run({ topology: 'voting', agents: slots('a', 'b'), options: { on_agent_error: 'skip' } }, () => boom());
      expect(result.answer).toBeUndefined();
      expect(result.error?.code).toBe('topology_failed');
      expect(result.error?.message).toContain('every voter failed');
      expect(result.error?.message).toContain('a (vote:0)');
      expect(result.error?.message).toContain('b (vote:1)');
    });

    it('the most specific policy wins: agent over options over document', async () => {
      open();
      const onAgent = await run({ topology: 'voting', agents: [...slots('a', 'b'), { name: 'e', model: 'script/e', on_agent_error: 'skip' }] }, voting);
      expect(onAgent.result.answer).toBe('4');
      const agentFails = await run({ topology: 'voting', agents: [...slots('a', 'b'), { name: 'e', model: 'script/e', on_agent_error: 'fail' }], options: { on_agent_error: 'skip' } }, voting);
      expect(agentFails.result.error?.code).toBe('agent_failed');
      const onDocument = await run({ topology: 'voting', agents: slots('a', 'b', 'e'), on_agent_error: 'skip' }, voting);
      expect(onDocument.result.answer).toBe('4');
      const optionsFail = await run({ topology: 'voting', agents: slots('a', 'b', 'e'), options: { on_agent_error: 'fail' }, on_agent_error: 'skip' }, voting);
      expect(optionsFail.result.error?.code).toBe('agent_failed');
    });
  });

  describe('debate', () => {
    const agreeing = (broken: string[]) => replies(broken, () => 'I think so. Final answer: 42');

    it('skip: goes on with the debaters left', async () => {
      open();
      const { result, provider } = await run({ topology: 'debate', agents: slots('a', 'b', 'c'), options: { rounds: 2, stop_on_consensus: false, on_agent_error: 'skip' } }, agreeing(['c']));
      expect(result.answer).toContain('Final answer: 42');
      expect(result.details?.['dropped']).toEqual(['c']);
      // Round 2 asks only the debaters left; c is not asked again.
      expect(provider.calls.filter((call) => call.request.model === 'c')).toHaveLength(1);
      expect(result.details?.['rounds']).toEqual([
        { round: 1, answers: { a: '42', b: '42' } },
        { round: 2, answers: { a: '42', b: '42' } },
      ]);
    });

    it('skip: fewer than two debaters left fails with a clear error', async () => {
      open();
      const { result } = await run({ topology: 'debate', agents: slots('a', 'b'), options: { on_agent_error: 'skip' } }, agreeing(['b']));
      expect(result.error?.code).toBe('topology_failed');
      expect(result.error?.message).toContain('a debate needs at least two');
    });

    it('skip: a failed judge leaves the answer to the debaters', async () => {
      open();
      const { result } = await run({ topology: 'debate', agents: slots('a', 'b', 'j'), options: { judge: 'j', on_agent_error: 'skip' } }, agreeing(['j']));
      expect(result.aggregation).toBe('consensus');
      expect(result.details?.['judge_failed']).toBe(true);
    });

    it('fail (the default) fails the session', async () => {
      open();
      const { result } = await run({ topology: 'debate', agents: slots('a', 'b', 'c') }, agreeing(['c']));
      expect(result.error?.code).toBe('agent_failed');
    });
  });

  describe('parallel', () => {
    const working = (broken: string[]) => replies(broken, (call) => `from ${call.request.model}`);

    it('skip: the answer is formed without the failed worker', async () => {
      open();
      const { result } = await run({ topology: 'parallel', agents: slots('a', 'b', 'c'), options: { on_agent_error: 'skip' } }, working(['b']));
      expect(result.answer).toBe('## a\n\nfrom a\n\n## c\n\nfrom c');
      expect(result.details?.['skipped']).toEqual([expect.objectContaining({ agent: 'b', path: 'parallel/agent:1' })]);
    });

    it('skip: every worker failing, or the synthesizer failing, fails the run', async () => {
      open();
      const none = await run({ topology: 'parallel', agents: slots('a', 'b'), options: { on_agent_error: 'skip' } }, working(['a', 'b']));
      expect(none.result.error?.message).toContain('every worker failed');
      const synthesizer = await run({ topology: 'parallel', agents: slots('a', 'b', 's'), options: { synthesizer: 's', on_agent_error: 'skip' } }, working(['s']));
      expect(synthesizer.result.error?.code).toBe('topology_failed');
      expect(synthesizer.result.error?.message).toContain('the synthesizer "s" failed');
    });

    it('fail (the default) fails the session', async () => {
      open();
      const { result } = await run({ topology: 'parallel', agents: slots('a', 'b', 'c') }, working(['b']));
      expect(result.error?.code).toBe('agent_failed');
    });
  });

  describe('mixture-of-agents', () => {
    it('skip: a failed proposer is left out of its layer; a failed aggregator fails the run', async () => {
      open();
      const { result, provider } = await run({ topology: 'mixture-of-agents', agents: slots('a', 'b', 'c', 'agg'), options: { on_agent_error: 'skip' } }, replies(['b'], (call) => `answer of ${call.request.model}`));
      expect(result.answer).toBe('answer of agg');
      const aggregated = provider.calls.find((call) => call.request.model === 'agg');
      expect(aggregated?.lastUserMessage).toContain('2 proposers gave these answers');
      expect(aggregated?.lastUserMessage).not.toContain('### b');
      const failed = await run({ topology: 'mixture-of-agents', agents: slots('a', 'agg'), options: { on_agent_error: 'skip' } }, replies(['agg'], () => 'x'));
      expect(failed.result.error?.message).toContain('the aggregator "agg" failed');
    });

    it('fail (the default) fails the session', async () => {
      open();
      const { result } = await run({ topology: 'mixture-of-agents', agents: slots('a', 'b', 'agg') }, replies(['b'], () => 'x'));
      expect(result.error?.code).toBe('agent_failed');
    });
  });

  describe('map-reduce', () => {
    const upper = (call: ScriptedCall) =>
      call.request.model === 'red' ? [...call.lastUserMessage.matchAll(/### (?:Partial result|Result) \d+\n(.*)/g)].map((match) => match[1]).join('+') : (/Item \d+ of \d+:\n(.*)/.exec(call.lastUserMessage)?.[1] ?? '').toUpperCase();

    it('skip: a failed map call is left out of the reduce', async () => {
      open();
      const { result } = await run({ topology: 'map-reduce', agents: slots('m1', 'm2', 'red'), options: { input: 'a\nb\nc\nd', on_agent_error: 'skip' } }, replies(['m2'], upper));
      expect(result.answer).toBe('A+C');
      expect(result.details?.['failed_items']).toEqual([1, 3]);
    });

    it('skip: a failed splitter gives way to one item per line; a failed reducer fails the run', async () => {
      open();
      const split = await run({ topology: 'map-reduce', agents: slots('cut', 'm1', 'red'), options: { splitter: 'cut', input: 'x\ny', on_agent_error: 'skip' } }, replies(['cut'], upper));
      expect(split.result.answer).toBe('X+Y');
      expect(split.result.details?.['splitter_failed']).toBe(true);
      const reducer = await run({ topology: 'map-reduce', agents: slots('m1', 'red'), options: { input: 'x', on_agent_error: 'skip' } }, replies(['red'], upper));
      expect(reducer.result.error?.message).toContain('the reducer "red" failed');
      const none = await run({ topology: 'map-reduce', agents: slots('m1', 'red'), options: { input: 'x\ny', on_agent_error: 'skip' } }, replies(['m1'], upper));
      expect(none.result.error?.message).toContain('every map call failed');
    });

    it('fail (the default) fails the session', async () => {
      open();
      const { result } = await run({ topology: 'map-reduce', agents: slots('m1', 'm2', 'red'), options: { input: 'a\nb' } }, replies(['m2'], upper));
      expect(result.error?.code).toBe('agent_failed');
    });
  });

  describe('router', () => {
    const routed = (broken: string[]) => replies(broken, (call) => (call.request.model === 'cls' ? '{"route": "tech"}' : `answer of ${call.request.model}`));
    const agents = [{ name: 'cls', model: 'script/cls' }, { name: 'billing', model: 'script/billing', description: 'payments' }, { name: 'tech', model: 'script/tech', description: 'bugs' }];

    it('skip: a failed classifier takes the fallback route, as documented', async () => {
      open();
      const { result } = await run({ topology: 'router', agents, options: { on_agent_error: 'skip' } }, routed(['cls']));
      expect(result.reason).toBe('fallback');
      expect(result.answer).toBe('answer of billing');
      expect(result.details?.['method']).toBe('failed');
    });

    it('skip: a failed route gives way to the fallback route', async () => {
      open();
      const { result } = await run({ topology: 'router', agents, options: { on_agent_error: 'skip' } }, routed(['tech']));
      expect(result.reason).toBe('fallback');
      expect(result.answer).toBe('answer of billing');
      expect(result.details?.['failed_routes']).toEqual(['tech']);
      const both = await run({ topology: 'router', agents, options: { on_agent_error: 'skip' } }, routed(['tech', 'billing']));
      expect(both.result.error?.message).toContain('every route it chose failed');
    });

    it('fail (the default) fails the session', async () => {
      open();
      const { result } = await run({ topology: 'router', agents }, routed(['cls']));
      expect(result.error?.code).toBe('agent_failed');
    });
  });

  describe('pipeline', () => {
    const stages = (broken: string[]) => replies(broken, (call) => `${call.request.model}(${/Output of the previous stage \(\w+\):\n(.*)/.exec(call.lastUserMessage)?.[1] ?? 'task'})`);

    it('skip: a failed stage is passed over; a failed last stage leaves the last answered output', async () => {
      open();
      const middle = await run({ topology: 'pipeline', agents: slots('a', 'b', 'c'), options: { on_agent_error: 'skip' } }, stages(['b']));
      expect(middle.result.answer).toBe('c(a(task))');
      expect(middle.result.details?.['skipped_stages']).toEqual(['pass:1/stage:1']);
      const last = await run({ topology: 'pipeline', agents: slots('a', 'b', 'c'), options: { on_agent_error: 'skip' } }, stages(['c']));
      expect(last.result.answer).toBe('b(a(task))');
      expect(last.result.aggregation).toBe('last_answered_stage');
      const none = await run({ topology: 'pipeline', agents: slots('a', 'b'), options: { on_agent_error: 'skip' } }, stages(['a', 'b']));
      expect(none.result.error?.message).toContain('every stage failed');
    });

    it('fail (the default) fails the session', async () => {
      open();
      const { result } = await run({ topology: 'pipeline', agents: slots('a', 'b', 'c') }, stages(['b']));
      expect(result.error?.code).toBe('agent_failed');
    });
  });

  describe('tournament', () => {
    const judged = (broken: string[]) => replies(broken, (call) => (call.request.model === 'j' ? 'Winner: A' : `answer of ${call.request.model}`));

    it('skip: a candidate whose answer failed forfeits; one left wins by walkover', async () => {
      open();
      const { result } = await run({ topology: 'tournament', agents: slots('a', 'b', 'c', 'j'), options: { judge: 'j', format: 'round-robin', on_agent_error: 'skip' } }, judged(['b']));
      expect(result.details?.['forfeited']).toEqual(['b']);
      expect((result.details?.['ranking'] as Array<{ agent: string }>).map((row) => row.agent).sort()).toEqual(['a', 'c']);
      const walkover = await run({ topology: 'tournament', agents: slots('a', 'b', 'j'), options: { judge: 'j', on_agent_error: 'skip' } }, judged(['b']));
      expect(walkover.result.answer).toBe('answer of a');
      expect(walkover.result.details?.['champion']).toBe('a');
      expect(walkover.result.details?.['bracket']).toEqual([]);
    });

    it('skip: a failed judgement is a draw', async () => {
      open();
      const { result } = await run({ topology: 'tournament', agents: slots('a', 'b', 'j'), options: { judge: 'j', on_agent_error: 'skip' } }, judged(['j']));
      const [match] = (result.details?.['bracket'] as Array<{ matches: Array<{ winner: string | null; failedOrders?: number[] }> }>)[0]?.matches ?? [];
      expect(match?.winner).toBeNull();
      expect(match?.failedOrders).toEqual([1, 2]);
      expect(result.details?.['champion']).toBe('a');
    });

    it('fail (the default) fails the session', async () => {
      open();
      const { result } = await run({ topology: 'tournament', agents: slots('a', 'b', 'j'), options: { judge: 'j' } }, judged(['j']));
      expect(result.error?.code).toBe('agent_failed');
    });
  });

  describe('hierarchical', () => {
    const plan = JSON.stringify({ subtasks: [{ id: 'one', worker: 'w1', instruction: 'do one' }, { id: 'two', worker: 'w2', instruction: 'do two' }] });
    const managed = (broken: string[]) => replies(broken, (call) => (call.request.model === 'boss' ? (call.lastUserMessage.includes('Split the task') ? plan : 'final report') : `result of ${call.request.model}`));

    it('skip: a failed subtask is left out of the synthesis; a failed plan fails the run', async () => {
      open();
      const { result, provider } = await run({ topology: 'hierarchical', agents: slots('boss', 'w1', 'w2'), options: { on_agent_error: 'skip' } }, managed(['w2']));
      expect(result.answer).toBe('final report');
      expect(result.details?.['failed_subtasks']).toEqual(['two']);
      expect(provider.calls[provider.calls.length - 1]?.lastUserMessage).not.toContain('### two');
      const planless = await run({ topology: 'hierarchical', agents: slots('boss', 'w1'), options: { on_agent_error: 'skip' } }, managed(['boss']));
      expect(planless.result.error?.message).toContain('the manager "boss" failed');
    });

    it('fail (the default) fails the session', async () => {
      open();
      const { result } = await run({ topology: 'hierarchical', agents: slots('boss', 'w1', 'w2') }, managed(['w2']));
      expect(result.error?.code).toBe('agent_failed');
    });
  });

  describe('dag', () => {
    const nodes = [
      { id: 'root', agent: 'a' },
      { id: 'left', agent: 'b' },
      { id: 'right', agent: 'c' },
      { id: 'after', agent: 'a' },
    ];
    const edges = [['root', 'left'], ['root', 'right'], ['right', 'after']];

    it('skip: the nodes after a failed node do not run; the answer comes from the sinks that finished', async () => {
      open();
      const { result, provider } = await run({ topology: 'dag', agents: slots('a', 'b', 'c'), options: { nodes, edges, on_agent_error: 'skip' } }, replies(['c'], (call) => `by ${call.request.model}`));
      expect(result.answer).toBe('by b');
      expect(result.details?.['failed']).toEqual(['right']);
      expect(result.details?.['not_run']).toEqual(['after']);
      expect(provider.calls).toHaveLength(3);
      const output = await run({ topology: 'dag', agents: slots('a', 'b', 'c'), options: { nodes, edges, output: 'after', on_agent_error: 'skip' } }, replies(['c'], () => 'x'));
      expect(output.result.error?.message).toContain('the output node "after" did not finish');
    });

    it('fail (the default) fails the session', async () => {
      open();
      const { result } = await run({ topology: 'dag', agents: slots('a', 'b', 'c'), options: { nodes, edges } }, replies(['c'], () => 'x'));
      expect(result.error?.code).toBe('agent_failed');
    });
  });

  describe('reflection', () => {
    const approve = '{"verdict": "approve", "feedback": "good"}';
    const revise = '{"verdict": "revise", "feedback": "again"}';

    it('skip: a failed critic gives no verdict and approval is decided over the critics left', async () => {
      open();
      const { result } = await run({ topology: 'reflection', agents: slots('gen', 'c1', 'c2'), options: { approval: 'all', on_agent_error: 'skip' } }, replies(['c1'], (call) => (call.request.model === 'gen' ? 'draft' : approve)));
      expect(result.reason).toBe('approved');
      expect(result.answer).toBe('draft');
    });

    it('skip: a failed revision ends with the latest draft; a failed first draft fails the run', async () => {
      open();
      let drafts = 0;
      const { result } = await run({ topology: 'reflection', agents: slots('gen', 'c1'), options: { on_agent_error: 'skip' } }, (call) => {
        if (call.request.model !== 'gen') return revise;
        drafts += 1;
        return drafts === 1 ? 'first draft' : boom();
      });
      expect(result.reason).toBe('revision_failed');
      expect(result.answer).toBe('first draft');
      const none = await run({ topology: 'reflection', agents: slots('gen', 'c1'), options: { on_agent_error: 'skip' } }, replies(['gen'], () => approve));
      expect(none.result.error?.message).toContain('the generator "gen" failed');
    });

    it('fail (the default) fails the session', async () => {
      open();
      const { result } = await run({ topology: 'reflection', agents: slots('gen', 'c1', 'c2') }, replies(['c1'], (call) => (call.request.model === 'gen' ? 'draft' : approve)));
      expect(result.error?.code).toBe('agent_failed');
    });
  });

  describe('group-chat', () => {
    it('skip: a failed speaker loses its turn and the next speaker goes on', async () => {
      open();
      const { result } = await run({ topology: 'group-chat', agents: slots('a', 'b', 'c'), options: { max_turns: 4, stop_on_consensus: false, on_agent_error: 'skip' } }, replies(['b'], (call) => `${call.request.model} speaks. Final answer: 1`));
      expect(result.details?.['speakers']).toEqual(['a', 'c', 'a']);
      expect(result.details?.['skipped_turns']).toEqual([{ turn: 2, agent: 'b' }]);
      expect(result.reason).toBe('max_turns');
    });

    it('skip: every speaker failing in a row fails the run', async () => {
      open();
      const { result } = await run({ topology: 'group-chat', agents: slots('a', 'b'), options: { on_agent_error: 'skip' } }, () => boom());
      expect(result.error?.code).toBe('topology_failed');
      expect(result.error?.message).toContain('turns all failed');
    });

    it('fail (the default) fails the session', async () => {
      open();
      const { result } = await run({ topology: 'group-chat', agents: slots('a', 'b', 'c') }, replies(['b'], () => 'Final answer: 1'));
      expect(result.error?.code).toBe('agent_failed');
    });
  });

  describe('nested slots', () => {
    it('a nested run inherits the policy, its details are kept, and its skips are listed with full paths', async () => {
      open();
      const agents = [
        { name: 'panel', topology: 'voting', agents: slots('a', 'b', 'e') },
        { name: 'solo', model: 'script/solo' },
      ];
      const { result, events } = await run({ topology: 'parallel', agents, options: { on_agent_error: 'skip' } }, replies(['e'], () => 'Final answer: 3'));
      const nested = result.details?.['nested'] as Record<string, { topology: string; reason: string; details: Record<string, unknown> }>;
      expect(nested['agent:0']?.topology).toBe('voting');
      expect(nested['agent:0']?.reason).toBe('plurality');
      expect(nested['agent:0']?.details['tally']).toEqual({ '3': 2 });
      expect(result.details?.['skipped']).toEqual([expect.objectContaining({ agent: 'e', path: 'parallel/agent:0/voting/vote:2' })]);
      const message = events.find((event) => event.type === 'agent.message' && event.data['commandId'] === 'parallel/agent:0');
      expect(message?.data['nested']).toMatchObject({ topology: 'voting', reason: 'plurality', aggregation: 'plurality', details: { tally: { '3': 2 } } });
    });

    it('a nested slot with on_agent_error: skip is skipped as a whole when its run fails', async () => {
      open();
      const agents = [
        { name: 'panel', topology: 'voting', agents: slots('x', 'y'), on_agent_error: 'skip' as const },
        { name: 'solo', model: 'script/solo' },
      ];
      const { result } = await run({ topology: 'parallel', agents }, replies(['x', 'y'], () => 'fine'));
      expect(result.answer).toBe('## solo\n\nfine');
      expect(result.details?.['skipped']).toEqual([expect.objectContaining({ agent: 'panel', path: 'parallel/agent:0', code: 'provider_server_error', message: expect.stringContaining('agent "x"') })]);
    });
  });

  it('a journaled skip is answered from the log on resume, never by the provider; an interrupt is never a skip', async () => {
    open();
    const definition = { topology: 'voting', agents: slots('a', 'b', 'c', 'd'), options: { on_agent_error: 'skip', concurrency: 1 }, retry: once } as SessionDefinition;
    const controller = new AbortController();
    // First process: a answers, b fails for good (skipped, journaled), c hangs until interrupted.
    const first = createScriptedProvider((call) => {
      if (call.request.model === 'b') return boom();
      if (call.request.model === 'c') {
        setTimeout(() => controller.abort('interrupted by the test'), 5);
        return { hang: true };
      }
      return 'Final answer: 1';
    });
    const sessionId = await new Kernel({ store: store as SessionStore, registry: testRegistry(first.module) }).createSession(definition, { task: 'the task', seed: 11 });
    const interrupted = await new Kernel({ store: store as SessionStore, registry: testRegistry(first.module) }).runSession(sessionId, { signal: controller.signal });
    first.releaseHung();
    expect(interrupted.stopReason).toBe('interrupted');
    const journaled = (await (store as SessionStore).read(sessionId)).filter((event) => event.type === 'agent.skipped');
    expect(journaled.map((event) => event.data['agent'])).toEqual(['b']);

    // Second process: b would answer now, but the log says it was skipped, so it is not asked.
    const second = createScriptedProvider(() => 'Final answer: 2');
    const resumed = await new Kernel({ store: store as SessionStore, registry: testRegistry(second.module) }).runSession(sessionId);
    expect(second.calls.map((call) => call.request.model)).toEqual(['c', 'd']);
    expect(resumed.details?.['failed']).toEqual(['b']);
    expect(resumed.details?.['votes']).toEqual({ a: '1', c: '2', d: '2' });
    expect(resumed.answer).toBe('2');
    const after = (await (store as SessionStore).read(sessionId)).filter((event) => event.type === 'agent.skipped');
    expect(after).toHaveLength(1);
  });
});

describe('on_agent_error in documents', () => {
  const registry = testRegistry(createScriptedProvider(() => '').module);
  const parse = (document: Record<string, unknown>) => parseTopologyDocument(JSON.stringify({ topology: 'voting', task: 't', agents: slots('a', 'b'), ...document }), { registry });
  const problems = (document: Record<string, unknown>): string[] => {
    try {
      parse(document);
      return [];
    } catch (error) {
      if (!isConclaveError(error)) throw error;
      return (error.issues ?? [error.toJSON()]).map((issue) => `${issue.location?.path ?? ''}: ${issue.message}`);
    }
  };

  it('is accepted at the top level, in options (nested ones too) and on agents', () => {
    const document = parse({
      on_agent_error: 'skip',
      options: { on_agent_error: 'fail' },
      agents: [
        { name: 'a', model: 'script/a', on_agent_error: 'skip' },
        { name: 'panel', topology: 'parallel', on_agent_error: 'skip', options: { on_agent_error: 'skip' }, agents: slots('x') },
      ],
    });
    expect(document.on_agent_error).toBe('skip');
    expect(document.options['on_agent_error']).toBe('fail');
    expect(document.agents[0]).toMatchObject({ on_agent_error: 'skip' });
    expect(document.agents[1]).toMatchObject({ on_agent_error: 'skip', options: { on_agent_error: 'skip' } });
  });

  it('is refused, with where and why, when misspelled or given a wrong value', () => {
    expect(problems({ on_agent_error: 'ignore' }).join('\n')).toMatch(/on_agent_error.*"fail".*"skip"|on_agent_error.*fail.*skip/);
    expect(problems({ options: { on_agent_error: 'skipp' } }).join('\n')).toContain('options.on_agent_error');
    expect(problems({ agents: [{ name: 'a', model: 'script/a', on_agent_error: true }, ...slots('b')] }).join('\n')).toContain('agents[0].on_agent_error');
    expect(problems({ on_agent_errors: 'skip' }).join('\n')).toContain('on_agent_errors');
  });
});

describe('on_agent_error with a topology whose options schema lacks it', () => {
  const custom = { ...pipelineTopology, name: 'custom-chain', options: z.strictObject({ passes: z.number().default(1), include_task: z.boolean().default(true) }) };
  const provider = createScriptedProvider((call) => (call.request.model === 'b' ? boom() : `by ${call.request.model}`));
  const base = testRegistry(provider.module);
  const registry = { ...base, topologies: new Map([...base.topologies, [custom.name, custom]]) };

  it('is accepted in its options by the loader and honoured by the kernel', async () => {
    const document = parseTopologyDocument(JSON.stringify({ topology: 'custom-chain', task: 't', agents: slots('a', 'b'), options: { on_agent_error: 'skip' } }), { registry });
    expect(document.options).toEqual({ passes: 1, include_task: true, on_agent_error: 'skip' });
    expect(() => parseTopologyDocument(JSON.stringify({ topology: 'custom-chain', task: 't', agents: slots('a'), options: { on_agent_error: 'never' } }), { registry })).toThrow(/on_agent_error/);
    const result = await new Kernel({ store: createMemoryStore(), registry }).run({ topology: 'custom-chain', agents: slots('a', 'b'), options: document.options, retry: once }, { task: 't' });
    expect(result.answer).toBe('by a');
    expect(result.details?.['skipped']).toEqual([expect.objectContaining({ agent: 'b', path: 'custom-chain/pass:1/stage:1' })]);
  });
});

describe('on_agent_error with the offline simulator', () => {
  it('a broken offline agent (offline/echo?fail_rate=1&fail=500) is skipped after one attempt and the vote goes on', async () => {
    const kernel = new Kernel({ store: createMemoryStore(), registry: testRegistry(offlineProvider) });
    const agents = [
      { name: 'a', model: 'offline/echo' },
      { name: 'b', model: 'offline/echo' },
      { name: 'broken', model: 'offline/echo?fail_rate=1&fail=500' },
    ];
    const skipped = await kernel.run({ topology: 'voting', agents, options: { rule: 'majority', extract: { regex: 'colour is (\\w+)' }, on_agent_error: 'skip' }, retry: once }, { task: 'The colour is blue.' });
    expect(skipped.answer).toBe('blue');
    expect(skipped.details?.['skipped']).toEqual([expect.objectContaining({ agent: 'broken', code: 'provider_server_error' })]);
    const failed = await kernel.run({ topology: 'voting', agents, options: { rule: 'majority', extract: { regex: 'colour is (\\w+)' } }, retry: once }, { task: 'The colour is blue.' });
    expect(failed.stopReason).toBe('retries_exhausted');
  });
});
