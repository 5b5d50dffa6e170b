/**
 * Reading a YAML/JSON source into plain data while keeping the means to point back into it: the
 * syntax errors of the text, each with its line and column, and a locator that turns a JSON path
 * into a position. Topology documents and benchmark suites both start here, so both report
 * problems the same way (file:line:column and the path).
 *
 * Reading is linear in the size of the text and checks the document limits before the work they
 * bound: the byte count first, then a scan of the text for depth and entries (before the YAML
 * parser, which is slow on pathological nesting), then the exact counts from the parser's tokens
 * (before the composer and `toJS`, which recurse). JSON objects take a native fast path
 * (`readJsonSource`). Duplicate keys are found here in linear time rather than by the yaml
 * library, whose check is quadratic.
 */
import { Composer, LineCounter, Parser, YAMLParseError, type Document } from 'yaml';
import { ConclaveError, type ConclaveErrorJSON, type ErrorLocation } from '../protocol/index.js';
import { describeValueType, isPlainObject, type DocumentProblem } from './document-problem.js';
import {
  documentTooLargeError,
  formatNumber,
  isStackOverflow,
  resolveDocumentLimits,
  type DocumentLimitOptions,
  stackExhaustedError,
  type ResolvedDocumentLimits,
} from './document-limits.js';
import { formatJsonPath } from './format-json-path.js';
import { readJsonSource } from './json-source.js';
import { createYamlLocator, type YamlLocator } from './locate-yaml-path.js';
import { findValueExcess } from './value-shape.js';
import { findDuplicateKeys } from './yaml-duplicate-keys.js';
import { scanYamlTextShape, type TextShape } from './yaml-text-shape.js';
import { measureTokenShape } from './yaml-token-shape.js';

/** How many problems an error lists; the rest are counted in one final issue. */
export const reportedProblemLimit = 50;

export interface YamlSource {
  /** The mapping at the root of the source. */
  raw: Record<string, unknown>;
  locate: YamlLocator;
}

/**
 * A location for an error: file (when known), line, column and JSON path.
 *
 * @example
 * sourceLocation('suite.yaml', { line: 3, column: 5 }, 'contestants[0]') // → { file, line: 3, column: 5, path }
 */
export function sourceLocation(file: string | undefined, position: { line: number; column: number }, path?: string): ErrorLocation {
  const location: ErrorLocation = {};
  if (file !== undefined) location.file = file;
  location.line = position.line;
  location.column = position.column;
  if (path !== undefined) location.path = path;
  return location;
}

/** A syntax problem at an offset of the text. */
interface SyntaxProblem {
  offset: number;
  message: string;
}

const duplicateKeyMessage = 'Map keys must be unique';

function syntaxError(problems: SyntaxProblem[], lineCounter: LineCounter, file: string | undefined): ConclaveError {
  const sorted = [...problems].sort((left, right) => left.offset - right.offset);
  const issues = sorted.slice(0, reportedProblemLimit).map((problem) => {
    const position = lineCounter.linePos(problem.offset);
    return new ConclaveError('document_syntax', `invalid YAML: ${problem.message}`, {
      location: sourceLocation(file, { line: position.line, column: position.col }),
    }).toJSON();
  });
  if (sorted.length > reportedProblemLimit) issues.push(moreProblemsIssue('document_syntax', sorted.length - reportedProblemLimit, file));
  const first = issues[0]!;
  return new ConclaveError('document_syntax', first.message, {
    ...(first.location === undefined ? {} : { location: first.location }),
    ...(issues.length > 1 ? { issues } : {}),
  });
}

function moreProblemsIssue(code: 'document_syntax' | 'invalid_document', count: number, file: string | undefined): ConclaveErrorJSON {
  return new ConclaveError(code, `… and ${formatNumber(count)} more problem${count === 1 ? '' : 's'}`, {
    ...(file === undefined ? {} : { location: { file } }),
    hint: `only the first ${reportedProblemLimit} problems are listed; fix them and validate again to see the rest`,
  }).toJSON();
}

