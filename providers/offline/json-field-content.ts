/**
 * What goes inside the offline models' JSON: the words and choices that make a structured answer
 * read like the model's prose answer to the same conversation. `json-writer.ts` decides the shape
 * from the schema; this module decides the content from a field's name and the conversation.
 *
 * Fields are classified by the last word of their name (`finalAnswer` → `answer`,
 * `next_instruction` → `instruction`): answer-like names get the model's answer, prose-like names a
 * short sentence, label-like names a salient phrase of the task. Sentences come from the model's
 * own writer (persona prose, the arith working, or the echoed user message), each drawn with its
 * own seed derived from the request's text seed, so the JSON changes whenever the prose would.
 */
import type { GenerateRequest } from '../../src/protocol/index.js';
import { writeArithAnswer, parseArithAnswers } from './arith-solver.js';
import { firstUserContent, lastContent } from './offline-conversation.js';
import type { OfflineModelOptions } from './offline-model-options.js';
import { normalizeStance, parseFinalAnswers, topicWords, deriveStances } from './persona-stances.js';
import { writePersonaAnswer } from './persona-writer.js';
import { writeDesign } from './topology-designer.js';
import { writeGrade } from './outcome-grader.js';
import { createSeededRandom, deriveSeed, type SeededRandom } from './seeded-random.js';

/** Everything the JSON writer reads: the request, the parsed model, and the request's text seed. */
export interface JsonWriterContext {
  request: GenerateRequest;
  options: OfflineModelOptions;
  /** The seed the model's prose is written from (`textSeedOf`). */
  textSeed: number;
}

/** How a field's name shapes its content. */
export type FieldKind = 'answer' | 'prose' | 'label' | 'identifier' | 'approval' | 'plain';

const answerWords = new Set(['answer', 'stance', 'position', 'decision', 'choice', 'vote', 'conclusion', 'solution']);
const proseWords = new Set(
  (
    'instruction instructions feedback reason reasons reasoning rationale explanation critique comment comments ' +
    'summary description argument arguments justification response message content text analysis note notes ' +
    'suggestion suggestions plan thought thoughts detail details task question query goal objective output ' +
    'result draft revision step steps issue issues improvement improvements point points evidence'
  ).split(' '),
);
const labelWords = new Set(['title', 'topic', 'subject', 'name', 'label', 'keyword', 'keywords', 'category', 'tag', 'tags', 'heading']);
const identifierWords = new Set(['id', 'key', 'slug', 'identifier']);
const approvalWords = new Set(['approve', 'approved', 'accept', 'accepted', 'pass', 'passed', 'satisfied', 'done', 'complete', 'finished']);

/**
 * Classifies a field by the last word of its name (camelCase, snake_case and kebab-case split).
 *
 * @example
 * classifyField('finalAnswer')      // → 'answer'
 * classifyField('next_instruction') // → 'prose'
 * classifyField('isComplete')       // → 'approval'
 * classifyField('count')            // → 'plain'
 */
export function classifyField(name: string | undefined): FieldKind {
  const words = (name ?? '')
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter((word) => word !== '');
  const last = words[words.length - 1] ?? '';
  if (answerWords.has(last)) return 'answer';
  if (proseWords.has(last)) return 'prose';
  if (labelWords.has(last)) return 'label';
  if (identifierWords.has(last)) return 'identifier';
  if (approvalWords.has(last)) return 'approval';
  return 'plain';
}

/**
 * Probability that a reviewer approves after `priorAssistantTurns` turns of its conversation (or
 * when the conversation states `Round N` / `iteration N`, after N − 1 turns, whichever is more):
 * 0.3, 0.6, then 0.9 (at most 0.95), so reflection loops usually end within one to three rounds.
 *
 * @example
 * approvalProbability(0) // → 0.3
 * approvalProbability(2) // → 0.9
 */
export function approvalProbability(priorAssistantTurns: number): number {
  return Math.min(0.95, (3 + 3 * Math.max(0, priorAssistantTurns)) / 10);
}

