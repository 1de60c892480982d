/**
 * report.html: a self-contained page (opens offline from file://) with the
 * run's header facts, checks, key tables and d3 charts. d3's UMD bundle and
 * the summary are inlined; the charts are drawn in the browser by
 * REPORT_SCRIPT (htmlScript.ts).
 *
 * Pure apart from reading d3's bundle from node_modules: the same summary
 * renders the same bytes.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { formatBytes, formatCount, formatDurationUs, formatMs, formatShare } from './format.js';
import { REPORT_SCRIPT, SPACETIME_LAYOUT } from './htmlScript.js';
import type { Summary } from './summary.js';

interface ChartSpec {
  id: string;
  title: string;
  caption: string;
  width: number;
  height: number;
  wide: boolean;
}

/** The charts, in page order. The browser script draws into `svg.chart#<id>`. */
export function chartSpecs(summary: Summary): ChartSpec[] {
  const window = formatDurationUs(summary.phases.windowUs);
  const sla = formatMs(summary.availability.slaMs);
  const half = { width: 560, height: 300, wide: false };
  const full = { width: 1120, height: 320, wide: true };
  return [
    {
      id: 'latency',
      title: 'Latency over time',
      caption:
        `p50, p99 and p99.9 latency of successful gets (left) and puts (right) in each ${window} window; ` +
        'shaded bands are injected faults.',
      ...full,
    },
    {
      id: 'availability',
      title: 'Availability over time',
      caption: `Share of requests in each ${window} window that succeeded within the ${sla} SLA; shaded bands are injected faults.`,
      ...full,
    },
    {
      id: 'hints',
      title: 'Hint backlog',
      caption: 'Writes held as hints for unreachable replicas (hinted handoff), cluster-wide; they drain once the replica is back.',
      ...half,
    },
    {
      id: 'balance',
      title: 'Load imbalance',
      caption: `Share of nodes whose load is more than 15% from the mean, per ${window} window (the Dynamo paper's measure).`,
      ...half,
    },
    {
      id: 'tvisibility',
      title: 't-visibility',
      caption: 'Probability that a read started Δ ms after a write was acknowledged returns that write or a newer one.',
      ...half,
    },
    {
      id: 'versions',
      title: 'Versions per get',
      caption: 'How many divergent versions a successful get returned, with the share of gets (the paper: 99.94% saw one).',
      ...half,
    },
    {
      id: 'load',
      title: 'Load per node',
      caption: 'Requests each node coordinated and replica reads/writes it served over the whole run.',
      ...half,
    },
    {
      id: 'ring',
      title: 'The ring',
      caption:
        `Consistent-hashing ring (strategy ${summary.ring.strategy}, ${formatCount(summary.ring.partitions)} partitions): ` +
        'each arc is a key range, coloured by the node whose token ends it.',
      ...half,
    },
  ];
}

export function renderHtml(summary: Summary): string {
  const title = `dynasim: ${summary.scenario}, seed ${summary.seed}`;
  return htmlPage({
    title,
    style: STYLE,
    main: [
      header(summary, title),
      checks(summary),
      operations(summary),
      '<section class="charts">',
      ...chartSpecs(summary).map(figure),
      '</section>',
      operationSection(summary),
      durability(summary),
      nodes(summary),
    ],
    dataId: 'dynasim-summary',
    data: summary,
    script: REPORT_SCRIPT,
  });
}

/**
 * A self-contained report page (both report.html kinds): the sections in
 * <main>, then d3 inlined, the page's data as JSON under `dataId`, and the
 * page's own script, which reads that data.
 */
export function htmlPage(page: { title: string; style: string; main: readonly string[]; dataId: string; data: unknown; script: string }): string {
  return [
    '<!doctype html>',
    '<html lang="en">',
    '<head>',
    '<meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    '<meta name="generator" content="dynasim">',
    '<link rel="icon" href="data:,">',
    `<title>${esc(page.title)}</title>`,
    `<style>${page.style}</style>`,
    '</head>',
    '<body>',
    '<main>',
    ...page.main,
    '</main>',
    `<script>${inlineScript(d3Bundle())}</script>`,
    `<script type="application/json" id="${page.dataId}">${inlineJson(page.data)}</script>`,
    `<script>${inlineScript(page.script)}</script>`,
    '</body>',
    '</html>',
    '',
  ].join('\n');
}

// ---- sections -------------------------------------------------------------

