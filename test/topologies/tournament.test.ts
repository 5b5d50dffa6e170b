// tournament: bracket with byes, round-robin ranking, order swapping against position bias, verdict
// formats, Bradley–Terry fit, validation, failure, kill-and-resume and state coverage.
import { afterEach, describe, expect, it } from 'vitest';
import { ConclaveError, isConclaveError, type SessionStore } from '../../src/protocol/index.js';
import { parseTopologyDocument } from '../../src/config/index.js';
import { tournamentTopology } from '../../topologies/tournament.js';
import { fitBradleyTerry } from '../../topologies/support/bradley-terry.js';
import { eliminationRound, parseVerdict } from '../../topologies/support/tournament-matches.js';
import { StateCoverage, driveMachine } from '../support/machine-driver.js';
import { completedIds, expectKillAndResume, runWith } from '../support/topology-harness.js';
import { createScriptedProvider, type ScriptedCall } from '../support/scripted-provider.js';
import { storeFixtures } from '../support/stores.js';
import { testRegistry } from '../support/registry.js';

const judge = { name: 'judge', model: 'script/judge' };
const entrants = (...names: string[]) => [...names.map((name) => ({ name, model: `script/${name}` })), judge];
/** How good each candidate's answer is; the fair judge prefers the stronger, whichever order. */
const strength: Record<string, number> = { a: 1, b: 5, c: 2, d: 3, e: 4 };

function shown(call: ScriptedCall): [string, string] {
  const match = /### Answer A\nanswer of (\w+)\n\n### Answer B\nanswer of (\w+)/.exec(call.lastUserMessage);
  return [match?.[1] ?? '', match?.[2] ?? ''];
}
const judged = (verdict: (first: string, second: string) => string) => (call: ScriptedCall) =>
  call.request.model === 'judge' ? verdict(...shown(call)) : `answer of ${call.request.model}`;
const fair = judged((first, second) => `Both are fine, but one is sharper.\nWinner: ${(strength[first] ?? 0) > (strength[second] ?? 0) ? 'A' : 'B'}`);
const alwaysA = judged(() => 'The first one reads better. Winner: A');

