/**
 * The panel beside the map: a gemeente's figures (indicators beside the region's, forecast curve,
 * gap by group, extra places, downloads) and the region overview (the gap by group for every
 * gemeente, largest on top), both for the active sector. Sectors, their groups and texts, years and
 * scenarios come from the catalog and the API answers.
 */

import { forecastChart, groupLegend, stackedBars } from './charts.js';
import { byName, dutchList, esc, formatNumber, formatValue, isMissing } from './format.js';
import { scenarioText, sectorName } from './controls.js';
import { findSector, sectorsOf } from './state.js';

const CUES = {
  hoger: { glyph: '\u25b2', title: 'hoger dan de regio' },
  lager: { glyph: '\u25bc', title: 'lager dan de regio' },
  gelijk: { glyph: '=', title: 'gelijk aan de regio' },
};
const SUPPRESSED = '\u2013';       // shown for a figure the public table leaves empty

function cueHtml(cue) {
  const c = CUES[cue];
  return c ? `<span class="wz-cue wz-cue-${cue}" data-cue="${cue}" role="img" title="${c.title}" aria-label="${c.title}">${c.glyph}</span>` : '';
}

/** Compare as the user reads both numbers (rounded to the shown decimals). */
function compare(a, b, decimals) {
  if (isMissing(a) || isMissing(b)) { return null; }
  const x = Number(Number(a).toFixed(decimals)); const y = Number(Number(b).toFixed(decimals));
  return x > y ? 'hoger' : x < y ? 'lager' : 'gelijk';
}

function cell(text, cls = '') {
  return text === null || text === undefined
    ? `<td class="wz-value wz-nodata-text ${cls}">geen gegevens</td>` : `<td class="wz-value ${cls}">${esc(text)}</td>`;
}

export class Panel {
  /**
   * @param {object} gemLayer  the catalog layer of the gemeenten (its fields format the figures)
   * @param {object} layers    the catalog's layers by id (a sector's layer formats the sector's figures)
   */
  constructor(catalog, gemLayer, layers, { onSelect, onHover }) {
    this.catalog = catalog;
    this.fc = catalog.forecast;
    this.gemLayer = gemLayer;
    this.layers = layers;
    // group ids are unique over the sectors (geo/sectoren.toml)
    this.groupInfo = byName(sectorsOf(catalog).flatMap((s) => s.groups || []), 'id');
    this.use(null);
    this.onSelect = onSelect;
    this.onHover = onHover;
    this.names = {};
    this.el = document.getElementById('gemeente');
    this.overview = document.getElementById('overzicht');
    this.facts = null;
    this.wire();
  }

  setNames(names) { this.names = names; }

  /** Show the figures of this sector (its layer's fields beside the gemeenten's). */
  use(sectorId) {
    this.sector = findSector(this.catalog, sectorId);
    this.sectorLayer = this.sector ? this.layers[this.sector.layer] || null : null;
    this.ownFields = byName(this.gemLayer.fields);
    this.sectorFields = byName(this.sectorLayer ? this.sectorLayer.fields : []);
    this.fields = { ...this.ownFields, ...this.sectorFields };
  }

  /** The sector's short name for headings ("GZ"), or nothing without sectors. */
  short() { return this.sector ? ' ' + (this.sector.short || this.sector.code || this.sector.id) : ''; }

  groups(ids) {
    return ids.map((id) => this.groupInfo[id] || { id, label: id, color: '#9e9e9e' });
  }

  wire() {
    const rowOf = (ev) => ev.target.closest && ev.target.closest('.wz-bar-row[data-code]');
    this.overview.addEventListener('mouseover', (ev) => { const r = rowOf(ev); this.onHover(r ? r.dataset.code : null); });
    this.overview.addEventListener('mouseleave', () => this.onHover(null));
    this.overview.addEventListener('focusin', (ev) => { const r = rowOf(ev); if (r) { this.onHover(r.dataset.code); } });
    this.overview.addEventListener('focusout', () => this.onHover(null));
    this.overview.addEventListener('click', (ev) => { const r = rowOf(ev); if (r) { this.onSelect(r.dataset.code, { fly: true }); } });
    this.overview.addEventListener('keydown', (ev) => {
      const r = rowOf(ev);
      if (r && (ev.key === 'Enter' || ev.key === ' ')) { ev.preventDefault(); this.onSelect(r.dataset.code, { fly: true, focus: true }); }
    });
    this.el.addEventListener('click', (ev) => {
      if (ev.target.closest('[data-wz-action="sluiten"]')) { this.onSelect(null); }
    });
  }

  /** The label of a field for the chosen year: the catalog's alias with the target year replaced. */
  aliasFor(name, jaar) {
    const f = this.fields[name];
    const alias = f ? f.alias || name : name;
    return alias.split(String(this.catalog.target_year)).join(String(jaar));
  }

