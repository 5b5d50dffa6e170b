// Memory paths and searches as the Managed Agents API defines them: what a valid path and prefix
// are, what overlaps, the content limit and hash, and how a query becomes words, an FTS5 query, a
// tsquery and a snippet — the same on every backend, and never the engines' own syntax.
import { describe, expect, it } from 'vitest';
import { ancestorPaths, checkMemoryContent, checkPathPrefix, contentSha256, memoryPathProblem, prefixEnd } from '../../src/memory/memory-paths.js';
import { fts5Query, matchScore, memorySnippet, queryTerms, tsQuery } from '../../src/memory/memory-search.js';

describe('memory paths', () => {
  it('accepts file-like paths and says what is wrong with others', () => {
    for (const path of ['/a', '/projects/foo/notes.md', '/café/ünïcode.md', `/${'x/'.repeat(19)}y`]) expect(memoryPathProblem(path), path).toBeUndefined();
    expect(memoryPathProblem('notes.md')).toContain('starts with "/"');
    expect(memoryPathProblem('/a//b')).toContain('empty segment');
    expect(memoryPathProblem('/a/')).toContain('empty segment');
    expect(memoryPathProblem('/')).toContain('empty segment');
    expect(memoryPathProblem('/a/../b')).toContain('".."');
    expect(memoryPathProblem('/a/./b')).toContain('"."');
    expect(memoryPathProblem('/a\nb')).toContain('control');
    expect(memoryPathProblem('/a\u200bb')).toContain('format');
    expect(memoryPathProblem('/a\u2028b')).toContain('control or format');
    expect(memoryPathProblem('/cafe\u0301')).toContain('Normalization Form C');
    expect(memoryPathProblem(`/${'x/'.repeat(20)}y`)).toContain('20 segments');
    expect(memoryPathProblem(`/${'é'.repeat(512)}`)).toContain('1024 bytes');
  });

  it('checks prefixes, and knows ancestors and the end of a prefix range', () => {
    expect(checkPathPrefix('/')).toBe('/');
    expect(checkPathPrefix('/notes/')).toBe('/notes/');
    expect(() => checkPathPrefix('/notes')).toThrow(/ends with "\/"/);
    expect(() => checkPathPrefix('notes/')).toThrow(/starts with/);
    expect(ancestorPaths('/a/b/c.md')).toEqual(['/a', '/a/b']);
    expect(ancestorPaths('/a')).toEqual([]);
    expect(prefixEnd('/notes/')).toBe('/notes0');
  });

  it('hashes the UTF-8 bytes unnormalised and refuses content over 100 kB', () => {
    expect(contentSha256('')).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
    expect(contentSha256('é')).not.toBe(contentSha256('e\u0301'));
    expect(checkMemoryContent('x'.repeat(102_400))).toHaveLength(102_400);
    expect(() => checkMemoryContent('é'.repeat(51_201), 'body.content')).toThrow(/body.content: a memory holds at most 102400 bytes, this one has 102402/);
  });
});

describe('memory search', () => {
  it('reads a query as words and prefixes, and nothing else', () => {
    expect(queryTerms('Deploy* the  "API"! deploy*')).toEqual([
      { word: 'deploy', prefix: true },
      { word: 'the', prefix: false },
      { word: 'api', prefix: false },
    ]);
    expect(() => queryTerms(' *?! ')).toThrow(/has no words/);
    expect(() => queryTerms(Array.from({ length: 17 }, (_, index) => `w${index}`).join(' '))).toThrow(/at most 16 words/);
    // Operators of either engine are not operators here.
    expect(fts5Query(queryTerms('a OR b NOT c NEAR(d)'))).toBe('"a" "or" "b" "not" "c" "near" "d"');
    expect(tsQuery(queryTerms("it's | !x & y:*"))).toBe("'it' & 's' & 'x' & 'y'");
    expect(fts5Query(queryTerms('migrat*'))).toBe('"migrat"*');
    expect(tsQuery(queryTerms('migrat*'))).toBe("'migrat':*");
  });

  it('scores whole words (or prefixes) and cuts a snippet around the first match', () => {
    const terms = queryTerms('deploy');
    expect(matchScore('Deploy on Fridays; redeploy never. DEPLOY!', terms)).toBe(2);
    expect(matchScore('redeployment', terms)).toBe(0);
    expect(matchScore('deployment', queryTerms('deploy*'))).toBe(1);
    const long = `${'filler words here. '.repeat(40)}The deploy checklist is long.${' more filler.'.repeat(40)}`;
    const snippet = memorySnippet(long, terms, 80);
    expect(snippet.startsWith('…')).toBe(true);
    expect(snippet.endsWith('…')).toBe(true);
    expect(snippet).toContain('deploy checklist');
    expect(memorySnippet('short\n\ntext', terms)).toBe('short text');
  });
});
