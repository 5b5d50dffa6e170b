/**
 * Puts the registry's host tools (functions of the embedding program, `src/protocol/host-tool.ts`)
 * in front of a session's other tools: an agent that lists one is offered it, and its calls run
 * in this process; every other name goes to the session's sandbox and MCP tools as before.
 */
import type { HostTool, ToolDefinition } from '../protocol/index.js';
import type { DisposableSessionTools, SessionTools, ToolOutcome } from '../kernel/index.js';

/** The most characters of a host tool's thrown error the model is shown. */
const errorMessageLimit = 2_000;

/**
 * Session tools that also offer `hostTools`; the others come from `inner` (absent: none).
 *
 * @example
 * const tools = withHostTools(sandboxTools, new Map([['lookup_order', lookupOrder]]), 'sesn_1');
 * await tools.definitionsFor(['lookup_order', 'bash']); // → lookup_order's definition, then bash's
 */
export function withHostTools(inner: SessionTools | undefined, hostTools: ReadonlyMap<string, HostTool>, sessionId: string): SessionTools {
  const tools: DisposableSessionTools = {
    async definitionsFor(agentTools): Promise<ToolDefinition[]> {
      const names = agentTools ?? [];
      const hosted = names.flatMap((name) => {
        const tool = hostTools.get(name);
        return tool === undefined ? [] : [{ name: tool.name, description: tool.description, inputSchema: tool.inputSchema }];
      });
      const rest = names.filter((name) => !hostTools.has(name));
      const others = rest.length > 0 && inner !== undefined ? await inner.definitionsFor(rest) : [];
      return [...hosted, ...others];
    },
    async execute(call, signal): Promise<ToolOutcome> {
      const tool = hostTools.get(call.toolName);
      if (tool === undefined) {
        if (inner === undefined) return { output: `unknown tool "${call.toolName}"`, isError: true };
        return inner.execute(call, signal);
      }
      try {
        const input = typeof call.input === 'object' && call.input !== null ? (call.input as Record<string, unknown>) : {};
        const result = await tool.execute(input, { sessionId, toolCallId: call.toolCallId, signal });
        return typeof result === 'string' ? { output: result, isError: false } : { output: result.output, isError: result.isError === true };
      } catch (error) {
        if (signal.aborted) throw error;
        const message = error instanceof Error ? error.message : String(error);
        return { output: `${tool.name} failed: ${message.slice(0, errorMessageLimit)}`, isError: true };
      }
    },
    async dispose(): Promise<void> {
      await inner?.dispose?.();
    },
  };
  if (inner?.policyFor !== undefined) {
    const policyFor = inner.policyFor.bind(inner);
    tools.policyFor = (name) => (hostTools.has(name) ? 'run' : policyFor(name));
  }
  return tools;
}
