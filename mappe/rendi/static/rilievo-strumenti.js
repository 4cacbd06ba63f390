/* mappe, editor (rilievo): what the person holding the tablet reads and taps first.
 *
 * Owns: the header (title, session or comune, and one sentence on what to tap), the toolbar
 * (Punto, Percorso, Zona, Esporta; `button[data-modo]`, `.mappe-esporta`), and the drawing bar
 * at the bottom of the map: what to do now (`.mappe-stato-rilievo`, a live region) with
 * «Aggiungi al centro della mappa» (`.mappe-centro`, for the keyboard: arrows move the map),
 * «Fine disegno» (`.mappe-fine`) and «Annulla». How to import the export is for the
 * facilitator: it is in the export dialog (rilievo-esporta.js) and the README, not here.
 * Reads: D.titolo, D.sottotitolo, T. Gives: S.strumenti = {stato(testo), aggiorna(modo)}. */
(function () {
  'use strict';

  var R = window.MappeRilievo = window.MappeRilievo || {};
  var U = window.MappeUtili;
  var el = U.el, bottone = U.bottone;

  R.strumenti = function (S) {
    var map = S.map, D = S.D, T = S.T;

    var testata = document.getElementById('mappe-testata');
    var tit = el('div', 'mappe-titolo-mappa');
    tit.appendChild(el('h1', null, D.titolo));
    tit.appendChild(el('p', 'mappe-sottotitolo', D.sottotitolo));
    tit.appendChild(el('p', 'mappe-didascalia', T.rilievo_spiega));
    testata.appendChild(tit);

    var barra = el('div', 'mappe-strumenti');
    barra.setAttribute('role', 'toolbar');
    barra.setAttribute('aria-label', T.strumenti);
    var modi = ['punto', 'percorso', 'zona'].map(function (m) {
      var b = bottone('mappe-strumento', T[m], function () { S.disegno.inizia(m); });
      b.setAttribute('data-modo', m);
      barra.appendChild(b);
      return b;
    });
    var bEsporta = bottone('mappe-esporta', T.esporta, function () { S.esporta.esporta(); });
    bEsporta.title = T.esporta_spiega;
    barra.appendChild(bEsporta);
    testata.appendChild(barra);

    // The drawing bar, over the bottom of the map (outside Leaflet's container: a tap on it
    // never reaches the map)
    var disegno = el('div', 'mappe-barra-disegno mappe-ferma');
    var stato = el('p', 'mappe-stato-rilievo');
    stato.setAttribute('role', 'status');
    disegno.appendChild(stato);
    var bottoni = el('div', 'mappe-barra-bottoni');
    var bCentro = bottone('mappe-centro', T.al_centro, function () {
      if (S.disegno.modo()) map.fire('click', { latlng: map.getCenter() });
    });
    var bFine = bottone('mappe-fine', T.fine_disegno, function () { S.disegno.finisci(); });
    var bAnnulla = bottone('mappe-annulla', T.annulla, function () { S.disegno.annulla(); });
    [bCentro, bFine, bAnnulla].forEach(function (b) { bottoni.appendChild(b); });
    disegno.appendChild(bottoni);
    map.getContainer().parentNode.appendChild(disegno);

    function aggiorna(modo) {
      modi.forEach(function (b) { b.setAttribute('aria-pressed', b.getAttribute('data-modo') === modo ? 'true' : 'false'); });
      bFine.hidden = !(modo === 'percorso' || modo === 'zona');
      bCentro.hidden = !modo;
      bAnnulla.hidden = !modo;
      disegno.classList.toggle('mappe-ferma', !modo);
      map.getContainer().classList.toggle('mappe-piazzando', !!modo);
      if (!modo) stato.textContent = T.aiuto_inizio;
    }

    S.strumenti = { stato: function (testo) { stato.textContent = testo; }, aggiorna: aggiorna };
  };
})();
