/**
 * The map: Leaflet for the map itself (panning, zooming, markers, popups, controls) and MapLibre GL,
 * inside Leaflet through the maintained @maplibre/maplibre-gl-leaflet binding, for the vector-tile
 * choropleths. Colours come from the catalog's legends; the values of a year and scenario are set
 * as feature state by feature id (gemeentecode, wijkcode), so a change of year only recolours.
 * Nothing here reaches into private names of Leaflet, MapLibre or the binding.
 */

/* global L, maplibregl */

const STROKE = '#3a4550';          // outlines of the areas
const HIGHLIGHT = '#0b1520';       // outline of the selected / hovered area
const PAN_ZOOM = 13;               // at most this zoom when flying to an area

/** MapLibre expression for a legend: classes min <= v < max (step) or categories (match). */
export function colourExpression(legend, input) {
  const noData = legend.no_data.color;
  const classes = legend.classes || [];
  if (legend.kind === 'categories') {
    const expr = ['match', input];
    classes.forEach((c) => { expr.push(c.value, c.color); });
    expr.push(noData);
    return classes.length ? expr : noData;
  }
  const step = ['step', input, classes[0].color];
  classes.slice(1).forEach((c) => { step.push(c.min, c.color); });
  return ['case', ['==', ['typeof', input], 'number'], classes.length > 1 ? step : classes[0].color, noData];
}

function flagged(name) { return ['boolean', ['feature-state', name], false]; }

/** The paint of a choropleth: colours from a field of the tiles, or from the feature state "v". */
function fillColour({ legend, field, values }) {
  return colourExpression(legend, values ? ['feature-state', 'v'] : ['get', field]);
}

/**
 * The style: one vector source per polygon layer, fills below outlines below highlights. The first
 * choropleth is part of it, so that the first tiles are drawn in their colours at once. Layers of
 * the top level's own areas (`alike`: a layer per sector with the gemeenten' geometry) get a fill
 * only: the top level's outlines and highlights are drawn over them.
 */
function styleFor(polygonLayers, initial, alike) {
  const origin = location.origin;
  const style = { version: 8, sources: {}, layers: [], transition: { duration: 0, delay: 0 } };
  polygonLayers.forEach((layer) => {
    style.sources[layer.id] = {
      type: 'vector',
      tiles: [origin + layer.tiles],
      minzoom: layer.minzoom,
      maxzoom: layer.maxzoom,
      bounds: layer.bounds,
      promoteId: layer.id_field,
      attribution: '',
    };
  });
  const src = (layer) => ({ source: layer.id, 'source-layer': layer.id });
  polygonLayers.forEach((layer, i) => {
    const on = layer.id === initial.layerId;
    style.layers.push({
      id: `${layer.id}-vlak`, type: 'fill', ...src(layer),
      layout: { visibility: on || i === 0 ? 'visible' : 'none' },
      paint: { 'fill-color': on ? fillColour(initial) : '#d9d9d9', 'fill-opacity': on ? 1 : 0, 'fill-antialias': false },
    });
  });
  // finer levels first (thin, dashed), the top level's outlines over them
  // only the layers of the first map ask for tiles at first: the outlines of finer levels follow
  // once it is drawn (MapView.showOutlines), so that their tiles do not delay it
  const starts = (layer) => layer === polygonLayers[0] || layer.id === initial.layerId;
  const lined = polygonLayers.filter((layer) => !alike.has(layer.id));
  lined.slice().reverse().forEach((layer, j) => {
    const top = j === lined.length - 1;
    style.layers.push({
      id: `${layer.id}-rand`, type: 'line', ...src(layer),
      minzoom: top ? 0 : Math.max(0, layer.minzoom - 1),
      layout: { 'line-join': 'round', visibility: starts(layer) ? 'visible' : 'none' },
      paint: top ? { 'line-color': STROKE, 'line-width': 1.1, 'line-opacity': 0.9 }
        : { 'line-color': STROKE, 'line-width': 0.7, 'line-opacity': 0.55, 'line-dasharray': [3, 2] },
    });
  });
  lined.slice().reverse().forEach((layer) => {
    style.layers.push({
      id: `${layer.id}-accent`, type: 'line', ...src(layer),
      layout: { 'line-join': 'round', visibility: starts(layer) ? 'visible' : 'none' },
      // a white halo under the dark outline: visible on light and on dark colours
      paint: { 'line-color': '#ffffff', 'line-width': ['case', flagged('selected'), 6.5, flagged('hover'), 5.5, 0] },
    });
    style.layers.push({
      id: `${layer.id}-hover`, type: 'line', ...src(layer),
      layout: { 'line-join': 'round', visibility: starts(layer) ? 'visible' : 'none' },
      paint: { 'line-color': HIGHLIGHT, 'line-width': ['case', flagged('selected'), 3.5, flagged('hover'), 2.5, 0] },
    });
  });
  return style;
}

