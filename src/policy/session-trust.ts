/**
 * How a session's document is trusted, from the policy: an API caller's document is untrusted
 * unless the policy trusts its workspace, and then its scripts are confined to the policy's folder.
 */
import type { SessionTrust } from '../kernel/kernel-options.js';
import { rulesFor, type ServerPolicy } from './server-policy.js';

/**
 * The trust of a document of `workspace` that came from an API caller (`fromApi`) or not.
 *
 * @example
 * sessionTrustFor(defaultServerPolicy(), 'tenant-b', true) // → { untrusted: true, workspace: 'tenant-b' }
 */
export function sessionTrustFor(policy: ServerPolicy, workspace: string, fromApi: boolean): SessionTrust {
  const rules = rulesFor(policy, workspace);
  const untrusted = fromApi && rules.trust !== 'trusted';
  return { untrusted, workspace, ...(untrusted && rules.scripts_dir !== undefined ? { scriptsDirectory: rules.scripts_dir } : {}) };
}
