"""The LP engines of geo.disclosure (issue 13): the HiGHS engine (highspy; reduced models re-solved
warm) gives the same ranges as the implementation before it, kept here as an independent copy (a
new ``scipy.optimize.linprog`` per bound over the shown counts), on random cubes and suppression
patterns and on the demo; its binding rows really bind; its patterns pass the reference audit; and
scripts/bench_disclosure.py prints its table."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from scipy.optimize import linprog
from scipy.sparse import csr_matrix

from geo import disclosure as D
from geo.disclosure import (PLACE_SETS, PLACES, PUBLISHED_TABLES, REGION, ClientCube, PublishedTable, audit,
                            count_cells, protect, published_cells)
from geo.sectors import default_sectors

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "scripts" / "bench_disclosure.py"
TOL = 1e-6


# --- the reference: the bounds of geo.disclosure before issue 13 (_YearBlock.bounds), copied ----------

def support(cube: ClientCube, key) -> np.ndarray:
    area, _, gset, pset = key
    gs = cube.group_index(gset)
    ps = [PLACES.index(p) for p in PLACE_SETS[pset]]
    ms = range(len(cube.areas)) if area == REGION else [cube._area[area]]
    n_groups = len(cube.groups)
    return np.array([(m * n_groups + g) * len(PLACES) + p for m in ms for g in gs for p in ps], dtype=int)


def reference_bounds(cube: ClientCube, year: int, shown, key):
    """Smallest and largest value of ``key`` given the counts ``shown`` (of ``year``) and cells >= 0,
    and for each LP the shown keys with a non-zero dual."""
    x = cube.values[:, cube._year[year]].reshape(-1)
    n = x.size
    shown = list(shown)
    rows = [support(cube, k) for k in shown]
    values = np.array([float(x[r].sum()) for r in rows])
    c = np.zeros(n)
    c[support(cube, key)] = 1.0
    if rows:
        data = np.concatenate([np.ones(len(r)) for r in rows])
        indptr = np.concatenate([[0], np.cumsum([len(r) for r in rows])])
        a = csr_matrix((data, np.concatenate(rows), indptr), shape=(len(rows), n))
    else:
        a, values = None, None
    out, binding = [], []
    for sign in (1.0, -1.0):
        res = linprog(sign * c, A_eq=a, b_eq=values, bounds=(0, None), method="highs")
        if res.status == 3:
            out.append(np.inf)
            binding.append([])
            continue
        assert res.status == 0, res.message
        out.append(sign * res.fun)
        marg = np.asarray(res.eqlin.marginals) if a is not None else np.zeros(0)
        binding.append([shown[i] for i in np.flatnonzero(np.abs(marg) > 1e-9)])
    return (out[0], out[1]), binding


def same(a, b) -> bool:
    return all((np.isinf(x) and np.isinf(y)) or abs(x - y) <= TOL for x, y in zip(a, b))


# --- cubes ---------------------------------------------------------------------------------------------

def random_cube(seed: int, n_areas: int = 5, years=(2022, 2023), sector=None) -> ClientCube:
    """Small counts (many below 10, some 0) and a few large ones."""
    sector = sector or default_sectors().get("vv")
    rng = np.random.default_rng(seed)
    shape = (n_areas, len(years), len(sector.group_ids), len(PLACES))
    size = rng.choice([2.0, 5.0, 15.0, 60.0], size=(n_areas, 1, 1, 1), p=[0.3, 0.3, 0.25, 0.15])
    return ClientCube([f"GM{k + 1:04d}" for k in range(n_areas)], list(years), rng.poisson(size * np.ones(shape)),
                      sector)


def keys_of(cube: ClientCube, year: int):
    return [k for k in published_cells(cube.areas, cube.years, PUBLISHED_TABLES, cube.groups) if k[1] == year]


def highs_block(cube: ClientCube, year: int, hidden=()) -> D._HighsBlock:
    keys = keys_of(cube, year)
    block = D._HighsBlock(cube, year, keys)
    for k in hidden:
        block.hide(keys.index(k))
    return block


# --- the bounds ----------------------------------------------------------------------------------------

@pytest.mark.parametrize("seed,year", [(1, 2023), (2, 2023), (3, 2022)])
def test_bounds_equal_the_reference_for_every_count(seed, year):
    """Every count (not only the small ones), random suppression patterns, hidden a few at a time
    until nothing is shown: the reduced model after each suppression (row freed, cells fixed by
    other rows, model extended with cells set free) answers as the reference on the shown counts."""
    cube = random_cube(seed)
    rng = np.random.default_rng(100 + seed)
    keys = keys_of(cube, year)
    block = highs_block(cube, year)
    order = list(rng.permutation(len(keys)))
    counts = count_cells(cube.areas, year, cube.sets)
    steps = 8
    for step in range(steps + 1):
        shown = [k for k, ok in zip(keys, block.shown) if ok]
        for key in rng.choice(len(counts), size=12, replace=False):
            key = counts[key]
            got, _ = block.bounds(support(cube, key))
            want, _ = reference_bounds(cube, year, shown, key)
            assert same(got, want), (step, key, got, want)
        for i in order[step * len(keys) // steps:(step + 1) * len(keys) // steps]:
            block.hide(int(i))
    assert not block.shown.any()


@pytest.mark.parametrize("seed", [4, 5])
def test_bounds_without_a_count_equal_the_reference(seed):
    """'Without c' (a complement tried): c's row freed for the two solves, or a model reduced without
    it where c fixed cells; the model is as before afterwards."""
    cube = random_cube(seed)
    rng = np.random.default_rng(200 + seed)
    year = cube.years[-1]
    keys = keys_of(cube, year)
    small = [k for k in keys if cube.value(k) < 10]
    block = highs_block(cube, year, small)
    shown = [k for k in keys if k not in small]
    sensitive = [k for k in count_cells(cube.areas, year, cube.sets) if cube.value(k) < 10]
    for key in [sensitive[i] for i in rng.choice(len(sensitive), size=6, replace=False)]:
        cols = support(cube, key)
        before, _ = block.bounds(cols)
        for c in [shown[i] for i in rng.choice(len(shown), size=5, replace=False)]:
            got, _ = block.bounds(cols, [keys.index(c)])
            want, _ = reference_bounds(cube, year, [k for k in shown if k != c], key)
            assert same(got, want), (key, c, got, want)
        pair = [shown[i] for i in rng.choice(len(shown), size=2, replace=False)]
        got, _ = block.bounds(cols, [keys.index(c) for c in pair])
        assert same(got, reference_bounds(cube, year, [k for k in shown if k not in pair], key)[0])
        assert block.bounds(cols)[0] == before  # restored


def test_the_first_and_middle_years_merge_cells_and_agree():
    """Years that show only totals per gemeente: thuis and intramuraal merge, every gemeente's
    'overig' merges; the ranges are still the reference's."""
    cube = random_cube(6, n_areas=6, years=(2020, 2021, 2022))
    for year in cube.years[:2]:
        block = highs_block(cube, year)
        shown = keys_of(cube, year)
        red = block.reduced()
        assert red.size.size < block.n  # cells merged
        for key in count_cells(cube.areas, year, cube.sets)[::3]:
            got, _ = block.bounds(support(cube, key))
            assert same(got, reference_bounds(cube, year, shown, key)[0]), key


