/* mappe, editor (rilievo): the export.
 *
 * Owns: the GeoJSON file of the items whose form is complete (kind, theme, words), with the
 * fields `mappe importa` reads and nothing else (no browser-only fields), named
 * rilievo-<comune>-<date>.geojson; and the dialog shown after the download
 * (`dialog.mappe-esportato`), which tells the facilitator where the file is and the command
 * that imports it: `mappe importa FILE --comune <the comune's name>`.
 * Reads: D.slug. Uses: S.elementi. Gives: S.esporta = {esporta()}. */
(function () {
  'use strict';

  var R = window.MappeRilievo = window.MappeRilievo || {};
  var U = window.MappeUtili;
  var el = U.el, bottone = U.bottone;
  var CAMPI = ['id', 'incontro', 'tipo', 'tema', 'titolo', 'testo', 'emozione', 'epoca', 'fascia_eta', 'peso',
    'luogo', 'visibilita', 'consenso'];

  R.esporta = function (S) {
    var D = S.D, T = S.T;
    var dialogo = el('dialog', 'mappe-esportato');
    dialogo.setAttribute('aria-labelledby', 'mappe-esportato-titolo');
    document.body.appendChild(dialogo);

    function geojson(pronti) {
      return { type: 'FeatureCollection', features: pronti.map(function (e) {
        var p = {};
        CAMPI.forEach(function (k) { if (e[k] !== '' && e[k] !== null && e[k] !== undefined) p[k] = e[k]; });
        p.sensibile = e.sensibile ? 'sì' : 'no';
        return { type: 'Feature', properties: p, geometry: e.geometry };
      }) };
    }

    function scarica(nome, fc) {
      var a = el('a');
      a.href = URL.createObjectURL(new Blob([JSON.stringify(fc, null, 1)], { type: 'application/geo+json' }));
      a.download = nome;
      document.body.appendChild(a);
      a.click();
      window.setTimeout(function () { URL.revokeObjectURL(a.href); a.parentNode.removeChild(a); }, 1000);
    }

    function mostra(nome, quanti, incompleti) {
      dialogo.textContent = '';
      var h = el('h2', null, T.esportato_titolo);
      h.id = 'mappe-esportato-titolo';
      dialogo.appendChild(h);
      dialogo.appendChild(el('p', 'mappe-esportato-conto', quanti + ' ' + (quanti === 1 ? T.esportato : T.esportati) + ' ' + nome +
        (incompleti ? ' (' + incompleti + ' ' + T.incompleti + ')' : '') + '.'));
      var dove = el('p', null, T.esportato_dove + ' ');
      dove.appendChild(el('code', null, nome));
      dialogo.appendChild(dove);
      dialogo.appendChild(el('p', null, T.esportato_importa));
      dialogo.appendChild(el('pre', 'mappe-comando', 'mappe importa ' + nome + ' --comune ' + (D.comune_comando || D.slug)));
      dialogo.appendChild(el('p', 'mappe-nota', T.esportato_ancora));
      dialogo.appendChild(bottone('mappe-chiudi', T.chiudi, function () { dialogo.close(); }));
      if (dialogo.showModal) dialogo.showModal(); else dialogo.setAttribute('open', '');
    }

    function esporta() {
      var elementi = S.elementi.tutti();
      var pronti = elementi.filter(function (e) { return e.tipo && e.tema && e.testo; });
      if (!pronti.length) { S.annuncia(T.niente_da_esportare); return; }
      var nome = 'rilievo-' + D.slug + '-' + new Date().toISOString().slice(0, 10) + '.geojson';
      scarica(nome, geojson(pronti));
      mostra(nome, pronti.length, elementi.length - pronti.length);
    }

    S.esporta = { esporta: esporta };
  };
})();
