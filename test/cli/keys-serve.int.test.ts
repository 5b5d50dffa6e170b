// `conclave keys` and `conclave serve` as a user runs them (the built CLI, real processes, one
// database file): a key created by one process authenticates requests to the server in another,
// a revoked key stops working at once, and SIGTERM shuts the server down with exit code 0.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Anthropic from '@anthropic-ai/sdk';
import { afterAll, describe, expect, it, onTestFinished } from 'vitest';
import { collect, runCli, startCli } from '../support/cli.js';
import { createKey, killServers, serve as serveProcess, type ServingCli } from '../support/serve-process.js';

const directory = mkdtempSync(join(tmpdir(), 'conclave-serve-'));
afterAll(() => {
  killServers();
  rmSync(directory, { recursive: true, force: true });
});

function serve(database: string, ...args: string[]): Promise<ServingCli> {
  return serveProcess(database, args);
}

describe('conclave keys', () => {
  it('creates a key, prints the secret once, and never lists it', async () => {
    const database = join(directory, 'keys.db');
    const human = await runCli(['--db', database, 'keys', 'create', '--workspace', 'default']);
    expect(human.code, human.stderr).toBe(0);
    const secret = /^\s+(ck_[0-9A-Za-z]{40})$/m.exec(human.stdout)?.[1];
    expect(secret).toBeDefined();
    expect(human.stdout).toContain('not shown again');

    const created = await createKey(database, 'team-a');
    expect(created.key).toMatch(/^ck_[0-9A-Za-z]{40}$/);
    expect(created.id).toMatch(/^key_/);

    const listed = await runCli(['--db', database, 'keys', 'list', '--json']);
    expect(listed.code).toBe(0);
    const keys = JSON.parse(listed.stdout) as Array<Record<string, unknown>>;
    expect(keys.map((key) => key['workspace'])).toEqual(['default', 'team-a']);
    expect(keys[1]).toMatchObject({ id: created.id, name: 'int-test', prefix: created.key.slice(0, 12), revokedAt: null });
    expect(listed.stdout).not.toContain(created.key);
    expect(listed.stdout).not.toContain(secret as string);
    expect(keys[0]).not.toHaveProperty('hash');

    const table = await runCli(['--db', database, 'keys', 'list']);
    expect(table.stdout).toContain(`${created.key.slice(0, 12)}…`);
    expect(table.stdout).not.toContain(created.key);
  });

  it('refuses an invalid workspace name (exit 2) and an unknown key id', async () => {
    const database = join(directory, 'invalid.db');
    const invalid = await runCli(['--db', database, 'keys', 'create', '--workspace', 'Not Valid']);
    expect(invalid.code).toBe(2);
    expect(invalid.stderr).toContain('error[invalid_argument]: invalid workspace name "Not Valid"');
    const unknown = await runCli(['--db', database, 'keys', 'revoke', 'key_nope']);
    expect(unknown.code).not.toBe(0);
    expect(unknown.stderr).toContain('error[not_found]: no API key key_nope');
  });
});

