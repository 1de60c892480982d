/**
 * The JavaScript that draws report.html's charts. It runs in the browser
 * with the inlined d3 UMD bundle (the global `d3`) and reads the summary
 * from the `#dynasim-summary` JSON script. Plain JavaScript in a raw string,
 * so it is the same text under tsx and in the compiled dist/ (no backticks;
 * placeholders only for the shared snippets and layout constants below).
 *
 * Every chart draws into `svg.chart#<id>`; each data mark has class `mark`;
 * a chart without data shows a "no data" line instead.
 */
import { FORMAT_FUNCTIONS, SORTABLE_FUNCTION } from './sharedScript.js';

/** The space-time diagram's layout: the page sizes its svg with it before the script draws. */
export const SPACETIME_LAYOUT = { rowPx: 18, topPx: 56, bottomPx: 16 } as const;

export const REPORT_SCRIPT = String.raw`
(function () {
  'use strict';
  var summary = JSON.parse(document.getElementById('dynasim-summary').textContent);

${FORMAT_FUNCTIONS}
  var fmtCount = d3.format(',');
  var fmtPercentTick = d3.format('.4~%');

  var COLORS = { get: '#1f77b4', put: '#e6550d', p50: 0.7, p99: 0.85, p999: 1 };
  var FAULT_COLORS = { crash: '#d62728', partition: '#9467bd', slow: '#8c6d31', clock: '#17becf' };
  function faultColor(kind) { return FAULT_COLORS[kind] || '#7f7f7f'; }

  // One colour per node, shared by the load chart and the ring.
  var nodeNames = summary.nodes.map(function (n) { return n.name; });
  summary.ring.tokens.forEach(function (t) { if (nodeNames.indexOf(t.node) < 0) nodeNames.push(t.node); });
  var nodeColor = (function () {
    var palette = nodeNames.length <= 10
      ? d3.schemeTableau10
      : d3.quantize(function (t) { return d3.interpolateSinebow(t * 0.9); }, nodeNames.length);
    return d3.scaleOrdinal().domain(nodeNames).range(palette);
  })();

  // ---- chart scaffolding ---------------------------------------------------
  function chart(id) {
    var svg = d3.select('svg.chart#' + id);
    var box = svg.attr('viewBox').split(' ').map(Number);
    svg.selectAll('*').remove();
    return { svg: svg, width: box[2], height: box[3] };
  }

  function noData(c, message) {
    // A short strip instead of a tall empty frame.
    var height = 64;
    c.svg.attr('viewBox', '0 0 ' + c.width + ' ' + height).classed('empty', true);
    c.svg.append('text').attr('class', 'no-data')
      .attr('x', c.width / 2).attr('y', height / 2)
      .attr('text-anchor', 'middle').attr('dominant-baseline', 'middle')
      .text('no data: ' + message);
  }

  function translate(x, y) { return 'translate(' + x + ',' + y + ')'; }

  function yLabel(c, text, x, yMid) {
    c.svg.append('text').attr('class', 'axis-label')
      .attr('transform', translate(x, yMid) + ' rotate(-90)')
      .attr('text-anchor', 'middle').text(text);
  }

  function xLabel(c, text, xMid, y) {
    c.svg.append('text').attr('class', 'axis-label')
      .attr('x', xMid).attr('y', y).attr('text-anchor', 'middle').text(text);
  }

  function gridY(g, y, width, ticks) {
    g.append('g').attr('class', 'grid')
      .call(d3.axisLeft(y).tickValues(ticks).tickSize(-width).tickFormat(''))
      .call(function (s) { s.select('.domain').remove(); });
  }

  /** A legend row: items [{ label, color, dash?, kind: 'line'|'box' }] laid out right to left from xRight. */
  function legend(c, items, xRight, y) {
    var g = c.svg.append('g').attr('class', 'legend');
    var x = xRight;
    for (var i = items.length - 1; i >= 0; i--) {
      var item = items[i];
      var w = 26 + item.label.length * 6.2;
      x -= w;
      var e = g.append('g').attr('transform', translate(x, y));
      if (item.kind === 'box') {
        e.append('rect').attr('x', 0).attr('y', -8).attr('width', 12).attr('height', 10)
          .attr('fill', item.color).attr('fill-opacity', item.opacity || 1);
      } else {
        e.append('line').attr('x1', 0).attr('x2', 16).attr('y1', -3).attr('y2', -3)
          .attr('stroke', item.color).attr('stroke-width', 2)
          .attr('stroke-opacity', item.opacity || 1)
          .attr('stroke-dasharray', item.dash || null);
      }
      e.append('text').attr('x', item.kind === 'box' ? 16 : 20).attr('y', 0).text(item.label);
    }
  }

  // ---- time charts ---------------------------------------------------------
  var endUs = Math.max(
    summary.phases.endUs, summary.simulatedUs,
    d3.max(summary.latencyWindows, function (w) { return w.endUs; }) || 0,
    d3.max(summary.availability.windows, function (w) { return w.endUs; }) || 0,
    d3.max(summary.system.hintBacklog, function (h) { return h.timeUs; }) || 0,
    d3.max(summary.faults, function (f) { return f.endUs; }) || 0);
  var timeUnit = endUs <= 20 * 60e6 ? { label: 's', us: 1e6 }
    : endUs <= 10 * 3600e6 ? { label: 'min', us: 60e6 } : { label: 'h', us: 3600e6 };
  function t(us) { return us / timeUnit.us; }

  /**
   * Assign fault labels to rows so that no two labels overlap and none runs
   * past the panel's right edge; a fault that finds no free row among the
   * first FAULT_LABEL_ROWS_MAX is shaded without a label (its tooltip names it).
   */
  var FAULT_LABEL_ROWS_MAX = 4;
  function faultRows(x) {
    var right = x.range()[1];
    var rowsEnd = [];
    var placed = summary.faults.map(function (f) {
      var w = f.describe.length * 6.3 + 4;
      var labelX = Math.max(0, Math.min(x(t(f.startUs)) + 3, right - w));
      var row = 0;
      while (row < rowsEnd.length && rowsEnd[row] > labelX) row++;
      if (row >= FAULT_LABEL_ROWS_MAX) return { fault: f, row: null, labelX: labelX };
      rowsEnd[row] = labelX + w + 8;
      return { fault: f, row: row, labelX: labelX };
    });
    return { placed: placed, rows: rowsEnd.length };
  }

  function shadeFaults(g, x, height, layout, withLabels) {
    var range = x.range();
    layout.placed.forEach(function (p) {
      var f = p.fault;
      var x0 = clamp(x(t(f.startUs)), range[0], range[1]);
      var x1 = clamp(x(t(f.endUs)), range[0], range[1]);
      var color = faultColor(f.kind);
      g.append('rect').attr('class', 'fault')
        .attr('x', x0).attr('y', 0).attr('width', Math.max(1, x1 - x0)).attr('height', height)
        .attr('fill', color).attr('fill-opacity', 0.1)
        .append('title').text(f.describe);
      g.append('line').attr('class', 'fault-edge')
        .attr('x1', x0).attr('x2', x0).attr('y1', 0).attr('y2', height).attr('stroke', color);
      if (withLabels && p.row !== null) {
        var y = -4 - (layout.rows - 1 - p.row) * 13;
        g.append('line').attr('x1', x0).attr('x2', x0).attr('y1', y + 3).attr('y2', 0)
          .attr('stroke', color).attr('stroke-opacity', 0.6);
        g.append('text').attr('class', 'fault-label').attr('x', p.labelX).attr('y', y)
          .attr('fill', color).text(f.describe);
      }
    });
  }

  /**
   * A chart of one or more side-by-side panels over simulated time.
   * cfg: { id, panels: [{ title, series: [{ label, color, opacity, dash, area, points: [{ us, v }] }] }],
   *        y: a d3 scale with its domain, yTicks, yFormat, yText, legend, reference: { v, label } }
   */
  function timeChart(cfg) {
    var c = chart(cfg.id);
    var margin = { left: 62, right: 14, bottom: 40 };
    var gap = 44;
    var n = cfg.panels.length;
    var panelW = (c.width - margin.left - margin.right - gap * (n - 1)) / n;
    var x = d3.scaleLinear().domain([0, t(endUs)]).range([0, panelW]);
    var layout = faultRows(x);
    var top = 22 + layout.rows * 13 + (layout.rows > 0 ? 4 : 0);
    var innerH = c.height - top - margin.bottom;
    var y = cfg.y.range([innerH, 0]);
    var yTicks = cfg.yTicks(y);
    cfg.panels.forEach(function (panel, i) {
      var g = c.svg.append('g').attr('transform', translate(margin.left + i * (panelW + gap), top));
      gridY(g, y, panelW, yTicks);
      shadeFaults(g, x, innerH, layout, true);
      if (cfg.reference && cfg.reference.v >= y.domain()[0] && cfg.reference.v <= y.domain()[1]) {
        g.append('line').attr('class', 'reference')
          .attr('x1', 0).attr('x2', panelW).attr('y1', y(cfg.reference.v)).attr('y2', y(cfg.reference.v));
        g.append('text').attr('class', 'reference-label').attr('x', 4).attr('y', y(cfg.reference.v) + 12)
          .text(cfg.reference.label);
      }
      panel.series.forEach(function (s) {
        var defined = function (p) { return p.v !== null && isFinite(y(p.v)); };
        if (s.area) {
          g.append('path').datum(s.points).attr('class', 'mark area')
            .attr('fill', s.color).attr('fill-opacity', 0.18)
            .attr('d', d3.area().defined(defined)
              .x(function (p) { return x(t(p.us)); }).y0(innerH).y1(function (p) { return y(p.v); }).curve(d3.curveLinear));
        }
        g.append('path').datum(s.points).attr('class', 'mark line')
          .attr('fill', 'none').attr('stroke', s.color).attr('stroke-width', s.width || 1.6)
          .attr('stroke-opacity', s.opacity || 1).attr('stroke-dasharray', s.dash || null)
          .attr('d', d3.line().defined(defined).curve(s.step ? d3.curveStepAfter : d3.curveLinear)
            .x(function (p) { return x(t(p.us)); }).y(function (p) { return y(p.v); }))
          .append('title').text(s.label);
        // Points that have no neighbour would not show as a line: draw them as dots.
        s.points.forEach(function (p, j) {
          if (!defined(p)) return;
          var prev = s.points[j - 1], next = s.points[j + 1];
          if ((prev && defined(prev)) || (next && defined(next))) return;
          g.append('circle').attr('class', 'mark dot').attr('cx', x(t(p.us))).attr('cy', y(p.v))
            .attr('r', 2.5).attr('fill', s.color);
        });
      });
      g.append('g').attr('class', 'axis x').attr('transform', translate(0, innerH))
        .call(d3.axisBottom(x).ticks(Math.max(2, Math.floor(panelW / 70))));
      g.append('g').attr('class', 'axis y').call(d3.axisLeft(y).tickValues(yTicks).tickFormat(cfg.yFormat));
      if (panel.title) {
        g.append('text').attr('class', 'panel-title').attr('x', 0).attr('y', -top + 14).text(panel.title);
      }
    });
    if (cfg.legend) legend(c, cfg.legend, c.width - margin.right, 14);
    xLabel(c, 'simulated time (' + timeUnit.label + ')', margin.left + (c.width - margin.left - margin.right) / 2, c.height - 6);
    yLabel(c, cfg.yText, 14, top + innerH / 2);
  }

  function mid(w) { return (w.startUs + w.endUs) / 2; }

  function drawLatency() {
    var windows = summary.latencyWindows;
    var values = [];
    windows.forEach(function (w) {
      ['get', 'put'].forEach(function (op) {
        if (w[op].ok > 0) ['p50', 'p99', 'p999'].forEach(function (p) { if (w[op][p] > 0) values.push(w[op][p]); });
      });
    });
    if (values.length === 0) return noData(chart('latency'), 'no successful operations in any window');
    var lo = d3.min(values), hi = d3.max(values);
    var y = d3.scaleLog().domain([Math.pow(10, Math.floor(Math.log10(lo))), Math.pow(10, Math.ceil(Math.log10(hi)))]);
    var names = { p50: 'p50', p99: 'p99', p999: 'p99.9' };
    var dashes = { p50: '2,2', p99: '6,3', p999: null };
    function panel(op) {
      return {
        title: op,
        series: ['p50', 'p99', 'p999'].map(function (p) {
          return {
            label: op + ' ' + names[p], color: COLORS[op], opacity: COLORS[p], dash: dashes[p],
            points: windows.map(function (w) { return { us: mid(w), v: w[op].ok > 0 && w[op][p] > 0 ? w[op][p] : null }; }),
          };
        }),
      };
    }
    timeChart({
      id: 'latency',
      panels: [panel('get'), panel('put')],
      y: y,
      yTicks: function (s) { return s.ticks().filter(function (v) { return Math.abs(Math.log10(v) - Math.round(Math.log10(v))) < 1e-9; }); },
      yFormat: function (v) { return fmtMs(v); },
      yText: 'latency (ms, log scale)',
      legend: [
        { label: 'p50', color: '#555', dash: dashes.p50 },
        { label: 'p99', color: '#555', dash: dashes.p99 },
        { label: 'p99.9', color: '#555' },
      ],
    });
  }

  function drawAvailability() {
    var windows = summary.availability.windows.filter(function (w) { return w.requests > 0; });
    if (windows.length === 0) return noData(chart('availability'), 'no requests in any window');
    var lo = d3.min(windows, function (w) { return w.availability; });
    var floor = lo >= 0.999 ? 0.998 : lo >= 0.99 ? 0.99 : lo >= 0.9 ? Math.floor(lo * 100) / 100 - 0.01 : 0;
    floor = Math.max(0, floor);
    timeChart({
      id: 'availability',
      panels: [{ title: null, series: [{
        label: 'availability', color: '#2ca02c', step: false,
        points: summary.availability.windows.map(function (w) { return { us: mid(w), v: w.requests > 0 ? w.availability : null }; }),
      }] }],
      y: d3.scaleLinear().domain([floor, 1]),
      yTicks: function (s) { return s.ticks(6); },
      yFormat: fmtPercentTick,
      yText: 'requests succeeded within SLA',
      reference: { v: 0.999, label: '99.9%' },
      legend: [{ label: 'availability per window', color: '#2ca02c' }],
    });
  }

  function drawHints() {
    var backlog = summary.system.hintBacklog;
    if (backlog.length === 0) return noData(chart('hints'), 'no hint backlog samples');
    var hi = d3.max(backlog, function (h) { return h.hints; });
    timeChart({
      id: 'hints',
      panels: [{ title: null, series: [{
        label: 'hints held', color: '#8c564b', area: true,
        points: backlog.map(function (h) { return { us: h.timeUs, v: h.hints }; }),
      }] }],
      y: d3.scaleLinear().domain([0, Math.max(1, hi)]).nice(),
      yTicks: function (s) { return s.ticks(5).filter(function (v) { return Number.isInteger(v); }); },
      yFormat: d3.format('~s'),
      yText: 'hints held',
    });
  }

  function drawBalance() {
    var windows = summary.system.outOfBalance;
    if (windows.length === 0) return noData(chart('balance'), 'no load-balance windows');
    var hi = d3.max(windows, function (w) { return w.fraction; });
    var points = windows.map(function (w) { return { us: w.startUs, v: w.fraction }; });
    var last = windows[windows.length - 1];
    points.push({ us: last.endUs, v: last.fraction });
    timeChart({
      id: 'balance',
      panels: [{ title: null, series: [{ label: 'nodes out of balance', color: '#17becf', step: true, points: points }] }],
      y: d3.scaleLinear().domain([0, Math.max(0.25, hi)]).nice(),
      yTicks: function (s) { return s.ticks(5); },
      yFormat: d3.format('.0%'),
      yText: 'nodes out of balance',
    });
  }

  // ---- other charts --------------------------------------------------------
  function drawTVisibility() {
    var c = chart('tvisibility');
    var points = summary.staleness.tVisibility;
    if (points.length === 0) return noData(c, 'no reads after acknowledged writes');
    var margin = { top: 26, right: 18, bottom: 40, left: 62 };
    var w = c.width - margin.left - margin.right, h = c.height - margin.top - margin.bottom;
    var maxDelta = d3.max(points, function (p) { return p.deltaMs; });
    var x = d3.scaleSymlog().constant(1).domain([0, Math.max(1, maxDelta)]).range([0, w]);
    var lo = d3.min(points, function (p) { return p.probability; });
    var y = d3.scaleLinear().domain([Math.min(0.9, Math.floor(lo * 10) / 10), 1]).range([h, 0]);
    var g = c.svg.append('g').attr('transform', translate(margin.left, margin.top));
    var yTicks = y.ticks(6);
    gridY(g, y, w, yTicks);
    var xTicks = [0, 1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10000, 20000, 50000, 100000]
      .filter(function (v) { return v <= x.domain()[1]; });
    g.append('g').attr('class', 'axis x').attr('transform', translate(0, h))
      .call(d3.axisBottom(x).tickValues(xTicks).tickFormat(d3.format('~s')));
    g.append('g').attr('class', 'axis y').call(d3.axisLeft(y).tickValues(yTicks).tickFormat(fmtPercentTick));
    if (y.domain()[0] <= 0.999) {
      g.append('line').attr('class', 'reference').attr('x1', 0).attr('x2', w).attr('y1', y(0.999)).attr('y2', y(0.999));
      g.append('text').attr('class', 'reference-label').attr('x', 4).attr('y', y(0.999) + 12).text('99.9%');
    }
    var d999 = summary.staleness.delta999Ms;
    if (d999 !== null) {
      g.append('line').attr('class', 'reference').attr('x1', x(d999)).attr('x2', x(d999)).attr('y1', 0).attr('y2', h);
      g.append('text').attr('class', 'reference-label').attr('x', x(d999) + 4).attr('y', h - 6)
        .text('≥ 99.9% from Δ = ' + fmtMs(d999));
    }
    g.append('path').datum(points).attr('class', 'mark line').attr('fill', 'none')
      .attr('stroke', '#1f77b4').attr('stroke-width', 1.8)
      .attr('d', d3.line().curve(d3.curveStepAfter).x(function (p) { return x(p.deltaMs); }).y(function (p) { return y(p.probability); }));
    g.selectAll('circle.mark').data(points).join('circle').attr('class', 'mark dot')
      .attr('cx', function (p) { return x(p.deltaMs); }).attr('cy', function (p) { return y(p.probability); })
      .attr('r', 2.5).attr('fill', '#1f77b4')
      .append('title').text(function (p) {
        return 'Δ ≥ ' + fmtMs(p.deltaMs) + ': ' + fmtShare(p.probability) + ' of ' + fmtCount(p.reads) + ' reads';
      });
    xLabel(c, 'Δ: time from write acknowledged to read start (ms, log scale)', margin.left + w / 2, c.height - 6);
    yLabel(c, 'P(read returns the write or newer)', 14, margin.top + h / 2);
  }

  function drawVersions() {
    var c = chart('versions');
    var bins = summary.versions.histogram.filter(function (b) { return b.gets > 0; });
    if (bins.length === 0) return noData(c, 'no successful gets');
    var margin = { top: 26, right: 18, bottom: 40, left: 62 };
    var w = c.width - margin.left - margin.right, h = c.height - margin.top - margin.bottom;
    var x = d3.scaleBand().domain(summary.versions.histogram.map(function (b) { return String(b.versions); }))
      .range([0, w]).padding(0.3);
    var hi = d3.max(bins, function (b) { return b.gets; });
    var y = d3.scaleLog().domain([0.5, Math.pow(10, Math.ceil(Math.log10(hi * 3)))]).range([h, 0]);
    var g = c.svg.append('g').attr('transform', translate(margin.left, margin.top));
    var yTicks = y.ticks().filter(function (v) { return v >= 1 && Math.abs(Math.log10(v) - Math.round(Math.log10(v))) < 1e-9; });
    gridY(g, y, w, yTicks);
    g.selectAll('rect.mark').data(bins).join('rect').attr('class', 'mark bar')
      .attr('x', function (b) { return x(String(b.versions)); }).attr('width', x.bandwidth())
      .attr('y', function (b) { return y(b.gets); }).attr('height', function (b) { return h - y(b.gets); })
      .attr('fill', '#6a51a3')
      .append('title').text(function (b) { return b.versions + ' version(s): ' + fmtCount(b.gets) + ' gets'; });
    g.selectAll('text.bar-label').data(bins).join('text').attr('class', 'bar-label')
      .attr('x', function (b) { return x(String(b.versions)) + x.bandwidth() / 2; })
      .attr('y', function (b) { return y(b.gets) - 5; }).attr('text-anchor', 'middle')
      .text(function (b) { return fmtShare(b.share) + ' (' + fmtCount(b.gets) + ')'; });
    g.append('g').attr('class', 'axis x').attr('transform', translate(0, h)).call(d3.axisBottom(x));
    g.append('g').attr('class', 'axis y').call(d3.axisLeft(y).tickValues(yTicks).tickFormat(d3.format('~s')));
    xLabel(c, 'versions returned by one get', margin.left + w / 2, c.height - 6);
    yLabel(c, 'gets (log scale)', 14, margin.top + h / 2);
  }

  function drawLoad() {
    var c = chart('load');
    var nodes = summary.nodes;
    if (nodes.length === 0) return noData(c, 'no nodes');
    var margin = { top: 26, right: 18, bottom: 40, left: 62 };
    var w = c.width - margin.left - margin.right, h = c.height - margin.top - margin.bottom;
    var keys = [
      { key: 'coordinated', label: 'requests coordinated', opacity: 1 },
      { key: 'replicaOps', label: 'replica operations', opacity: 0.45 },
    ];
    var x = d3.scaleBand().domain(nodes.map(function (n) { return n.name; })).range([0, w]).padding(0.2);
    var xi = d3.scaleBand().domain(keys.map(function (k) { return k.key; })).range([0, x.bandwidth()]).padding(0.08);
    var hi = d3.max(nodes, function (n) { return Math.max(n.coordinated, n.replicaOps); });
    var y = d3.scaleLinear().domain([0, Math.max(1, hi)]).nice().range([h, 0]);
    var g = c.svg.append('g').attr('transform', translate(margin.left, margin.top));
    var yTicks = y.ticks(5);
    gridY(g, y, w, yTicks);
    nodes.forEach(function (n) {
      keys.forEach(function (k) {
        g.append('rect').attr('class', 'mark bar')
          .attr('x', x(n.name) + xi(k.key)).attr('width', xi.bandwidth())
          .attr('y', y(n[k.key])).attr('height', h - y(n[k.key]))
          .attr('fill', nodeColor(n.name)).attr('fill-opacity', k.opacity)
          .attr('stroke', nodeColor(n.name)).attr('stroke-width', 0.8)
          .append('title').text(n.name + ' ' + k.label + ': ' + fmtCount(n[k.key]));
      });
    });
    // Label every k-th node so that names never overlap (about 34 px per label).
    var every = Math.max(1, Math.ceil(nodes.length * 34 / w));
    var xTicks = x.domain().filter(function (_, i) { return i % every === 0; });
    g.append('g').attr('class', 'axis x').attr('transform', translate(0, h)).call(d3.axisBottom(x).tickValues(xTicks));
    g.append('g').attr('class', 'axis y').call(d3.axisLeft(y).tickValues(yTicks).tickFormat(d3.format('~s')));
    legend(c, keys.map(function (k) { return { label: k.label, color: '#555', opacity: k.opacity, kind: 'box' }; }), c.width - margin.right, 14);
    xLabel(c, 'node (bar colour: node; solid: coordinated, light: replica ops)', margin.left + w / 2, c.height - 6);
    yLabel(c, 'operations over the run', 14, margin.top + h / 2);
  }

  function drawRing() {
    var c = chart('ring');
    var tokens = summary.ring.tokens.slice().sort(function (a, b) { return a.position - b.position; });
    if (tokens.length === 0) return noData(c, 'no ring tokens');
    var cy = c.height / 2, r = Math.min(c.height / 2 - 24, 120), cx = r + 40;
    var g = c.svg.append('g').attr('transform', translate(cx, cy));
    var tau = 2 * Math.PI;
    // A token owns the range from the previous token (exclusive) up to itself (§4.2).
    var arc = d3.arc().innerRadius(r - 18).outerRadius(r);
    tokens.forEach(function (tok, i) {
      var prev = i === 0 ? tokens[tokens.length - 1].position - 1 : tokens[i - 1].position;
      g.append('path').attr('class', 'mark arc')
        .attr('d', arc({ startAngle: prev * tau, endAngle: tok.position * tau }))
        .attr('fill', nodeColor(tok.node))
        .append('title').text(tok.node + ': token at ' + tok.position.toFixed(6));
    });
    g.append('circle').attr('r', r - 18).attr('fill', 'none').attr('stroke', '#ccc');
    [0, 0.25, 0.5, 0.75].forEach(function (p) {
      var a = p * tau;
      g.append('text').attr('class', 'ring-label')
        .attr('x', Math.sin(a) * (r + 12)).attr('y', -Math.cos(a) * (r + 12))
        .attr('text-anchor', p === 0.25 ? 'start' : p === 0.75 ? 'end' : 'middle')
        .attr('dominant-baseline', p === 0 ? 'auto' : p === 0.5 ? 'hanging' : 'middle')
        .text(p === 0 ? '0 / 1' : String(p));
    });
    g.append('text').attr('class', 'ring-centre').attr('text-anchor', 'middle').attr('y', -4)
      .text(fmtCount(tokens.length) + ' tokens');
    g.append('text').attr('class', 'ring-centre').attr('text-anchor', 'middle').attr('y', 12)
      .text('strategy ' + summary.ring.strategy);
    // Legend: node colour and its share of the ring, in columns.
    var owned = {};
    tokens.forEach(function (tok, i) {
      var prev = i === 0 ? tokens[tokens.length - 1].position - 1 : tokens[i - 1].position;
      owned[tok.node] = (owned[tok.node] || 0) + (tok.position - prev);
    });
    var names = nodeNames.filter(function (n) { return owned[n] !== undefined; });
    // Columns of "node: share"; with many nodes, names only and tighter rows (the share stays in the tooltip).
    var lx = cx + r + 44, room = c.width - lx - 8;
    var longest = d3.max(names, function (n) { return n.length; });
    var layouts = [{ share: true, rowH: 16 }, { share: false, rowH: 16 }, { share: false, rowH: 12 }].map(function (l) {
      var rows = Math.max(1, Math.floor((c.height - 40) / l.rowH));
      var colW = 22 + 6.3 * (longest + (l.share ? 8 : 0));
      return { share: l.share, rowH: l.rowH, rows: rows, colW: colW, fits: Math.ceil(names.length / rows) * colW <= room };
    });
    var layout = layouts.filter(function (l) { return l.fits; })[0] || layouts[layouts.length - 1];
    var lg = c.svg.append('g').attr('class', 'legend');
    lg.append('text').attr('x', lx).attr('y', 18).attr('class', 'legend-title')
      .text(layout.share ? 'node: share of the ring' : 'node (hover: share of the ring)');
    names.forEach(function (name, i) {
      var e = lg.append('g').attr('transform',
        translate(lx + Math.floor(i / layout.rows) * layout.colW, 34 + (i % layout.rows) * layout.rowH));
      e.append('title').text(name + ': ' + fmtShare(owned[name]) + ' of the ring');
      e.append('rect').attr('x', 0).attr('y', -9).attr('width', 11).attr('height', 11).attr('fill', nodeColor(name));
      e.append('text').attr('x', 16).attr('y', 0).text(layout.share ? name + ': ' + fmtShare(owned[name]) : name);
    });
  }

  // ---- the space-time diagram of one operation ---------------------------
  /**
   * A Lamport diagram of summary.operation: one vertical lane per host, time
   * running down with one row per event (real gaps are labelled, not drawn to
   * scale: the interesting part is the order), arrows from a message's send to
   * its delivery, crosses for drops, diamonds for timers that fired (red for
   * timeouts), red bars for faults, and a line where the client had its answer.
   */
  function drawSpacetime() {
    var svgNode = document.getElementById('spacetime');
    var op = summary.operation;
    if (!svgNode || !op) return;
    var svg = d3.select(svgNode);
    var box = svg.attr('viewBox').split(' ').map(Number);
    var width = box[2];
    svg.selectAll('*').remove();
    var events = op.events;
    var ROW = ${SPACETIME_LAYOUT.rowPx}, top = ${SPACETIME_LAYOUT.topPx}, left = 150, right = 150;
    var lanes = op.hosts.slice();
    var laneIndex = {};
    lanes.forEach(function (h, i) { laneIndex[h] = i; });
    // Hosts that only appear in faults get no lane; their faults span the diagram.
    var span = width - left - right;
    function x(host) {
      var i = laneIndex[host];
      if (i === undefined) return null;
      return lanes.length === 1 ? left + span / 2 : left + (i * span) / (lanes.length - 1);
    }
    function y(row) { return top + row * ROW + ROW / 2; }
    var height = top + Math.max(1, events.length) * ROW + ${SPACETIME_LAYOUT.bottomPx};
    svg.attr('viewBox', '0 0 ' + width + ' ' + height);
    svg.append('defs').append('marker').attr('id', 'spacetime-arrow')
      .attr('viewBox', '0 0 10 10').attr('refX', 9).attr('refY', 5)
      .attr('markerWidth', 7).attr('markerHeight', 7).attr('orient', 'auto-start-reverse')
      .append('path').attr('d', 'M 0 0 L 10 5 L 0 10 z').attr('fill', '#444');
    if (events.length === 0) {
      svg.append('text').attr('class', 'no-data').attr('x', width / 2).attr('y', height / 2)
        .attr('text-anchor', 'middle').text('no data: the operation traced no events');
      return;
    }
    // Lanes.
    lanes.forEach(function (h) {
      svg.append('line').attr('class', 'lane').attr('x1', x(h)).attr('x2', x(h)).attr('y1', top - 6).attr('y2', height - 8);
      svg.append('text').attr('class', 'lane-label').attr('x', x(h)).attr('y', top - 14)
        .attr('text-anchor', 'middle').attr('fill', nodeNames.indexOf(h) >= 0 ? nodeColor(h) : '#333').text(h);
    });
    svg.append('text').attr('class', 'row-time').attr('x', 8).attr('y', top - 14).text('time since start');
    // Time labels, and labelled gaps between rows that are far apart.
    var prevUs = null;
    events.forEach(function (e, row) {
      if (prevUs !== null && e.timeUs - prevUs >= 20000) {
        svg.append('text').attr('class', 'gap').attr('x', left - 8).attr('y', y(row) - ROW / 2 + 3)
          .attr('text-anchor', 'end').text('... ' + fmtMs((e.timeUs - prevUs) / 1000) + ' later');
      }
      if (prevUs === null || e.timeUs !== prevUs) {
        var sinceUs = e.timeUs - op.startUs;
        svg.append('text').attr('class', 'row-time').attr('x', 8).attr('y', y(row) + 4)
          .text((sinceUs < 0 ? '-' : '+') + fmtMs(Math.abs(sinceUs) / 1000));
      }
      prevUs = e.timeUs;
    });
    // Where the client had its answer.
    var endRow = -1;
    events.forEach(function (e, row) { if (e.timeUs <= op.endUs) endRow = row; });
    var endY = y(endRow) + ROW / 2;
    svg.append('line').attr('x1', left - 30).attr('x2', width - 20).attr('y1', endY).attr('y2', endY)
      .attr('stroke', op.ok ? '#137333' : '#b3261e').attr('stroke-dasharray', '6,4').attr('stroke-width', 1.2);
    svg.append('text').attr('class', 'msg-label').attr('x', width - 20).attr('y', endY - 4).attr('text-anchor', 'end')
      .attr('fill', op.ok ? '#137333' : '#b3261e')
      .text('client has its answer: ' + (op.ok ? 'ok' : 'failed (' + op.error + ')') + ' after ' + fmtMs((op.endUs - op.startUs) / 1000));
    // Messages: each send with its outcomes (a duplicated message has two).
    var messages = {};
    var order = [];
    events.forEach(function (e, row) {
      if (e.kind !== 'send' && e.kind !== 'deliver' && e.kind !== 'drop') return;
      var m = messages[e.msg];
      if (!m) {
        m = messages[e.msg] = { send: null, outcomes: [] };
        order.push(e.msg);
      }
      if (e.kind === 'send') m.send = { row: row, e: e };
      else m.outcomes.push({ row: row, e: e });
    });
    function cross(cx, cy, reason, title) {
      var g = svg.append('g').attr('class', 'mark drop').attr('transform', translate(cx, cy));
      g.append('path').attr('d', 'M -5 -5 L 5 5 M -5 5 L 5 -5').attr('stroke', '#b3261e').attr('stroke-width', 2.2);
      g.append('text').attr('class', 'msg-label').attr('x', 8).attr('y', 4).attr('fill', '#b3261e').text('dropped: ' + reason);
      g.append('title').text(title);
    }
    order.forEach(function (id) {
      var m = messages[id];
      if (!m.send) return; // sent before the capture began
      var s = m.send.e;
      var x0 = x(s.from), y0 = y(m.send.row);
      var x1 = x(s.to);
      if (x0 === null || x1 === null) return;
      var delivered = m.outcomes.filter(function (o) { return o.e.kind === 'deliver'; });
      var dropped = m.outcomes.filter(function (o) { return o.e.kind === 'drop'; });
      function arrow(toX, toY, dashed, title) {
        var path = svg.append('path').attr('class', 'mark message')
          .attr('d', 'M ' + x0 + ' ' + y0 + ' L ' + toX + ' ' + toY)
          .attr('stroke', '#444').attr('stroke-width', 1.2).attr('fill', 'none')
          .attr('stroke-dasharray', dashed ? '4,3' : null)
          .attr('marker-end', 'url(#spacetime-arrow)');
        path.append('title').text(title);
        var mx = x0 + (toX - x0) * 0.5, my = y0 + (toY - y0) * 0.5;
        svg.append('text').attr('class', 'msg-label').attr('x', mx + 4).attr('y', my - 3).text(s.type);
      }
      var name = s.type + ' #' + s.msg + ' ' + s.from + ' → ' + s.to;
      delivered.forEach(function (d) {
        arrow(x1, y(d.row), false, name + ', in flight ' + fmtMs((d.e.timeUs - s.timeUs) / 1000));
      });
      dropped.forEach(function (d) {
        var reason = d.e.reason;
        if (delivered.length > 0) {
          // Reached the host, which dropped it (down, overloaded).
          cross(x1, y(d.row), reason, name + ': dropped at ' + s.to + ' (' + reason + ')');
        } else {
          var tx = x0 + (x1 - x0) * 0.6, ty = y0 + (y(d.row) - y0) * 0.6 + (d.row === m.send.row ? ROW * 0.6 : 0);
          arrow(tx, ty, true, name + ': dropped (' + reason + ')');
          cross(tx, ty, reason, name + ': dropped in the network (' + reason + ')');
        }
      });
      if (m.outcomes.length === 0) arrow(x1, height - 10, true, name + ': still in flight when the capture ended');
    });
    // Timers that fired.
    events.forEach(function (e, row) {
      if (e.kind !== 'timer') return;
      var cx = x(e.host);
      if (cx === null) return;
      var timeout = /-timeout$/.test(e.label);
      svg.append('path').attr('class', 'mark timer' + (timeout ? ' timeout' : ''))
        .attr('d', d3.symbol().type(d3.symbolDiamond).size(timeout ? 90 : 50)())
        .attr('transform', translate(cx, y(row)))
        .attr('fill', timeout ? '#b3261e' : '#777')
        .append('title').text(e.host + ': timer ' + e.label + (timeout ? ' (a timeout)' : ''));
      svg.append('text').attr('class', 'msg-label').attr('x', cx + 8).attr('y', y(row) + 4)
        .attr('fill', timeout ? '#b3261e' : '#555').text(e.label);
    });
    // Faults and host state changes.
    events.forEach(function (e, row) {
      if (e.kind !== 'fault' && e.kind !== 'host') return;
      var cx = e.host ? x(e.host) : null;
      var label = (e.kind === 'fault' ? 'fault: ' : '') + (e.host ? e.host + ' ' : '') + e.label;
      var g = svg.append('g').attr('class', 'mark fault');
      if (cx !== null) {
        g.append('rect').attr('x', cx - 14).attr('y', y(row) - 3).attr('width', 28).attr('height', 6).attr('fill', '#d62728');
        g.append('text').attr('class', 'msg-label').attr('x', cx + 18).attr('y', y(row) + 4).attr('fill', '#b3261e').text(label);
      } else {
        g.append('line').attr('x1', left - 20).attr('x2', width - 20).attr('y1', y(row)).attr('y2', y(row))
          .attr('stroke', '#d62728').attr('stroke-dasharray', '2,3');
        g.append('text').attr('class', 'msg-label').attr('x', width - 20).attr('y', y(row) - 3).attr('text-anchor', 'end')
          .attr('fill', '#b3261e').text(label);
      }
      g.append('title').text(label);
    });
  }

  // ---- sortable tables -----------------------------------------------------
${SORTABLE_FUNCTION}


  drawLatency();
  drawAvailability();
  drawHints();
  drawBalance();
  drawTVisibility();
  drawVersions();
  drawLoad();
  drawRing();
  drawSpacetime();
  Array.prototype.forEach.call(document.querySelectorAll('table.sortable'), sortable);
})();
`;
