/* mappe, editor (rilievo): the ground the facilitator draws on.
 *
 * Owns: the comune's boundary, the neighbouring comuni with their names (as on the comune map,
 * class `mappe-vicino`), and the contributions already in the store, drawn faint and not
 * interactive in their own pane (`mappe-esistenti`), so that they orient without ever being
 * taken for what is added now. Points are drawn on one canvas with the shape of their kind
 * (many thousands stay light); lines and zones on the same canvas.
 * Reads: D.confine, D.vicini, D.esistenti {punti: [[x, y, tipo]], forme: [{tipo, g}]},
 * D.voci.tipo (colour and shape of each kind), D.simboli.forme.
 * Gives: S.sfondo = {limiti, inizio(), esistenti: [layers]}. */
(function () {
  'use strict';

  var R = window.MappeRilievo = window.MappeRilievo || {};
  var U = window.MappeUtili;
  var colore = U.colore;

  // A kind's shape on a canvas, at one point: a circle marker that draws its path instead.
  var SimboloTenue = L.CircleMarker.extend({
    options: { interactive: false, percorso: null, colore: '#555555', lato: 14 },
    initialize: function (latlng, opzioni) {
      L.CircleMarker.prototype.initialize.call(this, latlng, L.extend({}, opzioni, { radius: (opzioni.lato || 14) / 2 }));
    },
    _updatePath: function () {
      var r = this._renderer;
      if (!r._drawing || this._empty() || !this.options.percorso) return;
      var ctx = r._ctx, p = this._point, lato = this.options.lato;
      ctx.save();
      ctx.translate(p.x - lato / 2, p.y - lato / 2);
      ctx.scale(lato / 24, lato / 24);
      ctx.fillStyle = this.options.colore;
      ctx.strokeStyle = '#ffffff';
      ctx.lineWidth = 2;
      ctx.stroke(this.options.percorso);
      ctx.fill(this.options.percorso);
      ctx.restore();
    }
  });

  R.sfondo = function (S) {
    var map = S.map, D = S.D;

    var confine = L.geoJSON(D.confine, { interactive: false,
      style: { color: '#3d3d3d', weight: 2.5, fill: true, fillColor: '#f4efe1', fillOpacity: 0.35 } }).addTo(map);
    var limiti = confine.getBounds();

    U.disegnaVicini(map, D.vicini);

    // What is already in the store: its own pane, under what is added, faint (rilievo.css)
    map.createPane('mappe-esistenti');
    map.getPane('mappe-esistenti').style.zIndex = 350;
    var tela = L.canvas({ pane: 'mappe-esistenti', padding: 0.3 });
    var percorsi = {};
    function percorso(forma) {
      var d = D.simboli.forme[forma] || D.simboli.forme.cerchio;
      if (!percorsi[d]) percorsi[d] = new Path2D(d);
      return percorsi[d];
    }
    var esistenti = [];
    D.esistenti.forme.forEach(function (f) {
      var t = D.voci.tipo[f.tipo] || {};
      esistenti.push(L.geoJSON(f.g, { renderer: tela, pane: 'mappe-esistenti', interactive: false,
        style: { color: colore(t.colore), weight: 3, fillColor: colore(t.colore), fillOpacity: 0.15 } }).addTo(map));
    });
    D.esistenti.punti.forEach(function (p) {
      var t = D.voci.tipo[p[2]] || {};
      esistenti.push(new SimboloTenue([p[1], p[0]], { renderer: tela, pane: 'mappe-esistenti', lato: 14,
        percorso: percorso(t.forma), colore: colore(t.colore) }).addTo(map));
    });

    function inizio() {
      if (limiti.isValid()) map.fitBounds(limiti, { padding: [10, 10] });
    }
    inizio();
    S.sfondo = { limiti: limiti, inizio: inizio, esistenti: esistenti };
  };
})();
