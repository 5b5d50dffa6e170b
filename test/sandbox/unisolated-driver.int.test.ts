// The unisolated driver: the shared conformance suite with every containment case skipped (it
// isolates nothing and says so), plus proof that it really is just processes on the host.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createUnisolatedDriver, unisolatedDriverWarning } from '../../src/sandbox/index.js';
import { conformanceLimits, describeSandboxDriverConformance } from '../conformance/sandbox-driver-suite.js';

describeSandboxDriverConformance({
  name: 'unisolated',
  create: ({ workspaceRoot }) => createUnisolatedDriver({ workspaceRoot }),
  capabilities: { isolated: false, networkIsolated: false, processLimit: false, workspacePath: (directory) => directory },
});

describe('unisolated driver', () => {
  it('labels itself as isolating nothing, and indeed reaches host files by absolute path', async () => {
    const root = mkdtempSync(join(tmpdir(), 'conclave-unisolated-'));
    try {
      const driver = createUnisolatedDriver({ workspaceRoot: join(root, 'workspaces') });
      expect(driver).toMatchObject({ isolated: false, description: unisolatedDriverWarning });
      writeFileSync(join(root, 'host.txt'), 'on the host\n');
      const sandbox = await driver.provision({ sessionId: 's1', network: false, limits: conformanceLimits });
      const signal = new AbortController().signal;
      expect(await sandbox.execute('read_file', { path: join(root, 'host.txt') }, { signal })).toBe('     1\ton the host');
      expect(await sandbox.execute('bash', { command: 'id -u' }, { signal })).toBe(`${process.getuid?.()}\n`);
      await sandbox.execute('write_file', { path: '../outside.txt', content: 'written' }, { signal });
      expect(readFileSync(join(root, 'workspaces', 'outside.txt'), 'utf8')).toBe('written');
      await sandbox.dispose();
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});
