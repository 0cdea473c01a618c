"""End to end: the demo region generated, built, and every published form checked."""

from __future__ import annotations

import gzip
import json
import math
import re

import geopandas as gpd
import mapbox_vector_tile
import pandas as pd
import pyogrio
import pytest
from pmtiles.reader import MmapSource, Reader


pytestmark = pytest.mark.slow


def lonlat_to_tile(lon: float, lat: float, z: int) -> tuple[int, int]:
    """Web Mercator tile of a point (the slippy-map formula)."""
    n = 2 ** z
    x = int((lon + 180) / 360 * n)
    y = int((1 - math.asinh(math.tan(math.radians(lat))) / math.pi) / 2 * n)
    return x, y


def decode(data: bytes) -> dict:
    if data[:2] == b"\x1f\x8b":
        data = gzip.decompress(data)
    return mapbox_vector_tile.decode(data)


def read_archive(path):
    fh = open(path, "rb")
    return Reader(MmapSource(fh)), fh


def test_geopackage_layers_counts_and_crs(demo_inputs, demo_build):
    layers = dict(pyogrio.list_layers(demo_build / "wonenzorg.gpkg"))
    assert set(layers) >= {"gemeenten", "zorg_vv", "zorg_gz", "zorg_ggz", "gap_2040", "wijken", "locaties"}
    gem_in = json.loads((demo_inputs / "gemeenten.geojson").read_text())["features"]
    wijk_in = json.loads((demo_inputs / "wijken.geojson").read_text())["features"]
    gem = gpd.read_file(demo_build / "wonenzorg.gpkg", layer="gemeenten")
    wijk = gpd.read_file(demo_build / "wonenzorg.gpkg", layer="wijken")
    loc = gpd.read_file(demo_build / "wonenzorg.gpkg", layer="locaties")
    assert len(gem) == len(gem_in) == 20
    assert len(wijk) == len(wijk_in)
    for gdf in (gem, wijk, loc):
        assert gdf.crs.to_epsg() == 28992
    vv = gpd.read_file(demo_build / "wonenzorg.gpkg", layer="zorg_vv")
    assert len(vv) == 20 and vv.crs.to_epsg() == 28992
    gap_cols = [c for c in vv.columns if c.startswith("tekort_")]
    assert set(gap_cols) == {"tekort_zzp4", "tekort_zzp5_7", "tekort_zzp6_8", "tekort_overig", "tekort_totaal"}
    assert not vv[gap_cols].isna().any().any()
    assert not [c for c in gem.columns if c.startswith("tekort_")]  # care lives in the sector layers
    # the total is the sum of the groups
    parts = vv[["tekort_zzp4", "tekort_zzp5_7", "tekort_zzp6_8", "tekort_overig"]].sum(axis=1)
    assert (parts - vv["tekort_totaal"]).abs().max() < 1e-6

    # locations: every input row whose postcode is well formed and whose PC4 is known is placed
    rows = pd.read_csv(demo_inputs / "zorglocaties.csv", sep=";", dtype=str)
    pc4_known = set(pd.read_csv(demo_inputs / "pc6.csv", sep=";", dtype=str)["postcode"].str[:4])
    clean = rows["postcode"].str.upper().str.replace(r"[\s-]", "", regex=True)
    placeable = clean.str.fullmatch(r"[1-9]\d{3}[A-Z]{2}") & clean.str[:4].isin(pc4_known)
    assert len(loc) == int(placeable.sum())
    assert len(loc) < len(rows)  # the demo has a broken postcode on purpose


def test_gap_layer_has_one_row_per_gemeente_and_group(demo_build):
    gem = gpd.read_file(demo_build / "wonenzorg.gpkg", layer="zorg_vv").set_index("gemeentecode")
    gap = gpd.read_file(demo_build / "wonenzorg.gpkg", layer="gap_2040")
    # V&V 4 groups, GZ 2, GGZ 2
    assert len(gap) == (4 + 2 + 2) * len(gem)
    assert gap.groupby("sector").size().to_dict() == {"V&V": 80, "GZ": 40, "GGZ": 40}
    gap = gap[gap["sector"] == "V&V"]
    assert sorted(gap["zzp_groep"].unique()) == sorted(["ZZP 4", "ZZP 5-7", "ZZP 6-8", "overig"])
    column = {"ZZP 4": "tekort_zzp4", "ZZP 5-7": "tekort_zzp5_7", "ZZP 6-8": "tekort_zzp6_8", "overig": "tekort_overig"}
    for row in gap.itertuples():
        assert row.tekort == pytest.approx(gem.at[row.gemeentecode, column[row.zzp_groep]])
    totals = gap.groupby("gemeentecode")["tekort"].sum()
    assert (totals - gem["tekort_totaal"].reindex(totals.index)).abs().max() < 1e-6


