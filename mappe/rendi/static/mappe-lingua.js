/* mappe: the languages of a public page (mappe mostra --lingue it,ar,fr...).
 *
 * The page is built in its first language and carries the others in D.alternative: the texts of
 * the page, the labels of the catalogue, the titles of the views, the privacy notice, and the
 * translations of people's words that a person wrote (D.contributi.tr, D.luoghi.tr,
 * D.seguito.iniziative.tr). scegli(D) runs before anything is drawn: it picks the language (the
 * visitor's choice, kept for the visit; else the browser's preferred language when the page
 * offers it; else the first), puts that language's texts where the rest of the code reads them,
 * and sets lang and dir on the page. Changing language reloads the page in the new one: every
 * string is then drawn by the same code as at the start. A kiosk goes back to the first language
 * when it resets for the next visitor (torna).
 *
 * People's words: a translated text replaces the original in the columns the cards read, and the
 * original is kept in D.<table>.originale, for "Originale in italiano"; a text without a
 * translation is shown as it was said, marked as Italian (lang="it"). */
(function () {
  'use strict';

  var CHIAVE = 'mappe-lingua:';

  function chiave(D) { return CHIAVE + (D.mostra_id || window.location.pathname); }

  function leggiScelta(D) {
    var h = /[#&]lingua=([a-z]{2,3})\b/.exec(window.location.hash || '');
    if (h) return h[1];
    try { return window.sessionStorage.getItem(chiave(D)); } catch (e) { return null; }
  }

  // Returns false when the browser keeps nothing (storage refused): the address carries the choice.
  function salvaScelta(D, lingua) {
    try {
      if (lingua) window.sessionStorage.setItem(chiave(D), lingua);
      else window.sessionStorage.removeItem(chiave(D));
      return true;
    } catch (e) { return false; }
  }

  function nelIndirizzo() { return /[#&]lingua=/.test(window.location.hash || ''); }

  function ricarica(lingua) {
    if (lingua) {
      var h = (window.location.hash || '').replace(/^#/, '').replace(/(^|&)lingua=[^&]*/g, '').replace(/^&/, '');
      window.location.hash = 'lingua=' + lingua + (h ? '&' + h : '');
    }
    window.location.reload();
  }

  function preferita(elenco) {
    var preferite = (navigator.languages && navigator.languages.length) ? navigator.languages : [navigator.language];
    for (var i = 0; i < preferite.length; i++) {
      var c = String(preferite[i] || '').toLowerCase().split('-')[0];
      if (elenco.indexOf(c) >= 0) return c;
    }
    return null;
  }

  // A column of the data block is a list, or {s: {index: value}} when mostly empty: the value at i.
  function valore(col, i) {
    if (!col) return null;
    var v = Array.isArray(col) ? col[i] : (col.s ? col.s[i] : col[i]);
    return v === undefined ? null : v;
  }

  // Put the translations tr ({field: {index: text}}) over the columns of table t, in whichever
  // shape each column has (a list, or {s: {...}} when mostly empty); keep the originals, and mark
  // which field of which row is a translation (t.tradotto[field][i]).
  function traduci(t, tr, campi) {
    if (!t || !tr) return;
    t.originale = {};
    t.tradotto = {};
    campi.forEach(function (campo) {
      var col = tr[campo];
      if (!col) return;
      var orig = t[campo] || { s: {} };
      t.originale[campo] = orig;
      var nuova, dove;
      if (Array.isArray(orig)) {
        nuova = orig.slice();
        dove = nuova;
      } else {
        nuova = { s: Object.assign({}, orig.s || {}) };
        dove = nuova.s;
      }
      var segnati = t.tradotto[campo] = {};
      Object.keys(col).forEach(function (k) {
        var v = col[k];
        if (v === null || v === undefined || v === '') return;
        dove[k] = v;
        segnati[k] = 1;
      });
      t[campo] = nuova;
    });
  }

  // Whether field campo of row i is a translation (campo omitted: any field of the row).
  function tradotto(t, campo, i) {
    if (!t || !t.tradotto) return false;
    if (campo) return !!(t.tradotto[campo] && t.tradotto[campo][i]);
    return Object.keys(t.tradotto).some(function (c) { return !!t.tradotto[c][i]; });
  }

  function applica(D, lingua) {
    var A = D.alternative && D.alternative[lingua];
    if (A) {
      D.testi = A.testi;
      D.crediti = A.crediti;
      D.sottotitolo = A.sottotitolo;
      if (A.titolo) D.titolo = A.titolo;
      if (A.informativa) D.informativa = A.informativa;
      Object.keys(A.voci || {}).forEach(function (voc) {
        Object.keys(A.voci[voc]).forEach(function (cod) {
          if (D.voci[voc] && D.voci[voc][cod]) D.voci[voc][cod].label = A.voci[voc][cod];
        });
      });
      (A.viste || []).forEach(function (v, k) {
        if (D.viste[k]) { D.viste[k].titolo = v.titolo; D.viste[k].didascalia = v.didascalia; }
      });
      if (A.novita && D.seguito && D.seguito.novita) D.seguito.novita.frase = A.novita;
      if (A.indicatori && D.indicatori) D.indicatori.forEach(function (x, k) { x.label = A.indicatori[k]; });
    }
    if (lingua !== 'it') {  // people's words are said in Italian: their translations, where a person wrote one
      if (D.contributi) traduci(D.contributi, D.contributi.tr && D.contributi.tr[lingua], ['titolo', 'testo', 'esito']);
      if (D.luoghi) traduci(D.luoghi, D.luoghi.tr && D.luoghi.tr[lingua], ['descrizione']);
      if (D.seguito && D.seguito.iniziative) {
        traduci(D.seguito.iniziative, D.seguito.iniziative.tr && D.seguito.iniziative.tr[lingua],
          ['nome', 'descrizione', 'esito']);
      }
    }
    D.lingua = lingua;
    if (lingua !== 'it') {  // dates and amounts as the visitor's language writes them
      (D.incontri || []).forEach(function (x) { if (x.iso) x.data = data(D, x.iso); });
      var I = D.seguito && D.seguito.iniziative;
      if (I) {
        if (I.euro) I.importo = I.euro.map(function (n) { return n === null ? null : euro(D, n); });
        if (I.inizio_iso) I.inizio = I.inizio_iso.map(function (v) { return v ? data(D, v) : null; });
        if (I.fine_iso) I.fine = I.fine_iso.map(function (v) { return v ? data(D, v) : null; });
      }
    }
    var html = document.documentElement;
    html.setAttribute('lang', lingua);
    html.setAttribute('dir', D.lingue.destra_sinistra.indexOf(lingua) >= 0 ? 'rtl' : 'ltr');
    var salta = document.querySelector('.mappe-salta');
    if (salta) salta.textContent = D.testi.salta;
    var area = document.querySelector('.mappe-area-mappa');
    if (area) area.setAttribute('aria-label', D.testi.mappa);
  }

  function scegli(D) {
    D.lingua_originale = D.lingua;
    if (!D.lingue) D.lingue = { elenco: [D.lingua], nomi: {}, destra_sinistra: [] };
    var elenco = D.lingue.elenco;
    var scelta = leggiScelta(D);
    if (elenco.indexOf(scelta) < 0) scelta = preferita(elenco);
    if (elenco.indexOf(scelta) < 0) scelta = elenco[0];
    applica(D, scelta);
    return scelta;
  }

  function cambia(D, lingua) {
    if (lingua === D.lingua) return;
    var tenuta = salvaScelta(D, lingua);
    ricarica(!tenuta || nelIndirizzo() ? lingua : null);
  }

  // A kiosk's reset: the next visitor starts in the first language. True when the page reloads.
  function torna(D) {
    if (!D.lingue || D.lingue.elenco.length < 2) return false;
    var prima = D.lingue.elenco[0];
    if (D.lingua === prima) return false;
    var tenuta = salvaScelta(D, prima);  // not the browser's language: the kiosk's first one
    ricarica(!tenuta || nelIndirizzo() ? prima : null);
    return true;
  }

  // The language switch: each language named in itself, in its own direction.
  function selettore(D) {
    var nav = document.createElement('nav');
    nav.className = 'mappe-lingue';
    nav.setAttribute('aria-label', D.testi.lingua);
    var ul = document.createElement('ul');
    D.lingue.elenco.forEach(function (c) {
      var li = document.createElement('li');
      var b = document.createElement('button');
      b.type = 'button';
      b.className = 'mappe-lingua';
      b.textContent = D.lingue.nomi[c] || c;
      b.setAttribute('lang', c);
      b.setAttribute('dir', D.lingue.destra_sinistra.indexOf(c) >= 0 ? 'rtl' : 'ltr');
      b.setAttribute('data-lingua', c);
      b.setAttribute('aria-pressed', c === D.lingua ? 'true' : 'false');
      b.addEventListener('click', function () { cambia(D, c); });
      li.appendChild(b);
      ul.appendChild(li);
    });
    nav.appendChild(ul);
    return nav;
  }

  // Dates and numbers in the visitor's language.
  // (English as written in Europe: day, month, year)
  function locale(D) { return D.lingua === 'en' ? 'en-GB' : D.lingua; }

  function data(D, iso) {
    if (!iso) return '';
    var m = /^(\d{4})-(\d{2})-(\d{2})/.exec(iso);
    if (!m) return iso;
    if (D.lingua === 'it') return m[3] + '/' + m[2] + '/' + m[1];
    try {
      return new Intl.DateTimeFormat(locale(D), { day: '2-digit', month: '2-digit', year: 'numeric', timeZone: 'UTC' })
        .format(new Date(Date.UTC(+m[1], +m[2] - 1, +m[3])));
    } catch (e) { return m[3] + '/' + m[2] + '/' + m[1]; }
  }

  function numero(D, n) {
    try { return new Intl.NumberFormat(locale(D)).format(n); } catch (e) { return String(n); }
  }

  function euro(D, n) {
    try {
      return new Intl.NumberFormat(locale(D), { style: 'currency', currency: 'EUR', maximumFractionDigits: 0 }).format(n);
    } catch (e) { return n + ' €'; }
  }

  // The original of field campo of row i, when it is shown translated (null: it is not).
  function originale(t, campo, i) {
    if (!tradotto(t, campo, i) || !t.originale) return null;
    return valore(t.originale[campo], i);
  }

  window.MappeLingua = {
    scegli: scegli, cambia: cambia, torna: torna, selettore: selettore, data: data, numero: numero, euro: euro,
    originale: originale, valore: valore, tradotto: tradotto
  };
})();
