/* mappe, part "testata": the header above the map.
 *
 * Owns the title block (internal-use and example banners, title, subtitle, the caption of the
 * view), the buttons of the views (an exhibition has several) and the contact line.
 * M.mostraVistaInTestata(k) marks view k's button as pressed and shows its title and caption.
 * Reads D.titolo, D.sottotitolo, D.viste, D.contatto, D.titolo_fisso; gives M.testata (the
 * header element) and M.barra (the row where, on a phone, the menu of the views and the button
 * of mappe-aggiunte.js sit). A button or the menu calls M.cambiaVista(k). */
(function () {
  'use strict';

  var U = window.MappeUtili;
  var el = U.el, bottone = U.bottone;
  var P = window.MappeParti = window.MappeParti || {};

  P.testata = function (M) {
    var D = M.D, T = M.T;
    var testata = document.getElementById('mappe-testata');
    var bottoniViste = [], scelta = null;
    // the row of a phone's header: the menu of the views and the action to add something
    var barra = el('div', 'mappe-barra');
    if (window.MappeLingua && D.lingue && D.lingue.elenco.length > 1) {
      testata.appendChild(window.MappeLingua.selettore(D));  // first: a visitor finds it at once
    }
    var d = el('div', 'mappe-titolo-mappa');
    if (D.interna) d.appendChild(el('p', 'mappe-interna', T.uso_interno));
    if (D.esempio) d.appendChild(el('p', 'mappe-esempio', T.dati_esempio));
    var titoloH1 = el('h1', null, D.titolo);
    d.appendChild(titoloH1);
    d.appendChild(el('p', 'mappe-sottotitolo', D.sottotitolo));
    var didascalia = el('p', 'mappe-didascalia', D.viste[0].didascalia);
    d.appendChild(didascalia);
    testata.appendChild(d);
    if (D.viste.length > 1) {
      var nav = el('nav', 'mappe-viste');
      nav.setAttribute('aria-label', T.viste);
      D.viste.forEach(function (v, k) {
        var b = bottone('mappe-vista', v.titolo, function () { M.cambiaVista(k); });
        b.setAttribute('data-vista', v.nome);
        b.setAttribute('aria-pressed', k === 0 ? 'true' : 'false');
        bottoniViste.push(b);
        nav.appendChild(b);
      });
      testata.appendChild(nav);
      // on a phone the same views as a menu: one line, whatever the number and length of titles
      scelta = el('select', 'mappe-viste-scelta');
      scelta.setAttribute('aria-label', T.viste);
      D.viste.forEach(function (v, k) {
        var o = el('option', null, v.titolo);
        o.value = v.nome;
        o.setAttribute('data-indice', String(k));
        scelta.appendChild(o);
      });
      scelta.addEventListener('change', function () { M.cambiaVista(scelta.selectedIndex); });
      barra.appendChild(scelta);
    }
    testata.appendChild(barra);
    if (D.contatto) {
      var ct = el('p', 'mappe-contatto');
      ct.appendChild(el('strong', null, T.contatti + ': '));
      ct.appendChild(el('span', null, D.contatto));
      testata.appendChild(ct);
    }

    function mostraVistaInTestata(k) {
      bottoniViste.forEach(function (b, x) { b.setAttribute('aria-pressed', x === k ? 'true' : 'false'); });
      if (scelta) scelta.selectedIndex = k;
      if (!D.titolo_fisso) titoloH1.textContent = D.viste[k].titolo;
      didascalia.textContent = D.viste[k].didascalia;
    }

    M.testata = testata;
    M.barra = barra;
    M.mostraVistaInTestata = mostraVistaInTestata;
  };
})();
