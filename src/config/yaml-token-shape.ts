/**
 * The exact nesting depth and entry count of a parsed YAML text, read from the parser's tokens
 * (its CST) before they are composed into a document. The composer and `toJS` recurse once per
 * level, so this is where the depth limit is made sure of; the walk itself uses an explicit stack,
 * visits entries in source order, and notes where each limit was first passed.
 */
import type { CST } from 'yaml';
import type { TextShape } from './yaml-text-shape.js';

/** The shape of the tokens; `aliases` says whether any alias (`*name`) appears. */
export interface TokenShape extends TextShape {
  aliases: boolean;
}

type Collection = CST.BlockMap | CST.BlockSequence | CST.FlowCollection;
type Item = Collection['items'][number];

interface Frame {
  items: readonly Item[];
  index: number;
  /** Depth of the collection these items belong to. */
  depth: number;
  /** The kind of collection, which decides what makes an item an entry. */
  kind: Collection['type'];
}

function isCollection(token: CST.Token | null | undefined): token is Collection {
  return token?.type === 'block-map' || token?.type === 'block-seq' || token?.type === 'flow-collection';
}

/** Whether an item is an entry, and where it starts; comment-only and trailing-comma items are not. */
function entryOffset(item: Item, kind: Collection['type']): number | undefined {
  if (kind === 'block-seq') return item.start.find((token) => token.type === 'seq-item-ind')?.offset;
  const explicit = item.start.find((token) => token.type === 'explicit-key-ind');
  if (explicit !== undefined) return explicit.offset;
  if (item.key !== undefined && item.key !== null) return item.key.offset;
  if (item.sep !== undefined && item.sep.length > 0) return item.sep[0]!.offset;
  if (kind === 'flow-collection' && item.value !== undefined) return item.value.offset;
  return undefined;
}

/**
 * Measures the documents among `tokens` (as produced by `new Parser().parse(text)`).
 *
 * @example
 * const tokens = [...new Parser().parse('a: [1, 2]\n')];
 * measureTokenShape(tokens, { depth: 64, keys: 100 }) // → { depth: 2, entries: 3, aliases: false, … }
 */
export function measureTokenShape(tokens: readonly CST.Token[], limits: { depth: number; keys: number }): TokenShape {
  const shape: TokenShape = { depth: 0, depthExceededAt: undefined, entries: 0, entriesExceededAt: undefined, aliases: false };
  const stack: Frame[] = [];

  const enter = (token: CST.Token | null | undefined, depth: number): void => {
    if (token === null || token === undefined) return;
    if (token.type === 'alias') shape.aliases = true;
    if (!isCollection(token)) return;
    if (depth > shape.depth) {
      shape.depth = depth;
      if (depth > limits.depth && shape.depthExceededAt === undefined) shape.depthExceededAt = token.offset;
    }
    stack.push({ items: token.items, index: 0, depth, kind: token.type });
  };

  for (const token of tokens) {
    if (token.type !== 'document') continue;
    enter(token.value, 1);
    while (stack.length > 0) {
      const frame = stack[stack.length - 1]!;
      const item = frame.items[frame.index];
      if (item === undefined) {
        stack.pop();
        continue;
      }
      frame.index += 1;
      const offset = entryOffset(item, frame.kind);
      if (offset !== undefined) {
        shape.entries += 1;
        if (shape.entries > limits.keys && shape.entriesExceededAt === undefined) shape.entriesExceededAt = offset;
      }
      // Value first onto the stack, so that the key (on top) is walked first: source order.
      enter(item.value, frame.depth + 1);
      enter(item.key, frame.depth + 1);
    }
  }
  return shape;
}
