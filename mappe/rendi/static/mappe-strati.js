/* mappe, part "strati": the layers of the map under the places.
 *
 * Owns the boundaries of the comuni (and the neighbours around them, named for orientation),
 * M.inizio() (frame the comuni), the hatching and hand-drawn wobble of zones and paths (SVG
 * defs), one group per kind with every contribution's marker or shape (points in a cluster
 * group when they are many) and the filling of those groups for the current view and theme:
 * M.riempi() and M.mostraTipi(), with data-mappe-disegnata set once every cluster has loaded.
 * Reads M.C, D.confini, D.vicini, D.voci.tipo, D.stile, M.stato; gives M.marcatori (i ->
 * {strato, tipo, punto}), M.cluster, M.usaCluster, M.elementi, M.senzaLuogo (contributions
 * about a whole comune) and M.opzioniPopup. */
(function () {
  'use strict';

  var U = window.MappeUtili;
  var el = U.el, colore = U.colore;
  var IconaNodo = U.IconaNodo;
  var SVG = 'http://www.w3.org/2000/svg';
  var P = window.MappeParti = window.MappeParti || {};

  P.strati = function (M) {
    var map = M.map, D = M.D, C = M.C, n = M.n, tipi = M.tipi;
    var gruppi = {}, elementi = {}, cluster = {}, marcatori = {};
    var usaCluster = typeof L.markerClusterGroup === 'function' && D.n_punti > D.soglia_cluster;

    /* ---------- The boundaries ---------- */
    var confini = L.featureGroup();
    D.confini.forEach(function (c) {
      L.geoJSON(c.g, {
        interactive: false,
        style: { color: '#3d3d3d', weight: 2.5, fill: true, fillColor: '#f4efe1', fillOpacity: 0.35 }
      }).addTo(confini);
    });
    confini.addTo(map);
    if (D.vicini) {
      var vicini = L.featureGroup();
      D.vicini.forEach(function (v) {
        L.geoJSON(v.g, { interactive: false, style: { color: '#b5ad9c', weight: 1, fillColor: '#e4ded0', fillOpacity: 0.5 } })
          .addTo(vicini);
        L.marker([v.y, v.x], { interactive: false, keyboard: false,
          icon: new IconaNodo({ className: 'mappe-vicino', modello: el('span', null, v.nome), iconSize: null }) })
          .addTo(vicini);
      });
      vicini.addTo(map);
      vicini.bringToBack();
    }
    var limiti = confini.getBounds();
    function inizio() {
      if (limiti.isValid()) map.fitBounds(limiti, { paddingTopLeft: [10, 10], paddingBottomRight: [10, 70] });
    }
    inizio();

    /* ---------- Layers: one group per kind; points in a cluster group when they are many ---------- */
    tipi.forEach(function (tipo) {
      gruppi[tipo] = L.featureGroup();
      elementi[tipo] = [];
      if (usaCluster) {
        var col = colore((D.voci.tipo[tipo] || {}).colore);
        cluster[tipo] = L.markerClusterGroup({
          chunkedLoading: true,
          disableClusteringAtZoom: 18,
          chunkProgress: function (fatti, totale) {
            if (fatti >= totale) { inCorso[tipo] = false; forseDisegnata(); }
          },
          showCoverageOnHover: false,
          maxClusterRadius: 50,
          iconCreateFunction: function (cl) {
            var k = cl.getChildCount();
            var lato = k < 10 ? 34 : (k < 100 ? 40 : 48);
            var numero = el('span', null, String(k));
            numero.style.background = col;
            return new IconaNodo({ className: 'mappe-cluster mappe-cluster-' + tipo, modello: numero,
              iconSize: [lato, lato] });
          }
        });
        gruppi[tipo].addLayer(cluster[tipo]);
      }
    });

    // Hatching per kind and a slight wobble: zones and paths look drawn by hand, not surveyed.
    (function () {
      var svg = document.createElementNS(SVG, 'svg');
      svg.setAttribute('width', '0');
      svg.setAttribute('height', '0');
      svg.setAttribute('aria-hidden', 'true');
      svg.style.position = 'absolute';
      var defs = document.createElementNS(SVG, 'defs');
      var f = document.createElementNS(SVG, 'filter');
      f.setAttribute('id', 'mappe-mano');
      var t = document.createElementNS(SVG, 'feTurbulence');
      t.setAttribute('type', 'fractalNoise');
      t.setAttribute('baseFrequency', '0.04');
      t.setAttribute('numOctaves', '2');
      t.setAttribute('result', 'rumore');
      var d = document.createElementNS(SVG, 'feDisplacementMap');
      d.setAttribute('in', 'SourceGraphic');
      d.setAttribute('in2', 'rumore');
      d.setAttribute('scale', '3');
      f.appendChild(t);
      f.appendChild(d);
      defs.appendChild(f);
      tipi.forEach(function (tipo) {
        var col = colore((D.voci.tipo[tipo] || {}).colore);
        var p = document.createElementNS(SVG, 'pattern');
        p.setAttribute('id', 'mappe-tratteggio-' + tipo);
        p.setAttribute('width', '8');
        p.setAttribute('height', '8');
        p.setAttribute('patternUnits', 'userSpaceOnUse');
        p.setAttribute('patternTransform', 'rotate(45)');
        var r = document.createElementNS(SVG, 'rect');
        r.setAttribute('width', '8');
        r.setAttribute('height', '8');
        r.setAttribute('fill', col);
        r.setAttribute('fill-opacity', '0.08');
        var l = document.createElementNS(SVG, 'line');
        l.setAttribute('x1', '0');
        l.setAttribute('y1', '0');
        l.setAttribute('x2', '0');
        l.setAttribute('y2', '8');
        l.setAttribute('stroke', col);
        l.setAttribute('stroke-width', '2.5');
        l.setAttribute('stroke-opacity', '0.45');
        p.appendChild(r);
        p.appendChild(l);
        defs.appendChild(p);
      });
      svg.appendChild(defs);
      document.body.appendChild(svg);
    })();

    /* ---------- Every contribution with a position: a marker, a path or a zone ---------- */
    var senzaLuogo = [];
    // popups never taller than the map: long ones scroll inside
    var opzioniPopup = { maxWidth: 340, autoPanPadding: [20, 20], maxHeight: Math.max(220, map.getSize().y - 120) };
    for (var i = 0; i < n; i++) {
      var g = C.g[i];
      var tipo = C.tipo[i];
      if (!gruppi[tipo]) continue;
      if (g === null) { senzaLuogo.push(i); continue; }
      var strato;
      var punto = typeof g[0] === 'number';
      if (punto) {
        var pl = C.luogo[i];
        var accanto = pl !== null && D.luoghi.x[pl] === g[0] && D.luoghi.y[pl] === g[1];
        strato = L.marker([g[1], g[0]], { icon: M.icona(tipo, C.peso[i], C.emozione[i], accanto), keyboard: true,
          title: C.titolo[i] || M.voce('tipo', tipo) });
      } else {
        var col = colore((D.voci.tipo[tipo] || {}).colore);
        var zona = g.type.indexOf('Polygon') >= 0;
        var comunita = D.stile !== 'classico';
        strato = L.geoJSON(g, {
          style: {
            color: col, weight: zona ? 2.5 : 5, opacity: 0.85, dashArray: zona && !comunita ? '6 4' : null,
            lineCap: 'round', lineJoin: 'round',
            fillColor: comunita && zona ? 'url(#mappe-tratteggio-' + tipo + ')' : col,
            fillOpacity: comunita && zona ? 1 : 0.18,
            className: 'mappe-forma mappe-forma-' + tipo + (comunita ? ' mappe-a-mano' : '')
          }
        });
      }
      strato.bindPopup((function (k) { return function () { return U.comeNodo(M.scheda(k, false)); }; })(i), opzioniPopup);
      marcatori[i] = { strato: strato, tipo: tipo, punto: punto };
      elementi[tipo].push({ i: i, strato: strato, punto: punto });
    }
    M.segna('simboli');

    // "Drawn": every cluster group has loaded all its markers (they load in chunks).
    var inCorso = {};
    function forseDisegnata() {
      var occupati = tipi.some(function (t) { return inCorso[t]; });
      if (!occupati) document.documentElement.setAttribute('data-mappe-disegnata', '1');
    }

    // The groups of the kinds switched on go on the map, the others leave it.
    function mostraTipi() {
      tipi.forEach(function (tipo) {
        if (M.stato.accesi[tipo]) map.addLayer(gruppi[tipo]); else map.removeLayer(gruppi[tipo]);
      });
    }

    var riempitoCon = {};  // kind -> theme filter its group was filled with
    function riempi() {
      var stato = M.stato;
      document.documentElement.removeAttribute('data-mappe-disegnata');
      tipi.forEach(function (tipo) {
        // a kind switched off is filled when it is switched on: 100,000 markers are not clustered twice
        if (!stato.accesi[tipo]) return;
        if (riempitoCon[tipo] === stato.tema) return;
        riempitoCon[tipo] = stato.tema;
        var punti = [], altri = [];
        elementi[tipo].forEach(function (e) {
          if (stato.tema && C.tema[e.i] !== stato.tema) return;
          (e.punto ? punti : altri).push(e.strato);
        });
        if (usaCluster) {
          cluster[tipo].clearLayers();
          gruppi[tipo].eachLayer(function (x) { if (x !== cluster[tipo]) gruppi[tipo].removeLayer(x); });
          // a group off the map loads at once; one on the map reports progress until done
          inCorso[tipo] = punti.length > 0 && map.hasLayer(gruppi[tipo]);
          cluster[tipo].addLayers(punti);
        } else {
          gruppi[tipo].clearLayers();
          punti.forEach(function (x) { gruppi[tipo].addLayer(x); });
        }
        altri.forEach(function (x) { gruppi[tipo].addLayer(x); });
      });
      forseDisegnata();
    }

    M.inizio = inizio;
    M.usaCluster = usaCluster;
    M.cluster = cluster;
    M.marcatori = marcatori;
    M.elementi = elementi;
    M.senzaLuogo = senzaLuogo;
    M.opzioniPopup = opzioniPopup;
    M.mostraTipi = mostraTipi;
    M.riempi = riempi;
  };
})();
