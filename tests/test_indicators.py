"""Tests of geo.indicators: classes, growth, inhabitants and 75+ share, client totals, weighted means."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from geo.indicators import (classify_by_limits, growth_class, growth_pct,
                            inhabitants_and_75plus, mean_by_area, mean_by_position, ses_group,
                            weighted_mean)

LIMITS = (0.0, 5.0, 10.0, 15.0)


# --- classes --------------------------------------------------------------------------

@pytest.mark.parametrize("value, cls", [
    (-3.0, 1),
    (-0.001, 1),
    (0.0, 2),     # at a limit: the upper class
    (4.99, 2),
    (5.0, 3),
    (9.999, 3),
    (10.0, 4),
    (14.99, 4),
    (15.0, 5),
    (250.0, 5),
])
def test_growth_class(value, cls):
    assert growth_class([value], LIMITS).iloc[0] == cls
    assert classify_by_limits([value], LIMITS).iloc[0] == cls


def test_growth_class_default_limits_and_missing():
    got = growth_class([-3.0, np.nan, 5.0, 15.0])
    assert got.iloc[0] == 1
    assert pd.isna(got.iloc[1])
    assert got.iloc[2] == 3
    assert got.iloc[3] == 5


def test_classify_by_limits_other_number_of_limits():
    # two limits -> three classes
    assert list(classify_by_limits([1.0, 2.0, 2.5, 3.0, 9.0], (2.0, 3.0))) == [1, 2, 2, 3, 3]


@pytest.mark.parametrize("score, group", [
    (-0.5, 1),
    (-0.2, 2),
    (-0.1, 2),
    (-0.067, 3),
    (0.0, 3),
    (0.067, 4),
    (0.199, 4),
    (0.2, 5),
    (0.45, 5),
])
def test_ses_group(score, group):
    # higher group = higher status; default limits (-0.2, -0.067, 0.067, 0.2)
    assert ses_group([score]).iloc[0] == group


def test_ses_group_missing():
    assert pd.isna(ses_group([np.nan]).iloc[0])


# --- growth_pct -----------------------------------------------------------------------

@pytest.mark.parametrize("first, last, expected", [
    (100.0, 110.0, 10.0),      # (110-100)/100 = 10 %
    (200.0, 150.0, -25.0),     # (150-200)/200 = -25 %
    (40.0, 40.0, 0.0),
    (8.0, 20.0, 150.0),        # 12/8 = 1.5
])
def test_growth_pct(first, last, expected):
    assert growth_pct([first], [last]).iloc[0] == pytest.approx(expected)


@pytest.mark.parametrize("last", [0.0, 7.0])
def test_growth_pct_from_zero_is_missing(last):
    assert pd.isna(growth_pct([0.0], [last]).iloc[0])


def test_growth_pct_keeps_the_gemeente_index():
    idx = ["GM0001", "GM0002"]
    got = growth_pct(pd.Series([50.0, 0.0], index=idx), pd.Series([60.0, 3.0], index=idx))
    assert list(got.index) == idx
    assert got["GM0001"] == pytest.approx(20.0)  # 10/50
    assert pd.isna(got["GM0002"])


# --- inhabitants_and_75plus -----------------------------------------------------------

@pytest.fixture
def population() -> pd.DataFrame:
    rows = [
        # jaar, regiocode, leeftijd_van, inwoners
        (2023, "GM0001", 0, 500), (2023, "GM0001", 40, 300), (2023, "GM0001", 70, 100),
        (2023, "GM0001", 75, 60), (2023, "GM0001", 80, 30), (2023, "GM0001", 95, 10),
        (2023, "GM0002", 0, 200), (2023, "GM0002", 75, 50),
        (2023, "WK000101", 20, 400),
        (2022, "GM0001", 75, 1000),  # another year: must not count
    ]
    return pd.DataFrame(rows, columns=["jaar", "regiocode", "leeftijd_van", "inwoners"])


def test_inhabitants_and_75plus(population):
    got = inhabitants_and_75plus(population, 2023)
    # GM0001: 500+300+100+60+30+10 = 1000; 75+: 60+30+10 = 100 (70-74 is not 75+) -> 10 %
    assert got.at["GM0001", "inwoners"] == 1000
    assert got.at["GM0001", "inwoners_75plus"] == 100
    assert got.at["GM0001", "aandeel_75plus"] == pytest.approx(10.0)
    # GM0002: 200+50 = 250; 75+: 50 -> 20 %
    assert got.at["GM0002", "inwoners"] == 250
    assert got.at["GM0002", "inwoners_75plus"] == 50
    assert got.at["GM0002", "aandeel_75plus"] == pytest.approx(20.0)
    # a wijk without anyone aged 75+: 0 and 0 %
    assert got.at["WK000101", "inwoners"] == 400
    assert got.at["WK000101", "inwoners_75plus"] == 0
    assert got.at["WK000101", "aandeel_75plus"] == pytest.approx(0.0)
    assert set(got.index) == {"GM0001", "GM0002", "WK000101"}


def test_inhabitants_other_year(population):
    got = inhabitants_and_75plus(population, 2022)
    assert list(got.index) == ["GM0001"]
    assert got.at["GM0001", "aandeel_75plus"] == pytest.approx(100.0)  # 1000/1000


def test_share_missing_without_inhabitants():
    pop = pd.DataFrame({"jaar": [2023], "regiocode": ["GM0009"], "leeftijd_van": [80], "inwoners": [0]})
    got = inhabitants_and_75plus(pop, 2023)
    assert got.at["GM0009", "inwoners"] == 0
    assert pd.isna(got.at["GM0009", "aandeel_75plus"])


# --- clients per year of a sector's client groups -------------------------------------------

def test_clients_per_year_counts_zzp_4_to_8_with_pgb():
    from geo.care import clients_per_year
    from geo.sectors import default_sectors

    clients = pd.DataFrame(
        [
            (2022, "GM0001", "VV5", "intramuraal", 10),
            (2022, "GM0001", "VV9", "intramuraal", 3),
            (2022, "GM0001", "VV4", "PGB", 2),
            (2023, "GM0001", "VV6", "VPT", 8),
            (2023, "GM0002", "VV10", "intramuraal", 4),
            (2021, "GM0001", "VV5", "intramuraal", 500),  # outside the years
        ],
        columns=["jaar", "gemeentecode", "zorgprofiel", "leveringsvorm", "aantal_clienten"],
    )
    vv48 = clients_per_year(clients, default_sectors().get("vv"), ["GM0001", "GM0002"], (2022, 2023, 2024))
    assert list(vv48.columns) == [2022, 2023, 2024]
    # ZZP 4-8 incl. PGB: GM0001 2022 = 10+2 = 12 (VV9 is not counted), 2023 = 8; GM0002 has only VV10
    assert vv48.loc["GM0001"].tolist() == [12, 8, 0]
    assert vv48.loc["GM0002"].tolist() == [0, 0, 0]


# --- means per area -------------------------------------------------------------------

def test_weighted_mean():
    values = pd.Series([1.0, 3.0, np.nan, 10.0, 5.0, 4.0, 2.0])
    weights = pd.Series([1.0, 3.0, 100.0, 2.0, 0.0, np.nan, 1.0])
    groups = pd.Series(["a", "a", "a", "b", "c", "d", "d"])
    got = weighted_mean(values, weights, groups)
    assert got["a"] == pytest.approx((1 * 1 + 3 * 3) / (1 + 3))  # 2.5; the NaN value is ignored
    assert got["b"] == pytest.approx(10.0)
    assert pd.isna(got["c"])                                  # total weight 0
    assert got["d"] == pytest.approx(2.0)                     # the NaN weight is ignored


def test_mean_by_area():
    got = mean_by_area(pd.Series([1.0, 2.0, 6.0, 10.0]), pd.Series(["GM1", "GM1", "GM1", "GM2"]))
    assert got["GM1"] == pytest.approx(3.0)  # (1+2+6)/3
    assert got["GM2"] == pytest.approx(10.0)


def test_mean_by_position_is_the_mean_by_code():
    rng = np.random.default_rng(7)
    codes = pd.Series([f"WK{k:06d}" for k in range(50)])
    pos = rng.integers(-1, 48, 5000)          # -1: outside every area; 48 and 49 get no address
    values = rng.gamma(2.0, 100.0, 5000)
    values[rng.random(5000) < 0.01] = np.nan
    by_code = np.where(pos >= 0, codes.to_numpy()[np.maximum(pos, 0)], None)
    inside = pos >= 0
    expected = mean_by_area(pd.Series(values[inside]), pd.Series(by_code[inside]))
    got = mean_by_position(values, pos, codes)
    pd.testing.assert_series_equal(got.sort_index(), expected.sort_index(), check_names=False, rtol=1e-12)
    assert "WK000048" not in got.index and "WK000049" not in got.index
