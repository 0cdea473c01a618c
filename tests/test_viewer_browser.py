"""The web viewer (static/) in a real headless Chromium against a real ``wz serve`` on the demo build.

Expected values never come from the viewer: colours are the catalog legend's colour of a value read
independently (the vector tiles decoded in Python, the API answers fetched with urllib, the build's
GeoPackage read with geopandas); numbers are the API's, formatted the Dutch way here.

Every page is watched for console errors, failed requests, Content-Security-Policy violations and
requests to any other host than the test server. A screenshot of every state is written to
tests/screenshots/ (git-ignored), or to $WZ_SCREENSHOT_DIR.
"""

from __future__ import annotations

import gzip
import itertools
import json
import math
import os
import re
import struct
import urllib.error
import urllib.parse
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
SCREENSHOTS = Path(os.environ.get("WZ_SCREENSHOT_DIR") or ROOT / "tests" / "screenshots")


# --------------------------------------------------------------------------------------------
# Pure checks (no browser)
# --------------------------------------------------------------------------------------------

def viewer_modules() -> list[Path]:
    return sorted(p for p in STATIC.glob("*.js") if p.name != "docs.js")


def test_index_html_and_modules_load_nothing_from_the_internet():
    html = (STATIC / "index.html").read_text(encoding="utf-8")
    assert not re.search(r"https?://", html, re.I), "index.html must not reference http(s) URLs (no CDN)"
    refs = re.findall(r"""(?:src|href)\s*=\s*["']([^"']*)["']""", html, re.I)
    assert refs, "index.html references no scripts or styles at all?"
    for ref in refs:
        assert not ref.startswith("//"), f"protocol-relative URL in index.html: {ref}"
        assert ref.startswith("/") or ref.startswith("data:") or ref.startswith("#"), \
            f"index.html should only load files from the wz server itself: {ref}"
    for path in viewer_modules() + [STATIC / "style.css"]:
        text = path.read_text(encoding="utf-8")
        assert not re.search(r"""(?:fetch|src|href|url|import)\s*\(?\s*["']?https?://""", text, re.I), \
            f"static/{path.name} loads something from the internet"


def test_viewer_is_small_es_modules_without_a_build_step():
    html = (STATIC / "index.html").read_text(encoding="utf-8")
    assert re.search(r'<script type="module" src="/static/main\.js"></script>', html)
    assert not (STATIC / "app.js").exists(), "the old single-file viewer is gone"
    assert "vectorgrid" not in html.lower()
    modules = {p.name for p in viewer_modules()}
    assert {"main.js", "map.js", "controls.js", "panel.js", "charts.js", "state.js", "search.js",
            "locations.js", "api.js"} <= modules
    for path in viewer_modules():
        text = path.read_text(encoding="utf-8")
        for spec in re.findall(r"""^\s*import\s[^;]*?from\s+['"]([^'"]+)['"]""", text, re.M):
            assert spec.startswith("./") and (STATIC / spec[2:]).is_file(), \
                f"{path.name} imports {spec!r}: only relative imports of the viewer's own files (no bundler)"
        assert len(text.splitlines()) < 450, f"{path.name} is no longer a small module"
        for pattern in (r"\beval\s*\(", r"new\s+Function\s*\(", r"\b\w+\._[a-zA-Z]\w*\b"):
            hits = [m.group(0) for m in re.finditer(pattern, text) if not m.group(0).startswith("this._")]
            assert not hits, f"{path.name} uses {hits}: no eval and no private names of libraries"


def test_vendor_packages_are_pinned_and_vectorgrid_is_gone():
    pkg = json.loads((STATIC / "package.json").read_text(encoding="utf-8"))
    deps = pkg["dependencies"]
    assert "leaflet.vectorgrid" not in deps
    assert {"leaflet", "maplibre-gl", "maplibre-gl-leaflet"} <= set(deps)
    lock = json.loads((STATIC / "package-lock.json").read_text(encoding="utf-8"))
    for name, version in deps.items():
        pinned = version.rsplit("@", 1)[-1]          # "npm:@maplibre/maplibre-gl-leaflet@0.1.4"
        assert re.fullmatch(r"\d+\.\d+\.\d+", pinned), f"{name} is not pinned to an exact version: {version}"
        assert lock["packages"][f"node_modules/{name}"]["version"] == pinned
    # the Leaflet binding of MapLibre is the maintained package of the MapLibre organisation
    assert deps["maplibre-gl-leaflet"].startswith("npm:@maplibre/maplibre-gl-leaflet@")
    assert "leaflet.vectorgrid" not in json.dumps(lock)
    assert pkg.get("scarfSettings", {}).get("enabled") is False


def test_javascript_knows_no_layer_field_group_year_or_scenario(demo_build):
    """Everything the viewer shows of the data comes from the catalog, nothing is written in its code."""
    catalog = json.loads((demo_build / "catalog.json").read_text(encoding="utf-8"))
    fc = catalog["forecast"]
    assert len(catalog["sectors"]) >= 2, "the demo build has several sectors"
    names = {l["id"] for l in catalog["layers"]}
    for sector in catalog["sectors"]:
        names |= {sector["id"], sector["code"], sector["short"], sector["label"], sector["layer"]}
        names |= {g["id"] for g in sector["groups"]} | {g["label"] for g in sector["groups"]}
    names |= {str(s["id"]) for s in fc["demand_scenarios"]}
    for theme in catalog["themes"]:
        names.add(theme["id"])
        for ind in theme["indicators"]:
            names.add(ind["id"])
            names |= {w["field"] for w in ind["levels"].values()}
            names |= {w["layer"] for w in ind["levels"].values()}
    # the measure names of /api/prognose are the API contract (docs/viewer-api.md), not catalog data
    contract = {"vraag", "plaatsen", "tekort", "tekort_totaal", "clienten", "extra_thuis", "extra_intramuraal"}
    for path in viewer_modules():
        # the code without its comments (an example in a comment decides nothing)
        text = re.sub(r"/\*.*?\*/|(?<![:'\"])//[^\n]*", "", path.read_text(encoding="utf-8"), flags=re.S)
        for name in sorted(names - contract):
            assert not re.search(r"""['"`]""" + re.escape(name) + r"""['"`]""", text), \
                f"{path.name} names {name!r} of the catalog"
        for year in fc["years"] + [catalog["target_year"]]:
            assert not re.search(rf"(?<![\d.])(?<!\\u){year}(?![\d.])", text), f"{path.name} names the year {year}"


# ---- colour vision: sector colours simulated (Machado, Oliveira & Fernandes 2009, severity 1) ----

MACHADO = {
    "protanopie": ((0.152286, 1.052583, -0.204868), (0.114503, 0.786281, 0.099216), (-0.003882, -0.048116, 1.051998)),
    "deuteranopie": ((0.367322, 0.860646, -0.227968), (0.280085, 0.672501, 0.047413), (-0.011820, 0.042940, 0.968881)),
    "tritanopie": ((1.255528, -0.076749, -0.178779), (-0.078411, 0.930809, 0.147602), (0.004733, 0.691367, 0.303900)),
}
MIN_DELTA_E = 15      # CIE76 distance that every pair of sector colours keeps under every simulation


def hex_rgb(colour: str) -> tuple[int, int, int]:
    colour = colour.lstrip("#")
    return tuple(int(colour[k:k + 2], 16) for k in (0, 2, 4))


def to_linear(c: float) -> float:
    c /= 255
    return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4


def lab(linear_rgb) -> tuple[float, float, float]:
    r, g, b = (min(1.0, max(0.0, v)) for v in linear_rgb)
    x = (0.4124 * r + 0.3576 * g + 0.1805 * b) / 0.95047
    y = 0.2126 * r + 0.7152 * g + 0.0722 * b
    z = (0.0193 * r + 0.1192 * g + 0.9505 * b) / 1.08883
    f = [t ** (1 / 3) if t > 0.008856 else 7.787 * t + 16 / 116 for t in (x, y, z)]
    return 116 * f[1] - 16, 500 * (f[0] - f[1]), 200 * (f[1] - f[2])


def seen_as(colour: str, matrix) -> tuple[float, float, float]:
    rgb = [to_linear(v) for v in hex_rgb(colour)]
    return lab([sum(row[k] * rgb[k] for k in range(3)) for row in matrix])


def delta_e(c1: str, c2: str, matrix=((1, 0, 0), (0, 1, 0), (0, 0, 1))) -> float:
    return math.dist(seen_as(c1, matrix), seen_as(c2, matrix))


def test_simulation_confuses_what_colour_blind_readers_confuse():
    """The check below can fail: classic confusion pairs do collapse under the simulation."""
    assert delta_e("#d62728", "#2ca02c") > 60                                   # red and green, normal vision
    assert delta_e("#c0392b", "#6b8e23", MACHADO["deuteranopie"]) < 0.4 * delta_e("#c0392b", "#6b8e23")
    assert delta_e("#ff0000", "#7f7f00", MACHADO["protanopie"]) < MIN_DELTA_E


def test_sector_colours_stay_apart_for_colour_blind_readers(demo_build):
    catalog = json.loads((demo_build / "catalog.json").read_text(encoding="utf-8"))
    points = [l for l in catalog["layers"] if l["geometry_type"] == "point" and l.get("in_viewer", True)]
    assert points, "no point layer in the viewer"
    for layer in points:
        legend = next(i for i in layer["legend"]["indicators"] if i["field"] == layer["legend"]["default"])
        colours = [c["color"] for c in legend["classes"]]
        assert len(colours) >= 2
        for (a, b), (name, m) in itertools.product(itertools.combinations(colours, 2), MACHADO.items()):
            d = delta_e(a, b, m)
            assert d >= MIN_DELTA_E, f"{layer['id']}: {a} and {b} look alike with {name} (delta E {d:.1f})"


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


