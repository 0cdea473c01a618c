#!/usr/bin/env python3
"""In-process cost of the compression middleware on the tile path: with it against without it.

Two apps on the same build, one with ``WZ_COMPRESS`` on (the default) and one with it off (then the
middleware is not in the stack at all), are
called directly through ASGI (no network, no server), in alternating batches of tile requests
cycling through every stored tile of one layer; prints the best and median microseconds per tile
of each. The request asks for gzip, like a browser. Alternating batches share whatever load the
machine has, so the difference between the two is the middleware's cost.

    python scripts/bench_tiles_inprocess.py [--build data/build] [--layer gemeenten] [--batches 20]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("WZ_ALLOWED_HOSTS", "127.0.0.1,localhost")

from pmtiles.reader import MmapSource, all_tiles  # noqa: E402

from server.app import create_app  # noqa: E402
from server.settings import ServerSettings  # noqa: E402


def scope(path: str) -> dict:
    return {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "GET", "scheme": "http",
            "path": path, "raw_path": path.encode(), "query_string": b"", "root_path": "",
            "headers": [(b"host", b"127.0.0.1:8000"), (b"accept-encoding", b"gzip, deflate, br")],
            "client": ("127.0.0.1", 1), "server": ("127.0.0.1", 8000), "state": {}}


async def call(app, path: str) -> int:
    status = 0

    async def receive():
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message):
        nonlocal status
        if message["type"] == "http.response.start":
            status = message["status"]

    await app(scope(path), receive, send)
    return status


async def batch(app, paths: list[str], n: int) -> float:
    t = time.perf_counter()
    for k in range(n):
        await call(app, paths[k % len(paths)])
    return (time.perf_counter() - t) / n * 1e6


async def main(args) -> None:
    with open(Path(args.build) / "tiles" / f"{args.layer}.pmtiles", "rb") as fh:
        paths = [f"/tiles/{args.layer}/{z}/{x}/{y}.pbf" for (z, x, y), _ in all_tiles(MmapSource(fh))]
    apps = {on: create_app(ServerSettings(build_dir=args.build, reload_interval=0, compress=on))
            for on in (True, False)}
    for app in apps.values():
        assert await call(app, paths[0]) == 200
        await batch(app, paths, 200)  # warm up
    times: dict[bool, list[float]] = {True: [], False: []}
    for _ in range(args.batches):
        for on in (True, False):
            times[on].append(await batch(apps[on], paths, args.size))
    for on in (True, False):
        t = sorted(times[on])
        print(f"compression {'on ' if on else 'off'}: {len(paths)} tiles, {args.batches} batches of {args.size}: "
              f"best {t[0]:.1f} us, median {statistics.median(t):.1f} us per tile")


if __name__ == "__main__":
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--build", default="data/build")
    p.add_argument("--layer", default="gemeenten")
    p.add_argument("--batches", type=int, default=20)
    p.add_argument("--size", type=int, default=1000)
    asyncio.run(main(p.parse_args()))
