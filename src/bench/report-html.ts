/**
 * `report.html`: the whole run on one self-contained page — inline CSS and server-drawn SVG, no
 * script, font, image or network request — so it opens from disk, from a CI artifact or an email
 * attachment and looks the same. The charts come from `report-svg.ts`; this module lays out the
 * header, the summary table and the sections, and escapes every piece of user text it prints.
 */
import type { BenchResults, BenchSample, ContestantSummary, PairwiseResult } from './bench-types.js';
import { contestantColor, costQualityChart, escapeXml, intervalBar, latencyChart, winRateChart, type LatencyRow, type ScatterPoint } from './report-svg.js';
import { quantileSorted } from './stats.js';
import { describeOverhead, formatContestantCost, formatMilliseconds, formatPercent, formatRate } from './results-table.js';

const styles = `
:root { color-scheme: light; --text: #1f2328; --muted: #59636e; --line: #d0d7de; --soft: #f6f8fa; }
* { box-sizing: border-box; }
body { margin: 0; background: #fff; color: var(--text); font: 14px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; }
main { max-width: 1320px; margin: 0 auto; padding: 28px 24px 48px; }
h1 { font-size: 26px; margin: 0 0 4px; display: flex; align-items: center; gap: 12px; flex-wrap: wrap; }
h2 { font-size: 19px; margin: 36px 0 6px; padding-bottom: 6px; border-bottom: 1px solid var(--line); }
h3 { font-size: 15px; margin: 20px 0 6px; }
p.lead, p.note { color: var(--muted); margin: 4px 0 10px; }
.badge { font-size: 12px; font-weight: 700; letter-spacing: .06em; padding: 3px 9px; border-radius: 999px; background: #fff1c2; color: #7a4d00; border: 1px solid #e3b341; }
.warning { background: #fff8e1; border: 1px solid #e3b341; border-radius: 6px; padding: 8px 12px; margin: 12px 0; }
dl.meta { display: grid; grid-template-columns: repeat(auto-fill, minmax(240px, 1fr)); gap: 4px 20px; margin: 14px 0; }
dl.meta div { border-left: 3px solid var(--line); padding-left: 8px; }
dl.meta dt { color: var(--muted); font-size: 12px; }
dl.meta dd { margin: 0; font-variant-numeric: tabular-nums; overflow-wrap: anywhere; }
.overhead { font-weight: 600; }
.table-wrap { overflow-x: auto; border: 1px solid var(--line); border-radius: 6px; }
table { border-collapse: collapse; width: 100%; font-variant-numeric: tabular-nums; }
th, td { padding: 6px 8px; border-bottom: 1px solid var(--line); white-space: nowrap; }
thead th { background: var(--soft); font-size: 12px; color: var(--muted); text-align: right; }
th.group { text-align: center; border-left: 1px solid var(--line); }
td { text-align: right; }
td.name, th.name, td.text { text-align: left; }
td.group-start, th.group-start { border-left: 1px solid var(--line); }
tbody tr:last-child td { border-bottom: 0; }
.swatch { display: inline-block; width: 10px; height: 10px; border-radius: 2px; margin-right: 6px; vertical-align: baseline; }
.target { display: block; color: var(--muted); font-size: 12px; }
.bad { color: #b42318; font-weight: 600; }
figure { margin: 12px 0 0; }
svg.chart { width: 100%; max-width: 1120px; height: auto; display: block; }
svg.chart.compact { width: auto; max-width: 100%; }
svg text { fill: var(--text); font-size: 12px; }
svg .tick, svg .row-caption, svg .legend, svg .cell-note { fill: var(--muted); font-size: 11px; }
svg .row-label, svg .column-label, svg .point-label { font-size: 13px; font-weight: 600; }
svg .axis-title { fill: var(--muted); font-size: 12px; }
svg .hint { fill: #1a7f37; font-size: 12px; font-weight: 600; }
svg .empty-note { fill: var(--muted); font-style: italic; }
svg .grid { stroke: #eaeef2; }
svg .axis { stroke: #8c959f; }
svg .band { fill: #f6f8fa; }
svg .track { stroke: #d0d7de; stroke-width: 2; }
svg .cell-empty { fill: #f6f8fa; stroke: #fff; stroke-width: 2; }
svg .cell-text { font-size: 15px; font-weight: 700; }
svg .cell-text.small { font-size: 11px; font-weight: 400; }
svg .cell-text.light { fill: #fff; }
svg.interval, svg.interval-axis { display: block; }
ul.errors { margin: 6px 0; padding-left: 20px; }
footer { margin-top: 40px; color: var(--muted); font-size: 12px; }
`;

