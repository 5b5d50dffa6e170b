/**
 * The as-you-type check of a pasted topology document: YAML syntax only, with the same `yaml`
 * package the server parses with, so a syntax error is placed at the line the server would name.
 * The rest (keys, agents, models) is the server's to validate when the session starts.
 */
import { parseDocument } from 'yaml';
import type { Problem } from './problem.js';

/**
 * YAML syntax problems of `text`, with their lines; empty when it parses to a mapping.
 *
 * @example
 * syntaxProblems('agents: [\n') // → [{ message: 'invalid YAML: Flow sequence …', location: { line: 2, column: 1 } }]
 */
export function syntaxProblems(text: string): Problem[] {
  if (text.trim() === '') return [];
  const document = parseDocument(text);
  const problems: Problem[] = document.errors.map((error) => {
    const position = error.linePos?.[0];
    return { message: `invalid YAML: ${error.message.split(/ at line \d+/)[0]}`, ...(position !== undefined ? { location: { line: position.line, column: position.col } } : {}) };
  });
  if (problems.length === 0) {
    const value: unknown = document.toJS();
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      problems.push({ message: 'a topology document is a YAML mapping (name, topology, agents, …)', location: { line: 1, column: 1 } });
    }
  }
  return problems;
}
