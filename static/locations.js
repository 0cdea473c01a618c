/**
 * Care locations as Leaflet markers on top of the choropleth: an SVG symbol per location, its shape
 * and colour by the legend's category (sector), its size by the legend's size field (places), a
 * dark-and-white halo so it stays visible on every choropleth. Locations on one spot (one postcode)
 * share one marker whose popup lists them all. Markers are focusable and open with Enter.
 */

/* global L */

import { byName, classify, esc, formatValue, isMissing } from './format.js';

const SHAPES = ['circle', 'square', 'diamond', 'triangle', 'triangle-down', 'hexagon'];
const R_MIN = 4;            // px, the smallest location
const R_MAX = 11;           // px, locations with SIZE_REFERENCE places or more
const SIZE_REFERENCE = 100; // places drawn at R_MAX (area grows with the places below it)
const HALO_DARK = '#1d2733';

export function radiusFor(value) {
  const x = Number(value);
  if (!Number.isFinite(x) || x <= 0) { return R_MIN; }
  return R_MIN + (R_MAX - R_MIN) * Math.sqrt(Math.min(x, SIZE_REFERENCE) / SIZE_REFERENCE);
}

function shapePath(shape, c, r) {
  const pts = (list) => `<polygon points="${list.map(([x, y]) => `${(c + x).toFixed(2)},${(c + y).toFixed(2)}`).join(' ')}"/>`;
  switch (shape) {
    case 'square': {
      const h = r * 0.9;
      return `<rect x="${(c - h).toFixed(2)}" y="${(c - h).toFixed(2)}" width="${(2 * h).toFixed(2)}" height="${(2 * h).toFixed(2)}"/>`;
    }
    case 'diamond': { const d = r * 1.25; return pts([[0, -d], [d, 0], [0, d], [-d, 0]]); }
    case 'triangle': { const t = r * 1.35; return pts([[0, -t], [t * 0.866, t * 0.5], [-t * 0.866, t * 0.5]]); }
    case 'triangle-down': { const t = r * 1.35; return pts([[0, t], [t * 0.866, -t * 0.5], [-t * 0.866, -t * 0.5]]); }
    case 'hexagon': {
      const h = r * 1.1;
      return pts([0, 1, 2, 3, 4, 5].map((k) => [h * Math.cos(k * Math.PI / 3), h * Math.sin(k * Math.PI / 3)]));
    }
    default: return `<circle cx="${c}" cy="${c}" r="${r.toFixed(2)}"/>`;
  }
}

/** SVG of one symbol (shape, colour, radius), with its halo; `count` > 1 adds a badge. */
export function symbolSvg(shape, colour, r, count = 1) {
  const pad = count > 1 ? 8 : 4;
  const size = Math.ceil(2 * (r * 1.35 + pad));
  const c = size / 2;
  const path = shapePath(shape, c, r);
  let badge = '';
  if (count > 1) {
    const bx = size - 7;
    badge = `<circle cx="${bx}" cy="7" r="6.5" fill="${HALO_DARK}" stroke="#ffffff" stroke-width="1.5"/>`
      + `<text x="${bx}" y="10" text-anchor="middle" font-size="9" font-weight="700" fill="#ffffff">${count}</text>`;
  }
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${size}" height="${size}" viewBox="0 0 ${size} ${size}" aria-hidden="true">`
    + `<g fill="none" stroke="${HALO_DARK}" stroke-width="5" stroke-linejoin="round">${path}</g>`
    + `<g fill="${esc(colour)}" stroke="#ffffff" stroke-width="2.2" stroke-linejoin="round">${path}</g>`
    + badge + '</svg>';
}

export class Locations {
  constructor(mapView, layer) {
    this.mapView = mapView;
    this.layer = layer;
    this.legend = (layer.legend.indicators || []).find((i) => i.field === layer.legend.default)
      || layer.legend.indicators[0];
    this.sizeField = layer.legend.size_field || null;
    this.fields = byName(layer.fields);
    this.group = L.layerGroup();
    this.markers = [];
    this.scale = this.scaleFor(mapView.leaflet.getZoom());
    mapView.leaflet.on('zoomend', () => {
      const scale = this.scaleFor(mapView.leaflet.getZoom());
      if (scale !== this.scale) {
        this.scale = scale;
        this.markers.forEach((m) => m.setIcon(this.iconFor(m.wzItems)));
      }
    });
  }