const text = escapeXml;

function metaItem(label: string, value: string): string {
  return `<div><dt>${text(label)}</dt><dd>${value}</dd></div>`;
}

function header(results: BenchResults): string {
  const { settings, suite } = results;
  const duration = Date.parse(results.finishedAt) - Date.parse(results.startedAt);
  const badge = results.simulated ? ' <span class="badge" title="Some answers came from offline simulators">SIMULATED</span>' : '';
  const warning = results.simulated
    ? `<p class="warning"><strong>Simulated results.</strong> Contestants marked (sim) answered from an offline simulator: their latencies, costs and quality describe the simulator, not a real provider.</p>`
    : '';
  const incomplete = results.incomplete === true
    ? `<p class="warning"><strong>Incomplete run.</strong> It was stopped before every sample finished; continue it with <code>conclave bench --resume ${text(results.runId)}</code>.</p>`
    : '';
  return [
    `<header><h1>${text(suite.name)}${badge}</h1>`,
    suite.description === undefined ? '' : `<p class="lead">${text(suite.description)}</p>`,
    warning,
    incomplete,
    '<dl class="meta">',
    metaItem('Run id', `<code>${text(results.runId)}</code>`),
    metaItem('Suite file', `<code>${text(suite.file)}</code>`),
    metaItem('Started', text(results.startedAt)),
    metaItem('Finished', `${text(results.finishedAt)}${Number.isFinite(duration) ? ` (${formatMilliseconds(duration)})` : ''}`),
    metaItem('Settings', `concurrency ${settings.concurrency} · ${settings.repeat} repeats · ${settings.warmup} warm-up`),
    metaItem('Timeout · response cache', `${formatMilliseconds(settings.timeoutMs)} · cache ${settings.cache ? 'on' : 'off'}`),
    '</dl>',
    `<p class="overhead">${text(describeOverhead(results))}</p></header>`,
  ].join('\n');
}

function summaryRow(contestant: ContestantSummary, index: number, simulatedRun: boolean): string {
  const cell = (value: string, className?: string) => `<td${className === undefined ? '' : ` class="${className}"`}>${text(value)}</td>`;
  const errorTitle = Object.entries(contestant.errorTypes)
    .map(([code, count]) => `${code}: ${count}`)
    .join(', ');
  const errors = contestant.errors === 0 ? '<td>0</td>' : `<td class="bad" title="${text(errorTitle)}">${contestant.errors} (${text(formatPercent(contestant.errorRate))})</td>`;
  const simulated = simulatedRun && contestant.simulated ? ' (sim)' : '';
  return [
    '<tr>',
    `<td class="name"><span class="swatch" style="background:${contestantColor(index)}"></span><strong>${text(contestant.name)}</strong>${simulated}<span class="target">${text(contestant.target)}</span></td>`,
    cell(contestant.kind, 'text'),
    cell(String(contestant.samples)),
    errors,
    cell(formatPercent(contestant.quality?.mean), 'group-start'),
    cell(formatPercent(contestant.quality?.passRate)),
    cell(formatMilliseconds(contestant.ttftMs?.p50), 'group-start'),
    cell(formatMilliseconds(contestant.ttftMs?.p95)),
    cell(formatMilliseconds(contestant.ttftMs?.p99)),
    cell(formatMilliseconds(contestant.itlMs?.p50), 'group-start'),
    cell(formatRate(contestant.tokensPerSecond?.p50)),
    cell(formatMilliseconds(contestant.e2eMs.p50), 'group-start'),
    cell(formatMilliseconds(contestant.e2eMs.p95)),
    cell(formatMilliseconds(contestant.e2eMs.p99)),
    cell(formatContestantCost(contestant), 'group-start'),
    '</tr>',
  ].join('');
}

