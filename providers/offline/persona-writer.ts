/**
 * The `persona` model: readable, deterministic debate prose. Rules:
 * - Persona: the `persona` parameter, else the persona whose keyword appears first in the system
 *   prompt (optimist, skeptic, pragmatist, contrarian, analyst, ethicist), else one picked by a
 *   hash of the system prompt and seeds — stable for an agent across rounds.
 * - Stances come from the task (the first user message): the options of an "A or B?" question plus
 *   "it depends", else "yes" / "no" / "it depends" for a question, else "in favour" / "against" /
 *   "mixed". The agent's first stance is a draw weighted by its persona's lean, seeded by the
 *   persona, task, system prompt and seeds only, so it does not change from round to round; later
 *   it keeps the stance of its own last reply (`Final answer:` in the last assistant message).
 * - Debate: other agents' answers are the `Final answer: X` lines of the most recent user message
 *   that has any. When a strict majority of them share a stance different from the agent's, it
 *   adopts that stance with probability susceptibility × min(0.95, 0.15 + 0.5 × agreeing / others
 *   + 0.1 × min(agreeing, 4)), susceptibility ranging from 0.35 (contrarian) to 0.95 (pragmatist).
 *   Repeated rounds therefore often converge, but not always.
 * - Text: an opener in the persona's voice, 0–2 supporting sentences, one sentence engaging with the
 *   others by name when they are labelled, and a closing sentence — 2 to 5 in all — reusing salient
 *   words of the task, then a line `Final answer: <stance>`. Words are drawn from the text seed, so
 *   the prose changes whenever the conversation does.
 */
import type { GenerateRequest } from '../../src/protocol/index.js';
import { firstUserContent, lastContent } from './offline-conversation.js';
import { personaNames, type OfflineModelOptions, type PersonaName } from './offline-model-options.js';
import { closingTemplates, engagementTemplates, personaVoices } from './persona-voices.js';
import { deriveStances, findOtherStances, normalizeStance, parseFinalAnswers, topicWords, type OtherStance } from './persona-stances.js';
import { createSeededRandom, hashStrings, type SeededRandom } from './seeded-random.js';

/** Second topics for a task with a single salient phrase, so no sentence names it twice. */
const secondTopicFallbacks = ['the trade-offs', 'the rollout', 'the transition'] as const;

/**
 * Which persona a request speaks as (see the module header).
 *
 * @example
 * selectPersona({ persona: undefined, seed: undefined }, { model: 'persona', system: 'You are a cautious skeptic.', messages: [] })
 * // → 'skeptic'
 */
export function selectPersona(
  options: Pick<OfflineModelOptions, 'persona' | 'seed'>,
  request: GenerateRequest,
): PersonaName {
  if (options.persona !== undefined) return options.persona;
  const system = (request.system ?? '').toLowerCase();
  let best: { persona: PersonaName; position: number } | undefined;
  for (const persona of personaNames) {
    for (const keyword of personaVoices[persona].keywords) {
      const position = system.indexOf(keyword);
      if (position !== -1 && (best === undefined || position < best.position)) best = { persona, position };
    }
  }
  if (best !== undefined) return best.persona;
  const hash = hashStrings(['persona', request.system ?? '', String(options.seed ?? ''), String(request.seed ?? '')]);
  return personaNames[hash % personaNames.length] as PersonaName;
}

/** Weights over the stances from a persona's lean; choice options share the first two leans. */
function stanceWeights(persona: PersonaName, stances: readonly string[], task: string): number[] {
  const [first, second, undecided] = personaVoices[persona].lean;
  const isChoice = stances[0] !== 'yes' && stances[0] !== 'in favour';
  // For "A or B" the first option is not special: which option a persona favours depends on the task.
  const [forFirst, forSecond] = isChoice && hashStrings([persona, task]) % 2 === 1 ? [second, first] : [first, second];
  return stances.map((_, index) => {
    if (index === stances.length - 1) return undecided;
    if (index === 0) return forFirst;
    if (index === 1) return forSecond;
    return (first + second) / 2;
  });
}

function strictMajority(others: readonly OtherStance[]): { stance: string; count: number } | undefined {
  const counts = new Map<string, number>();
  for (const other of others) counts.set(other.stance, (counts.get(other.stance) ?? 0) + 1);
  for (const [stance, count] of counts) if (count * 2 > others.length) return { stance, count };
  return undefined;
}

/** Probability of adopting the majority's stance (see the module header). */
function adoptionProbability(persona: PersonaName, agreeing: number, others: number): number {
  const pull = Math.min(0.95, 0.15 + (0.5 * agreeing) / others + 0.1 * Math.min(agreeing, 4));
  return personaVoices[persona].susceptibility * pull;
}

function joinNames(names: readonly string[]): string {
  if (names.length <= 1) return names.join('');
  return `${names.slice(0, -1).join(', ')} and ${names[names.length - 1]}`;
}

function namesOf(others: readonly OtherStance[], stance: string): string[] {
  const names = others.filter((other) => other.stance === stance && other.name !== undefined).map((other) => other.name as string);
  return [...new Set(names)];
}

