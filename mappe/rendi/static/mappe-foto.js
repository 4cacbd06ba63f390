/* mappe, part "foto": the photos and drawings of a card, and the photo enlarged.
 *
 * Owns M.figura(indici, didascalia, credito, grande): a <figure> with the thumbnails of a card
 * (each a button that enlarges it), the caption and who took the photo; and the dialog that
 * shows one enlarged (closed by its button, Escape or a tap beside it; the focus goes back to
 * the thumbnail). The thumbnails travel in the data block as base64 WebP (D.foto.b, with their
 * width D.foto.l and height D.foto.a) and become pictures only when a card is made, so they
 * never delay the first paint; enlarged, a served exhibition (D.invio) shows the preview it
 * serves at foto/H (H: the thumbnail's hash, D.foto.h) instead. Reads D.foto, D.invio, T. Every text is textContent. */
(function () {
  'use strict';

  var U = window.MappeUtili;
  var el = U.el, bottone = U.bottone;
  var P = window.MappeParti = window.MappeParti || {};

  P.foto = function (M) {
    var D = M.D, T = M.T, F = D.foto || { b: [], l: [], a: [] };
    var dialogo = null, immagineGrande = null, testoGrande = null, daRifocalizzare = null;

    function sorgente(k) { return 'data:image/webp;base64,' + F.b[k]; }

    function apriDialogo() {
      if (dialogo) return dialogo;
      dialogo = el('dialog', 'mappe-foto-dialogo');
      dialogo.setAttribute('aria-label', T.foto_grande);
      immagineGrande = el('img', 'mappe-foto-grande');
      testoGrande = el('p', 'mappe-foto-testo-grande');
      var chiudi = bottone('mappe-foto-chiudi', T.chiudi, function () { dialogo.close(); });
      dialogo.appendChild(chiudi);
      dialogo.appendChild(immagineGrande);
      dialogo.appendChild(testoGrande);
      // a tap on the dark area beside the photo closes it, as people expect
      dialogo.addEventListener('click', function (ev) { if (ev.target === dialogo) dialogo.close(); });
      dialogo.addEventListener('close', function () {
        if (daRifocalizzare && document.contains(daRifocalizzare)) daRifocalizzare.focus();
        daRifocalizzare = null;
      });
      document.body.appendChild(dialogo);
      return dialogo;
    }

    function ingrandisci(k, alt, testo, origine) {
      var d = apriDialogo();
      immagineGrande.onerror = null;
      if (D.invio) {
        // a served exhibition has the preview (about 1200 px); the thumbnail if it cannot come
        immagineGrande.onerror = function () { immagineGrande.onerror = null; immagineGrande.src = sorgente(k); };
        immagineGrande.src = 'foto/' + F.h[k];
      } else {
        immagineGrande.src = sorgente(k);
      }
      immagineGrande.alt = alt;
      immagineGrande.width = F.l[k];
      immagineGrande.height = F.a[k];
      testoGrande.textContent = testo;
      daRifocalizzare = origine;
      if (typeof d.showModal === 'function') d.showModal(); else d.setAttribute('open', '');
    }

    // didascalia: one text for all the photos, or a list with one per photo (then each photo is a
    // figure of its own, and who took them is said once, after the last)
    function figura(indici, didascalia, credito, grande) {
      if (!indici || !indici.length) return null;
      if (Array.isArray(didascalia)) {
        var gruppo = el('div', 'mappe-foto-gruppo' + (grande ? ' mappe-foto-principale' : ''));
        indici.forEach(function (k, n) {
          var f1 = figura([k], didascalia[n] || '', n === indici.length - 1 ? credito : '', false);
          if (f1) gruppo.appendChild(f1);
        });
        return gruppo;
      }
      var f = el('figure', 'mappe-foto' + (grande ? ' mappe-foto-principale' : ''));
      var alt = didascalia || T.foto;
      var testo = [didascalia || '', credito ? T.foto_di + ' ' + credito : ''].filter(Boolean).join(' · ');
      var riga = el('div', 'mappe-foto-miniature');
      indici.forEach(function (k, n) {
        if (typeof F.b[k] !== 'string') return;
        var b = bottone('mappe-foto-apri');
        b.setAttribute('aria-label', T.ingrandisci_foto + (didascalia ? ': ' + didascalia : '') +
          (indici.length > 1 ? ' (' + (n + 1) + '/' + indici.length + ')' : ''));
        var img = el('img');
        img.alt = alt;
        img.width = F.l[k];
        img.height = F.a[k];
        img.loading = 'lazy';
        img.decoding = 'async';
        img.src = sorgente(k);
        b.appendChild(img);
        b.addEventListener('click', function () { ingrandisci(k, alt, testo, b); });
        riga.appendChild(b);
      });
      f.appendChild(riga);
      if (testo) f.appendChild(el('figcaption', null, testo));
      return f;
    }

    M.figura = figura;
  };
})();