/** Throws `document_too_large` when a measured shape went past the depth or the entries limit. */
function checkShape(shape: TextShape, limits: ResolvedDocumentLimits, where: (offset: number) => ErrorLocation): void {
  if (shape.depthExceededAt !== undefined) throw documentTooLargeError('depth', shape.depth, limits, where(shape.depthExceededAt));
  if (shape.entriesExceededAt !== undefined) throw documentTooLargeError('keys', shape.entries, limits, where(shape.entriesExceededAt));
}

/** Line and column of an offset, counted directly (for errors raised before the parser has run). */
function positionInText(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  for (let newline = text.indexOf('\n'); newline !== -1 && newline < offset; newline = text.indexOf('\n', newline + 1)) {
    line += 1;
    lineStart = newline + 1;
  }
  return { line, column: offset - lineStart + 1 };
}

function checkBytes(text: string, limits: ResolvedDocumentLimits, file: string | undefined): void {
  // UTF-8 takes one to three bytes per UTF-16 unit: only text near the limit needs counting.
  if (text.length * 3 <= limits.bytes) return;
  const bytes = Buffer.byteLength(text, 'utf8');
  if (bytes > limits.bytes) throw documentTooLargeError('bytes', bytes, limits, file === undefined ? undefined : { file });
}

/** The YAML path: scan, parse to tokens, measure, compose, check keys, convert. */
function readYaml(text: string, file: string | undefined, shapeHint: string, limits: ResolvedDocumentLimits): YamlSource {
  checkShape(scanYamlTextShape(text, limits), limits, (offset) => sourceLocation(file, positionInText(text, offset)));
  const lineCounter = new LineCounter();
  const tokens = Array.from(new Parser(lineCounter.addNewLine).parse(text));
  const at = (offset: number): ErrorLocation => {
    const position = lineCounter.linePos(offset);
    return sourceLocation(file, { line: position.line, column: position.col });
  };
  const shape = measureTokenShape(tokens, limits);
  checkShape(shape, limits, at);
  const document = composeFirstDocument(tokens, text.length);
  const exhausted = document.errors.find((error) => error.code === 'RESOURCE_EXHAUSTION');
  if (exhausted !== undefined) throw stackExhaustedError('read', limits, at(exhausted.pos[0]), exhausted);
  const problems: SyntaxProblem[] = document.errors.map((error) => ({ offset: error.pos[0], message: error.message }));
  for (const offset of findDuplicateKeys(document)) problems.push({ offset, message: duplicateKeyMessage });
  if (problems.length > 0) throw syntaxError(problems, lineCounter, file);
  const locate = createYamlLocator(document, lineCounter);
  if (document.contents === null) {
    throw new ConclaveError('invalid_document', 'the document is empty', { location: sourceLocation(file, { line: 1, column: 1 }), hint: shapeHint });
  }
  let raw: unknown;
  try {
    raw = document.toJS();
  } catch (error) {
    if (isStackOverflow(error)) throw stackExhaustedError('read', limits, sourceLocation(file, locate([])), error);
    throw new ConclaveError('document_syntax', `invalid YAML: ${error instanceof Error ? error.message : String(error)}`, {
      location: sourceLocation(file, locate([])),
      cause: error,
    });
  }
  if (shape.aliases) {
    // An alias repeats its anchor's collection wherever it appears, so the value may nest deeper than the text.
    const excess = findValueExcess(raw, { depth: limits.depth, keys: Number.POSITIVE_INFINITY });
    if (excess !== undefined) throw documentTooLargeError('depth', undefined, limits, sourceLocation(file, locate(excess.path), formatJsonPath(excess.path)));
  }
  if (!isPlainObject(raw)) {
    throw new ConclaveError('invalid_document', `the document must be a mapping, found ${describeValueType(raw)}`, {
      location: sourceLocation(file, locate([]), ''),
      hint: shapeHint,
    });
  }
  return { raw, locate };
}

