/**
 * Does voting beat a single agent? Runs the seeded arithmetic dataset (100 questions in the style of
 * Du et al., 2023) through (a) one simulated solver that is right 60% of the time (a pipeline of one
 * stage) and (b) a vote of five such solvers under the majority rule, and — for reference — the same
 * five under plurality. Scores exact integer matches, prints the figures and rewrites the figures
 * section of benchmarks/topologies/README.md. Everything is simulated (`offline/arith`): no key, no
 * network, the same figures on every machine.
 *
 *   npx tsx benchmarks/topologies/arith-voting.ts            (`--no-write` leaves the README alone)
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { generateArithDataset, type ArithQuestion } from '../../providers/offline/index.js';
import { Kernel, type SessionDefinition } from '../../src/kernel/index.js';
import { createDefaultRegistry } from '../../src/presets/default-registry.js';
import { createMemoryStore } from '../../src/store/index.js';
import { compileLinearRegex } from '../../src/protocol/index.js';

export const solverModel = 'offline/arith?accuracy=0.6';

/** The arith model ends with "The answer is N."; this keeps a leading minus sign. */
const answerRegex = 'the answer is\\s*(-?\\d+)';

export interface ArithVotingFigures {
  questions: number;
  datasetSeed: number;
  /** Share of questions answered exactly right, 0..1. */
  single: number;
  majority: number;
  plurality: number;
  /** Questions where the majority vote reached no decision. */
  majorityUndecided: number;
}

const solvers = (count: number) => Array.from({ length: count }, (_, index) => ({ name: `solver${index + 1}`, model: solverModel }));

const definitions: Record<'single' | 'majority' | 'plurality', SessionDefinition> = {
  single: { topology: 'pipeline', agents: solvers(1), options: {} },
  majority: { topology: 'voting', agents: solvers(5), options: { rule: 'majority', tie_break: 'none', extract: { regex: answerRegex } } },
  plurality: { topology: 'voting', agents: solvers(5), options: { rule: 'plurality', tie_break: 'first', extract: { regex: answerRegex } } },
};

/**
 * The integer an answer states: the last "The answer is N" in a reply, or a bare integer (a vote's
 * answer); undefined when there is none.
 *
 * @example
 * statedInteger('… gives 22. The answer is 22.') // → 22
 * statedInteger('-7')                             // → -7
 */
export function statedInteger(answer: string): number | undefined {
  const stated = compileLinearRegex(answerRegex, { flags: 'i' }).last(answer)?.[1];
  const text = stated ?? answer.trim();
  return /^-?\d+$/.test(text) ? Number(text) : undefined;
}

/**
 * Runs every question through every arrangement with a fresh in-memory store and scores them.
 *
 * @example
 * const figures = await measureArithVoting({ count: 100, seed: 2024 });
 * figures.majority - figures.single // → the gain of voting, in accuracy points / 100
 */
export async function measureArithVoting(options: { count: number; seed: number }): Promise<ArithVotingFigures> {
  const dataset = generateArithDataset(options);
  const kernel = new Kernel({ store: createMemoryStore(), registry: createDefaultRegistry() });
  const correct = { single: 0, majority: 0, plurality: 0 };
  let majorityUndecided = 0;
  for (const [index, question] of dataset.entries()) {
    for (const arrangement of ['single', 'majority', 'plurality'] as const) {
      const result = await kernel.run(definitions[arrangement], { task: question.question, seed: options.seed + index });
      if (result.status !== 'idle' || result.answer === undefined) throw new Error(`${arrangement} failed on ${question.id}: ${result.error?.message ?? result.status}`);
      if (isRight(question, result.answer)) correct[arrangement] += 1;
      if (arrangement === 'majority' && result.reason === 'no_decision') majorityUndecided += 1;
    }
  }
  const share = (value: number) => (dataset.length === 0 ? 0 : value / dataset.length);
  return {
    questions: dataset.length,
    datasetSeed: options.seed,
    single: share(correct.single),
    majority: share(correct.majority),
    plurality: share(correct.plurality),
    majorityUndecided,
  };
}

function isRight(question: ArithQuestion, answer: string): boolean {
  return statedInteger(answer) === question.answer;
}

/**
 * The figures as a Markdown table.
 *
 * @example
 * formatFigures(await measureArithVoting({ count: 100, seed: 2024 }))
 */
export function formatFigures(figures: ArithVotingFigures): string {
  const percent = (value: number) => `${(value * 100).toFixed(0)}%`;
  const points = (value: number) => `${value >= figures.single ? '+' : ''}${((value - figures.single) * 100).toFixed(0)} points`;
  return [
    `Dataset: \`generateArithDataset({ count: ${figures.questions}, seed: ${figures.datasetSeed} })\`, model \`${solverModel}\` (simulated).`,
    '',
    '| arrangement | accuracy | vs single agent |',
    '|---|---|---|',
    `| single agent (pipeline of 1) | ${percent(figures.single)} | — |`,
    `| voting, 5 voters, majority | ${percent(figures.majority)} | ${points(figures.majority)} |`,
    `| voting, 5 voters, plurality (reference) | ${percent(figures.plurality)} | ${points(figures.plurality)} |`,
    '',
    `The majority vote reached no decision on ${figures.majorityUndecided} of ${figures.questions} questions (counted as wrong).`,
  ].join('\n');
}

function readmePath(): string {
  const here = dirname(fileURLToPath(import.meta.url));
  // Compiled to dist/benchmarks/topologies; the README lives in the source tree.
  for (const candidate of [join(here, 'README.md'), join(here, '..', '..', '..', 'benchmarks', 'topologies', 'README.md')]) {
    if (existsSync(candidate)) return candidate;
  }
  return join(here, 'README.md');
}

async function main(): Promise<void> {
  const figures = await measureArithVoting({ count: 100, seed: 2024 });
  const table = formatFigures(figures);
  console.log(table);
  if (process.argv.includes('--no-write')) return;
  const path = readmePath();
  const readme = readFileSync(path, 'utf8');
  const updated = readme.replace(/<!-- figures:start -->[\s\S]*<!-- figures:end -->/, `<!-- figures:start -->\n${table}\n<!-- figures:end -->`);
  writeFileSync(path, updated);
  console.log(`\nwrote ${path}`);
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  });
}