def close(c1, c2, tol=COLOUR_TOLERANCE) -> bool:
    return all(abs(a - b) <= tol for a, b in zip(c1, c2))


def get(url: str) -> tuple[int, bytes, dict]:
    try:
        with urllib.request.urlopen(url, timeout=20) as r:
            return r.status, r.read(), dict(r.headers)
    except urllib.error.HTTPError as e:
        return e.code, b"", dict(e.headers)


def get_json(url: str):
    status, body, _ = get(url)
    assert status == 200, f"{url}: HTTP {status}"
    return json.loads(body)


def tile_xy(lon: float, lat: float, z: int) -> tuple[int, int]:
    n = 2 ** z
    x = int((lon + 180.0) / 360.0 * n)
    y = int((1.0 - math.asinh(math.tan(math.radians(lat))) / math.pi) / 2.0 * n)
    return min(max(x, 0), n - 1), min(max(y, 0), n - 1)


def tile_properties(base: str, layer: dict) -> dict[str, dict]:
    """The attributes of every feature of a layer, read from its vector tiles (minzoom), by id."""
    import mapbox_vector_tile

    z = layer["minzoom"]
    w, s, e, n = layer["bounds"]
    x0, y0 = tile_xy(w, n, z)
    x1, y1 = tile_xy(e, s, z)
    out = {}
    for x in range(x0, x1 + 1):
        for y in range(y0, y1 + 1):
            status, body, _ = get(f"{base}/tiles/{layer['id']}/{z}/{x}/{y}.pbf")
            if status == 204:
                continue
            assert status == 200, f"tile {layer['id']}/{z}/{x}/{y}: HTTP {status}"
            if body[:2] == b"\x1f\x8b":
                body = gzip.decompress(body)
            for feat in mapbox_vector_tile.decode(body).get(layer["id"], {}).get("features", []):
                out[feat["properties"][layer["id_field"]]] = feat["properties"]
    return out


def classify(legend: dict, value) -> dict:
    """The legend class of a value, as the catalog defines it (the viewer must agree)."""
    if value is None:
        return legend["no_data"]
    for c in legend["classes"]:
        if legend["kind"] == "categories":
            if c["value"] == value or str(c["value"]) == str(value):
                return c
        elif (c["min"] is None or value >= c["min"]) and (c["max"] is None or value < c["max"]):
            return c
    return legend["no_data"]


def dutch(value: float, decimals: int = 0) -> str:
    """Dutch number: '.' between thousands, decimal comma (ties away from zero, like JS)."""
    q = Decimal(value).quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)
    text = f"{abs(q):,.{decimals}f}".replace(",", "_").replace(".", ",").replace("_", ".")
    return ("-" if q < 0 else "") + text


def fold(text: str) -> str:
    import unicodedata

    return "".join(c for c in unicodedata.normalize("NFD", text) if not unicodedata.combining(c)).lower()


# --------------------------------------------------------------------------------------------
# Browser fixtures
# --------------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def browser():
    if not CHROMIUM.exists():
        pytest.skip(f"browser test skipped: no Chromium at {CHROMIUM} (apt-get install chromium)")
    for path in ("leaflet/dist/leaflet.js", "maplibre-gl/dist/maplibre-gl.js", "maplibre-gl-leaflet/leaflet-maplibre-gl.js"):
        assert (STATIC / "node_modules" / path).exists(), f"{path} missing: run `npm ci` in static/"
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=str(CHROMIUM), args=LAUNCH_ARGS)
        try:
            yield b
        finally:
            b.close()


@pytest.fixture(scope="module")
def site(live_server):
    """What the server says, fetched once: catalog, layers, areas, and feature attributes from tiles
    (the gemeenten', the wijken's and every sector's layer's)."""
    catalog = get_json(live_server + "/api/catalog")
    layers = {l["id"]: l for l in catalog["layers"]}
    gem_layer = layers["gemeenten"]
    areas = get_json(live_server + "/api/gebieden")
    return {"url": live_server, "catalog": catalog, "layers": layers,
            "sectors": catalog["sectors"],
            "props": tile_properties(live_server, gem_layer),
            "care_props": {s["id"]: tile_properties(live_server, layers[s["layer"]]) for s in catalog["sectors"]},
            "wijk_props": tile_properties(live_server, layers["wijken"]),
            "gemeenten": [a for a in areas if a["niveau"] == "gemeente"],
            "wijken": [a for a in areas if a["niveau"] == "wijk"], "areas": areas}


@pytest.fixture(scope="module")
def shots() -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    return SCREENSHOTS


#: collects every Content-Security-Policy violation of a page in window.wzCsp (before any script runs)
CSP_RECORDER = """
window.wzCsp = [];
document.addEventListener('securitypolicyviolation', e => window.wzCsp.push(
    e.violatedDirective + ' blocked ' + e.blockedURI + ' at ' + e.sourceFile + ':' + e.lineNumber));
"""


class Viewer:
    """A viewer page with everything it does recorded: errors, requests, CSP violations."""

    def __init__(self, browser, site, viewport=VIEWPORT, hash_="", routes=()):
        self.site = site
        self.context = browser.new_context(viewport=viewport, device_scale_factor=1, locale="nl-NL")
        self.context.add_init_script(CSP_RECORDER)
        for matcher, handler in routes:           # answers changed by the test, before the page loads
            self.context.route(matcher, handler)
        self.page = self.context.new_page()
        self.errors: list[str] = []
        self.requests: list[str] = []
        pg = self.page
        pg.on("pageerror", lambda exc: self.errors.append(f"pageerror: {exc}"))
        pg.on("console", self._console)
        pg.on("response", self._response)
        pg.on("request", lambda req: self.requests.append(req.url))
        first = pg.goto(site["url"] + "/" + hash_)
        assert "default-src 'self'" in first.headers.get("content-security-policy", ""), \
            "the viewer must be tested under the server's Content-Security-Policy"
        try:
            pg.wait_for_selector('body[data-ready="1"]', state="attached", timeout=60_000)
        except Exception as exc:  # noqa: BLE001 - turn a timeout into a useful message
            info = pg.evaluate("() => ({...document.body.dataset, message: document.getElementById('message')?.textContent})")
            raise AssertionError(f"viewer never became ready: {info}; errors: {self.errors}") from exc

    def _console(self, msg):
        # failed requests are judged by _response, which knows the URL
        if msg.type == "error" and not msg.text.startswith("Failed to load resource"):
            self.errors.append(f"console.error: {msg.text}")

    def _response(self, resp):
        # the contract allows 404 for tiles outside a layer's zoom range or bounds
        if resp.status >= 400 and not (resp.status == 404 and "/tiles/" in resp.url):
            self.errors.append(f"HTTP {resp.status}: {resp.url}")

    def close(self):
        violations = self.page.evaluate("() => window.wzCsp")
        self.context.close()
        own = self.site["url"].split("//", 1)[1]
        elsewhere = sorted({u for u in self.requests if urllib.parse.urlsplit(u).netloc != own
                            and not u.startswith(("data:", "blob:"))})
        assert not elsewhere, f"requests that leave {own}: {elsewhere}"
        assert not self.errors, f"errors in the viewer: {self.errors}"
        assert not violations, f"the viewer breaks the Content-Security-Policy: {violations}"

    # ---- helpers ------------------------------------------------------------------------

    def drawn(self, **changes) -> str:
        """Wait until the state (current one with `changes`) is drawn; returns its key."""
        s = self.state()
        s.update({k: str(v) for k, v in changes.items()})
        key = "|".join(str(s[k]) for k in ("theme", "indicator", "level", "jaar", "vraag", "levering", "sector"))
        self.page.wait_for_function("k => document.body.dataset.drawn === k", arg=key, timeout=20_000)
        return key

    def state(self) -> dict:
        return self.page.evaluate("() => ({...window.wzViewer.state})")

    def point(self, lon: float, lat: float) -> tuple[float, float]:
        return tuple(self.page.evaluate("([lon, lat]) => window.wzViewer.mapView.pagePoint(lon, lat)", [lon, lat]))

    def view(self, lon: float, lat: float, zoom: float) -> None:
        self.page.evaluate("([lat, lon, z]) => window.wzViewer.map.setView([lat, lon], z, {animate: false})", [lat, lon, zoom])
        self.settle()

    def patch(self, x: float, y: float) -> tuple[tuple[int, int, int], int]:
        """The most common colour in a small square around (x, y), and how many pixels have it."""
        half = PATCH // 2
        png = self.page.screenshot(clip={"x": round(x) - half, "y": round(y) - half, "width": PATCH, "height": PATCH})
        return Counter(px for row in decode_png(png) for px in row).most_common(1)[0]

    def toggle(self, name: str, on: bool) -> None:
        box = self.page.locator(f"#toggle-{name}")
        assert box.count() == 1, f"no toggle {name}"
        box.set_checked(on)

    def only_the_choropleth(self) -> None:
        for name in ("labels", "outlines", "points"):
            self.toggle(name, False)
        self.page.mouse.move(1, VIEWPORT["height"] - 1)
        self.page.evaluate("() => window.wzViewer.mapView.whenDrawn()")

    def settle(self) -> None:
        """Until the map has stopped moving (a flight to a gemeente) and is drawn."""
        self.page.evaluate("() => window.wzViewer.mapView.settled()")

    def shot(self, shots: Path, name: str, **kw) -> None:
        self.settle()
        self.page.screenshot(path=str(shots / f"{name}.png"), **kw)


@pytest.fixture()
def viewer(browser, site):
    v = Viewer(browser, site)
    yield v
    v.close()


def scenario_api(site, jaar, vraag, levering, sector=None) -> dict:
    """/api/prognose for a sector (the catalog's first when None), year and scenario pair."""
    sector = sector or site["sectors"][0]["id"]
    q = urllib.parse.urlencode({"sector": sector, "jaar": jaar, "vraag": vraag, "levering": levering})
    answer = get_json(f"{site['url']}/api/prognose?{q}")
    assert answer["sector"] == sector
    return answer


