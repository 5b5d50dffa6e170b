// voting: every rule and termination reason, each tie-break, extraction, self-consistency samples,
// validation, failure, kill-and-resume and state coverage.
import { afterEach, describe, expect, it } from 'vitest';
import { ConclaveError, isConclaveError, type SessionStore } from '../../src/protocol/index.js';
import { parseTopologyDocument } from '../../src/config/index.js';
import { votingTopology } from '../../topologies/voting.js';
import { decideVote, seededHash } from '../../topologies/support/vote-rules.js';
import { StateCoverage, driveMachine } from '../support/machine-driver.js';
import { completedIds, expectKillAndResume, runWith } from '../support/topology-harness.js';
import { createScriptedProvider, type ScriptedCall } from '../support/scripted-provider.js';
import { storeFixtures } from '../support/stores.js';
import { testRegistry } from '../support/registry.js';

const voters = (...names: string[]) => names.map((name) => ({ name, model: `script/${name}` }));
/** Each voter's answer by model name; a missing entry abstains. */
const answering = (answers: Record<string, string>) => (call: ScriptedCall) => {
  const answer = answers[call.request.model];
  return answer === undefined ? 'I would rather not say.' : `Let me think. Final answer: ${answer}`;
};
const five = voters('a', 'b', 'c', 'd', 'e');

