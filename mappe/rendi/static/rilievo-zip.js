/* mappe, editor (rilievo): a small zip writer, for the export with photos.
 *
 * Owns: writing a zip archive in the browser, with no library: every member STORED (method 0,
 * no compression: photos are compressed already), its CRC-32 computed here, its name in UTF-8
 * (general purpose flag bit 11), sizes and CRC in the local header (no data descriptor, no extra
 * field, no comment), then the central directory and its end record. What `mappe importa`
 * checks of a zip (the local header, the directory and the data agree) holds by construction.
 * No zip64: more than 65,535 members or 4 GB is refused (an editor's export is far smaller).
 * Gives: R.zip = {scrivi(voci) -> Promise of a Blob, crc32(bytes, crc)}; voci: [{nome, dati}],
 * dati a Blob, a Uint8Array or a string (written as UTF-8). */
(function () {
  'use strict';

  var R = window.MappeRilievo = window.MappeRilievo || {};

  var TABELLA = (function () {
    var t = new Uint32Array(256);
    for (var n = 0; n < 256; n++) {
      var c = n;
      for (var k = 0; k < 8; k++) c = (c & 1) ? (0xEDB88320 ^ (c >>> 1)) : (c >>> 1);
      t[n] = c >>> 0;
    }
    return t;
  })();

  // CRC-32 (ISO 3309, the zip one) of bytes; `crc` continues an earlier one.
  function crc32(byte, crc) {
    var c = (crc === undefined ? 0 : crc) ^ 0xFFFFFFFF;
    for (var i = 0; i < byte.length; i++) c = TABELLA[(c ^ byte[i]) & 0xFF] ^ (c >>> 8);
    return (c ^ 0xFFFFFFFF) >>> 0;
  }

  function utf8(testo) { return new TextEncoder().encode(testo); }

  function comeByte(dati) {
    if (typeof dati === 'string') return Promise.resolve(utf8(dati));
    if (dati instanceof Uint8Array) return Promise.resolve(dati);
    if (dati.arrayBuffer) return dati.arrayBuffer().then(function (b) { return new Uint8Array(b); });
    return new Promise(function (fatto, errore) {  // browsers without Blob.arrayBuffer
      var r = new FileReader();
      r.onload = function () { fatto(new Uint8Array(r.result)); };
      r.onerror = function () { errore(r.error); };
      r.readAsArrayBuffer(dati);
    });
  }

  // Date and time as MS-DOS writes them (local time, two-second steps, from 1980).
  function dataDos(d) {
    var anno = Math.max(1980, Math.min(2107, d.getFullYear()));
    return {
      ora: (d.getHours() << 11) | (d.getMinutes() << 5) | Math.floor(d.getSeconds() / 2),
      giorno: ((anno - 1980) << 9) | ((d.getMonth() + 1) << 5) | d.getDate()
    };
  }

  var VERSIONE = 20;       // 2.0: what every reader understands
  var UTF8 = 0x0800;       // bit 11: the name is UTF-8
  var MASSIMO = 0xFFFFFFFF;

  function intestazioneLocale(nome, crc, misura, quando) {
    var b = new Uint8Array(30 + nome.length);
    var v = new DataView(b.buffer);
    v.setUint32(0, 0x04034b50, true);
    v.setUint16(4, VERSIONE, true);
    v.setUint16(6, UTF8, true);
    v.setUint16(8, 0, true);             // stored
    v.setUint16(10, quando.ora, true);
    v.setUint16(12, quando.giorno, true);
    v.setUint32(14, crc, true);
    v.setUint32(18, misura, true);        // compressed size = size
    v.setUint32(22, misura, true);
    v.setUint16(26, nome.length, true);
    v.setUint16(28, 0, true);             // no extra field
    b.set(nome, 30);
    return b;
  }

  function voceDirectory(nome, crc, misura, quando, posizione) {
    var b = new Uint8Array(46 + nome.length);
    var v = new DataView(b.buffer);
    v.setUint32(0, 0x02014b50, true);
    v.setUint16(4, VERSIONE, true);       // made by: MS-DOS, 2.0
    v.setUint16(6, VERSIONE, true);
    v.setUint16(8, UTF8, true);
    v.setUint16(10, 0, true);
    v.setUint16(12, quando.ora, true);
    v.setUint16(14, quando.giorno, true);
    v.setUint32(16, crc, true);
    v.setUint32(20, misura, true);
    v.setUint32(24, misura, true);
    v.setUint16(28, nome.length, true);
    v.setUint16(30, 0, true);             // extra
    v.setUint16(32, 0, true);             // comment
    v.setUint16(34, 0, true);             // disk
    v.setUint16(36, 0, true);             // internal attributes
    v.setUint32(38, 0, true);             // external attributes
    v.setUint32(42, posizione, true);
    b.set(nome, 46);
    return b;
  }

  function fineDirectory(quante, misura, posizione) {
    var b = new Uint8Array(22);
    var v = new DataView(b.buffer);
    v.setUint32(0, 0x06054b50, true);
    v.setUint16(4, 0, true);
    v.setUint16(6, 0, true);
    v.setUint16(8, quante, true);
    v.setUint16(10, quante, true);
    v.setUint32(12, misura, true);
    v.setUint32(16, posizione, true);
    v.setUint16(20, 0, true);             // no comment
    return b;
  }

  // The archive of `voci`, in their order. Each member is read once (for its CRC), one at a time;
  // a Blob goes into the archive as the Blob itself, not as a copy of its bytes.
  function scrivi(voci) {
    if (voci.length > 0xFFFF) return Promise.reject(new Error('troppi file per uno zip'));
    var quando = dataDos(new Date());
    var parti = [], directory = [], posizione = 0, visti = {};
    var catena = Promise.resolve();
    voci.forEach(function (voce) {
      catena = catena.then(function () {
        var nome = utf8(voce.nome);
        if (!voce.nome || nome.length > 0xFFFF || visti[voce.nome]) throw new Error('nome non valido: ' + voce.nome);
        visti[voce.nome] = true;
        return comeByte(voce.dati).then(function (byte) {
          var crc = crc32(byte);
          if (byte.length >= MASSIMO || posizione + 30 + nome.length + byte.length >= MASSIMO) {
            throw new Error('archivio troppo grande per uno zip');
          }
          var testa = intestazioneLocale(nome, crc, byte.length, quando);
          directory.push(voceDirectory(nome, crc, byte.length, quando, posizione));
          parti.push(testa, (voce.dati instanceof Blob) ? voce.dati : byte);
          posizione += testa.length + byte.length;
        });
      });
    });
    return catena.then(function () {
      var misura = directory.reduce(function (s, d) { return s + d.length; }, 0);
      if (posizione + misura >= MASSIMO) throw new Error('archivio troppo grande per uno zip');
      return new Blob(parti.concat(directory, [fineDirectory(voci.length, misura, posizione)]),
        { type: 'application/zip' });
    });
  }

  R.zip = { scrivi: scrivi, crc32: crc32 };
})();
