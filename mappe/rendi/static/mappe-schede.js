/* mappe, part "schede": the cards of a contribution and of a place, in a popup or in the list.
 *
 * Owns M.scheda(i, nellElenco) and M.schedaLuogo(j, nellElenco) (the words first, then the
 * details, then the feedback), the feedback block under each card (reactions, approved comments,
 * the visitor's comment form when the page collects feedback) and M.testoDaInviare, the text box
 * a visitor fills in (also used by mappe-aggiunte.js).
 * A card with photos shows them (M.figura): a memory's photo first and large, as the memory itself;
 * the others' after the words.
 * Reads M.C, D.voci, D.luoghi, D.incontri, D.comuni, D.riscontri_c / riscontri_l, M.detti,
 * M.scoperti, M.stato (the view); writes feedback through M.raccolta. Every text is textContent. */
(function () {
  'use strict';

  var U = window.MappeUtili;
  var el = U.el, bottone = U.bottone, pulisci = U.pulisci, uuid = U.uuid;
  var P = window.MappeParti = window.MappeParti || {};

  P.schede = function (M) {
    var D = M.D, T = M.T, C = M.C, voce = M.voce, raccolta = M.raccolta;

    // A detail of a card: its value isolated (bdi), so that an Italian name or a date inside an
    // Arabic card keeps its own direction.
    function riga(cont, etichetta, valore) {
      if (!valore) return;
      var p = el('p', 'mappe-meta');
      p.appendChild(el('span', 'mappe-meta-nome', etichetta + ': '));
      p.appendChild(el('bdi', null, valore));
      cont.appendChild(p);
    }

    // People's words: a translation a person wrote, with its original a tap away; or the words as
    // they were said, marked as Italian when the page speaks another language. Every such text
    // finds its own direction (dir=auto).
    function parole(cont, tabella, i, titoloEl, testoEl, campi, citazioni) {
      citazioni = citazioni || ['testo', 'descrizione'];  // the fields that are people's words, as quotes
      [titoloEl, testoEl].forEach(function (x) { if (x) x.setAttribute('dir', 'auto'); });
      var L = window.MappeLingua;
      if (!L || D.lingua === 'it') return;
      // each text as it is: a translation, or Italian (a row may have only its words translated)
      var chiavi = { titolo: titoloEl, nome: titoloEl, testo: testoEl, descrizione: testoEl };
      var italiani = 0;
      campi.forEach(function (campo) {
        var x = chiavi[campo];
        if (x && !L.tradotto(tabella, campo, i)) { x.setAttribute('lang', 'it'); italiani += 1; }
      });
      if (!L.tradotto(tabella, null, i)) {
        if (italiani) cont.appendChild(el('p', 'mappe-nota mappe-lingua-nota', T.in_italiano));
        return;
      }
      var dett = el('details', 'mappe-originale');
      var somm = el('summary', null, T.originale);
      dett.appendChild(somm);
      campi.forEach(function (campo) {
        var v = L.originale(tabella, campo, i);
        if (!v) return;
        var titolo = campo === 'titolo' || campo === 'nome';
        var citazione = citazioni.indexOf(campo) >= 0;
        var x = el(citazione ? 'blockquote' : 'p',
          titolo ? 'mappe-originale-titolo' : (citazione ? 'mappe-citazione' : 'mappe-originale-testo'), v);
        x.setAttribute('lang', 'it');
        x.setAttribute('dir', 'ltr');
        dett.appendChild(x);
      });
      cont.appendChild(el('p', 'mappe-nota mappe-lingua-nota', T.tradotto));
      cont.appendChild(dett);
    }
    M.parole = parole;

    // A day (ISO) as the visitor's language writes it.
    function giorno(iso) {
      if (window.MappeLingua) return window.MappeLingua.data(D, iso);
      var d = String(iso || '').split('-');
      return d.length === 3 ? d[2] + '/' + d[1] + '/' + d[0] : iso;
    }
    M.giorno = giorno;

    // A visitor's text box: label, 300 characters at most, the privacy notice, the send button.
    function testoDaInviare(form, prefisso, etichetta) {
      var idA = M.nuovoId(prefisso);
      var lab = el('label', null, etichetta);
      lab.setAttribute('for', idA);
      var area = el('textarea');
      area.id = idA;
      area.maxLength = 300;
      area.rows = 3;
      form.appendChild(lab);
      form.appendChild(area);
      form.appendChild(el('p', 'mappe-informativa', D.informativa));
      if (raccolta && raccolta.servita) {
        // for bots that fill in every field: people do not see it, and the server refuses it filled
        var miele = el('div', 'mappe-miele');
        miele.setAttribute('aria-hidden', 'true');
        var idM = M.nuovoId('sito');
        var labM = el('label', null, T.lascia_vuoto);
        labM.setAttribute('for', idM);
        var inM = el('input');
        inM.type = 'text';
        inM.name = 'sito';
        inM.id = idM;
        inM.tabIndex = -1;
        inM.setAttribute('autocomplete', 'off');
        miele.appendChild(labM);
        miele.appendChild(inM);
        form.appendChild(miele);
      }
      var invia = el('button', 'mappe-invia', T.invia);
      invia.type = 'submit';
      form.appendChild(invia);
      return area;
    }

    // what visitors left here and the staff has not downloaded yet (after that, it comes back
    // in the data, once approved: counting it twice would inflate the numbers)
    function localiPer(su) {
      return raccolta ? raccolta.locali(su) : [];
    }

    function blocco_riscontri(cont, su, comune, approvati) {
      approvati = approvati || { r: {}, c: [] };
      var reazioni = Object.keys(D.voci.reazione || {}).filter(function (k) { return !D.voci.reazione[k].suggerimento; });
      if (raccolta) {
        var gruppo = el('div', 'mappe-reazioni');
        gruppo.setAttribute('role', 'group');
        var idT = M.nuovoId('reagisci');
        var tit = el('p', 'mappe-reagisci', T.reagisci);
        tit.id = idT;
        gruppo.setAttribute('aria-labelledby', idT);
        cont.appendChild(tit);
        reazioni.forEach(function (k) {
          var b = bottone('mappe-reazione mappe-reazione-' + k);
          b.setAttribute('data-reazione', k);
          var nome = el('span', null, voce('reazione', k));
          var conto = el('span', 'mappe-reazione-conto');
          function aggiorna() {
            var locali = localiPer(su).filter(function (r) { return r.reazione === k; }).length;
            conto.textContent = String((approvati.r[k] || 0) + locali);
          }
          aggiorna();
          b.appendChild(nome);
          b.appendChild(conto);
          b.addEventListener('click', function () {
            raccolta.aggiungi({ id: uuid(), su: su, comune: D.comuni[comune].slug, reazione: k, commento: '',
              data: new Date().toISOString(), mostra: D.mostra_id });
            aggiorna();
            b.disabled = true;
            window.setTimeout(function () { b.disabled = false; }, 1200);
            M.annuncia(T.grazie);
          });
          gruppo.appendChild(b);
        });
        cont.appendChild(gruppo);
      } else {
        var fatti = reazioni.filter(function (k) { return approvati.r[k]; });
        if (fatti.length) {
          var p = el('p', 'mappe-reazioni-contate');
          p.textContent = fatti.map(function (k) { return voce('reazione', k) + ' ' + approvati.r[k]; }).join(' · ');
          cont.appendChild(p);
        }
      }
      if (approvati.c.length) {
        var sez = el('div', 'mappe-commenti');
        sez.appendChild(el('p', 'mappe-commenti-titolo', T.commenti));
        var ul = el('ul');
        approvati.c.forEach(function (c) {
          var li = el('li', null, c);
          li.setAttribute('dir', 'auto');  // a comment in any script, in its own direction
          ul.appendChild(li);
        });
        sez.appendChild(ul);
        cont.appendChild(sez);
      }
      if (raccolta) {
        var dett = el('details', 'mappe-commenta');
        dett.appendChild(el('summary', null, T.commenta));
        var attesa = el('p', 'mappe-nota mappe-in-attesa');
        function aggiornaAttesa() {
          var k = localiPer(su).filter(function (r) { return r.commento; }).length;
          attesa.textContent = k ? (k === 1 ? T.in_attesa_1 : T.in_attesa).replace('{n}', k) : '';
        }
        aggiornaAttesa();
        // the form is made when the visitor opens it: a list of hundreds of cards makes none
        var fatto = false;
        dett.addEventListener('toggle', function () {
          if (!dett.open || fatto) return;
          fatto = true;
          moduloCommento(dett, su, comune, aggiornaAttesa);
        });
        cont.appendChild(dett);
        cont.appendChild(attesa);
      }
    }

    // The box for a comment, inside the card's <details> (made when first opened).
    function moduloCommento(dett, su, comune, aggiornaAttesa) {
      var form = el('form');
      var area = testoDaInviare(form, 'commento', T.il_tuo_commento);
      area.setAttribute('dir', 'auto');
      form.addEventListener('submit', function (ev) {
        ev.preventDefault();
        var testo = pulisci(area.value, 300);
        if (!testo) { M.annuncia(T.testo_vuoto); area.focus(); return; }
        raccolta.aggiungi({ id: uuid(), su: su, comune: D.comuni[comune].slug, reazione: '', commento: testo,
          data: new Date().toISOString(), mostra: D.mostra_id, sito: M.miele(form) });
        area.value = '';
        dett.open = false;
        aggiornaAttesa();
        M.annuncia(T.grazie_commento);
      });
      dett.appendChild(form);
    }

    // What became of a proposal or a need: its status as a badge of its colour, the public note, and
    // the way from the day it was said (the session's date) through each stage, dates as written.
    function statoDi(cont, i, inc) {
      var s = C.stato[i], passi = C.tappe[i] || [];
      if (!s && !passi.length) return;
      var v = (D.voci.seguito || {})[s] || {};
      var sez = el('div', 'mappe-stato');
      var badge = el('p', 'mappe-stato-badge');
      badge.appendChild(el('span', 'mappe-meta-nome', T.stato + ': '));
      var nome = el('span', 'mappe-stato-nome', voce('seguito', s));
      nome.style.borderColor = U.colore(v.colore);
      badge.appendChild(nome);
      sez.appendChild(badge);
      if (C.esito[i]) {
        var es = el('p', 'mappe-stato-esito', C.esito[i]);
        es.setAttribute('dir', 'auto');
        sez.appendChild(es);
      }
      if (passi.length) {
        var ol = el('ol', 'mappe-cammino');
        ol.setAttribute('aria-label', T.cammino);
        if (inc && inc.data) {
          var primo = el('li', null, T.detta_il + ': ');
          primo.appendChild(el('bdi', null, inc.data));
          ol.appendChild(primo);
        }
        passi.forEach(function (p) {
          var li = el('li', null, voce('seguito', p[1]) + ': ');
          li.appendChild(el('bdi', null, giorno(p[0])));
          ol.appendChild(li);
        });
        sez.appendChild(ol);
      }
      cont.appendChild(sez);
    }

    function scheda(i, nellElenco) {
      var tipo = C.tipo[i];
      var c = el('article', 'mappe-scheda mappe-scheda-' + tipo);
      var testa = el('div', 'mappe-scheda-testa');
      var t = D.voci.tipo[tipo] || {};
      testa.appendChild(M.simboloSvg(t.forma, t.colore, 16));
      testa.appendChild(el('span', null, voce('tipo', tipo) + ' · ' + voce('tema', C.tema[i])));
      c.appendChild(testa);
      var titolo = C.titolo[i] || voce('tipo', tipo);
      var memoria = tipo === 'memoria';
      var fig = M.figura(C.foto[i], C.didascalia[i], C.credito[i], memoria);
      if (fig && memoria) c.appendChild(fig);
      var titoloEl = el(nellElenco ? 'h4' : 'h3', 'mappe-titolo', titolo);
      c.appendChild(titoloEl);
      var testoEl = C.testo[i] ? el('blockquote', 'mappe-citazione', C.testo[i]) : null;
      if (testoEl) c.appendChild(testoEl);
      parole(c, D.contributi, i, C.titolo[i] ? titoloEl : null, testoEl, ['titolo', 'testo', 'esito']);
      if (fig && !memoria) c.appendChild(fig);
      riga(c, T.emozione, voce('emozione', C.emozione[i]));
      riga(c, T.epoca, C.epoca[i]);
      riga(c, T.indirizzo, C.indirizzo[i]);
      riga(c, T.fascia_eta, voce('fascia_eta', C.fascia_eta[i]));
      if (C.peso[i] > 1) riga(c, T.peso, String(C.peso[i]));
      var inc = C.incontro[i] !== null && D.incontri[C.incontro[i]];
      if (inc) riga(c, T.incontro, inc.data + (inc.luogo ? ' · ' + inc.luogo : ''));
      riga(c, T.luogo, C.luogo[i] !== null ? D.luoghi.nome[C.luogo[i]] : '');
      if (D.comuni.length > 1) riga(c, T.comune, D.comuni[C.comune[i]].nome);
      statoDi(c, i, inc);
      if (M.schedaSeguito) M.schedaSeguito(c, i, inc);
      if (C.g[i] === null) c.appendChild(el('p', 'mappe-nota', T.tutto_il_comune));
      if (C.sensibile[i]) c.appendChild(el('p', 'mappe-nota', T.posizione_spostata));
      if (M.scoperti[i] && D.viste[M.stato.vista].rete) {
        c.appendChild(el('p', 'mappe-nota mappe-nota-scoperto', T.scoperto.replace('{d}', D.rete.distanza)));
      }
      blocco_riscontri(c, C.id[i], C.comune[i], D.riscontri_c[i]);
      return c;
    }

    function schedaLuogo(j, nellElenco) {
      var Lg = D.luoghi;
      var c = el('article', 'mappe-scheda mappe-scheda-luogo');
      c.appendChild(el('div', 'mappe-scheda-testa', voce('categoria', Lg.categoria[j]) +
        (Lg.ruolo[j] ? ' · ' + voce('ruolo', Lg.ruolo[j]) : '')));
      var nomeEl = el(nellElenco ? 'h4' : 'h3', 'mappe-titolo', Lg.nome[j]);
      nomeEl.setAttribute('dir', 'auto');
      c.appendChild(nomeEl);
      var descrEl = Lg.descrizione[j] ? el('blockquote', 'mappe-citazione', Lg.descrizione[j]) : null;
      if (descrEl) c.appendChild(descrEl);
      parole(c, Lg, j, null, descrEl, ['descrizione']);
      var fig = Lg.foto && M.figura(Lg.foto[j], Lg.didascalia[j], Lg.credito[j], false);
      if (fig) c.appendChild(fig);
      if (Lg.indirizzo && Lg.indirizzo[j]) riga(c, T.indirizzo, Lg.indirizzo[j]);
      if (D.comuni.length > 1) riga(c, T.comune, D.comuni[Lg.comune[j]].nome);
      var qui = M.detti[j] || [];
      if (qui.length) {
        var sez = el('div', 'mappe-detti-qui');
        sez.appendChild(el('p', 'mappe-commenti-titolo', T.detti_qui + ' (' + qui.length + ')'));
        var ul = el('ul');
        qui.slice(0, 8).forEach(function (i) {
          var li = el('li');
          var b = bottone('mappe-link', (C.titolo[i] || voce('tipo', C.tipo[i])), function () { M.vaiSullaMappa(i); });
          li.appendChild(el('span', null, voce('tipo', C.tipo[i]) + ': '));
          li.appendChild(b);
          ul.appendChild(li);
        });
        sez.appendChild(ul);
        c.appendChild(sez);
      }
      blocco_riscontri(c, Lg.id[j], Lg.comune[j], D.riscontri_l[j]);
      return c;
    }

    M.scheda = scheda;
    M.schedaLuogo = schedaLuogo;
    M.testoDaInviare = testoDaInviare;
  };
})();
