/* mappe, part "foglio": on a phone, a card opens as a sheet from the bottom of the screen.
 *
 * A Leaflet popup on a phone is wider than the screen or hides the symbol it belongs to; the
 * sheet takes the whole width and at most about two thirds of the height, scrolls inside, and
 * closes with one tap (its close button, or the map). Owns the sheet and the choice between
 * sheet and popup: every card still opens through Leaflet (bindPopup, openOn), and on a phone
 * the opened popup hands its content to the sheet. M.chiudiScheda() closes either; the map's
 * closePopup() closes the sheet too, so that a change of view or the kiosk's reset do.
 * A text box inside the sheet stays visible above the on-screen keyboard.
 * Reads M.opzioniPopup; gives M.telefono() (is the phone layout on?) and M.chiudiScheda(). */
(function () {
  'use strict';

  var U = window.MappeUtili;
  var el = U.el, bottone = U.bottone;
  var P = window.MappeParti = window.MappeParti || {};

  P.foglio = function (M) {
    var map = M.map, T = M.T;
    var regola = window.matchMedia ? window.matchMedia('(max-width: 800px), (max-height: 500px)') : null;
    function telefono() { return !!(regola && regola.matches); }

    var foglio = el('section', 'mappe-foglio');
    foglio.hidden = true;
    foglio.setAttribute('aria-label', T.scheda);
    var testa = el('div', 'mappe-foglio-testa');
    var chiudi = bottone('mappe-chiudi-foglio', '\u00d7', function () { chiudiFoglio(true); });
    chiudi.setAttribute('aria-label', T.chiudi);
    chiudi.setAttribute('title', T.chiudi);
    testa.appendChild(chiudi);
    var corpo = el('div', 'mappe-foglio-corpo');
    foglio.appendChild(testa);
    foglio.appendChild(corpo);
    document.body.appendChild(foglio);
    var daDove = null;  // what had the focus when the sheet opened: it gets it back

    function apriFoglio(nodo) {
      corpo.textContent = '';
      corpo.appendChild(nodo);
      foglio.hidden = false;
      foglio.scrollTop = 0;
      daDove = document.activeElement;
      chiudi.focus({ preventScroll: true });
    }
    function chiudiFoglio(riporta) {
      if (foglio.hidden) return;
      foglio.hidden = true;
      corpo.textContent = '';
      if (riporta && daDove && daDove.focus && document.contains(daDove)) daDove.focus({ preventScroll: true });
      daDove = null;
    }

    var chiudiPopup = map.closePopup.bind(map);
    map.closePopup = function (popup) {
      chiudiFoglio(false);
      // without an argument Leaflet closes the open popup; an explicit undefined would close none
      return arguments.length ? chiudiPopup(popup) : chiudiPopup();
    };
    M.chiudiScheda = function () { map.closePopup(); };
    M.telefono = telefono;
    // the map does not jump to show a popup that will not be there
    if (telefono()) M.opzioniPopup.autoPan = false;

    map.on('popupopen', function (ev) {
      if (!telefono()) return;
      var contenuto = ev.popup.getElement() && ev.popup.getElement().querySelector('.leaflet-popup-content');
      var nodo = contenuto && contenuto.firstChild;
      if (!nodo) return;
      contenuto.removeChild(nodo);
      chiudiPopup(ev.popup);
      apriFoglio(nodo);
    });
    // a tap on the map closes the sheet (a tap that opens another card opens it again)
    map.on('click', function () { chiudiFoglio(false); });
    document.addEventListener('keydown', function (ev) { if (ev.key === 'Escape') chiudiFoglio(true); });

    // The on-screen keyboard takes half of the screen: the text box being written stays in sight.
    function inVista() {
      var a = document.activeElement;
      if (!foglio.hidden && a && foglio.contains(a) && /^(TEXTAREA|INPUT|SELECT)$/.test(a.tagName)) {
        a.scrollIntoView({ block: 'nearest' });
      }
    }
    foglio.addEventListener('focusin', function () { window.setTimeout(inVista, 50); });
    window.addEventListener('resize', inVista);
    if (window.visualViewport) window.visualViewport.addEventListener('resize', inVista);
  };
})();
