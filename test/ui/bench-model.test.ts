// The bench view's pure parts under Node: the answer matrix (rows, cells, verdicts, filters), the
// chart series, the win-rate labels and bands, and the routes of the bench pages.
import { describe, expect, it } from 'vitest';
import { answerMatrix, costQualityPoints, latencySeries, milliseconds, winRateBand, winRateLabel, type BenchRunView, type BenchSample, type ContestantSummary } from '../../ui/src/bench-model.js';
import { routeOf } from '../../ui/src/routes.js';

const distribution = (p50: number) => ({ count: 2, mean: p50, min: p50, p50, p95: p50 * 2, p99: p50 * 3, max: p50 * 3 });

function contestant(name: string, quality: number | null, ttft: number | null): ContestantSummary {
  return {
    name,
    kind: 'model',
    target: `offline/${name}`,
    simulated: true,
    samples: 2,
    errors: 0,
    errorRate: 0,
    errorTypes: {},
    ttftMs: ttft === null ? null : distribution(ttft),
    itlMs: null,
    tokensPerSecond: null,
    e2eMs: distribution(100),
    inputTokens: distribution(5),
    outputTokens: distribution(9),
    cost: { totalUsd: 0.02, perRequestUsd: distribution(0.01) },
    quality: quality === null ? null : { mean: quality, passRate: quality, scored: 2 },
  };
}

function sample(contestantName: string, promptId: string, output: string, passed: boolean | null, error = false, repeat = 0): BenchSample {
  return {
    contestant: contestantName,
    promptId,
    repeat,
    output,
    metrics: { ttftMs: 10, itlMs: null, itlGapsMs: [], tokensPerSecond: null, simulated: true, e2eMs: 100, inputTokens: 5, outputTokens: 9, costUsd: 0.001, error: error ? { code: 'provider_timeout', message: 'took too long' } : null },
    quality: passed === null ? null : { score: passed ? 1 : 0, passed, checks: [{ name: 'numeric', passed, score: passed ? 1 : 0 }] },
    cached: false,
    at: '2026-12-04T00:00:00.000Z',
  };
}

const view: BenchRunView = {
  run: { id: 'r', suite: 's', startedAt: '', finishedAt: '', contestants: ['a', 'b'], prompts: 3, samples: 7, incomplete: false, simulated: true, pairwise: false },
  prompts: [
    { id: 'p1', prompt: 'What is 2 + 3?', expected: 5 },
    { id: 'p2', prompt: 'Name a colour.' },
    { id: 'p3', prompt: 'What is 9 * 9?', expected: 81 },
  ],
  results: {
    suite: { name: 's', file: 's.yaml' },
    settings: { concurrency: 1, repeat: 2 },
    contestants: [contestant('a', 0.5, 12), contestant('b', null, null)],
    pairwise: null,
    samples: [
      sample('a', 'p1', 'The answer is 5.', true),
      sample('a', 'p1', 'The answer is 6.', false, false, 1),
      sample('b', 'p1', 'Five.', true),
      sample('a', 'p2', 'Blue.', null),
      sample('b', 'p2', '', null, true),
      sample('a', 'p3', 'The answer is 81.', true),
      sample('b', 'p3', 'Eighty-one.', true),
    ],
  },
};

describe('the answer matrix', () => {
  it('has a row per prompt and a cell per contestant, repeats in order, with verdicts', () => {
    const rows = answerMatrix(view);
    expect(rows.map((row) => row.promptId)).toEqual(['p1', 'p2', 'p3']);
    const [first, second] = rows;
    expect(first?.cells.map((cell) => [cell.contestant, cell.passed, cell.failed, cell.samples.map((s) => s.repeat)])).toEqual([
      ['a', false, false, [0, 1]],
      ['b', true, false, [0]],
    ]);
    // Nothing scored: no verdict; an error is marked as such.
    expect(second?.cells.map((cell) => [cell.passed, cell.failed])).toEqual([
      [null, false],
      [null, true],
    ]);
  });

  it('keeps only prompts with a failed check or an error, and searches prompts, expected answers and answers', () => {
    expect(answerMatrix(view, { onlyProblems: true }).map((row) => row.promptId)).toEqual(['p1', 'p2']);
    expect(answerMatrix(view, { search: 'EIGHTY' }).map((row) => row.promptId)).toEqual(['p3']);
    expect(answerMatrix(view, { search: '81' }).map((row) => row.promptId)).toEqual(['p3']);
    expect(answerMatrix(view, { search: 'colour' }).map((row) => row.promptId)).toEqual(['p2']);
    expect(answerMatrix(view, { search: 'nothing like this' })).toEqual([]);
  });
});

describe('the charts and the win-rate matrix', () => {
  it('give each contestant its percentiles, null where it has no time to first token', () => {
    expect(latencySeries(view.results.contestants, 'ttftMs')).toEqual({ labels: ['a', 'b'], p50: [12, null], p95: [24, null], p99: [36, null] });
    expect(latencySeries(view.results.contestants, 'e2eMs').p99).toEqual([300, 300]);
  });

  it('plot only the scored contestants for cost vs quality', () => {
    expect(costQualityPoints(view.results.contestants)).toEqual([{ name: 'a', costUsd: 0.01, quality: 0.5 }]);
  });

  it('label and colour win rates', () => {
    expect([winRateLabel(2 / 3), winRateLabel(null), winRateLabel(0)]).toEqual(['67%', '–', '0%']);
    expect([winRateBand(0.75), winRateBand(0.5), winRateBand(0.25), winRateBand(null)]).toEqual(['win', 'even', 'loss', 'none']);
    expect([milliseconds(1234.5), milliseconds(87.2), milliseconds(null)]).toEqual(['1.23 s', '87 ms', '–']);
  });
});

describe('the bench routes', () => {
  it('map /bench and /bench/<run id> to their views', () => {
    expect(routeOf('/bench')).toEqual({ view: 'bench' });
    expect(routeOf('/bench/head-to-head-20261204-093000')).toEqual({ view: 'bench-run', id: 'head-to-head-20261204-093000' });
    expect(routeOf('/bench/../etc')).toEqual({ view: 'missing', path: '/bench/../etc' });
  });
});
