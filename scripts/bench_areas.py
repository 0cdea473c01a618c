#!/usr/bin/env python3
"""Speed of placing addresses in their wijk and gemeente (``geo.pipeline.assign_points_to_areas``).

Reads the addresses (x, y) and the gemeente and wijk outlines of an input folder (``--inputs``,
e.g. from ``wz demo --scale national``; default: the regional demo, generated into a temporary
folder) and places every address twice: with the raster shortcut of the build, and with the exact
test of every candidate area (``assign_points_exact``, the peer). Prints for each area layer the
seconds of both (best of ``--repeat``), the ratio, the share of addresses that needed the exact
test, and whether both gave the same area for every address.

    python scripts/bench_areas.py [--inputs DIR] [--repeat 2]
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from geo import pipeline  # noqa: E402
from geo.io import read_boundaries  # noqa: E402


def best(repeat: int, fn, *args):
    times, out = [], None
    for _ in range(repeat):
        t = time.perf_counter()
        out = fn(*args)
        times.append(time.perf_counter() - t)
    return min(times), out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--inputs", type=Path, help="input folder (default: the demo region, generated)")
    ap.add_argument("--repeat", type=int, default=2)
    args = ap.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="bench-areas-") as tmp:
        folder = args.inputs
        if folder is None:
            from geo.demo import generate_demo
            from geo.io import write_demo

            folder = Path(tmp)
            write_demo(generate_demo(), folder)
        addresses = pd.read_csv(folder / "adressen.csv", sep=";", usecols=["x", "y"])
        x, y = addresses["x"].to_numpy(float), addresses["y"].to_numpy(float)
        layers = {"wijken": read_boundaries(folder / "wijken.geojson", r"WK\d{6}", "wijkcode"),
                  "gemeenten": read_boundaries(folder / "gemeenten.geojson", r"GM\d{4}", "gemeentecode")}
    print(f"points-in-areas benchmark: {len(x):,} addresses from {folder}, best of {args.repeat}")
    counted = {}
    original = pipeline._area_index_exact

    def counting(px, py, geoms, *rest):
        counted["n"] = len(px)
        return original(px, py, geoms, *rest)

    same_everywhere = True
    for name, areas in layers.items():
        pipeline._area_index_exact = counting
        counted["n"] = 0
        fast_s, fast = best(args.repeat, pipeline.assign_points_to_areas, x, y, areas)
        pipeline._area_index_exact = original
        exact_s, exact = best(args.repeat, pipeline.assign_points_exact, x, y, areas)
        same = bool(np.array_equal(fast.astype(str), exact.astype(str)))
        same_everywhere &= same
        print(f"{name}: {len(areas)} areas; raster shortcut {fast_s:.2f} s, exact {exact_s:.2f} s, "
              f"ratio {exact_s / fast_s:.1f}x; exact test for {counted['n']:,} addresses "
              f"({100 * counted['n'] / max(len(x), 1):.1f}%); same area for every address: {'yes' if same else 'NO'}")
    print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    return 0 if same_everywhere else 1


if __name__ == "__main__":
    sys.exit(main())
