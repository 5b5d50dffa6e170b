/**
 * The `arith` model: a simulated solver for arithmetic questions, calibrated by `accuracy`. Asked to
 * judge instead (a tournament match, `### Answer A` / `### Answer B`, or a rubric grade), it
 * compares the answers with the true value at the same accuracy; see `arith-judge.ts`.
 *
 * Rules when solving:
 * - The question is the first expression of integers with `+ - *` and parentheses in the last user
 *   message (earlier user messages are searched only when the last one has none).
 * - With probability `accuracy` (default 0.7) the answer is right; otherwise it is a nearby wrong
 *   number, the right one ±1..±10 (never the right one).
 * - When the last user message that contains `The answer is N` lines shows other agents' answers,
 *   the solver still re-derives on its own with the same accuracy; only if its own draw is wrong and
 *   a strict majority of the others agree on one number does it adopt that number, with probability
 *   0.5 × agreeing / others + 0.1 × min(agreeing, 4) (at most 0.9).
 * - The reply is one or two sentences of working, in words (so that no symbolic expression of the
 *   reply is mistaken for the question by the next agent), ending with `The answer is N.`
 */
import type { GenerateRequest } from '../../src/protocol/index.js';
import { evaluateArithNode, findArithmeticExpression, type ArithNode, type FoundExpression } from './arith-expression.js';
import { writeArithJudgement } from './arith-judge.js';
import type { OfflineModelOptions } from './offline-model-options.js';
import type { SeededRandom } from './seeded-random.js';

const answerPattern = /the answer is\s*\**\s*(-?\d+)/gi;

/**
 * Every `The answer is N` in a text, in order.
 *
 * @example
 * parseArithAnswers('Alice: The answer is 76. Bob: The answer is 75.') // → [76, 75]
 */
export function parseArithAnswers(text: string): number[] {
  return [...text.matchAll(answerPattern)].map((match) => Number(match[1]));
}

function findQuestion(request: GenerateRequest): FoundExpression | undefined {
  const userMessages = request.messages.filter((message) => message.role === 'user');
  for (let index = userMessages.length - 1; index >= 0; index -= 1) {
    const found = findArithmeticExpression(userMessages[index]?.content ?? '');
    if (found !== undefined) return found;
  }
  return undefined;
}

/** Answers of other agents: from the most recent user message that contains any. */
function findOtherAnswers(request: GenerateRequest): number[] {
  for (let index = request.messages.length - 1; index >= 0; index -= 1) {
    const message = request.messages[index];
    if (message?.role !== 'user') continue;
    const answers = parseArithAnswers(message.content);
    if (answers.length > 0) return answers;
  }
  return [];
}

function strictMajority(values: readonly number[]): { value: number; count: number } | undefined {
  const counts = new Map<number, number>();
  for (const value of values) counts.set(value, (counts.get(value) ?? 0) + 1);
  for (const [value, count] of counts) if (count * 2 > values.length) return { value, count };
  return undefined;
}

/** Multiplications and bracketed groups in evaluation order, described in words. */
function describeSteps(node: ArithNode, steps: string[]): void {
  if (node.kind === 'negate') describeSteps(node.operand, steps);
  if (node.kind === 'group') {
    describeSteps(node.inner, steps);
    if (node.inner.kind === 'binary') steps.push(`the part in brackets comes to ${evaluateArithNode(node.inner)}`);
  }
  if (node.kind === 'binary') {
    describeSteps(node.left, steps);
    describeSteps(node.right, steps);
    if (node.operator === '*') {
      steps.push(`${evaluateArithNode(node.left)} times ${evaluateArithNode(node.right)} is ${evaluateArithNode(node)}`);
    }
  }
}

function describeWorking(found: FoundExpression, answer: number, random: SeededRandom): string {
  const steps: string[] = [];
  describeSteps(found.node, steps);
  const shown = steps.slice(0, 4);
  const listed = shown.length <= 1 ? shown.join('') : `${shown.slice(0, -1).join(', ')} and ${shown[shown.length - 1]}`;
  const more = steps.length > shown.length ? ', and so on' : '';
  const opener = random.pick(['Working it through', 'Following the usual order of operations', 'Step by step']);
  const combine = found.node.kind === 'binary' && found.node.operator !== '*';
  if (steps.length === 0) return `${opener}, adding and subtracting from left to right gives ${answer}.`;
  const finish = combine ? 'then adding and subtracting from left to right gives' : 'which gives';
  return `${opener}: ${listed}${more}; ${finish} ${answer}.`;
}

/**
 * Writes the `arith` model's reply (see the module header for the rules): a judgement when the last
 * user message asks for one, otherwise a worked answer.
 *
 * @example
 * writeArithAnswer({ model: 'arith', messages: [{ role: 'user', content: 'What is 2+3*4?' }] }, options, random)
 * // → for example 'Step by step: 3 times 4 is 12; then adding and subtracting from left to right gives 14. The answer is 14.'
 */
export function writeArithAnswer(request: GenerateRequest, options: OfflineModelOptions, random: SeededRandom): string {
  const judgement = writeArithJudgement(request, options, random);
  if (judgement !== undefined) return judgement;
  const found = findQuestion(request);
  if (found === undefined) {
    return 'I could not find an arithmetic expression of integers (with +, - or * and parentheses) to evaluate.';
  }
  if (!Number.isSafeInteger(found.value)) {
    return 'The numbers in this expression are too large for me to work out exactly.';
  }
  const correct = random.chance(options.accuracy);
  const sign = random.chance(0.5) ? 1 : -1;
  const ownAnswer = correct ? found.value : found.value + sign * random.integer(1, 10);

  const others = findOtherAnswers(request);
  const majority = strictMajority(others);
  let answer = ownAnswer;
  let remark = '';
  if (!correct && majority !== undefined && majority.value !== ownAnswer) {
    const probability = Math.min(0.9, (0.5 * majority.count) / others.length + 0.1 * Math.min(majority.count, 4));
    if (random.chance(probability)) {
      answer = majority.value;
      remark = ` My own pass gave ${ownAnswer}, but ${majority.count} of the ${others.length} other answers say ${majority.value}; rechecking, I side with them.`;
    }
  }
  if (remark === '' && others.length > 0) {
    const agreeing = others.filter((other) => other === answer).length;
    remark =
      agreeing === others.length
        ? ' This agrees with the other answers.'
        : agreeing > 0
          ? ` This agrees with ${agreeing} of the ${others.length} other answers.`
          : ` The other answers say ${[...new Set(others)].join(' or ')}, but I get ${answer}.`;
  }
  return `${describeWorking(found, answer, random)}${remark} The answer is ${answer}.`;
}
