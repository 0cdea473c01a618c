/**
 * The viewer's state and its URL: sector, theme, indicator, level, gemeente, year, scenarios and map
 * view live in the address (#sector=...&thema=...&kaart=lat,lon,zoom), so that a copied link opens
 * exactly that view. Which values are valid comes from the catalog only.
 */

const listeners = [];

export const state = {
  sector: null,       // id of one of the catalog's sectors (its first by default), or null without sectors
  theme: null,        // theme id
  indicator: null,    // indicator id within the theme
  level: null,        // a key of the indicator's levels ("gemeente", "wijk")
  gemeente: null,     // selected gemeente code, or null (region overview)
  jaar: null,
  vraag: null,        // demand scenario id
  levering: null,     // leveringsvorm scenario id
  view: null,         // {lat, lng, zoom} or null (the whole region)
};

/** Change some keys; listeners hear which keys really changed. */
export function update(patch) {
  const changed = [];
  Object.keys(patch).forEach((key) => {
    if (JSON.stringify(state[key]) !== JSON.stringify(patch[key])) {
      state[key] = patch[key];
      changed.push(key);
    }
  });
  if (changed.length) { listeners.forEach((fn) => fn(changed)); }
  return changed;
}

export function subscribe(fn) { listeners.push(fn); }

// ------------------------------------------------------------------ catalog rules

/** In a level's layer id: where the active sector's id goes (docs/viewer-api.md, the catalog's themes). */
export const SECTOR_SLOT = '{sector}';

/** The sectors of the catalog, in its order (the first is the default). */
export function sectorsOf(catalog) {
  return Array.isArray(catalog.sectors) ? catalog.sectors.filter((s) => s && s.id !== undefined) : [];
}

/** The sector with this id, or the catalog's first (null when the catalog has none). */
export function findSector(catalog, id) {
  const all = sectorsOf(catalog);
  return all.find((s) => String(s.id) === String(id)) || all[0] || null;
}

/** The layer a level of an indicator is drawn on, for a sector ("zorg_{sector}" with the sector's id). */
export function layerIdOf(where, sectorId) {
  return String(where.layer).split(SECTOR_SLOT).join(sectorId === null || sectorId === undefined ? '' : String(sectorId));
}

/** Every layer id a level pattern stands for: one per sector when it holds the sector slot. */
export function layerIdsOf(catalog, where) {
  if (!String(where.layer).includes(SECTOR_SLOT)) { return [where.layer]; }
  return sectorsOf(catalog).map((s) => layerIdOf(where, s.id));
}

export function findIndicator(catalog, themeId, indicatorId) {
  const theme = catalog.themes.find((t) => t.id === themeId);
  return theme ? theme.indicators.find((i) => i.id === indicatorId) || null : null;
}

/** The theme and indicator the catalog starts with: the gemeenten legend's default, else the first. */
function defaultIndicator(catalog) {
  const firstLevelLayer = (ind) => Object.values(ind.levels)[0];
  const first = findSector(catalog, null);
  for (const theme of catalog.themes) {
    for (const ind of theme.indicators) {
      const where = firstLevelLayer(ind);
      const id = layerIdOf(where, first && first.id);
      const layer = catalog.layers.find((l) => l.id === id);
      if (layer && layer.legend && layer.legend.default === where.field) { return [theme.id, ind.id]; }
    }
  }
  return [catalog.themes[0].id, catalog.themes[0].indicators[0].id];
}

/** A complete, valid state from a partial one (unknown or missing values take the defaults). */
export function resolve(catalog, wish) {
  const fc = catalog.forecast;
  const out = {};
  const sector = findSector(catalog, wish.sector);
  out.sector = sector ? sector.id : null;
  let theme = catalog.themes.find((t) => t.id === wish.theme);
  let indicator = theme ? theme.indicators.find((i) => i.id === wish.indicator) : null;
  if (!indicator && theme) { indicator = theme.indicators[0]; }
  if (!theme) {
    const [t, i] = defaultIndicator(catalog);
    theme = catalog.themes.find((x) => x.id === t);
    indicator = theme.indicators.find((x) => x.id === i);
  }
  out.theme = theme.id;
  out.indicator = indicator.id;
  const levels = Object.keys(indicator.levels);
  out.level = levels.includes(wish.level) ? wish.level : levels[0];
  out.jaar = fc.years.includes(Number(wish.jaar)) ? Number(wish.jaar) : fc.headline.jaar;
  out.vraag = fc.demand_scenarios.some((s) => String(s.id) === String(wish.vraag)) ? wish.vraag : fc.headline.vraag;
  const lev = fc.leveringsvorm_scenarios.find((s) => String(s.id) === String(wish.levering));
  out.levering = lev ? lev.id : fc.headline.levering;
  out.gemeente = wish.gemeente || null;
  out.view = wish.view || null;
  return out;
}

// ------------------------------------------------------------------ the URL

const KEYS = { sector: 'sector', theme: 'thema', indicator: 'indicator', level: 'niveau', gemeente: 'gemeente',
  jaar: 'jaar', vraag: 'vraag', levering: 'levering' };

/** The wished state in a location hash (values not checked here: see resolve). */
export function fromHash(hash) {
  const params = new URLSearchParams(String(hash || '').replace(/^#/, ''));
  const wish = {};
  Object.entries(KEYS).forEach(([key, name]) => {
    if (params.has(name)) { wish[key] = params.get(name); }
  });
  const view = (params.get('kaart') || '').split(',').map(Number);
  if (view.length === 3 && view.every(Number.isFinite)
      && Math.abs(view[0]) <= 90 && Math.abs(view[1]) <= 180 && view[2] >= 0 && view[2] <= 24) {
    wish.view = { lat: view[0], lng: view[1], zoom: view[2] };
  }
  return wish;
}

export function toHash(s) {
  const params = new URLSearchParams();
  Object.entries(KEYS).forEach(([key, name]) => {
    if (s[key] !== null && s[key] !== undefined) { params.set(name, String(s[key])); }
  });
  if (s.view) {
    params.set('kaart', [s.view.lat.toFixed(6), s.view.lng.toFixed(6), String(s.view.zoom)].join(','));
  }
  return '#' + params.toString().replace(/%2C/g, ',');
}

let pending = null;

/** Write the state into the address bar (no new history entry), at most once per frame. */
export function writeUrl() {
  if (pending !== null) { return; }
  pending = requestAnimationFrame(() => {
    pending = null;
    const hash = toHash(state);
    if (hash !== location.hash) {
      try { history.replaceState(null, '', hash); } catch (err) { /* sandboxed: not important */ }
    }
  });
}
