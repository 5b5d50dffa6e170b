/**
 * Sandboxes: where agents' tools run. The bubblewrap driver (default) jails every tool call; the
 * unisolated driver, for explicit opt-in only, runs the same tools as plain processes. Both run the
 * built-in tools (bash, read_file, write_file, edit_file, list_files, grep, web_fetch, web_search) and
 * command tools. A bubblewrap sandbox's network is none, the host's, or limited to an allow-list of
 * hosts through a per-sandbox egress proxy (limited-network.ts, egress-proxy.ts).
 */
export { buildBubblewrapArguments, describeSystemDirectories, jailEgressDirectory, jailEnvironment, jailProxyPort, jailWorkspacePath, proxyEnvironment } from './bubblewrap-arguments.js';
export type { BubblewrapArgumentsOptions, SystemDirectoryMount } from './bubblewrap-arguments.js';
export { createBubblewrapDriver } from './bubblewrap-driver.js';
export { bubblewrapAvailable, defaultSandboxGroupId, defaultSandboxUserId, diagnoseBubblewrap, findBubblewrap, installBubblewrapHint } from './bubblewrap-probe.js';
export type { BubblewrapDiagnosis, BubblewrapProbeOptions } from './bubblewrap-probe.js';
export { checkEgressAddresses, checkEgressTarget, domainEntries, isNonPublicAddress } from './egress-rules.js';
export type { EgressDecision, EgressRules } from './egress-rules.js';
export { startEgressProxy } from './egress-proxy.js';
export type { EgressProxy, EgressProxyOptions } from './egress-proxy.js';
export { builtinToolDefinitions } from './builtin-tools.js';
export { createSandboxDriver, sandboxDriverNames } from './create-sandbox-driver.js';
export type { SandboxDriverName } from './create-sandbox-driver.js';
export { defineCommandTool, renderCommandTemplate, shellQuote, templateFields } from './custom-tools.js';
export type { BubblewrapDriverOptions, SandboxDriverOptions } from './driver-options.js';
export { truncationMarker } from './format-tool-result.js';
export { findSocat, installSocatHint, planEgress, startLimitedNetwork } from './limited-network.js';
export type { EgressPlan, LimitedNetwork } from './limited-network.js';
export { defaultSandboxLimits, resolveSandboxLimits } from './sandbox-limits.js';
export type { ResolvedSandboxLimits } from './sandbox-limits.js';
export type { SandboxTool } from './sandbox-tool.js';
export { sandboxToolDefinitions } from './sandbox-toolset.js';
export { createUnisolatedDriver, unisolatedDriverWarning } from './unisolated-driver.js';
export { htmlToText } from './html-to-text.js';
export { resolveWebToolOptions, searchBackendVariable } from './web-tool-options.js';
export type { ResolvedWebToolOptions, WebToolOptions } from './web-tool-options.js';
export { defaultWorkspaceRoot, removeWorkspace, workspaceDirectory } from './workspace.js';
