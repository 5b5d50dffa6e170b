/**
 * `read_file`, `write_file` and `edit_file`. Every read and write is done by a jailed process
 * (`tail | head`, `cat >`), so a path — absolute, `../`, or through a symbolic link — resolves inside
 * the sandbox and can only reach what the sandbox sees. Content goes in on stdin and comes back on
 * stdout; the host only numbers lines and replaces text in memory. An edit is a read and a write.
 */
import { editFileToolDefinition, readFileToolDefinition, writeFileToolDefinition } from './builtin-tools.js';
import { decodeOutput, describeScriptFailure, explainedFailureExitCode } from './format-tool-result.js';
import { compileInputSchema } from './input-validation.js';
import { defineSandboxTool, type SandboxTool } from './sandbox-tool.js';

/** Lines `read_file` returns when the model gives no limit. */
export const defaultReadLines = 2000;
/** Characters of one line `read_file` shows; longer lines are cut. */
export const readLineCharacters = 2000;
/** Largest file `edit_file` loads to edit. */
export const editableFileBytes = 16 * 1024 * 1024;

const explainedFailure = explainedFailureExitCode;

const checkReadable = `
if [ -d "$1" ]; then printf '%s is a directory; use list_files to see what it holds\\n' "$1"; exit ${explainedFailure}; fi
if [ ! -e "$1" ]; then printf 'no such file: %s\\n' "$1"; exit ${explainedFailure}; fi
if [ ! -r "$1" ]; then printf 'permission denied: %s\\n' "$1"; exit ${explainedFailure}; fi`;

// Reads one line more than asked, to tell whether the file goes on.
const readScript = `${checkReadable}
tail -n "+$2" -- "$1" | head -n "$3"`;

const catScript = `${checkReadable}
exec cat -- "$1"`;

const writeScript = `
mkdir -p -- "$(dirname -- "$1")" || exit ${explainedFailure}
cat > "$1" || exit ${explainedFailure}`;

const overwriteScript = `
cat > "$1" || exit ${explainedFailure}`;

interface ReadFileInput {
  path: string;
  offset?: number;
  limit?: number;
}

interface WriteFileInput {
  path: string;
  content: string;
}

interface EditFileInput {
  path: string;
  old_string: string;
  new_string: string;
  replace_all?: boolean;
}

/**
 * The `read_file` tool.
 *
 * @example
 * await createReadFileTool().run({ path: 'src/index.ts', offset: 10, limit: 2 }, context) // → '    10\t…\n    11\t…'
 */
export function createReadFileTool(): SandboxTool {
  return defineSandboxTool<ReadFileInput>(readFileToolDefinition, compileInputSchema('read_file', readFileToolDefinition.inputSchema), async (input, context) => {
    const offset = input.offset ?? 1;
    const limit = input.limit ?? defaultReadLines;
    const result = await context.run({ script: readScript, arguments: [input.path, String(offset), String(limit + 1)] });
    const failure = describeScriptFailure(result, `could not read ${input.path}`, context.limits);
    if (failure !== undefined) return failure;
    const text = decodeOutput(result.output);
    if (text.includes('\u0000')) return `Error: ${input.path} looks like a binary file; read_file only shows text`;
    const lines = text.split('\n');
    if (lines.at(-1) === '') lines.pop();
    if (lines.length === 0) return offset === 1 ? `(${input.path} is empty)` : `(${input.path} has fewer than ${offset} lines)`;
    const more = !result.outputTruncated && lines.length > limit;
    const shown = more ? lines.slice(0, limit) : lines;
    const numbered = shown.map((line, index) => `${String(offset + index).padStart(6)}\t${line.length > readLineCharacters ? `${line.slice(0, readLineCharacters)}… [line cut]` : line}`);
    if (result.outputTruncated) numbered.push(`[file truncated at ${context.limits.outputBytes} bytes; read on with offset ${offset + shown.length - 1}]`);
    else if (more) numbered.push(`[more lines follow; read on with offset ${offset + limit}]`);
    return numbered.join('\n');
  });
}

/**
 * The `write_file` tool.
 *
 * @example
 * await createWriteFileTool().run({ path: 'notes/todo.md', content: '- test\n' }, context) // → 'Wrote 7 bytes to notes/todo.md'
 */
export function createWriteFileTool(): SandboxTool {
  return defineSandboxTool<WriteFileInput>(writeFileToolDefinition, compileInputSchema('write_file', writeFileToolDefinition.inputSchema), async (input, context) => {
    const result = await context.run({ script: writeScript, arguments: [input.path], stdin: input.content });
    return describeScriptFailure(result, `could not write ${input.path}`, context.limits) ?? `Wrote ${Buffer.byteLength(input.content)} bytes to ${input.path}`;
  });
}

/**
 * The `edit_file` tool.
 *
 * @example
 * await createEditFileTool().run({ path: 'a.ts', old_string: 'let x', new_string: 'const x' }, context) // → 'Edited a.ts: replaced 1 occurrence'
 */
export function createEditFileTool(): SandboxTool {
  return defineSandboxTool<EditFileInput>(editFileToolDefinition, compileInputSchema('edit_file', editFileToolDefinition.inputSchema), async (input, context) => {
    const read = await context.run({ script: catScript, arguments: [input.path], outputBytes: editableFileBytes });
    const readFailure = describeScriptFailure(read, `could not read ${input.path}`, context.limits);
    if (readFailure !== undefined) return readFailure;
    if (read.outputTruncated) return `Error: ${input.path} is larger than ${editableFileBytes} bytes; edit it with bash instead`;
    const original = decodeOutput(read.output);
    if (original.includes('\u0000') || !Buffer.from(original, 'utf8').equals(read.output)) return `Error: ${input.path} is not a UTF-8 text file; edit it with bash instead`;
    if (input.old_string === input.new_string) return 'Error: old_string and new_string are the same; there is nothing to change';
    const pieces = original.split(input.old_string);
    const occurrences = pieces.length - 1;
    if (occurrences === 0) return `Error: old_string was not found in ${input.path}; it must match the file exactly, whitespace and indentation included`;
    if (occurrences > 1 && input.replace_all !== true) {
      return `Error: old_string occurs ${occurrences} times in ${input.path}; include more surrounding text to make it unique, or set replace_all to replace every occurrence`;
    }
    const written = await context.run({ script: overwriteScript, arguments: [input.path], stdin: pieces.join(input.new_string) });
    const writeFailure = describeScriptFailure(written, `could not write ${input.path}`, context.limits);
    if (writeFailure !== undefined) return writeFailure;
    return `Edited ${input.path}: replaced ${occurrences} ${occurrences === 1 ? 'occurrence' : 'occurrences'}`;
  });
}
