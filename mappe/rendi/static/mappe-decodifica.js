/* mappe, part "decodifica": the compact data block (see rendi/mappa.py) back into plain columns.
 *
 * Owns the decoding of D.contributi (dictionary-coded, sparse and delta-coded columns) into one
 * column per field, shared by the map and the list: M.C (C.tipo[i], C.titolo[i], C.g[i] = the
 * position [lon, lat], a GeoJSON geometry or null, ...) and M.n, the number of contributions.
 * Also what follows from the data alone: M.detti (place -> contributions said about it),
 * M.scoperti (contributions the network view marks as without an answer nearby) and
 * M.dentro(lon, lat, geometria), point in (multi)polygon. */
(function () {
  'use strict';

  var P = window.MappeParti = window.MappeParti || {};

  function espandi(col, n) {
    var a, k;
    if (Array.isArray(col)) return col;
    a = new Array(n).fill(null);
    if (!col) return a;
    if (col.s) { for (k in col.s) a[+k] = col.s[k]; return a; }
    if (col.c) { for (k = 0; k < n; k++) a[k] = col.v[k] < 0 ? null : col.c[col.v[k]]; }
    return a;
  }

  function decodifica(P) {
    var n = P.n, C = { n: n };
    ['tipo', 'tema', 'emozione', 'fascia_eta', 'titolo', 'testo', 'epoca', 'indirizzo', 'incontro', 'luogo', 'peso',
      'sensibile', 'comune', 'id', 'foto', 'didascalia', 'credito', 'stato', 'esito', 'tappe'].forEach(function (k) {
      C[k] = espandi(P[k], n);
    });
    for (var k = 0; k < n; k++) {
      if (!C.peso[k]) C.peso[k] = 1;
      if (!C.sensibile[k]) C.sensibile[k] = 0;
      if (!C.comune[k]) C.comune[k] = 0;
    }
    C.g = new Array(n).fill(null);
    var p = P.pos, i = 0, x = 0, y = 0;
    for (var j = 0; j < p.i.length; j++) {
      i += p.i[j]; x += p.x[j]; y += p.y[j];
      C.g[i] = [x / p.scala, y / p.scala];
    }
    for (var chiave in p.altre) C.g[+chiave] = p.altre[chiave];
    return C;
  }

  // Point in (multi)polygon, to know in which comune a visitor tapped.
  function dentro(lon, lat, geom) {
    function anello(r) {
      var c = false;
      for (var i = 0, j = r.length - 1; i < r.length; j = i++) {
        if (((r[i][1] > lat) !== (r[j][1] > lat)) &&
            (lon < (r[j][0] - r[i][0]) * (lat - r[i][1]) / (r[j][1] - r[i][1]) + r[i][0])) c = !c;
      }
      return c;
    }
    function poligono(p) {
      if (!anello(p[0])) return false;
      for (var k = 1; k < p.length; k++) if (anello(p[k])) return false;
      return true;
    }
    if (geom.type === 'Polygon') return poligono(geom.coordinates);
    if (geom.type === 'MultiPolygon') return geom.coordinates.some(poligono);
    return false;
  }

  P.decodifica = function (M) {
    var C = decodifica(M.D.contributi);
    var detti = {};  // place id -> contributions said about it
    for (var q = 0; q < C.n; q++) {
      if (C.luogo[q] !== null) (detti[C.luogo[q]] = detti[C.luogo[q]] || []).push(q);
    }
    var scoperti = {};
    if (M.D.rete) M.D.rete.scoperti.forEach(function (i) { scoperti[i] = true; });
    M.C = C;
    M.n = C.n;
    M.detti = detti;
    M.scoperti = scoperti;
    M.dentro = dentro;
    M.segna('decodificati');
  };
})();
