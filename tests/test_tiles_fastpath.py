"""The tile fast path answers exactly as the routed tile endpoint did: same status, header lines (names,
values, order) and body, for stored tiles, 304, 204, errors, internal layers with and without token, CORS,
untrusted hosts; it follows a new build like the routes; and the HTTP protocol's shortcut writes the same
bytes as the previous server (h11, no fast path) over real sockets."""

from __future__ import annotations

import asyncio
import gzip
import json
import math
import os
import socket
import subprocess
import sys
import time
from pathlib import Path
from unittest.mock import Mock
from urllib.parse import quote

import pytest
from fastapi.testclient import TestClient
from pmtiles.reader import MmapSource, Reader, all_tiles

from server.app import create_app
from server.settings import ServerSettings
from tests.conftest import ROOT, free_port
from tests.serving import published_copy
from tests.test_end_to_end import lonlat_to_tile

TOKEN = "snelpad-sleutel-93d1"
BEARER = {"Authorization": f"Bearer {TOKEN}"}
ORIGIN = "https://kaart.example.nl"
PUBLIC = ("gemeenten", "gap_2040", "wijken", "locaties")


def stored(build: Path, layer: str) -> list[tuple[int, int, int]]:
    with open(build / "tiles" / f"{layer}.pmtiles", "rb") as fh:
        return [zxy for zxy, _ in all_tiles(MmapSource(fh))]


