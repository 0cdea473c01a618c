"""Calibration per gemeente (method "kalibratie") and a given historical growth of the home share.

Every expected number is worked out by hand in the comments; none comes from
the code under test.

Calibration case (V&V, group ZZP 4 = VV4): two gemeenten with the same
inhabitants (80-84: 1000, 85-89: 500, in 2022 and 2023), observed 2022 and 2023,
projection 2030.

    clients ZZP 4          2022                    2023
    80-84   GM0001         20 intramural           24 intramural + 6 VPT
            GM0002         12 intramural           10 intramural
    85-89   GM0001         30 intramural           25 intramural + 5 PGB
            GM0002         10 intramural           10 intramural

Region rates: 80-84 2022 32/2000 = 0.016, 2023 40/2000 = 0.02 -> min 0.016,
midden 0.018, max 0.02; 85-89 40/1000 = 0.04 in both years.

Observed in 2023: GM0001 30 + 30 = 60 (home 6 + 5 = 11, intramural 49);
GM0002 20 (all intramural).
Expected in 2023 (rate x inhabitants): midden 0.018 x 1000 + 0.04 x 500 = 38,
min 16 + 20 = 36, max 20 + 20 = 40 (the same for both gemeenten).
Ratio GM0001: midden 60/38 = 30/19, min 60/36 = 5/3, max 60/40 = 1.5;
GM0002: midden 20/38 = 10/19, min 5/9, max 1/2.

Projection 2030: GM0001 80-84 2000, 85-89 525; GM0002 unchanged (1000, 500).
Expected 2030 GM0001: midden 0.018 x 2000 + 0.04 x 525 = 36 + 21 = 57,
min 32 + 21 = 53, max 40 + 21 = 61.
Calibrated 2030 GM0001: midden 30/19 x 57 = 90, min 5/3 x 53 = 88.333...,
max 1.5 x 61 = 91.5. GM0002: 38 x 10/19 = 20 (and 36 x 5/9 = 40 x 1/2 = 20).
"""

from __future__ import annotations

import math

import pandas as pd
import pytest

from geo.forecast import (CALIBRATED, CALIBRATION_EXPECTED_ZERO, CALIBRATION_UNPUBLISHED, REGION_ROW, Publication,
                          calibrate, scenario_forecast)
from geo.sectors import default_sectors

YEARS = (2022, 2023)
POP_COLS = ["jaar", "regiocode", "leeftijd_van", "inwoners"]
CLIENT_COLS = ["jaar", "gemeentecode", "leeftijd_van", "zorgprofiel", "leveringsvorm", "aantal_clienten"]
GEMEENTEN = ["GM0001", "GM0002"]


@pytest.fixture
def population() -> pd.DataFrame:
    return pd.DataFrame([(y, m, b, n) for y in YEARS for m in GEMEENTEN for b, n in ((80, 1000), (85, 500))],
                        columns=POP_COLS)


@pytest.fixture
def projection() -> pd.DataFrame:
    return pd.DataFrame([(2030, "GM0001", 80, 2000), (2030, "GM0001", 85, 525),
                         (2030, "GM0002", 80, 1000), (2030, "GM0002", 85, 500)], columns=POP_COLS)


@pytest.fixture
def clients() -> pd.DataFrame:
    rows = [
        (2022, "GM0001", 80, "VV4", "intramuraal", 20), (2022, "GM0002", 80, "VV4", "intramuraal", 12),
        (2022, "GM0001", 85, "VV4", "intramuraal", 30), (2022, "GM0002", 85, "VV4", "intramuraal", 10),
        (2023, "GM0001", 80, "VV4", "intramuraal", 24), (2023, "GM0001", 80, "VV4", "VPT", 6),
        (2023, "GM0002", 80, "VV4", "intramuraal", 10),
        (2023, "GM0001", 85, "VV4", "intramuraal", 25), (2023, "GM0001", 85, "VV4", "PGB", 5),
        (2023, "GM0002", 85, "VV4", "intramuraal", 10),
    ]
    return pd.DataFrame(rows, columns=CLIENT_COLS)


@pytest.fixture
def places() -> pd.DataFrame:
    return pd.DataFrame({"zzp4": [40, 15]}, index=pd.Index(GEMEENTEN, name="gemeentecode"))


def run(clients, population, projection, places, **kw):
    return scenario_forecast(clients, population, projection, places, YEARS, end_year=2030, **kw)


def row(table, code, year, scen="midden", lv=1, group="zzp4"):
    t = table[(table["gemeentecode"] == code) & (table["groep_id"] == group) & (table["jaar"] == year)
              & (table["vraagscenario"] == scen) & (table["leveringsvormscenario"] == lv)]
    assert len(t) == 1, (code, group, year, scen, lv)
    return t.iloc[0]


