/**
 * A quick look at the shape of YAML text before the YAML parser sees it: how deeply it nests and
 * how many entries (mapping keys and list items) it has. The parser is slow on pathological input
 * (a megabyte of `[[[[…` takes seconds) and its composer overflows the stack a few hundred levels
 * down, so the limits are checked on the text first, in one linear pass with no recursion.
 *
 * The scan reads only what decides structure: indentation and block indicators (`- `, `? `,
 * `key:`), flow brackets outside quotes and comments, and the extent of quoted, block and
 * multi-line plain scalars, whose content it skips. Its counts are lower bounds: where the text is
 * unusual (tags on keys, flow collections as keys) it may miss a level or an entry, never invent
 * one, so a valid document is not refused by mistake. The exact counts come from the parser's
 * tokens afterwards (`measureTokenShape`).
 */

/** What the scan saw, and where each limit was first passed (offsets into the text). */
export interface TextShape {
  /** The deepest nesting seen; the root collection is level 1. */
  depth: number;
  depthExceededAt: number | undefined;
  /** Mapping keys and list items seen, at any depth. */
  entries: number;
  entriesExceededAt: number | undefined;
}

const space = 32;
const tab = 9;
const newline = 10;
const carriageReturn = 13;

type BlockKind = 'map' | 'seq';

function isBlank(code: number): boolean {
  return code === space || code === tab || code === newline || code === carriageReturn || Number.isNaN(code);
}

/** One pass over the text; positions are offsets, columns count from the start of the current line. */
class ShapeScanner {
  private position = 0;
  private lineStart = 0;
  /** Open block collections, innermost last: their columns and kinds. */
  private readonly columns: number[] = [];
  private readonly kinds: BlockKind[] = [];
  /** Lines indented more than this belong to the scalar above (block or multi-line plain); -1: none. */
  private scalarIndent = -1;
  readonly shape: TextShape = { depth: 0, depthExceededAt: undefined, entries: 0, entriesExceededAt: undefined };

  constructor(
    private readonly text: string,
    private readonly limits: { depth: number; keys: number },
  ) {}

  run(): TextShape {
    while (this.position < this.text.length) this.line();
    return this.shape;
  }

  private code(position: number): number {
    return this.text.charCodeAt(position);
  }

  private skipSpaces(position: number): number {
    let at = position;
    while (this.code(at) === space || this.code(at) === tab) at += 1;
    return at;
  }

  /** Moves past the end of the line that `position` is on. */
  private endLine(position: number): void {
    const end = this.text.indexOf('\n', position);
    this.position = end === -1 ? this.text.length : end + 1;
  }

  private reachDepth(depth: number, position: number): void {
    if (depth <= this.shape.depth) return;
    this.shape.depth = depth;
    if (depth > this.limits.depth && this.shape.depthExceededAt === undefined) this.shape.depthExceededAt = position;
  }

  private countEntry(position: number): void {
    this.shape.entries += 1;
    if (this.shape.entries > this.limits.keys && this.shape.entriesExceededAt === undefined) this.shape.entriesExceededAt = position;
  }

  /** A block `- `, `? ` or `key:` at `column`: continues the open collection there, or opens one. */
  private openBlock(column: number, kind: BlockKind, position: number): void {
    const { columns, kinds } = this;
    // A list may sit at its parent key's column; a key at that column closes the list.
    while (columns.length > 0) {
      const top = columns.length - 1;
      if (columns[top]! > column || (columns[top] === column && kinds[top] === 'seq' && kind === 'map')) {
        columns.pop();
        kinds.pop();
      } else break;
    }
    const top = columns.length - 1;
    if (top >= 0 && columns[top] === column && kinds[top] === kind) return;
    columns.push(column);
    kinds.push(kind);
    this.reachDepth(columns.length, position);
  }

  private line(): void {
    this.lineStart = this.position;
    const start = this.skipSpaces(this.position);
    const indent = start - this.lineStart;
    const first = this.code(start);
    if (first === newline || first === carriageReturn || Number.isNaN(first)) return this.endLine(start);
    if (this.scalarIndent >= 0) {
      if (indent > this.scalarIndent) return this.endLine(start);
      this.scalarIndent = -1;
    }
    const text = this.text;
    if (text[start] === '#' || (indent === 0 && text[start] === '%')) return this.endLine(start);
    if (indent === 0 && (text.startsWith('---', start) || text.startsWith('...', start)) && isBlank(this.code(start + 3))) {
      this.columns.length = 0;
      this.kinds.length = 0;
      if (text[start] === '.') return this.endLine(start);
      return this.node(this.skipSpaces(start + 3), indent);
    }
    return this.node(start, indent);
  }

