/**
 * The HTML report's charts, drawn here as SVG strings so the page needs no script, font or network
 * to show them: latency box plots with every sample as a dot, cost against quality, the pairwise
 * win-rate heatmap and Bradley–Terry interval bars. Every piece of user text passes through
 * `escapeXml`; dots are jittered by a fixed sequence, so the same results draw the same picture.
 */
import type { PairwiseResult } from './bench-types.js';
import { quantileSorted } from './stats.js';
import { formatCost, formatPercent } from './results-table.js';

/**
 * Text made safe for HTML and SVG, in element content and quoted attributes alike.
 *
 * @example
 * escapeXml('<b>"Tom" & Jerry</b>') // → '&lt;b&gt;&quot;Tom&quot; &amp; Jerry&lt;/b&gt;'
 */
export function escapeXml(text: string): string {
  return text.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;').replaceAll('"', '&quot;').replaceAll("'", '&#39;');
}

const palette = ['#4e79a7', '#f28e2b', '#59a14f', '#e15759', '#76b7b2', '#edc948', '#b07aa1', '#ff9da7', '#9c755f', '#79706e'];

/**
 * The colour of the n-th contestant, the same in every chart of a report.
 *
 * @example
 * contestantColor(0) // → '#4e79a7'
 */
export function contestantColor(index: number): string {
  return palette[index % palette.length] as string;
}

const round = (value: number) => Math.round(value * 10) / 10;

function truncate(text: string, characters: number): string {
  return text.length <= characters ? text : `${text.slice(0, Math.max(1, characters - 1))}…`;
}

function svgOpen(chart: string, title: string, width: number, height: number, className = 'chart'): string {
  return `<svg data-chart="${chart}" role="img" aria-label="${escapeXml(title)}" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" class="${className}"><title>${escapeXml(title)}</title>`;
}

/** Axis labels as round figures (`0`, `250 ms`, `1.5 s`), unlike table cells' fixed precision. */
function millisecondTick(value: number): string {
  if (value === 0) return '0';
  return value >= 1000 ? `${Number((value / 1000).toPrecision(3))} s` : `${Number(value.toPrecision(3))} ms`;
}

function dollarTick(value: number, step: number): string {
  return value === 0 ? '$0' : `$${value.toFixed(Math.max(2, -Math.floor(Math.log10(step))))}`;
}

interface Scale {
  map: (value: number) => number;
  ticks: number[];
}

function niceStep(range: number, count: number): number {
  const raw = range / count;
  const magnitude = 10 ** Math.floor(Math.log10(raw));
  const factor = [1, 2, 5, 10].find((candidate) => candidate * magnitude >= raw) ?? 10;
  return factor * magnitude;
}

/** Linear from zero when the spread is modest, logarithmic when values span more than 30×. */
function latencyScale(values: number[], left: number, right: number): Scale & { logarithmic: boolean } {
  const low = Math.max(Math.min(...values), 0.001);
  const high = Math.max(...values, low * 1.01);
  if (high / low > 30) {
    const candidates: number[] = [];
    for (let decade = 10 ** Math.floor(Math.log10(low)); decade <= high * 10; decade *= 10) candidates.push(decade, decade * 2, decade * 5);
    const from = candidates.filter((candidate) => candidate <= low).at(-1) as number;
    const to = candidates.find((candidate) => candidate >= high) as number;
    const ticks = candidates.filter((candidate) => candidate >= from && candidate <= to);
    const span = Math.log10(to) - Math.log10(from);
    return { logarithmic: true, ticks, map: (value) => left + ((Math.log10(Math.max(value, from)) - Math.log10(from)) / span) * (right - left) };
  }
  const step = niceStep(high, 6);
  const top = Math.ceil(high / step) * step;
  const ticks = Array.from({ length: Math.round(top / step) + 1 }, (_unused, index) => index * step);
  return { logarithmic: false, ticks, map: (value) => left + (value / top) * (right - left) };
}

export interface LatencyRow {
  name: string;
  color: string;
  /** Successful samples only. */
  points: Array<{ value: number; label: string; cached: boolean }>;
  /** Shown in place of the plot when there are no points. */
  emptyNote: string;
  /** Shown under the name, e.g. how many failed samples were left out. */
  caption: string;
}

