"""The demo region has all three Wlz sectors (V&V, GZ, GGZ), with plausible magnitudes, and V&V as before.

The ranges below are the published magnitudes of docs (domain primer, "Sectors") with room for the
demo's randomness; they are checks of plausibility, not of exact numbers.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import geo.demo as demo
from geo.demo import MESSY_GZ_CODES, OBSERVED_YEARS, SEGMENT_CODES, generate_demo
from geo.io import write_demo
from geo.sectors import default_sectors

KEY = ["jaar", "gemeentecode", "sector", "leeftijdsklasse", "zorgprofiel", "leveringsvorm", "sector_aanbieder"]
CELL = ["jaar", "gemeentecode", "leeftijdsklasse", "zorgprofiel", "leveringsvorm"]


@pytest.fixture(scope="module")
def region():
    return generate_demo()


@pytest.fixture(scope="module")
def sectors():
    return {s.code: s for s in default_sectors()}


def inhabitants(region, min_age: int = 0) -> pd.Series:
    p = region.population[region.population["regiocode"].str.startswith("GM")]
    p = p[p["leeftijd_van"] >= min_age]
    return (p["mannen"] + p["vrouwen"]).groupby(p["peildatum"].str[:4].astype(int)).sum()


def clients_per_year(region, code: str) -> pd.Series:
    c = region.clients[region.clients["sector"] == code]
    return c.groupby("jaar")["aantal_clienten"].sum()


def share(df: pd.DataFrame, mask) -> float:
    return float(df.loc[mask, "aantal_clienten"].sum() / df["aantal_clienten"].sum())


def test_columns_and_keys(region, sectors):
    c = region.clients
    assert list(c.columns) == KEY + ["aantal_clienten"]
    assert set(c["sector"]) == set(sectors) == {"V&V", "GZ", "GGZ"}
    assert set(c["sector_aanbieder"]) == set(SEGMENT_CODES) == set(sectors)
    assert not c.duplicated(KEY).any()
    assert (c["aantal_clienten"] > 0).all() and c["aantal_clienten"].dtype.kind == "i"
    assert set(c["jaar"]) == set(OBSERVED_YEARS)
    # the V&V rows come first, as a block
    first_other = int(np.flatnonzero((c["sector"] != "V&V").to_numpy())[0])
    assert (c["sector"].iloc[:first_other] == "V&V").all() and (c["sector"].iloc[first_other:] != "V&V").all()


def test_rates_are_plausible(region):
    inh, inh75 = inhabitants(region), inhabitants(region, 75)
    gz = 1000 * clients_per_year(region, "GZ") / inh
    ggz = 10_000 * clients_per_year(region, "GGZ") / inh
    vv = 1000 * clients_per_year(region, "V&V") / inh75
    assert gz.between(6.0, 7.2).all(), gz.to_dict()        # published: 6.3-6.9 per 1,000 inhabitants
    assert ggz.between(12.0, 19.0).all(), ggz.to_dict()    # published: about 15-16 per 10,000
    assert vv.between(90, 160).all(), vv.to_dict()         # V&V per 1,000 inhabitants 75+
    growth = (clients_per_year(region, "GZ").iloc[-1] / clients_per_year(region, "GZ").iloc[0]) ** (1 / 3) - 1
    assert 0.005 <= growth <= 0.04                         # slow growth, ~1-3 % a year


def test_age_bands_are_the_sectors_own(region, sectors):
    c = region.clients
    for code, sec in sectors.items():
        labels = {sec.band_label(b) for b in sec.age_bands}
        assert set(c.loc[c["sector"] == code, "leeftijdsklasse"]) <= labels, code
    gz = c[c["sector"] == "GZ"]
    assert {"0-18", "19-23", "24-34", "35-49", "50-64", "65+"} == set(gz["leeftijdsklasse"])
    # GZ is young, V&V old
    assert share(gz, gz["leeftijdsklasse"].isin(["0-18", "19-23", "24-34", "35-49"])) > 0.5
    vv = c[c["sector"] == "V&V"]
    assert share(vv, vv["leeftijdsklasse"].str[:2].astype(int) >= 75) > 0.75


def test_every_profile_belongs_to_its_sector(region, sectors):
    c = region.clients
    for code, sec in sectors.items():
        codes = c.loc[c["sector"] == code, "zorgprofiel"]
        normalised = codes.map(sec.normalise_profile)
        assert normalised.notna().all(), sorted(set(codes[normalised.isna()]))
        assert set(normalised) <= set(sec.profiles)
    # V&V codes are written as declared; GZ has exactly the older spellings of MESSY_GZ_CODES
    assert c.loc[c["sector"] == "V&V", "zorgprofiel"].isin(sectors["V&V"].profiles).all()
    odd = c[~c["zorgprofiel"].isin([p for s in sectors.values() for p in s.profiles])]
    assert sorted(odd["zorgprofiel"]) == sorted(spelling for _, _, spelling in MESSY_GZ_CODES)
    assert (odd["sector"] == "GZ").all()
    for year, profile, spelling in MESSY_GZ_CODES:
        row = odd[odd["zorgprofiel"] == spelling].iloc[0]
        assert row["jaar"] == year and sectors["GZ"].normalise_profile(spelling) == profile
    # normalising the spellings makes no key twice
    gz = c[c["sector"] == "GZ"].assign(zorgprofiel=lambda d: d["zorgprofiel"].map(sectors["GZ"].normalise_profile))
    assert not gz.duplicated(KEY).any()


def test_profile_mix(region, sectors):
    c = region.clients
    gz = c[c["sector"] == "GZ"]
    p = gz["zorgprofiel"].map(sectors["GZ"].normalise_profile)
    family = p.str.extract(r"^(SGLVG|LVG|VG|LG|ZG)")[0].replace({"SGLVG": "LVG"})
    assert 0.58 <= share(gz, family == "VG") <= 0.70
    assert 0.11 <= share(gz, family == "LVG") <= 0.20
    assert 0.09 <= share(gz, family == "LG") <= 0.17
    assert 0.015 <= share(gz, family == "ZG") <= 0.05
    assert share(gz, p.isin(["VG3", "VG4", "VG5", "VG6", "VG7"])) > 0.45   # the heavier VG profiles are common
    ggz = c[c["sector"] == "GGZ"]
    assert 0.45 <= share(ggz, ggz["zorgprofiel"].str.startswith("GGZ-W")) <= 0.65
    assert set(ggz["zorgprofiel"]) == set(sectors["GGZ"].profiles)


def test_home_shares(region):
    c = region.clients
    home = {}
    for code in ("V&V", "GZ", "GGZ"):
        d = c[c["sector"] == code]
        home[code] = share(d, d["leveringsvorm"] != "intramuraal")
    assert 0.26 <= home["V&V"] <= 0.41
    assert 0.33 <= home["GZ"] <= 0.47
    assert 0.15 <= home["GGZ"] <= 0.33


def test_provider_segments(region):
    """Sectorvreemde zorg: a few percent of each sector's clients are at a provider of another segment."""
    c = region.clients
    seg = c.groupby(["sector", "sector_aanbieder"])["aantal_clienten"].sum().unstack(fill_value=0)
    seg = seg.div(seg.sum(axis=1), axis=0)
    assert 0.975 <= seg.loc["V&V", "V&V"] <= 0.992
    assert 0.950 <= seg.loc["GZ", "GZ"] <= 0.980
    assert 0.020 <= seg.loc["GZ", "V&V"] <= 0.045       # published: 3.1 %
    assert seg.loc["GZ", "GGZ"] <= 0.01                  # published: 0.3 %
    assert 0.920 <= seg.loc["GGZ", "GGZ"] <= 0.975
    assert 0.02 <= seg.loc["GGZ", "GZ"] <= 0.07


