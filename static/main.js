/**
 * Wonen en Zorg 2040 - the viewer's start and wiring: reads the catalog, restores the state from the
 * URL, draws the first choropleth as early as it can, then loads names, locations, the region
 * overview and the gemeente panel, and keeps map, controls, panel and URL in step.
 *
 * For tests and the console: window.wzViewer {map (Leaflet), gl (MapLibre), state, ...};
 * body[data-ready="1"] when everything is loaded, body[data-drawn] names what is on screen.
 * Performance marks (docs/viewer-api.md, item 8): "wz:first-choropleth" and "wz:redraw".
 */

/* global L, maplibregl */

import { api } from './api.js';
import { MapView } from './map.js';
import { Controls, choroplethTitle, legendHtml, levelTitle, locationsLegendHtml, scenarioText, sectorName } from './controls.js';
import { Panel, areaPopupHtml } from './panel.js';
import { Search } from './search.js';
import { Locations } from './locations.js';
import { setupLayout } from './layout.js';
import { findIndicator, findSector, fromHash, layerIdOf, layerIdsOf, resolve, state, subscribe, update, writeUrl } from './state.js';
import { byName, classify, esc, formatValue, isMissing } from './format.js';

const $ = (id) => document.getElementById(id);

const TXT = {
  loadError: 'De kaart kon niet worden geladen. Vernieuw de pagina; lukt het dan nog niet, '
    + 'neem contact op met de beheerder van deze kaart.',
  libError: 'De kaartonderdelen (Leaflet en MapLibre) zijn niet gevonden op de server. '
    + 'Neem contact op met de beheerder van deze kaart.',
  noWebGL: 'Deze browser kan de kaart niet tekenen: WebGL staat uit of ontbreekt. Probeer een '
    + 'recente Chrome, Edge of Firefox, of vraag uw IT-afdeling om WebGL (hardwareversnelling) aan te zetten.',
  labels: 'Namen van gemeenten',
};

const app = {
  catalog: null, layers: {}, gemLayer: null, topLayers: new Set(), pointLayer: null, mapView: null, controls: null, panel: null,
  search: null, locations: null, gemeenten: {}, labelGroup: null, facts: {}, current: null,
  shown: { labels: true, outlines: true, points: true }, drawSeq: 0, changeSeq: 0, popup: null,
};
window.wzViewer = app;

function showMessage(text) {
  const box = $('message');
  box.textContent = text;
  box.hidden = false;
}

/** "wijk" -> "Wijk" (level keys are Dutch nouns) */
function capital(text) { return String(text).charAt(0).toUpperCase() + String(text).slice(1); }

/** What the forecast answers depend on: the sector, the year and the scenario pair. */
function scenario(s = state) { return { sector: s.sector, jaar: s.jaar, vraag: s.vraag, levering: s.levering }; }

function webglAvailable() {
  try {
    const canvas = document.createElement('canvas');
    return !!(canvas.getContext('webgl2') || canvas.getContext('webgl'));
  } catch (err) { return false; }
}

/** The polygon layers the themes draw (a sector's indicator: the layer of every sector), in the
 * catalog's order (the first is the top level, the gemeenten). */
function themeLayerIds(catalog) {
  const used = new Set();
  catalog.themes.forEach((t) => t.indicators.forEach((i) => Object.values(i.levels).forEach((w) => {
    layerIdsOf(catalog, w).forEach((id) => used.add(id));
  })));
  return catalog.layers.filter((l) => used.has(l.id) && l.geometry_type === 'polygon').map((l) => l.id);
}

/** The layers of the top level's areas: every layer drawn at a level where the top layer is drawn
 * (the gemeenten, and per sector its layer of the gemeenten' figures). */
function topLevelLayerIds(catalog, topId) {
  const levels = new Set();
  const each = (fn) => catalog.themes.forEach((t) => t.indicators.forEach((i) => Object.entries(i.levels).forEach(fn)));
  each(([level, w]) => { if (layerIdsOf(catalog, w).includes(topId)) { levels.add(level); } });
  const ids = new Set([topId]);
  each(([level, w]) => { if (levels.has(level)) { layerIdsOf(catalog, w).forEach((id) => ids.add(id)); } });
  return ids;
}

