// The offline `arith` model as a judge: tournament verdicts and rubric grades that are right about
// as often as its accuracy says, deterministic per request, on the exact prompts the tournament
// topology and the bench write.
import { describe, expect, it } from 'vitest';
import { rubricPromptMarker as providerMarker } from '../../providers/offline/arith-judge.js';
import { generateArithDataset } from '../../providers/offline/arith-dataset.js';
import { createOfflineAdapter } from '../../providers/offline/offline-provider.js';
import { parseRubricScore, rubricCheck, rubricPrompt, rubricPromptMarker } from '../../src/bench/rubric.js';
import { judgePrompt, parseVerdict } from '../../topologies/support/tournament-matches.js';

const adapter = createOfflineAdapter();
const dataset = generateArithDataset({ count: 200, seed: 11 });

async function reply(model: string, prompt: string): Promise<string> {
  let text = '';
  const request = { model, messages: [{ role: 'user' as const, content: prompt }] };
  for await (const part of adapter.generate(request, { signal: new AbortController().signal, attempt: 1 })) {
    if (part.type === 'text-delta') text += part.delta;
    if (part.type === 'error') throw new Error(part.error.message);
  }
  return text;
}

const right = (answer: number): string => `Step by step, it comes to ${answer}. The answer is ${answer}.`;
const wrong = (answer: number): string => `Step by step, it comes to ${answer + 3}. The answer is ${answer + 3}.`;

describe('arith as a tournament judge', () => {
  it('names the right answer in either position at accuracy 1, with reasoning first', async () => {
    const question = 'What is the result of 12+17*3-5+9*2?';
    const first = await reply('arith?accuracy=1', judgePrompt(question, right(76), wrong(76)));
    expect(first).toBe('Working the task through, I get 76: answer A arrives at 76 and answer B arrives at 79, so only A is correct.\nWinner: A');
    expect(parseVerdict(await reply('arith?accuracy=1', judgePrompt(question, wrong(76), right(76))))).toBe('B');
    expect(await reply('arith?accuracy=1', judgePrompt(question, right(76), wrong(76)))).toBe(first);
  });

  it('picks the right one about as often as its accuracy across seeds', async () => {
    let correct = 0;
    for (const [seed, item] of dataset.entries()) {
      const rightFirst = seed % 2 === 0;
      const prompt = judgePrompt(item.question, rightFirst ? right(item.answer) : wrong(item.answer), rightFirst ? wrong(item.answer) : right(item.answer));
      const verdict = parseVerdict(await reply(`arith?accuracy=0.8&seed=${seed}`, prompt));
      if (verdict === (rightFirst ? 'A' : 'B')) correct += 1;
    }
    expect(correct / dataset.length).toBeGreaterThanOrEqual(0.72);
    expect(correct / dataset.length).toBeLessThanOrEqual(0.88);
  });

  it('draws between two right (or two wrong) answers, and without arithmetic in the task', async () => {
    const verdicts = new Set<string | null>();
    for (const item of dataset.slice(0, 20)) {
      verdicts.add(parseVerdict(await reply('arith?accuracy=1', judgePrompt(item.question, right(item.answer), right(item.answer)))));
      verdicts.add(parseVerdict(await reply('arith?accuracy=1', judgePrompt(item.question, wrong(item.answer), `The answer is ${item.answer - 1}.`))));
    }
    expect(verdicts).toEqual(new Set(['A', 'B']));
    const noTask = await reply('arith?accuracy=1', judgePrompt('Name a colour.', 'red', 'blue'));
    expect(noTask).toMatch(/^I find no arithmetic in the task/);
    expect(parseVerdict(noTask)).not.toBeNull();
  });
});

describe('arith as a rubric grader', () => {
  const rubric = 'The final number must be right; the working should be clear.';

  it('grades right, wrong and missing answers at accuracy 1', async () => {
    const question = 'What is 2+3*4?';
    const graded = async (answer: string, scale?: number): Promise<string> => reply('arith?accuracy=1', rubricPrompt(rubric, question, answer, scale));
    expect(await graded(right(14))).toBe('Working the task through, I get 14; the answer arrives at 14, which is correct.\nScore: 10');
    expect(rubricCheck(await graded(right(14)), 10)).toEqual({ name: 'rubric', passed: true, score: 1, detail: '10/10' });
    expect(rubricCheck(await graded(wrong(14)), 10)).toMatchObject({ passed: false, detail: '2/10' });
    expect(rubricCheck(await graded('I am not sure.'), 10)).toMatchObject({ passed: false, score: 0, detail: '1/10' });
    expect(rubricCheck(await graded(right(14), 5), 5)).toMatchObject({ passed: true, detail: '5/5' });
    expect(rubricCheck(await graded(wrong(14), 3), 3)).toMatchObject({ passed: false, detail: '1/3' });
  });

  it('grades correctly about as often as its accuracy across seeds', async () => {
    let correct = 0;
    for (const [seed, item] of dataset.entries()) {
      const isRight = seed % 2 === 0;
      const text = await reply(`arith?accuracy=0.8&seed=${seed}`, rubricPrompt(rubric, item.question, isRight ? right(item.answer) : wrong(item.answer)));
      if (rubricCheck(text, 10).passed === isRight) correct += 1;
    }
    expect(correct / dataset.length).toBeGreaterThanOrEqual(0.72);
    expect(correct / dataset.length).toBeLessThanOrEqual(0.88);
  });

  it('recognises the bench’s rubric prompt by the marker both sides share', () => {
    expect(providerMarker).toBe(rubricPromptMarker);
    expect(rubricPrompt(rubric, 'What is 2+3*4?', 'The answer is 14.')).toContain(providerMarker);
  });

  it('still solves ordinary questions', async () => {
    expect(await reply('arith?accuracy=1', 'What is 2+3*4?')).toMatch(/The answer is 14\.$/);
  });
});

describe('parseRubricScore and rubricCheck', () => {
  it('reads the grade in the forms judges write it', () => {
    expect(parseRubricScore('Good.\nScore: 7', 10)).toBe(7);
    expect(parseRubricScore('Good.\nScore: 7/10', 10)).toBe(7);
    expect(parseRubricScore('Good.\n**Score:** 7', 10)).toBe(7);
    expect(parseRubricScore('**Score: 8 out of 10**', 10)).toBe(8);
    expect(parseRubricScore('{"reason": "fine", "score": 4}', 5)).toBe(4);
    expect(parseRubricScore('Score: 3 at first glance… Score: 6', 10)).toBe(6);
  });

  it('rejects grades off the scale or missing', () => {
    expect(parseRubricScore('Score: 11', 10)).toBeNull();
    expect(parseRubricScore('Score: 0', 10)).toBeNull();
    expect(parseRubricScore('Score: 4/5', 10)).toBeNull();
    expect(parseRubricScore('I like it a lot.', 10)).toBeNull();
    const check = rubricCheck('I like it a lot.', 10);
    expect(check).toMatchObject({ name: 'rubric', passed: false, score: 0 });
    expect(check.detail).toBe('the judge gave no "Score: N" (1 to 10); its reply ended: "I like it a lot."');
  });

  it('normalises to 0..1 and passes from the middle of the scale', () => {
    expect(rubricCheck('Score: 1', 10)).toMatchObject({ passed: false, score: 0 });
    expect(rubricCheck('Score: 5', 10).passed).toBe(false);
    expect(rubricCheck('Score: 6', 10)).toMatchObject({ passed: true, score: 5 / 9 });
    expect(rubricCheck('Score: 2', 3)).toMatchObject({ passed: true, score: 0.5 });
  });
});
