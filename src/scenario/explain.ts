/**
 * `dynasim explain`: the fully resolved scenario as YAML with units put back
 * (`requestTimeoutUs: 300000` prints as `requestTimeout: 300ms`), followed by
 * its fault timeline as a table.
 */
import { stringify } from 'yaml';
import type { DistributionSpec } from '../../sim/distributions.js';
import { formatDistribution } from './distspec.js';
import type { ResolvedScenario } from './resolve.js';
import type { FaultEvent } from './timeline.js';
import { formatBandwidth, formatDurationUs as formatDuration, formatPercent, formatRate, formatSize } from './units.js';

export function explainScenario(resolved: ResolvedScenario): string {
  const { timeline, ...rest } = resolved;
  const human = withUnits(rest) as Record<string, unknown>;
  const yaml = stringify(human, { lineWidth: 0, aliasDuplicateObjects: false });
  return `${yaml}\ntimeline:\n${timelineTable(timeline, resolved.durationUs)}\n`;
}

/** Rename unit-suffixed fields and format their values (recursively). */
function withUnits(value: unknown, key = ''): unknown {
  if (Array.isArray(value)) return value.map((v) => withUnits(v, key));
  if (typeof value !== 'object' || value === null) return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    const [name, formatted] = unitField(k, v);
    out[name] = formatted;
  }
  return out;
}

function unitField(k: string, v: unknown): [string, unknown] {
  if (v === null) return [k.replace(/(Us|PerSec|BytesPerSec|Bytes)$/, ''), null];
  if (k.endsWith('BytesPerSec') && typeof v === 'number') return [k.slice(0, -'BytesPerSec'.length), formatBandwidth(v)];
  if (k.endsWith('PerSec') && typeof v === 'number') return [k.slice(0, -'PerSec'.length), formatRate(v)];
  if (k.endsWith('Us')) {
    const name = k.slice(0, -2);
    if (typeof v === 'number') return [name, formatDuration(v)];
    return [name, formatDistribution(v as DistributionSpec, 'duration')];
  }
  if (k.endsWith('Bytes')) {
    const name = k.slice(0, -5);
    if (typeof v === 'number') return [name, formatSize(v)];
    return [name, formatDistribution(v as DistributionSpec, 'size')];
  }
  if (k === 'availability' && typeof v === 'number') return [k, formatPercent(v)];
  return [k, withUnits(v, k)];
}

function target(e: FaultEvent): string {
  switch (e.kind) {
    case 'partition':
    case 'heal':
      return `${e.groups.map((g) => g.join(',')).join(e.oneWay ? ' -/-> ' : ' | ')}${e.kind === 'partition' && e.bridge !== null ? ` (bridge ${e.bridge})` : ''}`;
    case 'degrade':
    case 'restore':
    case 'clog':
    case 'unclog':
      return links(e.links);
    default:
      return e.node;
  }
}

function links(ls: readonly (readonly [string, string])[]): string {
  const shown = ls.slice(0, 6).map(([a, b]) => `${a}->${b}`);
  return ls.length > 6 ? `${shown.join(' ')} … (${ls.length} links)` : shown.join(' ');
}

function details(e: FaultEvent): string {
  switch (e.kind) {
    case 'crash':
      return e.loseDisk ? 'loses its disk' : '';
    case 'degrade':
      return [e.addedLatencyUs > 0 ? `+${formatDuration(e.addedLatencyUs)}` : '', e.lossProbability > 0 ? `loss ${formatPercent(e.lossProbability)}` : ''].filter(Boolean).join(', ');
    case 'clog':
      return `until ${formatDuration(e.untilUs)}`;
    case 'clockSkew':
      return `by ${formatDuration(e.byUs)}`;
    case 'clockDrift':
      return `${e.ppm} ppm`;
    case 'slowDisk':
      return `x${e.factor}`;
    default:
      return '';
  }
}

function timelineTable(events: readonly FaultEvent[], durationUs: number): string {
  if (events.length === 0) return '  (no faults)';
  const rows = events.map((e) => [
    formatDuration(e.atUs),
    e.kind,
    target(e),
    [details(e), e.cause === 'for' ? `end of ${e.source}` : e.cause === 'liveness' ? `end of the fault phase (${formatDuration(durationUs)})` : e.source].filter(Boolean).join('; '),
  ]);
  const header = ['time', 'action', 'target', 'details'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) => `  ${cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]!))).join('  ')}`.trimEnd();
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}
