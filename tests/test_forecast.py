"""Tests of geo.forecast on a hand-computed toy region: usage rates, projection and the 2040 gap."""

from __future__ import annotations

import pandas as pd
import pytest

from geo.forecast import (GROUP_LABELS, PROFILE_GROUP, ZZP_GROUPS, gap_by_zzp_group, gap_long,
                          places_by_gemeente, project_clients, rate_scenarios, usage_rates)

YEARS = (2022, 2023)
GROUPS = ["zzp4", "zzp5_7", "zzp6_8", "overig"]


@pytest.mark.parametrize("profile, group", [
    ("VV4", "zzp4"), ("VV5", "zzp5_7"), ("VV7", "zzp5_7"), ("VV6", "zzp6_8"),
    ("VV8", "zzp6_8"), ("VV9", "overig"), ("VV10", "overig"),
])
def test_profile_groups(profile, group):
    assert PROFILE_GROUP[profile] == group


def test_group_labels():
    assert list(ZZP_GROUPS) == GROUPS
    assert [GROUP_LABELS[g] for g in GROUPS] == ["ZZP 4", "ZZP 5-7", "ZZP 6-8", "overig"]


@pytest.fixture
def population() -> pd.DataFrame:
    """Observed inhabitants; bands 70, 75, 80 only. Region totals per band are the
    same in both years (70: 4000, 75: 2000, 80: 1000) but split differently."""
    rows = [
        (2022, "GM0001", 70, 1000), (2022, "GM0001", 75, 500), (2022, "GM0001", 80, 200),
        (2022, "GM0002", 70, 3000), (2022, "GM0002", 75, 1500), (2022, "GM0002", 80, 800),
        (2023, "GM0001", 70, 1000), (2023, "GM0001", 75, 600), (2023, "GM0001", 80, 250),
        (2023, "GM0002", 70, 3000), (2023, "GM0002", 75, 1400), (2023, "GM0002", 80, 750),
        # a wijk row (must not add to the gemeente denominator) and a year outside YEARS
        (2022, "WK000101", 75, 9999), (2021, "GM0001", 75, 7777),
    ]
    return pd.DataFrame(rows, columns=["jaar", "regiocode", "leeftijd_van", "inwoners"])


@pytest.fixture
def clients() -> pd.DataFrame:
    rows = [
        # 2022
        (2022, "GM0001", 75, "VV5", "intramuraal", 10),
        (2022, "GM0002", 75, "VV7", "intramuraal", 30),
        (2022, "GM0001", 80, "VV6", "intramuraal", 20),
        (2022, "GM0002", 80, "VV8", "intramuraal", 30),
        (2022, "GM0002", 80, "VV4", "intramuraal", 10),
        (2022, "GM0001", 70, "VV9", "intramuraal", 4),
        (2022, "GM0001", 80, "VV5", "VPT", 100),        # at home: not counted by default
        # 2023
        (2023, "GM0001", 75, "VV5", "intramuraal", 20),
        (2023, "GM0002", 75, "VV5", "intramuraal", 40),
        (2023, "GM0002", 80, "VV6", "intramuraal", 70),
        (2023, "GM0001", 80, "VV4", "intramuraal", 30),
        (2023, "GM0001", 70, "VV10", "intramuraal", 12),
        (2023, "GM0002", 80, "VV8", "PGB", 50),         # at home
        (2023, "GM0002", 75, "VV6", "MPT", 25),         # at home
        # outside the observed years
        (2021, "GM0001", 75, "VV5", "intramuraal", 999),
    ]
    return pd.DataFrame(rows, columns=["jaar", "gemeentecode", "leeftijd_van", "zorgprofiel",
                                       "leveringsvorm", "aantal_clienten"])