describe.each(storeFixtures())('tournament on the $name store', (fixture) => {
  let store: SessionStore;
  afterEach(async () => {
    await store.close();
    await fixture.cleanup();
  });

  it('runs a seeded single-elimination bracket to a champion', async () => {
    store = fixture.create();
    const { result, provider, events } = await runWith(store, { topology: 'tournament', agents: entrants('a', 'b', 'c', 'd'), options: { judge: 'judge' } }, fair);
    expect(result.reason).toBe('champion');
    expect(result.aggregation).toBe('single-elimination');
    expect(result.answer).toBe('answer of b');
    expect(provider.calls).toHaveLength(4 + 4 + 2);
    expect(completedIds(events)).toEqual(
      expect.arrayContaining(['tournament/answer:3/generate:0', 'tournament/match:1:0-3/order:1/generate:0', 'tournament/match:1:1-2/order:2/generate:0', 'tournament/match:2:1-3/order:2/generate:0']),
    );
    const bracket = result.details?.['bracket'] as Array<{ round: number; matches: Array<{ a: string; b: string; winner: string | null }>; bye: string | null }>;
    expect(bracket.map((round) => round.matches.map((match) => `${match.a}-${match.b}:${match.winner}`))).toEqual([['a-d:d', 'b-c:b'], ['b-d:b']]);
    expect(bracket.every((round) => round.bye === null)).toBe(true);
  });

  it('labels every judgement with its match and order, in the prompt and in the journaled step', async () => {
    store = fixture.create();
    const { provider, events } = await runWith(store, { topology: 'tournament', agents: entrants('a', 'b', 'c', 'd'), options: { judge: 'judge' } }, fair);
    const prompts = provider.calls.filter((call) => call.request.model === 'judge').map((call) => /\(This is (.*)\.\)$/.exec(call.lastUserMessage)?.[1]);
    expect(prompts).toEqual(
      expect.arrayContaining([
        "match 1 of round 1 (a vs d), order 1 of 2: Answer A is a's",
        "match 1 of round 1 (a vs d), order 2 of 2: Answer A is d's",
        "match 2 of round 1 (b vs c), order 2 of 2: Answer A is c's",
        "match 1 of round 2 (b vs d), order 1 of 2: Answer A is b's",
      ]),
    );
    expect(prompts).toHaveLength(6);
    const steps = events.filter((event) => event.type === 'command.started' && event.data['commandId'] === 'tournament/match:1:1-2/order:2/generate:0').map((event) => event.data['step']);
    expect(steps).toEqual([{ topology: 'tournament', agent: 'judge', phase: 'judge', round: 1, label: "match 2 of round 1 (b vs c), order 2 of 2: Answer A is c's" }]);
  });

  it('gives the top seed a bye when the number left is odd', async () => {
    store = fixture.create();
    const { result, provider } = await runWith(store, { topology: 'tournament', agents: entrants('a', 'b', 'c', 'd', 'e'), options: { judge: 'judge' } }, fair);
    const bracket = result.details?.['bracket'] as Array<{ matches: Array<{ a: string; b: string; winner: string | null }>; bye: string | null }>;
    expect(bracket.map((round) => round.bye)).toEqual(['a', 'a', null]);
    expect(bracket.map((round) => round.matches.map((match) => `${match.a}-${match.b}:${match.winner}`))).toEqual([['b-e:b', 'c-d:d'], ['b-d:b'], ['a-b:b']]);
    expect(result.answer).toBe('answer of b');
    expect(provider.calls).toHaveLength(5 + 2 * 4);
  });

  it('cancels position bias: a judge that always picks "A" only ever draws', async () => {
    store = fixture.create();
    const elimination = await runWith(store, { topology: 'tournament', agents: entrants('a', 'b', 'c', 'd'), options: { judge: 'judge' } }, alwaysA);
    const bracket = elimination.result.details?.['bracket'] as Array<{ matches: Array<{ winner: string | null; advanced: string; verdicts: unknown }> }>;
    expect(bracket.flatMap((round) => round.matches.map((match) => match.winner))).toEqual([null, null, null]);
    expect(bracket[0]?.matches[0]?.verdicts).toEqual(['A', 'A']);
    expect(bracket.flatMap((round) => round.matches.map((match) => match.advanced))).toEqual(['a', 'b', 'a']);
    expect(elimination.result.answer).toBe('answer of a');

    const roundRobin = await runWith(store, { topology: 'tournament', agents: entrants('a', 'b', 'c'), options: { judge: 'judge', format: 'round-robin' } }, alwaysA);
    const ranking = roundRobin.result.details?.['ranking'] as Array<{ agent: string; wins: number; draws: number; points: number; score: number }>;
    expect(ranking.map((row) => [row.agent, row.wins, row.draws, row.points])).toEqual([['a', 0, 2, 1], ['b', 0, 2, 1], ['c', 0, 2, 1]]);
    for (const row of ranking) expect(row.score).toBeCloseTo(1 / 3, 5);
  });

  it('round-robin plays every pair in both orders and ranks by wins and Bradley–Terry strength', async () => {
    store = fixture.create();
    const { result, provider } = await runWith(store, { topology: 'tournament', agents: entrants('a', 'b', 'c', 'd'), options: { judge: 'judge', format: 'round-robin' } }, fair);
    expect(result.reason).toBe('ranked');
    expect(result.aggregation).toBe('round-robin');
    expect(provider.calls).toHaveLength(4 + 6 * 2);
    const ranking = result.details?.['ranking'] as Array<{ rank: number; agent: string; wins: number; losses: number; score: number }>;
    expect(ranking.map((row) => [row.rank, row.agent, row.wins, row.losses])).toEqual([[1, 'b', 3, 0], [2, 'd', 2, 1], [3, 'c', 1, 2], [4, 'a', 0, 3]]);
    expect(ranking.map((row) => row.score)).toEqual([...ranking.map((row) => row.score)].sort((x, y) => y - x));
    expect(result.answer).toBe('answer of b');
  });

  it('reads JSON verdicts, and a verdict naming neither answer is a draw', async () => {
    store = fixture.create();
    const { result } = await runWith(store, { topology: 'tournament', agents: entrants('a', 'b'), options: { judge: 'judge' } }, judged((first) =>
      first === 'b' ? '{"winner": "A", "why": "clearer"}' : 'Hard to say.',
    ));
    const [round] = result.details?.['bracket'] as Array<{ matches: Array<{ verdicts: unknown; winner: string | null }> }>;
    expect(round?.matches[0]).toMatchObject({ verdicts: [null, 'A'], winner: null });
    const json = await runWith(store, { topology: 'tournament', agents: entrants('a', 'b'), options: { judge: 'judge' } }, judged((first) => `{"winner": "${first === 'b' ? 'A' : 'B'}"}`));
    expect(json.result.answer).toBe('answer of b');
  });

  it('fails the session when the judge keeps failing', async () => {
    store = fixture.create();
    const { result } = await runWith(store, { topology: 'tournament', agents: entrants('a', 'b', 'c'), options: { judge: 'judge' } }, (call) =>
      call.request.model === 'judge' ? new ConclaveError('provider_server_error', 'boom') : `answer of ${call.request.model}`,
    );
    expect(result.stopReason).toBe('retries_exhausted');
    expect(result.error?.message).toContain('agent "judge"');
  });

  it('survives a kill in any round with the same champion', async () => {
    store = fixture.create();
    const definition = { topology: 'tournament', agents: entrants('a', 'b', 'c', 'd', 'e'), options: { judge: 'judge', concurrency: 1 } };
    await expectKillAndResume(() => fixture.create(), definition, fair, [0, 3, 5, 8, 10, 12]);
    await expectKillAndResume(() => fixture.create(), { ...definition, options: { judge: 'judge', format: 'round-robin', concurrency: 1 } }, fair, [4, 9, 20]);
  });
});

