"""The forecast API (/api/prognose, the forecast parts of /api/gemeenten/{code}): every figure equals
an independent computation on the build's public files (exact decimal arithmetic on the CSV's text,
rounded half away from zero), an empty value stays empty and so does every sum that includes one,
the internal files are never read, and a build switch serves the new build's figures."""

from __future__ import annotations

import csv
import json
import math
import shutil
from decimal import ROUND_HALF_UP, Decimal
from itertools import product
from pathlib import Path

import numpy as np
import pandas as pd
import pyogrio
import pytest
from fastapi.testclient import TestClient

from server.app import create_app
from server.settings import ServerSettings
from tests.serving import published_copy

# --- the independent computation -------------------------------------------------------------


def whole(d: Decimal | None) -> int | None:
    return None if d is None else int(d.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def decimal_cell(text: str) -> Decimal | None:
    return None if text == "" else Decimal(text.replace(",", "."))


SECTORS = ("vv", "gz", "ggz")


def public_rows(build: Path, sector: str = "vv") -> dict:
    """(area, year, demand, leveringsvorm, group) -> the CSV row as text of one sector, read with the csv module."""
    with open(build / "prognose_tekort.csv", encoding="utf-8-sig", newline="") as fh:
        rows = [r for r in csv.DictReader(fh, delimiter=";") if r["sector"] == sector]
    return {(r["gemeentecode"], int(r["jaar"]), r["vraagscenario"], int(r["leveringsvormscenario"]), r["groep_id"]): r
            for r in rows}


def base_clients(build: Path, sector: str = "vv") -> dict:
    """The published observed clients of the sector's client groups (V&V: ZZP 4-8): the zorg layer's
    clienten, the region's in the catalog."""
    gem = pyogrio.read_dataframe(build / "wonenzorg.gpkg", layer=f"zorg_{sector}", read_geometry=False)
    out = {c: (None if pd.isna(v) else Decimal(int(v))) for c, v in zip(gem["gemeentecode"], gem["clienten"])}
    cat = json.loads((build / "catalog.json").read_text(encoding="utf-8"))
    region = next(l for l in cat["layers"] if l["id"] == f"zorg_{sector}")["region_values"].get("clienten")
    out["regio"] = None if region is None else Decimal(repr(region))
    return out


def sector_meta(build: Path, sector: str = "vv") -> dict:
    """The catalog's forecast years and scenarios with the sector's groups and client groups."""
    cat = json.loads((build / "catalog.json").read_text(encoding="utf-8"))
    sec = next(s for s in cat["sectors"] if s["id"] == sector)
    return {**cat["forecast"], "groups": sec["groups"], "client_groups": sec["client_groups"]}


def expected_m(rows: dict, base: dict, meta: dict, area: str, year: int, demand: str, lev: int) -> dict:
    groups = [g["id"] for g in meta["groups"]]
    cells = [rows.get((area, year, demand, lev, g)) for g in groups]

    def col(name):
        return [None if c is None else decimal_cell(c[name]) for c in cells]

    def total(values):
        return None if any(v is None for v in values) else sum(values, Decimal(0))

    clients = col("clienten_totaal")
    prog = total([c for g, c in zip(groups, clients) if g in meta["client_groups"]])
    vv = base.get(area)
    new = None if prog is None or vv is None else prog - vv
    growth = None if new is None or not vv else new * 100 / vv
    return {"vraag": [whole(v) for v in col("clienten_intramuraal")], "plaatsen": [whole(v) for v in col("plaatsen_nu")],
            "tekort": [whole(v) for v in col("tekort")], "tekort_totaal": whole(total(col("tekort"))),
            "clienten": [whole(v) for v in clients], "prognose_clienten": whole(prog), "nieuwe_clienten": whole(new),
            "prognose_groei": whole(growth), "extra_thuis": [whole(v) for v in col("extra_thuis")],
            "extra_intramuraal": [whole(v) for v in col("extra_intramuraal")]}


# --- fixtures --------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def meta(demo_build) -> dict:
    return sector_meta(demo_build)


@pytest.fixture(scope="module")
def rows(demo_build) -> dict:
    return public_rows(demo_build)


@pytest.fixture(scope="module")
def base(demo_build) -> dict:
    return base_clients(demo_build)


def scenarios(meta):
    return list(product(meta["years"], [s["id"] for s in meta["demand_scenarios"]],
                        [s["id"] for s in meta["leveringsvorm_scenarios"]]))


# --- /api/prognose --------------------------------------------------------------------------------


@pytest.mark.parametrize("sector,groups", [("vv", ["zzp4", "zzp5_7", "zzp6_8", "overig"]),
                                           ("gz", ["gz_licht", "gz_zwaar"]), ("ggz", ["ggz_w", "ggz_b"])])
def test_every_year_and_scenario_equals_the_public_table(client, demo_build, sector, groups):
    meta, rows, base = sector_meta(demo_build, sector), public_rows(demo_build, sector), base_clients(demo_build, sector)
    codes = sorted({k[0] for k in rows} - {"regio"})
    assert len(scenarios(meta)) == 18 * 3 * 4
    for year, demand, lev in scenarios(meta):
        query = f"jaar={year}&vraag={demand}&levering={lev}" + ("" if sector == "vv" else f"&sector={sector}")
        doc = client.get(f"/api/prognose?{query}").json()
        assert (doc["sector"], doc["jaar"], doc["vraag"], doc["levering"]) == (sector, year, demand, lev)
        assert doc["groepen"] == groups
        assert sorted(doc["gemeenten"]) == codes
        for code in codes:
            assert doc["gemeenten"][code] == expected_m(rows, base, meta, code, year, demand, lev), (code, year)
        assert doc["regio"] == expected_m(rows, base, meta, "regio", year, demand, lev), year


def test_defaults_are_the_catalogs_headline(client, meta):
    head = meta["headline"]
    assert client.get("/api/prognose").json() == client.get(
        f"/api/prognose?jaar={head['jaar']}&vraag={head['vraag']}&levering={head['levering']}").json()
    assert client.get("/api/prognose?jaar=2030").json()["vraag"] == head["vraag"]


def test_headline_equals_the_maps_values(client, demo_build):
    """At the map's own scenario the answer gives the gemeenten layer's values, as shown (the CSV
    holds two decimals, so a value may sit at most a rounding step plus 0.02 from the layer's)."""
    gem = pyogrio.read_dataframe(demo_build / "wonenzorg.gpkg", layer="zorg_vv", read_geometry=False)
    doc = client.get("/api/prognose").json()
    for r in gem.itertuples():
        m = doc["gemeenten"][r.gemeentecode]
        for k, g in enumerate(doc["groepen"]):
            assert abs(m["tekort"][k] - getattr(r, f"tekort_{g}")) <= 0.52
            assert abs(m["vraag"][k] - getattr(r, f"vraag_{g}")) <= 0.52
            assert m["plaatsen"][k] == getattr(r, f"plaatsen_{g}")
        assert abs(m["tekort_totaal"] - r.tekort_totaal) <= 0.52
        assert abs(m["prognose_clienten"] - r.prognose_clienten) <= 0.52
        assert abs(m["nieuwe_clienten"] - r.nieuwe_clienten) <= 0.52
        assert abs(m["prognose_groei"] - r.prognose_groei) <= 0.7


def test_numbers_are_whole_and_empty_cells_stay_empty(client, meta, rows):
    """Every figure is a whole number or null; null exactly where the public table is empty."""
    empty = {k for k, r in rows.items() if r["extra_thuis"] == ""}
    assert empty, "the demo build has suppressed cells"
    year, demand, lev = 2030, "max", 2
    doc = client.get(f"/api/prognose?jaar={year}&vraag={demand}&levering={lev}").json()
    nulls = 0
    for area, m in [*doc["gemeenten"].items(), ("regio", doc["regio"])]:
        for k, g in enumerate(doc["groepen"]):
            is_empty = (area, year, demand, lev, g) in empty
            assert (m["extra_thuis"][k] is None) == is_empty and (m["extra_intramuraal"][k] is None) == is_empty
            nulls += is_empty
        for v in m.values():
            for x in (v if isinstance(v, list) else [v]):
                assert x is None or type(x) is int
    assert nulls > 0


@pytest.mark.parametrize("query,word", [
    ("jaar=2050", "jaar"), ("jaar=2022", "jaar"), ("jaar=twintig", "jaar"), ("jaar=2030.0", "jaar"),
    ("vraag=hoog", "vraag"), ("vraag=MIDDEN", "vraag"), ("levering=5", "levering"), ("levering=0", "levering"),
    ("levering=1.0", "levering"), ("levering=", "levering"), ("jaar=2030&jaar=2031", "jaar"),
])
def test_a_wrong_parameter_is_a_dutch_400(client, query, word):
    for path in ("/api/prognose", "/api/gemeenten/GM9902"):
        r = client.get(f"{path}?{query}")
        assert r.status_code == 400, (path, query)
        detail = r.json()["detail"]
        assert word in detail and ("moet" in detail or "mag" in detail)


def test_the_answer_is_compact(client):
    r = client.get("/api/prognose", headers={"Accept-Encoding": "identity"})
    assert len(r.content) < 12_000


# --- /api/gemeenten/{code} ------------------------------------------------------------------------


def test_gemeente_answer_carries_the_asked_scenario(client, meta, rows, base):
    for code, (year, demand, lev) in [("GM9902", (2031, "min", 4)), ("GM9905", (2040, "max", 3)),
                                      ("GM9901", (2023, "midden", 1))]:
        doc = client.get(f"/api/gemeenten/{code}?jaar={year}&vraag={demand}&levering={lev}").json()
        assert doc["scenario"] == {"jaar": year, "vraag": demand, "levering": lev}
        p = doc["prognose"]
        assert (p["jaar"], p["vraagscenario"], p["levering"]) == (year, demand, lev)
        assert {k: v for k, v in p.items() if k not in ("jaar", "vraagscenario", "levering")} == \
            expected_m(rows, base, meta, code, year, demand, lev)
        assert doc["regio_prognose"] == expected_m(rows, base, meta, "regio", year, demand, lev)
        # the same M as in /api/prognose
        overview = client.get(f"/api/prognose?jaar={year}&vraag={demand}&levering={lev}").json()
        assert overview["gemeenten"][code]["tekort"] == p["tekort"]


def test_series_are_the_client_groups_clients_per_year(client, meta, rows):
    years = meta["years"]
    for code in ("GM9902", "GM9905"):
        doc = client.get(f"/api/gemeenten/{code}").json()
        for key, area in (("reeks", code), ("regio_reeks", "regio")):
            series = doc[key]
            assert series["jaren"] == years
            for demand in ("min", "midden", "max"):
                want = [whole(sum((decimal_cell(rows[(area, y, demand, 1, g)]["clienten_totaal"])
                                   for g in meta["client_groups"]), Decimal(0))) for y in years]
                assert series[demand] == want, (code, key, demand)
        # the band does not depend on the leveringsvorm scenario
        assert client.get(f"/api/gemeenten/{code}?levering=4").json()["reeks"] == doc["reeks"]


def test_gemeente_answer_is_compact_and_keeps_todays_fields(client):
    r = client.get("/api/gemeenten/GM9902", headers={"Accept-Encoding": "identity"})
    doc = r.json()
    assert len(r.content) < 20_000  # was 380 KB with every row of the forecast
    for key in ("gemeentecode", "gemeentenaam", "regio", "doeljaar", "indicatoren", "tekort", "tekort_totaal",
                "zorggebruik", "zorggebruik_regio", "prognose", "regio_prognose", "reeks", "regio_reeks", "downloads"):
        assert key in doc
    assert doc["downloads"] == [
        {"title": "Cijfers van deze gemeente (CSV)", "href": "/api/gemeenten/GM9902/prognose.csv"},
        {"title": "Cijfers van deze gemeente (Excel)", "href": "/api/gemeenten/GM9902/prognose.xlsx"}]
    for link in doc["downloads"]:
        assert client.get(link["href"]).status_code == 200


# --- hand-computed: rounding and empty values ------------------------------------------------------


def tiny_table() -> tuple[pd.DataFrame, dict]:
    """Three gemeenten and the region, groups a, b, c (clients: a and b), one year and scenario pair."""
    meta = {"years": [2023, 2024], "demand_scenarios": [{"id": "laag"}, {"id": "hoog"}],
            "leveringsvorm_scenarios": [{"id": 1}, {"id": 2}], "groups": [{"id": "a"}, {"id": "b"}, {"id": "c"}],
            "client_groups": ["a", "b"], "headline": {"jaar": 2024, "vraag": "hoog", "levering": 2}}
    nan = np.nan
    cols = ["clienten_totaal", "clienten_intramuraal", "plaatsen_nu", "tekort", "extra_thuis", "extra_intramuraal"]
    data = {
        ("GM0001", "a"): (10.25, 6.5, 4, 2.5, 1.49, nan),
        ("GM0001", "b"): (20.30, 12.5, 15, -2.5, 3.5, 2.51),
        ("GM0001", "c"): (5.0, 4.0, 1, 3.0, 0.5, -0.5),
        ("GM0002", "a"): (nan, 3.0, 2, 1.0, nan, nan),      # clients of a client group empty
        ("GM0002", "b"): (8.0, 5.0, 4, nan, 1.0, 1.0),      # a gap empty
        ("GM0002", "c"): (1.0, 1.0, 0, 1.0, 0.0, 0.0),
        ("GM0003", "a"): (4.0, 2.0, 2, 0.0, 1.0, 1.0),
        ("GM0003", "b"): (6.0, 3.0, 3, 0.0, 1.0, 1.0),
        ("GM0003", "c"): (1.0, 1.0, 1, 0.0, 0.0, 0.0),
        ("regio", "a"): (30.0, 20.0, 10, 10.0, 2.0, 2.0),
        ("regio", "b"): (40.0, 25.0, 20, 5.0, 3.0, 3.0),
        ("regio", "c"): (7.0, 6.0, 2, 4.0, 1.0, 1.0),
    }
    records = [{"gemeentecode": m, "groep_id": g, "jaar": 2024, "vraagscenario": "hoog", "leveringsvormscenario": 2,
                **dict(zip(cols, v))} for (m, g), v in data.items()]
    return pd.DataFrame(records), meta


def test_measures_by_hand():
    from server.api import ForecastTable, Scenario

    table, meta = tiny_table()
    fc = ForecastTable(table, meta, {"GM0001": 20, "GM0002": 5, "GM0003": 0, "regio": None})
    sc = Scenario(2024, "hoog", 2)
    assert fc.measures("GM0001", sc) == {
        "vraag": [7, 13, 4],               # 6.5 and 12.5: halves away from zero
        "plaatsen": [4, 15, 1],
        "tekort": [3, -3, 3],              # -2.5 -> -3
        "tekort_totaal": 3,                # 2.5 - 2.5 + 3.0
        "clienten": [10, 20, 5],
        "prognose_clienten": 31,           # 10.25 + 20.30 = 30.55 (group c is no client group)
        "nieuwe_clienten": 11,             # 30.55 - 20 = 10.55
        "prognose_groei": 53,              # 100 x 10.55 / 20 = 52.75
        "extra_thuis": [1, 4, 1],          # 1.49, 3.5, 0.5
        "extra_intramuraal": [None, 3, -1],
    }
    m2 = fc.measures("GM0002", sc)
    # a sum over groups that includes an empty value is empty, never a partial sum
    assert m2["prognose_clienten"] is None and m2["nieuwe_clienten"] is None and m2["prognose_groei"] is None
    assert m2["tekort_totaal"] is None and m2["tekort"] == [1, None, 1] and m2["clienten"] == [None, 8, 1]
    m3 = fc.measures("GM0003", sc)
    assert m3["prognose_clienten"] == 10 and m3["nieuwe_clienten"] == 10 and m3["prognose_groei"] is None  # base 0
    region = fc.measures("regio", sc)
    assert region["prognose_clienten"] == 70 and region["nieuwe_clienten"] is None and region["prognose_groei"] is None
    # a year and scenario pair without rows: every figure empty
    empty = fc.measures("GM0001", Scenario(2023, "laag", 1))
    assert all(v is None or v == [None] * 3 for v in empty.values())
    assert fc.series("GM0001", 2) == {"jaren": [2023, 2024], "laag": [None, None], "hoog": [None, 31]}
    assert fc.headline == Scenario(2024, "hoog", 2)


# --- privacy -----------------------------------------------------------------------------------------


def test_internal_files_are_never_read(demo_build, tmp_path):
    """With the confidential forecast replaced by other figures, every answer stays the same."""
    def spoil(folder: Path):
        intern = folder / "prognose_tekort_intern.csv"
        t = pd.read_csv(intern, sep=";", decimal=",", encoding="utf-8-sig")
        for col in ("clienten_totaal", "clienten_intramuraal", "tekort", "extra_thuis", "clienten_thuis_nu"):
            t[col] = t[col] * 3 + 7
        t.to_csv(intern, sep=";", decimal=",", index=False, encoding="utf-8-sig")
        (folder / "rapport_intern.json").write_text('{"notes": ["anders"]}', encoding="utf-8")

    out = tmp_path / "build"
    published_copy(demo_build, out, change=spoil)
    paths = ["/api/prognose", "/api/prognose?jaar=2030&vraag=min&levering=4", "/api/gemeenten/GM9905",
             "/api/gemeenten/GM9902?jaar=2025", "/api/gemeenten/GM9905/prognose.csv", "/api/gebieden"]
    with TestClient(create_app(ServerSettings(build_dir=demo_build, reload_interval=0))) as a, \
            TestClient(create_app(ServerSettings(build_dir=out, reload_interval=0))) as b:
        for path in paths:
            ra, rb = a.get(path), b.get(path)
            assert ra.status_code == rb.status_code == 200, path
            assert ra.content == rb.content, path


@pytest.fixture(scope="module")
def small_gemeente_build(demo_inputs, tmp_path_factory) -> tuple[Path, Path]:
    """A build where one gemeente (GM9905) has 6 clients ZZP 4-8: its counts are suppressed."""
    from layers.publish import build_all
    from tests.test_disclosure_attack import one_small_gemeente

    folder = tmp_path_factory.mktemp("klein") / "invoer"
    shutil.copytree(demo_inputs, folder)
    one_small_gemeente(folder)
    out = folder.parent / "build"
    build_all(folder, out)
    return folder, out


def test_suppressed_counts_leave_every_figure_resting_on_them_empty(small_gemeente_build):
    _, build = small_gemeente_build
    base = base_clients(build)
    assert base["GM9905"] is None, "the variant suppresses the small gemeente's count"
    rows = public_rows(build)
    meta = sector_meta(build)
    with TestClient(create_app(ServerSettings(build_dir=build, reload_interval=0))) as c:
        for year, demand, lev in [(2040, "midden", 1), (2030, "max", 3), (2023, "min", 4)]:
            doc = c.get(f"/api/prognose?jaar={year}&vraag={demand}&levering={lev}").json()
            for area, m in [*doc["gemeenten"].items(), ("regio", doc["regio"])]:
                assert m == expected_m(rows, base, meta, area, year, demand, lev), (area, year)
                if base[area] is None:
                    assert m["nieuwe_clienten"] is None and m["prognose_groei"] is None, area
            small = doc["gemeenten"]["GM9905"]
            assert small["extra_thuis"] == [None] * 4 and small["extra_intramuraal"] == [None] * 4
        facts = c.get("/api/gemeenten/GM9905").json()
        assert facts["prognose"]["nieuwe_clienten"] is None and facts["prognose"]["prognose_groei"] is None


# --- builds ---------------------------------------------------------------------------------------------


def test_a_new_build_gets_fresh_tables(demo_build, tmp_path):
    out = tmp_path / "build"
    published_copy(demo_build, out)
    meta = sector_meta(demo_build)

    def more_places(folder: Path):  # GM9902 gets 100 more ZZP 5-7 places: its gap is 100 smaller
        path = folder / "prognose_tekort.csv"
        with open(path, encoding="utf-8-sig", newline="") as fh:
            table = list(csv.reader(fh, delimiter=";"))
        head = table[0]
        g, p, t = head.index("groep_id"), head.index("plaatsen_nu"), head.index("tekort")
        m = head.index("gemeentecode")
        for r in table[1:]:
            if r[m] == "GM9902" and r[g] == "zzp5_7":
                r[p] = f"{Decimal(r[p].replace(',', '.')) + 100:.2f}".replace(".", ",")
                r[t] = f"{Decimal(r[t].replace(',', '.')) - 100:.2f}".replace(".", ",")
        with open(path, "w", encoding="utf-8-sig", newline="") as fh:
            csv.writer(fh, delimiter=";", lineterminator="\n").writerows(table)

    app = create_app(ServerSettings(build_dir=out, reload_interval=0))
    with TestClient(app) as c:
        before = c.get("/api/prognose").json()["gemeenten"]["GM9902"]
        second = published_copy(demo_build, out, change=more_places)
        assert app.state.builds.refresh()
        after = c.get("/api/prognose").json()["gemeenten"]["GM9902"]
        assert after["plaatsen"][1] == before["plaatsen"][1] + 100
        assert after["tekort"][1] == before["tekort"][1] - 100
        assert after == expected_m(public_rows(second), base_clients(second), meta, "GM9902", 2040, "midden", 1)
        assert c.get("/api/gemeenten/GM9902").json()["prognose"]["tekort_totaal"] == after["tekort_totaal"]


def test_a_build_without_forecast(demo_build, tmp_path):
    out = tmp_path / "build"
    published_copy(demo_build, out, change=lambda f: (f / "prognose_tekort.csv").unlink())
    with TestClient(create_app(ServerSettings(build_dir=out, reload_interval=0))) as c:
        r = c.get("/api/prognose")
        assert r.status_code == 404 and "prognose" in r.json()["detail"]
        doc = c.get("/api/gemeenten/GM9902").json()
        assert doc["prognose"] is None and doc["reeks"] is None and doc["downloads"] == []
        assert doc["indicatoren"] and doc["tekort"]
        assert c.get("/api/gemeenten/GM9902/prognose.csv").status_code == 404


def test_rounding_matches_decimal_rounding():
    """``shown`` against exact decimal rounding on values as the CSV writes them (two decimals)."""
    from server.api import shown

    rng = np.random.default_rng(7)
    for cents in rng.integers(-100_000, 100_000, 2000).tolist() + [250, -250, 50, -50, 149, 150, 0]:
        text = f"{cents / 100:.2f}"
        assert shown(float(text)) == whole(Decimal(text)), text
    assert shown(math.nan) is None and shown(None) is None and shown(math.inf) is None
