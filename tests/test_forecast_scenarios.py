"""Tests of the scenario forecast (analyses 4-6): hand-computed toy region, worked example, invariants.

Toy region: two gemeenten, three age bands (75, 80, 85; 85 is the last band
here), observed years 2022 and 2023, projection years 2025 and 2030. Every
expected number is worked out by hand in the comments.
"""

from __future__ import annotations

import time

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from geo.forecast import (DEMAND_SCENARIOS, METHOD_BY_AGE, METHOD_COHORT, REGION_ROW, TABLE_COLUMNS,
                          ZZP_GROUPS, extra_places_summary, gap_table, has_age_detail, home_base,
                          home_share_growth, interpolate_population, places_by_gemeente, population_by_age,
                          project_clients, rate_scenarios, scenario_forecast, split_by_leveringsvorm,
                          split_home_intramural, usage_rates_all, wide_by_group)

YEARS = (2022, 2023)
GROUPS = list(ZZP_GROUPS)
CLIENT_COLS = ["jaar", "gemeentecode", "leeftijd_van", "zorgprofiel", "leveringsvorm", "aantal_clienten"]
POP_COLS = ["jaar", "regiocode", "leeftijd_van", "inwoners"]


@pytest.fixture
def population() -> pd.DataFrame:
    rows = [
        # 2022: region 75: 600+400 = 1000, 80: 300+200 = 500, 85: 100+100 = 200
        (2022, "GM0001", 75, 600), (2022, "GM0001", 80, 300), (2022, "GM0001", 85, 100),
        (2022, "GM0002", 75, 400), (2022, "GM0002", 80, 200), (2022, "GM0002", 85, 100),
        # 2023: region 75: 700+300 = 1000, 80: 300+300 = 600, 85: 150+50 = 200
        (2023, "GM0001", 75, 700), (2023, "GM0001", 80, 300), (2023, "GM0001", 85, 150),
        (2023, "GM0002", 75, 300), (2023, "GM0002", 80, 300), (2023, "GM0002", 85, 50),
        (2023, "WK000101", 75, 5000),  # a wijk: never counted
    ]
    return pd.DataFrame(rows, columns=POP_COLS)


@pytest.fixture
def clients() -> pd.DataFrame:
    rows = [
        # 2022
        (2022, "GM0001", 75, "VV5", "intramuraal", 10),
        (2022, "GM0002", 75, "VV7", "PGB", 10),
        (2022, "GM0001", 80, "VV5", "intramuraal", 15),
        (2022, "GM0002", 80, "VV7", "intramuraal", 10),
        (2022, "GM0001", 85, "VV6", "intramuraal", 8),
        (2022, "GM0002", 85, "VV8", "MPT", 2),
        # 2023
        (2023, "GM0001", 75, "VV5", "intramuraal", 16),
        (2023, "GM0001", 75, "VV5", "PGB", 4),
        (2023, "GM0002", 75, "VV7", "VPT", 10),
        (2023, "GM0001", 80, "VV5", "intramuraal", 12),
        (2023, "GM0002", 80, "VV5", "intramuraal", 12),
        (2023, "GM0002", 80, "VV7", "PGB", 6),
        (2023, "GM0001", 85, "VV6", "intramuraal", 10),
        (2023, "GM0002", 85, "VV8", "MPT", 4),
        # not an observed year
        (2019, "GM0001", 75, "VV5", "intramuraal", 999),
    ]
    return pd.DataFrame(rows, columns=CLIENT_COLS)


# Usage rates (all leveringsvormen), region level:
#   2022: 75 zzp5_7 (10+10)/1000 = 0.02;  80 zzp5_7 (15+10)/500 = 0.05;  85 zzp6_8 (8+2)/200 = 0.05
#   2023: 75 zzp5_7 (16+4+10)/1000 = 0.03; 80 zzp5_7 (12+12+6)/600 = 0.05; 85 zzp6_8 (10+4)/200 = 0.07
# Scenarios: 75 zzp5_7 min 0.02 / mid 0.025 / max 0.03; 80 zzp5_7 0.05 in all three;
#            85 zzp6_8 min 0.05 / mid 0.06 / max 0.07; everything else 0.
SCEN = {"min": {75: 0.02, 80: 0.05, 85: 0.05}, "midden": {75: 0.025, 80: 0.05, 85: 0.06},
        "max": {75: 0.03, 80: 0.05, 85: 0.07}}


@pytest.fixture
def projection() -> pd.DataFrame:
    rows = [
        (2025, "GM0001", 75, 800), (2025, "GM0001", 80, 400), (2025, "GM0001", 85, 150),
        (2025, "GM0002", 75, 300), (2025, "GM0002", 80, 300), (2025, "GM0002", 85, 100),
        (2030, "GM0001", 75, 1000), (2030, "GM0001", 80, 500), (2030, "GM0001", 85, 250),
        (2030, "GM0002", 75, 400), (2030, "GM0002", 80, 300), (2030, "GM0002", 85, 100),
        (2023, "GM0001", 75, 9999),     # the base year comes from the observed population, not from here
        (2030, "WK000101", 75, 7777),   # a wijk: never counted
    ]
    return pd.DataFrame(rows, columns=POP_COLS)


