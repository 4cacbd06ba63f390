/* mappe, editor (rilievo): drawing.
 *
 * Owns: the current tool (`punto`, `percorso`, `zona`, or none), the vertices of a path or a
 * zone being drawn and their trace, what a tap on the map does while a tool is on, finishing
 * and cancelling (Escape too), and placing a row "da collocare": the next point becomes its
 * position, its fields kept as they are.
 * Reads: T (instructions). Uses: S.strumenti (the bar), S.elementi (new items).
 * Gives: S.disegno = {modo(), inizia(m), finisci(), annulla(), colloca(riga)}. */
(function () {
  'use strict';

  var R = window.MappeRilievo = window.MappeRilievo || {};

  R.disegno = function (S) {
    var map = S.map, T = S.T;
    var modo = null, vertici = [], traccia = null, daCollocare = null;

    function inizia(m) {
      annulla();
      modo = m;
      S.strumenti.aggiorna(modo);
      S.strumenti.stato(m === 'punto' ? T.clic_punto : (m === 'percorso' ? T.clic_percorso : T.clic_zona));
    }
    function annulla() {
      if (traccia) { map.removeLayer(traccia); traccia = null; }
      modo = null;
      vertici = [];
      daCollocare = null;
      S.strumenti.aggiorna(modo);
    }
    function colloca(riga) {
      inizia('punto');
      daCollocare = riga;
      S.strumenti.stato(T.clic_colloca);
    }

    map.on('click', function (ev) {
      if (!modo) return;
      var ll = [R.arrotonda(ev.latlng.lng), R.arrotonda(ev.latlng.lat)];
      if (modo === 'punto') {
        var g = { type: 'Point', coordinates: ll };
        var e = daCollocare ? Object.assign({}, daCollocare, { geometry: g, collocato: true }) : S.elementi.nuovo(g);
        annulla();
        S.elementi.aggiungi(e);
        return;
      }
      vertici.push(ll);
      if (traccia) map.removeLayer(traccia);
      var lat = vertici.map(function (v) { return [v[1], v[0]]; });
      traccia = (modo === 'zona' ? L.polygon(lat) : L.polyline(lat)).addTo(map);
      S.strumenti.stato((modo === 'zona' ? T.clic_zona : T.clic_percorso) + ' (' + vertici.length + ')');
    });

    function finisci() {
      var g = null;
      if (modo === 'percorso' && vertici.length >= 2) g = { type: 'LineString', coordinates: vertici.slice() };
      else if (modo === 'zona' && vertici.length >= 3) g = { type: 'Polygon', coordinates: [vertici.concat([vertici[0]])] };
      if (!g) { S.annuncia(modo === 'zona' ? T.servono_3 : T.servono_2); return; }
      annulla();
      S.elementi.aggiungi(S.elementi.nuovo(g));
    }

    document.addEventListener('keydown', function (ev) {
      if (ev.key === 'Escape' && modo) annulla();
    });

    S.disegno = { modo: function () { return modo; }, inizia: inizia, finisci: finisci, annulla: annulla,
      colloca: colloca };
  };
})();
