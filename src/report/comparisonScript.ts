/**
 * The JavaScript that draws a sweep's report.html: the trade-off chart
 * (configurations as points with 95% CI bars, the Pareto frontier of the
 * two chosen figures) and the sortable configurations table. It runs in
 * the browser with the inlined d3 bundle and reads the comparison from the
 * `#dynasim-comparison` JSON script. Plain JavaScript in a raw string (no
 * backticks; placeholders only for the shared snippets), the same under tsx
 * and in dist/.
 *
 * Data marks carry class `mark`; frontier points also `pareto`.
 */
import { FORMAT_FUNCTIONS, SORTABLE_FUNCTION } from './sharedScript.js';

export const COMPARISON_SCRIPT = String.raw`
(function () {
  'use strict';
  var data = JSON.parse(document.getElementById('dynasim-comparison').textContent);
  var metrics = {};
  data.metrics.forEach(function (m) { metrics[m.key] = m; });

${FORMAT_FUNCTIONS}
  function fmt(key, v) {
    if (v === null || v === undefined) return '–';
    var unit = metrics[key].unit;
    if (unit === 'share') return fmtShare(v);
    if (unit === 'ms') return fmtMs(v);
    return trimZeros(v.toPrecision(4));
  }
  function axisLabel(key) { var m = metrics[key]; return m.label + (m.unit === 'ms' ? ' (ms)' : m.unit === 'share' ? ' (share)' : ''); }

  /** Lower is better for both coordinates after flipping "higher is better" figures. */
  function frontier(points) {
    return points.filter(function (p) {
      return !points.some(function (q) {
        return q !== p && q.sx <= p.sx && q.sy <= p.sy && (q.sx < p.sx || q.sy < p.sy);
      });
    });
  }

  var colorAxis = data.sweep.axes.length > 0 ? data.sweep.axes[0] : null;
  var color = d3.scaleOrdinal().domain(colorAxis ? colorAxis.values : []).range(d3.schemeTableau10);

  function draw() {
    var xKey = document.getElementById('x-metric').value;
    var yKey = document.getElementById('y-metric').value;
    var svg = d3.select('svg#tradeoff');
    svg.selectAll('*').remove();
    var box = svg.attr('viewBox').split(' ').map(Number);
    var width = box[2], height = box[3];
    var margin = { top: 28, right: 180, bottom: 48, left: 76 };
    var w = width - margin.left - margin.right, h = height - margin.top - margin.bottom;
    var points = data.configurations.map(function (c) {
      var ex = c.metrics[xKey], ey = c.metrics[yKey];
      return { c: c, x: ex.mean, y: ey.mean, ex: ex, ey: ey };
    }).filter(function (p) { return p.x !== null && p.y !== null; });
    if (points.length === 0) {
      svg.append('text').attr('class', 'no-data').attr('x', width / 2).attr('y', height / 2)
        .attr('text-anchor', 'middle').text('no data: no configuration has both figures');
      return;
    }
    points.forEach(function (p) {
      p.sx = metrics[xKey].better === 'higher' ? -p.x : p.x;
      p.sy = metrics[yKey].better === 'higher' ? -p.y : p.y;
    });
    var front = frontier(points);
    front.forEach(function (p) { p.front = true; });
    // Every compared figure is >= 0: intervals are clipped there.
    var lo = function (e, v) { return Math.max(0, e.ci95Low === null ? v : e.ci95Low); };
    var hi = function (e, v) { return e.ci95High === null ? v : e.ci95High; };
    var xMin = d3.min(points, function (p) { return lo(p.ex, p.x); });
    var xMax = d3.max(points, function (p) { return hi(p.ex, p.x); });
    var yMax = d3.max(points, function (p) { return hi(p.ey, p.y); });
    var xLeast = d3.min(points, function (p) { return p.x; });
    var logX = xLeast > 0 && xMax / xLeast > 20;
    var x = logX
      ? d3.scaleLog().domain([Math.max(xMin, xLeast / 2) / 1.2, xMax * 1.2]).range([0, w])
      : d3.scaleLinear().domain([0, xMax === 0 ? 1 : xMax * 1.05]).nice().range([0, w]);
    var logY = document.getElementById('y-log').checked;
    var positiveY = points.map(function (p) { return p.y; }).filter(function (v) { return v > 0; });
    var yFloor = positiveY.length > 0 ? d3.min(positiveY) : 1;
    var y = logY
      ? d3.scaleSymlog().constant(yFloor / 2).domain([0, yMax === 0 ? 1 : yMax * 1.2]).range([h, 0])
      : d3.scaleLinear().domain([0, yMax === 0 ? 1 : yMax * 1.05]).nice().range([h, 0]);
    var yTicks = logY
      ? [0].concat(d3.range(Math.floor(Math.log10(yFloor)), Math.ceil(Math.log10(y.domain()[1])) + 1).map(function (e) { return Math.pow(10, e); })
          .filter(function (v) { return v <= y.domain()[1]; }))
      : y.ticks(6);
    var clipX = function (v) { return x(Math.min(x.domain()[1], Math.max(x.domain()[0], v))); };
    var g = svg.append('g').attr('transform', 'translate(' + margin.left + ',' + margin.top + ')');
    g.append('g').attr('class', 'grid').call(d3.axisLeft(y).tickValues(yTicks).tickSize(-w).tickFormat(''))
      .call(function (s) { s.select('.domain').remove(); });
    g.append('g').attr('class', 'axis').attr('transform', 'translate(0,' + h + ')')
      .call(logX ? d3.axisBottom(x).ticks(8, '~g') : d3.axisBottom(x).ticks(8));
    g.append('g').attr('class', 'axis').call(d3.axisLeft(y).tickValues(yTicks).tickFormat(function (v) { return fmt(yKey, v); }));
    svg.append('text').attr('class', 'axis-label').attr('x', margin.left + w / 2).attr('y', height - 8)
      .attr('text-anchor', 'middle').text(axisLabel(xKey) + (logX ? ', log scale' : ''));
    svg.append('text').attr('class', 'axis-label').attr('transform', 'translate(16,' + (margin.top + h / 2) + ') rotate(-90)')
      .attr('text-anchor', 'middle').text(axisLabel(yKey) + (logY ? ', symmetric log scale' : ''));

    // The frontier as a staircase through its points, in x order.
    var sorted = front.slice().sort(function (a, b) { return a.x - b.x || a.y - b.y; });
    if (sorted.length > 1) {
      var path = [];
      sorted.forEach(function (p, i) {
        if (i > 0) path.push([x(p.x), y(sorted[i - 1].y)]);
        path.push([x(p.x), y(p.y)]);
      });
      g.append('path').attr('class', 'frontier').attr('d', d3.line()(path));
    }
    var colorOf = function (p) { return colorAxis ? color(p.c.values[colorAxis.name]) : '#1f77b4'; };
    var marks = g.selectAll('g.point').data(points).enter().append('g').attr('class', 'point');
    marks.filter(function (p) { return p.ex.ci95Low !== null; }).append('line').attr('class', 'ci')
      .attr('x1', function (p) { return clipX(p.ex.ci95Low); })
      .attr('x2', function (p) { return clipX(p.ex.ci95High); })
      .attr('y1', function (p) { return y(p.y); }).attr('y2', function (p) { return y(p.y); })
      .attr('stroke', colorOf);
    marks.filter(function (p) { return p.ey.ci95Low !== null; }).append('line').attr('class', 'ci')
      .attr('y1', function (p) { return y(Math.max(0, p.ey.ci95Low)); }).attr('y2', function (p) { return y(p.ey.ci95High); })
      .attr('x1', function (p) { return x(p.x); }).attr('x2', function (p) { return x(p.x); })
      .attr('stroke', colorOf);
    marks.append('circle')
      .attr('class', function (p) { return p.front ? 'mark pareto' : 'mark'; })
      .attr('cx', function (p) { return x(p.x); }).attr('cy', function (p) { return y(p.y); })
      .attr('r', function (p) { return p.front ? 5.5 : 4.5; })
      .attr('fill', function (p) { return p.front ? colorOf(p) : '#fff'; })
      .attr('stroke', colorOf).attr('stroke-width', 2)
      .append('title').text(function (p) {
        return p.c.label + '\n' + metrics[xKey].label + ' ' + fmt(xKey, p.x) + '\n' + metrics[yKey].label + ' ' + fmt(yKey, p.y) +
          (p.front ? '\non the Pareto frontier' : '');
      });
    // Frontier labels, left to right, skipping any that would overlap one already placed.
    var placed = [];
    sorted.forEach(function (p) {
      var bx = x(p.x) + 7, by = y(p.y) - 7, bw = p.c.label.length * 6, bh = 12;
      var clash = placed.some(function (q) { return bx < q.x + q.w && q.x < bx + bw && by - bh < q.y && q.y - bh < by; });
      if (clash) return;
      placed.push({ x: bx, y: by, w: bw });
      g.append('text').attr('class', 'point-label').attr('x', bx).attr('y', by).text(p.c.label);
    });

    // Legend: the first axis's values.
    if (colorAxis) {
      var lg = svg.append('g').attr('class', 'legend').attr('transform', 'translate(' + (margin.left + w + 24) + ',' + margin.top + ')');
      lg.append('text').attr('class', 'legend-title').attr('y', 0).text(colorAxis.name);
      colorAxis.values.forEach(function (v, i) {
        var row = lg.append('g').attr('transform', 'translate(0,' + (18 + i * 18) + ')');
        row.append('circle').attr('cx', 6).attr('cy', -4).attr('r', 5).attr('fill', color(v));
        row.append('text').attr('x', 16).attr('y', 0).text(v);
      });
      var off = 18 + colorAxis.values.length * 18 + 12;
      var f = lg.append('g').attr('transform', 'translate(0,' + off + ')');
      f.append('line').attr('class', 'frontier').attr('x1', 0).attr('x2', 18).attr('y1', -4).attr('y2', -4);
      f.append('text').attr('x', 24).attr('y', 0).text('Pareto frontier');
    }
  }

  // ---- the sortable table (missing values sort last either way) ----------
${SORTABLE_FUNCTION}


  document.getElementById('x-metric').addEventListener('change', draw);
  document.getElementById('y-metric').addEventListener('change', draw);
  document.getElementById('y-log').addEventListener('change', draw);
  draw();
  Array.prototype.forEach.call(document.querySelectorAll('table.sortable'), sortable);
})();
`;
