/**
 * `results.csv`: every measured sample as one row, for spreadsheets and notebooks. Fields follow
 * RFC 4180 quoting (a field with a comma, quote or line break is quoted and its quotes doubled) so
 * model outputs with any text survive a round trip; rows end in `\n`, and a missing metric is an
 * empty cell rather than a made-up zero.
 */
import type { BenchResults, BenchSample } from './bench-types.js';

type CsvValue = string | number | boolean | null | undefined;

const columns: ReadonlyArray<readonly [string, (sample: BenchSample) => CsvValue]> = [
  ['contestant', (sample) => sample.contestant],
  ['prompt_id', (sample) => sample.promptId],
  ['repeat', (sample) => sample.repeat],
  ['cached', (sample) => sample.cached],
  ['ttft_ms', (sample) => sample.metrics.ttftMs],
  ['itl_ms', (sample) => sample.metrics.itlMs],
  ['tokens_per_second', (sample) => sample.metrics.tokensPerSecond],
  ['e2e_ms', (sample) => sample.metrics.e2eMs],
  ['input_tokens', (sample) => sample.metrics.inputTokens],
  ['output_tokens', (sample) => sample.metrics.outputTokens],
  ['cost_usd', (sample) => sample.metrics.costUsd],
  ['error_code', (sample) => sample.metrics.error?.code],
  ['quality_score', (sample) => sample.quality?.score],
  ['quality_passed', (sample) => sample.quality?.passed],
  ['output', (sample) => sample.output],
];

/**
 * One CSV field: empty for null, quoted when it holds a comma, quote or line break.
 *
 * @example
 * csvField('say "hi", then') // → '"say ""hi"", then"'
 */
export function csvField(value: CsvValue): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'number' && !Number.isFinite(value)) return '';
  const text = String(value);
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/**
 * The samples of a run as CSV: a header row, then one row per sample in the order measured.
 *
 * @example
 * await writeFile(join(directory, 'results.csv'), renderResultsCsv(results));
 */
export function renderResultsCsv(results: BenchResults): string {
  const header = columns.map(([name]) => name).join(',');
  const rows = results.samples.map((sample) => columns.map(([, read]) => csvField(read(sample))).join(','));
  return `${[header, ...rows].join('\n')}\n`;
}