@pytest.fixture
def places() -> pd.DataFrame:
    cols = ["locatie_id", "sector", "gemeentecode",
            "plaatsen_zzp4", "plaatsen_zzp5_7", "plaatsen_zzp6_8", "plaatsen_overig"]
    rows = [
        ("L1", "V&V", "GM0001", 0, 20, 10, 0),
        ("L2", "V&V", "GM0001", 0, 10, 0, 0),
        ("L3", "V&V", "GM0002", 0, 5, 0, 0),
        ("L4", "V&V", "GM0003", 2, 0, 0, 0),   # a gemeente without projection or clients
        ("L5", "GZ", "GM0002", 9, 9, 9, 9),    # GZ: no V&V places
    ]
    # GM0001: zzp5_7 20+10 = 30, zzp6_8 10; GM0002: zzp5_7 5; GM0003: zzp4 2
    return places_by_gemeente(pd.DataFrame(rows, columns=cols))


@pytest.fixture
def result(clients, population, projection, places):
    return scenario_forecast(clients, population, projection, places, YEARS, end_year=2030)


def row(table, code, group, year, scen, lv):
    t = table[(table["gemeentecode"] == code) & (table["groep_id"] == group) & (table["jaar"] == year)
              & (table["vraagscenario"] == scen) & (table["leveringsvormscenario"] == lv)]
    assert len(t) == 1, (code, group, year, scen, lv)
    return t.iloc[0]


# --- step 1: rates ------------------------------------------------------------------------------------

def test_usage_rates_all(clients, population):
    rates = usage_rates_all(clients, population, YEARS)
    assert rates.loc[(2022, 75), "zzp5_7"] == pytest.approx(0.02)
    assert rates.loc[(2023, 75), "zzp5_7"] == pytest.approx(0.03)
    assert rates.loc[(2022, 80), "zzp5_7"] == pytest.approx(0.05)
    assert rates.loc[(2023, 80), "zzp5_7"] == pytest.approx(0.05)
    assert rates.loc[(2022, 85), "zzp6_8"] == pytest.approx(0.05)
    assert rates.loc[(2023, 85), "zzp6_8"] == pytest.approx(0.07)
    assert rates[["zzp4", "overig"]].to_numpy().sum() == 0


def test_usage_rates_all_restricted_to_the_region(clients, population):
    # only GM0001: 2023 band 75 zzp5_7 = (16+4)/700
    rates = usage_rates_all(clients, population, YEARS, gemeenten=["GM0001"])
    assert rates.loc[(2023, 75), "zzp5_7"] == pytest.approx(20 / 700)


def test_rate_scenarios(clients, population):
    scen = rate_scenarios(usage_rates_all(clients, population, YEARS))
    assert list(scen.columns) == GROUPS
    for s, by_band in SCEN.items():
        assert scen.loc[(s, 75), "zzp5_7"] == pytest.approx(by_band[75]), s
        assert scen.loc[(s, 80), "zzp5_7"] == pytest.approx(by_band[80]), s
        assert scen.loc[(s, 85), "zzp6_8"] == pytest.approx(by_band[85]), s
        assert scen.loc[(s, 85), "zzp5_7"] == 0


# --- step 2: population per band and year ---------------------------------------------------------------

def test_population_by_age_interpolates(population, projection):
    pop, method = population_by_age(population, projection, 2023, range(2023, 2031))
    assert method == METHOD_BY_AGE
    got = pop.set_index(["jaar", "gemeentecode", "leeftijd_van"])["inwoners"]
    assert set(pop["gemeentecode"]) == {"GM0001", "GM0002"}
    assert sorted(pop["jaar"].unique()) == list(range(2023, 2031))
    # base year = observed (700), not the projection's 9999
    assert got[(2023, "GM0001", 75)] == pytest.approx(700)
    # 2024 halfway between 2023 and 2025: GM0001 75 (700+800)/2 = 750; GM0002 85 (50+100)/2 = 75
    assert got[(2024, "GM0001", 75)] == pytest.approx(750)
    assert got[(2024, "GM0002", 85)] == pytest.approx(75)
    # 2025 is given
    assert got[(2025, "GM0001", 80)] == pytest.approx(400)
    # 2027 = 2025 + 2/5 of the step to 2030: GM0001 75 800 + 0.4*200 = 880; 85 150 + 0.4*100 = 190
    assert got[(2027, "GM0001", 75)] == pytest.approx(880)
    assert got[(2027, "GM0001", 85)] == pytest.approx(190)
    # GM0002 80 stays 300
    assert got[(2027, "GM0002", 80)] == pytest.approx(300)


def test_interpolate_population_totals_and_errors():
    anchors = pd.DataFrame({"jaar": [2020, 2024, 2020, 2024], "regiocode": ["GM0001", "GM0001", "GM0002", "GM0002"],
                            "inwoners": [100, 300, 50, 50]})
    out = interpolate_population(anchors, [2021, 2023]).set_index(["jaar", "gemeentecode"])["inwoners"]
    # GM0001: 100 + 1/4 * 200 = 150 and 100 + 3/4 * 200 = 250
    assert out[(2021, "GM0001")] == pytest.approx(150)
    assert out[(2023, "GM0001")] == pytest.approx(250)
    assert out[(2023, "GM0002")] == pytest.approx(50)
    with pytest.raises(ValueError, match="2025"):
        interpolate_population(anchors, [2025])
    with pytest.raises(ValueError, match="GM0002 ontbreekt in 2024"):
        interpolate_population(anchors.iloc[:3], [2022])


