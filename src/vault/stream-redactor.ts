/**
 * Redaction for text that arrives in pieces (a model's live deltas). Redacting each piece alone
 * lets a secret through when it is split across two pieces: each half is harmless, the two joined
 * are the key. A stream redactor holds back the tail of what it has seen for as long as that tail
 * could be the beginning of a secret — never more than the longest secret's length minus one, and
 * nothing at all when no secret starts that way — so ordinary text is not delayed needlessly.
 *
 * The guarantee: for any split of a text into pieces, the pieces `push` returns followed by what
 * `flush` returns join into exactly `redactor.redact(text)`; no returned piece holds a secret, and
 * neither does any run of them.
 */
import type { Redactor } from './redactor.js';

export interface StreamRedactor {
  /** Takes the next piece; returns the redacted text that is safe to release now (maybe ''). */
  push(text: string): string;
  /** Ends the stream: returns the redacted rest of the text held back. */
  flush(): string;
  /**
   * Forgets the text held back without releasing it — for a stream that failed, whose text is
   * superseded anyway: a held tail may be the first part of a secret.
   */
  discard(): void;
}

/**
 * A stream redactor over `redactor`'s secrets (secrets added to it later apply from the next piece).
 *
 * @example
 * const stream = createStreamRedactor(createRedactor([{ name: 'KEY', value: 'sk-abc123' }]));
 * stream.push('my key is sk-ab') // → 'my key is '
 * stream.push('c123, done')     // → '[secret:KEY], done'
 * stream.flush()                // → ''
 */
export function createStreamRedactor(redactor: Redactor): StreamRedactor {
  let held = '';
  return {
    push(text) {
      const buffer = held + text;
      const cut = redactor.safeCut(buffer);
      held = buffer.slice(cut);
      return cut === 0 ? '' : redactor.redact(buffer.slice(0, cut));
    },
    flush() {
      const rest = held;
      held = '';
      return rest === '' ? '' : redactor.redact(rest);
    },
    discard() {
      held = '';
    },
  };
}