/** Whether a layer shows the top level's own areas (a gemeente is hovered and clicked there). */
function atTop(layer) { return !!layer && app.topLayers.has(layer.id); }

// ------------------------------------------------------------------ the choropleth

/** What the state asks the map to show: indicator, its layer (for a sector's indicator: the active
 * sector's layer), field and legend. */
function wanted() {
  const ind = findIndicator(app.catalog, state.theme, state.indicator);
  const where = ind.levels[state.level];
  const sector = findSector(app.catalog, state.sector);
  const layer = app.layers[layerIdOf(where, state.sector)] || (sector && app.layers[sector.layer]);
  const legend = layer.legend.indicators.find((i) => i.field === where.field);
  return { ind, where, layer, legend, forecast: ind.forecast && atTop(layer) ? ind.forecast : null };
}

/** Draw the choropleth of the state; resolves true when drawn, false when overtaken by a newer one. */
async function drawChoropleth() {
  const seq = ++app.drawSeq;
  const w = wanted();
  let values = null;
  if (w.forecast) {
    const p = await api.prognose(scenario());
    if (seq !== app.drawSeq) { return false; }
    values = {};
    Object.entries(p.gemeenten).forEach(([code, m]) => { values[code] = m[w.forecast]; });
  }
  const changed = app.mapView.setChoropleth({ layerId: w.layer.id, field: w.where.field, legend: w.legend, values });
  app.current = { ...w, values, key: drawnKey() };
  renderLegend();
  await app.mapView.whenDrawn(changed);
  return seq === app.drawSeq;
}

function drawnKey() {
  return [state.theme, state.indicator, state.level, state.jaar, state.vraag, state.levering, state.sector].join('|');
}

function renderLegend() {
  const { ind, legend, layer } = app.current;
  const toggles = [];
  if (app.labelGroup) {
    toggles.push({ id: 'labels', label: TXT.labels, on: app.shown.labels });
  }
  app.mapView.finer.forEach((l) => {
    toggles.push({ id: 'outlines', label: `Grenzen van ${l.title.toLowerCase()}`, on: app.shown.outlines });
  });
  if (app.pointLayer) { toggles.push({ id: 'points', label: app.pointLayer.title, on: app.shown.points }); }
  $('legend-body').innerHTML = legendHtml({ catalog: app.catalog, ind, legend, level: state.level });
  $('lagen').innerHTML = '<h2>Op de kaart</h2><div class="wz-toggles">'
    + toggles.map((t) => `<label class="wz-toggle"><input type="checkbox" id="toggle-${t.id}" data-toggle="${t.id}"${t.on ? ' checked' : ''}>`
      + `<span>${esc(t.label)}</span></label>`).join('') + '</div>'
    + (app.locations ? `<div class="wz-points-legend${app.shown.points ? '' : ' wz-off'}">${locationsLegendHtml(app.locations)}</div>` : '');
  $('legend-body').dataset.field = legend.field;
  $('legend-body').dataset.layer = layer.id;
  updatePrintTitle();
}

function onToggle(ev) {
  const id = ev.target.dataset && ev.target.dataset.toggle;
  if (!id) { return; }
  const on = ev.target.checked;
  app.shown[id] = on;
  if (id === 'labels' && app.labelGroup) {
    if (on) { app.labelGroup.addTo(app.mapView.leaflet); } else { app.mapView.leaflet.removeLayer(app.labelGroup); }
  } else if (id === 'outlines') {
    app.mapView.finer.forEach((l) => app.mapView.setLayerShown(l.id, on));
  } else if (id === 'points' && app.locations) {
    app.locations.setShown(on);
    const part = document.querySelector('.wz-points-legend');
    if (part) { part.classList.toggle('wz-off', !on); }
  }
}

// ------------------------------------------------------------------ hover and click

function valueText(layer, legend, id, props) {
  const values = app.current.values;
  const v = values && layer === app.current.layer ? values[id] : props[legend.field];
  if (isMissing(v)) { return 'geen gegevens'; }
  if (legend.kind === 'categories') { return classify(legend, v).label; }
  const field = byName(layer.fields)[legend.field] || { type: 'float', decimals: 0, unit: legend.unit };
  return formatValue(v, field);
}

