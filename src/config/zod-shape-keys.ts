/**
 * Looks inside a zod schema for the keys an object accepts at a given path, so that an unknown key
 * anywhere (top level, agents, topology options) can be answered with "did you mean …?". Only the
 * structural wrappers are followed (optional, default, pipe, union, …); anything else has no keys.
 */
import type { z } from 'zod';
import type { JsonPath } from './format-json-path.js';

type Schema = z.core.$ZodType;

interface LooseDefinition {
  type: string;
  innerType?: Schema;
  in?: Schema;
  getter?: () => Schema;
  shape?: Record<string, Schema>;
  element?: Schema;
  valueType?: Schema;
  items?: Schema[];
  options?: Schema[];
  left?: Schema;
  right?: Schema;
}

const wrapperTypes = new Set(['optional', 'nullable', 'default', 'prefault', 'catch', 'readonly', 'nonoptional']);

function definitionOf(schema: Schema): LooseDefinition {
  return schema._zod.def as unknown as LooseDefinition;
}

/** Removes wrappers and expands unions and intersections into the schemas a value may match. */
function expand(schema: Schema, depth = 0): Schema[] {
  if (depth > 32) return [];
  const definition = definitionOf(schema);
  if (wrapperTypes.has(definition.type) && definition.innerType) return expand(definition.innerType, depth + 1);
  if (definition.type === 'pipe' && definition.in) return expand(definition.in, depth + 1);
  if (definition.type === 'lazy' && definition.getter) return expand(definition.getter(), depth + 1);
  if (definition.type === 'union' && definition.options) return definition.options.flatMap((option) => expand(option, depth + 1));
  if (definition.type === 'intersection' && definition.left && definition.right) {
    return [...expand(definition.left, depth + 1), ...expand(definition.right, depth + 1)];
  }
  return [schema];
}

function child(schema: Schema, segment: string | number): Schema | undefined {
  const definition = definitionOf(schema);
  switch (definition.type) {
    case 'object':
      return definition.shape?.[String(segment)];
    case 'array':
      return typeof segment === 'number' ? definition.element : undefined;
    case 'tuple':
      return typeof segment === 'number' ? definition.items?.[segment] : undefined;
    case 'record':
      return definition.valueType;
    default:
      return undefined;
  }
}

/**
 * Keys declared by the object schema(s) found at `path` inside `schema`, in declaration order.
 *
 * @example
 * shapeKeysAt(z.object({ retry: z.object({ max_attempts: z.number() }) }), ['retry']) // → ['max_attempts']
 */
export function shapeKeysAt(schema: Schema, path: JsonPath): string[] {
  let current = expand(schema);
  for (const segment of path) {
    current = current.flatMap((candidate) => {
      const next = child(candidate, segment);
      return next === undefined ? [] : expand(next);
    });
  }
  const keys = new Set<string>();
  for (const candidate of current) {
    const definition = definitionOf(candidate);
    if (definition.type === 'object' && definition.shape) for (const key of Object.keys(definition.shape)) keys.add(key);
  }
  return [...keys];
}