interface Fill {
  topic: string;
  topic2: string;
  stance: string;
  names?: string;
  other?: string;
  previous?: string;
}

function fill(template: string, values: Fill): string {
  const text = template.replace(/\{(topic2|topic|stance|names|other|previous)\}/g, (_, key: keyof Fill) => values[key] ?? '');
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/** Picks `count` different items. */
function pickDistinct(random: SeededRandom, items: readonly string[], count: number): string[] {
  const remaining = [...items];
  const picked: string[] = [];
  while (picked.length < count && remaining.length > 0) {
    picked.push(...remaining.splice(random.integer(0, remaining.length - 1), 1));
  }
  return picked;
}

function engagementSentence(
  random: SeededRandom,
  others: readonly OtherStance[],
  stance: string,
  previous: string | undefined,
  values: Fill,
): string {
  if (previous !== undefined) {
    const names = namesOf(others, stance);
    return fill(random.pick(engagementTemplates.switched), { ...values, names: joinNames(names) || 'the other agents', previous });
  }
  const agreeing = namesOf(others, stance);
  if (others.some((other) => other.stance === stance)) {
    const templates = agreeing.length > 0 ? engagementTemplates.agreeNamed : engagementTemplates.agreeUnnamed;
    return fill(random.pick(templates), { ...values, names: joinNames(agreeing) });
  }
  const counts = new Map<string, number>();
  for (const other of others) counts.set(other.stance, (counts.get(other.stance) ?? 0) + 1);
  const [other] = [...counts.entries()].sort((left, right) => right[1] - left[1])[0] ?? [''];
  const disagreeing = namesOf(others, other);
  const templates = disagreeing.length > 0 ? engagementTemplates.disagreeNamed : engagementTemplates.disagreeUnnamed;
  return fill(random.pick(templates), { ...values, names: joinNames(disagreeing), other });
}

/**
 * Writes the `persona` model's reply (see the module header for the rules).
 *
 * @example
 * writePersonaAnswer({ model: 'persona', system: 'You are an optimist.', messages: [{ role: 'user', content: 'Should we adopt remote work?' }] }, options, textSeed)
 * // → 'The case for remote work is stronger than it first looks. … On balance, my answer is "yes".\nFinal answer: yes'
 */
export function writePersonaAnswer(request: GenerateRequest, options: OfflineModelOptions, textSeed: number): string {
  const task = firstUserContent(request.messages);
  const stances = deriveStances(task);
  const persona = selectPersona(options, request);
  const voice = personaVoices[persona];

  const stanceRandom = createSeededRandom(
    hashStrings(['stance', options.textIdentity, String(request.seed ?? ''), request.system ?? '', task, persona]),
  );
  const firstStance = stances[stanceRandom.weightedIndex(stanceWeights(persona, stances, task))] ?? 'it depends';
  const ownPrevious = parseFinalAnswers(lastContent(request.messages, 'assistant') ?? '').pop();
  let stance = ownPrevious === undefined ? firstStance : normalizeStance(ownPrevious.stance, stances);

  const random = createSeededRandom(textSeed);
  const others = findOtherStances(request.messages, stances);
  const majority = strictMajority(others);
  let switchedFrom: string | undefined;
  if (majority !== undefined && majority.stance !== stance && random.chance(adoptionProbability(persona, majority.count, others.length))) {
    switchedFrom = stance;
    stance = majority.stance;
  }

  const words = topicWords(task, stances);
  const [topic = 'this question', topic2 = random.pick(secondTopicFallbacks)] = pickDistinct(random, words, 2);
  const values: Fill = { topic, topic2, stance };
  const sentences = [fill(random.pick(voice.openers), values)];
  const supportCount = random.integer(0, 2);
  for (const support of pickDistinct(random, voice.supports, supportCount)) sentences.push(fill(support, values));
  if (others.length > 0) sentences.push(engagementSentence(random, others, stance, switchedFrom, values));
  sentences.push(fill(random.pick(closingTemplates), values));
  const handoff = handoffLine(lastContent(request.messages, 'user') ?? '', random);
  return `${sentences.join(' ')}\nFinal answer: ${stance}${handoff}`;
}

/**
 * When the request asks to hand the conversation over (a group chat's `NEXT: <name>` rule, with
 * the names after "one of:"), a last line naming someone other than the speaker ("You are X"),
 * drawn from the text seed; '' otherwise.
 *
 * @example
 * handoffLine('You are ada, one of: ada, bob. … add a last line "NEXT: <name>" … (one of: ada, bob).', random) // → '\nNEXT: bob'
 */
export function handoffLine(prompt: string, random: SeededRandom): string {
  if (!prompt.includes('"NEXT: <name>"')) return '';
  const listed = /NEXT: <name>"[^(]*\(one of: ([^)]*)\)/.exec(prompt)?.[1];
  if (listed === undefined) return '';
  const speaker = /You are ([^,.\n]+)/.exec(prompt)?.[1]?.trim();
  const names = listed.split(',').map((name) => name.trim()).filter((name) => name !== '' && name !== speaker);
  return names.length === 0 ? '' : `\nNEXT: ${random.pick(names)}`;
}
