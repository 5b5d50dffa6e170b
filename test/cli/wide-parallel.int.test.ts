// A wide fan-out as a user runs it: a parallel topology with more agents than Node's default
// listener limit prints the answers and nothing on stderr (no MaxListenersExceededWarning).
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { runCli } from '../support/cli.js';

const directory = mkdtempSync(join(tmpdir(), 'conclave-wide-'));
afterAll(() => rmSync(directory, { recursive: true, force: true }));

it('runs 15 agents in parallel without a listener-leak warning', async () => {
  const agents = Array.from({ length: 15 }, (_, index) => `  - { name: agent${index + 1}, model: offline/echo }`).join('\n');
  const file = join(directory, 'wide.yaml');
  writeFileSync(file, `topology: parallel\ntask: name a colour\nagents:\n${agents}\n`);
  const result = await runCli(['run', file, '--quiet', '--store', ':memory:']);
  expect(result.code).toBe(0);
  expect(result.stdout).toContain('## agent15');
  expect(result.stderr).toBe('');
});
