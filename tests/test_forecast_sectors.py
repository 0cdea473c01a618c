"""The forecast per sector: GZ with its own age bands, the regrouping of 5-year bands, places per sector.

Every expected number is worked out by hand in the comments; none comes from
the code under test.

Tiny GZ region: two gemeenten, the population in CBS 5-year bands (only the
bands 15-19, 20-24, 65-69 and 95+ have inhabitants), the clients in the GZ bands
0-18, 19-23, 24-34, 35-49, 50-64 and 65+; observed years 2022 and 2023 (the
same population in both), projection year 2030.
"""

from __future__ import annotations

import pandas as pd
import pytest

from geo.ages import AGE_BANDS, band_weights, regroup_bands
from geo.forecast import (REGION_ROW, TABLE_COLUMNS, extra_places_summary, gap_table, places_by_gemeente,
                          project_clients, rate_scenarios, scenario_forecast, split_by_leveringsvorm,
                          to_sector_bands, usage_rates_all, wide_by_group)
from geo.sectors import default_sectors

GZ = default_sectors().get("gz")
GGZ = default_sectors().get("ggz")
VV = default_sectors().get("vv")
YEARS = (2022, 2023)
POP_COLS = ["jaar", "regiocode", "leeftijd_van", "inwoners"]
CLIENT_COLS = ["sector", "jaar", "gemeentecode", "leeftijd_van", "zorgprofiel", "leveringsvorm", "aantal_clienten"]


# --- regrouping 5-year bands -------------------------------------------------------------------------------

def test_regroup_every_band_into_the_gz_bands():
    # band k (0, 5, .., 95) has 100 x (k + 1) inhabitants: 0-4 100, 5-9 200, .., 15-19 400, 20-24 500, .., 95+ 2000
    t = pd.DataFrame({"jaar": 2023, "regiocode": "GM0001", "leeftijd_van": list(AGE_BANDS),
                      "inwoners": [100 * (k + 1) for k in range(len(AGE_BANDS))]})
    out = regroup_bands(t, GZ.age_bands).set_index("leeftijd_van")["inwoners"]
    assert list(out.index) == [0, 19, 24, 35, 50, 65]
    # 0-18  = 0-4 + 5-9 + 10-14 + 4/5 of 15-19 = 100 + 200 + 300 + 320 = 920
    # 19-23 = 1/5 of 15-19 + 4/5 of 20-24     = 80 + 400 = 480
    # 24-34 = 1/5 of 20-24 + 25-29 + 30-34    = 100 + 600 + 700 = 1400
    # 35-49 = 800 + 900 + 1000 = 2700;  50-64 = 1100 + 1200 + 1300 = 3600
    # 65+   = 1400 + 1500 + .. + 1900 + 95+ (2000) = 7 x 1700 = 11900
    assert out.tolist() == pytest.approx([920, 480, 1400, 2700, 3600, 11900])
    # nobody is lost: 100 + 200 + .. + 2000 = 21000
    assert out.sum() == pytest.approx(21000)


def test_regroup_into_the_ggz_bands_and_keep_the_keys():
    t = pd.DataFrame({"jaar": [2023] * 4 + [2024] * 4, "regiocode": "GM0001",
                      "leeftijd_van": [10, 15, 25, 95] * 2, "inwoners": [300, 400, 600, 50, 0, 100, 0, 0]})
    out = regroup_bands(t, GGZ.age_bands).set_index(["jaar", "leeftijd_van"])["inwoners"]
    # GGZ 0-17, 18-29, 30-44, 45-64, 65+: 15-19 gives 3/5 to 0-17 and 2/5 to 18-29
    # 2023: 0-17 = 300 + 240 = 540; 18-29 = 160 + 600 (25-29) = 760; 65+ = 50 (95+ into the last band)
    assert out[(2023, 0)] == pytest.approx(540)
    assert out[(2023, 18)] == pytest.approx(760)
    assert out[(2023, 65)] == pytest.approx(50)
    # 2024: 15-19 with 100 -> 60 and 40
    assert (out[(2024, 0)], out[(2024, 18)]) == pytest.approx((60, 40))
    assert list(regroup_bands(t, GGZ.age_bands).columns) == list(t.columns)


