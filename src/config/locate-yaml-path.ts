/**
 * Turns a JSON path (`agents[1].model`) into the line and column of the YAML node it names, so that
 * every validation message can point at the exact place in the file. JSON documents are parsed by
 * the same YAML parser, so this works for both. A path that leads nowhere (a missing key) resolves
 * to the deepest node that does exist: the object that lacks the key.
 */
import { isAlias, isCollection, isMap, isScalar, isSeq, type Document, type LineCounter, type Node, type Pair } from 'yaml';
import type { JsonPath } from './format-json-path.js';

/** 1-based position in the source text. */
export interface SourcePosition {
  line: number;
  column: number;
}

/** What to point at when the path ends on a mapping entry: its value (default) or its key. */
export type LocateTarget = 'value' | 'key';

/** Finds source positions for paths in one parsed document. */
export type YamlLocator = (path: JsonPath, target?: LocateTarget) => SourcePosition;

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

function step(found: Found, segment: string | number, document: Document): Found | undefined {
  const node = found.node;
  if (isMap(node)) {
    const pair = node.items.find((item) => keyText(item.key) === String(segment));
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
  return (path, target = 'value') => {
    let found: Found = { node: resolve(document.contents, document), pair: undefined };
    let reachedEnd = true;
    for (const segment of path) {
      const next = step(found, segment, document);
      if (next === undefined) {
        reachedEnd = false;
        break;
      }
      found = next;
    }
    const position = lineCounter.linePos(offsetOf(found, target, reachedEnd));
    return { line: position.line, column: position.col };
  };
}
