/**
 * Structured output for the offline models: a deterministic JSON value that conforms to a JSON
 * Schema (draft 2020-12, as `z.toJSONSchema` writes it), so topologies that ask for JSON — planners,
 * routers, critics, voters — run offline. Every draw comes from a PRNG seeded by the request's text
 * seed, so the same request always gives the same JSON and any change to the conversation may
 * change it. Content comes from `json-field-content.ts`.
 *
 * Shape rules:
 * - `$ref` (`#`, `#/$defs/…`, `#/definitions/…`, any local JSON pointer) is followed; an unresolvable
 *   reference, `{}` and `true` allow anything and get a short phrase. `allOf` parts are merged.
 * - `anyOf` / `oneOf` / a `type` list: one branch is picked; a `null` branch only with probability
 *   0.2 (never for a field that carries the model's answer or a verdict).
 * - Objects: every `required` property, each optional one with probability 0.5 (none past depth 3);
 *   with no `properties`, a schema-valued `additionalProperties` gets 1–2 entries (keys from
 *   `propertyNames.enum` when given); `additionalProperties: false` adds nothing.
 * - Arrays: `prefixItems` first, then `items`, 2–4 in all unless `minItems` / `maxItems` say
 *   otherwise (the minimum only past depth 3, to stop recursive schemas); enum items are drawn
 *   from the values not used yet, other items redrawn a few times under `uniqueItems`.
 * - Numbers: within `minimum` / `maximum` / `exclusiveMinimum` / `exclusiveMaximum` (1–10 for an
 *   unbounded integer, 0–1 for a number), on `multipleOf` when given. Strings: `const`, `enum`,
 *   `minLength` / `maxLength`; `date-time`, `date`, `email`, `uri` and `uuid` formats are honoured,
 *   `pattern` is not.
 *
 * Content rules (by field name, see `classifyField`):
 * - An enum containing both `approve` and `revise` (a critic's `verdict`) is `approve` with a
 *   probability that grows with the number of earlier assistant turns (0.3, 0.6, 0.9, see
 *   `approvalProbability`), so reflection loops converge in one to three rounds; otherwise one of
 *   the other values. A conversation that states `Round N` / `iteration N` counts as N − 1 turns, for
 *   reviewers that get a fresh conversation each round. Boolean fields named like `approved` /
 *   `isComplete` follow the same odds.
 * - Answer-like fields (`answer`, `finalAnswer`, `stance`, `vote`, `decision`, …) carry the model's
 *   own answer: the persona's `Final answer` stance (not prose, so that votes can agree), the arith
 *   model's number (as a string for a string field), the echoed message. An enum field takes the
 *   value equal to that answer when there is one.
 * - Other string enums: when the conversation mentions some of the values (agent names for a
 *   router or a planner), one of those is drawn, weighted towards the value whose describing lines
 *   share words with the task; otherwise any value.
 * - Prose-like fields (`instruction`, `feedback`, `reason`, `critique`, …) get one or two sentences
 *   from the model's writer; label-like fields (`title`, `topic`, `name`) a salient phrase of the
 *   task; identifiers (`id`, `key`, `slug`) a slug of one with a number, unique within the value.
 */
import {
  approvalProbability,
  classifyField,
  createFieldContent,
  type FieldContent,
  type FieldKind,
  type JsonWriterContext,
} from './json-field-content.js';
import { lastContent } from './offline-conversation.js';
import { createSeededRandom, deriveSeed, type SeededRandom } from './seeded-random.js';

export { approvalProbability, type JsonWriterContext };

type Schema = Record<string, unknown>;

/** Past this depth optional parts are left out; past `hardDepthLimit` the writer gives up with null. */
const optionalDepthLimit = 3;
const hardDepthLimit = 24;

interface Walk {
  root: Schema;
  random: SeededRandom;
  content: FieldContent;
  /** Identifiers written so far, kept unique (plans often require unique subtask ids). */
  identifiers: Set<string>;
}