def test_calibration_ratios(clients, population, projection, places):
    res = run(clients, population, projection, places, method="kalibratie")
    ratio = res.calibration["verhouding"]
    assert ratio[("midden", "GM0001", "zzp4")] == pytest.approx(30 / 19)
    assert ratio[("min", "GM0001", "zzp4")] == pytest.approx(5 / 3)
    assert ratio[("max", "GM0001", "zzp4")] == pytest.approx(1.5)
    assert ratio[("midden", "GM0002", "zzp4")] == pytest.approx(10 / 19)
    assert ratio[("max", "GM0002", "zzp4")] == pytest.approx(0.5)
    assert res.calibration.loc[("midden", "GM0001", "zzp4"), "waargenomen_basisjaar"] == 60
    assert res.calibration.loc[("midden", "GM0001", "zzp4"), "verwacht_basisjaar"] == pytest.approx(38)
    assert res.calibration.loc[("midden", "GM0001", "zzp4"), "bron"] == CALIBRATED
    # the other groups have no rate: expected 0, ratio 1
    assert res.calibration.loc[("midden", "GM0001", "zzp5_7"), "bron"] == CALIBRATION_EXPECTED_ZERO
    assert ratio[("midden", "GM0001", "zzp5_7")] == 1
    assert res.method == "kalibratie"
    assert res.assumptions["prognosemethode"] == "kalibratie"
    # 2 gemeenten x 4 groups; ZZP 4 of both calibrated, the 6 others have expected 0
    assert res.assumptions["kalibratie"] == {"cellen": 8, "gekalibreerd": 2, "verhouding_1_verwacht_0": 6,
                                             "verhouding_0_geen_clienten": 0}


def test_calibrated_projection_in_a_later_year(clients, population, projection, places):
    cal = run(clients, population, projection, places, method="kalibratie").table
    reg = run(clients, population, projection, places).table
    assert row(cal, "GM0001", 2030)["clienten_totaal"] == pytest.approx(90)
    assert row(cal, "GM0001", 2030, "min")["clienten_totaal"] == pytest.approx(265 / 3)   # 88.33
    assert row(cal, "GM0001", 2030, "max")["clienten_totaal"] == pytest.approx(91.5)
    assert row(cal, "GM0002", 2030)["clienten_totaal"] == pytest.approx(20)
    # the region's method: 57 and 38
    assert row(reg, "GM0001", 2030)["clienten_totaal"] == pytest.approx(57)
    assert row(reg, "GM0002", 2030)["clienten_totaal"] == pytest.approx(38)
    # scenario 1, GM0001: share at home 11/60 -> 90 x 11/60 = 16.5 at home, 73.5 intramural,
    #   extra 16.5 - 11 = 5.5 and 73.5 - 49 = 24.5; gap 73.5 - 40 places = 33.5
    r = row(cal, "GM0001", 2030)
    assert (r["clienten_thuis"], r["clienten_intramuraal"]) == pytest.approx((16.5, 73.5))
    assert (r["extra_thuis"], r["extra_intramuraal"], r["tekort"]) == pytest.approx((5.5, 24.5, 33.5))
    # the same under "regio": 57 x 49/60 = 46.55 intramural, gap 6.55
    assert row(reg, "GM0001", 2030)["tekort"] == pytest.approx(57 * 49 / 60 - 40)
    # region row, calibrated: 90 + 20 = 110
    assert row(cal, REGION_ROW, 2030)["clienten_totaal"] == pytest.approx(110)


def test_extra_places_are_zero_in_the_base_year_under_calibration_only(clients, population, projection, places):
    cal = run(clients, population, projection, places, method="kalibratie").table
    reg = run(clients, population, projection, places).table
    base = cal[(cal["jaar"] == 2023) & (cal["groep_id"] == "zzp4")]
    # every gemeente, the region, every demand and leveringsvorm scenario: the observed 60 and 20 (and 80)
    assert len(base) == 3 * 3 * 4
    assert base["extra_thuis"].abs().max() == pytest.approx(0, abs=1e-9)
    assert base["extra_intramuraal"].abs().max() == pytest.approx(0, abs=1e-9)
    assert row(cal, "GM0001", 2023, "max")["clienten_totaal"] == pytest.approx(60)
    assert row(cal, REGION_ROW, 2023, "min")["clienten_totaal"] == pytest.approx(80)
    # "regio": GM0001 expects 38 of which 38 x 11/60 = 6.9667 at home and 31.0333 intramural:
    #   extra at home 6.9667 - 11 = -4.0333, intramural 31.0333 - 49 = -17.9667;
    #   GM0002 expects 38, all intramural: +18
    r = row(reg, "GM0001", 2023)
    assert (r["extra_thuis"], r["extra_intramuraal"]) == pytest.approx((38 * 11 / 60 - 11, 38 * 49 / 60 - 49))
    assert row(reg, "GM0002", 2023)["extra_intramuraal"] == pytest.approx(18)


