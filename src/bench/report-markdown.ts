/**
 * `report.md`: the run as GitHub-flavoured Markdown, short enough to paste into a pull request —
 * settings, the per-contestant summary table, error types, and the pairwise win rates and
 * Bradley–Terry ranking when the suite played a tournament. Names go through `markdownCell` so a
 * pipe or an HTML tag in a contestant's name cannot break the table or inject markup.
 */
import type { BenchResults, ContestantSummary, Distribution, PairwiseResult } from './bench-types.js';
import { describeOverhead, formatContestantCost, unpricedNote, formatMilliseconds, formatPercent, formatRate, MISSING } from './results-table.js';

/**
 * Text made safe for a Markdown table cell: one line, pipes and HTML escaped.
 *
 * @example
 * markdownCell('a|b <i>') // → 'a\\|b &lt;i&gt;'
 */
export function markdownCell(text: string): string {
  return text
    .replaceAll('\\', '\\\\')
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replaceAll('|', '\\|')
    .replaceAll('`', '\\`')
    .replace(/\s*[\r\n]+\s*/g, ' ');
}

function inlineCode(text: string): string {
  return `\`${text.replaceAll('`', "'").replace(/[\r\n]+/g, ' ')}\``;
}

function table(headers: string[], alignments: Array<'left' | 'right' | 'center'>, rows: string[][]): string {
  const divider = alignments.map((alignment) => (alignment === 'right' ? '---:' : alignment === 'center' ? ':---:' : '---'));
  return [headers, divider, ...rows].map((cells) => `| ${cells.join(' | ')} |`).join('\n');
}

function percentiles(distribution: Distribution | null, keys: Array<'p50' | 'p95' | 'p99'>): string[] {
  return keys.map((key) => formatMilliseconds(distribution?.[key]));
}

function summaryTable(contestants: ContestantSummary[], simulatedRun: boolean): string {
  const headers = ['Contestant', 'Kind', 'Samples', 'Errors', 'Quality', 'Pass rate', 'TTFT p50', 'TTFT p95', 'TTFT p99', 'ITL p50', 'Tok/s p50', 'E2E p50', 'E2E p95', 'E2E p99', 'Cost'];
  const rows = contestants.map((contestant) => [
    `**${markdownCell(contestant.name)}**${simulatedRun && contestant.simulated ? ' (sim)' : ''}`,
    contestant.kind,
    String(contestant.samples),
    contestant.errors === 0 ? '0' : `${contestant.errors} (${formatPercent(contestant.errorRate)})`,
    formatPercent(contestant.quality?.mean),
    formatPercent(contestant.quality?.passRate),
    ...percentiles(contestant.ttftMs, ['p50', 'p95', 'p99']),
    formatMilliseconds(contestant.itlMs?.p50),
    formatRate(contestant.tokensPerSecond?.p50),
    ...percentiles(contestant.e2eMs, ['p50', 'p95', 'p99']),
    formatContestantCost(contestant),
  ]);
  return table(headers, ['left', 'left', ...headers.slice(2).map(() => 'right' as const)], rows);
}

function errorSection(contestants: ContestantSummary[]): string[] {
  const rows = contestants.flatMap((contestant) =>
    Object.entries(contestant.errorTypes)
      .sort(([, left], [, right]) => right - left)
      .map(([code, count]) => [markdownCell(contestant.name), inlineCode(code), String(count)]),
  );
  if (rows.length === 0) return [];
  return ['## Errors', '', table(['Contestant', 'Error code', 'Samples'], ['left', 'left', 'right'], rows), ''];
}

function pairwiseSection(pairwise: PairwiseResult): string[] {
  const names = pairwise.contestants.map(markdownCell);
  const matrixRows = names.map((name, row) => [
    `**${name}**`,
    ...names.map((_column, column) => {
      const rate = pairwise.winRate[row]?.[column] ?? null;
      const games = pairwise.games[row]?.[column] ?? 0;
      return row === column ? MISSING : rate === null ? 'n/a' : `${formatPercent(rate)} (${games})`;
    }),
  ]);
  const rankingRows = pairwise.ranking.map((entry, index) => [
    String(index + 1),
    `**${markdownCell(entry.name)}**`,
    entry.strength.toFixed(3),
    `${entry.low.toFixed(3)} – ${entry.high.toFixed(3)}`,
  ]);
  return [
    '## Pairwise',
    '',
    `Judge: ${markdownCell(pairwise.judge)} · ${pairwise.tournaments} tournaments. Each cell is the row's win rate against the column (draws count half), with games played in brackets.`,
    '',
    table(['vs', ...names], ['left', ...names.map(() => 'center' as const)], matrixRows),
    '',
    '### Bradley–Terry ranking',
    '',
    table(['#', 'Contestant', 'Strength', '95% interval'], ['right', 'left', 'right', 'center'], rankingRows),
    '',
  ];
}

/**
 * The run as Markdown: title, simulated warning, settings, overhead, summary table, error types,
 * and the pairwise matrix and ranking when present.
 *
 * @example
 * await writeFile(join(directory, 'report.md'), renderMarkdownReport(results));
 */
export function renderMarkdownReport(results: BenchResults): string {
  const { settings } = results;
  const lines: string[] = [`# Benchmark: ${markdownCell(results.suite.name)}`, ''];
  if (results.simulated) {
    lines.push('> [!WARNING]', '> **SIMULATED** — some answers came from offline simulators; their latencies, costs and quality do not describe a real provider.', '');
  }
  const unpriced = results.contestants.filter((contestant) => contestant.cost.unpriced === true).map((contestant) => contestant.name);
  if (unpriced.length > 0) lines.push('> [!NOTE]', `> **Unpriced** — ${markdownCell(unpricedNote(unpriced))}.`, '');
  const caching = results.contestants.filter((contestant) => contestant.cacheHitRate !== undefined);
  if (caching.length > 0) {
    const rates = caching.map((contestant) => `${markdownCell(contestant.name)} ${formatPercent(contestant.cacheHitRate)}`).join(', ');
    lines.push(`Prompt-cache hit rate (cached ÷ input tokens): ${rates}.`, '');
  }
  if (results.incomplete === true) {
    lines.push('> [!IMPORTANT]', `> **Incomplete run** — stopped before every sample finished; continue it with \`conclave bench --resume ${results.runId}\`.`, '');
  }
  if (results.suite.description !== undefined) lines.push(markdownCell(results.suite.description), '');
  lines.push(
    `- Run: ${inlineCode(results.runId)} · suite file ${inlineCode(results.suite.file)}`,
    `- Started ${results.startedAt}, finished ${results.finishedAt}`,
    `- Settings: concurrency ${settings.concurrency}, repeat ${settings.repeat}, warmup ${settings.warmup}, timeout ${formatMilliseconds(settings.timeoutMs)}, cache ${settings.cache ? 'on' : 'off'}`,
    `- ${describeOverhead(results)}`,
    '',
    '## Summary',
    '',
    results.contestants.length === 0 ? '_No contestants ran._' : summaryTable(results.contestants, results.simulated),
    '',
    ...errorSection(results.contestants),
    ...(results.pairwise === null ? [] : pairwiseSection(results.pairwise)),
  );
  return `${lines.join('\n').trimEnd()}\n`;
}
