// What the `conclave` command loads to start: `--help`, `validate` and a run on `offline/*` models
// must import none of the provider SDKs, pg, MCP, the queue or the server (issue 15; the time this
// saves is measured by benchmarks/startup/, never asserted here). The bundled CLI (dist/cli/: an ES
// entry that runs one CommonJS bundle, which `require`s every package it does not hold) is spawned
// with a preload that records every module it loads: ES modules through a `module.register`
// resolve hook, CommonJS ones (every package, and the model catalogue) from `require.cache` at exit.
// Inside the bundle, a command's own code runs only when the command is imported, as before; since
// it is one file compiled from V8's code cache, that is a matter of time (the bench), not of files.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { cliPath, projectRoot } from '../support/cli.js';

const directory = mkdtempSync(join(tmpdir(), 'conclave-startup-imports-'));
afterAll(() => rmSync(directory, { recursive: true, force: true }));

const recorder = join(directory, 'record-modules.mjs');
writeFileSync(
  recorder,
  `import { appendFileSync } from 'node:fs';
import { createRequire, register } from 'node:module';
const out = process.env.CONCLAVE_TEST_MODULE_LOG;
const hook = 'import { appendFileSync } from "node:fs";' +
  'export async function resolve(specifier, context, next) {' +
  '  const resolved = await next(specifier, context);' +
  '  appendFileSync(' + JSON.stringify(out) + ', resolved.url + "\\\\n");' +
  '  return resolved;' +
  '}';
register('data:text/javascript,' + encodeURIComponent(hook));
const require = createRequire(import.meta.url);
process.on('exit', () => appendFileSync(out, Object.keys(require.cache).join('\\n') + '\\n'));
`,
);

const oneAgentDocument = join(directory, 'one-agent.yaml');
writeFileSync(oneAgentDocument, 'name: One agent\ntopology: pipeline\ntask: Say hello.\nagents:\n  - name: only\n    model: offline/echo\n');

/** Packages none of these commands may load, by their directory under node_modules. */
const heavyPackages = ['@anthropic-ai/sdk', 'openai', '@google/genai', 'ollama', 'pg', '@modelcontextprotocol/sdk', 'bullmq', 'ioredis', 'hono', '@hono/node-server', 'pino', 'prom-client', '@opentelemetry/api'];

/** Whether the model catalogue's JSON was read (it is `require`d on first use, so `require.cache` lists it). */
function loadedCatalogue(modules: readonly string[]): boolean {
  return modules.some((module) => module.replaceAll('\\', '/').endsWith('/model-catalogue.json'));
}

const catalogueDocument = join(directory, 'catalogue.yaml');
writeFileSync(catalogueDocument, 'name: Catalogue\ntopology: pipeline\ntask: Say hello.\nagents:\n  - name: only\n    model: openai/gpt-4.1-mini\n');

const toolAgentDocument = join(directory, 'tool-agent.yaml');
writeFileSync(toolAgentDocument, 'name: Tool agent\ntopology: pipeline\ntask: Say hello.\nagents:\n  - name: only\n    model: offline/echo\n    tools: [read_file]\n');

let runs = 0;

/** Runs the CLI with the recorder; returns its exit code and the modules it loaded (file paths or URLs). */
function runRecorded(args: string[]): Promise<{ code: number | null; stderr: string; modules: string[] }> {
  runs += 1;
  const log = join(directory, `modules-${runs}.log`);
  writeFileSync(log, '');
  const child = spawn(process.execPath, ['--import', pathToFileURL(recorder).href, cliPath, ...args], {
    cwd: projectRoot,
    env: { ...process.env, NO_COLOR: '1', CONCLAVE_TEST_MODULE_LOG: log, CONCLAVE_STORE: ':memory:' },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((resolve) =>
    child.on('close', (code) => resolve({ code, stderr, modules: readFileSync(log, 'utf8').split('\n').filter((line) => line !== '') })),
  );
}

function loadedPackages(modules: readonly string[]): string[] {
  return heavyPackages.filter((name) => modules.some((module) => module.replaceAll('\\', '/').includes(`/node_modules/${name}/`)));
}

describe('conclave start-up imports', () => {
  it('--help loads none of the SDKs, pg, MCP, the queue or the server', async () => {
    const result = await runRecorded(['--help']);
    expect(result.code).toBe(0);
    // The recorder sees ES modules (this one); the pg case below shows it sees CommonJS ones too.
    expect(result.modules.some((module) => module.endsWith('/dist/cli/conclave.js'))).toBe(true);
    expect(loadedPackages(result.modules)).toEqual([]);
    // Nor the model catalogue: it is read when a price or a model check first needs it.
    expect(loadedCatalogue(result.modules)).toBe(false);
  });

  it('validate reads the model catalogue only for a document with a catalogued provider', async () => {
    const offline = await runRecorded(['validate', 'examples/debate.yaml']);
    expect(loadedCatalogue(offline.modules)).toBe(false);
    // The recorder does see it when it is read, so the --help case above means something.
    const hosted = await runRecorded(['validate', catalogueDocument]);
    expect(hosted.code, hosted.stderr).toBe(0);
    expect(loadedCatalogue(hosted.modules)).toBe(true);
    expect(loadedPackages(hosted.modules)).toEqual([]);
  });

  it('validate loads none of them', async () => {
    const result = await runRecorded(['validate', 'examples/debate.yaml']);
    expect(result.code, result.stderr).toBe(0);
    expect(loadedPackages(result.modules)).toEqual([]);
  });

  it('a run on an offline model loads none of them', async () => {
    const result = await runRecorded(['run', oneAgentDocument, '--store', ':memory:', '--quiet']);
    expect(result.code, result.stderr).toBe(0);
    expect(loadedPackages(result.modules)).toEqual([]);
  });

  it('a run whose agent has tools loads none of them either', async () => {
    const result = await runRecorded(['run', toolAgentDocument, '--store', ':memory:', '--quiet']);
    expect(result.code, result.stderr).toBe(0);
    expect(loadedPackages(result.modules)).toEqual([]);
  });

  it('the recorder sees a CommonJS package loaded on demand (pg, for a postgres:// store)', async () => {
    // Port 1 refuses at once: the command fails, but only after it has loaded the PostgreSQL store.
    const result = await runRecorded(['status', '--store', 'postgres://conclave@127.0.0.1:1/conclave']);
    expect(result.code).not.toBe(0);
    expect(loadedPackages(result.modules)).toContain('pg');
  });
});
