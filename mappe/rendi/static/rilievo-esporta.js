/* mappe, editor (rilievo): the export.
 *
 * Owns: the file of the items whose form is complete (kind, theme, words), with the fields
 * `mappe importa` reads and nothing else (no browser-only fields). Without photos it is the
 * GeoJSON rilievo-<comune>-<date>.geojson. When an exported item has photos it is one zip,
 * rilievo-<comune>-<date>.zip (written by R.zip), that `mappe importa` takes as it is:
 *   rilievo-<comune>-<date>.geojson   at the root: the same GeoJSON, where each item with photos
 *                                     has `foto` = its files, relative to the zip's root,
 *                                     separated by "|" (after the photos the store already had,
 *                                     for a row placed here)
 *   foto/<item id>-<n>.<ext>          each photo as the person gave it, n from 1 in the item's
 *                                     order, ext from the image type (jpg, png, webp...), the id
 *                                     reduced to letters, digits, - and _
 * And the dialog shown after the download (`dialog.mappe-esportato`), which tells the
 * facilitator where the file is and the command that imports it:
 * `mappe importa FILE --comune <the comune's name>`.
 * Reads: D.slug, D.comune_comando. Uses: S.elementi, S.foto, R.zip. Gives: S.esporta = {esporta()}. */
(function () {
  'use strict';

  var R = window.MappeRilievo = window.MappeRilievo || {};
  var U = window.MappeUtili;
  var el = U.el, bottone = U.bottone;
  var CAMPI = ['id', 'incontro', 'tipo', 'tema', 'titolo', 'testo', 'emozione', 'epoca', 'fascia_eta', 'peso',
    'luogo', 'visibilita', 'consenso', 'didascalia'];
  // the extension of a photo in the zip, from its type (else from the name it had, else "img")
  var ESTENSIONI = { 'image/jpeg': 'jpg', 'image/jpg': 'jpg', 'image/pjpeg': 'jpg', 'image/png': 'png',
    'image/webp': 'webp', 'image/gif': 'gif', 'image/heic': 'heic', 'image/heif': 'heif', 'image/tiff': 'tif',
    'image/bmp': 'bmp', 'image/x-ms-bmp': 'bmp', 'image/avif': 'avif' };

  function estensione(f) {
    var t = String(f.tipo || (f.blob && f.blob.type) || '').toLowerCase().split(';')[0].trim();
    if (ESTENSIONI[t]) return ESTENSIONI[t];
    var m = /\.([A-Za-z0-9]{1,5})$/.exec(f.nome || '');
    return m ? m[1].toLowerCase() : 'img';
  }
  function nomeSicuro(id) {
    return String(id).replace(/[^A-Za-z0-9_-]+/g, '_').replace(/^[_-]+/, '').slice(0, 64) || 'foto';
  }
  function parti(v) {
    return String(v || '').split('|').map(function (x) { return x.trim(); }).filter(Boolean);
  }

  R.esporta = function (S) {
    var D = S.D, T = S.T;
    var dialogo = el('dialog', 'mappe-esportato');
    dialogo.setAttribute('aria-labelledby', 'mappe-esportato-titolo');
    document.body.appendChild(dialogo);

    // nomiFoto (the zip): {item id: [its files in the zip]}; without it, no `foto` at all
    function geojson(pronti, nomiFoto) {
      return { type: 'FeatureCollection', features: pronti.map(function (e) {
        var p = {};
        CAMPI.forEach(function (k) { if (e[k] !== '' && e[k] !== null && e[k] !== undefined) p[k] = e[k]; });
        p.sensibile = e.sensibile ? 'sì' : 'no';
        if (nomiFoto) {
          var foto = parti(e.foto_archivio).concat(nomiFoto[e.id] || []);
          if (foto.length) {
            p.foto = foto.join('|');
            p.foto_pubblica = e.foto_pubblica === 'no' ? 'no' : 'si';
          }
        } else if (e.foto_pubblica) {
          p.foto_pubblica = e.foto_pubblica;
        }
        return { type: 'Feature', properties: p, geometry: e.geometry };
      }) };
    }
    function testo(fc) { return JSON.stringify(fc, null, 1); }

    function scarica(nome, blob) {
      var a = el('a');
      a.href = URL.createObjectURL(blob);
      a.download = nome;
      document.body.appendChild(a);
      a.click();
      window.setTimeout(function () { URL.revokeObjectURL(a.href); a.parentNode.removeChild(a); }, 1000);
    }

    function mostra(nome, quanti, incompleti, foto) {
      dialogo.textContent = '';
      var h = el('h2', null, T.esportato_titolo);
      h.id = 'mappe-esportato-titolo';
      dialogo.appendChild(h);
      dialogo.appendChild(el('p', 'mappe-esportato-conto', quanti + ' ' + (quanti === 1 ? T.esportato : T.esportati) + ' ' + nome +
        (foto ? ', ' + (foto === 1 ? T.con_una_foto : T.con_foto.replace('{n}', foto)) : '') +
        (incompleti ? ' (' + incompleti + ' ' + T.incompleti + ')' : '') + '.'));
      var dove = el('p', null, T.esportato_dove + ' ');
      dove.appendChild(el('code', null, nome));
      dialogo.appendChild(dove);
      if (foto) dialogo.appendChild(el('p', 'mappe-esportato-zip', T.esportato_zip));
      dialogo.appendChild(el('p', null, T.esportato_importa));
      dialogo.appendChild(el('pre', 'mappe-comando', 'mappe importa ' + nome + ' --comune ' + (D.comune_comando || D.slug)));
      dialogo.appendChild(el('p', 'mappe-nota', T.esportato_ancora));
      dialogo.appendChild(bottone('mappe-chiudi', T.chiudi, function () { dialogo.close(); }));
      if (dialogo.showModal) dialogo.showModal(); else dialogo.setAttribute('open', '');
    }

    // The photos of the items, read one item after the other: [{nome, dati}] for the zip, and
    // {item id: [names]} for the GeoJSON.
    function fotoDi(conFoto) {
      var voci = [], nomi = {}, presi = {};
      var catena = Promise.resolve();
      conFoto.forEach(function (e) {
        catena = catena.then(function () { return S.foto.leggi(e.id); }).then(function (lista) {
          var base = nomeSicuro(e.id), k = 2;
          while (presi[base]) base = nomeSicuro(e.id).slice(0, 60) + '_' + (k++);
          presi[base] = true;
          nomi[e.id] = lista.map(function (f, n) {
            var nome = 'foto/' + base + '-' + (n + 1) + '.' + estensione(f);
            voci.push({ nome: nome, dati: f.blob });
            return nome;
          });
        });
      });
      return catena.then(function () { return { voci: voci, nomi: nomi }; });
    }

    var inCorso = false;
    function esporta() {
      if (inCorso) return;
      var elementi = S.elementi.tutti();
      var pronti = elementi.filter(function (e) { return e.tipo && e.tema && e.testo; });
      if (!pronti.length) { S.annuncia(T.niente_da_esportare); return; }
      var base = 'rilievo-' + D.slug + '-' + new Date().toISOString().slice(0, 10);
      var incompleti = elementi.length - pronti.length;
      function soloGeojson() {
        var nome = base + '.geojson';
        scarica(nome, new Blob([testo(geojson(pronti))], { type: 'application/geo+json' }));
        mostra(nome, pronti.length, incompleti, 0);
      }
      var haFoto = function (e) { return S.foto.quante(e.id) > 0; };
      if (!S.foto || !S.foto.attivo || (S.foto.conosciute() && !pronti.some(haFoto))) { soloGeojson(); return; }
      inCorso = true;
      S.foto.pronto.then(function () {
        var conFoto = pronti.filter(haFoto);
        if (!conFoto.length) { soloGeojson(); return null; }
        S.annuncia(T.zip_in_preparazione);
        return fotoDi(conFoto).then(function (f) {
          var nome = base + '.zip';
          var voci = [{ nome: base + '.geojson', dati: testo(geojson(pronti, f.nomi)) }].concat(f.voci);
          return R.zip.scrivi(voci).then(function (zip) {
            scarica(nome, zip);
            mostra(nome, pronti.length, incompleti, f.voci.length);
          });
        });
      }).catch(function () {
        S.annuncia(T.zip_non_riuscito);
      }).then(function () { inCorso = false; });
    }

    S.esporta = { esporta: esporta };
  };
})();
