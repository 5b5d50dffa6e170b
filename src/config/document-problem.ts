/**
 * A problem found while validating a document, before it is given a file position. Validation
 * collects these in one pass; `parseTopologyDocument` locates them in the source and turns them
 * into one `ConclaveError` with every problem listed as an issue.
 */
import type { ErrorCode } from '../protocol/index.js';
import { formatJsonPath, type JsonPath } from './format-json-path.js';
import type { LocateTarget } from './locate-yaml-path.js';

export interface DocumentProblem {
  /** `invalid_document` unless a more specific code applies (`unknown_topology`, …). */
  code: ErrorCode;
  /** Where the problem is, from the document root. */
  path: JsonPath;
  /** Full message, starting with the path it is about. */
  message: string;
  hint?: string;
  /** Point at the mapping key rather than its value (unknown keys). */
  target?: LocateTarget;
}

/** Optional parts of a problem. */
export interface ProblemExtras {
  code?: ErrorCode;
  hint?: string | undefined;
  target?: LocateTarget;
}

/**
 * Builds a problem whose message names its path: `agents[0].model: …`.
 *
 * @example
 * documentProblem(['agents', 0, 'model'], 'missing', { hint: 'write it as provider/model' })
 * // → { code: 'invalid_document', path: ['agents', 0, 'model'], message: 'agents[0].model: missing', hint: … }
 */
export function documentProblem(path: JsonPath, detail: string, extras: ProblemExtras = {}): DocumentProblem {
  const label = path.length === 0 ? 'document' : formatJsonPath(path);
  const problem: DocumentProblem = { code: extras.code ?? 'invalid_document', path, message: `${label}: ${detail}` };
  if (extras.hint !== undefined) problem.hint = extras.hint;
  if (extras.target !== undefined) problem.target = extras.target;
  return problem;
}

/**
 * Appends problems one at a time. `target.push(...problems)` passes every problem as an argument,
 * and a document with a few hundred thousand unknown keys overflows the stack that way.
 *
 * @example
 * appendProblems(context.problems, parsed.problems);
 */
export function appendProblems(target: DocumentProblem[], problems: readonly DocumentProblem[]): void {
  for (const problem of problems) target.push(problem);
}

/**
 * Names the kind of a value the way messages do: `string`, `number`, `array`, `null`, …
 *
 * @example
 * describeValueType([1, 2]) // → 'array'
 */
export function describeValueType(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  return typeof value;
}

/**
 * Whether a value is a plain mapping (not an array, not null).
 *
 * @example
 * isPlainObject({ rounds: 2 }) // → true
 */
export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
