"""Compression and cache headers: HTML, JavaScript, CSS and JSON gzip-compressed for a client that
accepts it (a file compressed once), ETag and 304, Cache-Control by path; tiles and archives passed
through byte for byte with their own headers."""

from __future__ import annotations

import gzip
import json

import pytest
from fastapi.testclient import TestClient
from pmtiles.reader import MmapSource, Reader, all_tiles

from server.app import create_app
from server.settings import ServerSettings
from tests.conftest import ROOT

#: the viewer's largest script (its modules change; any of them will do)
SCRIPT = "/static/" + max((ROOT / "static").glob("*.js"), key=lambda p: p.stat().st_size).name
GZIP = {"Accept-Encoding": "gzip"}
IDENTITY = {"Accept-Encoding": "identity"}
TOKEN = "pak-sleutel-7"


@pytest.fixture(scope="module")
def client(demo_build):
    with TestClient(create_app(ServerSettings(build_dir=demo_build, reload_interval=0, token=TOKEN))) as c:
        yield c


def raw_get(client, path, headers) -> tuple[int, dict, bytes]:
    """Status, headers and the body as sent (no decoding of Content-Encoding)."""
    with client.stream("GET", path, headers=headers) as r:
        return r.status_code, dict(r.headers), b"".join(r.iter_raw())


COMPRESSED = ["/", SCRIPT, "/static/style.css", "/vendor/leaflet/dist/leaflet.js",
              "/openapi.json", "/api/catalog", "/api/legend", "/api/prognose", "/api/gemeenten/GM9902",
              "/api/gebieden", "/api/gemeenten/GM9902/prognose.csv", "/ogc/collections/gemeenten/items?limit=5"]


@pytest.mark.parametrize("path", COMPRESSED)
def test_text_and_json_are_gzip_compressed(client, path):
    status, headers, body = raw_get(client, path, GZIP)
    assert status == 200
    assert headers["content-encoding"] == "gzip"
    assert "accept-encoding" in headers["vary"].lower() and "authorization" in headers["vary"].lower()
    assert int(headers["content-length"]) == len(body)
    plain_status, plain_headers, plain = raw_get(client, path, IDENTITY)
    assert plain_status == 200 and "content-encoding" not in plain_headers
    assert gzip.decompress(body) == plain
    assert len(body) < len(plain)
    assert headers["etag"] != plain_headers["etag"]  # two representations, two tags


@pytest.mark.parametrize("path,cache", [("/vendor/leaflet/dist/leaflet.js", "public, max-age=2592000"),
                                        (SCRIPT, "no-cache"), ("/", "no-cache"),
                                        ("/api/catalog", "no-cache"), ("/api/prognose?jaar=2030", "no-cache"),
                                        ("/api/gemeenten/GM9902", "no-cache")])
def test_cache_control_and_revalidation(client, path, cache):
    for headers in (GZIP, IDENTITY):
        r = client.get(path, headers=headers)
        assert r.headers["cache-control"] == cache
        etag = r.headers["etag"]
        again = client.get(path, headers={**headers, "If-None-Match": etag})
        assert again.status_code == 304 and again.content == b""
        assert again.headers["etag"] == etag and again.headers["cache-control"] == cache
        other = client.get(path, headers={**headers, "If-None-Match": '"iets-anders"'})
        assert other.status_code == 200 and other.content == r.content


def test_an_answer_that_changes_gets_another_etag(client):
    a = client.get("/api/prognose?jaar=2030").headers["etag"]
    b = client.get("/api/prognose?jaar=2031").headers["etag"]
    assert a != b
    assert client.get("/api/prognose?jaar=2031", headers={"If-None-Match": a}).status_code == 200


def test_private_answers_stay_private(client):
    r = client.get("/api/catalog", headers={**GZIP, "Authorization": f"Bearer {TOKEN}"})
    assert r.status_code == 200 and "locaties_intern" in r.text
    assert r.headers["cache-control"] == "private, no-store"
    assert r.headers["content-encoding"] == "gzip"


def test_small_answers_are_not_compressed_but_revalidate(client):
    r = client.get("/docs", headers=GZIP)
    assert r.status_code == 200 and len(r.content) < 512
    assert "content-encoding" not in r.headers and "accept-encoding" in r.headers["vary"].lower()
    assert client.get("/docs", headers={"If-None-Match": r.headers["etag"]}).status_code == 304


def test_errors_are_not_touched(client):
    r = client.get("/api/gemeenten/GM0001", headers=GZIP)
    assert r.status_code == 404 and "content-encoding" not in r.headers and "etag" not in r.headers


