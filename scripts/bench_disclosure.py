#!/usr/bin/env python3
"""Speed of the disclosure control: :func:`geo.disclosure.protect` and :func:`geo.disclosure.audit`
with the HiGHS engine (highspy: one model per year, re-solved warm) against the scipy engine (a new
``scipy.optimize.linprog`` per LP, the implementation before issue 13).

Cases:

* ``demo/<sector>``: the client cube of each sector of a demo region (``--demo``, a folder made by
  ``wz demo``; read with :func:`geo.io.read_inputs` as a build does, not timed);
* ``nationaal/vv``: a synthetic national V&V cube (``--areas`` gemeenten, default 342, 4 years, the
  4 V&V groups), from a fixed seed: gemeente sizes log-normal (median ~150 clients a year, from a
  few to thousands), each group and place Poisson, so that about a fifth of the counts is below
  the threshold, as in the demo;
* ``klein/vv``: a tiny synthetic cube (``--tiny``; for the test of this script).

Prints one line per case and engine (seconds of wall time and of CPU time of this process, LPs
solved, suppressed counts), then the speedup of each case, and the load average (other work on the
machine slows the wall times; the CPU times are steadier). ``--engines highs`` skips the slow
reference; ``--old-national`` also runs scipy on the national cube (minutes).

    python scripts/bench_disclosure.py [--demo data/demo] [--areas 342] [--no-demo] [--no-national]
                                       [--engines highs,scipy] [--old-national] [--repeat 1] [--tiny]
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from geo import disclosure as D  # noqa: E402

YEARS = (2020, 2021, 2022, 2023)
THRESHOLD = 10


def national_cube(n_areas: int = 342, years=YEARS, seed: int = 2040) -> D.ClientCube:
    """A synthetic V&V client cube of ``n_areas`` gemeenten (fixed seed)."""
    rng = np.random.default_rng(seed)
    size = np.clip(rng.lognormal(np.log(150), 1.0, n_areas), 5, 20000)  # clients a year
    share = np.array([0.10, 0.45, 0.35, 0.10])  # zzp4, zzp5_7, zzp6_8, overig
    home = np.array([0.35, 0.20, 0.25, 0.60])  # the share at home per group
    values = np.zeros((n_areas, len(years), len(share), len(D.PLACES)))
    for j in range(len(years)):
        lam = size[:, None] * 1.03 ** j * share[None, :]
        values[:, j, :, 0] = rng.poisson(lam * home)
        values[:, j, :, 1] = rng.poisson(lam * (1 - home))
    return D.ClientCube([f"GM{k:04d}" for k in range(n_areas)], list(years), values)


def demo_cubes(folder: Path) -> list[tuple[str, D.ClientCube, float | None]]:
    """The client cube of every sector of the demo region in ``folder``, as a build makes them."""
    from geo import care
    from geo.io import read_inputs
    from geo.sectors import sectors_of

    inputs = read_inputs(folder)
    s = inputs.settings
    codes = list(inputs.gemeenten["statcode"])
    return [(f"demo/{sec.id}", D.client_cube(care.sector_clients(inputs.clients, sec), codes, s.observed_years, sec),
             s.privacy_min_range or None) for sec in sectors_of(s)]


def run(cube: D.ClientCube, engine: str, min_range) -> dict:
    D.SOLVES.clear()
    t, c = time.perf_counter(), time.process_time()
    d = D.protect(cube, cube.years[-1], THRESHOLD, min_range, engine=engine)
    out = {"protect_s": time.perf_counter() - t, "protect_cpu": time.process_time() - c,
           "protect_lps": D.SOLVES["lp"]}
    D.SOLVES.clear()
    t, c = time.perf_counter(), time.process_time()
    D.audit(d, engine=engine)
    out.update(audit_s=time.perf_counter() - t, audit_cpu=time.process_time() - c, audit_lps=D.SOLVES["lp"],
               primary=len(d.primary), secondary=len(d.secondary), sensitive=len(d.bounds))
    return out


COLUMNS = ("case", "engine", "protect_s", "protect_cpu", "protect_lps", "audit_s", "audit_cpu", "audit_lps",
           "primary", "secondary", "sensitive")


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--demo", default="data/demo", help="demo input folder (wz demo --out ...)")
    ap.add_argument("--no-demo", action="store_true", help="leave out the demo cubes")
    ap.add_argument("--areas", type=int, default=342, help="gemeenten of the synthetic national cube")
    ap.add_argument("--no-national", action="store_true", help="leave out the national cube")
    ap.add_argument("--tiny", action="store_true", help="only a tiny synthetic cube (a test of this script)")
    ap.add_argument("--engines", default="highs,scipy", help="comma-separated: highs, scipy")
    ap.add_argument("--old-national", action="store_true", help="run scipy on the national cube too (slow)")
    ap.add_argument("--repeat", type=int, default=1, help="runs per case and engine; the fastest is shown")
    args = ap.parse_args(argv)
    engines = [e.strip() for e in args.engines.split(",") if e.strip()]

    cases: list[tuple[str, D.ClientCube, float | None]] = []
    if args.tiny:
        cases.append(("klein/vv", national_cube(4, years=YEARS[-2:], seed=7), None))
    else:
        if not args.no_demo:
            cases += demo_cubes(Path(args.demo))
        if not args.no_national:
            cases.append((f"nationaal/vv ({args.areas})", national_cube(args.areas), None))

    print(f"engine default: {D.ENGINE}; cpus: {os.cpu_count()}; load average before: "
          + " ".join(f"{x:.2f}" for x in os.getloadavg()))
    print("\t".join(COLUMNS))
    results: dict[tuple[str, str], dict] = {}
    for name, cube, min_range in cases:
        for engine in engines:
            if engine == "scipy" and name.startswith("nationaal") and not args.old_national:
                continue
            runs = [run(cube, engine, min_range) for _ in range(max(1, args.repeat))]
            r = {k: min(x[k] for x in runs) if k.endswith(("_s", "_cpu")) else runs[0][k] for k in runs[0]}
            results[(name, engine)] = r
            print("\t".join([name, engine] + [f"{r[k]:.3f}" if k.endswith(("_s", "_cpu")) else str(r[k])
                                              for k in COLUMNS[2:]]), flush=True)
    for name, *_ in cases:
        new, old = results.get((name, "highs")), results.get((name, "scipy"))
        if new and old:
            print(f"speedup\t{name}\tprotect {old['protect_s'] / new['protect_s']:.1f}x"
                  f"\taudit {old['audit_s'] / new['audit_s']:.1f}x"
                  f"\tsecondary {old['secondary']} -> {new['secondary']}")
    for engine in engines:
        demo = [r for (n, e), r in results.items() if e == engine and n.startswith("demo/")]
        if demo:
            print(f"total demo protect\t{engine}\t{sum(r['protect_s'] for r in demo):.3f} s"
                  f"\t{sum(r['protect_cpu'] for r in demo):.3f} s cpu")
    print("load average after: " + " ".join(f"{x:.2f}" for x in os.getloadavg()))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