describe('tournament parts', () => {
  it('parses verdict lines, JSON and final answers', () => {
    expect(parseVerdict('A is longer.\n**Winner:** B')).toBe('B');
    expect(parseVerdict('Winner: Answer A')).toBe('A');
    expect(parseVerdict('```json\n{"winner": "b"}\n```')).toBe('B');
    expect(parseVerdict('Final answer: A')).toBe('A');
    expect(parseVerdict('So my position is "Answer-B".\nFinal answer: Answer-B')).toBe('B');
    expect(parseVerdict('I cannot decide.')).toBeNull();
  });

  it('pairs first against last and gives byes to the top seed', () => {
    expect(eliminationRound(['a', 'b', 'c'])).toEqual({ pairings: [{ a: 'b', b: 'c' }], bye: 'a' });
    expect(eliminationRound(['a', 'b', 'c', 'd'])).toEqual({ pairings: [{ a: 'a', b: 'd' }, { a: 'b', b: 'c' }], bye: undefined });
  });

  it('fits Bradley–Terry strengths with the MM iteration', () => {
    expect(fitBradleyTerry(2, [{ a: 0, b: 1, wins: 1 }, { a: 0, b: 1, wins: 0.5 }]).strengths.map((value) => Number(value.toFixed(6)))).toEqual([0.75, 0.25]);
    // A beats B twice out of three, B beats C twice out of three, C beats A twice out of three: equal.
    const cycle = [0, 1, 2].flatMap((player) => [1, 1, 0].map((wins) => ({ a: player, b: (player + 1) % 3, wins })));
    for (const value of fitBradleyTerry(3, cycle).strengths) expect(value).toBeCloseTo(1 / 3, 8);
    // The fit satisfies the MLE condition: expected wins equal observed wins for each player.
    const results = [{ a: 0, b: 1, wins: 1 }, { a: 0, b: 1, wins: 0 }, { a: 0, b: 2, wins: 1 }, { a: 1, b: 2, wins: 1 }, { a: 1, b: 2, wins: 0.5 }, { a: 2, b: 0, wins: 0.5 }];
    const { strengths } = fitBradleyTerry(3, results);
    const expected = [0, 0, 0];
    const observed = [0, 0, 0];
    for (const { a, b, wins } of results) {
      const pa = strengths[a] as number;
      const pb = strengths[b] as number;
      expected[a] = (expected[a] as number) + pa / (pa + pb);
      expected[b] = (expected[b] as number) + pb / (pa + pb);
      observed[a] = (observed[a] as number) + wins;
      observed[b] = (observed[b] as number) + 1 - wins;
    }
    expected.forEach((value, player) => expect(value).toBeCloseTo(observed[player] as number, 6));
  });

  it('validates the judge, the candidates and the format', () => {
    const registry = testRegistry(createScriptedProvider(() => '').module);
    const paths = (agents: ReturnType<typeof entrants>, options: Record<string, unknown>) => {
      try {
        parseTopologyDocument(JSON.stringify({ topology: 'tournament', task: 't', agents, options }), { registry });
        return [];
      } catch (error) {
        if (!isConclaveError(error)) throw error;
        return (error.issues ?? [error.toJSON()]).map((issue) => `${issue.location?.path} ${issue.hint ?? ''}`.trim());
      }
    };
    expect(paths(entrants('a', 'b'), { judge: 'referee' })).toEqual([expect.stringMatching(/^options\.judge agents are/)]);
    expect(paths(entrants('a', 'b'), { judge: 'judge', format: 'round-robbin' })).toEqual(['options.format did you mean "round-robin"?']);
    expect(paths(entrants('a'), { judge: 'judge' })).toEqual([expect.stringMatching(/^agents/)]);
    expect(paths(entrants('a', 'b'), { judge: 'judge', format: 'round-robin' })).toEqual([]);
  });
});

describe('tournament state coverage', () => {
  it('reaches every state: bracket rounds with advancing, and round-robin', async () => {
    const coverage = new StateCoverage(tournamentTopology.machine);
    const agents = [{ name: 'a' }, { name: 'b' }, { name: 'c' }, { name: 'judge' }];
    coverage.add(await driveMachine(tournamentTopology, { task: 't', agents, options: { judge: 'judge' } }, () => 'Winner: A'));
    coverage.add(await driveMachine(tournamentTopology, { task: 't', agents, options: { judge: 'judge', format: 'round-robin' } }, () => 'Winner: B'));
    coverage.expectComplete();
  });
});
