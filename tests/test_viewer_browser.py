"""The web viewer (static/) in a real headless Chromium against a real ``wz serve``.

What is checked, from the outside (pixels on the screen, text in the page):
1. the viewer loads the catalog and the gemeenten tiles (body[data-ready="1"]);
2. the choropleth is drawn: at the label point of every gemeente on screen the pixel colour
   is the legend colour of that gemeente's value of the default indicator (the value is read
   independently from the vector tile, classified in Python with the catalog's legend);
3. switching the indicator in the <select> rewrites the legend and recolours the map with the
   new legend's colours;
4. clicking a gemeente opens a popup with its name and Dutch-formatted numbers, the region's
   value beside each indicator in a "Regio" column (formatted the Dutch way from the catalog's
   region_values) with a hoger/lager/gelijk cue that agrees with the gemeente's own value from
   the vector tile, and the region's gap per ZZP group; the popup fits on a 1280x800 screen;
5. clicking a zorglocatie opens a popup with its name;
6. wijken: with the wijken on and zoomed in to zoom 12 a click inside a wijk (its representative
   point, computed with geopandas from the build's GeoPackage) opens the wijk's popup; at zoom
   10 the wijk outlines are not clickable and the same click opens the gemeente's popup.

Screenshots are written to the test's tmp folder, or to $WZ_SCREENSHOT_DIR when set.
"""

from __future__ import annotations

import gzip
import json
import math
import os
import re
import struct
import urllib.error
import urllib.request
import zlib
from collections import Counter
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
STATIC = ROOT / "static"
CHROMIUM = Path("/usr/bin/chromium")
LAUNCH_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
VIEWPORT = {"width": 1280, "height": 800}
COLOUR_TOLERANCE = 3          # per RGB channel
PATCH = 7                     # sampled square around a point, in px


# --------------------------------------------------------------------------------------------
# Pure checks (no browser)
# --------------------------------------------------------------------------------------------

def test_index_html_loads_nothing_from_the_internet():
    html = (STATIC / "index.html").read_text(encoding="utf-8")
    assert not re.search(r"https?://", html, re.I), "index.html must not reference http(s) URLs (no CDN)"
    refs = re.findall(r"""(?:src|href)\s*=\s*["']([^"']*)["']""", html, re.I)
    assert refs, "index.html references no scripts or styles at all?"
    for ref in refs:
        assert not ref.startswith("//"), f"protocol-relative URL in index.html: {ref}"
        assert ref.startswith("/") or ref.startswith("data:") or ref.startswith("#"), \
            f"index.html should only load files from the wz server itself: {ref}"
    for name in ("app.js", "style.css"):
        text = (STATIC / name).read_text(encoding="utf-8")
        assert not re.search(r"""(?:fetch|src|href|url)\s*\(?\s*["']?https?://""", text, re.I), \
            f"static/{name} loads something from the internet"


def test_vendor_packages_are_pinned():
    pkg = json.loads((STATIC / "package.json").read_text(encoding="utf-8"))
    assert pkg["dependencies"] == {"leaflet": "1.9.4", "leaflet.vectorgrid": "1.3.0", "swagger-ui-dist": "5.35.0"}
    lock = json.loads((STATIC / "package-lock.json").read_text(encoding="utf-8"))
    for name, version in pkg["dependencies"].items():
        assert lock["packages"][f"node_modules/{name}"]["version"] == version
    # swagger-ui-dist pulls in a telemetry package; it is switched off for this project
    assert pkg.get("scarfSettings", {}).get("enabled") is False


# --------------------------------------------------------------------------------------------
# Helpers: PNG decoding, colours, tiles, legend classification, Dutch numbers
# --------------------------------------------------------------------------------------------

