/**
 * The `scripted` model: replays a script of replies, tool calls included, so a tool-using agent
 * (examples/coder.yaml) runs offline and deterministically. The script is a YAML list; for each
 * request the first entry that fits is the reply:
 *
 *   - when: 'Write'            # optional regular expression on the last user message (RE2 syntax, case-insensitive)
 *     round: 0                 # optional: tool rounds so far in this call (tool-call replies since the last user message)
 *     text: I will write it.   # optional text
 *     tool_calls:              # optional tool calls (`name`, `input`)
 *       - { name: write_file, input: { path: sum.py, content: "…" } }
 *
 * The file is read once per path (relative paths from the current directory) and validated with
 * clear messages; a request no entry fits gets a reply saying so, which shows in the transcript.
 */
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parse } from 'yaml';
import { z } from 'zod';
import { compileLinearRegex, linearRegexProblem, type GenerateRequest, type LinearRegex, type ToolCall } from '../../src/protocol/index.js';

const scriptEntrySchema = z.strictObject({
  when: z.string().optional(),
  round: z.number().int().min(0).optional(),
  text: z.string().optional(),
  tool_calls: z.array(z.strictObject({ name: z.string().min(1), input: z.record(z.string(), z.unknown()).default({}) })).optional(),
});
const scriptSchema = z.array(scriptEntrySchema).min(1, 'a script needs at least one reply');

interface ScriptEntry {
  /** Runs on the linear-time engine: a script is user data like a document. */
  when: LinearRegex | undefined;
  round: number | undefined;
  text: string;
  toolCalls: Array<{ name: string; input: Record<string, unknown> }>;
}

export interface ScriptedReply {
  text: string;
  toolCalls: ToolCall[];
}

const scripts = new Map<string, ScriptEntry[] | string>();

function load(path: string): ScriptEntry[] | string {
  const absolute = resolve(path);
  if (!existsSync(absolute)) return `script "${path}" not found (relative paths start at the current directory, ${process.cwd()})`;
  let raw: unknown;
  try {
    raw = parse(readFileSync(absolute, 'utf8'));
  } catch (error) {
    return `script "${path}" is not valid YAML: ${(error as Error).message}`;
  }
  const parsed = scriptSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return `script "${path}": [${issue?.path.join('.') ?? ''}] ${issue?.message ?? 'invalid'}`;
  }
  const entries: ScriptEntry[] = [];
  for (const [index, entry] of parsed.data.entries()) {
    const problem = entry.when === undefined ? undefined : linearRegexProblem(entry.when, 'i');
    if (problem !== undefined) return `script "${path}": [${index}.when] ${problem}`;
    const when = entry.when === undefined ? undefined : compileLinearRegex(entry.when, { flags: 'i' });
    entries.push({ when, round: entry.round, text: entry.text ?? '', toolCalls: entry.tool_calls ?? [] });
  }
  return entries;
}

/**
 * The script at `path`, or why it cannot be used (read and checked once per path).
 *
 * @example
 * loadScript('examples/coder.script.yaml') // → [{ when: (linear regex for 'write', case-insensitive), round: 0, … }, …] or 'script "…" not found …'
 */
export function loadScript(path: string): ScriptEntry[] | string {
  let script = scripts.get(path);
  if (script === undefined) {
    script = load(path);
    scripts.set(path, script);
  }
  return script;
}

/** Tool rounds so far in this call: replies with tool calls after the last user message. */
function toolRound(request: GenerateRequest): number {
  let rounds = 0;
  for (let index = request.messages.length - 1; index >= 0; index -= 1) {
    const message = request.messages[index];
    if (message?.role === 'user') break;
    if (message?.role === 'assistant' && (message.toolCalls?.length ?? 0) > 0) rounds += 1;
  }
  return rounds;
}

/**
 * The scripted reply to `request` from the script at `path`.
 *
 * @example
 * scriptedReply('examples/coder.script.yaml', request) // → { text: 'I will write it.', toolCalls: [{ toolCallId: 'call_0_0', toolName: 'write_file', input: {…} }] }
 */
export function scriptedReply(path: string, request: GenerateRequest): ScriptedReply {
  const script = loadScript(path);
  if (typeof script === 'string') return { text: `(offline/scripted: ${script})`, toolCalls: [] };
  const lastUser = [...request.messages].reverse().find((message) => message.role === 'user')?.content ?? '';
  const round = toolRound(request);
  const offered = new Set((request.tools ?? []).map((tool) => tool.name));
  const entry = script.find((candidate) => (candidate.when === undefined || candidate.when.test(lastUser)) && (candidate.round === undefined || candidate.round === round));
  if (entry === undefined) return { text: `(offline/scripted: no reply in the script fits this request, tool round ${round})`, toolCalls: [] };
  // Tool calls are made only when the request offers tools (after the round limit it does not).
  const toolCalls = entry.toolCalls
    .filter((call) => offered.has(call.name))
    .map((call, index) => ({ toolCallId: `call_${round}_${index}`, toolName: call.name, input: call.input }));
  return { text: entry.text, toolCalls };
}
