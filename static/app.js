/*
 * Wonen en Zorg 2040 - web viewer.
 *
 * Plain Leaflet 1.9 + Leaflet.VectorGrid 1.3 (served by `wz serve` under /vendor/), no build
 * step, no framework, no base map. Everything the user reads is Dutch; code and comments are
 * English. The map is driven entirely by /api/catalog: layers, fields, legends, leeswijzers.
 *
 * For tests and debugging the page exposes:
 *   window.wzMap    the L.Map
 *   window.wzState  { catalog, indicator, selected, visible, renderSeq, ... }
 *   body[data-ready="1"]        catalog loaded and the first gemeenten tiles rendered
 *   body[data-indicator=FIELD]  the indicator whose colours are on screen now
 */
(function () {
  'use strict';

  // ---------------------------------------------------------------------------------------
  // Settings and user-facing texts (Dutch)
  // ---------------------------------------------------------------------------------------

  var CHOROPLETH_LAYER = 'gemeenten';
  var OUTLINE_LAYERS = ['wijken'];
  var WIJK_LAYER = 'wijken';
  var WIJK_CLICK_ZOOM = 11;       // from this zoom on a click inside a wijk opens the wijk popup
  var GAP_FIELDS = ['tekort_zzp4', 'tekort_zzp5_7', 'tekort_zzp6_8', 'tekort_overig'];
  var GAP_TOTAL_FIELD = 'tekort_totaal';
  var POINT_RADIUS_MIN = 3;       // px, smallest location
  var POINT_RADIUS_MAX = 10;      // px, locations with SIZE_REFERENCE places or more
  var SIZE_REFERENCE = 100;       // places drawn at the largest radius (sqrt scaling below it)
  var POPUP_MAX_WIDTH = 470;      // px; less when the map is narrower
  var BACKGROUND = '#e4e7eb';     // keep in sync with .wz-map in style.css

  var TXT = {
    noData: 'geen gegevens',
    yes: 'ja',
    no: 'nee',
    loadError: 'De kaart kon niet worden geladen. Vernieuw de pagina; lukt het dan nog niet, '
      + 'neem contact op met de beheerder van deze kaart.',
    libError: 'De kaartonderdelen (Leaflet) zijn niet gevonden op de server. '
      + 'Neem contact op met de beheerder van deze kaart.',
    source: 'Bron',
    refDate: 'Peildatum',
    unitPrefix: 'in',
    wholeRegion: 'Hele regio',
    zoomInFor: 'zoom verder in om deze te zien',
    labelsToggle: 'Gemeentenamen',
    sizeTitle: 'Grootte: aantal plaatsen',
    gapTitle: function (year) { return 'Tekort aan plaatsen in ' + year + ' per ZZP-groep'; },
    gapTotal: 'totaal',
    regionHeader: 'Regio',
    regionHeaderTitle: function (name) {
      return 'De waarde voor de hele regio' + (name ? ' (' + name + ')' : '') + ', op dezelfde manier berekend';
    },
    areaHeader: { gemeenten: 'Gemeente', wijken: 'Wijk' },
    cues: {
      hoger: { glyph: '\u25b2', title: 'hoger dan de regio' },
      lager: { glyph: '\u25bc', title: 'lager dan de regio' },
      gelijk: { glyph: '=', title: 'gelijk aan de regio' }
    },
    toGemeente: function (name) { return 'Cijfers van gemeente ' + name; },
    hintGemeente: 'Klik op een gemeente of zorglocatie voor alle cijfers.',
    hintWijkZoom: 'Zoom verder in om op een wijk te klikken.',
    hintWijk: 'Klik op een wijk of zorglocatie voor alle cijfers.',
    wijkIn: function (name) { return 'wijk in ' + name; },
    clickForFigures: 'klik voor de cijfers',
    layerNames: { gemeenten: 'Gemeenten', wijken: 'Wijken', locaties: 'Zorglocaties' }
  };

  // ---------------------------------------------------------------------------------------
  // State
  // ---------------------------------------------------------------------------------------

  var state = {
    catalog: null,
    indicator: null,        // field name of the indicator shown on the gemeenten
    selected: null,         // id (gemeentecode) of the highlighted gemeente
    selectedWijk: null,     // id (wijkcode) of the highlighted wijk
    hoverGemeente: null,    // properties of the gemeente under the mouse
    visible: {},            // layer id -> bool
    gemeenten: [],          // /api/gemeenten
    renderSeq: 0,           // increases every time the choropleth has been recoloured
    ready: false
  };
  window.wzState = state;

  var map = null;
  var grids = {};           // layer id -> L.VectorGrid
  var layerDefs = {};       // layer id -> catalog layer
  var labelGroup = null;
  var popup = null;
  var infoControl = null;

  // ---------------------------------------------------------------------------------------
  // Small helpers
  // ---------------------------------------------------------------------------------------

  function $(id) { return document.getElementById(id); }

  function esc(value) {
    return String(value).replace(/[&<>"']/g, function (c) {
      return { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }[c];
    });
  }

  function isMissing(v) {
    return v === undefined || v === null || v === '' || (typeof v === 'number' && !isFinite(v));
  }

  function showMessage(text) {
    var box = $('message');
    box.textContent = text;
    box.hidden = false;
  }

  /** Format a number the Dutch way: '.' between thousands, decimal comma. */
  function formatNumber(value, decimals) {
    var x = Number(value);
    if (!isFinite(x)) { return null; }
    decimals = Math.max(0, Math.min(10, decimals || 0));
    var parts = Math.abs(x).toFixed(decimals).split('.');
    var whole = parts[0].replace(/\B(?=(\d{3})+(?!\d))/g, '.');
    var text = parts.length > 1 ? whole + ',' + parts[1] : whole;
    // no "-0" or "-0,0" after rounding
    return (x < 0 && /[1-9]/.test(text) ? '-' : '') + text;
  }

  var SINGULAR = { 'plaatsen': 'plaats', 'cliënten': 'cliënt', 'adressen': 'adres', 'locaties': 'locatie' };

  function withUnit(text, unit) {
    if (!unit) { return text; }
    if (text === '1' && SINGULAR[unit]) { unit = SINGULAR[unit]; }
    return unit === '%' ? text + '%' : text + '\u00a0' + unit;
  }

  /** A field value as the user reads it, or null when the value is missing. */
  function formatValue(value, field) {
    if (isMissing(value)) { return null; }
    if (typeof value === 'boolean' || field.type === 'bool') {
      return (value === true || value === 1 || value === 'true') ? TXT.yes : TXT.no;
    }
    if (field.type === 'int' || field.type === 'float' || typeof value === 'number') {
      var text = formatNumber(value, field.decimals);
      return text === null ? String(value) : withUnit(text, field.unit);
    }
    return String(value);
  }

  /** The legend class (or category) of a value; the no-data class for missing values. */
  function classify(indicator, value) {
    if (isMissing(value)) { return indicator.no_data; }
    var classes = indicator.classes || [];
    var i;
    if (indicator.kind === 'categories') {
      for (i = 0; i < classes.length; i++) {
        if (classes[i].value === value || String(classes[i].value) === String(value)) {
          return classes[i];
        }
      }
      return indicator.no_data;
    }
    var x = Number(value);
    if (!isFinite(x)) { return indicator.no_data; }
    for (i = 0; i < classes.length; i++) {
      var c = classes[i];
      if ((c.min === null || c.min === undefined || x >= c.min)
          && (c.max === null || c.max === undefined || x < c.max)) {
        return c;
      }
    }
    return indicator.no_data;
  }

  function fieldsByName(layer) {
    var out = {};
    (layer.fields || []).forEach(function (f) { out[f.name] = f; });
    return out;
  }

  function currentIndicator() {
    var legend = layerDefs[CHOROPLETH_LAYER] && layerDefs[CHOROPLETH_LAYER].legend;
    if (!legend) { return null; }
    var found = null;
    legend.indicators.forEach(function (ind) { if (ind.field === state.indicator) { found = ind; } });
    return found || legend.indicators[0] || null;
  }

  function pointIndicator(layer) {
    var legend = layer.legend;
    if (!legend || !legend.indicators || !legend.indicators.length) { return null; }
    var found = legend.indicators[0];
    legend.indicators.forEach(function (ind) { if (ind.field === legend['default']) { found = ind; } });
    return found;
  }

  function nextFrame() {
    return new Promise(function (resolve) {
      requestAnimationFrame(function () { requestAnimationFrame(resolve); });
    });
  }

  function fetchJson(url) {
    return fetch(url, { headers: { Accept: 'application/json' } }).then(function (r) {
      if (!r.ok) { throw new Error(url + ': HTTP ' + r.status); }
      return r.json();
    });
  }

  // ---------------------------------------------------------------------------------------
  // Compatibility shims for leaflet.vectorgrid 1.3.0 on Leaflet 1.9
  // ---------------------------------------------------------------------------------------

  function installShims() {
    // 1. VectorGrid's canvas tiles call L.DomEvent.fakeStop on click; Leaflet 1.8 removed it
    //    ("L.DomEvent.fakeStop is not a function"). A click on a feature must not also reach
    //    the map as a click on the empty map (that closes the popup that was just opened), so
    //    the click stops bubbling here. mousedown/mouseup must keep bubbling: the map needs
    //    them to be dragged.
    if (typeof L.DomEvent.fakeStop !== 'function') {
      L.DomEvent.fakeStop = function (e) {
        if (e && e.type === 'click') { L.DomEvent.stopPropagation(e); }
      };
    }

    // 2. Canvas tiles find the feature under the mouse from the map's layer point, which is
    //    only right when the map zoom equals the tile zoom. With fractional zoom levels (we
    //    fit the region exactly) or beyond maxNativeZoom the tiles are scaled and clicks and
    //    hovers hit nothing or the wrong gemeente. Compute the point in the tile's own pixels.
    if (L.Canvas && L.Canvas.Tile) {
      var tilePoint = function (renderer, e) {
        var c = renderer._tileCoord;
        var latlng = renderer._map.mouseEventToLatLng(e);
        return renderer._map.project(latlng, c.z).subtract(L.point(c.x, c.y).scaleBy(renderer._size));
      };
      L.Canvas.Tile.include({
        _onClick: function (e) {
          if (!this._map) { return; }
          var point = tilePoint(this, e);
          var clicked = null;
          for (var id in this._layers) {
            var layer = this._layers[id];
            if (layer.options.interactive && layer._containsPoint(point) && !this._map._draggableMoved(layer)) {
              clicked = layer;   // the last one drawn is the one on top
            }
          }
          if (clicked) {
            L.DomEvent.fakeStop(e);
            this._fireEvent([clicked], e);
          }
        },
        _onMouseMove: function (e) {
          if (!this._map || this._map.dragging.moving() || this._map._animatingZoom) { return; }
          this._handleMouseHover(e, tilePoint(this, e));
        }
      });
    }
  }

  // Point symbolizers are CircleMarkers without a latlng; Leaflet 1.9 asks every small
  // CircleMarker event target for getLatLng() and fails on undefined. Give them a real one,
  // computed from the tile they are drawn in (so popups also open at the point's centre).
  var WzVectorGrid = null;
  function defineVectorGrid() {
    WzVectorGrid = L.VectorGrid.Protobuf.extend({
      _createLayer: function (feat, pxPerExtent, layerStyle) {
        var layer = L.VectorGrid.Protobuf.prototype._createLayer.call(this, feat, pxPerExtent, layerStyle);
        if (layer && typeof layer.getLatLng === 'function' && layer._point) {
          var grid = this;
          layer.getLatLng = function () {
            var renderer = this._renderer;
            if (!renderer || !grid._map) { return grid._map ? grid._map.getCenter() : L.latLng(0, 0); }
            var c = renderer.getCoord();
            var size = grid.getTileSize();
            return grid._map.unproject(L.point(c.x * size.x, c.y * size.y).add(this._point), c.z);
          };
        }
        return layer;
      }
    });
  }

  // ---------------------------------------------------------------------------------------
  // Styles
  // ---------------------------------------------------------------------------------------

  function choroplethStyle(props) {
    var ind = currentIndicator();
    var cls = ind ? classify(ind, props[ind.field]) : null;
    return {
      fill: true,
      fillColor: cls ? cls.color : '#d9d9d9',
      fillOpacity: 1,
      stroke: true,
      color: '#3a4550',
      weight: 1.1,
      opacity: 0.9
    };
  }

  function highlightStyle(props) {
    var s = choroplethStyle(props);
    s.color = '#0b1520';
    s.weight = 3.5;
    s.opacity = 1;
    return s;
  }

  function outlineStyle() {
    return { fill: false, stroke: true, color: '#3a4550', weight: 0.7, opacity: 0.45, dashArray: '3,3' };
  }

  function wijkHighlightStyle() {
    return { fill: false, stroke: true, color: '#0b1520', weight: 3, opacity: 1 };
  }

  function pointRadius(value) {
    var x = Number(value);
    if (!isFinite(x) || x <= 0) { return POINT_RADIUS_MIN; }
    var share = Math.sqrt(Math.min(x, SIZE_REFERENCE) / SIZE_REFERENCE);
    return POINT_RADIUS_MIN + (POINT_RADIUS_MAX - POINT_RADIUS_MIN) * share;
  }

  function pointStyleFor(layer) {
    var ind = pointIndicator(layer);
    var sizeField = layer.legend && layer.legend.size_field;
    return function (props) {
      var cls = ind ? classify(ind, props[ind.field]) : null;
      return {
        radius: sizeField ? pointRadius(props[sizeField]) : 5,
        fill: true,
        fillColor: cls ? cls.color : '#555555',
        fillOpacity: 0.92,
        stroke: true,
        color: '#ffffff',
        weight: 1.2,
        opacity: 1
      };
    };
  }

  // ---------------------------------------------------------------------------------------
  // Map and layers
  // ---------------------------------------------------------------------------------------

  function roleOf(layer) {
    if (layer.id === CHOROPLETH_LAYER) { return 'choropleth'; }
    if (layer.geometry_type === 'point') { return 'points'; }
    // wijken (OUTLINE_LAYERS) and any other polygon or line layer: thin outlines on top
    return 'outline';
  }

  function boundsOf(b) {
    return L.latLngBounds([b[1], b[0]], [b[3], b[2]]);
  }

  function createMap(catalog) {
    var regionBounds = boundsOf(catalog.bounds);
    map = L.map('map', {
      zoomSnap: 0.25,
      zoomDelta: 0.5,
      wheelPxPerZoomLevel: 90,
      fadeAnimation: false,      // tiles appear at once: no half-transparent choropleth
      maxBounds: regionBounds.pad(1.5),
      maxBoundsViscosity: 0.8,
      attributionControl: true,
      zoomControl: false
    });
    window.wzMap = map;
    L.control.zoom({ zoomInTitle: 'Inzoomen', zoomOutTitle: 'Uitzoomen', position: 'topleft' }).addTo(map);
    map.attributionControl.setPrefix('Leaflet');
    map.attributionControl.addAttribution(esc(catalog.attribution || ''));
    L.control.scale({ imperial: false, position: 'bottomleft' }).addTo(map);

    map.createPane('wzLabels');
    map.getPane('wzLabels').style.zIndex = 450;
    map.getPane('wzLabels').style.pointerEvents = 'none';

    fitRegion(false);
    var fitZoom = map.getZoom();
    map.setMinZoom(Math.max(0, Math.floor(fitZoom) - 2));
    // Tiles are scaled up beyond their maxzoom; one level of that is fine, more looks blurry.
    var maxNative = Math.max.apply(null, catalog.layers.map(function (l) { return l.maxzoom || 14; }));
    map.setMaxZoom(Math.max(Math.ceil(fitZoom) + 1, maxNative));

    map.on('zoomend', function () { updateZoomNotes(); updateHint(); });
    // Wijken are hit-tested here, not by their own (non-interactive) tiles: see wijkAt().
    map.on('click', onMapClick);
    map.on('mousemove', onMapMouseMove);
    map.on('mouseout', function () { state.hoverGemeente = null; showHover(null); });
    return map;
  }

  /** Room taken by the controls on the left and the panel on the right, in px. */
  function panelPadding() {
    var panel = $('panel');
    var wide = window.innerWidth > 760;
    var right = panel && wide && !panel.classList.contains('wz-panel-closed') ? panel.offsetWidth + 12 : 0;
    return { left: wide ? 40 : 0, right: right };
  }

  function fitRegion(animate) {
    var pad = panelPadding();
    map.fitBounds(boundsOf(state.catalog.bounds), {
      paddingTopLeft: [pad.left + 16, 16], paddingBottomRight: [pad.right + 16, 16], animate: !!animate
    });
  }

  function createGrid(layer, index) {
    var role = roleOf(layer);
    var styleFn;
    if (role === 'choropleth') { styleFn = choroplethStyle; }
    else if (role === 'points') { styleFn = pointStyleFor(layer); }
    else { styleFn = outlineStyle; }

    var styles = {};
    styles[layer.id] = styleFn;
    var idField = layer.id_field;
    var options = {
      rendererFactory: role === 'points' ? L.svg.tile : L.canvas.tile,
      vectorTileLayerStyles: styles,
      interactive: role !== 'outline',
      getFeatureId: function (f) {
        var p = f.properties || {};
        return (idField && !isMissing(p[idField])) ? p[idField] : f.id;
      },
      maxNativeZoom: layer.maxzoom,
      minNativeZoom: layer.minzoom,
      bounds: layer.bounds ? boundsOf(layer.bounds) : undefined,
      zIndex: 10 + index,
      className: 'wz-grid wz-grid-' + layer.id
    };
    if (role !== 'choropleth') {
      // Detail layers are only shown from their own minimum zoom level on.
      options.minZoom = layer.minzoom;
    }
    var grid = new WzVectorGrid(layer.tiles, options);
    grid.wzLayerId = layer.id;
    grid.wzStyle = styleFn;

    if (role === 'choropleth') {
      grid.on('click', onGemeenteClick);
      grid.on('mouseover', function (e) {
        state.hoverGemeente = (e.layer && e.layer.properties) || null;
        showHover(e.latlng);
      });
      grid.on('mouseout', function () { state.hoverGemeente = null; showHover(null); });
      grid.on('tileload', function () { if (state.selected !== null) { bringSelectedToFront(); } });
    } else if (role === 'points') {
      grid.on('click', function (e) { onPointClick(layer, e); });
    }
    return grid;
  }

  function setLayerVisible(id, visible) {
    state.visible[id] = !!visible;
    var grid = grids[id];
    if (grid) {
      if (visible && !map.hasLayer(grid)) { grid.addTo(map); }
      if (!visible && map.hasLayer(grid)) { map.removeLayer(grid); }
    }
    if (id === 'labels' && labelGroup) {
      if (visible) { labelGroup.addTo(map); } else { map.removeLayer(labelGroup); }
    }
    var legendPart = document.querySelector('[data-legend-layer="' + id + '"]');
    if (legendPart) { legendPart.classList.toggle('wz-off', !visible); }
    if (id === CHOROPLETH_LAYER && !visible && popup && popup.wzKind === 'gemeente') { map.closePopup(); }
    if (id === WIJK_LAYER && !visible && popup && popup.wzKind === 'wijk') { map.closePopup(); }
    if (id === WIJK_LAYER) { updateHint(); showHover(null); }
  }

  // ---------------------------------------------------------------------------------------
  // Recolouring and highlighting the choropleth
  // ---------------------------------------------------------------------------------------

  function forEachFeature(grid, fn) {
    var tiles = grid._vectorTiles || {};
    Object.keys(tiles).forEach(function (key) {
      var tile = tiles[key];
      var feats = tile._features || {};
      Object.keys(feats).forEach(function (id) { fn(tile, id, feats[id]); });
    });
  }

  function recolour() {
    var grid = grids[CHOROPLETH_LAYER];
    if (!grid) { return Promise.resolve(); }
    if (grid._vectorTiles && typeof grid._updateStyles === 'function') {
      // Restyle the features already loaded, in place (no new tile requests, no flicker).
      forEachFeature(grid, function (tile, id, data) {
        var style = (grid._overriddenStyles && grid._overriddenStyles[id])
          || grid.options.vectorTileLayerStyles[data.layerName];
        grid._updateStyles(data.feature, tile, style);
      });
    } else {
      grid.redraw();
    }
    return nextFrame().then(function () {
      state.renderSeq += 1;
      document.body.dataset.indicator = state.indicator;
    });
  }

  function bringSelectedToFront() {
    var grid = grids[CHOROPLETH_LAYER];
    if (!grid || state.selected === null) { return; }
    forEachFeature(grid, function (tile, id, data) {
      if (String(id) === String(state.selected) && typeof tile._bringToFront === 'function') {
        try { tile._bringToFront(data.feature); } catch (err) { /* cosmetic only */ }
      }
    });
  }

  function selectGemeente(id) {
    var grid = grids[CHOROPLETH_LAYER];
    if (!grid) { return; }
    if (state.selected !== null && state.selected !== id) {
      grid.resetFeatureStyle(state.selected);
    }
    state.selected = id;
    if (id !== null && id !== undefined) {
      grid.setFeatureStyle(id, highlightStyle);
      bringSelectedToFront();
    } else {
      state.selected = null;
    }
  }

  function featureIdOf(grid, symbolizer) {
    var layer = layerDefs[grid.wzLayerId];
    var p = symbolizer.properties || {};
    if (layer.id_field && !isMissing(p[layer.id_field])) { return p[layer.id_field]; }
    var found = null;
    forEachFeature(grid, function (tile, id, data) { if (data.feature === symbolizer) { found = id; } });
    return found;
  }

  // ---------------------------------------------------------------------------------------
  // Popups
  // ---------------------------------------------------------------------------------------

  function leeswijzerTitle(field) {
    var lw = field.leeswijzer;
    if (!lw) { return ''; }
    var parts = [];
    if (lw.uitleg) { parts.push(lw.uitleg); }
    if (lw.bron) { parts.push(TXT.source + ': ' + lw.bron); }
    if (lw.peildatum) { parts.push(TXT.refDate + ': ' + lw.peildatum); }
    return parts.join('\n');
  }

  function valueCell(props, field) {
    var text = formatValue(props[field.name], field);
    if (text === null) { return '<td class="wz-nodata-text">' + TXT.noData + '</td>'; }
    return '<td>' + esc(text) + '</td>';
  }

  function commonPrefix(labels) {
    if (labels.length < 2) { return ''; }
    var prefix = labels[0];
    labels.forEach(function (l) {
      while (prefix && l.indexOf(prefix) !== 0) { prefix = prefix.slice(0, -1); }
    });
    // only cut at a ", " or ": " boundary, so "Tekort 2040, ZZP 4" -> "ZZP 4"
    var cut = Math.max(prefix.lastIndexOf(', '), prefix.lastIndexOf(': '));
    return cut > 0 ? prefix.slice(0, cut + 2) : '';
  }

  // ---- the region column -------------------------------------------------------------

  /** The region's value of each field of a layer ({} for an older catalog without them). */
  function regionValues(layer) {
    return (layer && layer.region_values) || {};
  }

  function hasRegionValues(layer) {
    return Object.keys(regionValues(layer)).length > 0;
  }

  function regionValueOf(layer, name) {
    var rv = regionValues(layer);
    return Object.prototype.hasOwnProperty.call(rv, name) ? rv[name] : undefined;
  }

  // Only rates, shares, growth and scores are compared with the region (the catalog's
  // field.comparable, from the field's declared kind); for counts (inhabitants, clients, places)
  // the region column shows the regional total, and "lower than the region" would say nothing.
  function isRegionTotal(field) {
    return !field.comparable;
  }

  /**
   * 'hoger', 'lager' or 'gelijk': the area's value against the region's, compared as the
   * user reads them (rounded to the field's decimals); null when there is nothing to compare.
   */
  function regionCue(value, regionValue, field) {
    if (field.type !== 'int' && field.type !== 'float') { return null; }
    if (isRegionTotal(field) || isMissing(value) || isMissing(regionValue)) { return null; }
    var a = Number(value);
    var b = Number(regionValue);
    if (!isFinite(a) || !isFinite(b)) { return null; }
    var d = Math.max(0, Math.min(10, field.decimals || 0));
    a = Number(a.toFixed(d));
    b = Number(b.toFixed(d));
    return a > b ? 'hoger' : (a < b ? 'lager' : 'gelijk');
  }

  function cueHtml(cue) {
    if (!cue) { return ''; }
    var c = TXT.cues[cue];
    return '<span class="wz-cue wz-cue-' + cue + '" data-cue="' + cue + '" role="img" title="' + esc(c.title)
      + '" aria-label="' + esc(c.title) + '">' + c.glyph + '</span>';
  }

  /** Column heads "Gemeente | Regio" above the values (leading: label/bar columns before). */
  function regionHead(layer, leading, withCue) {
    return '<thead><tr>' + new Array(leading + 1).join('<td></td>')
      + '<th scope="col" class="wz-colhead">' + esc(TXT.areaHeader[layer.id] || '') + '</th>'
      + (withCue ? '<td class="wz-cuecell"></td>' : '')
      + '<th scope="col" class="wz-colhead wz-region" title="' + esc(TXT.regionHeaderTitle(state.catalog.region))
      + '">' + esc(TXT.regionHeader) + '</th></tr></thead>';
  }

  /**
   * The two cells after an area's value: the cue and the region's value (empty when the
   * catalog has none). The region's number is formatted like the area's; a unit in words
   * ("cliënten", "adressen per km²") is already beside the area's value on the same row and is
   * left out to keep the column narrow (it is in the cell's tooltip).
   */
  function regionCells(layer, props, field, hasValue) {
    var rv = regionValueOf(layer, field.name);
    var cue = hasValue ? regionCue(props[field.name], rv, field) : null;
    var full = isMissing(rv) ? null : formatValue(rv, field);
    var short = full;
    if (full !== null && typeof rv === 'number' && field.type !== 'bool' && field.unit && field.unit !== '%') {
      short = formatNumber(rv, field.decimals);
    }
    return '<td class="wz-cuecell">' + cueHtml(cue) + '</td>'
      + (full === null ? '<td class="wz-region"></td>'
        : '<td class="wz-region" title="' + esc(TXT.regionHeader + ': ' + full) + '">' + esc(short) + '</td>');
  }

  function gapTable(layer, props) {
    var fields = fieldsByName(layer);
    var gap = GAP_FIELDS.filter(function (n) { return fields[n]; }).map(function (n) { return fields[n]; });
    if (!gap.length) { return ''; }
    var withRegion = hasRegionValues(layer);
    var prefix = commonPrefix(gap.map(function (f) { return f.alias || f.name; }));
    var maxAbs = 0;
    gap.forEach(function (f) {
      var v = Number(props[f.name]);
      if (!isMissing(props[f.name]) && isFinite(v)) { maxAbs = Math.max(maxAbs, Math.abs(v)); }
    });
    function regionCell(f) {
      if (!withRegion) { return ''; }
      var rv = regionValueOf(layer, f.name);
      var rt = isMissing(rv) ? null : formatNumber(rv, f.decimals);
      return '<td class="wz-region">' + (rt === null ? '' : esc(rt)) + '</td>';
    }
    var rows = gap.map(function (f) {
      var v = props[f.name];
      var label = (f.alias || f.name).slice(prefix.length) || f.alias || f.name;
      var bar = '';
      if (!isMissing(v) && maxAbs > 0) {
        var w = Math.round(100 * Math.abs(Number(v)) / maxAbs);
        bar = '<span class="wz-bar ' + (Number(v) < 0 ? 'wz-bar-neg' : 'wz-bar-pos') + '" style="width:' + w + '%"></span>';
      }
      var text = isMissing(v) ? null : formatNumber(v, f.decimals);
      return '<tr data-field="' + esc(f.name) + '"><th scope="row" title="' + esc(leeswijzerTitle(f)) + '">' + esc(label) + '</th>'
        + '<td class="wz-barcell">' + bar + '</td>'
        + (text === null ? '<td class="wz-value wz-nodata-text">' + TXT.noData + '</td>' : '<td class="wz-value">' + esc(text) + '</td>')
        + regionCell(f)
        + '</tr>';
    }).join('');
    var total = fields[GAP_TOTAL_FIELD];
    if (total) {
      var tv = props[total.name];
      var tt = isMissing(tv) ? null : formatNumber(tv, total.decimals);
      rows += '<tr class="wz-total" data-field="' + esc(total.name) + '"><th scope="row">' + TXT.gapTotal + '</th><td></td>'
        + (tt === null ? '<td class="wz-value wz-nodata-text">' + TXT.noData + '</td>' : '<td class="wz-value">' + esc(tt) + '</td>')
        + regionCell(total) + '</tr>';
    }
    var head = withRegion ? regionHead(layer, 2, false) : '';
    var unit = gap[0].unit ? ' <span class="wz-unit">(' + esc(gap[0].unit) + ')</span>' : '';
    var year = state.catalog.target_year || 2040;
    var note = gap[0].leeswijzer && gap[0].leeswijzer.uitleg
      ? '<p class="wz-note">' + esc(gap[0].leeswijzer.uitleg) + '</p>' : '';
    return '<h4>' + esc(TXT.gapTitle(year)) + unit + '</h4>'
      + '<table class="wz-gap' + (withRegion ? ' wz-with-region' : '') + '">' + head + '<tbody>' + rows + '</tbody></table>' + note;
  }

  function indicatorRow(fields, ind) {
    if (!ind) { return null; }
    var i;
    for (i = 0; i < fields.length; i++) { if (fields[i].name === ind.field) { return fields[i].name; } }
    for (i = 0; i < fields.length; i++) { if (fields[i].name === ind.field + '_label') { return fields[i].name; } }
    var uitleg = ind.leeswijzer && ind.leeswijzer.uitleg;
    for (i = 0; uitleg && i < fields.length; i++) {
      if (fields[i].leeswijzer && fields[i].leeswijzer.uitleg === uitleg) { return fields[i].name; }
    }
    return null;
  }

  /** Rows "label | value | cue | region value" of an area's popup fields. */
  function areaFieldsTable(layer, props, shown, currentName) {
    var withRegion = hasRegionValues(layer);
    var rows = shown.map(function (f) {
      var current = f.name === currentName;
      var text = formatValue(props[f.name], f);
      var cell = text === null
        ? '<td class="wz-value wz-nodata-text">' + TXT.noData + '</td>'
        : '<td class="wz-value">' + esc(text) + '</td>';
      return '<tr data-field="' + esc(f.name) + '"' + (current ? ' class="wz-current"' : '') + '><th scope="row" title="'
        + esc(leeswijzerTitle(f)) + '">' + esc(f.alias || f.name) + '</th>' + cell
        + (withRegion ? regionCells(layer, props, f, text !== null) : '') + '</tr>';
    }).join('');
    return '<table class="wz-fields' + (withRegion ? ' wz-with-region' : '') + '">'
      + (withRegion ? regionHead(layer, 1, true) : '') + '<tbody>' + rows + '</tbody></table>';
  }

  function gemeentePopupHtml(layer, props) {
    var skip = {};
    GAP_FIELDS.concat([GAP_TOTAL_FIELD, layer.id_field, layer.label_field]).forEach(function (n) { skip[n] = true; });
    var ind = currentIndicator();
    var shown = (layer.fields || []).filter(function (f) { return f.popup && !skip[f.name]; });
    var name = props[layer.label_field] || props[layer.id_field] || '';
    return '<div class="wz-popup wz-popup-gemeente">'
      + '<h3>' + esc(name) + '</h3>'
      + areaFieldsTable(layer, props, shown, indicatorRow(shown, ind))
      + gapTable(layer, props)
      + '</div>';
  }

  /** Popup of a wijk: its popup fields beside the region's values; a way on to its gemeente. */
  function wijkPopupHtml(layer, props, gemeente) {
    var skip = {};
    [layer.id_field, layer.label_field].forEach(function (n) { skip[n] = true; });
    var shown = (layer.fields || []).filter(function (f) { return f.popup && !skip[f.name]; });
    var name = props[layer.label_field] || props[layer.id_field] || layer.title;
    var gemName = props.gemeentenaam || (gemeente && gemeente.props[layerDefs[CHOROPLETH_LAYER].label_field]);
    var button = gemeente
      ? '<p class="wz-popup-actions"><button type="button" class="wz-link" data-wz-action="gemeente">'
        + esc(TXT.toGemeente(gemName || gemeente.id)) + '</button></p>'
      : '';
    return '<div class="wz-popup wz-popup-wijk">'
      + '<p class="wz-kicker">' + esc(TXT.areaHeader[layer.id] || TXT.layerNames[layer.id] || layer.title) + '</p>'
      + '<h3>' + esc(name) + '</h3>'
      + areaFieldsTable(layer, props, shown, null)
      + button
      + '</div>';
  }

  function pointPopupHtml(layer, props) {
    var ind = pointIndicator(layer);
    var skip = {};
    [layer.id_field, layer.label_field].forEach(function (n) { skip[n] = true; });
    var rows = (layer.fields || []).filter(function (f) { return f.popup && !skip[f.name]; }).map(function (f) {
      var cell;
      if (ind && f.name === ind.field && !isMissing(props[f.name])) {
        var cls = classify(ind, props[f.name]);
        cell = '<td><span class="wz-dot" style="background:' + esc(cls.color) + '"></span>'
          + esc(cls === ind.no_data ? props[f.name] : cls.label) + '</td>';
      } else {
        cell = valueCell(props, f);
      }
      return '<tr><th scope="row" title="' + esc(leeswijzerTitle(f)) + '">' + esc(f.alias || f.name) + '</th>' + cell + '</tr>';
    }).join('');
    var name = props[layer.label_field] || props[layer.id_field] || layer.title;
    return '<div class="wz-popup">'
      + '<p class="wz-kicker">' + esc(TXT.layerNames[layer.id] || layer.title) + '</p>'
      + '<h3>' + esc(name) + '</h3>'
      + '<table class="wz-fields">' + rows + '</table>'
      + '</div>';
  }

  function openPopup(latlng, html, onClose, refresh, kind) {
    // never taller than the map: a long popup scrolls inside instead of running off the screen
    var size = map.getSize();
    var maxHeight = Math.max(200, size.y - 48);
    // pan the popup clear of the zoom buttons and of the panel on the right
    var pad = panelPadding();
    var maxWidth = Math.max(240, Math.min(POPUP_MAX_WIDTH, size.x - pad.left - pad.right - 72));
    popup = L.popup({
      maxWidth: maxWidth, minWidth: Math.min(280, maxWidth), maxHeight: maxHeight, className: 'wz-leaflet-popup',
      autoPanPaddingTopLeft: L.point(pad.left + 16, 16), autoPanPaddingBottomRight: L.point(pad.right + 16, 16)
    })
      .setLatLng(latlng)
      .setContent(html);
    popup.wzRefresh = refresh || null;
    popup.wzKind = kind || null;
    popup.once('remove', function () { if (onClose) { onClose(); } });
    popup.openOn(map);
    return popup;
  }

  function openGemeentePopup(latlng, props, id) {
    var layer = layerDefs[CHOROPLETH_LAYER];
    var grid = grids[CHOROPLETH_LAYER];
    openPopup(latlng, gemeentePopupHtml(layer, props), function () {
      if (state.selected === id) { selectGemeente(null); grid.resetFeatureStyle(id); }
    }, function () { return gemeentePopupHtml(layer, props); }, 'gemeente');
    selectGemeente(id);
  }

  function onGemeenteClick(e) {
    // zoomed in with the wijken on: a click inside a wijk is a click on the wijk
    if (openWijkAt(e.latlng)) { return; }
    var props = (e.layer && e.layer.properties) || {};
    openGemeentePopup(e.latlng, props, featureIdOf(grids[CHOROPLETH_LAYER], e.layer));
  }

  /** A click on the map that no layer took (outside the gemeenten, or gemeenten switched off). */
  function onMapClick(e) {
    openWijkAt(e.latlng);
  }

  // ---- wijken: clickable from WIJK_CLICK_ZOOM on -------------------------------------------
  //
  // The wijken tiles stay non-interactive at every zoom (the gemeenten below keep getting the
  // clicks and hovers). From WIJK_CLICK_ZOOM on, with the wijken switched on, a click is first
  // tested against the wijken drawn on screen; inside a wijk it opens the wijk's popup, and
  // outside every wijk it stays a gemeente click.

  function wijkClickable() {
    var grid = grids[WIJK_LAYER];
    return !!(map && grid && layerDefs[WIJK_LAYER] && state.visible[WIJK_LAYER] !== false
      && map.hasLayer(grid) && map.getZoom() >= WIJK_CLICK_ZOOM);
  }

  /** Even-odd test of a tile pixel against a polygon symbolizer (all rings, holes included). */
  function polygonContains(sym, p) {
    var parts = sym._parts;
    if (!parts || !parts.length || !(sym instanceof L.Polygon)) { return false; }
    if (!sym._wzBounds) {
      var b = L.bounds([]);
      parts.forEach(function (part) { part.forEach(function (q) { b.extend(q); }); });
      sym._wzBounds = b;
    }
    if (!sym._wzBounds.isValid() || !sym._wzBounds.contains(p)) { return false; }
    var inside = false;
    for (var k = 0; k < parts.length; k++) {
      var part = parts[k];
      for (var i = 0, j = part.length - 1; i < part.length; j = i++) {
        var a = part[i];
        var c = part[j];
        if (((a.y > p.y) !== (c.y > p.y)) && (p.x < (c.x - a.x) * (p.y - a.y) / (c.y - a.y) + a.x)) {
          inside = !inside;
        }
      }
    }
    return inside;
  }

  /** The feature of a polygon grid drawn at latlng: { id, props, symbolizer } or null. */
  function featureAt(grid, latlng) {
    if (!grid || !grid._map || !grid._vectorTiles) { return null; }
    var z = grid._tileZoom;
    var size = grid.getTileSize();
    var found = null;
    Object.keys(grid._vectorTiles).forEach(function (key) {
      var tile = grid._vectorTiles[key];
      var c = tile._tileCoord;
      if (found || !c || c.z !== z) { return; }
      var p = map.project(latlng, c.z).subtract(L.point(c.x * size.x, c.y * size.y));
      if (p.x < 0 || p.y < 0 || p.x >= size.x || p.y >= size.y) { return; }
      var feats = tile._features || {};
      Object.keys(feats).forEach(function (id) {
        var sym = feats[id].feature;
        if (polygonContains(sym, p)) { found = { id: id, props: sym.properties || {}, symbolizer: sym }; }
      });
    });
    return found;
  }

  function wijkAt(latlng) {
    return wijkClickable() ? featureAt(grids[WIJK_LAYER], latlng) : null;
  }

  /** The gemeente (from the loaded gemeenten tiles) that a wijk belongs to, or null. */
  function gemeenteOf(wijkProps) {
    var grid = grids[CHOROPLETH_LAYER];
    var code = wijkProps.gemeentecode;
    if (!grid || isMissing(code)) { return null; }
    var found = null;
    forEachFeature(grid, function (tile, id, data) {
      if (!found && String(id) === String(code)) { found = { id: id, props: data.feature.properties || {} }; }
    });
    return found;
  }

  function selectWijk(id) {
    var grid = grids[WIJK_LAYER];
    if (!grid) { return; }
    if (state.selectedWijk !== null && state.selectedWijk !== id) { grid.resetFeatureStyle(state.selectedWijk); }
    state.selectedWijk = (id === undefined) ? null : id;
    if (state.selectedWijk !== null) {
      grid.setFeatureStyle(state.selectedWijk, wijkHighlightStyle);
      forEachFeature(grid, function (tile, fid, data) {
        if (String(fid) === String(state.selectedWijk) && typeof tile._bringToFront === 'function') {
          try { tile._bringToFront(data.feature); } catch (err) { /* cosmetic only */ }
        }
      });
    }
  }

  /** Opens the popup of the wijk at latlng when wijken are clickable there; true if it did. */
  function openWijkAt(latlng) {
    var hit = wijkAt(latlng);
    if (!hit) { return false; }
    var layer = layerDefs[WIJK_LAYER];
    var gemeente = gemeenteOf(hit.props);
    var p = openPopup(latlng, wijkPopupHtml(layer, hit.props, gemeente), function () {
      if (state.selectedWijk === hit.id) { selectWijk(null); }
    }, null, 'wijk');
    selectWijk(hit.id);
    var el = p.getElement();
    var btn = el && el.querySelector('[data-wz-action="gemeente"]');
    if (btn && gemeente) {
      L.DomEvent.on(btn, 'click', function (ev) {
        L.DomEvent.stop(ev);
        openGemeentePopup(latlng, gemeente.props, gemeente.id);
      });
    }
    return true;
  }

  var hoverFrame = null;
  var hoverLatLng = null;
  function onMapMouseMove(e) {
    hoverLatLng = e.latlng;
    if (hoverFrame !== null) { return; }
    hoverFrame = requestAnimationFrame(function () {
      hoverFrame = null;
      showHover(hoverLatLng);
    });
  }

  /** The info box: the wijk under the mouse when wijken are clickable, else the gemeente. */
  var lastHover = null;
  function showHover(latlng) {
    if (!infoControl) { return; }
    var wijk = latlng ? wijkAt(latlng) : null;
    var shown = wijk ? wijk.props : state.hoverGemeente;
    if (shown === lastHover && shown !== null) { return; }   // same as on screen: no redraw
    lastHover = shown;
    if (wijk) { infoControl.showWijk(wijk.props); } else { infoControl.show(state.hoverGemeente); }
  }

  function updateHint() {
    var hint = $('hint');
    if (!hint || !map) { return; }
    var on = state.visible[WIJK_LAYER] !== false && layerDefs[WIJK_LAYER];
    hint.textContent = wijkClickable() ? TXT.hintWijk
      : TXT.hintGemeente + (on ? ' ' + TXT.hintWijkZoom : '');
  }

  function onPointClick(layer, e) {
    var props = (e.layer && e.layer.properties) || {};
    var latlng = (e.layer && typeof e.layer.getLatLng === 'function' && e.layer.getLatLng()) || e.latlng;
    openPopup(latlng, pointPopupHtml(layer, props));
  }

  // ---------------------------------------------------------------------------------------
  // Hover info box (top left, under the zoom buttons)
  // ---------------------------------------------------------------------------------------

  var InfoControl = null;
  function defineInfoControl() {
    InfoControl = L.Control.extend({
      options: { position: 'topleft' },
      onAdd: function () {
        this._div = L.DomUtil.create('div', 'wz-info');
        this._div.setAttribute('aria-hidden', 'true');
        this.show(null);
        return this._div;
      },
      show: function (props) {
        if (!this._div) { return; }
        var layer = layerDefs[CHOROPLETH_LAYER];
        var ind = currentIndicator();
        if (!props || !layer || !ind) {
          this._div.classList.add('wz-info-empty');
          this._div.textContent = '';
          return;
        }
        var cls = classify(ind, props[ind.field]);
        var value = valueForLegend(layer, ind, props);
        this._div.classList.remove('wz-info-empty');
        this._div.innerHTML = '<strong>' + esc(props[layer.label_field] || '') + '</strong>'
          + '<span class="wz-info-row"><span class="wz-swatch wz-swatch-sm" style="background:'
          + esc(cls.color) + '"></span>' + esc(ind.title) + ': ' + esc(value) + '</span>';
      },
      showWijk: function (props) {
        if (!this._div) { return; }
        var layer = layerDefs[WIJK_LAYER];
        var name = props[layer.label_field] || props[layer.id_field] || '';
        this._div.classList.remove('wz-info-empty');
        this._div.innerHTML = '<strong>' + esc(name) + '</strong>'
          + '<span class="wz-info-row wz-muted-row">'
          + esc(props.gemeentenaam ? TXT.wijkIn(props.gemeentenaam) : (TXT.layerNames[layer.id] || layer.title))
          + ' \u00b7 ' + esc(TXT.clickForFigures) + '</span>';
      }
    });
  }

  /** The value behind a gemeente's colour, as text ("7,4%", "weinig stedelijk"). */
  function valueForLegend(layer, ind, props) {
    var v = props[ind.field];
    if (isMissing(v)) { return TXT.noData; }
    if (ind.kind === 'categories') {
      return classify(ind, v).label;
    }
    var f = fieldsByName(layer)[ind.field] || { type: 'float', decimals: 1, unit: ind.unit };
    return formatValue(v, f) || TXT.noData;
  }

  // ---------------------------------------------------------------------------------------
  // Panel: indicator choice, legend, layer toggles
  // ---------------------------------------------------------------------------------------

  function buildIndicatorSelect() {
    var layer = layerDefs[CHOROPLETH_LAYER];
    var select = $('indicator');
    select.innerHTML = '';
    layer.legend.indicators.forEach(function (ind) {
      var opt = document.createElement('option');
      opt.value = ind.field;
      opt.textContent = ind.title;
      select.appendChild(opt);
    });
    select.value = state.indicator;
    select.disabled = false;
    select.addEventListener('change', function () { setIndicator(select.value); });
  }

  function setIndicator(field) {
    var legend = layerDefs[CHOROPLETH_LAYER].legend;
    var known = legend.indicators.some(function (ind) { return ind.field === field; });
    state.indicator = known ? field : legend['default'] || legend.indicators[0].field;
    $('indicator').value = state.indicator;
    renderLegend();
    if (infoControl) { state.hoverGemeente = null; lastHover = null; infoControl.show(null); }
    try {
      history.replaceState(null, '', '#indicator=' + encodeURIComponent(state.indicator));
    } catch (err) { /* file:// or sandboxed: not important */ }
    if (map && popup && map.hasLayer(popup) && popup.wzRefresh) { popup.setContent(popup.wzRefresh()); }
    return recolour();
  }

  function swatchList(ind, asDots) {
    var items = (ind.classes || []).concat(ind.no_data ? [ind.no_data] : []);
    return '<ul class="wz-classes">' + items.map(function (c) {
      var nodata = c === ind.no_data;
      return '<li' + (nodata ? ' class="wz-nodata"' : '') + ' data-color="' + esc(c.color) + '">'
        + '<span class="' + (asDots ? 'wz-dot' : 'wz-swatch') + '" style="background:' + esc(c.color) + '"></span>'
        + '<span class="wz-class-label">' + esc(c.label) + '</span></li>';
    }).join('') + '</ul>';
  }

  function leeswijzerHtml(lw) {
    if (!lw) { return ''; }
    var out = '<div class="wz-leeswijzer">';
    if (lw.uitleg) { out += '<p>' + esc(lw.uitleg) + '</p>'; }
    var meta = [];
    if (lw.bron) { meta.push('<span><b>' + TXT.source + ':</b> ' + esc(lw.bron) + '</span>'); }
    if (lw.peildatum) { meta.push('<span><b>' + TXT.refDate + ':</b> ' + esc(lw.peildatum) + '</span>'); }
    if (meta.length) { out += '<p class="wz-meta">' + meta.join('') + '</p>'; }
    return out + '</div>';
  }

  function sizeLegend(layer) {
    var sizeField = layer.legend && layer.legend.size_field;
    if (!sizeField) { return ''; }
    var field = fieldsByName(layer)[sizeField] || { unit: '' };
    var steps = [10, 50, SIZE_REFERENCE];
    var items = steps.map(function (v, i) {
      var r = pointRadius(v);
      var label = formatNumber(v, 0) + (i === steps.length - 1 ? ' of meer' : '');
      return '<span class="wz-size-item"><span class="wz-size-dot" style="width:' + (2 * r) + 'px;height:'
        + (2 * r) + 'px"></span>' + esc(label) + '</span>';
    }).join('');
    var title = field.unit ? 'Grootte: aantal ' + field.unit : (field.alias ? 'Grootte: ' + field.alias.toLowerCase() : TXT.sizeTitle);
    return '<p class="wz-size-title">' + esc(title) + '</p><div class="wz-sizes">' + items + '</div>';
  }

  function renderLegend() {
    var ind = currentIndicator();
    var box = $('legend');
    if (!ind) { box.innerHTML = ''; return; }
    var unit = ind.unit ? '<span class="wz-unit">' + TXT.unitPrefix + ' ' + esc(ind.unit) + '</span>' : '';
    var html = '<div class="wz-legend-part" data-legend-layer="' + CHOROPLETH_LAYER + '">'
      + '<h2 class="wz-legend-title">' + esc(ind.title) + '</h2>' + unit
      + swatchList(ind, false)
      + leeswijzerHtml(ind.leeswijzer)
      + '</div>';

    state.catalog.layers.forEach(function (layer) {
      if (roleOf(layer) !== 'points') { return; }
      var pind = pointIndicator(layer);
      if (!pind) { return; }
      html += '<div class="wz-legend-part wz-legend-points" data-legend-layer="' + esc(layer.id) + '">'
        + '<h2 class="wz-legend-title">' + esc(layer.legend.title || layer.title) + '</h2>'
        + swatchList({ classes: pind.classes, no_data: null }, true)
        + sizeLegend(layer)
        + (layer.minzoom ? '<p class="wz-zoomnote" data-minzoom="' + layer.minzoom + '" hidden>'
          + TXT.zoomInFor + '</p>' : '')
        + '</div>';
    });
    box.innerHTML = html;
    box.dataset.indicator = ind.field;
    Object.keys(state.visible).forEach(function (id) {
      var part = box.querySelector('[data-legend-layer="' + id + '"]');
      if (part) { part.classList.toggle('wz-off', !state.visible[id]); }
    });
    updateZoomNotes();
  }

  function buildToggles() {
    var box = $('layer-toggles');
    box.innerHTML = '';
    var entries = state.catalog.layers.map(function (l) {
      return { id: l.id, label: TXT.layerNames[l.id] || l.title, title: l.description || '', role: roleOf(l), minzoom: l.minzoom };
    });
    // top layer first in the list, like the drawing order people see
    entries.reverse();
    entries.push({ id: 'labels', label: TXT.labelsToggle, title: 'Namen van de gemeenten op de kaart', role: 'labels' });
    entries.forEach(function (en) {
      var row = document.createElement('label');
      row.className = 'wz-toggle';
      row.title = en.title;
      var input = document.createElement('input');
      input.type = 'checkbox';
      input.id = 'toggle-' + en.id;
      input.checked = state.visible[en.id] !== false;
      input.addEventListener('change', function () { setLayerVisible(en.id, input.checked); });
      var icon = document.createElement('span');
      icon.className = 'wz-toggle-icon wz-icon-' + en.role;
      var text = document.createElement('span');
      text.className = 'wz-toggle-text';
      text.textContent = en.label;
      row.appendChild(input);
      row.appendChild(icon);
      row.appendChild(text);
      if (en.minzoom && en.role !== 'choropleth') {
        var note = document.createElement('small');
        note.className = 'wz-zoomnote';
        note.dataset.minzoom = en.minzoom;
        note.hidden = true;
        note.textContent = TXT.zoomInFor;
        text.appendChild(note);
      }
      box.appendChild(row);
    });
  }

  function updateZoomNotes() {
    if (!map) { return; }
    var z = map.getZoom();
    document.querySelectorAll('.wz-zoomnote').forEach(function (el) {
      el.hidden = !(z < Number(el.dataset.minzoom));
    });
  }

  // ---------------------------------------------------------------------------------------
  // Gemeente names and "ga naar gemeente"
  // ---------------------------------------------------------------------------------------

  function buildLabels(list) {
    labelGroup = L.layerGroup();
    list.forEach(function (g) {
      if (!g.label_point) { return; }
      L.marker([g.label_point[1], g.label_point[0]], {
        icon: L.divIcon({ className: 'wz-label', html: '<span>' + esc(g.gemeentenaam) + '</span>', iconSize: null }),
        interactive: false,
        keyboard: false,
        pane: 'wzLabels'
      }).addTo(labelGroup);
    });
    if (state.visible.labels !== false) { labelGroup.addTo(map); }
  }

  function buildGoto(list) {
    var select = $('goto');
    select.innerHTML = '<option value="">' + TXT.wholeRegion + '</option>';
    list.slice().sort(function (a, b) { return a.gemeentenaam.localeCompare(b.gemeentenaam, 'nl'); })
      .forEach(function (g) {
        var opt = document.createElement('option');
        opt.value = g.gemeentecode;
        opt.textContent = g.gemeentenaam;
        select.appendChild(opt);
      });
    select.disabled = false;
    select.addEventListener('change', function () {
      map.closePopup();
      var code = select.value;
      if (!code) { selectGemeente(null); fitRegion(true); return; }
      var g = list.filter(function (x) { return x.gemeentecode === code; })[0];
      if (!g) { return; }
      var layer = layerDefs[CHOROPLETH_LAYER];
      if (layer && layer.id_field === 'gemeentecode') { selectGemeente(code); }
      var pad = panelPadding();
      map.flyToBounds(boundsOf(g.bbox), {
        paddingTopLeft: [pad.left + 24, 40], paddingBottomRight: [pad.right + 24, 40], maxZoom: 13, duration: 0.8
      });
    });
  }

  // ---------------------------------------------------------------------------------------
  // Start
  // ---------------------------------------------------------------------------------------

  function indicatorFromHash() {
    var m = /indicator=([^&]+)/.exec(location.hash || '');
    return m ? decodeURIComponent(m[1]) : null;
  }

  function start(catalog) {
    // layers meant for QGIS and charts only (in_viewer: false) are not drawn on the map
    catalog.layers = catalog.layers.filter(function (l) { return l.in_viewer !== false; });
    state.catalog = catalog;
    catalog.layers.forEach(function (l) { layerDefs[l.id] = l; });
    var gem = layerDefs[CHOROPLETH_LAYER];
    if (!gem || !gem.legend || !gem.legend.indicators || !gem.legend.indicators.length) {
      throw new Error('catalog has no gemeenten layer with indicators');
    }

    var title = catalog.title + (catalog.region ? ' \u2013 ' + catalog.region : '');
    $('title').textContent = title;
    document.title = title;

    var fromHash = indicatorFromHash();
    var known = gem.legend.indicators.some(function (i) { return i.field === fromHash; });
    state.indicator = known ? fromHash : (gem.legend['default'] || gem.legend.indicators[0].field);

    createMap(catalog);
    infoControl = new InfoControl();
    infoControl.addTo(map);

    catalog.layers.forEach(function (l) { state.visible[l.id] = true; });
    state.visible.labels = true;

    var firstLoad = new Promise(function (resolve) {
      catalog.layers.forEach(function (layer, i) {
        var grid = createGrid(layer, i);
        grids[layer.id] = grid;
        if (layer.id === CHOROPLETH_LAYER) { grid.once('load', resolve); }
        grid.addTo(map);
      });
    });

    buildIndicatorSelect();
    buildToggles();
    renderLegend();
    updateHint();

    var names = fetchJson('/api/gemeenten').then(function (list) {
      state.gemeenten = list;
      buildLabels(list);
      buildGoto(list);
    }).catch(function (err) {
      // the map works without names; only the labels and "ga naar" are missing
      console.warn('gemeentenlijst niet geladen', err);
    });

    return Promise.all([firstLoad, names]).then(nextFrame).then(function () {
      state.ready = true;
      document.body.dataset.indicator = state.indicator;
      document.body.dataset.ready = '1';
    });
  }

  function setupPanelToggle() {
    var btn = $('panel-toggle');
    var panel = $('panel');
    if (window.innerWidth <= 760) {
      // small screens: map first, legend behind the "Legenda" button
      panel.classList.add('wz-panel-closed');
      btn.setAttribute('aria-expanded', 'false');
    }
    btn.addEventListener('click', function () {
      var open = panel.classList.toggle('wz-panel-closed') === false;
      btn.setAttribute('aria-expanded', open ? 'true' : 'false');
    });
  }

  function main() {
    setupPanelToggle();
    if (!window.L || !L.VectorGrid || !L.VectorGrid.Protobuf) {
      showMessage(TXT.libError);
      return;
    }
    installShims();
    defineVectorGrid();
    defineInfoControl();
    fetchJson('/api/catalog').then(start).catch(function (err) {
      console.error(err);
      showMessage(TXT.loadError);
      document.body.dataset.error = String(err && err.message || err);
    });
  }

  // exposed for tests and the console
  window.wzViewer = {
    classify: classify,
    formatNumber: formatNumber,
    formatValue: formatValue,
    setIndicator: function (f) { return setIndicator(f); },
    selectGemeente: function (id) { selectGemeente(id); },
    wijkClickZoom: WIJK_CLICK_ZOOM,
    /** Resolves when no visible vector-tile layer is still loading tiles. */
    whenTilesLoaded: function () {
      var pending = Object.keys(grids).map(function (id) { return grids[id]; }).filter(function (g) {
        return map && map.hasLayer(g) && typeof g.isLoading === 'function' && g.isLoading();
      });
      return Promise.all(pending.map(function (g) {
        return new Promise(function (resolve) { g.once('load', resolve); });
      })).then(nextFrame);
    },
    background: BACKGROUND
  };

  if (document.readyState === 'loading') {
    document.addEventListener('DOMContentLoaded', main);
  } else {
    main();
  }
}());
