"""End-to-end checks of the readers and geo.regions on real CBS extracts (skipped where absent).

Expected figures are real-world facts (which gemeenten form a zorgkantoorregio,
the population of the Netherlands) or come from the raw files parsed here
independently with ``json``/``csv``/``shapely``, never from the code under test.
The data folder is ``../shared/data`` next to the project; set ``WZ_SHARED_DATA``
to point elsewhere (``WZ_SHARED_DATA=/nonexistent`` shows the skips).
"""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest
import shapely
from shapely.geometry import shape

from geo.io import read_boundaries, read_population, read_ses_statline
from geo.regions import assign_to_regions, gemeenten_of_region, wijken_by_code
from tests.conftest import SHARED_DATA


def shared_data() -> Path:
    """The shared data root: ``$WZ_SHARED_DATA`` or ``../shared/data`` next to the project."""
    return SHARED_DATA


def cbs_file(name: str) -> Path:
    """Path of a CBS extract; skips the test (naming the file) when it or its folder is absent."""
    folder = shared_data() / "cbs"
    if not folder.is_dir():
        pytest.skip(f"real CBS data absent: folder {folder} not found (needed: {name})")
    path = folder / name
    if not path.is_file():
        pytest.skip(f"real CBS data absent: {path} not found")
    return path


GEMEENTEN_FILE = "gemeente_2023.geojson"
REGIONS_FILE = "zorgkantoorregio_2023.geojson"
WIJKEN_UTRECHT_FILE = "wijk_2023_utrecht.geojson"
WIJKEN_PAPENDRECHT_FILE = "wijk_2023_gm0590_papendrecht.geojson"
SES_FILE = "ses_woa_2019_amsterdam_statline_export.csv"
POPULATION_FILE = "bevolking_leeftijd_herkomst_2016.csv"
GEBIEDEN_FILE = "gebieden_in_nederland_2016.csv"

PATTERNS = {
    GEMEENTEN_FILE: (r"GM\d{4}", "gemeentecode als GM0344"),
    REGIONS_FILE: (r"ZK\d{2}", "zorgkantoorregiocode als ZK23"),
    WIJKEN_UTRECHT_FILE: (r"WK\d{6}", "wijkcode als WK034401"),
    WIJKEN_PAPENDRECHT_FILE: (r"WK\d{6}", "wijkcode als WK034401"),
}

# Real-world knowledge (Zilveren Kruis zorgkantoor Utrecht, 2023): the 26 gemeenten of the
# province of Utrecht minus Eemnes ('t Gooi) and Vijfheerenlanden (Waardenland), plus Nijkerk (Gelderland).
UTRECHT_REGION = {
    "Amersfoort", "Baarn", "Bunnik", "Bunschoten", "De Bilt", "De Ronde Venen", "Houten",
    "IJsselstein", "Leusden", "Lopik", "Montfoort", "Nieuwegein", "Nijkerk", "Oudewater",
    "Renswoude", "Rhenen", "Soest", "Stichtse Vecht", "Utrecht", "Utrechtse Heuvelrug",
    "Veenendaal", "Wijk bij Duurstede", "Woerden", "Woudenberg", "Zeist",
}
UTRECHT_PROVINCE = (UTRECHT_REGION - {"Nijkerk"}) | {"Eemnes", "Vijfheerenlanden"}


def read(name: str):
    pattern, expected = PATTERNS[name]
    return read_boundaries(cbs_file(name), pattern, expected)


def raw_features(name: str) -> list[dict]:
    return json.loads(cbs_file(name).read_text(encoding="utf-8"))["features"]


@pytest.fixture(scope="module")
def gemeenten():
    return read(GEMEENTEN_FILE)


@pytest.fixture(scope="module")
def regions():
    return read(REGIONS_FILE)


@pytest.fixture(scope="module")
def wijken_utrecht():
    return read(WIJKEN_UTRECHT_FILE)


@pytest.fixture(scope="module")
def assigned(gemeenten, regions) -> pd.Series:
    return assign_to_regions(gemeenten, regions)


def region_code(regions, name: str) -> str:
    hits = regions.loc[regions["statnaam"] == name, "statcode"].tolist()
    assert len(hits) == 1, f"region {name!r} not (uniquely) in the file"
    return hits[0]


# --- boundaries as read ------------------------------------------------------------------

def test_gemeenten_and_regions_counts(gemeenten, regions):
    assert len(gemeenten) == 342
    assert len(regions) == 31
    assert regions["statcode"].str.fullmatch(r"ZK\d{2}").all()


def test_boundaries_are_in_rd_new_metres(gemeenten):
    # real surface areas (CBS, land + water): Utrecht 99.21 km2, Amsterdam 219.32 km2;
    # generalisation to ~100 m keeps them within a few per cent
    area = gemeenten.set_index("statcode").area / 1e6
    assert area["GM0344"] == pytest.approx(99.21, rel=0.05)
    assert area["GM0363"] == pytest.approx(219.32, rel=0.05)


