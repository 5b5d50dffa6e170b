/**
 * The `json-schema` assertion: reading JSON out of a model's answer strictly (no repairs — valid
 * JSON is what is being measured), validating it with zod's JSON Schema converter, and finding the
 * parts of a schema that converter would silently leave unchecked, so the suite loader reports them.
 */
import { z } from 'zod';
import { formatJsonPath, type JsonPath } from '../config/format-json-path.js';
import type { QualityCheck } from './bench-types.js';

function check(passed: boolean, detail?: string): QualityCheck {
  return detail === undefined ? { name: 'json-schema', passed, score: passed ? 1 : 0 } : { name: 'json-schema', passed, score: passed ? 1 : 0, detail };
}

/** A text shortened for a detail line, as a JSON string. */
function quote(text: string, limit = 80): string {
  return JSON.stringify(text.length > limit ? `${text.slice(0, limit)}…` : text);
}

function balancedEnd(text: string, start: number): number | undefined {
  const closers: string[] = [];
  let inString = false;
  for (let index = start; index < text.length; index += 1) {
    const character = text[index];
    if (inString) {
      if (character === '\\') index += 1;
      else if (character === '"') inString = false;
    } else if (character === '"') inString = true;
    else if (character === '{' || character === '[') closers.push(character === '{' ? '}' : ']');
    else if (character === '}' || character === ']') {
      if (closers.pop() !== character) return undefined;
      if (closers.length === 0) return index;
    }
  }
  return undefined;
}

/**
 * The JSON in a model's answer, read strictly (no repairs: producing valid JSON is what is being
 * measured): the whole answer, else a ```json fence, else the first `{…}` or `[…]` that parses.
 *
 * @example
 * parseJsonAnswer('Here you go:\n```json\n{"a": 1}\n```') // → { ok: true, value: { a: 1 } }
 * parseJsonAnswer('{a: 1}')                                 // → { ok: false }
 */
export function parseJsonAnswer(output: string): { ok: true; value: unknown } | { ok: false } {
  const candidates = function* (): Generator<string> {
    yield output.trim();
    const fenced = /```(?:json|JSON)?[ \t]*\r?\n([\s\S]*?)```/.exec(output)?.[1];
    if (fenced !== undefined) yield fenced.trim();
    for (let start = 0; start < output.length; start += 1) {
      if (output[start] !== '{' && output[start] !== '[') continue;
      const end = balancedEnd(output, start);
      if (end === undefined) continue;
      yield output.slice(start, end + 1);
      // Nothing nested in a bracket that is not JSON counts: `{a: [1]}` must not pass as `[1]`.
      start = end;
    }
  };
  for (const candidate of candidates()) {
    try {
      return { ok: true, value: JSON.parse(candidate) as unknown };
    } catch {
      // not this one; try the next candidate
    }
  }
  return { ok: false };
}

const convertedSchemas = new WeakMap<object, z.ZodType>();

function convertSchema(schema: Record<string, unknown>): z.ZodType {
  let converted = convertedSchemas.get(schema);
  if (converted === undefined) {
    converted = z.fromJSONSchema(schema as Parameters<typeof z.fromJSONSchema>[0]);
    convertedSchemas.set(schema, converted);
  }
  return converted;
}

/**
 * Checks that the answer holds JSON valid under `schema`; the detail lists the first issues with
 * their JSON paths.
 *
 * @example
 * checkJsonSchema({ type: 'object', required: ['a'], properties: { a: {} } }, '{"b": 1}').passed // → false
 */
export function checkJsonSchema(jsonSchema: Record<string, unknown>, output: string): QualityCheck {
  const parsed = parseJsonAnswer(output);
  if (!parsed.ok) return check(false, `the answer contains no valid JSON: ${quote(output)}`);
  let schema: z.ZodType;
  try {
    schema = convertSchema(jsonSchema);
  } catch (error) {
    return check(false, `the JSON schema cannot be used: ${(error as Error).message}`);
  }
  const result = schema.safeParse(parsed.value);
  if (result.success) return check(true);
  const issues = result.error.issues;
  const shown = issues.slice(0, 3).map((issue) => {
    const path = formatJsonPath(issue.path.map((segment) => (typeof segment === 'number' ? segment : String(segment))));
    return `${path === '' ? '(root)' : path}: ${issue.message}`;
  });
  const more = issues.length > shown.length ? `; and ${issues.length - shown.length} more` : '';
  return check(false, `${shown.join('; ')}${more}`);
}

const subschemaLists = ['anyOf', 'oneOf', 'allOf', 'prefixItems'];
const subschemaMaps = ['properties', 'patternProperties', '$defs', 'definitions'];
const subschemaSingles = ['items', 'additionalProperties', 'not', 'contains'];

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Places where zod's converter would check less than the schema says (it ignores them silently).
 *
 * @example
 * const problems: string[] = []; schemaGaps({ required: ['a'] }, ['schema'], problems); // problems[0] → 'schema: add "type: object"; …'
 */
export function schemaGaps(schema: unknown, path: JsonPath, problems: string[]): void {
  if (!isRecord(schema)) return;
  const properties = isRecord(schema['properties']) ? schema['properties'] : undefined;
  const required = Array.isArray(schema['required']) ? schema['required'] : undefined;
  if ((properties !== undefined || required !== undefined) && schema['type'] === undefined) {
    problems.push(`${formatJsonPath(path)}: add "type: object"; without it, properties and required are not checked`);
  }
  for (const key of required ?? []) {
    if (properties === undefined || !(String(key) in properties)) {
      problems.push(`${formatJsonPath([...path, 'required'])}: "${String(key)}" must also be listed in properties (with {} for any value) to be checked`);
    }
  }
  for (const name of subschemaSingles) schemaGaps(schema[name], [...path, name], problems);
  for (const name of subschemaLists) {
    const list = schema[name];
    if (Array.isArray(list)) list.forEach((item, index) => schemaGaps(item, [...path, name, index], problems));
  }
  for (const name of subschemaMaps) {
    const map = schema[name];
    if (isRecord(map)) for (const [key, item] of Object.entries(map)) schemaGaps(item, [...path, name, key], problems);
  }
}

