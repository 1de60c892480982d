/**
 * report.html in a real browser: every chart draws data marks from the
 * fixture, an empty run shows "no data" instead of crashing, the node table
 * sorts, and the page logs no errors. Saves screenshots to reports/screenshots/.
 *
 * Needs Chromium at /usr/bin/chromium (CI installs it); without it the test
 * fails rather than skipping silently.
 */
import test from 'ava';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { chromium, type Browser } from 'playwright-core';
import { chartSpecs } from '../../src/report/html.js';
import type { Summary } from '../../src/report/summary.js';
import { writeReport } from '../../src/report/write.js';
import { busySummary, emptySummary, fixtureSummary, operationSummary } from '../report/fixture.js';

const CHROMIUM = '/usr/bin/chromium';
const root = fileURLToPath(new URL('../../', import.meta.url));
const screenshots = join(root, 'reports', 'screenshots');

let browser: Browser | undefined;
let tempRoot: string | undefined;

test.before(async () => {
  if (!existsSync(CHROMIUM)) return;
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  tempRoot = mkdtempSync(join(tmpdir(), 'dynasim-report-'));
});

test.after.always(async () => {
  await browser?.close();
  if (tempRoot !== undefined) rmSync(tempRoot, { recursive: true, force: true });
});

interface Loaded {
  page: import('playwright-core').Page;
  errors: string[];
}

async function open(summary: Summary, name: string): Promise<Loaded> {
  if (browser === undefined || tempRoot === undefined) {
    throw new Error(`Chromium not found at ${CHROMIUM}: install it with \`apt-get install -y chromium\` (the report browser test needs it)`);
  }
  const dir = join(tempRoot, name);
  const written = writeReport(dir, summary);
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  const errors: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error' || message.type() === 'warning') errors.push(`console.${message.type()}: ${message.text()}`);
  });
  page.on('pageerror', (error) => errors.push(`page error: ${error.message}`));
  page.on('requestfailed', (request) => errors.push(`request failed: ${request.url()}`));
  page.on('request', (request) => {
    // Self-contained: nothing but the page itself (and inline data: URLs) is fetched.
    const url = request.url();
    if (!url.startsWith('data:') && url !== pathToFileURL(written.html!).href) errors.push(`unexpected request: ${url}`);
  });
  await page.goto(pathToFileURL(written.html!).href, { waitUntil: 'load' });
  return { page, errors };
}

async function screenshot(page: Loaded['page'], file: string): Promise<void> {
  mkdirSync(screenshots, { recursive: true });
  await page.screenshot({ path: join(screenshots, file), fullPage: true });
}

test.serial('every chart of the fixture report renders data marks, with no console or page errors', async (t) => {
  const summary = fixtureSummary();
  const { page, errors } = await open(summary, 'fixture');
  const ids = chartSpecs(summary).map((c) => c.id);
  t.deepEqual(ids, ['latency', 'availability', 'hints', 'balance', 'tvisibility', 'versions', 'load', 'ring']);
  for (const id of ids) {
    const svg = page.locator(`svg.chart#${id}`);
    t.is(await svg.count(), 1, `one svg#${id}`);
    t.true((await svg.locator('.mark').count()) > 0, `chart ${id} drew data marks`);
    t.is(await svg.locator('.no-data').count(), 0, `chart ${id} has data`);
    t.true((await svg.locator('.axis, .legend').count()) > 0, `chart ${id} has axes or a legend`);
  }
  // Marks that follow the data one to one.
  t.is(await page.locator('svg#latency path.mark').count(), 6, 'p50/p99/p99.9 of get and put');
  t.is(await page.locator('svg#versions rect.mark').count(), summary.versions.histogram.length);
  t.is(await page.locator('svg#load rect.mark').count(), summary.nodes.length * 2);
  t.is(await page.locator('svg#ring path.mark').count(), summary.ring.tokens.length);
  t.is(await page.locator('svg#tvisibility circle.mark').count(), summary.staleness.tVisibility.length);
  // Faults are shaded and labelled on the time charts.
  t.is(await page.locator('svg#latency rect.fault').count(), summary.faults.length * 2, 'both panels shade both faults');
  t.deepEqual(await page.locator('svg#availability .fault-label').allTextContents(), summary.faults.map((f) => f.describe));
  // The header facts and the checks.
  const text = await page.locator('body').innerText();
  t.true(text.includes(summary.digest));
  t.true(text.includes('Checks: 3 passed, 2 failed'));
  t.is(await page.locator('#checks tr.fail').count(), 2);
  t.true(text.includes('99.94%'), 'the versions share is labelled');
  t.deepEqual(errors, []);
  await screenshot(page, 'report.png');
  await page.close();
});

