// The web UI's bench view in a real headless Chromium (Debian's /usr/bin/chromium through
// playwright-core), opened the way a user does: `conclave bench SUITE --view` runs a small offline
// suite, then serves the viewer and prints a link whose fragment holds the viewer's key. The page
// signs itself in from the link, shows the contestants, three drawn charts, the win-rate matrix and
// the side-by-side answer matrix whose verdicts match results.json, and its filters narrow the rows.
// No console error, no request beyond the viewer; screenshots are decoded and checked, and the
// matrix's is kept as docs/ui-bench.png for the README.
import type { ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { BenchResults } from '../../src/bench/bench-types.js';
import { benchFixtureSuite } from '../support/bench-run-fixture.js';
import { collect, projectRoot, startCli } from '../support/cli.js';
import { readPng } from './png-image.js';

const chromiumPath = '/usr/bin/chromium';
const missing = !existsSync(chromiumPath) ? `${chromiumPath} is not installed (apt-get install chromium)` : !existsSync(join(projectRoot, 'dist', 'ui', 'index.html')) ? 'dist/ui is missing: run `npm run build`' : undefined;

if (missing !== undefined) {
  describe('the bench view without a browser or a build', () => {
    it('has a browser and a built UI', (context) => {
      if (process.env['CI'] === 'true') throw new Error(`The bench view test needs ${missing}`);
      context.skip(`skipped: ${missing}`);
    });
  });
}

describe.skipIf(missing !== undefined)('conclave bench --view in headless Chromium', () => {
  let directory: string;
  let viewer: ChildProcess;
  let stderr = '';
  let link: string;
  let results: BenchResults;
  let browser: Browser;
  const problems: string[] = [];
  const requests: string[] = [];

  beforeAll(async () => {
    directory = mkdtempSync(join(tmpdir(), 'conclave-bench-ui-'));
    writeFileSync(join(directory, 'suite.yaml'), benchFixtureSuite);
    viewer = startCli(['bench', join(directory, 'suite.yaml'), '--out', join(directory, 'out'), '--quiet', '--view', '--no-open']);
    viewer.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    await vi.waitFor(() => expect(stderr).toMatch(/bench view: http:\/\/\S+/), { timeout: 60_000, interval: 50 });
    link = /bench view: (http:\/\/\S+)/.exec(stderr)?.[1] as string;
    const [runId] = readdirSync(join(directory, 'out')).filter((name) => name.startsWith('view-demo-'));
    results = JSON.parse(readFileSync(join(directory, 'out', runId as string, 'results.json'), 'utf8')) as BenchResults;
    browser = await chromium.launch({ executablePath: chromiumPath, args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'] });
  }, 90_000);

  afterAll(async () => {
    await browser?.close();
    if (viewer !== undefined && viewer.exitCode === null) viewer.kill('SIGKILL');
    if (directory !== undefined) rmSync(directory, { recursive: true, force: true });
  });

  const newPage = async (options: { width: number; height: number; dark?: boolean }): Promise<Page> => {
    const context = await browser.newContext({ viewport: { width: options.width, height: options.height }, colorScheme: options.dark === true ? 'dark' : 'light' });
    const page = await context.newPage();
    page.setDefaultTimeout(15_000);
    page.on('console', (message) => {
      if (message.type() === 'error') problems.push(`console error: ${message.text()}`);
    });
    page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
    page.on('request', (request) => requests.push(request.url()));
    return page;
  };

  it('prints a link to the run with a key in its fragment', () => {
    expect(link).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/bench\/view-demo-[\w-]+#key=ck_\w+$/);
    expect(results.samples).toHaveLength(8);
  });

  it("opens the run's matrix: every answer side by side, with verdicts matching results.json", async () => {
    const page = await newPage({ width: 1280, height: 900 });
    await page.goto(link);
    await page.getByRole('heading', { name: 'view-demo', level: 1 }).waitFor();
    // Signed in from the fragment, which is gone from the address bar.
    expect(page.url()).not.toContain('#key=');
    await page.getByRole('button', { name: 'Sign out' }).waitFor();

    // The contestants, and three charts drawn by Chart.js (canvases with their figures as labels).
    // The heading comes from the address; the tables once the run is fetched: wait for their rows.
    await page.locator('table.contestants tbody tr').nth(1).waitFor();
    expect(await page.locator('table.contestants tbody tr').count()).toBe(2);
    for (const chart of ['e2eMs', 'ttftMs', 'cost-quality']) await page.locator(`canvas[data-chart="${chart}"]`).waitFor();
    expect(await page.locator('canvas[data-chart="e2eMs"]').getAttribute('aria-label')).toMatch(/^End-to-end latency\. .*sage: p50 \d+ ms/);
    const chart = readPng(await page.locator('canvas[data-chart="e2eMs"]').screenshot());
    expect(chart.colours).toBeGreaterThan(10);

    // The win-rate matrix: the row beats the column; the diagonal is empty.
    const pairwise = results.pairwise;
    expect(pairwise).not.toBeNull();
    await page.locator('table.win-rate tbody tr').nth((pairwise?.winRate.length ?? 1) - 1).waitFor();
    const cells = await page.locator('table.win-rate tbody tr').evaluateAll((rows) => rows.map((row) => [...row.querySelectorAll('td')].map((cell) => cell.textContent)));
    expect(cells).toEqual(pairwise?.winRate.map((row) => row.map((rate) => (rate === null ? '–' : `${Math.round(rate * 100)}%`))));

    // The answer matrix: a row per prompt, a cell per contestant, verdicts as results.json says.
    const rows = page.locator('table.answer-matrix tbody tr');
    await rows.nth(3).waitFor();
    expect(await rows.count()).toBe(4);
    for (const sample of results.samples) {
      const cell = page.locator(`tr[data-prompt="${sample.promptId}"] td[data-contestant="${sample.contestant}"]`);
      expect(await cell.locator('.verdict').textContent(), `${sample.contestant} on ${sample.promptId}`).toBe(sample.quality?.passed === true ? 'pass' : 'fail');
      expect(await cell.locator('.said').first().textContent()).toBe(sample.output);
    }
    mkdirSync(join(projectRoot, 'docs'), { recursive: true });
    const image = readPng(await page.screenshot({ path: join(projectRoot, 'docs', 'ui-bench.png'), fullPage: true }));
    expect(image.width).toBe(1280);
    expect(image.colours).toBeGreaterThan(50);

    // The filters: only prompts where something failed, then a search over the answers.
    const failing = new Set(results.samples.filter((sample) => sample.quality?.passed !== true).map((sample) => sample.promptId));
    expect(failing.size).toBeGreaterThan(0);
    expect(failing.size).toBeLessThan(4);
    await page.getByLabel('only prompts with a failed check or an error').check();
    await vi.waitFor(async () => expect(await rows.count()).toBe(failing.size));
    expect((await rows.evaluateAll((list) => list.map((row) => row.getAttribute('data-prompt')))).sort()).toEqual([...failing].sort());
    await page.getByLabel('only prompts with a failed check or an error').uncheck();
    await page.getByRole('searchbox', { name: 'Search' }).fill('9 * 9');
    await vi.waitFor(async () => expect(await rows.count()).toBe(1));
    expect(await rows.first().getAttribute('data-prompt')).toBe('p4');

    // The list of runs, by the header's link.
    await page.getByRole('link', { name: 'Bench runs' }).click();
    await page.getByRole('heading', { name: 'Bench runs' }).waitFor();
    await page.locator('tr[data-run^="view-demo-"]').waitFor();
    expect(await page.locator('tbody tr').count()).toBe(1);
    await page.close();
  });

  it('fits a narrow window in dark mode', async () => {
    const page = await newPage({ width: 390, height: 844, dark: true });
    await page.goto(link);
    await page.locator('table.answer-matrix').waitFor();
    const overflow = await page.evaluate('document.documentElement.scrollWidth - document.documentElement.clientWidth');
    expect(overflow).toBe(0);
    const background = await page.evaluate('getComputedStyle(document.body).backgroundColor');
    expect(background).toBe('rgb(22, 24, 29)');
    await page.close();
  });

  it('logged no console or page errors, made no request beyond the viewer, and stops on Ctrl-C', async () => {
    expect(problems).toEqual([]);
    const origin = new URL(link).origin;
    expect(requests.length).toBeGreaterThan(4);
    for (const url of requests) expect(url.startsWith(`${origin}/`)).toBe(true);
    viewer.kill('SIGINT');
    const ended = await collect(viewer);
    expect(ended.code).toBe(0);
  });
});