@pytest.mark.parametrize("seed,more", [(7, 0), (8, 0), (8, 6)])
def test_binding_rows_pin_the_count(seed, more):
    """The rows reported as binding (reduced LP duals turned back into duals of the full LP) form a
    dual certificate: with only those rows shown, each bound is the same. ``more``: further counts
    suppressed after the model was made (it is extended, not made again)."""
    cube = random_cube(seed)
    year = cube.years[-1]
    keys = keys_of(cube, year)
    small = [k for k in keys if cube.value(k) < 10]
    block = highs_block(cube, year, small)
    block.reduced()
    large = [i for i, k in enumerate(keys) if k not in small and k[0] != REGION]
    for i in np.random.default_rng(seed).choice(large, size=more, replace=False):
        block.hide(int(i))
    found = 0
    for key in count_cells(cube.areas, year, cube.sets):
        if cube.value(key) >= 10:
            continue
        cols = support(cube, key)
        (lo, hi), binding = block.bounds(cols, binding_below=10)
        if hi - lo >= 10:
            assert binding == []
            continue
        found += 1
        for side, (rows, bound) in enumerate(zip(binding, (lo, hi))):
            only = [keys[i] for i in rows]
            assert all(block.shown[i] for i in rows)
            ref = reference_bounds(cube, year, only, key)[0][side]
            assert abs(ref - bound) <= TOL, (key, side, only, ref, bound)
    assert found


# --- protect and audit ---------------------------------------------------------------------------------

@pytest.mark.parametrize("seed,sector", [(9, "vv"), (10, "vv"), (11, "gz")])
def test_patterns_pass_the_reference_audit(seed, sector):
    cube = random_cube(seed, n_areas=6, years=(2021, 2022, 2023), sector=default_sectors().get(sector))
    d = protect(cube, 2023, threshold=10, engine="highs")
    checked = audit(d, engine="highs")
    for year in cube.years:
        shown = [k for k, ok in d.published.items() if ok and k[1] == year]
        for key in count_cells(cube.areas, year, cube.sets):
            if cube.value(key) >= 10:
                continue
            want, _ = reference_bounds(cube, year, shown, key)
            assert want[1] - want[0] >= 10, key
            assert same(checked[key], want), (key, checked[key], want)
    assert audit(d, engine="scipy").keys() == checked.keys()


