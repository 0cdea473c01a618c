"""OGC API - Features under /ogc: landing page, collections, paged and bbox-filtered items, CSV, errors.

Expected numbers come from the GeoPackage read independently with geopandas, not from the server's
own frames. The last test loads a layer in real QGIS (OAPIF provider) when QGIS is installed.
"""

from __future__ import annotations

import io
import json
import os
import subprocess
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import geopandas as gpd
import pandas as pd
import pytest
import shapely
from fastapi.testclient import TestClient

from server.app import create_app
from server.features import MAX_LIMIT, features_router
from server.settings import ServerSettings

CORE = "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core"
SYSTEM_PYTHON = "/usr/bin/python3"


def make_app(build_dir: Path):
    """The server app with the OGC router (included here until server/app.py does it itself)."""
    app = create_app(ServerSettings(build_dir=build_dir))
    if not any(getattr(r, "path", None) == "/ogc/collections" for r in app.routes):
        app.include_router(features_router())
    return app


@pytest.fixture(scope="module")
def client(demo_build):
    with TestClient(make_app(demo_build)) as c:
        yield c


@pytest.fixture(scope="module")
def catalog(demo_build) -> dict:
    return json.loads((demo_build / "catalog.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def public_layers(catalog) -> dict[str, dict]:
    return {l["id"]: l for l in catalog["layers"] if l.get("public", True)}


def read_layer(demo_build, layer) -> gpd.GeoDataFrame:
    """The layer straight from the GeoPackage, in WGS84 (independent of the server's cache)."""
    return gpd.read_file(demo_build / "wonenzorg.gpkg", layer=layer).to_crs(4326)


def strict_json(response):
    """Parse a body as strict JSON: NaN or Infinity in the text fails the test."""
    def no_constants(name):
        raise AssertionError(f"invalid JSON constant {name} in the answer")
    return json.loads(response.text, parse_constant=no_constants)


def link(doc, rel, type_=None):
    found = [l for l in doc["links"] if l["rel"] == rel and (type_ is None or l.get("type") == type_)]
    return found[0]["href"] if found else None


# ---------------------------------------------------------------- landing page, conformance, collections

def test_landing_page_links_resolve(client):
    r = client.get("/ogc")
    assert r.status_code == 200 and r.headers["content-type"].startswith("application/json")
    doc = strict_json(r)
    rels = {l["rel"] for l in doc["links"]}
    assert {"self", "service-desc", "conformance", "data"} <= rels
    # QGIS looks up exactly these media types for the API description and the collections
    assert link(doc, "service-desc", "application/vnd.oai.openapi+json;version=3.0").endswith("/openapi.json")
    assert link(doc, "data", "application/json").endswith("/ogc/collections")
    for l in doc["links"]:
        followed = client.get(l["href"])
        assert followed.status_code == 200, l
    assert "paths" in client.get(link(doc, "service-desc")).json()
    assert client.get("/ogc/").status_code == 200          # a base URL typed with a slash works too


def test_conformance_lists_core_geojson_oas30(client):
    doc = strict_json(client.get("/ogc/conformance"))
    assert CORE in doc["conformsTo"]
    assert "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/geojson" in doc["conformsTo"]
    assert "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/oas30" in doc["conformsTo"]


def test_collections_are_the_public_catalog_layers(client, catalog, public_layers, demo_build):
    doc = strict_json(client.get("/ogc/collections"))
    ids = [c["id"] for c in doc["collections"]]
    assert sorted(ids) == sorted(public_layers) and len(ids) == len(set(ids))
    for c in doc["collections"]:
        spec = public_layers[c["id"]]
        assert c["title"] == spec["title"] and c["description"] == spec["description"]
        assert c["itemType"] == "feature"
        assert c["extent"]["spatial"]["crs"] == "http://www.opengis.net/def/crs/OGC/1.3/CRS84"
        w, s, e, n = c["extent"]["spatial"]["bbox"][0]
        gw, gs, ge, gn = read_layer(demo_build, c["id"]).total_bounds
        assert w <= gw + 1e-6 and s <= gs + 1e-6 and e >= ge - 1e-6 and n >= gn - 1e-6
        assert 3 < w < 8 and 50 < s < 54                    # WGS84 degrees, not RD metres
        items = link(c, "items", "application/geo+json")
        r = client.get(items)
        assert r.status_code == 200 and r.headers["content-type"].startswith("application/geo+json")
        one = client.get(link(c, "self"))
        assert one.status_code == 200 and one.json()["id"] == c["id"]


def test_unknown_collection_is_a_dutch_404(client):
    for path in ("/ogc/collections/bestaatniet", "/ogc/collections/bestaatniet/items",
                 "/ogc/collections/bestaatniet/items/1"):
        r = client.get(path)
        assert r.status_code == 404, path
        assert "onbekende collectie" in r.json()["detail"]
    r = client.get("/ogc/iets-anders")
    assert r.status_code == 404 and "onbekend adres" in r.json()["detail"]
    r = client.get("/ogc/collections/..%2Fcatalog/items")
    assert r.status_code == 404 and isinstance(r.json()["detail"], str)
    r = client.get("/ogc/collections/", follow_redirects=False)    # trailing slash: sent to the right place
    assert r.status_code == 307 and r.headers["location"].endswith("/ogc/collections")


def test_internal_layers_are_not_served(client, catalog):
    """Layers with public=false (exact client counts) never appear in the OGC tree, not even by name."""
    internal = [l["id"] for l in catalog["layers"] if not l.get("public", True)]
    if not internal:
        pytest.skip("this build has no internal layer")
    listed = {c["id"] for c in client.get("/ogc/collections").json()["collections"]}
    assert not listed & set(internal)
    for lid in internal:
        for path in (f"/ogc/collections/{lid}", f"/ogc/collections/{lid}/items",
                     f"/ogc/collections/{lid}/items?f=csv", f"/ogc/collections/{lid}/items/1"):
            r = client.get(path, headers={"Authorization": "Bearer iets"})
            assert r.status_code == 404, path
            assert "onbekende collectie" in r.json()["detail"]


# ---------------------------------------------------------------- items

def test_items_are_geojson_with_the_declared_fields(client, public_layers, demo_build):
    for lid, spec in public_layers.items():
        r = client.get(f"/ogc/collections/{lid}/items", params={"limit": MAX_LIMIT})
        assert r.status_code == 200
        assert r.headers["content-type"].startswith("application/geo+json")
        doc = strict_json(r)
        expected = read_layer(demo_build, lid)
        assert doc["type"] == "FeatureCollection"
        assert doc["numberMatched"] == doc["numberReturned"] == len(doc["features"]) == len(expected)
        assert doc["timeStamp"].endswith("Z")
        names = [f["name"] for f in spec["fields"]]
        for feat in doc["features"]:
            assert feat["type"] == "Feature" and isinstance(feat["id"], str)
            assert list(feat["properties"]) == names
        if lid != "gap_2040":                                # ids are the id_field values
            key = spec["id_field"]
            assert [f["id"] for f in doc["features"]] == expected[key].astype(str).tolist()


def test_missing_values_are_null(client, demo_build):
    """wijken in the demo has a wijk without SES: null in JSON, never NaN."""
    wijken = read_layer(demo_build, "wijken")
    missing = wijken.loc[wijken["ses_woa"].isna(), "wijkcode"].tolist()
    assert missing, "the demo data should have a wijk without ses_woa"
    doc = strict_json(client.get("/ogc/collections/wijken/items", params={"limit": 1000}))
    by_id = {f["id"]: f for f in doc["features"]}
    for code in missing:
        assert by_id[code]["properties"]["ses_woa"] is None
    present = next(f for f in doc["features"] if f["id"] not in missing)
    assert isinstance(present["properties"]["inwoners"], int)
    assert isinstance(present["properties"]["ses_woa"], float)


def test_paging_walks_next_links_over_all_locaties(client, demo_build):
    expected = read_layer(demo_build, "locaties")
    url = "/ogc/collections/locaties/items?limit=7"
    seen, pages, prev_seen = [], 0, False
    while url:
        r = client.get(url)
        assert r.status_code == 200
        doc = strict_json(r)
        assert doc["numberMatched"] == len(expected)
        assert doc["numberReturned"] == len(doc["features"]) <= 7
        seen += [f["id"] for f in doc["features"]]
        pages += 1
        url = link(doc, "next")
        if url:
            assert parse_qs(urlsplit(url).query)["limit"] == ["7"]
        if pages == 2:
            prev = parse_qs(urlsplit(link(doc, "prev")).query)
            assert prev.get("offset", ["0"]) == ["0"] and prev["limit"] == ["7"]
            prev_seen = True
        assert pages < 100, "next links do not end"
    assert prev_seen
    assert pages == -(-len(expected) // 7)
    assert len(seen) == len(set(seen))                       # every id once
    assert set(seen) == set(expected["locatie_id"].astype(str))
    first = strict_json(client.get("/ogc/collections/locaties/items?limit=7"))
    assert link(first, "prev") is None


def test_offset_past_the_end_is_empty(client):
    doc = strict_json(client.get("/ogc/collections/locaties/items", params={"offset": 100000}))
    assert doc["numberReturned"] == 0 and doc["features"] == [] and link(doc, "next") is None
    assert doc["numberMatched"] > 0


def bboxes(demo_build) -> dict[str, tuple[float, float, float, float]]:
    """Three boxes: around one gemeente's inner point (a few gemeenten), outside the region, over its west edge."""
    gem = read_layer(demo_build, "gemeenten")
    pt = gem.geometry.representative_point().iloc[0]
    w, s, e, n = gem.total_bounds
    return {
        "enkele_gemeenten": (pt.x - 0.04, pt.y - 0.03, pt.x + 0.04, pt.y + 0.03),
        "buiten_de_regio": (3.0, 51.0, 3.5, 51.5),
        "over_de_rand": (w - 0.05, s - 0.05, (w + e) / 2, (s + n) / 2),
    }


@pytest.mark.parametrize("layer", ["gemeenten", "wijken", "locaties", "gap_2040"])
def test_bbox_filter_matches_geopandas_intersects(client, demo_build, public_layers, layer):
    frame = read_layer(demo_build, layer)
    key = public_layers[layer]["id_field"]
    for name, box in bboxes(demo_build).items():
        hit = frame.intersects(shapely.box(*box))
        r = client.get(f"/ogc/collections/{layer}/items",
                       params={"bbox": ",".join(f"{v:.6f}" for v in box), "limit": 1000})
        assert r.status_code == 200, (name, r.text)
        doc = strict_json(r)
        assert doc["numberMatched"] == int(hit.sum()), name
        assert doc["numberReturned"] == int(hit.sum()), name
        got = sorted(f["properties"][key] for f in doc["features"])
        assert got == sorted(frame.loc[hit, key].astype(str)), name
        if name == "buiten_de_regio":
            assert doc["numberMatched"] == 0
        else:
            assert doc["numberMatched"] > 0


def test_bbox_uses_geometries_not_just_their_envelopes(client, demo_build):
    """For polygons in the small box the envelope test finds more than the intersection: the server must not."""
    box = bboxes(demo_build)["enkele_gemeenten"]
    gem = read_layer(demo_build, "gemeenten")
    exact = int(gem.intersects(shapely.box(*box)).sum())
    by_envelope = int(gem.envelope.intersects(shapely.box(*box)).sum())
    assert by_envelope > exact >= 2, "the test box no longer separates envelope from geometry"
    doc = strict_json(client.get("/ogc/collections/gemeenten/items",
                                 params={"bbox": ",".join(map(str, box))}))
    assert doc["numberMatched"] == exact


def test_bbox_and_limit_are_kept_in_links(client, demo_build):
    box = ",".join(f"{v:.5f}" for v in bboxes(demo_build)["over_de_rand"])
    doc = strict_json(client.get("/ogc/collections/locaties/items", params={"bbox": box, "limit": 5}))
    assert doc["numberMatched"] > 5
    for rel in ("self", "next"):
        q = parse_qs(urlsplit(link(doc, rel)).query)
        assert q["bbox"] == [box] and q["limit"] == ["5"]
    nxt = strict_json(client.get(link(doc, "next")))
    assert nxt["numberMatched"] == doc["numberMatched"]
    assert not {f["id"] for f in nxt["features"]} & {f["id"] for f in doc["features"]}


def test_feature_by_id_and_unknown_id(client, demo_build):
    expected = read_layer(demo_build, "locaties").iloc[4]
    fid = expected["locatie_id"]
    r = client.get(f"/ogc/collections/locaties/items/{fid}")
    assert r.status_code == 200 and r.headers["content-type"].startswith("application/geo+json")
    feat = strict_json(r)
    assert feat["type"] == "Feature" and feat["id"] == fid
    assert feat["properties"]["naam"] == expected["naam"]
    assert feat["properties"]["plaatsen_totaal"] == int(expected["plaatsen_totaal"])
    x, y = feat["geometry"]["coordinates"]
    assert abs(x - expected.geometry.x) < 1e-6 and abs(y - expected.geometry.y) < 1e-6
    assert link(feat, "self").endswith(f"/ogc/collections/locaties/items/{fid}")
    gem = strict_json(client.get("/ogc/collections/gemeenten/items/GM9901"))
    assert gem["geometry"]["type"] in ("Polygon", "MultiPolygon")
    r = client.get("/ogc/collections/locaties/items/L9999")
    assert r.status_code == 404 and "L9999" in r.json()["detail"]


@pytest.mark.parametrize("query", [
    "limit=abc", "limit=1.5", "limit=", "limit=0", "limit=-1", f"limit={MAX_LIMIT + 1}", "limit=1e3",
    "limit=99999999999999999999999999999", "limit=1&limit=2",
    "offset=-1", "offset=x", "offset=1.0",
    "bbox=1,2,3", "bbox=a,b,c,d", "bbox=5,53,4,54", "bbox=5,53,6,52", "bbox=nan,52,6,53",
    "bbox=5,52,inf,53", "bbox=1,2,3,4,5", "bbox=", "bbox=5;52;6;53", "bbox=200,52,201,53",
    "f=xml", "f=csv&limit=abc",
])
def test_malformed_parameters_are_400_never_500(client, query):
    r = client.get(f"/ogc/collections/locaties/items?{query}")
    assert r.status_code == 400, (query, r.status_code, r.text)
    detail = r.json()["detail"]
    assert isinstance(detail, str) and detail


def test_non_integer_limit_has_a_dutch_message(client):
    r = client.get("/ogc/collections/locaties/items", params={"limit": "tien"})
    assert r.status_code == 400
    assert "limit moet een geheel getal" in r.json()["detail"]
    r = client.get("/ogc/collections/locaties/items", params={"bbox": "5,53,4,54"})
    assert "omgekeerd" in r.json()["detail"]


def test_f_on_other_endpoints(client):
    assert client.get("/ogc/collections?f=json").status_code == 200
    assert client.get("/ogc/collections?f=csv").status_code == 400


def test_no_build_answers_503(tmp_path):
    with TestClient(make_app(tmp_path)) as c:
        for path in ("/ogc", "/ogc/collections", "/ogc/collections/gemeenten/items"):
            r = c.get(path)
            assert r.status_code == 503 and "wz build" in r.json()["detail"]


def test_openapi_describes_the_items_parameters(client):
    paths = client.get("/openapi.json").json()["paths"]
    op = paths["/ogc/collections/{collectionId}/items"]["get"]
    params = {p["name"]: p for p in op["parameters"]}
    assert {"collectionId", "bbox", "limit", "offset", "f"} <= set(params)
    assert params["limit"]["schema"]["maximum"] == MAX_LIMIT
    assert len(op["parameters"]) == len(params)            # no parameter listed twice
    assert "/ogc/collections/{collectionId}/items/{featureId}" in paths


# ---------------------------------------------------------------- CSV

def read_csv(r) -> pd.DataFrame:
    assert r.content.startswith(b"\xef\xbb\xbf")          # BOM: Excel reads UTF-8
    return pd.read_csv(io.BytesIO(r.content), sep=";", decimal=",", encoding="utf-8-sig",
                       dtype={"locatie_id": str, "postcode": str, "gemeentecode": str})


def test_csv_has_the_features_fields_and_a_point(client, demo_build, public_layers):
    r = client.get("/ogc/collections/locaties/items", params={"f": "csv", "limit": 1000})
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/csv")
    assert 'filename="locaties.csv"' in r.headers["content-disposition"]
    assert r.headers["content-disposition"].startswith("attachment")
    table = read_csv(r)
    expected = read_layer(demo_build, "locaties")
    names = [f["name"] for f in public_layers["locaties"]["fields"]]
    assert list(table.columns) == names + ["lon", "lat"]
    assert len(table) == len(expected)
    assert table["locatie_id"].tolist() == expected["locatie_id"].tolist()
    assert table["naam"].tolist() == expected["naam"].tolist()
    assert table["plaatsen_totaal"].tolist() == expected["plaatsen_totaal"].tolist()
    assert ((table["lon"] - expected.geometry.x).abs() < 1e-5).all()
    assert ((table["lat"] - expected.geometry.y).abs() < 1e-5).all()
    # plain pandas with only the separator also reads it (numbers with a decimal comma stay text)
    plain = pd.read_csv(io.BytesIO(r.content), sep=";", encoding="utf-8-sig")
    assert plain.shape == table.shape


def test_csv_uses_the_same_filter_and_page_as_geojson(client, demo_build):
    box = ",".join(f"{v:.6f}" for v in bboxes(demo_build)["over_de_rand"])
    params = {"bbox": box, "limit": 7, "offset": 7}
    doc = strict_json(client.get("/ogc/collections/locaties/items", params=params))
    table = read_csv(client.get("/ogc/collections/locaties/items", params={**params, "f": "csv"}))
    assert table["locatie_id"].tolist() == [f["id"] for f in doc["features"]]
    assert len(table) == 7
    gem = read_csv(client.get("/ogc/collections/gemeenten/items", params={"f": "csv"}))
    polygons = read_layer(demo_build, "gemeenten")
    assert gem["gemeentecode"].tolist() == polygons["gemeentecode"].tolist()
    distance = [geom.distance(shapely.Point(x, y)) for geom, x, y in zip(polygons.geometry, gem["lon"], gem["lat"])]
    assert max(distance) < 1e-5                             # the point lies in its own gemeente


# ---------------------------------------------------------------- QGIS

QGIS_SCRIPT = r"""
import json, os, sys
from qgis.core import QgsApplication, QgsVectorLayer
app = QgsApplication([], False)
app.initQgis()
layer = QgsVectorLayer("url='%s' typename='gemeenten'" % sys.argv[1], "g", "OAPIF")
out = {"valid": layer.isValid()}
if layer.isValid():
    out["count"] = layer.featureCount()
    out["iterated"] = sum(1 for _ in layer.getFeatures())
    out["fields"] = [f.name() for f in layer.fields()]
    out["crs"] = layer.crs().authid()
print(json.dumps(out))
sys.stdout.flush()
os._exit(0)   # QGIS's own teardown may crash headless
"""


def qgis_available() -> bool:
    if not Path(SYSTEM_PYTHON).exists():
        return False
    return subprocess.run([SYSTEM_PYTHON, "-c", "import qgis.core"], capture_output=True, check=False).returncode == 0


def test_qgis_loads_a_collection(request, tmp_path):
    import urllib.error
    import urllib.request

    if not qgis_available():
        pytest.skip("QGIS (Debian python3-qgis) is not installed: the OAPIF check in QGIS cannot run here")
    base = request.getfixturevalue("live_server")
    try:
        with urllib.request.urlopen(base + "/ogc", timeout=10) as r:
            assert r.status == 200
    except urllib.error.HTTPError as e:
        if e.code == 404:
            pytest.skip("wz serve does not serve /ogc yet: server/app.py has not included features_router")
        raise
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "XDG_RUNTIME_DIR": str(tmp_path)}
    os.chmod(tmp_path, 0o700)
    r = subprocess.run([SYSTEM_PYTHON, "-c", QGIS_SCRIPT, base + "/ogc"], capture_output=True, text=True,
                       env=env, timeout=180, check=False)
    assert r.returncode == 0, r.stderr[-2000:]
    out = json.loads(r.stdout.strip().splitlines()[-1])
    assert out["valid"], r.stderr[-2000:]
    assert out["count"] == 20 and out["iterated"] == 20
    assert "gemeentenaam" in out["fields"] and out["crs"] == "EPSG:4326"
