// Output into a pipe whose reader has gone (`conclave sessions events ID | head`): the CLI ends
// quietly with 141 (128 + SIGPIPE), never with an EPIPE stack trace. The pipe is a FIFO whose only
// reader is closed before the CLI starts, so every write fails, whatever the timing.
import { spawn, spawnSync, type ChildProcess, type StdioOptions } from 'node:child_process';
import { closeSync, constants, mkdtempSync, openSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cliPath, collect, projectRoot, runCli, startCli } from '../support/cli.js';

let directory: string;
let database: string;
let sessionId: string;

beforeAll(async () => {
  directory = mkdtempSync(join(tmpdir(), 'conclave-pipe-'));
  database = join(directory, 'sessions.db');
  const run = await runCli(['run', 'examples/pipeline.yaml', '--json', '--db', database]);
  expect(run.code).toBe(0);
  sessionId = (JSON.parse(run.stdout) as { sessionId: string }).sessionId;
});
afterAll(() => rmSync(directory, { recursive: true, force: true }));

let pipes = 0;

/** The write end of a pipe that nobody reads: a FIFO opened for reading and writing, then the reader closed. */
function pipeWithoutReader(): number {
  pipes += 1;
  const fifo = join(directory, `pipe-${pipes}.fifo`);
  expect(spawnSync('mkfifo', [fifo]).status).toBe(0);
  const reader = openSync(fifo, constants.O_RDONLY | constants.O_NONBLOCK);
  const writer = openSync(fifo, constants.O_WRONLY);
  closeSync(reader);
  return writer;
}

/** Starts the CLI with one of its output streams on a pipe without a reader; returns what the other stream said. */
async function runIntoClosedPipe(args: string[], closed: 'stdout' | 'stderr'): Promise<{ code: number | null; other: string }> {
  const writer = pipeWithoutReader();
  const stdio: StdioOptions = closed === 'stdout' ? ['ignore', writer, 'pipe'] : ['ignore', 'pipe', writer];
  const child: ChildProcess = spawn(process.execPath, [cliPath, ...args], { cwd: projectRoot, env: { ...process.env, NO_COLOR: '1' }, stdio });
  closeSync(writer);
  let other = '';
  (closed === 'stdout' ? child.stderr : child.stdout)?.on('data', (chunk: Buffer) => (other += chunk.toString()));
  const code = await new Promise<number | null>((resolve) => child.on('close', (exitCode) => resolve(exitCode)));
  return { code, other };
}

describe('a closed output pipe', () => {
  it('sessions events into a closed stdout ends with 141 and nothing on stderr', async () => {
    const result = await runIntoClosedPipe(['sessions', 'events', sessionId, '--db', database], 'stdout');
    expect(result.other).toBe('');
    expect(result.code).toBe(141);
  });

  it('a large output (the JSON Schema) into a closed stdout ends the same way', async () => {
    const result = await runIntoClosedPipe(['schema'], 'stdout');
    expect(result.other).not.toMatch(/EPIPE|Error| {4}at /);
    expect(result.code).toBe(141);
  });

  it('an error message into a closed stderr ends with 141, not with an uncaught exception', async () => {
    const result = await runIntoClosedPipe(['validate', join(directory, 'missing.yaml')], 'stderr');
    expect(result.other).toBe('');
    expect(result.code).toBe(141);
  });

  it('a reader that stops after the first chunk, like head, sees no stack trace', async () => {
    const child = startCli(['sessions', 'events', sessionId, '--json', '--db', database]);
    child.stdout?.once('data', () => child.stdout?.destroy());
    const result = await collect(child);
    expect(result.stderr).toBe('');
    // The whole journal may have fit in the pipe before the reader left: then it simply succeeded.
    expect([0, 141]).toContain(result.code);
  });
});