describe('conclave serve', () => {
  it('serves with keys from the same database, sees revocations at once, and exits 0 on SIGTERM', async () => {
    const database = join(directory, 'serve.db');
    const { id, key } = await createKey(database, 'default');
    const server = await serve(database);
    expect(server.banner).toContain(`(sessions: ${database})`);
    expect(server.banner).not.toContain('no API keys yet');

    expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
    const withKey = await fetch(`${server.url}/v1/documents`, { headers: { authorization: `Bearer ${key}` } });
    expect(withKey.status).toBe(200);
    expect(((await withKey.json()) as { data: string[] }).data).toContain('debate');
    const withoutKey = await fetch(`${server.url}/v1/documents`);
    expect(withoutKey.status).toBe(401);
    expect(await withoutKey.json()).toMatchObject({ type: 'error', error: { type: 'authentication_error' } });

    const client = new Anthropic({ apiKey: key, baseURL: `${server.url}/anthropic`, maxRetries: 0 });
    const agent = await client.beta.agents.create({ name: 'Served', model: 'claude-sonnet-4-5' });
    expect((await client.beta.agents.retrieve(agent.id)).name).toBe('Served');

    const revoked = await runCli(['--db', database, 'keys', 'revoke', id]);
    expect(revoked.code, revoked.stderr).toBe(0);
    expect((await fetch(`${server.url}/v1/documents`, { headers: { 'x-api-key': key } })).status).toBe(401);

    server.child.kill('SIGTERM');
    const result = await server.done;
    expect(result.code, result.stderr).toBe(0);
    expect(result.signal).toBeNull();
    expect(result.stderr).toContain('SIGTERM: shutting down');
    await expect(fetch(`${server.url}/healthz`)).rejects.toThrow();
  });

  it('prints how to create a key when the database has none, and stops on SIGINT too', async () => {
    const server = await serve(join(directory, 'empty.db'), '--documents', 'examples');
    expect(server.banner).toContain('no API keys yet');
    expect(server.banner).toContain('conclave keys create --workspace default');
    server.child.kill('SIGINT');
    const result = await server.done;
    expect(result.code, result.stderr).toBe(0);
  });
});

describe('watching a session another process runs', () => {
  it('streams the events of a `conclave run` in another process live, as curl -N would', async () => {
    const database = join(directory, 'watch.db');
    const { key } = await createKey(database, 'default');
    const server = await serve(database);
    const document = join(directory, 'watch.yaml');
    writeFileSync(
      document,
      // The later stages take 2 s each, so the run is still going for seconds after its first completion.
      `topology: pipeline\ntask: Explain gossip protocols.\nagents:\n${[1, 2, 3].map((index) => `  - name: stage${index}\n    model: offline/echo?ttft_ms=${index === 1 ? 400 : 2000}\n`).join('')}`,
    );
    const runner = startCli(['--db', database, 'run', document, '--json']);
    onTestFinished(() => void runner.kill('SIGKILL'));
    let runnerExited = false;
    const finished = collect(runner).then((result) => {
      runnerExited = true;
      return result;
    });
    const headers = { authorization: `Bearer ${key}` };
    let sessionId: string | undefined;
    for (let tries = 0; sessionId === undefined && tries < 300; tries += 1) {
      const list = (await (await fetch(`${server.url}/v1/sessions`, { headers })).json()) as { data: Array<{ id: string }> };
      sessionId = list.data[0]?.id;
      if (sessionId === undefined) await new Promise((resolve) => setTimeout(resolve, 20));
    }
    expect(sessionId).toMatch(/^sesn_/);

    const response = await fetch(`${server.url}/v1/sessions/${sessionId}/events/stream`, { headers });
    const reader = (response.body as ReadableStream<Uint8Array>).getReader();
    const decoder = new TextDecoder();
    const arrivals: Array<{ type: string; runnerExited: boolean }> = [];
    let buffer = '';
    while (!arrivals.some((arrival) => arrival.type === 'session.status_idle')) {
      const { value, done } = await reader.read();
      if (done) break;
      buffer += decoder.decode(value, { stream: true });
      for (const match of buffer.matchAll(/^event: (\S+)$/gm)) arrivals.push({ type: match[1] as string, runnerExited });
      buffer = buffer.slice(buffer.lastIndexOf('\n\n') + 2);
    }
    await reader.cancel();
    const run = await finished;
    expect(run.code, run.stderr).toBe(0);
    const firstCompletion = arrivals.find((arrival) => arrival.type === 'command.completed');
    expect(firstCompletion).toBeDefined();
    // Live, not replayed after the fact: the first completion reached the stream while the run in the
    // other process was still going (an ordering, not a duration; two 2 s stages were still to run).
    expect(firstCompletion?.runnerExited).toBe(false);
    expect(arrivals.filter((arrival) => arrival.type === 'agent.message')).toHaveLength(3);

    server.child.kill('SIGTERM');
    expect((await server.done).code).toBe(0);
  }, 60_000);
});