def care_layer(site, sector=None) -> str:
    """The layer of a sector's figures (the catalog's first sector when None): zorg_<id>."""
    sector = sector or site["sectors"][0]["id"]
    return next(s["layer"] for s in site["sectors"] if s["id"] == sector)


def layer_of(site, where: dict, sector=None) -> str:
    """The layer a level of an indicator is drawn on, for a sector (the catalog's pattern filled in)."""
    return where["layer"].replace("{sector}", sector or site["sectors"][0]["id"])


def on_screen(v: Viewer, areas: list[dict], pad: int = 20) -> list[dict]:
    box = v.page.locator("#map").bounding_box()
    out = []
    for a in areas:
        x, y = v.point(*a["label_point"])
        if box["x"] + pad < x < box["x"] + box["width"] - pad and box["y"] + pad < y < box["y"] + box["height"] - pad:
            out.append({**a, "xy": (x, y)})
    return out


def assert_colours(v: Viewer, areas: list[dict], legend: dict, value_of) -> list[tuple]:
    """At each area's label point the screen shows the legend colour of its value (re-sampled for 5 s)."""
    import time

    deadline = time.monotonic() + 5
    while True:
        rows = []
        for a in areas:
            cls = classify(legend, value_of(a["code"]))
            seen, _ = v.patch(*a["xy"])
            rows.append((a["naam"], cls["label"], hex_rgb(cls["color"]), seen))
        wrong = [r for r in rows if not close(r[2], r[3])]
        if not wrong or time.monotonic() > deadline:
            break
        v.page.wait_for_timeout(250)
    assert not wrong, f"{legend['field']}: areas not in their legend colour (name, class, expected, seen): {wrong}"
    return rows


def legend_of(site, layer_id: str, field: str) -> dict:
    return next(i for i in site["layers"][layer_id]["legend"]["indicators"] if i["field"] == field)


# --------------------------------------------------------------------------------------------
# The browser tests
# --------------------------------------------------------------------------------------------

@pytest.mark.browser
def test_viewer_shows_what_the_catalog_offers(viewer, site, shots):
    cat, pg = site["catalog"], viewer.page
    assert pg.locator("#title").inner_text() == f"{cat['title']} \u2013 {cat['region']}"
    assert pg.locator("#thema option").all_inner_texts() == [t["title"] for t in cat["themes"]]
    s = viewer.state()
    theme = next(t for t in cat["themes"] if t["id"] == s["theme"])
    assert pg.locator("#indicator option").all_inner_texts() == [i["title"] for i in theme["indicators"]]
    # the first map is the catalog's default legend of the gemeenten
    ind = next(i for i in theme["indicators"] if i["id"] == s["indicator"])
    assert ind["levels"][s["level"]]["field"] == site["layers"]["gemeenten"]["legend"]["default"]
    fc = cat["forecast"]
    assert (s["jaar"], s["vraag"], s["levering"]) == (fc["headline"]["jaar"], fc["headline"]["vraag"], fc["headline"]["levering"])
    # the sector switch: one labelled radio per sector of the catalog, the first chosen
    assert pg.locator("#sector legend").inner_text() == "Sector"
    assert [x.strip() for x in pg.locator("#sector label").all_inner_texts()] == [x["short"] for x in cat["sectors"]]
    for x in cat["sectors"]:
        radio = pg.locator(f"#sector-{x['id']}")
        assert radio.get_attribute("type") == "radio"
        assert x["label"] in radio.get_attribute("aria-label").lower()
    assert s["sector"] == cat["sectors"][0]["id"] and pg.locator(f"#sector-{s['sector']}").is_checked()
    assert pg.locator("#sector-uitleg").inner_text() == cat["sectors"][0]["texts"]["explanation"]
    slider = pg.locator("#jaar")
    assert int(slider.get_attribute("max")) - int(slider.get_attribute("min")) + 1 == len(fc["years"])
    assert pg.locator("#jaar-min").inner_text() == str(fc["years"][0])
    assert pg.locator("#jaar-max").inner_text() == str(fc["years"][-1])
    assert [t.strip() for t in pg.locator("#vraag label").all_inner_texts()] == [d["label"] for d in fc["demand_scenarios"]]
    for d in fc["leveringsvorm_scenarios"]:
        assert d["uitleg"] in pg.locator(f"#levering-{d['id']}").get_attribute("aria-label")
    assert fc["leveringsvorm_scenarios"][0]["uitleg"] in pg.locator("#levering-uitleg").inner_text()
    assert cat["attribution"] in pg.locator(".leaflet-control-attribution").inner_text()
    # the public downloads are linked and answer as attachments
    links = pg.locator("#downloads a")
    assert links.all_inner_texts() == [d["title"] for d in cat["downloads"]]
    for k, d in enumerate(cat["downloads"]):
        href = links.nth(k).get_attribute("href")
        assert href == f"/downloads/{urllib.parse.quote(d['file'])}"
        status, body, headers = get(site["url"] + href)
        assert status == 200 and body, f"{href}: HTTP {status}"
        assert "attachment" in headers.get("content-disposition", ""), href
    # performance marks: the first choropleth once
    assert pg.evaluate("() => performance.getEntriesByName('wz:first-choropleth').length") == 1
    viewer.shot(shots, "01_start")


@pytest.mark.browser
def test_theme_indicator_and_level_switches_recolour_as_the_legend_says(viewer, site, shots):
    cat, pg = site["catalog"], viewer.page
    viewer.only_the_choropleth()
    gemeenten = on_screen(viewer, site["gemeenten"])
    assert len(gemeenten) >= min(5, len(site["gemeenten"])), f"only {len(gemeenten)} gemeenten on screen"
    s = viewer.state()
    ind = next(i for t in cat["themes"] for i in t["indicators"] if i["id"] == s["indicator"])
    field = ind["levels"]["gemeente"]["field"]
    legend = legend_of(site, "gemeenten", field)
    before = assert_colours(viewer, gemeenten, legend, lambda code: site["props"][code].get(field))
    assert len({r[2] for r in before}) >= 2, "expected at least two legend colours on the default map"
    text = pg.locator("#legend").inner_text()
    assert all(c["label"] in text for c in legend["classes"]) and legend["no_data"]["label"] in text
    if legend.get("leeswijzer"):
        assert legend["leeswijzer"]["bron"] in text and legend["leeswijzer"]["peildatum"] in text
    viewer.shot(shots, "02_thema_default")

    def expected(field):
        lg = legend_of(site, "gemeenten", field)
        return [classify(lg, site["props"][g["code"]].get(field))["color"] for g in gemeenten]

    # another indicator of this theme: one that colours these gemeenten differently
    theme = next(t for t in cat["themes"] if t["id"] == s["theme"])
    second = next(i for i in theme["indicators"] if i["id"] != ind["id"] and "gemeente" in i["levels"]
                  and expected(i["levels"]["gemeente"]["field"]) != expected(field))
    pg.select_option("#indicator", second["id"])
    viewer.drawn(indicator=second["id"])
    f2 = second["levels"]["gemeente"]["field"]
    l2 = legend_of(site, "gemeenten", f2)
    after_ind = assert_colours(viewer, gemeenten, l2, lambda code: site["props"][code].get(f2))
    assert [r[3] for r in after_ind] != [r[3] for r in before], "switching the indicator changed no colour"
    text = pg.locator("#legend").inner_text()
    assert second["title"] in text and all(c["label"] in text for c in l2["classes"])
    viewer.shot(shots, f"03_indicator_{second['id']}")

    # another theme: its first indicator, one that exists per wijk as well (for the level below)
    theme = next(t for t in cat["themes"] if t["id"] != s["theme"] and "wijk" in t["indicators"][0]["levels"]
                 and expected(t["indicators"][0]["levels"]["gemeente"]["field"]) != expected(f2))
    pg.select_option("#thema", theme["id"])
    second = theme["indicators"][0]
    viewer.drawn(theme=theme["id"], indicator=second["id"], level="gemeente")
    assert pg.locator("#indicator option").all_inner_texts() == [i["title"] for i in theme["indicators"]]
    f1 = second["levels"]["gemeente"]["field"]
    l1 = legend_of(site, "gemeenten", f1)
    after_theme = assert_colours(viewer, gemeenten, l1, lambda code: site["props"][code].get(f1))
    assert [r[3] for r in after_theme] != [r[3] for r in after_ind], "switching the theme changed no colour"
    text = pg.locator("#legend").inner_text()
    assert second["title"] in text and all(c["label"] in text for c in l1["classes"])
    viewer.shot(shots, f"04_thema_{theme['id']}")

    # level wijk: zoom to the gemeente with the most wijken and sample the wijken's label points
    w = second["levels"]["wijk"]
    lw = legend_of(site, w["layer"], w["field"])
    pg.locator("#niveau-wijk").check()
    viewer.drawn(level="wijk")
    counts = Counter(a["gemeentecode"] for a in site["wijken"])
    code = counts.most_common(1)[0][0]
    g = next(a for a in site["gemeenten"] if a["code"] == code)
    pg.evaluate("b => window.wzViewer.mapView.fitBbox(b, false)", g["bbox"])
    pg.evaluate("() => window.wzViewer.mapView.whenDrawn()")
    wijken = []
    for a in on_screen(viewer, [a for a in site["wijken"] if a["gemeentecode"] == code]):
        colour, n = viewer.patch(*a["xy"])
        if n >= PATCH * PATCH * 0.8:          # a wijk big enough on screen to sample
            wijken.append(a)
    assert len(wijken) >= 3, f"too few wijken of {g['naam']} to sample"
    rows = assert_colours(viewer, wijken, lw, lambda wc: site["wijk_props"][wc].get(w["field"]))
    assert len({r[2] for r in rows}) >= 2 or len(wijken) < 3
    assert lw["title"].split()[0] in pg.locator("#legend").inner_text()
    viewer.shot(shots, f"05_niveau_wijk_{second['id']}")

    # a gemeente-only indicator switches the level back to gemeente and disables "wijk"
    zorg = next(t for t in cat["themes"] if any("wijk" not in i["levels"] for i in t["indicators"]))
    only = next(i for i in zorg["indicators"] if "wijk" not in i["levels"])
    pg.select_option("#thema", zorg["id"])
    pg.select_option("#indicator", only["id"])
    viewer.drawn(theme=zorg["id"], indicator=only["id"], level="gemeente")
    assert pg.locator("#niveau-wijk").is_disabled()
    redraws = pg.evaluate("() => performance.getEntriesByName('wz:redraw').length")
    assert redraws >= 4, f"a wz:redraw mark per drawn change, got {redraws}"


