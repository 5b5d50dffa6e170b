/**
 * What conclave's MCP tools answer: a result as text for the calling model plus structured content
 * for programs, and a failure as a tool error (`isError`) that names the code, where and a hint —
 * so the model can correct its call, the way the CLI prints a user's mistake.
 */
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { toConclaveError, type ConclaveErrorJSON } from '../protocol/index.js';

/**
 * A tool result that reads well to a model (`text`) and to a program (`structured`).
 *
 * @example
 * return toolResult('2 documents: debate, pipeline', { documents });
 */
export function toolResult(text: string, structured: Record<string, unknown>): CallToolResult {
  return { content: [{ type: 'text', text }], structuredContent: structured };
}

function describeIssue(issue: ConclaveErrorJSON): string {
  const location = issue.location;
  const where = location === undefined ? undefined : [location.file, location.line, location.column].filter((part) => part !== undefined).join(':') + (location.path !== undefined ? ` ${location.path}` : '');
  return [`error[${issue.code}]: ${issue.message}`, ...(where !== undefined && where.trim() !== '' ? [`  --> ${where.trim()}`] : []), ...(issue.hint !== undefined ? [`  hint: ${issue.hint}`] : [])].join('\n');
}

/**
 * A failure as an MCP tool error (`isError`), so the calling model reads what went wrong and can
 * correct itself: code, message, where and hint as text, the error object as structured content.
 *
 * @example
 * catch (error) { return toolError(error); } // "error[not_found]: no document \"nope\" in examples"
 */
export function toolError(thrown: unknown): CallToolResult {
  const error = toConclaveError(thrown).toJSON();
  const issues = error.issues !== undefined && error.issues.length > 0 ? error.issues : [error];
  const text = [...(issues.length > 1 ? [`error[${error.code}]: ${error.message}`] : []), ...issues.map(describeIssue)].join('\n');
  return { content: [{ type: 'text', text }], structuredContent: { error }, isError: true };
}
