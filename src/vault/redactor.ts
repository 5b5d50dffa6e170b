/**
 * Keeps secret values out of events, outputs and errors. Every occurrence of a known value is
 * replaced by the marker `[secret:NAME]` (or `[secret]` when the name is unknown; `[secret:A,B]`
 * when occurrences of two secrets overlap): readable in a log, obviously not the value, and it says
 * which secret was there so the reader can tell a misrouted key from a missing one.
 *
 * Values shorter than 4 characters are ignored: replacing every "1", "on" or "abc" would shred
 * ordinary text, and a value that short is no secret anyway (it is guessed in a few thousand tries).
 *
 * All values go into one regular expression (escaped, longest first), so a text is scanned once
 * however many secrets there are. The scan looks at every position, and overlapping occurrences are
 * merged into one marker, so no part of any secret survives. A value is also matched in its
 * JSON-escaped spelling, so redacting serialised JSON works for values containing `"` or `\`.
 */
import { ConclaveError, isConclaveError, toConclaveError, type ConclaveErrorJSON } from '../protocol/index.js';

/** Values shorter than this are not redacted (see the module comment). */
export const minimumRedactedLength = 4;

/** A secret with the name to show in its marker. */
export interface NamedSecret {
  name: string;
  value: string;
}

export interface Redactor {
  /** `text` with every secret replaced by its marker. */
  redact(text: string): string;
  /**
   * A deep copy of a JSON-like value with secrets redacted from every string (object keys too);
   * numbers, booleans and class instances other than errors are kept as they are.
   */
  redactValue<T>(value: T): T;
  /** A copy of any thrown value as a `ConclaveError` whose message, hint and issues are redacted (no cause). */
  redactError(error: unknown): ConclaveError;
  /** Adds a secret (a bare value, or a value with a name); later calls see it. */
  add(secret: string | NamedSecret): void;
  /**
   * Where text that arrives in pieces can be cut now: everything before the result can be redacted
   * and released, because no secret can straddle that point whatever text follows. It is the start
   * of the longest tail that is a proper prefix of a secret (the tail could grow into one), moved
   * back to the start of any occurrence crossing it; `text.length` when nothing needs holding back.
   */
  safeCut(text: string): number;
}

/**
 * The marker that replaces a secret.
 *
 * @example
 * redactionMarker('OPENAI_API_KEY') // → '[secret:OPENAI_API_KEY]'
 * redactionMarker(undefined)        // → '[secret]'
 */
export function redactionMarker(name: string | undefined): string {
  return name === undefined ? '[secret]' : `[secret:${name}]`;
}

/**
 * A redactor for the given secrets.
 *
 * @example
 * const redactor = createRedactor([{ name: 'OPENAI_API_KEY', value: 'sk-abc123' }]);
 * redactor.redact('auth failed for sk-abc123') // → 'auth failed for [secret:OPENAI_API_KEY]'
 */
export function createRedactor(secrets: Iterable<string | NamedSecret> = []): Redactor {
  /** Spelling to match → name for the marker (`undefined` for a bare value). */
  const names = new Map<string, string | undefined>();
  let pattern: RegExp | undefined;
  /** Every spelling, longest first, as in the pattern. */
  let spellings: string[] = [];
  let stale = false;

  function add(secret: string | NamedSecret): void {
    const { value, name } = typeof secret === 'string' ? { value: secret, name: undefined } : secret;
    if (typeof value !== 'string' || value.length < minimumRedactedLength) return;
    for (const spelling of new Set([value, JSON.stringify(value).slice(1, -1)])) {
      // A named entry wins over a bare one for the same value; otherwise the first name stays.
      if (!names.has(spelling) || (names.get(spelling) === undefined && name !== undefined)) {
        names.set(spelling, name);
        stale = true;
      }
    }
  }

  function currentPattern(): RegExp | undefined {
    if (stale) {
      spellings = [...names.keys()].sort((left, right) => right.length - left.length);
      // A lookahead matches at every position without consuming, so overlapping occurrences are all seen.
      pattern = spellings.length === 0 ? undefined : new RegExp(`(?=(${spellings.map(escapeRegExp).join('|')}))`, 'g');
      stale = false;
    }
    return pattern;
  }

  function redact(text: string): string {
    const regex = currentPattern();
    if (regex === undefined || typeof text !== 'string') return text;
    let output = '';
    let copiedUpTo = 0;
    let span: { start: number; end: number; names: Array<string | undefined> } | undefined;
    const flush = (): void => {
      if (span === undefined) return;
      output += text.slice(copiedUpTo, span.start) + redactionMarker(span.names.every((name) => name !== undefined) ? [...new Set(span.names)].join(',') : undefined);
      copiedUpTo = span.end;
      span = undefined;
    };
    for (const match of text.matchAll(regex)) {
      const found = match[1] ?? '';
      const start = match.index;
      const end = start + found.length;
      if (span !== undefined && start < span.end) {
        span.end = Math.max(span.end, end);
        span.names.push(names.get(found));
      } else {
        flush();
        span = { start, end, names: [names.get(found)] };
      }
    }
    flush();
    return copiedUpTo === 0 ? text : output + text.slice(copiedUpTo);
  }

  function safeCut(text: string): number {
    const regex = currentPattern();
    if (regex === undefined || typeof text !== 'string') return text.length;
    let cut = text.length;
    // Only the last (longest − 1) characters can begin a secret that the next piece completes.
    for (let start = Math.max(0, text.length - (spellings[0] ?? '').length + 1); start < text.length; start += 1) {
      const tail = text.slice(start);
      if (spellings.some((spelling) => spelling.length > tail.length && spelling.startsWith(tail))) {
        cut = start;
        break;
      }
    }
    // Occurrences starting before the cut lie wholly inside `text` (one running past its end would
    // start a longer tail); walking them backwards moves the cut before every one that crosses it.
    const occurrences = [...text.matchAll(regex)];
    for (let index = occurrences.length - 1; index >= 0; index -= 1) {
      const match = occurrences[index] as RegExpExecArray;
      if (match.index < cut && match.index + (match[1] ?? '').length > cut) cut = match.index;
    }
    return cut;
  }

  function redactValue<T>(value: T): T {
    return redactDeep(value, redact, new WeakMap()) as T;
  }

  for (const secret of secrets) add(secret);
  return {
    redact,
    redactValue,
    redactError: (error) => ConclaveError.fromJSON(redactValue(toConclaveError(error).toJSON())),
    add,
    safeCut,
  };
}

function redactDeep(value: unknown, redact: (text: string) => string, seen: WeakMap<object, unknown>): unknown {
  if (typeof value === 'string') return redact(value);
  if (value === null || typeof value !== 'object') return value;
  if (seen.has(value)) return seen.get(value);
  if (Array.isArray(value)) {
    const copy: unknown[] = [];
    seen.set(value, copy);
    for (const item of value) copy.push(redactDeep(item, redact, seen));
    return copy;
  }
  if (isConclaveError(value)) return ConclaveError.fromJSON(redactDeep(value.toJSON(), redact, seen) as ConclaveErrorJSON);
  if (value instanceof Error) {
    // Other errors become plain errors with the same name and a redacted message (stack and cause dropped: they may hold the value).
    const copy = new Error(redact(value.message));
    copy.name = value.name;
    return copy;
  }
  const prototype: unknown = Object.getPrototypeOf(value);
  if (prototype !== Object.prototype && prototype !== null) return value;
  const copy: Record<string, unknown> = {};
  seen.set(value, copy);
  for (const [key, item] of Object.entries(value)) copy[redact(key)] = redactDeep(item, redact, seen);
  return copy;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
