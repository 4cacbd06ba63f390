/* mappe, editor (rilievo): the community places.
 *
 * Owns: each place on the map as on the comune map (a round badge with the pictogram of its
 * category's `icona`, and its name always visible; where two names would overlap the later is
 * hidden until zoomed in, and the name shows on hover or tap), the place's card (its category,
 * role, and a button to add a contribution about it), and the search by name beside the map.
 * While drawing, a tap on a place is a point of the drawing, at the place.
 * Reads: D.luoghi {id, nome, categoria, ruolo, x, y}, D.voci.categoria/ruolo, D.simboli.pittogrammi.
 * Gives: S.luoghi = {marcatori, vai(j)}. Names are text nodes: a place's name may come from a
 * visitor's suggestion. */
(function () {
  'use strict';

  var R = window.MappeRilievo = window.MappeRilievo || {};
  var U = window.MappeUtili;
  var el = U.el, elSvg = U.elSvg, bottone = U.bottone, colore = U.colore, IconaNodo = U.IconaNodo;
  var LATI = { 1: 20, 2: 22, 3: 26 };

  R.luoghi = function (S) {
    var map = S.map, D = S.D, T = S.T, Lg = D.luoghi;

    // The badge and the name: one template per place, copied by IconaNodo.
    function simboloLuogo(pitto, col, lato, nome) {
      var f = document.createDocumentFragment();
      var punto = el('span', 'mappe-luogo-punto mappe-luogo-rilievo');
      punto.style.width = lato + 'px';
      punto.style.height = lato + 'px';
      var s = elSvg('svg', { viewBox: '0 0 24 24', width: lato - 6, height: lato - 6, 'aria-hidden': 'true',
        focusable: 'false' });
      s.appendChild(elSvg('path', { fill: colore(col), d: pitto }));
      punto.appendChild(s);
      f.appendChild(punto);
      f.appendChild(el('span', 'mappe-luogo-nome', nome));
      return f;
    }

    function scheda(j) {
      var c = el('article', 'mappe-scheda');
      var cat = D.voci.categoria[Lg.categoria[j]];
      c.appendChild(el('div', 'mappe-scheda-testa', cat ? cat.label : T.luogo));
      c.appendChild(el('h3', 'mappe-titolo', Lg.nome[j]));
      var ruolo = D.voci.ruolo[Lg.ruolo[j]];
      if (ruolo) c.appendChild(el('p', 'mappe-meta', ruolo.label));
      c.appendChild(bottone('mappe-qui', T.qui, function () {
        map.closePopup();
        S.elementi.aggiungi(S.elementi.nuovo({ type: 'Point', coordinates: [Lg.x[j], Lg.y[j]] }, { luogo: Lg.id[j] }));
      }));
      return c;
    }

    var gruppo = L.featureGroup();
    var marcatori = Lg.id.map(function (id, j) {
      var cat = D.voci.categoria[Lg.categoria[j]] || {};
      var lato = LATI[(D.voci.ruolo[Lg.ruolo[j]] || {}).dimensione] || 22;
      var pitto = D.simboli.pittogrammi[cat.icona] || D.simboli.pittogrammi.punto;
      var m = L.marker([Lg.y[j], Lg.x[j]], { keyboard: true, title: Lg.nome[j], zIndexOffset: -1000,
        icon: new IconaNodo({ className: 'mappe-luogo mappe-luogo-' + (Lg.categoria[j] || 'altro'),
          modello: simboloLuogo(pitto, cat.colore, lato, Lg.nome[j]), iconSize: null,
          iconAnchor: [lato / 2, lato / 2], popupAnchor: [0, -lato / 2], tooltipAnchor: [0, -lato / 2] }) });
      m.bindTooltip(function () { return el('span', 'mappe-nome-luogo', Lg.nome[j]); },
        { direction: 'top', permanent: false });
      m.bindPopup(function () { return scheda(j); }, { maxWidth: 280, autoPanPaddingTopLeft: [10, 10] });
      m.on('click', function (ev) {
        // drawing: the tap is a point of the drawing (at the place), not "open its card"
        if (S.disegno.modo()) {
          m.closePopup();
          m.closeTooltip();
          map.fire('click', { latlng: ev.latlng });
        }
      });
      gruppo.addLayer(m);
      return m;
    });
    gruppo.addTo(map);

    // Names stay readable: where two would overlap, the one drawn later is hidden.
    function sistemaEtichette() { U.nascondiNomiSovrapposti(marcatori); }
    map.on('zoomend moveend resize', sistemaEtichette);

    // Search by name, beside the map
    var comandi = document.getElementById('mappe-comandi');
    var cerca = el('div', 'mappe-cerca');
    var etichetta = el('label', null, T.cerca_luogo);
    etichetta.setAttribute('for', 'mappe-cerca-luogo');
    var campo = el('input');
    campo.id = 'mappe-cerca-luogo';
    campo.type = 'search';
    campo.setAttribute('list', 'mappe-luoghi-nomi');
    var nomi = el('datalist');
    nomi.id = 'mappe-luoghi-nomi';
    Lg.nome.forEach(function (n) { var o = el('option'); o.value = n; nomi.appendChild(o); });
    // the rows to be placed that came with an address in words: found by it, placed with a tap
    var indirizzi = (D.da_collocare || []).filter(function (r) { return r.indirizzo; });
    indirizzi.forEach(function (r) { var o = el('option'); o.value = r.indirizzo; nomi.appendChild(o); });
    campo.addEventListener('keydown', function (ev) { if (ev.key === 'Enter') { ev.preventDefault(); vaiAlLuogo(); } });
    cerca.appendChild(etichetta);
    cerca.appendChild(campo);
    cerca.appendChild(nomi);
    cerca.appendChild(bottone('mappe-vai', T.vai, vaiAlLuogo));
    comandi.appendChild(cerca);

    function vai(j) {
      map.setView([Lg.y[j], Lg.x[j]], 17);
      marcatori[j].openTooltip();
      S.annuncia(Lg.nome[j]);
    }
    function vaiAlLuogo() {
      var q = campo.value.trim().toLowerCase();
      if (!q) return;
      var j = Lg.nome.findIndex(function (n) { return n.toLowerCase() === q; });
      if (j < 0) j = Lg.nome.findIndex(function (n) { return n.toLowerCase().indexOf(q) >= 0; });
      if (j >= 0) { vai(j); return; }
      var r = indirizzi.filter(function (x) { return x.indirizzo.toLowerCase() === q; })[0] ||
        indirizzi.filter(function (x) { return x.indirizzo.toLowerCase().indexOf(q) >= 0; })[0];
      if (r && S.disegno) { S.disegno.colloca(r); return; }
      S.annuncia(T.luogo_non_trovato);
    }

    S.luoghi = { marcatori: marcatori, vai: vai, sistemaEtichette: sistemaEtichette };
  };
})();
