/**
 * MCP tools over real transports: the fixture server spawned over stdio and served over streamable
 * HTTP in-process, both through the official SDK. Covers listing and calling, secrets reaching the
 * server but not the definitions, configuration and connection errors, and servers that die.
 */
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectMcpServers, describeMcpEndpoint, type McpServerConfig, type McpTools } from '../../src/mcp/index.js';
import { isConclaveError, type ConclaveError } from '../../src/protocol/index.js';
import { startEchoHttpServer, type EchoHttpServer } from './fixtures/echo-server.js';

const repositoryRoot = fileURLToPath(new URL('../..', import.meta.url));
const fixturePath = fileURLToPath(new URL('./fixtures/echo-server.ts', import.meta.url));
const secrets: Record<string, string> = { ECHO_TOKEN: 'env-secret-4f1c', HEADER_TOKEN: 'header-secret-9b2e', PATH_PART: 'mcp' };

/** Substitutes `${secret:NAME}` from the table above, as the vault would. */
function resolve(value: string): string {
  return value.replace(/\$\{secret:([A-Z_]+)\}/g, (_whole, name: string) => secrets[name] ?? '');
}

const leakVariable = 'CONCLAVE_MCP_TEST_LEAK';

function stdioServer(name = 'echo', env: Record<string, string> = {}): McpServerConfig {
  return { name, command: process.execPath, args: ['--import', 'tsx', fixturePath], cwd: repositoryRoot, env };
}

