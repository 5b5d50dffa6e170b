/**
 * Regular expressions written by users — a document's answer pattern, a script's `when`, a bench
 * suite's assertion — run on RE2 (the pure-JS `re2js` port), never on JavaScript's backtracking
 * RegExp: one search costs time linear in the text whatever the pattern, so `(a+)+$` cannot stall
 * the process. The price is RE2's syntax: no lookaround and no backreferences, which are refused
 * with the construct named. Differences that remain for valid patterns are RE2's: `\s` is ASCII
 * whitespace, and `.` excludes only `\n`. Patterns conclave builds itself from escaped literals
 * stay on RegExp.
 */
import { createRequire } from 'node:module';
import type { Matcher, RE2JS } from 're2js';
import { ConclaveError } from './errors.js';

type RE2JSClass = typeof RE2JS;
let loaded: RE2JSClass | undefined;

/**
 * re2js, loaded (its CommonJS build, synchronously) the first time a pattern is compiled: it is
 * 270 KB that most commands never use, and loading it at start-up slowed every `conclave` command.
 */
function re2(): RE2JSClass {
  return (loaded ??= (createRequire(import.meta.url)('re2js') as { RE2JS: RE2JSClass }).RE2JS);
}

export interface LinearRegexOptions {
  /** Flag letters as JavaScript spells them: `i`, `m` and `s` count; `g`, `y`, `d`, `u` and `v` change nothing here. */
  flags?: string;
  /** Where the pattern is written (e.g. `options.extract.regex`), for the error. */
  path?: string;
}

/**
 * Characters the searches of one `last` call may read. One search is linear, but the next starts
 * where the previous match ended and may read to the end again (`a.*b|a` does): past this budget,
 * `last` finishes from just before the latest place a match can start.
 */
const lastMatchBudget = 2_000_000;

/** RE2JS's flag bits for JavaScript's flag letters; `null` for letters that change nothing. */
const flagNames: Record<string, 'CASE_INSENSITIVE' | 'MULTILINE' | 'DOTALL' | null> = { i: 'CASE_INSENSITIVE', m: 'MULTILINE', s: 'DOTALL', g: null, y: null, d: null, u: null, v: null };

const constructs: Array<[string, string]> = [
  ['(?=', 'lookahead (?=…)'],
  ['(?!', 'negative lookahead (?!…)'],
  ['(?<=', 'lookbehind (?<=…)'],
  ['(?<!', 'negative lookbehind (?<!…)'],
  ['(?>', 'atomic group (?>…)'],
];

/** The construct RE2 lacks that `pattern` uses, named for a person (`backreference \1`), if any. */
function unsupportedConstruct(pattern: string): string | undefined {
  let inClass = false;
  for (let index = 0; index < pattern.length; index += 1) {
    const char = pattern[index];
    if (char === '\\') {
      const next = pattern[index + 1] ?? '';
      if (next === 'Q') {
        const end = pattern.indexOf('\\E', index + 2);
        index = end < 0 ? pattern.length : end + 1;
        continue;
      }
      if (next === 'u') return 'the JavaScript escape \\u (RE2 writes \\x{hex})';
      if (!inClass && next >= '1' && next <= '9') return `backreference \\${next}`;
      if (!inClass && next === 'k' && pattern[index + 2] === '<') return 'named backreference \\k<…>';
      index += 1;
    } else if (inClass) {
      if (char === ']') inClass = false;
    } else if (char === '[') {
      inClass = true;
      if (pattern[index + 1] === '^') index += 1;
      if (pattern[index + 1] === ']') index += 1;
    } else if (char === '(') {
      const found = constructs.find(([opening]) => pattern.startsWith(opening, index));
      if (found !== undefined) return found[1];
    }
  }
  return undefined;
}

function flagsOf(flags: string): number | string {
  let bits = 0;
  for (const letter of flags) {
    const name = flagNames[letter];
    if (name === undefined) return `unsupported flags "${flags}": i, m and s count; g, y, d, u and v change nothing here`;
    if (name !== null) bits |= re2()[name];
  }
  return bits;
}

function syntaxReason(pattern: string, error: unknown): string {
  const construct = unsupportedConstruct(pattern);
  if (construct !== undefined) return `${construct} is not supported: conclave runs document patterns in linear time (RE2 syntax)`;
  const message = error instanceof Error ? error.message.replace(/^error parsing regexp: /, '') : String(error);
  return `invalid regular expression: ${message}`;
}

/** `[whole, group 1, …]` with `index`, as `RegExp.prototype.exec` shapes it (unmatched groups undefined). */
function matchOf(matcher: Matcher, input: string, groups: number): RegExpMatchArray {
  const values: Array<string | undefined> = [];
  for (let group = 0; group <= groups; group += 1) values.push(matcher.group(group) ?? undefined);
  return Object.assign(values, { index: matcher.start(0), input }) as unknown as RegExpMatchArray;
}

/** A compiled pattern. Every search is linear in the text; {@link all} costs one search per match. */
export class LinearRegex {
  readonly source: string;
  private readonly compiled: RE2JS;
  /** The pattern after a greedy `(?s:.*)`: one search finds the latest start of a match. */
  private latest: RE2JS | null | undefined;

  /** Use {@link compileLinearRegex}, which reports a pattern RE2 cannot run as a `ConclaveError`. */
  constructor(source: string, compiled: RE2JS) {
    this.source = source;
    this.compiled = compiled;
  }

