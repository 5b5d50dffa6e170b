/**
 * Messages for zod issues, written for people editing a YAML file: `expected number, received
 * string`, `must be at least 1`, `expected a number, found NaN (.nan)`. Used as a per-parse error
 * map, so a message a schema sets itself (such as the agent-name rule) still wins over these.
 */
import type { z } from 'zod';
import { describeValueType } from './document-problem.js';

type RawIssue = z.core.$ZodRawIssue;

/** zod's names for expected types, where users would say it differently. */
export const expectedWords: Record<string, string> = {
  int: 'integer',
  nonoptional: 'a value',
  record: 'object',
};

/** How many unknown keys a zod message names before it only counts them. */
const namedKeyLimit = 10;

/**
 * YAML's `.nan`, `.inf` and `-.inf` are numbers to JavaScript, so zod's own wording would be
 * "expected number, received number"; this names what was written instead.
 */
function describeNonFinite(input: number): string {
  if (Number.isNaN(input)) return 'expected a number, found NaN (.nan)';
  return input > 0 ? 'expected a finite number, found infinity (.inf)' : 'expected a finite number, found minus infinity (-.inf)';
}

function describeReceived(expected: string, input: unknown): string {
  if (expected === 'int' && typeof input === 'number') return String(input);
  return describeValueType(input);
}

function describeBound(issue: RawIssue & { origin?: string; inclusive?: boolean }, bound: number | bigint, side: 'min' | 'max'): string {
  const inclusive = issue.inclusive !== false;
  switch (issue.origin) {
    case 'number':
    case 'int':
    case 'bigint':
      if (side === 'min') return inclusive ? `must be at least ${bound}` : `must be greater than ${bound}`;
      return inclusive ? `must be at most ${bound}` : `must be less than ${bound}`;
    case 'string':
      if (side === 'min' && Number(bound) === 1) return 'must not be empty';
      return `must be ${side === 'min' ? 'at least' : 'at most'} ${bound} characters long`;
    case 'array':
    case 'set':
      return `must have ${side === 'min' ? 'at least' : 'at most'} ${bound} item${Number(bound) === 1 ? '' : 's'}`;
    default:
      return `must be ${side === 'min' ? 'at least' : 'at most'} ${bound}`;
  }
}

/**
 * Error map for `safeParse(value, { error: describeZodIssue, reportInput: true })`.
 *
 * @example
 * z.number().safeParse('x', { error: describeZodIssue }).error?.issues[0]?.message
 * // → 'expected number, received string'
 */
export function describeZodIssue(issue: RawIssue): string | undefined {
  switch (issue.code) {
    case 'invalid_type': {
      const expected = expectedWords[issue.expected] ?? issue.expected;
      if (issue.input === undefined) return `required, expected ${expected}`;
      if (typeof issue.input === 'number' && !Number.isFinite(issue.input)) return describeNonFinite(issue.input);
      return `expected ${expected}, received ${describeReceived(issue.expected, issue.input)}`;
    }
    case 'too_small':
      return describeBound(issue, issue.minimum, 'min');
    case 'too_big':
      return describeBound(issue, issue.maximum, 'max');
    case 'invalid_format':
      if (issue.pattern !== undefined) return `must match ${issue.pattern}`;
      return `must be a valid ${issue.format}`;
    case 'not_multiple_of':
      return `must be a multiple of ${issue.divisor}`;
    case 'invalid_value': {
      const choices = issue.values.map((value) => JSON.stringify(value));
      const expected = choices.length === 1 ? choices[0] : `one of ${choices.join(', ')}`;
      return issue.input === undefined ? `required, expected ${expected}` : `expected ${expected}, received ${JSON.stringify(issue.input)}`;
    }
    case 'invalid_union':
      return 'does not match any of the allowed forms';
    case 'invalid_key':
      return 'has an invalid key';
    case 'invalid_element':
      return 'has an invalid entry';
    case 'unrecognized_keys': {
      // A document may have thousands of unknown keys; the message names a few and counts the rest.
      const named = issue.keys.slice(0, namedKeyLimit).map((key) => `"${key}"`).join(', ');
      const rest = issue.keys.length > namedKeyLimit ? `, … (${issue.keys.length.toLocaleString('en-US')} in all)` : '';
      return `unknown key${issue.keys.length === 1 ? '' : 's'} ${named}${rest}`;
    }
    case 'custom':
      return 'is not valid';
    default:
      return undefined;
  }
}
