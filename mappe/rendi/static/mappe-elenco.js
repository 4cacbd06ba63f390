/* mappe, part "elenco": the list beside the map, the same data grouped by theme.
 *
 * Owns M.rendiElenco() (the contributions visible in the current view and theme, a section per
 * theme, 30 cards at a time with a "show more" button; then the places) and
 * M.vaiSullaMappa(i) (zoom to a contribution, opening its cluster if needed, and open its card).
 * Reads M.C, M.stato, M.visibile, M.marcatori, M.simboli, M.marcatoriLuoghi, D.ordine_temi,
 * D.luoghi; the cards come from M.scheda / M.schedaLuogo. */
(function () {
  'use strict';

  var U = window.MappeUtili;
  var el = U.el, bottone = U.bottone;
  var PER_PAGINA = 30;
  var P = window.MappeParti = window.MappeParti || {};

  P.elenco = function (M) {
    var map = M.map, D = M.D, T = M.T, C = M.C, n = M.n, tipi = M.tipi, voce = M.voce;
    var Lg = D.luoghi;
    var elenco = document.getElementById('mappe-lista');

    var inAttesa = null;  // the card a previous "Sulla mappa" still waits to open
    function vaiSullaMappa(i) {
      var m = M.marcatori[i];
      if (!m) return;
      if (inAttesa) inAttesa();
      // the groups of symbols may put the marker on the map only after the zoom: open it then
      // (after the drawing has ended, never in the middle of another card's opening)
      var apri = function () {
        if (map.hasLayer(m.strato)) { m.strato.openPopup(); return; }
        var quando = function () { inAttesa = null; window.setTimeout(function () { m.strato.openPopup(); }, 0); };
        m.strato.once('add', quando);
        inAttesa = function () { m.strato.off('add', quando); inAttesa = null; };
      };
      if (m.punto && M.usaCluster) {
        // after the group's own moves have ended (a popup opened during them may lose its marker)
        M.simboli.mostra(i, function () { window.setTimeout(apri, 60); });
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
      var stato = M.stato;
      elenco.textContent = '';
      var h = el('h2', null, T.elenco);
      h.id = 'mappe-elenco-titolo';
      elenco.appendChild(h);
      elenco.appendChild(el('p', 'mappe-nota', T.elenco_spiega));
      var perTema = {};
      for (var i = 0; i < n; i++) {
        if (!M.visibile(i)) continue;
        (perTema[C.tema[i]] = perTema[C.tema[i]] || []).push(i);
      }
      var temi = D.ordine_temi.filter(function (t) { return perTema[t]; });
      if (!temi.length) {
        var accesi = tipi.some(function (t) { return stato.accesi[t]; });
        elenco.appendChild(el('p', 'mappe-nota', stato.tema ? T.nessuno : (accesi ? T.nessuno_ancora : T.solo_luoghi)));
      }
      temi.forEach(function (tema) {
        var sez = el('section', 'mappe-elenco-tema');
        var idH = M.nuovoId('tema');
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
            li.appendChild(M.scheda(k, true));
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
        var idL = M.nuovoId('tema');
        var hl = el('h3', null, T.luoghi + ' (' + Lg.id.length + ')');
        hl.id = idL;
        sl.setAttribute('aria-labelledby', idL);
        sl.appendChild(hl);
        var ull = el('ul');
        for (var j = 0; j < Lg.id.length && j < 200; j++) {
          var li = el('li');
          li.appendChild(M.schedaLuogo(j, true));
          li.firstChild.appendChild(bottone('mappe-sulla-mappa', T.sulla_mappa, (function (x) {
            return function () {
              var m = M.marcatoriLuoghi[x];
              map.setView(m.getLatLng(), Math.max(map.getZoom(), 16));
              m.openPopup();
            };
          })(j)));
          ull.appendChild(li);
        }
        sl.appendChild(ull);
        elenco.appendChild(sl);
      }
    }

    M.vaiSullaMappa = vaiSullaMappa;
    M.rendiElenco = rendiElenco;
  };
})();
