// Writes an arithmetic dataset as JSONL for benchmark suites: the questions of the multi-agent
// debate paper's arithmetic task, generated from a seed by the offline provider's generator, each
// with its exact answer. Usage: npx tsx benchmarks/datasets/generate-arith.ts COUNT SEED > FILE
import { generateArithDataset } from '../../providers/offline/index.js';

const [count = '40', seed = '2026'] = process.argv.slice(2);
for (const question of generateArithDataset({ count: Number(count), seed: Number(seed) })) {
  process.stdout.write(`${JSON.stringify({ id: question.id, prompt: question.question, expected: question.answer })}\n`);
}
