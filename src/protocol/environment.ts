/**
 * The `environment:` and `tools:` sections of a topology document: where an agent's tools run (the
 * sandbox driver, a directory to seed the workspace from, network, limits) and the document's own
 * tools (command templates run in the sandbox). Packages are not installed by conclave: the
 * sandbox sees the host's read-only system, so what a tool needs must already be there.
 */
import { z } from 'zod';

/** The sandbox drivers: `bubblewrap` isolates; `unisolated` must be chosen by name and isolates nothing. */
export const sandboxDriverNames = ['bubblewrap', 'unisolated'] as const;
export type SandboxDriverName = (typeof sandboxDriverNames)[number];

/** The built-in tools every sandbox runs. */
export const builtinToolNames = ['bash', 'read_file', 'write_file', 'edit_file', 'list_files', 'grep'] as const;

export const environmentSchema = z.strictObject({
  driver: z.enum(sandboxDriverNames).default('bubblewrap').describe('bubblewrap (isolated; the default) or unisolated (runs tools as plain processes — only by explicit choice).'),
  seed: z.string().min(1).optional().describe('Directory copied into the workspace when the sandbox is first provisioned (relative to the document).'),
  network: z.boolean().default(false).describe('Whether tools may reach the network. Default: no network at all.'),
  limits: z
    .strictObject({
      wall_time_ms: z.number().int().positive().optional(),
      cpu_seconds: z.number().int().positive().optional(),
      memory_mb: z.number().int().positive().optional(),
      processes: z.number().int().positive().optional(),
      output_bytes: z.number().int().positive().optional(),
    })
    .optional()
    .describe('Limits per tool call: wall time, CPU seconds, memory, processes, output bytes (past it, output is cut with a marker).'),
});
export type EnvironmentSettings = z.infer<typeof environmentSchema>;

const toolName = z.string().regex(/^[A-Za-z][A-Za-z0-9_-]{0,63}$/, 'a tool name starts with a letter and holds only letters, digits, "-" and "_" (at most 64)');

export const customToolSchema = z.strictObject({
  name: toolName,
  description: z.string().min(1),
  /** JSON Schema of the tool's input object. */
  input_schema: z.record(z.string(), z.unknown()).default({ type: 'object', properties: {} }),
  /** A bash command; `{{field}}` is replaced by the shell-quoted input field. */
  command: z.string().min(1),
});
export type CustomToolSettings = z.infer<typeof customToolSchema>;
