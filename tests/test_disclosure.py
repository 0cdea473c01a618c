"""Cell suppression (geo.disclosure): primary and secondary suppression on tiny tables, checked
against bounds found by brute force over every integer table consistent with what is shown."""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd
import pytest

from geo.disclosure import (GROUPS, PLACES, PUBLISHED_TABLES, REGION, ClientCube, Disclosure, DisclosureError,
                            PublishedTable, audit, client_cube, protect)

YEAR = 2023
INTRA = PLACES.index("intramuraal")


def cube_of(rows: dict[str, dict[str, int]], place: str = "intramuraal") -> ClientCube:
    """A one-year cube from {gemeente: {group: clients}} (all in one place of care)."""
    areas = list(rows)
    values = np.zeros((len(areas), 1, len(GROUPS), len(PLACES)))
    for m, a in enumerate(areas):
        for g, n in rows[a].items():
            values[m, 0, GROUPS.index(g), PLACES.index(place)] = n
    return ClientCube(areas, [YEAR], values)


def one_column(group: str = "zzp5_7") -> tuple[PublishedTable, ...]:
    return (PublishedTable("kolom", False, "alle", (group,), ("intramuraal",), 1.0, "test"),)


def brute_force_bounds(cube: ClientCube, d: Disclosure, target, limit: int) -> tuple[int, int]:
    """Smallest and largest value of ``target`` over every integer table that reproduces every shown
    count: enumeration (depth first, 0..limit per cell) of the suppressed gemeente cells, all in one
    place of care, independent of the LPs. The test tables are chosen so that every other cell is
    shown directly."""
    from geo.disclosure import GROUP_SETS

    free = sorted({(a, g) for (a, y, g, p), ok in d.published.items()
                   if not ok and a != REGION and g in GROUPS})
    truth = {(a, g): cube.value((a, YEAR, g, "intramuraal")) for a in cube.areas for g in GROUPS}
    checks = []  # (cells of a shown count that are free, the rest's fixed sum, the shown value)
    for k, ok in d.published.items():
        if ok:
            a, _, gs, _ = k
            cells = [(m, g) for m in (cube.areas if a == REGION else [a]) for g in GROUP_SETS[gs]]
            checks.append(([c for c in cells if c in free], sum(truth[c] for c in cells if c not in free),
                           cube.value(k)))
    found: list[int] = []

    def walk(assigned: dict) -> None:
        for cells, fixed, value in checks:  # prune as soon as a shown count is complete and wrong
            if all(c in assigned for c in cells) and fixed + sum(assigned[c] for c in cells) != value:
                return
        if len(assigned) == len(free):
            found.append(int(sum(assigned.get((target[0], g), truth[(target[0], g)])
                                 for g in GROUP_SETS[target[2]])))
            return
        cell = free[len(assigned)]
        for v in range(limit + 1):
            walk({**assigned, cell: v})

    walk({})
    return min(found), max(found)


def test_a_small_gemeente_needs_a_partner_against_region_minus_the_rest():
    # 5 + 30 + 40 = 75: with only the 5 left out, region minus the others gives it back
    cube = cube_of({"GM0001": {"zzp5_7": 5}, "GM0002": {"zzp5_7": 30}, "GM0003": {"zzp5_7": 40}})
    d = protect(cube, YEAR, threshold=10, tables=one_column())
    target = ("GM0001", YEAR, "zzp5_7", "intramuraal")
    assert d.primary == {target}
    # the cheapest partner is the smallest other count (30), not the region total or the 40
    assert d.secondary == {("GM0002", YEAR, "zzp5_7", "intramuraal")}
    assert d.shown((REGION, YEAR, "zzp5_7", "intramuraal"))
    # 5 and 30 sum to 35: the 5 can be anything from 0 to 35
    assert d.bounds[target] == pytest.approx((0.0, 35.0))
    assert brute_force_bounds(cube, d, target, 75) == (0, 35)


