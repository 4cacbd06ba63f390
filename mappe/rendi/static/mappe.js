/* mappe: builds a community map in the browser from one compact data block.
 *
 * Every text written by a person is put in the page with textContent, never as HTML.
 * Popups are built when opened; markers are shared icons per kind; many points are
 * clustered. */
(function () {
  'use strict';

  var SVG = 'http://www.w3.org/2000/svg';

  function el(tag, cls, testo) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (testo !== undefined && testo !== null) e.textContent = String(testo);
    return e;
  }

  // The path of each shape in a 24x24 box.
  var FORME = {
    triangolo: 'M12 2 L22.5 20.5 L1.5 20.5 Z',
    cerchio: 'M12 2 A10 10 0 1 1 11.99 2 Z',
    quadrato: 'M3 3 H21 V21 H3 Z',
    rombo: 'M12 1 L23 12 L12 23 L1 12 Z',
    cuore: 'M12 21 C5 15.5 1.5 12 1.5 7.5 C1.5 4.5 4 2.5 6.8 2.5 C9 2.5 11 4 12 6 C13 4 15 2.5 17.2 2.5 C20 2.5 22.5 4.5 22.5 7.5 C22.5 12 19 15.5 12 21 Z',
    stella: 'M12 1.5 L14.9 8.6 L22.5 9.2 L16.7 14.1 L18.5 21.5 L12 17.5 L5.5 21.5 L7.3 14.1 L1.5 9.2 L9.1 8.6 Z'
  };

  function simboloSvg(forma, colore, lato) {
    var s = document.createElementNS(SVG, 'svg');
    s.setAttribute('viewBox', '0 0 24 24');
    s.setAttribute('width', lato);
    s.setAttribute('height', lato);
    s.setAttribute('aria-hidden', 'true');
    var p = document.createElementNS(SVG, 'path');
    p.setAttribute('d', FORME[forma] || FORME.cerchio);
    p.setAttribute('fill', colore);
    p.setAttribute('stroke', '#ffffff');
    p.setAttribute('stroke-width', '2');
    s.appendChild(p);
    return s;
  }

  function simboloHtml(forma, colore, lato) {
    return '<svg viewBox="0 0 24 24" width="' + lato + '" height="' + lato + '" aria-hidden="true">' +
      '<path d="' + (FORME[forma] || FORME.cerchio) + '" fill="' + colore +
      '" stroke="#ffffff" stroke-width="2"/></svg>';
  }

  function voce(D, vocabolario, codice) {
    var v = D.voci[vocabolario] && D.voci[vocabolario][codice];
    return v ? v.label : (codice || '');
  }

  function avvia(map, D) {
    var T = D.testi;
    var C = D.contributi;
    var n = C.id.length;
    var tipi = D.ordine_tipi;
    var gruppi = {}, elementi = {}, cluster = {};
    var usaCluster = typeof L.markerClusterGroup === 'function' && D.n_punti > D.soglia_cluster;
    var icone = {};
    // markercluster needs a maximum zoom even when no tile layer sets one.
    if (map.options.maxZoom === undefined) map.setMaxZoom(19);
    if (map.options.minZoom === undefined) map.setMinZoom(8);

    // The boundary: drawn first, under everything.
    var confine = L.geoJSON(D.confine, {
      interactive: false,
      style: { color: '#3d3d3d', weight: 2.5, fill: true, fillColor: '#f4efe1', fillOpacity: 0.35 }
    }).addTo(map);
    var limiti = confine.getBounds();
    if (limiti.isValid()) map.fitBounds(limiti, { padding: [10, 10] });

    // Optional online basemap, off by default: the map is readable without it.
    var sfondo = null;

    function icona(tipo, peso) {
      var classe = peso >= 5 ? 3 : (peso >= 2 ? 2 : 1);
      var k = tipo + classe;
      if (!icone[k]) {
        var t = D.voci.tipo[tipo] || { colore: '#555555', forma: 'cerchio' };
        var lato = 18 + 6 * classe;
        icone[k] = L.divIcon({
          className: 'mappe-simbolo mappe-simbolo-' + tipo,
          html: simboloHtml(t.forma, t.colore, lato),
          iconSize: [lato, lato],
          iconAnchor: [lato / 2, lato / 2],
          popupAnchor: [0, -lato / 2]
        });
      }
      return icone[k];
    }

    function riga(cont, etichetta, valore) {
      if (!valore) return;
      var p = el('p', 'mappe-meta');
      p.appendChild(el('span', 'mappe-meta-nome', etichetta + ': '));
      p.appendChild(el('span', null, valore));
      cont.appendChild(p);
    }

    function scheda(i) {
      var tipo = C.tipo[i];
      var c = el('div', 'mappe-scheda mappe-scheda-' + tipo);
      var testa = el('div', 'mappe-scheda-testa');
      var t = D.voci.tipo[tipo] || {};
      testa.appendChild(simboloSvg(t.forma, t.colore || '#555', 16));
      testa.appendChild(el('span', null, voce(D, 'tipo', tipo) + ' · ' + voce(D, 'tema', C.tema[i])));
      c.appendChild(testa);
      if (C.titolo[i]) c.appendChild(el('h3', 'mappe-titolo', C.titolo[i]));
      if (C.testo[i]) c.appendChild(el('blockquote', 'mappe-citazione', C.testo[i]));
      riga(c, T.emozione, voce(D, 'emozione', C.emozione[i]));
      riga(c, T.epoca, C.epoca[i]);
      riga(c, T.fascia_eta, voce(D, 'fascia_eta', C.fascia_eta[i]));
      if (C.peso[i] > 1) riga(c, T.peso, String(C.peso[i]));
      var inc = C.incontro[i] && D.incontri[C.incontro[i]];
      if (inc) riga(c, T.incontro, inc.data + (inc.luogo ? ' · ' + inc.luogo : ''));
      var lg = C.luogo[i] && D.luoghi_nomi[C.luogo[i]];
      riga(c, T.luogo, lg);
      if (C.sensibile[i]) c.appendChild(el('p', 'mappe-nota', T.posizione_spostata));
      return c;
    }

    function schedaLuogo(j) {
      var Lg = D.luoghi;
      var c = el('div', 'mappe-scheda mappe-scheda-luogo');
      c.appendChild(el('div', 'mappe-scheda-testa', voce(D, 'categoria', Lg.categoria[j]) +
        (Lg.ruolo[j] ? ' · ' + voce(D, 'ruolo', Lg.ruolo[j]) : '')));
      c.appendChild(el('h3', 'mappe-titolo', Lg.nome[j]));
      if (Lg.descrizione[j]) c.appendChild(el('blockquote', 'mappe-citazione', Lg.descrizione[j]));
      return c;
    }

    // One group per kind; points in a cluster group when they are many.
    tipi.forEach(function (tipo) {
      gruppi[tipo] = L.featureGroup();
      elementi[tipo] = [];
      if (usaCluster) {
        var colore = (D.voci.tipo[tipo] || {}).colore || '#555';
        cluster[tipo] = L.markerClusterGroup({
          chunkedLoading: true,
          showCoverageOnHover: false,
          maxClusterRadius: 50,
          iconCreateFunction: function (cl) {
            var k = cl.getChildCount();
            var lato = k < 10 ? 30 : (k < 100 ? 36 : 44);
            return L.divIcon({
              className: 'mappe-cluster mappe-cluster-' + tipo,
              html: '<span style="background:' + colore + '">' + k + '</span>',
              iconSize: [lato, lato]
            });
          }
        });
        gruppi[tipo].addLayer(cluster[tipo]);
      }
    });

    var senzaLuogo = [];
    for (var i = 0; i < n; i++) {
      var g = C.g[i];
      var tipo = C.tipo[i];
      if (!gruppi[tipo]) continue;
      if (g === null) { senzaLuogo.push(i); continue; }
      var strato;
      if (typeof g[0] === 'number') {
        strato = L.marker([g[1], g[0]], { icon: icona(tipo, C.peso[i]), keyboard: true, title: C.titolo[i] || voce(D, 'tipo', tipo) });
      } else {
        var colore = (D.voci.tipo[tipo] || {}).colore || '#555';
        var zona = g.type.indexOf('Polygon') >= 0;
        strato = L.geoJSON(g, {
          style: {
            color: colore, weight: zona ? 2 : 4, opacity: 0.9, dashArray: zona ? '6 4' : null,
            fillColor: colore, fillOpacity: 0.18, className: 'mappe-forma mappe-forma-' + tipo
          }
        });
      }
      strato.bindPopup((function (k) { return function () { return scheda(k); }; })(i), { maxWidth: 320 });
      elementi[tipo].push({ i: i, strato: strato, punto: typeof g[0] === 'number' });
    }

    // Places of the community, with their names always visible.
    var gruppoLuoghi = L.featureGroup();
    if (D.luoghi && D.mostra_luoghi) {
      var Lg = D.luoghi;
      for (var j = 0; j < Lg.id.length; j++) {
        var cat = D.voci.categoria[Lg.categoria[j]] || { colore: '#555' };
        var ic = L.divIcon({
          className: 'mappe-luogo',
          html: '<span class="mappe-luogo-punto" style="background:' + cat.colore + '"></span>' +
            '<span class="mappe-luogo-nome"></span>',
          iconSize: null, iconAnchor: [7, 7]
        });
        var m = L.marker([Lg.y[j], Lg.x[j]], { icon: ic, title: Lg.nome[j], keyboard: true, zIndexOffset: -1000 });
        m.on('add', (function (nome) {
          return function (ev) {
            var e = ev.target.getElement();
            if (e) e.querySelector('.mappe-luogo-nome').textContent = nome;
          };
        })(Lg.nome[j]));
        m.bindPopup((function (k) { return function () { return schedaLuogo(k); }; })(j), { maxWidth: 320 });
        gruppoLuoghi.addLayer(m);
      }
    }

    var temaScelto = '';

    function riempi() {
      tipi.forEach(function (tipo) {
        var punti = [], altri = [];
        elementi[tipo].forEach(function (e) {
          if (temaScelto && C.tema[e.i] !== temaScelto) return;
          (e.punto ? punti : altri).push(e.strato);
        });
        if (usaCluster) {
          cluster[tipo].clearLayers();
          gruppi[tipo].eachLayer(function (s) { if (s !== cluster[tipo]) gruppi[tipo].removeLayer(s); });
          cluster[tipo].addLayers(punti);
        } else {
          gruppi[tipo].clearLayers();
          punti.forEach(function (s) { gruppi[tipo].addLayer(s); });
        }
        altri.forEach(function (s) { gruppi[tipo].addLayer(s); });
      });
      aggiornaSenzaLuogo();
      aggiornaConteggi();
    }

    tipi.forEach(function (tipo) { gruppi[tipo].addTo(map); });
    gruppoLuoghi.addTo(map);

    // --- Controls: title, legend with switches, theme filter, places without location, credits.
    var Titolo = L.Control.extend({
      options: { position: 'topleft' },
      onAdd: function () {
        var d = el('div', 'mappe-titolo-mappa');
        if (D.interna) d.appendChild(el('div', 'mappe-interna', T.uso_interno));
        if (D.esempio) d.appendChild(el('div', 'mappe-esempio', T.dati_esempio));
        d.appendChild(el('h1', null, D.titolo));
        d.appendChild(el('p', 'mappe-sottotitolo', D.sottotitolo));
        d.appendChild(el('p', 'mappe-didascalia', D.didascalia));
        L.DomEvent.disableClickPropagation(d);
        return d;
      }
    });
    map.addControl(new Titolo());

    var conteggi = {};
    function aggiornaConteggi() {
      tipi.forEach(function (tipo) {
        var k = 0;
        elementi[tipo].forEach(function (e) { if (!temaScelto || C.tema[e.i] === temaScelto) k++; });
        if (conteggi[tipo]) conteggi[tipo].textContent = '(' + k + ')';
      });
    }

    var Legenda = L.Control.extend({
      options: { position: 'topright' },
      onAdd: function () {
        var d = el('div', 'mappe-legenda');
        d.setAttribute('role', 'region');
        d.setAttribute('aria-label', T.legenda);
        d.appendChild(el('h2', null, T.legenda));
        function interruttore(chiave, etichetta, simbolo, gruppo, acceso) {
          var lab = el('label', 'mappe-voce mappe-voce-' + chiave);
          var cb = el('input');
          cb.type = 'checkbox';
          cb.checked = acceso;
          cb.setAttribute('data-strato', chiave);
          cb.addEventListener('change', function () {
            if (cb.checked) map.addLayer(gruppo); else map.removeLayer(gruppo);
          });
          lab.appendChild(cb);
          if (simbolo) lab.appendChild(simbolo);
          lab.appendChild(el('span', 'mappe-voce-nome', etichetta));
          var c = el('span', 'mappe-conteggio');
          lab.appendChild(c);
          d.appendChild(lab);
          return c;
        }
        tipi.forEach(function (tipo) {
          var t = D.voci.tipo[tipo] || {};
          conteggi[tipo] = interruttore(tipo, t.label || tipo, simboloSvg(t.forma, t.colore, 20), gruppi[tipo], true);
        });
        if (D.mostra_luoghi && D.luoghi.id.length) {
          var pl = el('span', 'mappe-luogo-punto mappe-luogo-legenda');
          var cl = interruttore('luoghi', T.luoghi, pl, gruppoLuoghi, true);
          cl.textContent = '(' + D.luoghi.id.length + ')';
        }
        // Theme filter
        var f = el('label', 'mappe-filtro');
        f.appendChild(el('span', null, T.tema + ' '));
        var sel = el('select');
        sel.setAttribute('data-filtro', 'tema');
        var o = el('option', null, T.tutti_i_temi);
        o.value = '';
        sel.appendChild(o);
        D.ordine_temi.forEach(function (tema) {
          var op = el('option', null, voce(D, 'tema', tema));
          op.value = tema;
          sel.appendChild(op);
        });
        sel.addEventListener('change', function () { temaScelto = sel.value; map.closePopup(); riempi(); });
        f.appendChild(sel);
        d.appendChild(f);
        // Optional online basemap
        var lb = el('label', 'mappe-voce mappe-voce-sfondo');
        var cbs = el('input');
        cbs.type = 'checkbox';
        cbs.setAttribute('data-strato', 'sfondo');
        cbs.addEventListener('change', function () {
          if (cbs.checked) {
            if (!sfondo) {
              sfondo = L.tileLayer(D.tile_url, { maxZoom: 19 });
            }
            sfondo.addTo(map);
            sfondo.bringToBack();
          } else if (sfondo) {
            map.removeLayer(sfondo);
          }
          osm.style.display = cbs.checked ? '' : 'none';
        });
        lb.appendChild(cbs);
        lb.appendChild(el('span', 'mappe-voce-nome', T.sfondo_online));
        d.appendChild(lb);
        L.DomEvent.disableClickPropagation(d);
        L.DomEvent.disableScrollPropagation(d);
        return d;
      }
    });
    map.addControl(new Legenda());

    var boxSenza = null, listaSenza = null, titoloSenza = null;
    function aggiornaSenzaLuogo() {
      if (!boxSenza) return;
      listaSenza.textContent = '';
      var k = 0;
      senzaLuogo.forEach(function (i) {
        if (temaScelto && C.tema[i] !== temaScelto) return;
        if (!map.hasLayer(gruppi[C.tipo[i]])) return;
        var li = el('li');
        li.appendChild(scheda(i));
        listaSenza.appendChild(li);
        k++;
      });
      titoloSenza.textContent = T.senza_luogo + ' (' + k + ')';
      boxSenza.style.display = k ? '' : 'none';
    }
    if (senzaLuogo.length) {
      var Senza = L.Control.extend({
        options: { position: 'bottomleft' },
        onAdd: function () {
          boxSenza = el('details', 'mappe-senza-luogo');
          titoloSenza = el('summary');
          boxSenza.appendChild(titoloSenza);
          boxSenza.appendChild(el('p', 'mappe-nota', T.senza_luogo_spiega));
          listaSenza = el('ul');
          boxSenza.appendChild(listaSenza);
          L.DomEvent.disableClickPropagation(boxSenza);
          L.DomEvent.disableScrollPropagation(boxSenza);
          return boxSenza;
        }
      });
      map.addControl(new Senza());
      map.on('layeradd layerremove', function () { aggiornaSenzaLuogo(); });
    }

    var osm;
    var Crediti = L.Control.extend({
      options: { position: 'bottomright' },
      onAdd: function () {
        var d = el('div', 'mappe-crediti');
        D.crediti.forEach(function (r) { d.appendChild(el('div', null, r)); });
        osm = el('div', 'mappe-crediti-osm', T.crediti_osm);
        osm.style.display = 'none';
        d.appendChild(osm);
        return d;
      }
    });
    map.addControl(new Crediti());
    L.control.scale({ imperial: false, position: 'bottomright' }).addTo(map);

    riempi();
    map.fire('mappe:pronta');
    document.documentElement.setAttribute('data-mappe-pronta', '1');
  }

  window.Mappe = { avvia: avvia };
})();
