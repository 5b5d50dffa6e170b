// Suite assertions: every type passing and failing, defaults from the prompt's `expected`, static
// problems for the suite loader, and function scorers loaded from fixture modules.
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { isConclaveError } from '../../src/protocol/index.js';
import {
  assertionProblems,
  assertionSchema,
  combineChecks,
  extractNumber,
  runAssertion,
  type Assertion,
  type AssertionSample,
} from '../../src/bench/assertions.js';
import { parseJsonAnswer } from '../../src/bench/assertion-json.js';

const fixtures = fileURLToPath(new URL('./fixtures/', import.meta.url));
const sample: AssertionSample = { expected: 14, prompt: 'What is 2+3*4?', promptId: 'sum' };

function run(assertion: Assertion, output: string, overrides: Partial<AssertionSample> = {}): ReturnType<typeof runAssertion> {
  return runAssertion(assertionSchema.parse(assertion), output, { ...sample, ...overrides }, fixtures);
}

describe('assertionSchema', () => {
  it('accepts every type and rejects unknown keys and types', () => {
    expect(assertionSchema.safeParse({ type: 'equals', value: 42, ignore_case: true }).success).toBe(true);
    expect(assertionSchema.safeParse({ type: 'contains', value: ['a', 'b'] }).success).toBe(true);
    expect(assertionSchema.safeParse({ type: 'numeric', tolerance: 0.5, relative: true, extract: 'x=(\\d+)' }).success).toBe(true);
    expect(assertionSchema.safeParse({ type: 'function', file: 'a.js', export: 'score' }).success).toBe(true);
    expect(assertionSchema.safeParse({ type: 'equals', ignorecase: true }).success).toBe(false);
    expect(assertionSchema.safeParse({ type: 'similar' }).success).toBe(false);
    expect(assertionSchema.safeParse({ type: 'numeric', tolerance: -1 }).success).toBe(false);
    expect(assertionSchema.safeParse({ type: 'contains', value: [] }).success).toBe(false);
  });
});

describe('equals', () => {
  it('compares with the expected answer, trimmed, case-sensitive by default', async () => {
    expect(await run({ type: 'equals' }, ' 14\n')).toEqual({ name: 'equals', passed: true, score: 1 });
    const failed = await run({ type: 'equals', value: 'Paris' }, 'paris');
    expect(failed).toMatchObject({ name: 'equals', passed: false, score: 0 });
    expect(failed.detail).toBe('expected "Paris", got "paris"');
    expect((await run({ type: 'equals', value: 'Paris', ignore_case: true }, 'paris')).passed).toBe(true);
    expect((await run({ type: 'equals', value: 'Paris', trim: false }, 'Paris ')).passed).toBe(false);
  });

  it('fails with a clear detail when there is nothing to compare with', async () => {
    const result = await runAssertion({ type: 'equals' }, '14', { prompt: 'p', promptId: 'p' }, fixtures);
    expect(result.passed).toBe(false);
    expect(result.detail).toContain('nothing to compare with');
  });
});

describe('contains', () => {
  it('needs every value', async () => {
    expect((await run({ type: 'contains', value: ['Paris', 'France'] }, 'Paris is in France.')).passed).toBe(true);
    const failed = await run({ type: 'contains', value: ['Paris', 'Spain', 'Italy'] }, 'Paris is in France.');
    expect(failed).toMatchObject({ passed: false, score: 0, detail: 'missing "Spain", "Italy"' });
    expect((await run({ type: 'contains', value: 'PARIS', ignore_case: true }, 'paris')).passed).toBe(true);
    expect((await run({ type: 'contains' }, 'so it is 14.')).passed).toBe(true);
  });
});

describe('regex', () => {
  it('matches with flags, ignoring g and y', async () => {
    expect((await run({ type: 'regex', pattern: '^answer: \\d+$', flags: 'im' }, 'Working…\nANSWER: 14')).passed).toBe(true);
    const global = { type: 'regex', pattern: '14', flags: 'g' } as const;
    expect((await run(global, '14')).passed).toBe(true);
    expect((await run(global, '14')).passed).toBe(true);
    expect(await run({ type: 'regex', pattern: '^\\d+$' }, 'fourteen')).toMatchObject({ passed: false, detail: 'no match for /^\\d+$/' });
  });

  it('reports a bad pattern or flags statically', () => {
    expect(assertionProblems({ type: 'regex', pattern: '(' })).toEqual(['pattern: invalid regular expression: missing closing ): `(`']);
    expect(assertionProblems({ type: 'regex', pattern: 'a', flags: 'q' })[0]).toMatch(/^pattern: .*flags/);
    expect(assertionProblems({ type: 'regex', pattern: 'a+', flags: 'i' })).toEqual([]);
  });
});

