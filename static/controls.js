/**
 * The controls (sector, theme, indicator, level, year with a play button, demand and leveringsvorm
 * scenario) and the legend, all built from the catalog. They change the state; they never draw.
 */

import { classify, esc, fold, formatNumber } from './format.js';
import { SECTOR_SLOT, findSector, layerIdOf, sectorsOf, state, update } from './state.js';
import { symbolSvg } from './locations.js';

const $ = (id) => document.getElementById(id);

function capital(text) { return String(text).charAt(0).toUpperCase() + String(text).slice(1); }

/** The title of a level: the title of the layer its indicators are drawn on ("Gemeenten"); a layer
 * that is the same for every sector before one of a sector. */
export function levelTitle(catalog, level) {
  const first = findSector(catalog, null);
  for (const bySector of [false, true]) {
    for (const t of catalog.themes) {
      for (const i of t.indicators) {
        const where = i.levels[level];
        if (!where || String(where.layer).includes(SECTOR_SLOT) !== bySector) { continue; }
        const id = layerIdOf(where, first && first.id);
        const layer = catalog.layers.find((l) => l.id === id);
        if (layer) { return layer.title; }
      }
    }
  }
  return level;
}

/** A sector's name as a reader sees it: "gehandicaptenzorg (GZ)" (`capitalised`: "Gehandicaptenzorg (GZ)"). */
export function sectorName(sector, { capitalised = false } = {}) {
  if (!sector) { return ''; }
  const short = sector.short || sector.code || sector.id;
  const label = sector.label || short;
  const text = fold(label) === fold(short) ? label : `${label} (${short})`;
  return capitalised ? capital(text) : text;
}

/** The sector's explanation, opening with its full name ("Gehandicaptenzorg: mensen met ..."). */
export function sectorExplanation(sector) {
  if (!sector) { return ''; }
  const uitleg = (sector.texts && sector.texts.explanation) || '';
  if (uitleg && fold(uitleg).startsWith(fold(sector.label || ''))) { return uitleg; }
  return sectorName(sector, { capitalised: true }) + (uitleg ? ': ' + uitleg : '');
}

/**
 * The title of a choropleth: the indicator's, or for an indicator of a sector the title of that
 * sector's legend ("Tekort aan plaatsen GZ 2040"), with the chosen year for one that follows the years.
 */
export function choroplethTitle(catalog, ind, legend, s = state) {
  if (!ind.per_sector || !legend || !legend.title) { return ind.title; }
  const target = String(catalog.forecast.target_year);
  return ind.forecast ? legend.title.split(target).join(String(s.jaar)) : legend.title;
}
const PLAY_STEP_MS = 900;          // time a year stays on screen while playing

/** Short text of the chosen year and scenarios ("2035 · zorgvraag midden · leveringsvorm scenario 2"). */
export function scenarioText(catalog, s, { long = false } = {}) {
  const fc = catalog.forecast;
  const vraag = fc.demand_scenarios.find((d) => String(d.id) === String(s.vraag));
  const lev = fc.leveringsvorm_scenarios.find((d) => String(d.id) === String(s.levering));
  const parts = [String(s.jaar), `zorgvraag ${vraag ? vraag.label : s.vraag}`,
    `leveringsvorm ${lev ? lev.label : s.levering}${long && lev && lev.uitleg ? ' (' + lev.uitleg + ')' : ''}`];
  return parts.join(' \u00b7 ');
}

function option(value, text, title) {
  const o = document.createElement('option');
  o.value = String(value);
  o.textContent = text;
  if (title) { o.title = title; }
  return o;
}

function radios(container, name, items, onChange) {
  container.querySelectorAll('.wz-seg-item').forEach((el) => el.remove());
  items.forEach((item) => {
    const label = document.createElement('label');
    label.className = 'wz-seg-item';
    if (item.title) { label.title = item.title; }
    const input = document.createElement('input');
    if (item.aria) { input.setAttribute('aria-label', item.aria); }
    input.type = 'radio';
    input.name = name;
    input.value = String(item.id);
    input.id = `${name}-${item.id}`;
    input.addEventListener('change', () => { if (input.checked) { onChange(item.id); } });
    const span = document.createElement('span');
    span.textContent = item.label;
    label.append(input, span);
    container.appendChild(label);
  });
}

export class Controls {
  constructor(catalog) {
    this.catalog = catalog;
    this.fc = catalog.forecast;
    this.playing = null;
    this.build();
  }

