/**
 * The server's API as the viewer uses it (docs/viewer-api.md); answers are cached per URL
 * for the life of the page (a build switch on the server is picked up by reloading the page).
 */

const cache = new Map();

export class ApiError extends Error {
  constructor(url, status, detail) {
    super(`${url}: HTTP ${status}${detail ? ' - ' + detail : ''}`);
    this.status = status;
    this.detail = detail;
  }
}

async function fetchJson(url) {
  const response = await fetch(url, { headers: { Accept: 'application/json' } });
  if (!response.ok) {
    let detail = '';
    try { detail = (await response.json()).detail || ''; } catch (err) { /* not JSON */ }
    throw new ApiError(url, response.status, detail);
  }
  return response.json();
}

/** GET url as JSON, once per page (the same promise for every caller). */
export function getJson(url) {
  if (!cache.has(url)) {
    const promise = fetchJson(url);
    promise.catch(() => cache.delete(url));   // a failed request may be tried again
    cache.set(url, promise);
  }
  return cache.get(url);
}

/** The query of a sector, year and scenario pair (the sector left out when the catalog has none). */
function scenarioQuery({ sector, jaar, vraag, levering }) {
  const q = new URLSearchParams();
  if (sector !== null && sector !== undefined) { q.set('sector', String(sector)); }
  q.set('jaar', String(jaar));
  q.set('vraag', String(vraag));
  q.set('levering', String(levering));
  return q.toString();
}

export const api = {
  catalog: () => getJson('/api/catalog'),
  /** One value per gemeente and group of a sector, for one year and scenario pair (contract item 2). */
  prognose: (scenario) => getJson('/api/prognose?' + scenarioQuery(scenario)),
  /** One gemeente's indicators, forecast and series in a sector (contract item 3). */
  gemeente: (code, scenario) => getJson(`/api/gemeenten/${encodeURIComponent(code)}?` + scenarioQuery(scenario)),
  /** Gemeenten with a label point and bbox (names on the map, the overview's names). */
  gemeenten: () => getJson('/api/gemeenten'),
  /** Gemeenten and wijken with label point and bbox, for the search box and the names. */
  gebieden: () => getJson('/api/gebieden'),
  /** Every feature of an OGC API collection (following the "next" links). */
  async features(collection) {
    let url = `/ogc/collections/${encodeURIComponent(collection)}/items?f=json&limit=1000`;
    const out = [];
    for (let page = 0; url && page < 50; page += 1) {
      const answer = await getJson(url);
      out.push(...(answer.features || []));
      const next = (answer.links || []).find((l) => l.rel === 'next');
      // links are absolute; keep only the path so that nothing ever leaves this server
      url = next ? new URL(next.href, location.href).pathname + new URL(next.href, location.href).search : null;
    }
    return out;
  },
};