@pytest.mark.parametrize("name", list(PATTERNS))
def test_read_boundaries_repairs_exactly_the_invalid_polygons(name):
    raw_invalid = sorted(f["properties"]["statcode"] for f in raw_features(name)
                         if not shape(f["geometry"]).is_valid)
    gdf = read(name)
    assert sorted(gdf.attrs["hersteld"]) == raw_invalid
    assert gdf.geometry.is_valid.all()
    assert set(gdf.geometry.geom_type) <= {"Polygon", "MultiPolygon"}
    assert not gdf.geometry.is_empty.any()
    # a repair keeps the surface: compare with the raw polygon's own area in RD New
    raw = {f["properties"]["statcode"]: shape(f["geometry"]) for f in raw_features(name)}
    for code in raw_invalid:
        fixed = shapely.make_valid(raw[code])
        ref = gpd.GeoSeries([fixed], crs="EPSG:4326").to_crs("EPSG:28992").area.iloc[0]
        got = gdf.set_index("statcode").geometry[code].area
        assert got == pytest.approx(ref, rel=0.01), code


# --- zorgkantoorregio's --------------------------------------------------------------------

def test_every_gemeente_gets_one_of_the_31_regions(assigned, regions):
    assert len(assigned) == 342
    assert assigned.notna().all(), assigned[assigned.isna()].index.tolist()
    assert set(assigned) == set(regions["statcode"])  # no region left without a gemeente


def test_utrecht_region_has_its_25_gemeenten(gemeenten, regions):
    got = gemeenten_of_region(gemeenten, regions, "Utrecht")
    assert len(got) == 25
    assert set(got["statnaam"]) == UTRECHT_REGION
    assert {"GM0267", "GM0344", "GM0307"} <= set(got["statcode"])  # Nijkerk, Utrecht, Amersfoort
    assert not {"GM0317", "GM1961"} & set(got["statcode"])         # Eemnes, Vijfheerenlanden


def test_utrecht_region_by_code_and_by_name_agree(gemeenten, regions):
    code = region_code(regions, "Utrecht")
    by_code = gemeenten_of_region(gemeenten, regions, code)
    by_name = gemeenten_of_region(gemeenten, regions, "uTrEcHt")
    assert by_code["statcode"].tolist() == by_name["statcode"].tolist()
    assert len(by_code) == 25


def test_eemnes_and_vijfheerenlanden_belong_elsewhere(assigned, regions):
    names = dict(zip(regions["statcode"], regions["statnaam"]))
    assert names[assigned["GM0317"]] == "'t Gooi"          # Eemnes
    assert names[assigned["GM1961"]] == "Waardenland"      # Vijfheerenlanden (Zuid-Holland Zuid)
    assert names[assigned["GM0590"]] == "Waardenland"      # Papendrecht
    assert names[assigned["GM0267"]] == "Utrecht"          # Nijkerk, province of Gelderland


def test_region_differs_from_province(gemeenten, regions, wijken_utrecht):
    # the province of Utrecht, independently: the gemeenten named by the codes in the wijk file
    province_codes = {"GM" + f["properties"]["statcode"][2:6] for f in raw_features(WIJKEN_UTRECHT_FILE)}
    names = dict(zip(gemeenten["statcode"], gemeenten["statnaam"]))
    assert {names[c] for c in province_codes} == UTRECHT_PROVINCE
    region = set(gemeenten_of_region(gemeenten, regions, "Utrecht")["statcode"])
    assert region == (province_codes - {"GM0317", "GM1961"}) | {"GM0267"}


# --- wijken ---------------------------------------------------------------------------------

def test_utrecht_wijken_222_of_26_gemeenten(wijken_utrecht, gemeenten):
    raw_codes = [f["properties"]["statcode"] for f in raw_features(WIJKEN_UTRECHT_FILE)]
    assert len(wijken_utrecht) == len(raw_codes) == 222
    got = wijken_by_code(wijken_utrecht, gemeenten)
    assert got["gemeentecode"].nunique() == 26
    assert dict(zip(got["statcode"], got["gemeentecode"])) == {c: "GM" + c[2:6] for c in raw_codes}
    assert got.attrs["buiten_regio"] == []  # all 26 are gemeenten of 2023


def test_wijken_outside_the_utrecht_region_are_reported(wijken_utrecht, gemeenten, regions):
    region = gemeenten_of_region(gemeenten, regions, "Utrecht")
    got = wijken_by_code(wijken_utrecht, region)
    raw_outside = sorted(f["properties"]["statcode"] for f in raw_features(WIJKEN_UTRECHT_FILE)
                         if f["properties"]["statcode"][2:6] in ("0317", "1961"))
    assert raw_outside  # Eemnes and Vijfheerenlanden do have wijken
    assert sorted(got.attrs["buiten_regio"]) == raw_outside
    assert len(got) == 222  # reported, not dropped


