// The lines under a final answer that say how it was reached: tallies, ties, drawn matches, routes.
import { describe, expect, it } from 'vitest';
import { describeResultDetails } from '../../src/cli/result-details.js';
import { stylerFor } from '../../src/cli/terminal.js';

const plain = stylerFor({ isTTY: false } as NodeJS.WriteStream);

describe('describeResultDetails', () => {
  it('shows a vote tally, abstentions and how a tie was broken', () => {
    const lines = describeResultDetails({ tally: { monorepo: 1, split: 2, 'it depends': 2 }, abstentions: 1, tied: ['split', 'it depends'], tie_break: 'first' }, plain);
    expect(lines).toEqual(['tally: split 2 · it depends 2 · monorepo 1 (1 abstained)', 'tie between split and it depends, broken by tie_break: first']);
  });

  it('says when a tournament champion advanced by seeding only', () => {
    const details = {
      champion: 'optimist',
      bracket: [
        { round: 1, matches: [{ a: 'optimist', b: 'ethicist', round: 1, winner: null, advanced: 'optimist' }, { a: 'skeptic', b: 'pragmatist', round: 1, winner: 'pragmatist', advanced: 'pragmatist' }] },
        { round: 2, matches: [{ a: 'optimist', b: 'pragmatist', round: 2, winner: null, advanced: 'optimist' }] },
      ],
    };
    expect(describeResultDetails(details, plain)).toEqual([
      'round 1: optimist vs ethicist — draw, optimist advanced by seeding',
      'round 1: skeptic vs pragmatist — pragmatist won',
      'round 2: optimist vs pragmatist — draw, optimist advanced by seeding',
      "optimist won no match outright: the judge's two orders disagreed every time, so seeding decided",
    ]);
  });

  it("gives an outcome's verdict, with the feedback when it was not met", () => {
    expect(describeResultDetails({ outcome: { result: 'satisfied', iterations: 2, feedback: 'none' } }, plain)).toEqual(['outcome: satisfied after 2 answer(s)']);
    expect(describeResultDetails({ outcome: { result: 'max_iterations_reached', iterations: 3, feedback: 'cite a source' } }, plain)).toEqual(['outcome: max_iterations_reached after 3 answer(s) — cite a source']);
  });

  it('names the route and a fallback, and adds nothing for plain details', () => {
    expect(describeResultDetails({ chosen: ['general'], method: 'none' }, plain)).toEqual(['route: general (the classifier named no route: fallback)']);
    expect(describeResultDetails({ stages: ['a', 'b'] }, plain)).toEqual([]);
    expect(describeResultDetails(null, plain)).toEqual([]);
  });
});
