"""A gemeente's forecast as CSV and Excel (its rows of the public table, the region's beside them), the
areas for the search box, and /downloads: only the files the catalog lists, never an internal one."""

from __future__ import annotations

import io
import json
import re
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest
from fastapi.testclient import TestClient
from shapely.geometry import Point

from server.app import create_app
from server.settings import ServerSettings
from tests.serving import published_copy


@pytest.fixture(scope="module")
def catalog(demo_build) -> dict:
    return json.loads((demo_build / "catalog.json").read_text(encoding="utf-8"))


# --- /api/gemeenten/{code}/prognose.csv and .xlsx ------------------------------------------------


def test_gemeente_csv_is_its_lines_of_the_public_table(client, demo_build):
    r = client.get("/api/gemeenten/GM9902/prognose.csv")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/csv")
    assert r.content.startswith(b"\xef\xbb\xbf")  # UTF-8 BOM: Excel reads the accents right
    disposition = r.headers["content-disposition"]
    assert disposition == 'attachment; filename="prognose_tekort_brammelo_GM9902.csv"'
    full = (demo_build / "prognose_tekort.csv").read_bytes().decode("utf-8-sig").splitlines()
    # every sector's rows of the gemeente and the region (the gemeente code is the second column)
    want = [full[0]] + [line for line in full[1:] if line.split(";", 2)[1] in ("GM9902", "regio")]
    got = r.content.decode("utf-8-sig").splitlines()
    assert got == want
    assert len(got) == 1 + 2 * (4 + 2 + 2) * 18 * 3 * 4
    # one sector asked: its rows only, and the file name says which
    gz = client.get("/api/gemeenten/GM9902/prognose.csv?sector=gz")
    assert gz.headers["content-disposition"] == 'attachment; filename="prognose_tekort_brammelo_GM9902_gz.csv"'
    assert gz.content.decode("utf-8-sig").splitlines() == [got[0]] + [l for l in got[1:] if l.startswith("gz;")]
    assert ";" in got[1] and re.search(r"\d,\d\d", got[1])  # decimal comma


