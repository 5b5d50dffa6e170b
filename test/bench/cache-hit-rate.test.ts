// The bench's prompt-cache hit rate: cached over all input tokens of a contestant's answered
// samples, shown in the Markdown report only for contestants whose provider reported cache use.
import { describe, expect, it } from 'vitest';
import type { BenchSample, SampleMetrics } from '../../src/bench/bench-types.js';
import { renderMarkdownReport } from '../../src/bench/report-markdown.js';
import { summarizeContestant } from '../../src/bench/summarize-results.js';
import { buildFixtureResults } from './fixture-results.js';

const contestant = { kind: 'model' as const, name: 'haiku', model: 'anthropic/claude-haiku-4-5' };

function sample(repeat: number, metrics: Partial<SampleMetrics>): BenchSample {
  return {
    contestant: 'haiku',
    promptId: 'p',
    repeat,
    output: 'ok',
    quality: null,
    cached: false,
    at: '2026-12-04T12:00:00.000Z',
    metrics: { ttftMs: 10, itlMs: null, itlGapsMs: [], tokensPerSecond: null, e2eMs: 20, inputTokens: 1000, outputTokens: 10, costUsd: 0, simulated: false, error: null, ...metrics },
  };
}

describe('prompt-cache hit rate', () => {
  it('is cached over input tokens of the answered samples, and absent when nothing reported cache use', () => {
    const samples = [
      sample(0, { cachedInputTokens: 0 }),
      sample(1, { cachedInputTokens: 900 }),
      sample(2, { cachedInputTokens: 900, error: { code: 'provider_timeout', message: 'slow' } }),
      sample(3, {}),
    ];
    expect(summarizeContestant(contestant, samples).cacheHitRate).toBeCloseTo(900 / 3000, 12);
    expect(summarizeContestant(contestant, [sample(0, {})])).not.toHaveProperty('cacheHitRate');
  });

  it('appears in report.md for the contestants that have one', () => {
    const results = buildFixtureResults({ pairwise: false });
    expect(renderMarkdownReport(results)).not.toContain('Prompt-cache hit rate');
    results.contestants[0]!.cacheHitRate = 0.5;
    expect(renderMarkdownReport(results)).toContain(`Prompt-cache hit rate (cached ÷ input tokens): ${results.contestants[0]!.name} 50%`);
  });
});
