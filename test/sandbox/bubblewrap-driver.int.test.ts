// The bubblewrap driver: the shared conformance suite, plus what only it does — refusing clearly
// where bubblewrap is missing, handing the workspace to the unprivileged sandbox user, and staying
// usable after its jail is killed from outside or cannot start.
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Sandbox } from '../../src/protocol/index.js';
import { createBubblewrapDriver, createSandboxDriver } from '../../src/sandbox/index.js';
import { conformanceLimits, describeSandboxDriverConformance } from '../conformance/sandbox-driver-suite.js';
import { bubblewrapDiagnosis, describeWithBubblewrap } from './bubblewrap-gate.js';

const runningAsRoot = process.getuid?.() === 0;
const signal = new AbortController().signal;
/** Cases about running as root (uid switching, ownership); skipped, saying so, as anyone else. */
const asRoot = (title: string, test: () => Promise<void>): void => {
  if (runningAsRoot) it(title, test);
  else it.skip(`${title} (skipped: only meaningful when conclave runs as root)`, test);
};

if (bubblewrapDiagnosis.available) {
  describeSandboxDriverConformance({
    name: 'bubblewrap',
    create: ({ workspaceRoot }) => createBubblewrapDriver({ workspaceRoot }),
    capabilities: { isolated: true, networkIsolated: true, processLimit: true, workspacePath: () => '/workspace' },
  });
} else {
  describeWithBubblewrap('sandbox driver conformance: bubblewrap', () => undefined);
}