# Region rates by hand (intramural clients of both gemeenten / inhabitants of both):
#   2022: 70 overig 4/4000 = 0.001;  75 zzp5_7 (10+30)/2000 = 0.02;
#         80 zzp6_8 (20+30)/1000 = 0.05;  80 zzp4 10/1000 = 0.01
#   2023: 70 overig 12/4000 = 0.003; 75 zzp5_7 (20+40)/2000 = 0.03;
#         80 zzp6_8 70/1000 = 0.07;  80 zzp4 30/1000 = 0.03
#   every other (band, group) is 0.
RATES = {
    (2022, 70): {"overig": 0.001},
    (2022, 75): {"zzp5_7": 0.02},
    (2022, 80): {"zzp4": 0.01, "zzp6_8": 0.05},
    (2023, 70): {"overig": 0.003},
    (2023, 75): {"zzp5_7": 0.03},
    (2023, 80): {"zzp4": 0.03, "zzp6_8": 0.07},
}
# mid = mean of both years:
#   70 overig (0.001+0.003)/2 = 0.002; 75 zzp5_7 (0.02+0.03)/2 = 0.025;
#   80 zzp4 (0.01+0.03)/2 = 0.02; 80 zzp6_8 (0.05+0.07)/2 = 0.06
MID = {70: {"overig": 0.002}, 75: {"zzp5_7": 0.025}, 80: {"zzp4": 0.02, "zzp6_8": 0.06}}


def test_usage_rates(clients, population):
    rates = usage_rates(clients, population, YEARS)
    assert list(rates.columns) == GROUPS
    assert set(rates.index) == set(RATES)
    for key, nonzero in RATES.items():
        for g in GROUPS:
            assert rates.loc[key, g] == pytest.approx(nonzero.get(g, 0.0)), (key, g)


def test_usage_rates_all_leveringsvormen(clients, population):
    rates = usage_rates(clients, population, YEARS,
                        leveringsvormen=("intramuraal", "VPT", "MPT", "PGB"))
    # 2022 band 80 zzp5_7: the 100 VPT clients / 1000 = 0.1
    assert rates.loc[(2022, 80), "zzp5_7"] == pytest.approx(0.1)
    # 2023 band 80 zzp6_8: (70 intramural + 50 PGB) / 1000 = 0.12
    assert rates.loc[(2023, 80), "zzp6_8"] == pytest.approx(0.12)
    # 2023 band 75 zzp6_8: 25 MPT / 2000 = 0.0125
    assert rates.loc[(2023, 75), "zzp6_8"] == pytest.approx(0.0125)


def test_mid_rates(clients, population):
    mid = rate_scenarios(usage_rates(clients, population, YEARS)).loc["midden"]
    assert sorted(mid.index) == [70, 75, 80]
    for band, nonzero in MID.items():
        for g in GROUPS:
            assert mid.loc[band, g] == pytest.approx(nonzero.get(g, 0.0)), (band, g)


@pytest.fixture
def projection() -> pd.DataFrame:
    rows = [
        (2040, "GM0001", 70, 1000), (2040, "GM0001", 75, 800), (2040, "GM0001", 80, 500),
        (2040, "GM0002", 70, 2000), (2040, "GM0002", 75, 1600), (2040, "GM0002", 80, 1000),
        (2040, "GM0001", 40, 5000),                         # a band without a rate: adds 0
        (2040, "WK000101", 80, 9999), (2030, "GM0001", 80, 8888),  # not counted
    ]
    return pd.DataFrame(rows, columns=["jaar", "regiocode", "leeftijd_van", "inwoners"])


# Projected clients 2040 = sum over bands of mid rate x projected inhabitants:
#   GM0001: zzp4 0.02*500 = 10;  zzp5_7 0.025*800 = 20;  zzp6_8 0.06*500 = 30;  overig 0.002*1000 = 2
#   GM0002: zzp4 0.02*1000 = 20; zzp5_7 0.025*1600 = 40; zzp6_8 0.06*1000 = 60; overig 0.002*2000 = 4
DEMAND = {"GM0001": [10.0, 20.0, 30.0, 2.0], "GM0002": [20.0, 40.0, 60.0, 4.0]}


def projected_clients(rates, projection, year):
    """Midden-scenario demand per gemeente x group in ``year`` via project_clients (gemeente rows only)."""
    pop = projection[(projection["jaar"] == year) & projection["regiocode"].str.startswith("GM")]
    pop = pop.rename(columns={"regiocode": "gemeentecode"})
    out = project_clients(rate_scenarios(rates).loc[["midden"]], pop)
    return out.pivot(index="gemeentecode", columns="groep_id", values="clienten_totaal")


