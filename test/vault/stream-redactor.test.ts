// The stream redactor: a secret cut into pieces at any offset never comes out whole — not in one
// released piece, not in their concatenation — and the pieces always join into exactly what
// redacting the whole text gives; ordinary text comes out unchanged, in order, and held back only
// while its tail could be the start of a secret. Also: which environment variables count as keys.
import { describe, expect, it } from 'vitest';
import { redactStreamParts } from '../../src/bench/response-cache.js';
import { createDefaultRegistry } from '../../src/presets/default-registry.js';
import type { StreamPart } from '../../src/protocol/index.js';
import { createRedactor, createStreamRedactor, knownSecretsFromEnvironment, providerKeyVariables, type Redactor } from '../../src/vault/index.js';

const secret = 'sk-canary-5d1e9a7c3b2f4e60';
const text = `Sure, my key is ${secret} and nothing else.`;

/** Pushes the pieces through a fresh stream redactor; returns every released piece, the flush last. */
function release(redactor: Redactor, pieces: readonly string[]): string[] {
  const stream = createStreamRedactor(redactor);
  return [...pieces.map((piece) => stream.push(piece)), stream.flush()];
}

/** `text` cut at the given offsets (ascending). */
function cutAt(whole: string, offsets: readonly number[]): string[] {
  const bounds = [0, ...offsets, whole.length];
  return bounds.slice(1).map((end, index) => whole.slice(bounds[index], end));
}

/** Deterministic [0, 1) numbers (mulberry32), so the random splits are the same on every run. */
function seeded(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let value = state;
    value = Math.imul(value ^ (value >>> 15), value | 1);
    value ^= value + Math.imul(value ^ (value >>> 7), value | 61);
    return ((value ^ (value >>> 14)) >>> 0) / 4294967296;
  };
}

describe('createStreamRedactor', () => {
  const redactor = createRedactor([{ name: 'OPENAI_API_KEY', value: secret }]);
  const expected = redactor.redact(text);
  const start = text.indexOf(secret);

  it('never releases a secret split in two, at any offset', () => {
    for (let offset = 1; offset < secret.length; offset += 1) {
      const pieces = release(redactor, cutAt(text, [start + offset]));
      for (const piece of pieces) {
        expect(piece).not.toContain(secret);
        // Neither half leaves either: the first is held until it proves to be the secret (this text has no other "sk-…").
        if (offset >= 4) expect(piece).not.toContain(secret.slice(0, offset));
        if (secret.length - offset >= 4) expect(piece).not.toContain(secret.slice(offset));
      }
      expect(pieces.join(''), `cut at ${offset}`).toBe(expected);
      expect(pieces.join('')).not.toContain(secret);
    }
  });

  it('never releases a secret split in three, at any pair of offsets', () => {
    for (let first = 1; first < secret.length - 1; first += 1) {
      for (let second = first + 1; second < secret.length; second += 1) {
        const pieces = release(redactor, cutAt(text, [start + first, start + second]));
        expect(pieces.join(''), `cut at ${first} and ${second}`).toBe(expected);
        for (const piece of pieces) expect(piece).not.toContain(secret);
      }
    }
  });

  it('releases no piece that holds more than a harmless part of the secret', () => {
    // The pieces released before the secret is complete hold none of it: what could begin it is held.
    for (let offset = 1; offset < secret.length; offset += 1) {
      const stream = createStreamRedactor(redactor);
      const first = stream.push(text.slice(0, start + offset));
      expect(first).toBe(text.slice(0, start));
    }
  });

  it('joins one character at a time into the redacted text', () => {
    expect(release(redactor, [...text]).join('')).toBe(expected);
  });

  it('passes ordinary text through unchanged, in order, and at once', () => {
    const stream = createStreamRedactor(redactor);
    expect(stream.push('Hello ')).toBe('Hello ');
    expect(stream.push('world, ')).toBe('world, ');
    // "a" cannot begin the secret; "sk" can: only that tail waits.
    expect(stream.push('ask')).toBe('a');
    expect(stream.push('ed twice.')).toBe('sked twice.');
    expect(stream.flush()).toBe('');
  });

  it('holds back no more than the longest secret minus one character', () => {
    const stream = createStreamRedactor(redactor);
    const partial = secret.slice(0, -1);
    expect(stream.push(`x ${partial}`)).toBe('x ');
    // The tail turned out not to be the secret: released as it is.
    expect(stream.push('!')).toBe(`${partial}!`);
  });

  it('releases a held tail that ends the stream as the whole text would show it', () => {
    const stream = createStreamRedactor(redactor);
    expect(stream.push('the key starts sk-can')).toBe('the key starts ');
    expect(stream.flush()).toBe('sk-can');
    const dropped = createStreamRedactor(redactor);
    dropped.push('half: sk-canary');
    dropped.discard();
    expect(dropped.flush()).toBe('');
  });

  it('works for overlapping secrets, one inside another, and JSON-escaped spellings', () => {
    const many = createRedactor([
      { name: 'LEFT', value: 'abcdef' },
      { name: 'RIGHT', value: 'defghi' },
      { name: 'SHORT', value: 'token' },
      { name: 'LONG', value: 'token-with-suffix' },
      { name: 'QUOTED', value: 'he said "hi"' },
    ]);
    const samples = ['xx abcdefghi yy', 'a token-with-suffix and a token-with and token', JSON.stringify({ said: 'he said "hi" twice' }), 'abcabcdefdefghi tokentoken'];
    const random = seeded(7);
    for (const sample of samples) {
      const whole = many.redact(sample);
      for (let round = 0; round < 300; round += 1) {
        const offsets = [...new Set(Array.from({ length: 1 + Math.floor(random() * 5) }, () => 1 + Math.floor(random() * (sample.length - 1))))].sort((left, right) => left - right);
        expect(release(many, cutAt(sample, offsets)).join(''), `${sample} cut at ${offsets.join(',')}`).toBe(whole);
      }
    }
  });

  it('sees secrets added after the stream began, from the next piece on', () => {
    const growing = createRedactor();
    const stream = createStreamRedactor(growing);
    expect(stream.push('early sk-')).toBe('early sk-');
    growing.add({ name: 'LATE', value: 'late-secret-123' });
    expect(stream.push('then late-sec')).toBe('then ');
    expect(stream.push('ret-123.')).toBe('[secret:LATE].');
  });
});

