/* mappe, part "seguito": what became of the proposals and needs (the "seguito" view).
 *
 * Owns, on a page whose data carry D.seguito (a page with that view):
 * - M.seguitoDi(i): the status of proposal or need i for its symbol ({chiave, classe}; null for
 *   the other kinds), and M.segnoSeguito(disegno, seguito, lato): the symbol with a ring around it
 *   that fills as the way goes on (avanzamento of the catalogue). The icon carries them in every
 *   view; the page's CSS shows the ring and the colour of the status only under the class
 *   mappe-vista-seguito of the html element, which M.disegnaSeguito() sets in that view;
 * - the initiatives: a badge with a star in their place (a zone drawn as well), a dotted line to
 *   each proposal or need they answer that is in sight, their cards, and their list after the
 *   contributions in the list beside the map;
 * - the legend of the statuses (with a bar of how far each one is and the count in sight);
 * - M.schedaSeguito(card, i, incontro): in a contribution's card, in this view, the badge even
 *   for what is still as it was said, a progress bar, what changed since the day given, and the
 *   initiatives that answer it;
 * - with D.seguito.novita (mappe mostra --dal): the sentence of what changed since that day under
 *   the title, the list of those items above the legend, and a halo on their symbols.
 * Elsewhere M.disegnaSeguito() takes all of it off the map. Reads D.voci.seguito, M.C, M.stato,
 * M.visibile, M.marcatori, M.elementi, M.simboli, M.testata, M.opzioniPopup, M.vaiSullaMappa.
 * Symbols never hide one another for good: where the symbols are gathered (M.simboli) the
 * initiatives are gathered and fanned out with the proposals and needs; where they are not, the
 * symbols of this view said at the very same spot (a need and a proposal at one place, and the
 * initiative there) stand in a small ring around it, joined to it by thin lines.
 * On every map page (with or without this view) a card opened on the map, from a symbol or from
 * a link, is framed whole inside the map once the map has stopped moving: clear of the controls
 * over it (zoom, "Senza luogo", credits), shortened to scroll inside when the map is too low.
 * Every text is textContent. */
