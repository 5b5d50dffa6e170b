// `conclave serve` as a real process for integration tests: started on a free port, its URL read
// from the banner, and killed when the test file ends; plus API keys made with `conclave keys`.
import type { ChildProcess } from 'node:child_process';
import { collect, runCli, startCli, type CliResult } from './cli.js';

export interface ServingCli {
  child: ChildProcess;
  url: string;
  banner: string;
  done: Promise<CliResult>;
}

const running = new Set<ChildProcess>();

/** Kills every server this file started (call from `afterAll`). */
export function killServers(): void {
  for (const child of running) child.kill('SIGKILL');
}

/** Starts `conclave --db DATABASE serve --port 0 ARGS…` and waits for the line with the URL it bound. */
export async function serve(database: string, args: string[] = [], env: Record<string, string> = {}): Promise<ServingCli> {
  const child = startCli(['--db', database, 'serve', '--port', '0', ...args], env);
  running.add(child);
  const done = collect(child);
  void done.then(() => running.delete(child));
  let stdout = '';
  const banner = await new Promise<string>((resolveBanner, rejectBanner) => {
    const timer = setTimeout(() => rejectBanner(new Error(`no banner within 15 s; stdout so far: ${stdout}`)), 15_000);
    child.stdout?.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      if (stdout.includes('Ctrl-C')) {
        clearTimeout(timer);
        resolveBanner(stdout);
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      void done.then((result) => rejectBanner(new Error(`serve exited early with code ${code}: ${stdout}${result.stderr}`)));
    });
  });
  const match = /^conclave serving on (http:\/\/\S+) \(sessions: (.+)\)$/m.exec(banner);
  if (match === null) throw new Error(`unexpected banner: ${banner}`);
  return { child, url: match[1] as string, banner, done };
}

/** Creates an API key of `workspace` in `database` with `conclave keys create --json`. */
export async function createKey(database: string, workspace: string): Promise<{ id: string; key: string }> {
  const result = await runCli(['--db', database, 'keys', 'create', '--workspace', workspace, '--name', 'int-test', '--json']);
  if (result.code !== 0) throw new Error(`keys create failed: ${result.stderr}`);
  return JSON.parse(result.stdout) as { id: string; key: string };
}
