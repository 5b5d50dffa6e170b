/**
 * The assertions a suite checks every answer with, and how each one checks. A suite lists them
 * under `scoring.assertions`, each discriminated by `type`:
 *
 *   scoring:
 *     assertions:
 *       - { type: equals, value: '14' }                # trim (default true), ignore_case (default false)
 *       - { type: contains, value: [Paris, France] }   # every value must appear; ignore_case
 *       - { type: regex, pattern: '^\d+$', flags: m }
 *       - { type: json-schema, schema: { type: object, required: [name], properties: { name: { type: string } } } }
 *       - { type: numeric, tolerance: 0.01, relative: true, extract: 'Total: (\S+)' }
 *       - { type: function, file: ./scorers/check.js, export: score }
 *
 * `equals`, `contains` and `numeric` compare against the prompt's `expected` when they have no
 * `value`. Every check is named after its type and scores 1 or 0, except `function`, which may
 * return a partial score. Static problems (a pattern that does not compile, a JSON schema that
 * cannot be converted or that zod would silently under-check) are reported by `assertionProblems`
 * when the suite loads, so that a run never starts with an assertion that cannot work. A suite's
 * patterns (`regex`, `extract`) run on the linear-time engine, in RE2 syntax.
 */
import { stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { z } from 'zod';
import { ConclaveError, compileLinearRegex, linearRegexProblem, type LinearRegex } from '../protocol/index.js';
import type { QualityCheck, QualityResult } from './bench-types.js';
import { checkJsonSchema, schemaGaps } from './assertion-json.js';

const scalar = z.union([z.string(), z.number(), z.boolean()]);

export const assertionSchema = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('equals'), value: scalar.optional(), trim: z.boolean().optional(), ignore_case: z.boolean().optional() }),
  z.strictObject({ type: z.literal('contains'), value: z.union([scalar, z.array(scalar).min(1)]).optional(), ignore_case: z.boolean().optional() }),
  z.strictObject({ type: z.literal('regex'), pattern: z.string().min(1), flags: z.string().optional() }),
  z.strictObject({ type: z.literal('json-schema'), schema: z.record(z.string(), z.unknown()) }),
  z.strictObject({
    type: z.literal('numeric'),
    value: z.number().optional(),
    tolerance: z.number().min(0).optional(),
    relative: z.boolean().optional(),
    extract: z.string().min(1).optional(),
  }),
  z.strictObject({ type: z.literal('function'), file: z.string().min(1), export: z.string().min(1).optional() }),
]);

/** One assertion as written in a suite (defaults are applied when it runs). */
export type Assertion = z.infer<typeof assertionSchema>;
type AssertionOf<Type extends Assertion['type']> = Extract<Assertion, { type: Type }>;

/** What an assertion knows about the prompt it checks. */
export interface AssertionSample {
  expected?: unknown;
  prompt: string;
  promptId: string;
}

/** A scorer module's function: `fn(output, { expected, prompt, promptId })`, possibly async. */
export type AssertionFunction = (output: string, sample: AssertionSample) => unknown;

function check(name: string, passed: boolean, detail?: string, score: number = passed ? 1 : 0): QualityCheck {
  return detail === undefined ? { name, passed, score } : { name, passed, score, detail };
}

/** A text shortened for a detail line, as a JSON string. */
function quote(text: string, limit = 80): string {
  return JSON.stringify(text.length > limit ? `${text.slice(0, limit)}…` : text);
}

/** The prompt's `expected` as text, or undefined when there is none. */
function expectedText(expected: unknown): string | undefined {
  if (expected === undefined) return undefined;
  return typeof expected === 'string' ? expected : typeof expected === 'object' ? JSON.stringify(expected) : String(expected);
}

const noExpected = 'nothing to compare with: give the assertion a value or the prompt an expected answer';

