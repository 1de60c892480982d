/**
 * Browser JavaScript shared by report.html and the comparison page (each is
 * interpolated into a page's script, so plain JavaScript in a raw string: no
 * backticks, no placeholders).
 */

/** Number formatting, as src/report/format.ts does it on the server (the pages' tables use that). */
export const FORMAT_FUNCTIONS = String.raw`
  // ---- formatting (mirrors src/report/format.ts) -------------------------
  function clamp(n, lo, hi) { return Math.min(hi, Math.max(lo, n)); }
  function trimZeros(text) { return text.indexOf('.') >= 0 ? text.replace(/\.?0+$/, '') : text; }
  function fmtShare(share) {
    if (share === 0) return '0%';
    if (share === 1) return '100%';
    var pct = share * 100;
    var decimals;
    if (pct >= 10 && pct < 100) decimals = clamp(Math.ceil(-Math.log10(100 - pct) - 1e-9), 2, 8);
    else if (pct >= 1) decimals = 2;
    else decimals = clamp(Math.ceil(-Math.log10(Math.abs(pct)) - 1e-9) + 1, 2, 8);
    return pct.toFixed(decimals) + '%';
  }
  function toFixedSignificant(value, significant) {
    var digits = value === 0 ? 1 : Math.floor(Math.log10(Math.abs(value))) + 1;
    return value.toFixed(clamp(significant - digits, 0, 6));
  }
  function fmtMs(ms) {
    var abs = Math.abs(ms);
    if (abs >= 999.95) return trimZeros(toFixedSignificant(ms / 1000, 4)) + 's';
    return trimZeros(ms.toFixed(abs >= 100 ? 1 : abs >= 10 ? 2 : 3)) + 'ms';
  }
`;

/**
 * Click a column header's button to sort its table (numbers numerically,
 * text naturally; empty numeric cells last either way; ties keep their order).
 */
export const SORTABLE_FUNCTION = String.raw`
  function sortable(table) {
    var headers = Array.prototype.slice.call(table.querySelectorAll('thead th'));
    var body = table.tBodies[0];
    Array.prototype.forEach.call(body.rows, function (row, i) { row.setAttribute('data-index', String(i)); });
    headers.forEach(function (th, col) {
      var button = th.querySelector('button');
      if (!button) return;
      button.addEventListener('click', function () {
        var ascending = th.getAttribute('aria-sort') !== 'ascending';
        headers.forEach(function (h) { h.removeAttribute('aria-sort'); });
        th.setAttribute('aria-sort', ascending ? 'ascending' : 'descending');
        var numeric = th.getAttribute('data-type') === 'number';
        var rows = Array.prototype.slice.call(body.rows);
        function key(row) {
          var cell = row.cells[col];
          var raw = cell.getAttribute('data-value');
          if (raw === null) raw = cell.textContent;
          if (numeric) return raw === '' ? null : Number(raw);
          return raw;
        }
        rows.sort(function (a, b) {
          var ka = key(a), kb = key(b);
          if (ka === null || kb === null) {
            if (ka === null && kb === null) return Number(a.getAttribute('data-index')) - Number(b.getAttribute('data-index'));
            return ka === null ? 1 : -1;
          }
          var cmp = numeric ? ka - kb : String(ka).localeCompare(String(kb), 'en', { numeric: true });
          if (cmp === 0) cmp = Number(a.getAttribute('data-index')) - Number(b.getAttribute('data-index'));
          return ascending ? cmp : -cmp;
        });
        rows.forEach(function (row) { body.appendChild(row); });
      });
    });
  }`;
