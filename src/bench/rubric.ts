/**
 * Rubric grading: a judge model reads the suite's rubric, the task and one answer, explains its grade
 * and ends with `Score: N` on a scale of 1 to `scale`. The grade is normalised to 0..1 as
 * (N - 1) / (scale - 1), and the check passes from the middle of the scale up (normalised ≥ 0.5).
 *
 * The prompt starts with `rubricPromptMarker` so that a simulated judge (the offline `arith` model)
 * can recognise a grading request; `providers/offline/arith-judge.ts` keeps a copy of the marker
 * (providers never import from src/bench) and a test checks that the two agree.
 */
import type { QualityCheck } from './bench-types.js';

/** The opening words of every rubric prompt; see the module header for who depends on them. */
export const rubricPromptMarker = 'Grade the answer below';

/** The scale used when a suite does not name one. */
export const defaultRubricScale = 10;

/**
 * The judge's prompt for grading one answer against a rubric.
 *
 * @example
 * rubricPrompt('Correct and concise.', 'What is 2+3*4?', 'The answer is 14.')
 * // → 'Grade the answer below against the rubric, on a scale from 1 to 10.\n\n### Task\nWhat is 2+3*4?\n\n…Score: N…'
 */
export function rubricPrompt(rubric: string, task: string, answer: string, scale: number = defaultRubricScale): string {
  return (
    `${rubricPromptMarker} against the rubric, on a scale from 1 to ${scale}.\n\n` +
    `### Task\n${task}\n\n### Rubric\n${rubric}\n\n### Answer\n${answer}\n\n` +
    `Explain your grade in one or two sentences, then end with a line "Score: N", where N is a whole number ` +
    `from 1 (worst) to ${scale} (best).`
  );
}

// `Score: 7`, `Score: 7/10`, `**Score:** 7`, `score = 7 out of 10`; the last such line wins.
const scoreLinePattern = /\bscore\s*\**\s*[:：=]\s*\**\s*(\d+(?:\.\d+)?)\s*\**\s*(?:(?:\/|out of)\s*(\d+))?/gi;
const scoreJsonPattern = /"score"\s*:\s*"?(\d+(?:\.\d+)?)/gi;

/**
 * The grade in a judge's reply: the last `Score: N` line (also `Score: N/10`, `**Score:** N`), else a
 * JSON `"score": N`. Null when there is none or when it lies outside 1..scale.
 *
 * @example
 * parseRubricScore('Clear and correct.\n**Score:** 8/10', 10) // → 8
 * parseRubricScore('{"score": 3}', 5)                         // → 3
 * parseRubricScore('Score: 12', 10)                           // → null
 */
export function parseRubricScore(text: string, scale: number = defaultRubricScale): number | null {
  const lines = [...text.matchAll(scoreLinePattern)];
  const match = lines.length > 0 ? lines[lines.length - 1] : [...text.matchAll(scoreJsonPattern)].pop();
  if (match === undefined) return null;
  const score = Number(match[1]);
  // A grade written against another scale ("Score: 4/5" when asked for 1..10) is not comparable.
  if (match[2] !== undefined && Number(match[2]) !== scale) return null;
  return score >= 1 && score <= scale ? score : null;
}

/**
 * A judge's reply as a quality check: score (N - 1) / (scale - 1), passed from 0.5 up, detail the
 * raw grade (or why there is none).
 *
 * @example
 * rubricCheck('Correct, but terse.\nScore: 7', 10) // → { name: 'rubric', passed: true, score: 0.666…, detail: '7/10' }
 * rubricCheck('I cannot grade this.', 10)         // → { name: 'rubric', passed: false, score: 0, detail: 'the judge gave no "Score: N" (1 to 10)…' }
 */
export function rubricCheck(judgeText: string, scale: number = defaultRubricScale): QualityCheck {
  const grade = parseRubricScore(judgeText, scale);
  if (grade === null) {
    const excerpt = judgeText.trim().replace(/\s+/g, ' ').slice(-120);
    return {
      name: 'rubric',
      passed: false,
      score: 0,
      detail: `the judge gave no "Score: N" (1 to ${scale}); its reply ended: "${excerpt}"`,
    };
  }
  const score = scale <= 1 ? 1 : (grade - 1) / (scale - 1);
  return { name: 'rubric', passed: score >= 0.5, score, detail: `${grade}/${scale}` };
}
