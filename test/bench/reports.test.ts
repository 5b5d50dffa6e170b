// The four views of a benchmark run — CSV, Markdown, HTML and the terminal table — checked for what
// a user would notice: rows that survive a spreadsheet round trip, warnings that are present,
// names that cannot inject markup, a page that needs no network, and columns that line up.
import { describe, expect, it } from 'vitest';
import { renderHtmlReport } from '../../src/bench/report-html.js';
import { renderMarkdownReport } from '../../src/bench/report-markdown.js';
import { renderResultsCsv } from '../../src/bench/results-csv.js';
import { formatMilliseconds, formatPercent, formatResultsTable } from '../../src/bench/results-table.js';
import { buildFixtureResults } from './fixture-results.js';

const hostile = '<script>alert(1)</script>';
const ansiEscape = '\u001b[';

function stripAnsi(text: string): string {
  return text
    .split(ansiEscape)
    .map((part, index) => (index === 0 ? part : part.replace(/^\d+m/, '')))
    .join('');
}

/** A strict RFC 4180 reader, so the test does not trust the writer's own idea of quoting. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let index = 0; index < text.length; index += 1) {
    const character = text[index] as string;
    if (quoted) {
      if (character === '"' && text[index + 1] === '"') {
        field += '"';
        index += 1;
      } else if (character === '"') quoted = false;
      else field += character;
    } else if (character === '"') quoted = true;
    else if (character === ',') {
      row.push(field);
      field = '';
    } else if (character === '\n') {
      rows.push([...row, field]);
      row = [];
      field = '';
    } else field += character;
  }
  expect(quoted, 'unterminated quoted field').toBe(false);
  expect(field === '' && row.length === 0, 'CSV must end with a newline').toBe(true);
  return rows;
}

describe('results.csv', () => {
  it('has a header and one row per sample that parses back with outputs intact', () => {
    const results = buildFixtureResults();
    const csv = renderResultsCsv(results);
    expect(csv.endsWith('\n')).toBe(true);
    const [header, ...rows] = parseCsv(csv);
    expect(header).toEqual(['contestant', 'prompt_id', 'repeat', 'cached', 'ttft_ms', 'itl_ms', 'tokens_per_second', 'e2e_ms', 'input_tokens', 'output_tokens', 'cost_usd', 'error_code', 'quality_score', 'quality_passed', 'output']);
    expect(rows).toHaveLength(results.samples.length);
    for (const row of rows) expect(row).toHaveLength(header?.length ?? 0);
    results.samples.forEach((sample, index) => {
      const row = rows[index] as string[];
      expect(row[0]).toBe(sample.contestant);
      expect(row[14]).toBe(sample.output);
      expect(row[7]).toBe(String(sample.metrics.e2eMs));
    });
    const tricky = rows.find((row) => row[14]?.includes('"charged twice"'));
    expect(tricky?.[14]).toContain(',');
    expect(tricky?.[14]).toContain('\n');
    expect(rows.some((row) => row[14]?.includes('\r\n'))).toBe(true);
  });

  it('leaves null metrics empty and names the error code', () => {
    const results = buildFixtureResults();
    const rows = parseCsv(renderResultsCsv(results)).slice(1);
    const topologyRow = rows.find((row) => row[0] === 'debate-trio') as string[];
    expect(topologyRow[4]).toBe('');
    expect(topologyRow[6]).toBe('');
    const failed = rows.filter((row) => row[11] !== '');
    expect(failed.map((row) => row[11]).sort()).toEqual(['provider_overloaded', 'rate_limited', 'timeout']);
    for (const row of failed) expect([row[12], row[13]]).toEqual(['', '']);
  });
});

describe('report.md', () => {
  it('warns about simulation and has one summary row per contestant', () => {
    const results = buildFixtureResults();
    const markdown = renderMarkdownReport(results);
    expect(markdown).toMatch(/^# Benchmark: /);
    expect(markdown).toContain('**SIMULATED**');
    expect(markdown).toContain('Harness overhead: 0.42 ms per request');
    for (const contestant of results.contestants) {
      const row = markdown.split('\n').find((line) => line.startsWith(`| **${contestant.name}**`));
      expect(row, contestant.name).toBeDefined();
      expect(row).toContain(formatMilliseconds(contestant.e2eMs.p50));
      expect(row).toContain(formatPercent(contestant.quality?.mean));
    }
    const topologyRow = markdown.split('\n').find((line) => line.startsWith('| **debate-trio**'));
    expect(topologyRow).toContain('| — |');
  });

  it('lists error types, the win-rate matrix and the ranking with intervals', () => {
    const markdown = renderMarkdownReport(buildFixtureResults());
    expect(markdown).toContain('## Errors');
    expect(markdown).toContain('`rate_limited`');
    expect(markdown).toContain('75% (12)');
    expect(markdown).toContain('| 1 | **anthropic:claude-sonnet-4-5** | 0.452 | 0.351 – 0.561 |');
    expect(renderMarkdownReport(buildFixtureResults({ pairwise: false }))).not.toContain('## Pairwise');
  });

  it('keeps a pipe or a tag in a name from breaking the table', () => {
    const markdown = renderMarkdownReport(buildFixtureResults({ names: ['a|b', hostile, 'c'] }));
    expect(markdown).toContain('**a\\|b**');
    expect(markdown).not.toContain('<script>');
  });
});

describe('report.html', () => {
  const html = renderHtmlReport(buildFixtureResults({ names: ['anthropic:claude-sonnet-4-5', hostile, 'debate-trio'] }));

  it('has the three charts as SVG with titles', () => {
    for (const chart of ['latency', 'cost-quality', 'win-rate']) {
      expect(html).toMatch(new RegExp(`<svg data-chart="${chart}"[^>]* aria-label="[^"]+"[^>]*><title>`));
    }
    expect(html).toContain('data-chart="ttft"');
    expect(html).toContain('SIMULATED');
    expect(html).toContain('Harness overhead: 0.42 ms per request');
  });

  it('escapes contestant and suite names', () => {
    expect(html).not.toContain(hostile);
    expect(html).not.toMatch(/<script/i);
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(html).toContain('Support triage, &quot;v2&quot; &lt;beta&gt;');
  });

  it('needs nothing from the network', () => {
    const withoutNamespace = html.replaceAll('http://www.w3.org/2000/svg', '');
    expect(withoutNamespace).not.toMatch(/https?:\/\//);
    expect(html).not.toMatch(/<(link|img|iframe|object|embed)\b/i);
    expect(html).not.toMatch(/@import|url\((?!#)/);
  });

  it('replaces missing charts with notes', () => {
    const results = buildFixtureResults({ pairwise: false });
    for (const contestant of results.contestants) contestant.quality = null;
    const page = renderHtmlReport(results);
    expect(page).toContain('data-chart="latency"');
    expect(page).not.toContain('data-chart="win-rate"');
    expect(page).not.toContain('data-chart="cost-quality"');
    expect(page).toContain('no pairwise tournament');
    expect(page).toContain('No contestant was scored');
  });

  it('notes all-zero costs instead of inventing a scale', () => {
    const results = buildFixtureResults();
    for (const contestant of results.contestants) contestant.cost = { ...contestant.cost, totalUsd: 0, perRequestUsd: { ...contestant.cost.perRequestUsd, mean: 0 } };
    const page = renderHtmlReport(results);
    expect(page).toContain('Every cost is $0');
    expect(page).toContain('data-chart="cost-quality"');
    expect(page).not.toContain('NaN');
  });
});

describe('terminal table', () => {
  const results = buildFixtureResults();

  it('has no ANSI codes without colour and lines its columns up', () => {
    const table = formatResultsTable(results, { color: false });
    expect(table).not.toContain(ansiEscape);
    const lines = table.split('\n');
    const [header, rule, ...rest] = lines;
    expect(header).toMatch(/^contestant\s+quality\s+p50 TTFT\s+p50 tok\/s\s+p50 e2e\s+p95 e2e\s+errors\s+cost$/);
    expect(rule).toMatch(/^[─ ]+$/);
    const rows = rest.slice(0, results.contestants.length);
    expect(rows.map((row) => row.split(/\s{2,}/)[0]?.replace(/ \*$/, ''))).toEqual(results.contestants.map((contestant) => contestant.name));
    for (const row of [header, ...rows]) expect(row?.length).toBe(rule?.length);
    expect(rows[2]).toContain('—');
    expect(rows[1]).toContain('2 (17%)');
    expect(table).toContain('* simulated');
    expect(table).toContain('Harness overhead: 0.42 ms per request');
  });

  it('colours with ANSI only when asked, keeping the same text', () => {
    const coloured = formatResultsTable(results, { color: true });
    expect(coloured).toContain(ansiEscape);
    expect(stripAnsi(coloured)).toBe(formatResultsTable(results, { color: false }));
  });

  it('fits a narrow terminal by shortening names and dropping columns', () => {
    const table = formatResultsTable(results, { color: false, width: 60 });
    const lines = table.split('\n').slice(0, 2 + results.contestants.length);
    for (const line of lines) expect(line.length).toBeLessThanOrEqual(60);
    expect(lines[0]).toContain('p50 e2e');
    expect(lines[0]).not.toContain('p95 e2e');
  });
});