def test_the_cheapest_partner_is_chosen():
    cube = cube_of({"GM0001": {"zzp5_7": 5}, "GM0002": {"zzp5_7": 30}, "GM0003": {"zzp5_7": 12},
                    "GM0004": {"zzp5_7": 50}})
    d = protect(cube, YEAR, threshold=10, tables=one_column())
    assert d.secondary == {("GM0003", YEAR, "zzp5_7", "intramuraal")}
    assert d.bounds[("GM0001", YEAR, "zzp5_7", "intramuraal")] == pytest.approx((0.0, 17.0))


def test_a_partner_that_leaves_too_narrow_a_range_is_passed_over():
    # with the 11 the 5 would lie between 0 and 16, narrower than the required 20; the 30 alone
    # gives 0 to 35: cheaper than suppressing both (41)
    cube = cube_of({"GM0001": {"zzp5_7": 5}, "GM0002": {"zzp5_7": 30}, "GM0003": {"zzp5_7": 11}})
    d = protect(cube, YEAR, threshold=10, min_range=20, tables=one_column())
    assert d.secondary == {("GM0002", YEAR, "zzp5_7", "intramuraal")}
    assert d.bounds[("GM0001", YEAR, "zzp5_7", "intramuraal")] == pytest.approx((0.0, 35.0))
    # asking for more than any partner can give takes both
    d = protect(cube, YEAR, threshold=10, min_range=40, tables=one_column())
    assert d.secondary == {("GM0002", YEAR, "zzp5_7", "intramuraal"), ("GM0003", YEAR, "zzp5_7", "intramuraal")}
    assert d.bounds[("GM0001", YEAR, "zzp5_7", "intramuraal")] == pytest.approx((0.0, 46.0))


def test_rows_and_columns_both_protected():
    """Gemeente x group with gemeente totals (ZZP 4-8) and region totals: a small cell needs partners in
    its row and its column, and the four form a rectangle whose corners can trade clients."""
    rows = {"GM0001": {"zzp4": 3, "zzp5_7": 40, "zzp6_8": 20},
            "GM0002": {"zzp4": 20, "zzp5_7": 50, "zzp6_8": 30},
            "GM0003": {"zzp4": 25, "zzp5_7": 60, "zzp6_8": 35}}
    cube = cube_of(rows)
    tables = (PublishedTable("t", False, "alle", ("zzp4", "zzp5_7", "zzp6_8", "clienten"), ("intramuraal",), 1.0, ""),)
    d = protect(cube, YEAR, threshold=10, tables=tables)
    target = ("GM0001", YEAR, "zzp4", "intramuraal")
    assert d.primary == {target}
    suppressed = {k for k, ok in d.published.items() if not ok}
    # every row and every column with a suppressed cell holds at least two of them
    for line in [lambda k, a=a: k[0] == a for a in [*rows, REGION]] + \
                [lambda k, g=g: k[2] == g for g in ("zzp4", "zzp5_7", "zzp6_8", "clienten")]:
        n = sum(1 for k in suppressed if line(k))
        assert n == 0 or n >= 2
    lo, hi = brute_force_bounds(cube, d, target, 100)
    assert hi - lo >= 10
    assert d.bounds[target] == pytest.approx((lo, hi))
    # the least loss: the rectangle through the two 20s and the 30 (the totals stay shown)
    assert suppressed == {target, ("GM0001", YEAR, "zzp6_8", "intramuraal"),
                          ("GM0002", YEAR, "zzp4", "intramuraal"), ("GM0002", YEAR, "zzp6_8", "intramuraal")}


