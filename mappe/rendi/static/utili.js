/* mappe: small helpers shared by every page (map, exhibition, territory, editor).
 *
 * Text goes in with textContent, never as HTML: elements are built with createElement(NS), and
 * what Leaflet shows (popups, tooltips, marker icons) is a DOM node. Leaflet would read a string
 * as HTML there; below, its popups and tooltips are wrapped so that a string becomes a text
 * node, and a DivIcon given a string shows it as text. tests/test_attacchi_pagine.py checks
 * every script of this folder for calls that could still hand Leaflet or the DOM a string. */
(function () {
  'use strict';

  var SVG = 'http://www.w3.org/2000/svg';

  function el(tag, cls, testo) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (testo !== undefined && testo !== null) e.textContent = String(testo);
    return e;
  }

  // An SVG element with its attributes ({nome: valore}).
  function elSvg(tag, attributi) {
    var e = document.createElementNS(SVG, tag);
    for (var k in attributi) {
      if (Object.prototype.hasOwnProperty.call(attributi, k)) e.setAttribute(k, String(attributi[k]));
    }
    return e;
  }

  function bottone(cls, testo, azione) {
    var b = el('button', cls, testo);
    b.type = 'button';
    if (azione) b.addEventListener('click', azione);
    return b;
  }

  // Whatever is to be shown, as a node: a node stays as it is, anything else becomes text.
  function comeNodo(x) {
    if (x && typeof x === 'object' && typeof x.nodeType === 'number') return x;
    return document.createTextNode(x === undefined || x === null ? '' : String(x));
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

  var esporta = { el: el, elSvg: elSvg, bottone: bottone, comeNodo: comeNodo, colore: colore, pulisci: pulisci,
    uuid: uuid };

  if (window.L && L.DivIcon) {
    // A marker icon drawn from a template node: each marker gets its own copy (Leaflet's DivIcon
    // would move one shared element from marker to marker). Options: those of L.DivIcon, with
    // `modello` (the node) instead of `html`.
    esporta.IconaNodo = L.DivIcon.extend({
      options: { modello: null },
      createIcon: function (vecchia) {
        var div = (vecchia && vecchia.tagName === 'DIV') ? vecchia : document.createElement('div');
        while (div.firstChild) div.removeChild(div.firstChild);
        if (this.options.modello) div.appendChild(this.options.modello.cloneNode(true));
        this._setIconStyles(div, 'icon');
        return div;
      }
    });

    // Defence in depth: what reaches a popup, a tooltip or a DivIcon as a string is shown as text.
    var contenuto = function (c) {
      if (typeof c !== 'function') return comeNodo(c);
      return function (sorgente) { return comeNodo(c.call(this, sorgente)); };
    };
    var DO = L.DivOverlay.prototype;
    var impostaOriginale = DO.setContent;
    DO.setContent = function (c) { return impostaOriginale.call(this, contenuto(c)); };
    var iniziaOriginale = DO.initialize;
    DO.initialize = function () {
      iniziaOriginale.apply(this, arguments);
      // the `content` option (Leaflet 1.9) does not go through setContent
      if (this._content) this._content = contenuto(this._content);
    };
    // These call setContent too, unless given an overlay (whose content went through setContent).
    ['bindPopup', 'bindTooltip'].forEach(function (nome) {
      var originale = L.Layer.prototype[nome];
      L.Layer.prototype[nome] = function (c, opzioni) {
        return originale.call(this, (c instanceof L.DivOverlay || typeof c === 'function') ? c : comeNodo(c), opzioni);
      };
    });
    var iconaOriginale = L.DivIcon.prototype.createIcon;
    L.DivIcon.prototype.createIcon = function (vecchia) {
      var html = this.options.html;
      if (html instanceof Element) return iconaOriginale.call(this, vecchia);
      var div = (vecchia && vecchia.tagName === 'DIV') ? vecchia : document.createElement('div');
      div.textContent = (html === false || html === undefined || html === null) ? '' : String(html);
      if (this.options.bgPos) {
        var p = L.point(this.options.bgPos);
        div.style.backgroundPosition = (-p.x) + 'px ' + (-p.y) + 'px';
      }
      this._setIconStyles(div, 'icon');
      return div;
    };

    // The neighbouring comuni, grey and named, under everything else: where the map is.
    esporta.disegnaVicini = function (map, vicini) {
      var gruppo = L.featureGroup();
      (vicini || []).forEach(function (v) {
        L.geoJSON(v.g, { interactive: false, style: { color: '#b5ad9c', weight: 1, fillColor: '#e4ded0', fillOpacity: 0.5 } })
          .addTo(gruppo);
        L.marker([v.y, v.x], { interactive: false, keyboard: false,
          icon: new esporta.IconaNodo({ className: 'mappe-vicino', modello: el('span', null, v.nome), iconSize: null }) })
          .addTo(gruppo);
      });
      gruppo.addTo(map);
      gruppo.bringToBack();
      return gruppo;
    };
  }

  // Names of places stay readable: of the markers given (in order), where the name of one
  // (.mappe-luogo-nome in its icon) would overlap an earlier one, it is hidden. All the names are
  // shown, then all measured, then the hidden ones hidden: one layout, not one per name.
  esporta.nascondiNomiSovrapposti = function (marcatori) {
    var nomi = [];
    marcatori.forEach(function (m) {
      var e = m.getElement && m.getElement();
      var nome = e && e.querySelector('.mappe-luogo-nome');
      if (nome) nomi.push(nome);
    });
    nomi.forEach(function (nome) { nome.style.visibility = ''; });
    var rettangoli = nomi.map(function (nome) { return nome.getBoundingClientRect(); });
    var prese = [];
    rettangoli.forEach(function (r, k) {
      var copre = prese.some(function (p) {
        return r.left < p.right && r.right > p.left && r.top < p.bottom && r.bottom > p.top;
      });
      if (copre) nomi[k].style.visibility = 'hidden'; else prese.push(r);
    });
  };

  window.MappeUtili = esporta;
})();
