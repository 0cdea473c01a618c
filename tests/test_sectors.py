"""The sector declaration and the per-sector figures: hand-computed cases, the importer's rules,
and a made-up fourth sector that reaches the catalog and the API with no code change."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from geo import care
from geo.errors import InputError, SettingsError
from geo.sectors import default_sectors, read_declaration, sectors_of
from geo.settings import Settings

ROOT = Path(__file__).resolve().parent.parent
VV, GZ, GGZ = (default_sectors().get(s) for s in ("vv", "gz", "ggz"))


# --- the declaration ---------------------------------------------------------------------------

def test_the_declaration_holds_the_three_sectors_and_their_groups():
    assert default_sectors().ids == ("vv", "gz", "ggz")
    assert VV.group_profiles == {"zzp4": ("VV4",), "zzp5_7": ("VV5", "VV7"), "zzp6_8": ("VV6", "VV8"),
                                 "overig": ("VV9", "VV10")}
    assert VV.client_groups == ("zzp4", "zzp5_7", "zzp6_8")
    assert (VV.rate_min_age, VV.rate_per, GZ.rate_min_age, GZ.rate_per, GGZ.rate_per) == (75, 1000, 0, 1000, 10000)
    assert [GZ.band_label(b) for b in GZ.age_bands] == ["0-18", "19-23", "24-34", "35-49", "50-64", "65+"]
    assert set(GZ.group_ids) == {"gz_licht", "gz_zwaar"} and set(GGZ.group_ids) == {"ggz_w", "ggz_b"}
    # every profile in exactly one group, in every sector
    for sec in default_sectors():
        grouped = [p for g in sec.groups for p in g.profiles]
        assert sorted(grouped) == sorted(sec.profiles), sec.id


@pytest.mark.parametrize("sector,text,code", [
    ("vv", "ZZP 4 VV", "VV4"), ("vv", "vv10", "VV10"), ("vv", "ZZP5", "VV5"), ("vv", " 7 VV ", "VV7"),
    ("gz", "3VG", "VG3"), ("gz", "VG 3", "VG3"), ("gz", "ZZP 5 LG", "LG5"), ("gz", "sglvg", "SGLVG"),
    ("gz", "ZG aud 2", "ZGaud2"), ("gz", "lvg-1", "LVG1"),
    ("ggz", "GGZ 3B", "GGZ-B3"), ("ggz", "ggz-w2", "GGZ-W2"),
])
def test_older_spellings_of_a_profile_are_read_as_the_profile(sector, text, code):
    assert default_sectors().get(sector).normalise_profile(text) == code


@pytest.mark.parametrize("sector,text", [("vv", "VV3"), ("vv", "VG3"), ("gz", "VG9"), ("gz", "VV4"), ("ggz", "B3")])
def test_a_code_outside_the_sector_is_not_a_profile(sector, text):
    assert default_sectors().get(sector).normalise_profile(text) is None


def _declaration(tmp_path, edit) -> Path:
    text = (ROOT / "geo" / "sectoren.toml").read_text(encoding="utf-8")
    path = tmp_path / "sectoren.toml"
    path.write_text(edit(text), encoding="utf-8")
    return path


@pytest.mark.parametrize("edit,words", [
    (lambda t: t.replace('profiles = ["VV4"]', 'profiles = ["VV4", "VV5"]'), "VV5 staat in twee groepen"),
    (lambda t: t.replace('profiles = ["VV9", "VV10"]', 'profiles = ["VV9"]'), "VV10 staat in geen groep"),
    (lambda t: t.replace('profiles = ["VV4"]', 'profiles = ["VV44"]'), "onbekend zorgprofiel VV44"),
    (lambda t: t.replace('id = "gz_licht"', 'id = "zzp4"').replace('["gz_licht", "gz_zwaar"]', '["zzp4", "gz_zwaar"]'),
     "groep-id 'zzp4' komt in twee sectoren voor"),
    (lambda t: t.replace('client_groups = ["ggz_w", "ggz_b"]', 'client_groups = ["ggz_x"]'), "ggz_x"),
    (lambda t: t.replace("age_bands = [0, 19,", "age_bands = [19, 0,"), "age_bands"),
])
def test_a_wrong_declaration_is_refused_naming_sector_and_key(tmp_path, edit, words):
    with pytest.raises(SettingsError, match=words):
        read_declaration(_declaration(tmp_path, edit))


def test_the_settings_regroup_a_sector_and_name_an_unknown_one():
    s = Settings(sectors={"gz": {"groups": {"vg": list(GZ.profiles[:8]), "rest": list(GZ.profiles[8:])},
                                 "group_labels": {"vg": "verstandelijk", "rest": "overige grondslagen"},
                                 "client_groups": ["vg", "rest"]}})
    gz = sectors_of(s).get("gz")
    assert gz.group_ids == ("vg", "rest") and gz.group_labels["vg"] == "verstandelijk"
    assert gz.group_of["VG8"] == "vg" and gz.group_of["LG1"] == "rest"
    assert sectors_of(Settings()).get("gz").group_ids == ("gz_licht", "gz_zwaar")  # the default is untouched
    with pytest.raises(SettingsError, match="onbekende sector 'jz'"):
        sectors_of(Settings(sectors={"jz": {"groups": {}}}))


def test_settings_are_checked_against_the_declaration(tmp_path):
    from geo.settings import load_settings

    path = tmp_path / "instellingen.toml"
    path.write_text('[home_share_growth]\nzzp9 = 1.0\n', encoding="utf-8")
    with pytest.raises(SettingsError, match="onbekende groep 'zzp9'"):
        load_settings(path)
    path.write_text('forecast_method = "eigen"\n', encoding="utf-8")
    with pytest.raises(SettingsError, match="forecast_method"):
        load_settings(path)
    path.write_text('[sectors.gz.groups]\nalles = ["VG1"]\n', encoding="utf-8")
    with pytest.raises(SettingsError, match="staat in geen groep"):
        load_settings(path)


# --- hand-computed figures per sector --------------------------------------------------------------

def _population():
    # two gemeenten, one year; 5-year bands
    rows = []
    for code, by_band in (("GM0001", {0: 300, 15: 500, 20: 200, 70: 100, 75: 80, 95: 20}),
                          ("GM0002", {0: 1000, 75: 100})):
        for band, n in by_band.items():
            rows.append({"jaar": 2023, "regiocode": code, "leeftijd_van": band, "inwoners": n})
    return pd.DataFrame(rows)


def test_reference_population_per_sector():
    pop = _population()
    # V&V: 75 and over -> GM0001 80 + 20, GM0002 100
    assert care.reference_population(pop, 2023, VV.rate_min_age).to_dict() == {"GM0001": 100.0, "GM0002": 100.0}
    # GZ and GGZ: every inhabitant -> 1,200 and 1,100
    assert care.reference_population(pop, 2023, GZ.rate_min_age).to_dict() == {"GM0001": 1200.0, "GM0002": 1100.0}
    # a limit inside a band counts its share of the band's years: 18+ takes 2/5 of 15-19 (200) + the rest
    assert care.reference_population(pop, 2023, 18)["GM0001"] == pytest.approx(200 + 200 + 100 + 80 + 20)


def _clients(rows):
    return pd.DataFrame(rows, columns=["jaar", "gemeentecode", "sector", "leeftijd_van", "zorgprofiel",
                                       "leveringsvorm", "sector_aanbieder", "aantal_clienten"])


def test_clients_count_only_the_sectors_client_groups_and_sum_its_groups():
    c = _clients([
        (2023, "GM0001", "vv", 80, "VV4", "intramuraal", "vv", 2),
        (2023, "GM0001", "vv", 85, "VV5", "VPT", "vv", 3),
        (2023, "GM0001", "vv", 85, "VV7", "intramuraal", "vv", 6),
        (2023, "GM0001", "vv", 90, "VV9", "intramuraal", "vv", 4),   # overig: not a client of ZZP 4-8
        (2023, "GM0001", "gz", 24, "VG3", "intramuraal", "gz", 5),   # another sector
        (2023, "GM0001", "gz", 24, "LG6", "PGB", "gz", 7),
    ])
    assert care.clients_per_year(c, VV, ["GM0001"], [2023]).at["GM0001", 2023] == 2 + 3 + 6
    assert care.clients_per_year(c, GZ, ["GM0001"], [2023]).at["GM0001", 2023] == 5 + 7
    home = care.home_and_total(c, VV, ["GM0001"], 2023).loc["GM0001"]
    assert (home["thuis"], home["totaal"]) == (3, 11)
    # rate per reference population: GZ 12 clients on 1,200 inhabitants = 10 per 1,000
    pop = care.reference_population(_population(), 2023, GZ.rate_min_age)
    assert GZ.rate_per * 12 / pop["GM0001"] == pytest.approx(10.0)
    # GGZ per 10,000: 3 clients on 1,200 inhabitants = 25 per 10,000
    assert GGZ.rate_per * 3 / pop["GM0001"] == pytest.approx(25.0)


def test_the_ggz_location_rule_counts_the_clients_sharing_a_postcode():
    loc = pd.DataFrame({
        "sector": ["GGZ", "GGZ", "GGZ", "V&V", "GGZ"],
        "postcode": ["1111AA", "1111AA", "2222BB", "1111AA", None],
        "clienten_intramuraal": [1, 1, 2, 10, 3],
        "clienten_vpt_mpt": [1, 0, 0, 0, 0],
    })
    # 1111AA: 1 + 1 + 1 = 3 GGZ clients (>2): both count; 2222BB: 2 clients: not; the V&V location is
    # not a GGZ location; without a postcode a location counts on its own clients (3)
    assert care.counting_locations(loc, GGZ).tolist() == [True, True, False, False, True]
    # the V&V rule: at least 5 intramural or 2 VPT/MPT clients
    assert care.counting_locations(loc, VV).tolist() == [False, False, False, True, False]


def test_sectorvreemde_zorg_is_shown_only_where_both_parts_reach_the_threshold():
    c = _clients([
        (2023, "GM0001", "gz", 24, "VG3", "intramuraal", "gz", 95),
        (2023, "GM0001", "gz", 24, "VG4", "intramuraal", "vv", 12),
        (2023, "GM0002", "gz", 24, "VG3", "intramuraal", "gz", 95),
        (2023, "GM0002", "gz", 24, "VG4", "intramuraal", "ggz", 3),
        (2023, "GM0002", "gz", 35, "VG5", "intramuraal", "", 40),    # no segment: counts in neither
    ])
    counts = care.other_sector_clients(c, GZ, ["GM0001", "GM0002"], 2023)
    assert counts.loc["GM0001"].tolist() == [95, 12] and counts.loc["GM0002"].tolist() == [95, 3]
    share = care.share_other_sector(counts, 10)
    assert share["GM0001"] == pytest.approx(100 * 12 / 107)
    assert np.isnan(share["GM0002"])  # 3 clients at other providers: small, not shown


# --- the importer ---------------------------------------------------------------------------------

HEADER = "jaar;gemeentecode;sector;leeftijdsklasse;zorgprofiel;leveringsvorm;aantal_clienten"


def _read(tmp_path, lines):
    from geo.io import CONTRACTS, _normalise_clients, read_table

    path = tmp_path / "wlz_clienten.csv"
    path.write_text("\n".join([HEADER, *lines]) + "\n", encoding="utf-8")
    return _normalise_clients(path, read_table(path, CONTRACTS["clienten"]))


def test_the_importer_reads_sectors_bands_and_older_codes_with_a_report(tmp_path):
    df = _read(tmp_path, ["2023;GM0001;V&V;80-84;ZZP 4 VV;intramuraal;3",
                          "2023;GM0001;gz;19-23;3VG;PGB;4",
                          "2023;GM0001;GHZ;65+;VG 3;MPT;5",
                          "2023;GM0001;;90-94;VV6;VPT;6"])
    assert df["sector"].tolist() == ["vv", "gz", "gz", "vv"]
    assert df["zorgprofiel"].tolist() == ["VV4", "VG3", "VG3", "VV6"]
    assert df["leeftijd_van"].tolist() == [80, 19, 65, 90]
    report = " ".join(df.attrs["normalisatie"])
    assert "'3VG' -> VG3 (1 regel(s))" in report and "'ZZP 4 VV' -> VV4" in report


@pytest.mark.parametrize("line,column,words", [
    ("2023;GM0001;JZ;80-84;VV4;intramuraal;3", "sector", "'JZ' is geen sector"),
    ("2023;GM0001;V&V;80-84;VG3;intramuraal;3", "zorgprofiel", "zorgprofiel van GZ: klopt de kolom sector?"),
    ("2023;GM0001;GZ;20-24;VG3;intramuraal;3", "leeftijdsklasse", "geen leeftijdsklasse van GZ"),
])
def test_the_importer_refuses_a_row_of_the_wrong_sector_naming_row_and_column(tmp_path, line, column, words):
    with pytest.raises(InputError) as err:
        _read(tmp_path, ["2023;GM0001;V&V;80-84;VV4;intramuraal;3", line])
    assert err.value.row == 3 and err.value.column == column and words in str(err.value)


# --- a fourth sector, declared only in the declaration ---------------------------------------------------

FOURTH = '''
[[sector]]
id = "tst"
code = "TST"
label = "testzorg"
colour = "#e69f00"
profiles = ["TS1", "TS2", "TS3"]
age_bands = [0, 40, 80]
rate = { min_age = 0, per = 1000 }
client_groups = ["tst_licht", "tst_zwaar"]
location_rule = { min_intramural = 1 }

[[sector.groups]]
id = "tst_licht"
label = "licht testprofiel"
profiles = ["TS1"]
colour = "#fdb863"

[[sector.groups]]
id = "tst_zwaar"
label = "zwaar testprofiel"
profiles = ["TS2", "TS3"]
colour = "#5e3c99"

[sector.texts]
short = "TST"
clients = "testcliënten"
client_groups = "alle testprofielen"
rate = "per 1.000 inwoners"
rate_short = "per 1.000 inwoners"
locations = "TST-locaties met minstens {min_intramural} cliënt"
'''


@pytest.fixture(scope="module")
def fourth_build(demo_inputs, tmp_path_factory):
    """The demo inputs plus clients of a made-up sector TST, with a declaration that adds it."""
    from layers.publish import build_all

    folder = tmp_path_factory.mktemp("vierde") / "invoer"
    shutil.copytree(demo_inputs, folder)
    (folder / "sectoren.toml").write_text((ROOT / "geo" / "sectoren.toml").read_text(encoding="utf-8") + FOURTH,
                                          encoding="utf-8")
    with open(folder / "instellingen.toml", "a", encoding="utf-8") as fh:
        fh.write('\nsector_file = "sectoren.toml"\n')  # beside the settings file
    clients = pd.read_csv(folder / "wlz_clienten.csv", sep=";", dtype=str)
    gem = clients["gemeentecode"].unique()
    rng = np.random.default_rng(4)
    rows = [{"jaar": str(y), "gemeentecode": g, "sector": "TST", "leeftijdsklasse": band,
             "zorgprofiel": p, "leveringsvorm": lv, "sector_aanbieder": "TST",
             "aantal_clienten": str(int(rng.integers(5, 40)))}
            for y in (2020, 2021, 2022, 2023) for g in gem for band in ("0-39", "40-79", "80+")
            for p in ("TS1", "TS2", "TS3") for lv in ("intramuraal", "PGB")]
    pd.concat([clients, pd.DataFrame(rows)[clients.columns]]).to_csv(folder / "wlz_clienten.csv", sep=";",
                                                                      index=False)
    out = tmp_path_factory.mktemp("vierde_build") / "build"
    build_all(folder, out)
    return out


def test_a_fourth_sector_reaches_the_catalog_the_layers_and_the_api(fourth_build):
    from fastapi.testclient import TestClient

    from server.app import create_app
    from server.settings import ServerSettings

    catalog = json.loads((fourth_build / "catalog.json").read_text(encoding="utf-8"))
    tst = next(s for s in catalog["sectors"] if s["id"] == "tst")
    assert [g["id"] for g in tst["groups"]] == ["tst_licht", "tst_zwaar"] and tst["layer"] == "zorg_tst"
    layer = next(l for l in catalog["layers"] if l["id"] == "zorg_tst")
    names = {f["name"] for f in layer["fields"]}
    assert {"tekort_tst_licht", "tekort_tst_zwaar", "clienten", "gebruik"} <= names
    table = pd.read_csv(fourth_build / "prognose_tekort.csv", sep=";", decimal=",")
    assert set(table.loc[table["sector"] == "tst", "groep_id"]) == {"tst_licht", "tst_zwaar"}
    with TestClient(create_app(ServerSettings(build_dir=fourth_build, reload_interval=0))) as c:
        assert "tst" in [s["id"] for s in c.get("/api/sectoren").json()]
        answer = c.get("/api/prognose", params={"sector": "tst"}).json()
        assert answer["sector"] == "tst" and answer["groepen"] == ["tst_licht", "tst_zwaar"]
        code = next(iter(answer["gemeenten"]))
        facts = c.get(f"/api/gemeenten/{code}", params={"sector": "tst"}).json()
        assert [g["groep_id"] for g in facts["tekort"]] == ["tst_licht", "tst_zwaar"]
        # its clients per 1,000 inhabitants: the published count over the gemeente's inhabitants
        gebruik = next(i for i in facts["indicatoren"] if i["field"] == "gebruik")
        clients = next(i for i in facts["indicatoren"] if i["field"] == "clienten")["value"]
        inhabitants = next(i for i in facts["indicatoren"] if i["field"] == "inwoners")["value"]
        assert gebruik["value"] == pytest.approx(1000 * clients / inhabitants, rel=1e-6)
        assert c.get("/api/prognose", params={"sector": "xyz"}).status_code == 400
        assert c.get("/tiles/zorg_tst/5/16/10.pbf").status_code in (200, 204)


# --- the three-sector demo, end to end ---------------------------------------------------------------

def _inputs_by_hand(demo_inputs):
    """The demo's clients and inhabitants read with pandas alone (independent of geo.io)."""
    clients = pd.read_csv(demo_inputs / "wlz_clienten.csv", sep=";", dtype={"aantal_clienten": int})
    pop = pd.read_csv(demo_inputs / "bevolking.csv", sep=";")
    pop["jaar"] = pop["peildatum"].str[:4].astype(int)
    pop["inwoners"] = pop["mannen"] + pop["vrouwen"]
    return clients, pop[pop["regiocode"].str.startswith("GM")]