def test_wijk_follows_its_code_where_geometry_says_otherwise(wijken_utrecht, gemeenten):
    """Generalised wijk and gemeente boundaries disagree; the code still decides."""
    gem_geoms = gemeenten.geometry.values
    gem_codes = gemeenten["statcode"].to_numpy()
    own = dict(zip(gemeenten["statcode"], gem_geoms))
    points = shapely.point_on_surface(wijken_utrecht.geometry.values)
    point_elsewhere, share_elsewhere = [], []
    for code, geom, pt in zip(wijken_utrecht["statcode"], wijken_utrecht.geometry.values, points):
        home = "GM" + code[2:6]
        containing = {c for c, g in zip(gem_codes, gem_geoms) if g.contains(pt)}
        if home not in containing:
            point_elsewhere.append(code)
        outside = 1 - geom.intersection(own[home]).area / geom.area
        if outside > 0.10:
            share_elsewhere.append(code)
    # at least one wijk's representative point lies outside the gemeente its code names
    # (in these extracts: WK196124 Leerdam-West, whose point falls in West Betuwe)
    assert point_elsewhere, "expected a wijk whose representative point lies in another gemeente"
    # and several wijken have more than a tenth of their surface outside their own gemeente
    assert share_elsewhere
    got = wijken_by_code(wijken_utrecht, gemeenten).set_index("statcode")["gemeentecode"]
    for code in point_elsewhere + share_elsewhere:
        assert got[code] == "GM" + code[2:6]


def test_largest_overlap_of_wijken_mostly_matches_their_code(wijken_utrecht, gemeenten):
    # boundaries generalised to ~100 m move little surface: the largest overlap of almost
    # every wijk must be the gemeente its code names
    got = assign_to_regions(wijken_utrecht, gemeenten)
    expected = "GM" + wijken_utrecht["statcode"].str[2:6]
    assert (got.to_numpy() == expected.to_numpy()).mean() >= 0.95


def test_papendrecht_wijken_are_outside_the_utrecht_region(gemeenten, regions):
    wijken = read(WIJKEN_PAPENDRECHT_FILE)
    raw_codes = sorted(f["properties"]["statcode"] for f in raw_features(WIJKEN_PAPENDRECHT_FILE))
    assert len(raw_codes) == 9 and all(c.startswith("WK0590") for c in raw_codes)
    region = gemeenten_of_region(gemeenten, regions, "Utrecht")
    got = wijken_by_code(wijken, region)
    assert sorted(got.attrs["buiten_regio"]) == raw_codes
    assert set(got["gemeentecode"]) == {"GM0590"}
    # geometrically, too: every Papendrecht wijk lies in Waardenland
    names = dict(zip(regions["statcode"], regions["statnaam"]))
    assert {names[c] for c in assign_to_regions(wijken, regions)} == {"Waardenland"}


# --- SES-WOA StatLine export -------------------------------------------------------------------

def raw_statline(path: Path) -> tuple[list[str], list[list[str]], int]:
    text = path.read_bytes().decode("utf-8-sig")
    lines = text.splitlines()
    data_lines = sum(1 for line in lines[1:] if line.strip())
    rows = list(csv.reader(io.StringIO(text), delimiter=";", quotechar='"'))
    return rows[0], [r for r in rows[1:] if r], data_lines


def test_ses_statline_export():
    path = cbs_file(SES_FILE)
    header, rows, data_lines = raw_statline(path)
    i_code = header.index("Regiocode (gemeente, wijk, buurt) (code)")
    i_score = header.index("SES-WOA/Totaalscore/Gemiddelde score (Getal)")
    df = read_ses_statline(path)

    assert len(df) == data_lines == len(rows)
    # codes without their padding, in file order
    assert rows[0][i_code] == "GM0363    "  # padded in the file
    assert df["regiocode"].tolist() == [r[i_code].strip() for r in rows]
    assert df["regiocode"].tolist()[:3] == ["GM0363", "WK036300", "BU03630000"]
    assert df["regiocode"].str.fullmatch(r"GM\d{4}|WK\d{6}|BU\d{8}").all()

    # the gemeente row as printed in the file: "  457400" households, "  -0.100" SES-WOA
    gm = df.set_index("regiocode").loc["GM0363"]
    assert gm["naam"] == "Amsterdam"
    assert gm["huishoudens"] == 457400
    assert gm["ses_woa"] == pytest.approx(-0.100, abs=1e-9)

    # '.' (suppressed) becomes NaN, exactly where the file has it; other values as printed
    suppressed = [r[i_score].strip() == "." for r in rows]
    assert sum(suppressed) > 0
    assert df["ses_woa"].isna().tolist() == suppressed
    for r, value in zip(rows, df["ses_woa"]):
        if r[i_score].strip() != ".":
            assert value == pytest.approx(float(r[i_score]), abs=1e-9)


