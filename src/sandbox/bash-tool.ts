/**
 * The `bash` tool: one command, run with `bash -c` in the workspace under the sandbox's limits (or a
 * shorter timeout the model asks for). The command travels as a positional parameter, never spliced
 * into the script around it.
 */
import { bashToolDefinition } from './builtin-tools.js';
import { formatCommandResult } from './format-tool-result.js';
import { compileInputSchema } from './input-validation.js';
import { defineSandboxTool, type SandboxTool, type ToolContext } from './sandbox-tool.js';

/** Longest command line (the kernel refuses a single argument past 128 KiB). */
export const maximumCommandBytes = 120 * 1024;

interface BashInput {
  command: string;
  timeout_ms?: number;
}

/**
 * Runs a command line in the sandbox and formats its end for a model; shared by `bash` and by
 * command tools.
 *
 * @example
 * await runCommandLine('ls -la', undefined, context) // → 'total 8\n…'
 */
export async function runCommandLine(command: string, timeoutMs: number | undefined, context: ToolContext): Promise<string> {
  if (Buffer.byteLength(command) > maximumCommandBytes) {
    return `Error: the command is ${Buffer.byteLength(command)} bytes long, more than the ${maximumCommandBytes} a command may have; write a script with write_file and run that`;
  }
  const wallTimeMs = Math.min(timeoutMs ?? context.limits.wallTimeMs, context.limits.wallTimeMs);
  const result = await context.run({ script: 'exec /bin/bash -c "$1"', arguments: [command], wallTimeMs });
  return formatCommandResult(result, { wallTimeMs, limits: context.limits });
}

/**
 * The `bash` tool.
 *
 * @example
 * const tool = createBashTool();
 * await tool.run({ command: 'echo hi' }, context) // → 'hi\n'
 */
export function createBashTool(): SandboxTool {
  return defineSandboxTool<BashInput>(bashToolDefinition, compileInputSchema('bash', bashToolDefinition.inputSchema), (input, context) =>
    runCommandLine(input.command, input.timeout_ms, context),
  );
}
