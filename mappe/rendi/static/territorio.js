/* mappe: the overview of a territory, every comune coloured by contributions per 1,000
 * inhabitants. Names come from ISTAT and counts from the stores: still, every text is put in
 * the page with textContent.
 * A count in D.valori is a number, "<3" (1 or 2), or null (hidden so that a small one cannot
 * be worked out): only numbers get a rate and a colour. */
(function () {
  'use strict';

  var el = window.MappeUtili.el;

  function avvia(map, D) {
    var T = D.testi;
    var C = D.comuni;
    var n = C.nome.length;
    var numero = new Intl.NumberFormat(D.lingua === 'en' ? 'en-GB' : D.lingua === 'it' ? 'it-IT' : D.lingua, { maximumFractionDigits: 2 });
    // every thousand grouped, 8.452 as well as 17.406 (Intl leaves four digits alone in Italian)
    var intero = { format: function (x) {
      return String(Math.round(x)).replace(/\B(?=(\d{3})+(?!\d))/g, D.lingua === 'en' ? ',' : '.');
    } };
    var scelto = 0;
    var strati = [];
    var MAPPA_SICURA = /^[a-z0-9-]+\.html$/;

    if (map.zoomControl) {
      map.removeControl(map.zoomControl);
      L.control.zoom({ zoomInTitle: T.ingrandisci, zoomOutTitle: T.riduci }).addTo(map);
    }

    function indicatore() { return D.indicatori[scelto]; }
    function conteggio(i) { return D.valori[indicatore().chiave][i]; }
    function mostrato(i) { return typeof conteggio(i) === 'number'; }
    function testoConteggio(i) {
      if (mostrato(i)) return intero.format(conteggio(i));
      return conteggio(i) === null ? T.nascosto : T.meno_di_3;
    }
    function tasso(i) {
      return !mostrato(i) || !C.popolazione[i] ? null : conteggio(i) * 1000 / C.popolazione[i];
    }
    function classe(i) {
      var t = tasso(i);
      if (t === null) return -1;
      var limiti = indicatore().classi;
      for (var k = 0; k < limiti.length; k++) if (t <= limiti[k]) return k;
      return limiti.length - 1;
    }
    function stile(i) {
      var k = classe(i);
      if (k < 0) return { color: '#6b6b6b', weight: 1, dashArray: '3 3', fillColor: '#ffffff', fillOpacity: 0.9 };
      return { color: '#5a4a3a', weight: 1, dashArray: null, fillColor: D.colori[k], fillOpacity: 0.9 };
    }

    // Comuni far apart: the regions (and so Italy) faint underneath, so that the specks have a place
    if (D.regioni) {
      var regioni = L.featureGroup();
      D.regioni.g.forEach(function (g) {
        L.geoJSON(g, { interactive: false, style: { color: '#c9c0ad', weight: 0.8, fillColor: '#f1ece0', fillOpacity: 1 } })
          .addTo(regioni);
      });
      regioni.addTo(map);
    }

    // Neighbours outside the project, faint, for context
    var vicini = L.featureGroup();
    D.vicini.g.forEach(function (g) {
      L.geoJSON(g, { interactive: false, style: { color: '#b5ad9c', weight: 0.8, fillColor: '#e4ded0', fillOpacity: 0.6 } })
        .addTo(vicini);
    });
    vicini.addTo(map);

    function scheda(i) {
      var c = el('div', 'mappe-scheda');
      c.appendChild(el('h3', 'mappe-titolo', C.nome[i] + ' (' + C.sigla[i] + ')'));
      function riga(nome, valore) {
        var p = el('p', 'mappe-meta');
        p.appendChild(el('span', 'mappe-meta-nome', nome + ': '));
        p.appendChild(el('span', null, valore));
        c.appendChild(p);
      }
      riga(T.abitanti, intero.format(C.popolazione[i]));
      riga(indicatore().label, testoConteggio(i));
      riga(T.tasso, tasso(i) === null ? '–' : numero.format(tasso(i)));
      if (C.mappa[i] && MAPPA_SICURA.test(C.mappa[i])) {
        var a = el('a', 'mappe-apri', T.apri_mappa);
        a.href = C.mappa[i];
        c.appendChild(a);
      }
      return c;
    }

    var comuni = L.featureGroup();
    for (var i = 0; i < n; i++) {
      var s = L.geoJSON(C.g[i], { style: stile(i) });
      s.bindPopup((function (k) { return function () { return scheda(k); }; })(i), { maxWidth: 300 });
      strati.push(s);
      comuni.addLayer(s);
    }
    comuni.addTo(map);
    strati.forEach(function (s, k) {
      s.eachLayer(function (x) {
        var e = x.getElement && x.getElement();
        if (e) { e.setAttribute('data-comune', C.nome[k]); e.classList.add('mappe-comune'); }
      });
    });
    var limiti = comuni.getBounds();
    if (limiti.isValid()) map.fitBounds(limiti, { padding: [10, 10] });

    // Header
    var testata = document.getElementById('mappe-testata');
    if (window.MappeLingua && D.lingue && D.lingue.elenco.length > 1) {
      testata.appendChild(window.MappeLingua.selettore(D));
    }
    var t = el('div', 'mappe-titolo-mappa');
    t.appendChild(el('h1', null, D.titolo));
    t.appendChild(el('p', 'mappe-sottotitolo', D.sottotitolo));
    var didascalia = el('p', 'mappe-didascalia');
    t.appendChild(didascalia);
    testata.appendChild(t);

    // Legend and the choice of the indicator, beside the map
    var comandi = document.getElementById('mappe-comandi');
    var legenda = el('div', 'mappe-legenda mappe-legenda-territorio');
    var f = el('label', 'mappe-filtro');
    f.appendChild(el('span', null, T.indicatore + ' '));
    var sel = el('select');
    sel.setAttribute('data-filtro', 'indicatore');
    D.indicatori.forEach(function (ind, k) {
      var o = el('option', null, ind.label);
      o.value = String(k);
      sel.appendChild(o);
    });
    sel.addEventListener('change', function () { scelto = +sel.value; map.closePopup(); applica(); });
    f.appendChild(sel);
    var voci = el('ul', 'mappe-classi');
    legenda.appendChild(el('h2', null, T.legenda));
    legenda.appendChild(f);
    legenda.appendChild(voci);
    comandi.appendChild(legenda);

    function voce(colore, testo, tratteggio) {
      var li = el('li');
      var q = el('span', 'mappe-campione');
      q.style.background = colore;
      if (tratteggio) q.style.border = '1px dashed #6b6b6b';
      li.appendChild(q);
      li.appendChild(el('span', null, testo));
      voci.appendChild(li);
    }

    // The same figures as a table, for those who do not use the map
    var lista = document.getElementById('mappe-lista');
    function tabella() {
      lista.textContent = '';
      var h = el('h2', null, T.tabella_comuni);
      h.id = 'mappe-elenco-titolo';
      lista.appendChild(h);
      var tab = el('table', 'mappe-tabella');
      tab.appendChild(el('caption', null, indicatore().label + ' – ' + T.per_mille));
      var thead = el('thead');
      var tr = el('tr');
      [T.comune, T.abitanti, T.contributi, T.tasso].forEach(function (x) {
        var th = el('th', null, x);
        th.scope = 'col';
        tr.appendChild(th);
      });
      thead.appendChild(tr);
      tab.appendChild(thead);
      var tbody = el('tbody');
      var ordine = [];
      for (var i = 0; i < n; i++) ordine.push(i);
      ordine.sort(function (a, b) { return C.nome[a].localeCompare(C.nome[b], 'it'); });
      ordine.forEach(function (i) {
        var r = el('tr');
        var th = el('th');
        th.scope = 'row';
        var b = el('button', 'mappe-link', C.nome[i]);
        b.type = 'button';
        b.addEventListener('click', function () {
          map.fitBounds(strati[i].getBounds(), { maxZoom: 12 });
          strati[i].openPopup(strati[i].getBounds().getCenter());
        });
        th.appendChild(b);
        r.appendChild(th);
        r.appendChild(el('td', null, intero.format(C.popolazione[i])));
        r.appendChild(el('td', null, testoConteggio(i)));
        r.appendChild(el('td', null, tasso(i) === null ? '–' : numero.format(tasso(i))));
        tbody.appendChild(r);
      });
      tab.appendChild(tbody);
      lista.appendChild(tab);
      lista.appendChild(el('p', 'mappe-nota', T.nota_nascosti));
    }

    function applica() {
      strati.forEach(function (s, i) { s.setStyle(stile(i)); });
      voci.textContent = '';
      var lim = indicatore().classi;
      lim.forEach(function (x, k) { voce(D.colori[k], T.fino_a + ' ' + numero.format(x)); });
      voce('#ffffff', T.non_mostrato, true);
      voce('#e4ded0', T.fuori_progetto);
      didascalia.textContent = indicatore().label + ': ' + T.per_mille + '.';
      tabella();
    }

    var Crediti = L.Control.extend({
      options: { position: 'bottomright' },
      onAdd: function () {
        var d = el('div', 'mappe-crediti');
        D.crediti.forEach(function (r) { d.appendChild(el('div', null, r)); });
        return d;
      }
    });
    map.addControl(new Crediti());
    L.control.scale({ imperial: false, position: 'bottomright' }).addTo(map);
    map.on('popupopen', function (ev) {
      var x = ev.popup.getElement() && ev.popup.getElement().querySelector('.leaflet-popup-close-button');
      if (x) { x.setAttribute('aria-label', T.chiudi); x.setAttribute('title', T.chiudi); }
    });

    applica();
    map.invalidateSize();
    if (limiti.isValid()) map.fitBounds(limiti, { padding: [10, 10] });
    document.documentElement.setAttribute('data-mappe-pronta', '1');
    document.documentElement.setAttribute('data-mappe-disegnata', '1');
  }

  window.MappeTerritorio = { avvia: avvia };
})();