@pytest.mark.browser
def test_year_and_scenario_change_map_and_panel_to_the_apis_numbers(viewer, site, shots):
    cat, pg = site["catalog"], viewer.page
    fc = cat["forecast"]
    theme, ind = next((t, i) for t in cat["themes"] for i in t["indicators"] if i.get("forecast") == "tekort_totaal")
    field = ind["levels"]["gemeente"]["field"]
    care = layer_of(site, ind["levels"]["gemeente"])
    legend = legend_of(site, care, field)
    viewer.only_the_choropleth()
    pg.select_option("#thema", theme["id"])
    pg.select_option("#indicator", ind["id"])
    viewer.drawn(theme=theme["id"], indicator=ind["id"])
    gemeenten = on_screen(viewer, site["gemeenten"])
    # open the panel of the gemeente with the largest gap by clicking it on the map
    head = scenario_api(site, fc["headline"]["jaar"], fc["headline"]["vraag"], fc["headline"]["levering"])
    target = max(gemeenten, key=lambda g: head["gemeenten"][g["code"]]["tekort_totaal"])
    pg.mouse.click(*target["xy"])
    pg.wait_for_function("n => document.querySelector('#gemeente h2')?.innerText === n", arg=target["naam"])
    redraws = pg.evaluate("() => performance.getEntriesByName('wz:redraw').length")

    # another year (by the slider), demand scenario and leveringsvorm scenario (by their buttons)
    k = len(fc["years"]) // 2
    jaar = fc["years"][k]
    vraag = next(d["id"] for d in fc["demand_scenarios"] if d["id"] != fc["headline"]["vraag"])
    levering = next(d["id"] for d in fc["leveringsvorm_scenarios"] if d["id"] != fc["headline"]["levering"])
    pg.locator("#jaar").fill(str(k))
    viewer.drawn(jaar=jaar)
    pg.locator(f"#vraag-{vraag}").check()
    viewer.drawn(vraag=vraag)
    pg.locator(f"#levering-{levering}").check()
    viewer.drawn(levering=levering)
    assert pg.evaluate("() => performance.getEntriesByName('wz:redraw').length") >= redraws + 3
    api = scenario_api(site, jaar, vraag, levering)
    assert (api["jaar"], api["vraag"], api["levering"]) == (jaar, vraag, levering)

    # the map: every gemeente in the legend colour of the API's value for this year and scenario
    assert_colours(viewer, gemeenten, legend, lambda code: api["gemeenten"][code][ind["forecast"]])
    changed = [g for g in gemeenten if classify(legend, api["gemeenten"][g["code"]]["tekort_totaal"])
               != classify(legend, head["gemeenten"][g["code"]]["tekort_totaal"])]
    assert changed, "pick a year and scenario that moves some gemeente to another class"
    assert str(jaar) in pg.locator("#legend").inner_text()
    # the hover box shows the API's number
    other = next(g for g in gemeenten if g["code"] != target["code"])
    pg.mouse.move(*other["xy"])
    pg.wait_for_function("n => document.querySelector('#hoverbox')?.innerText.includes(n)", arg=other["naam"])
    unit = next(f for f in site["layers"][care]["fields"] if f["name"] == field)["unit"]
    number = dutch(api["gemeenten"][other["code"]]["tekort_totaal"])
    assert pg.locator("#hoverbox [data-hover-value]").inner_text() == \
        f"{number}\u00a0{'plaats' if number == '1' and unit == 'plaatsen' else unit}"

    # the panel: exactly the API's numbers (and the per-gemeente API agrees with the region one)
    m = api["gemeenten"][target["code"]]
    q = urllib.parse.urlencode({"sector": site["sectors"][0]["id"], "jaar": jaar, "vraag": vraag, "levering": levering})
    facts = get_json(f"{site['url']}/api/gemeenten/{target['code']}?{q}")
    assert {k2: facts["prognose"][k2] for k2 in m} == m
    panel = pg.locator("#gemeente")
    sub = panel.locator(".wz-sub").first.inner_text()
    assert str(jaar) in sub and f"zorgvraag {vraag}" in sub
    for i, gid in enumerate(api["groepen"]):
        cells = panel.locator(f".wz-gap").first.locator(f'tr[data-group="{gid}"] td').all_inner_texts()
        assert cells == [dutch(m["vraag"][i]), dutch(m["plaatsen"][i]), dutch(m["tekort"][i])], (gid, cells)
        extra = panel.locator(".wz-gap").nth(1).locator(f'tr[data-group="{gid}"] td').all_inner_texts()
        expect = ["\u2013" if v is None else dutch(v) for v in (m["extra_thuis"][i], m["extra_intramuraal"][i])]
        assert extra == expect, (gid, extra, expect)
    assert panel.locator('tr[data-field="tekort_totaal"] td').last.inner_text() == dutch(m["tekort_totaal"])
    for name in ("prognose_clienten", "nieuwe_clienten", "prognose_groei"):
        row = panel.locator(f'tr[data-field="{name}"]')
        if m.get(name) is None:
            assert "geen gegevens" in row.inner_text()
        else:
            assert row.locator("td.wz-value").inner_text().startswith(dutch(m[name]))
            assert row.locator("td.wz-region").inner_text().startswith(dutch(api["regio"][name]))
    # the forecast curve marks the chosen year on the chosen demand scenario's line
    assert panel.locator(f'polyline.wz-line-chosen[data-scenario="{vraag}"]').count() == 1
    k_year = facts["reeks"]["jaren"].index(jaar)
    assert panel.locator("[data-reeks-value]").inner_text() == dutch(facts["reeks"][vraag][k_year])
    viewer.shot(shots, "06_jaar_scenario_panel")


# --------------------------------------------------------------------------------------------
# The sector switch
# --------------------------------------------------------------------------------------------

def legend_shown(pg) -> dict:
    """The legend as the viewer shows it: title, class labels, the layer and field it was drawn from."""
    body = pg.locator("#legend-body")
    return {"title": body.locator(".wz-legend-title").inner_text(),
            "labels": [x.strip() for x in body.locator(".wz-classes li .wz-class-label").all_inner_texts()],
            "colours": [li.get_attribute("data-color") for li in body.locator(".wz-classes li").all()],
            "layer": body.get_attribute("data-layer"), "field": body.get_attribute("data-field")}


def assert_legend_is(pg, legend: dict, layer_id: str, level_title: str) -> None:
    shown = legend_shown(pg)
    assert shown["title"] == f"{legend['title']} ({level_title.lower()})", shown["title"]
    assert shown["labels"] == [c["label"] for c in legend["classes"]] + [legend["no_data"]["label"]], shown["labels"]
    assert shown["colours"] == [c["color"] for c in legend["classes"]] + [legend["no_data"]["color"]]
    assert (shown["layer"], shown["field"]) == (layer_id, legend["field"])


