/**
 * The offline models and their query parameters: `persona?seed=7&ttft_ms=300` is parsed and
 * validated here, once, into typed options. Every problem is reported with the parameter's name
 * and its allowed values, because these strings are typed by hand into topology documents.
 *
 * Parameters split into three groups. Text parameters (`seed`, `accuracy`, `persona`) change what
 * the model writes; timing (`ttft_ms`, `tokens_per_s`), failure injection (`fail_rate`, `fail`,
 * `retry_after_ms`) and price (`price_in`, `price_out`) never do, so a benchmark can vary latency
 * or failures and still compare identical answers.
 */
import { parseModelRef } from '../../src/protocol/index.js';

/** The simulated models. */
export const offlineModelNames = ['echo', 'persona', 'arith', 'scripted', 'designer', 'grader'] as const;
export type OfflineModelName = (typeof offlineModelNames)[number];

/** The personas the `persona` model can speak as. */
export const personaNames = ['optimist', 'skeptic', 'pragmatist', 'contrarian', 'analyst', 'ethicist'] as const;
export type PersonaName = (typeof personaNames)[number];

/** Kinds of injected failure: HTTP 429, HTTP 500, and a stream cut off halfway. */
export const failureKinds = ['429', '500', 'cut'] as const;
export type FailureKind = (typeof failureKinds)[number];

export interface OfflineModelOptions {
  name: OfflineModelName;
  /** Delay before the first text delta, in milliseconds. */
  ttftMs: number;
  /** Streaming speed; undefined streams the whole text as one delta. */
  tokensPerSecond: number | undefined;
  /** The `seed` parameter, mixed into every draw. */
  seed: number | undefined;
  /** Probability that `arith` gets a question right. */
  accuracy: number;
  /** Persona forced by the `persona` parameter. */
  persona: PersonaName | undefined;
  /** The `scripted` model's script file (`script` parameter). */
  script: string | undefined;
  failRate: number;
  failKinds: readonly FailureKind[];
  retryAfterMs: number;
  priceInPerMillion: number;
  priceOutPerMillion: number;
  /** Model name plus text parameters in a canonical order: the model's part of the text seed. */
  textIdentity: string;
}

export type OfflineModelParseResult =
  | { ok: true; options: OfflineModelOptions }
  | { ok: false; message: string };

interface NumberRule {
  minimum: number;
  maximum?: number;
  exclusiveMinimum?: boolean;
  integer?: boolean;
  /** How the allowed range is written in messages. */
  allowed: string;
}

const numberRules = {
  ttft_ms: { minimum: 0, maximum: 3_600_000, allowed: 'a number of milliseconds from 0 to 3600000' },
  tokens_per_s: { minimum: 0, exclusiveMinimum: true, maximum: 1_000_000, allowed: 'a number greater than 0 (at most 1000000)' },
  seed: { minimum: -2_147_483_648, maximum: 4_294_967_295, integer: true, allowed: 'an integer from -2147483648 to 4294967295' },
  accuracy: { minimum: 0, maximum: 1, allowed: 'a number from 0 to 1' },
  fail_rate: { minimum: 0, maximum: 1, allowed: 'a number from 0 to 1' },
  retry_after_ms: { minimum: 0, maximum: 3_600_000, allowed: 'a number of milliseconds from 0 to 3600000' },
  price_in: { minimum: 0, allowed: 'a number of US dollars per million tokens, 0 or more' },
  price_out: { minimum: 0, allowed: 'a number of US dollars per million tokens, 0 or more' },
} satisfies Record<string, NumberRule>;

type NumberParameter = keyof typeof numberRules;

const commonParameters: readonly string[] = [
  'ttft_ms',
  'tokens_per_s',
  'seed',
  'fail_rate',
  'fail',
  'retry_after_ms',
  'price_in',
  'price_out',
];

const parametersByModel: Record<OfflineModelName, readonly string[]> = {
  echo: commonParameters,
  persona: [...commonParameters, 'persona'],
  arith: [...commonParameters, 'accuracy'],
  scripted: [...commonParameters, 'script'],
  designer: commonParameters,
  grader: commonParameters,
};

const decimalPattern = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;

function parseNumber(parameter: NumberParameter, raw: string, issues: string[]): number | undefined {
  const rule: NumberRule = numberRules[parameter];
  const value = decimalPattern.test(raw.trim()) ? Number(raw) : Number.NaN;
  const belowMinimum = rule.exclusiveMinimum ? value <= rule.minimum : value < rule.minimum;
  const aboveMaximum = rule.maximum !== undefined && value > rule.maximum;
  if (!Number.isFinite(value) || belowMinimum || aboveMaximum || (rule.integer && !Number.isInteger(value))) {
    issues.push(`${parameter} must be ${rule.allowed}, got "${raw}"`);
    return undefined;
  }
  return value;
}

