/**
 * Pairwise head-to-head: for each prompt (the first `scoring.pairwise.prompts`, repeat 0), one
 * round-robin session of the tournament topology in which the candidates are the contestants,
 * answering with what they answered in the benchmark (`recorded-answers-provider.ts`), and the
 * judge is the suite's judge model. The tournament plays every pair twice with the order swapped,
 * so a judge's position bias becomes a draw. The matches of all tournaments give the win-rate
 * matrix and the Bradley–Terry ranking with bootstrap intervals (`pairwise-stats.ts`).
 */
import { deriveSeed } from '../kernel/index.js';
import type { ModelAgent } from '../protocol/index.js';
import type { BenchContext } from './bench-context.js';
import type { BenchSample, PairwiseResult } from './bench-types.js';
import { pairwiseMatchOf, pairwiseStats } from './pairwise-stats.js';
import { withRecordedAnswers } from './recorded-answers-provider.js';
import type { RunDirectory, TournamentRecord } from './run-directory.js';
import type { BenchPrompt } from './suite-schema.js';

interface MatchDetail {
  a: string;
  b: string;
  winner: string | null;
}

/** The prompts that get a tournament. */
export function pairwisePrompts(context: BenchContext): BenchPrompt[] {
  const pairwise = context.suite.scoring.pairwise;
  if (pairwise === undefined) return [];
  return context.suite.prompts.slice(0, pairwise.prompts ?? context.suite.prompts.length);
}

function recordedAnswers(samples: readonly BenchSample[], prompts: readonly BenchPrompt[], names: readonly string[]): Map<string, Map<string, string>> {
  const textOf = new Map(prompts.map((prompt) => [prompt.id, prompt.prompt]));
  const answers = new Map<string, Map<string, string>>(names.map((name) => [name, new Map()]));
  for (const sample of samples) {
    const text = textOf.get(sample.promptId);
    if (sample.repeat !== 0 || text === undefined || sample.metrics.error !== null) continue;
    answers.get(sample.contestant)?.set(text, sample.output);
  }
  return answers;
}

/**
 * Plays the tournaments not yet in `run`, one per prompt, and returns the pairwise result over all
 * of them; `onTournament` is called after each one (for progress).
 *
 * @example
 * const pairwise = await runPairwise(context, run, ['swift', 'sage'], signal, () => progress.tick());
 */
export async function runPairwise(
  context: BenchContext,
  run: RunDirectory,
  names: readonly string[],
  signal: AbortSignal,
  onTournament: (record: TournamentRecord) => void,
): Promise<PairwiseResult | null> {
  const pairwise = context.suite.scoring.pairwise;
  if (pairwise === undefined || names.length < 2) return null;
  const prompts = pairwisePrompts(context);
  const registry = withRecordedAnswers(context.registry, recordedAnswers(run.samples, prompts, names));
  const kernel = context.kernel(registry);
  const judgeName = names.includes('judge') ? 'pairwise-judge' : 'judge';
  const agents: ModelAgent[] = [...names.map((name) => ({ name, model: `recorded/${name}` })), { name: judgeName, model: pairwise.judge }];
  const done = new Set(run.tournaments.map((record) => record.promptId));
  for (const prompt of prompts) {
    if (signal.aborted) break;
    if (done.has(prompt.id)) continue;
    const result = await kernel.run(
      { topology: 'tournament', agents, options: { judge: judgeName, format: 'round-robin' }, ...(context.suite.providers !== undefined ? { providers: context.suite.providers } : {}) },
      { task: prompt.prompt, seed: deriveSeed(context.suite.seed, `pairwise/${prompt.id}`), title: `pairwise · ${prompt.id}`, signal },
    );
    if (result.answer === undefined || result.stopReason !== 'end_turn') continue;
    const matches = ((result.details?.['matches'] ?? []) as MatchDetail[]).map(pairwiseMatchOf);
    const record: TournamentRecord = { promptId: prompt.id, sessionId: result.sessionId, matches, judgeCostUsd: result.cost.usd };
    // byAgent is keyed by slot path; the judge is an agent of the tournament itself, so its key is its name.
    context.judging.calls += result.byAgent[judgeName]?.calls ?? 0;
    context.judging.costUsd += result.cost.usd;
    await run.appendTournament(record);
    onTournament(record);
  }
  const matches = run.tournaments.flatMap((record) => record.matches);
  return { judge: pairwise.judge, tournaments: run.tournaments.length, ...pairwiseStats(names, matches) };
}