def test_population_by_age_from_totals_by_cohort_ageing(population):
    # totals only: GM0002 2023 has 300+300+50 = 650; the projection gives 700 in 2025
    totals = pd.DataFrame({"jaar": [2025, 2025], "regiocode": ["GM0001", "GM0002"], "inwoners": [1200, 700]})
    assert not has_age_detail(totals)
    surv = pd.Series([0.98, 0.95, 0.8], index=pd.Index([75, 80, 85], name="leeftijd_van"))
    pop, method = population_by_age(population, totals, 2023, [2023, 2024, 2025], surv)
    assert method == METHOD_COHORT
    got = pop.set_index(["jaar", "gemeentecode", "leeftijd_van"])["inwoners"]
    # GM0002, single years 75-79: 60 each, 80-84: 60 each, 85+: 50; births 300/5 = 60
    # 2024: survivors 58.8 (75-79), 57 (80-84), 40 (85+); one year older:
    #   75-79 = 60 + 4*58.8 = 295.2; 80-84 = 58.8 + 4*57 = 286.8; 85+ = 57 + 40 = 97; sum 679
    #   the 2024 total is halfway 650 -> 700 = 675: scale by 675/679
    f = 675 / 679
    assert [got[(2024, "GM0002", b)] for b in (75, 80, 85)] == pytest.approx([295.2 * f, 286.8 * f, 97 * f])
    # every year adds up to its total; the base year is the observed one
    by_year = pop.groupby(["jaar", "gemeentecode"])["inwoners"].sum()
    assert by_year[(2023, "GM0002")] == pytest.approx(650)
    assert by_year[(2025, "GM0002")] == pytest.approx(700)
    assert by_year[(2024, "GM0001")] == pytest.approx((1150 + 1200) / 2)


def test_has_age_detail():
    assert has_age_detail(pd.DataFrame({"leeftijd_van": [0, 5]}))
    assert not has_age_detail(pd.DataFrame({"leeftijd_van": [None, None]}))
    with pytest.raises(ValueError, match="sommige regels"):
        has_age_detail(pd.DataFrame({"leeftijd_van": [0, None]}))


# --- step 3: projected clients ---------------------------------------------------------------------------------

def test_project_clients(clients, population, projection):
    scen = rate_scenarios(usage_rates_all(clients, population, YEARS))
    pop, _ = population_by_age(population, projection, 2023, range(2023, 2031))
    d = project_clients(scen, pop).set_index(["vraagscenario", "jaar", "gemeentecode", "groep_id"])["clienten_totaal"]
    # 2030 GM0001 (75: 1000, 80: 500, 85: 250):
    #   mid zzp5_7 0.025*1000 + 0.05*500 = 50; zzp6_8 0.06*250 = 15
    #   min zzp5_7 0.02*1000 + 0.05*500 = 45; zzp6_8 0.05*250 = 12.5
    #   max zzp5_7 0.03*1000 + 0.05*500 = 55; zzp6_8 0.07*250 = 17.5
    assert d[("midden", 2030, "GM0001", "zzp5_7")] == pytest.approx(50)
    assert d[("midden", 2030, "GM0001", "zzp6_8")] == pytest.approx(15)
    assert d[("min", 2030, "GM0001", "zzp5_7")] == pytest.approx(45)
    assert d[("min", 2030, "GM0001", "zzp6_8")] == pytest.approx(12.5)
    assert d[("max", 2030, "GM0001", "zzp5_7")] == pytest.approx(55)
    assert d[("max", 2030, "GM0001", "zzp6_8")] == pytest.approx(17.5)
    # 2030 GM0002 (400, 300, 100): mid zzp5_7 0.025*400 + 0.05*300 = 25; zzp6_8 0.06*100 = 6
    assert d[("midden", 2030, "GM0002", "zzp5_7")] == pytest.approx(25)
    assert d[("midden", 2030, "GM0002", "zzp6_8")] == pytest.approx(6)
    # 2027 GM0001 (880, 440, 190): mid zzp5_7 0.025*880 + 0.05*440 = 44; zzp6_8 0.06*190 = 11.4
    assert d[("midden", 2027, "GM0001", "zzp5_7")] == pytest.approx(44)
    assert d[("midden", 2027, "GM0001", "zzp6_8")] == pytest.approx(11.4)
    # 2023 GM0001 (700, 300, 150): mid zzp5_7 17.5 + 15 = 32.5
    assert d[("midden", 2023, "GM0001", "zzp5_7")] == pytest.approx(32.5)
    assert d[("midden", 2030, "GM0001", "zzp4")] == 0


# --- step 4: home share --------------------------------------------------------------------------------------------