function runEquals(assertion: AssertionOf<'equals'>, output: string, expected: unknown): QualityCheck {
  const wanted = assertion.value === undefined ? expectedText(expected) : String(assertion.value);
  if (wanted === undefined) return check('equals', false, noExpected);
  const normalize = (text: string): string => {
    const trimmed = assertion.trim === false ? text : text.trim();
    return assertion.ignore_case === true ? trimmed.toLowerCase() : trimmed;
  };
  if (normalize(output) === normalize(wanted)) return check('equals', true);
  return check('equals', false, `expected ${quote(wanted)}, got ${quote(output)}`);
}

function runContains(assertion: AssertionOf<'contains'>, output: string, expected: unknown): QualityCheck {
  const source = assertion.value ?? (Array.isArray(expected) ? expected : expectedText(expected));
  if (source === undefined) return check('contains', false, noExpected);
  const wanted = (Array.isArray(source) ? source : [source]).map((item) => (typeof item === 'string' ? item : (expectedText(item) ?? '')));
  const fold = (text: string): string => (assertion.ignore_case === true ? text.toLowerCase() : text);
  const missing = wanted.filter((item) => !fold(output).includes(fold(item)));
  if (missing.length === 0) return check('contains', true);
  return check('contains', false, `missing ${missing.map((item) => quote(item, 40)).join(', ')}`);
}

function runRegex(assertion: AssertionOf<'regex'>, output: string): QualityCheck {
  let pattern: LinearRegex;
  try {
    // `g` and `y` mean nothing for one match; the linear engine ignores them.
    pattern = compileLinearRegex(assertion.pattern, { flags: assertion.flags ?? '' });
  } catch (error) {
    return check('regex', false, (error as Error).message);
  }
  return pattern.test(output) ? check('regex', true) : check('regex', false, `no match for /${assertion.pattern}/${assertion.flags ?? ''}`);
}

// A number as people write it: optional sign (not after a word, so `5-3` is 5 and 3), thousands
// separators (1,234), decimals. Not preceded by a letter, digit or dot, so `v2` or `1.2.3` do not split oddly.
const numberPattern = /(?<![\w.])[-−]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?|(?<![\w.])[-−]?\.\d+/g;
const answerMarkerPattern = /answer is|final answer\s*[:：]?/gi;

function readNumber(text: string): number {
  return Number(text.replace(/,/g, '').replace('−', '-'));
}

function numbersIn(text: string): number[] {
  return [...text.matchAll(numberPattern)].map((match) => readNumber(match[0]));
}

/**
 * The number an answer gives: group 1 of the last match of `extract` when given; else the first
 * number on the line after the last `answer is` / `Final answer:` that has one; else the last
 * number in the text. Undefined when there is none.
 *
 * @example
 * extractNumber('6 times 7 is 42. The answer is 42.') // → 42
 * extractNumber('Total: $1,234.50 (before tax)')      // → 1234.5
 * extractNumber('x = 3; y = -2')                       // → -2
 */
export function extractNumber(output: string, extract?: string): number | undefined {
  if (extract !== undefined) {
    const last = compileLinearRegex(extract, { path: 'extract' }).last(output);
    return last === undefined ? undefined : numbersIn(last[1] ?? last[0])[0];
  }
  const markers = [...output.matchAll(answerMarkerPattern)].reverse();
  for (const marker of markers) {
    const line = output.slice((marker.index ?? 0) + marker[0].length).trimStart().split('\n')[0] ?? '';
    const found = numbersIn(line)[0];
    if (found !== undefined) return found;
  }
  return numbersIn(output).pop();
}

