/**
 * The arithmetic task of "Improving Factuality and Reasoning in Language Models through Multiagent
 * Debate" (Du et al., 2023): questions `What is the result of a+b*c+d-e*f?` with six integers drawn
 * from 0..29. Generated from a seed, so a benchmark names its dataset by `{ count, seed }` instead
 * of shipping a file, and every run of it sees the same questions.
 */
import { ConclaveError } from '../../src/protocol/index.js';
import { createSeededRandom, hashStrings } from './seeded-random.js';

export interface ArithQuestion {
  /** Stable id: `arith-<seed>-<number>`, numbered from 1. */
  id: string;
  question: string;
  answer: number;
}

export interface ArithDatasetOptions {
  count: number;
  seed: number;
}

/** Largest operand, as in the paper (`np.random.randint(0, 30)`). */
const operandLimit = 29;

/**
 * Generates `count` questions in the debate paper's style; the same seed gives the same dataset.
 *
 * @example
 * generateArithDataset({ count: 2, seed: 1 })
 * // → [{ id: 'arith-1-1', question: 'What is the result of 23+0*13+23-19*1?', answer: 27 }, …]
 */
export function generateArithDataset(options: ArithDatasetOptions): ArithQuestion[] {
  const { count, seed } = options;
  if (!Number.isInteger(count) || count < 0 || count > 1_000_000) {
    throw new ConclaveError('invalid_argument', `count must be an integer from 0 to 1000000, got ${count}`);
  }
  if (!Number.isSafeInteger(seed)) {
    throw new ConclaveError('invalid_argument', `seed must be an integer, got ${seed}`);
  }
  const random = createSeededRandom(hashStrings(['arith-dataset', String(seed)]));
  const questions: ArithQuestion[] = [];
  for (let number = 1; number <= count; number += 1) {
    const [a, b, c, d, e, f] = Array.from({ length: 6 }, () => random.integer(0, operandLimit)) as [
      number,
      number,
      number,
      number,
      number,
      number,
    ];
    questions.push({
      id: `arith-${seed}-${number}`,
      question: `What is the result of ${a}+${b}*${c}+${d}-${e}*${f}?`,
      answer: a + b * c + d - e * f,
    });
  }
  return questions;
}