def test_home_base_and_growth(clients):
    base = home_base(clients, 2023, ["GM0001", "GM0002"])
    # GM0001 zzp5_7: home 4 (PGB), intramural 16+12 = 28 -> share 4/32 = 1/8
    assert base.loc[("GM0001", "zzp5_7")].tolist()[:3] == pytest.approx([4, 28, 1 / 8])
    # GM0002 zzp5_7: home 10 (VPT) + 6 (PGB) = 16, intramural 12 -> 16/28 = 4/7
    assert base.loc[("GM0002", "zzp5_7"), "aandeel_thuis_nu"] == pytest.approx(4 / 7)
    # GM0002 zzp6_8: all 4 MPT -> 1; GM0001 zzp6_8: 10 intramural -> 0
    assert base.loc[("GM0002", "zzp6_8"), "aandeel_thuis_nu"] == pytest.approx(1.0)
    assert base.loc[("GM0001", "zzp6_8"), "aandeel_thuis_nu"] == pytest.approx(0.0)
    assert base.loc[("GM0001", "zzp6_8"), "aandeel_bron"] == "gemeente"
    # a group without clients takes the region's share (here 0 as well)
    assert base.loc[("GM0001", "zzp4"), "aandeel_bron"] == "regio"
    growth = home_share_growth(clients, YEARS)
    # zzp5_7: 2022 10 of 45 at home = 2/9, 2023 20 of 60 = 1/3 -> +1/9 a year
    assert growth["zzp5_7"] == pytest.approx(1 / 3 - 2 / 9)
    # zzp6_8: 2022 2 of 10 = 1/5, 2023 4 of 14 = 2/7 -> +3/35 a year
    assert growth["zzp6_8"] == pytest.approx(3 / 35)
    assert growth["zzp4"] == 0 and growth["overig"] == 0


def test_home_base_falls_back_to_the_region_share():
    c = pd.DataFrame([(2023, "GM0001", 80, "VV4", "VPT", 3), (2023, "GM0001", 80, "VV4", "intramuraal", 9)],
                     columns=CLIENT_COLS)
    base = home_base(c, 2023, ["GM0001", "GM0002"])
    # GM0002 has no ZZP 4 clients: the region's share 3/12 = 0.25
    assert base.loc[("GM0002", "zzp4"), "aandeel_thuis_nu"] == pytest.approx(0.25)
    assert base.loc[("GM0002", "zzp4"), "aandeel_bron"] == "regio"


def test_home_share_growth_over_the_whole_span():
    # share 0.2 in 2019 and 0.4 in 2023 (a middle year does not matter): 0.2 / 4 years = 0.05 a year
    c = pd.DataFrame([(2019, "GM0001", 80, "VV5", "VPT", 2), (2019, "GM0001", 80, "VV5", "intramuraal", 8),
                      (2021, "GM0001", 80, "VV5", "VPT", 9), (2021, "GM0001", 80, "VV5", "intramuraal", 1),
                      (2023, "GM0001", 80, "VV5", "MPT", 4), (2023, "GM0001", 80, "VV5", "intramuraal", 6)],
                     columns=CLIENT_COLS)
    assert home_share_growth(c, [2019, 2021, 2023])["zzp5_7"] == pytest.approx(0.05)


def test_split_in_2030(result):
    t = result.table
    # GM0001 zzp5_7 mid 2030: total 50, base share 1/8, growth 1/9 a year, 7 years on; today 4 home, 28 intra
    r = row(t, "GM0001", "zzp5_7", 2030, "midden", 1)   # share 1/8: home 6.25, intra 43.75
    assert (r["clienten_totaal"], r["clienten_thuis"], r["clienten_intramuraal"]) == pytest.approx((50, 6.25, 43.75))
    assert (r["extra_thuis"], r["extra_intramuraal"]) == pytest.approx((6.25 - 4, 43.75 - 28))
    r = row(t, "GM0001", "zzp5_7", 2030, "midden", 2)   # share 1/8 + 7/18 = 37/72
    assert (r["clienten_thuis"], r["clienten_intramuraal"]) == pytest.approx((50 * 37 / 72, 50 * 35 / 72))
    r = row(t, "GM0001", "zzp5_7", 2030, "midden", 3)   # share 1/8 + 7/9 = 65/72
    assert (r["clienten_thuis"], r["clienten_intramuraal"]) == pytest.approx((50 * 65 / 72, 50 * 7 / 72))
    r = row(t, "GM0001", "zzp5_7", 2030, "midden", 4)   # intramural stays 28, the rest (22) at home
    assert (r["clienten_thuis"], r["clienten_intramuraal"], r["extra_intramuraal"]) == pytest.approx((22, 28, 0))
    # GM0002 zzp5_7 mid 2030: total 25, share 4/7
    r = row(t, "GM0002", "zzp5_7", 2030, "midden", 2)   # 4/7 + 7/18 = 121/126
    assert (r["clienten_thuis"], r["clienten_intramuraal"]) == pytest.approx((25 * 121 / 126, 25 * 5 / 126))
    r = row(t, "GM0002", "zzp5_7", 2030, "midden", 3)   # 4/7 + 7/9 > 1: clamped to 1
    assert (r["clienten_thuis"], r["clienten_intramuraal"], r["aandeel_thuis"]) == pytest.approx((25, 0, 1))
    # GM0001 zzp6_8 mid 2030: total 15, share 0 + 7 * 3/35 = 0.6 in scenario 3 -> home 9, intra 6
    r = row(t, "GM0001", "zzp6_8", 2030, "midden", 3)
    assert (r["clienten_thuis"], r["clienten_intramuraal"]) == pytest.approx((9, 6))
    assert (r["extra_thuis"], r["extra_intramuraal"]) == pytest.approx((9 - 0, 6 - 10))
    # GM0002 zzp6_8, nobody intramural today: scenario 4 keeps intramural at 0
    r = row(t, "GM0002", "zzp6_8", 2030, "midden", 4)
    assert (r["clienten_thuis"], r["clienten_intramuraal"]) == pytest.approx((6, 0))


