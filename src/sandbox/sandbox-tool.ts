/**
 * What a tool is to a sandbox: a definition the model sees, a validator for its input, and a `run`
 * that turns valid input into a result string by running bash scripts in the sandbox. A tool never
 * touches the host's file system itself: every file it reads or writes is opened by a jailed
 * process, so paths and links resolve inside the jail. Tool failures are result strings starting
 * with `Error: `; only a sandbox that cannot run at all throws.
 */
import type { z } from 'zod';
import type { SandboxNetwork, SandboxWebFetchDomains, ToolDefinition } from '../protocol/index.js';
import type { ResolvedSandboxLimits } from './sandbox-limits.js';
import type { JailedRunResult } from './run-jailed.js';

/** One bash script to run in the sandbox: `bash -c script tool-name ...arguments`. */
export interface ToolScript {
  script: string;
  /** The script's positional parameters (`$1`, `$2`, …): inputs go here, never into the script. */
  arguments?: string[];
  stdin?: string | Buffer;
  /** Lower wall-time limit for this run (capped at the sandbox's). */
  wallTimeMs?: number;
  /** Other output cap for this run (for reading a file to edit, not for the model's eyes). */
  outputBytes?: number;
  /** `web_fetch`: run behind web_fetch's own egress proxy when the session gives it domain lists. */
  egress?: 'web_fetch';
}

export interface ToolContext {
  limits: ResolvedSandboxLimits;
  /** What network the sandbox's tools have (absent: unknown), so failures can say why. */
  network?: SandboxNetwork;
  /** `web_fetch`'s own domain lists, when the session gives it some (for its error messages). */
  webFetch?: SandboxWebFetchDomains;
  /** Runs a script in the sandbox under the limits. */
  run(script: ToolScript): Promise<JailedRunResult>;
}

export interface SandboxTool {
  definition: ToolDefinition;
  inputValidator: z.ZodType;
  /** Runs the tool on input the validator accepted. */
  run(input: unknown, context: ToolContext): Promise<string>;
}

/**
 * Builds a tool whose `run` gets its input typed as `Input` (the shape its validator accepts).
 *
 * @example
 * const echo = defineSandboxTool<{ text: string }>(definition, z.object({ text: z.string() }), async (input) => input.text);
 */
export function defineSandboxTool<Input>(definition: ToolDefinition, inputValidator: z.ZodType, run: (input: Input, context: ToolContext) => Promise<string>): SandboxTool {
  return { definition, inputValidator, run: (input, context) => run(input as Input, context) };
}
