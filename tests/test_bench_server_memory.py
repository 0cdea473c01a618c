"""scripts/bench_server_memory.py runs on the demo build and prints its figures in the expected shape."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_prints_memory_per_build_held(demo_build):
    done = subprocess.run([sys.executable, str(ROOT / "scripts" / "bench_server_memory.py"), "--build",
                           str(demo_build), "--copies", "3"], capture_output=True, text=True, timeout=600, cwd=ROOT)
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    held = [re.fullmatch(r"builds held (\d): RSS \d+ MiB \(\+\d+\.\d MiB; (\d+) requests, 0 failed\)", s) for s in lines[:3]]
    assert all(held) and [int(m.group(1)) for m in held] == [1, 2, 3], done.stdout
    assert int(held[0].group(2)) > 100
    assert re.fullmatch(r"per build held: \d+\.\d MiB \(mean after the first two, .+\)", lines[3]), lines[3]
