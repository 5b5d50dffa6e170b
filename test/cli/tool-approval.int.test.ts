// Tool calls that wait, through spawned `conclave` processes over one SQLite file: `run` in a pipe
// ends (exit 0) with the waiting calls listed; `tool-result`, `deny` and `approve` from other
// processes answer them and the turn goes on; a second answer or a missing result is a usage error.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readSqliteEvents } from '../support/stores.js';
import { runCli } from '../support/cli.js';

let directory: string;
let document: string;
beforeAll(() => {
  directory = mkdtempSync(join(tmpdir(), 'conclave-approval-cli-'));
  const script = join(directory, 'script.yaml');
  writeFileSync(
    script,
    [
      '- round: 0',
      '  tool_calls: [{ name: ticket, input: { version: "2.0" } }]',
      '- round: 1',
      '  tool_calls: [{ name: stamp, input: { label: first } }]',
      '- round: 2',
      '  tool_calls: [{ name: stamp, input: { label: second } }]',
      '- text: released',
    ].join('\n'),
  );
  document = join(directory, 'release.yaml');
  writeFileSync(
    document,
    [
      'topology: pipeline',
      'task: Release 2.0.',
      // Unisolated by name: the test needs no bubblewrap; the tool only echoes.
      'environment: { driver: unisolated }',
      'tools:',
      '  - { name: ticket, type: custom, description: The release ticket }',
      '  - { name: stamp, description: Stamps a label, input_schema: { type: object, properties: { label: { type: string } } }, command: "echo stamped {{label}}", approval: always_ask }',
      'agents:',
      `  - { name: releaser, model: "offline/scripted?script=${script}", tools: [ticket, stamp] }`,
    ].join('\n'),
  );
});
afterAll(() => rmSync(directory, { recursive: true, force: true }));

interface JsonResult {
  sessionId: string;
  status: string;
  stopReason: string | null;
  answer: string | null;
  pendingToolUses: Array<{ eventId: string; kind: string; tool: string; input: unknown }>;
}

const readEvents = readSqliteEvents;

const workspaces = (): Record<string, string> => ({ CONCLAVE_WORKSPACES: join(directory, 'workspaces') });

describe('conclave approve / deny / tool-result', () => {
  it('answers a waiting session from other processes until the turn completes', async () => {
    const db = join(directory, 'release.db');
    const run = await runCli(['run', document, '--db', db], workspaces());
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toContain('waiting for 1 tool call (requires_action)');
    expect(run.stdout).toMatch(/releaser → ticket \(client-run\)/);
    expect(run.stdout).toContain('conclave tool-result');

    const shown = await runCli(['sessions', 'show', '--json', lastSessionId(run.stdout), '--db', db]);
    const waiting = JSON.parse(shown.stdout) as JsonResult;
    expect(waiting).toMatchObject({ status: 'idle', stopReason: 'requires_action' });
    const [ticket] = waiting.pendingToolUses;
    expect(ticket).toMatchObject({ kind: 'custom_result', tool: 'ticket', input: { version: '2.0' } });
    const sessionId = waiting.sessionId;

    const noContent = await runCli(['tool-result', sessionId, ticket!.eventId, '--db', db]);
    expect(noContent.code).toBe(2);
    expect(noContent.stderr).toContain('--content');

    // The client's result goes in; the turn goes on to the next call, which asks for approval.
    const answered = await runCli(['tool-result', sessionId, ticket!.eventId, '--content', 'REL-7: ready', '--json', '--db', db], workspaces());
    expect(answered.code, answered.stderr).toBe(0);
    const afterTicket = JSON.parse(answered.stdout) as JsonResult;
    expect(afterTicket.stopReason).toBe('requires_action');
    const [firstStamp] = afterTicket.pendingToolUses;
    expect(firstStamp).toMatchObject({ kind: 'confirmation', tool: 'stamp', input: { label: 'first' } });

    const denied = await runCli(['deny', sessionId, firstStamp!.eventId, '--message', 'use the second label', '--json', '--db', db], workspaces());
    expect(denied.code, denied.stderr).toBe(0);
    const [secondStamp] = (JSON.parse(denied.stdout) as JsonResult).pendingToolUses;
    expect(secondStamp).toMatchObject({ tool: 'stamp', input: { label: 'second' } });

    const approved = await runCli(['approve', sessionId, secondStamp!.eventId, '--json', '--db', db], workspaces());
    expect(approved.code, approved.stderr).toBe(0);
    expect(JSON.parse(approved.stdout)).toMatchObject({ status: 'idle', stopReason: 'end_turn', answer: 'released', pendingToolUses: [] });

    const again = await runCli(['approve', sessionId, secondStamp!.eventId, '--db', db]);
    expect(again.code).toBe(2);
    expect(again.stderr).toContain('tool_use_already_answered');

    const events = await readEvents(db, sessionId);
    const results = events.filter((event) => event.type === 'agent.tool_result').map((event) => [event.data['tool'], String(event.data['output']).trim(), event.data['isError']]);
    expect(results).toEqual([
      ['ticket', 'REL-7: ready', false],
      ['stamp', 'use the second label', true],
      ['stamp', 'stamped second', false],
    ]);
    // Each tool call completed once; the approved one ran once.
    const completed = events.filter((event) => event.type === 'command.completed' && event.data['kind'] === 'tool.execute').map((event) => event.data['commandId']);
    expect(new Set(completed).size).toBe(completed.length);
    expect(completed).toHaveLength(3);
  });
});

function lastSessionId(output: string): string {
  const match = /sesn_[A-Za-z0-9]+/.exec(output);
  if (match === null) throw new Error(`no session id in: ${output}`);
  return match[0];
}