describe('json-schema', () => {
  const schema = {
    type: 'object',
    properties: { name: { type: 'string' }, items: { type: 'array', items: { type: 'object', properties: { id: { type: 'integer' } }, required: ['id'] } } },
    required: ['name', 'items'],
  };

  it('finds the JSON in prose or a fence and validates it', async () => {
    const fenced = 'Here it is:\n```json\n{"name": "x", "items": [{"id": 1}]}\n```\nAnything else?';
    expect((await run({ type: 'json-schema', schema }, fenced)).passed).toBe(true);
    expect((await run({ type: 'json-schema', schema }, 'Sure: {"name": "x", "items": []} — done.')).passed).toBe(true);
    expect((await run({ type: 'json-schema', schema }, '{"name": "x", "items": []}')).passed).toBe(true);
  });

  it('lists the first issues with their paths', async () => {
    const result = await run({ type: 'json-schema', schema }, '{"name": 5, "items": [{"id": 1}, {"id": "two"}, {}]}');
    expect(result.passed).toBe(false);
    expect(result.detail).toContain('name: Invalid input: expected string, received number');
    expect(result.detail).toContain('items[1].id:');
    expect(result.detail).toContain('items[2].id:');
  });

  it('fails on an answer without valid JSON (no lenient repairs)', async () => {
    const result = await run({ type: 'json-schema', schema }, "{name: 'x', items: []}");
    expect(result).toMatchObject({ passed: false });
    expect(result.detail).toMatch(/^the answer contains no valid JSON/);
    expect(parseJsonAnswer('[1, 2] and {"a": 1}')).toEqual({ ok: true, value: [1, 2] });
    expect(parseJsonAnswer('no json {here')).toEqual({ ok: false });
    expect(parseJsonAnswer('See [note 1]: {"a": [1]}')).toEqual({ ok: true, value: { a: [1] } });
  });

  it('reports schemas zod cannot convert or would check only in part', () => {
    expect(assertionProblems({ type: 'json-schema', schema })).toEqual([]);
    expect(assertionProblems({ type: 'json-schema', schema: { type: 'strin' } })).toEqual(['schema: Unsupported type: strin']);
    expect(assertionProblems({ type: 'json-schema', schema: { properties: { a: { type: 'string' } } } })).toEqual([
      'schema: add "type: object"; without it, properties and required are not checked',
    ]);
    expect(assertionProblems({ type: 'json-schema', schema: { type: 'object', properties: { list: { type: 'array', items: { type: 'object', required: ['id'] } } } } })).toEqual([
      'schema.properties.list.items.required: "id" must also be listed in properties (with {} for any value) to be checked',
    ]);
  });
});

describe('numeric', () => {
  it('extracts the number the answer gives', () => {
    expect(extractNumber('6 times 7 is 42, plus 3. The answer is 45.')).toBe(45);
    expect(extractNumber('The answer is 45, since 40 + 5 = 45 and not 46')).toBe(45);
    expect(extractNumber('Final answer:\n\n**-1,234.5**\n\nChecked twice: 3 ways.')).toBe(-1234.5);
    expect(extractNumber('It comes to 1,234,567 in total, roughly 1.2 million')).toBe(1.2);
    expect(extractNumber('5-3 leaves 2')).toBe(2);
    expect(extractNumber('x is -7')).toBe(-7);
    expect(extractNumber('Total: $12.50 (was 15)', 'Total: (\\S+)')).toBe(12.5);
    expect(extractNumber('no digits here')).toBeUndefined();
  });

  it('compares with a tolerance, absolute or relative', async () => {
    expect(await run({ type: 'numeric' }, 'The answer is 14.')).toEqual({ name: 'numeric', passed: true, score: 1 });
    expect(await run({ type: 'numeric' }, 'The answer is 15.')).toMatchObject({ passed: false, score: 0, detail: 'expected 14, got 15' });
    expect((await run({ type: 'numeric', value: 100, tolerance: 0.5 }, 'about 100.4')).passed).toBe(true);
    expect((await run({ type: 'numeric', value: 100, tolerance: 0.01, relative: true }, 'about 101')).passed).toBe(true);
    expect(await run({ type: 'numeric', value: 100, tolerance: 0.01, relative: true }, 'about 102')).toMatchObject({
      passed: false,
      detail: 'expected 100 (±1%), got 102',
    });
    expect((await run({ type: 'numeric' }, 'The answer is 1,234.', { expected: '1,234' })).passed).toBe(true);
  });

  it('fails clearly without an expected number or a number in the answer', async () => {
    expect((await run({ type: 'numeric' }, '14', { expected: 'many' })).detail).toContain('nothing to compare with');
    expect((await run({ type: 'numeric' }, 'fourteen')).detail).toBe('no number in the answer: "fourteen"');
    expect((await run({ type: 'numeric', extract: 'Total: (\\S+)' }, 'The answer is 14')).detail).toContain('where /Total: (\\S+)/ matches');
  });

  it('reports an extract pattern without a group or that does not compile', () => {
    expect(assertionProblems({ type: 'numeric', extract: 'Total: \\d+' })).toEqual([
      'extract: needs a capturing group around the number, as in "Total: (\\S+)"',
    ]);
    expect(assertionProblems({ type: 'numeric', extract: 'Total: (' })[0]).toMatch(/^extract: invalid regular expression/);
    expect(assertionProblems({ type: 'numeric', extract: '(?:Total|Sum): (\\S+)' })).toEqual([]);
  });
});

