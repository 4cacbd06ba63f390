/* mappe, part "gruppi": symbols that would overlap on the screen are gathered into groups.
 *
 * Owns M.Gruppi, a Leaflet layer for the points of the contributions, written for 100,000 of
 * them on a phone: each position is projected once; only the zoom being looked at is grouped
 * (in one pass over the points, with a grid of cells as wide as a group), and each zoom once;
 * only what lies on the screen (and a margin) is drawn; a contribution's marker is made the
 * first time it is shown. Two groups are never nearer than RAGGIO pixels, so a fingertip
 * always finds each one. A tap on a group zooms to what it gathers; at the last zoom, or when
 * all sit on one spot, they fan out around it, joined to it by thin lines.
 * Created by "strati" with: punto(i) -> [lon, lat], tipo(i) -> index of the kind,
 * marcatore(i) -> the contribution's L.Marker, icona(quanti, conti) -> the icon of a group
 * (conti: how many of each kind), nome(quanti) -> what a group is called (its title and label).
 * Other symbols can take part too (the initiatives of the "seguito" view): altri(voci, aspetto),
 * voci = [{ll: L.LatLng, marcatore: L.Marker}], gathered and fanned out with the contributions;
 * a group holding some shows the icon of its contributions with aspetto.segno() added to it, is
 * called aspetto.nome(contributi, altri, nome), and a group of only those has aspetto.icona(altri).
 * Methods: imposta(indici), altri(voci, aspetto), mostra(i, poi), mostraAltro(k, poi),
 * chiudiVentaglio(). */
