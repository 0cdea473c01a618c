"""The public forecast (geo.forecast with a Publication): pooled age bands, the region's home share
where a gemeente's counts are not published, and independence from unpublished counts.

Uses the toy region of tests/test_forecast_scenarios.py (two gemeenten, bands 75/80/85, observed
2022-2023). Its base year (2023), at home / intramural:
  GM0001 zzp5_7 4 / 16+12 = 28;  zzp6_8 0 / 10
  GM0002 zzp5_7 10+6 = 16 / 12;  zzp6_8 4 / 0
  region zzp5_7 20 / 40 (share 1/3); zzp6_8 4 / 10 (share 2/7)
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from geo.forecast import (REGION_ROW, SOURCE_SMALL, Publication, age_pools, gap_table, home_base,
                          home_share_growth, pooled_usage_rates, scenario_forecast, split_by_leveringsvorm)
from tests.test_forecast_scenarios import YEARS, clients, places, population, projection  # noqa: F401 (fixtures)

ALL_REGION = frozenset((y, g) for y in YEARS for g in ("zzp4", "zzp5_7", "zzp6_8", "overig"))


def test_age_pools_close_as_soon_as_every_year_has_enough():
    idx = pd.MultiIndex.from_product([[2022, 2023], [65, 70, 75, 80]], names=["jaar", "leeftijd_van"])
    # 65: 6/4; +70: 11/12 -> pool; 75: 12/9 (9 < 10); +80: 42/44 -> pool
    c = pd.DataFrame({"zzp5_7": [6, 5, 12, 30, 4, 8, 9, 35],
                      # every band small: 3+2+... stays below 10 in 2023 -> no pools at all
                      "overig": [5, 5, 0, 0, 1, 2, 3, 3],
                      # a last pool below the minimum joins the one before
                      "zzp4": [20, 0, 0, 3, 20, 0, 0, 4]}, index=idx)
    pools = age_pools(c, 10)
    assert pools["zzp5_7"] == [(65, 70), (75, 80)]
    assert pools["overig"] is None
    assert pools["zzp4"] == [(65, 70, 75, 80)]


def test_pooled_rates_by_hand(clients, population):
    rates, pools, notes = pooled_usage_rates(clients, population, YEARS, min_count=10)
    # zzp5_7: 75 has 20/30 clients alone; 80 has 25/30 and the empty 85 joins it
    assert pools["zzp5_7"] == [(75,), (80, 85)]
    assert rates.loc[(2022, 80), "zzp5_7"] == pytest.approx(25 / (500 + 200))
    assert rates.loc[(2023, 85), "zzp5_7"] == pytest.approx(30 / (600 + 200))
    assert rates.loc[(2023, 75), "zzp5_7"] == pytest.approx(30 / 1000)
    # zzp6_8: only 85 has clients (10 and 14): one pool over the three bands
    assert pools["zzp6_8"] == [(75, 80, 85)]
    assert rates.loc[(2022, 75), "zzp6_8"] == pytest.approx(10 / 1700)
    # zzp4 and overig have no clients at all: rate 0, with a note each
    assert (rates["zzp4"] == 0).all() and (rates["overig"] == 0).all()
    assert sum("ZZP 4" in n for n in notes) == 1


def test_a_group_small_in_every_band_is_measured_over_all_years(clients, population):
    rates, pools, notes = pooled_usage_rates(clients, population, YEARS, min_count=25)
    # zzp6_8 has 10 and 14 clients in the whole region: below 25 each year, 24 together... still below
    assert pools["zzp6_8"] is None and (rates["zzp6_8"] == 0).all()
    rates, pools, notes = pooled_usage_rates(clients, population, YEARS, min_count=20)
    # ... at 20: below in 2022 (10), 24 over both years -> one rate 24 / (1700 + 1800) everywhere
    assert pools["zzp6_8"] is None
    assert rates["zzp6_8"].to_numpy() == pytest.approx(np.full(len(rates), 24 / 3500))
    assert any("alle leeftijden en jaren samen" in n for n in notes)


def test_home_base_uses_only_published_counts(clients):
    pub = Publication(10, base=frozenset({("GM0002", "zzp5_7")}), region=ALL_REGION - {(2023, "zzp6_8")})
    b = home_base(clients, 2023, ["GM0001", "GM0002"], pub)
    own = b.loc[("GM0002", "zzp5_7")]
    assert (own["clienten_thuis_nu"], own["clienten_intramuraal_nu"]) == (16, 12)
    assert own["aandeel_thuis_nu"] == pytest.approx(16 / 28) and own["aandeel_bron"] == "gemeente"
    small = b.loc[("GM0001", "zzp5_7")]
    assert np.isnan(small["clienten_thuis_nu"]) and np.isnan(small["clienten_intramuraal_nu"])
    assert small["aandeel_thuis_nu"] == pytest.approx(1 / 3) and small["aandeel_bron"] == SOURCE_SMALL
    # the region's zzp6_8 counts are not published either: share 0
    none = b.loc[("GM0001", "zzp6_8")]
    assert none["aandeel_thuis_nu"] == 0 and none["aandeel_bron"] == "geen"
    # growth of the home share: zzp6_8's region counts of 2023 are not published -> 0
    g = home_share_growth(clients, YEARS, pub)
    assert g["zzp6_8"] == 0
    assert g["zzp5_7"] == pytest.approx(1 / 3 - 10 / 45)  # 2022: 10 of 45 at home


def test_split_with_unpublished_base_counts():
    demand = pd.DataFrame({"vraagscenario": ["midden", "midden"], "jaar": [2023, 2030],
                           "gemeentecode": ["GM0001", "GM0001"], "groep_id": ["zzp5_7", "zzp5_7"],
                           "clienten_totaal": [30.0, 45.0]})
    base = pd.DataFrame({"clienten_thuis_nu": [np.nan], "clienten_intramuraal_nu": [np.nan],
                         "aandeel_thuis_nu": [1 / 3], "aandeel_bron": [SOURCE_SMALL]},
                        index=pd.MultiIndex.from_tuples([("GM0001", "zzp5_7")], names=["gemeentecode", "groep_id"]))
    split = split_by_leveringsvorm(demand, base, pd.Series({"zzp5_7": 0.0}), 2023)
    r = split[(split["jaar"] == 2030)].set_index("leveringsvormscenario")
    # scenario 1: a third of 45 at home
    assert r.at[1, "clienten_thuis"] == pytest.approx(15) and r.at[1, "clienten_intramuraal"] == pytest.approx(30)
    # scenario 4 keeps (1 - 1/3) x 30 = 20 intramural (the modelled base year), the rest at home
    assert r.at[4, "clienten_intramuraal"] == pytest.approx(20) and r.at[4, "clienten_thuis"] == pytest.approx(25)
    # without observed base counts there are no extra clients to show
    assert r["extra_thuis"].isna().all() and r["extra_intramuraal"].isna().all()


def test_region_rows_take_the_published_region_counts():
    split = pd.DataFrame({
        "vraagscenario": "midden", "jaar": 2030, "leveringsvormscenario": 1, "groep_id": "zzp5_7",
        "gemeentecode": ["GM0001", "GM0002"], "clienten_totaal": [45.0, 30.0], "clienten_thuis": [15.0, 12.0],
        "clienten_intramuraal": [30.0, 18.0], "clienten_thuis_nu": [np.nan, 16.0],
        "clienten_intramuraal_nu": [np.nan, 12.0], "extra_thuis": [np.nan, -4.0], "extra_intramuraal": [np.nan, 6.0]})
    rb = pd.DataFrame({"thuis": [20.0], "intramuraal": [40.0]}, index=pd.Index(["zzp5_7"], name="groep_id"))
    t = gap_table(split, pd.DataFrame(columns=["zzp5_7"]), region_base=rb)
    reg = t[t["gemeentecode"] == REGION_ROW].iloc[0]
    assert (reg["clienten_thuis_nu"], reg["clienten_intramuraal_nu"]) == (20, 40)
    # the region's projection (15 + 12 at home, 30 + 18 intramural) minus its own observed counts
    assert reg["extra_thuis"] == pytest.approx(27 - 20) and reg["extra_intramuraal"] == pytest.approx(48 - 40)


def test_the_public_forecast_does_not_see_unpublished_counts(clients, population, projection, places):
    """Moving a client between two gemeenten (same band, profile and place) changes only counts that
    are not published: the public table stays exactly the same; the exact one does not."""
    pub = Publication(10, base=frozenset(), region=ALL_REGION)
    moved = clients.copy()
    i = moved.index[(moved["jaar"] == 2023) & (moved["gemeentecode"] == "GM0001") & (moved["leeftijd_van"] == 80)
                    & (moved["zorgprofiel"] == "VV5") & (moved["leveringsvorm"] == "intramuraal")][0]
    j = moved.index[(moved["jaar"] == 2023) & (moved["gemeentecode"] == "GM0002") & (moved["leeftijd_van"] == 80)
                    & (moved["zorgprofiel"] == "VV5") & (moved["leveringsvorm"] == "intramuraal")][0]
    moved.loc[i, "aantal_clienten"] -= 1
    moved.loc[j, "aantal_clienten"] += 1
    kw = dict(end_year=2030)
    public_a = scenario_forecast(clients, population, projection, places, YEARS, publication=pub, **kw).table
    public_b = scenario_forecast(moved, population, projection, places, YEARS, publication=pub, **kw).table
    pd.testing.assert_frame_equal(public_a, public_b)
    exact_a = scenario_forecast(clients, population, projection, places, YEARS, **kw).table
    exact_b = scenario_forecast(moved, population, projection, places, YEARS, **kw).table
    assert not exact_a.equals(exact_b)