def test_gemeente_xlsx_holds_its_rows_of_the_full_workbook(client, demo_build):
    r = client.get("/api/gemeenten/GM9905/prognose.xlsx")
    assert r.status_code == 200
    assert r.headers["content-type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert r.headers["content-disposition"] == 'attachment; filename="prognose_tekort_fennewijk_GM9905.xlsx"'
    mine = pd.read_excel(io.BytesIO(r.content), sheet_name=None)
    full = pd.read_excel(demo_build / "prognose_tekort.xlsx", sheet_name=None)
    assert list(mine) == ["Prognose en tekort", "Toelichting"]
    want = full["Prognose en tekort"]
    want = want[want["gemeentecode"].isin(["GM9905", "regio"])].reset_index(drop=True)
    # the figures of the public CSV (two decimals): the full workbook's, rounded
    pd.testing.assert_frame_equal(mine["Prognose en tekort"], want, check_exact=False, rtol=0, atol=0.00501)
    pd.testing.assert_frame_equal(mine["Toelichting"], full["Toelichting"])
    assert mine["Prognose en tekort"]["clienten_thuis_nu"].isna().any()  # suppressed stays empty


@pytest.mark.parametrize("code,status", [("GM0001", 404), ("gm9902", 400), ("GM99021", 400), ("regio", 400)])
def test_gemeente_table_errors(client, code, status):
    for ext in ("csv", "xlsx"):
        r = client.get(f"/api/gemeenten/{code}/prognose.{ext}")
        assert r.status_code == status and "gemeente" in r.json()["detail"]


def test_file_names_are_safe():
    from server.api import file_slug

    assert file_slug("'s-Hertogenbosch") == "s-hertogenbosch"
    assert file_slug("Súdwest-Fryslân") == "sudwest-fryslan"
    assert file_slug('Ber"g en "Dal\r\n') == "ber-g-en-dal"
    assert file_slug("???") == "gemeente"


# --- /api/gebieden -----------------------------------------------------------------------------------


def test_areas_for_search_are_every_gemeente_and_wijk(client, demo_build):
    areas = client.get("/api/gebieden").json()
    gem = gpd.read_file(demo_build / "wonenzorg.gpkg", layer="gemeenten").to_crs(4326).set_index("gemeentecode")
    wijk = gpd.read_file(demo_build / "wonenzorg.gpkg", layer="wijken").to_crs(4326).set_index("wijkcode")
    by_level = {"gemeente": [a for a in areas if a["niveau"] == "gemeente"],
                "wijk": [a for a in areas if a["niveau"] == "wijk"]}
    assert len(areas) == len(gem) + len(wijk) == sum(len(v) for v in by_level.values())
    assert sorted(a["code"] for a in by_level["gemeente"]) == sorted(gem.index)
    assert sorted(a["code"] for a in by_level["wijk"]) == sorted(wijk.index)
    for a in areas:
        assert set(a) == {"code", "naam", "niveau", "gemeentecode", "gemeentenaam", "label_point", "bbox"}
        frame = gem if a["niveau"] == "gemeente" else wijk
        row = frame.loc[a["code"]]
        assert a["naam"] == (row["gemeentenaam"] if a["niveau"] == "gemeente" else row["wijknaam"])
        assert a["gemeentecode"] == (a["code"] if a["niveau"] == "gemeente" else row["gemeentecode"])
        assert a["gemeentenaam"] == gem.loc[a["gemeentecode"], "gemeentenaam"]
        assert row.geometry.buffer(1e-5).contains(Point(a["label_point"]))
        assert a["bbox"] == pytest.approx(list(row.geometry.bounds), abs=1e-6)


# --- /downloads/{file} -----------------------------------------------------------------------------


def test_every_listed_download_is_the_file_itself(client, catalog, demo_build):
    assert catalog["downloads"]
    for d in catalog["downloads"]:
        r = client.get(f"/downloads/{d['file']}")
        assert r.status_code == 200, d
        assert r.headers["content-disposition"].startswith("attachment")
        assert d["file"] in r.headers["content-disposition"]
        assert r.content == (demo_build / d["file"]).read_bytes()  # (gzip, if any, undone by the client)


@pytest.mark.parametrize("name", ["catalog.json", "manifest.json", "prognose_tekort_intern.csv",
                                  "wonenzorg_intern.gpkg", "rapport_intern.json", "%2e%2e", "%2e", "%2e%2e%2fcatalog.json",
                                  "tiles%2Fgemeenten.pmtiles", "bestaat.csv", "prognose_tekort.csv%00"])
def test_anything_else_is_unknown(client, name):
    r = client.get(f"/downloads/{name}")
    assert r.status_code == 404
    assert set(r.json()) == {"detail"} and "content-disposition" not in r.headers


def test_an_internal_file_is_refused_even_when_the_catalog_lists_it(demo_build, tmp_path):
    def list_more(folder: Path):
        path = folder / "catalog.json"
        cat = json.loads(path.read_text(encoding="utf-8"))
        cat["downloads"] += [{"file": n, "title": "x"} for n in
                             ("prognose_tekort_intern.csv", "wonenzorg_intern.gpkg", "rapport_intern.json",
                              "../catalog.json", "tiles/gemeenten.pmtiles", ".hidden", "manifest.json/")]
        path.write_text(json.dumps(cat, ensure_ascii=False), encoding="utf-8")
        (folder / ".hidden").write_text("geheim", encoding="utf-8")

    out = tmp_path / "build"
    published_copy(demo_build, out, change=list_more)
    with TestClient(create_app(ServerSettings(build_dir=out, reload_interval=0))) as c:
        for name in ("prognose_tekort_intern.csv", "wonenzorg_intern.gpkg", "rapport_intern.json",
                     "..%2Fcatalog.json", "tiles%2Fgemeenten.pmtiles", ".hidden"):
            r = c.get(f"/downloads/{name}")
            assert r.status_code == 404, name
        assert c.get("/downloads/prognose_tekort.csv").status_code == 200