def test_vv_cells_are_the_main_streams(monkeypatch):
    """Summed over sector_aanbieder, the V&V rows are the cells the main stream draws, row for row."""
    drawn = []
    original = demo._vv_clients

    def capture(*args, **kwargs):
        drawn.append(original(*args, **kwargs))
        return drawn[-1]

    monkeypatch.setattr(demo, "_vv_clients", capture)
    c = generate_demo().clients
    vv = c[c["sector"] == "V&V"]
    summed = vv.groupby(CELL, sort=False)["aantal_clienten"].sum().reset_index()
    pd.testing.assert_frame_equal(summed, drawn[0][CELL + ["aantal_clienten"]].reset_index(drop=True))


def test_vv_does_not_depend_on_the_other_sectors(region, monkeypatch):
    """GZ and GGZ come from streams of their own: changing them leaves every V&V row and location as it is."""
    monkeypatch.setattr(demo, "GZ_RATE", demo.GZ_RATE * 2)
    monkeypatch.setattr(demo, "GGZ_RATE", demo.GGZ_RATE * 3)
    monkeypatch.setattr(demo, "GZ_PLACES_PER_LOCATION", 11)
    other = generate_demo()
    c0, c1 = region.clients, other.clients
    pd.testing.assert_frame_equal(c0[c0["sector"] == "V&V"], c1[c1["sector"] == "V&V"])
    assert clients_per_year(other, "GZ").sum() > 1.5 * clients_per_year(region, "GZ").sum()
    l0, l1 = region.locations, other.locations
    pd.testing.assert_frame_equal(l0[l0["sector"] == "V&V"], l1[l1["sector"] == "V&V"])
    assert (l1["sector"] == "GZ").sum() > (l0["sector"] == "GZ").sum()
    for name in ("addresses", "population", "pc6", "ses"):
        pd.testing.assert_frame_equal(getattr(region, name), getattr(other, name))


