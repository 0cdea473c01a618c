/**
 * The viewer's charts as small SVG strings (no library): the forecast curve with its band, and
 * horizontal stacked bars of a value per group (one bar for a gemeente, one per gemeente for the
 * region). Negative parts (a surplus) run left of the zero line, positive parts right of it.
 */

import { esc, formatNumber } from './format.js';

/** Round numbers for an axis from lo to hi: about `count` steps of 1, 2 or 5 times a power of ten. */
export function niceTicks(lo, hi, count = 4) {
  if (!(hi > lo)) { hi = lo + 1; }
  const raw = (hi - lo) / count;
  const power = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * power).find((s) => s >= raw) || 10 * power;
  const first = Math.floor(lo / step) * step;
  const ticks = [];
  for (let v = first; v <= hi + step * 0.5 && ticks.length < 20; v += step) { ticks.push(Number(v.toFixed(10))); }
  if (ticks[ticks.length - 1] < hi) { ticks.push(ticks[ticks.length - 1] + step); }
  return ticks;
}

const f = (x) => Number(x).toFixed(1);

/**
 * Forecast curve: a band from the lowest to the highest scenario per year, a line per scenario
 * (the chosen one thick), a marker at the chosen year.
 * @param {object} series  {jaren: [...], <scenario id>: [...]}
 * @param {object[]} scenarios  the catalog's demand scenarios (id, label), in order
 */
export function forecastChart(series, scenarios, { year, scenario, title }) {
  const W = 340; const H = 196;
  const m = { l: 46, r: 14, t: 12, b: 26 };
  const years = series.jaren || [];
  const ids = scenarios.map((s) => String(s.id)).filter((id) => Array.isArray(series[id]));
  if (!years.length || !ids.length) { return ''; }
  const at = (id, i) => Number(series[id][i]);
  const lows = years.map((_, i) => Math.min(...ids.map((id) => at(id, i)).filter(Number.isFinite)));
  const highs = years.map((_, i) => Math.max(...ids.map((id) => at(id, i)).filter(Number.isFinite)));
  const yTicks = niceTicks(0, Math.max(...highs.filter(Number.isFinite), 1), 4);
  const yMax = yTicks[yTicks.length - 1];
  const x = (yr) => m.l + (W - m.l - m.r) * (yr - years[0]) / Math.max(1, years[years.length - 1] - years[0]);
  const y = (v) => H - m.b - (H - m.t - m.b) * v / yMax;
  const band = years.map((yr, i) => `${f(x(yr))},${f(y(highs[i]))}`)
    .concat(years.map((yr, i) => `${f(x(yr))},${f(y(lows[i]))}`).reverse()).join(' ');
  const line = (id) => years.map((yr, i) => (Number.isFinite(at(id, i)) ? `${f(x(yr))},${f(y(at(id, i)))}` : null))
    .filter(Boolean).join(' ');
  const chosen = ids.includes(String(scenario)) ? String(scenario) : ids[Math.floor(ids.length / 2)];
  const k = years.indexOf(Number(year));
  const xTicks = years.filter((yr, i) => i === 0 || i === years.length - 1 || yr % 5 === 0);
  let svg = `<svg class="wz-chart wz-forecast" viewBox="0 0 ${W} ${H}" role="img" aria-label="${esc(title)}">`;
  yTicks.forEach((t) => {
    svg += `<line class="wz-grid" x1="${m.l}" x2="${W - m.r}" y1="${f(y(t))}" y2="${f(y(t))}"/>`
      + `<text class="wz-axis" x="${m.l - 6}" y="${f(y(t) + 3.5)}" text-anchor="end">${esc(formatNumber(t))}</text>`;
  });
  xTicks.forEach((yr) => {
    svg += `<text class="wz-axis" x="${f(x(yr))}" y="${H - m.b + 15}" text-anchor="middle">${yr}</text>`;
  });
  svg += `<polygon class="wz-band" points="${band}"/>`;
  ids.forEach((id) => {
    svg += `<polyline class="wz-line${id === chosen ? ' wz-line-chosen' : ''}" data-scenario="${esc(id)}" points="${line(id)}"/>`;
  });
  if (k >= 0 && Number.isFinite(at(chosen, k))) {
    const cx = x(years[k]); const cy = y(at(chosen, k));
    svg += `<line class="wz-yearline" x1="${f(cx)}" x2="${f(cx)}" y1="${m.t}" y2="${H - m.b}"/>`
      + `<circle class="wz-yeardot" cx="${f(cx)}" cy="${f(cy)}" r="4"/>`;
  }
  return svg + '</svg>';
}

/** The extent of stacked bars: the most negative and most positive sums over all rows. */
function extent(rows) {
  let lo = 0; let hi = 0;
  rows.forEach((r) => {
    let neg = 0; let pos = 0;
    r.values.forEach((v) => { if (Number(v) < 0) { neg += Number(v); } else if (Number(v) > 0) { pos += Number(v); } });
    lo = Math.min(lo, neg); hi = Math.max(hi, pos);
  });
  return [lo, hi];
}

