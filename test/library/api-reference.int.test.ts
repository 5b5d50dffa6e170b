// The API reference is generated from the JSDoc of the public entry (`npm run docs:api`, TypeDoc).
// It must build without warnings — a public type that refers to one the package does not export is
// a warning, and so a failure here — and document the library's main class and helpers.
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { projectRoot } from '../support/cli.js';

const run = promisify(execFile);
const out = mkdtempSync(join(tmpdir(), 'conclave-api-docs-'));
afterAll(() => rmSync(out, { recursive: true, force: true }));

describe('API reference', () => {
  it('builds from the JSDoc with no warnings and documents Conclave and the plug-in helpers', async () => {
    await run(process.execPath, [join(projectRoot, 'node_modules', 'typedoc', 'bin', 'typedoc'), '--out', out], { cwd: projectRoot, maxBuffer: 16 * 1024 * 1024 });
    const conclave = readFileSync(join(out, 'classes', 'Conclave.html'), 'utf8');
    expect(conclave).toContain('createSession');
    expect(conclave).toContain('Runs a document as a new session');
    for (const helper of ['defineTopology', 'defineProvider', 'defineTool']) expect(readFileSync(join(out, 'functions', `${helper}.html`), 'utf8')).toContain('Example');
  }, 300_000);
});
