/**
 * The benchmark runner behind `conclave bench`: suites, measurement at the stream, scoring,
 * pairwise head-to-head, cache and resume, and the reports.
 */
export type { BenchResults, BenchSample, ContestantSummary, Distribution, PairwiseResult, SampleMetrics } from './bench-types.js';
export { createProgress, silentProgress, type ProgressSink } from './bench-progress.js';
export { displayPath, loadSuite, loadDataset } from './load-suite.js';
export { measureStream } from './measure-stream.js';
export { resumeBench, startBench, type BenchOutcome, type BenchRunOptions } from './run-bench.js';
export { formatResultsTable } from './results-table.js';
export { renderHtmlReport } from './report-html.js';
export { type BenchSuite } from './suite-schema.js';