def test_band_weights_and_errors():
    w = band_weights(GZ.age_bands)
    assert w[15] == pytest.approx({0: 0.8, 19: 0.2})
    assert w[20] == pytest.approx({19: 0.8, 24: 0.2})
    assert w[30] == {24: 1.0}
    assert w[95] == {65: 1.0}
    # a boundary of 95 itself is allowed: 95+ is then its own band
    assert band_weights((0, 95))[95] == {95: 1.0} and band_weights((0, 95))[90] == {0: 1.0}
    with pytest.raises(ValueError, match="boven 95"):
        band_weights((0, 65, 97))
    with pytest.raises(ValueError, match="bij 0 beginnen"):
        band_weights((5, 19))
    with pytest.raises(ValueError, match="5-jaarsklasse"):
        regroup_bands(pd.DataFrame({"leeftijd_van": [19], "inwoners": [10]}), GZ.age_bands)


def test_to_sector_bands_leaves_vv_and_regrouped_tables_alone():
    t = pd.DataFrame({"jaar": 2023, "regiocode": "GM0001", "leeftijd_van": [75, 80, 85], "inwoners": [7, 8, 9]})
    assert to_sector_bands(t, VV) is t            # the V&V bands are the 5-year bands
    g = pd.DataFrame({"jaar": 2023, "regiocode": "GM0001", "leeftijd_van": [0, 19, 24], "inwoners": [7, 8, 9]})
    assert to_sector_bands(g, GZ) is g            # already in the GZ bands
    out = to_sector_bands(t, GZ)                  # 75, 80, 85 all fall in 65+
    assert out["leeftijd_van"].tolist() == [65] and out["inwoners"].tolist() == [24]


# --- the tiny GZ region ---------------------------------------------------------------------------------------

@pytest.fixture
def population() -> pd.DataFrame:
    # GM0001: 15-19 600, 20-24 400, 65-69 180, 95+ 20
    #   in GZ bands: 0-18 = 4/5 x 600 = 480; 19-23 = 1/5 x 600 + 4/5 x 400 = 120 + 320 = 440;
    #                24-34 = 1/5 x 400 = 80; 65+ = 180 + 20 = 200
    # GM0002: 15-19 400, 20-24 600, 65-69 300
    #   0-18 = 320; 19-23 = 80 + 480 = 560; 24-34 = 120; 65+ = 300
    # region: 0-18 800, 19-23 1000, 24-34 200, 65+ 500
    rows = []
    for y in YEARS:
        rows += [(y, "GM0001", 15, 600), (y, "GM0001", 20, 400), (y, "GM0001", 65, 180), (y, "GM0001", 95, 20),
                 (y, "GM0002", 15, 400), (y, "GM0002", 20, 600), (y, "GM0002", 65, 300)]
    return pd.DataFrame(rows, columns=POP_COLS)


@pytest.fixture
def projection() -> pd.DataFrame:
    # 2030, GM0001: 15-19 500, 20-24 500, 65-69 250, 95+ 50
    #   0-18 = 400; 19-23 = 100 + 400 = 500; 24-34 = 100; 65+ = 300
    # GM0002: 15-19 400, 20-24 600, 65-69 400 -> 0-18 320; 19-23 560; 24-34 120; 65+ 400
    rows = [(2030, "GM0001", 15, 500), (2030, "GM0001", 20, 500), (2030, "GM0001", 65, 250), (2030, "GM0001", 95, 50),
            (2030, "GM0002", 15, 400), (2030, "GM0002", 20, 600), (2030, "GM0002", 65, 400)]
    return pd.DataFrame(rows, columns=POP_COLS)