  build() {
    const { catalog, fc } = this;
    // the sector switch: one segment per sector of the catalog, its short name; the full name as
    // tooltip and for screen readers, the chosen one's explanation below
    const sectors = sectorsOf(catalog);
    radios($('sector'), 'sector', sectors.map((s) => ({
      id: s.id, label: s.short || s.code || s.id, title: sectorName(s, { capitalised: true }),
      aria: sectorName(s, { capitalised: true }),
    })), (id) => update({ sector: id }));
    $('sector').hidden = sectors.length < 2;
    const thema = $('thema');
    thema.replaceChildren(...catalog.themes.map((t) => option(t.id, t.title)));
    thema.addEventListener('change', () => {
      const theme = catalog.themes.find((t) => t.id === thema.value);
      const ind = theme.indicators[0];
      update({ theme: theme.id, indicator: ind.id, level: this.levelFor(ind) });
    });
    $('indicator').addEventListener('change', () => {
      const theme = catalog.themes.find((t) => t.id === state.theme);
      const ind = theme.indicators.find((i) => i.id === $('indicator').value);
      update({ indicator: ind.id, level: this.levelFor(ind) });
    });

    const levels = [];
    catalog.themes.forEach((t) => t.indicators.forEach((i) => Object.keys(i.levels).forEach((lv) => {
      if (!levels.includes(lv)) { levels.push(lv); }
    })));
    radios($('niveau'), 'niveau', levels.map((lv) => ({ id: lv, label: levelTitle(catalog, lv) })),
      (lv) => update({ level: lv }));

    const jaar = $('jaar');
    jaar.min = '0';
    jaar.max = String(fc.years.length - 1);
    jaar.step = '1';
    jaar.addEventListener('input', () => { update({ jaar: fc.years[Number(jaar.value)] }); });
    $('jaar-min').textContent = String(fc.years[0]);
    $('jaar-max').textContent = String(fc.years[fc.years.length - 1]);
    $('afspelen').addEventListener('click', () => (this.playing ? this.stop() : this.play()));

    radios($('vraag'), 'vraag', fc.demand_scenarios.map((d) => ({ id: d.id, label: d.label, title: d.uitleg })),
      (id) => update({ vraag: id }));
    // four segments of the scenario's number; the chosen one's explanation below them
    radios($('levering'), 'levering', fc.leveringsvorm_scenarios.map((d) => ({
      id: d.id, label: String(d.id), title: `${d.label}: ${d.uitleg}`, aria: `${d.label}: ${d.uitleg}`,
    })), (id) => update({ levering: id }));
    [thema, $('indicator'), jaar].forEach((el) => { el.disabled = false; });
  }

  /** The level to keep when the indicator changes: the current one where the indicator has it. */
  levelFor(ind) {
    const levels = Object.keys(ind.levels);
    return levels.includes(state.level) ? state.level : levels[0];
  }

  /** Show the state in the controls. */
  sync() {
    const { catalog, fc } = this;
    const theme = catalog.themes.find((t) => t.id === state.theme);
    $('thema').value = theme.id;
    const indicator = $('indicator');
    if (indicator.dataset.theme !== theme.id) {
      indicator.replaceChildren(...theme.indicators.map((i) => option(i.id, i.title)));
      indicator.dataset.theme = theme.id;
    }
    indicator.value = state.indicator;
    const ind = theme.indicators.find((i) => i.id === state.indicator);
    const sector = findSector(catalog, state.sector);
    document.querySelectorAll('#sector input').forEach((input) => { input.checked = input.value === String(state.sector); });
    $('sector-uitleg').textContent = sectorExplanation(sector);
    $('sector-noot').textContent = sector && sectorsOf(catalog).length > 1 && !ind.per_sector
      ? 'Deze kaart is voor elke sector gelijk; de prognose en de cijfers per gemeente volgen de sector.' : '';
    $('scenario-kop').textContent = sector ? `Prognose ${sector.short || sector.code || sector.id}: jaar en scenario` : 'Prognose: jaar en scenario';
    document.querySelectorAll('#niveau input').forEach((input) => {
      const has = input.value in ind.levels;
      input.disabled = !has;
      input.checked = input.value === state.level;
      input.parentElement.title = has ? '' : 'Deze indicator is er alleen per ' + Object.keys(ind.levels).join(' en ');
    });
    $('niveau-noot').textContent = Object.keys(ind.levels).length < 2
      ? `Alleen per ${Object.keys(ind.levels)[0]}` : '';
    const k = fc.years.indexOf(state.jaar);
    $('jaar').value = String(k);
    $('jaar').setAttribute('aria-valuetext', String(state.jaar));
    $('jaar-tekst').textContent = String(state.jaar);
    document.querySelectorAll('#vraag input').forEach((input) => { input.checked = input.value === String(state.vraag); });
    document.querySelectorAll('#levering input').forEach((input) => { input.checked = input.value === String(state.levering); });
    const lev = fc.leveringsvorm_scenarios.find((d) => String(d.id) === String(state.levering));
    $('levering-uitleg').textContent = lev ? `${lev.label.charAt(0).toUpperCase()}${lev.label.slice(1)}: ${lev.uitleg}` : '';
    const vr = fc.demand_scenarios.find((d) => String(d.id) === String(state.vraag));
    $('vraag-uitleg').textContent = vr ? `${vr.label.charAt(0).toUpperCase()}${vr.label.slice(1)}: ${vr.uitleg}` : '';
    // the forecast controls say whether the map follows them
    $('scenario-noot').textContent = ind.forecast
      ? 'De kaart, de grafieken en de cijfers volgen jaar en scenario.'
      : 'Deze kaart hangt niet af van jaar en scenario; de grafieken en cijfers wel.';
  }

