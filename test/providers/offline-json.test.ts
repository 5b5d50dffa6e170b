// Structured output from the offline simulator: conformance to JSON Schemas, determinism, and the
// content rules (enum picks from the conversation, converging verdicts, the arith answer).
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import type { GenerateRequest, Message, StreamPart } from '../../src/protocol/index.js';
import { approvalProbability, countTokens, offlineProvider, parseArithAnswers, parseFinalAnswers } from '../../providers/offline/index.js';

const adapter = offlineProvider.create({});

type Schema = Record<string, unknown>;

async function stream(request: Partial<GenerateRequest> & { model: string }): Promise<{ parts: StreamPart[]; text: string }> {
  const parts: StreamPart[] = [];
  for await (const part of adapter.generate({ messages: [], ...request }, { signal: new AbortController().signal, attempt: 1 })) parts.push(part);
  return { parts, text: parts.map((part) => (part.type === 'text-delta' ? part.delta : '')).join('') };
}

async function json(request: Partial<GenerateRequest> & { model: string }, schema?: Schema): Promise<unknown> {
  const { text } = await stream({ ...request, responseFormat: { type: 'json', ...(schema === undefined ? {} : { schema }) } });
  return JSON.parse(text) as unknown;
}

function user(content: string): Message {
  return { role: 'user', content };
}

const plannerSystem = [
  'You are the planner. Split the task into steps and give each to one of these agents:',
  'coder: writes, debugs and tests Python code and scripts',
  'writer: drafts blog posts, essays and other prose for readers',
  'researcher: finds papers, sources and citations',
].join('\n');

const agentName = z.enum(['coder', 'writer', 'researcher']);
const distinct = (values: readonly unknown[]): boolean => new Set(values.map((value) => JSON.stringify(value))).size === values.length;
const subtask = z.strictObject({ id: z.string().min(1), worker: agentName, instruction: z.string().min(10) });
const zodSchemas = {
  plan: z.strictObject({ goal: z.string(), subtasks: z.array(subtask).min(1).max(4).refine((items) => distinct(items.map((item) => item.id))) }),
  route: z.object({ route: z.enum(['coder', 'writer', 'researcher', 'lawyer']), reason: z.string() }),
  routes: z.strictObject({ routes: z.array(agentName).min(1).max(2).refine(distinct) }),
  critique: z.object({ verdict: z.enum(['approve', 'revise']), feedback: z.string().max(80), issues: z.array(z.string()).optional() }),
  vote: z.object({ answer: z.union([z.string(), z.number()]), confidence: z.number().gt(0).lt(1) }),
  kitchen: z.object({
    title: z.string().min(3).max(12),
    id: z.uuid(),
    contact: z.email(),
    link: z.url(),
    created: z.iso.datetime(),
    day: z.iso.date(),
    note: z.string().nullable(),
    count: z.number().int().min(3).max(7),
    even: z.number().int().multipleOf(2).min(-10).max(10),
    ratio: z.number().min(0.5).max(0.75),
    unbounded: z.number().int(),
    flag: z.boolean().optional(),
    kind: z.literal('report'),
    mixed: z.union([z.string(), z.number(), z.null()]),
    pair: z.tuple([z.string(), z.number()]),
    scores: z.record(z.string(), z.number()),
    tags: z.array(z.string()).min(5).max(6),
    empty: z.array(z.number()).max(0),
    level: z.enum(['low', 'medium', 'high']).nullable(),
  }),
} satisfies Record<string, z.ZodType>;

interface TreeNode {
  name: string;
  children: TreeNode[];
}
const tree: z.ZodType<TreeNode> = z.object({
  name: z.string(),
  get children() {
    return z.array(tree);
  },
});