def test_expected_zero_keeps_ratio_one_with_a_note(clients, population, projection, places):
    # 3 ZZP 6-8 clients of 90-94 in GM0002, but nobody of 90-94 lives in the population: expected 0,
    #   ratio 1, projection 0 (it cannot meet the observed 3), and a note says so
    c = pd.concat([clients, pd.DataFrame([(2023, "GM0002", 90, "VV6", "intramuraal", 3)], columns=CLIENT_COLS)])
    res = run(c, population, projection, places, method="kalibratie")
    assert res.calibration.loc[("midden", "GM0002", "zzp6_8"), "verhouding"] == 1
    assert res.calibration.loc[("midden", "GM0002", "zzp6_8"), "bron"] == CALIBRATION_EXPECTED_ZERO
    assert row(res.table, "GM0002", 2030, group="zzp6_8")["clienten_totaal"] == 0
    assert any("verwachte vraag in het basisjaar 0" in n and "1 combinatie" in n for n in res.notes)


def test_a_gemeente_without_clients_of_a_group_stays_at_zero(clients, population, projection, places):
    # drop GM0002's clients of 2023: observed 0, expected > 0 -> ratio 0, projection 0, with a note
    c = clients[~((clients["jaar"] == 2023) & (clients["gemeentecode"] == "GM0002"))]
    res = run(c, population, projection, places, method="kalibratie")
    assert res.calibration.loc[("midden", "GM0002", "zzp4"), "verhouding"] == 0
    assert row(res.table, "GM0002", 2030)["clienten_totaal"] == 0
    assert res.assumptions["kalibratie"]["verhouding_0_geen_clienten"] == 1
    assert any("geen cliënten" in n for n in res.notes)


def test_public_forecast_uses_ratio_one_where_the_base_count_is_not_published(clients, population, projection,
                                                                             places):
    # only GM0001's ZZP 4 counts of 2023 are published; min_count 1 keeps the bands 80 and 85 apart
    #   (so the rates are those above)
    pub = Publication(min_count=1, base=frozenset({("GM0001", "zzp4")}),
                      region=frozenset({(2022, "zzp4"), (2023, "zzp4")}))
    res = run(clients, population, projection, places, method="kalibratie", publication=pub)
    t = res.table
    # GM0001 calibrated as in the exact forecast: 90 in 2030
    assert row(t, "GM0001", 2030)["clienten_totaal"] == pytest.approx(90)
    # GM0002 not published: ratio 1, the region's rates: 38 in 2023 and in 2030
    assert res.calibration.loc[("midden", "GM0002", "zzp4"), "verhouding"] == 1
    assert res.calibration.loc[("midden", "GM0002", "zzp4"), "bron"] == CALIBRATION_UNPUBLISHED
    assert math.isnan(res.calibration.loc[("midden", "GM0002", "zzp4"), "waargenomen_basisjaar"])
    assert row(t, "GM0002", 2030)["clienten_totaal"] == pytest.approx(38)
    assert row(t, "GM0002", 2023)["clienten_totaal"] == pytest.approx(38)
    # 8 cells: one calibrated, the 7 others not published
    assert res.assumptions["kalibratie"] == {"cellen": 8, "gekalibreerd": 1, "verhouding_1_verwacht_0": 0,
                                             "verhouding_0_geen_clienten": 0, "verhouding_1_niet_gepubliceerd": 7}
    assert any("niet gepubliceerd" in n and "7 combinatie" in n for n in res.notes)


def test_calibrate_alone_by_hand():
    # expected 20 in 2023 and 30 in 2030; observed 25 (15 intramural + 10 VPT): ratio 1.25 -> 37.5 in 2030
    d = pd.DataFrame({"vraagscenario": "midden", "jaar": [2023, 2030], "gemeentecode": "GM0001",
                      "groep_id": "zzp4", "clienten_totaal": [20.0, 30.0]})
    c = pd.DataFrame([(2023, "GM0001", 80, "VV4", "intramuraal", 15), (2023, "GM0001", 80, "VV4", "VPT", 10),
                      (2022, "GM0001", 80, "VV4", "intramuraal", 99)], columns=CLIENT_COLS)
    out, ratio = calibrate(d, c, 2023)
    assert out["clienten_totaal"].tolist() == pytest.approx([25, 37.5])
    assert ratio.loc[("midden", "GM0001", "zzp4"), "verhouding"] == pytest.approx(1.25)


