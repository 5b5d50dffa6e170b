// examples/coder.yaml end to end: the generator writes a program into its sandboxed workspace and
// runs its test with bash, the critic approves; killed with SIGKILL in the middle of its tool loop
// and resumed, no completed tool call runs again. Needs bubblewrap (CI installs it).
import { existsSync } from 'node:fs';
import { chmod, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SessionEvent } from '../../src/protocol/index.js';
import { createSqliteStore } from '../../src/store/index.js';
import { collect, projectRoot, runCli, startCli } from '../support/cli.js';

const bubblewrap = existsSync('/usr/bin/bwrap');
const inCi = process.env['CI'] === 'true';
let directory: string;

beforeAll(async () => {
  directory = await mkdtemp(join(tmpdir(), 'conclave-coder-'));
  // The sandbox user (not root) must be able to pass through to the workspaces.
  await chmod(directory, 0o711);
});
afterAll(async () => {
  await rm(directory, { recursive: true, force: true });
});

async function readEvents(db: string, sessionId?: string): Promise<{ sessionId: string; events: SessionEvent[] }> {
  const store = createSqliteStore({ path: db });
  try {
    const id = sessionId ?? (await store.listSessions({ limit: 1 }))[0]?.id;
    return { sessionId: id ?? '', events: id === undefined ? [] : await store.read(id) };
  } finally {
    await store.close();
  }
}

const toolCompletions = (events: SessionEvent[]) => events.filter((event) => event.type === 'command.completed' && event.data['kind'] === 'tool.execute');

describe('examples/coder.yaml', () => {
  it('needs bubblewrap in CI', () => {
    if (inCi) expect(bubblewrap, 'bubblewrap is missing: apt-get install bubblewrap').toBe(true);
  });

  it.skipIf(!bubblewrap)('writes the program, runs its test in the sandbox and is approved', async () => {
    const env = { CONCLAVE_WORKSPACES: join(directory, 'workspaces') };
    const result = await runCli(['run', 'examples/coder.yaml', '--json', '--db', join(directory, 'plain.db')], env);
    expect(result.code, result.stderr).toBe(0);
    const parsed = JSON.parse(result.stdout) as { sessionId: string; reason: string; answer: string };
    expect(parsed.reason).toBe('approved');
    expect(parsed.answer).toContain('tests pass');
    const workspace = join(directory, 'workspaces', parsed.sessionId);
    expect((await readdir(workspace)).sort()).toEqual(['fizzbuzz.sh', 'test_fizzbuzz.sh']);
    const { events } = await readEvents(join(directory, 'plain.db'), parsed.sessionId);
    const bash = toolCompletions(events).find((event) => String((event.data['output'] as { result: string }).result).includes('ok: 15 lines match'));
    expect(bash).toBeDefined();
  });

  it.skipIf(!bubblewrap)('killed in the middle of its tool loop, resumes without re-running a completed tool call', async () => {
    // The same example with a slow model, so that the kill lands between tool calls.
    const script = join(projectRoot, 'examples', 'scripts', 'coder.yaml');
    const document = (await readFile(join(projectRoot, 'examples', 'coder.yaml'), 'utf8')).replaceAll('offline/scripted?script=examples/scripts/coder.yaml', `offline/scripted?script=${script}&ttft_ms=700`);
    const file = join(directory, 'coder-slow.yaml');
    await writeFile(file, document);
    const db = join(directory, 'killed.db');
    const env = { CONCLAVE_WORKSPACES: join(directory, 'workspaces') };
    const child = startCli(['run', file, '--json', '--db', db], env);
    const outcome = collect(child);
    let before: SessionEvent[] = [];
    let sessionId = '';
    for (const deadline = Date.now() + 20_000; Date.now() < deadline; ) {
      ({ sessionId, events: before } = await readEvents(db));
      if (toolCompletions(before).length >= 2) break;
      await new Promise((resolve) => setTimeout(resolve, 40));
    }
    child.kill('SIGKILL');
    expect((await outcome).signal).toBe('SIGKILL');
    ({ events: before } = await readEvents(db, sessionId));
    const finished = toolCompletions(before);
    expect(finished.length).toBeGreaterThanOrEqual(2);

    const resumed = await runCli(['resume', sessionId, '--json', '--db', db], env);
    expect(resumed.code, resumed.stderr).toBe(0);
    expect((JSON.parse(resumed.stdout) as { reason: string }).reason).toBe('approved');
    const { events } = await readEvents(db, sessionId);
    const completedIds = toolCompletions(events).map((event) => event.data['commandId']);
    expect(new Set(completedIds).size).toBe(completedIds.length);
    for (const done of finished) {
      const startedAgain = events.filter((later) => later.seq > done.seq && later.type === 'command.started' && later.data['commandId'] === done.data['commandId']);
      expect(startedAgain).toEqual([]);
    }
    expect(toolCompletions(events).length).toBe(3);
  }, 60_000);
});
