/**
 * summary.md of a sweep: the comparison as tables (what `dynasim sweep`
 * and `dynasim compare` print). Each figure is the mean over the seeds ±
 * the half-width of its 95% confidence interval (Student's t).
 *
 * Pure: the same comparison renders the same bytes.
 */
import type { Comparison, ComparisonConfiguration, Estimate, MetricKey } from './comparison.js';
import { METRICS } from './comparison.js';
import { formatCount, formatMs, formatNumber, formatShare } from './format.js';
import { table, type Column } from './markdown.js';

type Unit = (typeof METRICS)[number]['unit'];

/** One figure: "2.38ms ± 0.12ms", "0.15% ± 0.02%", "–" when no seed had it; "(n=2)" when some seeds had none. */
export function formatEstimate(e: Estimate, unit: Unit, seeds: number): string {
  if (e.mean === null) return '–';
  const f = (x: number) => (unit === 'ms' ? formatMs(x) : unit === 'share' ? formatShare(x) : formatNumber(x, 2));
  const half = e.halfWidth === null ? '' : ` ± ${f(e.halfWidth)}`;
  const n = e.n < seeds ? ` (n=${e.n})` : '';
  return `${f(e.mean)}${half}${n}`;
}

function unitOf(key: MetricKey): Unit {
  return METRICS.find((m) => m.key === key)!.unit;
}

export function renderComparisonMarkdown(c: Comparison): string {
  const s = c.sweep;
  const axes = s.axes.map((a) => a.name);
  const axisColumns: Column[] = axes.map((a) => ({ header: a }));
  const axisCells = (cfg: ComparisonConfiguration) => axes.map((a) => cfg.values[a] ?? '');
  const cell = (cfg: ComparisonConfiguration, key: MetricKey) => formatEstimate(cfg.metrics[key], unitOf(key), s.repeats);
  const seedsText = s.seeds.length <= 4 ? s.seeds.join(', ') : `${s.seeds.slice(0, 3).join(', ')}, … (${s.seeds.length})`;
  const header = [
    `# dynasim sweep: ${s.name}`,
    '',
    ...(s.description === '' ? [] : [s.description, '']),
    table(
      [{ header: 'sweep' }, { header: '' }],
      [
        ['scenario', s.scenario],
        ['runs', `${formatCount(c.configurations.length)} configurations × ${s.repeats} seed${s.repeats === 1 ? '' : 's'} = ${formatCount(s.totalRuns)} runs`],
        ...s.axes.map((a): [string, string] => [`axis ${a.name}`, `${a.path}: ${a.values.join(', ')}`]),
        ['filter', s.filter ?? 'none'],
        ['set', s.set.length === 0 ? 'nothing' : s.set.join(' ')],
        ['seeds', `${seedsText} (from base seed ${s.baseSeed})`],
        ['version', `dynasim ${s.version} (comparison schema ${c.schemaVersion})`],
        ['sweep hash', `\`${s.hash}\``],
      ],
    ),
  ];
  const seedsNote = `mean ± 95% CI over ${s.repeats} seed${s.repeats === 1 ? '' : 's'}`;
  const metricTable = (title: string, keys: MetricKey[], extra: Array<{ column: Column; cell: (cfg: ComparisonConfiguration) => string }> = []) => [
    title,
    '',
    table(
      [...axisColumns, ...keys.map((k): Column => ({ header: METRICS.find((m) => m.key === k)!.label, align: 'right' })), ...extra.map((e) => e.column)],
      c.configurations.map((cfg) => [...axisCells(cfg), ...keys.map((k) => cell(cfg, k)), ...extra.map((e) => e.cell(cfg))]),
    ),
  ];
  const getLatency = metricTable(`## Get latency (${seedsNote})`, ['getP50Ms', 'getP99Ms', 'getP999Ms']);
  const putLatency = metricTable(`## Put latency (${seedsNote})`, ['putP50Ms', 'putP99Ms', 'putP999Ms']);
  const consistency = [
    ...metricTable(`## Consistency (${seedsNote})`, ['staleShare', 'delta999Ms', 'divergentShare'], [{ column: { header: 'Pareto' }, cell: (cfg) => (cfg.pareto ? '*' : '') }]),
    '',
    'Stale reads: gets that returned neither the latest acknowledged write nor anything newer.',
    'Δ 99.9%: the smallest Δ (lower edge of its t-visibility bin) from which 99.9% of reads started',
    'Δ after a write return it; (n=k) when only k seeds reached it.',
    'Divergent: gets that returned more than one version. Pareto: on the frontier below.',
  ];
  const availability = metricTable(`## Availability and durability (${seedsNote})`, ['availability', 'lostWrites'], [
    {
      column: { header: 'checks failed', align: 'right' },
      cell: (cfg) => (cfg.checks.failedRuns === 0 ? '0' : `${cfg.checks.failedRuns}/${cfg.checks.runs} (${cfg.checks.failed.map((f) => f.name).join(', ')})`),
    },
  ]);
  const xLabel = METRICS.find((m) => m.key === c.pareto.x)!.label;
  const yLabel = METRICS.find((m) => m.key === c.pareto.y)!.label;
  const frontier = c.configurations.filter((cfg) => cfg.pareto);
  const pareto = [
    `## Pareto frontier: ${xLabel} against ${yLabel}`,
    '',
    frontier.length === 0
      ? 'No configuration has both figures.'
      : `${frontier.length} configuration${frontier.length === 1 ? '' : 's'} that no other beats on both (lower is better):`,
    ...(frontier.length === 0 ? [] : ['', ...frontier.map((cfg) => `- ${cfg.label}: ${xLabel} ${cell(cfg, c.pareto.x)}, ${yLabel} ${cell(cfg, c.pareto.y)}`)]),
  ];
  return [header, getLatency, putLatency, consistency, availability, pareto].map((lines) => lines.join('\n')).join('\n\n') + '\n';
}