def test_projected_clients(clients, population, projection):
    demand = projected_clients(usage_rates(clients, population, YEARS), projection, 2040)
    assert sorted(demand.index) == ["GM0001", "GM0002"]
    for code, values in DEMAND.items():
        assert demand.loc[code, GROUPS].tolist() == pytest.approx(values), code


@pytest.fixture
def locations() -> pd.DataFrame:
    cols = ["locatie_id", "sector", "gemeentecode",
            "plaatsen_zzp4", "plaatsen_zzp5_7", "plaatsen_zzp6_8", "plaatsen_overig"]
    rows = [
        ("L1", "V&V", "GM0001", 5, 12, 10, 0),
        ("L2", "V&V", "GM0001", 0, 3, 25, 1),
        ("L3", "GZ", "GM0001", 50, 50, 50, 50),    # GZ: not counted
        ("L4", "V&V", None, 100, 100, 100, 100),   # not placed in a gemeente: not counted
        ("L5", "GGZ", "GM0002", 40, 40, 40, 40),   # GGZ: not counted
        ("L6", "V&V", "GM0003", 2, 0, 0, 0),       # a gemeente without projected demand
    ]
    return pd.DataFrame(rows, columns=cols)


def test_places_by_gemeente(locations):
    places = places_by_gemeente(locations)
    # GM0001: L1 + L2 = (5+0, 12+3, 10+25, 0+1)
    assert places.loc["GM0001", GROUPS].tolist() == [5, 15, 35, 1]
    assert places.loc["GM0003", GROUPS].tolist() == [2, 0, 0, 0]
    assert "GM0002" not in places.index  # only a GGZ location there


def test_gap_by_zzp_group(clients, population, projection, locations):
    demand = projected_clients(usage_rates(clients, population, YEARS), projection, 2040)
    gap = gap_by_zzp_group(demand, places_by_gemeente(locations))
    assert sorted(gap.index) == ["GM0001", "GM0002", "GM0003"]
    assert list(gap.columns) == GROUPS
    # GM0001: (10-5, 20-15, 30-35, 2-1)
    assert gap.loc["GM0001"].tolist() == pytest.approx([5.0, 5.0, -5.0, 1.0])
    # GM0002 has no V&V places: the gap is the demand
    assert gap.loc["GM0002"].tolist() == pytest.approx([20.0, 40.0, 60.0, 4.0])
    # GM0003 has places but no demand: a surplus
    assert gap.loc["GM0003"].tolist() == pytest.approx([-2.0, 0.0, 0.0, 0.0])


def test_gap_fills_missing_gemeenten_and_groups_with_zero():
    demand = pd.DataFrame({"zzp4": [3.0], "zzp5_7": [7.5]}, index=["GM0010"])  # no zzp6_8/overig
    places = pd.DataFrame({"zzp4": [1.0], "zzp5_7": [2.0], "zzp6_8": [4.0], "overig": [0.0]},
                          index=["GM0011"])
    gap = gap_by_zzp_group(demand, places)
    assert gap.loc["GM0010"].tolist() == pytest.approx([3.0, 7.5, 0.0, 0.0])
    assert gap.loc["GM0011"].tolist() == pytest.approx([-1.0, -2.0, -4.0, 0.0])


def test_gap_long(clients, population, projection, locations):
    demand = projected_clients(usage_rates(clients, population, YEARS), projection, 2040)
    long = gap_long(demand, places_by_gemeente(locations), 2040)
    assert len(long) == 3 * 4  # three gemeenten x four groups
    row = long[(long["gemeentecode"] == "GM0001") & (long["groep_id"] == "zzp6_8")].iloc[0]
    assert row["zzp_groep"] == "ZZP 6-8"
    assert row["jaar"] == 2040
    assert (row["vraag"], row["plaatsen"], row["tekort"]) == pytest.approx((30.0, 35.0, -5.0))
    total = long.groupby("gemeentecode")["tekort"].sum()
    assert total["GM0002"] == pytest.approx(20 + 40 + 60 + 4)
