/**
 * report.html of a sweep: a self-contained page (works offline) with the
 * sweep's facts, a latency-versus-staleness chart of every configuration
 * (means with 95% confidence intervals as error bars, the Pareto frontier
 * marked; the reader picks the two figures), and a table of every figure
 * sortable by any column. d3 and the comparison are inlined; the browser
 * script is COMPARISON_SCRIPT (comparisonScript.ts).
 *
 * Pure apart from reading d3's bundle: the same comparison renders the
 * same bytes.
 */
import { METRICS, type Comparison, type ComparisonConfiguration, type MetricKey } from './comparison.js';
import { formatEstimate } from './comparisonMarkdown.js';
import { COMPARISON_SCRIPT } from './comparisonScript.js';
import { formatCount, formatDurationUs } from './format.js';
import { esc, htmlPage, pageHeader, STYLE } from './html.js';

export function renderComparisonHtml(c: Comparison): string {
  const title = `dynasim sweep: ${c.sweep.name}`;
  return htmlPage({
    title,
    style: STYLE + EXTRA_STYLE,
    main: [header(c, title), tradeoff(c), configurations(c), runs(c)],
    dataId: 'dynasim-comparison',
    data: c,
    script: COMPARISON_SCRIPT,
  });
}

function header(c: Comparison, title: string): string {
  const s = c.sweep;
  const facts: Array<[string, string]> = [
    ['scenario', s.scenario],
    ['runs', `${formatCount(c.configurations.length)} configurations × ${s.repeats} seeds = ${formatCount(s.totalRuns)} runs`],
    ['axes', s.axes.map((a) => `${a.name} (${a.path}): ${a.values.join(', ')}`).join('; ')],
    ['filter', s.filter ?? 'none'],
    ['set', s.set.length === 0 ? 'nothing' : s.set.join(' ')],
    ['seeds', `${s.seeds.join(', ')} (from base seed ${s.baseSeed}; the same for every configuration)`],
    ['version', `dynasim ${s.version} (comparison schema ${c.schemaVersion})`],
    ['sweep hash', s.hash],
  ];
  return pageHeader(title, s.description, facts);
}

function options(selected: MetricKey): string {
  return METRICS.map((m) => `<option value="${m.key}"${m.key === selected ? ' selected' : ''}>${esc(m.label)}${m.unit === 'ms' ? ' (ms)' : ''}</option>`).join('');
}

function tradeoff(c: Comparison): string {
  return [
    '<section>',
    '<h2>Latency against staleness</h2>',
    '<div class="controls">',
    `<label>x <select id="x-metric">${options(c.pareto.x)}</select></label>`,
    `<label>y <select id="y-metric">${options(c.pareto.y)}</select></label>`,
    '<label><input type="checkbox" id="y-log"> log y</label>',
    '</div>',
    '<figure class="chart-box wide">',
    '<svg class="chart" id="tradeoff" viewBox="0 0 1120 460" role="img" aria-label="Latency against staleness"></svg>',
    '<figcaption>Each point is a configuration: the mean over its seeds, with bars for the 95% confidence intervals. ' +
      'Filled points joined by the line form the Pareto frontier (no other configuration is lower on both figures); ' +
      'hover a point for its configuration. The x axis turns logarithmic when its values span more than 20×.</figcaption>',
    '</figure>',
    '</section>',
  ].join('\n');
}

function configurations(c: Comparison): string {
  const s = c.sweep;
  const head = [
    ...s.axes.map((a) => `<th><button type="button">${esc(a.name)}</button></th>`),
    ...METRICS.map((m) => `<th class="num" data-type="number" title="${esc(m.describe)}"><button type="button">${esc(m.label)}</button></th>`),
    '<th class="num" data-type="number"><button type="button">checks failed</button></th>',
    '<th><button type="button">Pareto</button></th>',
  ].join('');
  const row = (cfg: ComparisonConfiguration) =>
    `<tr data-configuration="${cfg.index}"${cfg.pareto ? ' class="pareto"' : ''}>` +
    s.axes.map((a) => `<td>${esc(cfg.values[a.name] ?? '')}</td>`).join('') +
    METRICS.map((m) => {
      const e = cfg.metrics[m.key];
      return `<td class="num" data-value="${e.mean === null ? '' : e.mean}">${esc(formatEstimate(e, m.unit, s.repeats))}</td>`;
    }).join('') +
    `<td class="num" data-value="${cfg.checks.failedRuns}" title="${esc(cfg.checks.failed.map((f) => `${f.name}: ${f.runs} runs`).join('; '))}">${cfg.checks.failedRuns}/${cfg.checks.runs}</td>` +
    `<td>${cfg.pareto ? '★' : ''}</td>` +
    '</tr>';
  return [
    '<section>',
    '<h2>Configurations</h2>',
    `<p class="note">Mean ± half-width of the 95% confidence interval over ${s.repeats} seeds (Student's t); (n=k) when only k seeds had the figure. Click a column header to sort.</p>`,
    '<div class="table-scroll">',
    `<table id="configurations" class="sortable"><thead><tr>${head}</tr></thead><tbody>`,
    ...c.configurations.map(row),
    '</tbody></table>',
    '</div>',
    '</section>',
  ].join('\n');
}

function runs(c: Comparison): string {
  const label = (i: number) => c.configurations[i]?.label ?? String(i);
  const rows = c.runs.map(
    (r) =>
      `<tr><td class="num">${r.index}</td><td>${esc(label(r.configuration))}</td><td class="num">${esc(r.seed)}</td><td><code>${esc(r.digest)}</code></td>` +
      `<td class="num">${formatCount(r.events)}</td><td class="num">${esc(formatDurationUs(r.simulatedUs))}</td><td>${esc(r.checksFailed.join(', '))}</td></tr>`,
  );
  return [
    '<section>',
    `<details><summary>Every run (${formatCount(c.runs.length)}): seed, digest, failed checks</summary>`,
    '<table id="runs"><thead><tr><th class="num">run</th><th>configuration</th><th class="num">seed</th><th>digest</th><th class="num">events</th><th class="num">simulated</th><th>checks failed</th></tr></thead><tbody>',
    ...rows,
    '</tbody></table>',
    '<p class="note">Each run\'s full summary is in runs/&lt;run&gt;.json; reproduce one with dynasim run and its seed and overrides.</p>',
    '</details>',
    '</section>',
  ].join('\n');
}

const EXTRA_STYLE = `
.controls { display: flex; gap: 16px; margin: 4px 0 8px; }
.controls select { font: inherit; }
tr.pareto td { background: #fff8e1; }
.table-scroll { overflow-x: auto; }
#configurations td, #configurations th { white-space: nowrap; }
svg.chart .point-label { font-size: 10.5px; fill: #333; }
svg.chart .frontier { fill: none; stroke: #e6550d; stroke-width: 1.5; stroke-dasharray: 5,3; }
svg.chart .ci { stroke-opacity: 0.55; }
details summary { cursor: pointer; font-weight: 600; margin: 16px 0 8px; }
`;
