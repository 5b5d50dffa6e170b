/**
 * Loads a benchmark suite: parses the YAML, validates it in one pass (every problem with file,
 * line and JSON path, like topology documents), resolves topology contestants (a path relative to
 * the suite, or an inline document) and reads the JSONL dataset, whose problems name its file and
 * line. Nothing runs until the whole suite is known to be valid.
 */
import { readFile } from 'node:fs/promises';
import { dirname, isAbsolute, relative, resolve } from 'node:path';
import { stringify } from 'yaml';
import {
  checkModelReference,
  documentProblem,
  loadTopologyDocument,
  locatedProblemsError,
  parseTopologyDocument,
  parseWithProblems,
  readYamlSource,
  type DocumentProblem,
  type JsonPath,
  type TopologyDocument,
} from '../config/index.js';
import { ConclaveError, registryWithDocumentProviders, type Registry } from '../protocol/index.js';
import { assertionProblems, loadAssertionFunction } from './assertions.js';
import { suitePromptSchema, suiteSchema, type BenchContestant, type BenchPrompt, type BenchSuite, type SuiteDocument } from './suite-schema.js';

const shapeHint = 'a suite is a mapping with "name:", "contestants:" (models or topologies) and "prompts:" or "dataset:"';

async function readText(file: string, what: string): Promise<string> {
  try {
    return await readFile(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const reason = code === 'ENOENT' ? 'not found' : code === 'EISDIR' ? 'is a directory' : (error as Error).message;
    throw new ConclaveError(code === 'ENOENT' ? 'document_not_found' : 'invalid_argument', `${what} ${file}: ${reason}`, {
      location: { file },
      hint: 'paths in a suite are relative to the suite file',
      cause: error,
    });
  }
}

/**
 * A path relative to the current directory when it is inside it (as users type them), else as given.
 *
 * @example
 * displayPath(`${process.cwd()}/bench-results/run-1`) // → 'bench-results/run-1'
 */
export function displayPath(path: string): string {
  const shown = relative(process.cwd(), path);
  return shown === '' || shown.startsWith('..') || isAbsolute(shown) ? path : shown;
}

/**
 * Reads a JSONL dataset: one `{"prompt": …, "expected": …, "id": …}` object per line; blank lines
 * and lines starting with `//` are skipped. Problems name the file and line.
 *
 * @example
 * const prompts = await loadDataset('benchmarks/datasets/arith-40.jsonl');
 * prompts[0] // → { id: 'arith-1', prompt: 'What is …?', expected: 17 }
 */
export async function loadDataset(file: string): Promise<BenchPrompt[]> {
  const text = await readText(file, 'dataset');
  const prompts: BenchPrompt[] = [];
  const shown = displayPath(file);
  for (const [index, line] of text.split('\n').entries()) {
    const trimmed = line.trim();
    if (trimmed === '' || trimmed.startsWith('//')) continue;
    const at = { location: { file: shown, line: index + 1 } };
    let value: unknown;
    try {
      value = JSON.parse(trimmed);
    } catch (error) {
      throw new ConclaveError('document_syntax', `${shown}:${index + 1}: not valid JSON (${(error as Error).message})`, at);
    }
    const parsed = suitePromptSchema.safeParse(value);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      const where = issue === undefined || issue.path.length === 0 ? '' : `${issue.path.join('.')}: `;
      throw new ConclaveError('invalid_document', `${shown}:${index + 1}: ${where}${issue?.message ?? 'invalid line'}`, {
        ...at,
        hint: 'each line is a JSON object such as {"id": "q1", "prompt": "What is 2+2?", "expected": 4}',
      });
    }
    prompts.push({ id: parsed.data.id ?? `${prompts.length + 1}`, prompt: parsed.data.prompt, ...(parsed.data.expected !== undefined ? { expected: parsed.data.expected } : {}) });
  }
  if (prompts.length === 0) throw new ConclaveError('invalid_document', `${shown}: the dataset has no prompts`, { location: { file: shown } });
  return prompts;
}