/** The segments of one bar: [{group, value, x0, x1}] with x in data units (negatives leftward). */
function segments(values, groups) {
  let neg = 0; let pos = 0;
  return values.map((raw, i) => {
    const v = Number(raw);
    if (!Number.isFinite(v) || v === 0) { return null; }
    let x0; let x1;
    if (v > 0) { x0 = pos; pos += v; x1 = pos; } else { x1 = neg; neg += v; x0 = neg; }
    return { group: groups[i], value: v, x0, x1 };
  }).filter(Boolean);
}

/**
 * Horizontal stacked bars, one row per item, in the given order.
 * rows: [{code, name, values: [per group], total, label}] ; groups: [{id, label, color}]
 */
export function stackedBars(rows, groups, { selected = null, unit = '', title = '', labelWidth = 104, compact = false } = {}) {
  const W = 340;
  const rowH = compact ? 22 : 17;
  const gap = compact ? 0 : 4;
  const axisH = compact ? 0 : 18;
  const totalW = 42;
  const lw = compact ? 0 : labelWidth;
  const H = axisH + rows.length * (rowH + gap) + (compact ? 0 : 2);
  const [lo, hi] = extent(rows);
  // the domain: from the most negative sum (no room wasted on a tick below it) to a round number
  const all = niceTicks(lo, hi, 3);
  const dLo = lo; const dHi = compact ? hi : Math.max(hi, all[all.length - 1]);
  const ticks = compact ? [] : all.filter((t) => t >= dLo && t <= dHi);
  const x0 = lw + 4; const x1 = W - totalW - 4;
  const x = (v) => x0 + (x1 - x0) * (v - dLo) / Math.max(1e-9, dHi - dLo);
  let svg = `<svg class="wz-chart wz-bars${compact ? ' wz-bars-compact' : ''}" viewBox="0 0 ${W} ${H}" role="group" aria-label="${esc(title)}">`;
  if (!compact) {
    ticks.forEach((t) => {
      svg += `<line class="wz-grid" x1="${f(x(t))}" x2="${f(x(t))}" y1="${axisH - 4}" y2="${H}"/>`
        + `<text class="wz-axis" x="${f(x(t))}" y="${axisH - 7}" text-anchor="middle">${esc(formatNumber(t))}</text>`;
    });
  }
  rows.forEach((row, i) => {
    const top = axisH + i * (rowH + gap);
    const mid = top + rowH / 2;
    const parts = segments(row.values, groups);
    const desc = parts.map((p) => `${p.group.label}: ${formatNumber(p.value)}`).join(', ');
    const label = `${row.name}: ${row.label ?? formatNumber(row.total)}${unit ? ' ' + unit : ''}${desc ? ' (' + desc + ')' : ''}`;
    const attrs = row.code && !compact
      ? ` tabindex="0" role="button" data-code="${esc(row.code)}" aria-label="${esc(label)}"` : ` role="img" aria-label="${esc(label)}"`;
    svg += `<g class="wz-bar-row${row.code && row.code === selected ? ' wz-selected' : ''}" data-total="${esc(row.total)}"${attrs}>`
      + `<rect class="wz-bar-hit" x="0" y="${top - gap / 2}" width="${W}" height="${rowH + gap}"/>`;
    if (!compact) {
      svg += `<text class="wz-bar-name" x="${lw}" y="${f(mid + 4)}" text-anchor="end">${esc(row.name)}</text>`;
    }
    parts.forEach((p) => {
      svg += `<rect class="wz-seg" data-group="${esc(p.group.id)}" data-value="${p.value}" x="${f(x(p.x0))}" y="${top + 1}"`
        + ` width="${f(Math.max(0.8, x(p.x1) - x(p.x0)))}" height="${rowH - 2}" fill="${esc(p.group.color)}"><title>${esc(`${row.name}, ${p.group.label}: ${formatNumber(p.value)}`)}</title></rect>`;
    });
    svg += `<text class="wz-bar-total" x="${W - 2}" y="${f(mid + 4)}" text-anchor="end">${esc(row.label ?? formatNumber(row.total))}</text></g>`;
  });
  if (dLo < 0 && dHi > 0) {
    svg += `<line class="wz-zero" x1="${f(x(0))}" x2="${f(x(0))}" y1="${axisH - 4}" y2="${H}"/>`;
  }
  return svg + '</svg>';
}

/** A legend of the groups' colours (HTML). */
export function groupLegend(groups) {
  return '<ul class="wz-grouplegend">' + groups.map((g) => `<li><span class="wz-swatch wz-swatch-sm" style="background:${esc(g.color)}"></span>${esc(g.label)}</li>`).join('') + '</ul>';
}
