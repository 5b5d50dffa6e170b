// `conclave bench --view` and `serve --bench-runs` refuse what they cannot show, with the reason:
// a run that is not there (or not finished), --view RUN beside a suite, and --bench-workspace
// without --bench-runs.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.js';

const directory = mkdtempSync(join(tmpdir(), 'conclave-bench-view-cli-'));
afterAll(() => rmSync(directory, { recursive: true, force: true }));

describe('conclave bench --view', () => {
  it('refuses a run that does not exist, naming where it looked', async () => {
    const result = await runCli(['bench', '--view', 'no-such-run', '--out', directory]);
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain(`no finished bench run ${join(directory, 'no-such-run')}`);
  });

  it('refuses --view RUN beside a suite, and says so in JSON with --json', async () => {
    const result = await runCli(['bench', 'benchmarks/providers/head-to-head.yaml', '--view', 'some-run', '--json']);
    expect(result.code).not.toBe(0);
    const error = JSON.parse(result.stderr || result.stdout) as { error: { code: string; message: string } };
    expect(error.error.code).toBe('invalid_argument');
    expect(error.error.message).toContain('--view RUN views a finished run');
  });
});

describe('conclave serve --bench-workspace', () => {
  it('needs --bench-runs', async () => {
    const result = await runCli(['serve', '--port', '0', '--db', join(directory, 'c.db'), '--bench-workspace', 'default']);
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain('--bench-workspace names who may read the bench runs of --bench-runs DIR');
  });
});