  /** Smaller symbols when the whole region is in view, full size from zoom 11.5 on. */
  scaleFor(zoom) { return zoom < 10 ? 0.55 : zoom < 11.5 ? 0.75 : 1; }

  iconFor(items) {
    const first = items[0];
    const sym = this.symbolOf(first);
    const r = radiusFor(this.sizeField ? first[this.sizeField] : null) * this.scale;
    const size = Math.ceil(2 * (r * 1.35 + (items.length > 1 ? 8 : 4)));
    return L.divIcon({ html: symbolSvg(sym.shape, sym.colour, r, items.length), className: 'wz-loc',
      iconSize: [size, size], iconAnchor: [size / 2, size / 2] });
  }

  /** Shape and colour of a feature's category. */
  symbolOf(props) {
    const cls = classify(this.legend, props[this.legend.field]);
    const index = (this.legend.classes || []).indexOf(cls);
    return { shape: SHAPES[Math.max(0, index) % SHAPES.length], colour: cls.color, label: cls.label, cls };
  }

  /** The legend entries: [{shape, colour, label}] in the catalog's order. */
  legendEntries() {
    return (this.legend.classes || []).map((c, i) => ({ shape: SHAPES[i % SHAPES.length], colour: c.color, label: c.label }));
  }

  sizeSteps() {
    return [10, 50, SIZE_REFERENCE].map((v, i, all) => ({ value: v, r: radiusFor(v), last: i === all.length - 1 }));
  }

  setFeatures(features) {
    this.group.clearLayers();
    this.markers = [];
    const spots = new Map();
    features.forEach((f) => {
      if (!f.geometry || f.geometry.type !== 'Point') { return; }
      const [lon, lat] = f.geometry.coordinates;
      const key = `${lon.toFixed(6)},${lat.toFixed(6)}`;
      if (!spots.has(key)) { spots.set(key, { lon, lat, items: [] }); }
      spots.get(key).items.push(f.properties || {});
    });
    spots.forEach((spot) => {
      const items = spot.items.slice().sort((a, b) => this.size(b) - this.size(a));
      this.markers.push(this._marker(spot.lat, spot.lon, items));
    });
  }

  size(props) { return this.sizeField ? Number(props[this.sizeField]) || 0 : 0; }

  _marker(lat, lon, items) {
    const first = items[0];
    const sym = this.symbolOf(first);
    const r = radiusFor(this.sizeField ? first[this.sizeField] : null);
    const name = (p) => p[this.layer.label_field] || p[this.layer.id_field] || '';
    const title = items.length > 1
      ? `${items.length} zorglocaties op ${first.postcode ? 'postcode ' + first.postcode : 'deze plek'}: ${items.map(name).join(', ')}`
      : `${name(first)} (${sym.label}${this.sizeField && !isMissing(first[this.sizeField]) ? ', ' + formatValue(first[this.sizeField], this.fields[this.sizeField]) : ''})`;
    const marker = L.marker([lat, lon], {
      icon: this.iconFor(items),
      title,
      alt: title,
      keyboard: true,
      riseOnHover: true,
      zIndexOffset: -Math.round(r * 10),
    });
    marker.wzItems = items;
    marker.on('add', () => {
      const el = marker.getElement();
      if (el) {
        el.setAttribute('role', 'button');
        el.setAttribute('aria-label', title);
        el.dataset.wzLocation = items.map((p) => p[this.layer.id_field]).join(' ');
      }
    });
    marker.on('click', () => this.open(marker));
    marker.addTo(this.group);
    return marker;
  }