def test_both_engines_give_the_same_patterns_on_small_tables():
    """Tables with one optimal dual per attack: the engines choose the same complements."""
    groups = default_sectors().get("vv").group_ids
    cases = [({"GM0001": {"zzp5_7": 5}, "GM0002": {"zzp5_7": 30}, "GM0003": {"zzp5_7": 40}}, ("zzp5_7",)),
             ({"GM0001": {"zzp5_7": 5}, "GM0002": {"zzp5_7": 30}, "GM0003": {"zzp5_7": 12},
               "GM0004": {"zzp5_7": 50}}, ("zzp5_7",)),
             ({"GM0001": {"zzp4": 3, "zzp5_7": 40, "zzp6_8": 20}, "GM0002": {"zzp4": 20, "zzp5_7": 50, "zzp6_8": 30},
               "GM0003": {"zzp4": 25, "zzp5_7": 60, "zzp6_8": 35}}, ("zzp4", "zzp5_7", "zzp6_8", "clienten"))]
    for rows, table_groups in cases:
        values = np.zeros((len(rows), 1, len(groups), len(PLACES)))
        for m, a in enumerate(rows):
            for g, n in rows[a].items():
                values[m, 0, groups.index(g), PLACES.index("intramuraal")] = n
        cube = ClientCube(list(rows), [2023], values)
        tables = (PublishedTable("t", False, "alle", table_groups, ("intramuraal",), 1.0, ""),)
        new = protect(cube, 2023, 10, tables=tables, engine="highs")
        old = protect(cube, 2023, 10, tables=tables, engine="scipy")
        assert (new.primary, new.secondary) == (old.primary, old.secondary)
        assert new.bounds.keys() == old.bounds.keys()
        assert all(same(new.bounds[k], old.bounds[k]) for k in old.bounds)


def test_engine_choice():
    cube = random_cube(12, n_areas=3, years=(2023,))
    with pytest.raises(ValueError, match="onbekende LP-engine"):
        protect(cube, 2023, engine="glpk")
    assert D.ENGINE == "highs"  # highspy is a dependency


def test_without_highspy_the_scipy_engine_is_the_default(monkeypatch):
    rng = np.random.default_rng(13)
    cube = ClientCube(["GM0001", "GM0002", "GM0003"], [2023], rng.poisson(6.0, (3, 1, 4, 2)))
    monkeypatch.setattr(D, "_Highs", None)
    monkeypatch.setattr(D, "ENGINE", "scipy")
    with pytest.raises(ValueError, match="highspy"):
        protect(cube, 2023, engine="highs")
    D.SOLVES.clear()
    d = protect(cube, 2023)
    assert d.primary and audit(d)
    assert D.SOLVES["lp"] > 0


# --- the demo ------------------------------------------------------------------------------------------

def load_bench():
    spec = importlib.util.spec_from_file_location("bench_disclosure", BENCH)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def demo_cubes(demo_inputs):
    return load_bench().demo_cubes(demo_inputs)


def test_demo_bounds_equal_the_reference(demo_cubes):
    """Every sensitive count of every sector of the demo, given the pattern the HiGHS engine
    chose: the reference's range, at least the threshold wide."""
    for name, cube, min_range in demo_cubes:
        d = protect(cube, cube.years[-1], 10, min_range)
        checked = audit(d)
        n = 0
        for year in cube.years:
            shown = [k for k, ok in d.published.items() if ok and k[1] == year]
            for key in count_cells(cube.areas, year, cube.sets):
                if cube.value(key) >= 10:
                    continue
                want, _ = reference_bounds(cube, year, shown, key)
                assert same(checked[key], want), (name, key, checked[key], want)
                assert want[1] - want[0] >= d.min_range
                n += 1
        assert n == len(checked) > 0


# --- the benchmark script ------------------------------------------------------------------------------

def test_the_benchmark_prints_its_table():
    out = subprocess.run([sys.executable, str(BENCH), "--tiny"], capture_output=True, text=True, timeout=300,
                         cwd=ROOT, check=True).stdout.splitlines()
    assert out[0].startswith("engine default: highs; cpus: ") and "load average before: " in out[0]
    header = out[1].split("\t")
    assert header == list(load_bench().COLUMNS)
    rows = [line.split("\t") for line in out[2:4]]
    assert [r[:2] for r in rows] == [["klein/vv", "highs"], ["klein/vv", "scipy"]]
    for r in rows:
        assert len(r) == len(header)
        floats = [float(v) for v in r[2:4] + r[5:7]]
        ints = [int(v) for v in r[4:5] + r[7:]]
        assert all(v >= 0 for v in floats + ints)
    assert out[4].startswith("speedup\tklein/vv\tprotect ") and "x\taudit " in out[4]
    assert out[-1].startswith("load average after: ")
