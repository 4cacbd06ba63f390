/* mappe: builds a community map in the browser from one compact data block.
 *
 * Every text written by a person (participants, visitors) is put in the page with
 * textContent, never as HTML. Popups and list cards are built when shown; markers share
 * one icon per kind and size; many points are clustered. The same code serves a comune
 * map and an exhibition (views, feedback from visitors, kiosk mode). */
(function () {
  'use strict';

  var U = window.MappeUtili;
  var el = U.el, elSvg = U.elSvg, bottone = U.bottone, colore = U.colore, pulisci = U.pulisci, uuid = U.uuid;
  var IconaNodo = U.IconaNodo;
  var SVG = 'http://www.w3.org/2000/svg';
  var PER_PAGINA = 30;

  // The path of each shape in a 24x24 box: kinds differ by shape, not only by colour.
  var FORME = {
    triangolo: 'M12 2 L22.5 20.5 L1.5 20.5 Z',
    cerchio: 'M12 2 A10 10 0 1 1 11.99 2 Z',
    quadrato: 'M3 3 H21 V21 H3 Z',
    rombo: 'M12 1 L23 12 L12 23 L1 12 Z',
    cuore: 'M12 21 C5 15.5 1.5 12 1.5 7.5 C1.5 4.5 4 2.5 6.8 2.5 C9 2.5 11 4 12 6 C13 4 15 2.5 17.2 2.5 C20 2.5 22.5 4.5 22.5 7.5 C22.5 12 19 15.5 12 21 Z',
    stella: 'M12 1.5 L14.9 8.6 L22.5 9.2 L16.7 14.1 L18.5 21.5 L12 17.5 L5.5 21.5 L7.3 14.1 L1.5 9.2 L9.1 8.6 Z'
  };
  // Pictograms of the places of a community (24x24, drawn for mappe), by the catalogue's "icona".
  var PITTOGRAMMI = {
    casa: 'M4 11 L12 4 L20 11 V20 H14 V14 H10 V20 H4 Z',
    negozio: 'M3 9 L5 4 H19 L21 9 Z M5 10 H19 V20 H14 V14 H10 V20 H5 Z',
    tazza: 'M5 8 H17 V12 A5 5 0 0 1 12 17 H10 A5 5 0 0 1 5 12 Z M17 9 H18.5 A2.5 2.5 0 0 1 18.5 14 H17 V12.5 H18.2 A1 1 0 0 0 18.2 10.5 H17 Z M4 19 H18 V20.5 H4 Z',
    edificio: 'M3 9 L12 3 L21 9 Z M5 10 H7.5 V18 H5 Z M10.75 10 H13.25 V18 H10.75 Z M16.5 10 H19 V18 H16.5 Z M3 19 H21 V21 H3 Z',
    libro: 'M3 5 C6 4 9 4 11.3 6 V20 C9 18 6 18 3 19 Z M12.7 6 C15 4 18 4 21 5 V19 C18 18 15 18 12.7 20 Z',
    scuola: 'M12 3 L22 8 L12 13 L2 8 Z M6 10.5 V15 C8 17 16 17 18 15 V10.5 L12 13.5 Z',
    piazza: 'M3 3 H21 V21 H3 Z M12 8 A4 4 0 1 0 12.01 8 Z',
    albero: 'M12 2 C16 2 19 6 18 10 C20 12 18 16 14 15 V21 H10 V15 C6 16 4 12 6 10 C5 6 8 2 12 2 Z',
    mani: 'M12 21 C5 15.5 1.5 12 1.5 7.5 C1.5 4.5 4 2.5 6.8 2.5 C9 2.5 11 4 12 6 C13 4 15 2.5 17.2 2.5 C20 2.5 22.5 4.5 22.5 7.5 C22.5 12 19 15.5 12 21 Z',
    chiesa: 'M11 1.5 H13 V4.5 H16 V6.5 H13 V8.5 L19 12.5 V21 H14 V17 A2 2 0 0 0 10 17 V21 H5 V12.5 L11 8.5 V6.5 H8 V4.5 H11 Z',
    treno: 'M6 3 H18 A2 2 0 0 1 20 5 V16 A2 2 0 0 1 18 18 L20 21 H17.5 L15.5 18 H8.5 L6.5 21 H4 L6 18 A2 2 0 0 1 4 16 V5 A2 2 0 0 1 6 3 Z M6.5 6 V11 H17.5 V6 Z',
    punto: 'M12 5 A7 7 0 1 1 11.99 5 Z'
  };


  // The symbol of a kind, as an SVG node (markers share one per kind and size, and copy it).
  function simboloSvg(forma, col, lato) {
    var s = elSvg('svg', { viewBox: '0 0 24 24', width: lato, height: lato, 'aria-hidden': 'true', focusable: 'false' });
    s.appendChild(elSvg('path', { d: FORME[forma] || FORME.cerchio, fill: colore(col), stroke: '#ffffff',
      'stroke-width': '2' }));
    return s;
  }

  // A place: its pictogram in a round badge, and its name, always visible.
  function simboloLuogo(pitto, col, lato, nome) {
    var f = document.createDocumentFragment();
    var punto = el('span', 'mappe-luogo-punto');
    punto.style.width = lato + 'px';
    punto.style.height = lato + 'px';
    var s = elSvg('svg', { viewBox: '0 0 24 24', width: lato - 8, height: lato - 8, 'aria-hidden': 'true',
      focusable: 'false' });
    s.appendChild(elSvg('path', { 'fill-rule': 'evenodd', fill: colore(col), d: pitto }));
    punto.appendChild(s);
    f.appendChild(punto);
    f.appendChild(el('span', 'mappe-luogo-nome', nome));
    return f;
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

  /* ---------- The compact data block (see rendi/mappa.py) back into plain columns ---------- */
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
    ['tipo', 'tema', 'emozione', 'fascia_eta', 'titolo', 'testo', 'epoca', 'incontro', 'luogo', 'peso',
      'sensibile', 'comune', 'id'].forEach(function (k) { C[k] = espandi(P[k], n); });
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

  function avvia(map, D) {
    var T = D.testi;
    var segna = function (nome) { if (window.performance && performance.mark) performance.mark('mappe:' + nome); };
    segna('inizio');
    var C = decodifica(D.contributi);
    segna('decodificati');
    var n = C.n;
    var tipi = D.ordine_tipi;
    var gruppi = {}, elementi = {}, cluster = {}, marcatori = {};
    var usaCluster = typeof L.markerClusterGroup === 'function' && D.n_punti > D.soglia_cluster;
    var icone = {};
    // Feedback kept in the browser, encrypted (raccolta.js); without WebCrypto the page collects none.
    var raccolta = D.raccolta ? new window.MappeRaccolta.Raccolta(D) : null;
    if (raccolta && !raccolta.attiva) raccolta = null;
    var contaId = 0;
    function nuovoId(prefisso) { contaId += 1; return 'mappe-' + prefisso + '-' + contaId; }

    // markercluster needs a maximum zoom even when no tile layer sets one.
    if (map.options.maxZoom === undefined) map.setMaxZoom(19);
    if (map.options.minZoom === undefined) map.setMinZoom(8);
    if (D.chiosco) document.documentElement.classList.add('mappe-chiosco');
    document.documentElement.classList.add(D.stile === 'classico' ? 'mappe-stile-classico' : 'mappe-stile-comunita');
    if (map.zoomControl) {
      map.removeControl(map.zoomControl);
      L.control.zoom({ zoomInTitle: D.testi.ingrandisci, zoomOutTitle: D.testi.riduci }).addTo(map);
    }
    map.on('popupopen', function (ev) {
      var x = ev.popup.getElement() && ev.popup.getElement().querySelector('.leaflet-popup-close-button');
      if (x) { x.setAttribute('aria-label', D.testi.chiudi); x.setAttribute('title', D.testi.chiudi); }
    });

    function voce(vocabolario, codice) {
      var v = D.voci[vocabolario] && D.voci[vocabolario][codice];
      return v ? v.label : (codice || '');
    }
    var timerAnnuncio = null;
    function annuncia(testo) {
      // read by screen readers, and shown for a few seconds to everybody else
      var a = document.getElementById('mappe-annuncio');
      if (!a) return;
      a.textContent = '';
      a.classList.remove('mappe-annuncio-visibile');
      window.setTimeout(function () { a.textContent = testo; a.classList.add('mappe-annuncio-visibile'); }, 30);
      if (timerAnnuncio) window.clearTimeout(timerAnnuncio);
      timerAnnuncio = window.setTimeout(function () { a.classList.remove('mappe-annuncio-visibile'); }, 4000);
    }

    /* ---------- State: view, kinds switched on, theme ---------- */
    function statoVista(k) {
      var v = D.viste[k];
      var s = { vista: k, tema: '', accesi: {}, luoghi: v.luoghi };
      tipi.forEach(function (t) { s.accesi[t] = v.tipi.indexOf(t) >= 0; });
      return s;
    }
    var stato = statoVista(0);

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
    var sfondo = null;

    function icona(tipo, peso, emozione, accanto) {
      var classe = peso >= 5 ? 3 : (peso >= 2 ? 2 : 1);
      var em = (tipo === 'emozione' && D.voci.emozione[emozione]) ? emozione : '';
      var k = tipo + classe + em + (accanto ? '+' : '');
      if (!icone[k]) {
        var t = D.voci.tipo[tipo] || {};
        var lato = 18 + 6 * classe;
        // feelings take the colour of the feeling: warm (loved, safe) to cold (fear, neglect)
        var col = em ? D.voci.emozione[em].colore : t.colore;
        icone[k] = new IconaNodo({
          className: 'mappe-simbolo mappe-simbolo-' + tipo,
          modello: simboloSvg(t.forma, col, lato),
          iconSize: [lato, lato],
          // said about a place: drawn beside its pictogram, which stays visible and clickable
          iconAnchor: accanto ? [lato / 2 - 16, lato / 2 + 14] : [lato / 2, lato / 2],
          popupAnchor: accanto ? [16, -lato / 2 - 14] : [0, -lato / 2]
        });
      }
      return icone[k];
    }

    /* ---------- Cards: the words first, then the details, then the feedback ---------- */
    function riga(cont, etichetta, valore) {
      if (!valore) return;
      var p = el('p', 'mappe-meta');
      p.appendChild(el('span', 'mappe-meta-nome', etichetta + ': '));
      p.appendChild(el('span', null, valore));
      cont.appendChild(p);
    }

    // what visitors left here and the staff has not downloaded yet (after that, it comes back
    // in the data, once approved: counting it twice would inflate the numbers)
    // A visitor's text box: label, 300 characters at most, the privacy notice, the send button.
    function testoDaInviare(form, prefisso, etichetta) {
      var idA = nuovoId(prefisso);
      var lab = el('label', null, etichetta);
      lab.setAttribute('for', idA);
      var area = el('textarea');
      area.id = idA;
      area.maxLength = 300;
      area.rows = 3;
      form.appendChild(lab);
      form.appendChild(area);
      form.appendChild(el('p', 'mappe-informativa', D.informativa));
      var invia = el('button', 'mappe-invia', T.invia);
      invia.type = 'submit';
      form.appendChild(invia);
      return area;
    }

    function localiPer(su) {
      return raccolta ? raccolta.locali(su) : [];
    }

    function blocco_riscontri(cont, su, comune, approvati) {
      approvati = approvati || { r: {}, c: [] };
      var reazioni = Object.keys(D.voci.reazione || {}).filter(function (k) { return !D.voci.reazione[k].suggerimento; });
      if (raccolta) {
        var gruppo = el('div', 'mappe-reazioni');
        gruppo.setAttribute('role', 'group');
        var idT = nuovoId('reagisci');
        var tit = el('p', 'mappe-reagisci', T.reagisci);
        tit.id = idT;
        gruppo.setAttribute('aria-labelledby', idT);
        cont.appendChild(tit);
        reazioni.forEach(function (k) {
          var b = bottone('mappe-reazione mappe-reazione-' + k);
          b.setAttribute('data-reazione', k);
          var nome = el('span', null, voce('reazione', k));
          var conto = el('span', 'mappe-reazione-conto');
          function aggiorna() {
            var locali = localiPer(su).filter(function (r) { return r.reazione === k; }).length;
            conto.textContent = String((approvati.r[k] || 0) + locali);
          }
          aggiorna();
          b.appendChild(nome);
          b.appendChild(conto);
          b.addEventListener('click', function () {
            raccolta.aggiungi({ id: uuid(), su: su, comune: D.comuni[comune].slug, reazione: k, commento: '',
              data: new Date().toISOString(), mostra: D.mostra_id });
            aggiorna();
            b.disabled = true;
            window.setTimeout(function () { b.disabled = false; }, 1200);
            annuncia(T.grazie);
          });
          gruppo.appendChild(b);
        });
        cont.appendChild(gruppo);
      } else {
        var fatti = reazioni.filter(function (k) { return approvati.r[k]; });
        if (fatti.length) {
          var p = el('p', 'mappe-reazioni-contate');
          p.textContent = fatti.map(function (k) { return voce('reazione', k) + ' ' + approvati.r[k]; }).join(' · ');
          cont.appendChild(p);
        }
      }
      if (approvati.c.length) {
        var sez = el('div', 'mappe-commenti');
        sez.appendChild(el('p', 'mappe-commenti-titolo', T.commenti));
        var ul = el('ul');
        approvati.c.forEach(function (c) { ul.appendChild(el('li', null, c)); });
        sez.appendChild(ul);
        cont.appendChild(sez);
      }
      if (raccolta) {
        var dett = el('details', 'mappe-commenta');
        dett.appendChild(el('summary', null, T.commenta));
        var form = el('form');
        var area = testoDaInviare(form, 'commento', T.il_tuo_commento);
        var attesa = el('p', 'mappe-nota mappe-in-attesa');
        function aggiornaAttesa() {
          var k = localiPer(su).filter(function (r) { return r.commento; }).length;
          attesa.textContent = k ? k + ' ' + (k === 1 ? T.in_attesa_1 : T.in_attesa) : '';
        }
        aggiornaAttesa();
        form.addEventListener('submit', function (ev) {
          ev.preventDefault();
          var testo = pulisci(area.value, 300);
          if (!testo) { annuncia(T.testo_vuoto); area.focus(); return; }
          raccolta.aggiungi({ id: uuid(), su: su, comune: D.comuni[comune].slug, reazione: '', commento: testo,
            data: new Date().toISOString(), mostra: D.mostra_id });
          area.value = '';
          dett.open = false;
          aggiornaAttesa();
          annuncia(T.grazie_commento);
        });
        dett.appendChild(form);
        cont.appendChild(dett);
        cont.appendChild(attesa);
      }
    }

    function scheda(i, nellElenco) {
      var tipo = C.tipo[i];
      var c = el('article', 'mappe-scheda mappe-scheda-' + tipo);
      var testa = el('div', 'mappe-scheda-testa');
      var t = D.voci.tipo[tipo] || {};
      testa.appendChild(simboloSvg(t.forma, t.colore, 16));
      testa.appendChild(el('span', null, voce('tipo', tipo) + ' · ' + voce('tema', C.tema[i])));
      c.appendChild(testa);
      var titolo = C.titolo[i] || voce('tipo', tipo);
      c.appendChild(el(nellElenco ? 'h4' : 'h3', 'mappe-titolo', titolo));
      if (C.testo[i]) c.appendChild(el('blockquote', 'mappe-citazione', C.testo[i]));
      riga(c, T.emozione, voce('emozione', C.emozione[i]));
      riga(c, T.epoca, C.epoca[i]);
      riga(c, T.fascia_eta, voce('fascia_eta', C.fascia_eta[i]));
      if (C.peso[i] > 1) riga(c, T.peso, String(C.peso[i]));
      var inc = C.incontro[i] !== null && D.incontri[C.incontro[i]];
      if (inc) riga(c, T.incontro, inc.data + (inc.luogo ? ' · ' + inc.luogo : ''));
      riga(c, T.luogo, C.luogo[i] !== null ? D.luoghi.nome[C.luogo[i]] : '');
      if (D.comuni.length > 1) riga(c, T.comune, D.comuni[C.comune[i]].nome);
      if (C.g[i] === null) c.appendChild(el('p', 'mappe-nota', T.tutto_il_comune));
      if (C.sensibile[i]) c.appendChild(el('p', 'mappe-nota', T.posizione_spostata));
      if (scopertiSet[i] && D.viste[stato.vista].rete) {
        c.appendChild(el('p', 'mappe-nota mappe-nota-scoperto', T.scoperto.replace('{d}', D.rete.distanza)));
      }
      blocco_riscontri(c, C.id[i], C.comune[i], D.riscontri_c[i]);
      return c;
    }

    function schedaLuogo(j, nellElenco) {
      var Lg = D.luoghi;
      var c = el('article', 'mappe-scheda mappe-scheda-luogo');
      c.appendChild(el('div', 'mappe-scheda-testa', voce('categoria', Lg.categoria[j]) +
        (Lg.ruolo[j] ? ' · ' + voce('ruolo', Lg.ruolo[j]) : '')));
      c.appendChild(el(nellElenco ? 'h4' : 'h3', 'mappe-titolo', Lg.nome[j]));
      if (Lg.descrizione[j]) c.appendChild(el('blockquote', 'mappe-citazione', Lg.descrizione[j]));
      if (D.comuni.length > 1) riga(c, T.comune, D.comuni[Lg.comune[j]].nome);
      var qui = detti[j] || [];
      if (qui.length) {
        var sez = el('div', 'mappe-detti-qui');
        sez.appendChild(el('p', 'mappe-commenti-titolo', T.detti_qui + ' (' + qui.length + ')'));
        var ul = el('ul');
        qui.slice(0, 8).forEach(function (i) {
          var li = el('li');
          var b = bottone('mappe-link', (C.titolo[i] || voce('tipo', C.tipo[i])), function () { vaiSullaMappa(i); });
          li.appendChild(el('span', null, voce('tipo', C.tipo[i]) + ': '));
          li.appendChild(b);
          ul.appendChild(li);
        });
        sez.appendChild(ul);
        c.appendChild(sez);
      }
      blocco_riscontri(c, Lg.id[j], Lg.comune[j], D.riscontri_l[j]);
      return c;
    }

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

    var senzaLuogo = [];
    var detti = {};  // place id -> contributions said about it
    for (var q = 0; q < n; q++) {
      if (C.luogo[q] !== null) (detti[C.luogo[q]] = detti[C.luogo[q]] || []).push(q);
    }
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
        strato = L.marker([g[1], g[0]], { icon: icona(tipo, C.peso[i], C.emozione[i], accanto), keyboard: true,
          title: C.titolo[i] || voce('tipo', tipo) });
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
      strato.bindPopup((function (k) { return function () { return scheda(k, false); }; })(i), opzioniPopup);
      marcatori[i] = { strato: strato, tipo: tipo, punto: punto };
      elementi[tipo].push({ i: i, strato: strato, punto: punto });
    }

    segna('simboli');
    // Places of the community, with their names always visible.
    var gruppoLuoghi = L.featureGroup();
    var marcatoriLuoghi = [];
    var Lg = D.luoghi;
    for (var j = 0; j < Lg.id.length; j++) {
      var cat = D.voci.categoria[Lg.categoria[j]] || {};
      var ruolo = D.voci.ruolo[Lg.ruolo[j]] || {};
      var lato = ({ 1: 22, 2: 26, 3: 32 })[ruolo.dimensione] || 24;
      var pitto = PITTOGRAMMI[cat.icona] || PITTOGRAMMI.punto;
      var ic = new IconaNodo({
        className: 'mappe-luogo mappe-luogo-' + (Lg.categoria[j] || 'altro'),
        modello: simboloLuogo(pitto, cat.colore, lato, Lg.nome[j]),
        iconSize: null, iconAnchor: [lato / 2, lato / 2], popupAnchor: [0, -lato / 2]
      });
      var m = L.marker([Lg.y[j], Lg.x[j]], { icon: ic, title: Lg.nome[j], keyboard: true, zIndexOffset: -1000 });
      m.bindPopup((function (k) { return function () { return schedaLuogo(k, false); }; })(j), opzioniPopup);
      gruppoLuoghi.addLayer(m);
      marcatoriLuoghi.push(m);
    }

    // Names of places stay readable: where two would overlap, the one drawn later is hidden.
    function sistemaEtichette() {
      var prese = [];
      marcatoriLuoghi.forEach(function (m) {
        var e = m.getElement && m.getElement();
        if (!e) return;
        var nome = e.querySelector('.mappe-luogo-nome');
        if (!nome) return;
        nome.style.visibility = '';
        var r = nome.getBoundingClientRect();
        var copre = prese.some(function (p) {
          return r.left < p.right && r.right > p.left && r.top < p.bottom && r.bottom > p.top;
        });
        if (copre) nome.style.visibility = 'hidden'; else prese.push(r);
      });
    }
    map.on('zoomend moveend', sistemaEtichette);

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
          c.appendChild(el('h3', 'mappe-titolo', voce('reazione', S.reazione[k])));
          c.appendChild(el('blockquote', 'mappe-citazione', S.commento[k]));
          return c;
        };
      })(s), opzioniPopup);
      gruppoSegnalazioni.addLayer(ms);
    }
    if (S.x.length) gruppoSegnalazioni.addTo(map);

    // The network of needs and answers (the "rete" view)
    var gruppoRete = L.featureGroup(), scopertiSet = {};
    if (D.rete) D.rete.scoperti.forEach(function (i) { scopertiSet[i] = true; });
    function centro(i) {
      var m = marcatori[i];
      if (!m) return null;
      return m.punto ? m.strato.getLatLng() : m.strato.getBounds().getCenter();
    }
    function disegnaRete() {
      gruppoRete.clearLayers();
      if (!D.rete || !D.viste[stato.vista].rete) { map.removeLayer(gruppoRete); return; }
      function linea(coppia, classe, tratteggio) {
        if (!visibile(coppia[0]) || !visibile(coppia[1])) return;
        var a = centro(coppia[0]), b = centro(coppia[1]);
        if (!a || !b) return;
        L.polyline([a, b], { color: '#2c2c2c', weight: 2, opacity: 0.75, dashArray: tratteggio, interactive: false,
          className: 'mappe-collegamento ' + classe }).addTo(gruppoRete);
      }
      D.rete.esplicite.forEach(function (p) { linea(p, 'mappe-collegamento-dichiarato', null); });
      D.rete.suggerite.forEach(function (p) { linea(p, 'mappe-collegamento-vicino', '5 6'); });
      D.rete.scoperti.forEach(function (i) {
        var a = visibile(i) && centro(i);
        if (a) {
          L.circleMarker(a, { radius: 19, color: '#a93226', weight: 3, dashArray: '4 3', fill: false,
            interactive: false, className: 'mappe-scoperto' }).addTo(gruppoRete);
        }
      });
      map.addLayer(gruppoRete);
    }

    function visibile(i) {
      return stato.accesi[C.tipo[i]] && (!stato.tema || C.tema[i] === stato.tema);
    }

    // "Drawn": every cluster group has loaded all its markers (they load in chunks).
    var inCorso = {};
    function forseDisegnata() {
      var occupati = tipi.some(function (t) { return inCorso[t]; });
      if (!occupati) document.documentElement.setAttribute('data-mappe-disegnata', '1');
    }

    var riempitoCon = {};  // kind -> theme filter its group was filled with
    function riempi() {
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

    /* ---------- Header: title, banners, views, the action to add something ---------- */
    var testata = document.getElementById('mappe-testata');
    var didascalia, titoloH1, bottoniViste = [];
    (function () {
      var d = el('div', 'mappe-titolo-mappa');
      if (D.interna) d.appendChild(el('p', 'mappe-interna', T.uso_interno));
      if (D.esempio) d.appendChild(el('p', 'mappe-esempio', T.dati_esempio));
      titoloH1 = el('h1', null, D.titolo);
      d.appendChild(titoloH1);
      d.appendChild(el('p', 'mappe-sottotitolo', D.sottotitolo));
      didascalia = el('p', 'mappe-didascalia', D.viste[0].didascalia);
      d.appendChild(didascalia);
      testata.appendChild(d);
      if (D.viste.length > 1) {
        var nav = el('nav', 'mappe-viste');
        nav.setAttribute('aria-label', T.viste);
        D.viste.forEach(function (v, k) {
          var b = bottone('mappe-vista', v.titolo, function () { cambiaVista(k); });
          b.setAttribute('data-vista', v.nome);
          b.setAttribute('aria-pressed', k === 0 ? 'true' : 'false');
          bottoniViste.push(b);
          nav.appendChild(b);
        });
        testata.appendChild(nav);
      }
      if (D.contatto) {
        var ct = el('p', 'mappe-contatto');
        ct.appendChild(el('strong', null, T.contatti + ': '));
        ct.appendChild(el('span', null, D.contatto));
        testata.appendChild(ct);
      }
    })();

    /* ---------- Map controls: legend with switches, theme filter, basemap ---------- */
    var caselle = {}, conteggi = {}, selTema, casellaLuoghi, legendaRete = null;
    function costruisciLegenda() {
        var d = el('div', 'mappe-legenda');
        d.setAttribute('role', 'region');
        d.setAttribute('aria-label', T.legenda);
        d.appendChild(el('h2', null, T.legenda));
        function interruttore(chiave, etichetta, simbolo, cambia, acceso) {
          var lab = el('label', 'mappe-voce mappe-voce-' + chiave);
          var cb = el('input');
          cb.type = 'checkbox';
          cb.checked = acceso;
          cb.setAttribute('data-strato', chiave);
          cb.addEventListener('change', function () { cambia(cb.checked); });
          lab.appendChild(cb);
          if (simbolo) lab.appendChild(simbolo);
          lab.appendChild(el('span', 'mappe-voce-nome', etichetta));
          var c = el('span', 'mappe-conteggio');
          lab.appendChild(c);
          d.appendChild(lab);
          return { casella: cb, conteggio: c };
        }
        tipi.forEach(function (tipo) {
          var t = D.voci.tipo[tipo] || {};
          var x = interruttore(tipo, t.label || tipo, simboloSvg(t.forma, t.colore, 20),
            function (on) { stato.accesi[tipo] = on; applica(); }, stato.accesi[tipo]);
          caselle[tipo] = x.casella;
          conteggi[tipo] = x.conteggio;
        });
        if (Lg.id.length) {
          var pl = el('span', 'mappe-luogo-punto mappe-luogo-legenda');
          var xl = interruttore('luoghi', T.luoghi, pl, function (on) { stato.luoghi = on; applica(); }, stato.luoghi);
          casellaLuoghi = xl.casella;
          xl.conteggio.textContent = '(' + Lg.id.length + ')';
        }
        if (S.x.length) {
          var xs = interruttore('segnalazioni', T.segnalazioni, null, function (on) {
            if (on) map.addLayer(gruppoSegnalazioni); else map.removeLayer(gruppoSegnalazioni);
          }, true);
          xs.conteggio.textContent = '(' + S.x.length + ')';
        }
        if (tipi.indexOf('emozione') >= 0 && D.voci.emozione) {
          // the palette of feelings, explained in words
          var em = el('div', 'mappe-legenda-emozioni');
          em.appendChild(el('p', 'mappe-nota', T.emozioni_spiega));
          var barra = el('div', 'mappe-emozioni-barra');
          Object.keys(D.voci.emozione).forEach(function (k) {
            var c = el('span', 'mappe-emozione-voce');
            var q = el('span', 'mappe-campione');
            q.style.background = colore(D.voci.emozione[k].colore);
            c.appendChild(q);
            c.appendChild(el('span', null, D.voci.emozione[k].label));
            barra.appendChild(c);
          });
          em.appendChild(barra);
          d.appendChild(em);
        }
        if (D.rete) {
          var spiega = el('p', 'mappe-nota mappe-legenda-rete');
          legendaRete = spiega;
          spiega.textContent = T.collegamenti + ': ' + D.rete.esplicite.length + ' · ' + T.scoperti + ': ' +
            D.rete.scoperti.length;
          d.appendChild(spiega);
        }
        var f = el('label', 'mappe-filtro');
        f.appendChild(el('span', null, T.tema + ' '));
        selTema = el('select');
        selTema.setAttribute('data-filtro', 'tema');
        var o = el('option', null, T.tutti_i_temi);
        o.value = '';
        selTema.appendChild(o);
        D.ordine_temi.forEach(function (tema) {
          var op = el('option', null, voce('tema', tema));
          op.value = tema;
          selTema.appendChild(op);
        });
        selTema.addEventListener('change', function () { stato.tema = selTema.value; map.closePopup(); applica(); });
        f.appendChild(selTema);
        d.appendChild(f);
        var lb = el('label', 'mappe-voce mappe-voce-sfondo');
        var cbs = el('input');
        cbs.type = 'checkbox';
        cbs.setAttribute('data-strato', 'sfondo');
        cbs.addEventListener('change', function () {
          if (cbs.checked) {
            if (!sfondo) sfondo = L.tileLayer(D.tile_url, { maxZoom: 19 });
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
        return d;
    }
    // The legend sits beside the map, above the list, so that it never covers the map.
    var comandi = document.getElementById('mappe-comandi');
    if (comandi) {
      comandi.appendChild(costruisciLegenda());
    } else {
      var Legenda = L.Control.extend({
        options: { position: 'topright' },
        onAdd: function () {
          var d = costruisciLegenda();
          L.DomEvent.disableClickPropagation(d);
          L.DomEvent.disableScrollPropagation(d);
          return d;
        }
      });
      map.addControl(new Legenda());
    }

    var boxSenza = null, listaSenza = null, titoloSenza = null;
    if (senzaLuogo.length) {
      var Senza = L.Control.extend({
        options: { position: 'topleft' },
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
    }
    function aggiornaSenzaLuogo() {
      if (!boxSenza) return;
      listaSenza.textContent = '';
      var k = 0;
      senzaLuogo.forEach(function (i) {
        if (!visibile(i)) return;
        var li = el('li');
        li.appendChild(scheda(i, true));
        listaSenza.appendChild(li);
        k++;
      });
      titoloSenza.textContent = T.senza_luogo + ' (' + k + ')';
      boxSenza.style.display = k ? '' : 'none';
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
        if (raccolta) {
          d.appendChild(bottone('mappe-personale', T.personale, apriPersonale));
        }
        L.DomEvent.disableClickPropagation(d);
        return d;
      }
    });
    map.addControl(new Crediti());
    L.control.scale({ imperial: false, position: 'bottomright' }).addTo(map);
    if (D.stile === 'classico') {
      var casellaSfondo = document.querySelector('input[data-strato=sfondo]');
      if (casellaSfondo) { casellaSfondo.checked = true; casellaSfondo.dispatchEvent(new Event('change')); }
    }

    /* ---------- The list beside the map: same data, grouped by theme ---------- */
    var elenco = document.getElementById('mappe-lista');
    var pannello = document.getElementById('mappe-elenco');
    var mostrati = {};
    function vaiSullaMappa(i) {
      var m = marcatori[i];
      if (!m) return;
      var apri = function () { m.strato.openPopup(); };
      if (m.punto && usaCluster) {
        cluster[m.tipo].zoomToShowLayer(m.strato, apri);
      } else if (m.punto) {
        map.setView(m.strato.getLatLng(), Math.max(map.getZoom(), 16));
        apri();
      } else {
        map.fitBounds(m.strato.getBounds(), { maxZoom: 17 });
        apri();
      }
      var mappaEl = map.getContainer();
      if (mappaEl.scrollIntoView) mappaEl.scrollIntoView({ block: 'nearest' });
    }
    function rendiElenco() {
      if (!elenco) return;
      elenco.textContent = '';
      var h = el('h2', null, T.elenco);
      h.id = 'mappe-elenco-titolo';
      elenco.appendChild(h);
      elenco.appendChild(el('p', 'mappe-nota', T.elenco_spiega));
      var perTema = {};
      for (var i = 0; i < n; i++) {
        if (!visibile(i)) continue;
        (perTema[C.tema[i]] = perTema[C.tema[i]] || []).push(i);
      }
      var temi = D.ordine_temi.filter(function (t) { return perTema[t]; });
      if (!temi.length) {
        var accesi = tipi.some(function (t) { return stato.accesi[t]; });
        elenco.appendChild(el('p', 'mappe-nota', stato.tema ? T.nessuno : (accesi ? T.nessuno_ancora : T.solo_luoghi)));
      }
      temi.forEach(function (tema) {
        var sez = el('section', 'mappe-elenco-tema');
        var idH = nuovoId('tema');
        var h3 = el('h3', null, voce('tema', tema) + ' (' + perTema[tema].length + ')');
        h3.id = idH;
        sez.setAttribute('aria-labelledby', idH);
        sez.setAttribute('data-tema', tema);
        sez.appendChild(h3);
        var ul = el('ul');
        sez.appendChild(ul);
        var quanti = 0;
        function altri() {
          var fino = Math.min(perTema[tema].length, quanti + PER_PAGINA);
          for (; quanti < fino; quanti++) {
            var k = perTema[tema][quanti];
            var li = el('li');
            li.appendChild(scheda(k, true));
            if (C.g[k] !== null) {
              li.firstChild.appendChild(bottone('mappe-sulla-mappa', T.sulla_mappa,
                (function (x) { return function () { vaiSullaMappa(x); }; })(k)));
            }
            ul.appendChild(li);
          }
          if (quanti < perTema[tema].length) {
            piu.textContent = T.mostra_altri + ' (' + (perTema[tema].length - quanti) + ')';
            sez.appendChild(piu);
          } else if (piu.parentNode) {
            piu.parentNode.removeChild(piu);
          }
        }
        var piu = bottone('mappe-mostra-altri', '', function () {
          var primo = quanti;
          altri();
          var nuovo = ul.children[primo];
          if (nuovo) { var b = nuovo.querySelector('h4'); if (b) { b.tabIndex = -1; b.focus(); } }
        });
        altri();
        elenco.appendChild(sez);
      });
      if (stato.luoghi && Lg.id.length) {
        var sl = el('section', 'mappe-elenco-tema mappe-elenco-luoghi');
        var idL = nuovoId('tema');
        var hl = el('h3', null, T.luoghi + ' (' + Lg.id.length + ')');
        hl.id = idL;
        sl.setAttribute('aria-labelledby', idL);
        sl.appendChild(hl);
        var ull = el('ul');
        for (var j = 0; j < Lg.id.length && j < 200; j++) {
          var li = el('li');
          li.appendChild(schedaLuogo(j, true));
          li.firstChild.appendChild(bottone('mappe-sulla-mappa', T.sulla_mappa, (function (x) {
            return function () {
              map.setView(marcatoriLuoghi[x].getLatLng(), Math.max(map.getZoom(), 16));
              marcatoriLuoghi[x].openPopup();
            };
          })(j)));
          ull.appendChild(li);
        }
        sl.appendChild(ull);
        elenco.appendChild(sl);
      }
    }

    function aggiornaConteggi() {
      tipi.forEach(function (tipo) {
        var k = 0;
        elementi[tipo].forEach(function (e) { if (!stato.tema || C.tema[e.i] === stato.tema) k++; });
        senzaLuogo.forEach(function (i) { if (C.tipo[i] === tipo && (!stato.tema || C.tema[i] === stato.tema)) k++; });
        if (conteggi[tipo]) conteggi[tipo].textContent = '(' + k + ')';
      });
    }

    function applica() {
      segna('applica');
      // Groups go on the map before they are filled: markercluster only loads in chunks then.
      tipi.forEach(function (tipo) {
        if (stato.accesi[tipo]) map.addLayer(gruppi[tipo]); else map.removeLayer(gruppi[tipo]);
        if (caselle[tipo]) caselle[tipo].checked = stato.accesi[tipo];
      });
      riempi();
      segna('riempiti');
      if (stato.luoghi && D.mostra_luoghi) map.addLayer(gruppoLuoghi); else map.removeLayer(gruppoLuoghi);
      if (casellaLuoghi) casellaLuoghi.checked = stato.luoghi;
      if (selTema) selTema.value = stato.tema;
      disegnaRete();
      if (legendaRete) legendaRete.style.display = D.viste[stato.vista].rete ? '' : 'none';
      aggiornaConteggi();
      aggiornaSenzaLuogo();
      segna('conteggi');
      rendiElenco();
      segna('elenco');
    }

    function cambiaVista(k) {
      stato = statoVista(k);
      map.closePopup();
      bottoniViste.forEach(function (b, x) { b.setAttribute('aria-pressed', x === k ? 'true' : 'false'); });
      if (!D.titolo_fisso) titoloH1.textContent = D.viste[k].titolo;
      didascalia.textContent = D.viste[k].didascalia;
      applica();
      annuncia(D.viste[k].titolo);
    }

    /* ---------- Visitors add what is missing: tap the map, describe it ---------- */
    var piazzando = false, avviso = null;
    function finisciPiazzamento() {
      piazzando = false;
      map.getContainer().classList.remove('mappe-piazzando');
      if (avviso && avviso.parentNode) avviso.parentNode.removeChild(avviso);
    }
    if (raccolta) {
      var azioni = el('div', 'mappe-azioni');
      var bAggiungi = bottone('mappe-aggiungi', T.aggiungi, function () {
        map.closePopup();
        piazzando = true;
        map.getContainer().classList.add('mappe-piazzando');
        avviso = el('div', 'mappe-avviso-piazza');
        avviso.setAttribute('role', 'status');
        avviso.appendChild(el('span', null, T.tocca_mappa));
        avviso.appendChild(bottone('mappe-annulla', T.annulla, finisciPiazzamento));
        map.getContainer().parentNode.appendChild(avviso);
        annuncia(T.tocca_mappa);
      });
      azioni.appendChild(bAggiungi);
      testata.appendChild(azioni);
      map.on('click', function (ev) {
        if (!piazzando) return;
        var lon = ev.latlng.lng, lat = ev.latlng.lat;
        var comune = -1;
        D.confini.forEach(function (c, k) { if (comune < 0 && dentro(lon, lat, c.g)) comune = k; });
        if (comune < 0) { annuncia(T.fuori); return; }
        finisciPiazzamento();
        var form = el('form', 'mappe-suggerimento');
        var fs = el('fieldset');
        fs.appendChild(el('legend', null, T.che_cosa));
        var primo = null;
        Object.keys(D.voci.reazione).forEach(function (k) {
          if (!D.voci.reazione[k].suggerimento) return;
          var lab = el('label', 'mappe-scelta');
          var r = el('input');
          r.type = 'radio';
          r.name = 'mappe-cosa';
          r.value = k;
          if (!primo) { primo = r; r.checked = true; }
          lab.appendChild(r);
          lab.appendChild(el('span', null, voce('reazione', k)));
          fs.appendChild(lab);
        });
        form.appendChild(fs);
        var area = testoDaInviare(form, 'suggerimento', T.descrivi);
        var pop = L.popup(opzioniPopup).setLatLng(ev.latlng).setContent(form).openOn(map);
        form.addEventListener('submit', function (e) {
          e.preventDefault();
          var testo = pulisci(area.value, 300);
          if (!testo) { annuncia(T.testo_vuoto); area.focus(); return; }
          var scelta = form.querySelector('input[name=mappe-cosa]:checked');
          raccolta.aggiungi({ id: uuid(), su: '', comune: D.comuni[comune].slug,
            reazione: scelta ? scelta.value : '', commento: testo, data: new Date().toISOString(),
            mostra: D.mostra_id, lon: Math.round(lon * 1e5) / 1e5, lat: Math.round(lat * 1e5) / 1e5 });
          map.closePopup(pop);
          annuncia(T.grazie_commento);
        });
        window.setTimeout(function () { area.focus(); }, 50);
      });
    }

    /* ---------- Staff: download the (encrypted) feedback with the code chosen at export ---------- */
    var dialogo = null;
    var codice = new window.MappeRaccolta.Codice(D);
    function apriPersonale() {
      if (dialogo) { dialogo.parentNode.removeChild(dialogo); }
      dialogo = el('div', 'mappe-dialogo');
      dialogo.setAttribute('role', 'dialog');
      dialogo.setAttribute('aria-modal', 'true');
      var idT = nuovoId('personale');
      dialogo.setAttribute('aria-labelledby', idT);
      var h = el('h2', null, T.personale);
      h.id = idT;
      dialogo.appendChild(h);
      var form = el('form');
      var idP = nuovoId('pin');
      var lab = el('label', null, T.pin);
      lab.setAttribute('for', idP);
      var inp = el('input');
      inp.type = 'password';
      inp.id = idP;
      inp.setAttribute('inputmode', 'numeric');
      inp.setAttribute('autocomplete', 'off');
      form.appendChild(lab);
      form.appendChild(inp);
      var esito = el('p', 'mappe-esito');
      esito.setAttribute('role', 'status');
      var ok = el('button', 'mappe-scarica', T.scarica);
      ok.type = 'submit';
      form.appendChild(ok);
      form.appendChild(bottone('mappe-chiudi', T.chiudi, chiudiDialogo));
      // The code is checked slowly (PBKDF2), and each wrong attempt doubles the wait before the next.
      function conCodice(azione) {
        var attesa = codice.attesa();
        if (attesa > 0) { esito.textContent = T.aspetta.replace('{s}', attesa); return; }
        esito.textContent = T.controllo;
        codice.verifica(inp.value).then(function (giusto) {
          if (!giusto) {
            esito.textContent = T.pin_sbagliato + ' ' + T.aspetta.replace('{s}', codice.attesa());
            inp.value = '';
            inp.focus();
            return;
          }
          azione();
        });
      }
      // everything again (already downloaded included): importing twice adds nothing
      var tutto = bottone('mappe-scarica-tutto', T.scarica_tutto, function () {
        conCodice(function () { raccolta.tutti().then(function (t) { scarica(t, t.length, esito); }); });
      });
      form.appendChild(tutto);
      form.appendChild(esito);
      form.addEventListener('submit', function (ev) {
        ev.preventDefault();
        conCodice(function () {
          Promise.all([raccolta.nuovi(), raccolta.tutti()]).then(function (r) { scarica(r[0], r[1].length, esito); });
        });
      });
      dialogo.appendChild(form);
      document.body.appendChild(dialogo);
      inp.focus();
    }
    // A file of encrypted items: only 'mappe riscontri importa', in the workspace, can read it.
    function scarica(voci, totale, esito) {
      if (!voci.length) { esito.textContent = T.nessun_nuovo; return; }
      var quando = new Date().toISOString();
      var fc = {
        type: 'FeatureCollection',
        mappe_riscontri: { mostra: D.mostra_id, titolo: D.titolo, esportato: quando, cifrati: 1 },
        features: voci.map(function (c) { return { type: 'Feature', properties: { cifrato: c }, geometry: null }; })
      };
      var nome = 'riscontri-' + D.mostra_id + '-' + quando.slice(0, 19).replace(/[:T]/g, '-') + '.geojson';
      var blob = new Blob([JSON.stringify(fc, null, 1)], { type: 'application/geo+json' });
      var a = el('a');
      a.href = URL.createObjectURL(blob);
      a.download = nome;
      document.body.appendChild(a);
      a.click();
      window.setTimeout(function () { URL.revokeObjectURL(a.href); a.parentNode.removeChild(a); }, 1000);
      raccolta.segnaScaricati(totale);
      esito.textContent = voci.length + ' ' + T.scaricati + ' ' + nome;
    }
    function chiudiDialogo() {
      if (dialogo && dialogo.parentNode) dialogo.parentNode.removeChild(dialogo);
      dialogo = null;
    }
    document.addEventListener('keydown', function (ev) {
      if (ev.key === 'Escape') { chiudiDialogo(); finisciPiazzamento(); }
    });

    /* ---------- Kiosk: after a while without a touch, back to the start ---------- */
    if (D.chiosco) {
      var timer = null, ripristini = 0;
      var ripristina = function () {
        chiudiDialogo();
        finisciPiazzamento();
        map.closePopup();
        stato = statoVista(0);
        bottoniViste.forEach(function (b, x) { b.setAttribute('aria-pressed', x === 0 ? 'true' : 'false'); });
        if (!D.titolo_fisso) titoloH1.textContent = D.viste[0].titolo;
        didascalia.textContent = D.viste[0].didascalia;
        Array.prototype.forEach.call(document.querySelectorAll('details[open]'), function (x) { x.open = false; });
        applica();
        inizio();
        if (pannello) pannello.scrollTop = 0;
        window.scrollTo(0, 0);
        ripristini += 1;
        document.documentElement.setAttribute('data-mappe-ripristini', String(ripristini));
      };
      var tocco = function () {
        if (timer) window.clearTimeout(timer);
        timer = window.setTimeout(ripristina, D.attesa_ms);
      };
      ['pointerdown', 'keydown', 'wheel', 'touchstart', 'input'].forEach(function (t) {
        document.addEventListener(t, tocco, { passive: true, capture: true });
      });
      document.addEventListener('pointerdown', function schermoIntero() {
        document.removeEventListener('pointerdown', schermoIntero);
        var r = document.documentElement.requestFullscreen;
        if (r) { try { r.call(document.documentElement).catch(function () {}); } catch (e) { /* not allowed */ } }
      });
      tocco();
    }

    // The header and the list panel are filled: measure the map again and frame the comuni
    // before the markers go in (a later change of zoom would cluster 100,000 points twice).
    map.invalidateSize();
    inizio();
    // Nobody needs to zoom far out of the comuni; every level fewer is less clustering work.
    map.setMinZoom(Math.max(5, map.getZoom() - 3));
    applica();
    sistemaEtichette();
    map.fire('mappe:pronta');
    document.documentElement.setAttribute('data-mappe-pronta', '1');
  }

  window.Mappe = { avvia: avvia, pulisci: pulisci };
})();
