/**
 * The table `conclave bench` prints when a run ends: one aligned row per contestant, in the order
 * the caller sorted them. Widths are measured on plain text and colour is applied after padding, so
 * ANSI codes never break the alignment. The compact number formats here are shared by the Markdown
 * and HTML reports, so a figure reads the same wherever it appears.
 */
import { formatUsd, stylerFor, type Styler } from '../cli/terminal.js';
import type { BenchResults, ContestantSummary } from './bench-types.js';

/** What a report prints for a metric no sample produced. */
export const MISSING = '—';

/**
 * Milliseconds in a compact human unit: sub-millisecond and millisecond figures keep their
 * precision, seconds get two significant decimals, minutes get seconds.
 *
 * @example
 * formatMilliseconds(412.4) // → '412 ms'
 * formatMilliseconds(1243) // → '1.24 s'
 */
export function formatMilliseconds(ms: number | null | undefined): string {
  if (ms === null || ms === undefined || !Number.isFinite(ms)) return MISSING;
  if (ms < 10) return `${ms.toFixed(ms < 1 ? 2 : 1)} ms`;
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 10_000) return `${(ms / 1000).toFixed(2)} s`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  const minutes = Math.floor(ms / 60_000);
  const seconds = Math.round((ms % 60_000) / 1000);
  return `${minutes}m ${String(seconds).padStart(2, '0')}s`;
}

/**
 * A 0..1 ratio as a whole percentage; a non-zero ratio under 1% reads `<1%`, never `0%`.
 *
 * @example
 * formatPercent(0.873) // → '87%'
 * formatPercent(0.004) // → '<1%'
 */
export function formatPercent(ratio: number | null | undefined): string {
  if (ratio === null || ratio === undefined || !Number.isFinite(ratio)) return MISSING;
  if (ratio > 0 && ratio < 0.01) return '<1%';
  if (ratio < 1 && ratio > 0.99) return '>99%';
  return `${Math.round(ratio * 100)}%`;
}

/**
 * Tokens per second: one decimal below 100, whole numbers above.
 *
 * @example
 * formatRate(84.26) // → '84.3'
 */
export function formatRate(perSecond: number | null | undefined): string {
  if (perSecond === null || perSecond === undefined || !Number.isFinite(perSecond)) return MISSING;
  return perSecond < 100 ? perSecond.toFixed(1) : String(Math.round(perSecond));
}

/**
 * US dollars via the CLI's formatter, `—` when unknown.
 *
 * @example
 * formatCost(0.0031) // → '$0.00310'
 */
export function formatCost(usd: number | null | undefined): string {
  if (usd === null || usd === undefined || !Number.isFinite(usd)) return MISSING;
  return formatUsd(usd);
}

/**
 * A contestant's total cost: dollars, "unpriced" when no call of it had a price, or dollars plus
 * "+ unpriced" when some had none — never a bare `$0.00` for calls nobody priced.
 *
 * @example
 * formatContestantCost({ cost: { totalUsd: 0, unpriced: true } })      // → 'unpriced'
 * formatContestantCost({ cost: { totalUsd: 0.0031, unpriced: true } }) // → '$0.00310 + unpriced'
 */
export function formatContestantCost(contestant: { cost: { totalUsd: number; unpriced?: boolean } }): string {
  if (contestant.cost.unpriced !== true) return formatCost(contestant.cost.totalUsd);
  return contestant.cost.totalUsd > 0 ? `${formatCost(contestant.cost.totalUsd)} + unpriced` : 'unpriced';
}

/**
 * The note under a table with unpriced contestants: who, and how to give their models a price.
 *
 * @example
 * unpricedNote(['gpt-nope']) // → 'unpriced (no known price for a model they call; costs count only priced calls): gpt-nope — price them with providers.<provider>.prices'
 */
export function unpricedNote(names: readonly string[]): string {
  return `unpriced (no known price for a model they call; costs count only priced calls): ${names.join(', ')} — price them with providers.<provider>.prices`;
}

/**
 * The overhead sentence every report ends its header with.
 *
 * @example
 * describeOverhead(results) // → 'Harness overhead: 0.42 ms per request (200 requests, instant simulated model)'
 */
export function describeOverhead(results: BenchResults): string {
  const { perRequestMs, samples, method } = results.overhead;
  return `Harness overhead: ${formatMilliseconds(perRequestMs)} per request (${samples} requests, ${method})`;
}

export interface ResultsTableOptions {
  color: boolean;
  /** Terminal columns; long names are shortened, then the least important columns dropped, to fit. */
  width?: number;
}

interface Column {
  header: string;
  align: 'left' | 'right';
  cell: (contestant: ContestantSummary) => string;
  paint?: (text: string, contestant: ContestantSummary, style: Styler) => string;
}

const gap = '  ';

function errorsCell(contestant: ContestantSummary): string {
  return contestant.errors === 0 ? '0' : `${contestant.errors} (${formatPercent(contestant.errorRate)})`;
}

