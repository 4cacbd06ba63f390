/* mappe: the editor for facilitators ("rilievo"). Click to add a point, draw a path or a
 * zone, fill the form with the catalogue's choices; everything stays in the browser until it is
 * exported as GeoJSON for `mappe importa`. Every text is set with textContent or .value. */
(function () {
  'use strict';

  var U = window.MappeUtili;
  var el = U.el, bottone = U.bottone, colore = U.colore, pulisci = U.pulisci, uuid = U.uuid;
  var IconaNodo = U.IconaNodo;
  function arrotonda(x) { return Math.round(x * 1e6) / 1e6; }

  function avvia(map, D) {
    var T = D.testi;
    var chiave = 'mappe-rilievo:' + D.id_file;
    var elementi = carica();
    var strati = {};
    var modo = null, vertici = [], traccia = null, inModifica = null, daCollocare = null;
    if (map.options.maxZoom === undefined) map.setMaxZoom(19);
    if (map.zoomControl) {
      map.removeControl(map.zoomControl);
      L.control.zoom({ zoomInTitle: T.ingrandisci, zoomOutTitle: T.riduci }).addTo(map);
    }

    function carica() {
      try {
        var v = JSON.parse(window.localStorage.getItem(chiave) || '[]');
        return Array.isArray(v) ? v : [];
      } catch (e) { return []; }
    }
    function salva() { window.localStorage.setItem(chiave, JSON.stringify(elementi)); }
    function annuncia(testo) {
      var a = document.getElementById('mappe-annuncio');
      a.textContent = '';
      window.setTimeout(function () { a.textContent = testo; }, 30);
    }
    function voce(voc, codice) {
      var v = D.voci[voc] && D.voci[voc][codice];
      return v ? v.label : (codice || '');
    }

    // The comune, its places, and what was already said (faded)
    var confine = L.geoJSON(D.confine, { interactive: false,
      style: { color: '#3d3d3d', weight: 2.5, fill: true, fillColor: '#f4efe1', fillOpacity: 0.3 } }).addTo(map);
    var limiti = confine.getBounds();
    map.fitBounds(limiti, { padding: [10, 10] });
    var esistenti = L.featureGroup().addTo(map);
    D.esistenti.forEach(function (p) {
      var t = D.voci.tipo[p[2]] || {};
      L.circleMarker([p[1], p[0]], { radius: 5, color: colore(t.colore), weight: 1, fillOpacity: 0.25, opacity: 0.4,
        interactive: false, className: 'mappe-esistente' }).addTo(esistenti);
    });
    var luoghi = L.featureGroup().addTo(map);
    var marcatoriLuoghi = D.luoghi.nome.map(function (nome, j) {
      var m = L.circleMarker([D.luoghi.y[j], D.luoghi.x[j]], { radius: 6, color: '#3b2f1e', weight: 2, fillColor: '#fff',
        fillOpacity: 1, className: 'mappe-luogo-rilievo' });
      // the name as text: a place's name may come from a visitor's suggestion
      m.bindTooltip(function () { return el('span', 'mappe-nome-luogo', nome); }, { permanent: false, direction: 'top' });
      m.on('click', function (ev) { if (modo) map.fire('click', { latlng: ev.latlng }); });
      m.addTo(luoghi);
      return m;
    });

    // Layout: header with the tools, the form and the lists beside the map
    var testata = document.getElementById('mappe-testata');
    var tit = el('div', 'mappe-titolo-mappa');
    tit.appendChild(el('h1', null, D.titolo));
    tit.appendChild(el('p', 'mappe-sottotitolo', D.sottotitolo));
    tit.appendChild(el('p', 'mappe-didascalia', T.rilievo_spiega));
    testata.appendChild(tit);
    var strumenti = el('div', 'mappe-strumenti');
    strumenti.setAttribute('role', 'toolbar');
    strumenti.setAttribute('aria-label', T.strumenti);
    var bPunto = bottone('mappe-strumento', T.punto, function () { inizia('punto'); });
    bPunto.setAttribute('data-modo', 'punto');
    var bPercorso = bottone('mappe-strumento', T.percorso, function () { inizia('percorso'); });
    bPercorso.setAttribute('data-modo', 'percorso');
    var bZona = bottone('mappe-strumento', T.zona, function () { inizia('zona'); });
    bZona.setAttribute('data-modo', 'zona');
    var bFine = bottone('mappe-fine', T.fine_disegno, finisci);
    var bAnnulla = bottone('mappe-annulla', T.annulla, annullaDisegno);
    var bEsporta = bottone('mappe-esporta', T.esporta, esporta);
    [bPunto, bPercorso, bZona, bFine, bAnnulla, bEsporta].forEach(function (b) { strumenti.appendChild(b); });
    testata.appendChild(strumenti);
    var stato = el('p', 'mappe-stato-rilievo');
    stato.setAttribute('role', 'status');
    testata.appendChild(stato);

    var comandi = document.getElementById('mappe-comandi');
    var cerca = el('div', 'mappe-cerca');
    var idC = 'mappe-cerca-luogo';
    var labC = el('label', null, T.cerca_luogo);
    labC.setAttribute('for', idC);
    var inC = el('input');
    inC.id = idC;
    inC.type = 'search';
    inC.setAttribute('list', 'mappe-luoghi-nomi');
    var dl = el('datalist');
    dl.id = 'mappe-luoghi-nomi';
    D.luoghi.nome.forEach(function (n) { var o = el('option'); o.value = n; dl.appendChild(o); });
    var bVai = bottone('mappe-vai', T.vai, vaiAlLuogo);
    inC.addEventListener('keydown', function (ev) { if (ev.key === 'Enter') { ev.preventDefault(); vaiAlLuogo(); } });
    cerca.appendChild(labC);
    cerca.appendChild(inC);
    cerca.appendChild(dl);
    cerca.appendChild(bVai);
    comandi.appendChild(cerca);
    var modulo = el('div', 'mappe-modulo');
    comandi.appendChild(modulo);
    var lista = document.getElementById('mappe-lista');

    function vaiAlLuogo() {
      var q = inC.value.trim().toLowerCase();
      if (!q) return;
      var j = D.luoghi.nome.findIndex(function (n) { return n.toLowerCase() === q; });
      if (j < 0) j = D.luoghi.nome.findIndex(function (n) { return n.toLowerCase().indexOf(q) >= 0; });
      if (j < 0) { annuncia(T.luogo_non_trovato); return; }
      map.setView([D.luoghi.y[j], D.luoghi.x[j]], 17);
      marcatoriLuoghi[j].openTooltip();
      annuncia(D.luoghi.nome[j]);
    }

    // Drawing
    function aggiornaBottoni() {
      [bPunto, bPercorso, bZona].forEach(function (b) {
        b.setAttribute('aria-pressed', b.getAttribute('data-modo') === modo ? 'true' : 'false');
      });
      bFine.hidden = !(modo === 'percorso' || modo === 'zona');
      if (typeof bCentro !== 'undefined') bCentro.hidden = !modo;
      bAnnulla.hidden = !modo;
      map.getContainer().classList.toggle('mappe-piazzando', !!modo);
    }
    function inizia(m) {
      annullaDisegno();
      modo = m;
      vertici = [];
      stato.textContent = m === 'punto' ? T.clic_punto : (m === 'percorso' ? T.clic_percorso : T.clic_zona);
      aggiornaBottoni();
    }
    function annullaDisegno() {
      if (traccia) { map.removeLayer(traccia); traccia = null; }
      modo = null;
      vertici = [];
      daCollocare = null;
      stato.textContent = '';
      aggiornaBottoni();
    }
    // With the keyboard: arrows move the map, this button puts the point (or the next vertex)
    // at the centre of the map, under the cross.
    var bCentro = bottone('mappe-centro', T.al_centro, function () {
      if (modo) map.fire('click', { latlng: map.getCenter() });
    });
    strumenti.insertBefore(bCentro, bFine);
    map.on('click', function (ev) {
      if (!modo) return;
      var ll = [arrotonda(ev.latlng.lng), arrotonda(ev.latlng.lat)];
      if (modo === 'punto') {
        var g = { type: 'Point', coordinates: ll };
        var nuovo = daCollocare ? Object.assign({}, daCollocare, { geometry: g, collocato: true }) : nuovoElemento(g);
        annullaDisegno();
        aggiungi(nuovo);
        return;
      }
      vertici.push(ll);
      if (traccia) map.removeLayer(traccia);
      var lat = vertici.map(function (v) { return [v[1], v[0]]; });
      traccia = (modo === 'zona' ? L.polygon(lat) : L.polyline(lat)).addTo(map);
      stato.textContent = (modo === 'zona' ? T.clic_zona : T.clic_percorso) + ' (' + vertici.length + ')';
    });
    function finisci() {
      if (modo === 'percorso' && vertici.length >= 2) {
        var g = { type: 'LineString', coordinates: vertici.slice() };
        annullaDisegno();
        aggiungi(nuovoElemento(g));
      } else if (modo === 'zona' && vertici.length >= 3) {
        var anello = vertici.concat([vertici[0]]);
        var z = { type: 'Polygon', coordinates: [anello] };
        annullaDisegno();
        aggiungi(nuovoElemento(z));
      } else {
        annuncia(modo === 'zona' ? T.servono_3 : T.servono_2);
      }
    }
    function nuovoElemento(g) {
      return { id: uuid(), geometry: g, incontro: D.incontro || '', tipo: '', tema: '', titolo: '', testo: '',
        emozione: '', epoca: '', fascia_eta: '', peso: 1, luogo: '', visibilita: 'pubblico', consenso: '',
        sensibile: false,
        creato: new Date().toISOString() };
    }

    // The features added, on the map
    function disegna(e) {
      if (strati[e.id]) map.removeLayer(strati[e.id]);
      var t = D.voci.tipo[e.tipo] || {};
      var c = colore(t.colore || '#1a5276');
      var s;
      if (e.geometry.type === 'Point') {
        var pallino = el('span');
        pallino.style.background = c;
        s = L.marker([e.geometry.coordinates[1], e.geometry.coordinates[0]], { draggable: true, keyboard: true,
          title: e.titolo || e.testo || T.nuovo, icon: new IconaNodo({ className: 'mappe-nuovo-punto',
            modello: pallino, iconSize: [22, 22], iconAnchor: [11, 11] }) });
        s.on('dragend', function () {
          var ll = s.getLatLng();
          e.geometry.coordinates = [arrotonda(ll.lng), arrotonda(ll.lat)];
          salva();
          rendiLista();
          annuncia(T.spostato);
        });
      } else {
        s = L.geoJSON(e.geometry, { style: { color: c, weight: 4, fillOpacity: 0.2, dashArray: e.geometry.type === 'Polygon' ? '6 4' : null,
          className: 'mappe-nuova-forma' } });
      }
      s.on('click', function (ev) {
        // while drawing, a tap on something already added is a vertex, not "open its form"
        if (modo) { map.fire('click', { latlng: ev.latlng }); return; }
        apriModulo(e);
      });
      s.addTo(map);
      strati[e.id] = s;
    }
    function aggiungi(e) {
      elementi.push(e);
      salva();
      disegna(e);
      rendiLista();
      apriModulo(e);
    }

    // The form, built from the catalogue
    function campoScelta(nome, etichetta, voc, valore, vuota) {
      var id = 'mappe-campo-' + nome;
      var w = el('div', 'mappe-campo');
      var l = el('label', null, etichetta);
      l.setAttribute('for', id);
      var s = el('select');
      s.id = id;
      s.name = nome;
      if (vuota) { var o0 = el('option', null, '—'); o0.value = ''; s.appendChild(o0); }
      Object.keys(D.voci[voc] || {}).forEach(function (k) {
        if (D.voci[voc][k].suggerimento) return;
        var o = el('option', null, D.voci[voc][k].label);
        o.value = k;
        s.appendChild(o);
      });
      s.value = valore || '';
      w.appendChild(l);
      w.appendChild(s);
      return w;
    }
    function campoTesto(nome, etichetta, valore, area) {
      var id = 'mappe-campo-' + nome;
      var w = el('div', 'mappe-campo');
      var l = el('label', null, etichetta);
      l.setAttribute('for', id);
      var i = el(area ? 'textarea' : 'input');
      i.id = id;
      i.name = nome;
      if (!area) i.type = 'text';
      else i.rows = 4;
      i.maxLength = area ? 5000 : 200;
      i.value = valore || '';
      w.appendChild(l);
      w.appendChild(i);
      return w;
    }
    function apriModulo(e) {
      inModifica = e;
      modulo.textContent = '';
      var f = el('form', 'mappe-form-rilievo');
      f.setAttribute('aria-label', T.modulo);
      f.appendChild(el('h2', null, e.titolo || T.nuovo));
      f.appendChild(campoScelta('tipo', T.tipo, 'tipo', e.tipo, true));
      f.appendChild(campoScelta('tema', T.tema_campo, 'tema', e.tema, true));
      f.appendChild(campoTesto('titolo', T.titolo_campo, e.titolo));
      f.appendChild(campoTesto('testo', T.parole, e.testo, true));
      var wEm = campoScelta('emozione', T.emozione, 'emozione', e.emozione, true);
      var wEp = campoTesto('epoca', T.epoca, e.epoca);
      f.appendChild(wEm);
      f.appendChild(wEp);
      f.appendChild(campoScelta('fascia_eta', T.fascia_eta, 'fascia_eta', e.fascia_eta, true));
      var wP = campoTesto('peso', T.peso, String(e.peso || 1));
      wP.querySelector('input').type = 'number';
      wP.querySelector('input').min = '1';
      f.appendChild(wP);
      var wL = el('div', 'mappe-campo');
      var lL = el('label', null, T.luogo);
      lL.setAttribute('for', 'mappe-campo-luogo');
      var sL = el('select');
      sL.id = 'mappe-campo-luogo';
      sL.name = 'luogo';
      var o0 = el('option', null, '—');
      o0.value = '';
      sL.appendChild(o0);
      D.luoghi.id.forEach(function (id, j) { var o = el('option', null, D.luoghi.nome[j]); o.value = id; sL.appendChild(o); });
      sL.value = e.luogo || '';
      wL.appendChild(lL);
      wL.appendChild(sL);
      f.appendChild(wL);
      f.appendChild(campoScelta('visibilita', T.visibilita, 'visibilita', e.visibilita || 'pubblico', false));
      if (D.voci.consenso) f.appendChild(campoScelta('consenso', T.consenso, 'consenso', e.consenso, true));
      var wS = el('label', 'mappe-campo mappe-casella');
      var cS = el('input');
      cS.type = 'checkbox';
      cS.name = 'sensibile';
      cS.checked = !!e.sensibile;
      wS.appendChild(cS);
      wS.appendChild(el('span', null, T.sensibile));
      f.appendChild(wS);
      var sTipo = f.querySelector('[name=tipo]');
      function mostraCampi() {
        wEm.hidden = sTipo.value !== 'emozione';
        wEp.hidden = sTipo.value !== 'memoria';
      }
      sTipo.addEventListener('change', mostraCampi);
      mostraCampi();
      var errore = el('p', 'mappe-errore');
      errore.setAttribute('role', 'alert');
      f.appendChild(errore);
      var salvaB = el('button', 'mappe-salva', T.salva);
      salvaB.type = 'submit';
      f.appendChild(salvaB);
      f.appendChild(bottone('mappe-elimina', T.elimina, function () {
        if (!window.confirm(T.conferma_elimina)) return;
        elementi = elementi.filter(function (x) { return x.id !== e.id; });
        if (strati[e.id]) { map.removeLayer(strati[e.id]); delete strati[e.id]; }
        salva();
        modulo.textContent = '';
        rendiLista();
        annuncia(T.eliminato);
      }));
      f.appendChild(bottone('mappe-chiudi', T.chiudi, function () { modulo.textContent = ''; inModifica = null; }));
      f.addEventListener('submit', function (ev) {
        ev.preventDefault();
        var v = function (n) { return f.querySelector('[name=' + n + ']').value; };
        if (!v('tipo') || !v('tema') || !pulisci(v('testo'), 5000)) { errore.textContent = T.obbligatori; return; }
        e.tipo = v('tipo');
        e.tema = v('tema');
        e.titolo = pulisci(v('titolo'), 200);
        e.testo = pulisci(v('testo'), 5000);
        e.emozione = e.tipo === 'emozione' ? v('emozione') : '';
        e.epoca = e.tipo === 'memoria' ? pulisci(v('epoca'), 100) : '';
        e.fascia_eta = v('fascia_eta');
        e.peso = Math.max(1, parseInt(v('peso'), 10) || 1);
        e.luogo = v('luogo');
        e.visibilita = v('visibilita');
        if (D.voci.consenso) e.consenso = v('consenso');
        e.sensibile = cS.checked;
        salva();
        disegna(e);
        rendiLista();
        modulo.textContent = '';
        annuncia(T.salvato);
      });
      modulo.appendChild(f);
      f.querySelector('[name=tipo]').focus();
    }

    // Lists: what was added, and what is still to be placed
    function rendiLista() {
      lista.textContent = '';
      var h = el('h2', null, T.aggiunti + ' (' + elementi.length + ')');
      h.id = 'mappe-elenco-titolo';
      lista.appendChild(h);
      var ul = el('ul', 'mappe-aggiunti');
      elementi.forEach(function (e) {
        var li = el('li');
        var forma = e.geometry.type === 'Point' ? T.punto : (e.geometry.type === 'LineString' ? T.percorso : T.zona);
        li.appendChild(el('span', 'mappe-meta-nome', forma + ' · ' + (voce('tipo', e.tipo) || T.da_compilare) + ': '));
        li.appendChild(bottone('mappe-link', e.titolo || e.testo.slice(0, 60) || T.nuovo, function () {
          var s = strati[e.id];
          if (s) {
            if (s.getLatLng) map.setView(s.getLatLng(), Math.max(map.getZoom(), 16));
            else map.fitBounds(s.getBounds(), { maxZoom: 17 });
          }
          apriModulo(e);
        }));
        ul.appendChild(li);
      });
      lista.appendChild(ul);
      var collocati = {};
      elementi.forEach(function (e) { collocati[e.id] = true; });
      var restano = D.da_collocare.filter(function (r) { return !collocati[r.id]; });
      if (restano.length) {
        lista.appendChild(el('h2', null, T.da_collocare + ' (' + restano.length + ')'));
        var ul2 = el('ul', 'mappe-da-collocare');
        restano.forEach(function (r) {
          var li = el('li');
          li.appendChild(el('span', null, voce('tipo', r.tipo) + ': ' + (r.titolo || r.testo.slice(0, 80)) + ' '));
          li.appendChild(bottone('mappe-colloca', T.colloca, function () {
            inizia('punto');
            daCollocare = r;
            stato.textContent = T.clic_colloca;
          }));
          ul2.appendChild(li);
        });
        lista.appendChild(ul2);
      }
    }

    // Export: a GeoJSON file that `mappe importa` takes as it is
    function esporta() {
      var pronti = elementi.filter(function (e) { return e.tipo && e.tema && e.testo; });
      if (!pronti.length) { annuncia(T.niente_da_esportare); return; }
      var campi = ['id', 'incontro', 'tipo', 'tema', 'titolo', 'testo', 'emozione', 'epoca', 'fascia_eta', 'peso',
        'luogo', 'visibilita', 'consenso'];
      var fc = { type: 'FeatureCollection', features: pronti.map(function (e) {
        var p = {};
        campi.forEach(function (k) { if (e[k] !== '' && e[k] !== null && e[k] !== undefined) p[k] = e[k]; });
        p.sensibile = e.sensibile ? 'sì' : 'no';
        return { type: 'Feature', properties: p, geometry: e.geometry };
      }) };
      var nome = 'rilievo-' + D.slug + '-' + new Date().toISOString().slice(0, 10) + '.geojson';
      var a = el('a');
      a.href = URL.createObjectURL(new Blob([JSON.stringify(fc, null, 1)], { type: 'application/geo+json' }));
      a.download = nome;
      document.body.appendChild(a);
      a.click();
      window.setTimeout(function () { URL.revokeObjectURL(a.href); a.parentNode.removeChild(a); }, 1000);
      var incompleti = elementi.length - pronti.length;
      annuncia(pronti.length + ' ' + T.esportati + ' ' + nome + (incompleti ? ' (' + incompleti + ' ' + T.incompleti + ')' : ''));
    }

    document.addEventListener('keydown', function (ev) {
      if (ev.key === 'Escape') annullaDisegno();
    });
    map.on('popupopen', function (ev) {
      var x = ev.popup.getElement() && ev.popup.getElement().querySelector('.leaflet-popup-close-button');
      if (x) { x.setAttribute('aria-label', T.chiudi); x.setAttribute('title', T.chiudi); }
    });
    elementi.forEach(disegna);
    rendiLista();
    aggiornaBottoni();
    map.invalidateSize();
    map.fitBounds(limiti, { padding: [10, 10] });
    document.documentElement.setAttribute('data-mappe-pronta', '1');
  }

  window.MappeRilievo = { avvia: avvia };
})();
