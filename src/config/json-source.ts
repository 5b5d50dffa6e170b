/**
 * The fast path for documents written as JSON (all inline documents a server receives as JSON
 * objects are). `JSON.parse` reads them natively and without recursion; one linear scan of the
 * same text then measures depth and entries against the limits, finds duplicate keys (which
 * `JSON.parse` would silently merge but the YAML reader refuses), and records where every key and
 * value starts, so that problems are located exactly as for YAML. Text that is not a valid JSON
 * object is left to the YAML reader, whose messages say what is wrong and where.
 */
import { LineCounter } from 'yaml';
import { isPlainObject } from './document-problem.js';
import { locatorFromOffsets, type LocateTarget, type YamlLocator } from './locate-yaml-path.js';
import type { TextShape } from './yaml-text-shape.js';

/**
 * Where a JSON collection starts and where its entries are. A scalar is only its start offset: a
 * document may have hundreds of thousands of them, and an object each would cost more than the
 * parse itself.
 */
interface PositionNode {
  start: number;
  /** An object's keys, each with the index of its entry in `keyOffsets` and `values`; the first of duplicate keys wins. */
  keys?: Map<string, number>;
  keyOffsets?: number[];
  values?: Position[];
  items?: Position[];
}

type Position = PositionNode | number;

/** A JSON object read from text, with its shape and the means to locate paths in it. */
export interface JsonSource {
  raw: Record<string, unknown>;
  shape: TextShape;
  /** Offsets of keys that repeat an earlier key of the same object. */
  duplicateKeys: number[];
  lineCounter: LineCounter;
  locate: YamlLocator;
}

interface OpenCollection {
  node: PositionNode;
  /** Whether the object's last key still waits for its value. */
  keyPending: boolean;
}

function endOfString(text: string, from: number): number {
  let search = from + 1;
  for (;;) {
    const quote = text.indexOf('"', search);
    if (quote === -1) return text.length;
    let backslashes = 0;
    while (text.charCodeAt(quote - 1 - backslashes) === 92) backslashes += 1;
    if (backslashes % 2 === 0) return quote + 1;
    search = quote + 1;
  }
}

function endOfLiteral(text: string, from: number): number {
  let position = from;
  while (position < text.length && !' \t\r\n,]}'.includes(text[position]!)) position += 1;
  return position;
}

/** Scans valid JSON text: positions, shape and duplicate keys, in one pass with an explicit stack. */
function scanJson(text: string, limits: { depth: number; keys: number }, lineCounter: LineCounter) {
  const shape: TextShape = { depth: 0, depthExceededAt: undefined, entries: 0, entriesExceededAt: undefined };
  const duplicateKeys: number[] = [];
  const stack: OpenCollection[] = [];
  let root: PositionNode | undefined;

  const countEntry = (offset: number): void => {
    shape.entries += 1;
    if (shape.entries > limits.keys && shape.entriesExceededAt === undefined) shape.entriesExceededAt = offset;
  };
  const attach = (value: Position, start: number): void => {
    const open = stack[stack.length - 1];
    if (open === undefined) root = typeof value === 'number' ? { start } : value;
    else if (open.node.items !== undefined) {
      open.node.items.push(value);
      countEntry(start);
    } else {
      open.node.values!.push(value);
      open.keyPending = false;
    }
  };

  let position = 0;
  while (position < text.length) {
    const char = text[position]!;
    if (char === '{' || char === '[') {
      const node: PositionNode = char === '{' ? { start: position, keys: new Map(), keyOffsets: [], values: [] } : { start: position, items: [] };
      attach(node, position);
      stack.push({ node, keyPending: false });
      if (stack.length > shape.depth) {
        shape.depth = stack.length;
        if (stack.length > limits.depth && shape.depthExceededAt === undefined) shape.depthExceededAt = position;
      }
      position += 1;
    } else if (char === '}' || char === ']') {
      stack.pop();
      position += 1;
    } else if (char === '"') {
      const end = endOfString(text, position);
      const open = stack[stack.length - 1];
      if (open?.node.keys !== undefined && !open.keyPending) {
        const body = text.slice(position + 1, end - 1);
        const key = body.includes('\\') ? (JSON.parse(text.slice(position, end)) as string) : body;
        countEntry(position);
        if (open.node.keys.has(key)) duplicateKeys.push(position);
        else open.node.keys.set(key, open.node.keyOffsets!.length);
        open.node.keyOffsets!.push(position);
        open.keyPending = true;
      } else attach(position, position);
      position = end;
    } else if (char === '\n') {
      lineCounter.addNewLine(position + 1);
      position += 1;
    } else if (char === ',' || char === ':' || char === ' ' || char === '\t' || char === '\r') {
      position += 1;
    } else {
      attach(position, position);
      position = endOfLiteral(text, position);
    }
  }
  return { shape, duplicateKeys, root: root ?? { start: 0 } };
}

function locator(root: PositionNode, lineCounter: LineCounter): YamlLocator {
  return locatorFromOffsets((path, target: LocateTarget = 'value') => {
    let node: Position = root;
    let keyOffset: number | undefined;
    let reachedEnd = true;
    for (const segment of path) {
      const collection: PositionNode | undefined = typeof node === 'number' ? undefined : node;
      const entry: number | undefined = collection?.keys?.get(String(segment));
      const item: Position | undefined = typeof segment === 'number' ? collection?.items?.[segment] : undefined;
      if (entry !== undefined) {
        keyOffset = collection!.keyOffsets![entry];
        node = collection!.values![entry]!;
      } else if (item !== undefined) {
        node = item;
        keyOffset = undefined;
      } else {
        reachedEnd = false;
        break;
      }
    }
    // As for YAML: collections are reported at their key, and so is a key asked for itself.
    const start = typeof node === 'number' ? node : node.start;
    const preferKey = (reachedEnd && target === 'key') || typeof node !== 'number';
    return preferKey && keyOffset !== undefined ? keyOffset : start;
  }, lineCounter);
}

/**
 * Reads `text` as a JSON object, or returns undefined when it is not one (YAML, JSON with a syntax
 * error, or JSON whose root is not an object), for the YAML reader to handle.
 *
 * @example
 * const source = readJsonSource('{"topology": "debate"}', { depth: 64, keys: 100000 });
 * source?.locate(['topology']) // → { line: 1, column: 14 }
 */
export function readJsonSource(text: string, limits: { depth: number; keys: number }): JsonSource | undefined {
  const first = text.search(/\S/);
  if (first === -1 || text[first] !== '{') return undefined;
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (!isPlainObject(raw)) return undefined;
  const lineCounter = new LineCounter();
  lineCounter.addNewLine(0);
  const { shape, duplicateKeys, root } = scanJson(text, limits, lineCounter);
  return { raw, shape, duplicateKeys, lineCounter, locate: locator(root, lineCounter) };
}
