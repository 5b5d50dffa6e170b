/**
 * `list_files` and `grep`. Globs are expanded by bash inside the sandbox (globstar for `**`,
 * extglob for `{a,b}` alternatives, which are rewritten to `@(a|b)`), and contents are searched by
 * GNU grep there, so both see exactly the sandbox's file system and nothing of the host's.
 */
import { grepToolDefinition, listFilesToolDefinition } from './builtin-tools.js';
import { cleanScriptMessage, decodeOutput, describeScriptFailure, explainedFailureExitCode, truncationMarker } from './format-tool-result.js';
import { compileInputSchema } from './input-validation.js';
import { defineSandboxTool, type SandboxTool } from './sandbox-tool.js';

/** Entries `list_files` shows; the rest are counted. */
export const listedEntries = 1000;
/** Characters of one matching line `grep` shows. */
const grepLineCharacters = 500;

// Exit codes the scripts use for outcomes that are not a crash.
const explainedFailure = explainedFailureExitCode;
const nothingFound = 4;
const invalidRegularExpression = 5;
const noFileMatchesGlob = 6;

const listScript = `
if [ ! -d "$2" ]; then printf 'no such directory: %s\\n' "$2"; exit ${explainedFailure}; fi
cd -- "$2" || exit ${explainedFailure}
shopt -s globstar nullglob extglob
IFS=
found=0
for match in $1; do
  if [ -d "$match" ]; then printf '%s/\\n' "$match"; found=1
  elif [ -e "$match" ] || [ -L "$match" ]; then printf '%s\\n' "$match"; found=1; fi
done
[ "$found" = 1 ] || exit ${nothingFound}`;

const grepScript = `
grep -E -e "$1" /dev/null
[ $? -eq 2 ] && exit ${invalidRegularExpression}
if [ ! -e "$2" ]; then printf 'no such file or directory: %s\\n' "$2"; exit ${explainedFailure}; fi
if [ -z "$3" ]; then
  if [ "$2" = . ]; then grep -rnIE --exclude-dir=.git -e "$1"; else grep -rnHIE --exclude-dir=.git -e "$1" -- "$2"; fi
  status=$?
  [ "$status" -eq 1 ] && exit ${nothingFound}
  exit "$status"
fi
if [ ! -d "$2" ]; then printf 'glob needs path to be a directory, not %s\\n' "$2"; exit ${explainedFailure}; fi
prefix="\${2%/}/"
[ "$2" = . ] && prefix=
cd -- "$2" || exit ${explainedFailure}
shopt -s globstar nullglob extglob
IFS=
files=()
for match in $3; do [ -f "$match" ] && files+=("$prefix$match"); done
cd -- "$OLDPWD" || exit ${explainedFailure}
[ \${#files[@]} -eq 0 ] && exit ${noFileMatchesGlob}
output=$(printf '%s\\0' "\${files[@]}" | xargs -0 grep -nHIE -e "$1" --)
[ -z "$output" ] && exit ${nothingFound}
printf '%s\\n' "$output"`;

interface ListFilesInput {
  pattern: string;
  path?: string;
}

interface GrepInput {
  pattern: string;
  path?: string;
  glob?: string;
}

/**
 * Rewrites `{a,b}` alternatives (which bash does not apply to expanded words) as the extglob
 * `@(a|b)`, which it does.
 *
 * @example
 * toBashGlob('src/**\/*.{ts,tsx}') // → 'src/**\/*.@(ts|tsx)'
 */
export function toBashGlob(pattern: string): string {
  return pattern.replace(/\{([^{}]*,[^{}]*)\}/g, (_match, alternatives: string) => `@(${alternatives.split(',').join('|')})`);
}

/**
 * The `list_files` tool.
 *
 * @example
 * await createListFilesTool().run({ pattern: 'src/**\/*.ts' }, context) // → 'src/index.ts\nsrc/util/math.ts'
 */
export function createListFilesTool(): SandboxTool {
  return defineSandboxTool<ListFilesInput>(listFilesToolDefinition, compileInputSchema('list_files', listFilesToolDefinition.inputSchema), async (input, context) => {
    const base = input.path ?? '.';
    const result = await context.run({ script: listScript, arguments: [toBashGlob(input.pattern), base] });
    if (result.exitCode === nothingFound) return `No files match ${input.pattern}${input.path === undefined ? '' : ` in ${input.path}`}`;
    const failure = describeScriptFailure(result, 'could not list files', context.limits);
    if (failure !== undefined) return failure;
    const prefix = base === '.' || input.pattern.startsWith('/') ? '' : `${base.replace(/\/+$/, '')}/`;
    const entries = decodeOutput(result.output).split('\n').filter((entry) => entry !== '');
    if (result.outputTruncated) entries.pop();
    const shown = entries.slice(0, listedEntries).map((entry) => `${prefix}${entry}`);
    if (entries.length > listedEntries) shown.push(`[${entries.length - listedEntries} more entries; narrow the pattern]`);
    return shown.join('\n') + (result.outputTruncated ? truncationMarker(context.limits.outputBytes) : '');
  });
}

/**
 * The `grep` tool.
 *
 * @example
 * await createGrepTool().run({ pattern: 'TODO|FIXME', glob: '*.ts' }, context) // → 'src/a.ts:12:// TODO: …'
 */
export function createGrepTool(): SandboxTool {
  return defineSandboxTool<GrepInput>(grepToolDefinition, compileInputSchema('grep', grepToolDefinition.inputSchema), async (input, context) => {
    const base = input.path ?? '.';
    const glob = input.glob === undefined ? '' : toBashGlob(input.glob.includes('/') ? input.glob : `**/${input.glob}`);
    const result = await context.run({ script: grepScript, arguments: [input.pattern, base, glob] });
    const where = input.path === undefined ? '' : ` in ${input.path}`;
    if (result.exitCode === nothingFound) return `No matches for ${input.pattern}${where}${input.glob === undefined ? '' : ` (files matching ${input.glob})`}`;
    if (result.exitCode === noFileMatchesGlob) return `No files match ${input.glob ?? ''}${where}`;
    if (result.exitCode === invalidRegularExpression) return `Error: invalid regular expression ${JSON.stringify(input.pattern)}: ${cleanScriptMessage(result)}`;
    const failure = describeScriptFailure(result, 'grep failed', context.limits);
    if (failure !== undefined) return failure;
    const lines = decodeOutput(result.output).split('\n');
    if (lines.at(-1) === '') lines.pop();
    const shown = lines.map((line) => (line.length > grepLineCharacters ? `${line.slice(0, grepLineCharacters)}… [line cut]` : line));
    return shown.join('\n') + (result.outputTruncated ? truncationMarker(context.limits.outputBytes) : '');
  });
}