export class MapView {
  /**
   * @param {HTMLElement} element   the map's container
   * @param {object} catalog         /api/catalog
   * @param {string[]} layerIds      the polygon layers of the themes, top level first
   * @param {object} initial         the first choropleth {layerId, field, legend, values: bool}
   * @param {string[]} alikeIds      layers with the top level's own areas (one per sector): a fill only
   */
  constructor(element, catalog, layerIds, initial, alikeIds = []) {
    this.catalog = catalog;
    this.layers = layerIds.map((id) => catalog.layers.find((l) => l.id === id)).filter(Boolean);
    this.top = this.layers[0];
    this.alike = new Set(alikeIds.filter((id) => id !== this.top.id && this.layers.some((l) => l.id === id)));
    this.lined = this.layers.filter((l) => !this.alike.has(l.id));   // layers with outlines: the top first
    this.finer = this.lined.slice(1);                                 // the levels below the top
    this.active = initial.layerId;
    this.states = {};            // layer id -> {feature id -> value} set as feature state "v"
    this.flags = {};             // "layer|flag" -> feature id carrying that flag
    this.listeners = {};

    const bounds = L.latLngBounds([catalog.bounds[1], catalog.bounds[0]], [catalog.bounds[3], catalog.bounds[2]]);
    this.regionBounds = bounds;
    const map = L.map(element, {
      zoomSnap: 0.25,
      zoomDelta: 0.5,
      wheelPxPerZoomLevel: 90,
      maxBounds: bounds.pad(1.5),
      maxBoundsViscosity: 0.8,
      zoomControl: false,
      attributionControl: true,
      fadeAnimation: false,        // popups and tiles appear at once
      keyboardPanDelta: 120,
    });
    this.leaflet = map;
    L.control.zoom({ zoomInTitle: 'Inzoomen', zoomOutTitle: 'Uitzoomen', position: 'topleft' }).addTo(map);
    map.attributionControl.setPrefix('Leaflet | MapLibre');
    if (catalog.attribution) { map.attributionControl.addAttribution(catalog.attribution); }
    L.control.scale({ imperial: false, position: 'bottomright' }).addTo(map);
    map.createPane('wzLabels');
    map.getPane('wzLabels').classList.add('wz-labels-pane');
    this.fitRegion(false);
    const fit = map.getZoom();
    map.setMinZoom(Math.max(0, Math.floor(fit) - 2));
    map.setMaxZoom(Math.max(...this.layers.map((l) => l.maxzoom || 14)) + 2);

    this.glLayer = L.maplibreGL({
      style: styleFor(this.layers, initial, this.alike),
      fadeDuration: 0,
      interactive: false,
      canvasContextAttributes: { preserveDrawingBuffer: true },  // so that printing shows the map
      renderWorldCopies: false,
      maxTileCacheSize: 256,
      className: 'wz-gl',
    });
    this.glLayer.addTo(map);
    this.gl = this.glLayer.getMaplibreMap();
    // the style is parsed (feature state can be set); its tiles may still be on their way
    this.styleReady = new Promise((resolve, reject) => {
      if (this.gl.isStyleLoaded()) { resolve(); return; }
      this.gl.once('style.load', resolve);
      this.gl.once('error', (e) => reject(e && e.error ? e.error : new Error('kaartstijl niet geladen')));
    });
    this.gl.on('error', (e) => { console.error('MapLibre:', e && e.error ? e.error.message : e); });

    this.zooming = false;
    this.moving = false;
    this.waiting = [];
    map.on('zoomstart', () => { this.zooming = true; });
    map.on('zoomend', () => { this.zooming = false; });
    map.on('movestart', () => { this.moving = true; });
    map.on('moveend', () => {
      this.moving = false;
      this.waiting.splice(0).forEach((fn) => fn());
    });
    map.on('mousemove', (e) => this._onMove(e));
    map.on('mouseout', () => this._emit('hover', null));
    map.on('click', (e) => this._emit('click', { latlng: e.latlng, hit: this.featureAt(e.latlng) }));
  }

