/* mappe, part "simboli": how kinds and places are drawn.
 *
 * Owns the symbol of a kind (its shape, in the kind's or the feeling's colour), the round badge
 * of a place with its pictogram and name, and the marker icons made of them (one per kind and
 * size, copied by every marker). The paths come from rendi/simboli.json, inlined by the page as
 * window.MappeSimboli: commands M, L, C, Q, Z only, filled with the nonzero rule, so that
 * matplotlib (posters) draws them the same.
 * Reads D.voci (tipo, emozione, categoria, ruolo) and D.luoghi.
 * Every contribution's icon is a box of at least 44 x 44 CSS pixels, the drawing in its middle.
 * Gives M.simboloSvg(forma, colore, lato), M.icona(tipo, peso, emozione, accanto, seguito), M.iconaLuogo(j)
 * and M.iconaNome(j) (the name of a place, for the pane of names above the symbols).
 * A proposal's or a need's icon on a page with the "seguito" view also carries its status
 * (seguito: {chiave, classe}, from M.seguitoDi of part "seguito", which draws it with M.segnoSeguito):
 * shown only in that view, by the page's CSS. */
(function () {
  'use strict';

  var U = window.MappeUtili;
  var el = U.el, elSvg = U.elSvg, colore = U.colore;
  var IconaNodo = U.IconaNodo;
  var P = window.MappeParti = window.MappeParti || {};
  var DITO = 44;  // CSS pixels: the smallest target a finger hits reliably

  P.simboli = function (M) {
    var D = M.D;
    // The path of each shape in a 24x24 box: kinds differ by shape, not only by colour.
    var FORME = window.MappeSimboli.forme;
    // Pictograms of the places of a community (24x24, drawn for mappe), by the catalogue's "icona".
    var PITTOGRAMMI = window.MappeSimboli.pittogrammi;
    var icone = {};

    // The symbol of a kind, as an SVG node (markers share one per kind and size, and copy it).
    function simboloSvg(forma, col, lato) {
      var s = elSvg('svg', { viewBox: '0 0 24 24', width: lato, height: lato, 'aria-hidden': 'true', focusable: 'false' });
      s.appendChild(elSvg('path', { d: FORME[forma] || FORME.cerchio, fill: colore(col), stroke: '#ffffff',
        'stroke-width': '2' }));
      return s;
    }

    // A place: its pictogram in a round badge (its name is a marker of its own, over the symbols).
    function simboloLuogo(pitto, col, lato) {
      var punto = el('span', 'mappe-luogo-punto');
      punto.style.width = lato + 'px';
      punto.style.height = lato + 'px';
      var s = elSvg('svg', { viewBox: '0 0 24 24', width: lato - 8, height: lato - 8, 'aria-hidden': 'true',
        focusable: 'false' });
      s.appendChild(elSvg('path', { 'fill-rule': 'nonzero', fill: colore(col), d: pitto }));
      punto.appendChild(s);
      return punto;
    }

    // The icon of a contribution: bigger when more people agree; "accanto" when said about a place.
    function icona(tipo, peso, emozione, accanto, seguito) {
      var classe = peso >= 5 ? 3 : (peso >= 2 ? 2 : 1);
      var em = (tipo === 'emozione' && D.voci.emozione[emozione]) ? emozione : '';
      var k = tipo + classe + em + (accanto ? '+' : '') + (seguito ? '|' + seguito.chiave : '');
      if (!icone[k]) {
        var t = D.voci.tipo[tipo] || {};
        var lato = 18 + 6 * classe;
        var box = Math.max(lato, DITO);  // what a finger can hit, the drawing in its middle
        // feelings take the colour of the feeling: warm (loved, safe) to cold (fear, neglect)
        var col = em ? D.voci.emozione[em].colore : t.colore;
        var disegno = simboloSvg(t.forma, col, lato);
        icone[k] = new IconaNodo({
          className: 'mappe-simbolo mappe-simbolo-' + tipo + (seguito ? ' ' + seguito.classe : ''),
          modello: seguito ? U.comeNodo(M.segnoSeguito(disegno, seguito, lato)) : disegno,
          iconSize: [box, box],
          // said about a place: drawn beside its pictogram, which stays visible and clickable
          iconAnchor: accanto ? [box / 2 - 16, box / 2 + 14] : [box / 2, box / 2],
          popupAnchor: accanto ? [16, -lato / 2 - 14] : [0, -lato / 2]
        });
      }
      return icone[k];
    }

    // The size of place j's badge: bigger for a more important role.
    function latoLuogo(j) {
      var ruolo = D.voci.ruolo[D.luoghi.ruolo[j]] || {};
      return ({ 1: 22, 2: 26, 3: 32 })[ruolo.dimensione] || 24;
    }

    // The icon of place j: its category's pictogram in a badge.
    function iconaLuogo(j) {
      var Lg = D.luoghi;
      var cat = D.voci.categoria[Lg.categoria[j]] || {};
      var lato = latoLuogo(j);
      var pitto = PITTOGRAMMI[cat.icona] || PITTOGRAMMI.punto;
      return new IconaNodo({
        className: 'mappe-luogo mappe-luogo-' + (Lg.categoria[j] || 'altro'),
        modello: simboloLuogo(pitto, cat.colore, lato),
        iconSize: null, iconAnchor: [lato / 2, lato / 2], popupAnchor: [0, -lato / 2]
      });
    }

    // The name of place j, written just right of its badge.
    function iconaNome(j) {
      return new IconaNodo({
        className: 'mappe-nome-luogo', modello: el('span', 'mappe-luogo-nome', D.luoghi.nome[j]),
        iconSize: null, iconAnchor: [-(latoLuogo(j) / 2 + 2), 9]
      });
    }

    M.simboloSvg = simboloSvg;
    M.icona = icona;
    M.iconaLuogo = iconaLuogo;
    M.iconaNome = iconaNome;
  };
})();