function runNumeric(assertion: AssertionOf<'numeric'>, output: string, expected: unknown): QualityCheck {
  const wanted = assertion.value ?? (typeof expected === 'number' ? expected : typeof expected === 'string' ? readNumber(expected.trim()) : Number.NaN);
  if (!Number.isFinite(wanted)) {
    return check('numeric', false, `nothing to compare with: give the assertion a value or the prompt an expected number (got ${quote(String(expected))})`);
  }
  let actual: number | undefined;
  try {
    actual = extractNumber(output, assertion.extract);
  } catch (error) {
    return check('numeric', false, (error as Error).message);
  }
  if (actual === undefined) {
    const where = assertion.extract === undefined ? 'in the answer' : `where /${assertion.extract}/ matches the answer`;
    return check('numeric', false, `no number ${where}: ${quote(output)}`);
  }
  const tolerance = assertion.tolerance ?? 0;
  const allowed = assertion.relative === true ? tolerance * Math.abs(wanted) : tolerance;
  if (Math.abs(actual - wanted) <= allowed) return check('numeric', true);
  const within = tolerance === 0 ? '' : assertion.relative === true ? ` (±${Number((tolerance * 100).toPrecision(12))}%)` : ` (±${tolerance})`;
  return check('numeric', false, `expected ${wanted}${within}, got ${actual}`);
}

const loadedModules = new Map<string, Promise<Record<string, unknown>>>();

async function importModule(absolute: string, file: string): Promise<Record<string, unknown>> {
  const found = await stat(absolute).catch(() => undefined);
  if (found === undefined || !found.isFile()) {
    throw new ConclaveError('invalid_argument', `function assertion: file "${file}" not found (looked for ${absolute})`);
  }
  try {
    return (await import(pathToFileURL(absolute).href)) as Record<string, unknown>;
  } catch (error) {
    throw new ConclaveError('invalid_argument', `function assertion: could not load "${file}": ${(error as Error).message}`, { cause: error });
  }
}

/**
 * Loads a scorer function (once per file: modules are cached by absolute path). Throws
 * `invalid_argument` naming the file when it is missing, fails to load, or lacks the export.
 *
 * @example
 * const score = await loadAssertionFunction('./scorers/check.js', 'default', '/suites/qa');
 * await score('The answer is 4.', { expected: 4, prompt: 'What is 2+2?', promptId: 'sum' });
 */
export async function loadAssertionFunction(file: string, exportName: string, baseDir: string): Promise<AssertionFunction> {
  const absolute = resolve(baseDir, file);
  let loading = loadedModules.get(absolute);
  if (loading === undefined) {
    loading = importModule(absolute, file);
    loadedModules.set(absolute, loading);
    // A failed load is not cached, so that a fixed file is picked up by the next run in the process.
    loading.catch(() => loadedModules.delete(absolute));
  }
  const loaded = await loading;
  const candidate = loaded[exportName];
  if (typeof candidate !== 'function') {
    const functions = Object.keys(loaded).filter((key) => typeof loaded[key] === 'function').sort();
    const available = functions.length === 0 ? 'it exports no functions' : `its functions are ${functions.join(', ')}`;
    throw new ConclaveError('invalid_argument', `function assertion: "${file}" has no function export "${exportName}"; ${available}`);
  }
  return candidate as AssertionFunction;
}

const verdictSchema = z.object({ pass: z.boolean(), score: z.number().min(0).max(1).optional(), reason: z.string().optional() });

/** A scorer's return value as a check: boolean, score 0..1 (passed from 0.5), or `{ pass, score?, reason? }`. */
function verdictCheck(value: unknown, file: string): QualityCheck {
  if (typeof value === 'boolean') return check('function', value);
  if (typeof value === 'number' && value >= 0 && value <= 1) return check('function', value >= 0.5, undefined, value);
  const verdict = verdictSchema.safeParse(value);
  if (verdict.success) {
    const { pass, score, reason } = verdict.data;
    return check('function', pass, reason, score ?? (pass ? 1 : 0));
  }
  const shown = value === undefined ? 'undefined' : typeof value === 'number' ? String(value) : quote(JSON.stringify(value) ?? String(value));
  return check('function', false, `${file} returned ${shown}; expected a boolean, a number from 0 to 1, or { pass, score?, reason? }`);
}