# --- step 5: gap and table ------------------------------------------------------------------------------------

def test_gap_and_region_rows(result):
    t = result.table
    # GM0001 zzp5_7 mid 2030 scenario 1: 43.75 intramural - 30 places = 13.75
    r = row(t, "GM0001", "zzp5_7", 2030, "midden", 1)
    assert (r["plaatsen_nu"], r["tekort"]) == pytest.approx((30, 13.75))
    # GM0002: 25 * 3/7 = 10.714 intramural - 5 places
    r = row(t, "GM0002", "zzp5_7", 2030, "midden", 1)
    assert (r["plaatsen_nu"], r["tekort"]) == pytest.approx((5, 25 * 3 / 7 - 5))
    # GM0001 zzp6_8 scenario 3: 6 intramural - 10 places = -4 (a surplus)
    assert row(t, "GM0001", "zzp6_8", 2030, "midden", 3)["tekort"] == pytest.approx(-4)
    # region zzp5_7 mid 2030 scenario 1: total 50+25 = 75; home 6.25 + 25*4/7; intramural 43.75 + 25*3/7;
    #   today home 4+16 = 20, intramural 28+12 = 40; places 30+5 = 35
    r = row(t, REGION_ROW, "zzp5_7", 2030, "midden", 1)
    home = 6.25 + 25 * 4 / 7
    intra = 43.75 + 25 * 3 / 7
    assert r["clienten_totaal"] == pytest.approx(75)
    assert (r["clienten_thuis"], r["clienten_intramuraal"]) == pytest.approx((home, intra))
    assert (r["extra_thuis"], r["extra_intramuraal"]) == pytest.approx((home - 20, intra - 40))
    assert (r["plaatsen_nu"], r["tekort"]) == pytest.approx((35, intra - 35))
    assert r["aandeel_thuis"] == pytest.approx(home / 75)


def test_gemeente_with_places_but_no_projection(result):
    t = result.table
    # GM0003 has 2 ZZP 4 places and no projection: demand 0, gap -2, and a note says so
    r = row(t, "GM0003", "zzp4", 2030, "max", 3)
    assert (r["clienten_totaal"], r["plaatsen_nu"], r["tekort"]) == pytest.approx((0, 2, -2))
    assert any("GM0003" in n for n in result.notes)


def test_table_shape_and_columns(result):
    t = result.table
    assert list(t.columns) == list(TABLE_COLUMNS)
    for col in ("gemeentecode", "zzp_groep", "jaar", "vraagscenario", "leveringsvormscenario", "clienten_totaal",
                "clienten_thuis", "clienten_intramuraal", "extra_thuis", "extra_intramuraal", "plaatsen_nu",
                "tekort"):
        assert col in t.columns
    # (3 gemeenten + region) x 4 groups x 8 years (2023..2030) x 3 demand x 4 leveringsvorm scenarios
    assert len(t) == 4 * 4 * 8 * 3 * 4
    assert not t.duplicated(["gemeentecode", "groep_id", "jaar", "vraagscenario", "leveringsvormscenario"]).any()
    assert sorted(t["jaar"].unique()) == list(range(2023, 2031))
    assert list(t["vraagscenario"].unique()) == list(DEMAND_SCENARIOS)
    assert sorted(t["leveringsvormscenario"].unique()) == [1, 2, 3, 4]
    assert set(t["zzp_groep"]) == {"ZZP 4", "ZZP 5-7", "ZZP 6-8", "overig"}
    assert (t["bevolkingsmethode"] == METHOD_BY_AGE).all()
    assert result.assumptions["bevolkingsmethode"] == METHOD_BY_AGE
    assert result.assumptions["basisjaar"] == 2023
    assert result.assumptions["groei_aandeel_thuis_procentpunt_per_jaar"]["ZZP 5-7"] == pytest.approx(100 / 9)


def test_totals_only_projection_is_said_in_the_outputs(clients, population, places):
    totals = pd.DataFrame({"jaar": [2030, 2030], "regiocode": ["GM0001", "GM0002"], "inwoners": [1750, 800]})
    res = scenario_forecast(clients, population, totals, places, YEARS, end_year=2030)
    assert res.population_method == METHOD_COHORT
    assert (res.table["bevolkingsmethode"] == METHOD_COHORT).all()
    assert "CBS" in res.assumptions["overlevingstafel"]
    by_year = res.population.groupby(["jaar", "gemeentecode"])["inwoners"].sum()
    # GM0001: 1150 in 2023, 1750 in 2030: 2027 = 1150 + 4/7 * 600
    assert by_year[(2027, "GM0001")] == pytest.approx(1150 + 4 / 7 * 600)


