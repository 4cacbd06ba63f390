/* mappe, editor (rilievo): the form of a contribution.
 *
 * Owns: the form beside the map (under it on a phone), built from the catalogue's choices:
 * kind, theme, title, the participants' words, emotion (for an emotion) or period (for a
 * memory), age group, weight, place, photos (S.foto's picker, with the caption and the choice to
 * keep them internal), visibility, consent, sensitive position; saving (kind,
 * theme and words are required), deleting, closing. Every value goes in with .value or
 * textContent. On a phone, saving or closing brings the map back on screen.
 * Reads: D.voci, D.luoghi. Uses: S.elementi, S.elenco, S.foto.
 * Gives: S.scheda = {apri(e), chiudi()}. */
(function () {
  'use strict';

  var R = window.MappeRilievo = window.MappeRilievo || {};
  var U = window.MappeUtili;
  var el = U.el, bottone = U.bottone, pulisci = U.pulisci;

  R.scheda = function (S) {
    var map = S.map, D = S.D, T = S.T;
    var modulo = el('div', 'mappe-modulo');
    document.getElementById('mappe-comandi').appendChild(modulo);

    function campo(nome, etichetta, controllo) {
      var w = el('div', 'mappe-campo');
      var l = el('label', null, etichetta);
      l.setAttribute('for', 'mappe-campo-' + nome);
      controllo.id = 'mappe-campo-' + nome;
      controllo.name = nome;
      w.appendChild(l);
      w.appendChild(controllo);
      return w;
    }
    function opzione(s, valore, testo) {
      var o = el('option', null, testo);
      o.value = valore;
      s.appendChild(o);
    }
    function campoScelta(nome, etichetta, voc, valore, vuota) {
      var s = el('select');
      if (vuota) opzione(s, '', '—');
      Object.keys(D.voci[voc] || {}).forEach(function (k) {
        if (!D.voci[voc][k].suggerimento) opzione(s, k, D.voci[voc][k].label);
      });
      s.value = valore || '';
      return campo(nome, etichetta, s);
    }
    function campoTesto(nome, etichetta, valore, area) {
      var i = el(area ? 'textarea' : 'input');
      if (area) i.rows = 4; else i.type = 'text';
      i.maxLength = area ? 5000 : 200;
      i.value = valore || '';
      return campo(nome, etichetta, i);
    }
    function campoLuogo(valore) {
      var s = el('select');
      opzione(s, '', '—');
      D.luoghi.id.forEach(function (id, j) { opzione(s, id, D.luoghi.nome[j]); });
      s.value = valore || '';
      return campo('luogo', T.luogo, s);
    }

    function chiudi() {
      modulo.textContent = '';
      S.foto.libera();
      // a phone: the form was under the map; the next tap is on the map
      var r = map.getContainer().getBoundingClientRect();
      if (r.bottom < 0 || r.top > window.innerHeight) map.getContainer().scrollIntoView({ block: 'nearest' });
    }

    function apri(e) {
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
      f.appendChild(campoLuogo(e.luogo));
      if (S.foto.attivo) f.appendChild(S.foto.campo(e));
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
      var azioni = el('div', 'mappe-azioni-scheda');
      var salvaB = el('button', 'mappe-salva', T.salva);
      salvaB.type = 'submit';
      azioni.appendChild(salvaB);
      azioni.appendChild(bottone('mappe-elimina', T.elimina, function () {
        if (!window.confirm(T.conferma_elimina)) return;
        S.elementi.togli(e);
        chiudi();
        S.annuncia(T.eliminato);
      }));
      azioni.appendChild(bottone('mappe-chiudi', T.chiudi, chiudi));
      f.appendChild(azioni);
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
        if (S.foto.attivo) S.foto.valori(f, e);
        S.elementi.salva();
        S.elementi.ridisegna(e);
        S.elenco.aggiorna();
        chiudi();
        S.annuncia(T.salvato);
      });
      modulo.appendChild(f);
      sTipo.focus();
    }

    S.scheda = { apri: apri, chiudi: chiudi };
  };
})();
