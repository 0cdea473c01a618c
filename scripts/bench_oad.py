#!/usr/bin/env python3
"""Benchmark of the omgevingsadressendichtheid (OAD) grid: time and peak memory of grid + sampling.

Reads the addresses (``--input CSV``, columns ``x;y`` in RD metres as ``adressen.csv``; default
``/tmp/national/adressen.csv`` when present, from ``wz demo --scale national --out /tmp/national``),
or makes ``--synthetic N`` clustered points in a 200 x 230 km box (``--box W,H`` in km; deterministic, ``--seed``;
also the default when the national file is absent: 8 million points). Then times
:func:`geo.urbanity.address_density_raster` (the blocked grid and the OAD sampled back at every
address, as the build calls it), best of ``--repeat`` (default 2), and prints the seconds and the
peak resident memory of the process: ``ru_maxrss`` of ``getrusage`` (the whole run, reading the
input included) and ``VmHWM`` of ``/proc/self/status``, which is reset after reading the input
(``/proc/self/clear_refs``) when the kernel allows, so that it is the peak of the OAD stage; the
stage's own memory is that minus the RSS before it.

``--old`` also runs the method before issue 13 (one FFT of the whole grid,
:func:`geo.urbanity.density_grid_whole` + :func:`geo.urbanity.sample_grid`) in a separate process
(so that the peaks do not mix) and prints the old/new ratios and whether the two gave the same
grid and OAD values (SHA-256 of their bytes). The first run is the one a build makes; later ones
reuse memory the process already has (the old method's first run spends most of its time in
page faults).

    python scripts/bench_oad.py [--input CSV | --synthetic N [--box 200,230]] [--seed 13] [--repeat 2] [--old]
                                [--block 1024] [--workers W]

Every run prints one ``result`` line per method (``key=value`` fields) besides the readable lines.
"""

from __future__ import annotations

import argparse
import gc
import hashlib
import os
import re
import resource
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from geo import urbanity  # noqa: E402

NATIONAL = Path("/tmp/national/adressen.csv")
MIB = 2**20
RESULT = re.compile(r"^result (.*)$", re.M)