def test_summary_and_wide(result):
    s = extra_places_summary(result.table, [2030])
    r = s[(s["vraagscenario"] == "midden") & (s["leveringsvormscenario"] == 1)].iloc[0]
    # all groups of the region, mid 2030 scenario 1: zzp5_7 as in test_gap_and_region_rows, plus zzp6_8:
    #   GM0001 total 15, share 0 -> intra 15; GM0002 total 6, share 1 -> home 6; today home 4, intra 10;
    #   places zzp4 2 (GM0003), zzp5_7 35, zzp6_8 10
    home = 6.25 + 25 * 4 / 7 + 6
    intra = 43.75 + 25 * 3 / 7 + 15
    assert r["clienten_totaal"] == pytest.approx(75 + 21)
    assert (r["extra_thuis"], r["extra_intramuraal"]) == pytest.approx((home - 24, intra - 50))
    assert r["tekort"] == pytest.approx(intra - 47)
    assert len(s) == 3 * 4
    w = wide_by_group(result.table, "tekort", 2030)
    assert list(w.columns) == GROUPS
    assert w.loc["GM0001", "zzp5_7"] == pytest.approx(13.75)
    assert REGION_ROW not in w.index


# --- the worked example of a published regioanalyse ---------------------------------------------------------

# 7,167 clients in the base year, 1,853 of them at home (share 1853/7167 = 25.85%), 5,314 intramural;
# 7,361 clients five years later; the home share grew 6.6 percentage points over five years (1.32 a year).
#   scenario 1: share 0.258546;          home 7361*0.258546 = 1903.2 -> +50;  intramural 5457.8 -> +144
#   scenario 2: share 0.258546 + 0.033;  home 2146.1 -> +293;  intramural 5214.9 -> -99
#   scenario 3: share 0.258546 + 0.066;  home 2389.0 -> +536;  intramural 4972.0 -> -342
#   (published: about +50/+293/+535 and +144/-99/-341: the same within 1)
#   scenario 4: intramural stays 5,314 -> +0; home 7361 - 5314 = 2047 -> +194
PUBLISHED = {1: (50, 144), 2: (293, -99), 3: (535, -341)}


def test_worked_example_split_home_intramural():
    for scenario, (home_pub, intra_pub) in PUBLISHED.items():
        home, intra = split_home_intramural(7361, 1853 / 7167, 0.066 / 5, 5, 5314, scenario)
        assert abs(round(float(home) - 1853) - home_pub) <= 1, scenario
        assert abs(round(float(intra) - 5314) - intra_pub) <= 1, scenario
        assert float(home + intra) == pytest.approx(7361)
    home, intra = split_home_intramural(7361, 1853 / 7167, 0.066 / 5, 5, 5314, 4)
    assert (round(float(home) - 1853), round(float(intra) - 5314)) == (194, 0)


def test_worked_example_through_the_table():
    # one gemeente, one group: 1,853 VPT and 5,314 intramural clients in 2023; forecast 7,361 in 2028
    clients = pd.DataFrame([(2023, "GM0001", 85, "VV5", "VPT", 1853), (2023, "GM0001", 85, "VV5", "intramuraal", 5314)],
                           columns=CLIENT_COLS)
    base = home_base(clients, 2023, ["GM0001"])
    demand = pd.DataFrame({"vraagscenario": ["midden"], "jaar": [2028], "gemeentecode": ["GM0001"],
                           "groep_id": ["zzp5_7"], "clienten_totaal": [7361.0]})
    growth = pd.Series({"zzp5_7": 0.066 / 5})
    split = split_by_leveringsvorm(demand, base, growth, 2023)
    table = gap_table(split, pd.DataFrame({"zzp5_7": [5000]}, index=pd.Index(["GM0001"], name="gemeentecode")))
    for scenario, (home_pub, intra_pub) in PUBLISHED.items():
        r = row(table, "GM0001", "zzp5_7", 2028, "midden", scenario)
        assert abs(round(r["extra_thuis"]) - home_pub) <= 1, scenario
        assert abs(round(r["extra_intramuraal"]) - intra_pub) <= 1, scenario
        # the total extra demand is the same in every scenario: 7361 - 7167 = 194
        assert r["extra_thuis"] + r["extra_intramuraal"] == pytest.approx(194)
    # scenario 3: intramural 7361 * (1 - 0.324546) = 4972.0; gap against 5,000 places = -28
    assert round(row(table, "GM0001", "zzp5_7", 2028, "midden", 3)["tekort"]) == -28
    assert round(row(table, REGION_ROW, "zzp5_7", 2028, "midden", 4)["extra_thuis"]) == 194


# --- invariants (hypothesis) ---------------------------------------------------------------------------------

BANDS = (75, 80, 85)
PROFILES = ("VV4", "VV5", "VV6", "VV9")
LV = ("intramuraal", "VPT", "MPT", "PGB")


@st.composite
def regions(draw):
    """A random small region: 1-3 gemeenten, bands 75/80/85, observed 2022-2023, projection 2025/2030."""
    n = draw(st.integers(1, 3))
    codes = [f"GM00{k + 1:02d}" for k in range(n)]
    pop = [(y, c, b, draw(st.integers(1, 3000))) for y in (2022, 2023) for c in codes for b in BANDS]
    proj = [(y, c, b, draw(st.integers(0, 4000))) for y in (2025, 2030) for c in codes for b in BANDS]
    cl = [(y, c, b, p, lv, draw(st.integers(0, 30)))
          for y in (2022, 2023) for c in codes for b in BANDS for p in PROFILES for lv in LV
          if draw(st.booleans())]
    cl.append((2023, codes[0], 85, "VV5", "intramuraal", 1))
    places = pd.DataFrame(
        [[draw(st.integers(0, 40)) for _ in GROUPS] for _ in codes], columns=GROUPS,
        index=pd.Index(codes, name="gemeentecode"))
    return (pd.DataFrame(cl, columns=CLIENT_COLS), pd.DataFrame(pop, columns=POP_COLS),
            pd.DataFrame(proj, columns=POP_COLS), places)


