// Answer extraction shared by debate, voting and group-chat: what counts as "the same answer".
import { describe, expect, it } from 'vitest';
import { defaultAnswerPattern, extractAnswer, tallyAnswers } from '../../topologies/support/answers.js';

describe('extractAnswer', () => {
  it('reads "Final answer:" and "The answer is", keeping a negative sign', () => {
    expect(extractAnswer('I think so.\nFinal answer: Yes.', defaultAnswerPattern)).toBe('Yes');
    expect(extractAnswer('So the answer is -5.', defaultAnswerPattern)).toBe('-5');
    expect(extractAnswer('Final answer - maybe', defaultAnswerPattern)).toBe('maybe');
  });

  it('takes the last answer when a reply revises itself, and none when there is none', () => {
    expect(extractAnswer('Final answer: no\n…on reflection. Final answer: yes', defaultAnswerPattern)).toBe('yes');
    expect(extractAnswer('no conclusion here', defaultAnswerPattern)).toBeUndefined();
  });
});

describe('tallyAnswers', () => {
  it('compares normalised answers and breaks ties by first appearance', () => {
    const tally = tallyAnswers(['No', 'yes', ' "YES" ', 'no']);
    expect(Object.fromEntries(tally.counts)).toEqual({ no: 2, yes: 2 });
    expect(tally.leader).toBe('no');
    expect(tally.unanimous).toBe(false);
    expect(tallyAnswers(['a', 'A']).unanimous).toBe(true);
    expect(tallyAnswers(['a', undefined]).unanimous).toBe(false);
  });
});