  /** Open the popup of a marker: the location itself, or the list of the locations on that spot. */
  open(marker, index = null) {
    const items = marker.wzItems;
    const content = document.createElement('div');
    content.className = 'wz-popup wz-popup-locatie';
    if (items.length === 1 || index !== null) {
      this._fillLocation(content, items[index ?? 0], items.length > 1 ? () => this.open(marker) : null);
    } else {
      this._fillList(content, items, (i) => this.open(marker, i));
    }
    if (!marker.getPopup()) {
      marker.bindPopup(content, { maxWidth: 340, minWidth: 240, className: 'wz-leaflet-popup', autoPanPadding: [24, 24] });
    } else {
      marker.setPopupContent(content);
    }
    if (!marker.isPopupOpen()) { marker.openPopup(); }
    const focusable = content.querySelector('button, h3[tabindex]');
    if (focusable && document.activeElement && (document.activeElement === marker.getElement()
        || content.contains(document.activeElement) || document.activeElement.closest('.leaflet-popup'))) {
      focusable.focus();
    }
  }

  _fillList(el, items, onPick) {
    const first = items[0];
    el.innerHTML = `<p class="wz-kicker">${items.length} zorglocaties op dezelfde plek</p>`
      + `<h3>${first.postcode ? 'Postcode ' + esc(first.postcode) : 'Zorglocaties'}</h3>`
      + '<p class="wz-note">Deze locaties liggen op het midden van dezelfde postcode. Kies er een:</p>'
      + '<ul class="wz-loclist"></ul>';
    const list = el.querySelector('ul');
    items.forEach((p, i) => {
      const sym = this.symbolOf(p);
      const li = document.createElement('li');
      const button = document.createElement('button');
      button.type = 'button';
      button.className = 'wz-locpick';
      button.dataset.wzPick = String(p[this.layer.id_field]);
      const size = this.sizeField && !isMissing(p[this.sizeField]) ? formatValue(p[this.sizeField], this.fields[this.sizeField]) : '';
      button.innerHTML = `<span class="wz-locicon">${symbolSvg(sym.shape, sym.colour, 5)}</span>`
        + `<span><strong>${esc(p[this.layer.label_field] || '')}</strong>`
        + `<small>${esc(sym.label)}${size ? ' · ' + esc(size) : ''}</small></span>`;
      button.addEventListener('click', (ev) => { ev.stopPropagation(); onPick(i); });
      li.appendChild(button);
      list.appendChild(li);
    });
  }

  _fillLocation(el, props, onBack) {
    const sym = this.symbolOf(props);
    const skip = new Set([this.layer.id_field, this.layer.label_field]);
    const rows = this.layer.fields.filter((f) => f.popup && !skip.has(f.name)).map((f) => {
      let cell;
      if (f.name === this.legend.field && !isMissing(props[f.name])) {
        cell = `<td><span class="wz-locicon">${symbolSvg(sym.shape, sym.colour, 5)}</span>${esc(sym.cls === this.legend.no_data ? props[f.name] : sym.label)}</td>`;
      } else {
        const text = formatValue(props[f.name], f);
        cell = text === null ? '<td class="wz-nodata-text">geen gegevens</td>' : `<td>${esc(text)}</td>`;
      }
      return `<tr data-field="${esc(f.name)}"><th scope="row">${esc(f.alias || f.name)}</th>${cell}</tr>`;
    }).join('');
    el.innerHTML = `<p class="wz-kicker">${esc(this.layer.title)}</p>`
      + `<h3 tabindex="-1">${esc(props[this.layer.label_field] || props[this.layer.id_field] || '')}</h3>`
      + `<table class="wz-fields">${rows}</table>`;
    if (onBack) {
      const p = document.createElement('p');
      p.className = 'wz-popup-actions';
      const back = document.createElement('button');
      back.type = 'button';
      back.className = 'wz-link';
      back.textContent = '\u2190 Alle locaties op deze plek';
      back.addEventListener('click', (ev) => { ev.stopPropagation(); onBack(); });
      p.appendChild(back);
      el.appendChild(p);
    }
  }

  setShown(shown) {
    const map = this.mapView.leaflet;
    if (shown && !map.hasLayer(this.group)) { this.group.addTo(map); }
    if (!shown && map.hasLayer(this.group)) { map.removeLayer(this.group); }
  }
}

