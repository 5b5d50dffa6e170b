/**
 * The sandbox contract: where tools run. A driver provisions a sandbox lazily on a session's first
 * tool call; a sandbox executes named tools and returns their result as a string. A dead sandbox is
 * a tool error, not a dead session. (Drivers arrive with the sandbox issue; this is the contract.)
 */

export interface SandboxSpec {
  sessionId: string;
  /** Directory to seed the workspace from. */
  seedDirectory?: string;
  network: boolean;
  limits?: {
    wallTimeMs?: number;
    cpuSeconds?: number;
    memoryBytes?: number;
    processes?: number;
    outputBytes?: number;
  };
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
  provision(spec: SandboxSpec): Promise<Sandbox>;
}
