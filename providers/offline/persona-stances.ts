/**
 * What a debate is about, read from plain text: the stances a task allows, the salient words that
 * keep a reply on topic, and the `Final answer: X` lines other agents wrote (with their names when
 * the topology labels them, as in `alice: … Final answer: yes` or `### bob`).
 */

/** A stance another agent took, with its name when one could be found. */
export interface OtherStance {
  name: string | undefined;
  stance: string;
}

const stopWords = new Set(
  (
    'a an the and or but if then than that this these those it its is are was were be been being am do does did ' +
    'done doing have has had having will would shall should can could may might must to of in on at by for with ' +
    'from into onto about over under between among as so such not no yes we you they he she i me my our your ' +
    'their them us what which who whom whose when where why how all any each every some more most much many ' +
    'few other own same very just also only even still yet there here one two use used using make makes made ' +
    'answer answers final question questions task reply respond response give given please think better worse ' +
    'choose prefer pick decide between whether really actually rather best good bad worst right wrong great ideal'
  ).split(' '),
);

/** Words that end an option phrase when read away from the word `or`. */
const optionBoundaryWords = new Set([...stopWords].filter((word) => !['yes', 'no', 'better', 'worse'].includes(word)));

const wordPattern = /[\p{L}\p{N}][\p{L}\p{N}'+#.-]*[\p{L}\p{N}+#]|[\p{L}\p{N}]/gu;

/** Verbs that questions are built around; they make poor topics ("the upside of build"). */
const taskVerbs = new Set(
  (
    'build discuss adopt consider move switch replace start stop allow ban keep invest need want stay become ' +
    'remain take write explain describe evaluate compare argue implement create improve reduce increase require ' +
    'continue help matter happen change support debate assess propose rewrite migrate learn hire fund spend ' +
    'launch ship worth'
  ).split(' '),
);

function isSalient(word: string): boolean {
  const key = word.toLowerCase();
  if (/^[A-Z]{2,}$/.test(word)) return true;
  return word.length >= 4 && !stopWords.has(key) && !taskVerbs.has(key) && !/^\d/.test(word) && !/[a-z]{4}ed$/.test(key);
}

/**
 * Salient phrases of a task, in order of first appearance: runs of up to three adjacent salient
 * words (four letters or more, or an acronym; not a stop word or a common verb), each once. Words
 * listed in `exclude` (the stance options) are left out unless nothing else remains.
 *
 * @example
 * topicWords('Is remote work here to stay?') // → ['remote work']
 * topicWords('Should a startup build its backend on PostgreSQL or MongoDB?', ['PostgreSQL', 'MongoDB'])
 * // → ['startup', 'backend']
 */
export function topicWords(task: string, exclude: readonly string[] = []): string[] {
  const excluded = new Set(exclude.map((word) => word.toLowerCase()));
  const phrases: string[] = [];
  const skipped: string[] = [];
  let run: string[] = [];
  const flush = (): void => {
    if (run.length === 0) return;
    const phrase = run.join(' ');
    const target = excluded.has(phrase.toLowerCase()) ? skipped : phrases;
    if (!target.some((known) => known.toLowerCase() === phrase.toLowerCase())) target.push(phrase);
    run = [];
  };
  let previousEnd = -1;
  for (const match of task.matchAll(wordPattern)) {
    const word = match[0];
    const adjacent = previousEnd >= 0 && /^[ \t]+$/.test(task.slice(previousEnd, match.index));
    if (!adjacent || run.length === 3) flush();
    if (isSalient(word) && !excluded.has(word.toLowerCase())) run.push(word);
    else {
      flush();
      if (isSalient(word)) run.push(word);
      flush();
    }
    previousEnd = match.index + word.length;
  }
  flush();
  return (phrases.length > 0 ? phrases : skipped).slice(0, 8);
}

/** The sentence that poses the question: the first one ending in `?`, else the first one. */
function questionSentence(task: string): string {
  const withoutAnswers = task.replace(/^.*final answer\s*[:：].*$/gim, '');
  const sentences = withoutAnswers.split(/(?<=[.?!])\s+|\n+/).map((sentence) => sentence.trim());
  return sentences.find((sentence) => sentence.endsWith('?')) ?? sentences.find((sentence) => sentence !== '') ?? '';
}

function words(text: string): string[] {
  return [...text.matchAll(wordPattern)].map((match) => match[0]);
}

/** Words read away from `or`, stopping at a boundary word, up to `limit`. */
function optionPhrase(candidates: readonly string[], limit: number): string {
  const taken: string[] = [];
  for (const word of candidates) {
    if (taken.length >= limit || optionBoundaryWords.has(word.toLowerCase())) break;
    taken.push(word);
  }
  return taken.join(' ');
}

/** Options of an "A, B or C" question; empty when the question is not a choice. */
function choiceOptions(sentence: string): string[] {
  const orMatch = /\s+or\s+/i.exec(sentence);
  if (orMatch === null) return [];
  const after = optionPhrase(words(sentence.slice(orMatch.index + orMatch[0].length)), 3);
  if (after === '') return [];
  const width = after.split(' ').length;
  // Options before "or" are comma-separated and follow the last colon ("Which is best: A, B or C?").
  const segments = (sentence.slice(0, orMatch.index).split(':').pop() ?? '').split(/[,;]/);
  const options: string[] = [];
  for (let index = segments.length - 1; index >= 0 && options.length < 2; index -= 1) {
    const segmentWords = words(segments[index] ?? '');
    const limit = index === segments.length - 1 ? width : 3;
    const phrase = optionPhrase([...segmentWords].reverse(), limit);
    if (phrase === '') break;
    const phraseWords = phrase.split(' ');
    options.unshift(phraseWords.reverse().join(' '));
    // A phrase that does not fill its segment is where the question's own words begin.
    if (phraseWords.length < segmentWords.length) break;
  }
  if (options.length === 0) return [];
  const all = [...options, after];
  const unique = new Set(all.map((option) => option.toLowerCase()));
  return unique.size === all.length ? all : [];
}

/**
 * The stances a task allows: the options of an "A or B?" question plus "it depends"; "yes", "no",
 * "it depends" for other questions; "in favour", "against", "mixed" for a statement to discuss.
 *
 * @example
 * deriveStances('Should we use Rust or Go for the backend?') // → ['Rust', 'Go', 'it depends']
 * deriveStances('Is remote work here to stay?')             // → ['yes', 'no', 'it depends']
 * deriveStances('Discuss nuclear power.')                   // → ['in favour', 'against', 'mixed']
 */
export function deriveStances(task: string): string[] {
  const sentence = questionSentence(task);
  const options = choiceOptions(sentence);
  const lowered = options.map((option) => option.toLowerCase());
  if (lowered.includes('yes') && lowered.includes('no')) return ['yes', 'no', 'it depends'];
  if (options.length >= 2) return [...options.slice(0, 3), 'it depends'];
  if (sentence.endsWith('?')) return ['yes', 'no', 'it depends'];
  return ['in favour', 'against', 'mixed'];
}

/**
 * Cleans a stance as written (`**Yes.**`) and maps it onto the task's stances when it starts with
 * one of them (`yes, with caveats` → `yes`).
 *
 * @example
 * normalizeStance('**Yes, mostly.**', ['yes', 'no', 'it depends']) // → 'yes'
 */
export function normalizeStance(raw: string, stances: readonly string[]): string {
  const cleaned = raw
    .toLowerCase()
    .replace(/[*_`"“”'‘’]/g, '')
    .replace(/[.!;,\s]+$/, '')
    .trim()
    .slice(0, 60);
  const byLength = [...stances].sort((left, right) => right.length - left.length);
  const match = byLength.find((stance) => {
    const lowered = stance.toLowerCase();
    return cleaned === lowered || new RegExp(`^${escapeRegExp(lowered)}\\b`).test(cleaned);
  });
  return match ?? cleaned;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

const finalAnswerPattern = /final answer\s*\**\s*[:：]\s*\**\s*(.+?)\s*\**\s*$/i;
const nameLinePattern =
  /^\s*(?:#{1,6}\s*|>\s*|[-*]\s+)?(?:\*\*|__)?\[?([A-Za-z][A-Za-z0-9_-]{0,63})\]?(?:\*\*|__)?\s*(?:\([^)]*\))?\s*(?:said|says|answered|wrote|argued)?\s*(?:[:：]|(?:\*\*|__)?\s*$)/;
const notNames = new Set(
  (
    'final answer answers task question note round previous other others agent agents context input output summary ' +
    'response reply solution solutions you your my here yes no reasoning argument rationale overall conclusion ' +
    'verdict position stance proposal critique feedback explanation analysis'
  ).split(' '),
);

/**
 * `Final answer: X` lines of a text, each with the name that labels its block (the first line of
 * the block that looks like `name:`, `[name]`, `**name**` or `### name`). Placeholders such as
 * `<stance>` in instructions are skipped.
 *
 * @example
 * parseFinalAnswers('alice: We should.\nFinal answer: yes\n\nbob: No.\nFinal answer: no')
 * // → [{ name: 'alice', stance: 'yes' }, { name: 'bob', stance: 'no' }]
 */
export function parseFinalAnswers(text: string): { name: string | undefined; stance: string }[] {
  const found: { name: string | undefined; stance: string }[] = [];
  let name: string | undefined;
  for (const line of text.split('\n')) {
    const answer = finalAnswerPattern.exec(line);
    if (answer !== null) {
      const stance = answer[1] ?? '';
      // A label on the answer line itself ("bob: Final answer: no") names it too.
      const inlineLabel = name === undefined ? nameLinePattern.exec(line.slice(0, answer.index)) : null;
      if (inlineLabel !== null && !notNames.has((inlineLabel[1] ?? '').toLowerCase())) name = inlineLabel[1];
      if (stance !== '' && !/[<>{}]|\.\.\./.test(stance)) found.push({ name, stance });
      name = undefined;
      continue;
    }
    const label = name === undefined ? nameLinePattern.exec(line) : null;
    if (label !== null && !notNames.has((label[1] ?? '').toLowerCase())) name = label[1];
  }
  return found;
}

/**
 * Other agents' stances: the `Final answer` lines of the most recent user message that has any,
 * normalised onto the task's stances.
 *
 * @example
 * findOtherStances([{ role: 'user', content: 'bob: Final answer: No.' }], ['yes', 'no', 'it depends'])
 * // → [{ name: 'bob', stance: 'no' }]
 */
export function findOtherStances(
  messages: readonly { role: string; content: string }[],
  stances: readonly string[],
): OtherStance[] {
  for (let index = messages.length - 1; index >= 0; index -= 1) {
    const message = messages[index];
    if (message?.role !== 'user') continue;
    const answers = parseFinalAnswers(message.content);
    if (answers.length > 0) return answers.map(({ name, stance }) => ({ name, stance: normalizeStance(stance, stances) }));
  }
  return [];
}
