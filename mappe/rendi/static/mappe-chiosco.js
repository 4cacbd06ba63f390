/* mappe, part "chiosco": an exhibition left on a screen for the public (D.chiosco).
 *
 * Owns the reset after D.attesa_ms without a touch (dialog and popups closed, first view,
 * open boxes folded, map framed on the comuni, list and page scrolled to the top; each reset
 * counted in data-mappe-ripristini) and full screen at the first touch.
 * Uses M.chiudiDialogo, M.finisciPiazzamento, M.statoVista, M.mostraVistaInTestata,
 * M.applica, M.inizio. */
(function () {
  'use strict';

  var P = window.MappeParti = window.MappeParti || {};

  P.chiosco = function (M) {
    var map = M.map, D = M.D;
    if (!D.chiosco) return;
    var pannello = document.getElementById('mappe-elenco');
    var timer = null, ripristini = 0;
    var ripristina = function () {
      if (window.MappeLingua && window.MappeLingua.torna(D)) return;  // the next visitor: the first language
      M.chiudiDialogo();
      M.finisciPiazzamento();
      map.closePopup();
      M.stato = M.statoVista(0);
      M.mostraVistaInTestata(0);
      Array.prototype.forEach.call(document.querySelectorAll('details[open]'), function (x) { x.open = false; });
      M.applica();
      M.inizio(true);
      if (pannello) pannello.scrollTop = 0;
      window.scrollTo(0, 0);
      ripristini += 1;
      document.documentElement.setAttribute('data-mappe-ripristini', String(ripristini));
    };
    var tocco = function () {
      if (timer) window.clearTimeout(timer);
      timer = window.setTimeout(ripristina, D.attesa_ms);
    };
    ['pointerdown', 'keydown', 'wheel', 'touchstart', 'input'].forEach(function (t) {
      document.addEventListener(t, tocco, { passive: true, capture: true });
    });
    document.addEventListener('pointerdown', function schermoIntero() {
      document.removeEventListener('pointerdown', schermoIntero);
      var r = document.documentElement.requestFullscreen;
      if (r) { try { r.call(document.documentElement).catch(function () {}); } catch (e) { /* not allowed */ } }
    });
    tocco();
  };
})();