@pytest.mark.parametrize("sector", ["vv", "gz", "ggz"])
def test_each_sector_of_the_demo_has_its_layer_tables_and_api_answers(demo_build, demo_inputs, client, sector):
    import pyogrio

    sec = default_sectors().get(sector)
    catalog = json.loads((demo_build / "catalog.json").read_text(encoding="utf-8"))
    assert [s["id"] for s in catalog["sectors"]] == ["vv", "gz", "ggz"]
    layer = pyogrio.read_dataframe(demo_build / "wonenzorg.gpkg", layer=f"zorg_{sector}")
    assert {f"tekort_{g}" for g in sec.group_ids} <= set(layer.columns)
    assert (demo_build / "tiles" / f"zorg_{sector}.pmtiles").stat().st_size > 0
    legend = json.loads((demo_build / "legend.json").read_text(encoding="utf-8"))[f"zorg_{sector}"]
    assert legend["default"] == "tekort_totaal" and sec.short in legend["indicators"][0]["title"]

    # clients and the usage rate, computed here from the input files: clients of the client groups
    # over the inhabitants from the sector's reference age, per `per`
    clients, pop = _inputs_by_hand(demo_inputs)
    c = clients[clients["sector"] == sec.code]
    c = c[c["zorgprofiel"].map(sec.normalise_profile).map(sec.group_of).isin(sec.client_groups)]
    n = c[c["jaar"] == 2023].groupby("gemeentecode")["aantal_clienten"].sum()
    ref = pop[(pop["jaar"] == 2023) & (pop["leeftijd_van"] >= sec.rate_min_age)].groupby("regiocode")["inwoners"].sum()
    use = pd.read_csv(demo_build / "zorggebruik.csv", sep=";", decimal=",", encoding="utf-8-sig")
    use = use[(use["sector"] == sector) & (use["jaar"] == 2023) & (use["gemeentecode"] != "regio")]
    shown = use.dropna(subset=["clienten"])
    assert len(shown) > 0
    for r in shown.itertuples():
        assert r.clienten == n[r.gemeentecode]
        assert r.gebruik == pytest.approx(sec.rate_per * n[r.gemeentecode] / ref[r.gemeentecode], abs=0.006)
    assert (use["clienten"].dropna() >= 10).all()

    table = pd.read_csv(demo_build / "prognose_tekort.csv", sep=";", decimal=",", encoding="utf-8-sig")
    assert set(table.loc[table["sector"] == sector, "groep_id"]) == set(sec.group_ids)
    answer = client.get("/api/prognose", params={"sector": sector}).json()
    assert answer["sector"] == sector and answer["groepen"] == list(sec.group_ids)
    code = shown["gemeentecode"].iloc[0]
    facts = client.get(f"/api/gemeenten/{code}", params={"sector": sector}).json()
    assert [g["zzp_groep"] for g in facts["tekort"]] == [g.label for g in sec.groups]
    got = {i["field"]: i["value"] for i in facts["indicatoren"]}
    assert got["clienten"] == n[code]
    assert {r["sector"] for r in facts["zorggebruik"]} == {sector}
