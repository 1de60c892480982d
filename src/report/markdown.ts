/**
 * summary.md: the summary as readable tables. `dynasim run` prints it to the
 * terminal, so the tables are padded to line up in plain text and stay
 * under ~110 columns; it also renders as ordinary GitHub markdown.
 *
 * Pure: the same summary renders the same bytes.
 */
import { formatBytes, formatCount, formatDurationUs, formatMs, formatNumber, formatShare } from './format.js';
import type { LatencyStats, OpStats, Summary, TVisibilityPoint } from './summary.js';

export type Align = 'left' | 'right';
export interface Column {
  header: string;
  align?: Align;
}

/** How many events of the captured operation summary.md lists (report.html draws them all). */
const OPERATION_EVENTS_LISTED_MAX = 24;
/** How many pending convergence items to list before "... and N more". */
const PENDING_LISTED_MAX = 20;
/** The Δ values (ms) at which the t-visibility table samples the curve. */
const T_VISIBILITY_DELTAS_MS = [0, 1, 2, 5, 10, 20, 50, 100, 200, 500, 1_000, 2_000, 5_000, 10_000, 60_000];

export function renderMarkdown(summary: Summary): string {
  const sections = [
    header(summary),
    checks(summary),
    operations(summary),
    operation(summary),
    availability(summary),
    staleness(summary),
    versions(summary),
    durability(summary),
    convergence(summary),
    nodes(summary),
    system(summary),
  ];
  return sections.filter((lines) => lines.length > 0).map((lines) => lines.join('\n')).join('\n\n') + '\n';
}

// ---- sections -------------------------------------------------------------

function header(s: Summary): string[] {
  const c = s.config;
  const p = s.phases;
  const phases = [`warm-up ${formatDurationUs(p.warmupUs)}`, `faults until ${formatDurationUs(p.faultPhaseEndUs)}`, `window ${formatDurationUs(p.windowUs)}`];
  const cluster = [
    `${c.nodes} nodes`,
    `N=${c.n} R=${c.r} W=${c.w}`,
    c.sloppyQuorum ? 'sloppy quorum' : 'strict quorum',
    `strategy ${c.strategy}`,
    `${c.coordination} coordination`,
    `network ${c.network}`,
  ];
  return [
    `# dynasim: ${s.scenario}, seed ${s.seed}`,
    '',
    table(
      [{ header: 'run' }, { header: '' }],
      [
        ['scenario', s.scenario],
        ['seed', s.seed],
        ['version', `dynasim ${s.version} (summary schema ${s.schemaVersion})`],
        ['digest', code(s.digest)],
        ['events', formatCount(s.events)],
        ['simulated time', `${formatDurationUs(s.simulatedUs)} (${phases.join(', ')})`],
        ['wall time', `${formatDurationUs(s.wall.wallMs * 1000)} (${formatCount(Math.round(s.wall.eventsPerSec))} events/s)`],
        ['cluster', cluster.join(', ')],
        ['faults', s.faults.length === 0 ? 'none' : s.faults.map((f) => f.describe).join('; ')],
      ],
    ),
  ];
}

function checks(s: Summary): string[] {
  const failed = s.checks.filter((c) => !c.pass).length;
  const passed = s.checks.length - failed;
  const title = s.checks.length === 0 ? '## Checks' : `## Checks: ${passed} passed, ${failed} failed`;
  if (s.checks.length === 0) return [title, '', 'No checks ran.'];
  return [
    title,
    '',
    table(
      [{ header: 'check' }, { header: 'result' }, { header: 'detail' }],
      s.checks.map((c) => [c.name, c.pass ? 'PASS' : '**FAIL**', c.detail]),
    ),
  ];
}

