/**
 * Options every sandbox driver takes: where workspaces live, default limits, and command tools
 * every session gets. Bubblewrap adds its own (binary path, sandbox user, extra read-only paths).
 */
import type { SandboxCommandTool, SandboxLimits } from '../protocol/index.js';
import type { WebToolOptions } from './web-tool-options.js';

export interface SandboxDriverOptions {
  /** Directory holding one workspace per session (default `.conclave/workspaces`, from the working directory). */
  workspaceRoot?: string;
  /** Limits for specs that leave them out (default: 60 s wall, 30 s CPU, 1 GiB memory, 256 processes, 1 MiB output, 1 GiB files). */
  defaultLimits?: SandboxLimits;
  /** Command tools of every session, before the spec's own. */
  commandTools?: SandboxCommandTool[];
  /**
   * `web_fetch` and `web_search` settings: the SearXNG backend (default: `CONCLAVE_SEARXNG_URL`)
   * and the session's allowed / blocked domains.
   */
  web?: WebToolOptions;
}

export interface BubblewrapDriverOptions extends SandboxDriverOptions {
  /** Path of the `bwrap` binary (default: `bwrap` on PATH, else /usr/bin/bwrap). */
  bubblewrapPath?: string;
  /** User and group tools run as when conclave runs as root (default 65534, "nobody"). */
  sandboxUserId?: number;
  sandboxGroupId?: number;
  /** Path of `socat`, which bridges a limited sandbox to its egress proxy (default: on the jail's PATH). */
  socatPath?: string;
  /** Host paths bound read-only at the same place in every jail (a toolchain under /opt, …). */
  readOnlyPaths?: string[];
}
