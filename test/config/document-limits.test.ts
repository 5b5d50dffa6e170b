// Document limits: size, nesting depth, entries and agents, each refused with `document_too_large`
// naming the limit, what was found, where, and how to change it; deep nesting never surfaces as a
// RangeError, whether it comes as block YAML, flow YAML, JSON text or a JSON object.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  defaultDocumentLimits,
  parseTopologyDocument,
  untrustedDocumentLimits,
  type DocumentLimits,
} from '../../src/config/index.js';
import { createDefaultRegistry } from '../../src/presets/default-registry.js';
import { createDocumentCatalog } from '../../src/server/document-catalog.js';
import { createConfigTestRegistry } from './config-test-registry.js';
import { expectDocumentError } from './expect-document-error.js';

const registry = createConfigTestRegistry();
const head = 'topology: pipeline\nagents:\n  - { name: a, model: offline/echo }\n';

function tooLarge(text: string, limits?: Partial<DocumentLimits>, limitsSource?: string) {
  const error = expectDocumentError(() => parseTopologyDocument(text, { file: 'big.yaml', registry, ...(limits ? { limits } : {}), ...(limitsSource ? { limitsSource } : {}) }));
  expect(error.code).toBe('document_too_large');
  expect(error.category).toBe('user');
  return error;
}

/** `options:` nested `levels` mappings deep, in block style: the document is levels + 1 deep. */
function blockNesting(levels: number): string {
  return `${head}options:\n${Array.from({ length: levels }, (_, index) => `${' '.repeat((index + 1) * 2)}a:`).join('\n')} 1\n`;
}

describe('nesting depth', () => {
  it('accepts a document exactly at the limit and refuses one a level deeper', () => {
    // 64 levels: the root mapping, then 63 mappings of `a:` (the first under options).
    expect(expectDocumentError(() => parseTopologyDocument(blockNesting(63), { registry })).code).toBe('invalid_document');
    const error = tooLarge(blockNesting(64));
    expect(error.message).toBe('the document nests 65 levels deep, more than the limit of 64 (limits.depth)');
  });

  it('names the depth found and the line and column where the limit was passed (block YAML, 5,000 levels)', () => {
    const error = tooLarge(blockNesting(5_000), { bytes: 100 * 1024 * 1024 });
    expect(error.message).toBe('the document nests 5,001 levels deep, more than the limit of 64 (limits.depth)');
    // Line 4 is `options:`; the mapping of its 64th `a:` (line 68, indented 128) is level 65.
    expect(error.location).toEqual({ file: 'big.yaml', line: 68, column: 129 });
    expect(error.hint).toContain('raise limits.depth');
  });

  it.each([
    ['a flow sequence', `${head}options: ${'['.repeat(5_000)}${']'.repeat(5_000)}\n`, { line: 4, column: 73 }],
    ['a flow mapping', `${head}options: ${'{a: '.repeat(5_000)}1${'}'.repeat(5_000)}\n`, { line: 4, column: 262 }],
    ['compact block sequences', `${head}options:\n  x:\n    ${'- '.repeat(5_000)}1\n`, { line: 6, column: 129 }],
  ])('refuses 5,000 levels of %s before the YAML parser recurses', (_, text, position) => {
    const error = tooLarge(text);
    expect(error.message).toMatch(/^the document nests 5,00\d levels deep, more than the limit of 64 \(limits\.depth\)$/);
    expect(error.location).toMatchObject(position);
  });

  it('refuses 5,000 levels of JSON text at the first level past the limit', () => {
    const text = `{"topology": "pipeline", "agents": [], "options": ${'{"a": '.repeat(5_000)}1${'}'.repeat(5_000)}}`;
    const error = tooLarge(text);
    expect(error.message).toBe('the document nests 5,001 levels deep, more than the limit of 64 (limits.depth)');
    // Options' `{` is level 2, at column 51; each `{"a": ` is one level more and six columns on.
    expect(error.location).toMatchObject({ line: 1, column: 51 + 6 * 63 });
  });

  it('counts the depth aliases add, at the path where the limit is passed', () => {
    const nested = (inner: string) => `${'['.repeat(30)}${inner}${']'.repeat(30)}`;
    const text = `${head}task: x\nx: &a ${nested('1')}\ny: &b ${nested('*a')}\nz: ${nested('*b')}\n`;
    const error = tooLarge(text);
    expect(error.message).toBe('the document nests more than 64 levels deep (limits.depth)');
    // y is 61 levels deep with its alias; z, with two, is 91.
    expect(error.location?.path).toMatch(/^z(\[0\]){63}$/);
  });

  it('never lets a RangeError through, even with the depth limit raised far', () => {
    for (const text of [`${head}options: ${'['.repeat(20_000)}${']'.repeat(20_000)}\n`, `${head}options:\n  x:\n    ${'- '.repeat(20_000)}1\n`]) {
      const error = tooLarge(text, { depth: 1_000_000 });
      expect(error.message).toBe('the document nests too deeply to be read (the stack ran out)');
      expect(error.hint).toContain('lower limits.depth');
    }
  });
});

describe('a check that runs out of stack', () => {
  it('is reported as document_too_large, not as a RangeError', () => {
    const base = createConfigTestRegistry();
    const pipeline = base.topologies.get('pipeline')!;
    // Stands for a check that recurses along a chain in the document, such as a very long dag path.
    const descend = (depth: number): number => descend(depth + 1) + 1;
    const topologies = new Map(base.topologies).set('pipeline', { ...pipeline, check: () => [{ path: [], message: String(descend(0)) }] });
    const recursive = { ...base, topologies };
    const error = expectDocumentError(() => parseTopologyDocument(head, { file: 'chain.yaml', registry: recursive }));
    expect(error.code).toBe('document_too_large');
    expect(error.message).toBe('the document is too large to validate (the stack ran out)');
    expect(error.location).toEqual({ file: 'chain.yaml' });
  });
});