  /** The nodes of one line, from `position`: indicators and keys, then at most one value. */
  private node(from: number, indent: number): void {
    const text = this.text;
    let position = from;
    let owner = -1;
    let afterKey = false;
    for (;;) {
      const column = position - this.lineStart;
      const char = text[position];
      const next = this.code(position + 1);
      if (char === undefined || char === '\n' || char === '\r' || char === '#') return this.endLine(position);
      if ((char === '-' || char === '?') && isBlank(next) && !afterKey) {
        this.openBlock(column, char === '-' ? 'seq' : 'map', position);
        this.countEntry(position);
        owner = column;
        position = this.skipSpaces(position + 1);
        continue;
      }
      if (char === ':' && isBlank(next) && owner === -1 && !afterKey) {
        position = this.skipSpaces(position + 1);
        afterKey = true;
        continue;
      }
      if (char === '&' || char === '!') {
        while (!isBlank(this.code(position))) position += 1;
        position = this.skipSpaces(position);
        continue;
      }
      // A value: it belongs to this line's last key or indicator, or else to a key left of it.
      const parent = owner >= 0 ? owner : this.closeBlocksFrom(indent);
      if (char === '[' || char === '{') return this.endLine(this.flow(position));
      if (char === '|' || char === '>') {
        this.scalarIndent = parent;
        return this.endLine(position);
      }
      if (char === '"' || char === "'") {
        const end = this.skipQuoted(position);
        const after = this.skipSpaces(end);
        if (!afterKey && text[after] === ':' && isBlank(this.code(after + 1))) {
          this.openBlock(column, 'map', position);
          this.countEntry(position);
          owner = column;
          afterKey = true;
          position = this.skipSpaces(after + 1);
          continue;
        }
        return this.endLine(end);
      }
      if (!afterKey && char !== '*') {
        const colon = this.keyColon(position);
        if (colon >= 0) {
          this.openBlock(column, 'map', position);
          this.countEntry(position);
          owner = column;
          afterKey = true;
          position = this.skipSpaces(colon + 1);
          continue;
        }
      }
      // A plain scalar: lines indented past its parent continue it.
      this.scalarIndent = parent;
      return this.endLine(position);
    }
  }

  /**
   * A value starting a line belongs to a key left of it: collections at or right of its column are
   * closed. Returns the column of that key's collection (-1 at the root).
   */
  private closeBlocksFrom(indent: number): number {
    while (this.columns.length > 0 && this.columns[this.columns.length - 1]! >= indent) {
      this.columns.pop();
      this.kinds.pop();
    }
    return this.columns.length === 0 ? -1 : this.columns[this.columns.length - 1]!;
  }

  /** The `:` ending a plain implicit key on this line, or -1 when the line holds no key. */
  private keyColon(from: number): number {
    const text = this.text;
    for (let position = from; position < text.length; position += 1) {
      const char = text[position];
      if (char === '\n') return -1;
      if (char === ':' && isBlank(this.code(position + 1))) return position;
      if (char === '#' && (text[position - 1] === ' ' || text[position - 1] === '\t')) return -1;
    }
    return -1;
  }

  /** Skips a quoted scalar (it may span lines); returns the offset after its closing quote. */
  private skipQuoted(from: number): number {
    const text = this.text;
    const quote = text[from];
    let position = from + 1;
    while (position < text.length) {
      const char = text[position];
      if (char === '\n') this.lineStart = position + 1;
      if (quote === '"' && char === '\\') {
        if (text[position + 1] === '\n') this.lineStart = position + 2;
        position += 2;
      } else if (char === quote) {
        if (quote === "'" && text[position + 1] === "'") position += 2;
        else return position + 1;
      } else position += 1;
    }
    return position;
  }

  /** A flow collection (it may span lines); returns the offset after its closing bracket. */
  private flow(from: number): number {
    const text = this.text;
    let depth = 0;
    let expectItem = false;
    let position = from;
    while (position < text.length) {
      const char = text[position]!;
      const before = text[position - 1];
      const atNodeStart = before === undefined || ' \t\n\r[{,:?'.includes(before);
      if (char === '[' || char === '{') {
        if (expectItem) this.countEntry(position);
        depth += 1;
        this.reachDepth(this.columns.length + depth, position);
        expectItem = true;
      } else if (char === ']' || char === '}') {
        depth -= 1;
        expectItem = false;
        if (depth === 0) return position + 1;
      } else if (char === ',') {
        expectItem = true;
      } else if (char === '\n') {
        this.lineStart = position + 1;
      } else if (char === '#' && (before === ' ' || before === '\t' || before === '\n')) {
        const end = text.indexOf('\n', position);
        position = end === -1 ? text.length : end;
        continue;
      } else if ((char === '"' || char === "'") && atNodeStart) {
        if (expectItem) this.countEntry(position);
        expectItem = false;
        position = this.skipQuoted(position);
        continue;
      } else if (char !== ' ' && char !== '\t' && char !== '\r' && char !== ':') {
        if (expectItem) this.countEntry(position);
        expectItem = false;
      }
      position += 1;
    }
    return position;
  }
}

/**
 * Scans YAML (or JSON) text for its nesting depth and number of entries, noting where each passed
 * its limit. Linear in the length of the text; never recurses.
 *
 * @example
 * scanYamlTextShape('a:\n  b: [1, 2]\n', { depth: 64, keys: 100 })
 * // → { depth: 3, depthExceededAt: undefined, entries: 4, entriesExceededAt: undefined }
 */
export function scanYamlTextShape(text: string, limits: { depth: number; keys: number }): TextShape {
  return new ShapeScanner(text, limits).run();
}