/**
 * Horizontal box plots, one row per contestant: whisker from min to p99, box p25–p75, bold p50,
 * a diamond at p95, and each sample as a dot in a strip beneath.
 *
 * @example
 * latencyChart('latency', 'End-to-end latency per contestant', 'end-to-end latency', rows)
 */
export function latencyChart(chart: string, title: string, axisTitle: string, rows: LatencyRow[]): string {
  const width = 960;
  const plotLeft = 250;
  const plotRight = width - 30;
  const rowHeight = 56;
  const top = 30;
  const height = top + rows.length * rowHeight + 44;
  const values = rows.flatMap((row) => row.points.map((point) => point.value));
  const scale = latencyScale(values.length === 0 ? [1, 1000] : values, plotLeft, plotRight);
  const parts = [svgOpen(chart, title, width, height)];
  const legend = `box p25–p75 · bold line p50 · ◆ p95 · whisker min–p99 · dots: samples${rows.some((row) => row.points.some((point) => point.cached)) ? ' (hollow = cached)' : ''}${scale.logarithmic ? ' · log scale' : ''}`;
  parts.push(`<text x="${plotLeft}" y="16" class="legend">${legend}</text>`);
  const axisBottom = top + rows.length * rowHeight;
  for (const tick of scale.ticks) {
    const x = round(scale.map(tick));
    parts.push(`<line x1="${x}" x2="${x}" y1="${top}" y2="${axisBottom}" class="grid"/>`, `<text x="${x}" y="${axisBottom + 18}" class="tick" text-anchor="middle">${millisecondTick(tick)}</text>`);
  }
  parts.push(`<text x="${(plotLeft + plotRight) / 2}" y="${axisBottom + 38}" class="axis-title" text-anchor="middle">${escapeXml(axisTitle)} (ms, s)</text>`);
  rows.forEach((row, index) => {
    const rowTop = top + index * rowHeight;
    const boxY = rowTop + 8;
    const middle = boxY + 9;
    if (index % 2 === 1) parts.push(`<rect x="0" y="${rowTop}" width="${width}" height="${rowHeight}" class="band"/>`);
    parts.push(
      `<rect x="8" y="${rowTop + 12}" width="10" height="10" rx="2" fill="${row.color}"/>`,
      `<text x="24" y="${rowTop + 21}" class="row-label">${escapeXml(truncate(row.name, 30))}<title>${escapeXml(row.name)}</title></text>`,
      `<text x="24" y="${rowTop + 38}" class="row-caption">${escapeXml(row.caption)}</text>`,
    );
    if (row.points.length === 0) {
      parts.push(`<text x="${plotLeft + 8}" y="${middle + 4}" class="empty-note">${escapeXml(row.emptyNote)}</text>`);
      return;
    }
    const sorted = row.points.map((point) => point.value).sort((left, right) => left - right);
    const at = (q: number) => round(scale.map(quantileSorted(sorted, q)));
    const [minimum, p25, p50, p75, p95, p99] = [at(0), at(0.25), at(0.5), at(0.75), at(0.95), at(0.99)];
    parts.push(
      `<line x1="${minimum}" x2="${p99}" y1="${middle}" y2="${middle}" stroke="${row.color}" stroke-width="1.5"/>`,
      `<line x1="${minimum}" x2="${minimum}" y1="${middle - 6}" y2="${middle + 6}" stroke="${row.color}" stroke-width="1.5"/>`,
      `<line x1="${p99}" x2="${p99}" y1="${middle - 6}" y2="${middle + 6}" stroke="${row.color}" stroke-width="1.5"/>`,
      `<rect x="${p25}" y="${boxY}" width="${Math.max(1, round(p75 - p25))}" height="18" fill="${row.color}" fill-opacity="0.28" stroke="${row.color}"/>`,
      `<line x1="${p50}" x2="${p50}" y1="${boxY - 2}" y2="${boxY + 20}" stroke="#1f2328" stroke-width="3"/>`,
      `<path d="M${p95} ${middle - 5}L${p95 + 5} ${middle}L${p95} ${middle + 5}L${p95 - 5} ${middle}Z" fill="#1f2328"/>`,
    );
    row.points.forEach((point, pointIndex) => {
      // Golden-ratio jitter: spread evenly, identical on every render.
      const jitter = ((pointIndex + 1) * 0.618_033_988_7) % 1;
      const y = round(rowTop + 34 + jitter * 16);
      const fill = point.cached ? 'none' : row.color;
      parts.push(`<circle cx="${round(scale.map(point.value))}" cy="${y}" r="3" fill="${fill}" fill-opacity="0.7" stroke="${row.color}"><title>${escapeXml(point.label)}</title></circle>`);
    });
  });
  parts.push('</svg>');
  return parts.join('');
}