describe.each(storeFixtures())('voting on the $name store', (fixture) => {
  let store: SessionStore;
  afterEach(async () => {
    await store.close();
    await fixture.cleanup();
  });

  it('counts every voter once and answers by plurality by default', async () => {
    store = fixture.create();
    const { result, provider, events } = await runWith(store, { topology: 'voting', agents: five, options: {} }, answering({ a: '4', b: 'Four', c: 'four', d: 'FOUR', e: '5' }));
    expect(result.reason).toBe('plurality');
    expect(result.aggregation).toBe('plurality');
    expect(result.answer).toBe('Four');
    expect(result.details?.['tally']).toEqual({ '4': 1, four: 3, '5': 1 });
    expect(provider.calls).toHaveLength(5);
    expect(completedIds(events)).toContain('voting/vote:4/generate:0');
  });

  it('majority: more than half of all voters, abstentions included', async () => {
    store = fixture.create();
    const { result } = await runWith(store, { topology: 'voting', agents: five, options: { rule: 'majority' } }, answering({ a: '7', b: '7', c: '7', d: '8' }));
    expect(result.reason).toBe('majority');
    expect(result.answer).toBe('7');
    expect(result.details?.['votes']).toEqual({ a: '7', b: '7', c: '7', d: '8', e: null });
    expect(result.details?.['abstentions']).toBe(1);
  });

  it('majority not met: no_decision with an empty answer and the plurality leader in details', async () => {
    store = fixture.create();
    const { result } = await runWith(store, { topology: 'voting', agents: five, options: { rule: 'majority' } }, answering({ a: '7', b: '7', c: '8', d: '9' }));
    expect(result.reason).toBe('no_decision');
    expect(result.answer).toBe('');
    expect(result.details?.['leader']).toBe('7');
    expect(result.details?.['tally']).toEqual({ '7': 2, '8': 1, '9': 1 });
  });

  it('weighted: the answer with the most weight wins, unlisted agents weigh 1', async () => {
    store = fixture.create();
    const options = { rule: 'weighted', weights: { a: 3.5 } };
    const { result } = await runWith(store, { topology: 'voting', agents: five, options }, answering({ a: 'red', b: 'blue', c: 'blue', d: 'blue', e: 'green' }));
    expect(result.reason).toBe('weighted');
    expect(result.answer).toBe('red');
    expect(result.details?.['tally']).toEqual({ red: 3.5, blue: 3, green: 1 });
  });

  it('unanimous: decides only when every voter agrees', async () => {
    store = fixture.create();
    const agreed = await runWith(store, { topology: 'voting', agents: voters('a', 'b', 'c'), options: { rule: 'unanimous' } }, () => 'Final answer: yes');
    expect(agreed.result.reason).toBe('unanimous');
    expect(agreed.result.answer).toBe('yes');
    const split = await runWith(store, { topology: 'voting', agents: voters('a', 'b', 'c'), options: { rule: 'unanimous' } }, answering({ a: 'yes', b: 'yes' }));
    expect(split.result.reason).toBe('no_decision');
    expect(split.result.answer).toBe('');
  });

  it('quorum: the winner needs the quorum share of all voters (default 2/3)', async () => {
    store = fixture.create();
    const met = await runWith(store, { topology: 'voting', agents: voters('a', 'b', 'c'), options: { rule: 'quorum' } }, answering({ a: 'x', b: 'x', c: 'y' }));
    expect(met.result.reason).toBe('quorum');
    expect(met.result.details?.['quorum']).toBeCloseTo(2 / 3);
    const missed = await runWith(store, { topology: 'voting', agents: five, options: { rule: 'quorum', quorum: 0.8 } }, answering({ a: 'x', b: 'x', c: 'x', d: 'y', e: 'x' }));
    expect(missed.result.reason).toBe('quorum');
    const short = await runWith(store, { topology: 'voting', agents: five, options: { rule: 'quorum', quorum: 0.8 } }, answering({ a: 'x', b: 'x', c: 'x', d: 'y', e: 'y' }));
    expect(short.result.reason).toBe('no_decision');
  });

  it('a tie goes to the earliest voter with tie_break first', async () => {
    store = fixture.create();
    const { result } = await runWith(store, { topology: 'voting', agents: voters('a', 'b', 'c', 'd'), options: { tie_break: 'first' } }, answering({ a: 'no', b: 'yes', c: 'yes', d: 'no' }));
    expect(result.reason).toBe('tie_break');
    expect(result.answer).toBe('no');
    expect(result.details?.['tied']).toEqual(['no', 'yes']);
    expect(result.details?.['leader']).toBeNull();
  });

  it('a tie is decided by the seed with tie_break random, the same way on every run', async () => {
    store = fixture.create();
    const definition = { topology: 'voting', agents: voters('a', 'b', 'c', 'd'), options: { tie_break: 'random' } };
    const script = answering({ a: 'no', b: 'yes', c: 'yes', d: 'no' });
    const first = await runWith(store, definition, script);
    const second = await runWith(store, definition, script);
    const expected = ['no', 'yes'][seededHash(11, 'no\u0000yes') % 2];
    expect(first.result.reason).toBe('tie_break');
    expect(first.result.answer).toBe(expected);
    expect(second.result.answer).toBe(expected);
  });

  it('a tie is no decision with tie_break none', async () => {
    store = fixture.create();
    const { result } = await runWith(store, { topology: 'voting', agents: voters('a', 'b'), options: { rule: 'quorum', quorum: 0.5, tie_break: 'none' } }, answering({ a: 'x', b: 'y' }));
    expect(result.reason).toBe('no_decision');
    expect(result.answer).toBe('');
    expect(result.details?.['tied']).toEqual(['x', 'y']);
  });

  it('samples one agent N times at sample:<i> with distinct seeds (self-consistency)', async () => {
    store = fixture.create();
    const { result, provider, events } = await runWith(store, { topology: 'voting', agents: voters('solo'), options: { samples: 4 } }, (call) =>
      `Final answer: ${call.request.seed !== undefined && call.request.seed % 2 === 0 ? 'even' : 'odd'}`,
    );
    expect(provider.calls).toHaveLength(4);
    expect(new Set(provider.calls.map((call) => call.request.seed)).size).toBe(4);
    expect(completedIds(events)).toEqual(expect.arrayContaining(['voting/sample:0/generate:0', 'voting/sample:3/generate:0']));
    expect(Object.keys(result.details?.['votes'] as object)).toEqual(['sample:0', 'sample:1', 'sample:2', 'sample:3']);
  });

  it('extracts answers from a JSON path and with a custom regex', async () => {
    store = fixture.create();
    const json = await runWith(store, { topology: 'voting', agents: voters('a', 'b', 'c'), options: { extract: { json_path: 'result.answer' } } }, (call) =>
      call.request.model === 'c' ? 'no JSON here' : 'Here: ```json\n{"result": {"answer": "Paris"}}\n```',
    );
    expect(json.result.answer).toBe('Paris');
    expect(json.result.details?.['votes']).toEqual({ a: 'Paris', b: 'Paris', c: null });
    expect(json.provider.calls[0]?.lastUserMessage).toContain('"result.answer" field');
    const regex = await runWith(store, { topology: 'voting', agents: voters('a', 'b', 'c'), options: { extract: { regex: 'the answer is\\s*(-?\\d+)' } } }, (call) =>
      `The answer is ${call.request.model === 'a' ? '3' : '-12'}.`,
    );
    expect(regex.result.answer).toBe('-12');
  });

  it('fails the session when a voter keeps failing', async () => {
    store = fixture.create();
    const { result } = await runWith(store, { topology: 'voting', agents: voters('a', 'b', 'c'), options: {} }, (call) =>
      call.request.model === 'b' ? new ConclaveError('provider_server_error', 'boom') : 'Final answer: 1',
    );
    expect(result.stopReason).toBe('retries_exhausted');
    expect(result.error?.message).toContain('agent "b"');
  });

  it('survives a kill at any voter with the same decision', async () => {
    store = fixture.create();
    await expectKillAndResume(
      () => fixture.create(),
      { topology: 'voting', agents: five, options: { rule: 'majority', concurrency: 1 } },
      answering({ a: '1', b: '2', c: '1', d: '1', e: '3' }),
      [0, 1, 2, 4],
    );
  });
});

