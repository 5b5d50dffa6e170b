// Many problems: a document with hundreds of thousands of unknown keys is validated in one linear
// pass and reported as its first 50 problems in source order plus one issue counting the rest.
// Also the messages for YAML's .nan / .inf, and duplicate keys (found without the yaml library's
// quadratic check). No test here measures time: benchmarks/validation does.
import { describe, expect, it } from 'vitest';
import { parseTopologyDocument, reportedProblemLimit } from '../../src/config/index.js';
import { createConfigTestRegistry } from './config-test-registry.js';
import { expectDocumentError } from './expect-document-error.js';

const registry = createConfigTestRegistry();
const head = 'topology: pipeline\nagents:\n  - { name: a, model: offline/echo }\n';

function yamlWithUnknownKeys(count: number): string {
  const lines = [head];
  for (let index = 0; index < count; index += 1) lines.push(`k${index}: 1\n`);
  return lines.join('');
}

function jsonWithUnknownKeys(count: number): string {
  const document: Record<string, unknown> = { topology: 'pipeline', agents: [{ name: 'a', model: 'offline/echo' }] };
  for (let index = 0; index < count; index += 1) document[`k${index}`] = 1;
  return JSON.stringify(document, null, 2);
}

describe('problem cap', () => {
  it('reports 200,000 unknown keys (JSON) as the first 50 in source order and a count of the rest', () => {
    const error = expectDocumentError(() => parseTopologyDocument(jsonWithUnknownKeys(200_000), { file: 'wide.json', registry, limits: { keys: 1_000_000, bytes: 64 * 1024 * 1024 } }));
    expect(error.code).toBe('invalid_document');
    expect(error.message).toBe('wide.json: 200,000 problems');
    expect(error.issues).toHaveLength(reportedProblemLimit + 1);
    const listed = error.issues!.slice(0, reportedProblemLimit);
    expect(listed.map((issue) => issue.location?.path)).toEqual(Array.from({ length: reportedProblemLimit }, (_, index) => `k${index}`));
    // `{`, `"topology"`, `"agents": [`, `{`, name, model, `}`, `],` come first: k0 is on line 9.
    expect(listed[0]).toMatchObject({ message: 'unknown top-level key "k0"', location: { file: 'wide.json', line: 9, column: 3 } });
    expect(listed[49]?.location).toMatchObject({ line: 58, column: 3 });
    expect(listed[0]?.hint).toContain('allowed keys: topology');
    expect(error.issues![reportedProblemLimit]).toMatchObject({ code: 'invalid_document', message: '… and 199,950 more problems', location: { file: 'wide.json' } });
  });

  it('reports 20,000 unknown keys (YAML) the same way', () => {
    const error = expectDocumentError(() => parseTopologyDocument(yamlWithUnknownKeys(20_000), { file: 'wide.yaml', registry }));
    expect(error.message).toBe('wide.yaml: 20,000 problems');
    expect(error.issues).toHaveLength(51);
    expect(error.issues![0]).toMatchObject({ message: 'unknown top-level key "k0"', location: { line: 4, column: 1, path: 'k0' } });
    expect(error.issues![50]?.message).toBe('… and 19,950 more problems');
  });

  it('orders problems by their place in the text, whatever part of validation found them', () => {
    const text = `${yamlWithUnknownKeys(60)}retry:\n  max_attempts: 0\n`.replace('topology: pipeline', 'topology: pipelin');
    const error = expectDocumentError(() => parseTopologyDocument(text, { file: 'mixed.yaml', registry }));
    expect(error.message).toBe('mixed.yaml: 62 problems');
    expect(error.issues![0]).toMatchObject({ code: 'unknown_topology', location: { line: 1, path: 'topology' } });
    expect(error.issues![1]?.location?.path).toBe('k0');
    expect(error.issues![49]?.location?.path).toBe('k48');
    // retry.max_attempts is last in the text: it is among the 12 counted, not listed.
    expect(error.issues!.map((issue) => issue.location?.path)).not.toContain('retry.max_attempts');
    expect(error.issues![50]?.message).toBe('… and 12 more problems');
  });

  it('lists every problem, with no count, when there are at most 50', () => {
    const error = expectDocumentError(() => parseTopologyDocument(yamlWithUnknownKeys(50), { file: 'fifty.yaml', registry }));
    expect(error.issues).toHaveLength(50);
    expect(error.issues!.at(-1)?.location?.path).toBe('k49');
  });

  it('names a few unknown keys of a zod issue and counts the rest', () => {
    const text = `${head}options:\n${Array.from({ length: 30 }, (_, index) => `  o${index}: 1\n`).join('')}`;
    const error = expectDocumentError(() => parseTopologyDocument(text, { file: 'options.yaml', registry }));
    expect(error.issues![0]).toMatchObject({ message: 'options: unknown key "o0"', location: { line: 5, column: 3 } });
  });
});

describe('numbers YAML spells with a dot', () => {
  it.each([
    ['.nan', 'seed: expected a number, found NaN (.nan)'],
    ['.NaN', 'seed: expected a number, found NaN (.nan)'],
    ['.inf', 'seed: expected a finite number, found infinity (.inf)'],
    ['-.inf', 'seed: expected a finite number, found minus infinity (-.inf)'],
  ])('seed: %s is reported plainly', (written, message) => {
    const error = expectDocumentError(() => parseTopologyDocument(`${head}seed: ${written}\n`, { file: 'seed.yaml', registry }));
    expect(error.message).toBe(message);
    expect(error.location).toMatchObject({ line: 4, column: 7, path: 'seed' });
  });

  it('does the same inside topology options', () => {
    const error = expectDocumentError(() => parseTopologyDocument(`${head}options:\n  passes: .inf\n`, { file: 'passes.yaml', registry }));
    expect(error.message).toBe('options.passes: expected a finite number, found infinity (.inf)');
  });
});

describe('duplicate keys', () => {
  it('are a syntax error at the repeated key, in YAML', () => {
    const error = expectDocumentError(() => parseTopologyDocument(`${head}task: one\ntask: two\n`, { file: 'twice.yaml', registry }));
    expect(error.code).toBe('document_syntax');
    expect(error.message).toBe('invalid YAML: Map keys must be unique');
    expect(error.location).toMatchObject({ line: 5, column: 1 });
  });

  it('are a syntax error in JSON too, although JSON.parse would keep the last', () => {
    const error = expectDocumentError(() => parseTopologyDocument('{\n  "topology": "pipeline",\n  "topology": "debate"\n}\n', { file: 'twice.json', registry }));
    expect(error.code).toBe('document_syntax');
    expect(error.location).toMatchObject({ line: 3, column: 3 });
  });

  it('compare values as YAML does: 1 and 1.0 are the same key, 1 and "1" are not', () => {
    expect(expectDocumentError(() => parseTopologyDocument(`${head}options:\n  1: a\n  1.0: b\n`, { registry })).code).toBe('document_syntax');
    expect(expectDocumentError(() => parseTopologyDocument(`${head}options:\n  1: a\n  "1": b\n`, { registry })).code).toBe('invalid_document');
  });

  it('are capped like other problems', () => {
    const lines = Array.from({ length: 60 }, () => 'task: again\n').join('');
    const error = expectDocumentError(() => parseTopologyDocument(`${head}${lines}`, { file: 'many.yaml', registry }));
    expect(error.code).toBe('document_syntax');
    expect(error.issues).toHaveLength(51);
    expect(error.issues![0]?.location).toMatchObject({ line: 5 });
    expect(error.issues![50]?.message).toBe('… and 9 more problems');
  });
});