/** What `parseDocument` does, but with the yaml library's quadratic duplicate-key check turned off. */
function composeFirstDocument(tokens: Parameters<Composer['compose']>[0], length: number): Document.Parsed {
  let document: Document.Parsed | undefined;
  for (const composed of new Composer({ uniqueKeys: false }).compose(tokens, true, length)) {
    if (document === undefined) document = composed;
    else {
      document.errors.push(new YAMLParseError([composed.range[0], composed.range[1]], 'MULTIPLE_DOCS', 'Source contains multiple documents; please use YAML.parseAllDocuments()'));
      break;
    }
  }
  return document!;
}

/**
 * Parses YAML (or JSON) text whose root must be a mapping. Throws `document_too_large` for text
 * past one of the limits (`options.limits` over `defaultDocumentLimits`), `document_syntax` for
 * text that does not parse, and `invalid_document` for an empty source or a root that is not a
 * mapping, with `shapeHint` saying what the root should look like.
 *
 * @example
 * const { raw, locate } = readYamlSource('name: demo\n', 'suite.yaml', 'a suite starts with "name:"');
 * locate(['name']) // → { line: 1, column: 7 }
 */
export function readYamlSource(text: string, file: string | undefined, shapeHint: string, options: DocumentLimitOptions = {}): YamlSource {
  const limits = resolveDocumentLimits(options);
  checkBytes(text, limits, file);
  const json = readJsonSource(text, limits);
  if (json === undefined) return readYaml(text, file, shapeHint, limits);
  checkShape(json.shape, limits, (offset) => {
    const position = json.lineCounter.linePos(offset);
    return sourceLocation(file, { line: position.line, column: position.col });
  });
  if (json.duplicateKeys.length > 0) {
    throw syntaxError(json.duplicateKeys.map((offset) => ({ offset, message: duplicateKeyMessage })), json.lineCounter, file);
  }
  return { raw: json.raw, locate: json.locate };
}

/** A problem with its offset in the text. */
interface LocatedProblem {
  problem: DocumentProblem;
  offset: number;
}

/**
 * The first `count` problems in source order, without sorting them all: each is compared with the
 * last one kept, which for problems found in source order (the usual case) rejects it at once.
 */
function firstInSourceOrder(problems: readonly DocumentProblem[], locate: YamlLocator, count: number): LocatedProblem[] {
  const kept: LocatedProblem[] = [];
  for (let index = 0; index < problems.length; index += 1) {
    const problem = problems[index]!;
    const offset = locate.offset(problem.path, problem.target);
    // Offsets of later problems only win when smaller: on a tie the earlier problem stays first.
    if (kept.length === count && offset >= kept[count - 1]!.offset) continue;
    let low = 0;
    let high = kept.length;
    while (low < high) {
      const middle = (low + high) >> 1;
      if (kept[middle]!.offset <= offset) low = middle + 1;
      else high = middle;
    }
    kept.splice(low, 0, { problem, offset });
    if (kept.length > count) kept.pop();
  }
  return kept;
}

/**
 * One `invalid_document` error holding the problems, each located in the source: the first 50 in
 * source order, then one issue counting the rest. The message is the problem itself when there is
 * one, else the full count.
 *
 * @example
 * throw locatedProblemsError([documentProblem(['repeat'], 'must be at least 1')], locate, 'suite.yaml');
 */
export function locatedProblemsError(problems: readonly DocumentProblem[], locate: YamlLocator, file: string | undefined): ConclaveError {
  const issues: ConclaveErrorJSON[] = firstInSourceOrder(problems, locate, reportedProblemLimit).map(({ problem }) =>
    new ConclaveError(problem.code, problem.message, {
      location: sourceLocation(file, locate(problem.path, problem.target), formatJsonPath(problem.path)),
      ...(problem.hint === undefined ? {} : { hint: problem.hint }),
    }).toJSON(),
  );
  if (problems.length > issues.length) issues.push(moreProblemsIssue('invalid_document', problems.length - issues.length, file));
  const first = issues[0]!;
  const message = problems.length === 1 ? first.message : `${file ?? 'document'}: ${formatNumber(problems.length)} problems`;
  return new ConclaveError('invalid_document', message, {
    ...(first.location === undefined ? {} : { location: first.location }),
    ...(problems.length === 1 && first.hint !== undefined ? { hint: first.hint } : {}),
    issues,
  });
}
