/* mappe: builds a community map in the browser from one compact data block.
 *
 * Every text written by a person (participants, visitors) is put in the page with
 * textContent, never as HTML. Popups and list cards are built when shown; markers share
 * one icon per kind and size; many points are clustered. The same code serves a comune
 * map and an exhibition (views, feedback from visitors, kiosk mode).
 *
 * The work is split in parts, one file per concern, inlined before this one in the order of
 * rendi/risorse.py's PARTI_MAPPA (that list is the only place the order is written); each file
 * adds one function to window.MappeParti. avvia() below builds the context M that they share
 * and calls them in the order they were loaded; each part reads what earlier parts put on M and
 * adds what it offers to later ones (its opening comment says which). Functions a part calls
 * only later (M.applica, M.vaiSullaMappa...) may come from a later part. Parts read M.stato
 * each time they need it: a change of view replaces it.
 *
 *   simboli     shapes, pictograms, marker icons
 *   decodifica  the data block back into columns (M.C), place -> contributions, point in polygon
 *   schede      the cards of a contribution or a place, with the feedback block
 *   gruppi      symbols that would overlap on the screen gathered (mappe's own, fast at 100,000)
 *   strati      boundaries, hatching, one group per kind with its markers, filling the groups
 *   luoghi      the places and their names, the approved suggestions of visitors
 *   rete        the network of needs and answers
 *   seguito     what became of the proposals: statuses, initiatives, what changed since a day
 *   testata     title, views, contact
 *   comandi     legend, theme filter, basemap, "senza luogo", credits, counts
 *   elenco      the list beside the map
 *   aggiunte    visitors add what is missing
 *   personale   the staff download the feedback
 *   chiosco     kiosk: reset after a while without a touch
 *
 * This file owns the context, the state of the view (M.stato, M.statoVista, M.visibile),
 * M.applica() (the one place that brings every part in line with the state) and
 * M.cambiaVista(k). */
(function () {
  'use strict';

  var U = window.MappeUtili;

  function avvia(map, D) {
    var P = window.MappeParti || {};
    // the parts in the order their files came (object keys keep it): that of PARTI_MAPPA
    var parti = Object.keys(P);
    if (!parti.length) throw new Error('mappe: nessuna parte della pagina');
    var segna = function (nome) { if (window.performance && performance.mark) performance.mark('mappe:' + nome); };
    var contaId = 0;
    var timerAnnuncio = null;
    var M = {
      map: map,
      D: D,
      T: D.testi,
      tipi: D.ordine_tipi,
      segna: segna,
      // Feedback kept in the browser, encrypted (raccolta.js; without WebCrypto the page collects none),
      // or sent to the server that served the page (invio.js).
      raccolta: null,
      // The value of a form's field for bots (hidden from people: they leave it empty).
      miele: function (form) {
        var x = form.querySelector('input[name=sito]');
        return x ? x.value : '';
      },
      nuovoId: function (prefisso) { contaId += 1; return 'mappe-' + prefisso + '-' + contaId; },
      voce: function (vocabolario, codice) {
        var v = D.voci[vocabolario] && D.voci[vocabolario][codice];
        return v ? v.label : (codice || '');
      },
      annuncia: function (testo) {
        // read by screen readers, and shown for a few seconds to everybody else
        var a = document.getElementById('mappe-annuncio');
        if (!a) return;
        a.textContent = '';
        a.classList.remove('mappe-annuncio-visibile');
        window.setTimeout(function () { a.textContent = testo; a.classList.add('mappe-annuncio-visibile'); }, 30);
        if (timerAnnuncio) window.clearTimeout(timerAnnuncio);
        timerAnnuncio = window.setTimeout(function () { a.classList.remove('mappe-annuncio-visibile'); }, 4000);
      }
    };
    segna('inizio');
    if (D.raccolta && D.invio) {
      // served by 'mappe servi': sent to it (a copy of the page saved as a file collects nothing)
      if (window.location.protocol !== 'file:') {
        M.raccolta = new window.MappeInvio.Invio(D);
        M.raccolta.annuncia = function () { M.annuncia(D.testi.senza_rete); };
      }
    } else if (D.raccolta) {
      var raccolta = new window.MappeRaccolta.Raccolta(D);
      M.raccolta = raccolta.attiva ? raccolta : null;
    }

    // the groups need a maximum zoom even when no tile layer sets one
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

    /* ---------- State: view, kinds switched on, theme ---------- */
    M.statoVista = function (k) {
      var v = D.viste[k];
      var s = { vista: k, tema: '', accesi: {}, luoghi: v.luoghi };
      M.tipi.forEach(function (t) { s.accesi[t] = v.tipi.indexOf(t) >= 0; });
      return s;
    };
    M.stato = M.statoVista(0);
    M.visibile = function (i) {
      return M.stato.accesi[M.C.tipo[i]] && (!M.stato.tema || M.C.tema[i] === M.stato.tema);
    };

    M.applica = function () {
      segna('applica');
      M.mostraTipi();
      M.riempi();
      segna('riempiti');
      M.mostraLuoghi();
      M.disegnaRete();
      M.aggiornaComandi();
      segna('conteggi');
      M.rendiElenco();
      segna('elenco');
      M.disegnaSeguito();
      segna('seguito');
    };

    M.cambiaVista = function (k) {
      M.stato = M.statoVista(k);
      map.closePopup();
      M.mostraVistaInTestata(k);
      M.applica();
      M.annuncia(D.viste[k].titolo);
    };

    // each part leaves a mark in the browser's performance timeline (to read in its developer tools)
    parti.forEach(function (nome) { P[nome](M); segna('parte-' + nome); });

    // The header and the list panel are filled: measure the map again and frame the comuni
    // before the markers go in (only the first zoom is grouped, and only once).
    map.invalidateSize();
    M.inizio();
    segna('inquadrata');
    // Nobody needs to zoom far out of the comuni.
    map.setMinZoom(Math.max(5, map.getZoom() - 3));
    M.applica();
    M.sistemaEtichette();
    segna('etichette');
    // once more when the page has its final layout (fonts, the header's height on a phone)
    window.requestAnimationFrame(function () { window.requestAnimationFrame(M.sistemaEtichette); });
    window.addEventListener('load', M.sistemaEtichette);
    window.setTimeout(M.sistemaEtichette, 300);
    window.setTimeout(M.sistemaEtichette, 1000);
    if (document.fonts && document.fonts.ready) document.fonts.ready.then(M.sistemaEtichette);
    map.fire('mappe:pronta');
    document.documentElement.setAttribute('data-mappe-pronta', '1');
  }

  window.Mappe = { avvia: avvia, pulisci: U.pulisci };
})();