function onHover(arg) {
  const box = $('hoverbox');
  const hit = arg && arg.hit;
  const cur = app.current;
  if (!hit || !cur) {
    app.mapView.lined.forEach((l) => app.mapView.flag(l.id, 'hover', null));
    box.hidden = true;
    return;
  }
  const top = atTop(cur.layer);
  // the top level's areas: their outline is the top layer's (a sector's layer has no outlines of its own)
  const feature = top ? hit.own || hit.top : hit.fine;
  const outlined = top ? app.gemLayer : cur.layer;
  app.mapView.lined.forEach((l) => app.mapView.flag(l.id, 'hover', feature && l === outlined ? feature.id : null));
  if (!feature) { box.hidden = true; return; }
  const name = feature.props[cur.layer.label_field] || (hit.top && hit.top.props[app.gemLayer.label_field]) || feature.id;
  const inGemeente = !top && hit.top ? hit.top.props[app.gemLayer.label_field] : '';
  const cls = classify(cur.legend, app.current.values ? app.current.values[feature.id] : feature.props[cur.legend.field]);
  box.innerHTML = `<strong>${esc(name)}</strong>${inGemeente ? `<span class="wz-muted-row">${esc(capital(state.level))} in ${esc(inGemeente)}</span>` : ''}`
    + `<span class="wz-info-row"><span class="wz-swatch wz-swatch-sm" style="background:${esc(cls.color)}"></span>`
    + `${esc(choroplethTitle(app.catalog, cur.ind, cur.legend))}: <b data-hover-value>${esc(valueText(cur.layer, cur.legend, feature.id, feature.props))}</b></span>`;
  box.dataset.id = feature.id;
  box.hidden = false;
}

function onMapClick({ latlng, hit }) {
  if (!hit) { return; }
  const cur = app.current;
  if (hit.top) { selectGemeente(hit.top.id); }
  if (!atTop(cur.layer) && hit.fine) {
    const layer = cur.layer;
    const id = hit.fine.id;
    app.popup = L.popup({ maxWidth: 420, minWidth: 300, className: 'wz-leaflet-popup', autoPanPadding: [24, 24] })
      .setLatLng(latlng)
      .setContent(areaPopupHtml(layer, hit.fine.props, `${capital(state.level)}${hit.top ? ' in ' + hit.top.props[app.gemLayer.label_field] : ''}`))
      .openOn(app.mapView.leaflet);          // (closing the previous popup clears its outline first)
    app.mapView.flag(layer.id, 'selected', id);
    app.popup.once('remove', () => {
      if (app.mapView.flagged(layer.id, 'selected') === id) { app.mapView.flag(layer.id, 'selected', null); }
    });
  }
}

// ------------------------------------------------------------------ gemeente and region

/** The layer a level's areas are drawn on ("wijk" -> "wijken"), from the catalog's themes. */
function levelLayer(level) {
  for (const t of app.catalog.themes) {
    for (const i of t.indicators) { if (i.levels[level]) { return layerIdOf(i.levels[level], state.sector); } }
  }
  return null;
}

function selectGemeente(code, { fly = false, focus = false } = {}) {
  // another gemeente: no wijk stays outlined
  app.mapView.finer.forEach((l) => app.mapView.flag(l.id, 'selected', null));
  update({ gemeente: code || null });
  const g = code && app.gemeenten[code];
  if (fly && g && g.bbox) { app.mapView.fitBbox(g.bbox, true); }
  app.focusPanel = !!(focus && code);   // the heading takes the focus once the panel is drawn
}

/** A gemeente's facts in the active sector (its indicators, series; fetched once per sector). */
async function factsOf(code) {
  const key = `${code}|${state.sector}`;
  if (!app.facts[key]) {
    app.facts[key] = api.gemeente(code, scenario()).catch((err) => { delete app.facts[key]; throw err; });
  }
  return app.facts[key];
}