@pytest.fixture
def clients() -> pd.DataFrame:
    rows = [
        # gz_licht (VG3, LVG1), band 19-23: 2022 10 + 10 = 20 of 1000 = 0.02; 2023 12 + 18 = 30 of 1000 = 0.03
        ("gz", 2022, "GM0001", 19, "VG3", "intramuraal", 10), ("gz", 2022, "GM0002", 19, "LVG1", "VPT", 10),
        ("gz", 2023, "GM0001", 19, "VG3", "intramuraal", 12), ("gz", 2023, "GM0002", 19, "LVG1", "VPT", 18),
        # gz_zwaar (VG6, VG7), band 65+: 2022 10 of 500 = 0.02; 2023 10 + 5 = 15 of 500 = 0.03
        ("gz", 2022, "GM0001", 65, "VG6", "intramuraal", 10),
        ("gz", 2023, "GM0001", 65, "VG6", "intramuraal", 10), ("gz", 2023, "GM0002", 65, "VG7", "intramuraal", 5),
        # gz_zwaar (LG1), band 0-18: 8 of 800 = 0.01 in both years
        ("gz", 2022, "GM0002", 0, "LG1", "intramuraal", 8), ("gz", 2023, "GM0002", 0, "LG1", "intramuraal", 8),
        # V&V clients in the same file: never in the GZ forecast (band 65 is a V&V band, not a GZ rate)
        ("vv", 2022, "GM0001", 65, "VV5", "intramuraal", 40), ("vv", 2023, "GM0001", 65, "VV5", "intramuraal", 50),
    ]
    return pd.DataFrame(rows, columns=CLIENT_COLS)


@pytest.fixture
def locations() -> pd.DataFrame:
    cols = ["locatie_id", "sector", "gemeentecode", "plaatsen_zzp4", "plaatsen_zzp5_7", "plaatsen_gz_licht",
            "plaatsen_gz_zwaar", "plaatsen_ggz_w"]
    rows = [
        ("L1", "GZ", "GM0001", 0, 0, 4, 6),
        ("L2", "GZ", "GM0001", 0, 0, 1, 0),
        ("L3", "GZ", "GM0002", 0, 0, 0, 9),
        ("L4", "GZ", None, 0, 0, 50, 50),        # not placed in a gemeente: does not count
        ("L5", "V&V", "GM0001", 30, 30, 7, 7),   # V&V: never GZ places, whatever its columns say
        ("L6", "GGZ", "GM0002", 0, 0, 8, 8),     # GGZ: neither
    ]
    # GZ places: GM0001 gz_licht 4 + 1 = 5, gz_zwaar 6; GM0002 gz_licht 0, gz_zwaar 9
    return pd.DataFrame([r + (0,) for r in rows], columns=cols)


@pytest.fixture
def result(clients, population, projection, locations):
    return scenario_forecast(clients, population, projection, places_by_gemeente(locations, sector=GZ), YEARS,
                             end_year=2030, sector=GZ)


def row(table, code, group, year, scen="midden", lv=1):
    t = table[(table["gemeentecode"] == code) & (table["groep_id"] == group) & (table["jaar"] == year)
              & (table["vraagscenario"] == scen) & (table["leveringsvormscenario"] == lv)]
    assert len(t) == 1, (code, group, year, scen, lv)
    return t.iloc[0]


def test_gz_rates_per_gz_band(clients, population):
    rates = usage_rates_all(clients, population, YEARS, sector=GZ)
    assert list(rates.columns) == ["gz_licht", "gz_zwaar"]
    assert sorted(rates.index.get_level_values("leeftijd_van").unique()) == [0, 19, 24, 65]
    assert rates.loc[(2022, 19), "gz_licht"] == pytest.approx(0.02)
    assert rates.loc[(2023, 19), "gz_licht"] == pytest.approx(0.03)
    assert rates.loc[(2022, 65), "gz_zwaar"] == pytest.approx(0.02)
    assert rates.loc[(2023, 65), "gz_zwaar"] == pytest.approx(0.03)
    assert rates.loc[(2022, 0), "gz_zwaar"] == pytest.approx(0.01)
    assert rates.loc[(2023, 24)].tolist() == [0, 0]
    scen = rate_scenarios(rates)
    # 19-23 licht: min 0.02, midden 0.025, max 0.03; 65+ zwaar the same; 0-18 zwaar 0.01 in all three
    assert [scen.loc[(s, 19), "gz_licht"] for s in ("min", "midden", "max")] == pytest.approx([0.02, 0.025, 0.03])
    assert [scen.loc[(s, 0), "gz_zwaar"] for s in ("min", "midden", "max")] == pytest.approx([0.01] * 3)