(function () {
  'use strict';

  var U = window.MappeUtili;
  var el = U.el, elSvg = U.elSvg, bottone = U.bottone, colore = U.colore;
  var P = window.MappeParti = window.MappeParti || {};
  var DITO = 44;  // CSS pixels: what a finger hits
  var PRIME_NOVITA = 5;
  var VICINO = 14, VICINO_INIZIATIVA = 28;  // pixels: nearer than this, two symbols cover each other  // what changed: the first ones shown, the others a tap away
  var NEUTRO = '#3d3d3d';  // an initiative with no status written

  /* ---------- A card opened on the map is seen whole ---------- */
  var MARGINE = 10, SCOSTO = 6;  // pixels: from the edge of the map; from a control
  function inquadraSchede(M) {
    var map = M.map;
    var fermo = true;  // no pan or zoom under way
    map.on('movestart zoomstart', function () { fermo = false; });
    map.on('moveend zoomend', function () { fermo = true; });
    // Leaflet's own pan knows neither the controls nor a zoom about to start: ours replaces it
    if (M.opzioniPopup) M.opzioniPopup.autoPan = false;
    var turno = 0;
    map.on('popupopen', function (ev) {
      var popup = ev.popup, questo = ++turno;
      function prova() {
        if (questo !== turno || !popup.isOpen() || (M.telefono && M.telefono())) return;
        if (!fermo) { map.once('moveend', function () { window.setTimeout(prova, 0); }); return; }
        inquadra(popup);
      }
      // a zoom asked for with the opening (setView, then openPopup) starts in the next frame
      window.requestAnimationFrame(function () { window.requestAnimationFrame(prova); });
    });

    // The popup inside the map (and the window), beside or under the controls, never below them;
    // taller than the room left, it is shortened to scroll inside, its title at the top.
    function inquadra(popup) {
      var box = popup.getElement(), cont = map.getContainer();
      if (!box) return;
      var m = cont.getBoundingClientRect(), r = box.getBoundingClientRect();
      if (!r.width || !m.width) return;
      var sx = Math.max(m.left, 0) + MARGINE, dx = Math.min(m.right, window.innerWidth) - MARGINE;
      var su = Math.max(m.top, 0) + MARGINE, giu = Math.min(m.bottom, window.innerHeight) - MARGINE;
      var ostacoli = [];
      Array.prototype.forEach.call(cont.querySelectorAll('.leaflet-control-container .leaflet-control'), function (c) {
        var q = c.getBoundingClientRect();
        if (q.width && q.height) ostacoli.push({ q: q, inAlto: !!c.closest('.leaflet-top') });
      });
      var W = r.width, H = r.height;
      function dentro(x) { return Math.max(sx, Math.min(x, dx - W)); }
      // where it could go across: as it is (moved inside), or beside each control
      var dove = [dentro(r.left)];
      ostacoli.forEach(function (o) { dove.push(dentro(o.q.right + SCOSTO), dentro(o.q.left - SCOSTO - W)); });
      var meglio = null;
      dove.forEach(function (x) {
        var alto = su, basso = giu;
        ostacoli.forEach(function (o) {
          if (o.q.right <= x || o.q.left >= x + W) return;
          if (o.inAlto) alto = Math.max(alto, o.q.bottom + SCOSTO); else basso = Math.min(basso, o.q.top - SCOSTO);
        });
        var visto = Math.min(H, basso - alto), costo = Math.abs(x - r.left);
        if (!meglio || visto > meglio.visto + 1 || (visto >= meglio.visto - 1 && costo < meglio.costo)) {
          meglio = { x: x, alto: alto, basso: basso, visto: visto, costo: costo };
        }
      });
      var alto = meglio.alto, basso = meglio.basso, h = H;
      if (H > basso - alto) {
        // the card scrolls inside (it stays fixed at its bottom: its tip on the symbol)
        var contenuto = box.querySelector('.leaflet-popup-content');
        if (contenuto) {
          var prima = contenuto.offsetHeight;
          contenuto.style.height = Math.max(120, prima - (H - (basso - alto))) + 'px';
          contenuto.classList.add('leaflet-popup-scrolled');
          contenuto.scrollTop = 0;
          h = box.getBoundingClientRect().height;
        }
      }
      var sopra = h > basso - alto ? alto : Math.max(alto, Math.min(r.bottom - h, basso - h));
      var ox = Math.round(r.left - meglio.x), oy = Math.round(r.bottom - (sopra + h));
      if (ox || oy) map.panBy([ox, oy]);
    }
  }

  P.seguito = function (M) {
    var map = M.map, D = M.D, T = M.T, S = D.seguito, voce = M.voce;
    M.disegnaSeguito = function () {};
    inquadraSchede(M);
    if (!S) return;
    var C = M.C;
    var X = T;  // (the texts of this view are in the page's message catalogues)
    var voci = D.voci.seguito || {};
    var ordine = Object.keys(voci);
    var I = S.iniziative, nI = I.nome.length;
    var conStato = {};
    S.tipi.forEach(function (t) { conStato[t] = true; });
    var novita = S.novita;
    var nuovi = {}, nuoveIniziative = {};
    if (novita) {
      novita.contributi.forEach(function (r) { nuovi[r[0]] = r; });
      novita.iniziative.forEach(function (r) { (nuoveIniziative[r[0]] = nuoveIniziative[r[0]] || []).push(r); });
    }
    var risposte = {};  // contribution -> the initiatives that answer it
    I.risponde.forEach(function (lista, j) {
      lista.forEach(function (i) { (risposte[i] = risposte[i] || []).push(j); });
    });

    function inVista() { return !!D.viste[M.stato.vista].seguito; }
    function statoDi(i) { return C.stato[i] || S.iniziale; }
    function coloreStato(s) { return s && voci[s] ? colore(voci[s].colore) : NEUTRO; }
    function avanzamento(s) {
      var a = Number((voci[s] || {}).avanzamento);
      return isFinite(a) ? Math.max(0, Math.min(1, a)) : 0;
    }

    /* ---------- Symbols: the status of a proposal or a need ---------- */
    // A ring around a symbol, filled as far as the way has gone (dashed: it stopped).
    function anello(s, lato) {
      var d = lato + 12;
      var svg = elSvg('svg', { viewBox: '0 0 36 36', width: d, height: d, 'aria-hidden': 'true', focusable: 'false',
        'class': 'mappe-anello-stato' });
      var a = avanzamento(s), fermata = s === S.fermata;
      if (a > 0 || fermata) {  // what is still as it was said has no ring: the grey says it
        svg.appendChild(elSvg('circle', { cx: 18, cy: 18, r: 15.5, fill: 'none', stroke: '#fffdf7', 'stroke-width': 6,
          'stroke-opacity': 0.9 }));
        svg.appendChild(elSvg('circle', { cx: 18, cy: 18, r: 15.5, fill: 'none', stroke: '#8a8577', 'stroke-width': 1.2,
          'stroke-opacity': 0.7 }));
        var arco = { cx: 18, cy: 18, r: 15.5, fill: 'none', stroke: coloreStato(s), 'stroke-width': 4,
          pathLength: 100, transform: 'rotate(-90 18 18)', 'class': 'mappe-arco-stato' };
        if (fermata) arco['stroke-dasharray'] = '5 4';
        else if (a < 1) arco['stroke-dasharray'] = (a * 100).toFixed(1) + ' 100';
        svg.appendChild(elSvg('circle', arco));
      }
      return svg;
    }

    M.segnoSeguito = function (disegno, seguito, lato) {
      var box = el('span', 'mappe-segno');
      box.style.width = lato + 'px';
      box.style.height = lato + 'px';
      box.appendChild(anello(seguito.stato, lato));
      var forma = disegno.querySelector('path');
      if (forma) {
        forma.setAttribute('class', 'mappe-forma-stato');
        forma.style.setProperty('--stato', coloreStato(seguito.stato));
      }
      box.appendChild(disegno);
      return box;
    };

    M.seguitoDi = function (i) {
      if (!conStato[C.tipo[i]]) return null;
      var s = statoDi(i), nuovo = !!nuovi[i];
      return { stato: s, chiave: s + (nuovo ? '*' : ''),
        classe: 'mappe-con-stato mappe-seguito-' + s + (nuovo ? ' mappe-cambiato' : '') };
    };

    // How far the way had gone when it stopped: the last stage before the stop (0: straight away).
    function fermataA(passi) {
      var a = 0;
      (passi || []).forEach(function (p) { if (p[1] !== S.fermata) a = avanzamento(p[1]); });
      return a;
    }

    // A bar of how far the way has gone; in a card it is read as a progress bar. A way that stopped
    // is filled only as far as it went, the rest struck through, with a mark where it stopped.
    function barra(s, letta, fino) {
      var b = el('span', 'mappe-barra-avanzamento');
      var dentro = el('span');
      var fermata = s === S.fermata;
      var a = fermata ? (fino || 0) : avanzamento(s);
      dentro.style.width = Math.round(a * 100) + '%';
      dentro.style.background = coloreStato(s);
      b.appendChild(dentro);
      if (fermata) {
        b.classList.add('mappe-barra-fermata');
        b.style.setProperty('--stato', coloreStato(s));
      }
      if (letta) {
        b.setAttribute('role', 'progressbar');
        b.setAttribute('aria-label', T.avanzamento);
        b.setAttribute('aria-valuemin', '0');
        b.setAttribute('aria-valuemax', '100');
        b.setAttribute('aria-valuenow', String(Math.round(a * 100)));
        if (fermata) b.setAttribute('aria-valuetext', voce('seguito', s));
      } else {
        b.setAttribute('aria-hidden', 'true');
      }
      return b;
    }

    function badge(s) {
      var p = el('p', 'mappe-stato-badge');
      p.appendChild(el('span', 'mappe-meta-nome', T.stato + ': '));
      var nome = el('span', 'mappe-stato-nome', voce('seguito', s));
      nome.style.borderColor = coloreStato(s);
      p.appendChild(nome);
      return p;
    }

    // in an exhibition of several comuni, which one (the same words can be said in two)
    function diQuale(k) { return D.comuni.length > 1 ? ' (' + D.comuni[k].nome + ')' : ''; }

    function riga(cont, chiave, etichetta, valore) {
      if (!valore) return;
      var p = el('p', 'mappe-meta mappe-meta-' + chiave);
      p.appendChild(el('span', 'mappe-meta-nome', etichetta + ': '));
      p.appendChild(el('bdi', null, valore));  // a name, a date or an amount keeps its own direction
      cont.appendChild(p);
    }

    /* ---------- Initiatives: a badge with a star, the zone, the card ---------- */
    var STELLA = window.MappeSimboli.forme.stella;
    function segnoIniziativa(s, lato) {
      var box = el('span', 'mappe-iniziativa-segno');
      box.style.width = lato + 'px';
      box.style.height = lato + 'px';
      box.style.borderColor = coloreStato(s);
      var disegno = elSvg('svg', { viewBox: '0 0 24 24', width: Math.round(lato * 0.62), height: Math.round(lato * 0.62),
        'aria-hidden': 'true', focusable: 'false' });
      disegno.appendChild(elSvg('path', { d: STELLA, fill: coloreStato(s) }));
      box.appendChild(disegno);
      return box;
    }
    var iconeIniziative = {};
    function iconaIniziativa(j) {
      var s = I.stato[j] || '', nuova = !!nuoveIniziative[j];
      var k = s + (nuova ? '*' : '');
      if (!iconeIniziative[k]) {
        iconeIniziative[k] = new U.IconaNodo({
          className: 'mappe-iniziativa mappe-seguito-' + (s || 'nessuno') + (nuova ? ' mappe-cambiato' : ''),
          modello: segnoIniziativa(s, 34), iconSize: [DITO, DITO], iconAnchor: [DITO / 2, DITO / 2], popupAnchor: [0, -17]
        });
      }
      return iconeIniziative[k];
    }

    // A group of the map holding initiatives: a star with their number on its edge; a group of
    // initiatives only (several at one spot): the badge with their number. The number is drawn by
    // the CSS (data-quante): the group's text stays the count of its contributions, its name
    // (aria-label, title) says both.
    var aspettoGruppo = {
      nome: function (nc, na, nome) { return (nome ? nome + ' · ' : '') + T.iniziative + ': ' + na; },
      segno: function (na) {
        var s = el('span', 'mappe-gruppo-iniziative');
        var d = elSvg('svg', { viewBox: '0 0 24 24', width: 12, height: 12, 'aria-hidden': 'true', focusable: 'false' });
        d.appendChild(elSvg('path', { d: STELLA, fill: '#fffdf7' }));
        s.appendChild(d);
        s.setAttribute('data-quante', String(na));
        return s;
      },
      icona: function (na) {
        var segno = segnoIniziativa('', 34);
        var quante = el('span', 'mappe-iniziative-quante');
        quante.setAttribute('data-quante', String(na));
        segno.appendChild(quante);
        return new U.IconaNodo({ className: 'mappe-iniziativa mappe-iniziative-gruppo', modello: segno,
          iconSize: [DITO, DITO], iconAnchor: [DITO / 2, DITO / 2] });
      }
    };

    var gruppo = L.featureGroup(), linee = L.featureGroup();
    var marcatori = [], zone = [];
    for (var j = 0; j < nI; j++) {
      marcatori.push(null);
      zone.push(null);
      if (I.x[j] === null) continue;
      if (I.g[j]) {
        var z = L.geoJSON(I.g[j], { style: { color: coloreStato(I.stato[j]), weight: 3, opacity: 0.9, dashArray: '8 6',
          fillColor: coloreStato(I.stato[j]), fillOpacity: 0.12, className: 'mappe-iniziativa-zona' } });
        z.bindPopup((function (k) { return function () { return U.comeNodo(schedaIniziativa(k, false)); }; })(j),
          M.opzioniPopup);
        zone[j] = z;
      }
      var m = L.marker([I.y[j], I.x[j]], { icon: iconaIniziativa(j), title: I.nome[j], keyboard: true,
        zIndexOffset: 800, riseOnHover: true });
      m.bindPopup((function (k) { return function () { return U.comeNodo(schedaIniziativa(k, false)); }; })(j),
        M.opzioniPopup);
      marcatori[j] = m;
    }

    // An initiative's card on the map: where the symbols are gathered, the first zoom where it stands
    // alone (or its group fanned out); the card opens once the map has stopped.
    var nelGruppo = {};  // initiative -> its place among the other symbols of M.simboli
    function apriIniziativa(j) {
      var m = marcatori[j];
      if (!m) return;
      var apri = function () {
        if (map.hasLayer(m)) { m.openPopup(); return; }
        m.once('add', function () { window.setTimeout(function () { m.openPopup(); }, 0); });
      };
      if (M.simboli && nelGruppo[j] !== undefined) {
        M.simboli.mostraAltro(nelGruppo[j], function () { window.setTimeout(apri, 60); });
      } else if (map.hasLayer(m)) {
        var ll = m.getLatLng(), z = Math.max(map.getZoom(), 16);
        if (map.getZoom() === z && map.getBounds().pad(-0.1).contains(ll)) {
          apri();
        } else {
          map.once('moveend', function () { window.setTimeout(apri, 0); });
          map.setView(ll, z);
        }
      } else {
        return;
      }
      var mappaEl = map.getContainer();
      if (mappaEl.scrollIntoView) mappaEl.scrollIntoView({ block: 'nearest' });
    }

    // Where the symbols are not gathered (a mouse, a few hundred symbols): those of this view that
    // would cover one another on the screen (said at the very same spot, a need and a proposal at one
    // place; an initiative's badge over a proposal) stand in a small ring around the first, each
    // one a finger's width from the next, joined to where it was said by a thin line. The rings are
    // made again at each zoom (where symbols part, they stand in their place), undone out of this view.
    var sparsi = [], gambe = L.layerGroup();
    function rimetti() {
      sparsi.forEach(function (x) { x.m.setLatLng(x.vero); });
      sparsi = [];
      gambe.clearLayers();
      map.removeLayer(gambe);
    }
    function sparpaglia(iniziative) {
      rimetti();
      if (M.simboli || !inVista()) return;
      var z = map.getZoom(), anelli = [];
      // each symbol joins the first ring whose first symbol it would cover, or starts one
      function metti(m, ll, largo) {
        var pt = map.project(ll, z), vicino = largo ? VICINO_INIZIATIVA : VICINO;
        for (var a = 0; a < anelli.length; a++) {
          var d = Math.max(vicino, anelli[a].vicino);
          if (anelli[a].pt.distanceTo(pt) < d) { anelli[a].qui.push({ m: m, ll: ll }); return; }
        }
        anelli.push({ pt: pt, vicino: vicino, qui: [{ m: m, ll: ll }] });
      }
      S.tipi.forEach(function (tipo) {
        (M.elementi[tipo] || []).forEach(function (e) {
          if (e.punto && M.visibile(e.i) && map.hasLayer(e.strato)) {
            metti(e.strato, L.latLng(C.g[e.i][1], C.g[e.i][0]), false);
          }
        });
      });
      iniziative.forEach(function (k) { if (marcatori[k]) metti(marcatori[k], L.latLng(I.y[k], I.x[k]), true); });
      anelli.forEach(function (anello) {
        var qui = anello.qui, n = qui.length;
        if (n < 2) return;
        var c = anello.pt, raggio = Math.max(24, DITO * n / (2 * Math.PI));
        qui.forEach(function (x, q) {
          var angolo = 2 * Math.PI * q / n - Math.PI / 2;
          var dove = map.unproject(c.add(L.point(Math.cos(angolo) * raggio, Math.sin(angolo) * raggio)), z);
          sparsi.push({ m: x.m, vero: x.ll });
          x.m.setLatLng(dove);
          L.polyline([x.ll, dove], { interactive: false, className: 'mappe-gamba', weight: 1.5, color: '#3d3d3d',
            opacity: 0.7 }).addTo(gambe);
        });
      });
      if (sparsi.length) gambe.addTo(map);
    }
    var inAnello = [];  // the initiatives in sight, for the ring at each zoom
    map.on('zoomend', function () { if (inVista() && !M.simboli) sparpaglia(inAnello); });

    function schedaIniziativa(j, nellElenco) {
      var s = I.stato[j];
      var c = el('article', 'mappe-scheda mappe-scheda-iniziativa');
      var testa = el('div', 'mappe-scheda-testa');
      testa.appendChild(segnoIniziativa(s, 22));
      testa.appendChild(el('span', null, T.iniziativa));
      c.appendChild(testa);
      var nomeEl = el(nellElenco ? 'h4' : 'h3', 'mappe-titolo', I.nome[j]);
      c.appendChild(nomeEl);
      // what the initiative is (not the words of participants: no quotation marks)
      var descrEl = I.descrizione[j] ? el('p', 'mappe-descrizione', I.descrizione[j]) : null;
      if (descrEl) c.appendChild(descrEl);
      if (M.parole) M.parole(c, I, j, nomeEl, descrEl, ['nome', 'descrizione', 'esito'], []);
      riga(c, 'promotore', T.promotore, I.promotore[j]);
      riga(c, 'fondo', T.fondo, I.fondo[j]);
      riga(c, 'importo', T.importo, I.importo[j]);
      if (s) {
        var sez = el('div', 'mappe-stato');
        sez.appendChild(badge(s));
        sez.appendChild(barra(s, true));
        if (I.esito[j]) sez.appendChild(el('p', 'mappe-stato-esito', I.esito[j]));
        c.appendChild(sez);
      } else if (I.esito[j]) {
        c.appendChild(el('p', 'mappe-stato-esito', I.esito[j]));
      }
      riga(c, 'inizio', T.inizio, I.inizio[j]);
      riga(c, 'fine', T.fine, I.fine[j]);
      riga(c, 'indirizzo', T.indirizzo, I.indirizzo[j]);
      riga(c, 'luogo', T.luogo, I.luogo[j]);
      if (D.comuni.length > 1) riga(c, 'comune', T.comune, D.comuni[I.comune[j]].nome);
      if (I.x[j] === null) c.appendChild(el('p', 'mappe-nota', T.tutto_il_comune));
      // what is new since the day given: on the line of its day (the day said once), marked as new
      (nuoveIniziative[j] || []).forEach(function (r) {
        var linea = c.querySelector('.mappe-meta-' + (r[1] === 'cominciata' ? 'inizio' : 'fine'));
        if (linea && linea.textContent.indexOf(r[2]) >= 0) {
          linea.appendChild(document.createTextNode(' '));
          linea.appendChild(el('span', 'mappe-nota-novita mappe-novita-segno', T[r[1]]));
        } else {
          c.appendChild(el('p', 'mappe-nota mappe-nota-novita', T[r[1]] + ': ' + r[2]));
        }
      });
      var qui = I.risponde[j];
      if (qui.length) {
        var r = el('div', 'mappe-risponde-a');
        r.appendChild(el('p', 'mappe-commenti-titolo', T.risponde_a + ' (' + qui.length + ')'));
        var ul = el('ul');
        qui.forEach(function (i) {
          var li = el('li');
          li.appendChild(el('span', null, voce('tipo', C.tipo[i]) + ': '));
          var titolo = C.titolo[i] || voce('tipo', C.tipo[i]);
          li.appendChild(C.g[i] !== null && M.vaiSullaMappa ?
            bottone('mappe-link', titolo, function () { M.vaiSullaMappa(i); }) : el('span', null, titolo));
          li.appendChild(el('span', 'mappe-risponde-stato', ' · ' + voce('seguito', statoDi(i))));
          ul.appendChild(li);
        });
        r.appendChild(ul);
        c.appendChild(r);
      }
      return c;
    }

    /* ---------- In a contribution's card ---------- */
    M.schedaSeguito = function (c, i, inc) {
      if (!conStato[C.tipo[i]] || !inVista()) return;
      var s = statoDi(i);
      var sez = c.querySelector('.mappe-stato');
      if (!sez) {  // still as it was said: the badge all the same, and the day it was said
        sez = el('div', 'mappe-stato');
        sez.appendChild(badge(s));
        if (inc && inc.data) {
          var ol = el('ol', 'mappe-cammino');
          ol.setAttribute('aria-label', T.cammino);
          ol.appendChild(el('li', null, T.detta_il + ': ' + inc.data));
          sez.appendChild(ol);
        }
        c.appendChild(sez);
      }
      sez.insertBefore(barra(s, true, fermataA(C.tappe && C.tappe[i])), sez.children[1] || null);
      if (nuovi[i]) sez.appendChild(el('p', 'mappe-nota mappe-nota-novita', T.cambiato_dal.replace('{d}', novita.dal)));
      var js = risposte[i] || [];
      if (js.length) {
        var r = el('div', 'mappe-risposte');
        r.appendChild(el('p', 'mappe-commenti-titolo', T.risposte + ' (' + js.length + ')'));
        var ul = el('ul');
        js.forEach(function (k) {
          var li = el('li');
          li.appendChild(marcatori[k] ? bottone('mappe-link', I.nome[k], function () { apriIniziativa(k); })
            : el('span', null, I.nome[k]));
          if (I.stato[k]) li.appendChild(el('span', 'mappe-risponde-stato', ' · ' + voce('seguito', I.stato[k])));
          ul.appendChild(li);
        });
        r.appendChild(ul);
        c.appendChild(r);
      }
    };

    /* ---------- Legend, what changed, the list of initiatives ---------- */
    var legenda = null, contiStato = {}, contoIniziative = null;
    function costruisciLegenda() {
      var casa = document.getElementById('mappe-comandi');
      if (!casa) return;
      legenda = el('div', 'mappe-legenda mappe-legenda-seguito');
      legenda.setAttribute('role', 'region');
      legenda.setAttribute('aria-label', T.seguito_legenda);
      legenda.appendChild(el('h2', null, T.seguito_legenda));
      var ul = el('ul', 'mappe-stati');
      ordine.forEach(function (s) {
        var li = el('li', 'mappe-stato-voce mappe-con-stato mappe-stato-voce-' + s);
        li.appendChild(M.segnoSeguito(M.simboloSvg('cerchio', coloreStato(s), 14), { stato: s }, 14));
        var nome = el('span', 'mappe-stato-etichetta');
        nome.appendChild(el('span', 'mappe-voce-nome', voce('seguito', s)));
        contiStato[s] = el('span', 'mappe-conteggio');
        nome.appendChild(contiStato[s]);
        li.appendChild(nome);
        li.appendChild(barra(s, false, 0.5));
        ul.appendChild(li);
      });
      legenda.appendChild(ul);
      if (voci[S.fermata] && X.fermata_legenda) {
        legenda.appendChild(el('p', 'mappe-nota mappe-legenda-fermata', X.fermata_legenda));
      }
      if (novita) {  // the mark of what changed since the day given
        var pc = el('p', 'mappe-stato-voce mappe-voce-cambiato');
        var campione = el('span', 'mappe-cambiato');
        campione.appendChild(M.segnoSeguito(M.simboloSvg('cerchio', coloreStato(S.iniziale), 14), { stato: S.iniziale }, 14));
        pc.appendChild(campione);
        pc.appendChild(el('span', 'mappe-stato-etichetta', T.cambiato_dal.replace('{d}', novita.dal)));
        legenda.appendChild(pc);
      }
      if (nI) {
        var pi = el('p', 'mappe-stato-voce mappe-voce-iniziative');
        pi.appendChild(segnoIniziativa('', 22));
        var nome = el('span', 'mappe-stato-etichetta');
        nome.appendChild(el('span', 'mappe-voce-nome', T.iniziative));
        contoIniziative = el('span', 'mappe-conteggio');
        nome.appendChild(contoIniziative);
        pi.appendChild(nome);
        legenda.appendChild(pi);
        legenda.appendChild(el('p', 'mappe-nota mappe-legenda-linee', T.linee_iniziative));
      }
      casa.appendChild(legenda);
    }

    var frase = null, sezioneNovita = null;
    function costruisciNovita() {
      if (!novita) return;
      var titolo = M.testata && M.testata.querySelector('.mappe-titolo-mappa');
      if (titolo) {
        frase = el('p', 'mappe-novita-frase', novita.frase);
        titolo.appendChild(frase);
      }
      var pannello = document.getElementById('mappe-elenco'), comandi = document.getElementById('mappe-comandi');
      if (!pannello) return;
      sezioneNovita = el('section', 'mappe-novita');
      var idH = M.nuovoId('novita');
      var h = el('h2', null, T.novita);
      h.id = idH;
      sezioneNovita.setAttribute('aria-labelledby', idH);
      sezioneNovita.appendChild(h);
      sezioneNovita.appendChild(el('p', 'mappe-novita-testo', novita.frase));
      var ul = el('ul', 'mappe-novita-elenco');
      var freccia = document.documentElement.dir === 'rtl' ? ' ← ' : ' → ';  // the way goes where one reads
      novita.contributi.forEach(function (r) {
        var i = r[0], li = el('li', 'mappe-novita-voce');
        li.appendChild(el('span', 'mappe-novita-cosa', voce('tipo', C.tipo[i]) + diQuale(C.comune[i]) + ': '));
        var titolo = C.titolo[i] || voce('tipo', C.tipo[i]);
        li.appendChild(C.g[i] !== null ? bottone('mappe-link', titolo, function () { M.vaiSullaMappa(i); })
          : el('span', null, titolo));
        li.appendChild(el('span', 'mappe-novita-come', freccia + voce('seguito', r[1]) + ' (' + r[2] + ')'));
        ul.appendChild(li);
      });
      novita.iniziative.forEach(function (r) {
        var k = r[0], li = el('li', 'mappe-novita-voce');
        li.appendChild(el('span', 'mappe-novita-cosa', T.iniziativa + diQuale(I.comune[k]) + ': '));
        li.appendChild(marcatori[k] ? bottone('mappe-link', I.nome[k], function () { apriIniziativa(k); })
          : el('span', null, I.nome[k]));
        li.appendChild(el('span', 'mappe-novita-come', freccia + T[r[1]] + ' (' + r[2] + ')'));
        ul.appendChild(li);
      });
      if (ul.children.length) sezioneNovita.appendChild(ul);
      var tutte = ul.children.length;
      if (tutte > PRIME_NOVITA + 1) {
        for (var q = PRIME_NOVITA; q < tutte; q++) ul.children[q].hidden = true;
        var vedi = bottone('mappe-mostra-altri mappe-novita-tutte',
          (X.vedi_tutte || T.mostra_altri + ' ({n})').replace('{n}', String(tutte)), function () {
            for (var q = PRIME_NOVITA; q < tutte; q++) ul.children[q].hidden = false;
            vedi.parentNode.removeChild(vedi);
            var primo = ul.children[PRIME_NOVITA].querySelector('button') || ul.children[PRIME_NOVITA];
            if (primo.focus) primo.focus();
          });
        vedi.setAttribute('aria-expanded', 'false');
        sezioneNovita.appendChild(vedi);
      }
      pannello.insertBefore(sezioneNovita, comandi && comandi.parentNode === pannello ? comandi : pannello.firstChild);
    }

    // The initiatives in sight: all of them, or, with a theme chosen, those answering what is shown.
    function quali() {
      var out = [];
      for (var k = 0; k < nI; k++) {
        if (!M.stato.tema || I.risponde[k].some(function (i) { return M.visibile(i); })) out.push(k);
      }
      return out;
    }

    function elencoIniziative(mostrate) {
      var lista = document.getElementById('mappe-lista');
      if (!lista || !mostrate.length) return;
      var sez = el('section', 'mappe-elenco-tema mappe-elenco-iniziative');
      var idH = M.nuovoId('tema');
      var h = el('h3', null, T.iniziative + ' (' + mostrate.length + ')');
      h.id = idH;
      sez.setAttribute('aria-labelledby', idH);
      sez.appendChild(h);
      var ul = el('ul');
      mostrate.forEach(function (k) {
        var li = el('li');
        li.appendChild(schedaIniziativa(k, true));
        if (marcatori[k]) {
          li.firstChild.appendChild(bottone('mappe-sulla-mappa', T.sulla_mappa, function () { apriIniziativa(k); }));
        }
        ul.appendChild(li);
      });
      sez.appendChild(ul);
      // first in the list: what was done comes before what was said
      var primo = lista.querySelector('section');
      lista.insertBefore(sez, primo);
    }

    function centro(i) {
      var m = M.marcatori[i];
      if (!m) return null;
      return m.punto ? L.latLng(C.g[i][1], C.g[i][0]) : m.strato.getBounds().getCenter();
    }

    // Zones and paths of proposals and needs take the colour of their status in this view.
    var colorate = false;
    function coloraForme(si) {
      if (si === colorate) return;
      colorate = si;
      S.tipi.forEach(function (tipo) {
        var proprio = colore((D.voci.tipo[tipo] || {}).colore);
        (M.elementi[tipo] || []).forEach(function (e) {
          if (!e.punto) e.strato.setStyle({ color: si ? coloreStato(statoDi(e.i)) : proprio });
        });
      });
    }

    var costruito = false;
    function disegnaSeguito() {
      var si = inVista();
      document.documentElement.classList.toggle('mappe-vista-seguito', si);
      if (si && !costruito) {
        costruito = true;
        costruisciLegenda();
        costruisciNovita();
      }
      [legenda, frase, sezioneNovita].forEach(function (x) { if (x) x.style.display = si ? '' : 'none'; });
      coloraForme(si);
      gruppo.clearLayers();
      linee.clearLayers();
      nelGruppo = {};
      inAnello = [];
      if (!si) {
        rimetti();
        if (M.simboli) M.simboli.altri([]);
        map.removeLayer(gruppo);
        map.removeLayer(linee);
        return;
      }
      var mostrate = quali(), altri = [];
      mostrate.forEach(function (k) {
        if (zone[k]) gruppo.addLayer(zone[k]);
        if (!marcatori[k]) return;
        // gathered with the proposals and needs where symbols are gathered, else on their own
        if (M.simboli) {
          nelGruppo[k] = altri.length;
          altri.push({ ll: L.latLng(I.y[k], I.x[k]), marcatore: marcatori[k] });
        } else {
          gruppo.addLayer(marcatori[k]);
          inAnello.push(k);
        }
        var a = L.latLng(I.y[k], I.x[k]);
        I.risponde[k].forEach(function (i) {
          var b = M.visibile(i) && centro(i);
          if (!b) return;
          L.polyline([a, b], { color: coloreStato(I.stato[k]), weight: 3.5, opacity: 0.9, dashArray: '1 7',
            lineCap: 'round', interactive: false, className: 'mappe-linea-iniziativa' }).addTo(linee);
        });
      });
      map.addLayer(linee);
      map.addLayer(gruppo);
      if (M.simboli) M.simboli.altri(altri, aspettoGruppo);
      else sparpaglia(inAnello);
      // counts of what is in sight
      var conti = {};
      for (var i = 0; i < C.n; i++) {
        if (conStato[C.tipo[i]] && M.visibile(i)) conti[statoDi(i)] = (conti[statoDi(i)] || 0) + 1;
      }
      Object.keys(contiStato).forEach(function (s) { contiStato[s].textContent = ' (' + (conti[s] || 0) + ')'; });
      if (contoIniziative) contoIniziative.textContent = ' (' + mostrate.length + ')';
      elencoIniziative(mostrate);
    }

    M.disegnaSeguito = disegnaSeguito;
  };
})();