def sample(build: Path, layer: str, n: int = 12) -> list[tuple[int, int, int]]:
    """``n`` stored tiles spread over the archive (every zoom of a small one)."""
    tiles = stored(build, layer)
    step = max(1, len(tiles) // n)
    return tiles[::step][:n]


def empty_tiles(build: Path, layer: str = "locaties") -> list[tuple[int, int, int]]:
    """Tiles inside the layer's bounds that the archive does not store (204)."""
    cat = json.loads((build / "catalog.json").read_text(encoding="utf-8"))
    spec = next(l for l in cat["layers"] if l["id"] == layer)
    w, s, e, n = spec["bounds"]
    z = spec["maxzoom"]
    have = set(stored(build, layer))
    k = 2 ** z

    def lat(yy: int) -> float:  # the slippy-map formula, north edge of tile row yy
        return math.degrees(math.atan(math.sinh(math.pi * (1 - 2 * yy / k))))

    out = []
    for lon, la in ((w, s), (w, n), (e, s), (e, n)):
        x, y = lonlat_to_tile(lon, la, z)
        for xx in (x - 1, x, x + 1):
            touches = xx / k * 360 - 180 <= e and (xx + 1) / k * 360 - 180 >= w and lat(y + 1) <= n and lat(y) >= s
            if touches and (z, xx, y) not in have:
                out.append((z, xx, y))
    assert out, "no empty tile inside the bounds found"
    return out


def settings(build: Path, **kw) -> ServerSettings:
    return ServerSettings(build_dir=build, reload_interval=0, token=TOKEN, **kw)


def answer(client: TestClient, method: str, path: str, headers: dict):
    """Status, header lines and the body as sent (not decompressed)."""
    with client.stream(method, path, headers=headers) as r:
        return r.status_code, [(k, v) for k, v in r.headers.raw if k != b"date"], b"".join(r.iter_raw())


@pytest.fixture(scope="module")
def pair(demo_build):
    """The app with the fast path and the same app without it (every tile through the routes)."""
    with TestClient(create_app(settings(demo_build))) as fast, \
            TestClient(create_app(settings(demo_build), tile_fast_path=False)) as slow:
        yield fast, slow


@pytest.fixture(scope="module")
def explicit_pair(demo_build):
    """The same with one listed origin instead of ``*``."""
    with TestClient(create_app(settings(demo_build, cors_origins=[ORIGIN]))) as fast, \
            TestClient(create_app(settings(demo_build, cors_origins=[ORIGIN]), tile_fast_path=False)) as slow:
        yield fast, slow


def requests_for(build: Path, fast: TestClient) -> list[tuple[str, str, dict]]:
    """(method, path, headers): stored tiles of every public layer in three spellings and with the
    request headers that change an answer, 304s, 204s, errors, the internal layer."""
    out = []
    for layer in PUBLIC:
        for i, (z, x, y) in enumerate(sample(build, layer)):
            path = f"/tiles/{layer}/{z}/{x}/{y}" + (".pbf", ".mvt", "")[i % 3]
            etag = fast.get(path).headers["etag"]
            out += [("GET", path, {}), ("GET", path, {"Origin": ORIGIN}), ("GET", path, {"If-None-Match": etag}),
                    ("GET", path, {"If-None-Match": etag, "Origin": "https://elders.example"}),
                    ("GET", path, {"If-None-Match": f'"x{etag[1:]}'}), ("GET", path, BEARER),
                    ("GET", path, {"Authorization": "Bearer verkeerd", "Accept-Encoding": "gzip"}),
                    ("GET", path, {"Cookie": "a=b", "Origin": ORIGIN})]
    for z, x, y in empty_tiles(build):
        out += [("GET", f"/tiles/locaties/{z}/{x}/{y}.pbf", h) for h in ({}, {"Origin": ORIGIN})]
    z, x, y = stored(build, "locaties_intern")[0]
    internal = f"/tiles/locaties_intern/{z}/{x}/{y}.pbf"
    out += [("GET", internal, h) for h in ({}, BEARER, {**BEARER, "Origin": ORIGIN}, {"Authorization": "Bearer x"},
                                          {"Authorization": f"Basic {TOKEN}"})]
    z, x, y = stored(build, "gemeenten")[0]
    out += [("GET", p, {}) for p in (
        "/tiles/gemeenten/a/1/1.pbf", "/tiles/gemeenten/10/1/x.pbf", "/tiles/gemeenten/10/1/1.png",
        "/tiles/gemeenten/-1/0/0.pbf", "/tiles/gemeenten/2/4/0.pbf", "/tiles/gemeenten/2/0/0.pbf",
        "/tiles/gemeenten/20/0/0.pbf", "/tiles/gemeenten/8/0/0.pbf", "/tiles/bestaatniet/8/0/0.pbf",
        "/tiles/..%2F..%2Fetc%2Fpasswd/1/0/0.pbf", f"/tiles/gemeenten/{z}/{x}/{y}.pbf/",
        f"/tiles/gemeenten/{z}/{x}/{y}.pbf.pbf", f"/tiles/gemeenten/{z}/{x}/{y}%0A",
        f"/tiles/gemeenten/{z}/{x}/0{y}.pbf", f"/tiles/gemeenten/{z}/{x}/{y}.PBF", f"/tiles/Gemeenten/{z}/{x}/{y}",
        "/tiles/gemeenten/31/0/0.pbf", "/tiles/gemeenten/123456789/0/0.pbf", f"/tiles/gemeenten/{z}/{x}/{y}.pbf?v=2",
        "/tiles/gemeenten.json", "/tiles/gemeenten/١٠/1/1.pbf")]
    out += [("HEAD", f"/tiles/gemeenten/{z}/{x}/{y}.pbf", {}), ("POST", f"/tiles/gemeenten/{z}/{x}/{y}.pbf", {}),
            ("OPTIONS", f"/tiles/gemeenten/{z}/{x}/{y}.pbf", {"Origin": ORIGIN, "Access-Control-Request-Method": "GET"}),
            ("GET", f"/tiles/gemeenten/{z}/{x}/{y}.pbf", {"Host": "wie.dan.ook"})]
    return out


def test_same_answers_as_the_routes(pair, demo_build):
    fast, slow = pair
    requests = requests_for(demo_build, fast)
    statuses = set()
    for method, path, headers in requests:
        got, want = answer(fast, method, path, headers), answer(slow, method, path, headers)
        assert got == want, (method, path, headers)
        statuses.add(got[0])
    assert {200, 204, 304, 400, 404, 405} <= statuses  # the sample covers every kind of answer


def test_same_answers_with_listed_origins(explicit_pair, demo_build):
    fast, slow = explicit_pair
    for method, path, headers in requests_for(demo_build, fast)[:40]:
        assert answer(fast, method, path, headers) == answer(slow, method, path, headers), (method, path, headers)


def test_body_is_the_stored_tile_and_headers_by_hand(pair, demo_build):
    """Independent of both paths: the archive's bytes, and the header values the tile endpoint promises."""
    fast, _ = pair
    size_mtime = os.stat(demo_build / "tiles" / "wijken.pmtiles")
    with open(demo_build / "tiles" / "wijken.pmtiles", "rb") as fh:
        reader = Reader(MmapSource(fh))
        for z, x, y in sample(demo_build, "wijken"):
            r = fast.get(f"/tiles/wijken/{z}/{x}/{y}.pbf")
            data = reader.get(z, x, y)
            assert r.status_code == 200 and data[:2] == b"\x1f\x8b"
            assert r.content == gzip.decompress(data)  # the client undoes the stored gzip
            assert r.headers["content-type"] == "application/vnd.mapbox-vector-tile"
            assert r.headers["content-encoding"] == "gzip" and r.headers["content-length"] == str(len(data))
            assert r.headers["cache-control"] == "public, max-age=3600"
            assert r.headers["etag"].startswith(f'"{size_mtime.st_size:x}-{int(size_mtime.st_mtime_ns):x}-')
            assert r.headers["vary"] == "Origin, Authorization"
            assert r.headers["x-content-type-options"] == "nosniff" and r.headers["x-frame-options"] == "DENY"
            assert "frame-ancestors 'none'" in r.headers["content-security-policy"]


def test_fast_path_answers_itself_and_hands_on_the_rest(demo_build):
    """Stored and empty public tiles never reach the routes; errors, internal layers and other methods do."""
    app = create_app(settings(demo_build))
    fast = app.tile_fast_path
    handed_on = []
    inner = fast.app

    async def recording(scope, receive, send):
        handed_on.append((scope["method"], scope["path"]))
        await inner(scope, receive, send)

    fast.app = recording
    with TestClient(app) as c:
        z, x, y = stored(demo_build, "gemeenten")[3]
        ez, ex, ey = empty_tiles(demo_build)[0]
        tile = f"/tiles/gemeenten/{z}/{x}/{y}.pbf"
        etag = c.get(tile).headers["etag"]
        assert c.get(tile, headers={"If-None-Match": etag}).status_code == 304
        assert c.get(f"/tiles/locaties/{ez}/{ex}/{ey}.pbf").status_code == 204
        assert c.get(tile, headers={"Origin": ORIGIN, **BEARER}).status_code == 200
        assert handed_on == []
        iz, ix, iy = stored(demo_build, "locaties_intern")[0]
        for method, path, headers, status in (
                ("GET", f"/tiles/locaties_intern/{iz}/{ix}/{iy}.pbf", {}, 404),
                ("GET", f"/tiles/locaties_intern/{iz}/{ix}/{iy}.pbf", BEARER, 200),
                ("GET", "/tiles/gemeenten/20/0/0.pbf", {}, 404), ("GET", "/tiles/gemeenten/a/0/0.pbf", {}, 400),
                ("HEAD", tile, {}, 405), ("GET", tile, {"Host": "wie.dan.ook"}, 400)):
            assert c.request(method, path, headers=headers).status_code == status
            assert handed_on[-1] == (method, path.split("?")[0])
        assert len(handed_on) == 6
        assert app.state.builds.leases == 0  # every lease returned, answered here or by the routes


def test_internal_tile_with_token_is_private(pair, demo_build):
    fast, _ = pair
    z, x, y = stored(demo_build, "locaties_intern")[0]
    r = fast.get(f"/tiles/locaties_intern/{z}/{x}/{y}.pbf", headers={**BEARER, "Origin": ORIGIN})
    assert r.status_code == 200 and r.headers["cache-control"] == "private, no-store"
    assert "access-control-allow-origin" not in r.headers
    assert fast.get(f"/tiles/locaties_intern/{z}/{x}/{y}.pbf").status_code == 404


def test_a_new_build_is_served_like_the_routes_serve_it(tmp_path, demo_build):
    """After a switch both paths answer from the new build (new tile bytes, new ETag); the old build is
    closed once its last request is done."""
    out = tmp_path / "build"
    published_copy(demo_build, out, region="Regio A")
    old_tiles = {zxy: data for zxy, data in _tiles(out, "gemeenten")}
    wijken = dict(_tiles(out, "wijken"))
    common = next(zxy for zxy in old_tiles if zxy in wijken and wijken[zxy] != old_tiles[zxy])
    path = "/tiles/gemeenten/{}/{}/{}.pbf".format(*common)
    with TestClient(create_app(settings(out))) as fast, \
            TestClient(create_app(settings(out), tile_fast_path=False)) as slow:
        before = fast.get(path)
        assert before.content == gzip.decompress(old_tiles[common])
        old_build = fast.app.state.builds.current

        def swap_archive(folder: Path) -> None:  # the same catalog, other tiles: wijken's archive as gemeenten's
            (folder / "tiles" / "gemeenten.pmtiles").write_bytes((folder / "tiles" / "wijken.pmtiles").read_bytes())

        published_copy(demo_build, out, region="Regio B", change=swap_archive)
        for c in (fast, slow):
            assert c.app.state.builds.refresh()
        after = fast.get(path)
        assert after.status_code == 200 and after.content == gzip.decompress(wijken[common])
        assert after.headers["etag"] != before.headers["etag"]
        assert answer(fast, "GET", path, {}) == answer(slow, "GET", path, {})
        assert fast.get(path, headers={"If-None-Match": before.headers["etag"]}).status_code == 200
        assert fast.app.state.builds.leases == 0
        assert all(a._mm.closed for a in old_build.archives.values())  # retired and closed: nobody holds it


def _tiles(build: Path, layer: str):
    with open(build / "tiles" / f"{layer}.pmtiles", "rb") as fh:
        return list(all_tiles(MmapSource(fh)))


# --- the protocol: tiles answered from the parser's callbacks --------------------------------------


def test_protocol_answers_tiles_while_parsing(demo_build):
    """A tile request is answered within ``data_received`` (no ASGI task), with the app's answer."""
    from uvicorn.config import Config
    from uvicorn.server import ServerState

    from server.protocol import TileHttpToolsProtocol

    app = create_app(settings(demo_build))
    z, x, y = stored(demo_build, "gemeenten")[5]
    path = f"/tiles/gemeenten/{z}/{x}/{y}.pbf"
    with TestClient(create_app(settings(demo_build), tile_fast_path=False)) as slow:
        want = answer(slow, "GET", path, {"Origin": ORIGIN})

    async def run():
        config = Config(app=app, proxy_headers=True, log_level="warning")  # as wz serve; wraps the app
        config.load()
        state = ServerState()
        state.default_headers = [(b"date", b"Thu, 01 Jan 2026 00:00:00 GMT"), (b"server", b"uvicorn")]
        proto = TileHttpToolsProtocol(config=config, server_state=state, app_state={})
        assert proto._fast is app.tile_fast_path
        transport = Mock()
        transport.get_extra_info.return_value = None
        transport.is_closing.return_value = False
        proto.connection_made(transport)
        app.state.builds.start()
        try:
            proto.data_received(f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nOrigin: {ORIGIN}\r\n\r\n".encode())
            assert not state.tasks, "answered by an ASGI task instead of from the parser"
            assert state.total_requests == 1
            written = b"".join(call.args[0] for call in transport.write.call_args_list)
            proto.data_received(b"GET /tiles/gemeenten/20/0/0.pbf HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
            assert len(state.tasks) == 1  # an error: uvicorn and the app answer it
            await asyncio.gather(*state.tasks)
        finally:
            app.state.builds.stop()
        return written

    written = asyncio.run(run())
    head, _, body = written.partition(b"\r\n\r\n")
    lines = head.split(b"\r\n")
    assert lines[0] == b"HTTP/1.1 200 OK"
    assert lines[1:3] == [b"date: Thu, 01 Jan 2026 00:00:00 GMT", b"server: uvicorn"]
    assert want[0] == 200 and [tuple(l.split(b": ", 1)) for l in lines[3:]] == want[1]
    assert body == want[2]


def reference_app():
    """The server as it was before the fast path: every tile through the routes (for uvicorn's factory)."""
    from server.app import log_to_stderr

    log_to_stderr()
    return create_app(ServerSettings(), tile_fast_path=False)


class Live:
    """A server process on a free port: ``wz serve`` itself, or the reference (h11, no fast path)."""

    def __init__(self, build: Path, reference: bool, log: Path):
        self.port = free_port()
        env = {**os.environ, "PYTHONUNBUFFERED": "1", "WZ_TOKEN": TOKEN, "WZ_BUILD_DIR": str(build),
               "WZ_HOST": "127.0.0.1", "WZ_PORT": str(self.port)}
        if reference:
            code = ("import uvicorn; from server.protocol import NoDelayH11Protocol; "
                    f"uvicorn.run('tests.test_tiles_fastpath:reference_app', factory=True, host='127.0.0.1', "
                    f"port={self.port}, http=NoDelayH11Protocol, loop='asyncio', log_level='warning')")
            cmd = [sys.executable, "-c", code]
        else:
            cmd = [str(Path(sys.executable).parent / "wz"), "serve", "--build", str(build), "--port",
                   str(self.port), "--workers", "1"]
        self.log = open(log, "wb")
        self.proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=self.log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            assert self.proc.poll() is None, log.read_text(errors="replace")
            try:
                if exchange(self.port, b"GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")[0][0][0] == b"HTTP/1.1 200 OK":
                    return
            except OSError:
                pass
            time.sleep(0.2)
        self.stop()
        raise RuntimeError(f"server not ready: {log.read_text(errors='replace')}")

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(timeout=10)
        self.log.close()


def exchange(port: int, raw: bytes, answers: int = 1, head: bool = False):
    """Send raw request bytes, read ``answers`` responses: [(status line, [(name, value)], body)], closed?"""
    with socket.create_connection(("127.0.0.1", port), timeout=20) as sock:
        sock.sendall(raw)
        f = sock.makefile("rb")
        out = []
        for _ in range(answers):
            status = f.readline().rstrip(b"\r\n")
            headers = []
            while (line := f.readline().rstrip(b"\r\n")):
                name, _, value = line.partition(b": ")
                headers.append((name.lower(), value))
            values = dict(headers)
            length = 0 if head else int(values.get(b"content-length", b"0"))
            out.append((status, headers, f.read(length)))
        closed = False
        if any(v == b"close" for _, h, _ in out for k, v in h if k == b"connection"):
            sock.settimeout(5)
            closed = f.read(1) == b""
        return out, closed


@pytest.fixture(scope="module")
def live_pair(demo_build, tmp_path_factory):
    folder = tmp_path_factory.mktemp("live")
    new = Live(demo_build, reference=False, log=folder / "wz.log")
    try:
        old = Live(demo_build, reference=True, log=folder / "reference.log")
    except BaseException:
        new.stop()
        raise
    yield new, old
    new.stop()
    old.stop()


def without_date(answers):
    return [(s, [(k, v) for k, v in h if k != b"date"], b) for s, h, b in answers]


def test_same_bytes_as_the_previous_server(live_pair, demo_build, pair):
    """Over real sockets, ``wz serve`` (httptools, tiles from the parser) and the previous server (h11,
    every tile routed) answer the same status line, header lines and body, ``date`` aside."""
    new, old = live_pair
    fast, _ = pair
    cases = []
    for method, path, headers in requests_for(demo_build, fast):
        headers = {"Host": "127.0.0.1", **headers}
        text = f"{method} {quote(path, safe='/%?=.')} HTTP/1.1\r\n" + "".join(f"{k}: {v}\r\n" for k, v in headers.items()) + "\r\n"
        cases.append((text.encode("utf-8"), method == "HEAD"))
    z, x, y = stored(demo_build, "gemeenten")[7]
    tile = f"/tiles/gemeenten/{z}/{x}/{y}.pbf"
    cases += [(f"GET {tile} HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n".encode(), False),
              (f"GET {tile} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n".encode(), False),
              (f"GET {tile} HTTP/1.1\r\nHost: 127.0.0.1\r\nOrigin: {ORIGIN}\r\nOrigin: https://b.example\r\n\r\n".encode(),
               False)]
    for raw, head in cases:
        got, got_closed = exchange(new.port, raw, head=head)
        want, want_closed = exchange(old.port, raw, head=head)
        assert without_date(got) == without_date(want), raw
        assert got_closed == want_closed, raw
        assert any(k == b"date" for k, _ in got[0][1])


@pytest.mark.parametrize("path", ["/tiles/gemeenten/9/263/167.pbf", "/health"])
def test_http11_without_host_is_refused_as_before(live_pair, path):
    """HTTP/1.1 requires Host: the previous server (h11) answered 400 and closed; so does wz serve."""
    new, old = live_pair
    for port in (new.port, old.port):
        with socket.create_connection(("127.0.0.1", port), timeout=20) as sock:
            sock.sendall(f"GET {path} HTTP/1.1\r\n\r\nGET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".encode())
            data = b""
            while chunk := sock.recv(65536):
                data += chunk
        assert data.startswith(b"HTTP/1.1 400 Bad Request\r\n"), (port, data[:200])
        assert data.endswith(b"\r\n\r\nInvalid HTTP request received.")  # one answer, then closed


def test_pipelined_requests_answered_in_order(live_pair, demo_build):
    """Several requests in one packet, fast-path tiles between routed answers: answers in request order."""
    new, old = live_pair
    tiles = [f"/tiles/gemeenten/{z}/{x}/{y}.pbf" for z, x, y in stored(demo_build, "gemeenten")[:4]]
    paths = [tiles[0], "/health", tiles[1], "/tiles/gemeenten/20/0/0.pbf", tiles[2], tiles[3]]
    raw = b"".join(f"GET {p} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".encode() for p in paths)
    got, _ = exchange(new.port, raw, answers=len(paths))
    want, _ = exchange(old.port, raw, answers=len(paths))
    assert [s for s, _, _ in got] == [b"HTTP/1.1 200 OK", b"HTTP/1.1 200 OK", b"HTTP/1.1 200 OK",
                                      b"HTTP/1.1 404 Not Found", b"HTTP/1.1 200 OK", b"HTTP/1.1 200 OK"]
    for i in (0, 2, 3, 4, 5):  # /health names the process's build and layers: equal too, but skip timing fields
        assert without_date([got[i]]) == without_date([want[i]]), paths[i]
    assert json.loads(got[1][2])["status"] == "ok"