function isSchema(value: unknown): value is Schema {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function numberOf(schema: Schema, key: string): number | undefined {
  const value = schema[key];
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}

/** Follows a local reference (`#`, `#/$defs/Step`, `#/properties/a/items`). */
function resolveReference(root: Schema, reference: string): Schema | undefined {
  if (!reference.startsWith('#')) return undefined;
  let target: unknown = root;
  for (const raw of reference.slice(1).split('/').slice(1)) {
    const key = decodeURIComponent(raw).replace(/~1/g, '/').replace(/~0/g, '~');
    target = isSchema(target) || Array.isArray(target) ? (target as Record<string, unknown>)[key] : undefined;
  }
  return isSchema(target) ? target : target === true ? {} : undefined;
}

function objectAt(schema: Schema, key: string): Schema {
  const value = schema[key];
  return isSchema(value) ? value : {};
}

function listAt(schema: Schema, key: string): unknown[] {
  const value = schema[key];
  return Array.isArray(value) ? value : [];
}

/** Merges `allOf` parts into their parent: properties and required lists add up, other keys override. */
function mergeAllOf(walk: Walk, schema: Schema): Schema {
  const parts = Array.isArray(schema['allOf']) ? schema['allOf'] : [];
  let merged: Schema = { ...schema };
  delete merged['allOf'];
  for (const part of parts) {
    const resolved = isSchema(part) ? expand(walk, part) : {};
    const properties = { ...objectAt(merged, 'properties'), ...objectAt(resolved, 'properties') };
    const required = [...new Set([...listAt(merged, 'required'), ...listAt(resolved, 'required')])];
    merged = { ...merged, ...resolved, properties, required };
  }
  return merged;
}

/** Resolves `$ref` and `allOf` until the schema says what it is. */
function expand(walk: Walk, schema: Schema): Schema {
  let current = schema;
  for (let hops = 0; hops < 16 && typeof current['$ref'] === 'string'; hops += 1) {
    const { $ref: reference, ...siblings } = current;
    current = { ...(resolveReference(walk.root, reference as string) ?? {}), ...siblings };
  }
  return Array.isArray(current['allOf']) ? mergeAllOf(walk, current) : current;
}

function isNullBranch(schema: unknown): boolean {
  if (!isSchema(schema)) return false;
  const values = listAt(schema, 'enum');
  return schema['type'] === 'null' || (values.length === 1 && values[0] === null);
}

/** Picks a branch, `null` ones only with probability 0.2 and never for answers and verdicts. */
function pickBranch(walk: Walk, branches: readonly unknown[], kind: FieldKind): unknown {
  const others = branches.filter((branch) => !isNullBranch(branch));
  const nulls = branches.filter(isNullBranch);
  const allowNull = kind === 'plain' || kind === 'prose' || kind === 'label' || kind === 'identifier';
  if (others.length === 0 || (nulls.length > 0 && allowNull && walk.random.chance(0.2))) return nulls[0] ?? {};
  return walk.random.pick(others);
}

function writeValue(walk: Walk, schema: unknown, name: string | undefined, depth: number): unknown {
  if (depth > hardDepthLimit || schema === false) return null;
  if (!isSchema(schema)) return writeString(walk, {}, classifyField(name));
  const expanded = expand(walk, schema);
  const kind = classifyField(name);
  if ('const' in expanded) return expanded['const'];
  if (Array.isArray(expanded['enum']) && expanded['enum'].length > 0) return walk.content.pickEnum(expanded['enum'], kind, walk.random);
  for (const key of ['anyOf', 'oneOf'] as const) {
    const branches = expanded[key];
    if (Array.isArray(branches) && branches.length > 0) {
      const { [key]: _branches, ...rest } = expanded;
      const branch = pickBranch(walk, branches, kind);
      return writeValue(walk, { ...rest, ...(isSchema(branch) ? branch : {}) }, name, depth + 1);
    }
  }
  const declared = expanded['type'];
  let type = typeof declared === 'string' ? declared : undefined;
  if (Array.isArray(declared) && declared.length > 0) {
    type = (pickBranch(walk, declared.map((entry) => ({ type: entry })), kind) as Schema)['type'] as string | undefined;
  }
  type ??= inferType(expanded);
  switch (type) {
    case 'object':
      return writeObject(walk, expanded, depth);
    case 'array':
      return writeArray(walk, expanded, name, depth);
    case 'integer':
    case 'number':
      return writeNumber(walk, expanded, type === 'integer', kind);
    case 'boolean':
      return kind === 'approval' ? walk.content.approves(walk.random) : walk.random.chance(0.5);
    case 'null':
      return null;
    default:
      return writeString(walk, expanded, kind);
  }
}

function inferType(schema: Schema): string | undefined {
  if (isSchema(schema['properties']) || 'additionalProperties' in schema || 'required' in schema) return 'object';
  if ('items' in schema || 'prefixItems' in schema) return 'array';
  if ('minimum' in schema || 'maximum' in schema || 'multipleOf' in schema) return 'number';
  return undefined;
}

function writeObject(walk: Walk, schema: Schema, depth: number): Record<string, unknown> {
  const properties = isSchema(schema['properties']) ? schema['properties'] : {};
  const required = new Set(Array.isArray(schema['required']) ? schema['required'].filter((key) => typeof key === 'string') : []);
  const value: Record<string, unknown> = {};
  for (const [key, propertySchema] of Object.entries(properties)) {
    if (required.has(key) || (depth < optionalDepthLimit && walk.random.chance(0.5))) {
      value[key] = writeValue(walk, propertySchema, key, depth + 1);
    }
  }
  // Required keys with no schema of their own accept anything.
  for (const key of required) if (!(key in value)) value[key] = writeValue(walk, schema['additionalProperties'] ?? {}, key, depth + 1);
  const extra = schema['additionalProperties'];
  if (Object.keys(properties).length === 0 && (isSchema(extra) || extra === true)) {
    const names = isSchema(schema['propertyNames']) ? schema['propertyNames']['enum'] : undefined;
    const keys = Array.isArray(names) && names.length > 0 ? names.map(String) : undefined;
    const count = depth < optionalDepthLimit ? walk.random.integer(1, 2) : 0;
    for (let index = 0; index < count; index += 1) {
      const key = keys !== undefined ? walk.random.pick(keys) : slug(walk.content.phrase(walk.random));
      if (!(key in value)) value[key] = writeValue(walk, extra, key, depth + 1);
    }
  }
  return value;
}

function writeArray(walk: Walk, schema: Schema, name: string | undefined, depth: number): unknown[] {
  const prefix = Array.isArray(schema['prefixItems']) ? schema['prefixItems'] : [];
  const items = schema['items'];
  const minimum = Math.max(0, numberOf(schema, 'minItems') ?? 0);
  let maximum = numberOf(schema, 'maxItems') ?? Number.POSITIVE_INFINITY;
  if (items === false) maximum = Math.min(maximum, prefix.length);
  maximum = Math.max(minimum, maximum);
  const wanted = depth < optionalDepthLimit ? walk.random.integer(2, 4) : minimum;
  const count = Math.min(Math.max(wanted, minimum, items === false ? prefix.length : 0), maximum);
  const values: unknown[] = [];
  const seen = new Set<string>();
  for (let index = 0; index < count; index += 1) {
    const itemSchema = index < prefix.length ? prefix[index] : (items ?? {});
    const choices = isSchema(itemSchema) ? listAt(expand(walk, itemSchema), 'enum') : [];
    // Enum items are drawn from the values not used yet: a model asked for several routes does not
    // name one twice. Other items are redrawn a few times under `uniqueItems`.
    const unused = choices.filter((choice) => !seen.has(JSON.stringify(choice)));
    let value = unused.length > 0 ? walk.content.pickEnum(unused, classifyField(name), walk.random) : writeValue(walk, itemSchema, name, depth + 1);
    for (let attempt = 0; schema['uniqueItems'] === true && seen.has(JSON.stringify(value)) && attempt < 8; attempt += 1) {
      value = writeValue(walk, itemSchema, name, depth + 1);
    }
    seen.add(JSON.stringify(value));
    values.push(value);
  }
  return values;
}

function writeNumber(walk: Walk, schema: Schema, integer: boolean, kind: FieldKind): number {
  let low = numberOf(schema, 'minimum') ?? Number.NEGATIVE_INFINITY;
  let high = numberOf(schema, 'maximum') ?? Number.POSITIVE_INFINITY;
  const exclusiveLow = numberOf(schema, 'exclusiveMinimum');
  const exclusiveHigh = numberOf(schema, 'exclusiveMaximum');
  const step = numberOf(schema, 'multipleOf') ?? (integer ? 1 : 0.01);
  if (exclusiveLow !== undefined) low = Math.max(low, exclusiveLow + (integer ? 1 : step / 100));
  if (exclusiveHigh !== undefined) high = Math.min(high, exclusiveHigh - (integer ? 1 : step / 100));
  const answer = kind === 'answer' ? walk.content.answer() : undefined;
  const answerNumber =
    typeof answer === 'number' ? answer : typeof answer === 'string' && /^-?\d+(\.\d+)?$/.test(answer.trim()) ? Number(answer) : undefined;
  if (answerNumber !== undefined && answerNumber >= low && answerNumber <= high && (!integer || Number.isInteger(answerNumber))) return answerNumber;
  if (!Number.isFinite(low) && !Number.isFinite(high)) [low, high] = integer ? [1, 10] : [0, 1];
  else if (!Number.isFinite(low)) low = high - (integer ? 9 : 1);
  else if (!Number.isFinite(high)) high = low + (integer ? 9 : 1);
  const lowStep = Math.ceil(low / step - 1e-9);
  const highStep = Math.floor(high / step + 1e-9);
  if (highStep < lowStep) return integer ? Math.ceil(low) : low;
  const value = walk.random.integer(lowStep, highStep) * step;
  return Number(value.toFixed(integer ? 0 : 6));
}

function slug(text: string): string {
  return text.toLowerCase().replace(/[^\p{L}\p{N}]+/gu, '-').replace(/^-+|-+$/g, '') || 'item';
}

function formatted(walk: Walk, format: string): string | undefined {
  const { random } = walk;
  const day = new Date(Date.UTC(2024, 0, 1) + random.integer(0, 730) * 86_400_000 + random.integer(0, 86_399) * 1000);
  switch (format) {
    case 'date-time':
      return day.toISOString().replace(/\.\d{3}Z$/, 'Z');
    case 'date':
      return day.toISOString().slice(0, 10);
    case 'email':
      return `${slug(walk.content.phrase(random)).replace(/-/g, '.')}@example.com`;
    case 'uri':
    case 'url':
      return `https://example.com/${slug(walk.content.phrase(random))}`;
    case 'uuid': {
      const hex = Array.from({ length: 32 }, () => random.integer(0, 15).toString(16)).join('');
      return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-a${hex.slice(17, 20)}-${hex.slice(20)}`;
    }
    default:
      return undefined;
  }
}

function uniqueIdentifier(walk: Walk): string {
  const base = slug(walk.content.phrase(walk.random));
  let number = walk.random.integer(1, 9);
  while (walk.identifiers.has(`${base}-${number}`)) number += 1;
  walk.identifiers.add(`${base}-${number}`);
  return `${base}-${number}`;
}

/** Whole sentences when some fit, else whole words, else characters; never below `minimum`. */
function shorten(text: string, minimum: number, maximum: number): string {
  const length = (value: string): number => [...value].length;
  const sentences = text.split(/(?<=[.!?"])\s+/);
  while (sentences.length > 1 && length(sentences.join(' ')) > maximum) sentences.pop();
  const bySentence = sentences.join(' ');
  if (length(bySentence) <= maximum && length(bySentence) >= minimum) return bySentence;
  const cut = [...text].slice(0, maximum).join('');
  const atWord = cut.replace(/\s+\S*$/, '');
  return length(atWord) >= Math.max(minimum, 1) ? atWord : cut;
}

function writeString(walk: Walk, schema: Schema, kind: FieldKind): string {
  const { content, random } = walk;
  const format = typeof schema['format'] === 'string' ? formatted(walk, schema['format']) : undefined;
  let text: string;
  if (format !== undefined) text = format;
  else if (kind === 'answer') text = String(content.answer() ?? content.sentence(random));
  else if (kind === 'prose') text = content.sentence(random);
  else if (kind === 'identifier') text = uniqueIdentifier(walk);
  else if (kind === 'approval') text = content.approves(random) ? 'yes' : 'no';
  else text = content.phrase(random);
  const minimum = numberOf(schema, 'minLength') ?? 0;
  const maximum = numberOf(schema, 'maxLength');
  for (let attempt = 0; [...text].length < minimum && attempt < 8; attempt += 1) text = `${text} ${content.sentence(random)}`;
  while ([...text].length < minimum) text += '.';
  return maximum !== undefined && [...text].length > maximum ? shorten(text, minimum, maximum) : text;
}

/**
 * Writes a value conforming to `schema` for one request (see the module header for the rules).
 *
 * @example
 * writeJsonForSchema(
 *   { type: 'object', properties: { verdict: { enum: ['approve', 'revise'] }, feedback: { type: 'string' } }, required: ['verdict', 'feedback'] },
 *   { request, options, textSeed },
 * )
 * // → { verdict: 'revise', feedback: 'Before anyone commits on remote work, someone should show me the failure cases.' }
 */
export function writeJsonForSchema(schema: Record<string, unknown>, context: JsonWriterContext): unknown {
  const walk: Walk = {
    root: schema,
    random: createSeededRandom(deriveSeed(context.textSeed, 'json')),
    content: createFieldContent(context),
    identifiers: new Set(),
  };
  return writeValue(walk, schema, undefined, 0);
}

/**
 * The JSON a model writes when asked for JSON without a schema: `{ text }` with the last user
 * message for echo; `{ answer, reasoning }` for persona (the stance and the prose) and arith (the
 * number and the working).
 *
 * @example
 * writeJsonWithoutSchema({ request: { model: 'echo', messages: [{ role: 'user', content: 'hi' }] }, options, textSeed })
 * // → { text: 'hi' }
 */
export function writeJsonWithoutSchema(context: JsonWriterContext): Record<string, unknown> {
  if (context.options.name === 'echo') return { text: lastContent(context.request.messages, 'user') ?? '' };
  const content = createFieldContent(context);
  const reasoning = content.reply().replace(/\n?Final answer:.*$/s, '').trim();
  const answer = content.answer();
  return answer === undefined ? { answer: reasoning } : { answer, reasoning };
}
