// The redactor: every occurrence of every secret becomes `[secret:NAME]`, overlapping secrets leave
// nothing behind, deep values are copied and redacted, regex characters in secrets are literal —
// and a canary stored in a real vault appears nowhere in events, CLI output or errors.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { formatError } from '../../src/cli/cli-errors.js';
import { stylerFor } from '../../src/cli/terminal.js';
import { ConclaveError } from '../../src/protocol/index.js';
import { createRedactor, openVaultFile, resolveSecret } from '../../src/vault/index.js';

describe('createRedactor', () => {
  it('replaces every occurrence with a marker naming the secret', () => {
    const redactor = createRedactor([{ name: 'OPENAI_API_KEY', value: 'sk-abc123' }, 'bare-secret-value']);
    expect(redactor.redact('key sk-abc123, again sk-abc123sk-abc123 end')).toBe('key [secret:OPENAI_API_KEY], again [secret:OPENAI_API_KEY][secret:OPENAI_API_KEY] end');
    expect(redactor.redact('prefix bare-secret-value suffix')).toBe('prefix [secret] suffix');
    expect(redactor.redact('nothing to hide')).toBe('nothing to hide');
    expect(createRedactor().redact('nothing known')).toBe('nothing known');
  });

  it('ignores values shorter than 4 characters (they would shred ordinary text)', () => {
    const redactor = createRedactor(['abc', { name: 'PIN', value: '12' }, 'abcd']);
    expect(redactor.redact('abc 12 abcd')).toBe('abc 12 [secret]');
  });

  it('matches the longest secret first when one contains another', () => {
    const redactor = createRedactor([
      { name: 'SHORT', value: 'token' },
      { name: 'LONG', value: 'token-with-suffix' },
    ]);
    expect(redactor.redact('token-with-suffix and token')).toBe('[secret:LONG] and [secret:SHORT]');
  });

  it('merges overlapping occurrences so no part of either secret survives', () => {
    const redactor = createRedactor([
      { name: 'LEFT', value: 'abcdef' },
      { name: 'RIGHT', value: 'defghi' },
    ]);
    expect(redactor.redact('xx abcdefghi yy')).toBe('xx [secret:LEFT,RIGHT] yy');
    expect(redactor.redact('xx defghi abcdef')).toBe('xx [secret:RIGHT] [secret:LEFT]');
  });

  it('treats regular-expression characters in secrets literally', () => {
    const tricky = ['a.b*c+d?', '(x|y)[z]{2}', '^$\\back', 'p@ss/w0rd-^'];
    const redactor = createRedactor(tricky.map((value, index) => ({ name: `S${index}`, value })));
    expect(redactor.redact(`1 ${tricky.join(' 2 ')} 3`)).toBe('1 [secret:S0] 2 [secret:S1] 2 [secret:S2] 2 [secret:S3] 3');
    expect(redactor.redact('aXbbbc+d? (x)[z]{2} xy')).toBe('aXbbbc+d? (x)[z]{2} xy');
  });

  it('also finds a secret in its JSON-escaped spelling', () => {
    const redactor = createRedactor([{ name: 'QUOTED', value: 'he said "hi" \\ bye' }]);
    const json = JSON.stringify({ message: 'value: he said "hi" \\ bye' });
    expect(redactor.redact(json)).toBe(JSON.stringify({ message: 'value: [secret:QUOTED]' }));
  });

  it('redacts deep values (strings and keys only) into a copy, leaving the input alone', () => {
    const redactor = createRedactor([{ name: 'TOKEN', value: 'tok-12345' }]);
    const input = {
      type: 'agent.output',
      data: { text: 'the token is tok-12345', parts: ['tok-12345', 42, true, null], 'tok-12345': 'as a key' },
      at: new Date(0),
    };
    const output = redactor.redactValue(input);
    expect(output).toEqual({
      type: 'agent.output',
      data: { text: 'the token is [secret:TOKEN]', parts: ['[secret:TOKEN]', 42, true, null], '[secret:TOKEN]': 'as a key' },
      at: new Date(0),
    });
    expect(input.data.text).toBe('the token is tok-12345');
    expect(redactor.redactValue('tok-12345')).toBe('[secret:TOKEN]');
    expect(redactor.redactValue(7)).toBe(7);
  });

  it('copes with cycles', () => {
    const redactor = createRedactor(['tok-12345']);
    const cyclic: { text: string; self?: unknown } = { text: 'tok-12345' };
    cyclic.self = cyclic;
    const output = redactor.redactValue(cyclic);
    expect(output.text).toBe('[secret]');
    expect(output.self).toBe(output);
  });

  it('add() makes later calls redact the new secret', () => {
    const redactor = createRedactor();
    expect(redactor.redact('late-secret')).toBe('late-secret');
    redactor.add({ name: 'LATE', value: 'late-secret' });
    expect(redactor.redact('a late-secret')).toBe('a [secret:LATE]');
    redactor.add('late-secret');
    expect(redactor.redact('a late-secret')).toBe('a [secret:LATE]');
  });

  it('stays one pass over the text with many secrets', () => {
    const secrets = Array.from({ length: 2000 }, (_, index) => ({ name: `KEY_${index}`, value: `secret-value-${index.toString().padStart(5, '0')}` }));
    const redactor = createRedactor(secrets);
    const text = `${'lorem ipsum '.repeat(5000)} secret-value-01999 ${'dolor '.repeat(5000)}`;
    let output = '';
    const operationsWithAll = countOperationsOn(text, () => {
      output = redactor.redact(text);
    });
    expect(output).toContain('[secret:KEY_1999]');
    expect(output).not.toContain('secret-value-01999');
    // Counted, not timed: redacting against 2,000 secrets does exactly the work on the text that
    // redacting against the one it contains does. A pass per secret (an indexOf, a replaceAll, a
    // regex exec each) would do 2,000 times as much.
    const single = createRedactor([secrets[1999] as { name: string; value: string }]);
    let singleOutput = '';
    const operationsWithOne = countOperationsOn(text, () => {
      singleOutput = single.redact(text);
    });
    expect(singleOutput).toBe(output);
    expect(operationsWithOne).toBeGreaterThan(0);
    expect(operationsWithAll).toBe(operationsWithOne);
  });

  it('redactError keeps code and location, redacts message, hint and issues, drops the cause', () => {
    const redactor = createRedactor([{ name: 'TOKEN', value: 'tok-12345' }]);
    const original = new ConclaveError('provider_auth', 'rejected key tok-12345', {
      hint: 'check tok-12345',
      location: { file: 'a.yaml', path: 'providers.x.apiKey' },
      issues: [new ConclaveError('invalid_argument', 'bad tok-12345').toJSON()],
      cause: new Error('tok-12345'),
    });
    const redacted = redactor.redactError(original);
    expect(redacted).toMatchObject({ code: 'provider_auth', message: 'rejected key [secret:TOKEN]', hint: 'check [secret:TOKEN]', location: { file: 'a.yaml' } });
    expect(redacted.issues?.[0]?.message).toBe('bad [secret:TOKEN]');
    expect(redacted.cause).toBeUndefined();
    expect(redactor.redactError(new Error('plain tok-12345')).message).toBe('plain [secret:TOKEN]');
    expect(redactor.redactValue({ error: new TypeError('boom tok-12345') }).error).toMatchObject({ name: 'TypeError', message: 'boom [secret:TOKEN]' });
  });
});