  on(name, fn) { (this.listeners[name] = this.listeners[name] || []).push(fn); }

  _emit(name, arg) { (this.listeners[name] || []).forEach((fn) => fn(arg)); }

  _onMove(e) {
    // over a popup, a location or a control the area below is not what the mouse points at
    const target = e.originalEvent && e.originalEvent.target;
    if (target && target.closest && target.closest('.leaflet-popup, .wz-loc, .leaflet-control')) {
      this._emit('hover', null);
      return;
    }
    this._hoverAt = e.latlng;
    if (this._hoverFrame) { return; }
    this._hoverFrame = requestAnimationFrame(() => {
      this._hoverFrame = null;
      this._emit('hover', { latlng: this._hoverAt, hit: this.featureAt(this._hoverAt) });
    });
  }

  // ---------------------------------------------------------------- view

  fitRegion(animate) { this.fitBounds(this.regionBounds, animate); }

  fitBounds(bounds, animate, maxZoom) {
    const pad = this.padding ? this.padding() : { left: 0, right: 0 };
    this.leaflet.fitBounds(bounds, {
      paddingTopLeft: [pad.left + 16, 16], paddingBottomRight: [pad.right + 16, 16],
      maxZoom: maxZoom || PAN_ZOOM, animate: !!animate,
    });
  }

  fitBbox(bbox, animate) {
    this.fitBounds(L.latLngBounds([bbox[1], bbox[0]], [bbox[3], bbox[2]]), animate);
  }

  getView() {
    const c = this.leaflet.getCenter();
    return { lat: Number(c.lat.toFixed(6)), lng: Number(c.lng.toFixed(6)), zoom: this.leaflet.getZoom() };
  }

  setView(view) { this.leaflet.setView([view.lat, view.lng], view.zoom, { animate: false }); }

  // ---------------------------------------------------------------- colours

  /**
   * Show a choropleth: the fill of `layerId` coloured by `legend`, from the tiles' `field` or,
   * when `values` ({feature id: value}) is given, from those values set as feature state.
   */
  setChoropleth({ layerId, field, legend, values }) {
    const gl = this.gl;             // (setting a layout or paint property to its value is a no-op)
    const drawn = () => JSON.stringify([this.active, gl.getPaintProperty(`${layerId}-vlak`, 'fill-color'),
      values ? this.states[layerId] : null]);
    const before = drawn();
    this.layers.forEach((layer) => {
      const on = layer.id === layerId;
      // the top level stays queryable (transparent) under a finer level: its gemeente is clicked;
      // the layers of its areas stay too once they are warm (see showOutlines)
      gl.setLayoutProperty(`${layer.id}-vlak`, 'visibility', on || this._kept(layer) ? 'visible' : 'none');
      gl.setPaintProperty(`${layer.id}-vlak`, 'fill-opacity', on ? 1 : 0);
    });
    this.active = layerId;
    this._outlines();
    if (values) { this._setValues(layerId, values); }
    gl.setPaintProperty(`${layerId}-vlak`, 'fill-color', fillColour({ legend, field, values }));
    return drawn() !== before;       // true: a new frame is on its way
  }

  _setValues(layerId, values) {
    const previous = this.states[layerId] || {};
    const target = { source: layerId, sourceLayer: layerId };
    Object.keys(previous).forEach((id) => {
      if (!(id in values)) { this.gl.setFeatureState({ ...target, id }, { v: null }); }
    });
    Object.entries(values).forEach(([id, v]) => {
      if (previous[id] !== v) { this.gl.setFeatureState({ ...target, id }, { v: v === undefined ? null : v }); }
    });
    this.states[layerId] = { ...values };
  }

  /** The feature of a layer carrying a flag, or undefined. */
  flagged(layerId, name) { return this.flags[`${layerId}|${name}`]; }

