/**
 * `conclave serve` as a separate process, started the way the integration tests start it (the built
 * CLI, `--port 0`, the URL read from the banner), so the benchmark measures the server's own event
 * loop and not one it shares with the load generator. The process is killed on every way out,
 * including this process exiting, so a failed run never leaves a server behind.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** `dist/cli/conclave.js`, next to this file's own `dist/benchmarks/hostile/`. */
const cliPath = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', 'cli', 'conclave.js');
const projectRoot = resolve(dirname(cliPath), '..', '..', '..');
/** Enough of the server's output to explain an early exit. */
const keptOutputChars = 16_000;
const bannerTimeoutMs = 20_000;

/** A running server: its URL, what it has printed lately, and how to stop it. */
export interface ServerProcess {
  url: string;
  child: ChildProcess;
  /** Set once the process has exited (code or signal), e.g. if it crashed mid-run. */
  exited(): string | undefined;
  /** The last few kilobytes of its stdout and stderr. */
  output(): string;
  /** SIGTERM, then SIGKILL if it has not exited within a few seconds. */
  stop(): Promise<void>;
}

function startCli(args: string[]): ChildProcess {
  if (!existsSync(cliPath)) throw new Error(`${cliPath} is missing: run \`npm run build\` first`);
  return spawn(process.execPath, [cliPath, ...args], { cwd: projectRoot, env: { ...process.env, NO_COLOR: '1' }, stdio: ['ignore', 'pipe', 'pipe'] });
}

/**
 * Creates an API key of `workspace` in the database with `conclave keys create --json`.
 *
 * @example
 * const key = await createKey('/tmp/x/conclave.db', 'tenant-b'); // → 'ck_…'
 */
export async function createKey(database: string, workspace: string): Promise<string> {
  const child = startCli(['--db', database, 'keys', 'create', '--workspace', workspace, '--name', 'bench-hostile', '--json']);
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const code = await new Promise<number | null>((resolveCode, rejectCode) => {
    child.once('error', rejectCode);
    child.once('close', resolveCode);
  });
  if (code !== 0) throw new Error(`conclave keys create exited with ${code}: ${stderr}`);
  return (JSON.parse(stdout) as { key: string }).key;
}

/**
 * Starts `conclave --db DATABASE serve --port 0` and resolves once its banner names the URL.
 *
 * @example
 * const server = await startServeProcess('/tmp/x/conclave.db');
 * try { await fetch(`${server.url}/healthz`); } finally { await server.stop(); }
 */
export async function startServeProcess(database: string): Promise<ServerProcess> {
  const child = startCli(['--db', database, 'serve', '--port', '0']);
  const killOnExit = (): void => void child.kill('SIGKILL');
  process.once('exit', killOnExit);
  let output = '';
  let exitedAs: string | undefined;
  const keep = (chunk: Buffer): void => {
    output = (output + chunk.toString()).slice(-keptOutputChars);
  };
  // Always read both pipes: a server blocked on a full pipe would look like a slow server.
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const exited = new Promise<void>((resolveExit) =>
    child.once('exit', (code, signal) => {
      exitedAs = signal !== null ? `signal ${signal}` : `code ${String(code)}`;
      process.removeListener('exit', killOnExit);
      resolveExit();
    }),
  );
  const stop = async (): Promise<void> => {
    if (exitedAs !== undefined) return;
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
    await exited;
    clearTimeout(timer);
  };
  try {
    const url = await new Promise<string>((resolveUrl, rejectUrl) => {
      const timer = setTimeout(() => rejectUrl(new Error(`no banner within ${bannerTimeoutMs} ms; output so far: ${output}`)), bannerTimeoutMs);
      const look = (): void => {
        const match = /^conclave serving on (http:\/\/\S+) \(sessions: .+\)$/m.exec(output);
        if (match === null) return;
        clearTimeout(timer);
        resolveUrl(match[1] as string);
      };
      child.stdout?.on('data', look);
      child.once('error', (error) => {
        clearTimeout(timer);
        rejectUrl(error);
      });
      void exited.then(() => {
        clearTimeout(timer);
        rejectUrl(new Error(`conclave serve exited early (${exitedAs}): ${output}`));
      });
    });
    return { url, child, exited: () => exitedAs, output: () => output, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