  /** How many capturing groups the pattern has. */
  get groupCount(): number {
    return this.compiled.groupCount();
  }

  /**
   * Whether the pattern matches anywhere in `text`.
   *
   * @example
   * compileLinearRegex('^\\d+$', { flags: 'm' }).test('x\n42') // → true
   */
  test(text: string): boolean {
    return this.compiled.test(text);
  }

  /**
   * The first match, shaped like `RegExp.prototype.exec`'s (`[whole, group 1, …]`, `index`), or undefined.
   *
   * @example
   * compileLinearRegex('(\\d+)').first('a 12 b 3')?.[1] // → '12'
   */
  first(text: string): RegExpMatchArray | undefined {
    return (this.compiled.exec(text) as RegExpMatchArray | null) ?? undefined;
  }

  /**
   * Where the first match starts, or -1 (like `String.prototype.search`).
   *
   * @example
   * compileLinearRegex('b', { flags: 'i' }).search('aB') // → 1
   */
  search(text: string): number {
    return this.first(text)?.index ?? -1;
  }

  /**
   * Every match, left to right and not overlapping, like `String.prototype.matchAll` with `g`.
   *
   * @example
   * [...compileLinearRegex('\\d').all('a1b2')].map((match) => match[0]) // → ['1', '2']
   */
  all(text: string): IterableIterator<RegExpMatchArray> {
    return this.compiled.matchAll(text);
  }

  /**
   * The last of {@link all}'s matches, or undefined, in time linear in the text: when going through
   * every match would read more than a budget, it resumes the same search a little before the
   * latest place a match can start, which finds the same last match unless that match is very long
   * and has later matches inside it.
   *
   * @example
   * compileLinearRegex('answer: (\\w+)', { flags: 'i' }).last('Answer: no. Answer: yes')?.[1] // → 'yes'
   */
  last(text: string): RegExpMatchArray | undefined {
    if (!this.compiled.test(text)) return undefined;
    const groups = this.compiled.groupCount();
    const matcher = this.compiled.matcher(text);
    let found: RegExpMatchArray | undefined;
    let budget = lastMatchBudget;
    let position = 0;
    while (text.length - position < budget) {
      budget -= text.length - position + 1;
      if (!matcher.find()) return found;
      found = matchOf(matcher, text, groups);
      position = matcher.end(0);
    }
    // A window of at most 256 characters, and fewer on a long text: its searches read at most the budget again.
    const window = Math.max(1, Math.min(256, Math.floor(lastMatchBudget / Math.max(1, text.length))));
    let more = matcher.find(Math.max(position, this.latestStart(text) - window));
    for (; more; more = matcher.find()) found = matchOf(matcher, text, groups);
    return found;
  }

  /** Where the match that starts latest in `text` starts (the end of the text if that is unknown). */
  private latestStart(text: string): number {
    if (this.latest === undefined) {
      try {
        this.latest = re2().compile(`(?s:.*)(${this.source})`, this.compiled.flags());
      } catch {
        this.latest = null; // a pattern such as an unterminated `\Q…` cannot be wrapped
      }
    }
    const matcher = this.latest?.matcher(text);
    return matcher?.find() === true ? matcher.start(1) : text.length;
  }
}

/**
 * Why `pattern` (with JavaScript-style `flags`) cannot run on RE2, or undefined when it can: for
 * validation, which prefixes the field it checks.
 *
 * @example
 * linearRegexProblem('(?<=\\$)\\d+')
 * // → 'lookbehind (?<=…) is not supported: conclave runs document patterns in linear time (RE2 syntax)'
 */
export function linearRegexProblem(pattern: string, flags = ''): string | undefined {
  const compiled = compile(pattern, flags);
  return typeof compiled === 'string' ? compiled : undefined;
}

const cache = new Map<string, LinearRegex>();

function compile(pattern: string, flags: string): LinearRegex | string {
  const key = `${flags}/${pattern}`;
  const cached = cache.get(key);
  if (cached !== undefined) return cached;
  const bits = flagsOf(flags);
  if (typeof bits === 'string') return bits;
  let compiled: RE2JS;
  try {
    compiled = re2().compile(pattern, bits);
  } catch (error) {
    // Reported without the flags, which RE2 writes into the pattern it quotes.
    let plain: unknown = error;
    try {
      re2().compile(pattern);
    } catch (withoutFlags) {
      plain = withoutFlags;
    }
    return syntaxReason(pattern, plain);
  }
  const regex = new LinearRegex(pattern, compiled);
  if (cache.size >= 256) cache.clear();
  cache.set(key, regex);
  return regex;
}

/**
 * Compiles a user's pattern for linear-time matching (compiled patterns are cached). Throws
 * `invalid_document` naming `path` when RE2 cannot run it — a syntax error, lookaround, a backreference.
 *
 * @example
 * const answer = compileLinearRegex('final answer:\\s*(.+)', { flags: 'i', path: 'options.extract.regex' });
 * answer.last('Final answer: 4')?.[1] // → '4'
 */
export function compileLinearRegex(pattern: string, options: LinearRegexOptions = {}): LinearRegex {
  const compiled = compile(pattern, options.flags ?? '');
  if (typeof compiled !== 'string') return compiled;
  const where = options.path === undefined ? {} : { location: { path: options.path } };
  const message = options.path === undefined ? compiled : `${options.path}: ${compiled}`;
  throw new ConclaveError('invalid_document', message, { ...where, hint: 'RE2 syntax: https://github.com/google/re2/wiki/Syntax' });
}
