"""The map server's answers: status codes, caching headers, CORS, static files."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from server.app import create_app
from server.settings import ServerSettings


def first_tile(client, z=10):
    from tests.test_end_to_end import lonlat_to_tile

    lon, lat = client.get("/api/gemeenten").json()[0]["label_point"]
    return (z, *lonlat_to_tile(lon, lat, z))


def test_health(client):
    r = client.get("/health")
    assert r.status_code == 200 and r.json()["status"] == "ok"


@pytest.mark.parametrize("path,status", [
    ("/tiles/gemeenten/a/1/1.pbf", 400),
    ("/tiles/gemeenten/10/1/x.pbf", 400),
    ("/tiles/gemeenten/10/1/1.png", 400),
    ("/tiles/gemeenten/-1/0/0.pbf", 400),
    ("/tiles/gemeenten/2/4/0.pbf", 400),       # x >= 2^z
    ("/tiles/gemeenten/2/0/0.pbf", 404),       # below the layer's minzoom
    ("/tiles/gemeenten/20/0/0.pbf", 404),      # above its maxzoom
    ("/tiles/gemeenten/8/0/0.pbf", 404),       # outside its bounds
    ("/tiles/bestaatniet/8/0/0.pbf", 404),
    ("/tiles/..%2F..%2Fetc%2Fpasswd/1/0/0.pbf", 404),
    ("/tiles/bestaatniet.json", 404),
])
def test_tile_errors(client, path, status):
    r = client.get(path)
    assert r.status_code == status
    assert "detail" in r.json()


def test_tile_etag_304_and_cache_headers(client):
    z, x, y = first_tile(client)
    r = client.get(f"/tiles/gemeenten/{z}/{x}/{y}.mvt")
    assert r.status_code == 200
    etag = r.headers["etag"]
    assert "max-age" in r.headers["cache-control"]
    r2 = client.get(f"/tiles/gemeenten/{z}/{x}/{y}", headers={"If-None-Match": etag})
    assert r2.status_code == 304 and r2.content == b""
    r3 = client.get(f"/tiles/gemeenten/{z}/{x}/{y}.pbf", headers={"If-None-Match": '"other"'})
    assert r3.status_code == 200


def test_empty_tile_inside_bounds_is_204(client, demo_build):
    """A tile inside the layer's bounds but without features (a corner of the bbox) answers 204."""
    import json

    from tests.test_end_to_end import lonlat_to_tile

    cat = json.loads((demo_build / "catalog.json").read_text())
    loc = next(l for l in cat["layers"] if l["id"] == "locaties")
    w, s, e, n = loc["bounds"]
    z = loc["maxzoom"]
    statuses = set()
    for lon, lat in ((w, s), (w, n), (e, s), (e, n)):
        x, y = lonlat_to_tile(lon, lat, z)
        for dx in (-1, 0, 1):
            statuses.add(client.get(f"/tiles/locaties/{z}/{x + dx}/{y}.pbf").status_code)
    assert 204 in statuses


def test_cors_allows_any_origin(client):
    z, x, y = first_tile(client)
    r = client.get(f"/tiles/gemeenten/{z}/{x}/{y}.pbf", headers={"Origin": "https://kaart.example.nl"})
    assert r.headers["access-control-allow-origin"] == "*"


def test_viewer_and_vendor_files(client):
    r = client.get("/")
    assert r.status_code == 200 and "text/html" in r.headers["content-type"]
    r = client.get("/vendor/leaflet/dist/leaflet.js")
    assert r.status_code == 200 and b"Leaflet" in r.content[:300]
    assert client.get("/vendor/leaflet/../../package.json").status_code == 404
    assert client.get("/vendor/leaflet/%2e%2e/%2e%2e/package.json").status_code == 404
    assert client.get("/vendor/not-a-dependency/index.js").status_code == 404
    assert client.get("/static/docs.js").status_code == 200  # the /docs start script (the viewer's files change)
    assert client.get("/static/node_modules/leaflet/package.json").status_code == 404
    assert client.get("/static/%2e%2e/pyproject.toml").status_code == 404


def test_no_build_answers_503(tmp_path):
    with TestClient(create_app(ServerSettings(build_dir=tmp_path))) as c:
        r = c.get("/health")
        assert r.status_code == 503 and r.json()["status"] == "geen build"
        r = c.get("/api/catalog")
        assert r.status_code == 503 and "wz build" in r.json()["detail"]


