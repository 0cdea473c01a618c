#!/usr/bin/env python3
"""Tile serving side by side: ``wz serve`` against tileserver-gl-light and nginx on the same PMTiles archive.

One archive (default ``data/build/tiles/gemeenten.pmtiles``) is served by

1. ``wz serve`` on the build the archive belongs to (a subprocess on 127.0.0.1);
2. tileserver-gl-light (npm), installed by this script into a temporary folder
   (``npm install --no-audit --no-fund tileserver-gl-light``) and started with a config that
   names the archive (``data.<layer>.pmtiles``), unless ``--tileserver-dir`` names a folder that
   has it installed already;
3. nginx (Debian) serving the same tiles as static files, extracted from the archive with the
   ``pmtiles`` package, stored bytes as they are (gzip) with ``Content-Encoding: gzip``; nginx runs
   in the foreground with a config of its own in a temporary folder.

Each server gets the same load from wrk (Debian): a fixed duration at a fixed number of
connections, a Lua script cycling through every tile of the archive (every zoom), ``Accept-Encoding:
gzip`` as a browser sends it. The servers take turns, ``--rounds`` rounds interleaved, after a short
warm-up each. Printed per run: requests/s, p50 and p99 latency, errors (non-2xx/3xx answers and
socket errors) and the 1-minute load average at the end of the run; then per server the median
over the rounds and the ratios of ``wz serve`` to tileserver-gl-light and to nginx.

Only 127.0.0.1 gets load, bounded in time; every server started here is stopped at the end, also on
Ctrl+C or an error.

    python scripts/bench_tiles_peers.py [--archive data/build/tiles/gemeenten.pmtiles] [--duration 10]
        [--connections 64] [--rounds 3] [--threads 2] [--workers N] [--skip-peers | --servers wz,nginx]
        [--tileserver-dir DIR] [--json FILE]
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from dataclasses import asdict, dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SERVERS = ("wz", "tileserver-gl-light", "nginx")
LABELS = {"wz": "wz serve", "tileserver-gl-light": "tileserver-gl-light", "nginx": "nginx (static files)"}
TILE_TYPE = "application/vnd.mapbox-vector-tile"


class BenchError(Exception):
    """A reason the benchmark cannot run (Dutch, one line)."""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def read_tiles(archive: Path) -> list[tuple[tuple[int, int, int], bytes]]:
    """Every tile of the archive, as stored (usually gzip), in the archive's order."""
    from pmtiles.reader import MmapSource, all_tiles

    with open(archive, "rb") as fh:
        return [(zxy, data) for zxy, data in all_tiles(MmapSource(fh))]


# --- the servers ---------------------------------------------------------------------------------


