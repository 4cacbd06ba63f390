/* mappe: small helpers shared by every page (map, exhibition, territory, editor). Text goes in
 * with textContent, never as HTML. */
(function () {
  'use strict';

  function el(tag, cls, testo) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (testo !== undefined && testo !== null) e.textContent = String(testo);
    return e;
  }

  function bottone(cls, testo, azione) {
    var b = el('button', cls, testo);
    b.type = 'button';
    if (azione) b.addEventListener('click', azione);
    return b;
  }

  var COLORE_VALIDO = /^#[0-9a-fA-F]{6}$/;
  function colore(c) { return COLORE_VALIDO.test(c || '') ? c : '#555555'; }

  // Visitors' text: no control characters, bounded length.
  function pulisci(testo, massimo) {
    return String(testo || '')
      .replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F\u2028\u2029\uFFFE\uFFFF]/g, '')
      .replace(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(^|[^\uD800-\uDBFF])[\uDC00-\uDFFF]/g, '$1')
      .trim().slice(0, massimo);
  }

  function uuid() {
    var b = new Uint8Array(16);
    window.crypto.getRandomValues(b);
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    var h = Array.prototype.map.call(b, function (x) { return (x + 0x100).toString(16).slice(1); }).join('');
    return h.slice(0, 8) + '-' + h.slice(8, 12) + '-' + h.slice(12, 16) + '-' + h.slice(16, 20) + '-' + h.slice(20);
  }

  window.MappeUtili = { el: el, bottone: bottone, colore: colore, pulisci: pulisci, uuid: uuid };
})();
