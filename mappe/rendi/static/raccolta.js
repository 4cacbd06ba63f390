/* mappe: visitors' feedback kept in the browser of a kiosk, as ciphertext, until the staff
 * download it (see mappe/cifratura.py for the scheme).
 *
 * Every page opened from a file shares the browser's storage with every other local file, so
 * nothing readable is stored: each item is encrypted with the exhibition's public key (ECDH P-256
 * with a fresh key per item, HKDF-SHA-256, AES-256-GCM) before it is written; only
 * `mappe riscontri importa`, which holds the private key, can read it. What a visitor left is
 * known in clear only to the page that is open (to count it on the card) and is forgotten with it.
 * Stored: the list of encrypted items, and how many of them the staff have downloaded. The staff
 * code only opens the download: it is checked with PBKDF2, and wrong attempts slow down. */
(function () {
  'use strict';

  var INFO = 'mappe-riscontri-1';
  var codifica = new TextEncoder();

  function b64(buf) {
    var s = '', b = new Uint8Array(buf);
    for (var k = 0; k < b.length; k++) s += String.fromCharCode(b[k]);
    return btoa(s).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
  }

  function disponibile() {
    return !!(window.crypto && window.crypto.subtle && window.isSecureContext !== false);
  }

  // One item, encrypted for the holder of the exhibition's private key.
  function cifra(chiavePubblica, mostra, voce) {
    var S = window.crypto.subtle, ec = { name: 'ECDH', namedCurve: 'P-256' }, effimera, epk;
    return Promise.all([
      S.importKey('jwk', chiavePubblica, ec, false, []),
      S.generateKey(ec, true, ['deriveBits'])
    ]).then(function (k) {
      effimera = k[1];
      return Promise.all([
        S.deriveBits({ name: 'ECDH', public: k[0] }, effimera.privateKey, 256),
        S.exportKey('raw', effimera.publicKey)
      ]);
    }).then(function (r) {
      epk = r[1];
      return S.importKey('raw', r[0], 'HKDF', false, ['deriveKey']);
    }).then(function (base) {
      return S.deriveKey({ name: 'HKDF', hash: 'SHA-256', salt: epk, info: codifica.encode(INFO) }, base,
        { name: 'AES-GCM', length: 256 }, false, ['encrypt']);
    }).then(function (chiave) {
      var iv = window.crypto.getRandomValues(new Uint8Array(12));
      return S.encrypt({ name: 'AES-GCM', iv: iv, additionalData: codifica.encode(mostra) }, chiave,
        codifica.encode(JSON.stringify(voce))).then(function (ct) {
        return { v: 1, epk: b64(epk), iv: b64(iv), ct: b64(ct) };
      });
    });
  }

  function cifrato(x) {
    return !!(x && typeof x === 'object' && x.v === 1 && typeof x.ct === 'string');
  }

  function Raccolta(D) {
    this.D = D;
    this.chiave = 'mappe:' + D.mostra_id + ':riscontri';
    this.chiaveScaricati = this.chiave + ':scaricati';
    this.sessione = []; // what was left while this page is open, in memory only
    this.coda = Promise.resolve();
    this.attiva = disponibile() && !!D.chiave_pubblica;
    if (this.attiva) this.coda = this.coda.then(this._cifraVecchi.bind(this));
  }

  Raccolta.prototype._leggi = function () {
    try {
      var v = JSON.parse(window.localStorage.getItem(this.chiave) || '[]');
      return Array.isArray(v) ? v : [];
    } catch (e) {
      return [];
    }
  };

  // Items left in clear by an earlier build of the same exhibition on this kiosk: encrypt them now.
  Raccolta.prototype._cifraVecchi = function () {
    var self = this, lista = this._leggi();
    if (lista.every(cifrato)) return null;
    return Promise.all(lista.map(function (x) {
      if (cifrato(x)) return x;
      var voce = {};
      ['id', 'su', 'comune', 'reazione', 'commento', 'data', 'mostra', 'lon', 'lat'].forEach(function (k) {
        if (x && x[k] !== undefined) voce[k] = x[k];
      });
      return cifra(self.D.chiave_pubblica, self.D.mostra_id, voce);
    })).then(function (nuova) {
      window.localStorage.setItem(self.chiave, JSON.stringify(nuova));
    });
  };

  // Keep one item: encrypted in the browser's storage, in clear only in this page's memory.
  Raccolta.prototype.aggiungi = function (voce) {
    var self = this;
    delete voce.sito;  // the field for bots exists only in a served page
    this.sessione.push(voce);
    this.coda = this.coda.then(function () {
      return cifra(self.D.chiave_pubblica, self.D.mostra_id, voce);
    }).then(function (c) {
      var lista = self._leggi();
      lista.push(c);
      window.localStorage.setItem(self.chiave, JSON.stringify(lista));
    });
    return this.coda;
  };

  Raccolta.prototype.locali = function (su) {
    return this.sessione.filter(function (r) { return r.su === su; });
  };

  // Encrypted items: all of them, or those the staff have not downloaded yet.
  Raccolta.prototype.tutti = function () {
    var self = this;
    return this.coda.then(function () { return self._leggi().filter(cifrato); });
  };
  Raccolta.prototype.nuovi = function () {
    var self = this;
    return this.tutti().then(function (t) {
      var n = parseInt(window.localStorage.getItem(self.chiaveScaricati) || '0', 10) || 0;
      return t.slice(Math.min(n, t.length));
    });
  };
  Raccolta.prototype.segnaScaricati = function (n) {
    window.localStorage.setItem(this.chiaveScaricati, String(n));
  };

  /* ---------- The staff code: PBKDF2, and a pause that doubles after each wrong attempt ---------- */
  function Codice(D) {
    this.pin = D.pin || {};
    this.chiave = 'mappe:' + D.mostra_id + ':tentativi';
  }
  Codice.prototype._stato = function () {
    try {
      var s = JSON.parse(window.localStorage.getItem(this.chiave) || '{}');
      return { n: +s.n || 0, finoA: +s.finoA || 0 };
    } catch (e) { return { n: 0, finoA: 0 }; }
  };
  // Seconds to wait before the next attempt is checked (0: go ahead).
  Codice.prototype.attesa = function () {
    return Math.max(0, Math.ceil((this._stato().finoA - Date.now()) / 1000));
  };
  // Resolves true or false; a wrong code makes the next attempt wait (1 s, 2 s, 4 s... up to 10 minutes).
  Codice.prototype.verifica = function (testo) {
    var self = this, S = window.crypto.subtle;
    var cifre = String(testo || '').replace(/\D/g, '');
    var sale = Uint8Array.from(atob(String(this.pin.sale || '').replace(/-/g, '+').replace(/_/g, '/')),
      function (c) { return c.charCodeAt(0); });
    return S.importKey('raw', codifica.encode(cifre), 'PBKDF2', false, ['deriveBits']).then(function (k) {
      return S.deriveBits({ name: 'PBKDF2', hash: 'SHA-256', salt: sale, iterations: self.pin.iterazioni || 1 }, k, 256);
    }).then(function (bits) {
      var ok = b64(bits) === self.pin.hash;
      var s = self._stato();
      if (ok) {
        window.localStorage.removeItem(self.chiave);
      } else {
        s.n += 1;
        s.finoA = Date.now() + Math.min(600, Math.pow(2, s.n - 1)) * 1000;
        window.localStorage.setItem(self.chiave, JSON.stringify(s));
      }
      return ok;
    });
  };

  window.MappeRaccolta = { Raccolta: Raccolta, Codice: Codice, disponibile: disponibile, cifra: cifra };
})();