/** Checks the parts of JSON Schema the hand-written schemas below use; returns the problems. */
function problems(value: unknown, schema: unknown, root: Schema, path = '$'): string[] {
  if (schema === true || schema === undefined) return [];
  if (schema === false) return [`${path}: no value allowed`];
  const node = schema as Schema;
  if (typeof node['$ref'] === 'string') {
    const target = (node['$ref'] as string).slice(2).split('/').filter(Boolean).reduce<unknown>((at, key) => (at as Schema)[key], root);
    return problems(value, target, root, path);
  }
  const found: string[] = [];
  for (const part of (node['allOf'] as unknown[] | undefined) ?? []) found.push(...problems(value, part, root, path));
  const anyOf = (node['anyOf'] ?? node['oneOf']) as unknown[] | undefined;
  if (anyOf !== undefined && !anyOf.some((branch) => problems(value, branch, root, path).length === 0)) found.push(`${path}: no branch matches`);
  const types = node['type'] === undefined ? [] : ([] as unknown[]).concat(node['type']);
  const typeOf = value === null ? 'null' : Array.isArray(value) ? 'array' : Number.isInteger(value) ? 'integer' : typeof value;
  const typeMatches = types.some((type) => type === typeOf || (type === 'number' && typeOf === 'integer'));
  if (types.length > 0 && !typeMatches) found.push(`${path}: ${typeOf} is not ${types.join('|')}`);
  if (Array.isArray(node['enum']) && !node['enum'].includes(value)) found.push(`${path}: ${JSON.stringify(value)} not in enum`);
  if ('const' in node && node['const'] !== value) found.push(`${path}: not the const`);
  if (typeOf === 'object') {
    const object = value as Record<string, unknown>;
    const properties = (node['properties'] ?? {}) as Schema;
    for (const key of (node['required'] as string[] | undefined) ?? []) if (!(key in object)) found.push(`${path}: missing ${key}`);
    for (const [key, item] of Object.entries(object)) {
      if (key in properties) found.push(...problems(item, properties[key], root, `${path}.${key}`));
      else if (node['additionalProperties'] === false) found.push(`${path}: extra key ${key}`);
      else found.push(...problems(item, node['additionalProperties'], root, `${path}.${key}`));
    }
  }
  if (typeOf === 'array') {
    const array = value as unknown[];
    const prefix = (node['prefixItems'] as unknown[] | undefined) ?? [];
    if (array.length < ((node['minItems'] as number | undefined) ?? 0)) found.push(`${path}: too few items`);
    if (array.length > ((node['maxItems'] as number | undefined) ?? Infinity)) found.push(`${path}: too many items`);
    array.forEach((item, index) => found.push(...problems(item, index < prefix.length ? prefix[index] : node['items'], root, `${path}[${index}]`)));
  }
  if (typeof value === 'number') {
    const [minimum, maximum] = [(node['minimum'] as number | undefined) ?? -Infinity, (node['maximum'] as number | undefined) ?? Infinity];
    if (value < minimum || value > maximum) found.push(`${path}: ${value} out of range`);
  }
  if (typeof value === 'string' && value.length < ((node['minLength'] as number | undefined) ?? 0)) found.push(`${path}: too short`);
  return found;
}

const handSchemas: Record<string, Schema> = {
  defs: {
    type: 'object',
    properties: { lead: { $ref: '#/$defs/Agent' }, team: { type: 'array', items: { $ref: '#/$defs/Agent' }, minItems: 2, maxItems: 2 } },
    required: ['lead', 'team'],
    additionalProperties: false,
    $defs: {
      Agent: {
        type: 'object',
        properties: { name: { type: 'string', enum: ['alice', 'bob'] }, role: { $ref: '#/$defs/Role' } },
        required: ['name', 'role'],
        additionalProperties: false,
      },
      Role: { enum: ['lead', 'member'] },
    },
  },
  definitions: {
    definitions: { Score: { type: 'integer', minimum: 1, maximum: 3 } },
    type: 'object',
    properties: { score: { $ref: '#/definitions/Score' }, scores: { type: 'array', items: { $ref: '#/definitions/Score' } } },
    required: ['score', 'scores'],
  },
  combinators: {
    type: 'object',
    properties: {
      either: {
        oneOf: [
          { type: 'string', const: 'none' },
          { type: 'object', properties: { size: { type: 'integer', minimum: 10, maximum: 12 } }, required: ['size'], additionalProperties: false },
        ],
      },
      merged: {
        allOf: [
          { type: 'object', properties: { a: { type: 'boolean' } }, required: ['a'] },
          { properties: { b: { type: 'string', minLength: 4 } }, required: ['b'] },
        ],
      },
      maybe: { type: ['integer', 'null'], minimum: 0, maximum: 1 },
      triple: { type: 'array', prefixItems: [{ type: 'string' }, { type: 'boolean' }, { type: 'null' }], items: false },
    },
    required: ['either', 'merged', 'maybe', 'triple'],
    additionalProperties: false,
  },
};

const conversation = [user('Write a Python script that checks links in our blog posts.')];