function operations(s: Summary): string[] {
  const ops: Array<[string, OpStats]> = [['get', s.ops.get], ['put', s.ops.put]];
  const failures = (o: OpStats) => {
    const reasons = Object.entries(o.failures).filter(([, n]) => n > 0);
    return reasons.length === 0 ? '-' : reasons.map(([why, n]) => `${why} ${formatCount(n)}`).join(', ');
  };
  const latency = (o: OpStats) => {
    const l: LatencyStats = o.latencyMs;
    // Without a successful operation there is no latency to report (not 0ms).
    return [l.p50, l.p90, l.p99, l.p999, l.p9999, l.max, l.mean].map((ms) => (o.ok === 0 ? '-' : formatMs(ms)));
  };
  return [
    '## Operations',
    '',
    table(
      [{ header: 'op' }, { header: 'count', align: 'right' }, { header: 'ok', align: 'right' }, { header: 'failed', align: 'right' }, { header: 'failures by reason' }],
      ops.map(([name, o]) => [name, formatCount(o.count), formatCount(o.ok), formatCount(o.failed), failures(o)]),
    ),
    '',
    'Latency of successful operations, warm-up excluded:',
    '',
    table(
      [{ header: 'op' }, ...['p50', 'p90', 'p99', 'p99.9', 'p99.99', 'max', 'mean'].map((h): Column => ({ header: h, align: 'right' }))],
      ops.map(([name, o]) => [name, ...latency(o)]),
    ),
  ];
}

function availability(s: Summary): string[] {
  const a = s.availability;
  const lines = [
    '## Availability',
    '',
    a.requests === 0
      ? `No requests (SLA ${formatMs(a.slaMs)}).`
      : `${formatShare(a.overall)} of ${formatCount(a.requests)} requests succeeded within the ${formatMs(a.slaMs)} SLA ` +
        `(${formatCount(a.succeeded)} succeeded).`,
  ];
  const busy = a.windows.filter((w) => w.requests > 0);
  const worst = busy.reduce<(typeof busy)[number] | undefined>((lo, w) => (lo === undefined || w.availability < lo.availability ? w : lo), undefined);
  if (worst !== undefined) {
    lines.push(
      `Worst ${formatDurationUs(worst.endUs - worst.startUs)} window: ${formatShare(worst.availability)} ` +
        `from ${formatDurationUs(worst.startUs)} to ${formatDurationUs(worst.endUs)} (${formatCount(worst.requests)} requests).`,
    );
  }
  if (a.faults.length > 0) {
    lines.push(
      '',
      table(
        [
          { header: 'fault' },
          { header: 'from', align: 'right' },
          { header: 'to', align: 'right' },
          { header: 'requests', align: 'right' },
          { header: 'availability', align: 'right' },
          { header: 'before', align: 'right' },
          { header: 'recovered after', align: 'right' },
        ],
        a.faults.map((f) => [
          f.fault,
          formatDurationUs(f.startUs),
          formatDurationUs(f.endUs),
          formatCount(f.requests),
          formatShare(f.availability),
          formatShare(f.before),
          f.recoveryUs === null ? 'never' : formatDurationUs(f.recoveryUs),
        ]),
      ),
    );
  }
  return lines;
}

function staleness(s: Summary): string[] {
  const st = s.staleness;
  const violations = (what: { checked: number; violations: number }) =>
    `${formatCount(what.violations)} of ${formatCount(what.checked)} checked`;
  const lines = [
    '## Staleness',
    '',
    `- stale reads: ${formatCount(st.staleReads)} of ${formatCount(st.readsChecked)} checked (${formatShare(st.staleShare)})`,
    `- read-your-writes violations: ${violations(st.readYourWrites)}`,
    `- monotonic-read violations: ${violations(st.monotonicReads)}`,
    `- t-visibility reaches 99.9% at: ${st.delta999Ms === null ? 'never within the run' : `Δ = ${formatMs(st.delta999Ms)}`}`,
  ];
  if (st.kStaleness.length > 0) {
    lines.push(
      '',
      'k-staleness (the read returned one of the last k acknowledged versions):',
      '',
      table(
        [{ header: 'k', align: 'right' }, { header: 'probability', align: 'right' }],
        st.kStaleness.map((k) => [String(k.k), formatShare(k.probability)]),
      ),
    );
  }
  const points = sampleTVisibility(st.tVisibility);
  if (points.length > 0) {
    lines.push(
      '',
      't-visibility (a read that started Δ after a write was acknowledged returned it or newer):',
      '',
      table(
        [{ header: 'Δ from', align: 'right' }, { header: 'reads', align: 'right' }, { header: 'probability', align: 'right' }],
        points.map((p) => [formatMs(p.deltaMs), formatCount(p.reads), formatShare(p.probability)]),
      ),
    );
  }
  return lines;
}

