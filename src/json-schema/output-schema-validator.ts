/**
 * Validation of an agent's structured answer against its `output_schema`, with Ajv — a maintained
 * JSON Schema validator — rather than a hand-written subset. The document loader uses it to reject
 * a schema that does not compile (with its path in the document), the kernel to check each answer.
 *
 * Ajv is loaded on first use through `require`, not imported with this module: every `conclave`
 * command loads the document loader, and only a document with an `output_schema` should pay for
 * loading Ajv. The dialect follows the schema's `$schema` (2020-12, 2019-09), draft-07 otherwise.
 * Unknown keywords and formats are ignored (`strict: false`), as most validators do, so a schema
 * written for a provider (with its extra annotations) is accepted as it is.
 */
import { createRequire } from 'node:module';
import type { AnySchemaObject, ErrorObject, Options, ValidateFunction } from 'ajv';

type JsonSchema = Record<string, unknown>;

/** One way an answer misses its schema: where (`items[0].name`, `(root)`) and what. */
export interface SchemaProblem {
  path: string;
  message: string;
}

/** What a reply's text came to: its JSON value (and that JSON's text), or the problems found. */
export type StructuredAnswer = { ok: true; value: unknown; json: string } | { ok: false; problems: SchemaProblem[] };

interface AjvInstance {
  compile(schema: AnySchemaObject): ValidateFunction;
}
type AjvConstructor = new (options: Options) => AjvInstance;

const requireModule = createRequire(import.meta.url);
const instances = new Map<string, AjvInstance>();
const compiled = new WeakMap<JsonSchema, ValidateFunction>();

function dialectOf(schema: JsonSchema): 'ajv' | 'ajv/dist/2020' | 'ajv/dist/2019' {
  const declared = typeof schema['$schema'] === 'string' ? schema['$schema'] : '';
  if (declared.includes('2020-12')) return 'ajv/dist/2020';
  if (declared.includes('2019-09')) return 'ajv/dist/2019';
  return 'ajv';
}

function ajvFor(schema: JsonSchema): AjvInstance {
  const dialect = dialectOf(schema);
  let instance = instances.get(dialect);
  if (instance === undefined) {
    const loaded = requireModule(dialect) as AjvConstructor & { default?: AjvConstructor };
    const Ajv = loaded.default ?? loaded;
    instance = new Ajv({ allErrors: true, strict: false, validateFormats: false, logger: false });
    instances.set(dialect, instance);
  }
  return instance;
}

function validatorFor(schema: JsonSchema): ValidateFunction {
  let validate = compiled.get(schema);
  if (validate === undefined) {
    validate = ajvFor(schema).compile(schema as AnySchemaObject);
    compiled.set(schema, validate);
  }
  return validate;
}

/**
 * Why a schema cannot be used, or undefined when it compiles.
 *
 * @example
 * outputSchemaProblem({ type: 'object', properties: { n: { type: 'integer' } } }) // → undefined
 * outputSchemaProblem({ type: 'objekt' }) // → 'schema is invalid: data/type must be equal to one of the allowed values, …'
 */
export function outputSchemaProblem(schema: JsonSchema): string | undefined {
  try {
    validatorFor(schema);
    return undefined;
  } catch (thrown) {
    return thrown instanceof Error ? thrown.message : String(thrown);
  }
}

/** `/items/0/name` → `items[0].name`; the empty pointer is `(root)`. */
function pathOf(pointer: string, child?: string): string {
  const keys = pointer === '' ? [] : pointer.slice(1).split('/').map((key) => key.replace(/~1/g, '/').replace(/~0/g, '~'));
  if (child !== undefined) keys.push(child);
  if (keys.length === 0) return '(root)';
  return keys.map((key, index) => (/^\d+$/.test(key) ? `[${key}]` : `${index === 0 ? '' : '.'}${key}`)).join('');
}

function problemOf(error: ErrorObject): SchemaProblem {
  const params = error.params as { missingProperty?: string; additionalProperty?: string };
  if (error.keyword === 'required' && params.missingProperty !== undefined) {
    return { path: pathOf(error.instancePath, params.missingProperty), message: 'is required' };
  }
  if (error.keyword === 'additionalProperties' && params.additionalProperty !== undefined) {
    return { path: pathOf(error.instancePath, params.additionalProperty), message: 'is not allowed by the schema' };
  }
  return { path: pathOf(error.instancePath), message: error.message ?? `fails ${error.keyword}` };
}

/**
 * The problems of `value` against `schema`, empty when it matches.
 *
 * @example
 * validateAgainstSchema({ type: 'object', required: ['score'] }, {}) // → [{ path: 'score', message: 'is required' }]
 */
export function validateAgainstSchema(schema: JsonSchema, value: unknown): SchemaProblem[] {
  const validate = validatorFor(schema);
  if (validate(value)) return [];
  return (validate.errors ?? []).map(problemOf);
}

const fencePattern = /^```[A-Za-z]*[ \t]*\r?\n([\s\S]*?)\r?\n?```$/;

/**
 * Parses a reply as JSON (a reply wrapped in one code fence is unwrapped) and checks it against the
 * schema. Only the exact JSON document is accepted: prose around it is a problem to report.
 *
 * @example
 * checkStructuredAnswer('{"score": 3}', { type: 'object', properties: { score: { type: 'integer' } } })
 * // → { ok: true, value: { score: 3 }, json: '{"score": 3}' }
 * checkStructuredAnswer('Score: 3', schema) // → { ok: false, problems: [{ path: '(root)', message: 'the answer is not JSON: …' }] }
 */
export function checkStructuredAnswer(text: string, schema: JsonSchema): StructuredAnswer {
  const trimmed = text.trim();
  const json = fencePattern.exec(trimmed)?.[1]?.trim() ?? trimmed;
  let value: unknown;
  try {
    value = JSON.parse(json) as unknown;
  } catch (thrown) {
    const reason = thrown instanceof Error ? thrown.message : 'invalid JSON';
    return { ok: false, problems: [{ path: '(root)', message: `the answer is not JSON: ${reason}` }] };
  }
  const problems = validateAgainstSchema(schema, value);
  return problems.length === 0 ? { ok: true, value, json } : { ok: false, problems };
}

/**
 * Problems as one line each, `path: message`, for messages to the model and to the user.
 *
 * @example
 * formatSchemaProblems([{ path: 'score', message: 'must be integer' }]) // → 'score: must be integer'
 */
export function formatSchemaProblems(problems: readonly SchemaProblem[]): string {
  return problems.map((problem) => `${problem.path}: ${problem.message}`).join('\n');
}
