/* mappe, part "strati": the layers of the map under the places.
 *
 * Owns the boundaries of the comuni (and the neighbours around them, named for orientation),
 * M.inizio() (frame the comuni), the hatching and hand-drawn wobble of zones and paths (SVG
 * defs), every contribution's marker or shape: zones and paths in one group per kind, points
 * of every kind in one layer of groups (part "gruppi": symbols that would overlap on the screen
 * are gathered, in a ring coloured by kind, and fan out at the last zoom), and the filling of
 * those for the current view and theme: M.riempi() and M.mostraTipi(), which set
 * data-mappe-disegnata on the page once the view's symbols are on the map.
 * Reads M.C, M.Gruppi, D.confini, D.vicini, D.voci.tipo, D.stile, M.stato; gives M.marcatori
 * (i -> {i, tipo, punto, strato}; a point's marker is made when first asked for), M.simboli
 * (the layer of groups, or null when every symbol stands alone), M.usaCluster, M.elementi,
 * M.senzaLuogo (contributions about a whole comune) and M.opzioniPopup. */
(function () {
  'use strict';

  var U = window.MappeUtili;
  var el = U.el, colore = U.colore;
  var IconaNodo = U.IconaNodo;
  var SVG = 'http://www.w3.org/2000/svg';
  var P = window.MappeParti = window.MappeParti || {};

  P.strati = function (M) {
    var map = M.map, D = M.D, C = M.C, n = M.n, tipi = M.tipi;
    var gruppi = {}, elementi = {}, marcatori = {};
    // Symbols that would overlap on the screen are gathered, whatever their kind, so that a
    // finger can pick each one: a tap on a group zooms in, or fans it out at the last zoom.
    // With a mouse on a wide screen a small map keeps every symbol in sight; a finger, or many
    // points, need the groups.
    var dito = D.chiosco || (window.matchMedia &&
      window.matchMedia('(pointer: coarse), (max-width: 800px), (max-height: 500px)').matches);
    var usaCluster = dito || D.n_punti > D.soglia_cluster;
    var tutti = null;

    /* ---------- The boundaries ---------- */
    var confini = L.featureGroup();
    D.confini.forEach(function (c) {
      L.geoJSON(c.g, {
        interactive: false,
        style: { color: '#3d3d3d', weight: 2.5, fill: true, fillColor: '#f4efe1', fillOpacity: 0.35 }
      }).addTo(confini);
    });
    var limiti = confini.getBounds();
    // the comuni whole, clear of the zoom buttons on the left (at once when the page opens: a zoom
    // animation would move every layer twice). The boundaries go on the map the first time, once
    // the page has its layout and the map its view: drawn once, not once more after the framing.
    var disegnati = false;
    function inizio(anima) {
      if (limiti.isValid()) {
        map.fitBounds(limiti, { paddingTopLeft: [60, 10], paddingBottomRight: [10, 40], animate: !!anima });
      }
      if (disegnati) return;
      disegnati = true;
      confini.addTo(map);
      if (D.vicini) U.disegnaVicini(map, D.vicini);
    }

    /* ---------- Layers: one group per kind; points in one layer of groups when gathered ---------- */
    tipi.forEach(function (tipo) {
      gruppi[tipo] = L.featureGroup();
      elementi[tipo] = [];
    });
    var indiceTipo = {};
    tipi.forEach(function (t, k) { indiceTipo[t] = k; });
    if (usaCluster) {
      tutti = M.Gruppi({
        nTipi: tipi.length,
        punto: function (i) { return C.g[i]; },
        tipo: function (i) { return indiceTipo[C.tipo[i]]; },
        marcatore: function (i) { return marcatori[i].strato; },
        icona: iconaGruppo,
        nome: function (k) { return M.T.gruppo.replace('{n}', k); }
      });
      tutti.addTo(map);
    }

    // A group: how many, in a ring coloured by kind (one colour when all are of one kind).
    function iconaGruppo(k, conti) {
      var lato = 44;  // a fingertip, whatever the count: bigger rings would cover their neighbours
      var quali = tipi.filter(function (t, q) { return conti[q] > 0; });
      var numero = el('span', null, String(k));
      if (quali.length === 1) {
        numero.style.background = colore((D.voci.tipo[quali[0]] || {}).colore);
      } else {
        var fatto = 0, pezzi = [];
        tipi.forEach(function (t, q) {
          if (!conti[q]) return;
          var col = colore((D.voci.tipo[t] || {}).colore);
          pezzi.push(col + ' ' + (fatto * 360 / k) + 'deg ' + ((fatto + conti[q]) * 360 / k) + 'deg');
          fatto += conti[q];
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
    // A contribution on the map. A point's marker is made the first time it is shown (100,000
    // markers made at the start would take seconds on a phone); zones and paths at once.
    function Marcatore(i, tipo, punto, strato) {
      this.i = i;
      this.tipo = tipo;
      this.punto = punto;
      this._strato = strato;
    }
    Object.defineProperty(Marcatore.prototype, 'strato', { get: function () {
      if (!this._strato) {
        var i = this.i, g = C.g[i], pl = C.luogo[i];
        var accanto = pl !== null && D.luoghi.x[pl] === g[0] && D.luoghi.y[pl] === g[1];
        var seguito = M.seguitoDi ? M.seguitoDi(i) : null;
        this._strato = L.marker([g[1], g[0]], { icon: M.icona(this.tipo, C.peso[i], C.emozione[i], accanto, seguito),
          keyboard: true, title: C.titolo[i] || M.voce('tipo', this.tipo), mappeTipo: this.tipo });
        conScheda(this._strato, i);
      }
      return this._strato;
    } });
    function conScheda(strato, i) {
      strato.bindPopup(function () { return U.comeNodo(M.scheda(i, false)); }, opzioniPopup);
    }

    for (var i = 0; i < n; i++) {
      var g = C.g[i];
      var tipo = C.tipo[i];
      if (!gruppi[tipo]) continue;
      if (g === null) { senzaLuogo.push(i); continue; }
      var strato = null;
      var punto = typeof g[0] === 'number';
      if (punto) {
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
        conScheda(strato, i);
      }
      marcatori[i] = new Marcatore(i, tipo, punto, strato);
      elementi[tipo].push(marcatori[i]);
    }
    if (ovest <= est && limiti.isValid()) limiti.extend(L.latLngBounds([sud, ovest], [nord, est]));
    M.segna('simboli');

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
      // points: one layer for all kinds, filled again only when what it must hold changes
      var chiave = tipi.filter(function (t) { return stato.accesi[t]; }).join(',') + '|' + stato.tema;
      if (usaCluster && chiave !== nelGruppo) {
        nelGruppo = chiave;
        var punti = [];
        for (var i = 0; i < n; i++) {
          var m = marcatori[i];
          if (m && m.punto && stato.accesi[m.tipo] && (!stato.tema || C.tema[i] === stato.tema)) punti.push(i);
        }
        tutti.imposta(punti);
      }
      // "drawn": the symbols or groups of this view are on the map
      document.documentElement.setAttribute('data-mappe-disegnata', '1');
    }

    M.inizio = inizio;
    M.usaCluster = usaCluster;
    M.simboli = tutti;
    M.marcatori = marcatori;
    M.elementi = elementi;
    M.senzaLuogo = senzaLuogo;
    M.opzioniPopup = opzioniPopup;
    M.mostraTipi = mostraTipi;
    M.riempi = riempi;
  };
})();
