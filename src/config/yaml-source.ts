/**
 * Reading a YAML/JSON source into plain data while keeping the means to point back into it: the
 * syntax errors of the text, each with its line and column, and a locator that turns a JSON path
 * into a position. Topology documents and benchmark suites both start here, so both report
 * problems the same way (file:line:column and the path).
 */
import { LineCounter, parseDocument, type Document } from 'yaml';
import { ConclaveError, type ConclaveErrorJSON, type ErrorLocation } from '../protocol/index.js';
import { describeValueType, isPlainObject, type DocumentProblem } from './document-problem.js';
import { formatJsonPath } from './format-json-path.js';
import { createYamlLocator, type YamlLocator } from './locate-yaml-path.js';

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

function syntaxError(document: Document, lineCounter: LineCounter, file: string | undefined): ConclaveError {
  const issues = document.errors.map((error) => {
    const position = lineCounter.linePos(error.pos[0]);
    return new ConclaveError('document_syntax', `invalid YAML: ${error.message}`, {
      location: sourceLocation(file, { line: position.line, column: position.col }),
    }).toJSON();
  });
  const first = issues[0]!;
  return new ConclaveError('document_syntax', first.message, {
    ...(first.location === undefined ? {} : { location: first.location }),
    ...(issues.length > 1 ? { issues } : {}),
  });
}

/**
 * Parses YAML (or JSON) text whose root must be a mapping. Throws `document_syntax` for text that
 * does not parse and `invalid_document` for an empty source or a root that is not a mapping, with
 * `shapeHint` saying what the root should look like.
 *
 * @example
 * const { raw, locate } = readYamlSource('name: demo\n', 'suite.yaml', 'a suite starts with "name:"');
 * locate(['name']) // → { line: 1, column: 7 }
 */
export function readYamlSource(text: string, file: string | undefined, shapeHint: string): YamlSource {
  const lineCounter = new LineCounter();
  const document = parseDocument(text, { lineCounter, prettyErrors: false });
  if (document.errors.length > 0) throw syntaxError(document, lineCounter, file);
  const locate = createYamlLocator(document, lineCounter);
  if (document.contents === null) {
    throw new ConclaveError('invalid_document', 'the document is empty', { location: sourceLocation(file, { line: 1, column: 1 }), hint: shapeHint });
  }
  let raw: unknown;
  try {
    raw = document.toJS();
  } catch (error) {
    throw new ConclaveError('document_syntax', `invalid YAML: ${error instanceof Error ? error.message : String(error)}`, {
      location: sourceLocation(file, locate([])),
      cause: error,
    });
  }
  if (!isPlainObject(raw)) {
    throw new ConclaveError('invalid_document', `the document must be a mapping, found ${describeValueType(raw)}`, {
      location: sourceLocation(file, locate([]), ''),
      hint: shapeHint,
    });
  }
  return { raw, locate };
}

/**
 * One `invalid_document` error holding every problem, each located in the source and sorted by
 * position; the message is the problem itself when there is one, else a count.
 *
 * @example
 * throw locatedProblemsError([documentProblem(['repeat'], 'must be at least 1')], locate, 'suite.yaml');
 */
export function locatedProblemsError(problems: readonly DocumentProblem[], locate: YamlLocator, file: string | undefined): ConclaveError {
  const issues: ConclaveErrorJSON[] = problems
    .map((problem) => ({ problem, position: locate(problem.path, problem.target) }))
    .sort((left, right) => left.position.line - right.position.line || left.position.column - right.position.column)
    .map(({ problem, position }) =>
      new ConclaveError(problem.code, problem.message, {
        location: sourceLocation(file, position, formatJsonPath(problem.path)),
        ...(problem.hint === undefined ? {} : { hint: problem.hint }),
      }).toJSON(),
    );
  const first = issues[0]!;
  const message = issues.length === 1 ? first.message : `${file ?? 'document'}: ${issues.length} problems`;
  return new ConclaveError('invalid_document', message, {
    ...(first.location === undefined ? {} : { location: first.location }),
    ...(issues.length === 1 && first.hint !== undefined ? { hint: first.hint } : {}),
    issues,
  });
}
