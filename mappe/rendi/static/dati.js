/* mappe: read the page's data block. Big blocks travel gzip-compressed in base64 and are
 * opened with the browser's own DecompressionStream (no library, no network). */
(function () {
  'use strict';
  function leggi(id) {
    var el = document.getElementById(id);
    if (el.getAttribute('data-codifica') !== 'gzip-base64') {
      return Promise.resolve(JSON.parse(el.textContent));
    }
    if (typeof DecompressionStream !== 'function') {
      var avviso = document.createElement('p');
      avviso.className = 'mappe-browser-vecchio';
      avviso.textContent = 'Questa mappa è grande e serve un browser aggiornato (Chrome, Edge, Firefox o Safari ' +
        'degli ultimi anni) per aprirla. / This large map needs an up-to-date browser.';
      document.body.insertBefore(avviso, document.body.firstChild);
      return Promise.reject(new Error('DecompressionStream non disponibile'));
    }
    var binario = atob(el.textContent.trim());
    var byte = new Uint8Array(binario.length);
    for (var i = 0; i < binario.length; i++) byte[i] = binario.charCodeAt(i);
    var flusso = new Blob([byte]).stream().pipeThrough(new DecompressionStream('gzip'));
    return new Response(flusso).text().then(JSON.parse);
  }
  window.MappeDati = { leggi: leggi };
})();