def test_an_unpublished_small_count_derivable_by_difference_is_protected():
    """ZZP 4-8 and its parts are shown; a group that is not shown itself but equals a total minus
    shown parts is a small count too (here ZZP 6-8 = 43 - 3 - 40 = 0 in GM0001 would be pinned)."""
    rows = {"GM0001": {"zzp4": 13, "zzp5_7": 40, "zzp6_8": 4},
            "GM0002": {"zzp4": 20, "zzp5_7": 50, "zzp6_8": 30}}
    tables = (PublishedTable("t", False, "alle", ("zzp4", "zzp5_7", "clienten"), ("intramuraal",), 1.0, ""),)
    d = protect(cube_of(rows), YEAR, threshold=10, tables=tables)
    hidden = ("GM0001", YEAR, "zzp6_8", "intramuraal")
    lo, hi = d.bounds[hidden]
    assert hi - lo >= 10
    # something in GM0001's row had to go: its total or one of its shown parts
    assert any(k[0] == "GM0001" for k in d.secondary)


def test_zero_counts_are_protected_like_any_small_count():
    cube = cube_of({"GM0001": {"zzp5_7": 0}, "GM0002": {"zzp5_7": 30}, "GM0003": {"zzp5_7": 40}})
    d = protect(cube, YEAR, threshold=10, tables=one_column())
    assert ("GM0001", YEAR, "zzp5_7", "intramuraal") in d.primary
    assert not d.shown(("GM0002", YEAR, "zzp5_7", "intramuraal"))


def test_audit_finds_primary_suppression_alone_unsafe():
    cube = cube_of({"GM0001": {"zzp5_7": 5}, "GM0002": {"zzp5_7": 30}, "GM0003": {"zzp5_7": 40}})
    d = protect(cube, YEAR, threshold=10, tables=one_column())
    naive = Disclosure(threshold=10, min_range=10, cube=cube, base_year=YEAR,
                       published={k: k in d.published and k not in d.primary for k in d.published},
                       primary=d.primary, secondary=set())
    with pytest.raises(DisclosureError, match="ligt vast tussen 5 en 5"):
        audit(naive)
    assert audit(d)  # the protected pattern passes


def test_region_totals_are_the_last_resort():
    # two gemeenten: the only partner of the 5 within the column is the other gemeente, never the region
    cube = cube_of({"GM0001": {"zzp5_7": 5}, "GM0002": {"zzp5_7": 900}})
    d = protect(cube, YEAR, threshold=10, tables=one_column())
    assert d.secondary == {("GM0002", YEAR, "zzp5_7", "intramuraal")}
    assert d.shown((REGION, YEAR, "zzp5_7", "intramuraal"))


def test_client_cube_from_the_input_table():
    clients = pd.DataFrame({
        "jaar": [2023, 2023, 2023, 2023, 2022],
        "gemeentecode": ["GM0001", "GM0001", "GM0002", "GM0009", "GM0001"],
        "zorgprofiel": ["VV5", "VV7", "VV6", "VV5", "VV4"],
        "leveringsvorm": ["intramuraal", "PGB", "VPT", "MPT", "MPT"],
        "aantal_clienten": [7, 3, 2, 50, 4],
    })
    cube = client_cube(clients, ["GM0001", "GM0002"], [2022, 2023])
    assert cube.value(("GM0001", 2023, "zzp5_7", "intramuraal")) == 7
    assert cube.value(("GM0001", 2023, "zzp5_7", "thuis")) == 3  # PGB is care at home
    assert cube.value(("GM0001", 2023, "zzp5_7", "alle")) == 10
    assert cube.value((REGION, 2023, "clienten", "alle")) == 12    # GM0009 lies outside the region
    assert cube.value((REGION, 2023, "totaal", "thuis")) == 5
    assert cube.value(("GM0001", 2022, "zzp4", "thuis")) == 4


def test_the_declared_tables_never_publish_all_clients_beside_zzp_4_8():
    """'All clients minus ZZP 4-8' would give the small 'overig' group: only one of the two is published."""
    published = {(t.groups, t.places) for t in PUBLISHED_TABLES if not t.region_only}
    assert not any("totaal" in groups for groups, _ in published)
    per_group = next(t for t in PUBLISHED_TABLES if "overig" in t.group_list(GROUPS) and not t.region_only)
    assert per_group.years == "basisjaar"