function versions(s: Summary): string[] {
  const h = s.versions.histogram;
  if (h.length === 0) return ['## Versions seen by gets', '', 'No successful gets.'];
  return [
    '## Versions seen by gets',
    '',
    'How many divergent versions a successful get returned (the paper: 99.94% saw one).',
    '',
    table(
      [{ header: 'versions', align: 'right' }, { header: 'gets', align: 'right' }, { header: 'share', align: 'right' }],
      h.map((b) => [String(b.versions), formatCount(b.gets), formatShare(b.share)]),
    ),
  ];
}

function durability(s: Summary): string[] {
  const d = s.durability;
  const share = d.acknowledgedWrites > 0 ? ` (${formatShare(d.lostWrites / d.acknowledgedWrites)})` : '';
  const lines = [
    '## Durability',
    '',
    `${formatCount(d.acknowledgedWrites)} acknowledged writes, ${formatCount(d.lostWrites)} lost${share}; ` +
      `checked at ${formatDurationUs(d.checkedAtUs)}.`,
  ];
  if (d.lost.length > 0) {
    if (d.lost.length < d.lostWrites) lines.push(`The first ${d.lost.length} lost writes:`);
    lines.push(
      '',
      table(
        [{ header: 'key' }, { header: 'write', align: 'right' }, { header: 'acknowledged at', align: 'right' }, { header: 'cause' }],
        d.lost.map((l) => [code(l.key), String(l.writeId), formatDurationUs(l.ackUs), l.cause]),
      ),
    );
  }
  return lines;
}

function convergence(s: Summary): string[] {
  const c = s.convergence;
  const lines = ['## Convergence', ''];
  if (!c.ran) lines.push('No liveness phase ran.');
  else if (c.converged) {
    lines.push(`Converged${c.convergedAtUs === null ? '' : ` at ${formatDurationUs(c.convergedAtUs)}`}: no hints, Merkle differences or siblings pending.`);
  } else lines.push(`Did not converge: ${formatCount(c.pending.length)} items still pending.`);
  if (c.pending.length > 0) {
    lines.push('');
    for (const item of c.pending.slice(0, PENDING_LISTED_MAX)) lines.push(`- ${item}`);
    if (c.pending.length > PENDING_LISTED_MAX) lines.push(`- ... and ${formatCount(c.pending.length - PENDING_LISTED_MAX)} more`);
  }
  return lines;
}

function nodes(s: Summary): string[] {
  if (s.nodes.length === 0) return ['## Nodes', '', 'No nodes.'];
  const right = (header: string): Column => ({ header, align: 'right' });
  return [
    '## Nodes',
    '',
    table(
      [{ header: 'node' }, { header: 'dc' }, { header: 'state' }, right('coordinated'), right('replica ops'), right('keys'), right('bytes'), right('hints held'), right('messages')],
      s.nodes.map((n) => [
        n.name,
        n.dc,
        n.up ? 'up' : 'down',
        formatCount(n.coordinated),
        formatCount(n.replicaOps),
        formatCount(n.keys),
        formatBytes(n.bytes),
        formatCount(n.hintsHeld),
        formatCount(n.messagesHandled),
      ]),
    ),
  ];
}

function system(s: Summary): string[] {
  const sys = s.system;
  const peak = sys.hintBacklog.reduce<{ timeUs: number; hints: number } | undefined>((hi, h) => (hi === undefined || h.hints > hi.hints ? h : hi), undefined);
  const balance = sys.outOfBalance;
  const meanOut = balance.length === 0 ? null : balance.reduce((sum, w) => sum + w.fraction, 0) / balance.length;
  const rows: string[][] = [
    ['messages', `${formatCount(sys.messages)} (${formatNumber(sys.messagesPerOp)} per operation)`],
    ['bytes', `${formatBytes(sys.bytes)} (${formatBytes(Math.round(sys.bytesPerOp))} per operation)`],
    ['read repairs', formatCount(sys.readRepairs)],
    ['hinted writes', `${formatCount(sys.hintedWrites)} (${formatCount(sys.hintsDelivered)} hints delivered)`],
    ['peak hint backlog', peak === undefined ? '-' : `${formatCount(peak.hints)} hints at ${formatDurationUs(peak.timeUs)}`],
    ['nodes out of balance', meanOut === null ? '-' : `${formatShare(meanOut)} on average (more than 15% from the mean load)`],
    [
      'anti-entropy',
      sys.antiEntropy === null
        ? 'off'
        : `${formatCount(sys.antiEntropy.exchanges)} exchanges, ${formatCount(sys.antiEntropy.keysRepaired)} keys repaired, ` +
          formatBytes(sys.antiEntropy.bytes),
    ],
    ['ring', `strategy ${s.ring.strategy}, ${formatCount(s.ring.partitions)} partitions, ${formatCount(s.ring.tokens.length)} tokens`],
  ];
  return ['## System', '', table([{ header: 'figure' }, { header: '' }], rows)];
}