def test_gap_of_one_gemeente_recomputed_from_the_raw_files(demo_inputs, demo_build):
    """Independent recomputation (plain pandas on the input files) of the headline ZZP 5-7 demand and gap:
    midden scenario (mean rate over the observed years, age bands pooled from the youngest up until
    every observed year has at least 10 clients, as the public forecast does), leveringsvorm
    scenario 1 (home share as in 2023; the largest gemeente's own counts are published)."""
    gem = gpd.read_file(demo_build / "wonenzorg.gpkg", layer="gemeenten").set_index("gemeentecode")
    vv = gpd.read_file(demo_build / "wonenzorg.gpkg", layer="zorg_vv").set_index("gemeentecode")
    loc = gpd.read_file(demo_build / "wonenzorg.gpkg", layer="locaties")
    cl = pd.read_csv(demo_inputs / "wlz_clienten.csv", sep=";")
    cl = cl[cl["sector"] == "V&V"]
    pop = pd.read_csv(demo_inputs / "bevolking.csv", sep=";")
    prog = pd.read_csv(demo_inputs / "bevolkingsprognose.csv", sep=";")
    pop = pop[pop["regiocode"].str.startswith("GM")].assign(n=lambda d: d.mannen + d.vrouwen,
                                                             jaar=lambda d: d.peildatum.str[:4].astype(int))
    prog = prog.assign(n=lambda d: d.mannen + d.vrouwen, jaar=lambda d: d.peildatum.str[:4].astype(int))
    cl = cl[cl["zorgprofiel"].isin(["VV5", "VV7"])]
    cl = cl.assign(band=cl["leeftijdsklasse"].str.extract(r"^(\d+)")[0].astype(int))
    code = gem["inwoners"].idxmax()
    years = (2020, 2021, 2022, 2023)
    count = {(y, b): cl[(cl.jaar == y) & (cl.band == b)]["aantal_clienten"].sum() for y in years for b in range(0, 100, 5)}
    pools, current = [], []
    for band in range(0, 100, 5):
        current.append(band)
        if min(sum(count[(y, b)] for b in current) for y in years) >= 10:
            pools.append(current)
            current = []
    if current:
        pools[-1] += current
    total = 0.0
    for pool in pools:
        rates = []
        for year in years:
            c = sum(count[(year, b)] for b in pool)
            p = pop[(pop.jaar == year) & pop.leeftijd_van.isin(pool)]["n"].sum()
            rates.append(c / p)
        n2040 = prog[(prog.jaar == 2040) & (prog.regiocode == code) & prog.leeftijd_van.isin(pool)]["n"].sum()
        total += sum(rates) / len(rates) * n2040
    now = cl[(cl.jaar == 2023) & (cl.gemeentecode == code)]
    home_share = now[now.leveringsvorm != "intramuraal"]["aantal_clienten"].sum() / now["aantal_clienten"].sum()
    demand = total * (1 - home_share)
    places = loc[(loc.gemeentecode == code) & (loc.sector == "V&V")]["plaatsen_zzp5_7"].sum()
    assert vv.at[code, "vraag_zzp5_7"] == pytest.approx(demand, rel=1e-9)
    assert vv.at[code, "tekort_zzp5_7"] == pytest.approx(demand - places, rel=1e-9)


