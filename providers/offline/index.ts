/**
 * The offline provider: a deterministic, seeded simulator of model calls (echo, persona debaters,
 * an arithmetic solver) with latency, pacing and failure injection. Also exports the arithmetic
 * dataset generator, the helpers that benchmarks and topologies use to grade its answers, and the
 * structured-output writer behind `responseFormat: { type: 'json' }`.
 */
export { offlineProvider, createOfflineAdapter } from './offline-provider.js';
export { generateArithDataset, type ArithQuestion, type ArithDatasetOptions } from './arith-dataset.js';
export { evaluateArithmetic, findArithmeticExpression, parseArithmeticExpression, type ArithNode, type FoundExpression } from './arith-expression.js';
export { parseArithAnswers } from './arith-solver.js';
export { parseFinalAnswers, deriveStances } from './persona-stances.js';
export { writeJsonForSchema, writeJsonWithoutSchema, approvalProbability, type JsonWriterContext } from './json-writer.js';
export {
  parseOfflineModel,
  offlineModelNames,
  personaNames,
  failureKinds,
  type OfflineModelOptions,
  type OfflineModelName,
  type PersonaName,
  type FailureKind,
} from './offline-model-options.js';
export { countTokens, splitTokens } from './token-estimate.js';
