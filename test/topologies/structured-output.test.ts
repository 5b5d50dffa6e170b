// structured output: JSON found in prose and fences, common faults repaired, validation errors
// that name the path, and the corrective retry's wording.
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  correctionMessages,
  correctionPrompt,
  describeSchema,
  extractJson,
  formatJsonPath,
  jsonResponseFormat,
  jsonSchemaOf,
  parseStructured,
  repairJson,
} from '../../topologies/support/structured-output.js';

describe('extractJson', () => {
  it('prefers a ```json fenced block over braces in the prose around it', () => {
    expect(extractJson('Here {not this}\n```json\n{"route": "billing"}\n```\nThanks {x}')).toEqual({ route: 'billing' });
  });

  it('reads an unlabelled fence', () => {
    expect(extractJson('```\n[1, 2, 3]\n```')).toEqual([1, 2, 3]);
  });

  it('finds the first balanced object or array in prose', () => {
    expect(extractJson('I pick {"route": "a", "why": "it has {braces}"} and then [1]')).toEqual({ route: 'a', why: 'it has {braces}' });
    expect(extractJson('The list: [1, [2, 3]] done')).toEqual([1, [2, 3]]);
  });

  it('skips a bracket that does not start valid JSON and takes the next one', () => {
    expect(extractJson('see [note] then {"ok": true}')).toEqual({ ok: true });
  });

  it('repairs trailing commas, single quotes, bare keys and smart quotes', () => {
    expect(extractJson('{"a": 1, "b": [1, 2,],}')).toEqual({ a: 1, b: [1, 2] });
    expect(extractJson("{'a': 'it\\'s', 'b': \"q\"}")).toEqual({ a: "it's", b: 'q' });
    expect(extractJson('{subtasks: [{id: "s1", worker: "w"}]}')).toEqual({ subtasks: [{ id: 's1', worker: 'w' }] });
    expect(extractJson('{\u201Croute\u201D: \u201Cbilling\u201D}')).toEqual({ route: 'billing' });
  });

  it('keeps string contents intact while repairing', () => {
    expect(extractJson("{note: 'a, ] b: c', n: null, t: true}")).toEqual({ note: 'a, ] b: c', n: null, t: true });
    expect(extractJson("{'line': 'one\\ntwo \\u0041'}")).toEqual({ line: 'one\ntwo A' });
  });

  it('returns undefined when there is no JSON, and never evaluates code', () => {
    expect(extractJson('no json here')).toBeUndefined();
    expect(extractJson('unbalanced { "a": 1')).toBeUndefined();
    expect(extractJson('{a: process.exit(1)}')).toBeUndefined();
  });

  it('repairJson rewrites only outside strings', () => {
    expect(repairJson("{a: 'x', b: [1, 2,],}")).toBe('{"a": "x", "b": [1, 2]}');
  });
});

describe('parseStructured', () => {
  const plan = z.object({ subtasks: z.array(z.object({ id: z.string(), worker: z.enum(['w1', 'w2']) })).min(1) });

  it('returns the validated value', () => {
    expect(parseStructured('Plan: {"subtasks": [{"id": "a", "worker": "w1"}]}', plan)).toEqual({ ok: true, value: { subtasks: [{ id: 'a', worker: 'w1' }] } });
  });

  it('names the JSON path and the problem', () => {
    const result = parseStructured('{"subtasks": [{"id": "a", "worker": "w9"}]}', plan);
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.error).toContain('subtasks[0].worker');
      expect(result.error).toContain('w1');
    }
  });

  it('reports a reply without JSON at the root', () => {
    expect(parseStructured('I would rather not.', plan)).toEqual({ ok: false, error: '(root): the reply holds no JSON object or array' });
  });

  it('formats paths', () => {
    expect(formatJsonPath([])).toBe('(root)');
    expect(formatJsonPath(['a', 2, 'b'])).toBe('a[2].b');
    expect(formatJsonPath([0, 'x'])).toBe('[0].x');
  });
});

describe('correction and schemas', () => {
  const schema = z.object({ route: z.string().describe('name of the route') });

  it('phrases the corrective retry with the error and the schema', () => {
    const prompt = correctionPrompt('route: Required', describeSchema(schema));
    expect(prompt).toMatch(/^Your previous reply was not valid: route: Required/);
    expect(prompt).toContain('Reply with only JSON matching');
    expect(prompt).toContain('"route"');
  });

  it('builds the retry conversation: original turns, the bad reply, the correction', () => {
    const messages = correctionMessages([{ role: 'user', content: 'pick' }], 'billing', 'oops', '{}');
    expect(messages.map((message) => message.role)).toEqual(['user', 'assistant', 'user']);
    expect(messages[1]?.content).toBe('billing');
  });

  it('converts zod to JSON Schema for responseFormat', () => {
    const json = jsonSchemaOf(schema);
    expect(json['$schema']).toBeUndefined();
    expect(json).toMatchObject({ type: 'object', required: ['route'], properties: { route: { type: 'string', description: 'name of the route' } } });
    expect(jsonResponseFormat('route', schema)).toEqual({ type: 'json', name: 'route', schema: json });
  });
});
