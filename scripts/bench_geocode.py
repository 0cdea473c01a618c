#!/usr/bin/env python3
"""Speed of geocoding: postcode normalisation and PC6 centroid lookup on synthetic data.

Generates ``--records`` care-location records (default 1,000,000) with realistically messy
postcodes (lower case, spaces, dashes, padding, missing, invalid, unknown PC6 with a PC4 fallback,
unknown PC4, a no-break space now and then, rarely a thin space) against a synthetic PC6 table of
``--pc6`` postcodes (default 460,000, about the national count), all from a fixed seed, and times
``geo.geocode`` step by step: the lookup arrays built from the PC6 table, the postcodes as text,
their normalisation and their lookup, which together are "normalise + lookup" (target: at least
1,000,000 records/s); then the whole :func:`geo.geocode.geocode_locations` (which also copies the
table and makes a shapely point per placed record) and :func:`geo.geocode.geocode_report`. Each
step is the best of ``--repeat`` runs, in wall-clock and in CPU time (on a busy machine the
wall-clock time grows, the CPU time much less; the last line gives the load); generating the data
is not timed.

    python scripts/bench_geocode.py [--records 1000000] [--pc6 460000] [--repeat 5] [--seed 2040]
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from geo import geocode  # noqa: E402

TARGET = 1_000_000  # records/s for normalise + lookup

#: the ways a valid postcode is written in the synthetic records: (before, between digits and
#: letters, letters in which case, after), and how often (per cent)
FORMATS = [
    (("", "", "upper", ""), 50), (("", " ", "upper", ""), 20), (("", "", "lower", ""), 8),
    (("", " ", "lower", ""), 6), ((" ", "", "upper", " "), 4), (("", "-", "upper", ""), 4),
    (("", "  ", "mixed", ""), 3), (("", " - ", "lower", ""), 2), (("\t", "", "upper", ""), 1),
    (("", "", "upper", "      "), 0.98), (("", "\u00a0", "upper", ""), 1),  # no-break space, from Excel
    (("", "\u2009", "upper", ""), 0.02),  # a thin space: beyond Latin-1, the row-by-row path
]
#: what the records hold, with its share
KINDS = {"exact": 0.80, "pc4": 0.06, "unknown": 0.04, "invalid": 0.05, "missing": 0.05}
INVALID = np.array(["0511AB", "3511A", "35111AB", "AB3511", "3511 A B", "3511AB1", "3511SA", "3511ss",
                    "onbekend", "-3511AB", "3511_AB", "35 11AB"], dtype=object)
MISSING = np.array(["", "   ", None, np.nan], dtype=object)
FORBIDDEN = {("S", "A"), ("S", "D"), ("S", "S")}
LETTERS = np.array(list("ABCDEFGHIJKLMNOPQRSTUVWXYZ"))


def allowed_pairs() -> np.ndarray:
    """The 673 letter pairs PostNL issues (every pair but SA, SD and SS), as ``AA``..``ZZ``."""
    return np.array([a + b for a in LETTERS for b in LETTERS if (a, b) not in FORBIDDEN])


def synthetic_pc6(n: int, rng: np.random.Generator) -> pd.DataFrame:
    """A PC6 table of ``n`` distinct postcodes in about n / 113 PC4 areas (as in the Netherlands)."""
    pairs = allowed_pairs()
    n_pc4 = min(9000, max(1, -(-n // 113)))
    pc4 = np.sort(rng.choice(np.arange(1000, 10000), n_pc4, replace=False))
    n = min(n, n_pc4 * len(pairs))
    flat = np.sort(rng.choice(n_pc4 * len(pairs), n, replace=False))
    codes = pc4[flat // len(pairs)].astype(str).astype(object) + pairs[flat % len(pairs)].astype(object)
    return pd.DataFrame({
        "postcode": codes,
        "aantal_adressen": np.where(rng.random(n) < 0.03, 0, rng.integers(1, 80, n)),
        "x": rng.uniform(10_000, 280_000, n).round(1),
        "y": rng.uniform(300_000, 620_000, n).round(1),
    })


def _grid(codes: np.ndarray, width: int) -> np.ndarray:
    """The codes (each ``width`` characters long) as rows of single characters."""
    return codes.astype(f"U{width}").view("U1").reshape(len(codes), width)


def _written(digits: np.ndarray, letters: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Valid postcodes (digits ``3511``, letters ``AB``) written in the messy ways of :data:`FORMATS`."""
    pair = _grid(letters, 2)
    cases = {"upper": letters, "lower": np.char.lower(letters.astype(str)).astype(object),
             "mixed": np.char.add(pair[:, 0], np.char.lower(pair[:, 1])).astype(object)}
    weights = np.array([w for _, w in FORMATS], dtype=float)
    choice = rng.choice(len(FORMATS), len(digits), p=weights / weights.sum())
    out = np.empty(len(digits), dtype=object)
    for k, ((before, between, case, after), _) in enumerate(FORMATS):
        m = choice == k
        out[m] = before + digits[m] + between + cases[case][m] + after
    return out


