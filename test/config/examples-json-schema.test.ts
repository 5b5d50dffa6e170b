// `conclave schema` must accept every document we ship: each examples/*.yaml (and the bench suites'
// topology documents) is validated against the schema of the default registry with a standard
// JSON Schema validator (Ajv, draft 2020-12), and the schema's top-level keys are exactly the
// loader's — so a new document section cannot be missing from the editor schema again.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { topologyDocumentJsonSchema } from '../../src/config/index.js';
import { documentTopLevelSchema } from '../../src/config/document-schema.js';
import { createDefaultRegistry } from '../../src/presets/default-registry.js';

const root = join(import.meta.dirname, '..', '..');
const schema = topologyDocumentJsonSchema(createDefaultRegistry());
const validate = new Ajv2020({ strict: false, allErrors: true }).compile(schema);
const examples = readdirSync(join(root, 'examples')).filter((name) => name.endsWith('.yaml'));

describe('the document JSON Schema and the shipped documents', () => {
  it('has exactly the top-level keys the loader accepts', () => {
    expect(Object.keys(schema.properties as object).sort()).toEqual(Object.keys(documentTopLevelSchema.shape).sort());
  });

  it.each(examples)('accepts examples/%s', (name) => {
    const document: unknown = parse(readFileSync(join(root, 'examples', name), 'utf8'));
    const valid = validate(document);
    expect(valid ? [] : validate.errors?.map((error) => `${error.instancePath} ${error.message ?? ''}`)).toEqual([]);
  });

  it('still refuses what the loader refuses', () => {
    expect(validate({ topology: 'debate', agents: [{ name: 'a', model: 'offline/echo' }], nope: 1 })).toBe(false);
    expect(validate({ topology: 'no-such-topology', agents: [{ name: 'a' }] })).toBe(false);
  });
});
