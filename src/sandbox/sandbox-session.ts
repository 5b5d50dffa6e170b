/**
 * One provisioned sandbox: looks a tool up, validates its input, and runs the tool's scripts through
 * the driver's launcher under the limits prelude. What differs between drivers is only `launch` —
 * how `bash -c script` becomes a process (inside bubblewrap, or plainly in the workspace). A tool
 * failing is a result string; a sandbox that cannot start a process throws `sandbox_failed`, and is
 * not left broken: every call starts afresh, so the next call works once the cause is gone.
 */
import { ConclaveError, type Sandbox, type SandboxNetwork, type SandboxWebFetchDomains } from '../protocol/index.js';
import { describeInvalidInput } from './input-validation.js';
import { runJailed, type JailedProcess, type JailedRunResult } from './run-jailed.js';
import { limitsPrelude, type ResolvedSandboxLimits } from './sandbox-limits.js';
import type { SandboxTool, ToolContext, ToolScript } from './sandbox-tool.js';
import { removeWorkspace } from './workspace.js';

export interface SandboxSessionOptions {
  id: string;
  /** The workspace on the host. */
  workspaceDirectory: string;
  limits: ResolvedSandboxLimits;
  /** Whether tools reach the network: the session's setting in a jail, always for the unisolated driver. */
  network: SandboxNetwork;
  /** Bash lines run after the limits and before every script (the limited network's bridge). */
  networkPrelude?: string;
  /** `web_fetch`'s domain lists, and the bridge for its scripts when they have a proxy of their own. */
  webFetch?: SandboxWebFetchDomains;
  webFetchPrelude?: string;
  /** Runs once the sandbox is disposed and its calls have ended (stops the egress proxy). */
  onDispose?: () => Promise<void>;
  tools: ReadonlyMap<string, SandboxTool>;
  /** Whether RLIMIT_NPROC binds this driver's processes (it needs an unprivileged uid of their own). */
  processLimit: boolean;
  keepWorkspace: boolean;
  /** The process that runs `bash -c script conclave ...scriptArguments` in the sandbox (behind web_fetch's proxy for `egress: 'web_fetch'`). */
  launch(script: string, scriptArguments: readonly string[], egress: ToolScript['egress']): JailedProcess;
}

/**
 * Creates the sandbox object a driver's `provision` returns.
 *
 * @example
 * const sandbox = createSandboxSession({ id: 'bubblewrap:sesn_1', workspaceDirectory, limits, tools, processLimit: true, keepWorkspace: false, launch });
 * await sandbox.execute('bash', { command: 'ls' }, { signal });
 */
export function createSandboxSession(options: SandboxSessionOptions): Sandbox {
  const limits = limitsPrelude(options.limits, { processLimit: options.processLimit });
  // The bridge starts after the limits (socat is bound by them) and before stderr joins stdout, so
  // a bridge that fails is a launcher error.
  const preludeWith = (bridge: string | undefined): string => `${limits}${bridge === undefined ? '' : `\n${bridge}`}\nexec 2>&1\n`;
  const prelude = preludeWith(options.networkPrelude);
  const webFetchPrelude = options.webFetchPrelude === undefined ? prelude : preludeWith(options.webFetchPrelude);
  const disposal = new AbortController();
  const running = new Set<Promise<unknown>>();
  let disposed: Promise<void> | undefined;

  const runScript = async (script: ToolScript, signal: AbortSignal): Promise<JailedRunResult> => {
    const result = await runJailed({
      process: options.launch((script.egress === 'web_fetch' ? webFetchPrelude : prelude) + script.script, script.arguments ?? [], script.egress),
      ...(script.stdin !== undefined ? { stdin: script.stdin } : {}),
      wallTimeMs: Math.min(script.wallTimeMs ?? options.limits.wallTimeMs, options.limits.wallTimeMs),
      outputBytes: script.outputBytes ?? options.limits.outputBytes,
      signal,
    });
    if (result.launcherErrors !== '' && result.exitCode !== 0 && !result.timedOut && !result.outputTruncated) {
      throw new ConclaveError('sandbox_failed', `the sandbox could not run the tool: ${result.launcherErrors}`);
    }
    return result;
  };

  const execute = async (name: string, input: Record<string, unknown>, signal: AbortSignal): Promise<string> => {
    const tool = options.tools.get(name);
    if (tool === undefined) return `Error: unknown tool "${name}"; the tools are ${[...options.tools.keys()].join(', ')}`;
    const parsed = tool.inputValidator.safeParse(input);
    if (!parsed.success) return describeInvalidInput(name, parsed.error);
    const combined = combineSignals(signal, disposal.signal);
    try {
      const context: ToolContext = {
        limits: options.limits,
        network: options.network,
        ...(options.webFetch !== undefined ? { webFetch: options.webFetch } : {}),
        run: (script) => runScript(script, combined.signal),
      };
      return await tool.run(parsed.data, context);
    } finally {
      combined.release();
    }
  };

  return {
    id: options.id,
    async execute(name, input, { signal }) {
      if (disposed !== undefined) throw new ConclaveError('sandbox_failed', `the sandbox ${options.id} was disposed`);
      if (signal.aborted) throw new ConclaveError('aborted', 'the tool call was aborted', { cause: signal.reason });
      const call = execute(name, input, signal);
      running.add(call);
      try {
        return await call;
      } finally {
        running.delete(call);
      }
    },
    dispose() {
      disposed ??= (async () => {
        disposal.abort(new ConclaveError('aborted', `the sandbox ${options.id} was disposed`));
        await Promise.allSettled([...running]);
        await options.onDispose?.();
        if (!options.keepWorkspace) await removeWorkspace(options.workspaceDirectory);
      })();
      return disposed;
    },
  };
}

/** A signal that fires when either fires, and a way to stop listening once the call is over. */
function combineSignals(first: AbortSignal, second: AbortSignal): { signal: AbortSignal; release(): void } {
  const controller = new AbortController();
  const onFirst = (): void => controller.abort(first.reason);
  const onSecond = (): void => controller.abort(second.reason);
  if (first.aborted) onFirst();
  else if (second.aborted) onSecond();
  first.addEventListener('abort', onFirst, { once: true });
  second.addEventListener('abort', onSecond, { once: true });
  return {
    signal: controller.signal,
    release() {
      first.removeEventListener('abort', onFirst);
      second.removeEventListener('abort', onSecond);
    },
  };
}
