/**
 * One meaning of a memory search on every backend: the query's words (runs of letters and digits,
 * lowercased; a `*` right after a word makes it a prefix) must all appear as words of the content.
 * The in-process store matches words itself; SQLite gets an FTS5 query of quoted terms and
 * PostgreSQL a `to_tsquery('simple', …)` of the same terms — both built here from the words alone,
 * so no text of the query ever reaches either engine's own syntax. Snippets are cut here too, the
 * same whichever engine found the memory.
 */
import { ConclaveError } from '../protocol/errors.js';

/** A word of a query. */
export interface QueryTerm {
  word: string;
  prefix: boolean;
}

/** Most words a query may have. */
export const maximumQueryTerms = 16;

const wordPattern = /[\p{L}\p{N}]+(\*)?/gu;

/**
 * The words of a search query; `invalid_argument` when it has none.
 *
 * @example
 * queryTerms('Deploy* the  API!') // → [{ word: 'deploy', prefix: true }, { word: 'the', prefix: false }, { word: 'api', prefix: false }]
 */
export function queryTerms(query: string): QueryTerm[] {
  const terms: QueryTerm[] = [];
  const seen = new Set<string>();
  for (const match of query.matchAll(wordPattern)) {
    const prefix = match[1] === '*';
    const word = (prefix ? match[0].slice(0, -1) : match[0]).toLowerCase();
    const key = `${word}${prefix ? '*' : ''}`;
    if (seen.has(key)) continue;
    seen.add(key);
    terms.push({ word, prefix });
  }
  if (terms.length === 0) throw new ConclaveError('invalid_argument', `the search query ${JSON.stringify(query.slice(0, 80))} has no words`, { hint: 'search for words, e.g. "deploy checklist"; end a word with * to match its beginning' });
  if (terms.length > maximumQueryTerms) throw new ConclaveError('invalid_argument', `a search query has at most ${maximumQueryTerms} words, this one has ${terms.length}`);
  return terms;
}

/** The words of a text, lowercased, in order. */
export function textWords(text: string): string[] {
  return [...text.matchAll(/[\p{L}\p{N}]+/gu)].map((match) => match[0].toLowerCase());
}

/**
 * How well `content` matches every term (occurrences of matching words), or 0 when a term is missing.
 *
 * @example
 * matchScore('Deploy on Fridays. Deploys fail.', queryTerms('deploy*')) // → 2
 */
export function matchScore(content: string, terms: readonly QueryTerm[]): number {
  const words = textWords(content);
  let score = 0;
  for (const term of terms) {
    const hits = words.filter((word) => (term.prefix ? word.startsWith(term.word) : word === term.word)).length;
    if (hits === 0) return 0;
    score += hits;
  }
  return score;
}

/**
 * The terms as an FTS5 query: each word quoted (a quote cannot occur in a word), prefixes starred,
 * all of them required.
 *
 * @example
 * fts5Query(queryTerms('deploy* api')) // → '"deploy"* "api"'
 */
export function fts5Query(terms: readonly QueryTerm[]): string {
  return terms.map((term) => `"${term.word}"${term.prefix ? '*' : ''}`).join(' ');
}

/**
 * The terms as a PostgreSQL tsquery text for `to_tsquery('simple', …)`: each word quoted, prefixes
 * as `:*`, joined with `&`.
 *
 * @example
 * tsQuery(queryTerms('deploy* api')) // → "'deploy':* & 'api'"
 */
export function tsQuery(terms: readonly QueryTerm[]): string {
  return terms.map((term) => `'${term.word.replace(/'/g, "''")}'${term.prefix ? ':*' : ''}`).join(' & ');
}

/**
 * About `width` characters of `content` around the first word that matches a term, with `…` where
 * it was cut; the start of the content when no word matches.
 *
 * @example
 * memorySnippet('… long text … the deploy checklist is …', queryTerms('checklist'), 40)
 */
export function memorySnippet(content: string, terms: readonly QueryTerm[], width = 240): string {
  let at = -1;
  for (const match of content.matchAll(/[\p{L}\p{N}]+/gu)) {
    const word = match[0].toLowerCase();
    if (terms.some((term) => (term.prefix ? word.startsWith(term.word) : word === term.word))) {
      at = match.index ?? 0;
      break;
    }
  }
  const flat = (text: string): string => text.replace(/\s+/g, ' ').trim();
  if (content.length <= width) return flat(content);
  const start = Math.max(0, (at === -1 ? 0 : at) - Math.floor(width / 3));
  const end = Math.min(content.length, start + width);
  return `${start > 0 ? '…' : ''}${flat(content.slice(start, end))}${end < content.length ? '…' : ''}`;
}
