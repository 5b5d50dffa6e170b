// Every example document runs offline through the real CLI, exits 0, and its journal records why
// the topology stopped (an example whose tools wait for answers is answered through the CLI; the
// one whose budget stops it, debate-budgeted.yaml, exits 1 and is finished with a raised budget).
import { chmodSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { SessionEvent } from '../../src/protocol/index.js';
import { projectRoot, runCli } from '../support/cli.js';

const directory = mkdtempSync(join(tmpdir(), 'conclave-examples-'));
// Workspaces of examples with tools (coder.yaml) go here; the sandbox user must be able to pass through.
chmodSync(directory, 0o711);
const workspaces = { CONCLAVE_WORKSPACES: join(directory, 'workspaces') };
afterAll(() => rmSync(directory, { recursive: true, force: true }));
// Documents that call real providers (debate-multimodel) have their own test against the emulators.
const examples = readdirSync(join(projectRoot, 'examples')).filter((file) => file.endsWith('.yaml') && !file.includes('multimodel'));

describe('examples', () => {
  it('include one runnable document per topology', async () => {
    const listed = JSON.parse((await runCli(['topologies', '--json'])).stdout) as { topologies: Array<{ name: string }> };
    expect(listed.topologies).toHaveLength(12);
    for (const topology of listed.topologies) expect(examples, topology.name).toContain(`${topology.name}.yaml`);
  });

  it.each(examples)('%s runs offline, exits 0 and journals its termination reason', async (example) => {
    const db = join(directory, `${example}.db`);
    let run = await runCli(['run', `examples/${example}`, '--json', '--db', db], workspaces);
    // Documented: its budget stops it mid-debate (exit 1, the answer so far kept); raised, it finishes.
    if (example === 'debate-budgeted.yaml') {
      const stopped = JSON.parse(run.stdout) as { sessionId: string; stopReason: string; partialAnswer: { agent: string; text: string } | undefined };
      expect(run.code, run.stderr).toBe(1);
      expect(stopped.stopReason).toBe('budget_exceeded');
      expect(stopped.partialAnswer?.text).toEqual(expect.any(String));
      run = await runCli(['resume', stopped.sessionId, '--budget', 'max_calls=20', '--json', '--db', db], workspaces);
    }
    expect(run.code, run.stderr).toBe(0);
    // An example whose tools wait (approval.yaml) ends with them listed; answer as a person would.
    type Waiting = { sessionId: string; pendingToolUses: Array<{ eventId: string; kind: string }> };
    for (let answers = 0; (JSON.parse(run.stdout) as Waiting).pendingToolUses.length > 0 && answers < 10; answers += 1) {
      const { sessionId, pendingToolUses } = JSON.parse(run.stdout) as Waiting;
      const [use] = pendingToolUses;
      const answer = use!.kind === 'confirmation' ? ['approve', sessionId, use!.eventId] : ['tool-result', sessionId, use!.eventId, '--content', 'ready'];
      run = await runCli([...answer, '--json', '--db', db], workspaces);
      expect(run.code, run.stderr).toBe(0);
    }
    const result = JSON.parse(run.stdout) as { sessionId: string; reason: string; simulated: boolean };
    expect(result.reason).toEqual(expect.any(String));
    expect(result.simulated).toBe(true);
    const events = (await runCli(['sessions', 'events', result.sessionId, '--json', '--db', db])).stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as SessionEvent);
    const completed = events.find((event) => event.type === 'topology.completed');
    expect(completed?.data['reason']).toBe(result.reason);
    expect(completed?.data['aggregation']).toEqual(expect.any(String));
  });
});
