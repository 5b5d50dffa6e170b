// The `providers:` and `timeouts:` sections of a document: validated with located errors, and a
// key pasted where a variable name belongs is refused.
import { describe, expect, it } from 'vitest';
import { parseTopologyDocument } from '../../src/config/index.js';
import { createConfigTestRegistry } from './config-test-registry.js';
import { expectDocumentError } from './expect-document-error.js';

const base = `topology: pipeline
task: x
agents:
  - { name: writer, model: offline/echo }
`;

describe('providers and timeouts sections', () => {
  it('are carried into the normalised document', () => {
    const parsed = parseTopologyDocument(
      `${base}providers:\n  openai:\n    base_url: http://127.0.0.1:8080/v1\n    api_key_env: WORK_OPENAI_KEY\n    concurrency: 4\n    prices:\n      gpt-4.1-mini: { input: 0.4, output: 1.6 }\ntimeouts:\n  first_token_ms: 30000\n`,
      { file: 'doc.yaml', registry: createConfigTestRegistry() },
    );
    expect(parsed.providers).toEqual({
      openai: { base_url: 'http://127.0.0.1:8080/v1', api_key_env: 'WORK_OPENAI_KEY', concurrency: 4, prices: { 'gpt-4.1-mini': { input: 0.4, output: 1.6 } } },
    });
    expect(parsed.timeouts).toEqual({ first_token_ms: 30000 });
  });

  it('refuses a key written where the variable name belongs', () => {
    const error = expectDocumentError(() =>
      parseTopologyDocument(`${base}providers:\n  openai:\n    api_key_env: sk-proj-abc123\n`, { file: 'doc.yaml', registry: createConfigTestRegistry() }),
    );
    expect(error.location).toMatchObject({ line: 7, path: 'providers.openai.api_key_env' });
    expect(error.message).toContain('never the key itself');
  });

  it('names an unknown provider with a suggestion, and a bad timeout with its path', () => {
    const error = expectDocumentError(() =>
      parseTopologyDocument(`${base}providers:\n  opneai: {}\ntimeouts:\n  total_ms: -1\n`, { file: 'doc.yaml', registry: createConfigTestRegistry() }),
    );
    const paths = (error.issues ?? []).map((issue) => issue.location?.path);
    expect(paths).toEqual(expect.arrayContaining(['providers.opneai', 'timeouts.total_ms']));
    expect(error.issues?.find((issue) => issue.location?.path === 'providers.opneai')?.hint).toContain('openai');
  });
});