describe('structured output conforms to the schema', () => {
  it.each(Object.keys(zodSchemas))('parses with the zod schema it came from: %s', async (name) => {
    const schema = zodSchemas[name as keyof typeof zodSchemas];
    for (const model of ['persona', 'arith', 'echo']) {
      for (let seed = 0; seed < 25; seed += 1) {
        const value = await json({ model: `${model}?seed=${seed}`, system: plannerSystem, messages: conversation }, z.toJSONSchema(schema));
        const result = schema.safeParse(value);
        expect(result.success, `${model} seed ${seed}: ${JSON.stringify(value)} ${result.error?.message ?? ''}`).toBe(true);
      }
    }
  });

  it('ends recursive schemas', async () => {
    for (let seed = 0; seed < 25; seed += 1) {
      const value = await json({ model: `persona?seed=${seed}`, messages: conversation }, z.toJSONSchema(tree));
      expect(tree.safeParse(value).success).toBe(true);
    }
  });

  it.each(Object.keys(handSchemas))('follows $ref, $defs, definitions and combinators: %s', async (name) => {
    const schema = handSchemas[name] as Schema;
    for (let seed = 0; seed < 40; seed += 1) {
      const value = await json({ model: `persona?seed=${seed}`, messages: conversation }, schema);
      expect(problems(value, schema, schema), JSON.stringify(value)).toEqual([]);
    }
  });

  it('includes optional properties only some of the time', async () => {
    const schema = z.toJSONSchema(z.object({ a: z.string(), b: z.string().optional() }));
    let withB = 0;
    for (let seed = 0; seed < 60; seed += 1) {
      if ('b' in ((await json({ model: `persona?seed=${seed}`, messages: conversation }, schema)) as object)) withB += 1;
    }
    expect(withB).toBeGreaterThan(10);
    expect(withB).toBeLessThan(50);
  });
});

describe('determinism', () => {
  it('gives the same JSON for the same request and different JSON for another seed', async () => {
    let differs = false;
    for (const schema of [...Object.values(zodSchemas).map((entry) => z.toJSONSchema(entry)), ...Object.values(handSchemas)]) {
      const request = { model: 'persona?seed=5', system: plannerSystem, messages: conversation };
      const first = await stream({ ...request, responseFormat: { type: 'json', schema } });
      expect((await stream({ ...request, responseFormat: { type: 'json', schema } })).text).toBe(first.text);
      if ((await stream({ ...request, seed: 9, responseFormat: { type: 'json', schema } })).text !== first.text) differs = true;
    }
    expect(differs).toBe(true);
  });

  it('streams JSON like other text: paced, counted and limited', async () => {
    const schema = z.toJSONSchema(zodSchemas.critique);
    const instant = await stream({ model: 'persona?seed=1', messages: conversation, responseFormat: { type: 'json', schema } });
    const paced = await stream({ model: 'persona?seed=1&tokens_per_s=5000', messages: conversation, responseFormat: { type: 'json', schema } });
    expect(paced.text).toBe(instant.text);
    expect(paced.parts.filter((part) => part.type === 'text-delta').length).toBeGreaterThan(5);
    expect(instant.parts.find((part) => part.type === 'usage')).toMatchObject({ usage: { outputTokens: countTokens(instant.text) } });
    const limited = await stream({ model: 'persona?seed=1', messages: conversation, maxTokens: 3, responseFormat: { type: 'json', schema } });
    expect(limited.parts.at(-1)).toEqual({ type: 'finish', finishReason: 'length' });
  });

  it('leaves prose unchanged without responseFormat', async () => {
    const { text } = await stream({ model: 'persona?seed=1', messages: conversation });
    expect(text).toMatch(/\nFinal answer: .+$/);
    expect(() => JSON.parse(text) as unknown).toThrow();
  });
});

