// `conclave design` as a user runs it, offline: design a document to a file, validate it, run it;
// JSON output for scripts; an existing file is not overwritten without --force.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.js';

const directory = mkdtempSync(join(tmpdir(), 'conclave-design-cli-'));
afterAll(() => rmSync(directory, { recursive: true, force: true }));

describe('conclave design', () => {
  it('designs a document that validates and runs offline', async () => {
    const file = join(directory, 'monorepo.yaml');
    const designed = await runCli(['design', 'Should we move our services to a monorepo?', '-o', file]);
    expect(designed.code, designed.stderr).toBe(0);
    expect(designed.stdout).toContain('✓ debate with 3 agents');
    expect(designed.stdout).toContain(`conclave run ${file}`);
    expect(readFileSync(file, 'utf8')).toMatch(/^# Designed by conclave design with offline\/designer/);

    const validated = await runCli(['validate', file]);
    expect(validated.code, validated.stderr).toBe(0);
    const ran = await runCli(['run', file, '--store', join(directory, 'runs.db'), '--quiet']);
    expect(ran.code, ran.stderr).toBe(0);
    expect(ran.stdout).toMatch(/Final answer: /);
  });

  it('prints JSON, and refuses to overwrite a file without --force', async () => {
    const json = await runCli(['design', 'Pick the best name for our new command-line tool', '--json']);
    expect(json.code, json.stderr).toBe(0);
    const report = JSON.parse(json.stdout) as { topology: string; agents: string[]; designer: string; attempts: number; yaml: string };
    expect(report).toMatchObject({ topology: 'tournament', designer: 'offline/designer', attempts: 1 });
    expect(report.agents).toContain('judge');
    expect(report.yaml).toContain('topology: tournament');

    const file = join(directory, 'taken.yaml');
    writeFileSync(file, 'mine\n');
    const refused = await runCli(['design', 'Tabs or spaces?', '-o', file]);
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toContain(`${file} already exists`);
    expect(readFileSync(file, 'utf8')).toBe('mine\n');
    const forced = await runCli(['design', 'Tabs or spaces?', '-o', file, '--force']);
    expect(forced.code, forced.stderr).toBe(0);
    expect(readFileSync(file, 'utf8')).toContain('topology:');
  });
});