@pytest.mark.browser
def test_sector_switch_redraws_the_care_map_legend_panel_and_url(browser, site, shots):
    cat = site["catalog"]
    fc, head = cat["forecast"], cat["forecast"]["headline"]
    first, other = cat["sectors"][0], cat["sectors"][1]
    theme, ind = next((t, i) for t in cat["themes"] for i in t["indicators"] if i.get("forecast") == "tekort_totaal")
    assert ind["per_sector"] and "{sector}" in ind["levels"]["gemeente"]["layer"]
    field = ind["levels"]["gemeente"]["field"]
    gem_title = site["layers"]["gemeenten"]["title"]
    g = site["gemeenten"][len(site["gemeenten"]) // 2]
    v = Viewer(browser, site, hash_=f"#thema={theme['id']}&indicator={ind['id']}&gemeente={g['code']}")
    try:
        pg = v.page
        assert v.state()["sector"] == first["id"]
        v.only_the_choropleth()
        gemeenten = on_screen(v, site["gemeenten"])
        l1 = legend_of(site, first["layer"], field)
        assert_legend_is(pg, l1, first["layer"], gem_title)
        api1 = scenario_api(site, head["jaar"], head["vraag"], head["levering"], first["id"])
        assert_colours(v, gemeenten, l1, lambda c: api1["gemeenten"][c][ind["forecast"]])

        # the switch by keyboard: the radio group moves with the arrow keys
        pg.locator(f"#sector-{first['id']}").focus()
        pg.keyboard.press("ArrowRight")
        v.drawn(sector=other["id"])
        assert pg.locator(f"#sector-{other['id']}").is_checked()
        assert pg.locator("#sector-uitleg").inner_text() == other["texts"]["explanation"]
        # the map and its legend: the other sector's layer, legend, leeswijzer and the API's numbers
        l2 = legend_of(site, other["layer"], field)
        assert l2["title"] != l1["title"] and [c["label"] for c in l2["classes"]] != [c["label"] for c in l1["classes"]]
        assert_legend_is(pg, l2, other["layer"], gem_title)
        assert l2["leeswijzer"]["uitleg"] in pg.locator("#legend").inner_text()
        assert other["label"] in pg.locator("#legend .wz-kicker").inner_text().lower()
        api2 = scenario_api(site, head["jaar"], head["vraag"], head["levering"], other["id"])
        assert_colours(v, gemeenten, l2, lambda c: api2["gemeenten"][c][ind["forecast"]])
        asked = [urllib.parse.urlsplit(u) for u in v.requests]
        assert any(u.path == "/api/prognose" and urllib.parse.parse_qs(u.query).get("sector") == [other["id"]]
                   for u in asked), "the forecast is asked for the chosen sector"
        assert any(u.path == f"/api/gemeenten/{g['code']}" and urllib.parse.parse_qs(u.query).get("sector") == [other["id"]]
                   for u in asked), "the gemeente's facts are asked for the chosen sector"
        assert f"Prognose {other['short']}" in pg.locator("#scenario-kop").inner_text()

        # the panel: the other sector's groups (labels and colours of the catalog), numbers of the API
        panel = pg.locator(f'#gemeente[data-sector="{other["id"]}"]')
        panel.wait_for(state="visible")
        m = api2["gemeenten"][g["code"]]
        assert api2["groepen"] == [x["id"] for x in other["groups"]]
        gap = panel.locator(".wz-gap").first
        assert [r.get_attribute("data-group") for r in gap.locator("tr[data-group]").all()] == api2["groepen"]
        for i, grp in enumerate(other["groups"]):
            row = gap.locator(f'tr[data-group="{grp["id"]}"]')
            assert row.locator("th").inner_text().strip() == grp["label"]
            assert hex_rgb(grp["color"]) == tuple(int(x) for x in re.findall(r"\d+", row.locator(".wz-swatch").evaluate(
                "el => getComputedStyle(el).backgroundColor"))[:3])
            assert row.locator("td").all_inner_texts() == [dutch(m["vraag"][i]), dutch(m["plaatsen"][i]), dutch(m["tekort"][i])]
        assert panel.locator('tr[data-field="tekort_totaal"] td').last.inner_text() == dutch(m["tekort_totaal"])
        assert other["label"] in panel.locator(".wz-panel-sector").inner_text().lower()
        assert other["texts"]["client_groups"] in panel.inner_text(), "the client groups of the sector's texts"
        facts = get_json(f"{site['url']}/api/gemeenten/{g['code']}?sector={other['id']}")
        k = facts["reeks"]["jaren"].index(head["jaar"])
        assert panel.locator("[data-reeks-value]").inner_text() == dutch(facts["reeks"][head["vraag"]][k])
        # the sector's figures of today, from its layer (observed clients included)
        clients = next(x for x in facts["indicatoren"] if x["field"] == "clienten")
        assert panel.locator('.wz-sector-figures tr[data-field="clienten"] td.wz-value').inner_text().startswith(dutch(clients["value"]))
        # the region overview: one bar per gemeente in the sector's group colours
        overview = pg.locator(f'#overzicht[data-sector="{other["id"]}"]')
        colours = {x["id"]: x["color"] for x in other["groups"]}
        segs = overview.locator(".wz-seg").all()
        assert segs and all(s.get_attribute("fill") == colours[s.get_attribute("data-group")] for s in segs)
        assert overview.locator(".wz-region-total strong").inner_text() == dutch(api2["regio"]["tekort_totaal"])
        v.shot(shots, f"20_sector_{other['id']}")

        # an indicator of the sector that the tiles carry: colours and hover from the sector's layer
        rate = next(i for i in theme["indicators"] if i["per_sector"] and not i.get("forecast"))
        pg.select_option("#indicator", rate["id"])
        v.drawn(indicator=rate["id"])
        rf = rate["levels"]["gemeente"]["field"]
        lr = legend_of(site, other["layer"], rf)
        assert_legend_is(pg, lr, other["layer"], gem_title)
        props = site["care_props"][other["id"]]
        assert_colours(v, gemeenten, lr, lambda c: props[c].get(rf))
        h = gemeenten[0]
        pg.mouse.move(*h["xy"])
        pg.wait_for_function("n => document.querySelector('#hoverbox')?.innerText.includes(n)", arg=h["naam"])
        f = next(x for x in site["layers"][other["layer"]]["fields"] if x["name"] == rf)
        value = props[h["code"]].get(rf)
        expected = classify(lr, value)["label"] if f["kind"] == "class" else dutch(value, f["decimals"]) + (
            "%" if f["unit"] == "%" else (f"\u00a0{f['unit']}" if f["unit"] else ""))
        assert pg.locator("#hoverbox [data-hover-value]").inner_text() == expected
        assert lr["title"] in pg.locator("#hoverbox").inner_text()
        pg.mouse.move(2, VIEWPORT["height"] - 2)
        changed = pg.evaluate("() => location.hash")
        assert f"sector={other['id']}" in changed
    finally:
        v.close()

    # the link opens the same sector, map and panel
    w = Viewer(browser, site, hash_=changed)
    try:
        assert w.state()["sector"] == other["id"] and w.page.locator(f"#sector-{other['id']}").is_checked()
        assert_legend_is(w.page, lr, other["layer"], gem_title)
        w.page.locator(f'#gemeente[data-sector="{other["id"]}"]').wait_for(state="visible")
        assert w.page.evaluate("() => location.hash") == changed
        v2 = w
        v2.only_the_choropleth()
        assert_colours(v2, on_screen(v2, site["gemeenten"])[:6], lr, lambda c: props[c].get(rf))
        v2.shot(shots, f"21_sector_{other['id']}_link")
    finally:
        w.close()

    # an unknown sector in a link: the catalog's first
    x = Viewer(browser, site, hash_=f"#sector=bestaat_niet&thema={theme['id']}&indicator={ind['id']}")
    try:
        assert x.state()["sector"] == first["id"] and x.page.locator(f"#sector-{first['id']}").is_checked()
        assert_legend_is(x.page, l1, first["layer"], gem_title)
        x.page.wait_for_function("s => location.hash.startsWith('#sector=' + s + '&')", arg=first["id"])
    finally:
        x.close()


@pytest.mark.browser
def test_demographic_maps_and_locations_stay_when_the_sector_changes(viewer, site, shots):
    pg = viewer.page
    cat = site["catalog"]
    s = viewer.state()
    ind = next(i for t in cat["themes"] for i in t["indicators"] if i["id"] == s["indicator"])
    assert not ind["per_sector"], "the first map is a demographic one"
    field = ind["levels"]["gemeente"]["field"]
    legend = legend_of(site, "gemeenten", field)
    viewer.only_the_choropleth()
    gemeenten = on_screen(viewer, site["gemeenten"])
    before = assert_colours(viewer, gemeenten, legend, lambda c: site["props"][c].get(field))
    shown = legend_shown(pg)
    points = pg.locator(".wz-points-legend").inner_text()
    viewer.toggle("points", True)
    markers = pg.locator(".wz-loc").count()
    viewer.toggle("points", False)
    for sector in cat["sectors"][1:]:
        pg.locator(f"#sector-{sector['id']}").check()
        viewer.drawn(sector=sector["id"])
        after = assert_colours(viewer, gemeenten, legend, lambda c: site["props"][c].get(field))
        assert [r[3] for r in after] == [r[3] for r in before]
        assert legend_shown(pg) == shown, "a demographic legend does not change with the sector"
        assert pg.locator("#sector-noot").inner_text(), "the switch says that this map is the same for every sector"
        pg.locator(f'#overzicht[data-sector="{sector["id"]}"]').wait_for()
        assert pg.locator(".wz-points-legend").inner_text() == points
    # the locations keep their sector colours (the point layer's legend), whichever sector is chosen
    loc = next(l for l in cat["layers"] if l["geometry_type"] == "point" and l.get("in_viewer", True))
    classes = next(i for i in loc["legend"]["indicators"] if i["field"] == loc["legend"]["default"])["classes"]
    assert all(c["label"] in points for c in classes)
    viewer.toggle("points", True)
    assert pg.locator(".wz-loc").count() == markers
    fills = set(pg.evaluate("""() => [...document.querySelectorAll('.wz-loc svg g[fill]')]
        .map(g => g.getAttribute('fill')).filter(f => f !== 'none')"""))
    assert fills <= {c["color"] for c in classes} and len(fills) >= 2, fills
    viewer.shot(shots, "22_demografie_andere_sector")


@pytest.mark.browser
def test_a_fourth_sector_of_the_catalog_gets_its_own_button(browser, site, shots):
    """The switch, the legend and the panel are built from catalog.sectors alone: a sector the
    catalog adds (here by the test, copied from an existing one) appears without a change of code."""
    import copy

    cat = copy.deepcopy(site["catalog"])
    src = cat["sectors"][1]
    extra = copy.deepcopy(src)
    extra.update(id="testsector", code="TS", short="TS", label="testsector van de proef")
    extra["texts"] = {**extra["texts"], "short": "TS", "explanation": "Testsector van de proef: alleen in deze test.",
                      "client_groups": "alle testprofielen"}
    rename = {g["id"]: f"ts_{g['id']}" for g in extra["groups"]}
    for grp in extra["groups"]:
        grp["id"], grp["label"] = rename[grp["id"]], f"{grp['label']} (test)"
    extra["client_groups"] = [rename[x] for x in extra["client_groups"]]
    cat["sectors"].append(extra)

    def answer_as_extra(route):
        """The source sector's answer, named as the extra sector's."""
        url = route.request.url.replace("sector=testsector", f"sector={src['id']}")
        resp = route.fetch(url=url)
        data = resp.json()
        data["sector"] = "testsector"
        if "groepen" in data:
            data["groepen"] = [rename[x] for x in data["groepen"]]
        for row in data.get("tekort", []):
            row["groep_id"] = rename[row["groep_id"]]
        route.fulfill(response=resp, json=data)

    routes = [("**/api/catalog", lambda route: route.fulfill(json=cat)),
              (lambda url: "sector=testsector" in url, answer_as_extra)]
    theme, ind = next((t, i) for t in cat["themes"] for i in t["indicators"] if i["per_sector"] and i.get("forecast"))
    g = site["gemeenten"][0]
    v = Viewer(browser, site, hash_=f"#thema={theme['id']}&indicator={ind['id']}&gemeente={g['code']}", routes=routes)
    try:
        pg = v.page
        labels = [x.strip() for x in pg.locator("#sector label").all_inner_texts()]
        assert labels == [x["short"] for x in cat["sectors"]] and len(labels) == len(site["sectors"]) + 1
        radio = pg.locator("#sector-testsector")
        assert radio.get_attribute("aria-label").lower().startswith("testsector van de proef")
        # the last of the radio group, by keyboard
        pg.locator(f"#sector-{cat['sectors'][-2]['id']}").check()
        v.drawn(sector=cat["sectors"][-2]["id"])
        pg.keyboard.press("ArrowRight")
        v.drawn(sector="testsector")
        assert radio.is_checked()
        assert pg.locator("#sector-uitleg").inner_text() == extra["texts"]["explanation"]
        assert "testsector van de proef" in pg.locator("#legend .wz-kicker").inner_text().lower()
        panel = pg.locator('#gemeente[data-sector="testsector"]')
        panel.wait_for(state="visible")
        assert [r.inner_text().strip() for r in panel.locator(".wz-gap").first.locator("tr[data-group] th").all()] == \
            [x["label"] for x in extra["groups"]]
        assert "alle testprofielen" in panel.inner_text()
        overview = pg.locator('#overzicht[data-sector="testsector"]')
        assert {s.get_attribute("data-group") for s in overview.locator(".wz-seg").all()} <= set(rename.values())
        assert "sector=testsector" in pg.evaluate("() => location.hash")
        v.shot(shots, "23_vierde_sector")
    finally:
        v.close()


@pytest.mark.browser
def test_stacked_bars_total_the_api_and_drive_the_map(viewer, site, shots):
    pg = viewer.page
    fc = site["catalog"]["forecast"]
    viewer.only_the_choropleth()
    api = scenario_api(site, fc["headline"]["jaar"], fc["headline"]["vraag"], fc["headline"]["levering"])
    rows = pg.locator("#overzicht .wz-bar-row[data-code]")
    codes = [rows.nth(i).get_attribute("data-code") for i in range(rows.count())]
    assert sorted(codes) == sorted(api["gemeenten"]), "one bar per gemeente of the API"
    totals = [api["gemeenten"][c]["tekort_totaal"] for c in codes]
    assert totals == sorted(totals, reverse=True), "largest gap on top"
    names = {g["code"]: g["naam"] for g in site["gemeenten"]}
    groups = api["groepen"]
    for i, code in enumerate(codes):
        row = rows.nth(i)
        m = api["gemeenten"][code]
        assert row.locator(".wz-bar-total").text_content() == dutch(m["tekort_totaal"])
        assert row.locator(".wz-bar-name").text_content() == names[code]
        segs = {s.get_attribute("data-group"): float(s.get_attribute("data-value"))
                for s in row.locator(".wz-seg").all()}
        assert segs == {g: v for g, v in zip(groups, m["tekort"]) if v}, f"segments of {code}"
    assert pg.locator("#overzicht .wz-region-total strong").inner_text() == dutch(api["regio"]["tekort_totaal"])
    # the segments' colours are the catalog's colours of the (first) sector's groups
    colours = {g["id"]: g["color"] for g in site["sectors"][0]["groups"]}
    assert groups == [g["id"] for g in site["sectors"][0]["groups"]]
    for s in pg.locator("#overzicht .wz-seg").all()[:12]:
        assert s.get_attribute("fill") == colours[s.get_attribute("data-group")]

    # hovering a bar outlines its gemeente on the map; clicking it opens its panel
    code = codes[len(codes) // 2]
    g = next(a for a in site["gemeenten"] if a["code"] == code)
    box = viewer.page.locator("#map").bounding_box()
    w, s, e, n = g["bbox"]
    x0, y0 = viewer.point(w, n)
    x1, y1 = viewer.point(e, s)
    clip = {"x": max(box["x"], x0 - 6), "y": max(box["y"], y0 - 6)}
    clip.update(width=min(box["x"] + box["width"], x1 + 6) - clip["x"], height=min(box["y"] + box["height"], y1 + 6) - clip["y"])

    def dark_pixels() -> int:
        png = pg.screenshot(clip=clip)
        return sum(1 for row in decode_png(png) for px in row if close(px, (11, 21, 32), 30))

    plain = dark_pixels()
    pg.locator(f'#overzicht .wz-bar-row[data-code="{code}"] .wz-bar-name').hover()
    pg.evaluate("() => window.wzViewer.mapView.whenDrawn()")
    outlined = dark_pixels()
    assert outlined > plain + 50, f"hovering the bar of {g['naam']} did not outline it on the map ({plain} -> {outlined})"
    viewer.shot(shots, "07_overzicht_hover")
    pg.locator(f'#overzicht .wz-bar-row[data-code="{code}"] .wz-bar-name').click()
    pg.wait_for_function("n => document.querySelector('#gemeente h2')?.innerText === n", arg=g["naam"])
    assert f"gemeente={code}" in pg.evaluate("() => location.hash")
    # its own bar in the panel: the same segments
    m = api["gemeenten"][code]
    own = pg.locator("#gemeente .wz-bars .wz-bar-row")
    assert own.locator(".wz-bar-total").text_content() == dutch(m["tekort_totaal"])
    assert sorted(float(x.get_attribute("data-value")) for x in own.locator(".wz-seg").all()) == sorted(v for v in m["tekort"] if v)
    viewer.shot(shots, "08_overzicht_klik")


@pytest.mark.browser
def test_hover_outlines_the_area_and_shows_name_and_value(viewer, site, shots):
    pg = viewer.page
    viewer.only_the_choropleth()
    s = viewer.state()
    ind = next(i for t in site["catalog"]["themes"] for i in t["indicators"] if i["id"] == s["indicator"])
    field = ind["levels"]["gemeente"]["field"]
    f = next(x for x in site["layers"]["gemeenten"]["fields"] if x["name"] == field)
    g = on_screen(viewer, site["gemeenten"])[0]
    x, y = g["xy"]
    w, s_, e, n = g["bbox"]
    x0, y0 = viewer.point(w, n)
    x1, y1 = viewer.point(e, s_)
    clip = {"x": x0 - 6, "y": y0 - 6, "width": x1 - x0 + 12, "height": y1 - y0 + 12}

    def dark() -> int:
        return sum(1 for row in decode_png(pg.screenshot(clip=clip)) for px in row if close(px, (11, 21, 32), 30))

    before = dark()
    assert pg.locator("#hoverbox").is_hidden()
    pg.mouse.move(x, y)
    pg.wait_for_function("n => document.querySelector('#hoverbox')?.innerText.includes(n)", arg=g["naam"])
    pg.evaluate("() => window.wzViewer.mapView.whenDrawn()")
    value = site["props"][g["code"]].get(field)
    expected = classify(legend_of(site, "gemeenten", field), value)["label"] if f["kind"] == "class" \
        else dutch(value, f["decimals"]) + ("%" if f["unit"] == "%" else (f"\u00a0{f['unit']}" if f["unit"] else ""))
    assert pg.locator("#hoverbox [data-hover-value]").inner_text() == expected
    assert ind["title"] in pg.locator("#hoverbox").inner_text()
    after = dark()
    assert after > before + 50, f"no outline around {g['naam']} under the mouse ({before} -> {after})"
    viewer.shot(shots, "09_hover")
    pg.mouse.move(2, VIEWPORT["height"] - 2)
    pg.wait_for_function("() => document.querySelector('#hoverbox').hidden")


def locations_from_build(build: Path) -> dict:
    """A lone location inside a wijk and a pair sharing a postcode (geopandas on the GeoPackage)."""
    import geopandas as gpd

    loc = gpd.read_file(build / "wonenzorg.gpkg", layer="locaties")
    wijken = gpd.read_file(build / "wonenzorg.gpkg", layer="wijken")
    inside = gpd.sjoin(loc, wijken[["wijkcode", "geometry"]], predicate="within")
    # a location at least 300 m from every other one (apart on screen at zoom 12)
    dist = [min((p.distance(q) for j, q in enumerate(loc.geometry) if j != i), default=1e9)
            for i, p in enumerate(loc.geometry)]
    loc["apart"] = dist
    lone = loc.loc[inside.index].sort_values("apart", ascending=False).iloc[0]
    dup = loc[loc.duplicated("postcode", keep=False)].sort_values("postcode")
    assert len(dup) >= 2, "the demo should have two locations on one postcode"
    # of the postcodes with several locations, the one farthest from every other location (its
    # marker is not covered by a neighbour's on screen)
    def room(pc):
        here = dup[dup["postcode"] == pc].geometry.iloc[0]
        return loc[loc["postcode"] != pc].distance(here).min()

    best = max(dup["postcode"].unique(), key=room)
    pair = dup[dup["postcode"] == best]
    to4326 = lambda geom: gpd.GeoSeries([geom], crs=loc.crs).to_crs(4326).iloc[0]  # noqa: E731
    lp = to4326(lone.geometry)
    pp = to4326(pair.geometry.iloc[0])
    return {"lone": {"id": lone["locatie_id"], "naam": lone["naam"], "lon": lp.x, "lat": lp.y},
            "pair": [{"id": r["locatie_id"], "naam": r["naam"]} for _, r in pair.iterrows()],
            "pair_at": (pp.x, pp.y), "postcode": pair["postcode"].iloc[0]}


@pytest.mark.browser
def test_locations_under_a_wijk_and_on_one_postcode_open_their_own_popups(viewer, site, demo_build, shots):
    pg = viewer.page
    found = locations_from_build(demo_build)
    # the wijk choropleth under the locations, zoomed in to 12
    pg.locator("#niveau-wijk").check()
    viewer.drawn(level="wijk")
    lone = found["lone"]
    viewer.view(lone["lon"], lone["lat"], 12)
    x, y = viewer.point(lone["lon"], lone["lat"])
    hit = pg.evaluate("([x, y]) => document.elementFromPoint(x, y)?.closest('.wz-loc')?.dataset.wzLocation", [x, y])
    assert hit == lone["id"], f"location {lone['id']} is not on top at its own position (found {hit})"
    pg.mouse.click(x, y)
    popup = pg.locator(".leaflet-popup-content")
    popup.wait_for(state="visible", timeout=5_000)
    assert popup.locator("h3").inner_text() == lone["naam"]
    assert pg.locator(".leaflet-popup-content .wz-popup-locatie").count() == 1, "the location's popup, not the wijk's"
    viewer.shot(shots, "10_locatie_boven_wijk")

    # two locations on one postcode: one marker, a list, each its own popup
    lon, lat = found["pair_at"]
    pg.evaluate("() => window.wzViewer.map.closePopup()")
    viewer.view(lon, lat, 12)
    x, y = viewer.point(lon, lat)
    ids = pg.evaluate("([x, y]) => document.elementFromPoint(x, y)?.closest('.wz-loc')?.dataset.wzLocation", [x, y])
    assert ids and set(ids.split()) == {p["id"] for p in found["pair"]}, f"one marker for both, found {ids}"
    pg.mouse.click(x, y)
    popup.wait_for(state="visible", timeout=5_000)
    assert found["postcode"] in popup.locator("h3").inner_text()
    listed = popup.locator("button.wz-locpick").all_inner_texts()
    assert all(any(p["naam"] in t for t in listed) for p in found["pair"]), listed
    viewer.shot(shots, "11_postcode_lijst")
    for p in found["pair"]:
        popup.locator(f'button.wz-locpick[data-wz-pick="{p["id"]}"]').click()
        pg.wait_for_function("n => document.querySelector('.leaflet-popup-content h3')?.innerText === n", arg=p["naam"])
        viewer.shot(shots, f"12_postcode_{p['id']}")
        popup.locator("button.wz-link").click()           # back to the list
        popup.locator("button.wz-locpick").first.wait_for()
    # and by keyboard: the marker takes the focus and opens with Enter
    pg.evaluate("() => window.wzViewer.map.closePopup()")
    pg.locator(f'.wz-loc[data-wz-location="{lone["id"]}"]').focus()
    pg.keyboard.press("Enter")
    popup.wait_for(state="visible", timeout=5_000)
    assert popup.locator("h3").inner_text() == lone["naam"]


@pytest.mark.browser
def test_location_symbols_have_a_halo_that_shows_on_every_choropleth(viewer, site):
    """Every legend colour of every map contrasts (3:1, WCAG non-text) with one of the halo's rings."""
    strokes = viewer.page.evaluate("""() => [...document.querySelector('.wz-loc svg').querySelectorAll('g[stroke]')]
        .map(g => g.getAttribute('stroke'))""")
    assert len(strokes) >= 2, f"a symbol is drawn with a two-ring halo, found strokes {strokes}"

    def luminance(colour):
        return 0.2126 * to_linear(hex_rgb(colour)[0]) + 0.7152 * to_linear(hex_rgb(colour)[1]) + 0.0722 * to_linear(hex_rgb(colour)[2])

    def contrast(a, b):
        la, lb = sorted((luminance(a), luminance(b)), reverse=True)
        return (la + 0.05) / (lb + 0.05)

    for layer in site["catalog"]["layers"]:
        if layer["geometry_type"] != "polygon" or not layer.get("in_viewer", True):
            continue
        for legend in layer["legend"]["indicators"]:
            for c in legend["classes"] + [legend["no_data"]]:
                best = max(contrast(c["color"], s) for s in strokes)
                assert best >= 3, f"{layer['id']}.{legend['field']} {c['color']}: halo contrast {best:.2f}"


@pytest.mark.browser
def test_wijk_click_at_wijk_level_opens_the_wijk_and_its_gemeente(viewer, site, shots):
    pg = viewer.page
    viewer.only_the_choropleth()
    pg.locator("#niveau-wijk").check()
    viewer.drawn(level="wijk")
    wijk = max(site["wijken"], key=lambda a: (a["bbox"][2] - a["bbox"][0]) * (a["bbox"][3] - a["bbox"][1]))
    viewer.view(wijk["label_point"][0], wijk["label_point"][1], 12)
    x, y = viewer.point(*wijk["label_point"])
    pg.mouse.click(x, y)
    popup = pg.locator(".leaflet-popup-content")
    popup.wait_for(state="visible", timeout=5_000)
    assert popup.locator("h3").inner_text() == wijk["naam"]
    assert wijk["gemeentenaam"] in popup.locator(".wz-kicker").text_content()
    props = site["wijk_props"][wijk["code"]]
    if props.get("inwoners") is not None:
        assert dutch(props["inwoners"]) in popup.inner_text()
    pg.wait_for_function("n => document.querySelector('#gemeente h2')?.innerText === n", arg=wijk["gemeentenaam"])
    overflow = pg.evaluate("""() => { const c = document.querySelector('.leaflet-popup-content');
        return [...c.querySelectorAll('table')].map(t => t.scrollWidth - c.clientWidth); }""")
    assert all(o <= 1 for o in overflow), f"a popup table is wider than the popup: {overflow}"
    viewer.shot(shots, "13_wijk_popup")


@pytest.mark.browser
def test_search_finds_gemeenten_and_wijken_whatever_the_case_or_accents(viewer, site, shots):
    pg = viewer.page
    names = [a["naam"] for a in site["gemeenten"]]
    target = "Brammelo" if "Brammelo" in names else next((n for n in names if fold(n) != n.lower()), names[0])
    code = next(a["code"] for a in site["gemeenten"] if a["naam"] == target)
    box = pg.locator("#zoek")
    accented = target[:2] + {"a": "\u00e2", "e": "\u00e9", "o": "\u00f6"}.get(target[2].lower(), target[2]) + target[3:]
    for typed in (target.lower(), target.upper(), target.swapcase(), accented):
        box.fill(typed)
        first = pg.locator("#zoek-lijst li").first
        first.wait_for(state="visible")
        assert first.locator(".wz-opt-name").inner_text() == target, f"{typed!r} does not find {target}"
        assert first.get_attribute("data-code") == code
    viewer.shot(shots, "14_zoeken")
    # wijken are found too, with the gemeente they lie in
    counts = Counter(a["naam"] for a in site["wijken"])
    wijk = min(site["wijken"], key=lambda a: (counts[a["naam"]], a["naam"]))
    box.fill(wijk["naam"].upper())
    options = pg.locator("#zoek-lijst li")
    options.first.wait_for(state="visible")
    texts = options.all_inner_texts()
    assert any(wijk["naam"] in t and wijk["gemeentenaam"] in t for t in texts), texts
    box.fill(target.upper())
    pg.locator("#zoek-lijst li").first.wait_for(state="visible")
    box.press("Enter")
    pg.wait_for_function("n => document.querySelector('#gemeente h2')?.innerText === n", arg=target)
    assert f"gemeente={code}" in pg.evaluate("() => location.hash")
    # the panel links to the gemeente's session pack, which opens (HTML) and downloads (PDF)
    links = pg.locator("#gemeente a", has_text="Gebiedsanalyse")
    hrefs = [links.nth(i).get_attribute("href") for i in range(links.count())]
    assert hrefs == [f"/api/gemeenten/{code}/report", f"/api/gemeenten/{code}/report.pdf"]
    page = pg.request.get(site["url"] + hrefs[0])
    assert page.status == 200 and target in page.text() and "Gebiedsanalyse" in page.text()


@pytest.mark.browser
def test_a_shared_url_restores_the_view_exactly(browser, site, shots):
    cat = site["catalog"]
    fc = cat["forecast"]
    theme, ind = next((t, i) for t in cat["themes"] for i in t["indicators"] if i.get("forecast"))
    g = site["gemeenten"][len(site["gemeenten"]) // 3]
    jaar = fc["years"][1]
    vraag = fc["demand_scenarios"][0]["id"]
    levering = fc["leveringsvorm_scenarios"][-1]["id"]
    sector = cat["sectors"][-1]["id"]            # not the default sector
    lon, lat = g["label_point"]
    zoom = 11.25
    hash_ = (f"#sector={sector}&thema={theme['id']}&indicator={ind['id']}&niveau=gemeente&gemeente={g['code']}"
             f"&jaar={jaar}&vraag={vraag}&levering={levering}&kaart={lat:.6f},{lon:.6f},{zoom}")
    v = Viewer(browser, site, hash_=hash_)
    try:
        pg = v.page
        s = v.state()
        assert s["sector"] == sector and pg.locator(f"#sector-{sector}").is_checked()
        assert (s["theme"], s["indicator"], s["level"], s["gemeente"]) == (theme["id"], ind["id"], "gemeente", g["code"])
        assert (s["jaar"], str(s["vraag"]), str(s["levering"])) == (jaar, str(vraag), str(levering))
        view = pg.evaluate("() => { const c = window.wzViewer.map.getCenter(); return [c.lat, c.lng, window.wzViewer.map.getZoom()]; }")
        assert abs(view[0] - round(lat, 6)) < 1e-6 and abs(view[1] - round(lon, 6)) < 1e-6 and view[2] == zoom, view
        # the controls, the panel and the map say the same
        assert pg.locator("#thema").input_value() == theme["id"]
        assert pg.locator("#indicator").input_value() == ind["id"]
        assert pg.locator("#jaar-tekst").inner_text() == str(jaar)
        assert pg.locator(f"#vraag-{vraag}").is_checked() and pg.locator(f"#levering-{levering}").is_checked()
        assert pg.locator("#gemeente h2").inner_text() == g["naam"]
        api = scenario_api(site, jaar, vraag, levering, sector)
        assert pg.locator('#gemeente tr[data-field="tekort_totaal"] td').last.inner_text() == \
            dutch(api["gemeenten"][g["code"]]["tekort_totaal"])
        v.only_the_choropleth()
        legend = legend_of(site, care_layer(site, sector), ind["levels"]["gemeente"]["field"])
        assert_colours(v, on_screen(v, site["gemeenten"])[:6], legend, lambda c: api["gemeenten"][c][ind["forecast"]])
        v.shot(shots, "15_gedeelde_link")
        assert pg.evaluate("() => location.hash") == hash_, "the URL keeps the state"
        # a change is written into the URL at once, and that URL opens the changed view
        pg.locator(f"#vraag-{fc['demand_scenarios'][-1]['id']}").check()
        v.drawn(vraag=fc["demand_scenarios"][-1]["id"])
        changed = pg.evaluate("() => location.hash")
        assert f"vraag={fc['demand_scenarios'][-1]['id']}" in changed
    finally:
        v.close()
    w = Viewer(browser, site, hash_=changed)
    try:
        assert str(w.state()["vraag"]) == str(fc["demand_scenarios"][-1]["id"]) and w.state()["sector"] == sector
        assert w.page.evaluate("() => location.hash") == changed
    finally:
        w.close()


@pytest.mark.browser
def test_print_view_shows_map_legend_title_and_leeswijzer_without_controls(viewer, site, shots, tmp_path):
    pg = viewer.page
    fc = site["catalog"]["forecast"]
    theme, ind = next((t, i) for t in site["catalog"]["themes"] for i in t["indicators"] if i.get("forecast"))
    pg.select_option("#thema", theme["id"])
    pg.select_option("#indicator", ind["id"])
    viewer.drawn(theme=theme["id"], indicator=ind["id"])
    pg.emulate_media(media="print")
    pg.evaluate("() => window.dispatchEvent(new Event('beforeprint'))")
    pg.evaluate("() => window.wzViewer.mapView.whenDrawn()")
    for hidden in ("#thema", "#indicator", "#jaar", "#afspelen", "#zoek", "#afdrukken", "#panel", ".leaflet-control-zoom", "#toggle-labels"):
        assert pg.locator(hidden).first.is_hidden(), f"{hidden} is printed"
    for shown in ("#map", "#legend", "#print-title", ".wz-leeswijzer"):
        assert pg.locator(shown).first.is_visible(), f"{shown} is not printed"
    title = pg.locator("#print-title").inner_text()
    vraag = next(d for d in fc["demand_scenarios"] if d["id"] == fc["headline"]["vraag"])
    lev = next(d for d in fc["leveringsvorm_scenarios"] if d["id"] == fc["headline"]["levering"])
    assert ind["title"] in title and str(fc["headline"]["jaar"]) in title
    assert vraag["label"] in title and lev["label"] in title, title
    legend = legend_of(site, layer_of(site, ind["levels"]["gemeente"]), ind["levels"]["gemeente"]["field"])
    assert legend["leeswijzer"]["uitleg"] in pg.locator("#legend").inner_text()
    assert site["sectors"][0]["label"] in title, "the print title names the sector of the map"
    m_box = pg.locator("#map").bounding_box()
    assert m_box["width"] > 500 and m_box["height"] > 400, m_box
    viewer.shot(shots, "16_afdrukken", full_page=True)
    pdf = pg.pdf(format="A4", landscape=True, print_background=True)
    pages = len(re.findall(rb"/Type\s*/Page(?!s)", pdf))
    assert pages == 1, f"the print view takes {pages} A4 pages"
    (shots / "16_afdrukken.pdf").write_bytes(pdf)
    pg.evaluate("() => window.dispatchEvent(new Event('afterprint'))")
    pg.emulate_media(media="screen")
    assert pg.locator("#thema").is_visible()


@pytest.mark.browser
@pytest.mark.parametrize("size", [(820, 1180), (390, 844)], ids=["tablet", "telefoon"])
def test_tablet_and_phone_layouts_use_the_screen(browser, site, shots, size):
    w, h = size
    v = Viewer(browser, site, viewport={"width": w, "height": h})
    try:
        pg = v.page
        m = pg.locator("#map").bounding_box()
        assert m["width"] >= 0.95 * w, f"the map is {m['width']} px of {w}"
        assert m["height"] >= 0.45 * h, f"the map is {m['height']} px of {h} high"
        assert pg.locator("#zoek").is_visible()
        if w >= 600:
            # map, settings and figures side by side below it fill the screen
            boxes = [pg.locator(sel).bounding_box() for sel in ("#map", "#sidebar", "#panel")]
            covered = sum(max(0, min(b["y"] + b["height"], h) - max(b["y"], 0)) * max(0, min(b["x"] + b["width"], w) - max(b["x"], 0))
                          for b in boxes)
            assert covered >= 0.85 * w * h, f"map and panels cover {covered / (w * h):.0%} of the screen"
            assert pg.locator("#scenario").bounding_box()["y"] < h and pg.locator("#legend").bounding_box()["y"] < h
        else:
            # phone: the settings behind a button, the legend and figures below the map
            assert pg.locator("#thema").is_hidden()
            pg.locator("#instellingen-knop").click()
            assert pg.locator("#thema").is_visible()
            assert pg.locator("#instellingen-knop").get_attribute("aria-expanded") == "true"
        v.shot(shots, f"17_{'tablet' if w >= 600 else 'telefoon'}")
        overflow = pg.evaluate("() => document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 1, f"the page is {overflow} px wider than the screen"
    finally:
        v.close()


@pytest.mark.browser
def test_keyboard_alone_reaches_a_gemeente_panel_with_visible_focus(viewer, site, shots):
    pg = viewer.page
    visible_focus = """() => {
        const el = document.activeElement;
        const ring = (e) => { const s = getComputedStyle(e); return s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) >= 2; };
        if (ring(el)) return true;
        if (el.type === 'radio' && el.nextElementSibling && ring(el.nextElementSibling)) return true;
        const hit = el.querySelector && el.querySelector('.wz-bar-hit');
        return !!hit && getComputedStyle(hit).stroke !== 'none' && parseFloat(getComputedStyle(hit).strokeWidth) >= 2;
    }"""
    pg.locator("body").focus()
    stops = []
    for _ in range(12):
        pg.keyboard.press("Tab")
        stops.append(pg.evaluate("() => document.activeElement.id || document.activeElement.className"))
        assert pg.evaluate(visible_focus), f"no visible focus on {stops[-1]}"
        if stops[-1] == "zoek":
            break
    assert stops[-1] == "zoek", f"the search box is not reached by Tab: {stops}"
    g = site["gemeenten"][-1]
    pg.keyboard.type(g["naam"][:4].lower())
    pg.locator("#zoek-lijst li").first.wait_for(state="visible")
    pg.keyboard.press("ArrowDown")
    pg.keyboard.press("ArrowUp")
    pg.keyboard.press("Enter")
    pg.wait_for_function("() => document.activeElement && document.activeElement.id === 'gemeente-naam'")
    first = pg.locator("#gemeente h2").inner_text()
    assert fold(first).startswith(fold(g["naam"][:4]))
    viewer.shot(shots, "18_toetsenbord_zoeken")
    # on through the panel to the region overview's bars: Enter opens another gemeente
    for _ in range(60):
        pg.keyboard.press("Tab")
        assert pg.evaluate(visible_focus), "no visible focus on " + pg.evaluate("() => document.activeElement.outerHTML.slice(0, 80)")
        if pg.evaluate("() => !!document.activeElement.closest('#overzicht .wz-bar-row')"):
            break
    code = pg.evaluate("() => document.activeElement.closest('.wz-bar-row').dataset.code")
    assert code, "the overview's bars are not reached by Tab"
    pg.keyboard.press("Enter")
    name = next(a["naam"] for a in site["gemeenten"] if a["code"] == code)
    pg.wait_for_function("n => document.querySelector('#gemeente h2')?.innerText === n", arg=name)
    viewer.shot(shots, "19_toetsenbord_overzicht")
    # the year and scenario controls work by keyboard too
    pg.locator("#jaar").focus()
    before = viewer.state()["jaar"]
    pg.keyboard.press("ArrowLeft")
    viewer.drawn(jaar=site["catalog"]["forecast"]["years"][site["catalog"]["forecast"]["years"].index(before) - 1])


@pytest.mark.browser
def test_play_button_steps_through_every_year(viewer, site):
    pg = viewer.page
    years = site["catalog"]["forecast"]["years"]
    pg.locator("#jaar").fill("0")
    viewer.drawn(jaar=years[0])
    pg.evaluate("""() => { window.wzSeen = []; new MutationObserver(() => window.wzSeen.push(
        document.getElementById('jaar-tekst').textContent)).observe(document.getElementById('jaar-tekst'),
        {childList: true, characterData: true, subtree: true}); }""")
    pg.locator("#afspelen").click()
    assert pg.locator("#afspelen").get_attribute("aria-pressed") == "true"
    pg.wait_for_function("() => document.getElementById('afspelen').getAttribute('aria-pressed') === 'false'",
                         timeout=len(years) * 3_000)
    seen = [int(y) for y in dict.fromkeys(pg.evaluate("() => window.wzSeen"))]
    assert seen == years[1:], f"the play button showed {seen}"
    viewer.drawn(jaar=years[-1])


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
