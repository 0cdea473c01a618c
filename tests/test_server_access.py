"""Server access rules (internal layers hidden without the token), privacy in public answers,
HTTP Range on the archives, path traversal."""

from __future__ import annotations

import gzip
import json

import mapbox_vector_tile
import pytest
from fastapi.testclient import TestClient

from geo.settings import Settings
from layers.registry import load_registry
from server.app import create_app
from server.settings import ServerSettings
from tests.test_end_to_end import lonlat_to_tile

TOKEN = "proef-sleutel-7f3a"


@pytest.fixture(scope="module")
def client(demo_build):
    with TestClient(create_app(ServerSettings(build_dir=demo_build, token=TOKEN))) as c:
        yield c


def a_tile(client, layer, z=12):
    lon, lat = client.get("/api/gemeenten").json()[1]["label_point"]
    return f"/tiles/{layer}/{z}/{lon_lat_xy(lon, lat, z)}.pbf"


def lon_lat_xy(lon, lat, z):
    x, y = lonlat_to_tile(lon, lat, z)
    return f"{x}/{y}"


# --- internal layers ---------------------------------------------------------------

def test_internal_layer_is_hidden_without_the_token(client, demo_build):
    """Without a valid token (none, wrong, other scheme) an internal layer is a 404 like an unknown layer."""
    cat = json.loads((demo_build / "catalog.json").read_text())
    loc = next(l for l in cat["layers"] if l["id"] == "locaties_intern")
    w, s, e, n = loc["bounds"]
    z = 10
    x, y = lonlat_to_tile((w + e) / 2, (s + n) / 2, z)
    path = f"/tiles/locaties_intern/{z}/{x}/{y}.pbf"
    unknown = client.get(f"/tiles/geenlaag/{z}/{x}/{y}.pbf")
    assert unknown.status_code == 404
    for headers in ({}, {"Authorization": "Bearer verkeerd"}, {"Authorization": f"Basic {TOKEN}"},
                    {"Authorization": "Bearer "}, {"Authorization": f"Bearer {TOKEN}x"}):
        r = client.get(path, headers=headers)
        assert r.status_code == 404, headers
        assert "www-authenticate" not in r.headers
        assert r.json()["detail"].replace("locaties_intern", "?") == unknown.json()["detail"].replace("geenlaag", "?")
    ok = client.get(path, headers={"Authorization": f"Bearer {TOKEN}"})
    assert ok.status_code in (200, 204)
    for url in ("/tiles/locaties_intern.json", "/tiles/locaties_intern.pmtiles"):
        assert client.get(url).status_code == 404
        assert client.get(url, headers={"Authorization": "Bearer verkeerd"}).status_code == 404
        assert client.get(url, headers={"Authorization": f"Bearer {TOKEN}"}).status_code == 200


def test_catalog_lists_internal_layers_only_with_the_token(client):
    public = {l["id"] for l in client.get("/api/catalog").json()["layers"]}
    full = {l["id"] for l in client.get("/api/catalog", headers={"Authorization": f"Bearer {TOKEN}"}).json()["layers"]}
    assert "locaties_intern" not in public and "locaties_intern" in full
    assert "locaties_intern" not in client.get("/api/style.json").json()["sources"]
    assert "locaties_intern" not in client.get("/health").json()["layers"]


def test_without_a_configured_token_internal_layers_are_never_served(demo_build):
    with TestClient(create_app(ServerSettings(build_dir=demo_build))) as c:
        for headers in ({}, {"Authorization": "Bearer "}, {"Authorization": "Bearer x"},
                        {"Authorization": f"Bearer {TOKEN}"}):
            assert c.get("/tiles/locaties_intern.json", headers=headers).status_code == 404
            assert c.get("/tiles/locaties_intern.pmtiles", headers=headers).status_code == 404
            assert "locaties_intern" not in c.get("/api/catalog", headers=headers).text


def test_public_tiles_hold_no_small_counts(client, demo_build):
    """Decode every tile of every public layer at its minimum zoom: count fields are absent or >= threshold."""
    from pmtiles.reader import MmapSource, Reader, all_tiles

    threshold = Settings().privacy_min_count
    for spec in load_registry():
        if not spec.public:
            continue
        counts = {f.name for f in spec.fields if f.count}
        with open(demo_build / "tiles" / f"{spec.id}.pmtiles", "rb") as fh:
            for (z, x, y), data in all_tiles(MmapSource(fh)):
                if z != spec.minzoom:
                    continue
                for layer in mapbox_vector_tile.decode(gzip.decompress(data)).values():
                    for f in layer["features"]:
                        props = f["properties"]
                        assert "clienten_intramuraal" not in props and "clienten_vpt_mpt" not in props
                        for name in counts & set(props):
                            assert props[name] >= threshold