export interface ScatterPoint {
  name: string;
  color: string;
  costUsd: number;
  quality: number;
}

/**
 * Cost per request (x, dollars) against mean quality (y, 0–100%), one labelled dot per contestant.
 * When every cost is zero the dots stand on a single $0 line rather than on a fake scale.
 *
 * @example
 * costQualityChart(points, 'Cost per request vs quality')
 */
export function costQualityChart(points: ScatterPoint[], title: string): string {
  const width = 960;
  const height = 400;
  const [left, right, top, bottom] = [80, width - 40, 24, height - 56];
  const parts = [svgOpen('cost-quality', title, width, height)];
  const highest = Math.max(0, ...points.map((point) => point.costUsd));
  const step = highest > 0 ? niceStep(highest * 1.1, 6) : 1;
  const xMax = highest > 0 ? Math.ceil((highest * 1.1) / step) * step : 0;
  const x = (cost: number) => (xMax === 0 ? (left + right) / 2 : left + (cost / xMax) * (right - left));
  const y = (quality: number) => bottom - quality * (bottom - top);
  for (let tick = 0; tick <= 1.0001; tick += 0.2) {
    parts.push(`<line x1="${left}" x2="${right}" y1="${round(y(tick))}" y2="${round(y(tick))}" class="grid"/>`, `<text x="${left - 8}" y="${round(y(tick)) + 4}" class="tick" text-anchor="end">${formatPercent(tick)}</text>`);
  }
  const xTicks = xMax === 0 ? [0] : Array.from({ length: Math.round(xMax / step) + 1 }, (_unused, index) => index * step);
  for (const tick of xTicks) {
    parts.push(`<line x1="${round(x(tick))}" x2="${round(x(tick))}" y1="${top}" y2="${bottom}" class="grid"/>`, `<text x="${round(x(tick))}" y="${bottom + 18}" class="tick" text-anchor="middle">${dollarTick(tick, step)}</text>`);
  }
  parts.push(
    `<line x1="${left}" x2="${right}" y1="${bottom}" y2="${bottom}" class="axis"/><line x1="${left}" x2="${left}" y1="${top}" y2="${bottom}" class="axis"/>`,
    `<text x="${(left + right) / 2}" y="${height - 12}" class="axis-title" text-anchor="middle">mean cost per request (US $)</text>`,
    `<text x="18" y="${(top + bottom) / 2}" class="axis-title" text-anchor="middle" transform="rotate(-90 18 ${(top + bottom) / 2})">mean quality score (%)</text>`,
    `<text x="${left + 10}" y="${top + 16}" class="hint">↖ better: cheaper and higher quality</text>`,
  );
  const placed: Array<{ x: number; y: number; width: number }> = [];
  const drawn: Array<{ x: number; y: number }> = [];
  const overlaps = (box: { x: number; y: number; width: number }) => placed.some((other) => Math.abs(other.y - box.y) < 15 && box.x < other.x + other.width && other.x < box.x + box.width);
  for (const point of [...points].sort((first, second) => second.quality - first.quality)) {
    const cx = round(x(point.costUsd));
    const cy = round(y(point.quality));
    // A dot on top of another (same cost and quality) becomes a ring around it, so both stay visible.
    const beneath = drawn.filter((other) => Math.hypot(other.x - cx, other.y - cy) < 6).length;
    drawn.push({ x: cx, y: cy });
    const label = truncate(point.name, 34);
    // An estimate of the rendered width, good enough to keep labels from stacking on each other.
    const labelWidth = label.length * 8 + 14;
    const stacked = points.filter((other) => Math.hypot(round(x(other.costUsd)) - cx, round(y(other.quality)) - cy) < 6).length;
    const offset = 10 + stacked * 4;
    const toLeft = cx + offset + labelWidth > right;
    const box = { x: toLeft ? cx - offset - labelWidth : cx + offset, y: cy + 4, width: labelWidth };
    while (overlaps(box)) box.y += 16;
    placed.push(box);
    const tooltip = `<title>${escapeXml(`${point.name}: ${formatCost(point.costUsd)} per request, quality ${formatPercent(point.quality)}`)}</title>`;
    // A label pushed away from its dot carries a swatch of the dot's colour.
    const displaced = box.y !== cy + 4;
    const indent = displaced ? 14 : 0;
    const textAt = toLeft ? `x="${round(cx - offset - indent)}" text-anchor="end"` : `x="${round(box.x + indent)}"`;
    if (displaced) parts.push(`<rect x="${round(toLeft ? cx - offset - 9 : box.x)}" y="${round(box.y - 9)}" width="9" height="9" rx="2" fill="${point.color}"/>`);
    parts.push(
      beneath === 0
        ? `<circle cx="${cx}" cy="${cy}" r="7" fill="${point.color}" stroke="#fff" stroke-width="1.5">${tooltip}</circle>`
        : `<circle cx="${cx}" cy="${cy}" r="${7 + beneath * 4}" fill="none" stroke="${point.color}" stroke-width="3">${tooltip}</circle>`,
      `<text ${textAt} y="${round(box.y)}" class="point-label">${escapeXml(label)}</text>`,
    );
  }
  parts.push('</svg>');
  return parts.join('');
}