describe('canary', () => {
  const directory = mkdtempSync(join(tmpdir(), 'conclave-canary-'));
  afterAll(() => rmSync(directory, { recursive: true, force: true }));
  const canary = 'canary-7f3a9c1e5b2d4f60-"quote"\\slash';

  it('a secret from the vault appears nowhere in redacted events, CLI output or errors', async () => {
    const env = { CONCLAVE_VAULT_KEY: 'canary passphrase for tests' };
    const vault = openVaultFile({ path: join(directory, 'vault.json'), env });
    await vault.set('CANARY_TOKEN', canary);
    const value = await resolveSecret('CANARY_TOKEN', { env: {}, vault });
    expect(value).toBe(canary);
    const redactor = createRedactor([{ name: 'CANARY_TOKEN', value }]);

    const events = [
      { seq: 1, type: 'session.started', data: { settings: { apiKey: canary, headers: { authorization: `Bearer ${canary}` } } } },
      { seq: 2, type: 'agent.output', data: { text: `The key was ${canary}.${canary}`, tokens: [canary.slice(0, 10), canary.slice(10)].join('') } },
      { seq: 3, type: 'tool.result', data: { output: { stdout: `env: CANARY_TOKEN=${canary}\n`, code: 0 } } },
    ];
    const cliOutput = `session s_1 finished\nanswer: use ${canary} to log in\n${JSON.stringify(events)}\n`;
    const error = new ConclaveError('provider_auth', `401 for key ${canary}`, { hint: `rotate ${canary}`, cause: new Error(canary) });

    const surfaces = [
      JSON.stringify(redactor.redactValue(events)),
      redactor.redact(JSON.stringify(events)),
      redactor.redact(JSON.stringify(events, null, 2)),
      redactor.redact(cliOutput),
      JSON.stringify(redactor.redactError(error)),
      formatError(redactor.redactError(error), stylerFor(process.stderr, { NO_COLOR: '1' })),
      redactor.redactError(error).message,
    ];
    for (const surface of surfaces) {
      expect(surface).not.toContain(canary);
      expect(surface).not.toContain(JSON.stringify(canary).slice(1, -1));
      expect(surface).not.toContain('7f3a9c1e5b2d4f60');
      expect(surface).toContain('[secret:CANARY_TOKEN]');
    }
    expect(redactor.redactError(error).cause).toBeUndefined();
  });
});

/**
 * Runs `work` and counts the built-in string operations it makes on `text`: a String method called
 * on it, or a RegExp method given it. What a redaction costs, as a count this machine's load cannot
 * change.
 */
function countOperationsOn(text: string, work: () => void): number {
  let operations = 0;
  const restore: Array<() => void> = [];
  const wrap = (target: object, key: PropertyKey, touches: (self: unknown, input: unknown) => boolean): void => {
    const methods = target as Record<PropertyKey, (...args: unknown[]) => unknown>;
    const original = methods[key] as (...args: unknown[]) => unknown;
    methods[key] = function (this: unknown, ...args: unknown[]): unknown {
      if (touches(this, args[0])) operations += 1;
      return original.apply(this, args);
    };
    restore.push(() => {
      methods[key] = original;
    });
  };
  const stringMethods = ['at', 'charAt', 'charCodeAt', 'codePointAt', 'endsWith', 'includes', 'indexOf', 'lastIndexOf', 'match', 'matchAll', 'replace', 'replaceAll', 'search', 'slice', 'split', 'startsWith', 'substring'];
  for (const key of stringMethods) wrap(String.prototype, key, (self) => self === text);
  for (const key of ['exec', 'test', Symbol.match, Symbol.matchAll, Symbol.replace, Symbol.search, Symbol.split]) wrap(RegExp.prototype, key, (_, input) => input === text);
  try {
    work();
  } finally {
    for (const undo of restore.reverse()) undo();
  }
  return operations;
}
