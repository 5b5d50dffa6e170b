// examples/ts/ are documentation that must keep working: each is type-checked with a strict
// consumer's settings (exactOptionalPropertyTypes, NodeNext, importing 'conclave' by name) and run.
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { projectRoot } from '../support/cli.js';

const run = promisify(execFile);
const tsx = join(projectRoot, 'node_modules', '.bin', 'tsx');

describe('examples/ts', () => {
  it('type-check under a strict consumer tsconfig', async () => {
    const result = await run(process.execPath, [join(projectRoot, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'examples/ts/tsconfig.json'], { cwd: projectRoot }).catch((error: { stdout: string }) => error);
    expect(result.stdout).toBe('');
  }, 120_000);

  it.each([
    ['debate.ts', /^idle after \d+ messages \(\w+\)/],
    ['critique-then-vote.ts', /^idle: winner (ada|grace|linus), tally \{"ada":\d,"grace":\d,"linus":\d\}/],
    ['own-provider.ts', /^idle: ACME says: USER: HELLO FROM THE PIPELINE \(cost \$0\.0000\d+\)/],
    ['host-tool.ts', /^lookup_order returned: order 42: shipped on Monday\nidle: Order 42 was shipped on Monday\./],
  ])('%s runs', async (file, expected) => {
    const { stdout } = await run(tsx, [join('examples', 'ts', file)], { cwd: projectRoot, env: { ...process.env, NO_COLOR: '1' } });
    expect(stdout).toMatch(expected);
  }, 120_000);
});