describe('bubblewrap driver without bubblewrap', () => {
  it('refuses to provision with sandbox_unavailable and says how to install it', async () => {
    const root = mkdtempSync(join(tmpdir(), 'conclave-no-bwrap-'));
    try {
      const driver = createBubblewrapDriver({ workspaceRoot: join(root, 'workspaces'), bubblewrapPath: join(root, 'missing', 'bwrap') });
      const provisioning = driver.provision({ sessionId: 's1', network: false });
      await expect(provisioning).rejects.toMatchObject({ code: 'sandbox_unavailable', category: 'user', message: expect.stringContaining('bubblewrap (bwrap) is not installed') });
      await expect(provisioning).rejects.toMatchObject({ hint: expect.stringContaining('apt-get install bubblewrap') });
      await expect(provisioning).rejects.toMatchObject({ hint: expect.stringContaining('`unisolated`') });
      expect(readdirSync(root)).toEqual([]);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });

  it('is cheap to construct: nothing is touched before the first provision', () => {
    const root = join(tmpdir(), `conclave-never-created-${process.pid}`);
    const driver = createSandboxDriver('bubblewrap', { workspaceRoot: root });
    expect(driver).toMatchObject({ specificationVersion: 'v1', name: 'bubblewrap', isolated: true });
    expect(() => statSync(root)).toThrow();
  });

  it('knows its drivers by name and refuses others', () => {
    expect(createSandboxDriver('unisolated', {})).toMatchObject({ name: 'unisolated', isolated: false, description: expect.stringContaining('does not isolate anything') });
    expect(() => createSandboxDriver('docker' as never, {})).toThrow(expect.objectContaining({ code: 'invalid_argument', message: 'unknown sandbox driver "docker"; the drivers are bubblewrap, unisolated' }));
  });
});

describeWithBubblewrap('bubblewrap driver', () => {
  let hostDirectory: string;
  let workspaceRoot: string;

  beforeAll(() => {
    hostDirectory = mkdtempSync(join(tmpdir(), 'conclave-bubblewrap-'));
    chmodSync(hostDirectory, 0o755);
    workspaceRoot = join(hostDirectory, 'workspaces');
  });

  afterAll(() => {
    rmSync(hostDirectory, { recursive: true, force: true });
  });

  asRoot('hands a seeded workspace to the sandbox user when running as root', async () => {
    const seed = join(hostDirectory, 'seed');
    mkdirSync(join(seed, 'lib'), { recursive: true });
    writeFileSync(join(seed, 'lib', 'a.txt'), 'seeded\n');
    const sandbox = await createBubblewrapDriver({ workspaceRoot }).provision({ sessionId: 'owned', network: false, seedDirectory: seed, limits: conformanceLimits });
    try {
      const directory = join(workspaceRoot, 'owned');
      for (const path of [directory, join(directory, 'lib'), join(directory, 'lib', 'a.txt')]) expect(statSync(path)).toMatchObject({ uid: 65534, gid: 65534 });
      expect(statSync(directory).mode & 0o777).toBe(0o700);
      expect(statSync(seed).uid).toBe(0);
      expect(await sandbox.execute('bash', { command: 'id -u; echo more >> lib/a.txt; stat -c %u lib/a.txt' }, { signal })).toBe('65534\n65534\n');
    } finally {
      await sandbox.dispose();
    }
  });

  asRoot('refuses a workspace root the sandbox user cannot reach, saying which directory blocks it', async () => {
    const closed = join(hostDirectory, 'closed');
    mkdirSync(closed, { mode: 0o700 });
    chmodSync(closed, 0o700);
    const provisioning = createBubblewrapDriver({ workspaceRoot: join(closed, 'workspaces') }).provision({ sessionId: 's1', network: false });
    await expect(provisioning).rejects.toMatchObject({ code: 'sandbox_unavailable', hint: `run \`chmod o+x ${closed}\`, or put the workspace root somewhere every user can reach (not under a private home directory)` });
  });

  it('refuses a session id that is not a plain name', async () => {
    await expect(createBubblewrapDriver({ workspaceRoot }).provision({ sessionId: '../escape', network: false })).rejects.toMatchObject({ code: 'invalid_argument' });
  });

  it('answers a call whose jail was killed from outside with an error, and runs the next call', async () => {
    const sandbox = await createBubblewrapDriver({ workspaceRoot }).provision({ sessionId: 'killed', network: false, limits: { ...conformanceLimits, wallTimeMs: 10_000 } });
    try {
      const call = sandbox.execute('bash', { command: 'touch started; sleep 30' }, { signal });
      await waitFor(() => (existsSync(join(workspaceRoot, 'killed', 'started')) ? true : undefined));
      process.kill(await waitFor(() => findJail(join(workspaceRoot, 'killed'))), 'SIGKILL');
      expect(await call).toBe('Error: command failed\n[exit code 137: killed by SIGKILL]');
      expect(await sandbox.execute('bash', { command: 'echo recovered' }, { signal })).toBe('recovered\n');
    } finally {
      await sandbox.dispose();
    }
  });

  it('throws sandbox_failed when the jail cannot start, and a new provision of the session works again', async () => {
    const driver = createBubblewrapDriver({ workspaceRoot });
    const sandbox = await driver.provision({ sessionId: 'broken', network: false, keepWorkspace: true });
    rmSync(join(workspaceRoot, 'broken'), { recursive: true });
    await expect(sandbox.execute('bash', { command: 'true' }, { signal })).rejects.toMatchObject({ code: 'sandbox_failed', message: expect.stringMatching(/^the sandbox could not run the tool: bwrap: /) });
    await sandbox.dispose();
    const again = await driver.provision({ sessionId: 'broken', network: false });
    expect(await again.execute('bash', { command: 'echo fine' }, { signal })).toBe('fine\n');
    await again.dispose();
  });

  it('gives concurrent calls of one sandbox their own jails over the same workspace', async () => {
    const sandbox: Sandbox = await createBubblewrapDriver({ workspaceRoot }).provision({ sessionId: 'concurrent', network: false, limits: conformanceLimits });
    try {
      const results = await Promise.all([1, 2, 3, 4].map((number) => sandbox.execute('bash', { command: `echo ${number} > file-${number}; ls /proc | grep -cE '^[0-9]+$'` }, { signal })));
      expect(results.every((result) => Number(result) <= 4)).toBe(true);
      expect(readdirSync(join(workspaceRoot, 'concurrent')).sort()).toEqual(['file-1', 'file-2', 'file-3', 'file-4']);
      expect(readFileSync(join(workspaceRoot, 'concurrent', 'file-3'), 'utf8')).toBe('3\n');
    } finally {
      await sandbox.dispose();
    }
  });
});

/** The pid of the bwrap process jailing `workspace`, if one runs. */
function findJail(workspace: string): number | undefined {
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const commandLine = readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0');
      if (commandLine[0]?.endsWith('bwrap') === true && commandLine.includes(workspace)) return Number(entry);
    } catch {
      // The process ended while we looked.
    }
  }
  return undefined;
}

async function waitFor<T>(probe: () => T | undefined, timeoutMs = 5_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error('timed out waiting');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