function mix(from: number[], to: number[], share: number): string {
  return `rgb(${from.map((channel, index) => Math.round(channel + ((to[index] as number) - channel) * share)).join(',')})`;
}

const losing = [202, 0, 32];
const even = [247, 247, 247];
const winning = [5, 113, 176];

/**
 * The heatmap colour of a win rate: red below 50%, near-white at 50%, blue above.
 *
 * @example
 * winRateColor(0.5) // → 'rgb(247,247,247)'
 */
export function winRateColor(rate: number): string {
  return rate < 0.5 ? mix(losing, even, rate * 2) : mix(even, winning, (rate - 0.5) * 2);
}

/**
 * The pairwise matrix as a heatmap: row's win rate against column, games played beneath.
 *
 * @example
 * winRateChart(results.pairwise, 'Win rate of row against column')
 */
export function winRateChart(pairwise: PairwiseResult, title: string): string {
  const count = pairwise.contestants.length;
  const labelWidth = Math.round(24 + Math.max(4, ...pairwise.contestants.map((name) => Math.min(name.length, 30))) * 7.8);
  const cell = Math.max(56, Math.min(96, Math.floor(560 / Math.max(1, count))));
  // Column names are drawn rising at 40°, so long names need height above the grid, not cell width.
  const longest = Math.max(4, ...pairwise.contestants.map((name) => Math.min(name.length, 28))) * 7.4;
  const top = Math.round(24 + longest * Math.sin(Math.PI / 4.5));
  const legendX = labelWidth + count * cell + 36;
  const width = Math.round(Math.max(legendX + 90, labelWidth + (count - 0.5) * cell + longest * Math.cos(Math.PI / 4.5) + 16));
  const height = Math.max(top + count * cell + 24, 260);
  const parts = [svgOpen('win-rate', title, width, height, 'chart compact')];
  pairwise.contestants.forEach((name, index) => {
    const centre = round(labelWidth + index * cell + cell / 2);
    parts.push(
      `<text x="${centre}" y="${top - 10}" class="column-label" transform="rotate(-40 ${centre} ${top - 10})">${escapeXml(truncate(name, 28))}<title>${escapeXml(name)}</title></text>`,
      `<text x="${labelWidth - 10}" y="${top + index * cell + cell / 2 + 4}" class="row-label" text-anchor="end">${escapeXml(truncate(name, 30))}<title>${escapeXml(name)}</title></text>`,
    );
  });
  for (let row = 0; row < count; row += 1) {
    for (let column = 0; column < count; column += 1) {
      const [cellX, cellY] = [labelWidth + column * cell, top + row * cell];
      const rate = pairwise.winRate[row]?.[column] ?? null;
      const games = pairwise.games[row]?.[column] ?? 0;
      const [centreX, centreY] = [cellX + cell / 2, cellY + cell / 2];
      if (row === column || rate === null) {
        parts.push(`<rect x="${cellX}" y="${cellY}" width="${cell}" height="${cell}" class="cell-empty"/>`, `<text x="${centreX}" y="${centreY + 4}" class="cell-note" text-anchor="middle">${row === column ? '—' : 'no games'}</text>`);
        continue;
      }
      const textClass = Math.abs(rate - 0.5) > 0.3 ? 'cell-text light' : 'cell-text';
      const [rowName, columnName] = [pairwise.contestants[row] ?? '', pairwise.contestants[column] ?? ''];
      parts.push(
        `<rect x="${cellX}" y="${cellY}" width="${cell}" height="${cell}" fill="${winRateColor(rate)}" stroke="#fff" stroke-width="2"><title>${escapeXml(`${rowName} beat ${columnName} in ${formatPercent(rate)} of ${games} games`)}</title></rect>`,
        `<text x="${centreX}" y="${centreY + 2}" class="${textClass}" text-anchor="middle">${formatPercent(rate)}</text>`,
        `<text x="${centreX}" y="${centreY + 18}" class="${textClass} small" text-anchor="middle">(${games})</text>`,
      );
    }
  }
  const legendHeight = Math.min(180, count * cell);
  parts.push(`<defs><linearGradient id="win-rate-gradient" x1="0" y1="1" x2="0" y2="0"><stop offset="0" stop-color="${winRateColor(0)}"/><stop offset="0.5" stop-color="${winRateColor(0.5)}"/><stop offset="1" stop-color="${winRateColor(1)}"/></linearGradient></defs>`);
  parts.push(`<rect x="${legendX}" y="${top}" width="14" height="${legendHeight}" fill="url(#win-rate-gradient)" stroke="#d0d7de"/>`);
  for (const [share, text] of [[1, '100%'], [0.5, '50%'], [0, '0%']] as const) {
    parts.push(`<text x="${legendX + 20}" y="${round(top + (1 - share) * legendHeight + 4)}" class="tick">${text}</text>`);
  }
  parts.push('</svg>');
  return parts.join('');
}

