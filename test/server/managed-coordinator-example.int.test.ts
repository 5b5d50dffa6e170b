// examples/managed/coordinator.mjs is documentation that must keep working: run against a real
// `conclave serve` with the example's policy, it prints each roster agent's thread being created,
// what each said, and the threads the session ends with.
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { projectRoot } from '../support/cli.js';
import { createKey, killServers, serve, type ServingCli } from '../support/serve-process.js';

const run = promisify(execFile);
const directory = mkdtempSync(join(tmpdir(), 'conclave-coordinator-example-'));
let server: ServingCli;
let key: string;

beforeAll(async () => {
  const database = join(directory, 'conclave.db');
  key = (await createKey(database, 'default')).key;
  server = await serve(database, ['--policy', join(projectRoot, 'examples', 'managed', 'policy.yaml')]);
}, 60_000);

afterAll(() => {
  killServers();
  rmSync(directory, { recursive: true, force: true });
});

describe('examples/managed/coordinator.mjs', () => {
  it('runs its roster agents as threads and prints what each said', async () => {
    const { stdout } = await run(process.execPath, [join(projectRoot, 'examples', 'managed', 'coordinator.mjs')], {
      cwd: projectRoot,
      env: { ...process.env, CONCLAVE_URL: server.url, CONCLAVE_API_KEY: key },
    });
    expect(stdout.trim().split('\n')).toEqual([
      'launch lead: I will ask the market researcher and the pricing analyst.',
      'thread created: market researcher',
      'market researcher: First-year students buy first; campus ambassadors reach them best.',
      'thread created: pricing analyst',
      'pricing analyst: Free for the first term, then 3 USD a month.',
      'launch lead: Plan: reach first-year students through campus ambassadors; free for the first term, then 3 USD a month.',
      'thread launch lead: idle (primary)',
      'thread market researcher: idle',
      'thread pricing analyst: idle',
    ]);
  }, 120_000);
});