  /** Set a boolean feature state ("hover", "selected") on one feature of a layer (null: none). */
  flag(layerId, name, id) {
    const key = `${layerId}|${name}`;
    const old = this.flags[key];
    if (old === id) { return; }
    if (old !== undefined && old !== null) {
      this.gl.setFeatureState({ source: layerId, sourceLayer: layerId, id: old }, { [name]: false });
    }
    this.flags[key] = id;
    if (id !== undefined && id !== null) {
      this.gl.setFeatureState({ source: layerId, sourceLayer: layerId, id }, { [name]: true });
    }
  }

  /** Show or hide the outlines of a finer layer (the active level's own outlines always show). */
  setLayerShown(layerId, shown) {
    this.hidden = this.hidden || new Set();
    if (shown) { this.hidden.delete(layerId); } else { this.hidden.add(layerId); }
    this._outlines();
  }

  /**
   * After the first map: the outlines of the finer levels too (unless switched off), and the fills
   * of the layers of the top level's areas (one per sector), transparent: their tiles load now and
   * stay, so that a change of sector only recolours (in MapLibre a change of a layer's visibility
   * reloads its source's tiles, a change of its paint does not).
   */
  showOutlines() {
    this.outlinesReady = true;
    this._outlines();
    this.alike.forEach((id) => this.gl.setLayoutProperty(`${id}-vlak`, 'visibility', 'visible'));
  }

  /** Whether a layer's fill stays on the map (transparent) while another one is coloured. */
  _kept(layer) { return layer === this.top || (this.outlinesReady && this.alike.has(layer.id)); }

  _outlines() {
    (this.lined || []).forEach((layer) => {
      const own = layer.id === this.active || layer === this.top;
      const shown = own || (this.outlinesReady && !(this.hidden && this.hidden.has(layer.id)));
      this.gl.setLayoutProperty(`${layer.id}-rand`, 'visibility', shown ? 'visible' : 'none');
      ['accent', 'hover'].forEach((kind) => this.gl.setLayoutProperty(`${layer.id}-${kind}`, 'visibility', own ? 'visible' : 'none'));
    });
  }

  /**
   * Resolves once what was asked has been drawn: every tile loaded and the frame rendered. A change
   * of paint, layout or feature state schedules a frame, after which MapLibre fires "idle"; when
   * nothing changed (`changed` false) and everything is loaded, the map on screen is already it.
   */
  whenDrawn(changed = true) {
    return new Promise((resolve) => {
      if (!changed && this.gl.loaded()) { requestAnimationFrame(() => resolve()); return; }
      this.gl.once('idle', () => requestAnimationFrame(() => resolve()));
      this.gl.triggerRepaint();
    });
  }

  /** Resolves when the map has stopped moving and what it shows is drawn. */
  async settled() {
    if (this.moving) { await new Promise((resolve) => this.waiting.push(resolve)); }
    await new Promise((resolve) => requestAnimationFrame(resolve));
    await this.whenDrawn();
  }

  // ---------------------------------------------------------------- what is where

  /**
   * The features drawn at latlng: `top` (the top level's, always), `own` (the coloured layer's: the
   * top's, a layer of the same areas, or a finer level's) and `fine` (a finer level's, or null).
   */
  featureAt(latlng) {
    const gl = this.gl;
    if (!gl || !gl.isStyleLoaded() || this.zooming) { return null; }
    const p = gl.project([latlng.lng, latlng.lat]);
    const one = (layerId) => {
      const hits = gl.queryRenderedFeatures([p.x, p.y], { layers: [`${layerId}-vlak`] });
      if (!hits.length) { return null; }
      const f = hits[0];
      const layer = this.layers.find((l) => l.id === layerId);
      return { layerId, id: f.properties[layer.id_field] ?? f.id, props: f.properties };
    };
    const top = one(this.top.id);
    const own = this.active === this.top.id ? top : one(this.active);
    const fine = this.finer.some((l) => l.id === this.active) ? own : null;
    return top || own ? { top, own, fine } : null;
  }

  /** Pixel position of a lon/lat in the page (for tests and the hover box). */
  pagePoint(lng, lat) {
    const p = this.leaflet.latLngToContainerPoint([lat, lng]);
    const r = this.leaflet.getContainer().getBoundingClientRect();
    return [r.left + p.x, r.top + p.y];
  }
}