/**
 * One Bradley–Terry strength with its 95% interval as a bar on a shared 0..`scaleMax` axis, for a
 * table cell; with `axis` true it draws the axis ticks instead, for the column header.
 *
 * @example
 * intervalBar({ strength: 0.5, low: 0.4, high: 0.6 }, 0.8, '#4e79a7')
 */
export function intervalBar(entry: { strength: number; low: number; high: number } | 'axis', scaleMax: number, color = '#1f2328'): string {
  const [width, height, padding] = [280, 24, 10];
  const x = (value: number) => round(padding + (Math.min(Math.max(value, 0), scaleMax) / scaleMax) * (width - 2 * padding));
  if (entry === 'axis') {
    const step = niceStep(scaleMax, 4);
    const ticks = Array.from({ length: Math.floor(scaleMax / step + 1e-9) + 1 }, (_unused, index) => index * step);
    const labels = ticks.map((tick) => `<line x1="${x(tick)}" x2="${x(tick)}" y1="16" y2="22" class="axis"/><text x="${x(tick)}" y="12" class="tick" text-anchor="middle">${Number(tick.toPrecision(3))}</text>`);
    return `<svg class="interval-axis" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" aria-hidden="true"><line x1="${padding}" x2="${width - padding}" y1="22" y2="22" class="axis"/>${labels.join('')}</svg>`;
  }
  const label = `strength ${entry.strength.toFixed(3)}, 95% interval ${entry.low.toFixed(3)} to ${entry.high.toFixed(3)}`;
  return [
    `<svg class="interval" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" role="img" aria-label="${label}"><title>${label}</title>`,
    `<line x1="${padding}" x2="${width - padding}" y1="12" y2="12" class="track"/>`,
    `<rect x="${x(entry.low)}" y="7" width="${Math.max(2, round(x(entry.high) - x(entry.low)))}" height="10" rx="3" fill="${color}" fill-opacity="0.35" stroke="${color}"/>`,
    `<circle cx="${x(entry.strength)}" cy="12" r="5" fill="${color}" stroke="#fff" stroke-width="1.5"/>`,
    '</svg>',
  ].join('');
}
