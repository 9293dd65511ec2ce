// Sorting and filtering of the problems table; the page reads the same without it.
(function () {
  "use strict";
  var table = document.getElementById("problems");
  if (!table) { return; }
  var body = table.tBodies[0];
  var headers = table.tHead.rows[0].cells;
  function key(row, column) {
    var cell = row.cells[column];
    var value = cell.getAttribute("data-sort");
    if (value === null) { value = cell.textContent.trim(); }
    var number = parseFloat(value);
    return isNaN(number) || String(number) !== value.trim() ? value.toLowerCase() : number;
  }
  Array.prototype.forEach.call(headers, function (header, column) {
    header.addEventListener("click", function () {
      var ascending = header.getAttribute("aria-sort") !== "ascending";
      Array.prototype.forEach.call(headers, function (h) { h.removeAttribute("aria-sort"); });
      header.setAttribute("aria-sort", ascending ? "ascending" : "descending");
      var rows = Array.prototype.slice.call(body.rows);
      rows.sort(function (a, b) {
        var x = key(a, column), y = key(b, column);
        if (typeof x !== typeof y) { x = String(x); y = String(y); }
        return (x < y ? -1 : x > y ? 1 : 0) * (ascending ? 1 : -1);
      });
      rows.forEach(function (row) { body.appendChild(row); });
    });
  });
  var toolbar = document.getElementById("filter");
  var select = document.getElementById("status-filter");
  var count = document.getElementById("shown-count");
  if (!toolbar || !select) { return; }
  toolbar.hidden = false;
  select.addEventListener("change", function () {
    var shown = 0;
    Array.prototype.forEach.call(body.rows, function (row) {
      var match = select.value === "" || row.getAttribute("data-status") === select.value;
      row.hidden = !match;
      if (match) { shown += 1; }
    });
    if (count) { count.textContent = shown + " shown"; }
  });
})();