describe('function', () => {
  it('accepts { pass, score, reason }, booleans (async) and bare scores', async () => {
    expect(await run({ type: 'function', file: 'scorer.js' }, 'It is 14.')).toEqual({ name: 'function', passed: true, score: 0.9, detail: 'mentions 14 (sum)' });
    expect(await run({ type: 'function', file: './scorer.js' }, 'It is 15.')).toEqual({ name: 'function', passed: false, score: 0.1, detail: 'does not mention 14' });
    expect(await run({ type: 'function', file: 'scorer.js', export: 'isShort' }, 'short')).toEqual({ name: 'function', passed: true, score: 1 });
    expect(await run({ type: 'function', file: 'scorer.js', export: 'wordOverlap' }, 'what is', { prompt: 'what is it' })).toEqual({
      name: 'function',
      passed: true,
      score: 2 / 3,
    });
    expect(await run({ type: 'function', file: 'scorer.js', export: 'wordOverlap' }, 'what', { prompt: 'what is it' })).toEqual({
      name: 'function',
      passed: false,
      score: 1 / 3,
    });
  });

  it('turns a thrown error or a bad return into a failed check', async () => {
    expect(await run({ type: 'function', file: 'scorer-throws.js' }, 'x')).toEqual({
      name: 'function',
      passed: false,
      score: 0,
      detail: 'scorer-throws.js threw: scorer exploded',
    });
    expect((await run({ type: 'function', file: 'scorer.js', export: 'saysYes' }, 'x')).detail).toBe(
      'scorer.js returned "\\"yes\\""; expected a boolean, a number from 0 to 1, or { pass, score?, reason? }',
    );
    expect(await run({ type: 'function', file: 'scorer.js', export: 'tooHigh' }, 'x')).toMatchObject({ passed: false, score: 0 });
  });

  it('throws invalid_argument naming the file when it is missing, broken or lacks the export', async () => {
    const failure = async (assertion: Assertion): Promise<unknown> => run(assertion, 'x').then(() => undefined, (error: unknown) => error);
    const missing = await failure({ type: 'function', file: 'no-such-scorer.js' });
    expect(isConclaveError(missing) && missing.code).toBe('invalid_argument');
    expect((missing as Error).message).toMatch(/^function assertion: file "no-such-scorer.js" not found/);
    const broken = await failure({ type: 'function', file: 'scorer-broken.js' });
    expect((broken as Error).message).toBe('function assertion: could not load "scorer-broken.js": broken at load time');
    const noExport = await failure({ type: 'function', file: 'scorer.js', export: 'notAFunction' });
    expect((noExport as Error).message).toBe(
      'function assertion: "scorer.js" has no function export "notAFunction"; its functions are default, isShort, saysYes, tooHigh, wordOverlap',
    );
  });
});

describe('combineChecks', () => {
  it('averages scores and passes only when every check passes', () => {
    expect(combineChecks([])).toBeNull();
    const checks = [
      { name: 'equals', passed: true, score: 1 },
      { name: 'rubric', passed: false, score: 0.25 },
    ];
    expect(combineChecks(checks)).toEqual({ score: 0.625, passed: false, checks });
    expect(combineChecks([checks[0] as (typeof checks)[number]])?.passed).toBe(true);
  });
});
