/* mappe: visitors' feedback sent to the server of a served exhibition (mappe servi).
 *
 * The same interface as raccolta.js (aggiungi, locali), used instead of it when the page came
 * from `mappe servi` (D.invio, the feedback address relative to the page). Each item is sent as
 * soon as it is left; until the server says it has written it, it waits in this browser's
 * storage (in clear: a page on a hall's plain-http network has no WebCrypto, and the item is the
 * visitor's own, just typed) and is deleted from there when acknowledged. If the network drops, the
 * items wait and go when it comes back (on the browser's "online" event, on the next item, and at
 * growing intervals); each carries its own random id, which the server uses to write it once only,
 * however many times it arrives. The device keeps a random token of its own, which the server uses
 * to limit how much one device can send (a kiosk is one device for many visitors). */
(function () {
  'use strict';

  var PER_INVIO = 5;       // items in one request (the server takes 16 KB at most)
  var ATTESA_MAX = 20000;  // ms between two attempts, at most
  var TEMPO_MAX = 10000;   // ms for an answer before the attempt counts as failed

  function casuale(n) {
    var b = new Uint8Array(n);
    window.crypto.getRandomValues(b);
    return Array.prototype.map.call(b, function (x) { return (x + 0x100).toString(16).slice(1); }).join('');
  }

  function leggi(chiave) {
    try { return window.localStorage.getItem(chiave); } catch (e) { return null; }
  }
  function scrivi(chiave, valore) {
    try { window.localStorage.setItem(chiave, valore); return true; } catch (e) { return false; }
  }

  function Invio(D) {
    this.D = D;
    this.servita = true;
    this.url = D.invio;
    this.chiave = 'mappe:' + D.mostra_id + ':da-inviare';
    this.sessione = [];   // what was left while this page is open
    this.memoria = null;  // the queue, when the browser gives no storage (private windows of old browsers)
    this.inVolo = false;
    this.timer = null;
    this.attesa = 0;
    this.avvisato = false;
    this.annuncia = function () {};
    var tok = leggi('mappe:dispositivo');
    if (!tok || !/^[0-9a-f]{32}$/.test(tok)) {
      tok = casuale(16);
      scrivi('mappe:dispositivo', tok);
    }
    this.dispositivo = tok;
    var self = this;
    window.addEventListener('online', function () { self.invia(true); });
    // what an earlier visit on this device could not send
    window.setTimeout(function () { self.invia(true); }, 500);
  }

  Invio.prototype.coda = function () {
    if (this.memoria) return this.memoria.slice();
    try {
      var v = JSON.parse(leggi(this.chiave) || '[]');
      return Array.isArray(v) ? v.filter(function (x) { return x && typeof x.id === 'string'; }) : [];
    } catch (e) {
      return [];
    }
  };
  Invio.prototype._salva = function (lista) {
    if (this.memoria || !scrivi(this.chiave, JSON.stringify(lista))) this.memoria = lista.slice();
  };
  // Take these ids out of the queue (read again: another tab may have changed it).
  Invio.prototype._togli = function (ids) {
    var via = {};
    ids.forEach(function (i) { via[i] = true; });
    this._salva(this.coda().filter(function (x) { return !via[x.id]; }));
  };

  Invio.prototype.aggiungi = function (voce) {
    this.sessione.push(voce);
    var lista = this.coda();
    lista.push(voce);
    this._salva(lista);
    this.invia(true);
    return Promise.resolve();
  };

  Invio.prototype.locali = function (su) {
    return this.sessione.filter(function (r) { return r.su === su; });
  };

  Invio.prototype._riprova = function () {
    var self = this;
    this.attesa = Math.min(ATTESA_MAX, this.attesa ? this.attesa * 2 : 2000);
    if (this.timer) window.clearTimeout(this.timer);
    this.timer = window.setTimeout(function () { self.timer = null; self.invia(); }, this.attesa);
  };

  // Send what waits, PER_INVIO items at a time, one request at a time.
  Invio.prototype.invia = function (subito) {
    var self = this;
    if (this.inVolo) { this.ancora = true; return; }
    if (subito && this.timer) { window.clearTimeout(this.timer); this.timer = null; }
    if (this.timer) return;
    var lista = this.coda();
    if (!lista.length) return;
    var pezzo = lista.slice(0, this.uno ? 1 : PER_INVIO);
    var sito = '';
    var voci = pezzo.map(function (v) {
      var x = {};
      Object.keys(v).forEach(function (k) { if (k === 'sito') sito = sito || v[k]; else x[k] = v[k]; });
      return x;
    });
    this.inVolo = true;
    this.ancora = false;
    var ctrl = window.AbortController ? new AbortController() : null;
    var scadenza = window.setTimeout(function () { if (ctrl) ctrl.abort(); }, TEMPO_MAX);
    window.fetch(this.url, {
      method: 'POST', credentials: 'same-origin', cache: 'no-store', signal: ctrl ? ctrl.signal : undefined,
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ dispositivo: this.dispositivo, sito: sito, riscontri: voci })
    }).then(function (r) {
      return r.json().catch(function () { return {}; }).then(function (j) { return { stato: r.status, j: j }; });
    }).then(function (esito) {
      var s = esito.stato, j = esito.j || {};
      var nostri = {};
      pezzo.forEach(function (v) { nostri[v.id] = true; });
      var respinti = (Array.isArray(j.respinti) ? j.respinti : []).map(function (x) { return x && x.id; })
        .filter(function (i) { return nostri[i]; });
      if (s >= 200 && s < 300) {
        self._togli(pezzo.map(function (v) { return v.id; }));
        self.attesa = 0;
        self.uno = false;
        self.avvisato = false;
      } else if (s === 422 && respinti.length) {
        // refused for what they hold: they would be refused again; the others go at once
        self._togli(respinti);
        if (window.console) console.warn('mappe: riscontri non accettati', j.respinti);
      } else if (s === 400 || s === 413 || s === 415 || s === 422) {
        // a request the server cannot read: item by item, and an item it cannot read goes
        if (pezzo.length > 1) self.uno = true;
        else self._togli([pezzo[0].id]);
        if (window.console) console.warn('mappe: riscontro non accettato', s, j.errore || '');
      } else {
        throw new Error('risposta ' + s);  // 403, 429, 5xx: try again later, keep everything
      }
    }).catch(function () {
      self.ancora = false;
      if (!self.avvisato) { self.avvisato = true; self.annuncia(); }
      self._riprova();
    }).then(function () {
      window.clearTimeout(scadenza);
      self.inVolo = false;
      if (!self.timer && (self.ancora || self.coda().length)) self.invia();
    });
  };

  // Items still waiting on this device (for tests and for the staff's eyes).
  Invio.prototype.inAttesa = function () { return this.coda().length; };

  window.MappeInvio = { Invio: Invio };
})();
