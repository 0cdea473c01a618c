"""``scripts/bench_oad.py`` on a tiny synthetic input: the shape of its output, not its figures."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = ROOT / "scripts" / "bench_oad.py"
NUMBER = r"\d+(?:\.\d+)?"
FIELDS = {
    "impl": r"new|old", "n": r"\d+", "source": r"\S+", "extent_km": rf"{NUMBER}x{NUMBER}", "grid": r"\d+x\d+",
    "dtype": r"float32", "cell_m": r"25", "seconds": NUMBER, "runs": rf"{NUMBER}(?:,{NUMBER})*",
    "cpu_seconds": NUMBER, "load": NUMBER, "ru_maxrss_mib": r"\d+", "vmhwm_mib": r"\d+|na", "hwm_reset": r"yes|no",
    "before_mib": r"\d+", "stage_mib": r"-?\d+|na", "grid_sha256": r"[0-9a-f]{16}_\S+", "oad_sha256": r"[0-9a-f]{16}",
}

sys.path.insert(0, str(ROOT / "scripts"))
import bench_oad  # noqa: E402


def run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(SCRIPT), *args], cwd=ROOT, capture_output=True, text=True, timeout=300)


def results(stdout: str) -> list[dict]:
    lines = [line for line in stdout.splitlines() if line.startswith("result ")]
    return [dict(f.split("=", 1) for f in line.split()[1:]) for line in lines]


def test_bench_prints_both_methods_their_ratio_and_equality():
    done = run("--synthetic", "4000", "--box", "8,9", "--repeat", "2", "--old")
    assert done.returncode == 0, done.stdout + done.stderr
    out = done.stdout
    rows = results(out)
    assert [r["impl"] for r in rows] == ["new", "old"]
    for r in rows:
        assert set(r) == set(FIELDS), set(r) ^ set(FIELDS)
        for key, pattern in FIELDS.items():
            assert re.fullmatch(pattern, r[key]), (key, r[key])
        assert r["n"] == "4000" and len(r["runs"].split(",")) == 2
        assert float(r["seconds"]) == min(float(t) for t in r["runs"].split(","))
    assert rows[0]["grid"] == rows[1]["grid"] and rows[0]["source"] == rows[1]["source"] == "synthetic:seed=13"
    assert len(re.findall(rf"^  (new|old) run [12]: {NUMBER} s \({NUMBER} s CPU\)$", out, re.M)) == 4
    assert re.search(rf"^addresses: 4,000 from synthetic:seed=13 \({NUMBER} x {NUMBER} km\); grid \d+ x \d+ cells "
                     r"of 25 m, float32$", out, re.M), out
    for impl in ("new", "old"):
        assert re.search(rf"^{impl}: best {NUMBER} s of 2 \({NUMBER} s CPU, load {NUMBER}\); peak RSS [\d,]+ MiB "
                         r"\(ru_maxrss, whole process\), VmHWM (\d+|na) MiB \(reset after reading: (yes|no)\), stage "
                         r"(-?\d+|na) MiB over \d+ MiB before$", out, re.M), out
    assert re.search(rf"^old/new: time {NUMBER}x \(first run {NUMBER}x\), peak RSS {NUMBER}x, "
                     rf"stage memory ({NUMBER}x|na); "
                     r"identical grid and OAD: yes$", out, re.M), out


def test_bench_reads_an_addresses_csv(tmp_path):
    x, y = bench_oad.synthetic(3000, seed=1, width_m=6000.0, height_m=5000.0)
    csv = tmp_path / "adressen.csv"
    lines = ["postcode;huisnummer;x;y"] + [f"1234AB;{i + 1};{int(a)};{int(b)}" for i, (a, b) in enumerate(zip(x, y))]
    csv.write_text("\n".join(lines) + "\n")
    done = run("--input", str(csv), "--repeat", "1")
    assert done.returncode == 0, done.stdout + done.stderr
    (row,) = results(done.stdout)
    assert row["impl"] == "new" and row["n"] == "3000" and row["source"] == str(csv)
    assert "old/new" not in done.stdout


def test_synthetic_points_are_deterministic_clustered_and_in_the_box():
    x1, y1 = bench_oad.synthetic(50_000, seed=4)
    x2, y2 = bench_oad.synthetic(50_000, seed=4)
    assert np.array_equal(x1, x2) and np.array_equal(y1, y2)
    assert x1.min() >= 10_000 and x1.max() <= 210_000 and y1.min() >= 300_000 and y1.max() <= 530_000
    assert np.array_equal(x1, np.rint(x1))  # whole metres, as adressen.csv
    # clustered: a few 1 km squares hold far more than an even spread would
    counts = np.bincount(((x1 - 10_000) // 1000).astype(int) * 230 + ((y1 - 300_000) // 1000).astype(int))
    assert counts.max() > 50 * len(x1) / (200 * 230)
