/**
 * `npm run bench:validation`: how long `parseTopologyDocument` takes on documents built to be slow —
 * 25,000, 50,000 and 200,000 unknown top-level keys (as YAML and as JSON), and 5,000 levels of
 * nesting — each against a floor measured in the same run on the same text: the yaml library's
 * `parseDocument` (without its quadratic duplicate-key check) for YAML, `JSON.parse` for JSON.
 * The ratio to the floor is the figure to compare across machines and days; the milliseconds
 * show whether the target holds here (200,000 unknown keys validated in under a second).
 *
 * `--runs N` (default 3) timed runs per scenario after one untimed run; the median is reported.
 * `--out FILE` also writes the results as JSON. Always exits 0: it is a measurement.
 */
import { writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { performance } from 'node:perf_hooks';
import { parseDocument } from 'yaml';
import { parseTopologyDocument, type DocumentLimits } from '../../src/config/index.js';
import { createDefaultRegistry } from '../../src/presets/default-registry.js';
import { isConclaveError } from '../../src/protocol/index.js';
import { runMeasurement } from '../run-measurement.js';
import { argument } from '../benchmark-arguments.js';

/** The target: 200,000 unknown keys validated in under a second. */
const targetMs = 1000;
const targetKeys = 200_000;

type Format = 'yaml' | 'json';

interface Scenario {
  name: string;
  format: Format;
  text: string;
  /** Limits for this run: the wide documents lift the size limits so that all of validation runs. */
  limits?: Partial<DocumentLimits>;
  /** The error code the document must end with; a different outcome fails the scenario. */
  expectedCode: string;
  /** Whether the target applies. */
  target: boolean;
}

interface Result {
  name: string;
  format: Format;
  bytes: number;
  floorMs: number;
  validateMs: number;
  ratio: number;
  outcome: string;
  target: boolean;
}

const head = 'topology: pipeline\nagents:\n  - { name: a, model: offline/echo }\n';
const lifted: Partial<DocumentLimits> = { keys: Number.POSITIVE_INFINITY, bytes: Number.POSITIVE_INFINITY };

function wideYaml(keys: number): string {
  const lines = [head];
  for (let index = 0; index < keys; index += 1) lines.push(`k${index}: 1\n`);
  return lines.join('');
}

function wideJson(keys: number): string {
  const document: Record<string, unknown> = { topology: 'pipeline', agents: [{ name: 'a', model: 'offline/echo' }] };
  for (let index = 0; index < keys; index += 1) document[`k${index}`] = 1;
  return JSON.stringify(document, null, 2);
}

function scenarios(): Scenario[] {
  const list: Scenario[] = [];
  for (const keys of [25_000, 50_000, targetKeys]) {
    const label = keys.toLocaleString('en-US');
    const target = keys === targetKeys;
    list.push({ name: `${label} unknown keys`, format: 'yaml', text: wideYaml(keys), limits: lifted, expectedCode: 'invalid_document', target });
    list.push({ name: `${label} unknown keys`, format: 'json', text: wideJson(keys), limits: lifted, expectedCode: 'invalid_document', target });
  }
  list.push({ name: `${targetKeys.toLocaleString('en-US')} unknown keys, default limits`, format: 'yaml', text: wideYaml(targetKeys), expectedCode: 'document_too_large', target: false });
  list.push({ name: '5,000 levels, flow', format: 'yaml', text: `${head}options: ${'['.repeat(5_000)}${']'.repeat(5_000)}\n`, expectedCode: 'document_too_large', target: false });
  list.push({ name: '5,000 levels, block sequences', format: 'yaml', text: `${head}options:\n  x:\n    ${'- '.repeat(5_000)}1\n`, expectedCode: 'document_too_large', target: false });
  list.push({ name: '5,000 levels', format: 'json', text: `{"topology": "pipeline", "agents": [], "options": ${'{"a": '.repeat(5_000)}1${'}'.repeat(5_000)}}\n`, expectedCode: 'document_too_large', target: false });
  return list;
}

function median(values: number[]): number {
  const sorted = [...values].sort((left, right) => left - right);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
}

/** The median time of `runs` calls, after one untimed call. */
function timed(runs: number, body: () => void): number {
  body();
  const times: number[] = [];
  for (let run = 0; run < runs; run += 1) {
    const start = performance.now();
    body();
    times.push(performance.now() - start);
  }
  return median(times);
}

function floorOf(scenario: Scenario): () => void {
  if (scenario.format === 'json') return () => JSON.parse(scenario.text);
  return () => parseDocument(scenario.text, { uniqueKeys: false });
}

function measure(scenario: Scenario, runs: number): Result {
  const registry = createDefaultRegistry();
  let outcome = 'accepted';
  const validate = (): void => {
    try {
      parseTopologyDocument(scenario.text, { file: `bench.${scenario.format}`, registry, ...(scenario.limits === undefined ? {} : { limits: scenario.limits }) });
      outcome = 'accepted';
    } catch (error) {
      outcome = isConclaveError(error) ? error.code : `threw ${error instanceof Error ? error.name : 'a value'}`;
    }
  };
  const floorMs = timed(runs, floorOf(scenario));
  const validateMs = timed(runs, validate);
  if (outcome !== scenario.expectedCode) throw new Error(`${scenario.name} (${scenario.format}) ended with ${outcome}, not ${scenario.expectedCode}`);
  return {
    name: scenario.name,
    format: scenario.format,
    bytes: Buffer.byteLength(scenario.text),
    floorMs: Math.round(floorMs),
    validateMs: Math.round(validateMs),
    ratio: Math.round((validateMs / floorMs) * 100) / 100,
    outcome,
    target: scenario.target,
  };
}

function table(results: readonly Result[]): string {
  const rows = results.map((result) => {
    const floor = result.format === 'json' ? 'JSON.parse' : 'yaml parseDocument';
    const met = !result.target ? '' : result.validateMs < targetMs ? 'yes' : '**NO**';
    const size = `${(result.bytes / (1024 * 1024)).toFixed(2)} MiB`;
    return `| ${result.name} | ${result.format} | ${size} | ${floor} ${result.floorMs} ms | ${result.validateMs} ms | ${result.ratio.toFixed(2)} | ${result.outcome} | ${met} |`;
  });
  return ['| document | format | size | floor | validate | ratio | outcome | < 1 s? |', '|---|---|---|---|---|---|---|---|', ...rows].join('\n');
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const runs = Number(argument(args, '--runs') ?? 3);
  if (!Number.isInteger(runs) || runs < 1) throw new Error(`--runs expects a whole number ≥ 1, got "${argument(args, '--runs')}"`);
  const out = argument(args, '--out');
  const results: Result[] = [];
  for (const scenario of scenarios()) {
    process.stderr.write(`measuring ${scenario.name} (${scenario.format})…\n`);
    const result = measure(scenario, runs);
    results.push(result);
    process.stderr.write(`  floor ${result.floorMs} ms, validate ${result.validateMs} ms, ratio ${result.ratio}\n`);
  }
  const machine = `${cpus().length} × ${cpus()[0]?.model.trim() ?? 'cpu'}, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}`;
  const date = new Date().toISOString().slice(0, 10);
  process.stdout.write(`Document validation, ${date}, on ${machine}; median of ${runs} runs after one warm-up.\n\n${table(results)}\n`);
  if (out !== undefined) {
    writeFileSync(out, `${JSON.stringify({ date, machine, runs, targetMs, results }, null, 2)}\n`);
    process.stderr.write(`wrote ${out}\n`);
  }
}

await runMeasurement('bench:validation', main);