def synthetic_locations(n: int, pc6: pd.DataFrame, rng: np.random.Generator) -> pd.DataFrame:
    """``n`` location records whose postcodes are mostly in ``pc6``, written messily, some not placeable."""
    codes = pc6["postcode"].to_numpy(dtype=str)
    kind = rng.choice(list(KINDS), n, p=list(KINDS.values()))
    pick = codes[rng.integers(0, len(codes), n)]
    digits = pick.astype("U4").astype(object)
    letters = np.char.add(_grid(pick, 6)[:, 4], _grid(pick, 6)[:, 5]).astype(object)
    # "pc4": another letter pair in the same PC4, mostly not in the table (the few that are count as exact)
    pairs = allowed_pairs()
    m = kind == "pc4"
    letters[m] = pairs[rng.integers(0, len(pairs), m.sum())]
    # "unknown": a PC4 the table does not have
    unknown_pc4 = np.setdiff1d(np.arange(1000, 10000).astype(str), np.unique(codes.astype("U4")))
    m = kind == "unknown"
    if len(unknown_pc4):
        digits[m] = unknown_pc4[rng.integers(0, len(unknown_pc4), m.sum())]
    postcode = _written(digits, letters, rng)
    m = kind == "invalid"
    postcode[m] = INVALID[rng.integers(0, len(INVALID), m.sum())]
    m = kind == "missing"
    postcode[m] = MISSING[rng.integers(0, len(MISSING), m.sum())]
    return pd.DataFrame({
        "locatie_id": np.char.add("L", np.arange(n).astype(str)).astype(object),
        "naam": np.char.add("Locatie ", (np.arange(n) % 997).astype(str)).astype(object),
        "postcode": pd.array(postcode, dtype="str"),
    })


def timed(repeat: int, func, *args) -> tuple[tuple[float, float], object]:
    """The shortest wall-clock and the shortest CPU time of ``repeat`` runs (seconds), and the last result."""
    wall = cpu = float("inf")
    result = None
    for _ in range(repeat):
        t, c = time.perf_counter(), time.process_time()
        result = func(*args)
        wall, cpu = min(wall, time.perf_counter() - t), min(cpu, time.process_time() - c)
    return (wall, cpu), result


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--records", type=int, default=1_000_000, help="number of location records")
    ap.add_argument("--pc6", type=int, default=460_000, help="number of postcodes in the PC6 table")
    ap.add_argument("--repeat", type=int, default=5, help="runs per step; the best counts")
    ap.add_argument("--seed", type=int, default=2040)
    args = ap.parse_args(argv)
    rng = np.random.default_rng(args.seed)
    pc6 = synthetic_pc6(args.pc6, rng)
    locations = synthetic_locations(args.records, pc6, rng)
    n = len(locations)

    steps = {}  # label -> (wall, cpu) in seconds
    steps["PC6 table to arrays"], table = timed(args.repeat, geocode.PostcodeTable.from_pc6, pc6)
    steps["postcodes as text"], texts = timed(args.repeat, geocode.postcode_text, locations["postcode"])
    steps["normalise postcodes"], postcodes = timed(args.repeat, geocode.normalise_postcodes, texts)
    steps["look up PC6 / PC4"], _ = timed(args.repeat, table.lookup, postcodes)
    steps["normalise + lookup"] = tuple(map(sum, zip(*steps.values())))
    steps["geocode_locations (all)"], placed = timed(args.repeat, geocode.geocode_locations, locations, pc6)
    steps["geocode_report"], _ = timed(args.repeat, geocode.geocode_report, placed)

    outcomes = placed["geocodering"].value_counts()
    print(f"geocoding benchmark: {n} records, {len(pc6)} PC6 postcodes, best of {args.repeat} runs")
    print("outcomes: " + ", ".join(f"{k} {int(v)}" for k, v in outcomes.items()))
    for label, (wall, cpu) in steps.items():
        print(f"{label + ':':<26} {wall * 1000:9.1f} ms  (cpu {cpu * 1000:.1f} ms)")
    rate = n / steps["normalise + lookup"][0]
    verdict = "meets" if rate >= TARGET else "misses"
    print(f"normalise + lookup: {rate:,.0f} records/s ({verdict} the target of {TARGET:,} records/s)")
    print(f"geocode_locations: {n / steps['geocode_locations (all)'][0]:,.0f} records/s")
    print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores (wall-clock times grow with it)")


if __name__ == "__main__":
    main()
