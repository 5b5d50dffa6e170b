/**
 * The `offline/grader` model: a deterministic grader for outcomes, so they run with no key. It
 * reads the `Rubric:` and `Answer:` sections of a grading prompt (`src/kernel/session-outcome.ts`
 * writes them) and checks that every phrase the rubric quotes ("…" or '…') appears in the answer,
 * ignoring case: all there is `satisfied`, otherwise `needs_revision` with feedback naming what is
 * missing. A rubric that quotes nothing is satisfied by any non-empty answer.
 */

/** The text between `start` and `end` (or the end of the prompt): the prompt's own section markers. */
function between(prompt: string, start: string, end: string): string {
  const from = prompt.indexOf(start);
  if (from === -1) return '';
  const to = prompt.indexOf(end, from + start.length);
  return prompt.slice(from + start.length, to === -1 ? undefined : to);
}

/**
 * The grader's reply to a grading prompt.
 *
 * @example
 * writeGrade('…\nRubric:\nMentions "a source".\n\nAnswer:\nUse Postgres.\n\nEnd with two lines: …')
 * // → 'The answer does not yet meet the rubric.\nVerdict: needs_revision\nFeedback: The answer must mention "a source".'
 */
export function writeGrade(prompt: string): string {
  const rubric = between(prompt, '\nRubric:\n', '\n\nAnswer:\n');
  const answer = between(prompt, '\n\nAnswer:\n', '\n\nEnd with two lines:').toLowerCase();
  const phrases = [...rubric.matchAll(/"([^"]+)"|'([^']+)'/g)].map((match) => (match[1] ?? match[2] ?? '').trim()).filter((phrase) => phrase !== '');
  const missing = phrases.filter((phrase) => !answer.includes(phrase.toLowerCase()));
  if (answer.trim() === '') return 'The answer is empty.\nVerdict: needs_revision\nFeedback: Give an answer to the task.';
  if (missing.length === 0) return `The answer meets every point of the rubric.\nVerdict: satisfied\nFeedback: none`;
  return `The answer does not yet meet the rubric.\nVerdict: needs_revision\nFeedback: ${missing.map((phrase) => `The answer must mention "${phrase}".`).join(' ')}`;
}