async function runFunction(assertion: AssertionOf<'function'>, output: string, sample: AssertionSample, baseDir: string): Promise<QualityCheck> {
  const scorer = await loadAssertionFunction(assertion.file, assertion.export ?? 'default', baseDir);
  let value: unknown;
  try {
    value = await scorer(output, { expected: sample.expected, prompt: sample.prompt, promptId: sample.promptId });
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    return check('function', false, `${assertion.file} threw: ${message}`);
  }
  return verdictCheck(value, assertion.file);
}

/**
 * Checks one answer against one assertion. Never throws for a bad answer or a failing scorer (the
 * check fails with a detail); throws `invalid_argument` only when a function assertion's file is
 * missing, does not load, or lacks its export.
 *
 * @example
 * await runAssertion({ type: 'numeric' }, 'The answer is 1,234.', { expected: 1234, prompt: '…', promptId: 'p1' }, suiteDir)
 * // → { name: 'numeric', passed: true, score: 1 }
 */
export async function runAssertion(assertion: Assertion, output: string, sample: AssertionSample, baseDir: string): Promise<QualityCheck> {
  switch (assertion.type) {
    case 'equals':
      return runEquals(assertion, output, sample.expected);
    case 'contains':
      return runContains(assertion, output, sample.expected);
    case 'regex':
      return runRegex(assertion, output);
    case 'json-schema':
      return checkJsonSchema(assertion.schema, output);
    case 'numeric':
      return runNumeric(assertion, output, sample.expected);
    case 'function':
      return runFunction(assertion, output, sample, baseDir);
  }
}

function regexProblem(field: string, pattern: string, flags: string): string | undefined {
  const problem = linearRegexProblem(pattern, flags);
  return problem === undefined ? undefined : `${field}: ${problem}`;
}

/**
 * Problems an assertion has before any answer is seen, each starting with the field it concerns:
 * a pattern or flags that do not compile or that RE2 cannot run (lookaround, backreferences), an
 * `extract` without a capturing group, a JSON schema that zod cannot convert or would check only in
 * part. Empty when there are none.
 *
 * @example
 * assertionProblems({ type: 'regex', pattern: '(' }) // → ['pattern: invalid regular expression: missing closing ): `(`']
 */
export function assertionProblems(assertion: Assertion): string[] {
  const problems: string[] = [];
  if (assertion.type === 'regex') {
    const problem = regexProblem('pattern', assertion.pattern, assertion.flags ?? '');
    if (problem !== undefined) problems.push(problem);
  }
  if (assertion.type === 'numeric' && assertion.extract !== undefined) {
    const problem = regexProblem('extract', assertion.extract, '');
    if (problem !== undefined) problems.push(problem);
    else if (compileLinearRegex(assertion.extract).groupCount < 1) {
      problems.push('extract: needs a capturing group around the number, as in "Total: (\\S+)"');
    }
  }
  if (assertion.type === 'json-schema') {
    try {
      z.fromJSONSchema(assertion.schema as Parameters<typeof z.fromJSONSchema>[0]);
      schemaGaps(assertion.schema, ['schema'], problems);
    } catch (error) {
      problems.push(`schema: ${(error as Error).message}`);
    }
  }
  return problems;
}

/**
 * All checks of one answer as one result: the mean score, passed when every check passed; null
 * when there are no checks.
 *
 * @example
 * combineChecks([{ name: 'equals', passed: true, score: 1 }, { name: 'rubric', passed: false, score: 0.25 }])
 * // → { score: 0.625, passed: false, checks: [...] }
 */
export function combineChecks(checks: QualityCheck[]): QualityResult | null {
  if (checks.length === 0) return null;
  const score = checks.reduce((sum, item) => sum + item.score, 0) / checks.length;
  return { score, passed: checks.every((item) => item.passed), checks };
}
