#!/usr/bin/env python3
"""Benchmark of the tile endpoint: requests per second and latency of `wz serve` on a build.

Starts `wz serve` on a free loopback port, lists every tile of one archive
(from the PMTiles directory), and drives the server with `wrk` (Debian package)
cycling through those tile URLs, or with a small asyncio client when wrk is
absent. Prints one line of figures per run. Traffic stays on 127.0.0.1, bounded
in time.

    python scripts/bench_tiles.py [--build data/build] [--layer gemeenten] [--seconds 10]
                                  [--connections 32] [--workers N]

Side by side with tileserver-gl-light and nginx, in rounds: scripts/bench_tiles_peers.py.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from pmtiles.reader import MmapSource, all_tiles


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def tile_paths(archive: Path, layer: str) -> list[str]:
    with open(archive, "rb") as fh:
        return [f"/tiles/{layer}/{z}/{x}/{y}.pbf" for (z, x, y), _ in all_tiles(MmapSource(fh))]


def start_server(build: Path, port: int, workers: int | None) -> subprocess.Popen:
    wz = Path(sys.executable).parent / "wz"
    cmd = [str(wz), "serve", "--build", str(build), "--port", str(port)]
    if workers:
        cmd += ["--workers", str(workers)]
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    for _ in range(150):
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=1):
                return proc
        except OSError:
            time.sleep(0.2)
    proc.kill()
    raise SystemExit("wz serve did not start")


WRK_SCRIPT = """
local paths = {}
for line in io.lines("%s") do paths[#paths + 1] = line end
local i = 0
request = function()
  i = i + 1
  return wrk.format("GET", paths[(i %% #paths) + 1], {["Accept-Encoding"] = "gzip"})
end
"""


def run_wrk(base: str, paths: list[str], seconds: int, connections: int) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        listing = Path(tmp) / "paths.txt"
        listing.write_text("\n".join(paths) + "\n")
        script = Path(tmp) / "tiles.lua"
        script.write_text(WRK_SCRIPT % listing)
        threads = min(2, connections)
        out = subprocess.run(["wrk", "-t", str(threads), "-c", str(connections), "-d", f"{seconds}s",
                              "--latency", "-s", str(script), base], capture_output=True, text=True).stdout
    figures = {"tool": "wrk"}
    for line in out.splitlines():
        parts = line.split()
        if line.startswith("Requests/sec:"):
            figures["requests_per_second"] = float(parts[1])
        elif parts[:1] == ["50%"]:
            figures["p50"] = parts[1]
        elif parts[:1] == ["99%"]:
            figures["p99"] = parts[1]
        elif "Non-2xx" in line:
            figures["non_2xx"] = int(parts[-1])
    return figures


async def run_asyncio(base: str, paths: list[str], seconds: int, connections: int) -> dict:
    import httpx

    done = 0
    latencies: list[float] = []
    stop = time.monotonic() + seconds

    async def worker(k: int, client: httpx.AsyncClient) -> None:
        nonlocal done
        i = k
        while time.monotonic() < stop:
            t = time.perf_counter()
            r = await client.get(base + paths[i % len(paths)])
            latencies.append(time.perf_counter() - t)
            assert r.status_code in (200, 204)
            done += 1
            i += connections

    limits = httpx.Limits(max_connections=connections, max_keepalive_connections=connections)
    async with httpx.AsyncClient(limits=limits) as client:
        t0 = time.monotonic()
        await asyncio.gather(*(worker(k, client) for k in range(connections)))
        elapsed = time.monotonic() - t0
    latencies.sort()
    return {"tool": "httpx (client-bound: the figures are a lower limit)",
            "requests_per_second": done / elapsed,
            "p50": f"{1000 * latencies[len(latencies) // 2]:.2f}ms",
            "p99": f"{1000 * latencies[int(len(latencies) * 0.99)]:.2f}ms"}


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--build", default="data/build")
    p.add_argument("--layer", default="gemeenten")
    p.add_argument("--seconds", type=int, default=10)
    p.add_argument("--connections", type=int, default=32)
    p.add_argument("--workers", type=int, default=None)
    args = p.parse_args()
    build = Path(args.build)
    archive = build / "tiles" / f"{args.layer}.pmtiles"
    if not archive.exists():
        raise SystemExit(f"no archive {archive}: run 'wz demo && wz build' first")
    paths = tile_paths(archive, args.layer)
    port = free_port()
    proc = start_server(build, port, args.workers)
    base = f"http://127.0.0.1:{port}"
    try:
        if shutil.which("wrk"):
            figures = run_wrk(base, paths, args.seconds, args.connections)
        else:
            figures = asyncio.run(run_asyncio(base, paths, args.seconds, args.connections))
    finally:
        proc.terminate()
        proc.wait(timeout=10)
    figures.update({"server": "wz serve", "workers": args.workers or min(4, os.cpu_count() or 1),
                    "layer": args.layer, "tiles": len(paths), "connections": args.connections,
                    "seconds": args.seconds})
    print(json.dumps(figures))
    return 0


if __name__ == "__main__":
    sys.exit(main())
