// Voting beats a single agent on the simulated arithmetic dataset (benchmarks/topologies): the same
// 100 questions the benchmark reports on, scored by exact integer match.
import { describe, expect, it } from 'vitest';
import { measureArithVoting, statedInteger } from '../../benchmarks/topologies/arith-voting.js';

describe('arith voting benchmark', () => {
  it('reads the integer a reply or a vote states', () => {
    expect(statedInteger('Step by step: … gives -14. The answer is -14.')).toBe(-14);
    expect(statedInteger('22')).toBe(22);
    expect(statedInteger('')).toBeUndefined();
  });

  it('five voters are measurably more accurate than one solver on 100 questions', async () => {
    const figures = await measureArithVoting({ count: 100, seed: 2024 });
    expect(figures.questions).toBe(100);
    // One solver is right 60% of the time: the measured share stays near it.
    expect(figures.single).toBeGreaterThan(0.5);
    expect(figures.single).toBeLessThan(0.7);
    // Majority needs 3 of 5 right answers: P ≈ 0.68, so the expected gain is about 8 points.
    expect(figures.majority - figures.single).toBeGreaterThanOrEqual(0.05);
    expect(figures.majority + figures.majorityUndecided / 100).toBeLessThanOrEqual(1);
    // Plurality also wins with 2 right answers when the wrong ones are scattered: a gain of 20+ points.
    expect(figures.plurality - figures.single).toBeGreaterThanOrEqual(0.2);
  }, 60_000);
});
