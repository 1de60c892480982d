/**
 * A sweep's report.html in a real browser: the trade-off chart draws one
 * point per configuration with the Pareto frontier marked, redraws when
 * another figure is chosen, the table sorts by any column (missing values
 * last), and the page logs no errors and fetches nothing. Saves a
 * screenshot to reports/screenshots/comparison.png.
 *
 * Needs Chromium at /usr/bin/chromium, like report.browser.test.ts.
 */
import test from 'ava';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { chromium, type Browser } from 'playwright-core';
import { buildComparison } from '../../src/experiment/aggregate.js';
import type { SweepPlan } from '../../src/experiment/sweep.js';
import type { ComparisonRun, MetricValues, SweepWall } from '../../src/report/comparison.js';
import { writeComparison } from '../../src/report/sweepFiles.js';

const CHROMIUM = '/usr/bin/chromium';
const root = fileURLToPath(new URL('../../', import.meta.url));

/** 3 presets × R in 1..3 with W = 1, 2 seeds; staleness falls with R, latency grows; one Δ missing. */
function fixture() {
  const presets = ['LNKD-SSD', 'YMMR', 'WAN'];
  const configurations = presets.flatMap((preset, p) =>
    [1, 2, 3].map((r, i) => ({ index: p * 3 + i, values: { preset, r: String(r) }, overrides: [`network.preset=${preset}`, `cluster.quorum.r=${r}`] })),
  );
  const plan: SweepPlan = {
    name: 'fixture',
    description: 'A browser fixture.',
    scenario: 'pbs',
    version: '0.0.0',
    baseSeed: '1',
    repeats: 2,
    seeds: ['11', '22'],
    set: [],
    filter: null,
    axes: [
      { path: 'network.preset', name: 'preset', values: presets },
      { path: 'cluster.quorum.r', name: 'r', values: ['1', '2', '3'] },
    ],
    configurations,
    totalRuns: configurations.length * 2,
    hash: 'f'.repeat(64),
  };
  const runs: ComparisonRun[] = [];
  for (const c of configurations) {
    const p = Math.floor(c.index / 3);
    const r = (c.index % 3) + 1;
    for (let k = 0; k < 2; k++) {
      const base = [1, 4, 150][p]!;
      const metrics: MetricValues = {
        availability: 1 - 0.0001 * k,
        getP50Ms: base * r * 0.5 + k * 0.01,
        getP99Ms: base * r + k * 0.02,
        getP999Ms: base * r * 1.5 + k * 0.1,
        putP50Ms: base,
        putP99Ms: base * 2,
        putP999Ms: base * 3,
        staleShare: r === 3 ? 0 : (0.02 * (p + 1)) / r + k * 0.001,
        delta999Ms: c.index === 4 && k === 1 ? null : r === 3 ? 0 : 10 * (p + 1),
        divergentShare: 0.01 * p,
        lostWrites: 0,
      };
      runs.push({ index: c.index * 2 + k, configuration: c.index, repeat: k, seed: plan.seeds[k]!, digest: '0123456789abcdef', events: 1000, simulatedUs: 1e6, metrics, checksFailed: [] });
    }
  }
  return buildComparison(plan, runs);
}

let browser: Browser | undefined;
let dir: string | undefined;

test.before(async () => {
  if (!existsSync(CHROMIUM)) return;
  browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking'] });
  dir = mkdtempSync(join(tmpdir(), 'dynasim-comparison-'));
});

test.after.always(async () => {
  await browser?.close();
  if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
});

test('the comparison report: trade-off chart with its Pareto frontier, a sortable table, no errors', async (t) => {
  if (browser === undefined || dir === undefined) throw new Error(`Chromium not found at ${CHROMIUM}: install it with \`apt-get install -y chromium\``);
  const comparison = fixture();
  const wall: SweepWall = { schemaVersion: 1, kind: 'dynasim-sweep-wall', sweepHash: comparison.sweep.hash, jobs: 2, wallMs: 1, runsSimulated: 18, runs: [], cpuMs: 0 };
  const written = writeComparison(dir, comparison, wall);
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  const errors: string[] = [];
  page.on('console', (m) => (m.type() === 'error' || m.type() === 'warning') && errors.push(`console.${m.type()}: ${m.text()}`));
  page.on('pageerror', (e) => errors.push(`page error: ${e.message}`));
  page.on('request', (r) => {
    if (!r.url().startsWith('data:') && r.url() !== pathToFileURL(written.html).href) errors.push(`unexpected request: ${r.url()}`);
  });
  await page.goto(pathToFileURL(written.html).href, { waitUntil: 'load' });

  // x = get p99.9, y = stale reads: the frontier is the cheapest zero-stale point and the cheaper stale ones before it.
  t.is(await page.locator('svg#tradeoff circle.mark').count(), 9);
  t.deepEqual(comparison.pareto.frontier, [0, 1, 2]);
  t.is(await page.locator('svg#tradeoff circle.pareto').count(), comparison.pareto.frontier.length);
  t.is(await page.locator('svg#tradeoff path.frontier').count(), 1);
  t.deepEqual((await page.locator('svg#tradeoff .point-label').allTextContents()).sort(), ['preset=LNKD-SSD r=1', 'preset=LNKD-SSD r=2', 'preset=LNKD-SSD r=3']);
  t.is(await page.locator('#configurations tr.pareto').count(), 3);

  // Another y: Δ 99.9% (missing for one seed of one configuration: still a point, from the other seed).
  await page.selectOption('#y-metric', 'delta999Ms');
  t.is(await page.locator('svg#tradeoff circle.mark').count(), 9);
  t.true((await page.locator('svg#tradeoff .axis-label').allTextContents()).some((s) => s.startsWith('Δ 99.9%')));
  // A y without data for any configuration says so.
  await page.selectOption('#y-metric', 'lostWrites');
  t.is(await page.locator('svg#tradeoff circle.mark').count(), 9, 'zeros are data');

  // Sorting: by get p99.9 descending puts a WAN r=3 first; by the preset name, LNKD-SSD first.
  const first = () => page.locator('#configurations tbody tr:first-child').getAttribute('data-configuration');
  const header = (label: string) => page.locator('#configurations thead th', { hasText: label }).first().locator('button');
  await header('get p99.9').click();
  t.is(await first(), '0', 'ascending: the cheapest');
  await header('get p99.9').click();
  t.is(await first(), '8', 'descending: WAN r=3');
  await header('stale reads').click();
  t.is(await first(), '2', 'ascending stale reads: a zero-stale configuration first (ties in table order)');
  await header('preset').click();
  t.is(await first(), '0');
  t.deepEqual(errors, []);
  mkdirSync(join(root, 'reports', 'screenshots'), { recursive: true });
  await page.screenshot({ path: join(root, 'reports', 'screenshots', 'comparison.png'), fullPage: true });
  await page.close();
});
