/**
 * Browser JavaScript shared by report.html and the comparison page: click a
 * column header's button to sort its table (numbers numerically, text
 * naturally; empty numeric cells last either way; ties keep their order).
 * Interpolated into each page's script, so it is plain JavaScript in a raw
 * string (no backticks, no placeholders).
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