/** The region overview and the gemeente panel for the state's sector, year and scenario. */
async function renderFigures() {
  const s = { ...state };
  const p = await api.prognose(scenario(s));
  if (drawnScenario(s) !== drawnScenario(state)) { return false; }
  app.panel.renderOverview(p, state);
  app.mapView.flag(app.gemLayer.id, 'selected', state.gemeente);
  if (!state.gemeente) { app.panel.hide(); return true; }
  if (!p.gemeenten[state.gemeente]) { update({ gemeente: null }); return true; }
  if (!app.panel.facts || app.panel.facts.gemeentecode !== state.gemeente) {
    app.panel.showLoading(app.gemeenten[state.gemeente] && app.gemeenten[state.gemeente].gemeentenaam);
  }
  const facts = await factsOf(state.gemeente);
  if (facts.gemeentecode !== state.gemeente || drawnScenario(s) !== drawnScenario(state)) { return false; }
  if (facts.sector !== undefined && state.sector !== null && String(facts.sector) !== String(state.sector)) { return false; }
  app.panel.render(facts, p, state);
  if (app.focusPanel) {
    app.focusPanel = false;
    $('gemeente-naam').focus();
  }
  return true;
}

function drawnScenario(s) { return [s.sector, s.jaar, s.vraag, s.levering, s.gemeente].join('|'); }

function updatePrintTitle() {
  if (!app.current) { return; }
  const { ind, legend } = app.current;
  const g = state.gemeente && app.gemeenten[state.gemeente];
  const sector = ind.per_sector ? findSector(app.catalog, state.sector) : null;
  $('print-title').textContent = `${choroplethTitle(app.catalog, ind, legend)} (${levelTitle(app.catalog, state.level).toLowerCase()})`
    + (sector ? ' \u2013 ' + (sector.label || sectorName(sector)) : '')
    + (ind.forecast ? ' \u2013 ' + scenarioText(app.catalog, state, { long: true }) : '')
    + (g ? ' \u2013 geselecteerd: ' + g.gemeentenaam : '');
}

// ------------------------------------------------------------------ changes

function onChange(keys) {
  const has = (...names) => names.some((k) => keys.includes(k));
  app.controls.sync();
  writeUrl();
  if (has('gemeente')) { updatePrintTitle(); }
  const jobs = [];
  // a sector change redraws the map where it shows a sector's indicator (another layer)
  const sectorMap = has('sector') && app.current && app.current.ind.per_sector;
  const drawing = has('theme', 'indicator', 'level') || sectorMap
    || (has('jaar', 'vraag', 'levering') && app.current && app.current.forecast);
  if (has('theme', 'indicator', 'level') || sectorMap) { onHover(null); if (app.popup) { app.mapView.leaflet.closePopup(); } }
  if (drawing) { jobs.push(drawChoropleth()); }
  if (has('sector', 'jaar', 'vraag', 'levering', 'gemeente')) { jobs.push(renderFigures()); }
  if (has('sector', 'jaar', 'vraag', 'levering')) { renderLegend(); }
  if (!jobs.length) { return; }
  const seq = ++app.changeSeq;
  Promise.all(jobs).then((done) => {
    if (seq !== app.changeSeq || done.includes(false)) { return; }
    document.body.dataset.drawn = drawnKey();
    document.body.dataset.gemeente = state.gemeente || '';
    if (has('sector', 'theme', 'indicator', 'level', 'jaar', 'vraag', 'levering')) { performance.mark('wz:redraw'); }
  }).catch((err) => console.warn('bijwerken mislukt', err));
}

// ------------------------------------------------------------------ start

function buildLabels(list) {
  app.labelGroup = L.layerGroup();
  list.forEach((g) => {
    if (!g.label_point) { return; }
    L.marker([g.label_point[1], g.label_point[0]], {
      icon: L.divIcon({ className: 'wz-label', html: `<span>${esc(g.gemeentenaam)}</span>`, iconSize: null }),
      interactive: false, keyboard: false, pane: 'wzLabels',
    }).addTo(app.labelGroup);
  });
  if (app.shown.labels) { app.labelGroup.addTo(app.mapView.leaflet); }
}

function renderDownloads(catalog) {
  const items = (catalog.downloads || []).map((d) => `<li><a href="/downloads/${encodeURIComponent(d.file)}" download>${esc(d.title)}</a></li>`).join('');
  $('downloads').innerHTML = items ? `<h2>Downloads</h2><p class="wz-sub">De openbare tabellen en de kaartlagen van deze kaart.</p><ul class="wz-downloads">${items}</ul>` : '';
}

