/**
 * Turns a JSON path (`agents[1].model`) into the line and column of the YAML node it names, so that
 * every validation message can point at the exact place in the file. JSON documents are parsed by
 * the same YAML parser, so this works for both. A path that leads nowhere (a missing key) resolves
 * to the deepest node that does exist: the object that lacks the key.
 */
import { isAlias, isCollection, isMap, isScalar, isSeq, type Document, type LineCounter, type Node, type Pair, type YAMLMap } from 'yaml';
import type { JsonPath } from './format-json-path.js';

/** 1-based position in the source text. */
export interface SourcePosition {
  line: number;
  column: number;
}

/** What to point at when the path ends on a mapping entry: its value (default) or its key. */
export type LocateTarget = 'value' | 'key';

/** Finds source positions for paths in one parsed document. */
export interface YamlLocator {
  (path: JsonPath, target?: LocateTarget): SourcePosition;
  /** The same place as an offset into the text: orders problems without working out lines. */
  offset(path: JsonPath, target?: LocateTarget): number;
}

/**
 * A locator from a function that finds offsets and the text's line counter.
 *
 * @example
 * const locate = locatorFromOffsets((path) => 0, lineCounter);
 * locate(['topology']) // → { line: 1, column: 1 }
 */
export function locatorFromOffsets(offset: (path: JsonPath, target?: LocateTarget) => number, lineCounter: LineCounter): YamlLocator {
  const locate = (path: JsonPath, target?: LocateTarget): SourcePosition => {
    const position = lineCounter.linePos(offset(path, target));
    return { line: position.line, column: position.col };
  };
  return Object.assign(locate, { offset });
}

interface Found {
  /** The node reached so far (a value, or the document root). */
  node: Node | null;
  /** The pair that holds `node`, when it was reached through a mapping key. */
  pair: Pair | undefined;
}

function keyText(key: unknown): string | undefined {
  if (isScalar(key)) return String(key.value);
  if (typeof key === 'string' || typeof key === 'number') return String(key);
  return undefined;
}

function resolve(node: unknown, document: Document): Node | null {
  if (isAlias(node)) return (node.resolve(document) as Node | undefined) ?? null;
  return (node as Node | null | undefined) ?? null;
}

/**
 * Each mapping's pairs by key text, built the first time the mapping is looked into, so that a
 * lookup costs O(1) however many keys the mapping has (a document with 200,000 unknown keys has
 * 200,000 problems to locate in one mapping). The first of duplicate keys wins, as with `find`.
 */
function pairsByKey(map: YAMLMap, cache: WeakMap<YAMLMap, Map<string, Pair>>): Map<string, Pair> {
  let pairs = cache.get(map);
  if (pairs === undefined) {
    pairs = new Map();
    for (const item of map.items as Pair[]) {
      const text = keyText(item.key);
      if (text !== undefined && !pairs.has(text)) pairs.set(text, item);
    }
    cache.set(map, pairs);
  }
  return pairs;
}

function step(found: Found, segment: string | number, document: Document, cache: WeakMap<YAMLMap, Map<string, Pair>>): Found | undefined {
  const node = found.node;
  if (isMap(node)) {
    const pair = pairsByKey(node, cache).get(String(segment));
    return pair === undefined ? undefined : { node: resolve(pair.value, document), pair };
  }
  if (isSeq(node) && typeof segment === 'number') {
    const item = node.items[segment];
    return item === undefined ? undefined : { node: resolve(item, document), pair: undefined };
  }
  return undefined;
}

function startOf(node: unknown): number | undefined {
  const range = (node as { range?: [number, number, number] } | null)?.range;
  return range?.[0];
}

/** Offset to report for what the walk reached; collections are reported at their key's line. */
function offsetOf(found: Found, target: LocateTarget, reachedEnd: boolean): number {
  const keyOffset = found.pair === undefined ? undefined : startOf(found.pair.key);
  const value = found.node;
  const emptyValue = isScalar(value) && value.range != null && value.range[0] === value.range[1];
  const preferKey = (reachedEnd && target === 'key') || isCollection(value) || value === null || emptyValue;
  if (preferKey && keyOffset !== undefined) return keyOffset;
  return startOf(value) ?? keyOffset ?? 0;
}

/**
 * Builds a locator for a parsed document. The document must have been parsed with `lineCounter`.
 *
 * @example
 * const lineCounter = new LineCounter();
 * const document = parseDocument('topology: debat\n', { lineCounter });
 * createYamlLocator(document, lineCounter)(['topology']) // → { line: 1, column: 11 }
 */
export function createYamlLocator(document: Document, lineCounter: LineCounter): YamlLocator {
  const cache = new WeakMap<YAMLMap, Map<string, Pair>>();
  const offset = (path: JsonPath, target: LocateTarget = 'value'): number => {
    let found: Found = { node: resolve(document.contents, document), pair: undefined };
    let reachedEnd = true;
    for (const segment of path) {
      const next = step(found, segment, document, cache);
      if (next === undefined) {
        reachedEnd = false;
        break;
      }
      found = next;
    }
    return offsetOf(found, target, reachedEnd);
  };
  return locatorFromOffsets(offset, lineCounter);
}