def decode_png(data: bytes) -> list[list[tuple[int, int, int]]]:
    """Rows of RGB pixels of an 8-bit, non-interlaced RGB/RGBA PNG (what Chromium writes)."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    pos, idat = 8, b""
    width = height = depth = colour = interlace = None
    while pos < len(data):
        length = int.from_bytes(data[pos:pos + 4], "big")
        kind = data[pos + 4:pos + 8]
        body = data[pos + 8:pos + 8 + length]
        pos += 12 + length
        if kind == b"IHDR":
            width, height, depth, colour, _, _, interlace = struct.unpack(">IIBBBBB", body)
        elif kind == b"IDAT":
            idat += body
        elif kind == b"IEND":
            break
    assert depth == 8 and interlace == 0 and colour in (2, 6), (depth, colour, interlace)
    bpp = 3 if colour == 2 else 4
    raw = zlib.decompress(idat)
    stride = width * bpp
    prev = bytearray(stride)
    rows, i = [], 0
    for _ in range(height):
        filt = raw[i]
        line = bytearray(raw[i + 1:i + 1 + stride])
        i += 1 + stride
        for x in range(stride):
            a = line[x - bpp] if x >= bpp else 0
            b = prev[x]
            c = prev[x - bpp] if x >= bpp else 0
            if filt == 1:
                line[x] = (line[x] + a) & 255
            elif filt == 2:
                line[x] = (line[x] + b) & 255
            elif filt == 3:
                line[x] = (line[x] + (a + b) // 2) & 255
            elif filt == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                line[x] = (line[x] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
        rows.append([tuple(line[k * bpp:k * bpp + 3]) for k in range(width)])
        prev = line
    return rows


def hex_rgb(colour: str) -> tuple[int, int, int]:
    colour = colour.lstrip("#")
    return tuple(int(colour[k:k + 2], 16) for k in (0, 2, 4))


def css_rgb(text: str) -> tuple[int, int, int]:
    return tuple(int(v) for v in re.findall(r"\d+", text)[:3])


def close(c1, c2, tol=COLOUR_TOLERANCE) -> bool:
    return all(abs(a - b) <= tol for a, b in zip(c1, c2))


def get(url: str) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=10) as r:
            return r.status, r.read()
    except urllib.error.HTTPError as e:
        return e.code, b""


def get_json(url: str):
    status, body = get(url)
    assert status == 200, f"{url}: HTTP {status}"
    return json.loads(body)


def tile_xy(lon: float, lat: float, z: int) -> tuple[int, int]:
    n = 2 ** z
    x = int((lon + 180.0) / 360.0 * n)
    y = int((1.0 - math.asinh(math.tan(math.radians(lat))) / math.pi) / 2.0 * n)
    return min(max(x, 0), n - 1), min(max(y, 0), n - 1)


def read_tiles(base: str, layer: dict, z: int) -> list[tuple[int, int, dict]]:
    """All features of ``layer`` in the tiles at zoom z covering its bounds: (x, y, feature)."""
    import mapbox_vector_tile

    w, s, e, n = layer["bounds"]
    x0, y0 = tile_xy(w, n, z)
    x1, y1 = tile_xy(e, s, z)
    out = []
    for x in range(x0, x1 + 1):
        for y in range(y0, y1 + 1):
            status, body = get(f"{base}/tiles/{layer['id']}/{z}/{x}/{y}.pbf")
            if status == 204:
                continue
            assert status == 200, f"tile {layer['id']}/{z}/{x}/{y}: HTTP {status}"
            if body[:2] == b"\x1f\x8b":
                body = gzip.decompress(body)
            decoded = mapbox_vector_tile.decode(body, default_options={"y_coord_down": True})
            for feat in decoded.get(layer["id"], {}).get("features", []):
                feat["extent"] = decoded[layer["id"]].get("extent", 4096)
                out.append((x, y, feat))
    return out


def classify(indicator: dict, value) -> dict:
    """The legend class of a value, as the catalog defines it (the viewer must agree)."""
    if value is None:
        return indicator["no_data"]
    for c in indicator["classes"]:
        if indicator["kind"] == "categories":
            if c["value"] == value or str(c["value"]) == str(value):
                return c
        elif (c["min"] is None or value >= c["min"]) and (c["max"] is None or value < c["max"]):
            return c
    return indicator["no_data"]


def rounded(value: float, decimals: int) -> Decimal:
    return Decimal(value).quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)


def dutch(value: float, decimals: int) -> str:
    """Dutch number: '.' between thousands, decimal comma (ties away from zero, like JS)."""
    q = rounded(value, decimals)
    text = f"{abs(q):,.{decimals}f}".replace(",", "_").replace(".", ",").replace("_", ".")
    return ("-" if q < 0 else "") + text


def expected_cue(value: float, region: float, decimals: int) -> str:
    """Higher, lower or equal than the region, as the user reads both numbers (rounded)."""
    a, b = rounded(value, decimals), rounded(region, decimals)
    return "hoger" if a > b else "lager" if a < b else "gelijk"


CUE_TITLES = {"hoger": "hoger dan de regio", "lager": "lager dan de regio", "gelijk": "gelijk aan de regio"}
CUE_GLYPHS = {"hoger": "\u25b2", "lager": "\u25bc", "gelijk": "="}


# --------------------------------------------------------------------------------------------
# Browser fixtures
# --------------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def browser():
    if not CHROMIUM.exists():
        pytest.skip(f"browser test skipped: no Chromium at {CHROMIUM} (apt-get install chromium)")
    assert (STATIC / "node_modules" / "leaflet" / "dist" / "leaflet.js").exists() and \
        (STATIC / "node_modules" / "leaflet.vectorgrid" / "dist").exists(), \
        "Leaflet is not installed for the viewer: run `npm ci` in static/"
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=str(CHROMIUM), args=LAUNCH_ARGS)
        try:
            yield b
        finally:
            b.close()


@pytest.fixture(scope="module")
def site(live_server):
    """What the server says, fetched once: catalog, gemeenten, and feature attributes from tiles."""
    catalog = get_json(live_server + "/api/catalog")
    layers = {l["id"]: l for l in catalog["layers"]}
    gem_layer = layers["gemeenten"]
    id_field = gem_layer["id_field"]
    props = {}
    for _, _, feat in read_tiles(live_server, gem_layer, gem_layer["minzoom"]):
        props[feat["properties"][id_field]] = feat["properties"]
    gemeenten = get_json(live_server + "/api/gemeenten")
    assert gemeenten and set(g["gemeentecode"] for g in gemeenten) <= set(props), \
        "every gemeente of /api/gemeenten should be in the gemeenten tiles"
    return {"url": live_server, "catalog": catalog, "layers": layers, "props": props,
            "gemeenten": gemeenten}


@pytest.fixture()
def shots(tmp_path) -> Path:
    folder = Path(os.environ.get("WZ_SCREENSHOT_DIR") or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)
    return folder


#: collects every Content-Security-Policy violation of a page in window.wzCsp (before any script runs)
CSP_RECORDER = """
window.wzCsp = [];
document.addEventListener('securitypolicyviolation', e => window.wzCsp.push(
    e.violatedDirective + ' blocked ' + e.blockedURI + ' at ' + e.sourceFile + ':' + e.lineNumber));