async function loadRest() {
  const { catalog } = app;
  const names = api.gemeenten().then((list) => {
    list.forEach((g) => { app.gemeenten[g.gemeentecode] = g; });
    app.panel.setNames(Object.fromEntries(list.map((g) => [g.gemeentecode, g.gemeentenaam])));
    buildLabels(list);
    if (state.gemeente && !state.view && app.gemeenten[state.gemeente]) { app.mapView.fitBbox(app.gemeenten[state.gemeente].bbox, false); }
  });
  const figures = names.then(() => renderFigures());
  const search = api.gebieden().then((areas) => app.search.setAreas(areas)).catch((err) => {
    $('zoek').placeholder = 'Zoeken is nu niet beschikbaar';
    throw err;
  });
  const points = app.pointLayer ? api.features(app.pointLayer.id).then((features) => {
    app.locations = new Locations(app.mapView, app.pointLayer);
    app.locations.setFeatures(features);
    app.locations.setShown(app.shown.points);
  }) : Promise.resolve();
  const results = await Promise.allSettled([names, figures, search, points]);
  results.filter((r) => r.status === 'rejected').forEach((r) => console.warn('niet geladen:', r.reason && r.reason.message));
  renderLegend();
  document.body.dataset.drawn = drawnKey();
  document.body.dataset.gemeente = state.gemeente || '';
  document.body.dataset.ready = '1';
}

async function main() {
  setupLayout(() => app.mapView);
  if (!window.L || !window.maplibregl || !L.maplibreGL) { showMessage(TXT.libError); return; }
  if (!webglAvailable()) { showMessage(TXT.noWebGL); document.body.dataset.error = 'webgl'; return; }
  maplibregl.prewarm();            // start the tile worker while the catalog is on its way
  let catalog;
  try {
    catalog = await api.catalog();
  } catch (err) {
    console.error(err);
    showMessage(TXT.loadError);
    document.body.dataset.error = String(err && err.message);
    return;
  }
  catalog.layers = catalog.layers.filter((l) => l.in_viewer !== false);
  app.catalog = catalog;
  catalog.layers.forEach((l) => { app.layers[l.id] = l; });
  const ids = themeLayerIds(catalog);
  app.gemLayer = app.layers[ids[0]];
  app.topLayers = topLevelLayerIds(catalog, ids[0]);
  app.pointLayer = catalog.layers.find((l) => l.geometry_type === 'point') || null;
  const title = catalog.title + (catalog.region ? ' \u2013 ' + catalog.region : '');
  $('title').textContent = title;
  document.title = title;

  Object.assign(state, resolve(catalog, fromHash(location.hash)));
  app.controls = new Controls(catalog);
  app.controls.sync();
  app.panel = new Panel(catalog, app.gemLayer, app.layers, { onSelect: selectGemeente, onHover: (code) => app.mapView.flag(app.gemLayer.id, 'hover', code) });
  app.search = new Search($('zoek'), $('zoek-lijst'), (area) => {
    if (area.bbox) { app.mapView.fitBbox(area.bbox, true); }
    selectGemeente(area.gemeentecode || area.code, { focus: true });
    // a wijk found while the wijken are on the map: outlined there
    const layerId = levelLayer(area.niveau);
    if (layerId && !app.topLayers.has(layerId) && app.current && app.current.layer.id === layerId) {
      app.mapView.flag(layerId, 'selected', area.code);
    }
  });
  renderDownloads(catalog);

  const first = wanted();
  if (first.forecast) { api.prognose(scenario()); }         // on its way while the map starts
  app.mapView = new MapView($('map'), catalog, ids,
    { layerId: first.layer.id, field: first.where.field, legend: first.legend, values: !!first.forecast },
    [...app.topLayers]);
  app.map = app.mapView.leaflet;
  app.gl = app.mapView.gl;
  app.state = state;
  if (state.view) { app.mapView.setView(state.view); }
  app.mapView.on('hover', onHover);
  app.mapView.on('click', onMapClick);
  app.mapView.leaflet.on('moveend', () => update({ view: app.mapView.getView() }));
  $('lagen').addEventListener('change', onToggle);
  try {
    await app.mapView.styleReady;
    await drawChoropleth();
  } catch (err) {
    console.error(err);
    showMessage(TXT.loadError);
    document.body.dataset.error = String(err && err.message);
    return;
  }
  performance.mark('wz:first-choropleth');
  document.body.dataset.firstChoropleth = '1';
  app.mapView.showOutlines();
  state.view = app.mapView.getView();
  writeUrl();
  subscribe(onChange);
  await loadRest();
}

main();