KEY = ["gemeentecode", "groep_id", "jaar", "vraagscenario"]
HYP = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@HYP
@given(regions())
def test_totals_are_equal_across_leveringsvorm_scenarios(region):
    t = scenario_forecast(*region, YEARS, end_year=2030).table
    spread = t.groupby(KEY)["clienten_totaal"].agg(lambda s: s.max() - s.min())
    assert spread.max() == pytest.approx(0, abs=1e-9)
    assert (t["clienten_thuis"] + t["clienten_intramuraal"]).to_numpy() == pytest.approx(t["clienten_totaal"].to_numpy())
    extra = (t["extra_thuis"] + t["extra_intramuraal"]).groupby([t[k] for k in KEY]).agg(lambda s: s.max() - s.min())
    assert extra.max() == pytest.approx(0, abs=1e-9)
    assert (t["clienten_thuis"] >= -1e-9).all() and (t["clienten_intramuraal"] >= -1e-9).all()


@HYP
@given(regions())
def test_min_mid_max_are_ordered(region):
    t = scenario_forecast(*region, YEARS, end_year=2030).table
    key = ["gemeentecode", "groep_id", "jaar", "leveringsvormscenario"]
    for col in ("clienten_totaal", "clienten_thuis", "clienten_intramuraal", "tekort", "extra_intramuraal"):
        w = t.pivot_table(index=key, columns="vraagscenario", values=col)
        assert (w["min"] <= w["midden"] + 1e-9).all(), col
        assert (w["midden"] <= w["max"] + 1e-9).all(), col


@HYP
@given(regions(), st.data())
def test_the_gap_is_additive(region, data):
    clients, population, projection, places = region
    t = scenario_forecast(clients, population, projection, places, YEARS, end_year=2030).table
    gm = t[t["gemeentecode"] != REGION_ROW]
    reg = t[t["gemeentecode"] == REGION_ROW].set_index(["groep_id", "jaar", "vraagscenario", "leveringsvormscenario"])
    # the region row is the sum of the gemeenten, for every additive column
    sums = gm.groupby(["groep_id", "jaar", "vraagscenario", "leveringsvormscenario"])[
        ["tekort", "clienten_intramuraal", "plaatsen_nu", "extra_thuis", "clienten_totaal"]].sum()
    for col in sums.columns:
        assert reg.loc[sums.index, col].to_numpy() == pytest.approx(sums[col].to_numpy()), col
    # over the groups of a gemeente: sum of gaps = intramural clients of all groups - all its places
    per_gem = gm.groupby(["gemeentecode", "jaar", "vraagscenario", "leveringsvormscenario"])
    total_places = places.sum(axis=1)
    lhs = per_gem["tekort"].sum()
    rhs = per_gem["clienten_intramuraal"].sum() - total_places.reindex(lhs.index.get_level_values(0)).to_numpy()
    assert lhs.to_numpy() == pytest.approx(rhs.to_numpy())
    # more places in one gemeente and group lower that gap (and the region's) by exactly that much
    code = data.draw(st.sampled_from(list(places.index)))
    group = data.draw(st.sampled_from(GROUPS))
    more = places.copy()
    more.loc[code, group] += 7
    t2 = scenario_forecast(clients, population, projection, more, YEARS, end_year=2030).table
    diff = t2["tekort"] - t["tekort"]
    touched = ((t["gemeentecode"] == code) | (t["gemeentecode"] == REGION_ROW)) & (t["groep_id"] == group)
    assert diff[touched].to_numpy() == pytest.approx(np.full(int(touched.sum()), -7.0))
    assert diff[~touched].abs().max() == pytest.approx(0)


@settings(max_examples=25, deadline=None)
@given(st.lists(st.lists(st.integers(0, 5), min_size=3, max_size=3), min_size=1, max_size=3),
       st.lists(st.integers(0, 6), min_size=len(BANDS) * len(PROFILES) * len(LV),
                max_size=len(BANDS) * len(PROFILES) * len(LV)),
       st.lists(st.integers(0, 50), min_size=4, max_size=4))
