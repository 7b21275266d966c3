// Starts Pagefind's search UI (an external file, so the Content-Security-Policy needs no inline script).
(function () {
  var el = document.getElementById('search');
  if (!el || typeof PagefindUI === 'undefined') return;
  new PagefindUI({ element: '#search', bundlePath: el.getAttribute('data-bundle-path'), baseUrl: el.getAttribute('data-base-url') || '/', showSubResults: true, resetStyles: false });
})();