describe('redactStreamParts (the bench cache)', () => {
  it('redacts a recorded stream whose text splits a secret, keeping each kind joined', () => {
    const redactor = createRedactor([{ name: 'OPENAI_API_KEY', value: secret }]);
    for (let offset = 1; offset < secret.length; offset += 1) {
      const [head, tail] = [text.slice(0, text.indexOf(secret) + offset), text.slice(text.indexOf(secret) + offset)];
      const parts: StreamPart[] = [
        { type: 'stream-start', model: 'm' },
        { type: 'text-delta', delta: head },
        { type: 'reasoning-delta', delta: `thinking of ${secret.slice(0, 6)}` },
        { type: 'text-delta', delta: tail },
        { type: 'tool-call', toolCallId: 't1', toolName: 'echo', input: { key: secret } },
        { type: 'finish', finishReason: 'stop' },
      ];
      const redacted = redactStreamParts(parts, redactor);
      expect(JSON.stringify(redacted)).not.toContain(secret);
      expect(redacted.map((part) => part.type)).toEqual(parts.map((part) => part.type));
      const joined = (type: string): string => redacted.flatMap((part) => (part.type === type && 'delta' in part ? [part.delta] : [])).join('');
      expect(joined('text-delta')).toBe(redactor.redact(text));
      expect(joined('reasoning-delta')).toBe(`thinking of ${secret.slice(0, 6)}`);
    }
  });
});

describe('knownSecretsFromEnvironment', () => {
  const registry = createDefaultRegistry();

  it('lists the key variable of every registered provider, OpenAI-compatible presets included', () => {
    const variables = providerKeyVariables(registry);
    for (const variable of ['OPENAI_API_KEY', 'ANTHROPIC_API_KEY', 'GEMINI_API_KEY', 'GOOGLE_API_KEY', 'GROQ_API_KEY', 'MISTRAL_API_KEY', 'OPENROUTER_API_KEY']) expect(variables).toContain(variable);
    expect(providerKeyVariables(registry, { mycorp: { compatible: 'openai', base_url: 'https://llm.corp/v1', api_key_env: 'MYCORP_TOKEN' } })).toContain('MYCORP_TOKEN');
  });

  it('takes the values that are set, named after their variable, and the vault passphrase', () => {
    const env = { OPENAI_API_KEY: 'sk-openai-1234', GROQ_API_KEY: '', MYCORP_TOKEN: 'corp-token-99', CONCLAVE_VAULT_KEY: 'a long passphrase', HOME: '/root' };
    const secrets = knownSecretsFromEnvironment(registry, env, { openai: { api_key_env: 'MYCORP_TOKEN' } });
    expect(secrets).toEqual(
      expect.arrayContaining([
        { name: 'OPENAI_API_KEY', value: 'sk-openai-1234' },
        { name: 'MYCORP_TOKEN', value: 'corp-token-99' },
        { name: 'CONCLAVE_VAULT_KEY', value: 'a long passphrase' },
      ]),
    );
    expect(secrets.map((secret) => secret.name)).not.toContain('GROQ_API_KEY');
    expect(secrets.map((secret) => secret.name)).not.toContain('HOME');
  });
});
