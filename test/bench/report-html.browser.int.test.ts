// The HTML report opened from disk in a real headless Chromium (Debian's /usr/bin/chromium, driven
// through playwright-core, which downloads no browser): no console or page errors, no request that
// leaves file://, no script run from a hostile contestant name, and three charts that are visible
// and actually drawn. The full-page screenshot stays in the test's temporary directory.
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderHtmlReport } from '../../src/bench/report-html.js';
import { buildFixtureResults } from './fixture-results.js';

const chromiumPath = '/usr/bin/chromium';
const missingChromium = existsSync(chromiumPath) ? undefined : `${chromiumPath} is not installed (apt-get install chromium)`;
const charts = ['latency', 'cost-quality', 'win-rate'] as const;

if (missingChromium !== undefined) {
  describe('report.html without Chromium', () => {
    it('has a browser to render in', (context) => {
      if (process.env['CI'] === 'true') throw new Error(`The browser test needs Chromium in CI: ${missingChromium}. Run: apt-get install chromium`);
      context.skip(`skipped: ${missingChromium}`);
    });
  });
}

describe.skipIf(missingChromium !== undefined)('report.html in headless Chromium', () => {
  let directory: string;
  let browser: Browser;
  let page: Page;
  let screenshotPath: string;
  const problems: string[] = [];
  const requests: string[] = [];

  beforeAll(async () => {
    directory = mkdtempSync(join(tmpdir(), 'conclave-report-'));
    const reportPath = join(directory, 'report.html');
    const results = buildFixtureResults({ names: ['anthropic:claude-sonnet-4-5', '<script>alert(1)</script>', 'debate-trio'] });
    writeFileSync(reportPath, renderHtmlReport(results));
    browser = await chromium.launch({
      executablePath: chromiumPath,
      args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
    page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    page.on('console', (message) => {
      if (message.type() === 'error' || message.type() === 'warning') problems.push(`console ${message.type()}: ${message.text()}`);
    });
    page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
    page.on('requestfailed', (request) => problems.push(`request failed: ${request.url()} ${request.failure()?.errorText ?? ''}`));
    page.on('dialog', (dialog) => {
      problems.push(`dialog opened: ${dialog.message()}`);
      void dialog.dismiss();
    });
    page.on('request', (request) => requests.push(request.url()));
    await page.goto(pathToFileURL(reportPath).href, { waitUntil: 'load' });
    screenshotPath = join(directory, 'report.png');
    await page.screenshot({ path: screenshotPath, fullPage: true });
  });

  afterAll(async () => {
    await browser?.close();
    if (directory !== undefined) rmSync(directory, { recursive: true, force: true });
  });

  it('loads without errors, dialogs or requests beyond the file itself', () => {
    expect(problems).toEqual([]);
    expect(requests.length).toBeGreaterThan(0);
    for (const url of requests) expect(url).toMatch(/^file:\/\//);
  });

  it('screenshots to a real, non-trivial PNG', () => {
    const png = readFileSync(screenshotPath);
    expect([...png.subarray(0, 8)]).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
    expect(statSync(screenshotPath).size).toBeGreaterThan(20 * 1024);
  });

  it.each(charts)('shows the %s chart, drawn', async (chart) => {
    const svg = page.locator(`svg[data-chart="${chart}"]`);
    await expect(svg.isVisible()).resolves.toBe(true);
    const box = await svg.boundingBox();
    expect(box?.width ?? 0).toBeGreaterThan(100);
    expect(box?.height ?? 0).toBeGreaterThan(100);
    const shapes = await svg.evaluate((element) => ({
      rect: element.querySelectorAll('rect').length,
      circle: element.querySelectorAll('circle').length,
      line: element.querySelectorAll('line').length,
      path: element.querySelectorAll('path').length,
      title: element.querySelector(':scope > title')?.textContent ?? '',
    }));
    expect(shapes.rect + shapes.circle + shapes.line + shapes.path).toBeGreaterThan(3);
    expect(shapes.title).not.toBe('');
    if (chart === 'latency') expect(shapes.circle).toBeGreaterThan(20);
    if (chart === 'cost-quality') expect(shapes.circle).toBe(3);
    if (chart === 'win-rate') expect(shapes.rect).toBeGreaterThanOrEqual(9);
  });

  it('shows the hostile contestant name as text, not markup', async () => {
    await expect(page.locator('script').count()).resolves.toBe(0);
    await expect(page.getByText('<script>alert(1)</script>').first().isVisible()).resolves.toBe(true);
  });
});