/** The content source the JSON writer asks for words, answers and choices. */
export interface FieldContent {
  /** One or two sentences in the model's voice. */
  sentence(random: SeededRandom): string;
  /** A salient phrase of the task. */
  phrase(random: SeededRandom): string;
  /** The model's whole prose reply to the request, as it would be written without `responseFormat`. */
  reply(): string;
  /** The model's answer: the persona's stance, the arith number, the echoed message. */
  answer(): string | number | undefined;
  /** Whether a reviewer approves now (see `approvalProbability`). */
  approves(random: SeededRandom): boolean;
  /** A value of a non-empty enum, chosen by the rules in `json-writer.ts`'s header. */
  pickEnum(values: readonly unknown[], kind: FieldKind, random: SeededRandom): unknown;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** True when `text` contains `value` as a whole word, ignoring case. */
function mentions(text: string, value: string): boolean {
  if (value.trim() === '') return false;
  return new RegExp(`(?:^|[^\\p{L}\\p{N}_])${escapeRegExp(value)}(?:$|[^\\p{L}\\p{N}_])`, 'iu').test(text);
}

/** Words of four letters or more, with a plural `s` dropped so that `scripts` meets `script`. */
function contentWords(text: string): Set<string> {
  return new Set((text.toLowerCase().match(/[\p{L}\p{N}]{4,}/gu) ?? []).map((word) => (word.length > 4 ? word.replace(/(?<!s)s$/, '') : word)));
}

/**
 * Weights for enum values read from the conversation: values it never mentions get no weight (or
 * all get 1 when none is mentioned); a mentioned value gains 2 per word its describing lines share
 * with the user's lines that mention no value — so a router tends to pick the agent whose
 * description matches the task.
 */
function conversationWeights(values: readonly string[], request: GenerateRequest): number[] {
  const lines = [request.system ?? '', ...request.messages.map((message) => message.content)].join('\n').split('\n');
  const mentioned = values.map((value) => lines.some((line) => mentions(line, value)));
  if (!mentioned.some(Boolean)) return values.map(() => 1);
  const taskWords = new Set<string>();
  for (const message of request.messages) {
    if (message.role !== 'user') continue;
    for (const line of message.content.split('\n')) {
      if (!values.some((value) => mentions(line, value))) for (const word of contentWords(line)) taskWords.add(word);
    }
  }
  return values.map((value, index) => {
    if (!mentioned[index]) return 0;
    const described = contentWords(lines.filter((line) => mentions(line, value)).join('\n'));
    let shared = 0;
    for (const word of described) if (taskWords.has(word) && word !== value.toLowerCase()) shared += 1;
    return 1 + 2 * shared;
  });
}

/**
 * The highest round a conversation states (`Round 3`, `iteration: 2`, `revision #2`), 0 when none:
 * topologies that give a reviewer a fresh conversation each round can still show it how far along it is.
 */
function statedRound(request: GenerateRequest): number {
  const text = [request.system ?? '', ...request.messages.map((message) => message.content)].join('\n');
  let highest = 0;
  for (const match of text.matchAll(/\b(?:iteration|round|revision|attempt)\s*[#:]?\s*(\d{1,3})\b/gi)) highest = Math.max(highest, Number(match[1]));
  return highest;
}

function splitSentences(prose: string): string[] {
  return prose
    .split(/(?<=[.!?"])\s+(?=[A-Z])/)
    .map((sentence) => sentence.trim())
    .filter((sentence) => sentence !== '');
}

/**
 * Builds the content source for one request. Expensive parts (the model's own answer) are computed
 * once, on first use.
 *
 * @example
 * const content = createFieldContent({ request, options, textSeed });
 * content.answer(); // → 'yes' for a persona, 76 for arith, the last user message for echo
 */
export function createFieldContent(context: JsonWriterContext): FieldContent {
  const { request, options, textSeed } = context;
  const task = firstUserContent(request.messages);
  const lastUser = lastContent(request.messages, 'user') ?? '';
  const phrases = topicWords(task, deriveStances(task));
  const priorAssistantTurns = Math.max(request.messages.filter((message) => message.role === 'assistant').length, statedRound(request) - 1);
  let sentenceCount = 0;
  let cachedReply: string | undefined;

  const reply = (): string => {
    if (cachedReply !== undefined) return cachedReply;
    switch (options.name) {
      case 'echo':
        cachedReply = lastUser;
        break;
      case 'persona':
        cachedReply = writePersonaAnswer(request, options, textSeed);
        break;
      case 'arith':
        cachedReply = writeArithAnswer(request, options, createSeededRandom(textSeed));
        break;
      case 'scripted':
        cachedReply = '';
        break;
      case 'grader':
        cachedReply = writeGrade(request.messages.at(-1)?.content ?? '');
        break;
      case 'designer':
        cachedReply = writeDesign(request.messages.map((message) => message.content).join('\n\n'));
        break;
    }
    return cachedReply;
  };
  const answer = (): string | number | undefined => {
    if (options.name === 'persona') return parseFinalAnswers(reply()).pop()?.stance;
    if (options.name === 'arith') return parseArithAnswers(reply()).pop();
    return reply();
  };

  const phrase = (random: SeededRandom): string => (phrases.length > 0 ? random.pick(phrases) : 'the request');

  const sentence = (random: SeededRandom): string => {
    if (options.name === 'echo') return lastUser.trim() === '' ? `About ${phrase(random)}.` : lastUser;
    if (options.name === 'arith') return reply();
    sentenceCount += 1;
    const prose = writePersonaAnswer(request, options, deriveSeed(textSeed, 'json-sentence', sentenceCount)).split('\nFinal answer:')[0] ?? '';
    // The closing sentence only restates the stance, which answer-like fields already carry.
    const sentences = splitSentences(prose).slice(0, -1);
    if (sentences.length === 0) return `About ${phrase(random)}.`;
    const start = random.integer(0, sentences.length - 1);
    return sentences.slice(start, start + random.integer(1, 2)).join(' ');
  };

  const approves = (random: SeededRandom): boolean => random.chance(approvalProbability(priorAssistantTurns));

  const pickEnum = (values: readonly unknown[], kind: FieldKind, random: SeededRandom): unknown => {
    const lowered = values.map((value) => (typeof value === 'string' ? value.toLowerCase() : undefined));
    const approveIndex = lowered.indexOf('approve');
    if (approveIndex !== -1 && lowered.includes('revise')) {
      if (approves(random)) return values[approveIndex];
      return random.pick(values.filter((_, index) => index !== approveIndex));
    }
    if (kind === 'answer') {
      const own = answer();
      const ownText = own === undefined ? undefined : String(own).toLowerCase();
      const match = values.find((value) => typeof value === 'string' && normalizeStance(value, []) === ownText);
      if (match !== undefined) return match;
      const exact = values.find((value) => value === own || (ownText !== undefined && String(value).toLowerCase() === ownText));
      if (exact !== undefined) return exact;
    }
    const strings = values.filter((value): value is string => typeof value === 'string');
    if (strings.length !== values.length) return random.pick(values);
    return strings[random.weightedIndex(conversationWeights(strings, request))];
  };

  return { sentence, phrase, reply, answer, approves, pickEnum };
}