  play() {
    const years = this.fc.years;
    const button = $('afspelen');
    button.setAttribute('aria-pressed', 'true');
    button.textContent = '\u275a\u275a';
    button.setAttribute('aria-label', 'Pauzeren');
    button.title = 'Pauzeren';
    let k = years.indexOf(state.jaar);
    if (k < 0 || k >= years.length - 1) { k = -1; }       // from the start when at the end
    const step = () => {
      k += 1;
      update({ jaar: years[k] });
      if (k >= years.length - 1) { this.stop(); return; }
      this.playing = setTimeout(step, PLAY_STEP_MS);
    };
    this.playing = setTimeout(step, 0);
  }

  stop() {
    clearTimeout(this.playing);
    this.playing = null;
    const button = $('afspelen');
    button.setAttribute('aria-pressed', 'false');
    button.textContent = '\u25b6';
    button.setAttribute('aria-label', 'Afspelen: de jaren een voor een');
    button.title = 'Afspelen: de jaren een voor een';
  }
}

// ------------------------------------------------------------------ legend

function leeswijzerHtml(lw) {
  if (!lw) { return ''; }
  const meta = [];
  if (lw.bron) { meta.push(`<span><b>Bron:</b> ${esc(lw.bron)}</span>`); }
  if (lw.peildatum) { meta.push(`<span><b>Peildatum:</b> ${esc(lw.peildatum)}</span>`); }
  return '<div class="wz-leeswijzer">' + (lw.uitleg ? `<p>${esc(lw.uitleg)}</p>` : '')
    + (meta.length ? `<p class="wz-meta">${meta.join('')}</p>` : '') + '</div>';
}

/** The legend of the choropleth: title, classes (with their counts on the map), leeswijzer. */
export function legendHtml({ catalog, ind, legend, level, counts }) {
  const items = (legend.classes || []).concat(legend.no_data ? [legend.no_data] : []);
  const unit = legend.unit ? `<span class="wz-unit">in ${esc(legend.unit)}</span>` : '';
  const levelName = levelTitle(catalog, level).toLowerCase();
  const sector = ind.per_sector ? findSector(catalog, state.sector) : null;
  const kicker = sector ? `<p class="wz-kicker" data-sector="${esc(sector.id)}">${esc(sectorName(sector, { capitalised: true }))}</p>` : '';
  const sub = ind.forecast ? `<p class="wz-legend-sub" data-scenario>${esc(scenarioText(catalog, state))}</p>` : '';
  return `${kicker}<h2 class="wz-legend-title">${esc(choroplethTitle(catalog, ind, legend))} <span class="wz-unit">(${esc(levelName)})</span></h2>${unit}${sub}`
    + '<ul class="wz-classes">' + items.map((c) => {
      const nodata = c === legend.no_data;
      const n = counts ? counts.get(c) || 0 : null;
      return `<li${nodata ? ' class="wz-nodata"' : ''} data-color="${esc(c.color)}"><span class="wz-swatch" style="background:${esc(c.color)}"></span>`
        + `<span class="wz-class-label">${esc(c.label)}</span>${n !== null && n > 0 ? `<span class="wz-count" title="aantal ${esc(levelName)}">${n}</span>` : ''}</li>`;
    }).join('') + '</ul>' + leeswijzerHtml(legend.leeswijzer);
}

/** How many areas fall in each class (values: iterable of values). */
export function classCounts(legend, values) {
  const counts = new Map();
  for (const v of values) {
    const c = classify(legend, v);
    counts.set(c, (counts.get(c) || 0) + 1);
  }
  return counts;
}

/** The symbols of the point layer (shape and colour per category) and its sizes. */
export function locationsLegendHtml(locations) {
  if (!locations) { return ''; }
  const rows = locations.legendEntries().map((e) => `<li><span class="wz-locicon">${symbolSvg(e.shape, e.colour, 6)}</span>${esc(e.label)}</li>`).join('');
  const sizes = locations.sizeSteps().map((s) => `<span class="wz-size-item">${symbolSvg('circle', '#9aa3ad', s.r)}${esc(formatNumber(s.value))}${s.last ? ' of meer' : ''}</span>`).join('');
  const sizeField = locations.sizeField ? locations.fields[locations.sizeField] : null;
  return `<ul class="wz-classes wz-symbols">${rows}</ul>`
    + (sizeField ? `<p class="wz-size-title">Grootte: ${esc((sizeField.alias || '').toLowerCase())}</p><div class="wz-sizes">${sizes}</div>` : '');
}
