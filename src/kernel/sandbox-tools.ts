/**
 * A session's tools on top of a sandbox driver: the sandbox is provisioned on the first tool call
 * (a session whose agents never call a tool costs nothing), reused by every later call of the
 * session, and replaced after it fails: a crashed sandbox becomes an error result for the call that
 * saw it and a fresh sandbox for the next one, never a dead session.
 */
import { ConclaveError, toConclaveError, type Sandbox, type SandboxDriver, type SandboxSpec, type ToolDefinition } from '../protocol/index.js';
import type { SessionTools } from './tool-loop.js';

export interface SandboxToolsOptions {
  driver: SandboxDriver;
  spec: SandboxSpec;
  /** Every tool the sandbox can run (built-in and the document's own). */
  definitions: readonly ToolDefinition[];
}

export interface DisposableSessionTools extends SessionTools {
  /** Disposes the sandbox if one was provisioned. */
  dispose(): Promise<void>;
}

/**
 * Session tools that run in a lazily provisioned sandbox of `driver`.
 *
 * @example
 * const tools = createSandboxTools({ driver, spec: { sessionId, network: false }, definitions });
 * await tools.execute({ toolCallId: 'c1', toolName: 'bash', input: { command: 'ls' } }, signal);
 */
export function createSandboxTools(options: SandboxToolsOptions): DisposableSessionTools {
  const byName = new Map(options.definitions.map((definition) => [definition.name, definition]));
  let sandbox: Promise<Sandbox> | undefined;
  const discard = async (): Promise<void> => {
    const current = sandbox;
    sandbox = undefined;
    await current?.then((opened) => opened.dispose()).catch(() => undefined);
  };
  return {
    definitionsFor(names) {
      return Promise.resolve(
        (names ?? []).flatMap((name) => {
          const definition = byName.get(name);
          return definition === undefined ? [] : [definition];
        }),
      );
    },
    async execute(call, signal) {
      if (!byName.has(call.toolName)) {
        return { output: `Error: unknown tool "${call.toolName}"; the tools are ${[...byName.keys()].join(', ')}`, isError: true };
      }
      try {
        sandbox ??= options.driver.provision(options.spec);
        const output = await (await sandbox).execute(call.toolName, (call.input ?? {}) as Record<string, unknown>, { signal });
        return { output, isError: output.startsWith('Error:') };
      } catch (thrown) {
        const error = toConclaveError(thrown);
        if (signal.aborted || error.code === 'aborted') throw new ConclaveError('aborted', 'the tool call was aborted', { cause: thrown });
        // Unavailable (bubblewrap missing) is the user's to fix: the session stops and says how.
        // Anything else means the sandbox is broken: drop it, and the next call gets a fresh one.
        if (error.code === 'sandbox_unavailable') {
          sandbox = undefined;
          throw error;
        }
        await discard();
        return { output: `Error: ${error.message}${error.hint !== undefined ? ` (${error.hint})` : ''}`, isError: true };
      }
    },
    dispose: discard,
  };
}