function columnsFor(results: BenchResults): Column[] {
  return [
    {
      header: 'contestant',
      align: 'left',
      cell: (contestant) => contestant.name + (results.simulated && contestant.simulated ? simulatedMarker : ''),
      paint: (text, _contestant, style) => style.bold(text),
    },
    { header: 'quality', align: 'right', cell: (contestant) => formatPercent(contestant.quality?.mean) },
    { header: 'p50 TTFT', align: 'right', cell: (contestant) => formatMilliseconds(contestant.ttftMs?.p50) },
    { header: 'p50 tok/s', align: 'right', cell: (contestant) => formatRate(contestant.tokensPerSecond?.p50) },
    { header: 'p50 e2e', align: 'right', cell: (contestant) => formatMilliseconds(contestant.e2eMs.p50) },
    { header: 'p95 e2e', align: 'right', cell: (contestant) => formatMilliseconds(contestant.e2eMs.p95) },
    {
      header: 'errors',
      align: 'right',
      cell: errorsCell,
      paint: (text, contestant, style) => (contestant.errors > 0 ? style.red(text) : text),
    },
    { header: 'cost', align: 'right', cell: formatContestantCost },
  ];
}

/** Columns dropped first when the terminal is too narrow, least important first. */
const dropOrder = ['p95 e2e', 'p50 tok/s', 'p50 TTFT', 'errors'];
/** Names are shortened to this before any column is dropped, and never below `shortestName`. */
const comfortableName = 24;
const shortestName = 12;
const simulatedMarker = ' *';

function shorten(text: string, width: number): string {
  if (text.length <= width) return text;
  const marker = text.endsWith(simulatedMarker) ? simulatedMarker : '';
  const name = text.slice(0, text.length - marker.length);
  return `${name.slice(0, Math.max(1, width - marker.length - 1))}…${marker}`;
}

function pad(text: string, width: number, align: Column['align']): string {
  return align === 'left' ? text.padEnd(width) : text.padStart(width);
}

function fitColumns(columns: Column[], cells: string[][], width: number | undefined): { kept: number[]; widths: number[] } {
  let kept = columns.map((_column, index) => index);
  const widths = columns.map((column, index) => Math.max(column.header.length, ...cells.map((row) => (row[index] as string).length)));
  if (width === undefined) return { kept, widths };
  const total = () => kept.reduce((sum, index) => sum + (widths[index] as number), 0) + gap.length * (kept.length - 1);
  const shrinkNames = (floor: number) => {
    const current = widths[0] as number;
    const overflow = total() - width;
    if (overflow > 0) widths[0] = Math.max(Math.min(floor, current), current - overflow);
  };
  shrinkNames(comfortableName);
  for (const header of dropOrder) {
    if (total() <= width) break;
    kept = kept.filter((index) => columns[index]?.header !== header);
  }
  shrinkNames(shortestName);
  return { kept, widths };
}

/**
 * The end-of-run table: contestant, quality, p50 TTFT, p50 tok/s, p50/p95 end-to-end latency,
 * errors and total cost, with the simulated and overhead notes beneath. Plain text when
 * `color` is false.
 *
 * @example
 * process.stdout.write(formatResultsTable(results, { color: process.stdout.isTTY, width: process.stdout.columns }));
 */
export function formatResultsTable(results: BenchResults, options: ResultsTableOptions): string {
  // stylerFor decides from a stream; a stand-in "terminal" makes it follow the caller's choice.
  const style = stylerFor({ isTTY: options.color } as NodeJS.WriteStream, {});
  const columns = columnsFor(results);
  const cells = results.contestants.map((contestant) => columns.map((column) => column.cell(contestant)));
  const { kept, widths } = fitColumns(columns, cells, options.width);

  const renderRow = (texts: string[], paint: (text: string, index: number) => string) =>
    kept
      .map((index) => {
        const column = columns[index] as Column;
        const text = index === 0 ? shorten(texts[index] as string, widths[index] as number) : (texts[index] as string);
        return paint(pad(text, widths[index] as number, column.align), index);
      })
      .join(gap)
      .trimEnd();

  const header = renderRow(
    columns.map((column) => column.header),
    (text) => style.bold(text),
  );
  const rule = style.dim(kept.map((index) => '─'.repeat(widths[index] as number)).join(gap));
  const rows = results.contestants.map((contestant, row) =>
    renderRow(cells[row] as string[], (text, index) => columns[index]?.paint?.(text, contestant, style) ?? text),
  );

  const notes: string[] = [];
  if (results.simulated) {
    const simulated = results.contestants.filter((contestant) => contestant.simulated).map((contestant) => contestant.name);
    notes.push(style.yellow(`* simulated (offline answers, timings are not a real provider's): ${simulated.join(', ')}`));
  }
  const unpriced = results.contestants.filter((contestant) => contestant.cost.unpriced === true).map((contestant) => contestant.name);
  if (unpriced.length > 0) notes.push(style.yellow(unpricedNote(unpriced)));
  notes.push(style.dim(describeOverhead(results)));
  if (results.contestants.length === 0) notes.unshift('No contestants ran.');
  return `${[header, rule, ...rows, '', ...notes].join('\n')}\n`;
}