  // ---------------------------------------------------------------- region overview

  renderOverview(prognose, s) {
    this.use(s.sector);
    const groups = this.groups(prognose.groepen);
    const rows = Object.entries(prognose.gemeenten).map(([code, m]) => ({
      code, name: this.names[code] || code, values: m.tekort, total: m.tekort_totaal,
      label: formatNumber(m.tekort_totaal),
    })).sort((a, b) => (Number(b.total) || 0) - (Number(a.total) || 0) || a.name.localeCompare(b.name, 'nl'));
    const unit = (this.fields.tekort_totaal && this.fields.tekort_totaal.unit) || '';
    const regio = prognose.regio;
    this.overview.dataset.sector = this.sector ? this.sector.id : '';
    this.overview.innerHTML = (this.sector ? `<p class="wz-kicker">${esc(sectorName(this.sector, { capitalised: true }))}</p>` : '')
      + `<h2>Tekort aan plaatsen${esc(this.short())} per gemeente in ${esc(prognose.jaar)}</h2>`
      + `<p class="wz-sub">${esc(scenarioText(this.catalog, s))}</p>`
      + groupLegend(groups)
      + stackedBars(rows, groups, { selected: s.gemeente, unit, title: `Tekort${this.short()} per gemeente en groep in ${prognose.jaar}` })
      + `<p class="wz-region-total" data-total="${esc(regio.tekort_totaal)}">Hele regio${this.catalog.region ? ' (' + esc(this.catalog.region) + ')' : ''}: `
      + `<strong>${esc(formatNumber(regio.tekort_totaal))}</strong> ${esc(unit)}</p>`
      + '<p class="wz-note">Tekort: de verwachte vraag min de plaatsen van nu. Links van de nullijn: een overschot. '
      + 'Wijs een gemeente aan om haar op de kaart te zien; klik voor haar cijfers.</p>';
  }

  // ---------------------------------------------------------------- one gemeente

  showLoading(name) {
    this.el.hidden = false;
    this.el.innerHTML = `<div class="wz-panel-head"><h2>${esc(name || 'Gemeente')}</h2>${this.closeButton()}</div><p class="wz-muted">Cijfers worden geladen\u2026</p>`;
  }

  closeButton() {
    return '<button type="button" class="wz-close" data-wz-action="sluiten" aria-label="Gemeente sluiten, terug naar de regio" title="Terug naar de regio">\u00d7</button>';
  }

  hide() {
    this.facts = null;
    this.el.hidden = true;
    this.el.innerHTML = '';
  }

  /** Render a gemeente: `facts` from /api/gemeenten/{code}, the year-dependent figures from `prognose`. */
  render(facts, prognose, s) {
    this.use(s.sector);
    this.facts = facts;
    const code = facts.gemeentecode;
    const m = prognose.gemeenten[code];
    const regio = prognose.regio;
    const groups = this.groups(prognose.groepen);
    this.el.hidden = false;
    this.el.dataset.code = code;
    this.el.dataset.sector = this.sector ? this.sector.id : '';
    this.el.innerHTML = `<div class="wz-panel-head"><p class="wz-kicker">Gemeente${facts.regio ? ' in ' + esc(facts.regio) : ''}</p>`
      + `<h2 id="gemeente-naam" tabindex="-1">${esc(facts.gemeentenaam)}</h2>${this.closeButton()}</div>`
      + (this.sector ? `<p class="wz-panel-sector" data-sector="${esc(this.sector.id)}">${esc(sectorName(this.sector, { capitalised: true }))}</p>` : '')
      + `<p class="wz-sub" data-scenario>${esc(scenarioText(this.catalog, s, { long: true }))}</p>`
      // the gap first: the headline of the sessions
      + (m ? this.gapHtml(m, groups, prognose.jaar) : '')
      + this.forecastHtml(facts, m, regio, s)
      + (m ? this.extraHtml(m, groups, prognose.jaar, s) : '')
      + this.indicatorsHtml(facts, m)
      + this.downloadsHtml(facts);
  }

  /** The gemeente's figures of today: the gemeenten's (the same in every sector), then the sector's. */
  indicatorsHtml(facts, m) {
    // the single year-dependent figures are in the forecast part (its lists are per group)
    const skip = new Set(Object.keys(m || {}).filter((n) => !Array.isArray(m[n])));
    const shown = (facts.indicatoren || []).filter((ind) => {
      const f = this.fields[ind.field];
      return f && f.popup && !skip.has(ind.field) && ind.kind !== 'label';
    });
    const own = shown.filter((ind) => this.ownFields[ind.field] && !this.sectorFields[ind.field]);
    const care = shown.filter((ind) => this.sectorFields[ind.field]);
    return this.indicatorTable('Kerncijfers', own)
      + (care.length ? this.indicatorTable(this.sectorLayer ? this.sectorLayer.title : sectorName(this.sector, { capitalised: true }), care, 'wz-sector-figures') : '');
  }