def test_gz_projected_clients(result):
    t = result.table
    # 2030 midden, GM0001: licht 0.025 x 500 = 12.5; zwaar 0.01 x 400 + 0.025 x 300 = 4 + 7.5 = 11.5
    assert row(t, "GM0001", "gz_licht", 2030)["clienten_totaal"] == pytest.approx(12.5)
    assert row(t, "GM0001", "gz_zwaar", 2030)["clienten_totaal"] == pytest.approx(11.5)
    # GM0002: licht 0.025 x 560 = 14; zwaar 0.01 x 320 + 0.025 x 400 = 3.2 + 10 = 13.2
    assert row(t, "GM0002", "gz_licht", 2030)["clienten_totaal"] == pytest.approx(14)
    assert row(t, "GM0002", "gz_zwaar", 2030)["clienten_totaal"] == pytest.approx(13.2)
    # min and max of GM0001 licht: 0.02 x 500 = 10 and 0.03 x 500 = 15
    assert row(t, "GM0001", "gz_licht", 2030, "min")["clienten_totaal"] == pytest.approx(10)
    assert row(t, "GM0001", "gz_licht", 2030, "max")["clienten_totaal"] == pytest.approx(15)
    # base year 2023 midden, GM0001: licht 0.025 x 440 = 11; zwaar 0.01 x 480 + 0.025 x 200 = 4.8 + 5 = 9.8
    assert row(t, "GM0001", "gz_licht", 2023)["clienten_totaal"] == pytest.approx(11)
    assert row(t, "GM0001", "gz_zwaar", 2023)["clienten_totaal"] == pytest.approx(9.8)
    # the population the forecast keeps is still in 5-year bands
    assert set(result.population["leeftijd_van"]) == {15, 20, 65, 95}


def test_gz_group_sums_and_region_rows(result):
    t = result.table
    assert set(t["groep_id"]) == {"gz_licht", "gz_zwaar"}
    assert set(t["zzp_groep"]) == {"lichte zorgprofielen", "zwaardere zorgprofielen"}
    # region 2030 midden: licht 12.5 + 14 = 26.5; zwaar 11.5 + 13.2 = 24.7; both groups 51.2
    assert row(t, REGION_ROW, "gz_licht", 2030)["clienten_totaal"] == pytest.approx(26.5)
    assert row(t, REGION_ROW, "gz_zwaar", 2030)["clienten_totaal"] == pytest.approx(24.7)
    s = extra_places_summary(t, [2030])
    r = s[(s["vraagscenario"] == "midden") & (s["leveringsvormscenario"] == 1)].iloc[0]
    assert r["sector"] == "gz" and r["clienten_totaal"] == pytest.approx(51.2)
    # base year 2023: licht 11 + 0.025 x 560 = 25; zwaar 9.8 + (0.01 x 320 + 0.025 x 300 = 10.7) = 20.5
    s = extra_places_summary(t, [2023])
    r = s[(s["vraagscenario"] == "midden") & (s["leveringsvormscenario"] == 1)].iloc[0]
    assert r["clienten_totaal"] == pytest.approx(45.5)