def test_forecast_tables_csv_and_xlsx(demo_build):
    csv = pd.read_csv(demo_build / "prognose_tekort.csv", sep=";", decimal=",", encoding="utf-8-sig")
    # (20 gemeenten + the region row) x groups (V&V 4, GZ 2, GGZ 2) x 2023..2040 x 3 demand x 4 scenarios
    assert len(csv) == 21 * (4 + 2 + 2) * 18 * 3 * 4
    assert csv.groupby("sector")["groep_id"].unique().map(sorted).to_dict() == {
        "vv": ["overig", "zzp4", "zzp5_7", "zzp6_8"], "gz": ["gz_licht", "gz_zwaar"], "ggz": ["ggz_b", "ggz_w"]}
    assert set(csv["vraagscenario"]) == {"min", "midden", "max"} and set(csv["leveringsvormscenario"]) == {1, 2, 3, 4}
    xlsx = pd.read_excel(demo_build / "prognose_tekort.xlsx", sheet_name=None)
    assert set(xlsx) == {"Prognose en tekort", "Extra plaatsen regio", "Toelichting"}
    assert len(xlsx["Prognose en tekort"]) == len(csv)
    # the layer's headline is the table's midden / scenario 1 / 2040 row
    head = csv[(csv.jaar == 2040) & (csv.vraagscenario == "midden") & (csv.leveringsvormscenario == 1)
               & (csv.gemeentecode != "regio")]
    for sector in ("vv", "gz", "ggz"):
        gem = gpd.read_file(demo_build / "wonenzorg.gpkg", layer=f"zorg_{sector}").set_index("gemeentecode")
        for row in head[head.sector == sector].itertuples():
            assert gem.at[row.gemeentecode, f"tekort_{row.groep_id}"] == pytest.approx(row.tekort, abs=0.006)
    # privacy: no observed count below the threshold in the public table
    for col in ("clienten_thuis_nu", "clienten_intramuraal_nu"):
        assert (csv[col].dropna() >= 10).all()
    exact = pd.read_csv(demo_build / "prognose_tekort_intern.csv", sep=";", decimal=",", encoding="utf-8-sig")
    assert (exact["clienten_intramuraal_nu"] < 10).any()  # the suppression had something to do


