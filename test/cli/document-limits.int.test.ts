// `conclave validate` on oversized documents, as a user runs it: a clear document_too_large with
// file:line:column (exit 2), never "Maximum call stack size exceeded"; and a document with tens of
// thousands of unknown keys reported as its first 50 problems and a count of the rest.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.js';

let directory: string;
beforeAll(() => {
  directory = mkdtempSync(join(tmpdir(), 'conclave-limits-'));
});
afterAll(() => rmSync(directory, { recursive: true, force: true }));

const head = 'topology: pipeline\nagents:\n  - { name: a, model: offline/echo }\n';

function documentFile(name: string, text: string): string {
  const file = join(directory, name);
  writeFileSync(file, text);
  return file;
}

describe('conclave validate on oversized documents', () => {
  it('refuses 5,000 levels of nesting with document_too_large and where, exit 2', async () => {
    const file = documentFile('deep.yaml', `${head}options: ${'['.repeat(5_000)}${']'.repeat(5_000)}\n`);
    const result = await runCli(['validate', file]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('error[document_too_large]: the document nests 5,001 levels deep, more than the limit of 64 (limits.depth)');
    expect(result.stderr).toContain(`${file}:4:73`);
    expect(result.stderr).not.toMatch(/RangeError|Maximum call stack| {4}at /);
  });

  it('refuses 5,000 levels of JSON the same way', async () => {
    const file = documentFile('deep.json', `{"topology": "pipeline", "agents": [], "options": ${'{"a": '.repeat(5_000)}1${'}'.repeat(5_000)}}\n`);
    const result = await runCli(['validate', file]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('error[document_too_large]');
    expect(result.stderr).not.toMatch(/RangeError|Maximum call stack| {4}at /);
  });

  it('lists the first 50 of 25,000 unknown keys and counts the rest', async () => {
    const file = documentFile('wide.yaml', `${head}${Array.from({ length: 25_000 }, (_, index) => `k${index}: 1\n`).join('')}`);
    const result = await runCli(['validate', file]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(`error[invalid_document]: ${file}: 25,000 problems`);
    expect(result.stderr.match(/unknown top-level key/g)).toHaveLength(50);
    expect(result.stderr).toContain(`unknown top-level key "k49"\n  --> ${file}:53:1 (k49)`);
    expect(result.stderr).not.toContain('"k50"');
    expect(result.stderr).toContain('… and 24,950 more problems');
  });
});
