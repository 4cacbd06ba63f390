/* mappe, editor (rilievo): the lists beside the map (under it on a phone).
 *
 * Owns: "Aggiunti in questo rilievo" (`.mappe-aggiunti`: each item's shape, kind and title, and
 * how many photos it has; a tap shows it on the map and opens its form), "Da collocare"
 * (`.mappe-da-collocare`: the rows of the store without a place, each with «Colloca sulla
 * mappa»), and a line saying what the faint symbols and the names on the map are.
 * Reads: D.da_collocare, D.voci.tipo. Uses: S.elementi, S.scheda, S.disegno, S.foto.
 * Gives: S.elenco = {aggiorna()}. */
(function () {
  'use strict';

  var R = window.MappeRilievo = window.MappeRilievo || {};
  var U = window.MappeUtili;
  var el = U.el, bottone = U.bottone;

  R.elenco = function (S) {
    var D = S.D, T = S.T;
    var lista = document.getElementById('mappe-lista');

    function forma(e) {
      return e.geometry.type === 'Point' ? T.punto : (e.geometry.type === 'LineString' ? T.percorso : T.zona);
    }

    function aggiorna() {
      lista.textContent = '';
      var elementi = S.elementi.tutti();
      var h = el('h2', null, T.aggiunti + ' (' + elementi.length + ')');
      h.id = 'mappe-elenco-titolo';
      lista.appendChild(h);
      var ul = el('ul', 'mappe-aggiunti');
      elementi.forEach(function (e) {
        var li = el('li');
        li.appendChild(el('span', 'mappe-meta-nome', forma(e) + ' · ' + (S.voce('tipo', e.tipo) || T.da_compilare) + ': '));
        li.appendChild(bottone('mappe-link', e.titolo || e.testo.slice(0, 60) || T.nuovo, function () {
          S.elementi.vai(e);
          S.scheda.apri(e);
        }));
        var foto = S.foto ? S.foto.quante(e.id) : 0;
        if (foto) li.appendChild(el('span', 'mappe-conto-foto', ' · ' + foto + ' ' + (foto === 1 ? T.foto_conto_1 : T.foto_conto)));
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
          li.appendChild(el('span', null, S.voce('tipo', r.tipo) + ': ' + (r.titolo || r.testo.slice(0, 80)) + ' '));
          if (r.indirizzo) li.appendChild(el('span', 'mappe-indirizzo', '(' + r.indirizzo + ') '));
          li.appendChild(bottone('mappe-colloca', T.colloca, function () { S.disegno.colloca(r); }));
          ul2.appendChild(li);
        });
        lista.appendChild(ul2);
      }
      lista.appendChild(el('p', 'mappe-nota mappe-legenda-rilievo', T.gia_raccolti));
    }

    S.elenco = { aggiorna: aggiorna };
  };
})();