# --- HTTP Range on the archives ------------------------------------------------------

@pytest.fixture(scope="module")
def archive_bytes(demo_build):
    return (demo_build / "tiles" / "gemeenten.pmtiles").read_bytes()


@pytest.mark.parametrize("header,span", [
    ("bytes=0-126", (0, 126)),          # the header, as PMTiles clients read first
    ("bytes=1000-1999", (1000, 1999)),  # a middle range
    ("bytes=-100", None),               # suffix: the last 100 bytes
    ("bytes=5000-", None),              # open end
])
def test_range_requests(client, archive_bytes, header, span):
    size = len(archive_bytes)
    if header == "bytes=-100":
        span = (size - 100, size - 1)
    if header == "bytes=5000-":
        span = (5000, size - 1)
    r = client.get("/tiles/gemeenten.pmtiles", headers={"Range": header})
    assert r.status_code == 206
    assert r.headers["content-range"] == f"bytes {span[0]}-{span[1]}/{size}"
    assert r.headers["accept-ranges"] == "bytes"
    assert int(r.headers["content-length"]) == span[1] - span[0] + 1
    assert r.content == archive_bytes[span[0]:span[1] + 1]
    if span[0] == 0:
        assert r.content[:7] == b"PMTiles" and r.content[7] == 3


def test_unsatisfiable_range_and_whole_file(client, archive_bytes):
    size = len(archive_bytes)
    r = client.get("/tiles/gemeenten.pmtiles", headers={"Range": f"bytes={size}-"})
    assert r.status_code == 416 and r.headers["content-range"] == f"bytes */{size}"
    whole = client.get("/tiles/gemeenten.pmtiles")
    assert whole.status_code == 200 and whole.content == archive_bytes
    etag = whole.headers["etag"]
    assert client.get("/tiles/gemeenten.pmtiles", headers={"If-None-Match": etag}).status_code == 304
    head = client.head("/tiles/gemeenten.pmtiles", headers={"Range": "bytes=0-9"})
    assert head.status_code == 206 and head.headers["content-length"] == "10" and head.content == b""


def test_cors_preflight_with_range(client):
    r = client.options("/tiles/gemeenten.pmtiles", headers={
        "Origin": "https://viewer.example.nl", "Access-Control-Request-Method": "GET",
        "Access-Control-Request-Headers": "range"})
    assert r.status_code == 200
    assert r.headers["access-control-allow-origin"] in ("*", "https://viewer.example.nl")
    assert "range" in r.headers["access-control-allow-headers"].lower()
    g = client.get("/tiles/gemeenten.pmtiles", headers={"Origin": "https://viewer.example.nl", "Range": "bytes=0-9"})
    exposed = g.headers["access-control-expose-headers"].lower()
    for h in ("etag", "content-range", "content-length"):
        assert h in exposed


# --- no path outside the build --------------------------------------------------------

@pytest.mark.parametrize("path", [
    "/tiles/..%2F..%2Fpyproject.toml",
    "/tiles/..%2F..%2Fetc%2Fpasswd.pmtiles",
    "/tiles/%2e%2e%2f%2e%2e%2fcatalog.json",
    "/tiles/%252e%252e%252fcatalog.pmtiles",
    "/tiles/gemeenten%00.pmtiles",
    "/tiles/%2Fetc%2Fpasswd.pmtiles",
    "/vendor/leaflet/..%2F..%2F..%2Fpyproject.toml",
    "/vendor/leaflet/%2e%2e/%2e%2e/%2e%2e/pyproject.toml",
    "/vendor/leaflet//etc/passwd",
    "/vendor/..%2Fstatic/app.js",
    "/static/..%2Fpyproject.toml",
    "/static/%2e%2e%2fpyproject.toml",
    "/static/%252e%252e%252fpyproject.toml",
    "/static/app.js%00.png",
    "/static/node_modules%2Fleaflet%2Fpackage.json",
    "/vendor/leaflet/dist/leaflet.js%00.map",
])
def test_path_traversal_is_refused(client, path):
    r = client.get(path)
    assert r.status_code in (400, 404)
    assert b"[build-system]" not in r.content and b"root:" not in r.content