def test_gz_split_and_gap(result):
    t = result.table
    # GM0001 licht: all 12 clients intramural in 2023 -> share 0; 2030 midden scenario 1: 12.5 intramural,
    #   places 5 -> gap 7.5; extra intramural 12.5 - 12 = 0.5
    r = row(t, "GM0001", "gz_licht", 2030)
    assert (r["clienten_intramuraal"], r["plaatsen_nu"], r["tekort"]) == pytest.approx((12.5, 5, 7.5))
    assert r["extra_intramuraal"] == pytest.approx(0.5)
    # GM0002 licht: all 18 at home (VPT) -> share 1: nobody intramural, gap 0 - 0 = 0
    r = row(t, "GM0002", "gz_licht", 2030)
    assert (r["clienten_thuis"], r["clienten_intramuraal"], r["tekort"]) == pytest.approx((14, 0, 0))
    # GM0002 zwaar: 8 + 5 = 13 intramural today, share 0; 13.2 in 2030 - 9 places = 4.2
    r = row(t, "GM0002", "gz_zwaar", 2030)
    assert (r["plaatsen_nu"], r["tekort"]) == pytest.approx((9, 4.2))
    # growth of the home share, licht: 2022 10 of 20 at home = 0.5, 2023 18 of 30 = 0.6: +0.1 a year
    assert result.home_growth["gz_licht"] == pytest.approx(0.1)
    assert result.assumptions["groei_aandeel_thuis_procentpunt_per_jaar"]["lichte zorgprofielen"] == pytest.approx(10)


def test_the_sector_column(result):
    t = result.table
    assert TABLE_COLUMNS[0] == "sector"
    assert list(t.columns) == list(TABLE_COLUMNS)
    assert (t["sector"] == "gz").all()
    assert result.sector == "gz"
    assert result.assumptions["sector"] == "gz"
    assert result.assumptions["leeftijdsklassen_clienten"] == ["0-18", "19-23", "24-34", "35-49", "50-64", "65+"]
    # (2 gemeenten + region) x 2 groups x 8 years x 3 demand x 4 leveringsvorm scenarios
    assert len(t) == 3 * 2 * 8 * 3 * 4


def test_vv_forecast_of_the_same_files_ignores_the_gz_rows(clients, population, projection, locations):
    places = places_by_gemeente(locations)   # default: V&V; L5 has 30 ZZP 4 and 30 ZZP 5-7 places
    assert places.loc["GM0001", "zzp4"] == 30 and places.loc["GM0001", "zzp5_7"] == 30
    res = scenario_forecast(clients, population, projection, places, YEARS, end_year=2030)
    t = res.table
    assert (t["sector"] == "vv").all()
    assert set(t["groep_id"]) == {"zzp4", "zzp5_7", "zzp6_8", "overig"}
    # V&V band 65-69 (region 180 + 300 = 480): ZZP 5-7 2022 40/480, 2023 50/480, midden 45/480;
    #   2030 GM0001 65-69 has 250: 250 x 45/480 = 23.4375; GM0002 400 x 45/480 = 37.5
    assert row(t, "GM0001", "zzp5_7", 2030)["clienten_totaal"] == pytest.approx(23.4375)
    assert row(t, "GM0002", "zzp5_7", 2030)["clienten_totaal"] == pytest.approx(37.5)
    # no GZ client is counted: every other group is 0
    assert t.loc[t["groep_id"] != "zzp5_7", "clienten_totaal"].abs().max() == 0


def test_places_from_gz_locations_only(locations):
    p = places_by_gemeente(locations, sector=GZ)
    assert list(p.columns) == ["gz_licht", "gz_zwaar"]
    assert p.loc["GM0001"].tolist() == [5, 6]
    assert p.loc["GM0002"].tolist() == [0, 9]
    # a missing place column counts as 0
    p = places_by_gemeente(locations.drop(columns="plaatsen_gz_zwaar"), sector=GZ)
    assert p.loc["GM0001"].tolist() == [5, 0] and p.loc["GM0002"].tolist() == [0, 0]
    # GGZ: only L6; its ggz_w column is 0 and ggz_b is missing
    p = places_by_gemeente(locations, sector=GGZ)
    assert list(p.index) == ["GM0002"] and p.loc["GM0002"].tolist() == [0, 0]


