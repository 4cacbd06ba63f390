/* mappe, part "luoghi": the places of the community and the visitors' approved suggestions.
 *
 * Owns the place markers (a pictogram whose card opens on a click, and the name, always visible,
 * in a pane of its own above the symbols, so that a symbol never hides a name),
 * M.sistemaEtichette() (where two names would overlap, the one drawn later is hidden until
 * zoomed in) with M.mostraLuoghi() (places on or off the map for the current view), and the
 * layer of visitors' suggestions approved by the staff.
 * Reads D.luoghi, D.segnalazioni, D.voci.reazione, D.mostra_luoghi, M.stato; gives
 * M.marcatoriLuoghi (one marker per place, in data order) and M.gruppoSegnalazioni. */
(function () {
  'use strict';

  var U = window.MappeUtili;
  var el = U.el, colore = U.colore;
  var P = window.MappeParti = window.MappeParti || {};

  P.luoghi = function (M) {
    var map = M.map, D = M.D, T = M.T;

    // Places of the community, with their names always visible.
    // Their names go in a pane above the symbols, which a tap goes through.
    map.createPane('mappe-nomi').style.zIndex = 650;
    var gruppoLuoghi = L.featureGroup();
    var marcatoriLuoghi = [], nomi = [];
    var Lg = D.luoghi;
    for (var j = 0; j < Lg.id.length; j++) {
      var m = L.marker([Lg.y[j], Lg.x[j]], { icon: M.iconaLuogo(j), title: Lg.nome[j], keyboard: true, zIndexOffset: -1000 });
      m.bindPopup((function (k) { return function () { return U.comeNodo(M.schedaLuogo(k, false)); }; })(j),
        M.opzioniPopup);
      gruppoLuoghi.addLayer(m);
      marcatoriLuoghi.push(m);
      var nome = L.marker([Lg.y[j], Lg.x[j]], { icon: M.iconaNome(j), pane: 'mappe-nomi', interactive: false,
        keyboard: false });
      gruppoLuoghi.addLayer(nome);
      nomi.push(nome);
    }

    // Names of places stay readable: where two would overlap, the one drawn later is hidden.
    function sistemaEtichette() { U.nascondiNomiSovrapposti(nomi); }
    // after the frame: at 'zoomend' the panes may still carry the zoom animation's transform
    var atteso = false;
    map.on('zoomend moveend resize', function () {
      if (atteso) return;
      atteso = true;
      window.requestAnimationFrame(function () { atteso = false; sistemaEtichette(); });
    });

    function mostraLuoghi() {
      if (M.stato.luoghi && D.mostra_luoghi) map.addLayer(gruppoLuoghi); else map.removeLayer(gruppoLuoghi);
    }

    // Visitors' suggestions approved by the staff.
    var gruppoSegnalazioni = L.featureGroup();
    var S = D.segnalazioni;
    for (var s = 0; s < S.x.length; s++) {
      var ms = L.circleMarker([S.y[s], S.x[s]], {
        radius: 9, color: '#ffffff', weight: 2, fillColor: colore((D.voci.reazione[S.reazione[s]] || {}).colore),
        fillOpacity: 0.9, className: 'mappe-segnalazione'
      });
      ms.bindPopup((function (k) {
        return function () {
          var c = el('article', 'mappe-scheda');
          c.appendChild(el('div', 'mappe-scheda-testa', T.segnalazioni));
          c.appendChild(el('h3', 'mappe-titolo', M.voce('reazione', S.reazione[k])));
          c.appendChild(el('blockquote', 'mappe-citazione', S.commento[k]));
          return c;
        };
      })(s), M.opzioniPopup);
      gruppoSegnalazioni.addLayer(ms);
    }
    if (S.x.length) gruppoSegnalazioni.addTo(map);

    M.marcatoriLuoghi = marcatoriLuoghi;
    M.sistemaEtichette = sistemaEtichette;
    M.mostraLuoghi = mostraLuoghi;
    M.gruppoSegnalazioni = gruppoSegnalazioni;
  };
})();
