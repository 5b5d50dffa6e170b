// The linear-time engine for users' patterns: the operations callers use, flags, and refusals that
// name the construct RE2 lacks.
import { describe, expect, it } from 'vitest';
import { compileLinearRegex, isConclaveError, linearRegexProblem } from '../../src/protocol/index.js';

const linearOnly = 'is not supported: conclave runs document patterns in linear time (RE2 syntax)';

describe('compileLinearRegex', () => {
  it('tests, finds the first, every and the last match with their groups', () => {
    const number = compileLinearRegex('n=(\\d+)');
    expect(number.test('x n=4')).toBe(true);
    expect(number.first('n=1 n=22')?.[1]).toBe('1');
    expect(number.first('n=1 n=22')?.index).toBe(0);
    expect([...number.all('n=1 n=22 n=333')].map((match) => match[1])).toEqual(['1', '22', '333']);
    expect(number.last('n=1 n=22 n=333')?.[1]).toBe('333');
    expect(number.last('nothing')).toBeUndefined();
    expect(number.search('ab n=3')).toBe(3);
    expect(number.groupCount).toBe(1);
    expect(compileLinearRegex('(a)|(b)').first('b')?.[1]).toBeUndefined();
  });

  it('reads JavaScript flag letters: i, m and s count, g and y change nothing', () => {
    expect(compileLinearRegex('^answer: \\d+$', { flags: 'im' }).test('Working…\nANSWER: 14')).toBe(true);
    expect(compileLinearRegex('^answer: \\d+$', { flags: 'i' }).test('Working…\nANSWER: 14')).toBe(false);
    expect(compileLinearRegex('a.b', { flags: 's' }).test('a\nb')).toBe(true);
    const global = compileLinearRegex('14', { flags: 'gy' });
    expect(global.test('14')).toBe(true);
    expect(global.test('14')).toBe(true);
    expect(linearRegexProblem('a', 'q')).toMatch(/^unsupported flags "q"/);
  });

  it('matches a pattern that backtracks exponentially on RegExp, on a long text, and finds nothing', () => {
    const text = `${'a'.repeat(5_000)}!`;
    const nested = compileLinearRegex('(a+)+$', { flags: 'i' });
    expect(nested.test(text)).toBe(false);
    expect(nested.last(text)).toBeUndefined();
    expect([...nested.all(text)]).toEqual([]);
  });

  it('last: the same last match as going through every match, also on a text with more matches than its budget', () => {
    const numbers = Array.from({ length: 3_000 }, (_, index) => `step ${index}: ${(index * 7919) % 100_003}`).join(', ');
    for (const [pattern, flags] of [['(\\d+)', 'g'], ['step (\\d+): (\\d+)', 'g'], ['(?:final answer|the answer is)\\s*(.+)', 'gi']] as const) {
      const text = `${numbers}. The answer is 42.`;
      const expected = [...text.matchAll(new RegExp(pattern, flags))].pop();
      const last = compileLinearRegex(pattern, { flags }).last(text);
      expect([...(last ?? [])], pattern).toEqual([...(expected ?? [])]);
      expect(last?.index).toBe(expected?.index);
    }
  });

  it('last: a pattern whose every search reads to the end of the text finishes on a long text', () => {
    // Going through every match of `a.*b|a` here would read the text 100,000 times.
    const last = compileLinearRegex('a.*b|a').last('a'.repeat(100_000));
    expect(last?.[0]).toBe('a');
    expect(last?.index).toBe(99_999);
  });

  it('refuses lookaround and backreferences, naming the construct', () => {
    expect(linearRegexProblem('(?<=\\$)\\d+')).toBe(`lookbehind (?<=…) ${linearOnly}`);
    expect(linearRegexProblem('(?<!-)\\d+')).toBe(`negative lookbehind (?<!…) ${linearOnly}`);
    expect(linearRegexProblem('\\d+(?= apples)')).toBe(`lookahead (?=…) ${linearOnly}`);
    expect(linearRegexProblem('\\d+(?!%)')).toBe(`negative lookahead (?!…) ${linearOnly}`);
    expect(linearRegexProblem('(\\w)\\1')).toBe(`backreference \\1 ${linearOnly}`);
    expect(linearRegexProblem('(?<word>\\w)\\k<word>')).toBe(`named backreference \\k<…> ${linearOnly}`);
    expect(linearRegexProblem('\\u00e9')).toBe(`the JavaScript escape \\u (RE2 writes \\x{hex}) ${linearOnly}`);
  });

  it('names RE2 syntax errors, and does not mistake escaped or bracketed text for a construct', () => {
    expect(linearRegexProblem('(')).toBe('invalid regular expression: missing closing ): `(`');
    expect(linearRegexProblem('(', 'i')).toBe('invalid regular expression: missing closing ): `(`');
    expect(linearRegexProblem('\\(?=x')).toBeUndefined();
    expect(linearRegexProblem('[(?=]\\\\1')).toBeUndefined();
    expect(linearRegexProblem('(?P<year>\\d{4})|(?<month>\\d{2})')).toBeUndefined();
  });

  it('throws invalid_document with the path it was given', () => {
    let caught: unknown;
    try {
      compileLinearRegex('(?<=x)y', { path: 'options.extract.regex' });
    } catch (error) {
      caught = error;
    }
    expect(isConclaveError(caught)).toBe(true);
    expect(caught).toMatchObject({
      code: 'invalid_document',
      category: 'user',
      message: `options.extract.regex: lookbehind (?<=…) ${linearOnly}`,
      location: { path: 'options.extract.regex' },
    });
  });
});
