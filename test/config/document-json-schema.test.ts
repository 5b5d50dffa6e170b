// The JSON Schema export: plain JSON, topology names and aliases, per-topology options through
// if/then, the recursive agent slot as $defs + $ref, and every $ref resolvable.
import { setup } from 'xstate';
import { z } from 'zod';
import { describe, expect, it } from 'vitest';
import { topologyDocumentJsonSchema } from '../../src/config/index.js';
import type { Registry } from '../../src/protocol/index.js';
import { createConfigTestRegistry } from './config-test-registry.js';

type Json = Record<string, unknown>;

function collectReferences(value: unknown, found: string[] = []): string[] {
  if (Array.isArray(value)) for (const item of value) collectReferences(item, found);
  else if (typeof value === 'object' && value !== null) {
    for (const [key, inner] of Object.entries(value)) {
      if (key === '$ref' && typeof inner === 'string') found.push(inner);
      else collectReferences(inner, found);
    }
  }
  return found;
}

function expectReferencesResolve(schema: Json): void {
  const definitions = schema.$defs as Json;
  for (const reference of collectReferences(schema)) {
    expect(reference).toMatch(/^#\/\$defs\//);
    expect(definitions, reference).toHaveProperty([reference.slice('#/$defs/'.length)]);
  }
}

describe('topologyDocumentJsonSchema', () => {
  const schema = topologyDocumentJsonSchema(createConfigTestRegistry());

  it('is plain JSON in the 2020-12 dialect', () => {
    expect(JSON.parse(JSON.stringify(schema))).toEqual(schema);
    expect(schema.$schema).toBe('https://json-schema.org/draft/2020-12/schema');
    expect(schema).toMatchObject({ type: 'object', required: ['topology', 'agents'], additionalProperties: false });
  });

  it('lists topology names and aliases', () => {
    const definitions = schema.$defs as Record<string, Json>;
    expect(definitions.topologyName!.enum).toEqual(['debate', 'pipeline', 'voting', 'circular', 'sequential']);
    expect((schema.properties as Json).topology).toEqual({ $ref: '#/$defs/topologyName' });
  });

  it("applies each topology's options schema through if/then, aliases included", () => {
    const conditionals = schema.allOf as Json[];
    expect(conditionals).toHaveLength(3);
    expect(conditionals[1]).toEqual({
      if: { properties: { topology: { enum: ['pipeline', 'circular', 'sequential'] } }, required: ['topology'] },
      then: { properties: { options: { $ref: '#/$defs/options-pipeline' } } },
    });
    expect(conditionals[0]!.then).toMatchObject({ properties: { agents: { minItems: 2 } } });
    const debateOptions = (schema.$defs as Record<string, Json>)['options-debate']!;
    expect(debateOptions).toMatchObject({
      type: 'object',
      additionalProperties: false,
      properties: { rounds: { type: 'integer', minimum: 1, default: 2 }, judge: { type: 'string' }, stopOnConsensus: { type: 'boolean' } },
    });
    expect(debateOptions.required).toBeUndefined();
  });

  it('describes the recursive agent slot with $defs and $ref', () => {
    const definitions = schema.$defs as Record<string, Json>;
    expect((schema.properties as Json).agents).toEqual({ type: 'array', minItems: 1, items: { $ref: '#/$defs/agentSlot' } });
    expect(definitions.agentSlot).toEqual({ anyOf: [{ $ref: '#/$defs/modelAgent' }, { $ref: '#/$defs/nestedTopology' }] });
    expect(definitions.nestedTopology).toMatchObject({
      required: ['name', 'topology', 'agents'],
      properties: { agents: { items: { $ref: '#/$defs/agentSlot' } }, topology: { $ref: '#/$defs/topologyName' } },
      allOf: schema.allOf,
    });
    expect(definitions.modelAgent).toMatchObject({ required: ['name'], additionalProperties: false });
    expect((definitions.modelAgent!.properties as Record<string, Json>).model!.examples).toContain('offline/echo');
    expectReferencesResolve(schema);
  });

  it('documents defaults and the retry policy with their defaults', () => {
    const properties = schema.properties as Record<string, Json>;
    expect(properties.retry).toMatchObject({ properties: { max_attempts: { default: 4, minimum: 1 } }, additionalProperties: false });
    expect(Object.keys(properties.defaults!.properties as Json)).toEqual(['model', 'temperature', 'max_tokens', 'system', 'context']);
  });

  it('hoists the definitions of recursive option schemas so that their references resolve', () => {
    interface Step {
      label: string;
      then?: Step[];
    }
    const step: z.ZodType<Step> = z.object({
      label: z.string(),
      get then() {
        return z.array(step).optional();
      },
    });
    interface Outline {
      title: string;
      sections?: Outline[];
    }
    const outline: z.ZodType<Outline> = z.strictObject({
      title: z.string(),
      get sections() {
        return z.array(outline).optional();
      },
    });
    const base = createConfigTestRegistry();
    const registry: Registry = {
      ...base,
      topologies: new Map([
        [
          'plan',
          {
            name: 'plan',
            description: 'A plan of steps.',
            options: z.strictObject({ root: step.optional() }),
            minAgents: 1,
            machine: setup({}).createMachine({ id: 'plan' }),
          },
        ],
        ['outline', { name: 'outline', description: 'Recursive at the root.', options: outline, minAgents: 1, machine: setup({}).createMachine({ id: 'outline' }) }],
      ]),
    };
    const generated = topologyDocumentJsonSchema(registry);
    expect(JSON.stringify(generated)).not.toContain('"#"');
    expectReferencesResolve(generated);
    const definitions = generated.$defs as Record<string, Json>;
    expect(Object.keys(definitions).some((name) => name.startsWith('options-plan.'))).toBe(true);
    expect(collectReferences(definitions['options-outline'])).toContain('#/$defs/options-outline');
  });
});