interface Checking {
  problems: DocumentProblem[];
  registry: Registry;
}

function checkModel(model: string, path: JsonPath, checking: Checking): void {
  checking.problems.push(...checkModelReference(model, path, checking.registry));
}

async function resolveTopology(
  raw: string | Record<string, unknown>,
  path: JsonPath,
  baseDir: string,
  registry: Registry,
  checking: Checking,
): Promise<{ target: string; document: TopologyDocument } | undefined> {
  if (typeof raw === 'string') {
    const file = resolve(baseDir, raw);
    // A topology document's own problems are reported in its own file, with its own lines.
    return { target: displayPath(file), document: await loadTopologyDocument(displayPath(file), registry) };
  }
  try {
    return { target: 'inline', document: parseTopologyDocument(stringify(raw), { registry }) };
  } catch (error) {
    if (!(error instanceof ConclaveError)) throw error;
    // The inline document's messages start with their own path, so they read `contestants[1].topology: agents[0].model: …`.
    for (const message of error.issues?.map((issue) => issue.message) ?? [error.message]) checking.problems.push(documentProblem(path, message));
    return undefined;
  }
}

function checkPrompts(prompts: readonly BenchPrompt[], document: SuiteDocument, checking: Checking): void {
  const seen = new Map<string, number>();
  for (const [index, prompt] of prompts.entries()) {
    const earlier = seen.get(prompt.id);
    if (earlier !== undefined) {
      checking.problems.push(documentProblem(document.prompts !== undefined && index < document.prompts.length ? ['prompts', index, 'id'] : ['dataset'], `prompt id "${prompt.id}" is used twice (also by prompt ${earlier + 1})`));
    }
    seen.set(prompt.id, index);
  }
  const needsExpected = (document.scoring?.assertions ?? []).some((assertion) => (assertion.type === 'equals' || assertion.type === 'numeric') && assertion.value === undefined);
  const missing = prompts.filter((prompt) => prompt.expected === undefined);
  if (needsExpected && missing.length > 0) {
    checking.problems.push(
      documentProblem(['scoring', 'assertions'], `an equals/numeric assertion without "value" compares with each prompt's "expected", but ${missing.length} prompt(s) have none (first: "${missing[0]?.id}")`),
    );
  }
}

/** Problems of the `model:` strings of a suite whose shape did not validate. */
function rawModelProblems(raw: Record<string, unknown>, registry: Registry): DocumentProblem[] {
  const contestants = Array.isArray(raw['contestants']) ? (raw['contestants'] as unknown[]) : [];
  return contestants.flatMap((entry, index) => {
    const model = typeof entry === 'object' && entry !== null ? (entry as Record<string, unknown>)['model'] : undefined;
    return typeof model === 'string' ? checkModelReference(model, ['contestants', index, 'model'], registry) : [];
  });
}

/**
 * Loads and validates the suite at `file`. Throws one `invalid_document` error listing every
 * problem with its line and path; a topology document's or dataset's own problems name that file.
 *
 * @example
 * const suite = await loadSuite('benchmarks/providers/head-to-head.yaml', registry);
 * suite.contestants.map((contestant) => contestant.name) // → ['swift', 'steady', 'sage']
 */
