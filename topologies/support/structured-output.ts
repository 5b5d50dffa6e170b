/**
 * Structured output for topologies: find JSON in a model's reply, repair the faults models commonly
 * make, validate it with a zod schema, and phrase the one corrective retry.
 *
 * Models wrap JSON in prose and fences, leave trailing commas, use single or smart quotes and bare
 * keys. `extractJson` tolerates exactly those faults with a small character scanner — it never
 * evaluates the text. Providers that support it also get the schema itself (`responseFormat`), so a
 * good model rarely needs the repairs.
 *
 * The bounded corrective retry is a machine pattern, not a helper, because every call must be a
 * journaled `callAgents` invocation:
 *
 *   asking ──parse ok──▶ (continue)
 *     └─parse failed──▶ correcting: re-ask once at `<path>/retry:1` with the original messages,
 *                       the bad reply as an assistant turn and `correctionPrompt(...)`
 *                         ├─parse ok──▶ (continue)
 *                         └─parse failed──▶ failed (final): output `reason: 'invalid_structured_output'`
 *                                           (or a topology-specific reason such as `invalid_plan`)
 *
 * An invalid reply is an outcome of the run, not an error (an error thrown from an action would end
 * the run, as support/agent-failure.ts does when too few agents are left), so the failure is a final
 * state whose `TopologyResult` carries the reason and the last parse error in `details.error`; the
 * session itself ends normally and callers branch on `result.reason`.
 */
import { z } from 'zod';
import type { Message } from '../../src/protocol/index.js';

/** The reason a topology reports when a reply stays invalid after the corrective retry. */
export const invalidStructuredOutput = 'invalid_structured_output';

const fencePattern = /```(?:json|JSON|jsonc)?[ \t]*\r?\n?([\s\S]*?)```/;

/**
 * The first JSON value in a model's reply: a ```json fenced block, else the first balanced `{…}` or
 * `[…]` that parses (after repairs), else undefined.
 *
 * @example
 * extractJson('Sure! ```json\n{"route": "billing",}\n```') // → { route: 'billing' }
 * extractJson("Plan: {subtasks: [{id: 'a'}]}")            // → { subtasks: [{ id: 'a' }] }
 */
export function extractJson(text: string): unknown {
  const fenced = fencePattern.exec(text)?.[1];
  if (fenced !== undefined) {
    const value = parseLenient(fenced.trim());
    if (value !== undefined) return value;
  }
  for (let start = 0; start < text.length; start += 1) {
    const char = text[start];
    if (char !== '{' && char !== '[') continue;
    const end = balancedEnd(text, start);
    if (end === undefined) continue;
    const value = parseLenient(text.slice(start, end + 1));
    if (value !== undefined) return value;
  }
  return undefined;
}

/** `JSON.parse`, then again after repairs; undefined when neither works. */
function parseLenient(candidate: string): unknown {
  for (const source of [candidate, repairJson(candidate), repairJson(straightenQuotes(candidate))]) {
    try {
      return JSON.parse(source) as unknown;
    } catch {
      // try the next, more repaired form
    }
  }
  return undefined;
}

function straightenQuotes(text: string): string {
  return text.replace(/[\u201C\u201D\u201E\u201F\u2033]/g, '"').replace(/[\u2018\u2019\u201A\u201B\u2032]/g, "'");
}

/** Index of the bracket closing the one at `start`, skipping brackets inside strings. */
function balancedEnd(text: string, start: number): number | undefined {
  const stack: string[] = [];
  let quote: string | undefined;
  for (let index = start; index < text.length; index += 1) {
    const char = text[index] as string;
    if (quote !== undefined) {
      if (char === '\\') index += 1;
      else if (char === quote) quote = undefined;
      continue;
    }
    if (char === '"' || char === "'") quote = char;
    else if (char === '{' || char === '[') stack.push(char === '{' ? '}' : ']');
    else if (char === '}' || char === ']') {
      if (stack.pop() !== char) return undefined;
      if (stack.length === 0) return index;
    }
  }
  return undefined;
}

/**
 * Rewrites common JSON faults outside strings: single-quoted strings become double-quoted, bare
 * keys are quoted, trailing commas before `}` or `]` are dropped.
 *
 * @example
 * repairJson("{a: 'x', b: [1, 2,],}") // → '{"a": "x", "b": [1, 2]}'
 */