def test_openapi_lists_the_endpoints(client):
    paths = client.get("/openapi.json").json()["paths"]
    for p in ("/tiles/{layer}/{z}/{x}/{y}", "/tiles/{layer}.json", "/api/catalog", "/api/gemeenten", "/health"):
        assert p in paths


def test_every_stored_tile_is_served(client, demo_build):
    """Every tile in the archive answers 200, also tippecanoe's buffer tiles just beyond the layer's bounds."""
    from pmtiles.reader import MmapSource, all_tiles

    with open(demo_build / "tiles" / "gemeenten.pmtiles", "rb") as fh:
        stored = [zxy for zxy, _ in all_tiles(MmapSource(fh))]
    statuses = {client.get(f"/tiles/gemeenten/{z}/{x}/{y}.pbf").status_code for z, x, y in stored}
    assert statuses == {200}


def test_gemeente_facts_beside_the_region(client, demo_build):
    import json

    import geopandas as gpd

    gem = gpd.read_file(demo_build / "wonenzorg.gpkg", layer="gemeenten").set_index("gemeentecode")
    vv = gpd.read_file(demo_build / "wonenzorg.gpkg", layer="zorg_vv").set_index("gemeentecode")
    region = next(l for l in json.loads((demo_build / "catalog.json").read_text())["layers"]
                  if l["id"] == "gemeenten")["region_values"]
    code = gem["inwoners"].idxmax()
    facts = client.get(f"/api/gemeenten/{code}").json()
    assert facts["gemeentenaam"] == gem.at[code, "gemeentenaam"]
    assert facts["sector"] == "vv" and facts["sectoren"] == ["vv", "gz", "ggz"]
    ind = {i["field"]: i for i in facts["indicatoren"]}
    share = ind["aandeel_75plus"]
    assert share["value"] == pytest.approx(gem.at[code, "aandeel_75plus"])
    assert share["region"] == pytest.approx(region["aandeel_75plus"])
    expected = "hoger" if round(share["value"], 1) > round(share["region"], 1) else (
        "lager" if round(share["value"], 1) < round(share["region"], 1) else "gelijk")
    assert share["comparison"] == expected
    assert {g["zzp_groep"] for g in facts["tekort"]} == {"ZZP 4", "ZZP 5-7", "ZZP 6-8", "overig"}
    by_group = {g["zzp_groep"]: g["tekort"] for g in facts["tekort"]}
    assert by_group["ZZP 5-7"] == pytest.approx(vv.at[code, "tekort_zzp5_7"])
    use = facts["zorggebruik"]
    assert [r["jaar"] for r in use] == [2020, 2021, 2022, 2023]
    last = use[-1]
    assert last["gebruik"] == pytest.approx(vv.at[code, "gebruik"], abs=0.01)
    assert [r["jaar"] for r in facts["zorggebruik_regio"]] == [2020, 2021, 2022, 2023]
    # the forecast for the map's year and scenario (all of it: tests/test_api_forecast.py)
    assert facts["prognose"]["jaar"] == 2040 and len(facts["prognose"]["tekort"]) == 4
    assert facts["prognose"]["tekort_totaal"] == pytest.approx(vv.at[code, "tekort_totaal"], abs=0.52)
    # another sector: its groups and its figures
    gz = client.get(f"/api/gemeenten/{code}?sector=gz").json()
    assert [g["zzp_groep"] for g in gz["tekort"]] == ["lichte zorgprofielen", "zwaardere zorgprofielen"]
    assert len(gz["prognose"]["tekort"]) == 2 and {r["sector"] for r in gz["zorggebruik"]} == {"gz"}
    assert client.get(f"/api/gemeenten/{code}?sector=jz").status_code == 400
    assert facts["reeks"]["jaren"] == list(range(2023, 2041))


@pytest.mark.parametrize("code,status", [("GM0001", 404), ("gm9901", 400), ("GM99011", 400), ("x", 400)])
def test_gemeente_facts_errors(client, code, status):
    assert client.get(f"/api/gemeenten/{code}").status_code == status


def test_gemeente_downloads_follow_the_asked_sector(client):
    links = client.get("/api/gemeenten/GM9902?sector=ggz").json()["downloads"]
    assert links[0]["href"] == "/api/gemeenten/GM9902/prognose.csv?sector=ggz" and "GGZ" in links[0]["title"]
    rows = client.get(links[0]["href"]).content.decode("utf-8-sig").splitlines()
    assert rows[1:] and all(r.startswith("ggz;") for r in rows[1:])
    assert client.get(links[1]["href"]).status_code == 200