@pytest.mark.parametrize("layer", ["gemeenten", "zorg_vv", "zorg_gz", "zorg_ggz", "gap_2040", "wijken", "locaties"])
def test_pmtiles_decode_with_declared_attributes(demo_build, layer):
    catalog = json.loads((demo_build / "catalog.json").read_text())
    spec = next(l for l in catalog["layers"] if l["id"] == layer)
    declared = {f["name"] for f in spec["fields"]}
    reader, fh = read_archive(demo_build / "tiles" / f"{layer}.pmtiles")
    with fh:
        h = reader.header()
        assert (h["min_zoom"], h["max_zoom"]) == (spec["minzoom"], spec["maxzoom"])
        gdf = gpd.read_file(demo_build / "wonenzorg.gpkg", layer=layer).to_crs(4326)
        pts = gdf.geometry.representative_point()
        key = spec["id_field"]
        for z in sorted({h["min_zoom"], (h["min_zoom"] + h["max_zoom"]) // 2, h["max_zoom"]}):
            seen = set()
            for code, pt in zip(gdf[key], pts):
                x, y = lonlat_to_tile(pt.x, pt.y, z)
                data = reader.get(z, x, y)
                assert data is not None, f"{layer}: no tile {z}/{x}/{y} for {code}"
                feats = decode(data)[layer]["features"]
                for f in feats:
                    assert set(f["properties"]) <= declared
                    assert isinstance(f.get("id"), int)
                    seen.add(f["properties"][key])
            assert set(gdf[key]) <= seen, f"{layer} z{z}: features missing from their tiles"


@pytest.mark.parametrize("layer,fields", [("gemeenten", ("aandeel_75plus", "stedelijkheid")),
                                          ("zorg_vv", ("tekort_totaal",)), ("zorg_gz", ("tekort_totaal",))])
def test_every_gemeente_in_the_lowest_zoom_tiles(demo_build, layer, fields):
    reader, fh = read_archive(demo_build / "tiles" / f"{layer}.pmtiles")
    with fh:
        z = reader.header()["min_zoom"]
        gdf = gpd.read_file(demo_build / "wonenzorg.gpkg", layer=layer).to_crs(4326)
        w, s, e, n = gdf.total_bounds
        x0, y0 = lonlat_to_tile(w, n, z)
        x1, y1 = lonlat_to_tile(e, s, z)
        seen = {}
        for x in range(x0, x1 + 1):
            for y in range(y0, y1 + 1):
                data = reader.get(z, x, y)
                for f in decode(data)[layer]["features"] if data else []:
                    seen[f["properties"]["gemeentecode"]] = f["properties"]
        assert set(seen) == set(gdf["gemeentecode"])
        for props in seen.values():
            assert all(f in props for f in fields)


def test_server_tiles_are_the_archive_bytes(client, demo_build):
    reader, fh = read_archive(demo_build / "tiles" / "gemeenten.pmtiles")
    with fh:
        gem = client.get("/api/gemeenten").json()
        assert len(gem) == 20
        lon, lat = gem[0]["label_point"]
        for z in (5, 9, 13):
            x, y = lonlat_to_tile(lon, lat, z)
            r = client.get(f"/tiles/gemeenten/{z}/{x}/{y}.pbf", headers={"Accept-Encoding": "identity"})
            assert r.status_code == 200
            assert r.headers["content-type"] == "application/vnd.mapbox-vector-tile"
            assert r.headers["content-encoding"] == "gzip"
            stored = reader.get(z, x, y)
            assert gzip.decompress(stored) == r.content  # httpx undoes the gzip the archive stores
            names = {f["properties"]["gemeentenaam"] for f in decode(r.content)["gemeenten"]["features"]}
            assert gem[0]["gemeentenaam"] in names


def test_server_tilejson_and_catalog(client):
    cat = client.get("/api/catalog").json()
    assert [l["id"] for l in cat["layers"]] == ["gemeenten", "zorg_vv", "zorg_gz", "zorg_ggz", "gap_2040", "wijken",
                                                "locaties"]
    assert cat["region"] == "Demoregio"
    for layer in cat["layers"]:
        tj = client.get(f"/tiles/{layer['id']}.json").json()
        assert tj["tilejson"] == "3.0.0"
        assert tj["tiles"][0].endswith(f"/tiles/{layer['id']}/{{z}}/{{x}}/{{y}}.pbf")
        assert tj["vector_layers"][0]["id"] == layer["id"]
        assert set(tj["vector_layers"][0]["fields"]) == {f["name"] for f in layer["fields"]}
        assert re.search(r"CBS", tj["attribution"])
        legend = layer["legend"]
        assert legend["indicators"] and legend["default"] == legend["indicators"][0]["field"]
    gem_legend = cat["layers"][0]["legend"]
    assert {"aandeel_75plus", "stedelijkheid"} <= {i["field"] for i in gem_legend["indicators"]}
    for layer in cat["layers"][1:4]:
        assert {"tekort_totaal", "gebruik", "groei_klasse"} <= {i["field"] for i in layer["legend"]["indicators"]}


def test_build_writes_reports_and_manifest(demo_build, demo_inputs):
    manifest = json.loads((demo_build / "manifest.json").read_text())
    assert manifest["feature_counts"]["gemeenten"] == 20
    assert set(manifest["inputs"]) >= {"gemeenten", "wijken", "clienten", "locaties"}
    import hashlib
    assert manifest["inputs"]["locaties"]["sha256"] == hashlib.sha256(
        (demo_inputs / "zorglocaties.csv").read_bytes()).hexdigest()
    report = json.loads((demo_build / "geocodering.json").read_text())
    assert report["totaal"] == sum(report["per_uitkomst"].values())
    assert len(report["niet_exact"]) == report["totaal"] - report["exact_pc6"]
    assert (demo_build / "geocodering.csv").exists() and (demo_build / "tekort_2040.csv").exists()


def test_region_values_beside_the_areas(demo_inputs, demo_build):
    """The region's figures in the catalog equal independent sums over the areas and raw files."""
    cat = json.loads((demo_build / "catalog.json").read_text())
    rv = {l["id"]: l["region_values"] for l in cat["layers"]}
    gem = gpd.read_file(demo_build / "wonenzorg.gpkg", layer="gemeenten")
    vv = gpd.read_file(demo_build / "wonenzorg.gpkg", layer="zorg_vv")
    assert rv["gemeenten"]["inwoners"] == gem["inwoners"].sum()
    assert rv["gemeenten"]["aandeel_75plus"] == pytest.approx(100 * gem["inwoners_75plus"].sum() / gem["inwoners"].sum())
    assert rv["zorg_vv"]["tekort_totaal"] == pytest.approx(vv["tekort_totaal"].sum())
    assert cat["region_values"]["vv"]["tekort_totaal"] == pytest.approx(vv["tekort_totaal"].sum())
    # clients ZZP 4-8 per 1,000 aged 75+ in the last year, from the raw files
    cl = pd.read_csv(demo_inputs / "wlz_clienten.csv", sep=";")
    n = cl[(cl.jaar == 2023) & cl.zorgprofiel.isin(["VV4", "VV5", "VV6", "VV7", "VV8"])]["aantal_clienten"].sum()
    pop = pd.read_csv(demo_inputs / "bevolking.csv", sep=";")
    old = pop[(pop.peildatum == "2023-01-01") & pop.regiocode.str.startswith("GM") & (pop.leeftijd_van >= 75)]
    assert rv["zorg_vv"]["gebruik"] == pytest.approx(1000 * n / (old.mannen + old.vrouwen).sum())
    # GZ per 1,000 and GGZ per 10,000 inhabitants of every age, from the raw files
    every = pop[(pop.peildatum == "2023-01-01") & pop.regiocode.str.startswith("GM")]
    every = (every.mannen + every.vrouwen).sum()
    for sector, code, per in (("gz", "GZ", 1000), ("ggz", "GGZ", 10000)):
        n = cl[(cl.jaar == 2023) & (cl.sector == code)]["aantal_clienten"].sum()
        assert rv[f"zorg_{sector}"]["gebruik"] == pytest.approx(per * n / every)
    # per gemeente: locations per 1,000 clients is consistent with its parts
    ok = vv["clienten"] > 0
    assert (vv.loc[ok, "locaties_per_1000_clienten"]
            - 1000 * vv.loc[ok, "aantal_locaties"] / vv.loc[ok, "clienten"]).abs().max() < 1e-9
    assert rv["wijken"]["inwoners"] == rv["gemeenten"]["inwoners"]


def test_care_use_per_year_table(demo_inputs, demo_build):
    """Clients ZZP 4-8 per 1,000 aged 75+ for every observed year, recomputed from the raw files."""
    use = pd.read_csv(demo_build / "zorggebruik.csv", sep=";", decimal=",", encoding="utf-8-sig")
    cl = pd.read_csv(demo_inputs / "wlz_clienten.csv", sep=";")
    pop = pd.read_csv(demo_inputs / "bevolking.csv", sep=";")
    for year in (2020, 2023):
        n = cl[(cl.jaar == year) & cl.zorgprofiel.isin(["VV4", "VV5", "VV6", "VV7", "VV8"])]["aantal_clienten"].sum()
        old = pop[(pop.peildatum == f"{year}-01-01") & pop.regiocode.str.startswith("GM") & (pop.leeftijd_van >= 75)]
        row = use[(use.gemeentecode == "regio") & (use.jaar == year) & (use.sector == "vv")].iloc[0]
        assert row["gebruik"] == pytest.approx(1000 * n / (old.mannen + old.vrouwen).sum(), abs=0.01)
    assert (use["clienten"].dropna() >= 10).all()
    assert set(use["sector"]) == {"vv", "gz", "ggz"}


def test_forecast_attributes_of_the_gemeenten_layer(demo_build):
    """Expected clients in the target year = the table's midden / scenario 1 total; growth against today."""
    gem = gpd.read_file(demo_build / "wonenzorg.gpkg", layer="zorg_vv").set_index("gemeentecode")
    csv = pd.read_csv(demo_build / "prognose_tekort.csv", sep=";", decimal=",", encoding="utf-8-sig")
    csv = csv[csv.sector == "vv"]
    head = csv[(csv.jaar == 2040) & (csv.vraagscenario == "midden") & (csv.leveringsvormscenario == 1)]
    # the layer's client figures are ZZP 4-8, as the regioanalyse counts them (not the 'overig' group)
    totals = head[head.groep_id != "overig"].groupby("gemeentecode")["clienten_totaal"].sum()
    for code in gem.index:
        assert gem.at[code, "prognose_clienten"] == pytest.approx(totals[code], abs=0.03)
        assert gem.at[code, "nieuwe_clienten"] == pytest.approx(gem.at[code, "prognose_clienten"]
                                                                - gem.at[code, "clienten"])
        assert gem.at[code, "prognose_groei"] == pytest.approx(
            100 * (gem.at[code, "prognose_clienten"] / gem.at[code, "clienten"] - 1))