export function repairJson(text: string): string {
  let output = '';
  let index = 0;
  while (index < text.length) {
    const char = text[index] as string;
    if (char === '"' || char === "'") {
      const { value, next } = readString(text, index, char);
      output += JSON.stringify(value);
      index = next;
    } else if (char === ',' && /^\s*[}\]]/.test(text.slice(index + 1))) {
      index += 1;
    } else if (/[A-Za-z_$]/.test(char)) {
      const word = /^[A-Za-z_$][\w$-]*/.exec(text.slice(index))?.[0] ?? char;
      const isKey = /^\s*:/.test(text.slice(index + word.length));
      output += isKey ? JSON.stringify(word) : word;
      index += word.length;
    } else {
      output += char;
      index += 1;
    }
  }
  return output;
}

/** Reads a quoted string starting at `start`; returns its decoded value and the index after it. */
function readString(text: string, start: number, quote: string): { value: string; next: number } {
  let value = '';
  let index = start + 1;
  while (index < text.length && text[index] !== quote) {
    const char = text[index] as string;
    if (char === '\\' && index + 1 < text.length) {
      const escaped = text[index + 1] as string;
      const decoded: Record<string, string> = { n: '\n', t: '\t', r: '\r', b: '\b', f: '\f' };
      if (escaped === 'u' && /^[0-9a-fA-F]{4}$/.test(text.slice(index + 2, index + 6))) {
        value += String.fromCharCode(Number.parseInt(text.slice(index + 2, index + 6), 16));
        index += 6;
        continue;
      }
      value += decoded[escaped] ?? escaped;
      index += 2;
      continue;
    }
    value += char;
    index += 1;
  }
  return { value, next: index + 1 };
}

/**
 * A JSON path for messages: `subtasks[0].worker`, or `(root)` for the value itself.
 *
 * @example
 * formatJsonPath(['subtasks', 0, 'worker']) // → 'subtasks[0].worker'
 */
export function formatJsonPath(path: ReadonlyArray<PropertyKey>): string {
  if (path.length === 0) return '(root)';
  return path.map((key, index) => (typeof key === 'number' ? `[${key}]` : `${index === 0 ? '' : '.'}${String(key)}`)).join('');
}

/**
 * Extracts JSON from `text` and validates it. The error names each failing JSON path and problem.
 *
 * @example
 * parseStructured('{"route": 3}', z.object({ route: z.string() }))
 * // → { ok: false, error: 'route: Invalid input: expected string, received number' }
 */
export function parseStructured<T>(text: string, schema: z.ZodType<T>): { ok: true; value: T } | { ok: false; error: string } {
  const json = extractJson(text);
  if (json === undefined) return { ok: false, error: '(root): the reply holds no JSON object or array' };
  const parsed = schema.safeParse(json);
  if (parsed.success) return { ok: true, value: parsed.data };
  const problems = parsed.error.issues.map((issue) => `${formatJsonPath(issue.path)}: ${issue.message}`);
  return { ok: false, error: problems.join('; ') };
}

/**
 * The user message of the one corrective retry.
 *
 * @example
 * correctionPrompt('route: Required', describeSchema(routeSchema))
 */
export function correctionPrompt(error: string, schemaDescription: string): string {
  return `Your previous reply was not valid: ${error}\n\nReply with only JSON matching this schema, with no other text:\n${schemaDescription}`;
}

/**
 * The conversation for the corrective retry: the original turns, the bad reply, the correction.
 *
 * @example
 * correctionMessages(userTurn(prompt), badText, error, describeSchema(schema))
 */
export function correctionMessages(original: readonly Message[], badReply: string, error: string, schemaDescription: string): Message[] {
  return [...original, { role: 'assistant', content: badReply }, { role: 'user', content: correctionPrompt(error, schemaDescription) }];
}

/**
 * JSON Schema of a zod schema, for `responseFormat: { type: 'json', schema, name }`.
 *
 * @example
 * jsonSchemaOf(z.object({ route: z.string() })) // → { type: 'object', properties: { route: … }, … }
 */
export function jsonSchemaOf(schema: z.ZodType): Record<string, unknown> {
  const jsonSchema = { ...(z.toJSONSchema(schema, { unrepresentable: 'any' }) as Record<string, unknown>) };
  delete jsonSchema['$schema'];
  return jsonSchema;
}

/**
 * Compact text form of a schema for prompts.
 *
 * @example
 * describeSchema(z.object({ route: z.string() })) // → '{"type":"object","properties":{"route":{"type":"string"}},…}'
 */
export function describeSchema(schema: z.ZodType): string {
  return JSON.stringify(jsonSchemaOf(schema));
}

/**
 * A `responseFormat` asking for JSON matching `schema`.
 *
 * @example
 * agentCall('plan', manager, messages, step) // then: { ...call, responseFormat: jsonResponseFormat('plan', planSchema) }
 */
export function jsonResponseFormat(name: string, schema: z.ZodType): { type: 'json'; schema: Record<string, unknown>; name: string } {
  return { type: 'json', schema: jsonSchemaOf(schema), name };
}