  indicatorTable(title, indicators, cls = '') {
    const rows = indicators.map((ind) => {
      const f = this.fields[ind.field];
      const value = formatValue(ind.value, f);
      let region = formatValue(ind.region, f);
      if (region !== null && f.unit && f.unit !== '%') { region = formatNumber(ind.region, f.decimals); }
      return `<tr data-field="${esc(ind.field)}"><th scope="row" title="${esc(this.leeswijzerText(ind.leeswijzer))}">${esc(ind.alias || f.alias)}</th>`
        + cell(value) + `<td class="wz-cuecell">${value !== null ? cueHtml(ind.comparison) : ''}</td>`
        + `<td class="wz-region">${region === null ? '' : esc(region)}</td></tr>`;
    }).join('');
    return `<h3>${esc(title)}</h3><table class="wz-fields wz-with-region ${cls}"><thead><tr><td></td>`
      + '<th scope="col" class="wz-colhead">Gemeente</th><td></td>'
      + `<th scope="col" class="wz-colhead wz-region" title="De waarde voor de hele regio, op dezelfde manier berekend">Regio</th></tr></thead>`
      + `<tbody>${rows}</tbody></table>`;
  }

  leeswijzerText(lw) {
    if (!lw) { return ''; }
    return [lw.uitleg, lw.bron ? 'Bron: ' + lw.bron : '', lw.peildatum ? 'Peildatum: ' + lw.peildatum : ''].filter(Boolean).join('\n');
  }

  /** Who "the clients" of the sector are: its text ("ZZP 4-8"), else its client groups' labels. */
  clientGroupsText() {
    const sec = this.sector;
    if (!sec) { return ''; }
    if (sec.texts && sec.texts.client_groups) { return sec.texts.client_groups; }
    return dutchList(this.groups(sec.client_groups || []).map((g) => g.label));
  }

  forecastHtml(facts, m, regio, s) {
    const clientGroups = this.clientGroupsText();
    const reeks = facts.reeks || {};
    const k = (reeks.jaren || []).indexOf(Number(s.jaar));
    const scen = this.fc.demand_scenarios;
    const band = scen.length > 1 ? `${scen[0].label} tot ${scen[scen.length - 1].label}` : '';
    const chosen = scen.find((d) => String(d.id) === String(s.vraag));
    const here = k >= 0 && reeks[s.vraag] ? reeks[s.vraag][k] : null;
    const title = `Verwachte cliënten${this.short()}${clientGroups ? ` (${clientGroups})` : ''} per jaar`;
    let html = `<h3>${esc(title)}</h3>`
      + forecastChart(reeks, scen, { year: s.jaar, scenario: s.vraag, title: `${title}; bandbreedte zorgvraag ${band}` })
      + '<p class="wz-chart-key"><span class="wz-key-band"></span>zorgvraag ' + esc(band)
      + ' <span class="wz-key-line"></span>' + esc(chosen ? 'zorgvraag ' + chosen.label : '')
      + (here !== null ? ` <span class="wz-key-dot"></span>${esc(s.jaar)}: <strong data-reeks-value>${esc(formatNumber(here))}</strong>` : '') + '</p>';
    if (m) {
      // the single numbers of the answer (lists are per group; the gap total is in the gap table)
      const names = Object.keys(m).filter((n) => !Array.isArray(m[n]) && n !== 'tekort_totaal');
      const rows = names.map((n) => {
        const f = this.fields[n] || { type: 'float', decimals: 0, unit: '' };
        const v = formatValue(m[n], f);
        let r = regio ? formatValue(regio[n], f) : null;
        if (r !== null && f.unit && f.unit !== '%') { r = formatNumber(regio[n], f.decimals); }
        const cue = f.comparable ? compare(m[n], regio && regio[n], f.decimals || 0) : null;
        return `<tr data-field="${esc(n)}"><th scope="row" title="${esc(this.leeswijzerText(f.leeswijzer))}">${esc(this.aliasFor(n, s.jaar))}</th>`
          + cell(v) + `<td class="wz-cuecell">${v !== null ? cueHtml(cue) : ''}</td><td class="wz-region">${r === null ? '' : esc(r)}</td></tr>`;
      }).join('');
      html += `<table class="wz-fields wz-with-region"><tbody>${rows}</tbody></table>`;
    }
    return html;
  }