def test_unknown_method_is_refused(clients, population, projection, places):
    with pytest.raises(ValueError, match="prognosemethode 'lokaal'"):
        run(clients, population, projection, places, method="lokaal")


# --- a given historical growth of the home share ----------------------------------------------------------
#
# One gemeente, 1000 inhabitants of 80-84 in 2019, 2023 and 2030; observed 2019 and 2023 (4 years apart).
#   ZZP 5-7 (VV5): 2019 2 VPT + 8 intramural (share 0.2), 2023 4 VPT + 6 intramural (0.4): measured +0.05 a year
#   ZZP 6-8 (VV6): 2019 1 MPT + 9 intramural (0.1),      2023 3 MPT + 7 intramural (0.3): measured +0.05 a year
# Rate 10/1000 in both years and groups: 10 clients of each group in 2030, 7 years after 2023.

GROWTH_YEARS = (2019, 2023)


@pytest.fixture
def growth_case():
    pop = pd.DataFrame([(y, "GM0001", 80, 1000) for y in (2019, 2023, 2030)], columns=POP_COLS)
    cl = pd.DataFrame([(2019, "GM0001", 80, "VV5", "VPT", 2), (2019, "GM0001", 80, "VV5", "intramuraal", 8),
                       (2023, "GM0001", 80, "VV5", "VPT", 4), (2023, "GM0001", 80, "VV5", "intramuraal", 6),
                       (2019, "GM0001", 80, "VV6", "MPT", 1), (2019, "GM0001", 80, "VV6", "intramuraal", 9),
                       (2023, "GM0001", 80, "VV6", "MPT", 3), (2023, "GM0001", 80, "VV6", "intramuraal", 7)],
                      columns=CLIENT_COLS)
    places = pd.DataFrame({"zzp5_7": [0]}, index=pd.Index(["GM0001"], name="gemeentecode"))
    return cl, pop[pop["jaar"] <= 2023], pop[pop["jaar"] > 2023], places


def growth_run(case, **kw):
    return scenario_forecast(*case, GROWTH_YEARS, end_year=2030, **kw)


def test_measured_growth(growth_case):
    res = growth_run(growth_case)
    assert res.home_growth["zzp5_7"] == pytest.approx(0.05)
    # scenario 3, 2030: 0.4 + 7 x 0.05 = 0.75 -> 7.5 of 10 at home
    assert row(res.table, "GM0001", 2030, lv=3, group="zzp5_7")["clienten_thuis"] == pytest.approx(7.5)
    assert res.assumptions["groei_aandeel_thuis_bron"]["ZZP 5-7"] == "gemeten"


def test_given_growth_replaces_the_measured_growth_of_the_groups_it_names(growth_case):
    # ZZP 5-7 given 1.2 percentage points a year; the GZ group is another sector's and is skipped
    res = growth_run(growth_case, home_share_growth={"zzp5_7": 1.2, "gz_licht": 3.0})
    assert res.home_growth["zzp5_7"] == pytest.approx(0.012)
    assert res.home_growth["zzp6_8"] == pytest.approx(0.05)
    t = res.table
    # ZZP 5-7 2030: scenario 2: 0.4 + 0.5 x 0.012 x 7 = 0.442 -> 4.42 at home, 5.58 intramural
    #               scenario 3: 0.4 + 0.012 x 7 = 0.484 -> 4.84 at home, 5.16 intramural
    r = row(t, "GM0001", 2030, lv=2, group="zzp5_7")
    assert (r["clienten_thuis"], r["clienten_intramuraal"]) == pytest.approx((4.42, 5.58))
    r = row(t, "GM0001", 2030, lv=3, group="zzp5_7")
    assert (r["clienten_thuis"], r["clienten_intramuraal"]) == pytest.approx((4.84, 5.16))
    # ZZP 6-8 keeps the measured growth: scenario 3: 0.3 + 7 x 0.05 = 0.65 -> 6.5 at home, 3.5 intramural
    r = row(t, "GM0001", 2030, lv=3, group="zzp6_8")
    assert (r["clienten_thuis"], r["clienten_intramuraal"]) == pytest.approx((6.5, 3.5))
    a = res.assumptions
    assert a["groei_aandeel_thuis_procentpunt_per_jaar"]["ZZP 5-7"] == pytest.approx(1.2)
    assert a["groei_aandeel_thuis_procentpunt_per_jaar"]["ZZP 6-8"] == pytest.approx(5.0)
    assert a["groei_aandeel_thuis_bron"] == {"ZZP 4": "gemeten", "ZZP 5-7": "opgegeven", "ZZP 6-8": "gemeten",
                                             "overig": "gemeten"}


