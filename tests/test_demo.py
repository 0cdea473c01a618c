"""The generated demo region: deterministic, plausible, and in the real input formats."""

from __future__ import annotations

import hashlib
import json

import geopandas as gpd
import pandas as pd
import pytest

from geo.demo import generate_demo
from geo.io import read_inputs, write_demo
from tests.conftest import SHARED_DATA


def digests(folder):
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir())}


def test_same_bytes_every_run(demo_inputs, tmp_path):
    write_demo(generate_demo(), tmp_path)
    assert digests(tmp_path) == digests(demo_inputs)


def test_boundaries_tile_the_region(demo_inputs):
    gem = gpd.read_file(demo_inputs / "gemeenten.geojson")
    wijk = gpd.read_file(demo_inputs / "wijken.geojson")
    assert gem.crs.to_epsg() == 28992 and wijk.crs.to_epsg() == 28992
    assert 18 <= len(gem) <= 22 and 80 <= len(wijk) <= 120
    assert gem.is_valid.all() and wijk.is_valid.all()
    union = gem.union_all()
    # no overlaps: the areas add up to the area of the union (tolerance for 1 cm coordinate rounding)
    assert gem.area.sum() == pytest.approx(union.area, rel=1e-6)
    assert wijk.area.sum() == pytest.approx(union.area, rel=1e-6)
    assert wijk.union_all().symmetric_difference(union).area < 1e-6 * union.area
    # every wijk lies in the gemeente its code names
    by_code = gem.set_index("statcode").geometry
    for code, geom in zip(wijk["statcode"], wijk.geometry):
        parent = by_code["GM" + code[2:6]]
        # coordinates are rounded to 1 cm, so slivers up to (perimeter x 1 cm) are expected
        assert geom.difference(parent).area < 0.01 * geom.length


def test_codes_cannot_collide_with_real_cbs_codes(demo_inputs):
    gem = gpd.read_file(demo_inputs / "gemeenten.geojson")
    assert gem["statcode"].str.fullmatch(r"GM99\d{2}").all()
    real = SHARED_DATA / "cbs" / "gemeente_2023.geojson"
    if real.exists():
        real_codes = {f["properties"]["statcode"] for f in json.loads(real.read_text())["features"]}
        assert not set(gem["statcode"]) & real_codes
        real_names = {f["properties"]["statnaam"] for f in json.loads(real.read_text())["features"]}
        assert not set(gem["statnaam"]) & real_names


def test_population_is_consistent_and_ageing(demo_inputs):
    inp = read_inputs(demo_inputs)
    pop = inp.population
    gm = pop[pop["regiocode"].str.startswith("GM")]
    wk = pop[pop["regiocode"].str.startswith("WK")].assign(gm=lambda d: "GM" + d["regiocode"].str[2:6])
    a = gm.groupby(["jaar", "regiocode", "leeftijd_van"])["inwoners"].sum()
    b = wk.groupby(["jaar", "gm", "leeftijd_van"])["inwoners"].sum()
    b.index = b.index.set_names(a.index.names)
    pd.testing.assert_series_equal(a.sort_index(), b.sort_index(), check_names=False)

    def share75(df, year):
        d = df[df["jaar"] == year]
        return d[d["leeftijd_van"] >= 75]["inwoners"].sum() / d["inwoners"].sum()

    s2020, s2040 = share75(gm, 2020), share75(inp.projection, 2040)
    assert 0.07 <= s2020 <= 0.11          # typical regions: 7-11 %
    assert s2040 > s2020 * 1.3             # the ageing wave


def test_care_use_rises_steeply_with_age(demo_inputs):
    inp = read_inputs(demo_inputs)
    c = inp.clients[(inp.clients["jaar"] == 2023) & (inp.clients["sector"] == "vv")].groupby("leeftijd_van")["aantal_clienten"].sum()
    p = inp.population[(inp.population["jaar"] == 2023) & inp.population["regiocode"].str.startswith("GM")]
    p = p.groupby("leeftijd_van")["inwoners"].sum()
    rate = (c / p).reindex([70, 75, 80, 85, 90, 95])
    assert rate.is_monotonic_increasing and rate[90] > 10 * rate[75] / 2
    per_1000 = 1000 * c.sum() / p[p.index >= 75].sum()
    assert 90 <= per_1000 <= 160


def test_locations_in_range(demo_inputs):
    loc = pd.read_csv(demo_inputs / "zorglocaties.csv", sep=";")
    assert 150 <= len(loc) <= 250
    assert set(loc["sector"]) == {"V&V", "GZ", "GGZ"}
    assert loc["locatie_id"].is_unique
