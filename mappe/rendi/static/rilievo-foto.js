/* mappe, editor (rilievo): the photos of what this survey added.
 *
 * Owns: the photos (and photos of hand-drawn maps, which are just photos) of each item, kept in
 * the browser's IndexedDB (images are too big for localStorage) as Blobs, exactly the bytes the
 * person gave (`mappe importa` strips their hidden data and shrinks them), in a database whose
 * name carries the file's id, as the items' key does; each photo under the key [item id, order]
 * (0, 1, 2... with no gaps). Where IndexedDB cannot be opened the photos stay only as long as
 * the page, and the picker says so. Also the picker in the form (`fieldset.mappe-foto`):
 * «Aggiungi una foto» (a file input that offers the camera or the files on a tablet), a small
 * preview of each photo with a button to remove it, a line saying that the photo's hidden data
 * are removed when it is imported, the caption and the choice to keep the photos internal.
 * Photos are kept as soon as they are chosen or removed, without «Salva».
 * Reads: D.id_file, D.campi_foto. Uses: S.elenco.
 * Gives: S.foto = {attivo (the catalogue has `foto`), pronto (a Promise: the counts are known),
 * conosciute(), quante(id), leggi(id), aggiungi(id, files), togli(id, n), cancella(id),
 * campo(e) (the fieldset), valori(form, e) (caption and choice into e), libera()}. */