def synthetic(n: int, seed: int = 13, width_m: float = 200_000.0, height_m: float = 230_000.0,
              x0: float = 10_000.0, y0: float = 300_000.0) -> tuple[np.ndarray, np.ndarray]:
    """``n`` clustered points (towns of very different sizes plus a rural background), whole metres."""
    rng = np.random.default_rng(seed)
    towns = max(1, n // 20_000)
    cx = rng.uniform(x0, x0 + width_m, towns)
    cy = rng.uniform(y0, y0 + height_m, towns)
    weight = rng.pareto(1.2, towns) + 1.0
    spread = 300.0 + 250.0 * np.sqrt(weight)
    n_rural = n // 10
    town = rng.choice(towns, size=n - n_rural, p=weight / weight.sum())
    x = np.empty(n)
    y = np.empty(n)
    x[:n - n_rural] = rng.normal(cx[town], spread[town])
    y[:n - n_rural] = rng.normal(cy[town], spread[town])
    del town
    x[n - n_rural:] = rng.uniform(x0, x0 + width_m, n_rural)
    y[n - n_rural:] = rng.uniform(y0, y0 + height_m, n_rural)
    np.clip(x, x0, x0 + width_m, out=x)
    np.clip(y, y0, y0 + height_m, out=y)
    return np.rint(x, out=x), np.rint(y, out=y)


def read_addresses(path: Path) -> tuple[np.ndarray, np.ndarray]:
    import pandas as pd

    df = pd.read_csv(path, sep=";", usecols=["x", "y"], dtype={"x": "float64", "y": "float64"})
    return df["x"].to_numpy(), df["y"].to_numpy()


def status_kib(field: str) -> int | None:
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith(field + ":"):
                return int(line.split()[1])
    except OSError:
        pass
    return None


def reset_peak() -> bool:
    """Reset VmHWM to the current RSS (Linux >= 4.0); False when not allowed."""
    try:
        Path("/proc/self/clear_refs").write_text("5")
        return True
    except OSError:
        return False


def cpu_seconds() -> float:
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def run(impl: str, x, y, repeat: int, block: int, workers: int | None):
    times, cpu = [], []
    for _ in range(repeat):
        gc.collect()
        t0 = time.perf_counter()
        c0 = cpu_seconds()
        if impl == "new":
            oad, grid = urbanity.address_density_raster(x, y, 1000.0, 25.0, block=block, workers=workers)
        else:
            grid = urbanity.density_grid_whole(x, y, 1000.0, 25.0)
            oad = urbanity.sample_grid(grid, x, y)
        times.append(time.perf_counter() - t0)
        cpu.append(cpu_seconds() - c0)
        print(f"  {impl} run {len(times)}: {times[-1]:.2f} s ({cpu[-1]:.2f} s CPU)", flush=True)
        if len(times) < repeat:
            del oad, grid
    return times, cpu, oad, grid


def measure(args) -> dict:
    """Read the input, run one method; its result fields."""
    if args.synthetic:
        x, y = synthetic(args.synthetic, args.seed, args.box[0] * 1000.0, args.box[1] * 1000.0)
        source = f"synthetic:seed={args.seed}"
    else:
        x, y = read_addresses(args.input)
        source = str(args.input)
    gc.collect()
    reading_maxrss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # the reset below may lower it
    reset = reset_peak()
    before = status_kib("VmRSS") or 0
    times, cpu, oad, grid = run(args.impl, x, y, args.repeat, args.block, args.workers)
    hwm = status_kib("VmHWM")
    maxrss = max(reading_maxrss, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)  # KiB on Linux
    h, w = grid.values.shape
    return {
        "impl": args.impl, "n": len(x), "source": source,
        "extent_km": f"{(x.max() - x.min()) / 1000:.1f}x{(y.max() - y.min()) / 1000:.1f}",
        "grid": f"{h}x{w}", "dtype": str(grid.values.dtype), "cell_m": f"{grid.cell_m:g}",
        "seconds": f"{min(times):.3f}", "runs": ",".join(f"{t:.3f}" for t in times),
        "cpu_seconds": f"{cpu[times.index(min(times))]:.3f}", "load": f"{os.getloadavg()[0]:.1f}",
        "ru_maxrss_mib": f"{maxrss / 1024:.0f}",
        "vmhwm_mib": f"{hwm / 1024:.0f}" if hwm is not None else "na",
        "hwm_reset": "yes" if reset else "no",
        "before_mib": f"{before / 1024:.0f}",
        "stage_mib": f"{(hwm - before) / 1024:.0f}" if hwm is not None and reset else "na",
        # + 0: the old method's -0.0 (rint of a tiny negative rounding error) hashes as 0.0
        "grid_sha256": hashlib.sha256((grid.values + np.float32(0)).tobytes()).hexdigest()[:16] + "_" + "_".join(
            f"{v:.6f}" for v in tuple(grid.transform)[:6]),
        "oad_sha256": hashlib.sha256(np.ascontiguousarray(oad).tobytes()).hexdigest()[:16],
    }


def parse_result(text: str) -> dict:
    found = RESULT.findall(text)
    if not found:
        raise RuntimeError("no result line in:\n" + text)
    return dict(field.split("=", 1) for field in found[-1].split())


def report(r: dict) -> None:
    runs = len(r["runs"].split(","))
    print(f"{r['impl']}: best {float(r['seconds']):.2f} s of {runs} ({float(r['cpu_seconds']):.2f} s CPU, "
          f"load {r['load']}); peak RSS "
          f"{int(r['ru_maxrss_mib']):,} MiB (ru_maxrss, whole process), VmHWM {r['vmhwm_mib']} MiB "
          f"(reset after reading: {r['hwm_reset']}), stage {r['stage_mib']} MiB over {r['before_mib']} MiB before")


def _box(text: str) -> tuple[float, float]:
    w, h = (float(v) for v in text.split(","))
    return w, h


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    src = ap.add_mutually_exclusive_group()
    src.add_argument("--input", type=Path, help="addresses CSV (';', columns x and y); default " + str(NATIONAL))
    src.add_argument("--synthetic", type=int, metavar="N", help="N synthetic clustered points instead")
    ap.add_argument("--seed", type=int, default=13)
    ap.add_argument("--box", type=_box, default=(200.0, 230.0), metavar="W,H",
                    help="width and height in km of the synthetic points' box (default 200,230)")
    ap.add_argument("--repeat", type=int, default=2)
    ap.add_argument("--block", type=int, default=urbanity.OAD_BLOCK, help="FFT block side in cells (new method)")
    ap.add_argument("--workers", type=int, default=None, help="threads of the new method (default: CPUs, max 4)")
    ap.add_argument("--old", action="store_true", help="also run the whole-grid FFT (in a child process)")
    ap.add_argument("--impl", choices=("new", "old"), default="new", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.input is None and args.synthetic is None:
        if NATIONAL.exists():
            args.input = NATIONAL
        else:
            args.synthetic = 8_000_000

    r = measure(args)
    print(f"addresses: {r['n']:,} from {r['source']} ({r['extent_km'].replace('x', ' x ')} km); "
          f"grid {r['grid'].replace('x', ' x ')} cells of {r['cell_m']} m, {r['dtype']}")
    print("result " + " ".join(f"{k}={v}" for k, v in r.items()), flush=True)
    report(r)
    if args.old and args.impl == "new":
        cmd = [sys.executable, str(Path(__file__).resolve()), "--impl", "old", "--repeat", str(args.repeat)]
        cmd += ["--synthetic", str(args.synthetic), "--seed", str(args.seed),
                "--box", f"{args.box[0]},{args.box[1]}"] if args.synthetic else [
            "--input", str(args.input)]
        child = subprocess.run(cmd, capture_output=True, text=True)
        if child.returncode:
            sys.stderr.write(child.stdout + child.stderr)
            return 1
        print("".join(line for line in child.stdout.splitlines(keepends=True) if line.startswith("  old run")), end="")
        old = parse_result(child.stdout)
        print("result " + " ".join(f"{k}={v}" for k, v in old.items()))
        report(old)
        stage = (f"{float(old['stage_mib']) / max(float(r['stage_mib']), 1):.1f}x"
                 if "na" not in (old["stage_mib"], r["stage_mib"]) else "na")
        same = old["grid_sha256"] == r["grid_sha256"] and old["oad_sha256"] == r["oad_sha256"]
        first = float(old["runs"].split(",")[0]) / float(r["runs"].split(",")[0])
        print(f"old/new: time {float(old['seconds']) / float(r['seconds']):.1f}x (first run {first:.1f}x), "
              f"peak RSS {float(old['ru_maxrss_mib']) / float(r['ru_maxrss_mib']):.1f}x, stage memory {stage}; "
              f"identical grid and OAD: {'yes' if same else 'NO'}")
        return 0 if same else 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
