/* mappe, part "comandi": the controls of the map.
 *
 * Owns the legend (a switch per kind with its symbol and count, places, suggestions, the
 * palette of feelings, the network note, the theme filter, the online basemap switch), placed
 * beside the map in #mappe-comandi or, without it, as a map control; the box of contributions
 * about a whole comune ("senza luogo"); the credits (with the staff button when the page
 * collects feedback) and the scale. M.aggiornaComandi() brings switches, filter, counts and the
 * "senza luogo" box in line with M.stato.
 * Reads D.voci, D.ordine_temi, D.rete, D.crediti, D.tile_url, D.stile, M.senzaLuogo,
 * M.elementi, M.gruppoSegnalazioni; a change sets M.stato and calls M.applica(). */
(function () {
  'use strict';

  var U = window.MappeUtili;
  var el = U.el, bottone = U.bottone, colore = U.colore;
  var P = window.MappeParti = window.MappeParti || {};

  P.comandi = function (M) {
    var map = M.map, D = M.D, T = M.T, C = M.C, tipi = M.tipi, voce = M.voce;
    var Lg = D.luoghi, S = D.segnalazioni;
    var caselle = {}, conteggi = {}, selTema, casellaLuoghi, legendaRete = null;
    var sfondo = null, osm;

    /* ---------- Legend with switches, theme filter, basemap ---------- */
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
        var x = interruttore(tipo, t.label || tipo, M.simboloSvg(t.forma, t.colore, 20),
          function (on) { M.stato.accesi[tipo] = on; M.applica(); }, M.stato.accesi[tipo]);
        caselle[tipo] = x.casella;
        conteggi[tipo] = x.conteggio;
      });
      if (Lg.id.length) {
        var pl = el('span', 'mappe-luogo-punto mappe-luogo-legenda');
        var xl = interruttore('luoghi', T.luoghi, pl, function (on) { M.stato.luoghi = on; M.applica(); }, M.stato.luoghi);
        casellaLuoghi = xl.casella;
        xl.conteggio.textContent = '(' + Lg.id.length + ')';
      }
      if (S.x.length) {
        var xs = interruttore('segnalazioni', T.segnalazioni, null, function (on) {
          if (on) map.addLayer(M.gruppoSegnalazioni); else map.removeLayer(M.gruppoSegnalazioni);
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
      selTema.addEventListener('change', function () { M.stato.tema = selTema.value; map.closePopup(); M.applica(); });
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

    /* ---------- What was said about a whole comune, not a place ---------- */
    var senzaLuogo = M.senzaLuogo;
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
        if (!M.visibile(i)) return;
        var li = el('li');
        li.appendChild(M.scheda(i, true));
        listaSenza.appendChild(li);
        k++;
      });
      titoloSenza.textContent = T.senza_luogo + ' (' + k + ')';
      boxSenza.style.display = k ? '' : 'none';
    }

    /* ---------- Credits, the staff's door, the scale ---------- */
    var Crediti = L.Control.extend({
      options: { position: 'bottomright' },
      onAdd: function () {
        var d = el('div', 'mappe-crediti');
        D.crediti.forEach(function (r) { d.appendChild(el('div', null, r)); });
        osm = el('div', 'mappe-crediti-osm', T.crediti_osm);
        osm.style.display = 'none';
        d.appendChild(osm);
        if (M.raccolta && !M.raccolta.servita) {  // served: the server has it already
          d.appendChild(bottone('mappe-personale', T.personale, function () { M.apriPersonale(); }));
        }
        L.DomEvent.disableClickPropagation(d);
        return d;
      }
    });
    var crediti = new Crediti();
    map.addControl(crediti);
    L.control.scale({ imperial: false, position: 'bottomright' }).addTo(map);
    // On a phone the credits would cover a third of the map and the box of what is said about
    // the whole comune would hide its symbols: they go in the page, under the list and above it
    // (and come back over the map if the screen turns wide).
    fuoriDallaMappa(crediti.getContainer(), 'mappe-crediti-pagina', false);
    if (boxSenza) fuoriDallaMappa(boxSenza, 'mappe-senza-luogo-pagina', true);

    function fuoriDallaMappa(d, classe, inCima) {
      var casa = d.parentNode, pannello = document.getElementById('mappe-elenco');
      var regola = window.matchMedia ? window.matchMedia('(max-width: 800px), (max-height: 500px)') : null;
      if (!regola || !pannello) return;
      function sistema() {
        var telefono = regola.matches;
        d.classList.toggle(classe, telefono);
        if (telefono && d.parentNode !== pannello) {
          if (inCima) pannello.insertBefore(d, pannello.firstChild); else pannello.appendChild(d);
        }
        if (!telefono && d.parentNode !== casa) casa.insertBefore(d, casa.firstChild);
      }
      sistema();
      if (regola.addEventListener) regola.addEventListener('change', sistema);
    }
    if (D.stile === 'classico') {
      var casellaSfondo = document.querySelector('input[data-strato=sfondo]');
      if (casellaSfondo) { casellaSfondo.checked = true; casellaSfondo.dispatchEvent(new Event('change')); }
    }

    // Counts per kind for the current theme, wherever the contributions are.
    function aggiornaConteggi() {
      var stato = M.stato;
      tipi.forEach(function (tipo) {
        var k = 0;
        M.elementi[tipo].forEach(function (e) { if (!stato.tema || C.tema[e.i] === stato.tema) k++; });
        senzaLuogo.forEach(function (i) { if (C.tipo[i] === tipo && (!stato.tema || C.tema[i] === stato.tema)) k++; });
        if (conteggi[tipo]) conteggi[tipo].textContent = '(' + k + ')';
      });
    }

    function aggiornaComandi() {
      var stato = M.stato;
      tipi.forEach(function (tipo) { if (caselle[tipo]) caselle[tipo].checked = stato.accesi[tipo]; });
      if (casellaLuoghi) casellaLuoghi.checked = stato.luoghi;
      if (selTema) selTema.value = stato.tema;
      if (legendaRete) legendaRete.style.display = D.viste[stato.vista].rete ? '' : 'none';
      aggiornaConteggi();
      aggiornaSenzaLuogo();
    }

    M.aggiornaComandi = aggiornaComandi;
  };
})();