function parseFailKinds(raw: string, issues: string[]): FailureKind[] | undefined {
  const kinds = raw.split(',').map((kind) => kind.trim());
  const unknown = kinds.filter((kind) => !(failureKinds as readonly string[]).includes(kind));
  if (raw.trim() === '' || unknown.length > 0) {
    issues.push(`fail must be a comma-separated list of ${failureKinds.join(', ')}, got "${raw}"`);
    return undefined;
  }
  return failureKinds.filter((kind) => kinds.includes(kind));
}

const parseCache = new Map<string, OfflineModelParseResult>();
const parseCacheLimit = 512;

/**
 * Parses and validates an offline model id with its query string. Accepts the id inside the
 * provider (`persona?seed=7`) or the full reference (`offline/persona?seed=7`). Results are cached,
 * because pipelines call the same model many times.
 *
 * @example
 * parseOfflineModel('arith?accuracy=0.6&seed=3')
 * // → { ok: true, options: { name: 'arith', accuracy: 0.6, seed: 3, ttftMs: 0, … } }
 * parseOfflineModel('arith?accuracy=2')
 * // → { ok: false, message: 'offline/arith: accuracy must be a number from 0 to 1, got "2"' }
 */
export function parseOfflineModel(model: string): OfflineModelParseResult {
  const cached = parseCache.get(model);
  if (cached !== undefined) return cached;
  const result = parseUncached(model);
  if (parseCache.size >= parseCacheLimit) parseCache.clear();
  parseCache.set(model, result);
  return result;
}

function parseUncached(model: string): OfflineModelParseResult {
  const reference = parseModelRef(model.startsWith('offline/') ? model : `offline/${model}`);
  const name = reference?.name ?? '';
  if (reference === undefined || !(offlineModelNames as readonly string[]).includes(name)) {
    return {
      ok: false,
      message: `unknown offline model "${name || model}"; the offline models are ${offlineModelNames.join(', ')}`,
    };
  }
  const modelName = name as OfflineModelName;
  const allowedParameters = parametersByModel[modelName];
  const issues: string[] = [];
  const numbers: Partial<Record<NumberParameter, number>> = {};
  let failKinds: readonly FailureKind[] = failureKinds;
  let persona: PersonaName | undefined;
  let script: string | undefined;

  for (const [parameter, raw] of Object.entries(reference.params)) {
    if (!allowedParameters.includes(parameter)) {
      issues.push(`unknown parameter "${parameter}"; offline/${modelName} accepts ${allowedParameters.join(', ')}`);
    } else if (parameter === 'fail') {
      failKinds = parseFailKinds(raw, issues) ?? failKinds;
    } else if (parameter === 'script') {
      if (raw.trim() === '') issues.push('script must be the path of a YAML script file');
      else script = raw;
    } else if (parameter === 'persona') {
      if ((personaNames as readonly string[]).includes(raw)) persona = raw as PersonaName;
      else issues.push(`persona must be one of ${personaNames.join(', ')}, got "${raw}"`);
    } else {
      const value = parseNumber(parameter as NumberParameter, raw, issues);
      if (value !== undefined) numbers[parameter as NumberParameter] = value;
    }
  }
  if (modelName === 'scripted' && script === undefined && issues.length === 0) issues.push('needs script=<path of a YAML script file>');
  if (issues.length > 0) return { ok: false, message: `offline/${modelName}: ${issues.join('; ')}` };

  const accuracy = numbers.accuracy ?? 0.7;
  const textParts: string[] = [modelName];
  if (numbers.seed !== undefined) textParts.push(`seed=${numbers.seed}`);
  if (modelName === 'arith') textParts.push(`accuracy=${accuracy}`);
  if (persona !== undefined) textParts.push(`persona=${persona}`);
  if (script !== undefined) textParts.push(`script=${script}`);

  return {
    ok: true,
    options: {
      name: modelName,
      ttftMs: numbers.ttft_ms ?? 0,
      tokensPerSecond: numbers.tokens_per_s,
      seed: numbers.seed,
      accuracy,
      persona,
      script,
      failRate: numbers.fail_rate ?? 0,
      failKinds,
      retryAfterMs: numbers.retry_after_ms ?? 100,
      priceInPerMillion: numbers.price_in ?? 0,
      priceOutPerMillion: numbers.price_out ?? 0,
      textIdentity: textParts.join('&'),
    },
  };
}