def test_a_file_is_compressed_once(demo_build, monkeypatch):
    import server.compression as compression

    calls = []
    real = gzip.compress
    monkeypatch.setattr(compression.gzip, "compress", lambda data, level: calls.append(len(data)) or real(data, level))
    with TestClient(create_app(ServerSettings(build_dir=demo_build, reload_interval=0))) as c:
        for _ in range(3):
            assert c.get(SCRIPT, headers=GZIP).headers["content-encoding"] == "gzip"
        for _ in range(2):
            c.get("/api/catalog", headers=GZIP)
    assert len(calls) == 2  # once for the file, once for the (unchanged) catalog


def test_ranges_pass_through_uncompressed(client, demo_build):
    r = client.get("/downloads/prognose_tekort.csv", headers={**GZIP, "Range": "bytes=0-99"})
    assert r.status_code == 206 and "content-encoding" not in r.headers
    assert r.content == (demo_build / "prognose_tekort.csv").read_bytes()[:100]


def test_switched_off(demo_build):
    with TestClient(create_app(ServerSettings(build_dir=demo_build, reload_interval=0, compress=False))) as c:
        r = c.get(SCRIPT, headers=GZIP)
        assert "content-encoding" not in r.headers and "accept-encoding" not in r.headers.get("vary", "").lower()


# --- tiles: as stored ---------------------------------------------------------------------------------


def stored_tiles(demo_build, layer, n=40):
    with open(demo_build / "tiles" / f"{layer}.pmtiles", "rb") as fh:
        return [zxy for zxy, _ in all_tiles(MmapSource(fh))][:n]


def test_tiles_are_sent_as_stored(client, demo_build):
    """The body is the archive's stored (gzip) tile, byte for byte, whatever the client accepts; headers
    the same as with compression switched off."""
    with TestClient(create_app(ServerSettings(build_dir=demo_build, reload_interval=0, compress=False))) as off:
        with open(demo_build / "tiles" / "gemeenten.pmtiles", "rb") as fh:
            reader = Reader(MmapSource(fh))
            for z, x, y in stored_tiles(demo_build, "gemeenten"):
                stored = reader.get(z, x, y)
                assert stored[:2] == b"\x1f\x8b"
                path = f"/tiles/gemeenten/{z}/{x}/{y}.pbf"
                for headers in (GZIP, IDENTITY, {}):
                    status, h, body = raw_get(client, path, headers)
                    assert status == 200 and body == stored
                    assert h["content-encoding"] == "gzip"
                    assert "accept-encoding" not in h.get("vary", "").lower()
                    _, h_off, body_off = raw_get(off, path, headers)
                    skip = {"date"}
                    assert {k: v for k, v in h.items() if k not in skip} == \
                        {k: v for k, v in h_off.items() if k not in skip}
                    assert body_off == body


def test_archive_and_tilejson_keep_their_headers(client, demo_build):
    size = (demo_build / "tiles" / "gemeenten.pmtiles").stat().st_size
    status, h, body = raw_get(client, "/tiles/gemeenten.pmtiles", {**GZIP, "Range": "bytes=0-126"})
    assert status == 206 and "content-encoding" not in h and len(body) == 127
    status, h, body = raw_get(client, "/tiles/gemeenten.pmtiles", GZIP)
    assert status == 200 and "content-encoding" not in h and len(body) == size
    status, h, body = raw_get(client, "/tiles/gemeenten.json", GZIP)
    assert status == 200 and "content-encoding" not in h and json.loads(body)["tilejson"] == "3.0.0"


# --- the pieces ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("value,ok", [(b"gzip", True), (b"gzip, deflate, br", True), (b"br;q=1.0, gzip;q=0.5", True),
                                      (b"*", True), (b"GZIP", True), (b"gzip;q=0", False), (b"identity", False),
                                      (b"deflate", False), (b"", False), (None, False), (b"x-gzip", True),
                                      (b"*;q=0, gzip", True), (b"gzip;q=0, *", False), (b"gzip; q=0.000", False)])
def test_accepts_gzip(value, ok):
    from server.compression import accepts_gzip

    assert accepts_gzip(value) is ok


@pytest.mark.parametrize("header,etag,match", [
    (b'"abc"', '"abc"', True), (b'"abc-gz"', '"abc"', True), (b'W/"abc"', '"abc"', True),
    (b'"x", "abc"', '"abc"', True), (b"*", '"abc"', True), (b'"abd"', '"abc"', False), (None, '"abc"', False),
    (b'"ab"', '"abc"', False),
])
def test_etag_matches(header, etag, match):
    from server.compression import etag_matches

    assert etag_matches(header, etag) is match


def test_gzip_cache_drops_the_least_recently_used():
    from server.compression import GzipCache

    cache = GzipCache(budget=100)
    cache.put("a", b"x" * 20)
    cache.put("b", b"y" * 20)
    cache.put("big", b"z" * 30)   # more than a quarter of the budget: not kept
    assert cache.get("big") is None
    cache.get("a")                # a used again: b is the oldest
    for k in ("c", "d", "e", "f"):
        cache.put(k, b"w" * 20)
    assert cache.size == 100 and cache.get("b") is None and cache.get("a") is not None