/**
 * The captured operation (Summary.operation) as a list: what report.html
 * draws as a space-time diagram, shortened for a terminal (deliveries left
 * out, the first events only).
 */
function operation(s: Summary): string[] {
  const o = s.operation;
  if (o === undefined) return [];
  const outcome = o.ok ? 'succeeded' : `failed (${o.error ?? 'error'})`;
  const shown = o.events.filter((e) => e.kind !== 'deliver');
  const rows = shown.slice(0, OPERATION_EVENTS_LISTED_MAX).map((e) => {
    const at = `${e.timeUs < o.startUs ? '-' : '+'}${formatMs(Math.abs(e.timeUs - o.startUs) / 1000)}`;
    switch (e.kind) {
      case 'send':
        return [at, `${e.from} -> ${e.to}`, e.type ?? ''];
      case 'drop':
        return [at, `${e.from} -> ${e.to}`, `${e.type ?? ''} dropped: ${e.reason ?? ''}`];
      case 'timer':
        return [at, e.host ?? '', `timer ${e.label ?? ''}`];
      default:
        return [at, e.host ?? '', `${e.kind} ${e.label ?? ''}`.trim()];
    }
  });
  const left = shown.length - rows.length;
  const more = [
    left > 0 ? `${formatCount(left)} more events` : '',
    o.omitted > 0 ? `${formatCount(o.omitted)} beyond the capture bound` : '',
  ].filter((x) => x !== '');
  return [
    `## Operation: the ${o.chosen}`,
    '',
    `${o.population} ${o.type} of \`${o.key}\` (op ${o.op}) at ${formatDurationUs(o.startUs)}, ${outcome} after ${formatMs((o.endUs - o.startUs) / 1000)}.`,
    'Its messages, timers and the faults around it, times from its start (deliveries left out):',
    '',
    table([{ header: 'at', align: 'right' }, { header: 'where' }, { header: 'what' }], rows),
    '',
    ...(more.length > 0 ? [`${more.join(', ')} are left out here.`] : []),
    `report.html draws the whole sequence; \`dynasim inspect --op ${o.op}\` on a trace (\`--trace\`) lists every event.`,
  ];
}

// ---- helpers --------------------------------------------------------------

/** The t-visibility bins that contain a few round Δ values (all of them when there are few). */
function sampleTVisibility(points: readonly TVisibilityPoint[]): TVisibilityPoint[] {
  if (points.length <= 12) return [...points];
  const chosen = new Set<number>();
  for (const delta of T_VISIBILITY_DELTAS_MS) {
    let index = -1;
    for (let i = 0; i < points.length && points[i]!.deltaMs <= delta; i++) index = i;
    if (index >= 0) chosen.add(index);
  }
  chosen.add(points.length - 1);
  return [...chosen].sort((a, b) => a - b).map((i) => points[i]!);
}

/** Inline code, robust to backticks in the text. */
function code(text: string): string {
  return text.includes('`') ? `\`\` ${text} \`\`` : `\`${text}\``;
}

/** A markdown table padded so it also lines up as plain text. */
export function table(columns: readonly Column[], rows: readonly (readonly string[])[]): string {
  const cell = (text: string) => text.replace(/\r?\n/g, ' ').replace(/\|/g, '\\|');
  const headers = columns.map((c) => cell(c.header));
  const body = rows.map((row) => columns.map((_, i) => cell(row[i] ?? '')));
  const widths = columns.map((_, i) => Math.max(3, headers[i]!.length, ...body.map((r) => r[i]!.length)));
  const pad = (text: string, i: number) => {
    const fill = ' '.repeat(widths[i]! - text.length);
    return columns[i]!.align === 'right' ? fill + text : text + fill;
  };
  const line = (cells: readonly string[]) => `| ${cells.map(pad).join(' | ')} |`;
  const rule = `|${columns.map((c, i) => (c.align === 'right' ? '-'.repeat(widths[i]! + 1) + ':' : '-'.repeat(widths[i]! + 2))).join('|')}|`;
  return [line(headers), rule, ...body.map(line)].join('\n');
}