"""


@pytest.fixture()
def page(browser, site):
    context = browser.new_context(viewport=VIEWPORT, device_scale_factor=1, locale="nl-NL")
    context.add_init_script(CSP_RECORDER)
    pg = context.new_page()
    errors: list[str] = []

    def on_console(msg):
        # failed requests are judged by on_response, which knows the URL
        if msg.type == "error" and not msg.text.startswith("Failed to load resource"):
            errors.append(f"console.error: {msg.text}")

    def on_response(resp):
        # the contract allows 404 for tiles outside a layer's zoom range or bounds
        if resp.status >= 400 and not (resp.status == 404 and "/tiles/" in resp.url):
            errors.append(f"HTTP {resp.status}: {resp.url}")

    pg.on("pageerror", lambda exc: errors.append(f"pageerror: {exc}"))
    pg.on("console", on_console)
    pg.on("response", on_response)
    first = pg.goto(site["url"] + "/")
    assert "default-src 'self'" in first.headers.get("content-security-policy", ""), \
        "the viewer must be tested under the server's Content-Security-Policy"
    try:
        pg.wait_for_selector('body[data-ready="1"]', state="attached", timeout=30_000)
    except Exception as exc:  # noqa: BLE001 - turn a timeout into a useful message
        info = pg.evaluate("() => ({...document.body.dataset, message: document.getElementById('message')?.textContent})")
        raise AssertionError(f"viewer never became ready: {info}; errors: {errors}") from exc
    yield pg
    violations = pg.evaluate("() => window.wzCsp")
    context.close()
    assert not errors, f"errors in the viewer: {errors}"
    assert not violations, f"the viewer breaks the Content-Security-Policy: {violations}"


# --------------------------------------------------------------------------------------------
# Page helpers
# --------------------------------------------------------------------------------------------

def next_frames(pg) -> None:
    pg.evaluate("() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))")


def screen_point(pg, lon: float, lat: float) -> tuple[float, float]:
    return tuple(pg.evaluate(
        """([lon, lat]) => {
            const p = window.wzMap.latLngToContainerPoint([lat, lon]);
            const r = window.wzMap.getContainer().getBoundingClientRect();
            return [r.left + p.x, r.top + p.y];
        }""", [lon, lat]))


def layer_at(pg, x: float, y: float) -> str | None:
    """Id of the viewer layer whose element is on top at (x, y), or a tag name, or None."""
    return pg.evaluate(
        """([x, y]) => {
            const el = document.elementFromPoint(x, y);
            if (!el) return null;
            const grid = el.closest('.wz-grid');
            if (grid) { const m = /wz-grid-([a-z0-9_]+)/.exec(grid.className); return m ? m[1] : 'grid'; }
            return el.tagName.toLowerCase();
        }""", [x, y])


def patch_colour(pg, x: float, y: float) -> tuple[int, int, int]:
    """The most common colour in a small square of the screen around (x, y)."""
    half = PATCH // 2
    png = pg.screenshot(clip={"x": round(x) - half, "y": round(y) - half, "width": PATCH, "height": PATCH})
    counts = Counter(px for row in decode_png(png) for px in row)
    return counts.most_common(1)[0][0]


def popup_rows(pg) -> dict[str, dict]:
    """The rows of the open popup by field: label, value, cue (data-cue, title, glyph), region."""
    return pg.evaluate(
        """() => {
            const out = {};
            document.querySelectorAll('.leaflet-popup-content tr[data-field]').forEach(tr => {
                const cue = tr.querySelector('.wz-cue');
                const region = tr.querySelector('td.wz-region');
                out[tr.dataset.field] = {
                    label: tr.querySelector('th').innerText.trim(),
                    value: (tr.querySelector('td.wz-value') || {}).innerText?.trim() ?? null,
                    cue: cue ? cue.dataset.cue : null,
                    cueTitle: cue ? cue.getAttribute('title') : null,
                    cueText: cue ? cue.innerText.trim() : null,
                    region: region ? region.innerText.trim() : null,
                };
            });
            return out;
        }""")


def assert_popup_fits(pg) -> dict:
    """The open popup is entirely on screen, below the header and clear of the panel.

    Leaflet pans the map to make room for a popup with a short animation: wait until
    the popup has stopped moving (what the user sees), at most 3 s.
    """
    box, last = None, None
    for _ in range(30):
        box = pg.locator(".leaflet-popup").bounding_box()
        if box is not None and box == last:
            break
        last = box
        pg.wait_for_timeout(100)
    mapbox = pg.locator("#map").bounding_box()
    panel = pg.locator("#panel .wz-box").first.bounding_box()
    assert box, "no popup"
    assert box["y"] >= mapbox["y"] - 1 and box["y"] + box["height"] <= VIEWPORT["height"] + 1, \
        f"popup runs off the screen vertically: {box}"
    assert box["x"] >= 0 and box["x"] + box["width"] <= panel["x"] + 1, \
        f"popup runs under the panel or off the screen: {box}, panel at x={panel['x']}"
    # nothing inside the popup is cut off: the content is not wider than the popup
    overflow = pg.evaluate("""() => {
        const c = document.querySelector('.leaflet-popup-content');
        return [...c.querySelectorAll('table')].map(t => t.scrollWidth - c.clientWidth);
    }""")
    assert all(o <= 1 for o in overflow), f"a popup table is wider than the popup: {overflow}"
    return box


def set_toggle(pg, layer_id: str, on: bool) -> None:
    box = pg.locator(f"#toggle-{layer_id}")
    assert box.count() == 1, f"no layer toggle for {layer_id}"
    box.set_checked(on)


def visible_gemeenten(pg, site) -> list[dict]:
    """Gemeenten whose label point is on screen with the gemeenten layer on top there."""
    out = []
    for g in site["gemeenten"]:
        x, y = screen_point(pg, *g["label_point"])
        if layer_at(pg, x, y) == "gemeenten":
            out.append({**g, "xy": (x, y)})
    return out


def expected_vs_seen(pg, site, gemeenten, indicator) -> list[tuple[str, tuple, tuple, str]]:
    field = indicator["field"]
    rows = []
    for g in gemeenten:
        cls = classify(indicator, site["props"][g["gemeentecode"]].get(field))
        rows.append((g["gemeentenaam"], hex_rgb(cls["color"]), patch_colour(pg, *g["xy"]), cls["label"]))
    return rows


def assert_choropleth(pg, site, gemeenten, indicator, timeout_s=5.0) -> list[tuple]:
    """Every sampled gemeente shows its legend colour (re-sampled until timeout_s)."""
    import time

    deadline = time.monotonic() + timeout_s
    while True:
        rows = expected_vs_seen(pg, site, gemeenten, indicator)
        wrong = [r for r in rows if not close(r[1], r[2])]
        if not wrong or time.monotonic() > deadline:
            break
        pg.wait_for_timeout(200)
    assert not wrong, (f"indicator {indicator['field']}: gemeenten not in their legend colour "
                       f"(name, expected, seen, class): {wrong}")
    return rows


# --------------------------------------------------------------------------------------------
# The browser tests
# --------------------------------------------------------------------------------------------

@pytest.mark.browser
def test_viewer_page_basics(page, site, shots):
    cat = site["catalog"]
    title = page.locator("#title").inner_text()
    assert title == f"{cat['title']} \u2013 {cat['region']}"
    assert page.evaluate("() => window.wzMap instanceof L.Map")
    gem_legend = site["layers"]["gemeenten"]["legend"]
    assert page.evaluate("() => window.wzState.indicator") == gem_legend["default"]
    # one option per indicator, labelled with the indicator titles
    options = page.locator("#indicator option").all_inner_texts()
    assert options == [i["title"] for i in gem_legend["indicators"]]
    # layer toggles with Dutch labels
    toggles = page.locator("#layer-toggles").inner_text()
    for label in ("Gemeenten", "Wijken", "Zorglocaties"):
        assert label in toggles
    # the attribution of the catalog is on the map
    assert cat["attribution"] in page.locator(".leaflet-control-attribution").inner_text()
    # nothing was fetched from outside the server
    hosts = page.evaluate("() => performance.getEntriesByType('resource').map(e => new URL(e.name).host)")
    own = site["url"].split("//", 1)[1]
    assert hosts and set(hosts) <= {own}, f"resources from elsewhere: {set(hosts) - {own}}"
    page.screenshot(path=str(shots / "viewer_start.png"))


@pytest.mark.browser
def test_choropleth_legend_switch_and_popup(page, site, shots):
    gem_layer = site["layers"]["gemeenten"]
    legend = gem_layer["legend"]
    indicators = {i["field"]: i for i in legend["indicators"]}
    default = indicators[legend["default"]]
    page.screenshot(path=str(shots / "viewer_default.png"))

    # Only the choropleth: wijk lines, points and names would cover the sampled pixels.
    for layer_id in ("wijken", "locaties", "labels"):
        set_toggle(page, layer_id, False)
    next_frames(page)

    background = css_rgb(page.evaluate("() => getComputedStyle(window.wzMap.getContainer()).backgroundColor"))
    sample = visible_gemeenten(page, site)
    assert len(sample) >= min(5, len(site["gemeenten"])), \
        f"only {len(sample)} gemeenten visible under their label point"

    # 2. the default indicator is drawn in its legend colours
    rows = assert_choropleth(page, site, sample, default)
    seen = {r[2] for r in rows}
    assert all(not close(c, background, 1) for c in seen), "a gemeente is drawn in the background colour"
    legend_colours = {hex_rgb(c["color"]) for c in default["classes"]}
    assert len({c for c in seen if any(close(c, l) for l in legend_colours)}) >= 2, \
        f"expected at least 2 distinct legend colours on the map, saw {seen}"

    # legend panel shows the default indicator
    text = page.locator("#legend").inner_text()
    assert default["title"] in text
    for c in default["classes"]:
        assert c["label"] in text
    assert default["no_data"]["label"] in text
    if default.get("leeswijzer"):
        assert default["leeswijzer"]["bron"] in text
        assert default["leeswijzer"]["peildatum"] in text

    # 3. switch to another indicator (stedelijkheid when there is one)
    other = indicators.get("stedelijkheid") or next(i for f, i in indicators.items() if f != default["field"])
    page.select_option("#indicator", other["field"])
    page.wait_for_selector(f'body[data-indicator="{other["field"]}"]', state="attached", timeout=10_000)
    text = page.locator("#legend").inner_text()
    assert other["title"] in text
    for c in other["classes"]:
        assert c["label"] in text, f"legend lacks class {c['label']!r}"
    old_only = [c["label"] for c in default["classes"]
                if all(c["label"] != n["label"] for n in other["classes"])]
    assert not any(label in text for label in old_only), "legend still shows the old classes"
    if other["field"] == "stedelijkheid":
        assert "zeer sterk stedelijk" in text and "niet stedelijk" in text

    rows2 = assert_choropleth(page, site, sample, other)
    new_colours = {hex_rgb(c["color"]) for c in other["classes"]}
    changed = [r2 for r1, r2 in zip(rows, rows2) if not close(r1[2], r2[2])]
    assert changed, "switching the indicator did not change any colour on the map"
    assert len({r[2] for r in rows2 if any(close(r[2], c) for c in new_colours)}) >= 2
    page.screenshot(path=str(shots / f"viewer_{other['field']}.png"))

    # 4. click a gemeente at its label point: popup with its name and Dutch numbers
    props_of = site["props"]
    fields = {f["name"]: f for f in gem_layer["fields"]}
    target = max(sample, key=lambda g: props_of[g["gemeentecode"]].get("inwoners") or 0)
    props = props_of[target["gemeentecode"]]
    page.mouse.click(*target["xy"])
    popup = page.locator(".leaflet-popup-content")
    popup.wait_for(state="visible", timeout=5_000)
    content = popup.inner_text()
    assert target["gemeentenaam"] in page.locator(".leaflet-popup-content h3").inner_text()
    inwoners = props["inwoners"]
    assert inwoners >= 1000, "pick a gemeente with a thousand separator in its number of inhabitants"
    assert dutch(inwoners, fields["inwoners"]["decimals"]) in content, \
        f"inhabitants {inwoners} not written the Dutch way in the popup: {content!r}"
    assert re.search(r"\b\d{1,3}(\.\d{3})+\b", content), "no thousand separator '.' in the popup"
    aandeel = props.get("aandeel_75plus")
    if aandeel is not None and fields["aandeel_75plus"]["popup"]:
        expected = dutch(aandeel, fields["aandeel_75plus"]["decimals"]) + fields["aandeel_75plus"]["unit"]
        assert expected in content, f"expected {expected!r} in the popup: {content!r}"
        assert "," in expected
    # the gap by ZZP group, with the field aliases
    for name in ("tekort_zzp4", "tekort_zzp5_7", "tekort_zzp6_8", "tekort_overig"):
        if name in fields:
            short = fields[name]["alias"].split(", ")[-1]
            assert short in content, f"gap table lacks {short!r}"
    # missing values read "geen gegevens", never "null"/"undefined"/"NaN"
    assert not re.search(r"\b(null|undefined|NaN)\b", content)
    assert page.evaluate("() => window.wzState.selected") == target["gemeentecode"]

    # the region's values beside the gemeente's, in a "Regio" column
    region_values = gem_layer["region_values"]
    headers = page.locator(".leaflet-popup-content thead th").all_inner_texts()
    assert [h.strip().lower() for h in headers].count("regio") == 2, \
        f"expected a 'Regio' column head above the indicators and above the gap table: {headers}"
    rows = popup_rows(page)
    assert "aandeel_75plus" in rows, f"no aandeel_75plus row in the popup: {list(rows)}"
    region_aandeel = region_values["aandeel_75plus"]
    expected_region = dutch(region_aandeel, 1) + "%"
    assert "," in expected_region
    row = rows["aandeel_75plus"]
    assert row["region"] == expected_region, f"region value of aandeel_75plus: {row}"
    assert row["value"] == dutch(aandeel, 1) + "%"
    cue = expected_cue(aandeel, region_aandeel, 1)
    assert row["cue"] == cue and row["cueTitle"] == CUE_TITLES[cue] and row["cueText"] == CUE_GLYPHS[cue], \
        f"gemeente {aandeel} vs region {region_aandeel}: expected the cue {cue!r}, got {row}"
    # a region value exactly where the catalog has one; every numeric rate gets a cue
    for name, r in rows.items():
        if name in region_values and not isinstance(region_values[name], dict):
            assert r["region"], f"{name}: the catalog has a region value but the popup shows none"
        else:
            assert not r["region"], f"{name}: the popup shows a region value the catalog does not have"
    for name in ("clienten_per_1000_75plus", "groei_toewijzingen", "locaties_per_1000_clienten"):
        f = fields.get(name)
        if f and f["popup"] and name in region_values and props.get(name) is not None:
            assert rows[name]["cue"] == expected_cue(props[name], region_values[name], f["decimals"]), rows[name]
            assert rows[name]["region"] == dutch(region_values[name], f["decimals"]) + ("%" if f["unit"] == "%" else "")
    # the gap table: the region's gap per ZZP group and in total
    for name in ("tekort_zzp4", "tekort_zzp5_7", "tekort_zzp6_8", "tekort_overig", "tekort_totaal"):
        if name in fields and name in region_values:
            assert rows[name]["region"] == dutch(region_values[name], fields[name]["decimals"]), \
                f"region gap {name}: {rows[name]}"
    assert_popup_fits(page)
    page.screenshot(path=str(shots / "viewer_popup_gemeente.png"))


@pytest.mark.browser
def test_click_zorglocatie_opens_its_popup(page, site, shots):
    loc_layer = site["layers"]["locaties"]
    z = loc_layer["minzoom"]
    size_field = loc_layer["legend"].get("size_field")
    points = []
    for tx, ty, feat in read_tiles(site["url"], loc_layer, z):
        if feat["geometry"]["type"] != "Point":
            continue
        px, py = feat["geometry"]["coordinates"]
        ext = feat["extent"]
        n = 2 ** z
        lon = (tx + px / ext) / n * 360.0 - 180.0
        lat = math.degrees(math.atan(math.sinh(math.pi * (1 - 2 * (ty + py / ext) / n))))
        points.append((lon, lat, feat["properties"]))
    assert points, "no zorglocaties in the tiles"
    set_toggle(page, "labels", False)
    next_frames(page)

    # a large location with no other location within 25 px, on top at its own position
    placed = [(screen_point(page, lon, lat), p) for lon, lat, p in points]
    placed.sort(key=lambda item: -(item[1].get(size_field) or 0) if size_field else 0)
    target = None
    for (x, y), p in placed:
        lonely = all(math.hypot(x - x2, y - y2) > 25 for (x2, y2), p2 in placed if p2 is not p)
        if lonely and layer_at(page, x, y) == "locaties":
            target = ((x, y), p)
            break
    assert target, "no isolated zorglocatie on screen to click"
    (x, y), props = target
    page.mouse.click(x, y)
    popup = page.locator(".leaflet-popup-content")
    popup.wait_for(state="visible", timeout=5_000)
    assert props[loc_layer["label_field"]] in page.locator(".leaflet-popup-content h3").inner_text()
    content = popup.inner_text()
    if size_field and props.get(size_field) is not None:
        assert dutch(props[size_field], 0) in content
    page.screenshot(path=str(shots / "viewer_popup_locatie.png"))


def wijk_to_click(build: Path) -> dict:
    """A wijk and a point well inside it (geopandas on the build's GeoPackage, EPSG:4326)."""
    import geopandas as gpd

    wijken = gpd.read_file(build / "wonenzorg.gpkg", layer="wijken")
    assert len(wijken), "no wijken in the GeoPackage"
    points = wijken.geometry.representative_point()
    # the representative point farthest from the wijk's border (tiles are simplified a bit)
    margin = [geom.boundary.distance(pt) for geom, pt in zip(wijken.geometry, points)]
    best = max(range(len(wijken)), key=lambda i: margin[i])
    lonlat = gpd.GeoSeries([points.iloc[best]], crs=wijken.crs).to_crs(4326).iloc[0]
    row = wijken.iloc[best]
    props = {}
    for k in wijken.columns:
        if k == "geometry":
            continue
        v = row[k].item() if hasattr(row[k], "item") else row[k]     # numpy -> Python
        props[k] = None if isinstance(v, float) and math.isnan(v) else v
    return {"lon": lonlat.x, "lat": lonlat.y, "props": props}


def view_at(pg, lon: float, lat: float, zoom: float) -> tuple[float, float]:
    """Centre the map on a point at a zoom level, wait for the tiles, return its screen point."""
    pg.evaluate("([lat, lon, z]) => { window.wzMap.closePopup(); window.wzMap.setView([lat, lon], z, {animate: false}); }",
                [lat, lon, zoom])
    pg.evaluate("() => window.wzViewer.whenTilesLoaded()")
    next_frames(pg)
    assert abs(pg.evaluate("() => window.wzMap.getZoom()") - zoom) < 1e-9
    return screen_point(pg, lon, lat)


def open_popup_at(pg, x: float, y: float) -> str:
    pg.mouse.click(x, y)
    pg.locator(".leaflet-popup-content").wait_for(state="visible", timeout=5_000)
    return pg.locator(".leaflet-popup-content h3").inner_text()


@pytest.mark.browser
def test_click_wijk_when_zoomed_in(page, site, demo_build, shots):
    wijk_layer = site["layers"]["wijken"]
    fields = {f["name"]: f for f in wijk_layer["fields"]}
    clickable_from = page.evaluate("() => window.wzViewer.wijkClickZoom")
    assert clickable_from == 11
    target = wijk_to_click(demo_build)
    wprops = target["props"]
    wijknaam, gemeentenaam = wprops["wijknaam"], wprops["gemeentenaam"]
    # points and names would be clicked instead of the area below them
    for layer_id in ("locaties", "labels"):
        set_toggle(page, layer_id, False)
    assert page.locator("#toggle-wijken").is_checked()

    # zoom 10: the wijk outlines are drawn but not clickable; the click is a gemeente click
    x, y = view_at(page, target["lon"], target["lat"], 10)
    assert layer_at(page, x, y) == "gemeenten", "below zoom 11 the wijken must not take the clicks"
    assert gemeentenaam in open_popup_at(page, x, y)
    assert "Zoom verder in" in page.locator("#hint").inner_text()

    # zoom 12: the same click opens the wijk's popup
    x, y = view_at(page, target["lon"], target["lat"], 12)
    page.mouse.move(x, y)
    page.wait_for_function("() => document.querySelector('.wz-info')?.innerText.includes(%s)" % json.dumps(wijknaam),
                           timeout=5_000)
    title = open_popup_at(page, x, y)
    assert wijknaam in title, f"expected the popup of wijk {wijknaam!r}, got {title!r}"
    content = page.locator(".leaflet-popup-content").inner_text()
    assert "wijk" in page.locator(".leaflet-popup-content .wz-kicker").inner_text().lower()
    assert page.evaluate("() => window.wzState.selectedWijk") == wprops[wijk_layer["id_field"]]
    # its popup fields with the region's values beside them
    rows = popup_rows(page)
    shown = [f["name"] for f in wijk_layer["fields"]
             if f["popup"] and f["name"] not in (wijk_layer["id_field"], wijk_layer["label_field"])]
    assert list(rows) == shown, f"wijk popup rows {list(rows)} != popup fields {shown}"
    region_values = wijk_layer["region_values"]
    if "gemeentenaam" in rows:
        assert rows["gemeentenaam"]["value"] == gemeentenaam
        assert not rows["gemeentenaam"]["region"], "no region value for the gemeente name"
    a = wprops.get("aandeel_75plus")
    if a is not None and "aandeel_75plus" in region_values:
        f = fields["aandeel_75plus"]
        row = rows["aandeel_75plus"]
        assert row["value"] == dutch(a, f["decimals"]) + "%"
        assert row["region"] == dutch(region_values["aandeel_75plus"], f["decimals"]) + "%"
        assert row["cue"] == expected_cue(a, region_values["aandeel_75plus"], f["decimals"])
    if wprops.get("inwoners") is not None:
        assert dutch(wprops["inwoners"], 0) in content
    assert not re.search(r"\b(null|undefined|NaN)\b", content)
    assert_popup_fits(page)
    page.screenshot(path=str(shots / "viewer_popup_wijk.png"))

    # from the wijk on to its gemeente
    button = page.locator('.leaflet-popup-content [data-wz-action="gemeente"]')
    if button.count():
        button.click()
        page.wait_for_function("() => document.querySelector('.leaflet-popup-content h3')?.innerText.includes(%s)"
                               % json.dumps(gemeentenaam), timeout=5_000)
        assert page.evaluate("() => window.wzState.selectedWijk") is None

    # wijken switched off: at zoom 12 the click is a gemeente click again
    set_toggle(page, "wijken", False)
    x, y = view_at(page, target["lon"], target["lat"], 12)     # a popup may have panned the map
    assert gemeentenaam in open_popup_at(page, x, y)
    assert page.evaluate("() => window.wzState.selectedWijk") is None


@pytest.mark.browser
def test_api_docs_work_offline_under_the_csp(browser, live_server):
    """/docs renders every operation of the OpenAPI document with files from the server only."""
    doc = get_json(live_server + "/openapi.json")
    operations = sum(1 for item in doc["paths"].values() for method in item if method in ("get", "head"))
    context = browser.new_context(viewport=VIEWPORT, locale="nl-NL")
    context.add_init_script(CSP_RECORDER)
    pg = context.new_page()
    errors, hosts = [], set()
    pg.on("pageerror", lambda exc: errors.append(f"pageerror: {exc}"))
    pg.on("console", lambda msg: errors.append(f"console.error: {msg.text}") if msg.type == "error" else None)
    pg.on("request", lambda req: hosts.add(req.url.split("/")[2]))
    try:
        first = pg.goto(live_server + "/docs")
        assert "default-src 'self'" in first.headers.get("content-security-policy", "")
        pg.wait_for_function("n => document.querySelectorAll('.opblock').length >= n", arg=operations,
                             timeout=30_000)
        assert pg.locator(".opblock").count() == operations
        violations = pg.evaluate("() => window.wzCsp")
    finally:
        context.close()
    assert hosts == {live_server.split("//", 1)[1]}, f"requests to other hosts: {hosts}"
    assert not errors, errors
    assert not violations, violations