function summaryTable(results: BenchResults): string {
  if (results.contestants.length === 0) return '<p class="note">No contestants ran.</p>';
  const rows = results.contestants.map((contestant, index) => summaryRow(contestant, index, results.simulated));
  return `<div class="table-wrap"><table>
<thead><tr><th class="name" rowspan="2">Contestant</th><th class="name" rowspan="2">Kind</th><th rowspan="2">Samples</th><th rowspan="2">Errors</th><th class="group" colspan="2">Quality</th><th class="group" colspan="3">TTFT</th><th class="group">ITL</th><th>Tokens/s</th><th class="group" colspan="3">End-to-end</th><th class="group" rowspan="2">Total cost</th></tr>
<tr><th class="group-start">mean</th><th>pass rate</th><th class="group-start">p50</th><th>p95</th><th>p99</th><th class="group-start">p50</th><th>p50</th><th class="group-start">p50</th><th>p95</th><th>p99</th></tr></thead>
<tbody>${rows.join('\n')}</tbody></table></div>`;
}

function errorList(results: BenchResults): string {
  const items = results.contestants.flatMap((contestant) =>
    Object.entries(contestant.errorTypes).map(([code, count]) => `<li><strong>${text(contestant.name)}</strong>: <code>${text(code)}</code> × ${count}</li>`),
  );
  return items.length === 0 ? '' : `<h3>Errors</h3><ul class="errors">${items.join('')}</ul>`;
}

function latencyRows(results: BenchResults, metric: (sample: BenchSample) => number | null, emptyNote: (contestant: ContestantSummary) => string): LatencyRow[] {
  return results.contestants.map((contestant, index) => {
    const samples = results.samples.filter((sample) => sample.contestant === contestant.name);
    const successful = samples.filter((sample) => sample.metrics.error === null);
    const points = successful.flatMap((sample) => {
      const value = metric(sample);
      const label = `${contestant.name} · ${sample.promptId} #${sample.repeat + 1}: ${formatMilliseconds(value)}${sample.cached ? ' (cached)' : ''}`;
      return value === null ? [] : [{ value, label, cached: sample.cached }];
    });
    const failed = samples.length - successful.length;
    const sorted = points.map((point) => point.value).sort((left, right) => left - right);
    const spread = points.length === 0 ? '' : ` · p50 ${formatMilliseconds(quantileSorted(sorted, 0.5))} · p99 ${formatMilliseconds(quantileSorted(sorted, 0.99))}`;
    return {
      name: contestant.name,
      color: contestantColor(index),
      points,
      emptyNote: emptyNote(contestant),
      caption: `n=${points.length}${failed > 0 ? ` · ${failed} failed` : ''}${spread}`,
    };
  });
}

function latencySection(results: BenchResults): string {
  const e2e = latencyChart('latency', 'End-to-end latency per contestant (successful samples)', 'end-to-end latency', latencyRows(results, (sample) => sample.metrics.e2eMs, () => 'no successful samples'));
  const anyTtft = results.samples.some((sample) => sample.metrics.error === null && sample.metrics.ttftMs !== null);
  const ttft = anyTtft
    ? `<h3>Time to first token</h3><figure>${latencyChart(
        'ttft',
        'Time to first token per contestant',
        'time to first token',
        latencyRows(results, (sample) => sample.metrics.ttftMs, (contestant) => (contestant.kind === 'topology' ? 'no TTFT: a topology session has no single first token' : 'no first token measured')),
      )}</figure>`
    : '';
  return `<section><h2>Latency distributions</h2><p class="note">Computed from every successful sample; failed requests are left out and counted under each name.</p><h3>End-to-end</h3><figure>${e2e}</figure>${ttft}</section>`;
}

