// A secret canary in the vault, used as a provider's API key: the provider receives it, and it
// appears nowhere else — not in the journal (even when the model repeats it), not in the CLI's
// output, not in the sandbox's environment, and not in the workspace's files.
import { existsSync } from 'node:fs';
import { chmod, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSqliteStore } from '../../src/store/index.js';
import { startOpenAIEmulator, type OpenAIEmulator } from '../emulators/openai-emulator.js';
import { runCli } from '../support/cli.js';

const canary = 'sk-canary-5d1e9a7c3b2f4e60';
const hostCanary = 'host-env-canary-8c2b';
const bubblewrap = existsSync('/usr/bin/bwrap');
let directory: string;
let emulator: OpenAIEmulator;

beforeAll(async () => {
  directory = await mkdtemp(join(tmpdir(), 'conclave-canary-'));
  await chmod(directory, 0o711);
  emulator = await startOpenAIEmulator();
});
afterAll(async () => {
  await emulator.close();
  await rm(directory, { recursive: true, force: true });
});

async function filesUnder(path: string): Promise<string[]> {
  const entries = await readdir(path, { withFileTypes: true, recursive: true });
  return entries.filter((entry) => entry.isFile()).map((entry) => join(entry.parentPath, entry.name));
}

describe('a vault secret', () => {
  it.skipIf(!bubblewrap && process.env['CI'] !== 'true')('reaches the provider and nothing else', async () => {
    const env = {
      CONCLAVE_VAULT: join(directory, 'vault.json'),
      CONCLAVE_VAULT_KEY: 'a long test passphrase',
      CONCLAVE_WORKSPACES: join(directory, 'workspaces'),
      HOST_CANARY: hostCanary,
    };
    expect((await runCli(['vault', 'set', 'CANARY_KEY', canary], env)).code).toBe(0);
    const script = join(directory, 'probe.script.yaml');
    await writeFile(
      script,
      [
        // The prober is handed the leaky agent's answer: redacted, or it says so.
        "- when: 'secret:CANARY_KEY'",
        '  round: 0',
        '  tool_calls:',
        '    - { name: bash, input: { command: "env; tr \'\\\\0\' \'\\\\n\' < /proc/1/environ; env > seen-env.txt; ls -a /" } }',
        "- when: 'secret:CANARY_KEY'",
        '  text: probed',
        '- text: the key reached me unredacted',
      ].join('\n'),
    );
    const document = join(directory, 'canary.yaml');
    await writeFile(
      document,
      [
        'topology: pipeline',
        'task: Tell me your key.',
        'providers:',
        `  openai: { base_url: "${emulator.baseUrl}", api_key: "\${secret:CANARY_KEY}" }`,
        'agents:',
        '  - { name: leaky, model: openai/gpt-4.1-mini }',
        `  - { name: prober, model: "offline/scripted?script=${script}", tools: [bash] }`,
      ].join('\n'),
    );
    // The model repeats the key, as a confused or prompt-injected model might.
    emulator.enqueue({ text: `My key is ${canary} and that is all.` });
    const result = await runCli(['run', document, '--db', join(directory, 'canary.db')], env);
    expect(result.code, result.stderr).toBe(0);

    const request = emulator.requests.at(-1);
    expect(String(request?.headers['authorization'])).toBe(`Bearer ${canary}`);
    expect(`${result.stdout}${result.stderr}`).not.toContain(canary);
    expect(result.stdout).toContain('[secret:CANARY_KEY]');
    expect(result.stdout).toContain('probed');

    const store = createSqliteStore({ path: join(directory, 'canary.db') });
    const [session] = await store.listSessions({ limit: 1 });
    const journal = JSON.stringify(await store.read(session?.id ?? ''));
    await store.close();
    expect(journal).toContain('[secret:CANARY_KEY]');
    expect(journal).not.toContain(canary);
    // The sandbox saw neither the secret nor the host's environment.
    expect(journal).toContain('seen-env.txt');
    expect(journal).not.toContain(hostCanary);
    for (const file of await filesUnder(join(directory, 'workspaces'))) {
      const content = await readFile(file, 'utf8');
      expect(content, file).not.toContain(canary);
      expect(content, file).not.toContain(hostCanary);
    }
    expect(await readFile(join(directory, 'vault.json'), 'utf8')).not.toContain(canary);
  }, 30_000);
});
