/**
 * The limits of one tool call, resolved from the spec's optional fields, and the shell prelude that
 * applies them as rlimits inside the sandbox. Rlimits are set by bash's `ulimit` in the jailed shell
 * itself (not on bubblewrap), so they bind the tool's processes only — and, because each jail has its
 * own user namespace, the process count is counted per sandbox, not across every sandbox of the uid.
 */
import { ConclaveError } from '../protocol/index.js';
import type { SandboxLimits } from '../protocol/index.js';

/** Every limit with a value: what a tool call actually runs under. */
export type ResolvedSandboxLimits = Required<SandboxLimits>;

/** Defaults for a spec that leaves a limit out. */
export const defaultSandboxLimits: ResolvedSandboxLimits = {
  wallTimeMs: 60_000,
  cpuSeconds: 30,
  memoryBytes: 1024 * 1024 * 1024,
  processes: 256,
  outputBytes: 1024 * 1024,
  fileBytes: 1024 * 1024 * 1024,
};

/** Exit code of the prelude when a limit cannot be applied: the sandbox failed, not the tool. */
export const limitFailureExitCode = 125;

/**
 * Fills in the defaults and checks that every given limit is a positive number.
 *
 * @example
 * resolveSandboxLimits({ wallTimeMs: 2_000 }) // → { wallTimeMs: 2000, cpuSeconds: 30, … }
 */
export function resolveSandboxLimits(limits: SandboxLimits | undefined, defaults: ResolvedSandboxLimits = defaultSandboxLimits): ResolvedSandboxLimits {
  const resolved: ResolvedSandboxLimits = { ...defaults };
  for (const key of Object.keys(defaults) as (keyof ResolvedSandboxLimits)[]) {
    const value = limits?.[key];
    if (value === undefined) continue;
    if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
      throw new ConclaveError('invalid_argument', `sandbox limit ${key} must be a positive number, got ${String(value)}`, {
        location: { path: `limits.${key}` },
      });
    }
    resolved[key] = value;
  }
  return resolved;
}

/**
 * Bash lines that apply the limits to the current shell and everything it starts. A limit is only
 * ever lowered: if the hard limit is already below the requested value it is kept. A `ulimit` that
 * fails exits with {@link limitFailureExitCode} and its message on stderr.
 *
 * @example
 * limitsPrelude(resolveSandboxLimits({}), { processLimit: true })
 * // → 'conclave_limit() { … }\nconclave_limit -t 30\n…'
 */
export function limitsPrelude(limits: ResolvedSandboxLimits, options: { processLimit: boolean }): string {
  const cpuSeconds = Math.max(1, Math.ceil(limits.cpuSeconds));
  const lines = [
    // conclave_limit OPTION SOFT [HARD]: sets the soft limit, and the hard one where that lowers it.
    'conclave_limit() {',
    '  local hard soft=$2 limit=${3:-$2}',
    `  hard=$(ulimit -H "$1") || exit ${limitFailureExitCode}`,
    '  if [ "$hard" != unlimited ] && [ "$hard" -le "$limit" ]; then',
    '    [ "$hard" -lt "$soft" ] && soft=$hard',
    `    ulimit -S "$1" "$soft" || exit ${limitFailureExitCode}`,
    '    return 0',
    '  fi',
    `  ulimit -S "$1" "$soft" || exit ${limitFailureExitCode}`,
    `  ulimit -H "$1" "$limit" || exit ${limitFailureExitCode}`,
    '}',
    // One second of slack on the hard CPU limit, so the soft one ends a process with SIGXCPU, which
    // says why, before the hard one's SIGKILL.
    `conclave_limit -t ${cpuSeconds} ${cpuSeconds + 1}`,
    `conclave_limit -v ${Math.max(1, Math.floor(limits.memoryBytes / 1024))}`,
    `conclave_limit -f ${Math.max(1, Math.floor(limits.fileBytes / 1024))}`,
  ];
  if (options.processLimit) lines.push(`conclave_limit -u ${Math.max(1, Math.floor(limits.processes))}`);
  lines.push('unset -f conclave_limit');
  return lines.join('\n');
}