function header(s: Summary, title: string): string {
  const c = s.config;
  const facts: Array<[string, string]> = [
    ['scenario', s.scenario],
    ['seed', s.seed],
    ['version', `dynasim ${s.version} (summary schema ${s.schemaVersion})`],
    ['digest', s.digest],
    ['events', formatCount(s.events)],
    ['simulated time', formatDurationUs(s.simulatedUs)],
    ['wall time', `${formatDurationUs(s.wall.wallMs * 1000)} (${formatCount(Math.round(s.wall.eventsPerSec))} events/s)`],
    ['cluster', `${c.nodes} nodes, N=${c.n} R=${c.r} W=${c.w}, ${c.sloppyQuorum ? 'sloppy' : 'strict'} quorum, strategy ${c.strategy}`],
    ['coordination, network', `${c.coordination}, ${c.network}`],
    [
      'availability',
      s.availability.requests === 0
        ? 'no requests'
        : `${formatShare(s.availability.overall)} of ${formatCount(s.availability.requests)} within ${formatMs(s.availability.slaMs)}`,
    ],
    ['faults', s.faults.length === 0 ? 'none' : s.faults.map((f) => f.describe).join('; ')],
  ];
  return pageHeader(title, '', facts);
}

/** A page's header: its title, an optional line of description, and a list of facts (both report pages). */
export function pageHeader(title: string, description: string, facts: ReadonlyArray<readonly [string, string]>): string {
  return [
    '<header>',
    `<h1>${esc(title)}</h1>`,
    description === '' ? '' : `<p>${esc(description)}</p>`,
    '<dl class="facts">',
    ...facts.map(([k, v]) => `<div><dt>${esc(k)}</dt><dd>${esc(v)}</dd></div>`),
    '</dl>',
    '</header>',
  ]
    .filter((line) => line !== '')
    .join('\n');
}

function checks(s: Summary): string {
  const failed = s.checks.filter((c) => !c.pass).length;
  const heading = s.checks.length === 0 ? 'Checks' : `Checks: ${s.checks.length - failed} passed, ${failed} failed`;
  if (s.checks.length === 0) return `<section><h2>${heading}</h2><p class="empty">No checks ran.</p></section>`;
  const rows = s.checks.map(
    (c) =>
      `<tr class="${c.pass ? 'pass' : 'fail'}"><td>${esc(c.name)}</td>` +
      `<td class="result">${c.pass ? 'PASS' : 'FAIL'}</td><td>${esc(c.detail)}</td></tr>`,
  );
  return [
    '<section>',
    `<h2>${esc(heading)}</h2>`,
    '<table id="checks"><thead><tr><th>check</th><th>result</th><th>detail</th></tr></thead><tbody>',
    ...rows,
    '</tbody></table>',
    '</section>',
  ].join('\n');
}

function operations(s: Summary): string {
  const cols = ['p50', 'p90', 'p99', 'p99.9', 'p99.99', 'max', 'mean'];
  const row = (name: string, o: Summary['ops']['get']) => {
    const l = o.latencyMs;
    const latency = [l.p50, l.p90, l.p99, l.p999, l.p9999, l.max, l.mean].map((ms) => (o.ok === 0 ? '-' : formatMs(ms)));
    return (
      `<tr><td>${name}</td><td class="num">${formatCount(o.count)}</td><td class="num">${formatCount(o.ok)}</td>` +
      `<td class="num">${formatCount(o.failed)}</td>${latency.map((v) => `<td class="num">${v}</td>`).join('')}</tr>`
    );
  };
  return [
    '<section>',
    '<h2>Operations</h2>',
    '<table id="operations"><thead><tr><th>op</th><th class="num">count</th><th class="num">ok</th><th class="num">failed</th>',
    cols.map((c) => `<th class="num">${c}</th>`).join(''),
    '</tr></thead><tbody>',
    row('get', s.ops.get),
    row('put', s.ops.put),
    '</tbody></table>',
    '<p class="note">Latency of successful operations, warm-up excluded.</p>',
    '</section>',
  ].join('\n');
}

/** The space-time diagram of the chosen operation (Summary.operation); empty when there is none. */
function operationSection(s: Summary): string {
  const o = s.operation;
  if (o === undefined) return '';
  const latency = formatDurationUs(o.endUs - o.startUs);
  const outcome = o.ok ? 'succeeded' : `failed (${o.error ?? 'unknown'})`;
  const why = o.chosen === 'slowest failed' ? 'the slowest failed operation of the run' : 'no operation failed: the slowest operation of the run';
  const height = SPACETIME_LAYOUT.topPx + Math.max(1, o.events.length) * SPACETIME_LAYOUT.rowPx + SPACETIME_LAYOUT.bottomPx;
  return [
    '<section class="operation">',
    `<h2>One operation, message by message: op ${o.op}, ${esc(o.type)} ${esc(o.key)}, ${esc(outcome)} after ${esc(latency)}</h2>`,
    `<p class="note">${esc(why)}, started at ${esc(formatDurationUs(o.startUs))} by population ${esc(o.population)}. ` +
      'Time runs down, one row per event (the left column gives the time since the operation started); one lane per host; ' +
      'arrows are messages, a cross is a dropped message (hover for the reason), a diamond is a timer that fired (red: a timeout), ' +
      'red bars are faults. From a trace file, <code>dynasim inspect FILE --op ' +
      `${o.op}</code> prints the same sequence.${o.omitted > 0 ? ` ${formatCount(o.omitted)} later events are left out.` : ''}</p>`,
    `<svg class="diagram" id="spacetime" viewBox="0 0 1120 ${height}" role="img" aria-label="space-time diagram of operation ${o.op}"></svg>`,
    '</section>',
  ].join('\n');
}