  gapHtml(m, groups, jaar) {
    const rows = groups.map((g, i) => `<tr data-group="${esc(g.id)}"><th scope="row"><span class="wz-swatch wz-swatch-sm" style="background:${esc(g.color)}"></span>${esc(g.label)}</th>`
      + cell(formatNumber(m.vraag[i])) + cell(formatNumber(m.plaatsen[i])) + cell(formatNumber(m.tekort[i]), 'wz-strong') + '</tr>').join('');
    const bar = stackedBars([{ code: null, name: 'Tekort', values: m.tekort, total: m.tekort_totaal, label: formatNumber(m.tekort_totaal) }],
      groups, { compact: true, title: `Tekort in ${jaar} per groep` });
    return `<h3>Tekort aan plaatsen${esc(this.short())} in ${esc(jaar)} per groep</h3>${bar}`
      + '<table class="wz-gap"><thead><tr><td></td><th scope="col" class="wz-colhead">Vraag</th><th scope="col" class="wz-colhead">Plaatsen nu</th>'
      + '<th scope="col" class="wz-colhead">Tekort</th></tr></thead>'
      + `<tbody>${rows}<tr class="wz-total" data-field="tekort_totaal"><th scope="row">totaal</th><td></td><td></td>${cell(formatNumber(m.tekort_totaal), 'wz-strong')}</tr></tbody></table>`
      + '<p class="wz-note">Tekort: verwachte vraag min de plaatsen van nu; een min is een overschot.</p>';
  }

  extraHtml(m, groups, jaar, s) {
    if (!m.extra_thuis || !m.extra_intramuraal) { return ''; }
    const lev = this.fc.leveringsvorm_scenarios.find((d) => String(d.id) === String(s.levering));
    let suppressed = false;
    const show = (v) => { if (isMissing(v)) { suppressed = true; return SUPPRESSED; } return formatNumber(v); };
    const rows = groups.map((g, i) => `<tr data-group="${esc(g.id)}"><th scope="row"><span class="wz-swatch wz-swatch-sm" style="background:${esc(g.color)}"></span>${esc(g.label)}</th>`
      + `<td class="wz-value" data-kind="thuis">${esc(show(m.extra_thuis[i]))}</td><td class="wz-value" data-kind="intramuraal">${esc(show(m.extra_intramuraal[i]))}</td></tr>`).join('');
    return `<h3>Extra plaatsen in ${esc(jaar)}: thuis en intramuraal</h3>`
      + (lev ? `<p class="wz-sub">Leveringsvorm ${esc(lev.label)}: ${esc(lev.uitleg)}</p>` : '')
      + '<table class="wz-gap"><thead><tr><td></td><th scope="col" class="wz-colhead">Thuis</th><th scope="col" class="wz-colhead">Intramuraal</th></tr></thead>'
      + `<tbody>${rows}</tbody></table>`
      + (suppressed ? `<p class="wz-note">${SUPPRESSED} niet openbaar: dit cijfer zou een klein aantal cliënten verraden.</p>` : '');
  }

  downloadsHtml(facts) {
    const pack = (facts.gebiedsanalyse || []).map((d) => `<li><a href="${esc(d.href)}" target="_blank" rel="noopener">${esc(d.title)}</a></li>`).join('');
    const links = (facts.downloads || []).map((d) => `<li><a href="${esc(d.href)}" download>${esc(d.title)}</a></li>`).join('');
    return (pack ? `<h3>Voor de sessie</h3><ul class="wz-downloads">${pack}</ul>` : '')
      + (links ? `<h3>Cijfers downloaden</h3><ul class="wz-downloads">${links}</ul>` : '');
  }
}

/** Popup of a finer area (a wijk): its popup fields beside the region's values, with cues. */
export function areaPopupHtml(layer, props, kicker) {
  const skip = new Set([layer.id_field, layer.label_field]);
  const region = layer.region_values || {};
  const rows = layer.fields.filter((f) => f.popup && !skip.has(f.name)).map((f) => {
    const v = formatValue(props[f.name], f);
    const rv = region[f.name];
    let r = isMissing(rv) || typeof rv === 'object' || f.kind === 'label' ? null : formatValue(rv, f);
    if (r !== null && f.unit && f.unit !== '%') { r = formatNumber(rv, f.decimals); }
    const cue = f.comparable && v !== null ? compare(props[f.name], rv, f.decimals || 0) : null;
    return `<tr data-field="${esc(f.name)}"><th scope="row">${esc(f.alias || f.name)}</th>${cell(v)}`
      + `<td class="wz-cuecell">${cueHtml(cue)}</td><td class="wz-region">${r === null ? '' : esc(r)}</td></tr>`;
  }).join('');
  return `<div class="wz-popup"><p class="wz-kicker">${esc(kicker)}</p><h3>${esc(props[layer.label_field] || props[layer.id_field] || '')}</h3>`
    + '<table class="wz-fields wz-with-region"><thead><tr><td></td><th scope="col" class="wz-colhead">Waarde</th><td></td>'
    + '<th scope="col" class="wz-colhead wz-region">Regio</th></tr></thead>'
    + `<tbody>${rows}</tbody></table></div>`;
}
