"""scripts/bench_tiles_peers.py on a tiny load: it prints the figures in the expected shape, its answers
are checked tiles, and every server it started is gone afterwards, also when it is interrupted.

Runs ``wz serve`` and, when Debian's nginx is installed, nginx; never tileserver-gl-light (that needs
the npm registry and minutes to install). Needs wrk (scripts/install-system-deps.sh installs it).
"""

from __future__ import annotations

import importlib.util
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.conftest import ROOT

SCRIPT = ROOT / "scripts" / "bench_tiles_peers.py"
HAVE_NGINX = bool(shutil.which("nginx") or Path("/usr/sbin/nginx").exists())
pytestmark = pytest.mark.skipif(shutil.which("wrk") is None, reason="wrk ontbreekt (scripts/install-system-deps.sh)")

ROW = re.compile(r"^(wz serve|nginx \(static files\))\s+(\d+)\s+([\d,]+)\s+([\d.]+)\s+([\d.]+)\s+(\d+)\s+([\d.]+)$")
MEDIAN = re.compile(r"^(wz serve|nginx \(static files\))\s+([\d,]+)\s+([\d.]+)\s+([\d.]+)\s+(\d+)\s+([\d.]+)$")


def load_script():
    spec = importlib.util.spec_from_file_location("bench_tiles_peers", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses look their module up
    spec.loader.exec_module(module)
    return module


def gone(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    return Path(f"/proc/{pid}/stat").read_text().split(")")[-1].split()[0] == "Z"


def refused(url: str) -> bool:
    host, port = url.rsplit("//", 1)[1].split(":")
    try:
        socket.create_connection((host, int(port)), timeout=2).close()
    except OSError:
        return True
    return False


def test_tiny_run_prints_figures_and_stops_its_servers(demo_build, tmp_path):
    servers = "wz,nginx" if HAVE_NGINX else "wz"
    out_json = tmp_path / "bench.json"
    run = subprocess.run([sys.executable, str(SCRIPT), "--archive", str(demo_build / "tiles" / "gemeenten.pmtiles"),
                          "--duration", "1", "--rounds", "1", "--connections", "4", "--warmup", "0",
                          "--servers", servers, "--json", str(out_json)],
                         cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr[-2000:]
    lines = run.stdout.splitlines()
    names = ["wz serve"] + (["nginx (static files)"] if HAVE_NGINX else [])
    rows = [m.groups() for m in map(ROW.match, lines) if m]
    assert [r[0] for r in rows] == names and {r[1] for r in rows} == {"1"}
    for name, _, rps, p50, p99, errors, load in rows:
        assert float(rps.replace(",", "")) > 0 and 0 < float(p50) <= float(p99)
        assert errors == "0", f"{name}: failed requests"
    medians = [m.groups() for m in map(MEDIAN.match, lines[lines.index("median over 1 round(s)"):]) if m]
    assert [m[0] for m in medians] == names
    ratio = [l for l in lines if l.startswith("ratio wz serve / nginx: ")]
    assert len(ratio) == (1 if HAVE_NGINX else 0)
    if ratio:
        assert re.fullmatch(r"ratio wz serve / nginx: \d+\.\d\dx", ratio[0])
    assert re.search(r"archive .*: \d+ tiles, zoom \d+-\d+; wrk 4 connections", run.stdout)

    figures = json.loads(out_json.read_text(encoding="utf-8"))
    assert set(figures["servers"]) == set(servers.split(","))
    assert {r["server"] for r in figures["runs"]} == set(servers.split(","))
    assert figures["tiles"] > 10 and figures["summary"]["wz"]["errors"] == 0
    for info in figures["servers"].values():  # nothing left running, nothing listening
        assert gone(info["pid"]), info
        assert refused(info["url"]), info


def test_interrupted_run_stops_its_servers(demo_build):
    """SIGTERM (as Ctrl+C) in the middle of a run: exit 130, and the servers it started are gone (nginx
    when installed: it starts in a moment; the same clean-up as for every server)."""
    server, label = ("nginx", "nginx (static files)") if HAVE_NGINX else ("wz", "wz serve")
    proc = subprocess.Popen([sys.executable, str(SCRIPT), "--archive", str(demo_build / "tiles" / "gemeenten.pmtiles"),
                             "--duration", "20", "--rounds", "1", "--connections", "2", "--warmup", "0",
                             "--servers", server], cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    started = {}
    try:
        deadline = time.monotonic() + 90
        for line in proc.stdout:
            m = re.match(r"^(.+): (http://127\.0\.0\.1:\d+) \(pid (\d+)\)$", line.strip())
            if m:
                started[m.group(1)] = (m.group(2), int(m.group(3)))
            if line.startswith("server ") or time.monotonic() > deadline:
                break
        assert label in started, proc.stderr.read() if proc.poll() is not None else "no server line"
        time.sleep(1)  # inside the wrk run
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=60) == 130
        assert "Afgebroken" in proc.stderr.read()
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(timeout=10)
    url, pid = started[label]
    assert gone(pid) and refused(url)


WRK_OUTPUT = """Running 1s test @ http://127.0.0.1:8000
  2 threads and 4 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency   812.00us  100.00us   3.21ms   90.00%
  Latency Distribution
     50%  750.00us
     75%    1.00ms
     90%    1.50ms
     99%    2.50s
  9876 requests in 1.00s, 15.00MB read
  Socket errors: connect 1, read 2, write 3, timeout 4
  Non-2xx or 3xx responses: 5
Requests/sec:   9876.54
Transfer/sec:     15.00MB
"""


def test_wrk_output_is_read_with_units():
    bench = load_script()
    figures = bench.parse_wrk(WRK_OUTPUT)
    assert figures == {"requests_per_second": 9876.54, "p50_ms": 0.75, "p99_ms": 2500.0, "requests": 9876,
                       "socket_errors": 10, "non_2xx_3xx": 5}
    assert bench.milliseconds("2.00m") == 120000.0
    with pytest.raises(bench.BenchError):
        bench.parse_wrk("unable to connect to 127.0.0.1:1 Connection refused")
