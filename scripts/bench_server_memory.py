#!/usr/bin/env python3
"""Memory a server worker holds per build: what a server that never freed an old build would leak.

Opens ``--copies`` copies of a build (``--build``, default ``data/build``), each in a server app of its
own, sends each the request mix of the load test (tests/test_load.py: tiles of gemeenten and wijken,
TileJSON, OGC items, gemeente facts, catalog) and keeps every app alive. Prints the resident memory
after each and the mean growth per build after the first two (the first ones also pay for imports
and caches shared by all). tests/test_load.py sets its growth margin below what keeping old builds
would cost over its eight switches.

    python scripts/bench_server_memory.py [--build DIR] [--copies 7]
"""

from __future__ import annotations

import argparse
import gc
import shutil
import sys
import tempfile
import warnings
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def rss_kb() -> int:
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--build", type=Path, default=ROOT / "data" / "build")
    ap.add_argument("--copies", type=int, default=7)
    args = ap.parse_args(argv)
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient

    from server.app import create_app
    from server.settings import ServerSettings
    from tests.test_load import request_mix

    src = args.build.resolve()
    mix = request_mix(src)
    held, rows = [], []
    with tempfile.TemporaryDirectory(prefix="bench-server-memory-") as tmp:
        for k in range(args.copies):
            copy = Path(tmp) / f"build{k}"
            shutil.copytree(src, copy, symlinks=True)
            client = TestClient(create_app(ServerSettings(build_dir=copy)))
            client.__enter__()
            failed = sum(client.get(path).status_code >= 400 for _, path in mix)
            held.append(client)
            gc.collect()
            rows.append(rss_kb())
            print(f"builds held {len(held)}: RSS {rows[-1] / 1024:.0f} MiB "
                  f"(+{(rows[-1] - rows[max(0, k - 1)]) / 1024:.1f} MiB; {len(mix)} requests, {failed} failed)")
        per_build = (rows[-1] - rows[1]) / max(1, len(rows) - 2) / 1024 if len(rows) > 2 else float("nan")
        print(f"per build held: {per_build:.1f} MiB (mean after the first two, {src})")
        for client in held:
            client.__exit__(None, None, None)
    return 0


if __name__ == "__main__":
    sys.exit(main())
