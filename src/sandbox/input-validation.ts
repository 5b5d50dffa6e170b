/**
 * Tool inputs are checked against the tool's JSON Schema before anything runs, through zod's
 * `fromJSONSchema`; a rejected input becomes an `Error: ` result that names each offending field,
 * so the model can correct itself.
 */
import { z } from 'zod';
import { ConclaveError } from '../protocol/index.js';

/**
 * Compiles a tool's JSON Schema into a zod validator; a schema zod cannot read is the tool author's
 * mistake (`invalid_argument`).
 *
 * @example
 * const validator = compileInputSchema('run_tests', { type: 'object', properties: { path: { type: 'string' } }, required: ['path'] });
 */
export function compileInputSchema(toolName: string, inputSchema: Record<string, unknown>): z.ZodType {
  try {
    return z.fromJSONSchema(inputSchema as Parameters<typeof z.fromJSONSchema>[0]);
  } catch (error) {
    throw new ConclaveError('invalid_argument', `the input schema of tool "${toolName}" is not a JSON Schema zod can use: ${error instanceof Error ? error.message : String(error)}`, {
      location: { path: `${toolName}.inputSchema` },
      cause: error,
    });
  }
}

/**
 * The result string for input a tool's schema rejected.
 *
 * @example
 * describeInvalidInput('read_file', error) // → 'Error: invalid input for tool "read_file": path: Invalid input: expected string, received undefined'
 */
export function describeInvalidInput(toolName: string, error: z.ZodError): string {
  const problems = error.issues.map((issue) => {
    const field = issue.path.map(String).join('.');
    return field === '' ? issue.message : `${field}: ${issue.message}`;
  });
  return `Error: invalid input for tool "${toolName}": ${problems.join('; ')}`;
}
