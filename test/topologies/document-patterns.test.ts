// Patterns from documents, scripts and bench suites run in linear time: a pattern that backtracks
// exponentially on RegExp finishes on a long reply, and what RE2 cannot run is refused at its path.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseTopologyDocument } from '../../src/config/index.js';
import { isConclaveError } from '../../src/protocol/index.js';
import { createMemoryStore } from '../../src/store/memory-store.js';
import { assertionProblems, extractNumber, runAssertion } from '../../src/bench/assertions.js';
import { createOfflineAdapter } from '../../providers/offline/offline-provider.js';
import { createScriptedProvider } from '../support/scripted-provider.js';
import { testRegistry } from '../support/registry.js';
import { runWith } from '../support/topology-harness.js';

const linearOnly = 'is not supported: conclave runs document patterns in linear time (RE2 syntax)';
const longReply = `${'a'.repeat(5_000)}!`;

describe('a document pattern that backtracks exponentially on RegExp', () => {
  it('voting: extract.regex "(a+)+$" on a 5,000-character reply completes and extracts nothing', async () => {
    const store = createMemoryStore();
    const agents = [{ name: 'a', model: 'script/a' }, { name: 'b', model: 'script/b' }];
    const { result } = await runWith(store, { topology: 'voting', agents, options: { extract: { regex: '(a+)+$' } } }, () => longReply);
    expect(result.stopReason).toBe('end_turn');
    expect(result.reason).toBe('no_decision');
    expect(result.details?.['votes']).toEqual({ a: null, b: null });
    await store.close();
  });

  it('bench: a regex assertion and a numeric extract on a 5,000-character answer', async () => {
    const sample = { expected: 1, prompt: 'p', promptId: 'p1' };
    expect(await runAssertion({ type: 'regex', pattern: '(a+)+$' }, longReply, sample, '.')).toMatchObject({ passed: false });
    expect(extractNumber(longReply, '(a+)+$')).toBeUndefined();
  });
});

describe('a pattern RE2 cannot run is refused at its path', () => {
  const registry = testRegistry(createScriptedProvider(() => '').module);
  const agents = [{ name: 'a', model: 'script/a' }, { name: 'b', model: 'script/b' }];
  /** The issues of a document with these options, as `path: message`. */
  const issues = (topology: string, options: Record<string, unknown>) => {
    try {
      parseTopologyDocument(JSON.stringify({ topology, task: 't', agents, options }), { registry });
      return [];
    } catch (error) {
      if (!isConclaveError(error)) throw error;
      return (error.issues ?? [error.toJSON()]).map((issue) => `${issue.location?.path}: ${issue.message}`);
    }
  };

  it('voting options.extract.regex, debate and group-chat options.answer_pattern', () => {
    expect(issues('voting', { extract: { regex: '(?<=answer: )\\w+' } })).toEqual([
      expect.stringMatching(new RegExp(`^options\\.extract\\.regex: .*lookbehind \\(\\?<=…\\) ${linearOnly.replace(/[()]/g, '\\$&')}$`)),
    ]);
    expect(issues('debate', { answer_pattern: '(\\w+) and \\1' })).toEqual([expect.stringMatching(/^options\.answer_pattern: .*backreference \\1 is not supported/)]);
    expect(issues('group-chat', { answer_pattern: 'answer(?!s)' })).toEqual([expect.stringMatching(/^options\.answer_pattern: .*negative lookahead \(\?!…\) is not supported/)]);
    expect(issues('voting', { extract: { regex: 'the answer is\\s*(-?\\d+)' } })).toEqual([]);
  });

  it('bench suite assertions: pattern and extract', () => {
    expect(assertionProblems({ type: 'regex', pattern: '\\d+(?=%)' })).toEqual([`pattern: lookahead (?=…) ${linearOnly}`]);
    expect(assertionProblems({ type: 'numeric', extract: '(?<!-)(\\d+)' })).toEqual([`extract: negative lookbehind (?<!…) ${linearOnly}`]);
  });

  describe('scripted replies', () => {
    const folder = mkdtempSync(join(tmpdir(), 'conclave-script-'));
    afterAll(() => rmSync(folder, { recursive: true, force: true }));

    it("a script's when names its entry", async () => {
      const script = join(folder, 'backreference.yaml');
      writeFileSync(script, "- when: 'hello'\n  text: hi\n- when: '(\\w)\\1'\n  text: double\n");
      const texts: string[] = [];
      const request = { model: `scripted?script=${script}`, messages: [{ role: 'user' as const, content: 'hello' }] };
      for await (const part of createOfflineAdapter().generate(request, { signal: new AbortController().signal, attempt: 1 })) {
        if (part.type === 'text-delta') texts.push(part.delta);
      }
      expect(texts.join('')).toBe(`(offline/scripted: script "${script}": [1.when] backreference \\1 ${linearOnly})`);
    });
  });
});