describe('content', () => {
  it('picks only the enum values the conversation mentions, favouring the best-described one', async () => {
    const schema = z.toJSONSchema(zodSchemas.route);
    const routes = async (task: string): Promise<Map<string, number>> => {
      const counts = new Map<string, number>();
      for (let seed = 0; seed < 100; seed += 1) {
        const { route } = (await json({ model: `persona?seed=${seed}`, system: plannerSystem, messages: [user(task)] }, schema)) as { route: string };
        counts.set(route, (counts.get(route) ?? 0) + 1);
      }
      return counts;
    };
    const coding = await routes('Write a Python script that finds broken links.');
    expect(coding.has('lawyer')).toBe(false);
    expect(coding.size).toBeGreaterThan(1);
    expect(coding.get('coder') ?? 0).toBeGreaterThan(Math.max(coding.get('writer') ?? 0, coding.get('researcher') ?? 0));
    const writing = await routes('Draft an essay for our readers about remote work.');
    expect(writing.get('writer') ?? 0).toBeGreaterThan(Math.max(writing.get('coder') ?? 0, writing.get('researcher') ?? 0));

    const unmentioned = z.toJSONSchema(z.object({ level: z.enum(['low', 'medium', 'high']) }));
    const levels = new Set<string>();
    for (let seed = 0; seed < 30; seed += 1) {
      levels.add(((await json({ model: `persona?seed=${seed}`, messages: conversation }, unmentioned)) as { level: string }).level);
    }
    expect(levels).toEqual(new Set(['low', 'medium', 'high']));
  });

  it('fills prose fields with sentences about the task', async () => {
    const value = (await json({ model: 'persona?seed=3', messages: conversation }, z.toJSONSchema(zodSchemas.route))) as { reason: string };
    expect(value.reason).toMatch(/^[A-Z].*[.!?"]$/);
    expect(value.reason).toMatch(/Python|script|links|blog|posts/);
  });

  it('approves more often as a review loop goes on', async () => {
    const schema = z.toJSONSchema(zodSchemas.critique);
    // Each earlier round left one assistant turn (the critic's request to revise) in the conversation.
    const draft = (round: number): Message[] => [
      user('Review this draft about remote work.'),
      ...Array.from({ length: round }, (_, index): Message[] => [
        { role: 'assistant', content: `Revise it, round ${index}.` },
        user('Here is the revised draft.'),
      ]).flat(),
    ];
    const verdictOf = async (seed: number, round: number): Promise<string> =>
      ((await json({ model: `persona?seed=${seed}`, messages: draft(round) }, schema)) as { verdict: string }).verdict;
    const rates: number[] = [];
    for (const round of [0, 1, 2]) {
      let approved = 0;
      for (let seed = 0; seed < 200; seed += 1) {
        if ((await verdictOf(seed, round)) === 'approve') approved += 1;
      }
      rates.push(approved / 200);
    }
    expect(rates[0]).toBeGreaterThan(0.15);
    expect(rates[0]).toBeLessThan(0.45);
    expect(rates[1]).toBeGreaterThan((rates[0] ?? 0) + 0.15);
    expect(rates[2]).toBeGreaterThan(0.8);
    expect([0, 1, 2, 3].map(approvalProbability)).toEqual([0.3, 0.6, 0.9, 0.95]);

    // A reviewer with a fresh conversation each round approves more once the prompt states the round.
    let stated = 0;
    for (let seed = 0; seed < 200; seed += 1) {
      const messages = [user('Round 3. Review this draft about remote work.')];
      if (((await json({ model: `persona?seed=${seed}`, messages }, schema)) as { verdict: string }).verdict === 'approve') stated += 1;
    }
    expect(stated / 200).toBeGreaterThan(0.8);

    const booleans = z.toJSONSchema(z.object({ approved: z.boolean() }));
    let early = 0;
    let late = 0;
    for (let seed = 0; seed < 200; seed += 1) {
      if (((await json({ model: `persona?seed=${seed}`, messages: draft(0) }, booleans)) as { approved: boolean }).approved) early += 1;
      if (((await json({ model: `persona?seed=${seed}`, messages: draft(2) }, booleans)) as { approved: boolean }).approved) late += 1;
    }
    expect(late).toBeGreaterThan(early + 60);
  });

  it('gives arith the number its prose would give, as a number or a string', async () => {
    const numeric = z.toJSONSchema(z.object({ answer: z.number(), reasoning: z.string() }));
    const text = z.toJSONSchema(z.object({ finalAnswer: z.string() }));
    for (let seed = 0; seed < 30; seed += 1) {
      const request = { model: `arith?accuracy=0.5&seed=${seed}`, messages: [user('What is the result of 12+17*3-5+9*2?')] };
      const prose = parseArithAnswers((await stream(request)).text).pop();
      const value = (await json(request, numeric)) as { answer: number; reasoning: string };
      expect(value.answer).toBe(prose);
      expect(parseArithAnswers(value.reasoning).pop()).toBe(prose);
      expect(await json(request, text)).toEqual({ finalAnswer: String(prose) });
    }
    expect(await json({ model: 'arith?accuracy=1', messages: [user('What is 2+3*4?')] }, numeric)).toMatchObject({ answer: 14 });
  });

  it('gives a persona its own stance as the answer, in an enum too', async () => {
    const task = [user('Should we use Rust or Go for the backend?')];
    const enumSchema = z.toJSONSchema(z.object({ vote: z.enum(['Go', 'Rust', 'it depends']) }));
    for (let seed = 0; seed < 20; seed += 1) {
      const stance = parseFinalAnswers((await stream({ model: `persona?seed=${seed}`, messages: task })).text).pop()?.stance;
      expect(await json({ model: `persona?seed=${seed}`, messages: task }, enumSchema)).toEqual({ vote: stance });
    }
  });

  it('writes a default object without a schema', async () => {
    expect(await json({ model: 'echo', messages: [user('first'), user('say "hi"')] })).toEqual({ text: 'say "hi"' });
    const persona = (await json({ model: 'persona?seed=2', messages: [user('Is remote work here to stay?')] })) as Record<string, unknown>;
    expect(['yes', 'no', 'it depends']).toContain(persona['answer']);
    expect(persona['reasoning']).toMatch(/remote work/);
    expect(persona['reasoning']).not.toMatch(/Final answer/);
    expect(await json({ model: 'arith?accuracy=1', messages: [user('What is 2+3*4?')] })).toMatchObject({ answer: 14 });
  });
});