describe('size, entries and agents', () => {
  it('refuses text over limits.bytes, counting UTF-8 bytes', () => {
    const error = tooLarge(`${head}task: ${'é'.repeat(600)}\n`, { bytes: 1024 });
    expect(error.message).toMatch(/^the document is 1\.2 KiB \(1,2\d\d bytes\), more than the limit of 1 KiB \(1,024 bytes\) \(limits\.bytes\)$/);
    expect(error.location).toEqual({ file: 'big.yaml' });
  });

  it('counts mapping keys and list items, and points at the first entry past limits.keys', () => {
    // topology, agents, the agent, name, model: 5 entries; then k0, k1, …
    const text = `${head}${Array.from({ length: 20 }, (_, index) => `k${index}: 1\n`).join('')}`;
    const error = tooLarge(text, { keys: 10 });
    expect(error.message).toBe('the document has 25 entries (mapping keys and list items), more than the limit of 10 (limits.keys)');
    expect(error.location).toEqual({ file: 'big.yaml', line: 9, column: 1 });
    const json = tooLarge(JSON.stringify({ topology: 'pipeline', agents: [], ...Object.fromEntries(Array.from({ length: 20 }, (_, index) => [`k${index}`, 1])) }, null, 2), { keys: 10 });
    expect(json.message).toBe('the document has 22 entries (mapping keys and list items), more than the limit of 10 (limits.keys)');
    expect(json.location).toMatchObject({ line: 12, column: 3 });
  });

  it('counts agents of nested topologies, and points at the first agent past limits.agents', () => {
    const text = `topology: pipeline\nagents:\n  - { name: a, model: offline/echo }\n  - name: team\n    topology: pipeline\n    agents:\n      - { name: b, model: offline/echo }\n      - { name: c, model: offline/echo }\n`;
    expect(() => parseTopologyDocument(text, { registry, limits: { agents: 4 } })).not.toThrow();
    const error = tooLarge(text, { agents: 3 });
    expect(error.message).toBe('the document has 4 agents (counting those of nested topologies and spawn rosters), more than the limit of 3 (limits.agents)');
    expect(error.location).toEqual({ file: 'big.yaml', line: 8, column: 9, path: 'agents[1].agents[1]' });
  });

  it('says where the limits are set', () => {
    const error = tooLarge(`${head}task: x\n`, { keys: 2 }, "the policy's limits section");
    expect(error.hint).toBe("split the document, or raise limits.keys in the policy's limits section");
  });
});

describe('the presets', () => {
  it('are tighter for callers of a server than for local documents', () => {
    for (const name of Object.keys(defaultDocumentLimits) as Array<keyof DocumentLimits>) {
      expect(untrustedDocumentLimits[name]).toBeLessThan(defaultDocumentLimits[name]);
    }
  });

  it('accept every example document, even as an untrusted one', () => {
    const examples = readdirSync('examples').filter((name) => name.endsWith('.yaml'));
    expect(examples.length).toBeGreaterThan(5);
    const defaults = createDefaultRegistry();
    for (const name of examples) {
      const file = join('examples', name);
      expect(() => parseTopologyDocument(readFileSync(file, 'utf8'), { file, registry: defaults, limits: untrustedDocumentLimits }), file).not.toThrow();
    }
  });
});

describe('the document catalog', () => {
  const catalog = createDocumentCatalog({ directory: 'examples', registry: createDefaultRegistry(), limitsSource: "the policy's limits section" });

  it('refuses a deeply nested JSON object before stringifying it, with the path of the deepest level', () => {
    let deep: unknown = 1;
    for (let level = 0; level < 5_000; level += 1) deep = { a: deep };
    const error = expectDocumentError(() => catalog.fromObject({ topology: 'pipeline', agents: [], options: deep }, 'body.document'));
    expect(error.code).toBe('document_too_large');
    expect(error.message).toBe(`the document nests more than ${untrustedDocumentLimits.depth} levels deep (limits.depth)`);
    expect(error.location).toEqual({ file: 'body.document', path: `options${'.a'.repeat(untrustedDocumentLimits.depth - 1)}` });
    expect(error.hint).toContain("the policy's limits section");
  });

  it('holds inline text to the caller limits', () => {
    const error = expectDocumentError(() => catalog.parse(`${head}options: ${'['.repeat(40)}${']'.repeat(40)}\n`, 'inline'));
    expect(error.code).toBe('document_too_large');
    expect(error.message).toBe(`the document nests 41 levels deep, more than the limit of ${untrustedDocumentLimits.depth} (limits.depth)`);
  });

  it('measures an object by the JSON the caller sent, not the indented text it is read as', () => {
    const small = createDocumentCatalog({ directory: 'examples', registry: createDefaultRegistry(), limits: { bytes: 200 } });
    const document = { topology: 'pipeline', agents: [{ name: 'a', model: 'offline/echo' }], task: 'x'.repeat(100) };
    expect(JSON.stringify(document).length).toBeLessThan(200);
    expect(JSON.stringify(document, null, 2).length).toBeGreaterThan(200);
    expect(small.fromObject(document).agents).toHaveLength(1);
    expect(expectDocumentError(() => small.fromObject({ ...document, task: 'x'.repeat(200) })).code).toBe('document_too_large');
  });

  it('loads the operator’s named documents with the default limits', async () => {
    const strict = createDocumentCatalog({ directory: 'examples', registry: createDefaultRegistry(), limits: { keys: 1 } });
    await expect(strict.load('debate')).resolves.toMatchObject({ topology: 'debate' });
  });
});