function costQualitySection(results: BenchResults): string {
  const points: ScatterPoint[] = [];
  const unscored: string[] = [];
  results.contestants.forEach((contestant, index) => {
    if (contestant.quality === null) unscored.push(contestant.name);
    else points.push({ name: contestant.name, color: contestantColor(index), costUsd: contestant.cost.perRequestUsd.mean, quality: contestant.quality.mean });
  });
  const notes: string[] = [];
  if (points.length > 0 && points.every((point) => point.costUsd === 0)) notes.push('Every cost is $0 (simulated or unpriced models), so the dots share one line and only quality separates them.');
  if (unscored.length > 0) notes.push(`Left out, no quality score: ${unscored.join(', ')}.`);
  const chart = points.length === 0 ? '<p class="note">No contestant was scored, so there is nothing to plot.</p>' : `<figure>${costQualityChart(points, 'Mean cost per request against mean quality')}</figure>`;
  return `<section><h2>Cost vs quality</h2>${chart}${notes.map((note) => `<p class="note">${text(note)}</p>`).join('')}</section>`;
}

function rankingTable(pairwise: PairwiseResult, results: BenchResults): string {
  const scaleMax = Math.max(0.05, ...pairwise.ranking.map((entry) => entry.high)) * 1.05;
  const colorOf = (name: string) => {
    const index = results.contestants.findIndex((contestant) => contestant.name === name);
    return index < 0 ? '#59636e' : contestantColor(index);
  };
  const rows = pairwise.ranking.map(
    (entry, index) =>
      `<tr><td>${index + 1}</td><td class="name"><span class="swatch" style="background:${colorOf(entry.name)}"></span><strong>${text(entry.name)}</strong></td><td>${entry.strength.toFixed(3)}</td><td>${entry.low.toFixed(3)} – ${entry.high.toFixed(3)}</td><td class="text">${intervalBar(entry, scaleMax, colorOf(entry.name))}</td></tr>`,
  );
  return `<h3>Bradley–Terry ranking</h3><p class="note">Strengths sum to 1; bars are 95% bootstrap intervals — overlapping bars mean the order between them is not settled.</p>
<div class="table-wrap"><table><thead><tr><th>#</th><th class="name">Contestant</th><th>Strength</th><th>95% interval</th><th class="name">${intervalBar('axis', scaleMax)}</th></tr></thead><tbody>${rows.join('')}</tbody></table></div>`;
}

function pairwiseSection(results: BenchResults): string {
  const { pairwise } = results;
  if (pairwise === null) return '<section><h2>Win-rate matrix</h2><p class="note">This suite played no pairwise tournament, so there are no win rates.</p></section>';
  return `<section><h2>Win-rate matrix</h2><p class="note">Each cell is the row's win rate against the column (a draw counts half), games played in brackets. Judge ${text(pairwise.judge)} · ${pairwise.tournaments} tournaments.</p><figure>${winRateChart(pairwise, 'Pairwise win rate of each row against each column')}</figure>${rankingTable(pairwise, results)}</section>`;
}

/**
 * The run as one self-contained HTML page: header with settings and overhead, summary table,
 * latency box plots, cost against quality, and the win-rate matrix with the Bradley–Terry ranking.
 *
 * @example
 * await writeFile(join(directory, 'report.html'), renderHtmlReport(results));
 */
export function renderHtmlReport(results: BenchResults): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${text(`${results.suite.name} — conclave bench`)}</title>
<style>${styles}</style>
</head>
<body><main>
${header(results)}
<section><h2>Summary</h2>${summaryTable(results)}${errorList(results)}</section>
${latencySection(results)}
${costQualitySection(results)}
${pairwiseSection(results)}
<footer>conclave bench · results version ${results.version} · ${text(results.runId)}</footer>
</main></body>
</html>
`;
}