(function () {
  'use strict';

  var R = window.MappeRilievo = window.MappeRilievo || {};
  var U = window.MappeUtili;
  var el = U.el, bottone = U.bottone, pulisci = U.pulisci;
  var ARCHIVIO = 'foto';

  R.foto = function (S) {
    var D = S.D, T = S.T;
    var campi = D.campi_foto || [];
    var db = null;
    var memoria = null;           // {id: [record]} when IndexedDB is not there
    var conteggi = {};            // id -> how many photos
    var conosciute = false;       // conteggi read from the database

    function richiesta(r) {
      return new Promise(function (fatto, errore) {
        r.onsuccess = function () { fatto(r.result); };
        r.onerror = function () { errore(r.error); };
      });
    }
    function fine(tx) {
      return new Promise(function (fatto, errore) {
        tx.oncomplete = function () { fatto(); };
        tx.onerror = function () { errore(tx.error); };
        tx.onabort = function () { errore(tx.error || new Error('abort')); };
      });
    }
    function intervallo(id) { return IDBKeyRange.bound([id, 0], [id, Infinity]); }

    function apri() {
      return new Promise(function (fatto, errore) {
        if (!window.indexedDB) { errore(new Error('IndexedDB')); return; }
        var r = window.indexedDB.open('mappe-rilievo-foto:' + D.id_file, 1);
        r.onupgradeneeded = function () { r.result.createObjectStore(ARCHIVIO); };
        r.onsuccess = function () { fatto(r.result); };
        r.onerror = function () { errore(r.error); };
        r.onblocked = function () { errore(new Error('IndexedDB bloccato')); };
      });
    }

    // The counts, from the keys only (no image is read to start)
    var pronto = apri().then(function (d) {
      db = d;
      return richiesta(db.transaction(ARCHIVIO).objectStore(ARCHIVIO).getAllKeys());
    }).then(function (chiavi) {
      chiavi.forEach(function (k) { conteggi[k[0]] = (conteggi[k[0]] || 0) + 1; });
    }, function () {
      db = null;
      memoria = {};
    }).then(function () {
      conosciute = true;
      if (Object.keys(conteggi).length && S.elenco) S.elenco.aggiorna();
    });

    // A record as kept: the Blob, or (a browser that cannot keep Blobs) its bytes and type.
    function comeBlob(v) {
      if (v.blob instanceof Blob) return v.blob;
      return new Blob([v.dati], { type: v.tipo || '' });
    }
    function comeRecord(f) {
      return { blob: (f instanceof Blob) ? f.slice(0, f.size, f.type) : f, tipo: f.type || '',
        nome: f.name || '', aggiunta: new Date().toISOString() };
    }
    function comeByte(r) {
      return r.blob.arrayBuffer().then(function (b) { return { dati: b, tipo: r.tipo, nome: r.nome, aggiunta: r.aggiunta }; });
    }

    // The photos of an item, in order: [{blob, tipo, nome}]
    function leggi(id) {
      return pronto.then(function () {
        if (!db) return (memoria[id] || []).slice();
        return richiesta(db.transaction(ARCHIVIO).objectStore(ARCHIVIO).getAll(intervallo(id))).then(function (vv) {
          return vv.map(function (v) { return { blob: comeBlob(v), tipo: v.tipo, nome: v.nome }; });
        });
      });
    }

    // Write an item's whole list again (0, 1, 2...): adding, removing and deleting all go here.
    function riscrivi(id, lista) {
      if (!db) {
        if (lista.length) memoria[id] = lista; else delete memoria[id];
        return Promise.resolve();
      }
      // all or nothing: a put that throws (DataCloneError is thrown, not reported) undoes the delete
      function scrivi(records) {
        var tx = db.transaction(ARCHIVIO, 'readwrite');
        var finita = fine(tx);
        try {
          var a = tx.objectStore(ARCHIVIO);
          a.delete(intervallo(id));
          records.forEach(function (r, n) { a.put(r, [id, n]); });
        } catch (e) {
          finita.catch(function () {});
          try { tx.abort(); } catch (ignora) { /* already over */ }
          return Promise.reject(e);
        }
        return finita;
      }
      return scrivi(lista).catch(function (e) {
        if (!e || e.name !== 'DataCloneError') throw e;
        // a browser that cannot keep a Blob in IndexedDB keeps its bytes
        return Promise.all(lista.map(comeByte)).then(scrivi);
      });
    }

    function aggiorna(id, lista) {
      return riscrivi(id, lista).then(function () {
        if (lista.length) conteggi[id] = lista.length; else delete conteggi[id];
        if (S.elenco) S.elenco.aggiorna();
        return lista.length;
      });
    }
    // Changes one after the other: each reads the list the one before wrote.
    var coda = Promise.resolve();
    function inCoda(fn) {
      var p = coda.then(fn);
      coda = p.catch(function () {});
      return p;
    }
    function aggiungi(id, file) {
      var nuove = Array.prototype.map.call(file, comeRecord);
      return inCoda(function () {
        return leggi(id).then(function (lista) { return aggiorna(id, lista.concat(nuove)); });
      });
    }
    function togli(id, n) {
      return inCoda(function () {
        return leggi(id).then(function (lista) {
          lista.splice(n, 1);
          return aggiorna(id, lista);
        });
      });
    }
    function cancella(id) {
      return inCoda(function () { return pronto.then(function () { return aggiorna(id, []); }); });
    }

    function immagine(f) {
      if (/^image\//.test(f.type || '')) return true;
      return !f.type && /\.(jpe?g|png|webp|gif|heic|heif|tiff?|bmp)$/i.test(f.name || '');
    }

    // The photo field of the form of item `e` (one form at a time: the previews of the last one
    // are let go when a new one is built, or when the form is closed: libera()).
    var liberaUltimo = function () {};
    function campo(e) {
      liberaUltimo();
      var fs = el('fieldset', 'mappe-foto');
      fs.appendChild(el('legend', null, T.foto));
      var elenco = el('ul', 'mappe-foto-elenco');
      elenco.setAttribute('aria-label', T.foto_aggiunte);
      elenco.hidden = true;
      fs.appendChild(elenco);
      var gia = String(e.foto_archivio || '').split('|').filter(function (x) { return x.trim(); }).length;
      if (gia) fs.appendChild(el('p', 'mappe-nota mappe-foto-archivio', T.foto_archivio + ': ' + gia + '.'));
      var scegli = el('label', 'mappe-aggiungi-foto');
      scegli.appendChild(el('span', null, T.aggiungi_foto));
      var input = el('input');
      input.type = 'file';
      input.accept = 'image/*';
      input.multiple = true;
      input.id = 'mappe-campo-foto';
      input.name = 'foto';
      scegli.appendChild(input);
      fs.appendChild(scegli);
      var errore = el('p', 'mappe-errore mappe-foto-errore');
      errore.setAttribute('role', 'alert');
      fs.appendChild(errore);
      fs.appendChild(el('p', 'mappe-nota mappe-foto-nota', T.foto_spiega));
      if (memoria) fs.appendChild(el('p', 'mappe-nota', T.foto_solo_qui));
      var wDid = null, wPub = null;
      if (campi.indexOf('didascalia') >= 0) {
        wDid = el('div', 'mappe-campo');
        var l = el('label', null, T.didascalia);
        l.setAttribute('for', 'mappe-campo-didascalia');
        var i = el('input');
        i.type = 'text';
        i.maxLength = 300;
        i.id = 'mappe-campo-didascalia';
        i.name = 'didascalia';
        i.value = e.didascalia || '';
        wDid.appendChild(l);
        wDid.appendChild(i);
        fs.appendChild(wDid);
      }
      if (campi.indexOf('foto_pubblica') >= 0) {
        wPub = el('label', 'mappe-campo mappe-casella');
        var c = el('input');
        c.type = 'checkbox';
        c.name = 'foto_interna';
        c.checked = e.foto_pubblica === 'no';
        wPub.appendChild(c);
        wPub.appendChild(el('span', null, T.foto_interna));
        fs.appendChild(wPub);
      }
      // caption and "internal only" once there is a photo
      function conFoto(quante) {
        if (wDid) wDid.hidden = !(quante || gia);
        if (wPub) wPub.hidden = !(quante || gia);
      }
      conFoto(0);

      var indirizzi = [], giro = 0, occupato = false;
      function libera() {
        giro++;
        indirizzi.forEach(function (u) { URL.revokeObjectURL(u); });
        indirizzi = [];
      }
      liberaUltimo = libera;
      function mostra() {
        var questo = ++giro;
        return leggi(e.id).then(function (lista) {
          if (questo !== giro) return;  // a newer view, or the form was closed
          indirizzi.forEach(function (u) { URL.revokeObjectURL(u); });
          indirizzi = [];
          elenco.textContent = '';
          lista.forEach(function (f, n) {
            var li = el('li', 'mappe-foto-voce');
            var img = el('img', 'mappe-foto-anteprima');
            var u = URL.createObjectURL(f.blob);
            indirizzi.push(u);
            img.src = u;
            img.alt = T.foto_n + ' ' + (n + 1);
            img.decoding = 'async';
            li.appendChild(img);
            var b = bottone('mappe-togli-foto', T.togli, function () {
              if (occupato) return;
              occupato = true;
              errore.textContent = '';
              togli(e.id, n).then(function () {
                S.annuncia(T.foto_tolta);
              }, function () { errore.textContent = T.foto_non_salvata; }).then(function () {
                occupato = false;
                return mostra();
              });
            });
            b.setAttribute('aria-label', T.togli_foto + ' ' + (n + 1));
            li.appendChild(b);
            elenco.appendChild(li);
          });
          elenco.hidden = !lista.length;
          conFoto(lista.length);
        });
      }
      input.addEventListener('change', function () {
        var scelte = Array.prototype.slice.call(input.files || []);
        input.value = '';
        var buone = scelte.filter(immagine);
        errore.textContent = buone.length < scelte.length ? T.foto_non_immagine : '';
        if (!buone.length) return;
        aggiungi(e.id, buone).then(function () {
          S.annuncia(buone.length === 1 ? T.foto_aggiunta : buone.length + ' ' + T.foto_aggiunte_n);
        }, function () { errore.textContent = T.foto_non_salvata; }).then(mostra);
      });
      mostra();
      return fs;
    }

    // The values of the photo fields of the form (read when it is saved)
    function valori(f, e) {
      var d = f.querySelector('[name=didascalia]');
      var p = f.querySelector('[name=foto_interna]');
      if (d) e.didascalia = pulisci(d.value, 300);
      if (p) e.foto_pubblica = p.checked ? 'no' : ((conteggi[e.id] || e.foto_archivio) ? 'si' : '');
    }

    S.foto = { pronto: pronto, conosciute: function () { return conosciute; },
      quante: function (id) { return conteggi[id] || 0; }, leggi: leggi, aggiungi: aggiungi, togli: togli,
      cancella: cancella, campo: campo, valori: valori, libera: function () { liberaUltimo(); },
      attivo: campi.indexOf('foto') >= 0 };
  };
})();
