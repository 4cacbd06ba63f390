/* mappe, editor (rilievo): what this survey added.
 *
 * Owns: the list of items (each a contribution with its geometry), kept in the browser's
 * localStorage under a key that carries the file's id (every file:// page shares one origin),
 * unencrypted: the editor is an internal page on the facilitator's own device. Also how each
 * item is drawn on the map: a point that can be dragged (class `mappe-nuovo-punto`), a path or
 * a dashed zone (`mappe-nuova-forma`), in the colour of its kind once the form says it; a tap
 * on one opens its form, unless a drawing is under way (then it is a point of the drawing).
 * Deleting an item deletes its photos too (S.foto).
 * Reads: D.id_file, D.incontro, D.voci.tipo. Gives: S.elementi = {tutti(), nuovo(geometria,
 * campi), aggiungi(e), salva(), ridisegna(e), togli(e), vai(e)}. */
(function () {
  'use strict';

  var R = window.MappeRilievo = window.MappeRilievo || {};
  var U = window.MappeUtili;
  var el = U.el, colore = U.colore, uuid = U.uuid, IconaNodo = U.IconaNodo;

  R.arrotonda = function (x) { return Math.round(x * 1e6) / 1e6; };

  R.elementi = function (S) {
    var map = S.map, D = S.D, T = S.T;
    var chiave = 'mappe-rilievo:' + D.id_file;
    var elementi = carica();
    var strati = {};

    function carica() {
      try {
        var v = JSON.parse(window.localStorage.getItem(chiave) || '[]');
        return Array.isArray(v) ? v : [];
      } catch (e) { return []; }
    }
    function salva() { window.localStorage.setItem(chiave, JSON.stringify(elementi)); }

    function nuovo(g, campi) {
      return Object.assign({ id: uuid(), geometry: g, incontro: D.incontro || '', tipo: '', tema: '', titolo: '',
        testo: '', emozione: '', epoca: '', fascia_eta: '', peso: 1, luogo: '', visibilita: 'pubblico', consenso: '',
        sensibile: false, creato: new Date().toISOString() }, campi || {});
    }

    function ridisegna(e) {
      if (strati[e.id]) map.removeLayer(strati[e.id]);
      var c = colore((D.voci.tipo[e.tipo] || {}).colore || '#1a5276');
      var s;
      if (e.geometry.type === 'Point') {
        var pallino = el('span');
        pallino.style.background = c;
        s = L.marker([e.geometry.coordinates[1], e.geometry.coordinates[0]], { draggable: true, keyboard: true,
          title: e.titolo || e.testo || T.nuovo, icon: new IconaNodo({ className: 'mappe-nuovo-punto',
            modello: pallino, iconSize: [22, 22], iconAnchor: [11, 11] }) });
        s.on('dragend', function () {
          var ll = s.getLatLng();
          e.geometry.coordinates = [R.arrotonda(ll.lng), R.arrotonda(ll.lat)];
          salva();
          S.elenco.aggiorna();
          S.annuncia(T.spostato);
        });
      } else {
        s = L.geoJSON(e.geometry, { style: { color: c, weight: 4, fillOpacity: 0.2,
          dashArray: e.geometry.type === 'Polygon' ? '6 4' : null, className: 'mappe-nuova-forma' } });
      }
      s.on('click', function (ev) {
        if (S.disegno.modo()) { map.fire('click', { latlng: ev.latlng }); return; }
        S.scheda.apri(e);
      });
      s.addTo(map);
      strati[e.id] = s;
    }

    function aggiungi(e) {
      elementi.push(e);
      salva();
      ridisegna(e);
      S.elenco.aggiorna();
      S.scheda.apri(e);
    }

    function togli(e) {
      elementi = elementi.filter(function (x) { return x.id !== e.id; });
      if (strati[e.id]) { map.removeLayer(strati[e.id]); delete strati[e.id]; }
      salva();
      if (S.foto) S.foto.cancella(e.id).catch(function () {});
      S.elenco.aggiorna();
    }

    // Show an item on the map (from the list)
    function vai(e) {
      var s = strati[e.id];
      if (!s) return;
      if (s.getLatLng) map.setView(s.getLatLng(), Math.max(map.getZoom(), 16));
      else map.fitBounds(s.getBounds(), { maxZoom: 17 });
    }

    S.elementi = { tutti: function () { return elementi; }, nuovo: nuovo, aggiungi: aggiungi, salva: salva,
      ridisegna: ridisegna, togli: togli, vai: vai, disegnaTutti: function () { elementi.forEach(ridisegna); } };
  };
})();