test.serial('the node table sorts when a column header is clicked', async (t) => {
  const summary = fixtureSummary();
  const { page, errors } = await open(summary, 'sort');
  const firstNode = () => page.locator('#nodes tbody tr:first-child td:first-child').textContent();
  const header = page.locator('#nodes thead th', { hasText: 'coordinated' }).locator('button');
  const byCoordinated = [...summary.nodes].sort((a, b) => a.coordinated - b.coordinated);
  await header.click();
  t.is(await firstNode(), byCoordinated[0]!.name, 'ascending');
  t.is(await page.locator('#nodes thead th[aria-sort="ascending"]').count(), 1);
  await header.click();
  t.is(await firstNode(), byCoordinated[byCoordinated.length - 1]!.name, 'descending');
  await page.locator('#nodes thead th', { hasText: 'node' }).first().locator('button').click();
  t.is(await firstNode(), 'n0', 'back to name order');
  t.deepEqual(errors, []);
  await page.close();
});

test.serial('an empty run renders "no data" in every chart without errors', async (t) => {
  const summary = emptySummary();
  const { page, errors } = await open(summary, 'empty');
  for (const { id } of chartSpecs(summary)) {
    const svg = page.locator(`svg.chart#${id}`);
    t.is(await svg.locator('.mark').count(), 0, `chart ${id} has no marks`);
    t.regex((await svg.locator('.no-data').textContent()) ?? '', /^no data/, `chart ${id} says no data`);
  }
  t.deepEqual(errors, []);
  await screenshot(page, 'report-empty.png');
  await page.close();
});

test.serial('a crowded run (a day, 64 nodes, 4096 tokens, 12 faults) renders without errors', async (t) => {
  const summary = busySummary();
  const { page, errors } = await open(summary, 'busy');
  for (const { id } of chartSpecs(summary)) {
    t.true((await page.locator(`svg.chart#${id} .mark`).count()) > 0, `chart ${id} drew data marks`);
  }
  t.is(await page.locator('svg#ring path.mark').count(), 4096);
  t.regex((await page.locator('svg#latency .axis-label').first().textContent()) ?? '', /\(h\)/, 'a day is plotted in hours');
  t.deepEqual(errors, []);
  await screenshot(page, 'report-busy.png');
  await page.close();
});

test.serial('the space-time diagram of the chosen operation draws lanes, messages, drops, timeouts and faults', async (t) => {
  const summary = operationSummary();
  const { page, errors } = await open(summary, 'operation');
  const svg = page.locator('svg#spacetime');
  t.is(await svg.count(), 1);
  t.is(await svg.locator('.lane-label').count(), 5, 'one lane per host');
  t.deepEqual(await svg.locator('.lane-label').allTextContents(), summary.operation!.hosts);
  // Four delivered messages and one dropped in the network: five arrows.
  t.is(await svg.locator('path.mark.message').count(), 5);
  t.is(await svg.locator('.mark.drop').count(), 2, 'a loss in the network and an ack dropped at the crashed host');
  t.is(await svg.locator('.mark.timer.timeout').count(), 1);
  t.is(await svg.locator('.mark.fault').count(), 1);
  const text = await page.locator('section.operation').innerText();
  t.true(text.includes('op 5734, put k1126, failed (timeout) after 400ms'), text);
  t.true(text.includes('dynasim inspect FILE --op 5734'));
  t.true((await svg.locator('text').allTextContents()).some((s) => s.includes('dropped: host-down')));
  t.deepEqual(errors, []);
  await screenshot(page, 'report-operation.png');
  await page.close();
});

test.serial('a summary without an operation (schema 1 as before) has no diagram and no errors', async (t) => {
  const { page, errors } = await open(fixtureSummary(), 'no-operation');
  t.is(await page.locator('svg#spacetime').count(), 0);
  t.deepEqual(errors, []);
  await page.close();
});
