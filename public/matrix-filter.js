// Progressive enhancement for the control matrix: filter rows by status, family and text.
// The full table works without this script.
(function () {
  var form = document.querySelector('[data-matrix-filter]');
  var table = document.querySelector('table.matrix');
  if (!form || !table) return;
  form.hidden = false;
  var rows = Array.prototype.slice.call(table.tBodies[0].rows);
  var status = form.querySelector('[name=status]');
  var family = form.querySelector('[name=family]');
  var text = form.querySelector('[name=q]');
  var count = form.querySelector('[data-count]');
  function apply() {
    var s = status.value, f = family.value, q = text.value.trim().toLowerCase();
    var shown = 0;
    rows.forEach(function (row) {
      var ok = (!s || row.getAttribute('data-status') === s) &&
        (!f || row.getAttribute('data-family') === f) &&
        (!q || row.textContent.toLowerCase().indexOf(q) !== -1);
      row.hidden = !ok;
      if (ok) shown++;
    });
    count.textContent = shown + ' of ' + rows.length + ' controls shown';
  }
  form.addEventListener('input', apply);
  form.addEventListener('submit', function (e) { e.preventDefault(); apply(); });
  apply();
})();
