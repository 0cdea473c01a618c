#!/usr/bin/env python3
"""Speed of writing the forecast table: the columnar CSV and XLSX writers against pandas' own.

Takes ``prognose_tekort.csv`` of a build (``--build``, default: the demo, built into a temporary
folder first) or a synthetic table of ``--rows`` rows of the same columns, and writes it as the
build does (``layers.tables.write_csv_nl``, ``layers.tables.write_xlsx``) and as pandas would
(``to_csv`` with the same options; ``to_excel`` through openpyxl, the peer), best of
``--repeat``. Prints seconds, rows per second and the ratio for each, and whether the CSV bytes
are the same as pandas'.

    python scripts/bench_tables.py [--build DIR | --rows N] [--repeat 3]
"""

from __future__ import annotations

import argparse
import io
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from layers.tables import write_csv_nl, write_xlsx  # noqa: E402


def best(repeat: int, fn) -> float:
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return min(times)


def synthetic(rows: int, seed: int = 2040) -> pd.DataFrame:
    """A table shaped like the forecast: codes, years, scenarios and counts with decimals."""
    rng = np.random.default_rng(seed)
    codes = np.array([f"GM{k:04d}" for k in range(1, 400)] + ["regio"], dtype=object)
    df = pd.DataFrame({"sector": rng.choice(np.array(["vv", "gz", "ggz"], dtype=object), rows),
                       "gemeentecode": rng.choice(codes, rows), "jaar": rng.integers(2023, 2041, rows),
                       "vraagscenario": rng.choice(np.array(["min", "midden", "max"], dtype=object), rows)})
    for name in ("clienten_totaal", "clienten_thuis", "clienten_intramuraal", "extra_thuis", "tekort"):
        df[name] = rng.gamma(2.0, 50.0, rows) * np.where(rng.random(rows) < 0.05, np.nan, 1.0)
    return df


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--build", type=Path, help="a build folder with prognose_tekort.csv")
    ap.add_argument("--rows", type=int, help="a synthetic table of this many rows instead")
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="bench-tables-") as tmp:
        if args.rows:
            table, source = synthetic(args.rows), f"synthetic, {args.rows} rows"
        else:
            build = args.build
            if build is None:
                build = Path(tmp) / "build"
                for cmd in (["demo", "--out", f"{tmp}/in"], ["build", "--inputs", f"{tmp}/in", "--out", str(build)]):
                    subprocess.run([sys.executable, "-m", "server.cli", *cmd], cwd=ROOT, check=True,
                                   capture_output=True)
            table = pd.read_csv(build / "prognose_tekort.csv", sep=";", decimal=",", encoding="utf-8-sig")
            source = str(build / "prognose_tekort.csv")
    n = len(table)
    print(f"table writing benchmark: {n:,} rows x {table.shape[1]} columns ({source}), best of {args.repeat}")

    ours, theirs = io.BytesIO(), io.BytesIO()
    write_csv_nl(table, ours)
    table.to_csv(theirs, sep=";", decimal=",", index=False, encoding="utf-8-sig", float_format="%.2f")
    csv_fast = best(args.repeat, lambda: write_csv_nl(table, io.BytesIO()))
    csv_peer = best(args.repeat, lambda: table.to_csv(io.BytesIO(), sep=";", decimal=",", index=False,
                                                       encoding="utf-8-sig", float_format="%.2f"))
    xlsx_fast = best(args.repeat, lambda: write_xlsx(io.BytesIO(), {"Prognose en tekort": table}))

    def openpyxl_peer() -> None:
        with pd.ExcelWriter(io.BytesIO(), engine="openpyxl") as xl:
            table.to_excel(xl, sheet_name="Prognose en tekort", index=False)

    xlsx_peer = best(1, openpyxl_peer)
    for label, fast, peer in (("CSV", csv_fast, csv_peer), ("XLSX", xlsx_fast, xlsx_peer)):
        print(f"{label}: columnar {fast:.2f} s ({n / fast:,.0f} rows/s), pandas {peer:.2f} s "
              f"({n / peer:,.0f} rows/s), ratio {peer / fast:.1f}x")
    same = ours.getvalue() == theirs.getvalue()
    print(f"CSV bytes the same as pandas': {'yes' if same else 'NO'}")
    print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    return 0 if same else 1


if __name__ == "__main__":
    sys.exit(main())
