/**
 * The bench view's charts, drawn by Chart.js (bundled; only the parts used are registered): latency
 * distributions as p50/p95/p99 bars per contestant, and cost per request against quality. Colours
 * come from the page's CSS variables, so the charts follow light and dark. Each canvas has a text
 * label, and the same figures are in the contestants table beside it for screen readers.
 */
import { BarController, BarElement, CategoryScale, Chart, Legend, LinearScale, PointElement, ScatterController, Tooltip, type ChartConfiguration } from 'chart.js';
import { useEffect, useRef } from 'preact/hooks';
import { costQualityPoints, latencySeries, milliseconds, type ContestantSummary } from './bench-model.js';

Chart.register(BarController, BarElement, CategoryScale, LinearScale, ScatterController, PointElement, Legend, Tooltip);

function cssColor(name: string, fallback: string): string {
  return getComputedStyle(document.documentElement).getPropertyValue(name).trim() || fallback;
}

function themed(): { fg: string; muted: string; grid: string; series: string[] } {
  return {
    fg: cssColor('--fg', '#1c1f24'),
    muted: cssColor('--muted', '#5d6470'),
    grid: cssColor('--border', '#d5d9e0'),
    series: [cssColor('--accent', '#3b5bdb'), cssColor('--current', '#f59f00'), cssColor('--failed', '#c92a2a'), cssColor('--done', '#2b8a3e'), cssColor('--running', '#1c7ed6')],
  };
}

/** A canvas owned by one Chart.js chart, rebuilt when its figures (its label) change and destroyed on unmount. */
function ChartCanvas({ config, label, testId }: { config: () => ChartConfiguration; label: string; testId: string }) {
  const canvas = useRef<HTMLCanvasElement>(null);
  useEffect(() => {
    if (canvas.current === null) return;
    const chart = new Chart(canvas.current, config());
    return () => chart.destroy();
    // The label spells out every figure of the chart: the chart is rebuilt exactly when they change.
  }, [label]);
  return (
    <div class="chart">
      <canvas ref={canvas} role="img" aria-label={label} data-chart={testId} />
    </div>
  );
}

/**
 * Grouped p50/p95/p99 bars of one latency metric (end to end, or time to first token).
 *
 * @example
 * <LatencyChart contestants={results.contestants} metric="e2eMs" title="End-to-end latency" />
 */
export function LatencyChart({ contestants, metric, title }: { contestants: ContestantSummary[]; metric: 'e2eMs' | 'ttftMs'; title: string }) {
  const series = latencySeries(contestants, metric);
  if (series.p50.every((value) => value === null)) return null;
  const config = (): ChartConfiguration => {
    const theme = themed();
    return {
      type: 'bar',
      data: {
        labels: series.labels,
        datasets: (['p50', 'p95', 'p99'] as const).map((field, index) => ({ label: field, data: series[field], backgroundColor: theme.series[index] })),
      },
      options: {
        animation: false,
        maintainAspectRatio: false,
        plugins: { legend: { labels: { color: theme.fg } }, tooltip: { callbacks: { label: (item) => `${item.dataset.label}: ${milliseconds(item.parsed.y)}` } } },
        scales: {
          x: { ticks: { color: theme.fg }, grid: { color: theme.grid } },
          y: { beginAtZero: true, title: { display: true, text: 'ms', color: theme.muted }, ticks: { color: theme.fg }, grid: { color: theme.grid } },
        },
      },
    };
  };
  const text = series.labels.map((name, index) => `${name}: p50 ${milliseconds(series.p50[index])}, p95 ${milliseconds(series.p95[index])}, p99 ${milliseconds(series.p99[index])}`).join('; ');
  return (
    <figure class="chart-figure">
      <figcaption>{title}</figcaption>
      <ChartCanvas config={config} label={`${title}. ${text}`} testId={metric} />
    </figure>
  );
}

/**
 * Each scored contestant as a point: cost per request (x) against mean quality (y).
 *
 * @example
 * <CostQualityChart contestants={results.contestants} />
 */
export function CostQualityChart({ contestants }: { contestants: ContestantSummary[] }) {
  const points = costQualityPoints(contestants);
  if (points.length === 0) return null;
  const config = (): ChartConfiguration => {
    const theme = themed();
    return {
      type: 'scatter',
      data: {
        datasets: points.map((point, index) => ({
          label: point.name,
          data: [{ x: point.costUsd, y: point.quality }],
          backgroundColor: theme.series[index % theme.series.length],
          pointRadius: 7,
          clip: false as const,
        })),
      },
      options: {
        animation: false,
        maintainAspectRatio: false,
        plugins: { legend: { labels: { color: theme.fg } }, tooltip: { callbacks: { label: (item) => `${item.dataset.label ?? ''}: $${(item.parsed.x ?? 0).toFixed(6)} per request, quality ${((item.parsed.y ?? 0) * 100).toFixed(0)}%` } } },
        scales: {
          x: { title: { display: true, text: 'cost per request (USD)', color: theme.muted }, ticks: { color: theme.fg }, grid: { color: theme.grid }, beginAtZero: true },
          y: { min: 0, max: 1, title: { display: true, text: 'quality', color: theme.muted }, ticks: { color: theme.fg, callback: (value) => `${Math.round(Number(value) * 100)}%` }, grid: { color: theme.grid } },
        },
      },
    };
  };
  const text = points.map((point) => `${point.name}: $${point.costUsd.toFixed(6)} per request, quality ${(point.quality * 100).toFixed(0)}%`).join('; ');
  return (
    <figure class="chart-figure">
      <figcaption>Cost vs quality</figcaption>
      <ChartCanvas config={config} label={`Cost vs quality. ${text}`} testId="cost-quality" />
    </figure>
  );
}