describe('voting options', () => {
  const registry = testRegistry(createScriptedProvider(() => '').module);
  /** Problems a document with these options has, as `{ path, hint }` (path in dotted form). */
  const problems = (options: Record<string, unknown>, agents = voters('a', 'b')) => {
    try {
      parseTopologyDocument(JSON.stringify({ topology: 'voting', task: 't', agents, options }), { registry });
      return [];
    } catch (error) {
      if (!isConclaveError(error)) throw error;
      return (error.issues ?? [error.toJSON()]).map((issue) => ({ path: issue.location?.path, hint: issue.hint }));
    }
  };
  const paths = (options: Record<string, unknown>, agents?: ReturnType<typeof voters>) => problems(options, agents).map((problem) => problem.path);

  it('rejects a misspelt rule at options.rule with a suggestion', () => {
    expect(problems({ rule: 'majorty' })).toEqual([{ path: 'options.rule', hint: 'did you mean "majority"?' }]);
  });

  it('checks weights, quorum, samples and the regex against the rule and agents', () => {
    expect(paths({ rule: 'weighted', weights: { zed: 2 } })).toEqual(['options.weights.zed']);
    expect(paths({ weights: { a: 2 } })).toEqual(['options.weights']);
    expect(paths({ quorum: 0.5 })).toEqual(['options.quorum']);
    expect(paths({ samples: 3 })).toEqual(['agents']);
    expect(paths({ extract: { regex: '(' } })).toEqual(['options.extract.regex']);
    expect(paths({ rule: 'quorum', quorum: 0.5, tie_break: 'none' })).toEqual([]);
  });

  it('decides an empty vote as no decision', () => {
    expect(decideVote([], { rule: 'plurality', quorum: 0.5, tieBreak: 'first', seed: 1 })).toMatchObject({ answer: '', reason: 'no_decision', leader: null });
  });
});

describe('voting state coverage', () => {
  it('reaches every state: decided and undecided', async () => {
    const coverage = new StateCoverage(votingTopology.machine);
    const agents = [{ name: 'a' }, { name: 'b' }];
    coverage.add(await driveMachine(votingTopology, { task: 't', agents }, () => 'Final answer: x'));
    coverage.add(await driveMachine(votingTopology, { task: 't', agents, options: { tie_break: 'none' } }, (call) => `Final answer: ${call.agent}`));
    coverage.expectComplete();
  });
});
