"""Headers of every answer: internal data private and hidden alike on every path, security headers,
trusted Host for links, Dutch errors, /docs without a CDN."""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from urllib.parse import urlsplit

import pytest
from fastapi.testclient import TestClient

from server.app import create_app
from server.settings import ServerSettings
from tests.test_end_to_end import lonlat_to_tile

TOKEN = "kop-sleutel-51c2"
BEARER = {"Authorization": f"Bearer {TOKEN}"}
INTERNAL = "locaties_intern"
ORIGIN = "https://kaart.example.nl"


@pytest.fixture(scope="module")
def catalog(demo_build) -> dict:
    return json.loads((demo_build / "catalog.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def client(demo_build):
    with TestClient(create_app(ServerSettings(build_dir=demo_build, token=TOKEN))) as c:
        yield c


@pytest.fixture(scope="module")
def explicit_client(demo_build):
    """A server that lets only one other site read its answers."""
    with TestClient(create_app(ServerSettings(build_dir=demo_build, token=TOKEN, cors_origins=[ORIGIN]))) as c:
        yield c


def internal_feature(demo_build) -> tuple[str, float, float]:
    """The id and position of one internal location, read from the internal GeoPackage."""
    import geopandas as gpd

    cat = json.loads((demo_build / "catalog.json").read_text(encoding="utf-8"))
    spec = next(l for l in cat["layers"] if l["id"] == INTERNAL)
    gdf = gpd.read_file(demo_build / spec["gpkg"], layer=INTERNAL).to_crs(4326)
    row = gdf.iloc[0]
    return str(row[spec["id_field"]]), row.geometry.x, row.geometry.y


def layer_paths(demo_build, layer: str, feature_id: str, lon: float, lat: float) -> list[tuple[str, str, dict]]:
    """Every way to ask for one layer: (method, path, extra headers)."""
    z = 12
    x, y = lonlat_to_tile(lon, lat, z)
    return [
        ("GET", f"/tiles/{layer}/{z}/{x}/{y}.pbf", {}),
        ("GET", f"/tiles/{layer}/{z}/{x}/{y}.mvt", {}),
        ("GET", f"/tiles/{layer}.json", {}),
        ("GET", f"/tiles/{layer}.pmtiles", {}),
        ("GET", f"/tiles/{layer}.pmtiles", {"Range": "bytes=0-126"}),
        ("HEAD", f"/tiles/{layer}.pmtiles", {}),
        ("HEAD", f"/tiles/{layer}.pmtiles", {"Range": "bytes=0-9"}),
        ("GET", f"/ogc/collections/{layer}", {}),
        ("GET", f"/ogc/collections/{layer}/items", {}),
        ("GET", f"/ogc/collections/{layer}/items?f=csv", {}),
        ("GET", f"/ogc/collections/{layer}/items?limit=1&bbox={lon - 0.01},{lat - 0.01},{lon + 0.01},{lat + 0.01}", {}),
        ("GET", f"/ogc/collections/{layer}/items/{feature_id}", {}),
    ]


@pytest.fixture(scope="module")
def internal_paths(demo_build):
    fid, lon, lat = internal_feature(demo_build)
    return layer_paths(demo_build, INTERNAL, fid, lon, lat), layer_paths(demo_build, "geenlaag", fid, lon, lat)


# --- internal data: private, never for a shared cache or a foreign site ------------------------

def test_internal_answers_are_private(client, internal_paths):
    for method, path, extra in internal_paths[0]:
        r = client.request(method, path, headers={**BEARER, **extra, "Origin": ORIGIN})
        assert r.status_code in (200, 204, 206), (method, path, r.status_code, r.text[:200])
        assert r.headers["cache-control"] == "private, no-store", (method, path)
        assert "authorization" in r.headers["vary"].lower(), (method, path)
        assert "access-control-allow-origin" not in r.headers, (method, path)


@pytest.mark.parametrize("path", ["/api/catalog", "/api/legend", "/health", "/ogc/collections"])
def test_answers_that_name_internal_layers_are_private(client, path):
    with_token = client.get(path, headers={**BEARER, "Origin": ORIGIN})
    assert with_token.status_code == 200 and INTERNAL in with_token.text
    assert with_token.headers["cache-control"] == "private, no-store"
    assert "access-control-allow-origin" not in with_token.headers
    without = client.get(path, headers={"Origin": ORIGIN})
    assert without.status_code == 200 and INTERNAL not in without.text
    assert "authorization" in without.headers["vary"].lower(), "a shared cache must key these on the token"
    assert without.headers["access-control-allow-origin"] == "*"
    assert "no-store" not in without.headers.get("cache-control", "")


def test_style_holds_public_layers_only_whatever_the_token(client):
    for headers in ({}, BEARER):
        r = client.get("/api/style.json", headers=headers)
        assert r.status_code == 200 and INTERNAL not in r.text
        assert "no-store" not in r.headers.get("cache-control", "")
        assert "authorization" in r.headers["vary"].lower()


def test_explicit_origins_echo_only_a_listed_origin_for_internal_data(explicit_client, internal_paths):
    for method, path, extra in internal_paths[0][:4]:
        listed = explicit_client.request(method, path, headers={**BEARER, **extra, "Origin": ORIGIN})
        assert listed.status_code in (200, 204, 206)
        assert listed.headers["access-control-allow-origin"] == ORIGIN
        assert listed.headers["cache-control"] == "private, no-store"
        other = explicit_client.request(method, path, headers={**BEARER, **extra, "Origin": "https://elders.example"})
        assert "access-control-allow-origin" not in other.headers


def test_public_tiles_stay_public_and_cacheable(client, catalog):
    spec = next(l for l in catalog["layers"] if l["id"] == "gemeenten")
    w, s, e, n = spec["bounds"]
    z = spec["minzoom"]
    x, y = lonlat_to_tile((w + e) / 2, (s + n) / 2, z)
    for headers in ({}, BEARER):
        r = client.get(f"/tiles/gemeenten/{z}/{x}/{y}.pbf", headers={**headers, "Origin": ORIGIN})
        assert r.status_code == 200
        assert r.headers["cache-control"].startswith("public, max-age=")
        assert r.headers["access-control-allow-origin"] == "*"
        assert "authorization" in r.headers["vary"].lower()


# --- hidden: without a valid token an internal layer is an unknown layer, on every path ---------

WITHOUT_VALID_TOKEN = [{}, {"Authorization": "Bearer verkeerd"}, {"Authorization": f"Basic {TOKEN}"},
                       {"Authorization": "Bearer"}, {"Authorization": TOKEN}]


def same_answer(a, b, layer_a: str, layer_b: str) -> bool:
    """Same status, same headers (but length), same body with the asked name swapped."""
    skip = {"content-length", "date"}
    ha = {k: v for k, v in a.headers.items() if k not in skip}
    hb = {k: v for k, v in b.headers.items() if k not in skip}
    return a.status_code == b.status_code and ha == hb and \
        a.text.replace(layer_a, "?") == b.text.replace(layer_b, "?")


@pytest.mark.parametrize("headers", WITHOUT_VALID_TOKEN, ids=["none", "wrong", "basic", "empty", "bare"])
def test_internal_layer_answers_like_an_unknown_layer(client, internal_paths, headers):
    for (method, path, extra), (_, unknown_path, _) in zip(*internal_paths):
        r = client.request(method, path, headers={**headers, **extra})
        u = client.request(method, unknown_path, headers={**headers, **extra})
        assert r.status_code == 404, (method, path, r.status_code)
        assert same_answer(r, u, INTERNAL, "geenlaag"), (method, path, r.headers, r.text, u.headers, u.text)
        if method == "GET":
            assert set(r.json()) == {"detail"}
        assert INTERNAL.encode() not in r.content.replace(f"'{INTERNAL}'".encode(), b"")


@pytest.mark.parametrize("path", ["/api/catalog", "/api/legend", "/api/style.json", "/health", "/ogc/collections"])
@pytest.mark.parametrize("headers", WITHOUT_VALID_TOKEN, ids=["none", "wrong", "basic", "empty", "bare"])
def test_internal_layer_is_not_named_without_the_token(client, path, headers):
    r = client.get(path, headers=headers)
    assert r.status_code == 200 and INTERNAL not in r.text


def test_server_without_a_token_hides_internal_layers_everywhere(demo_build, internal_paths):
    with TestClient(create_app(ServerSettings(build_dir=demo_build))) as c:
        for (method, path, extra), (_, unknown_path, _) in zip(*internal_paths):
            for headers in ({}, BEARER):
                r = c.request(method, path, headers={**headers, **extra})
                assert r.status_code == 404, (method, path)
                assert same_answer(r, c.request(method, unknown_path, headers={**headers, **extra}),
                                   INTERNAL, "geenlaag")
        for path in ("/api/catalog", "/api/legend", "/api/style.json", "/health", "/ogc/collections"):
            assert INTERNAL not in c.get(path, headers=BEARER).text


# --- security headers -------------------------------------------------------------------------

def csp_directives(value: str) -> dict[str, list[str]]:
    out = {}
    for part in value.split(";"):
        words = part.split()
        if words:
            out[words[0]] = words[1:]
    return out


@pytest.mark.parametrize("method,path", [
    ("GET", "/"), ("GET", "/static/docs.js"), ("GET", "/vendor/leaflet/dist/leaflet.js"), ("GET", "/docs"),
    ("GET", "/openapi.json"), ("GET", "/api/catalog"), ("GET", "/tiles/gemeenten.json"),
    ("GET", "/tiles/gemeenten/2/0/0.pbf"), ("GET", "/tiles/gemeenten/x/0/0.pbf"), ("GET", "/ogc"),
    ("GET", "/bestaat/niet"), ("POST", "/api/catalog"), ("HEAD", "/tiles/gemeenten.pmtiles"),
    ("OPTIONS", "/tiles/gemeenten.json"),
])
def test_security_headers_on_every_answer(client, method, path):
    headers = {"Origin": ORIGIN, "Access-Control-Request-Method": "GET"} if method == "OPTIONS" else {}
    r = client.request(method, path, headers=headers)
    assert r.headers["x-content-type-options"] == "nosniff"
    assert r.headers["x-frame-options"] == "DENY"
    assert r.headers["referrer-policy"] in ("no-referrer", "same-origin", "strict-origin-when-cross-origin")
    csp = csp_directives(r.headers["content-security-policy"])
    assert csp["default-src"] == ["'self'"]
    assert csp["frame-ancestors"] == ["'none'"]


def test_content_security_policy_allows_only_the_server_itself(client):
    csp = csp_directives(client.get("/").headers["content-security-policy"])
    for directive, sources in csp.items():
        for source in sources:
            assert source in ("'self'", "'none'", "data:", "blob:", "'unsafe-inline'"), (directive, source)
    assert "'unsafe-inline'" not in csp.get("script-src", ["'self'"]) and "'unsafe-eval'" not in str(csp)
    assert csp["script-src"] == ["'self'"]
    assert csp["object-src"] == ["'none'"]
    # inline styles only as attributes (the viewer's legend swatches), never <style> elements
    assert "'unsafe-inline'" not in csp.get("style-src", [])


def test_no_build_answer_has_the_headers_too(tmp_path):
    with TestClient(create_app(ServerSettings(build_dir=tmp_path))) as c:
        r = c.get("/api/catalog")
        assert r.status_code == 503
        assert r.headers["x-frame-options"] == "DENY" and "authorization" in r.headers["vary"].lower()


# --- links never from an untrusted Host ------------------------------------------------------------

@pytest.fixture(scope="module")
def strict_client(demo_build):
    """Default trusted hosts: loopback names and the served host."""
    with TestClient(create_app(ServerSettings(build_dir=demo_build, allowed_hosts=None, host="127.0.0.1",
                                              port=8000))) as c:
        yield c


LINK_PATHS = ["/tiles/gemeenten.json", "/api/style.json", "/ogc", "/ogc/collections",
              "/ogc/collections/gemeenten/items?limit=1"]


def links_in(doc) -> list[str]:
    found = []
    if isinstance(doc, dict):
        for k, v in doc.items():
            if k in ("href", "url") and isinstance(v, str):
                found.append(v)
            elif k == "tiles" and isinstance(v, list):
                found += [t for t in v if isinstance(t, str)]
            else:
                found += links_in(v)
    elif isinstance(doc, list):
        for v in doc:
            found += links_in(v)
    return found


@pytest.mark.parametrize("host", ["evil.example", "evil.example:8000", "127.0.0.1.evil.example", "127.0.0.1:x",
                                  "[::2]:8000", "localhost@evil.example"])
def test_untrusted_host_is_refused_in_dutch(strict_client, host):
    for path in ["/", *LINK_PATHS]:
        r = strict_client.get(path, headers={"Host": host})
        assert r.status_code == 400, (host, path)
        detail = r.json()["detail"]
        assert "host" in detail and "WZ_ALLOWED_HOSTS" in detail
        assert "evil" not in r.headers.get("location", "")


@pytest.mark.parametrize("host", ["127.0.0.1:8000", "localhost:8000", "[::1]:8000", "LOCALHOST"])
def test_trusted_host_links_point_at_it(strict_client, host):
    for path in LINK_PATHS:
        r = strict_client.get(path, headers={"Host": host})
        assert r.status_code == 200, (host, path, r.text[:200])
        links = links_in(r.json())
        assert links, path
        for link in links:
            assert urlsplit(link).netloc.lower() == host.lower(), (path, link)


def test_public_url_is_used_for_every_link(demo_build):
    settings = ServerSettings(build_dir=demo_build, allowed_hosts=None, public_url="https://kaart.example.nl/wz")
    with TestClient(create_app(settings)) as c:
        for path in LINK_PATHS:
            r = c.get(path, headers={"Host": "localhost"})
            assert r.status_code == 200
            for link in links_in(r.json()):
                assert link.startswith("https://kaart.example.nl/wz/"), (path, link)
        assert c.get("/ogc", headers={"Host": "kaart.example.nl"}).status_code == 200
        assert c.get("/ogc", headers={"Host": "andere.example.nl"}).status_code == 400


def test_any_host_when_configured_so(demo_build):
    with TestClient(create_app(ServerSettings(build_dir=demo_build, allowed_hosts=["*"]))) as c:
        r = c.get("/tiles/gemeenten.json", headers={"Host": "wie.dan.ook"})
        assert r.status_code == 200 and r.json()["tiles"][0].startswith("http://wie.dan.ook/")


def test_allowed_hosts_from_the_environment(demo_build, monkeypatch):
    monkeypatch.setenv("WZ_ALLOWED_HOSTS", "kaart.gemeente.nl, intranet")
    with TestClient(create_app(ServerSettings(build_dir=demo_build))) as c:
        assert c.get("/health", headers={"Host": "intranet:8080"}).status_code == 200
        assert c.get("/health", headers={"Host": "kaart.gemeente.nl"}).status_code == 200
        assert c.get("/health", headers={"Host": "localhost"}).status_code == 400


def test_ogc_trailing_slash_redirect_is_relative(strict_client):
    r = strict_client.get("/ogc/collections/?f=json", headers={"Host": "localhost"}, follow_redirects=False)
    assert r.status_code == 307 and r.headers["location"] == "/ogc/collections?f=json"


# --- errors in Dutch, also for what FastAPI answers itself -------------------------------------

ENGLISH = ("Not Found", "Method Not Allowed", "Field required", "Unprocessable", "Internal Server Error")


@pytest.mark.parametrize("method,path,status", [
    ("GET", "/bestaat/niet", 404), ("GET", "/api/bestaatniet", 404), ("GET", "/ogc/bestaatniet", 404),
    ("GET", "/redoc", 404), ("POST", "/api/catalog", 405), ("DELETE", "/tiles/gemeenten.json", 405),
    ("POST", "/ogc/collections", 405), ("PUT", "/ogc/collections/gemeenten/items", 405),
    ("POST", "/tiles/gemeenten/10/1/1.pbf", 405),
])
def test_framework_errors_are_dutch_json(client, method, path, status):
    r = client.request(method, path)
    assert r.status_code == status
    assert r.headers["content-type"].startswith("application/json")
    detail = r.json()["detail"]
    assert isinstance(detail, str) and detail
    assert not any(word in detail for word in ENGLISH)
    if status == 405:
        assert "GET" in r.headers["allow"] and "niet toegestaan" in detail
    else:
        assert "onbekend" in detail


def test_validation_errors_are_dutch_json(demo_build):
    app = create_app(ServerSettings(build_dir=demo_build))

    @app.get("/proef/{getal}")
    def proef(getal: int) -> dict:  # a typed parameter, as a future route might have
        return {"getal": getal}

    with TestClient(app) as c:
        assert c.get("/proef/12").json() == {"getal": 12}
        r = c.get("/proef/twaalf")
        assert r.status_code == 400
        assert "getal" in r.json()["detail"] and "ongeldig" in r.json()["detail"]
        assert not any(word in r.text for word in ENGLISH)


# --- /docs works offline ------------------------------------------------------------------------

class _Refs(HTMLParser):
    def __init__(self):
        super().__init__()
        self.refs, self.inline_scripts, self._in_script = [], [], False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        for key in ("src", "href"):
            if attrs.get(key):
                self.refs.append(attrs[key])
        self._in_script = tag == "script"
        if tag == "script" and not attrs.get("src"):
            self.inline_scripts.append("")

    def handle_data(self, data):
        if self._in_script and data.strip():
            self.inline_scripts.append(data)

    def handle_endtag(self, tag):
        self._in_script = False


def test_docs_page_loads_everything_from_the_server(client):
    r = client.get("/docs")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
    assert not re.search(r"https?://|//cdn|jsdelivr|unpkg", r.text, re.I)
    parser = _Refs()
    parser.feed(r.text)
    assert not parser.inline_scripts, "an inline script would need 'unsafe-inline' in the CSP"
    scripts = [ref for ref in parser.refs if ref.endswith(".js")]
    assert any("swagger-ui" in ref for ref in scripts)
    for ref in parser.refs:
        if ref.startswith("data:"):
            continue
        assert ref.startswith("/") and not ref.startswith("//"), ref
        asset = client.get(ref)
        assert asset.status_code == 200 and len(asset.content) > 100, ref
    init = next(ref for ref in scripts if ref.startswith("/static/"))
    assert "/openapi.json" in client.get(init).text


def test_openapi_document_still_served(client):
    doc = client.get("/openapi.json").json()
    assert "/tiles/{layer}.pmtiles" in doc["paths"]
    responses = doc["paths"]["/tiles/{layer}.pmtiles"]["get"]["responses"]
    assert "401" not in responses and "403" not in responses