# --- population 2016 -------------------------------------------------------------------------

@pytest.fixture(scope="module")
def population_raw() -> list[dict]:
    text = cbs_file(POPULATION_FILE).read_bytes().decode("utf-8-sig")
    return list(csv.DictReader(io.StringIO(text), delimiter=";"))


@pytest.fixture(scope="module")
def population(population_raw):
    return read_population(cbs_file(POPULATION_FILE))


def raw_total(rows: list[dict], code: str) -> int:
    return sum(int(r["mannen"]) + int(r["vrouwen"]) for r in rows if r["regiocode"] == code)


def test_population_skips_country_and_provinces_with_a_counting_note(population, population_raw):
    df, notes = population
    skipped = sum(1 for r in population_raw if r["regiocode"][:2] in ("NL", "PV"))
    assert skipped > 0
    assert not df["regiocode"].str.match(r"NL|PV").any()
    assert len(notes) == 1
    assert re.search(rf"(?<!\d){skipped}(?!\d)", notes[0]), notes[0]
    assert "NL" in notes[0] and "PV" in notes[0] and POPULATION_FILE in notes[0]


def test_population_sums_herkomst(population, population_raw):
    df, _ = population
    assert {r["herkomst"] for r in population_raw} == {"nederlands", "migratieachtergrond"}
    assert "herkomst" not in df.columns
    # one row per gemeente and band after summing both origins
    assert not df.duplicated(["regiocode", "leeftijd_van"]).any()
    raw_gm = {(r["regiocode"], int(r["leeftijd_van"])) for r in population_raw if r["regiocode"].startswith("GM")}
    assert len(df) == len(raw_gm)


@pytest.mark.parametrize("code", ["GM0344", "GM0363", "GM0590"])
def test_population_of_a_gemeente_equals_raw_file(population, population_raw, code):
    df, _ = population
    rows = df[df["regiocode"] == code]
    assert len(rows) == 20  # 0-5 .. 95-100
    assert int(rows["mannen"].sum() + rows["vrouwen"].sum()) == raw_total(population_raw, code)
    band = rows.set_index("leeftijd_van").loc[80]
    raw80 = [r for r in population_raw if r["regiocode"] == code and r["leeftijd_van"] == "80"]
    assert int(band["mannen"]) == sum(int(r["mannen"]) for r in raw80)
    assert int(band["vrouwen"]) == sum(int(r["vrouwen"]) for r in raw80)


def test_population_national_total_is_sum_of_390_gemeenten(population, population_raw):
    df, _ = population
    assert df["regiocode"].nunique() == 390  # the gemeenten of 2016
    assert df["regiocode"].str.fullmatch(r"GM\d{4}").all()
    national = raw_total(population_raw, "NL01")
    # CBS: 16,979,120 inhabitants on 1 January 2016
    assert national == 16_979_120
    assert int(df["mannen"].sum() + df["vrouwen"].sum()) == national
    assert set(df["peildatum"]) == {"2016-01-01"}


# --- 2016 zorgkantoorregio table vs. 2023 boundaries (optional cross-check) ------------------------

def test_gebieden_2016_agree_with_2023_boundaries(assigned):
    """Gemeenten with the same code in 2016 and 2023 lie in the same zorgkantoorregio.

    The disagreements in these extracts are all explained by one real-world change:
    the 2016 regions ZK05 (Delft Westland Oostland: Delft, Lansingerland,
    Midden-Delfland, Pijnacker-Nootdorp, Westland) and ZK15 (Nieuwe Waterweg Noord:
    Maassluis, Schiedam, Vlaardingen) merged into ZK33 Westland Schieland Delfland.
    So 8 of the 324 gemeenten that kept their code disagree; the rest (97.5 %) agree.
    """
    text = cbs_file(GEBIEDEN_FILE).read_bytes().decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text), delimiter=";"))
    assert len(rows) == 390
    common = [r for r in rows if r["gemeentecode"] in assigned.index]
    assert len(common) > 300  # most gemeenten kept their code since 2016
    differ = [r for r in common if assigned[r["gemeentecode"]] != r["zorgkantoorregiocode"]]
    assert len(differ) / len(common) < 0.05
    # every disagreement is a gemeente of a merged 2016 region, now in ZK33
    assert {r["zorgkantoorregiocode"] for r in differ} <= {"ZK05", "ZK15"}
    assert {assigned[r["gemeentecode"]] for r in differ} <= {"ZK33"}
