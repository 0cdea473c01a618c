/**
 * The search box: gemeente and wijk names from /api/gebieden, matched without regard to accents
 * or case, as an ARIA combobox (arrow keys, Enter, Escape).
 */

import { esc, fold } from './format.js';

const MAX_RESULTS = 12;

/** The areas matching a text, best first: name starts with it, then gemeenten before wijken. */
export function match(areas, text) {
  const q = fold(text);
  if (!q) { return []; }
  const hits = [];
  areas.forEach((a) => {
    const name = fold(a.naam);
    const inName = name.indexOf(q);
    const inGemeente = a.niveau !== 'gemeente' ? fold(a.gemeentenaam).indexOf(q) : -1;
    if (inName < 0 && inGemeente < 0) { return; }
    const rank = (inName === 0 ? 0 : inName > 0 ? 1 : 2) * 2 + (a.niveau === 'gemeente' ? 0 : 1);
    hits.push({ a, rank });
  });
  hits.sort((x, y) => x.rank - y.rank || x.a.naam.localeCompare(y.a.naam, 'nl')
    || String(x.a.gemeentenaam).localeCompare(String(y.a.gemeentenaam), 'nl'));
  return hits.slice(0, MAX_RESULTS).map((h) => h.a);
}

export class Search {
  constructor(input, list, onPick) {
    this.input = input;
    this.list = list;
    this.onPick = onPick;
    this.areas = [];
    this.results = [];
    this.active = -1;
    input.addEventListener('input', () => this.refresh());
    input.addEventListener('keydown', (ev) => this.key(ev));
    input.addEventListener('blur', () => setTimeout(() => this.close(), 150));
    input.addEventListener('focus', () => { if (input.value) { this.refresh(); } });
    list.addEventListener('mousedown', (ev) => ev.preventDefault());   // keep the focus in the box
    list.addEventListener('click', (ev) => {
      const li = ev.target.closest('[data-index]');
      if (li) { this.pick(Number(li.dataset.index)); }
    });
  }

  setAreas(areas) {
    this.areas = areas;
    this.input.disabled = false;
    this.input.placeholder = 'Zoek een gemeente of wijk';
  }

  refresh() {
    this.results = match(this.areas, this.input.value);
    this.active = this.results.length ? 0 : -1;
    this.render();
  }

  render() {
    const { list, input } = this;
    if (!input.value.trim()) { this.close(); return; }
    list.innerHTML = this.results.length ? this.results.map((a, i) => {
      const where = a.niveau === 'gemeente' ? 'gemeente' : `wijk in ${a.gemeentenaam}`;
      return `<li role="option" id="zoek-optie-${i}" data-index="${i}" data-code="${esc(a.code)}" aria-selected="${i === this.active}"`
        + `${i === this.active ? ' class="wz-active"' : ''}><span class="wz-opt-name">${esc(a.naam)}</span><span class="wz-opt-where">${esc(where)}</span></li>`;
    }).join('') : '<li class="wz-none" role="option" aria-disabled="true" aria-selected="false">Geen gemeente of wijk gevonden</li>';
    list.hidden = false;
    input.setAttribute('aria-expanded', 'true');
    if (this.active >= 0) { input.setAttribute('aria-activedescendant', `zoek-optie-${this.active}`); }
    else { input.removeAttribute('aria-activedescendant'); }
  }

  close() {
    this.list.hidden = true;
    this.input.setAttribute('aria-expanded', 'false');
    this.input.removeAttribute('aria-activedescendant');
  }

  key(ev) {
    const n = this.results.length;
    if (ev.key === 'ArrowDown' || ev.key === 'ArrowUp') {
      ev.preventDefault();
      if (this.list.hidden) { this.refresh(); return; }
      if (!n) { return; }
      this.active = (this.active + (ev.key === 'ArrowDown' ? 1 : n - 1)) % n;
      this.render();
      const el = document.getElementById(`zoek-optie-${this.active}`);
      if (el) { el.scrollIntoView({ block: 'nearest' }); }
    } else if (ev.key === 'Enter') {
      if (n && this.active >= 0 && !this.list.hidden) { ev.preventDefault(); this.pick(this.active); }
    } else if (ev.key === 'Escape') {
      if (!this.list.hidden) { ev.preventDefault(); this.close(); } else { this.input.value = ''; }
    }
  }

  pick(i) {
    const area = this.results[i];
    if (!area) { return; }
    this.input.value = area.naam;
    this.close();
    this.onPick(area);
  }
}