def test_given_growth_counts_in_a_public_forecast_too(growth_case):
    # no region count published: the measured growth is 0 everywhere, the given one still holds
    pub = Publication(min_count=1, base=frozenset(), region=frozenset())
    res = growth_run(growth_case, publication=pub, home_share_growth={"zzp5_7": 1.2})
    assert res.home_growth["zzp5_7"] == pytest.approx(0.012)
    assert res.home_growth["zzp6_8"] == 0


@pytest.mark.parametrize("bad", ["veel", True, float("nan"), None])
def test_given_growth_must_be_a_number(growth_case, bad):
    with pytest.raises(ValueError, match="zzp4"):
        growth_run(growth_case, home_share_growth={"zzp4": bad})


def test_calibrated_gz_forecast_meets_the_observed_base_year():
    # GZ, the band 19-23 fed by the 5-year bands 15-19 (1/5) and 20-24 (4/5), one observed year 2023:
    #   GM0001 15-19 500, 20-24 500 -> 19-23 = 100 + 400 = 500; GM0002 20-24 500 -> 19-23 = 400; region 900
    #   clients gz_licht 19-23 in 2023: GM0001 10, GM0002 12 (intramural) -> rate 22/900
    #   expected 2023 GM0002 = 400 x 22/900 = 9.78, observed 12: ratio 12 / (400 x 22/900) = 10800/8800 = 27/22
    #   2030 GM0002 20-24 1000 -> 19-23 800: expected 800 x 22/900, calibrated 27/22 x 800 x 22/900 = 24
    gz = default_sectors().get("gz")
    pop = pd.DataFrame([(2023, "GM0001", 15, 500), (2023, "GM0001", 20, 500), (2023, "GM0002", 20, 500),
                        (2030, "GM0001", 15, 500), (2030, "GM0001", 20, 500), (2030, "GM0002", 20, 1000)],
                       columns=POP_COLS)
    cl = pd.DataFrame([("gz", 2023, "GM0001", 19, "VG3", "intramuraal", 10),
                       ("gz", 2023, "GM0002", 19, "VG2", "intramuraal", 12)], columns=["sector"] + CLIENT_COLS)
    places = pd.DataFrame({"gz_licht": [0, 0]}, index=pd.Index(GEMEENTEN, name="gemeentecode"))
    res = scenario_forecast(cl, pop[pop["jaar"] == 2023], pop[pop["jaar"] == 2030], places, [2023], end_year=2030,
                            sector=gz, method="kalibratie")
    assert res.calibration.loc[("midden", "GM0002", "gz_licht"), "verhouding"] == pytest.approx(27 / 22)
    assert row(res.table, "GM0002", 2023, group="gz_licht")["clienten_totaal"] == pytest.approx(12)
    assert row(res.table, "GM0002", 2030, group="gz_licht")["clienten_totaal"] == pytest.approx(24)
    # GM0001: ratio 10 / (500 x 22/900) = 9/11; 2030 unchanged population -> 10
    assert row(res.table, "GM0001", 2030, group="gz_licht")["clienten_totaal"] == pytest.approx(10)


# --- invariant (hypothesis): calibrated cells meet their observed base year ------------------------------------

from hypothesis import given  # noqa: E402

from tests.test_forecast_scenarios import HYP, regions  # noqa: E402


@HYP
@given(regions())
def test_calibrated_cells_have_no_extra_places_in_the_base_year(region):
    clients, population, projection, places = region
    res = scenario_forecast(clients, population, projection, places, YEARS, end_year=2030, method="kalibratie")
    t = res.table
    own = res.calibration["bron"].unstack("vraagscenario").eq(CALIBRATED).all(axis=1)
    cells = set(own[own].index)
    base = t[(t["jaar"] == 2023) & (t["gemeentecode"] != REGION_ROW)]
    base = base[[(m, g) in cells for m, g in zip(base["gemeentecode"], base["groep_id"])]]
    if base.empty:
        return
    # observed in the base year = the projection there, so nothing extra, in every scenario
    assert base["extra_thuis"].abs().max() == pytest.approx(0, abs=1e-9)
    assert base["extra_intramuraal"].abs().max() == pytest.approx(0, abs=1e-9)
    observed = base["clienten_thuis_nu"] + base["clienten_intramuraal_nu"]
    assert base["clienten_totaal"].to_numpy() == pytest.approx(observed.to_numpy())
