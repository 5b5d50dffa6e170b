/**
 * The sandbox contract: where tools run. A driver provisions a sandbox lazily on a session's first
 * tool call; a sandbox executes named tools and returns their result as a string. A dead sandbox is
 * a tool error, not a dead session. (Drivers arrive with the sandbox issue; this is the contract.)
 */

/**
 * A tool that is a command template run with bash inside the sandbox: each `{{field}}` of `command`
 * is replaced by the shell-quoted value of that input field (`pytest {{path}} -q`).
 */
export interface SandboxCommandTool {
  name: string;
  description?: string;
  /** JSON Schema of the tool's input object; inputs are validated against it before running. */
  inputSchema: Record<string, unknown>;
  command: string;
}

/** Resource limits of one tool call. Every field is optional; drivers fill in their defaults. */
export interface SandboxLimits {
  /** Wall-clock time of one tool call; on expiry every process of the call is killed. */
  wallTimeMs?: number;
  /** CPU time of each process (RLIMIT_CPU), in seconds. */
  cpuSeconds?: number;
  /** Address space of each process (RLIMIT_AS); also the size of in-memory scratch space (/tmp). */
  memoryBytes?: number;
  /** Number of processes the call may run at once (RLIMIT_NPROC). */
  processes?: number;
  /** Bytes of output (stdout and stderr together) kept; past it the call is stopped and cut. */
  outputBytes?: number;
  /** Largest file a process may write (RLIMIT_FSIZE), in bytes. */
  fileBytes?: number;
}

/**
 * Hosts a sandbox with limited networking may reach, through conclave's egress proxy: entries are
 * exact hosts (`api.example.com`, `127.0.0.1:8080`) or subdomain wildcards (`*.example.com`), each
 * with an optional port. A blocked entry wins over an allowed one.
 */
export interface SandboxNetworkLimits {
  allowedHosts: readonly string[];
  blockedHosts?: readonly string[];
}

/** A sandbox's network: none (`false`), the host's (`true`), or only some hosts through a proxy. */
export type SandboxNetwork = boolean | SandboxNetworkLimits;

/**
 * Domains `web_fetch` alone is held to (a domain covers its subdomains), on top of the sandbox's
 * network: its fetches go through an egress proxy of their own that enforces these lists and the
 * sandbox's. They never widen anything: with no network, `web_fetch` reaches nothing.
 */
export interface SandboxWebFetchDomains {
  allowedDomains?: readonly string[];
  blockedDomains?: readonly string[];
}

export interface SandboxSpec {
  sessionId: string;
  /** Directory to seed the workspace from. */
  seedDirectory?: string;
  network: SandboxNetwork;
  /** `web_fetch`'s own domain lists (the Managed web_fetch config's `allowed_domains` / `blocked_domains`). */
  webFetch?: SandboxWebFetchDomains;
  limits?: SandboxLimits;
  /** Keep the workspace on disk when the sandbox is disposed (default: remove it). */
  keepWorkspace?: boolean;
  /** Tools of the session beyond the built-in ones. */
  commandTools?: SandboxCommandTool[];
}

export interface Sandbox {
  readonly id: string;
  execute(name: string, input: Record<string, unknown>, options: { signal: AbortSignal }): Promise<string>;
  dispose(): Promise<void>;
}

export interface SandboxDriver {
  readonly specificationVersion: 'v1';
  readonly name: string;
  /** Whether the driver isolates tools from the host. */
  readonly isolated: boolean;
  /** One line for people choosing a driver: what it isolates, or that it isolates nothing. */
  readonly description?: string;
  provision(spec: SandboxSpec): Promise<Sandbox>;
}
