/**
 * Command tools: a tool that is a command template, run with bash in the sandbox like the `bash`
 * tool. Each `{{field}}` in the template becomes the shell-quoted value of that input field, so an
 * input can never become shell syntax (`pytest {{path}} -q` with path `a; rm -rf ~` runs pytest on
 * a file named `a; rm -rf ~`). Inputs are validated against the tool's JSON Schema first.
 */
import { ConclaveError, type SandboxCommandTool } from '../protocol/index.js';
import { runCommandLine } from './bash-tool.js';
import { compileInputSchema } from './input-validation.js';
import { defineSandboxTool, type SandboxTool } from './sandbox-tool.js';

const placeholderPattern = /\{\{\s*([A-Za-z_][A-Za-z0-9_-]*)\s*\}\}/g;
const toolNamePattern = /^[A-Za-z0-9_-]{1,64}$/;

/**
 * Quotes a value for bash: the result is always exactly one word, taken literally.
 *
 * @example
 * shellQuote("it's") // → `'it'\''s'`
 */
export function shellQuote(value: string): string {
  return `'${value.replaceAll("'", `'\\''`)}'`;
}

/**
 * The field names a template uses, in order of first use.
 *
 * @example
 * templateFields('pytest {{path}} -k {{ filter }}') // → ['path', 'filter']
 */
export function templateFields(template: string): string[] {
  return [...new Set([...template.matchAll(placeholderPattern)].map((match) => match[1] ?? ''))];
}

/**
 * Fills a template: strings, numbers and booleans become one quoted word, arrays one quoted word per
 * element, objects their quoted JSON, and a missing field nothing at all.
 *
 * @example
 * renderCommandTemplate('pytest {{path}} -q', { path: 'tests/a b.py' }) // → "pytest 'tests/a b.py' -q"
 */
export function renderCommandTemplate(template: string, input: Record<string, unknown>): string {
  return template.replace(placeholderPattern, (_placeholder, field: string) => renderValue(input[field]));
}

function renderValue(value: unknown): string {
  if (value === undefined) return '';
  if (Array.isArray(value)) return value.map((element) => (typeof element === 'object' && element !== null ? shellQuote(JSON.stringify(element)) : shellQuote(String(element)))).join(' ');
  if (typeof value === 'object' && value !== null) return shellQuote(JSON.stringify(value));
  return shellQuote(String(value));
}

/**
 * Builds a command tool, checking its name, its JSON Schema and that every placeholder of the
 * template is a property of the schema; a mistake is `invalid_argument`.
 *
 * @example
 * const runTests = defineCommandTool({
 *   name: 'run_tests',
 *   description: 'Run the test suite of one file.',
 *   inputSchema: { type: 'object', properties: { path: { type: 'string' } }, required: ['path'] },
 *   command: 'pytest {{path}} -q',
 * });
 */
export function defineCommandTool(tool: SandboxCommandTool): SandboxTool {
  if (!toolNamePattern.test(tool.name)) {
    throw new ConclaveError('invalid_argument', `tool name ${JSON.stringify(tool.name)} must be 1 to 64 letters, digits, "_" or "-"`, { location: { path: 'name' } });
  }
  const validator = compileInputSchema(tool.name, tool.inputSchema);
  const properties = tool.inputSchema['properties'];
  const known = typeof properties === 'object' && properties !== null ? Object.keys(properties) : [];
  const unknown = templateFields(tool.command).filter((field) => !known.includes(field));
  if (unknown.length > 0) {
    throw new ConclaveError('invalid_argument', `the command of tool "${tool.name}" uses ${unknown.map((field) => `{{${field}}}`).join(', ')}, which its input schema does not define`, {
      location: { path: `${tool.name}.command` },
    });
  }
  const definition = { name: tool.name, inputSchema: tool.inputSchema, ...(tool.description !== undefined ? { description: tool.description } : {}) };
  return defineSandboxTool<Record<string, unknown>>(definition, validator, (input, context) => runCommandLine(renderCommandTemplate(tool.command, input), undefined, context));
}
