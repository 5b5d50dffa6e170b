/**
 * Token counting for the offline simulator, with no tokenizer. A "word-ish token" is any leading
 * whitespace plus one of: a run of up to 8 letters, a run of up to 3 digits, or one other
 * character (punctuation, a symbol). Letters include every non-ASCII character, so accented words
 * and scripts without spaces are cut every 8 code units (never inside a surrogate pair).
 * English prose comes out at roughly one token per 4 characters, close to the BPE tokenizers of
 * real models. The same splitting paces streamed deltas (`tokens_per_s`) and counts usage, so
 * `outputTokens` is exactly the number of tokens streamed.
 */

const maximumLetterRun = 8;
const maximumDigitRun = 3;

type CharacterClass = 'space' | 'letter' | 'digit' | 'other';

function classify(code: number): CharacterClass {
  if (code === 32 || (code >= 9 && code <= 13)) return 'space';
  if (code >= 48 && code <= 57) return 'digit';
  if ((code >= 65 && code <= 90) || (code >= 97 && code <= 122) || code >= 128) {
    return code === 0xa0 || code === 0x3000 ? 'space' : 'letter';
  }
  return 'other';
}

function isHighSurrogate(code: number): boolean {
  return code >= 0xd800 && code <= 0xdbff;
}

/** Index just past the token that starts at `start` (leading whitespace included). */
function tokenEnd(text: string, start: number): number {
  let index = start;
  while (index < text.length && classify(text.charCodeAt(index)) === 'space') index += 1;
  if (index >= text.length) return index;
  const kind = classify(text.charCodeAt(index));
  if (kind === 'other') return index + 1;
  const limit = kind === 'letter' ? maximumLetterRun : maximumDigitRun;
  const runStart = index;
  while (index < text.length && index - runStart < limit && classify(text.charCodeAt(index)) === kind) index += 1;
  if (index < text.length && isHighSurrogate(text.charCodeAt(index - 1))) index += 1;
  return index;
}

/**
 * Counts the word-ish tokens of a text (see the module header for the rule).
 *
 * @example
 * countTokens('The answer is 76.') // → 5 ('The', ' answer', ' is', ' 76', '.')
 */
export function countTokens(text: string): number {
  let count = 0;
  let index = 0;
  while (index < text.length) {
    const end = tokenEnd(text, index);
    // Trailing whitespace alone is not a token.
    if (end > index && classify(text.charCodeAt(end - 1)) !== 'space') count += 1;
    index = end;
  }
  return count;
}

/**
 * Splits a text into word-ish tokens whose concatenation is the text. Trailing whitespace is
 * attached to the last token.
 *
 * @example
 * splitTokens('Final answer: yes') // → ['Final', ' answer', ':', ' yes']
 */
export function splitTokens(text: string): string[] {
  const tokens: string[] = [];
  let index = 0;
  while (index < text.length) {
    const end = tokenEnd(text, index);
    const token = text.slice(index, end);
    if (tokens.length > 0 && classify(text.charCodeAt(end - 1)) === 'space') {
      tokens[tokens.length - 1] += token;
    } else {
      tokens.push(token);
    }
    index = end;
  }
  return tokens;
}