class Child:
    """A server process in its own process group, stopped with its children at the end."""

    def __init__(self, name: str, cmd: list[str], cwd: Path, log: Path, env: dict | None = None):
        self.name = name
        self.log_path = log
        self.log = open(log, "wb")
        self.proc = subprocess.Popen(cmd, cwd=cwd, stdout=self.log, stderr=subprocess.STDOUT,
                                     stdin=subprocess.DEVNULL, env={**os.environ, **(env or {})},
                                     start_new_session=True)

    def alive(self) -> bool:
        return self.proc.poll() is None

    def stop(self) -> None:
        if self.proc.poll() is None:
            for sig, wait in ((signal.SIGTERM, 15), (signal.SIGKILL, 10)):
                try:
                    os.killpg(self.proc.pid, sig)  # the group: uvicorn's and nginx's workers too
                except ProcessLookupError:
                    break
                try:
                    self.proc.wait(timeout=wait)
                    break
                except subprocess.TimeoutExpired:
                    continue
        else:
            try:  # the leader is gone; its workers may not be
                os.killpg(self.proc.pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass
        self.log.close()

    def tail(self) -> str:
        self.log.flush()
        return self.log_path.read_text(encoding="utf-8", errors="replace")[-1500:]


def wait_for(child: Child, url: str, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not child.alive():
            raise BenchError(f"{LABELS[child.name]} is gestopt bij het starten:\n{child.tail()}")
        try:
            with urllib.request.urlopen(url, timeout=2) as r:
                if r.status == 200:
                    return
        except (OSError, urllib.error.HTTPError):
            pass
        time.sleep(0.2)
    raise BenchError(f"{LABELS[child.name]} antwoordt niet binnen {timeout:.0f} s op {url}:\n{child.tail()}")


def start_wz(build: Path, port: int, workers: int | None, tmp: Path) -> Child:
    wz = Path(sys.executable).parent / "wz"
    cmd = [str(wz)] if wz.exists() else [sys.executable, "-m", "server.cli"]
    cmd += ["serve", "--build", str(build), "--host", "127.0.0.1", "--port", str(port)]
    if workers:
        cmd += ["--workers", str(workers)]
    child = Child("wz", cmd, ROOT, tmp / "wz.log", env={"PYTHONUNBUFFERED": "1"})
    wait_for(child, f"http://127.0.0.1:{port}/health", 90)
    return child


def install_tileserver(tmp: Path, given: Path | None) -> Path:
    """The folder whose node_modules holds tileserver-gl-light: given, or installed here now."""
    if given is not None:
        main = given / "node_modules" / "tileserver-gl-light" / "src" / "main.js"
        if not main.exists():
            raise BenchError(f"geen tileserver-gl-light in {given} ({main} ontbreekt)")
        return given
    if not shutil.which("npm") or not shutil.which("node"):
        raise BenchError("npm en node zijn nodig voor tileserver-gl-light; gebruik --skip-peers of "
                         "--servers wz,nginx om zonder te meten")
    folder = tmp / "tileserver-gl-light"
    folder.mkdir()
    print("tileserver-gl-light installeren (npm, kan enkele minuten duren) ...", flush=True)
    run = subprocess.run(["npm", "install", "--no-audit", "--no-fund", "tileserver-gl-light"], cwd=folder,
                         capture_output=True, text=True, timeout=1200)
    if run.returncode != 0:
        raise BenchError(f"npm install tileserver-gl-light mislukt:\n{(run.stderr or run.stdout)[-1500:]}")
    return folder


def start_tileserver(install: Path, archive: Path, layer: str, port: int, tmp: Path) -> Child:
    data = tmp / "tileserver-data"
    data.mkdir()
    os.symlink(archive.resolve(), data / archive.name)
    config = {"options": {"paths": {"root": str(data), "pmtiles": str(data)}},
              "styles": {}, "data": {layer: {"pmtiles": archive.name}}}
    (data / "config.json").write_text(json.dumps(config, indent=1), encoding="utf-8")
    main = install / "node_modules" / "tileserver-gl-light" / "src" / "main.js"
    child = Child("tileserver-gl-light", ["node", str(main), "-c", "config.json", "-p", str(port), "-b", "127.0.0.1"],
                  data, tmp / "tileserver.log")
    wait_for(child, f"http://127.0.0.1:{port}/health", 120)
    return child


NGINX_CONF = """daemon off;
worker_processes {workers};
pid {tmp}/nginx.pid;
error_log {tmp}/nginx-error.log warn;
events {{ worker_connections 1024; }}
http {{
    access_log off;
    sendfile on;
    tcp_nopush on;
    keepalive_requests 1000000;
    client_body_temp_path {tmp}/nginx-body;
    proxy_temp_path {tmp}/nginx-proxy;
    fastcgi_temp_path {tmp}/nginx-fastcgi;
    uwsgi_temp_path {tmp}/nginx-uwsgi;
    scgi_temp_path {tmp}/nginx-scgi;
    types {{ }}
    default_type {tile_type};
    server {{
        listen 127.0.0.1:{port};
        root {www};
        location /tiles/ {{
            {encoding}
            add_header Access-Control-Allow-Origin *;
        }}
    }}
}}
"""


def extract_tiles(tiles, layer: str, www: Path) -> None:
    """The archive's tiles as files ``www/tiles/<layer>/z/x/y.pbf``, bytes as stored."""
    for (z, x, y), data in tiles:
        path = www / "tiles" / layer / str(z) / str(x) / f"{y}.pbf"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)


def start_nginx(tiles, layer: str, gzipped: bool, port: int, workers: int, tmp: Path) -> Child:
    nginx = shutil.which("nginx") or ("/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None)
    if nginx is None:
        raise BenchError("nginx ontbreekt: installeer het met 'apt-get install -y nginx' "
                         "(of scripts/install-system-deps.sh), of meet zonder met --servers wz,tileserver-gl-light")
    www = tmp / "www"
    extract_tiles(tiles, layer, www)
    for folder in (tmp, www, *[p for p in www.rglob("*") if p.is_dir()]):  # nginx's workers may run as nobody
        folder.chmod(0o755)
    conf = tmp / "nginx.conf"
    conf.write_text(NGINX_CONF.format(workers=workers, tmp=tmp, port=port, www=www, tile_type=TILE_TYPE,
                                      encoding="add_header Content-Encoding gzip;" if gzipped else ""),
                    encoding="utf-8")
    z, x, y = tiles[0][0]
    child = Child("nginx", [nginx, "-p", str(tmp), "-c", str(conf)], tmp, tmp / "nginx.log")
    wait_for(child, f"http://127.0.0.1:{port}/tiles/{layer}/{z}/{x}/{y}.pbf", 30)
    return child


def check_tile(name: str, url: str, stored: bytes) -> None:
    """One tile from the server equals the archive's (decompressed when it came compressed)."""
    req = urllib.request.Request(url, headers={"Accept-Encoding": "gzip"})
    with urllib.request.urlopen(req, timeout=10) as r:
        body = r.read()
        encoding = r.headers.get("Content-Encoding", "")
    plain = gzip.decompress(body) if encoding == "gzip" else body
    want = gzip.decompress(stored) if stored[:2] == b"\x1f\x8b" else stored
    if plain != want:
        raise BenchError(f"{LABELS[name]} geeft voor {url} een andere tegel dan het archief")


# --- the load -------------------------------------------------------------------------------------

WRK_SCRIPT = """
local paths = {}
for line in io.lines("%(paths)s") do paths[#paths + 1] = line end
local i = 0
request = function()
  i = i + 1
  return wrk.format("GET", paths[(i %% #paths) + 1], {["Accept-Encoding"] = "gzip"})
end
"""


@dataclass
class Run:
    server: str
    round: int
    requests_per_second: float
    p50_ms: float
    p99_ms: float
    requests: int
    non_2xx_3xx: int
    socket_errors: int
    load1: float


def milliseconds(text: str) -> float:
    """wrk's latency figure (``812.00us``, ``3.21ms``, ``1.02s``, ``2.00m``) in milliseconds."""
    for unit, factor in (("us", 0.001), ("ms", 1.0), ("s", 1000.0), ("m", 60000.0)):
        if text.endswith(unit):
            return float(text[:-len(unit)]) * factor
    return float(text)


def parse_wrk(out: str) -> dict:
    figures = {"non_2xx_3xx": 0, "socket_errors": 0}
    for line in out.splitlines():
        parts = line.split()
        if line.startswith("Requests/sec:"):
            figures["requests_per_second"] = float(parts[1])
        elif parts[:1] == ["50%"]:
            figures["p50_ms"] = milliseconds(parts[1])
        elif parts[:1] == ["99%"]:
            figures["p99_ms"] = milliseconds(parts[1])
        elif "requests in" in line:
            figures["requests"] = int(parts[0])
        elif line.strip().startswith("Non-2xx or 3xx responses:"):
            figures["non_2xx_3xx"] = int(parts[-1])
        elif line.strip().startswith("Socket errors:"):  # connect N, read N, write N, timeout N
            figures["socket_errors"] = sum(int(p.strip(",")) for p in parts[3::2])
    missing = {"requests_per_second", "p50_ms", "p99_ms", "requests"} - set(figures)
    if missing:
        raise BenchError(f"wrk gaf geen {', '.join(sorted(missing))}:\n{out[-1500:]}")
    return figures


def run_wrk(base: str, script: Path, seconds: float, connections: int, threads: int) -> dict:
    cmd = ["wrk", "-t", str(min(threads, connections)), "-c", str(connections), "-d", f"{max(1, round(seconds))}s",
           "--timeout", "5s", "--latency", "-s", str(script), base]
    run = subprocess.run(cmd, capture_output=True, text=True, timeout=seconds + 60)
    if run.returncode != 0:
        raise BenchError(f"wrk mislukt: {run.stderr[-800:]}")
    return parse_wrk(run.stdout)


def load1() -> float:
    return float(Path("/proc/loadavg").read_text().split()[0])


# --- report ---------------------------------------------------------------------------------------


def summary(runs: list[Run]) -> dict[str, dict]:
    out = {}
    for name in dict.fromkeys(r.server for r in runs):
        mine = [r for r in runs if r.server == name]
        out[name] = {"requests_per_second": statistics.median(r.requests_per_second for r in mine),
                     "p50_ms": statistics.median(r.p50_ms for r in mine),
                     "p99_ms": statistics.median(r.p99_ms for r in mine),
                     "errors": sum(r.non_2xx_3xx + r.socket_errors for r in mine),
                     "load1": statistics.median(r.load1 for r in mine)}
    wz = out.get("wz")
    for peer in ("tileserver-gl-light", "nginx"):
        if wz and peer in out and out[peer]["requests_per_second"] > 0:
            wz[f"vs_{peer}"] = wz["requests_per_second"] / out[peer]["requests_per_second"]
    return out


def print_run(r: Run) -> None:
    print(f"{LABELS[r.server]:<22} {r.round:>5} {r.requests_per_second:>11,.0f} {r.p50_ms:>9.2f} {r.p99_ms:>9.2f} "
          f"{r.non_2xx_3xx + r.socket_errors:>7} {r.load1:>6.2f}", flush=True)


def print_summary(sums: dict[str, dict], rounds: int) -> None:
    print()
    print(f"median over {rounds} round(s)")
    print(f"{'server':<22} {'req/s':>11} {'p50 ms':>9} {'p99 ms':>9} {'errors':>7} {'load1':>6}")
    for name, s in sums.items():
        print(f"{LABELS[name]:<22} {s['requests_per_second']:>11,.0f} {s['p50_ms']:>9.2f} {s['p99_ms']:>9.2f} "
              f"{s['errors']:>7} {s['load1']:>6.2f}")
    wz = sums.get("wz", {})
    for peer in ("tileserver-gl-light", "nginx"):
        if f"vs_{peer}" in wz:
            print(f"ratio wz serve / {peer}: {wz[f'vs_{peer}']:.2f}x")


# --- main -------------------------------------------------------------------------------------------


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--archive", default="data/build/tiles/gemeenten.pmtiles",
                   help="PMTiles-archief in de tiles/-map van een build (standaard data/build/tiles/gemeenten.pmtiles)")
    p.add_argument("--duration", type=float, default=10, help="seconden belasting per server en ronde (standaard 10)")
    p.add_argument("--connections", type=int, default=64, help="gelijktijdige verbindingen (standaard 64)")
    p.add_argument("--rounds", type=int, default=3, help="rondes, afwisselend per server (standaard 3)")
    p.add_argument("--threads", type=int, default=2, help="wrk-threads (standaard 2)")
    p.add_argument("--workers", type=int, default=None,
                   help="werkprocessen van wz serve en nginx (standaard: die van wz serve; nginx evenveel)")
    p.add_argument("--warmup", type=float, default=2, help="seconden opwarmen per server vooraf (standaard 2)")
    p.add_argument("--servers", default=",".join(SERVERS), help=f"welke servers (standaard {','.join(SERVERS)})")
    p.add_argument("--skip-peers", action="store_true", help="alleen wz serve (snelle meting)")
    p.add_argument("--tileserver-dir", type=Path, default=None,
                   help="map waarin tileserver-gl-light al met npm is geinstalleerd (anders: nu, in een tijdelijke map)")
    p.add_argument("--json", type=Path, default=None, help="schrijf de cijfers ook als JSON naar dit bestand")
    args = p.parse_args(argv)
    args.servers = ["wz"] if args.skip_peers else [s.strip() for s in args.servers.split(",") if s.strip()]
    unknown = set(args.servers) - set(SERVERS)
    if unknown:
        p.error(f"onbekende server(s): {', '.join(sorted(unknown))}; kies uit {', '.join(SERVERS)}")
    if args.duration <= 0 or args.connections < 1 or args.rounds < 1:
        p.error("--duration, --connections en --rounds moeten positief zijn")
    return args


def build_of(archive: Path) -> tuple[Path, str]:
    """The build folder that holds the archive (``<build>/tiles/<layer>.pmtiles``) and the layer."""
    build = archive.parent.parent
    if archive.suffix != ".pmtiles" or archive.parent.name != "tiles" or not (build / "catalog.json").exists():
        raise BenchError(f"{archive} ligt niet in de tiles/-map van een build (met catalog.json); "
                         "wz serve kan alleen een build serveren")
    return build, archive.stem


def main(argv=None) -> int:
    args = parse_args(argv)
    archive = Path(args.archive)
    if not archive.exists():
        print(f"Fout: geen archief {archive}; maak eerst de demo: wz demo && wz build", file=sys.stderr)
        return 2
    if not shutil.which("wrk"):
        print("Fout: wrk ontbreekt: installeer het met 'apt-get install -y wrk' (of scripts/install-system-deps.sh)",
              file=sys.stderr)
        return 2
    previous = signal.signal(signal.SIGTERM, _interrupt)
    children: list[Child] = []
    try:
        with tempfile.TemporaryDirectory(prefix="wz-bench-peers-") as tmp_name:
            try:
                return bench(args, archive, Path(tmp_name), children)
            finally:  # before the folder goes: nginx and tileserver-gl-light serve from it
                for child in children:
                    child.stop()
    except BenchError as exc:
        print(f"Fout: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("Afgebroken; alle gestarte servers zijn gestopt.", file=sys.stderr)
        return 130
    finally:
        signal.signal(signal.SIGTERM, previous)


def _interrupt(signum, frame):
    """SIGTERM takes the same way out as Ctrl+C: every server started is stopped."""
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    raise KeyboardInterrupt()


def bench(args, archive: Path, tmp: Path, children: list[Child]) -> int:
    build, layer = build_of(archive)
    tiles = read_tiles(archive)
    if not tiles:
        raise BenchError(f"{archive} bevat geen tegels")
    gzipped = tiles[0][1][:2] == b"\x1f\x8b"
    workers = args.workers or int(os.environ.get("WZ_WORKERS") or 0) or min(4, os.cpu_count() or 1)
    targets = {}  # name -> (base URL, path prefix)
    for name in args.servers:
        port = free_port()
        if name == "wz":
            children.append(start_wz(build, port, args.workers, tmp))
            targets[name] = (f"http://127.0.0.1:{port}", f"/tiles/{layer}")
        elif name == "tileserver-gl-light":
            install = install_tileserver(tmp, args.tileserver_dir)
            children.append(start_tileserver(install, archive, layer, port, tmp))
            targets[name] = (f"http://127.0.0.1:{port}", f"/data/{layer}")
        else:
            children.append(start_nginx(tiles, layer, gzipped, port, workers, tmp))
            targets[name] = (f"http://127.0.0.1:{port}", f"/tiles/{layer}")
    for child in children:
        print(f"{LABELS[child.name]}: {targets[child.name][0]} (pid {child.proc.pid})", flush=True)
    scripts = {}
    for name, (base, prefix) in targets.items():
        (z, x, y), data = tiles[len(tiles) // 2]
        check_tile(name, f"{base}{prefix}/{z}/{x}/{y}.pbf", data)
        listing = tmp / f"paths-{name}.txt"
        listing.write_text("".join(f"{prefix}/{z}/{x}/{y}.pbf\n" for (z, x, y), _ in tiles), encoding="utf-8")
        scripts[name] = tmp / f"tiles-{name}.lua"
        scripts[name].write_text(WRK_SCRIPT % {"paths": listing}, encoding="utf-8")
    zooms = sorted({z for (z, _, _), _ in tiles})
    print(f"archive {archive}: {len(tiles)} tiles, zoom {zooms[0]}-{zooms[-1]}; wrk {args.connections} connections, "
          f"{args.threads} threads, {args.duration:g} s per run, {args.rounds} round(s); "
          f"{os.cpu_count()} cores; wz serve and nginx with {workers} worker(s)", flush=True)
    if args.warmup > 0:
        for name, (base, _) in targets.items():
            run_wrk(base, scripts[name], args.warmup, args.connections, args.threads)
    print(f"{'server':<22} {'round':>5} {'req/s':>11} {'p50 ms':>9} {'p99 ms':>9} {'errors':>7} {'load1':>6}", flush=True)
    runs = []
    for rnd in range(1, args.rounds + 1):
        for name, (base, _) in targets.items():
            figures = run_wrk(base, scripts[name], args.duration, args.connections, args.threads)
            runs.append(Run(server=name, round=rnd, load1=load1(), **figures))
            print_run(runs[-1])
    sums = summary(runs)
    print_summary(sums, args.rounds)
    if args.json:
        servers = {c.name: {"pid": c.proc.pid, "url": targets[c.name][0]} for c in children}
        args.json.write_text(json.dumps({"archive": str(archive), "tiles": len(tiles), "connections": args.connections,
                                         "duration": args.duration, "servers": servers,
                                         "runs": [asdict(r) for r in runs], "summary": sums}, indent=1),
                             encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
