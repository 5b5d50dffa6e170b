/**
 * What a document's `tools:` says about calls beyond running them: which tools ask a person first
 * (`approval: always_ask`) and which the client runs (`type: custom`). The kernel lays this over
 * whatever `sessionTools` it was given, so approvals and client-run tools work the same with every
 * sandbox, MCP server or test double — and a session whose agents only use client-run tools needs
 * no sandbox at all.
 */
import { ConclaveError, emptyInputSchema, toolCallPolicy, type CustomToolSettings, type ToolDefinition } from '../protocol/index.js';
import type { SessionTools } from './tool-loop.js';

/**
 * `tools` with the document's policies on top: `policyFor` answers from `declared`, and client-run
 * tools are offered from their declaration (the sandbox does not know them). Undefined when there
 * are no tools and nothing to add.
 *
 * @example
 * const gated = withDocumentToolPolicy(sandboxTools, [{ name: 'bash', approval: 'always_ask' }]);
 * gated?.policyFor?.('bash') // → 'ask'
 */
export function withDocumentToolPolicy(tools: SessionTools | undefined, declared: readonly CustomToolSettings[] | undefined): SessionTools | undefined {
  const entries = declared ?? [];
  if (!entries.some((entry) => entry.type === 'custom' || entry.approval === 'always_ask')) return tools;
  const clientTools = new Map<string, ToolDefinition>();
  for (const entry of entries) {
    if (entry.type !== 'custom') continue;
    clientTools.set(entry.name, { name: entry.name, ...(entry.description !== undefined ? { description: entry.description } : {}), inputSchema: entry.input_schema ?? emptyInputSchema });
  }
  const gated: SessionTools = {
    async definitionsFor(names) {
      const wanted = names ?? [];
      const others = wanted.filter((name) => !clientTools.has(name));
      const fromTools = others.length === 0 || tools === undefined ? [] : await tools.definitionsFor(others);
      return [...fromTools, ...wanted.flatMap((name) => {
        const definition = clientTools.get(name);
        return definition === undefined ? [] : [definition];
      })];
    },
    execute(call, signal) {
      if (tools === undefined) {
        return Promise.reject(new ConclaveError('sandbox_unavailable', `tool "${call.toolName}" needs a sandbox, and this kernel has no sandbox driver`));
      }
      return tools.execute(call, signal);
    },
    policyFor: (name) => toolCallPolicy(entries, name),
  };
  if (tools?.dispose !== undefined) gated.dispose = () => (tools.dispose as () => Promise<void>)();
  return gated;
}
