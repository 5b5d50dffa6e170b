/**
 * The `arith` model as a judge, so that pairwise tournaments and rubric grading can be benchmarked
 * offline. It recognises two prompts by their wording, works the task's arithmetic out itself and
 * compares each answer's last `The answer is N` with the true value:
 *
 * - A tournament judge prompt (`### Answer A` and `### Answer B`, see `judgePrompt` in
 *   topologies/support/tournament-matches.ts). When exactly one answer is right it names that one
 *   with probability `accuracy` and the wrong one otherwise; when both or neither are right (or
 *   the task has no arithmetic) it picks A or B by a fair seeded draw. One sentence of reasoning,
 *   then `Winner: A` or `Winner: B`.
 * - A rubric prompt (contains `rubricPromptMarker`, see src/bench/rubric.ts). With probability
 *   `accuracy` it grades correctly: a right final number gets the top of the scale, a wrong one 2
 *   (1 on scales below 4), no number 1. Otherwise it gives a middling grade on the wrong side of
 *   the pass mark (just below it for a right answer, just above it for a wrong or missing one).
 *   Reasoning, then `Score: N`.
 *
 * Every draw comes from the `SeededRandom` it is given, so the verdict is a pure function of the
 * request. Nothing is imported from src/bench: the marker is duplicated here on purpose.
 */
import type { GenerateRequest } from '../../src/protocol/index.js';
import { findArithmeticExpression } from './arith-expression.js';
import { lastContent } from './offline-conversation.js';
import type { OfflineModelOptions } from './offline-model-options.js';
import type { SeededRandom } from './seeded-random.js';

/**
 * The opening words of a rubric prompt: a copy of `rubricPromptMarker` in src/bench/rubric.ts
 * (test/bench/offline-judge.test.ts checks that they agree).
 */
export const rubricPromptMarker = 'Grade the answer below';

const answerAHeading = '### Answer A\n';
const answerBHeading = '### Answer B\n';

// The same reading as `parseArithAnswers` in arith-solver.ts, which imports this module.
const statedAnswerPattern = /the answer is\s*\**\s*(-?\d+)/gi;

/** The last `The answer is N` in a text. */
function lastStatedAnswer(text: string): number | undefined {
  const answers = [...text.matchAll(statedAnswerPattern)];
  return answers.length === 0 ? undefined : Number(answers[answers.length - 1]?.[1]);
}

/** The text between `start` and the next `end` (or the end of the text); undefined without `start`. */
function section(text: string, start: string, end: string): string | undefined {
  const from = text.indexOf(start);
  if (from === -1) return undefined;
  const to = text.indexOf(end, from + start.length);
  return text.slice(from + start.length, to === -1 ? undefined : to);
}

/** The true value of the first arithmetic expression in the task, when it is an exact integer. */
function solveTask(task: string | undefined): number | undefined {
  const found = findArithmeticExpression(task ?? '');
  return found !== undefined && Number.isSafeInteger(found.value) ? found.value : undefined;
}

function describeAnswer(label: string, answer: number | undefined): string {
  return answer === undefined ? `answer ${label} states no final number` : `answer ${label} arrives at ${answer}`;
}

function judgeMatch(prompt: string, options: OfflineModelOptions, random: SeededRandom): string {
  const truth = solveTask(section(prompt, 'Task:', `\n\n${answerAHeading}`));
  const answerA = lastStatedAnswer(section(prompt, answerAHeading, `\n\n${answerBHeading}`) ?? '');
  const answerB = lastStatedAnswer(section(prompt, answerBHeading, '\n\nCompare the two answers') ?? '');
  const both = `${describeAnswer('A', answerA)} and ${describeAnswer('B', answerB)}`;
  if (truth === undefined) {
    const winner = random.chance(0.5) ? 'A' : 'B';
    return `I find no arithmetic in the task to check the answers against; ${both}, so I lean to ${winner}.\nWinner: ${winner}`;
  }
  const rightA = answerA === truth;
  const rightB = answerB === truth;
  if (rightA !== rightB) {
    const right = rightA ? 'A' : 'B';
    const wrong = rightA ? 'B' : 'A';
    if (random.chance(options.accuracy)) {
      return `Working the task through, I get ${truth}: ${both}, so only ${right} is correct.\nWinner: ${right}`;
    }
    return `Comparing them, ${both}; answer ${wrong}'s working reads more convincingly to me.\nWinner: ${wrong}`;
  }
  const winner = random.chance(0.5) ? 'A' : 'B';
  const verdict = rightA ? 'both are correct' : 'neither is correct';
  return `Working the task through, I get ${truth}: ${both}, so ${verdict}; on presentation I lean to ${winner}.\nWinner: ${winner}`;
}

function gradeAnswer(prompt: string, options: OfflineModelOptions, random: SeededRandom): string {
  const scale = Number(/on a scale from 1 to (\d+)/.exec(prompt)?.[1] ?? 10);
  // The pass mark is a normalised grade of 0.5: (N - 1) / (scale - 1) ≥ 0.5.
  const lowestPassing = Math.ceil((scale + 1) / 2);
  const truth = solveTask(section(prompt, '### Task\n', '\n\n### Rubric\n'));
  const answer = lastStatedAnswer(section(prompt, '### Answer\n', '\n\nExplain your grade') ?? '');
  if (truth === undefined) {
    return `I find no arithmetic in the task to check the answer against, so I give it a middling grade.\nScore: ${lowestPassing}`;
  }
  const right = answer === truth;
  if (!random.chance(options.accuracy)) {
    const grade = right ? lowestPassing - 1 : lowestPassing;
    return `The working is hard to follow; it may or may not hold up, so I grade it in the middle.\nScore: ${Math.max(1, grade)}`;
  }
  if (answer === undefined) {
    return `Working the task through, I get ${truth}, but the answer never states a final number.\nScore: 1`;
  }
  if (right) return `Working the task through, I get ${truth}; the answer arrives at ${answer}, which is correct.\nScore: ${scale}`;
  const wrongGrade = Math.max(1, Math.min(2, lowestPassing - 1));
  return `Working the task through, I get ${truth}; the answer arrives at ${answer}, which is wrong.\nScore: ${wrongGrade}`;
}

/**
 * The `arith` model's reply when the last user message asks it to judge (a tournament match or a
 * rubric grade); undefined when it is an ordinary question. See the module header for the rules.
 *
 * @example
 * const prompt = judgePrompt('What is 2+3*4?', 'The answer is 14.', 'The answer is 20.');
 * writeArithJudgement({ model: 'arith?accuracy=1', messages: [{ role: 'user', content: prompt }] }, options, random)
 * // → 'Working the task through, I get 14: answer A arrives at 14 and answer B arrives at 20, so only A is correct.\nWinner: A'
 */
export function writeArithJudgement(request: GenerateRequest, options: OfflineModelOptions, random: SeededRandom): string | undefined {
  const prompt = lastContent(request.messages, 'user');
  if (prompt === undefined) return undefined;
  if (prompt.includes(rubricPromptMarker)) return gradeAnswer(prompt, options, random);
  if (prompt.includes(answerAHeading) && prompt.includes(answerBHeading)) return judgeMatch(prompt, options, random);
  return undefined;
}
