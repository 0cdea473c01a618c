/**
 * Small pure helpers: Dutch numbers, legend classes, HTML escaping, text matching.
 * No DOM, no state: every other module may import this one.
 */

export const NO_DATA = 'geen gegevens';

const ESCAPES = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Text made safe for HTML (element content and attribute values). */
export function esc(value) {
  return String(value ?? '').replace(/[&<>"']/g, (c) => ESCAPES[c]);
}

export function isMissing(v) {
  return v === undefined || v === null || v === '' || (typeof v === 'number' && !Number.isFinite(v));
}

/** A number the Dutch way: '.' between thousands, decimal comma; null when not a number. */
export function formatNumber(value, decimals = 0) {
  const x = Number(value);
  if (isMissing(value) || !Number.isFinite(x)) { return null; }
  const d = Math.max(0, Math.min(10, decimals || 0));
  const [whole, frac] = Math.abs(x).toFixed(d).split('.');
  const text = whole.replace(/\B(?=(\d{3})+(?!\d))/g, '.') + (frac ? ',' + frac : '');
  // no "-0" after rounding
  return (x < 0 && /[1-9]/.test(text) ? '-' : '') + text;
}

/** A signed Dutch number ("+12", "-3", "0"). */
export function formatSigned(value, decimals = 0) {
  const text = formatNumber(value, decimals);
  if (text === null) { return null; }
  return Number(value) > 0 && /[1-9]/.test(text) ? '+' + text : text;
}

const SINGULAR = { plaatsen: 'plaats', 'cliënten': 'cliënt', adressen: 'adres', locaties: 'locatie' };

export function withUnit(text, unit) {
  if (!unit || text === null) { return text; }
  const u = text === '1' && SINGULAR[unit] ? SINGULAR[unit] : unit;
  return u === '%' ? text + '%' : text + '\u00a0' + u;
}

/** A field value as the user reads it (catalog field: type, decimals, unit), or null when missing. */
export function formatValue(value, field = {}) {
  if (isMissing(value)) { return null; }
  if (typeof value === 'boolean' || field.type === 'bool') {
    return (value === true || value === 1 || value === 'true') ? 'ja' : 'nee';
  }
  if (field.type === 'int' || field.type === 'float' || typeof value === 'number') {
    const text = formatNumber(value, field.decimals);
    return text === null ? String(value) : withUnit(text, field.unit);
  }
  return String(value);
}

/** The legend class (or category) of a value; the legend's no-data entry for missing values. */
export function classify(legend, value) {
  if (isMissing(value)) { return legend.no_data; }
  const classes = legend.classes || [];
  if (legend.kind === 'categories') {
    return classes.find((c) => c.value === value || String(c.value) === String(value)) || legend.no_data;
  }
  const x = Number(value);
  if (!Number.isFinite(x)) { return legend.no_data; }
  return classes.find((c) => (c.min === null || c.min === undefined || x >= c.min)
    && (c.max === null || c.max === undefined || x < c.max)) || legend.no_data;
}

/** Lower case without accents, for matching typed text ("Brâmmelo" -> "brammelo"). */
export function fold(text) {
  return String(text ?? '').normalize('NFD').replace(/[\u0300-\u036f]/g, '').toLowerCase().trim();
}

export function byName(items, key = 'name') {
  const out = {};
  (items || []).forEach((item) => { out[item[key]] = item; });
  return out;
}

/** "a, b en c" */
export function dutchList(items) {
  if (items.length < 2) { return items.join(''); }
  return items.slice(0, -1).join(', ') + ' en ' + items[items.length - 1];
}