(function () {
  'use strict';

  var P = window.MappeParti = window.MappeParti || {};
  var RAGGIO = 40;   // pixels: what is nearer than a fingertip is gathered
  var MARGINE = 0.5; // of the screen, drawn beyond each edge so that a short pan shows no gap

  // Web Mercator, as Leaflet's default CRS, scaled to 0..1 (zoom 0 is 256 pixels wide)
  function xDi(lon) { return (lon + 180) / 360; }
  function yDi(lat) {
    var s = Math.sin(Math.max(-85.05, Math.min(85.05, lat)) * Math.PI / 180);
    return 0.5 - Math.log((1 + s) / (1 - s)) / (4 * Math.PI);
  }
  function lonDi(x) { return x * 360 - 180; }
  function latDi(y) { return Math.atan(Math.sinh(Math.PI * (1 - 2 * y))) * 180 / Math.PI; }

  P.gruppi = function (M) {
    var map = M.map;

    var Gruppi = L.Layer.extend({
      initialize: function (o) {
        this._o = o;
        this._nTipi = o.nTipi;
        this._mostrati = {};   // key -> layer on the map
        this._ventaglio = null;
        this._altri = [];
        this._aspetto = null;
        this.imposta([]);
      },

      // The contributions the layer holds (indices into the data), in the order given; the other
      // symbols (altri) come after them, as -1, -2... in _ind.
      imposta: function (indici) {
        var nc = indici.length, A = this._altri, n = nc + A.length, o = this._o;
        this.chiudiVentaglio();
        this._indici = indici;
        this._nc = nc;
        this._ind = new Int32Array(n);
        this._x = new Float64Array(n);
        this._y = new Float64Array(n);
        this._k = new Uint8Array(n);
        for (var j = 0; j < nc; j++) {
          var g = o.punto(indici[j]);
          this._ind[j] = indici[j];
          this._x[j] = xDi(g[0]);
          this._y[j] = yDi(g[1]);
          this._k[j] = o.tipo(indici[j]);
        }
        for (var a = 0; a < A.length; a++) {
          this._ind[nc + a] = -1 - a;
          this._x[nc + a] = xDi(A[a].ll.lng);
          this._y[nc + a] = yDi(A[a].ll.lat);
          this._k[nc + a] = 255;  // of no kind: counted apart
        }
        this._livelli = {};
        this._dove = null;
        if (this._map) this._disegna(true);
      },

      // Other symbols gathered with the contributions (none: []); aspetto says how they show in a group.
      altri: function (voci, aspetto) {
        var prima = this._altri;
        var uguali = prima.length === voci.length && voci.every(function (v, a) {
          return v.marcatore === prima[a].marcatore && v.ll.equals(prima[a].ll);
        });
        this._aspetto = aspetto || this._aspetto;
        if (uguali) return;
        this.chiudiVentaglio();
        this._altri = voci.slice();
        this.imposta(this._indici);  // drawn again from the start: those no longer held leave the map
      },

      // the key of the symbol j on the map, and its marker
      _chiave: function (j) { var i = this._ind[j]; return i >= 0 ? 'p' + i : 'a' + (-1 - i); },
      _marcatore: function (j) { var i = this._ind[j]; return i >= 0 ? this._o.marcatore(i) : this._altri[-1 - i].marcatore; },

      onAdd: function () {
        this._strato = L.layerGroup().addTo(map);
        map.on('moveend', this._suMossa, this);
        map.on('zoomstart', this.chiudiVentaglio, this);
        map.on('click', this.chiudiVentaglio, this);
        this._disegna(true);
      },
      onRemove: function () {
        this.chiudiVentaglio();
        map.off('moveend', this._suMossa, this);
        map.off('zoomstart', this.chiudiVentaglio, this);
        map.off('click', this.chiudiVentaglio, this);
        map.removeLayer(this._strato);
        this._mostrati = {};
      },
      _suMossa: function () { this._disegna(false); },

      _zoom: function (z) {
        return Math.max(map.getMinZoom(), Math.min(map.getMaxZoom(), Math.round(z === undefined ? map.getZoom() : z)));
      },

      // The groups at zoom z: each point joins the nearest group whose first point is within
      // RAGGIO pixels, or starts a new one there. A group is drawn at its first point: the
      // first points of two groups are more than RAGGIO apart.
      _livello: function (z) {
        if (this._livelli[z]) return this._livelli[z];
        var X = this._x, Y = this._y, K = this._k, n = X.length, nt = this._nTipi;
        var lato = RAGGIO / (256 * Math.pow(2, z)), r2 = lato * lato, inv = 1 / lato;
        // the points by cell, then the cells one after the other (a cell's neighbours looked up once)
        var celle = new Map(), ordine = [];
        var cx = new Int32Array(n), cy = new Int32Array(n);
        for (var j = 0; j < n; j++) {
          var ix = Math.floor(X[j] * inv), iy = Math.floor(Y[j] * inv);
          cx[j] = ix; cy[j] = iy;
          var chiave = ix * 67108864 + iy;
          var cella = celle.get(chiave);
          if (!cella) { cella = { p: [], g: [] }; celle.set(chiave, cella); ordine.push(cella); }
          cella.p.push(j);
        }
        var gruppo = new Int32Array(n), primo = [], quanti = [];
        for (var c = 0; c < ordine.length; c++) {
          var qui = ordine[c], p0 = qui.p[0];
          var vicine = [];
          for (var dx = -1; dx <= 1; dx++) {
            for (var dy = -1; dy <= 1; dy++) {
              var v = celle.get((cx[p0] + dx) * 67108864 + cy[p0] + dy);
              if (v) vicine.push(v.g);
            }
          }
          for (var q = 0; q < qui.p.length; q++) {
            var k = qui.p[q], x = X[k], y = Y[k], meglio = -1, d2 = r2;
            for (var a = 0; a < vicine.length; a++) {
              var gs = vicine[a];
              for (var b = 0; b < gs.length; b++) {
                var f = primo[gs[b]], ddx = X[f] - x, ddy = Y[f] - y, d = ddx * ddx + ddy * ddy;
                if (d <= d2) { d2 = d; meglio = gs[b]; }
              }
            }
            if (meglio < 0) {
              meglio = primo.length;
              primo.push(k);
              quanti.push(0);
              qui.g.push(meglio);
            }
            gruppo[k] = meglio;
            quanti[meglio]++;
          }
        }
        var ng = primo.length, conti = new Int32Array(ng * nt), altri = new Int32Array(ng);
        var ovest = new Float64Array(ng).fill(Infinity), est = new Float64Array(ng).fill(-Infinity);
        var nord = new Float64Array(ng).fill(Infinity), sud = new Float64Array(ng).fill(-Infinity);
        for (j = 0; j < n; j++) {
          var h = gruppo[j];
          if (K[j] === 255) altri[h]++; else conti[h * nt + K[j]]++;
          if (X[j] < ovest[h]) ovest[h] = X[j];
          if (X[j] > est[h]) est[h] = X[j];
          if (Y[j] < nord[h]) nord[h] = Y[j];
          if (Y[j] > sud[h]) sud[h] = Y[j];
        }
        this._livelli[z] = { z: z, gruppo: gruppo, primo: primo, quanti: quanti, conti: conti, altri: altri,
          ovest: ovest, est: est, nord: nord, sud: sud };
        return this._livelli[z];
      },

      // What lies on the screen (with a margin) at the current zoom goes on the map; what no
      // longer does leaves it. Markers that stay are not touched (an open card stays open).
      _disegna: function (daCapo) {
        if (!this._map) return;
        var z = this._zoom(), Lv = this._livello(z);
        var b = map.getBounds().pad(MARGINE);
        var x0 = xDi(b.getWest()), x1 = xDi(b.getEast()), y0 = yDi(b.getNorth()), y1 = yDi(b.getSouth());
        var nuovi = {}, vecchi = this._mostrati;
        if (daCapo) { this._strato.clearLayers(); vecchi = {}; }
        for (var h = 0; h < Lv.primo.length; h++) {
          var f = Lv.primo[h], x = this._x[f], y = this._y[f];
          if (x < x0 || x > x1 || y < y0 || y > y1) continue;
          var chiave = Lv.quanti[h] === 1 ? this._chiave(f) : 'g' + z + ':' + h;
          var strato = vecchi[chiave];
          if (!strato) {
            if (Lv.quanti[h] === 1) strato = this._marcatore(f);
            else strato = this._icona(Lv, h);
            this._strato.addLayer(strato);
          }
          nuovi[chiave] = strato;
        }
        // what leaves the screen leaves the map, except a symbol whose card is open (or opening:
        // a popup's own pan may end here) and the symbols of a fan
        for (var k in vecchi) {
          if (nuovi[k]) continue;
          var resta = (this._ventaglio && this._ventaglio.chiavi[k]) ||
            (vecchi[k].isPopupOpen && vecchi[k].isPopupOpen() && k.charAt(0) !== 'g');
          if (resta) nuovi[k] = vecchi[k]; else this._strato.removeLayer(vecchi[k]);
        }
        this._mostrati = nuovi;
        if (this._fuoco) this._fuocoVicino(nuovi);
      },

      _fuocoVicino: function (mostrati) {
        var dove = map.latLngToLayerPoint(this._fuoco), meglio = null, d = Infinity;
        this._fuoco = null;
        for (var k in mostrati) {
          var e = mostrati[k].getElement && mostrati[k].getElement();
          var dd = e ? map.latLngToLayerPoint(mostrati[k].getLatLng()).distanceTo(dove) : Infinity;
          if (dd < d) { d = dd; meglio = e; }
        }
        if (meglio) meglio.focus({ preventScroll: true });
      },

      _icona: function (Lv, h) {
        var nt = this._nTipi, conti = [];
        for (var t = 0; t < nt; t++) conti.push(Lv.conti[h * nt + t]);
        var f = Lv.primo[h];
        // the contributions make the icon; other symbols among them add their sign, or make it alone
        var na = Lv.altri[h], nc = Lv.quanti[h] - na, asp = this._aspetto;
        var nome = nc ? this._o.nome(nc) : '';
        if (na && asp) nome = asp.nome(nc, na, nome);
        var icona = nc || !asp ? this._o.icona(nc, conti) : asp.icona(na);
        var m = L.marker([latDi(this._y[f]), lonDi(this._x[f])], {
          icon: icona, keyboard: true, riseOnHover: true, title: nome
        });
        // a screen reader says what it is, not only the number
        m.on('add', function () {
          var e = m.getElement();
          if (!e) return;
          e.setAttribute('aria-label', nome);
          if (na && nc && asp && asp.segno) e.appendChild(asp.segno(na));
        });
        m.on('click', function (ev) {
          if (ev.originalEvent) L.DomEvent.stopPropagation(ev.originalEvent);
          this._suGruppo(Lv, h, m);
        }, this);
        // from the keyboard (Leaflet turns Enter into a click only for a layer with a card); the
        // focus then goes to what is drawn nearest to the group
        m.on('keypress', function (ev) {
          if (ev.originalEvent.keyCode !== 13) return;
          this._fuoco = m.getLatLng();
          this._suGruppo(Lv, h, m);
        }, this);
        return m;
      },

      _limiti: function (Lv, h) {
        return L.latLngBounds([latDi(Lv.sud[h]), lonDi(Lv.ovest[h])], [latDi(Lv.nord[h]), lonDi(Lv.est[h])]);
      },

      // A tap on a group: zoom to what it gathers (always at least one step), clear of the zoom
      // buttons; at the last zoom, or when all sit on one spot, fan them out.
      _suGruppo: function (Lv, h, icona) {
        var b = this._limiti(Lv, h), z = map.getZoom();
        var unPunto = Lv.est[h] - Lv.ovest[h] < 1e-12 && Lv.sud[h] - Lv.nord[h] < 1e-12;
        if (z >= map.getMaxZoom() || unPunto) { this._apriVentaglio(Lv, h, icona); return; }
        var dopo = map.getBoundsZoom(b, false, L.point(88, 48));
        if (dopo <= z) map.setView(icona.getLatLng(), z + 1);
        else map.fitBounds(b, { paddingTopLeft: [64, 24], paddingBottomRight: [24, 24] });
      },

      // The symbols of a group around it, in a ring (or a spiral when many), each 48 px from
      // the next; a tap elsewhere, a zoom or another fan puts them back.
      _apriVentaglio: function (Lv, h, icona) {
        this.chiudiVentaglio();
        var membri = [];
        for (var j = 0; j < Lv.gruppo.length; j++) if (Lv.gruppo[j] === h) membri.push(j);
        var centro = map.latLngToLayerPoint(icona.getLatLng()), n = membri.length;
        var v = { icona: icona, marcatori: [], gambe: L.layerGroup(), chiavi: {} };
        var passo = 48, angolo = 0, raggio = Math.max(52, passo * n / (2 * Math.PI));
        for (var q = 0; q < n; q++) {
          var pos;
          if (n <= 9) {
            angolo = 2 * Math.PI * q / n - Math.PI / 2;
            pos = centro.add(L.point(Math.cos(angolo) * raggio, Math.sin(angolo) * raggio));
          } else {
            raggio = q === 0 ? 52 : raggio + passo * passo / (2 * Math.PI * raggio);
            angolo += q === 0 ? 0 : passo / raggio;
            pos = centro.add(L.point(Math.cos(angolo) * raggio, Math.sin(angolo) * raggio));
          }
          var m = this._marcatore(membri[q]), chiave = this._chiave(membri[q]), dove = map.layerPointToLatLng(pos);
          v.marcatori.push({ m: m, vero: m.getLatLng(), chiave: chiave });
          v.chiavi[chiave] = true;
          L.polyline([icona.getLatLng(), dove], { interactive: false, className: 'mappe-gamba', weight: 1.5,
            color: '#3d3d3d', opacity: 0.7 }).addTo(v.gambe);
          m.setLatLng(dove);
          if (!this._strato.hasLayer(m)) this._strato.addLayer(m);
        }
        v.gambe.addTo(map);
        icona.setOpacity(0.35);
        this._ventaglio = v;
        if (this._fuoco && v.marcatori.length) {
          this._fuoco = null;
          var primo = v.marcatori[0].m.getElement();
          if (primo) primo.focus({ preventScroll: true });
        }
      },

      chiudiVentaglio: function () {
        var v = this._ventaglio;
        if (!v) return;
        this._ventaglio = null;
        var self = this;
        v.marcatori.forEach(function (x) {
          if (x.m.isPopupOpen && x.m.isPopupOpen()) map.closePopup();
          x.m.setLatLng(x.vero);
          if (!self._mostrati[x.chiave]) self._strato.removeLayer(x.m);
        });
        map.removeLayer(v.gambe);
        v.icona.setOpacity(1);
      },

      // Show contribution i on its own (the first zoom, from the current one, where it is not
      // gathered; or fanned out at the last), then call poi().
      mostra: function (i, poi) {
        this._mostraJ(i < 0 ? -1 : this._ind.indexOf(i), poi);
      },
      // the same for the other symbol k (its place in altri)
      mostraAltro: function (k, poi) {
        this._mostraJ(k >= 0 && k < this._altri.length ? this._nc + k : -1, poi);
      },
      _mostraJ: function (j, poi) {
        if (j < 0) return;
        var ll = L.latLng(latDi(this._y[j]), lonDi(this._x[j]));
        var z = this._zoom(), fine = this._zoom(map.getMaxZoom());
        for (; z < fine; z++) {
          var livello = this._livello(z);
          if (livello.quanti[livello.gruppo[j]] === 1) break;
        }
        var Lv = this._livello(z), h = Lv.gruppo[j], self = this;
        var dopo = function () {
          if (Lv.quanti[h] > 1) {
            var chiave = 'g' + z + ':' + h;
            if (self._mostrati[chiave]) self._apriVentaglio(Lv, h, self._mostrati[chiave]);
          }
          poi();
        };
        if (map.getZoom() === z && map.getBounds().pad(-0.1).contains(ll)) { dopo(); return; }
        map.once('moveend', function () { window.setTimeout(dopo, 0); });
        map.setView(ll, z);
      }
    });

    M.Gruppi = function (o) { return new Gruppi(o); };
  };
})();
