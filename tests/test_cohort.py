"""Tests of the cohort method (geo.cohort) and the life table (geo.lifetable), computed by hand."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from geo.ages import AGE_BANDS
from geo.cohort import age_cohorts, age_one_year, cohort_population, join_bands, split_bands
from geo.lifetable import DEFAULT_SOURCE, default_survival, survival_from_table

# three bands 85-89, 90-94, 95+ with made-up survival 0.9, 0.8, 0.5
SURV3 = np.array([0.9, 0.8, 0.5])
BASE3 = np.array([500.0, 200.0, 100.0])


# --- splitting into single years and back ------------------------------------------------------

def test_split_and_join_bands():
    # 10 over five years = 2 each, 20 -> 4 each, the open band stays one group
    ages = split_bands(np.array([10.0, 20.0, 7.0]))
    assert ages.tolist() == [2, 2, 2, 2, 2, 4, 4, 4, 4, 4, 7]
    assert join_bands(ages).tolist() == [10, 20, 7]


def test_age_one_year_single_ages():
    # ages 0, 1, 2 and an open group; survival 0.5, 0.5, 0.5, 1.0; 3 births
    out = age_one_year(np.array([10.0, 20.0, 30.0, 40.0]), np.array([0.5, 0.5, 0.5, 1.0]), births=3)
    # age 0 <- births 3; age 1 <- 10*0.5; age 2 <- 20*0.5; open <- 30*0.5 + 40*1
    assert out.tolist() == [3.0, 5.0, 10.0, 55.0]


# --- ageing the three-band toy population by hand ------------------------------------------------------

def test_age_cohorts_two_years_without_scaling():
    out = age_cohorts(BASE3[None, :], SURV3, None, births=0.0, years=2)
    # base year: unchanged
    assert out[0, 0].tolist() == pytest.approx([500, 200, 100])
    # single years: 85..89 100 each, 90..94 40 each, 95+ 100.
    # year 1: survivors 90 each (85-89), 32 each (90-94), 50 (95+); all one year older, no births:
    #   85-89 = 0 + 4*90 = 360;  90-94 = 90 (from 89) + 4*32 = 218;  95+ = 32 (from 94) + 50 = 82
    #   (the same as "4/5 stay, 1/5 of the band below moves in": 450*4/5 = 360, 160*4/5 + 450/5 = 218)
    assert out[1, 0].tolist() == pytest.approx([360, 218, 82])
    # year 2: ages 85:0, 86-89:90, 90:90, 91-94:32, 95+:82 -> survivors 0, 81, 72, 25.6, 41:
    #   85-89 = 0 (births) + 0 (from 85) + 3*81 (from 86-88) = 243
    #   90-94 = 81 (from 89) + 72 (from 90) + 3*25.6 (from 91-93) = 229.8
    #   95+   = 25.6 (from 94) + 41 = 66.6
    # (ageing "1/5 of each band" again would give 85-89 = 360*0.9*0.8 = 259.2, not 243)
    assert out[2, 0].tolist() == pytest.approx([243, 229.8, 66.6])


def test_age_cohorts_births_and_scaling():
    # births default: one fifth of the first band in the base year = 500/5 = 100 a year
    # year 1 before scaling: 85-89 = 100 + 360 = 460, 90-94 = 218, 95+ = 82; sum 760
    # scaled to the given total 700: multiply by 700/760
    out = age_cohorts(BASE3[None, :], SURV3, np.array([[700.0]]))
    f = 700 / 760
    assert out[1, 0].tolist() == pytest.approx([460 * f, 218 * f, 82 * f])
    assert out[1, 0].sum() == pytest.approx(700)


def test_a_cohort_travels_intact():
    # bands 0-4, 5-9, 10-14, 15+; 100 people aged 5-9, nobody dies, nobody is born
    base = np.array([[0.0, 100.0, 0.0, 0.0]])
    out = age_cohorts(base, np.ones(4), None, births=0.0, years=10)
    # after one year the oldest fifth (age 9) is 10-14: 80 / 20
    assert out[1, 0].tolist() == pytest.approx([0, 80, 20, 0])
    # after five years the whole cohort is 10-14, after ten years 15+
    assert out[5, 0].tolist() == pytest.approx([0, 0, 100, 0])
    assert out[10, 0].tolist() == pytest.approx([0, 0, 0, 100])


def test_age_cohorts_rejects_a_total_without_people():
    with pytest.raises(ValueError, match="geen inwoners"):
        age_cohorts(np.zeros((1, 3)), SURV3, np.array([[50.0]]))


@settings(max_examples=60, deadline=None)
@given(st.lists(st.lists(st.integers(0, 5000), min_size=4, max_size=4), min_size=1, max_size=3),
       st.lists(st.floats(0.5, 1.0), min_size=4, max_size=4),
       st.lists(st.integers(1, 30000), min_size=1, max_size=6))
def test_every_year_adds_up_to_its_total(base, surv, totals):
    base = np.array(base, float)
    base[:, 0] += 1.0  # at least one person, so there is something to scale
    n_gem = base.shape[0]
    tot = np.array([[t * (k + 1) for k in range(n_gem)] for t in totals], float)
    out = age_cohorts(base, np.array(surv), tot)
    assert out.shape == (len(totals) + 1, n_gem, 4)
    assert np.all(out >= 0)
    assert out[1:].sum(axis=2) == pytest.approx(tot)


@settings(max_examples=40, deadline=None)
@given(st.lists(st.floats(0, 1e4), min_size=5, max_size=5), st.integers(1, 12))
def test_without_deaths_births_or_scaling_nobody_is_lost(base, years):
    out = age_cohorts(np.array([base]), np.ones(5), None, births=0.0, years=years)
    assert out.sum(axis=2)[:, 0] == pytest.approx([sum(base)] * (years + 1))


# --- the DataFrame interface ---------------------------------------------------------------------------

def _base_frame():
    rows = [("GM0001", 85, 500), ("GM0001", 90, 200), ("GM0001", 95, 100),
            ("GM0002", 85, 50), ("GM0002", 90, 20), ("GM0002", 95, 10)]
    return pd.DataFrame(rows, columns=["gemeentecode", "leeftijd_van", "inwoners"])


def _surv3():
    return pd.Series([0.9, 0.8, 0.5], index=pd.Index([85, 90, 95], name="leeftijd_van"))


def test_cohort_population_frame():
    totals = pd.DataFrame({"jaar": [2024, 2024], "gemeentecode": ["GM0001", "GM0002"],
                           "inwoners": [700.0, 76.0]})
    out = cohort_population(_base_frame(), totals, 2023, _surv3())
    assert sorted(out.columns) == ["gemeentecode", "inwoners", "jaar", "leeftijd_van"]
    got = out.set_index(["jaar", "gemeentecode", "leeftijd_van"])["inwoners"]
    # the base year is the input
    assert got[(2023, "GM0002", 90)] == pytest.approx(20)
    # GM0001 as in test_age_cohorts_births_and_scaling: (460, 218, 82) * 700/760
    assert got[(2024, "GM0001", 85)] == pytest.approx(460 * 700 / 760)
    # GM0002 is GM0001 divided by 10: before scaling (46, 21.8, 8.2), sum 76 = its total -> factor 1
    assert [got[(2024, "GM0002", b)] for b in (85, 90, 95)] == pytest.approx([46, 21.8, 8.2])


def test_cohort_population_errors():
    base = _base_frame()
    with pytest.raises(ValueError, match="elk jaar"):
        cohort_population(base, pd.DataFrame({"jaar": [2025], "gemeentecode": ["GM0001"], "inwoners": [1.0]}),
                          2023, _surv3())
    with pytest.raises(ValueError, match="GM0009"):
        cohort_population(base, pd.DataFrame({"jaar": [2024], "gemeentecode": ["GM0009"], "inwoners": [1.0]}),
                          2023, _surv3())
    with pytest.raises(ValueError, match="overlevingskans"):
        cohort_population(base, pd.DataFrame({"jaar": [2024], "gemeentecode": ["GM0001"], "inwoners": [1.0]}),
                          2023, _surv3().drop(95))
    with pytest.raises(ValueError, match="even breed"):
        uneven = pd.Series([0.9, 0.8, 0.5, 0.4], index=[80, 85, 90, 97])
        cohort_population(base, pd.DataFrame({"jaar": [2024], "gemeentecode": ["GM0001"], "inwoners": [1.0]}),
                          2023, uneven)


# --- the life table ---------------------------------------------------------------------------------------

def test_default_life_table():
    s = default_survival()
    assert list(s.index) == list(AGE_BANDS)
    assert s.attrs["bron"] == DEFAULT_SOURCE
    assert ((s > 0) & (s <= 1)).all()
    # young bands: about 1 in 1,000-10,000 dies in a year; 95+: about 3 in 10
    assert s[5] > 0.999 and s[30] > 0.999
    assert 0.65 <= s[95] <= 0.8
    # from age 5 on, the older the band, the lower the survival
    assert all(np.diff(s.loc[5:].to_numpy()) <= 0)
    # 85-89: about one in ten dies in a year
    assert 0.85 < s[85] < 0.93


def test_survival_from_table_with_decimal_commas():
    table = pd.DataFrame({"leeftijd_van": [str(b) for b in AGE_BANDS],
                          "overlevingskans": ["0,99"] * 19 + ["0,5"]})
    s = survival_from_table(table, "mijn_tabel.csv")
    assert list(s.index) == list(AGE_BANDS)
    assert s[0] == pytest.approx(0.99) and s[95] == pytest.approx(0.5)
    assert s.attrs["bron"] == "mijn_tabel.csv"


@pytest.mark.parametrize("change, message", [
    (lambda t: t.iloc[:-1], "ontbreken: 95"),
    (lambda t: pd.concat([t, t.iloc[[3]]]), "15 komt dubbel"),
    (lambda t: t.assign(leeftijd_van=t["leeftijd_van"].replace(10, 12)), "'12' is geen ondergrens"),
    (lambda t: t.assign(overlevingskans=t["overlevingskans"].where(t["leeftijd_van"] != 40, 1.2)),
     "leeftijdsklasse 40"),
    (lambda t: t.assign(overlevingskans=t["overlevingskans"].where(t["leeftijd_van"] != 60, 0.0)),
     "leeftijdsklasse 60"),
    (lambda t: t.drop(columns="overlevingskans"), "kolom 'overlevingskans'"),
])
def test_survival_from_table_errors(change, message):
    table = pd.DataFrame({"leeftijd_van": list(AGE_BANDS), "overlevingskans": [0.99] * 20})
    with pytest.raises(ValueError, match=message):
        survival_from_table(change(table))


def test_method_page_cohort_example():
    # docs/methode.md: 500 aged 80-84 and 300 aged 85-89 in 2023; survival 0.945 and 0.895 (default table)
    # 2024: 85-89 = 4 * 60 * 0.895 (85-88, a year older) + 100 * 0.945 (from 84) = 214.8 + 94.5 = 309.3
    s = default_survival()
    out = age_cohorts(np.array([[500.0, 300.0, 0.0]]), s.loc[[80, 85, 90]].to_numpy(), None, births=0.0, years=1)
    assert out[1, 0, 1] == pytest.approx(309.3)