def test_locations_have_every_sectors_place_columns(region, sectors):
    loc = region.locations
    place_cols = [col for s in default_sectors() for col in s.place_columns.values()]
    assert place_cols == ["plaatsen_zzp4", "plaatsen_zzp5_7", "plaatsen_zzp6_8", "plaatsen_overig",
                          "plaatsen_gz_licht", "plaatsen_gz_zwaar", "plaatsen_ggz_w", "plaatsen_ggz_b"]
    cols = list(loc.columns)
    assert cols[cols.index("sector") + 1: cols.index("clienten_intramuraal")] == place_cols
    assert set(loc["sector"]) == {"V&V", "GZ", "GGZ"} and loc["locatie_id"].is_unique
    for code, sec in sectors.items():
        mine = loc[loc["sector"] == code]
        own = list(sec.place_columns.values())
        assert (mine[[c for c in place_cols if c not in own]] == 0).all().all(), code
        assert (mine[own].sum(axis=1) > 0).all(), code
    # capacity in proportion to the intramural clients of the last year (cover 0.7-1.1 per gemeente)
    c = region.clients
    intra = c[(c["jaar"] == OBSERVED_YEARS[-1]) & (c["leveringsvorm"] == "intramuraal")]
    for code in ("GZ", "GGZ"):
        places = loc.loc[loc["sector"] == code, list(sectors[code].place_columns.values())].to_numpy().sum()
        cover = places / intra.loc[intra["sector"] == code, "aantal_clienten"].sum()
        assert 0.7 <= cover <= 1.15, (code, cover)
    assert 150 <= len(loc) <= 250


def test_ggz_locations_and_the_postcode_rule(region, sectors):
    loc = region.locations
    ggz = loc[loc["sector"] == "GGZ"].copy()
    clients_2023 = clients_per_year(region, "GGZ")[OBSERVED_YEARS[-1]]
    per_1000 = 1000 * len(ggz) / clients_2023
    assert 30 <= per_1000 <= 60                          # published: about 45 per 1,000 GGZ clients
    rule = sectors["GGZ"].location_rule.min_clients_per_postcode
    ggz["pc6"] = ggz["postcode"].str.replace(r"[\s-]", "", regex=True).str.upper()
    ggz["n"] = ggz["clienten_intramuraal"] + ggz["clienten_vpt_mpt"]
    together = ggz.groupby("pc6")["n"].transform("sum")
    shared = ggz.groupby("pc6")["pc6"].transform("size") > 1
    counts = together >= rule
    # some count only thanks to a neighbour at the same postcode, some share a postcode and still do not
    assert ((ggz["n"] < rule) & counts).sum() >= 2
    assert (shared & ~counts).sum() >= 2
    assert ((ggz["n"] < rule) & ~shared).sum() >= 1       # small and alone: does not count
    assert counts.mean() > 0.75


def test_same_tables_every_run(region, demo_inputs, tmp_path):
    write_demo(region, tmp_path)
    for name in ("wlz_clienten.csv", "zorglocaties.csv"):
        assert (tmp_path / name).read_bytes() == (demo_inputs / name).read_bytes(), name