def test_wide_by_group_picks_the_sector(result, clients, population, projection, locations):
    vv = scenario_forecast(clients, population, projection, places_by_gemeente(locations), YEARS, end_year=2030)
    both = pd.concat([vv.table, result.table], ignore_index=True)
    w = wide_by_group(both, "clienten_totaal", 2030, sector=GZ)
    assert list(w.columns) == ["gz_licht", "gz_zwaar"]
    assert w.loc["GM0002", "gz_zwaar"] == pytest.approx(13.2)
    w = wide_by_group(both, "clienten_totaal", 2030)
    assert list(w.columns) == ["zzp4", "zzp5_7", "zzp6_8", "overig"]
    assert w.loc["GM0001", "zzp5_7"] == pytest.approx(23.4375)
    # the summary keeps the sectors apart: midden 2030 scenario 1, GZ 51.2, V&V 23.4375 + 37.5 = 60.9375
    s = extra_places_summary(both, [2030])
    s = s[(s["vraagscenario"] == "midden") & (s["leveringsvormscenario"] == 1)].set_index("sector")
    assert s.loc["gz", "clienten_totaal"] == pytest.approx(51.2)
    assert s.loc["vv", "clienten_totaal"] == pytest.approx(60.9375)


def test_gz_clients_in_a_band_that_is_not_gz_are_refused(population):
    c = pd.DataFrame([("gz", 2023, "GM0001", 20, "VG3", "intramuraal", 5)], columns=CLIENT_COLS)
    with pytest.raises(ValueError, match="leeftijdsklasse 20 is geen leeftijdsklasse"):
        usage_rates_all(c, population, YEARS, sector=GZ)


def test_step_functions_take_the_sector(clients, population, projection):
    # project_clients regroups a 5-year population itself: GM0001 2030 licht 0.025 x 500 = 12.5
    scen = rate_scenarios(usage_rates_all(clients, population, YEARS, sector=GZ))
    pop = projection.rename(columns={"regiocode": "gemeentecode"})
    d = project_clients(scen, pop, sector=GZ).set_index(["vraagscenario", "gemeentecode", "groep_id"])
    assert d.loc[("midden", "GM0001", "gz_licht"), "clienten_totaal"] == pytest.approx(12.5)
    # gap_table fills the sector column and the GZ labels
    split = split_by_leveringsvorm(
        pd.DataFrame({"vraagscenario": ["midden"], "jaar": [2023], "gemeentecode": ["GM0001"],
                      "groep_id": ["gz_zwaar"], "clienten_totaal": [4.0]}),
        pd.DataFrame({"clienten_thuis_nu": [1.0], "clienten_intramuraal_nu": [3.0], "aandeel_thuis_nu": [0.25],
                      "aandeel_bron": ["gemeente"]},
                     index=pd.MultiIndex.from_tuples([("GM0001", "gz_zwaar")], names=["gemeentecode", "groep_id"])),
        pd.Series({"gz_zwaar": 0.0}), 2023)
    table = gap_table(split, pd.DataFrame({"gz_zwaar": [2]}, index=pd.Index(["GM0001"], name="gemeentecode")),
                      sector=GZ)
    r = row(table, "GM0001", "gz_zwaar", 2023)
    # 4 clients, share 0.25: 3 intramural - 2 places = 1
    assert (r["sector"], r["zzp_groep"], r["tekort"]) == ("gz", "zwaardere zorgprofielen", pytest.approx(1))


def test_method_page_example_of_the_gz_bands():
    # docs/methode.md, "Leeftijdsklassen per sector": 300 inhabitants of 0-14 (100 per 5-year band),
    #   600 of 15-19, 400 of 20-24 -> 0-18 = 300 + 4/5 x 600 = 780; 19-23 = 120 + 320 = 440; 24-34 = 80
    t = pd.DataFrame({"leeftijd_van": [0, 5, 10, 15, 20], "inwoners": [100, 100, 100, 600, 400]})
    out = regroup_bands(t, GZ.age_bands).set_index("leeftijd_van")["inwoners"]
    assert out.to_dict() == pytest.approx({0: 780, 19: 440, 24: 80})
    # with 25 light GZ clients on 1,000 inhabitants of 19-23 in the region: 0.025 x 440 = 11
    assert 25 / 1000 * out[19] == pytest.approx(11)
