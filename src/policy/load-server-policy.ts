/**
 * Reading a server policy file (YAML or JSON) with the same error reporting as topology documents:
 * every problem with file, line, column and JSON path, all at once. Relative `scripts_dir` folders
 * are resolved against the policy file's own folder and must exist; declared MCP servers must each
 * have `command` or `url`.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { documentProblem, locatedProblemsError, parseWithProblems, readYamlSource, type DocumentProblem } from '../config/index.js';
import { ConclaveError } from '../protocol/index.js';
import { defaultServerPolicy, serverPolicyFrom, serverPolicySchema, type ServerPolicy } from './server-policy.js';

/** The environment variable naming the policy file when `--policy` is not given. */
export const policyFileVariable = 'CONCLAVE_POLICY';

const shapeHint = 'a policy is a mapping such as "document_tools: false" — see SECURITY.md for every rule';

function resolveScriptsDirectory(value: string | undefined, base: string, path: Array<string | number>, problems: DocumentProblem[]): string | undefined {
  if (value === undefined) return undefined;
  const absolute = resolve(base, value);
  if (!existsSync(absolute) || !statSync(absolute).isDirectory()) {
    problems.push(documentProblem(path, `"${value}" is not a directory (resolved to ${absolute})`, { hint: 'scripts_dir is relative to the policy file' }));
  }
  return absolute;
}

/**
 * Parses policy text; `file` names it in errors and anchors relative folders.
 *
 * @example
 * const policy = parseServerPolicy('document_tools: false\nworkspaces:\n  ops: { trust: trusted }\n', 'policy.yaml');
 */
export function parseServerPolicy(text: string, file: string): ServerPolicy {
  const { raw, locate } = readYamlSource(text, file, shapeHint);
  const problems: DocumentProblem[] = [];
  const parsed = parseWithProblems(serverPolicySchema, raw, []);
  if (!parsed.ok) throw locatedProblemsError(parsed.problems, locate, file);
  const value = parsed.value;
  const base = dirname(resolve(file));
  value.mcp_servers.forEach((server, index) => {
    if (server.command === undefined && server.url === undefined) {
      problems.push(documentProblem(['mcp_servers', index], `MCP server "${server.name}" needs \`command\` (stdio) or \`url\` (streamable HTTP)`));
    }
  });
  const scripts = resolveScriptsDirectory(value.scripts_dir, base, ['scripts_dir'], problems);
  if (scripts !== undefined) value.scripts_dir = scripts;
  for (const [workspace, overrides] of Object.entries(value.workspaces)) {
    const folder = resolveScriptsDirectory(overrides.scripts_dir, base, ['workspaces', workspace, 'scripts_dir'], problems);
    if (folder !== undefined) overrides.scripts_dir = folder;
  }
  if (problems.length > 0) throw locatedProblemsError(problems, locate, file);
  return serverPolicyFrom(value, resolve(file));
}

/**
 * The policy of `conclave serve` / `conclave worker`: the file `path` names (else `CONCLAVE_POLICY`),
 * else the safe defaults.
 *
 * @example
 * const policy = loadServerPolicy(options.policy, process.env);
 */
export function loadServerPolicy(path: string | undefined, env: Record<string, string | undefined> = process.env): ServerPolicy {
  const file = path ?? (env[policyFileVariable]?.trim() || undefined);
  if (file === undefined) return defaultServerPolicy();
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new ConclaveError('document_not_found', `cannot read the policy file ${file}: ${(error as Error).message}`, {
      location: { file },
      hint: path === undefined ? `${policyFileVariable} names it` : '--policy names it',
      cause: error,
    });
  }
  return parseServerPolicy(text, file);
}
