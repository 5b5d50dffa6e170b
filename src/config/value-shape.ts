/**
 * Whether a plain JavaScript value (a document already read, or a JSON object a server received)
 * nests too deeply or has too many entries, found with an explicit stack. `JSON.stringify` and zod
 * recurse once per level and overflow the stack a few thousand levels down, so a value is measured
 * before it is handed to them. Used where there is no text to scan: inline documents given as
 * objects, and YAML whose aliases nest an anchored collection inside another.
 */
import type { JsonPath } from './format-json-path.js';

/** The first limit a value goes past, and where: the path of the deepest level or of the entry. */
export interface ValueExcess {
  limit: 'depth' | 'keys';
  path: JsonPath;
}

interface Visit {
  value: object;
  depth: number;
  parent: Visit | undefined;
  key: string | number | undefined;
}

function pathOf(visit: Visit, key?: string | number): JsonPath {
  const path: Array<string | number> = key === undefined ? [] : [key];
  for (let current: Visit | undefined = visit; current?.key !== undefined; current = current.parent) path.push(current.key);
  return path.reverse();
}

/**
 * Walks `value` until it goes past a limit: deeper than `limits.depth` levels (a root object or
 * array is level 1) or more than `limits.keys` entries (object keys plus array items). The walk
 * stops there, so its cost is bounded by the limits even for a value that refers to itself.
 *
 * @example
 * findValueExcess({ a: [1, { b: 2 }] }, { depth: 2, keys: 100 }) // → { limit: 'depth', path: ['a', 1] }
 * findValueExcess({ a: 1 }, { depth: 2, keys: 100 })             // → undefined
 */
export function findValueExcess(value: unknown, limits: { depth: number; keys: number }): ValueExcess | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const stack: Visit[] = [{ value, depth: 1, parent: undefined, key: undefined }];
  let entries = 0;
  while (stack.length > 0) {
    const visit = stack.pop()!;
    if (visit.depth > limits.depth) return { limit: 'depth', path: pathOf(visit) };
    const children: Visit[] = [];
    const inner: Array<[string | number, unknown]> = Array.isArray(visit.value) ? visit.value.map((item, index) => [index, item]) : Object.entries(visit.value);
    for (const [key, child] of inner) {
      entries += 1;
      if (entries > limits.keys) return { limit: 'keys', path: pathOf(visit, key) };
      if (typeof child === 'object' && child !== null) children.push({ value: child, depth: visit.depth + 1, parent: visit, key });
    }
    for (let index = children.length - 1; index >= 0; index -= 1) stack.push(children[index]!);
  }
  return undefined;
}