function figure(spec: ChartSpec): string {
  return [
    `<figure class="chart-box${spec.wide ? ' wide' : ''}">`,
    `<h2>${esc(spec.title)}</h2>`,
    `<svg class="chart" id="${spec.id}" viewBox="0 0 ${spec.width} ${spec.height}" role="img" aria-label="${esc(spec.title)}"></svg>`,
    `<figcaption>${esc(spec.caption)}</figcaption>`,
    '</figure>',
  ].join('\n');
}

function durability(s: Summary): string {
  const d = s.durability;
  const parts = [
    '<section>',
    '<h2>Durability and convergence</h2>',
    `<p>${formatCount(d.acknowledgedWrites)} acknowledged writes, <strong>${formatCount(d.lostWrites)} lost</strong>; ` +
      `checked at ${formatDurationUs(d.checkedAtUs)}.</p>`,
  ];
  if (d.lost.length > 0) {
    parts.push(
      '<table id="lost"><thead><tr><th>key</th><th class="num">write</th><th class="num">acknowledged at</th><th>cause</th></tr></thead><tbody>',
      ...d.lost.map(
        (l) =>
          `<tr><td><code>${esc(l.key)}</code></td><td class="num">${l.writeId}</td>` +
          `<td class="num">${formatDurationUs(l.ackUs)}</td><td>${esc(l.cause)}</td></tr>`,
      ),
      '</tbody></table>',
    );
  }
  const c = s.convergence;
  const status = !c.ran
    ? 'No liveness phase ran.'
    : c.converged
      ? `Converged${c.convergedAtUs === null ? '' : ` at ${formatDurationUs(c.convergedAtUs)}`}.`
      : `Did not converge: ${formatCount(c.pending.length)} items pending.`;
  parts.push(`<p>${esc(status)}</p>`);
  if (c.pending.length > 0) parts.push('<ul class="pending">', ...c.pending.map((p) => `<li>${esc(p)}</li>`), '</ul>');
  parts.push('</section>');
  return parts.join('\n');
}

function nodes(s: Summary): string {
  if (s.nodes.length === 0) return '<section><h2>Nodes</h2><p class="empty">No nodes.</p></section>';
  const columns: Array<{ label: string; numeric: boolean }> = [
    { label: 'node', numeric: false },
    { label: 'dc', numeric: false },
    { label: 'state', numeric: false },
    { label: 'coordinated', numeric: true },
    { label: 'replica ops', numeric: true },
    { label: 'keys', numeric: true },
    { label: 'bytes', numeric: true },
    { label: 'hints held', numeric: true },
    { label: 'messages', numeric: true },
  ];
  const head = columns
    .map((c) => `<th${c.numeric ? ' class="num" data-type="number"' : ''}><button type="button">${c.label}</button></th>`)
    .join('');
  const num = (n: number, text = formatCount(n)) => `<td class="num" data-value="${n}">${text}</td>`;
  const rows = s.nodes.map(
    (n) =>
      `<tr><td>${esc(n.name)}</td><td>${esc(n.dc)}</td><td class="${n.up ? 'up' : 'down'}">${n.up ? 'up' : 'down'}</td>` +
      num(n.coordinated) +
      num(n.replicaOps) +
      num(n.keys) +
      num(n.bytes, formatBytes(n.bytes)) +
      num(n.hintsHeld) +
      num(n.messagesHandled) +
      '</tr>',
  );
  return [
    '<section>',
    '<h2>Nodes</h2>',
    '<p class="note">Click a column header to sort.</p>',
    `<table id="nodes" class="sortable"><thead><tr>${head}</tr></thead><tbody>`,
    ...rows,
    '</tbody></table>',
    '</section>',
  ].join('\n');
}

// ---- inlining -------------------------------------------------------------

let d3Source: string | undefined;

/** d3's UMD bundle, read from node_modules (d3's exports map hides dist/, so go via the resolved entry). */
function d3Bundle(): string {
  if (d3Source === undefined) {
    const require = createRequire(import.meta.url);
    d3Source = readFileSync(join(dirname(require.resolve('d3')), 'd3.min.js'), 'utf8');
  }
  return d3Source;
}

