/**
 * Whether a JSON Schema can be sent with `strict: true`. OpenAI's strict structured outputs decode
 * exactly to the schema, but only accept schemas in which every object closes its properties
 * (`additionalProperties: false`) and requires all of them. A schema that does not is sent without
 * `strict` (the model is then asked, not forced), and the kernel's validation of the answer stays
 * the guarantee; rewriting a user's schema to make it strict would change what it accepts.
 */

type JsonSchema = Record<string, unknown>;

function isSchema(value: unknown): value is JsonSchema {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function childSchemas(schema: JsonSchema): unknown[] {
  const children: unknown[] = [];
  for (const key of ['properties', '$defs', 'definitions'] as const) {
    const group = schema[key];
    if (isSchema(group)) children.push(...Object.values(group));
  }
  for (const key of ['anyOf', 'allOf', 'oneOf', 'prefixItems'] as const) {
    const group = schema[key];
    if (Array.isArray(group)) children.push(...(group as unknown[]));
  }
  if (schema['items'] !== undefined) children.push(...(Array.isArray(schema['items']) ? (schema['items'] as unknown[]) : [schema['items']]));
  return children;
}

function objectIsClosed(schema: JsonSchema): boolean {
  const isObject = schema['type'] === 'object' || isSchema(schema['properties']);
  if (!isObject) return true;
  if (schema['additionalProperties'] !== false) return false;
  const properties = Object.keys(isSchema(schema['properties']) ? schema['properties'] : {});
  const required = Array.isArray(schema['required']) ? (schema['required'] as unknown[]) : [];
  return properties.every((name) => required.includes(name));
}

/**
 * True when `schema` is an object schema that strict mode accepts as it is.
 *
 * @example
 * isStrictJsonSchema({ type: 'object', properties: { a: { type: 'string' } }, required: ['a'], additionalProperties: false }) // → true
 * isStrictJsonSchema({ type: 'object', properties: { a: { type: 'string' } } }) // → false
 */
export function isStrictJsonSchema(schema: JsonSchema): boolean {
  if (schema['type'] !== 'object') return false;
  const pending: unknown[] = [schema];
  for (let next = pending.pop(); next !== undefined; next = pending.pop()) {
    if (!isSchema(next)) continue;
    if (!objectIsClosed(next)) return false;
    pending.push(...childSchemas(next));
  }
  return true;
}
