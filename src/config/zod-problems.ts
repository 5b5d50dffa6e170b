/**
 * Runs a zod schema over part of a document and turns its issues into `DocumentProblem`s with
 * paths from the document root. Unknown keys become one problem each, pointed at the key and
 * answered with "did you mean …?" (worked out only when the hint is read); a failed union reports
 * the branch that came closest.
 */
import type { z } from 'zod';
import { describeZodIssue, expectedWords } from './describe-zod-issue.js';
import { didYouMeanHint } from './did-you-mean.js';
import { describeValueType, documentProblem, isPlainObject, type DocumentProblem } from './document-problem.js';
import { formatJsonPath, type JsonPath } from './format-json-path.js';
import { shapeKeysAt } from './zod-shape-keys.js';

type Issue = z.core.$ZodIssue;

/** Result of `parseWithProblems`: the parsed value, or the problems that prevented it. */
export type ParsedPart<T> = { ok: true; value: T } | { ok: false; problems: DocumentProblem[] };

/** The schema being run, where its root sits in the document, and where inside it an issue was raised. */
interface IssueScope {
  schema: z.core.$ZodType;
  basePath: JsonPath;
  /** Path inside the schema (grows inside unions, whose branch issues are relative). */
  prefix: JsonPath;
}

function unknownKeyProblems(issue: Issue & { code: 'unrecognized_keys' }, scope: IssueScope): DocumentProblem[] {
  const schemaPath = [...scope.prefix, ...(issue.path as Array<string | number>)];
  const objectPath = [...scope.basePath, ...schemaPath];
  const keys: KeyChoices = { input: issue.input, allowed: shapeKeysAt(scope.schema, schemaPath), absent: undefined };
  const where = objectPath.length === 0 ? 'unknown top-level key' : `${formatJsonPath(objectPath)}: unknown key`;
  return issue.keys.map((key) => new UnknownKeyProblem([...objectPath, key], where, key, keys));
}

/** The keys an object may have, and (worked out once, when a hint is first read) those it lacks. */
interface KeyChoices {
  input: unknown;
  allowed: string[];
  absent: string[] | undefined;
}

/**
 * An unknown key. Its message and hint are worked out when first read: a document can have
 * hundreds of thousands of unknown keys, of which only the first 50 are reported, and their
 * suggestions would otherwise cost more than the rest of validation together.
 */
class UnknownKeyProblem implements DocumentProblem {
  readonly code = 'invalid_document';
  readonly target = 'key';
  #hint: string | undefined | null = null;

  constructor(
    readonly path: JsonPath,
    /** `unknown top-level key` or `<path>: unknown key`. */
    private readonly where: string,
    private readonly key: string,
    private readonly keys: KeyChoices,
  ) {}

  get message(): string {
    return `${this.where} "${this.key}"`;
  }

  get hint(): string | undefined {
    if (this.#hint === null) {
      const input = this.keys.input;
      this.keys.absent ??= this.keys.allowed.filter((key) => !isPlainObject(input) || !Object.hasOwn(input, key));
      this.#hint = unknownKeyHint(this.key, this.keys.absent, this.keys.allowed);
    }
    return this.#hint;
  }
}

/** Suggests only keys not already written (`agents` next to `agent` is no typo); lists them all otherwise. */
function unknownKeyHint(key: string, absent: string[], allowed: string[]): string | undefined {
  const suggestion = didYouMeanHint(key, absent);
  if (suggestion !== undefined || allowed.length === 0) return suggestion;
  return `allowed keys: ${allowed.join(', ')}`;
}

/** The branch of a failed union most worth reporting: the value got past its type check, fewest problems. */
function closestBranch(branches: Issue[][]): Issue[] | undefined {
  const matching = branches.filter((branch) => branch.some((issue) => issue.path.length > 0));
  matching.sort((left, right) => left.length - right.length);
  return matching[0];
}

/** What a root-level issue of a union branch expected: `string`, `"text"`, … */
function expectedByIssue(issue: Issue): string | undefined {
  if (issue.code === 'invalid_type') return expectedWords[issue.expected] ?? issue.expected;
  if (issue.code === 'invalid_value') return issue.values.map((value) => JSON.stringify(value)).join(' or ');
  return undefined;
}

function unionProblems(issue: Issue & { code: 'invalid_union' }, scope: IssueScope): DocumentProblem[] {
  const schemaPath = [...scope.prefix, ...(issue.path as Array<string | number>)];
  const path = [...scope.basePath, ...schemaPath];
  if (issue.errors.length === 0 && 'options' in issue && issue.options !== undefined) {
    const choices = issue.options.map((option) => JSON.stringify(option));
    const written = isPlainObject(issue.input) && issue.discriminator !== undefined ? issue.input[issue.discriminator] : undefined;
    const hint = typeof written === 'string' ? didYouMeanHint(written, issue.options.map(String)) : undefined;
    return [documentProblem(path, `expected one of ${choices.join(', ')}`, { hint })];
  }
  const branch = closestBranch(issue.errors);
  if (branch !== undefined) return branch.flatMap((inner) => issueProblems(inner, { ...scope, prefix: schemaPath }));
  const expected = issue.errors.flat().map(expectedByIssue);
  if (expected.length === 0 || expected.includes(undefined)) return [documentProblem(path, issue.message)];
  return [documentProblem(path, `expected ${[...new Set(expected)].join(' or ')}, received ${describeValueType(issue.input)}`)];
}

function issueProblems(issue: Issue, scope: IssueScope): DocumentProblem[] {
  const path = [...scope.basePath, ...scope.prefix, ...(issue.path as Array<string | number>)];
  switch (issue.code) {
    case 'unrecognized_keys':
      return unknownKeyProblems(issue, scope);
    case 'invalid_union':
      return unionProblems(issue, scope);
    case 'invalid_value': {
      const hint = typeof issue.input === 'string' ? didYouMeanHint(issue.input, issue.values.map(String)) : undefined;
      return [documentProblem(path, issue.message, { hint })];
    }
    default:
      return [documentProblem(path, issue.message)];
  }
}

/**
 * Parses `value` with `schema`; on failure, returns every issue as a problem located under `basePath`.
 *
 * @example
 * const parsed = parseWithProblems(z.object({ rounds: z.number() }), { rounds: 'two' }, ['options']);
 * // parsed.ok === false; parsed.problems[0].message === 'options.rounds: expected number, received string'
 */
export function parseWithProblems<T>(schema: z.ZodType<T>, value: unknown, basePath: JsonPath): ParsedPart<T> {
  const result = schema.safeParse(value, { error: describeZodIssue, reportInput: true });
  if (result.success) return { ok: true, value: result.data };
  return { ok: false, problems: result.error.issues.flatMap((issue) => issueProblems(issue, { schema, basePath, prefix: [] })) };
}