def test_zero_growth_gives_zero_extra_places(n_pop, k, place_counts):
    # inhabitants 1000 * n per gemeente and band, constant in every year (observed and projected);
    # clients n * k per gemeente, band, profile and leveringsvorm, the same in both years:
    #   region rate = sum(n*k) / sum(1000*n) = k / 1000, the same in every gemeente and year,
    #   so the projection gives every gemeente exactly its clients of today, and the home share
    #   does not change: no extra place at home or intramural, in any scenario, in any year.
    codes = [f"GM00{g + 1:02d}" for g in range(len(n_pop))]
    n_pop = [[v + 1 if (g == 0 and b == 0) else v for b, v in enumerate(row_)] for g, row_ in enumerate(n_pop)]
    pop = [(y, c, b, 1000 * n_pop[g][i]) for y in (2022, 2023, 2025, 2030)
           for g, c in enumerate(codes) for i, b in enumerate(BANDS)]
    pop = pd.DataFrame(pop, columns=POP_COLS)
    kk = np.array(k).reshape(len(BANDS), len(PROFILES), len(LV))
    cl = pd.DataFrame([(y, c, b, p, lv, n_pop[g][i] * int(kk[i, j, m]))
                       for y in YEARS for g, c in enumerate(codes) for i, b in enumerate(BANDS)
                       for j, p in enumerate(PROFILES) for m, lv in enumerate(LV)], columns=CLIENT_COLS)
    places = pd.DataFrame([place_counts], columns=GROUPS, index=pd.Index(codes[:1], name="gemeentecode"))
    res = scenario_forecast(cl, pop[pop["jaar"] <= 2023], pop[pop["jaar"] > 2023], places, YEARS, end_year=2030)
    t = res.table
    assert t["extra_thuis"].abs().max() == pytest.approx(0, abs=1e-9)
    assert t["extra_intramuraal"].abs().max() == pytest.approx(0, abs=1e-9)
    # the gap is then today's intramural clients minus today's places
    assert (t["tekort"] - (t["clienten_intramuraal_nu"] - t["plaatsen_nu"])).abs().max() == pytest.approx(0, abs=1e-9)


@settings(max_examples=100, deadline=None)
@given(st.floats(0, 1e4), st.floats(0, 1), st.floats(-0.1, 0.1), st.integers(0, 20), st.floats(0, 1e4))
def test_split_invariants(total, share, growth, ahead, intra_today):
    homes = []
    for scenario in (1, 2, 3, 4):
        home, intra = split_home_intramural(total, share, growth, ahead, intra_today, scenario)
        assert float(home + intra) == pytest.approx(total)
        assert home >= -1e-9 and intra >= -1e-9
        homes.append(float(home))
    # scenario 1 keeps the share
    assert homes[0] == pytest.approx(total * share)
    # scenario 2 lies between 1 and 3
    assert min(homes[0], homes[2]) - 1e-6 <= homes[1] <= max(homes[0], homes[2]) + 1e-6
    # zero growth of clients and of the share: nothing extra at home or intramural
    home0 = total * share
    for scenario in (1, 2, 3, 4):
        home, intra = split_home_intramural(total, share, 0.0, ahead, total - home0, scenario)
        assert float(home) == pytest.approx(home0, abs=1e-6)
        assert float(intra) == pytest.approx(total - home0, abs=1e-6)


def test_performance_on_a_region_of_demo_size():
    rng = np.random.default_rng(1)
    codes = [f"GM99{k:02d}" for k in range(1, 21)]
    bands = list(range(0, 100, 5))
    pop = pd.DataFrame([(y, c, b, int(rng.integers(500, 3000))) for y in (2020, 2021, 2022, 2023, 2025, 2030, 2035, 2040)
                        for c in codes for b in bands], columns=POP_COLS)
    cl = pd.DataFrame([(y, c, b, p, lv, int(rng.integers(0, 20))) for y in (2020, 2021, 2022, 2023) for c in codes
                       for b in bands[14:] for p in ("VV4", "VV5", "VV6", "VV7", "VV8", "VV9") for lv in LV],
                      columns=CLIENT_COLS)
    places = pd.DataFrame(rng.integers(0, 50, (20, 4)), columns=GROUPS, index=pd.Index(codes, name="gemeentecode"))
    start = time.perf_counter()
    res = scenario_forecast(cl, pop[pop["jaar"] <= 2023], pop[pop["jaar"] > 2023], places, (2020, 2021, 2022, 2023))
    elapsed = time.perf_counter() - start
    assert len(res.table) == 21 * 4 * 18 * 3 * 4
    assert elapsed < 3.0  # about 0.3 s on a laptop; generous for slow CI machines


def test_rate_scenarios_over_three_years():
    # rates 0.01, 0.06, 0.02 in three years: min 0.01, mid (0.01+0.06+0.02)/3 = 0.03, max 0.06
    idx = pd.MultiIndex.from_tuples([(2021, 80), (2022, 80), (2023, 80)], names=["jaar", "leeftijd_van"])
    rates = pd.DataFrame({g: [0.0, 0.0, 0.0] for g in GROUPS}, index=idx)
    rates["zzp5_7"] = [0.01, 0.06, 0.02]
    scen = rate_scenarios(rates)
    assert [scen.loc[(s, 80), "zzp5_7"] for s in DEMAND_SCENARIOS] == pytest.approx([0.01, 0.03, 0.06])


def test_method_page_example():
    # docs/methode.md, "Thuis of intramuraal, en het tekort": 60 clients in 2040, share 25% today
    # (10 home, 30 intramural), +1.2 percentage points a year, 17 years on, 28 places
    expected = {1: (15.0, 45.0), 2: (60 * 0.352, 60 * 0.648), 3: (60 * 0.454, 60 * 0.546), 4: (30.0, 30.0)}
    gaps = {1: 17.0, 2: 10.88, 3: 4.76, 4: 2.0}
    for scenario, (home_exp, intra_exp) in expected.items():
        home, intra = split_home_intramural(60, 0.25, 0.012, 17, 30, scenario)
        assert (float(home), float(intra)) == pytest.approx((home_exp, intra_exp)), scenario
        assert float(intra) - 28 == pytest.approx(gaps[scenario]), scenario
