/* mappe, part "rete": the network of needs and answers (the "rete" view).
 *
 * Owns M.disegnaRete(): in a view with rete = true, the lines of the links declared by people,
 * the dashed lines of the answers found nearby, and a dashed ring around each need without an
 * answer within D.rete.distanza; in any other view, nothing.
 * Reads D.rete (esplicite, suggerite, scoperti: indices of contributions), M.marcatori,
 * M.visibile(i) and M.stato. */
(function () {
  'use strict';

  var P = window.MappeParti = window.MappeParti || {};

  P.rete = function (M) {
    var map = M.map, D = M.D;
    var gruppoRete = L.featureGroup();

    function centro(i) {
      var m = M.marcatori[i];
      if (!m) return null;
      return m.punto ? L.latLng(M.C.g[i][1], M.C.g[i][0]) : m.strato.getBounds().getCenter();
    }

    function disegnaRete() {
      gruppoRete.clearLayers();
      if (!D.rete || !D.viste[M.stato.vista].rete) { map.removeLayer(gruppoRete); return; }
      function linea(coppia, classe, tratteggio) {
        if (!M.visibile(coppia[0]) || !M.visibile(coppia[1])) return;
        var a = centro(coppia[0]), b = centro(coppia[1]);
        if (!a || !b) return;
        L.polyline([a, b], { color: '#2c2c2c', weight: 2, opacity: 0.75, dashArray: tratteggio, interactive: false,
          className: 'mappe-collegamento ' + classe }).addTo(gruppoRete);
      }
      D.rete.esplicite.forEach(function (p) { linea(p, 'mappe-collegamento-dichiarato', null); });
      D.rete.suggerite.forEach(function (p) { linea(p, 'mappe-collegamento-vicino', '5 6'); });
      D.rete.scoperti.forEach(function (i) {
        var a = M.visibile(i) && centro(i);
        if (a) {
          L.circleMarker(a, { radius: 19, color: '#a93226', weight: 3, dashArray: '4 3', fill: false,
            interactive: false, className: 'mappe-scoperto' }).addTo(gruppoRete);
        }
      });
      map.addLayer(gruppoRete);
    }

    M.disegnaRete = disegnaRete;
  };
})();
