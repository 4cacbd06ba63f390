/* mappe, part "personale": the staff download the visitors' (encrypted) feedback.
 *
 * Owns M.apriPersonale() (the dialog asking the code chosen at export; the code is checked
 * slowly, and each wrong attempt doubles the wait before the next), the download of a GeoJSON
 * file of encrypted items that only 'mappe riscontri importa' can read, M.chiudiDialogo(), and
 * the Escape key (closes the dialog and leaves the placing mode of mappe-aggiunte.js).
 * Reads D.mostra_id, D.titolo; uses M.raccolta and window.MappeRaccolta.Codice (raccolta.js). */
(function () {
  'use strict';

  var U = window.MappeUtili;
  var el = U.el, bottone = U.bottone;
  var P = window.MappeParti = window.MappeParti || {};

  P.personale = function (M) {
    var D = M.D, T = M.T, raccolta = M.raccolta;
    var dialogo = null;
    var codice = new window.MappeRaccolta.Codice(D);

    function apriPersonale() {
      if (dialogo) { dialogo.parentNode.removeChild(dialogo); }
      dialogo = el('div', 'mappe-dialogo');
      dialogo.setAttribute('role', 'dialog');
      dialogo.setAttribute('aria-modal', 'true');
      var idT = M.nuovoId('personale');
      dialogo.setAttribute('aria-labelledby', idT);
      var h = el('h2', null, T.personale);
      h.id = idT;
      dialogo.appendChild(h);
      var form = el('form');
      var idP = M.nuovoId('pin');
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
      esito.textContent = T.scaricati.replace('{n}', voci.length) + ' ';
      var file = document.createElement('bdi');  // a file name keeps its own direction in an Arabic sentence
      file.textContent = nome;
      esito.appendChild(file);
    }

    function chiudiDialogo() {
      if (dialogo && dialogo.parentNode) dialogo.parentNode.removeChild(dialogo);
      dialogo = null;
    }
    document.addEventListener('keydown', function (ev) {
      if (ev.key === 'Escape') { chiudiDialogo(); M.finisciPiazzamento(); }
    });

    M.apriPersonale = apriPersonale;
    M.chiudiDialogo = chiudiDialogo;
  };
})();