export async function loadSuite(file: string, registry: Registry): Promise<BenchSuite> {
  const text = await readText(file, 'suite');
  const { raw, locate } = readYamlSource(text, file, shapeHint);
  const parsed = parseWithProblems(suiteSchema, raw, []);
  // A shape problem still lets the model references be checked, so one pass reports everything.
  if (!parsed.ok) throw locatedProblemsError([...parsed.problems, ...rawModelProblems(raw, registry)], locate, file);
  const document = parsed.value;
  const baseDir = dirname(resolve(file));
  const checking: Checking = { problems: [], registry: registryWithDocumentProviders(registry, document.providers) };

  const contestants: BenchContestant[] = [];
  const names = new Set<string>();
  for (const [index, entry] of document.contestants.entries()) {
    const path = ['contestants', index];
    if (names.has(entry.name)) checking.problems.push(documentProblem([...path, 'name'], `contestant "${entry.name}" is named twice`));
    names.add(entry.name);
    if ((entry.model === undefined) === (entry.topology === undefined)) {
      checking.problems.push(documentProblem(path, 'a contestant has exactly one of "model" (provider/model) or "topology" (a document path or an inline document)'));
      continue;
    }
    if (entry.model !== undefined) {
      checkModel(entry.model, [...path, 'model'], checking);
      const system = entry.system ?? document.system;
      const temperature = entry.temperature ?? document.temperature;
      const maxTokens = entry.max_tokens ?? document.max_tokens;
      contestants.push({
        kind: 'model',
        name: entry.name,
        model: entry.model,
        ...(system !== undefined ? { system } : {}),
        ...(temperature !== undefined ? { temperature } : {}),
        ...(maxTokens !== undefined ? { maxTokens } : {}),
      });
    } else if (entry.topology !== undefined) {
      for (const field of ['system', 'temperature', 'max_tokens'] as const) {
        if (entry[field] !== undefined) checking.problems.push(documentProblem([...path, field], `"${field}" applies to model contestants; set it on the topology's agents instead`));
      }
      const resolved = await resolveTopology(entry.topology, [...path, 'topology'], baseDir, checking.registry, checking);
      if (resolved !== undefined) contestants.push({ kind: 'topology', name: entry.name, ...resolved });
    }
  }

  let prompts: BenchPrompt[] = (document.prompts ?? []).map((prompt, index) => ({
    id: prompt.id ?? `${index + 1}`,
    prompt: prompt.prompt,
    ...(prompt.expected !== undefined ? { expected: prompt.expected } : {}),
  }));
  if (document.dataset !== undefined) prompts = [...prompts, ...(await loadDataset(resolve(baseDir, document.dataset)))];
  if (prompts.length === 0) checking.problems.push(documentProblem([], 'a suite needs "prompts:" or a "dataset:" file'));
  if (document.limit !== undefined) prompts = prompts.slice(0, document.limit);
  checkPrompts(prompts, document, checking);

  const scoring = document.scoring;
  for (const [index, assertion] of (scoring?.assertions ?? []).entries()) {
    for (const message of assertionProblems(assertion)) checking.problems.push(documentProblem(['scoring', 'assertions', index], message));
    if (assertion.type === 'function') {
      // Load the scorer now, so a missing file or export stops the run before anything is paid for.
      await loadAssertionFunction(assertion.file, assertion.export ?? 'default', baseDir).catch((error: unknown) => {
        checking.problems.push(documentProblem(['scoring', 'assertions', index, 'file'], error instanceof Error ? error.message : String(error)));
      });
    }
  }
  if (scoring?.rubric !== undefined) checkModel(scoring.rubric.judge, ['scoring', 'rubric', 'judge'], checking);
  if (scoring?.pairwise !== undefined) {
    checkModel(scoring.pairwise.judge, ['scoring', 'pairwise', 'judge'], checking);
    if (contestants.length < 2) checking.problems.push(documentProblem(['scoring', 'pairwise'], 'pairwise scoring needs at least two contestants'));
  }
  if (checking.problems.length > 0) throw locatedProblemsError(checking.problems, locate, file);

  const suite: BenchSuite = {
    name: document.name,
    file,
    baseDir,
    contestants,
    prompts,
    repeat: document.repeat,
    warmup: document.warmup,
    concurrency: document.concurrency,
    timeoutMs: document.timeout_ms,
    seed: document.seed,
    scoring: {
      assertions: scoring?.assertions ?? [],
      ...(scoring?.rubric !== undefined ? { rubric: scoring.rubric } : {}),
      ...(scoring?.pairwise !== undefined ? { pairwise: { judge: scoring.pairwise.judge, ...(scoring.pairwise.prompts !== undefined ? { prompts: scoring.pairwise.prompts } : {}) } } : {}),
    },
  };
  if (document.description !== undefined) suite.description = document.description;
  if (document.providers !== undefined) suite.providers = document.providers;
  return suite;
}
