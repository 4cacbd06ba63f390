/* mappe, part "strati": the layers of the map under the places.
 *
 * Owns the boundaries of the comuni (and the neighbours around them, named for orientation),
 * M.inizio() (frame the comuni), the hatching and hand-drawn wobble of zones and paths (SVG
 * defs), every contribution's marker or shape: zones and paths in one group per kind, points
 * of every kind in one cluster group (symbols that would overlap on the screen are gathered, in
 * a ring coloured by kind, and fan out at the last zoom), and the filling of those groups for
 * the current view and theme: M.riempi() and M.mostraTipi(), with data-mappe-disegnata set once
 * the cluster group has loaded.
 * Reads M.C, D.confini, D.vicini, D.voci.tipo, D.stile, M.stato; gives M.marcatori (i ->
 * {strato, tipo, punto}), M.cluster (kind -> the cluster group, the same for all), M.usaCluster, M.elementi, M.senzaLuogo (contributions
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
    // Symbols that would overlap on the screen are gathered, whatever their kind, so that a
    // finger can pick each one: a tap on a group zooms in, or fans it out at the last zoom.
    // With a mouse on a wide screen a small map keeps every symbol in sight; a finger, or many
    // points, need the groups.
    var dito = D.chiosco || (window.matchMedia &&
      window.matchMedia('(pointer: coarse), (max-width: 800px), (max-height: 500px)').matches);
    var usaCluster = typeof L.markerClusterGroup === 'function' && (dito || D.n_punti > D.soglia_cluster);
    var tutti = null;
    var inCorso = {};

    /* ---------- The boundaries ---------- */
    var confini = L.featureGroup();
    D.confini.forEach(function (c) {
      L.geoJSON(c.g, {
        interactive: false,
        style: { color: '#3d3d3d', weight: 2.5, fill: true, fillColor: '#f4efe1', fillOpacity: 0.35 }
      }).addTo(confini);
    });
    confini.addTo(map);
    if (D.vicini) U.disegnaVicini(map, D.vicini);
    var limiti = confini.getBounds();
    // the comuni whole, clear of the zoom buttons on the left
    function inizio() {
      if (limiti.isValid()) map.fitBounds(limiti, { paddingTopLeft: [60, 10], paddingBottomRight: [10, 40] });
    }
    inizio();

    /* ---------- Layers: one group per kind; points in a cluster group when they are many ---------- */
    tipi.forEach(function (tipo) {
      gruppi[tipo] = L.featureGroup();
      elementi[tipo] = [];
    });
    if (usaCluster) {
      tutti = L.markerClusterGroup({
        chunkedLoading: true,
        chunkProgress: function (fatti, totale) {
          if (fatti >= totale) { inCorso.tutti = false; forseDisegnata(); }
        },
        showCoverageOnHover: false,
        spiderfyOnMaxZoom: true,
        // about a symbol's hit box: what is nearer than a fingertip is gathered
        maxClusterRadius: 40,
        // from zoom 18 (a few metres) every symbol stands alone: fewer levels to build for 100,000
        disableClusteringAtZoom: 18,
        iconCreateFunction: iconaGruppo,
        zoomToBoundsOnClick: false
      });
      // a tap on a group: zoom to what it gathers, clear of the zoom buttons; at the last zoom,
      // or when all sit on one spot, fan them out
      tutti.on('clusterclick', function (ev) {
        var c = ev.layer, b = c.getBounds();
        if (map.getZoom() >= map.getMaxZoom() || b.getNorthEast().equals(b.getSouthWest())) c.spiderfy();
        else c.zoomToBounds({ paddingTopLeft: [64, 24], paddingBottomRight: [24, 24] });
      });
      tutti.addTo(map);
      tipi.forEach(function (tipo) { cluster[tipo] = tutti; });
    }

    // The kinds in a group, from its first `massimo` symbols (breadth first through the groups
    // inside it): the icons of groups are made again as 100,000 symbols load in chunks, and
    // counting every symbol each time would take seconds. The ring shows shares, not counts.
    function contaTipi(cl, massimo) {
      var conti = {}, visti = 0, coda = [cl];
      while (coda.length && visti < massimo) {
        var c = coda.shift();
        var ms = c._markers || [];
        for (var i = 0; i < ms.length && visti < massimo; i++) {
          var t = ms[i].options.mappeTipo;
          conti[t] = (conti[t] || 0) + 1;
          visti++;
        }
        if (c._childClusters) coda.push.apply(coda, c._childClusters);
      }
      if (!visti) cl.getAllChildMarkers().forEach(function (m) {  // another version of the library
        conti[m.options.mappeTipo] = (conti[m.options.mappeTipo] || 0) + 1;
      });
      return conti;
    }

    // A group: how many, in a ring coloured by kind (one colour when all are of one kind).
    function iconaGruppo(cl) {
      var k = cl.getChildCount();
      var lato = 44;  // a fingertip, whatever the count: bigger rings would cover their neighbours
      var conti = contaTipi(cl, 256), quali = Object.keys(conti);
      var numero = el('span', null, String(k));
      if (quali.length === 1) {
        numero.style.background = colore((D.voci.tipo[quali[0]] || {}).colore);
      } else {
        var fatto = 0, pezzi = [], visti = 0;
        quali.forEach(function (t) { visti += conti[t]; });
        tipi.forEach(function (t) {
          if (!conti[t]) return;
          var col = colore((D.voci.tipo[t] || {}).colore);
          pezzi.push(col + ' ' + (fatto * 360 / visti) + 'deg ' + ((fatto + conti[t]) * 360 / visti) + 'deg');
          fatto += conti[t];
        });
        numero.style.background = 'radial-gradient(circle, #fffdf7 52%, transparent 53%), conic-gradient(' +
          pezzi.join(', ') + ')';
      }
      return new IconaNodo({ className: 'mappe-cluster mappe-cluster-' + (quali.length === 1 ? quali[0] : 'misto'),
        modello: numero, iconSize: [lato, lato] });
    }

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
    var ovest = Infinity, est = -Infinity, sud = Infinity, nord = -Infinity;
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
          title: C.titolo[i] || M.voce('tipo', tipo), mappeTipo: tipo });
        // the first view shows every symbol, also one said just beyond the boundary
        if (g[0] < ovest) ovest = g[0];
        if (g[0] > est) est = g[0];
        if (g[1] < sud) sud = g[1];
        if (g[1] > nord) nord = g[1];
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
    if (ovest <= est && limiti.isValid()) limiti.extend(L.latLngBounds([sud, ovest], [nord, est]));
    M.segna('simboli');

    // "Drawn": the cluster group has loaded all its markers (they load in chunks).
    function forseDisegnata() {
      if (!inCorso.tutti) document.documentElement.setAttribute('data-mappe-disegnata', '1');
    }

    // The groups of the kinds switched on go on the map, the others leave it.
    function mostraTipi() {
      tipi.forEach(function (tipo) {
        if (M.stato.accesi[tipo]) map.addLayer(gruppi[tipo]); else map.removeLayer(gruppi[tipo]);
      });
    }

    var riempitoCon = {};  // kind -> theme filter its group was filled with
    var nelGruppo = '';    // which kinds and theme the group of symbols holds
    function riempi() {
      var stato = M.stato;
      document.documentElement.removeAttribute('data-mappe-disegnata');
      // zones and paths: one group per kind (a kind switched off is filled when switched on)
      tipi.forEach(function (tipo) {
        if (!stato.accesi[tipo] || riempitoCon[tipo] === stato.tema) return;
        riempitoCon[tipo] = stato.tema;
        gruppi[tipo].clearLayers();
        elementi[tipo].forEach(function (e) {
          if (stato.tema && C.tema[e.i] !== stato.tema) return;
          if (!e.punto || !usaCluster) gruppi[tipo].addLayer(e.strato);
        });
      });
      // points: one group for all kinds, filled again only when what it must hold changes
      var accesi = tipi.filter(function (t) { return stato.accesi[t]; });
      var chiave = accesi.join(',') + '|' + stato.tema;
      if (usaCluster && chiave !== nelGruppo) {
        nelGruppo = chiave;
        var punti = [];
        accesi.forEach(function (tipo) {
          elementi[tipo].forEach(function (e) {
            if (e.punto && (!stato.tema || C.tema[e.i] === stato.tema)) punti.push(e.strato);
          });
        });
        tutti.clearLayers();
        // it is on the map: it loads in chunks and reports when done
        inCorso.tutti = punti.length > 0;
        tutti.addLayers(punti);
      }
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