/** JavaScript made safe inside <script>: no "</script" or "<!--" can end or confuse the element. */
function inlineScript(js: string): string {
  const safe = js.replace(/<\/(script)/gi, '<\\/$1').replace(/<!--/g, '<\\!--');
  if (/<\/script|<!--/i.test(safe)) throw new Error('inline script still contains </script or <!--');
  return safe;
}

/** Data as JSON that cannot break out of its <script> element (every "<", ">" and "&" escaped). */
function inlineJson(data: unknown): string {
  return JSON.stringify(data)
    .replace(/</g, '\\u003c')
    .replace(/>/g, '\\u003e')
    .replace(/&/g, '\\u0026')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
}

export function esc(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}

export const STYLE = `
:root { --fg: #1d1d1f; --muted: #5f6368; --line: #d9dce1; --pass: #137333; --fail: #b3261e; --bg-alt: #f6f7f9; }
* { box-sizing: border-box; }
body { margin: 0; font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif;
  color: var(--fg); background: #fff; }
main { max-width: 1200px; margin: 0 auto; padding: 20px 24px 48px; }
h1 { font-size: 22px; margin: 0 0 12px; }
h2 { font-size: 16px; margin: 24px 0 8px; }
.facts { display: grid; grid-template-columns: repeat(auto-fill, minmax(340px, 1fr)); gap: 4px 24px; margin: 0; }
.facts div { display: flex; gap: 8px; border-bottom: 1px solid var(--line); padding: 3px 0; }
.facts dt { color: var(--muted); min-width: 110px; }
.facts dd { margin: 0; font-variant-numeric: tabular-nums; overflow-wrap: anywhere; }
table { border-collapse: collapse; font-variant-numeric: tabular-nums; }
th, td { text-align: left; padding: 4px 10px; border-bottom: 1px solid var(--line); }
th { font-weight: 600; background: var(--bg-alt); }
.num { text-align: right; }
tr.pass .result { color: var(--pass); font-weight: 700; }
tr.fail .result { color: var(--fail); font-weight: 700; }
tr.fail { background: #fdecea; }
td.down { color: var(--fail); }
.note, .empty { color: var(--muted); margin: 6px 0; }
.charts { display: grid; grid-template-columns: repeat(2, minmax(0, 1fr)); gap: 8px 24px; }
.chart-box { margin: 0; min-width: 0; }
.chart-box.wide { grid-column: 1 / -1; }
.chart-box h2 { margin-bottom: 2px; }
figcaption { color: var(--muted); font-size: 13px; }
svg.chart { width: 100%; height: auto; display: block; font-size: 11px; font-family: inherit; }
svg.chart .axis text { font-size: 11px; fill: #444; }
svg.chart .axis path, svg.chart .axis line { stroke: #999; }
svg.chart .grid line { stroke: #eceef1; }
svg.chart .axis-label { font-size: 12px; fill: #333; }
svg.chart .panel-title { font-size: 13px; font-weight: 600; }
svg.chart .fault-label { font-size: 11px; font-weight: 600; }
svg.chart .fault-edge { stroke-opacity: 0.5; stroke-dasharray: 3,2; }
svg.chart .reference { stroke: #777; stroke-dasharray: 4,3; }
svg.chart .reference-label { font-size: 10.5px; fill: #555; }
svg.chart .bar-label { font-size: 11px; fill: #333; }
svg.chart .legend text { font-size: 11px; fill: #333; }
svg.chart .legend-title { font-weight: 600; }
svg.chart .ring-label, svg.chart .ring-centre { font-size: 11px; fill: #555; }
svg.chart .no-data { font-size: 14px; fill: #888; font-style: italic; }
svg.diagram { width: 100%; height: auto; display: block; font-size: 11px; font-family: inherit; }
svg.diagram .lane { stroke: #c8ccd2; }
svg.diagram .lane-label { font-size: 12px; font-weight: 600; }
svg.diagram .row-time { font-size: 10.5px; fill: #666; font-variant-numeric: tabular-nums; }
svg.diagram .msg-label { font-size: 10.5px; fill: #333; }
svg.diagram .gap { font-size: 10.5px; fill: #888; font-style: italic; }
table.sortable th button { font: inherit; font-weight: 600; background: none; border: 0; padding: 0; cursor: pointer; color: inherit; }
table.sortable th[aria-sort="ascending"] button::after { content: " \\25B2"; font-size: 10px; }
table.sortable th[aria-sort="descending"] button::after { content: " \\25BC"; font-size: 10px; }
@media (max-width: 900px) { .charts { grid-template-columns: minmax(0, 1fr); } }
`;
