/* mappe: the editor for facilitators ("rilievo"), assembled.
 *
 * A facilitator, or a participant holding the tablet, taps «Punto», «Percorso» or «Zona», taps
 * the map and fills in the form with the catalogue's choices; everything stays in the browser
 * until it is exported as GeoJSON (a zip of the GeoJSON and the photos, when there are photos)
 * for `mappe importa`. Every text is set with textContent or .value, never as HTML.
 *
 * The parts, each in its own file and put in the page in this order by rilievo.py (PARTI):
 *   rilievo-sfondo.js     the comune, its neighbours by name, what is already there (faint)
 *   rilievo-luoghi.js     the community places (pictogram and name), their card, search by name
 *   rilievo-elementi.js   the items added here: kept in the browser, drawn on the map
 *   rilievo-foto.js       their photos, kept in the browser (IndexedDB), and the form's picker
 *   rilievo-strumenti.js  the header, the tools, the drawing bar on the map
 *   rilievo-disegno.js    drawing a point, a path, a zone; placing a row "da collocare"
 *   rilievo-scheda.js     the form of a contribution
 *   rilievo-elenco.js     the lists beside the map
 *   rilievo-zip.js        a small zip writer (R.zip, no state of its own)
 *   rilievo-esporta.js    the export (GeoJSON, or a zip with the photos) and the dialog that says
 *                         how to import it
 *   rilievo.js            this file: the shared state S and the start
 * Each part is a function of S (the map, the data D, the texts T and a few helpers) that adds
 * its own entry to S (S.luoghi, S.elementi, ...); parts call each other only through S, when
 * a person acts, so the order below is the order things appear on the page. */
(function () {
  'use strict';

  var R = window.MappeRilievo = window.MappeRilievo || {};

  R.avvia = function (map, D) {
    var T = D.testi;
    var avviso = null;
    var S = {
      map: map, D: D, T: T,
      // A message for everyone: read by screen readers, and shown for a moment on screen.
      annuncia: function (testo) {
        var a = document.getElementById('mappe-annuncio');
        a.textContent = '';
        a.classList.add('mappe-annuncio-visibile');
        window.setTimeout(function () { a.textContent = testo; }, 30);
        window.clearTimeout(avviso);
        avviso = window.setTimeout(function () { a.classList.remove('mappe-annuncio-visibile'); }, 3500);
      },
      // The label of a catalogue code
      voce: function (voc, codice) {
        var v = D.voci[voc] && D.voci[voc][codice];
        return v ? v.label : (codice || '');
      }
    };

    if (map.options.maxZoom === undefined) map.setMaxZoom(19);
    if (map.zoomControl) {
      map.removeControl(map.zoomControl);
      L.control.zoom({ zoomInTitle: T.ingrandisci, zoomOutTitle: T.riduci }).addTo(map);
    }
    map.on('popupopen', function (ev) {
      var x = ev.popup.getElement() && ev.popup.getElement().querySelector('.leaflet-popup-close-button');
      if (x) { x.setAttribute('aria-label', T.chiudi); x.setAttribute('title', T.chiudi); }
    });

    R.sfondo(S);
    R.luoghi(S);
    R.elementi(S);
    R.foto(S);
    R.strumenti(S);
    R.disegno(S);
    R.scheda(S);
    R.elenco(S);
    R.esporta(S);

    S.elementi.disegnaTutti();
    S.elenco.aggiorna();
    S.strumenti.aggiorna(null);
    // the header is filled now: the map's box has its final size
    map.invalidateSize();
    S.sfondo.inizio();
    S.luoghi.sistemaEtichette();
    document.documentElement.setAttribute('data-mappe-pronta', '1');
  };
})();