function signal(): AbortSignal {
  return AbortSignal.timeout(10_000);
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Fixture servers this test process has started and that are still running. */
function runningFixtures(): string[] {
  try {
    const children = execFileSync('ps', ['-o', 'pid=,args=', '--ppid', String(process.pid)], { encoding: 'utf8' });
    return children.split('\n').filter((line) => line.includes(fixturePath));
  } catch {
    return []; // `ps` exits 1 when the process has no children
  }
}

async function connectError(configs: unknown[], options: Parameters<typeof connectMcpServers>[1] = {}): Promise<ConclaveError> {
  try {
    const tools = await connectMcpServers(configs as McpServerConfig[], options);
    await tools.close();
  } catch (error) {
    if (isConclaveError(error)) return error;
    throw error;
  }
  throw new Error('expected connectMcpServers to fail');
}

describe('MCP tools over stdio and streamable HTTP', () => {
  let http: EchoHttpServer;
  let tools: McpTools;

  beforeAll(async () => {
    // Set in conclave's environment while the server starts: it must not reach the server.
    process.env[leakVariable] = 'leaked';
    http = await startEchoHttpServer();
    tools = await connectMcpServers(
      [
        stdioServer('echo', { ECHO_TOKEN: '${secret:ECHO_TOKEN}' }),
        { name: 'web', url: http.url.replace(/mcp$/, '${secret:PATH_PART}'), headers: { 'x-echo-token': 'Bearer ${secret:HEADER_TOKEN}' } },
      ],
      { resolve },
    );
    delete process.env[leakVariable];
  });

  afterAll(async () => {
    await tools?.close();
    await http?.close();
    expect(runningFixtures()).toEqual([]);
  });

  it('lists the tools of both servers as <server>__<tool>, with their JSON schemas', () => {
    const names = tools.definitions.map((definition) => definition.name);
    expect(names.filter((name) => name.startsWith('echo__'))).toEqual([
      'echo__echo',
      'echo__add',
      'echo__fail',
      'echo__env',
      'echo__header',
      'echo__pid',
      'echo__sleep',
      'echo__mixed',
      'echo__say_hello',
    ]);
    expect(names.filter((name) => name.startsWith('web__'))).toHaveLength(9);
    const echo = tools.definitions.find((definition) => definition.name === 'web__echo');
    expect(echo).toEqual({
      name: 'web__echo',
      description: 'Repeats the text.',
      inputSchema: { type: 'object', properties: { text: { type: 'string', description: 'what to repeat' } }, required: ['text'] },
    });
    const add = tools.definitions.find((definition) => definition.name === 'echo__add');
    expect(add?.inputSchema).toMatchObject({ type: 'object', properties: { a: { type: 'number' }, b: { type: 'number' } }, required: ['a', 'b'] });
    expect(names.every((name) => /^[A-Za-z0-9_-]{1,64}$/.test(name))).toBe(true);
  });

  it('calls tools over both transports', async () => {
    expect(await tools.execute('echo__echo', { text: 'over stdio' }, signal())).toEqual({ output: 'over stdio', isError: false });
    expect(await tools.execute('web__echo', { text: 'over http' }, signal())).toEqual({ output: 'over http', isError: false });
    expect(await tools.execute('echo__add', { a: 2, b: 40 }, signal())).toEqual({ output: '42', isError: false });
    expect(await tools.execute('web__add', { a: 0.5, b: 0.25 }, signal())).toEqual({ output: '0.75', isError: false });
    expect(await tools.execute('echo__say_hello', {}, signal())).toEqual({ output: 'hello', isError: false });
  });

  it('surfaces isError, bad arguments and unknown tools as error results', async () => {
    expect(await tools.execute('echo__fail', { message: 'it broke' }, signal())).toEqual({ output: 'it broke', isError: true });
    expect(await tools.execute('web__fail', { message: 'it broke too' }, signal())).toEqual({ output: 'it broke too', isError: true });
    const badArguments = await tools.execute('echo__add', { a: 'two' }, signal());
    expect(badArguments.isError).toBe(true);
    expect(badArguments.output).toContain('add');
    const unknown = await tools.execute('echo__nope', {}, signal());
    expect(unknown).toMatchObject({ isError: true });
    expect(unknown.output).toContain('unknown MCP tool "echo__nope"');
  });

  it('flattens content blocks to text', async () => {
    expect(await tools.execute('web__mixed', {}, signal())).toEqual({
      output: 'first\n[image: image/png]\n[resource: file:///notes.md]\n[resource: memo://today]\nbuy milk',
      isError: false,
    });
  });

  it('resolves secrets into the environment, the headers and the URL, and keeps them out of the definitions', async () => {
    expect(await tools.execute('echo__env', { name: 'ECHO_TOKEN' }, signal())).toEqual({ output: secrets.ECHO_TOKEN, isError: false });
    expect(await tools.execute('web__header', { name: 'X-Echo-Token' }, signal())).toEqual({ output: `Bearer ${secrets.HEADER_TOKEN}`, isError: false });
    const definitions = JSON.stringify(tools.definitions);
    for (const value of Object.values(secrets).filter((value) => value !== 'mcp')) expect(definitions).not.toContain(value);
  });

  it('does not hand the server the environment of conclave', async () => {
    expect(await tools.execute('echo__env', { name: leakVariable }, signal())).toEqual({ output: '', isError: false });
  });

  it('throws aborted for a call whose signal aborts', async () => {
    const controller = new AbortController();
    const call = tools.execute('web__sleep', { ms: 5_000 }, controller.signal);
    setTimeout(() => controller.abort(), 50);
    await expect(call).rejects.toMatchObject({ code: 'aborted' });
    expect(await tools.execute('web__echo', { text: 'still here' }, signal())).toEqual({ output: 'still here', isError: false });
  });
});

describe('MCP configuration and connection errors', () => {
  it.each([
    ['neither command nor url', [{ name: 'x' }], 'exactly one of `command` (stdio) or `url`'],
    ['both command and url', [{ name: 'x', command: 'node', url: 'http://127.0.0.1/mcp' }], 'exactly one of'],
    ['a bad name', [{ name: 'Bad Name', command: 'node' }], 'mcp_servers[0].name'],
    ['a url that is not http', [{ name: 'x', url: 'ftp://example.com/mcp' }], 'http:// or https://'],
    ['headers on a stdio server', [{ name: 'x', command: 'node', headers: { a: 'b' } }], 'mcp_servers[0].headers'],
    ['env on an HTTP server', [{ name: 'x', url: 'http://127.0.0.1/mcp', env: { A: 'b' } }], 'mcp_servers[0].env'],
    ['a secret on the command line', [{ name: 'x', command: 'node', args: ['--token=${secret:TOKEN}'] }], 'pass it in `env`'],
    ['an unknown field', [{ name: 'x', command: 'node', comand: 'typo' }], 'comand'],
    ['a name used twice', [{ name: 'x', command: 'node' }, { name: 'x', command: 'node' }], 'listed twice'],
  ])('rejects %s as invalid_argument', async (_case, configs, message) => {
    const error = await connectError(configs);
    expect(error.code).toBe('invalid_argument');
    expect(error.message).toContain(message);
  });

  it('names the server and the command of a server that cannot be started', async () => {
    const error = await connectError([{ name: 'ghost', command: 'conclave-no-such-mcp-server', args: ['--flag'] }]);
    expect(error.code).toBe('tool_failed');
    expect(error.message).toContain('MCP server "ghost" (conclave-no-such-mcp-server --flag) could not be started');
  });

  it('keeps the last words of a server that exits at once', async () => {
    const error = await connectError([{ name: 'quitter', command: process.execPath, args: ['-e', 'console.error("no config file"); process.exit(3)'] }]);
    expect(error.code).toBe('tool_failed');
    expect(error.message).toContain('MCP server "quitter"');
    expect(error.hint).toContain('no config file');
  });

  it('keeps resolved secrets out of what a failed server printed', async () => {
    const error = await connectError(
      [{ name: 'chatty', command: process.execPath, args: ['-e', 'console.error("token=" + process.env.TOKEN); process.exit(1)'], env: { TOKEN: '${secret:ECHO_TOKEN}' } }],
      { resolve },
    );
    expect(error.hint).toContain('token=[redacted]');
    expect(JSON.stringify(error.toJSON())).not.toContain(secrets.ECHO_TOKEN);
  });

  it('gives up on a server that never answers after timeoutMs', async () => {
    const silent = 'process.stdin.resume(); process.stdin.on("end", () => process.exit(0))';
    // The request's own timeout, not a hang: without `timeoutMs` the connection would wait the SDK's
    // default (defaultMcpTimeoutMs, 60 s), twice this test's 30 s timeout, and the test would fail.
    const error = await connectError([{ name: 'mute', command: process.execPath, args: ['-e', silent] }], { timeoutMs: 300 });
    expect(error.code).toBe('tool_failed');
    expect(error.message).toMatch(/MCP server "mute".*could not be started: MCP error -32001: Request timed out$/);
  }, 30_000);

  it('names the URL of an unreachable server, never its header values', async () => {
    const closed = await startEchoHttpServer();
    await closed.close();
    const error = await connectError(
      [{ name: 'gone', url: `http://127.0.0.1:${closed.port}/mcp?key=\${secret:HEADER_TOKEN}`, headers: { authorization: 'Bearer ${secret:HEADER_TOKEN}' } }],
      { resolve },
    );
    expect(error.code).toBe('tool_failed');
    expect(error.message).toContain(`MCP server "gone" (http://127.0.0.1:${closed.port}/mcp) could not be reached`);
    expect(JSON.stringify(error.toJSON())).not.toContain(secrets.HEADER_TOKEN);
    expect(describeMcpEndpoint({ transport: 'http', name: 'gone', url: 'https://user:pass@example.com/mcp#top', headers: {} })).toBe('https://example.com/mcp');
  });

  it('reports two tools that would share a name', async () => {
    const http = await startEchoHttpServer({ collide: true });
    try {
      const error = await connectError([{ name: 'web', url: http.url }]);
      expect(error.code).toBe('tool_failed');
      expect(error.message).toContain('MCP tools "say.hello" of server "web" and "say_hello" of server "web" would both be called "web__say_hello"');
    } finally {
      await http.close();
    }
  });

  it('stops every server it started when another one fails', async () => {
    const error = await connectError([stdioServer('good'), { name: 'bad', command: 'conclave-no-such-mcp-server' }]);
    expect(error.message).toContain('MCP server "bad"');
    expect(runningFixtures()).toEqual([]);
  });
});

describe('MCP servers that die', () => {
  it('fails the call a stdio server dies during, restarts it for the next call, and close() ends it', async () => {
    const tools = await connectMcpServers([stdioServer()]);
    try {
      const firstPid = Number((await tools.execute('echo__pid', {}, signal())).output);
      expect(isAlive(firstPid)).toBe(true);

      const during = tools.execute('echo__sleep', { ms: 5_000 }, signal());
      setTimeout(() => process.kill(firstPid, 'SIGKILL'), 100);
      const failed = await during;
      expect(failed.isError).toBe(true);
      expect(failed.output).toMatch(/^Error: MCP server "echo" stopped during "sleep"/);

      const secondPid = Number((await tools.execute('echo__pid', {}, signal())).output);
      expect(secondPid).not.toBe(firstPid);
      expect(await tools.execute('echo__echo', { text: 'back' }, signal())).toEqual({ output: 'back', isError: false });

      // Killed between calls: nothing of the next call has happened yet, so it simply restarts first.
      process.kill(secondPid, 'SIGKILL');
      await expect.poll(() => isAlive(secondPid)).toBe(false);
      const afterKill = await tools.execute('echo__pid', {}, signal());
      expect(afterKill).toEqual({ output: expect.stringMatching(/^\d+$/), isError: false });
      const thirdPid = Number(afterKill.output);
      expect(thirdPid).not.toBe(secondPid);

      await tools.close();
      expect(isAlive(thirdPid)).toBe(false);
      expect(runningFixtures()).toEqual([]);
      expect(await tools.execute('echo__echo', { text: 'after close' }, signal())).toMatchObject({ isError: true });
    } finally {
      await tools.close();
    }
  });

  it('fails the call an HTTP server is gone for, and reconnects once it is back', async () => {
    const first = await startEchoHttpServer();
    const tools = await connectMcpServers([{ name: 'web', url: first.url }]);
    try {
      await first.close();
      const failed = await tools.execute('web__echo', { text: 'anyone?' }, signal());
      expect(failed.isError).toBe(true);
      expect(failed.output).toMatch(/^Error: MCP server "web"/);

      const second = await startEchoHttpServer({ port: first.port });
      try {
        expect(await tools.execute('web__echo', { text: 'back' }, signal())).toEqual({ output: 'back', isError: false });
      } finally {
        await second.close();
      }
    } finally {
      await tools.close();
    }
  });
});
