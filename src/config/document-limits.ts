/**
 * How big a topology document may be before it is refused with `document_too_large`: its size in
 * bytes, how deeply it nests, how many entries it has, and how many agents. The limits are checked
 * before the work they bound (the byte count before parsing, the nesting before anything recurses),
 * so an oversized document costs a linear scan, never a blocked event loop or a stack overflow.
 *
 * Two presets: `defaultDocumentLimits`, generous, for documents a user runs locally; and
 * `untrustedDocumentLimits`, tighter, for documents a server receives from its callers.
 */
import { ConclaveError, type ErrorLocation } from '../protocol/index.js';

/** The limits on one document. Each is inclusive: a document at the limit is accepted. */
export interface DocumentLimits {
  /** Size of the text in UTF-8 bytes. */
  bytes: number;
  /** Nesting of mappings and lists: `{ a: [1] }` is 2 deep. */
  depth: number;
  /** Entries in the whole document: every mapping key plus every list item, at any depth. */
  keys: number;
  /** Agent slots, counting the agents of nested topologies and the nested slots themselves. */
  agents: number;
}

/** The name of one limit, as written under `limits:` (`limits.depth`). */
export type DocumentLimitName = keyof DocumentLimits;

/** For documents a user runs from the command line or an operator puts in a server's directory. */
export const defaultDocumentLimits: Readonly<DocumentLimits> = Object.freeze({
  bytes: 4 * 1024 * 1024,
  depth: 64,
  keys: 100_000,
  agents: 500,
});

/** For documents a server receives from its callers (inline YAML, JSON text or a JSON object). */
export const untrustedDocumentLimits: Readonly<DocumentLimits> = Object.freeze({
  bytes: 1024 * 1024,
  depth: 32,
  keys: 10_000,
  agents: 100,
});

/** Limits as a caller may give them, and where they come from (named in the hint of the error). */
export interface DocumentLimitOptions {
  /** Overrides of some limits; the others come from `defaultDocumentLimits`. */
  limits?: Partial<DocumentLimits> | undefined;
  /** Where a user changes these limits, e.g. "the policy's limits section". */
  limitsSource?: string | undefined;
}

/** Limits resolved for one parse, with the place they are set. */
export interface ResolvedDocumentLimits extends DocumentLimits {
  source: string;
}

const defaultSource = 'the `limits` given to parseTopologyDocument or createDocumentCatalog';

/**
 * Fills the limits a caller left out from `base` (the defaults unless said otherwise).
 *
 * @example
 * resolveDocumentLimits({ limits: { depth: 16 } }).depth   // → 16
 * resolveDocumentLimits({}).keys                           // → 100000
 */
export function resolveDocumentLimits(options: DocumentLimitOptions = {}, base: Readonly<DocumentLimits> = defaultDocumentLimits): ResolvedDocumentLimits {
  const resolved: ResolvedDocumentLimits = { ...base, source: options.limitsSource ?? defaultSource };
  for (const name of Object.keys(base) as DocumentLimitName[]) {
    const value = options.limits?.[name];
    if (typeof value === 'number' && !Number.isNaN(value)) resolved[name] = value;
  }
  return resolved;
}

const measures: Record<DocumentLimitName, { verb: string; amount: (count: string, plural: boolean) => string; advice: string }> = {
  bytes: { verb: 'is', amount: (count) => count, advice: 'send a smaller document' },
  depth: { verb: 'nests', amount: (count, plural) => `${count} level${plural ? 's' : ''} deep`, advice: 'flatten the document' },
  keys: { verb: 'has', amount: (count, plural) => `${count} entr${plural ? 'ies' : 'y'} (mapping keys and list items)`, advice: 'split the document' },
  agents: { verb: 'has', amount: (count, plural) => `${count} agent${plural ? 's' : ''} (counting those of nested topologies and spawn rosters)`, advice: 'use fewer agents' },
};

function formatAmount(name: DocumentLimitName, count: number): string {
  return name === 'bytes' ? formatBytes(count) : formatNumber(count);
}

/**
 * The `document_too_large` error for one limit: what was found (or, when the count stopped at the
 * limit, that it was more), the limit, and how to change it.
 *
 * @example
 * throw documentTooLargeError('depth', 5000, resolveDocumentLimits(), { file: 'deep.yaml', line: 65, column: 129 });
 * // message: 'the document nests 5,000 levels deep, more than the limit of 64 (limits.depth)'
 * documentTooLargeError('keys', undefined, resolveDocumentLimits()).message
 * // → 'the document has more than 100,000 entries (mapping keys and list items) (limits.keys)'
 */
export function documentTooLargeError(name: DocumentLimitName, found: number | undefined, limits: ResolvedDocumentLimits, location?: ErrorLocation): ConclaveError {
  const measure = measures[name];
  const limit = limits[name];
  const message =
    found === undefined
      ? `the document ${measure.verb} more than ${measure.amount(formatAmount(name, limit), limit !== 1)} (limits.${name})`
      : `the document ${measure.verb} ${measure.amount(formatAmount(name, found), found !== 1)}, more than the limit of ${formatAmount(name, limit)} (limits.${name})`;
  return new ConclaveError('document_too_large', message, {
    ...(location === undefined ? {} : { location }),
    hint: `${measure.advice}, or raise limits.${name} in ${limits.source}`,
  });
}

/**
 * Whether an error is V8's stack overflow (a `RangeError`, like a few other errors that are not).
 *
 * @example
 * isStackOverflow(new RangeError('Maximum call stack size exceeded')) // → true
 */
export function isStackOverflow(error: unknown): error is RangeError {
  return error instanceof RangeError && /call stack/i.test(error.message);
}

/**
 * The error for a document whose reading or validation ran out of stack although it was within
 * the limits: reading, when `limits.depth` was raised far above the default; validating, when
 * something chains rather than nests (a dag whose edges form one very long path).
 *
 * @example
 * throw stackExhaustedError('read', resolveDocumentLimits({ limits: { depth: 100000 } }), { file: 'deep.yaml' }, error);
 */
export function stackExhaustedError(stage: 'read' | 'validate', limits: ResolvedDocumentLimits, location: ErrorLocation | undefined, cause: unknown): ConclaveError {
  const read = stage === 'read';
  const message = read ? 'the document nests too deeply to be read (the stack ran out)' : 'the document is too large to validate (the stack ran out)';
  const hint = read
    ? `flatten the document, or lower limits.depth (now ${formatNumber(limits.depth)}) in ${limits.source} so that such documents are refused up front`
    : 'something in it nests or chains too deeply, such as a dag whose edges form one very long path; make it shallower or split it';
  return new ConclaveError('document_too_large', message, { ...(location === undefined ? {} : { location }), hint, cause });
}

/**
 * Thousands separators, as messages write counts.
 *
 * @example
 * formatNumber(199950) // → '199,950'
 */
export function formatNumber(count: number): string {
  return count.toLocaleString('en-US');
}

function formatBytes(bytes: number): string {
  if (bytes >= 1024 * 1024) return `${formatNumber(Math.round((bytes / (1024 * 1024)) * 10) / 10)} MiB (${formatNumber(bytes)} bytes)`;
  if (bytes >= 1024) return `${formatNumber(Math.round((bytes / 1024) * 10) / 10)} KiB (${formatNumber(bytes)} bytes)`;
  return `${formatNumber(bytes)} bytes`;
}
