/**
 * A host tool: a function of the program that embeds conclave, offered to agents like a built-in
 * tool. Documents name it in an agent's `tools:` once it is in the registry (`new Conclave({ tools })`).
 * It runs in the host process, with the host's rights — so only the embedder registers one, never
 * a document; its calls are journaled like every tool call, so a resumed session never runs a
 * finished call again.
 */

/** What a host tool's `execute` is told besides the input. */
export interface HostToolContext {
  sessionId: string;
  /** The model's id for this call. */
  toolCallId: string;
  /** Aborted when the session is interrupted or the call times out. */
  signal: AbortSignal;
}

/** A host tool's answer: text, or text marked as an error the model should see as one. */
export type HostToolResult = string | { output: string; isError?: boolean };

export interface HostTool {
  readonly name: string;
  readonly description: string;
  /** JSON Schema of the input object the model must give. */
  readonly inputSchema: Record<string, unknown>;
  /** Runs one call. A thrown error becomes an error result the model sees (its message only). */
  execute(input: Record<string, unknown>, context: HostToolContext): Promise<HostToolResult> | HostToolResult;
}
