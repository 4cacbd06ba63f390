/* mappe, part "aggiunte": visitors add what is missing (tap the map, describe it).
 *
 * Owns, when the page collects feedback (M.raccolta), the "add" button in the header, the
 * placing mode (a notice with a cancel button; the map's cursor changes) and the form opened
 * where the visitor tapped inside one of the comuni; the item is kept by M.raccolta.
 * M.finisciPiazzamento() leaves the placing mode (also on Escape and in the kiosk's reset).
 * Reads D.confini (to find the comune), D.voci.reazione (the kinds of suggestion), M.dentro,
 * M.testoDaInviare, M.opzioniPopup, M.barra. */
(function () {
  'use strict';

  var U = window.MappeUtili;
  var el = U.el, bottone = U.bottone, pulisci = U.pulisci, uuid = U.uuid;
  var P = window.MappeParti = window.MappeParti || {};

  P.aggiunte = function (M) {
    var map = M.map, D = M.D, T = M.T, raccolta = M.raccolta;
    var piazzando = false, avviso = null;

    function finisciPiazzamento() {
      piazzando = false;
      map.getContainer().classList.remove('mappe-piazzando');
      if (avviso && avviso.parentNode) avviso.parentNode.removeChild(avviso);
    }
    M.finisciPiazzamento = finisciPiazzamento;
    if (!raccolta) return;

    var azioni = el('div', 'mappe-azioni');
    var bAggiungi = bottone('mappe-aggiungi', '', function () {
      map.closePopup();
      piazzando = true;
      map.getContainer().classList.add('mappe-piazzando');
      avviso = el('div', 'mappe-avviso-piazza');
      avviso.setAttribute('role', 'status');
      avviso.appendChild(el('span', null, T.tocca_mappa));
      avviso.appendChild(bottone('mappe-annulla', T.annulla, finisciPiazzamento));
      map.getContainer().parentNode.appendChild(avviso);
      M.annuncia(T.tocca_mappa);
    });
    // the whole sentence, and a short word for a phone's header (the CSS shows one of them)
    bAggiungi.appendChild(el('span', 'mappe-lungo', T.aggiungi));
    bAggiungi.appendChild(el('span', 'mappe-breve', '+ ' + T.aggiungi_breve));
    azioni.appendChild(bAggiungi);
    M.barra.appendChild(azioni);

    map.on('click', function (ev) {
      if (!piazzando) return;
      var lon = ev.latlng.lng, lat = ev.latlng.lat;
      var comune = -1;
      D.confini.forEach(function (c, k) { if (comune < 0 && M.dentro(lon, lat, c.g)) comune = k; });
      if (comune < 0) { M.annuncia(T.fuori); return; }
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
        lab.appendChild(el('span', null, M.voce('reazione', k)));
        fs.appendChild(lab);
      });
      form.appendChild(fs);
      var area = M.testoDaInviare(form, 'suggerimento', T.descrivi);
      var pop = L.popup(M.opzioniPopup).setLatLng(ev.latlng).setContent(form).openOn(map);
      form.addEventListener('submit', function (e) {
        e.preventDefault();
        var testo = pulisci(area.value, 300);
        if (!testo) { M.annuncia(T.testo_vuoto); area.focus(); return; }
        var scelta = form.querySelector('input[name=mappe-cosa]:checked');
        raccolta.aggiungi({ id: uuid(), su: '', comune: D.comuni[comune].slug,
          reazione: scelta ? scelta.value : '', commento: testo, data: new Date().toISOString(),
          mostra: D.mostra_id, lon: Math.round(lon * 1e5) / 1e5, lat: Math.round(lat * 1e5) / 1e5,
          sito: M.miele(form) });
        map.closePopup(pop);
        M.annuncia(T.grazie_commento);
      });
      window.setTimeout(function () { area.focus(); }, 50);
    });
  };
})();
