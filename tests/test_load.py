"""A bounded load test: 64 concurrent keep-alive connections against a real two-worker ``wz serve``
for about 20 s, mixed tile, TileJSON, OGC items, catalog and gemeente requests, with a new build
published every 1.5 s in the middle. Every answer must be right (zero errors), and the workers'
memory must not grow after warm-up beyond a small margin (RSS read from /proc).

The margin is set from measurements on the demo build: the two workers grow by 38-49 MB over
eight switches (allocator slack, then level), and a build that is never freed costs 15.9 MiB per
worker once the request mix has touched it (``python scripts/bench_server_memory.py``), so keeping
every old build would cost about 2 x 8 x 16 = 250 MB here. The margin, 60 MB, lies well below
that, and a server that kept even two old builds per worker would fail it.
"""

from __future__ import annotations

import asyncio
import gzip
import json
import time
from collections import Counter
from pathlib import Path

import pytest

from tests.serving import Server, published_copy, rss_kb

pytestmark = pytest.mark.slow

CONNECTIONS = 64
SECONDS = 20.0
WARM_UP = 4.0
SWITCHES = tuple(6.0 + 1.5 * k for k in range(8))   # seconds after the start: a new build is published
REQUEST_TIMEOUT = 30.0
#: after warm-up both workers together may grow by this much (allocator slack, a few cached pages)
RSS_MARGIN_KB = 60 * 1024


def stored_tiles(build: Path, layer: str) -> list[str]:
    from pmtiles.reader import MmapSource, all_tiles

    with open(build / "tiles" / f"{layer}.pmtiles", "rb") as fh:
        return [f"/tiles/{layer}/{z}/{x}/{y}.pbf" for (z, x, y), _ in all_tiles(MmapSource(fh))]


def request_mix(build: Path) -> list[tuple[str, str]]:
    """(kind, path) in the proportions of a viewer session: mostly tiles."""
    import pyogrio

    codes = pyogrio.read_dataframe(build / "wonenzorg.gpkg", layer="gemeenten",
                                   read_geometry=False)["gemeentecode"].astype(str).tolist()
    tiles = stored_tiles(build, "gemeenten") + stored_tiles(build, "wijken")
    mix = []
    for k, tile in enumerate(tiles):
        mix.append(("tile", tile))
        if k % 4 == 0:
            mix.append(("tilejson", "/tiles/gemeenten.json" if k % 8 else "/tiles/wijken.json"))
        if k % 6 == 0:
            mix.append(("ogc", f"/ogc/collections/wijken/items?limit=25&offset={k % 50}"))
        if k % 9 == 0:
            mix.append(("gemeente", f"/api/gemeenten/{codes[k % len(codes)]}"))
        if k % 10 == 0:
            mix.append(("catalog", "/api/catalog"))
    return mix


class Stats:
    def __init__(self):
        self.failures: list[str] = []
        self.kinds: Counter = Counter()
        self.regions: list[tuple[float, str]] = []
        self.per_connection: Counter = Counter()


async def connection(k: int, port: int, mix: list[tuple[str, str]], regions: set[str], stop_at: float,
                     stats: Stats, t0: float) -> None:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    i = k * 7
    try:
        while time.monotonic() < stop_at:
            kind, path = mix[i % len(mix)]
            i += 1
            try:
                status, body = await asyncio.wait_for(ask(reader, writer, port, path), REQUEST_TIMEOUT)
            except Exception as exc:  # noqa: BLE001 - a reset, a timeout, a malformed answer: all failures
                stats.failures.append(f"{path}: {exc!r}")
                writer.close()
                reader, writer = await asyncio.open_connection("127.0.0.1", port)
                continue
            if status != 200:
                stats.failures.append(f"{path}: HTTP {status} {body[:120]!r}")
            elif kind == "catalog":
                region = json.loads(body)["region"]
                stats.regions.append((time.monotonic() - t0, region))
                if region not in regions:
                    stats.failures.append(f"{path}: unknown region {region!r}")
            elif kind in ("tilejson", "ogc", "gemeente"):
                json.loads(body)  # complete, valid JSON
            stats.kinds[kind] += 1
            stats.per_connection[k] += 1
    finally:
        writer.close()


async def ask(reader, writer, port: int, path: str) -> tuple[int, bytes]:
    writer.write(f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nAccept-Encoding: gzip\r\n\r\n".encode())
    await writer.drain()
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split(" ", 2)[1])
    headers = dict(line.split(": ", 1) for line in lines[1:] if ": " in line)
    length = int({k.lower(): v for k, v in headers.items()}.get("content-length", "0"))
    body = await reader.readexactly(length) if length else b""
    if {k.lower(): v for k, v in headers.items()}.get("content-encoding") == "gzip" and not path.startswith("/tiles/"):
        body = gzip.decompress(body)  # JSON answers come compressed, as to a browser (tiles are left as sent)
    return status, body


async def drive(server: Server, out: Path, src: Path, mix, regions: set[str]) -> tuple[Stats, dict, dict]:
    stats = Stats()
    t0 = time.monotonic()
    stop_at = t0 + SECONDS
    tasks = [asyncio.create_task(connection(k, server.port, mix, regions, stop_at, stats, t0))
             for k in range(CONNECTIONS)]
    await asyncio.sleep(WARM_UP)
    warm = {pid: rss_kb(pid) for pid in server.worker_pids()}
    for at, region in zip(SWITCHES, [f"Last {k}" for k in range(len(SWITCHES))]):
        await asyncio.sleep(max(0.0, t0 + at - time.monotonic()))
        await asyncio.to_thread(published_copy, src, out, region)
    await asyncio.sleep(max(0.0, stop_at - 0.5 - time.monotonic()))
    end = {pid: rss_kb(pid) for pid in server.worker_pids()}
    await asyncio.gather(*tasks)
    return stats, warm, end


def get_region(build: Path) -> str:
    return json.loads((build / "catalog.json").read_text(encoding="utf-8"))["region"]


def test_load_with_build_switches(demo_build, tmp_path):
    out = tmp_path / "build"
    first = published_copy(demo_build, out)
    regions = {get_region(first)} | {f"Last {k}" for k in range(len(SWITCHES))}
    mix = request_mix(first)
    server = Server(out, workers=2, log=tmp_path / "serve.log")
    try:
        server.wait_ready()
        workers = server.worker_pids()
        stats, warm, end = asyncio.run(drive(server, out, demo_build, mix, regions))
        assert server.worker_pids() == workers, "a worker died (or was replaced) under load"
        log = server.output()
    finally:
        server.stop()
    assert stats.failures == [], f"{len(stats.failures)} failed requests: {stats.failures[:10]}"
    assert set(stats.kinds) == {"tile", "tilejson", "ogc", "gemeente", "catalog"}
    assert len(stats.per_connection) == CONNECTIONS and min(stats.per_connection.values()) >= 5, \
        "every connection took part"
    last = f"Last {len(SWITCHES) - 1}"
    assert any(t > max(SWITCHES) and r == last for t, r in stats.regions), "the last build was never served"
    assert "Nieuwe build in gebruik" in log and "niet in gebruik genomen" not in log and "mislukt" not in log, log
    grown = sum(end.values()) - sum(warm.values())
    assert grown <= RSS_MARGIN_KB, f"workers grew by {grown} kB after warm-up (allowed {RSS_MARGIN_KB} kB): " \
                                   f"{warm} -> {end}"
