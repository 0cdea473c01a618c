"""The MapLibre style generated from the declarations: valid per the style spec, same classes as the legend."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from layers.maplibre import colour_expression
from server.app import create_app
from server.settings import ROOT, ServerSettings

VALIDATOR = ROOT / "static" / "node_modules" / "@maplibre" / "maplibre-gl-style-spec" / "dist" / "gl-style-validate.mjs"


@pytest.fixture(scope="module")
def style(demo_build):
    with TestClient(create_app(ServerSettings(build_dir=demo_build))) as c:
        r = c.get("/api/style.json")
        assert r.status_code == 200
        return r.json(), c.get("/api/catalog").json()


def test_style_passes_the_maplibre_validator(style, tmp_path):
    if not VALIDATOR.exists() or not shutil.which("node"):
        pytest.fail("the style validator is installed by 'make test' (npm ci in static/); run that first")
    path = tmp_path / "style.json"
    path.write_text(json.dumps(style[0]))
    r = subprocess.run(["node", str(VALIDATOR), str(path)], capture_output=True, text=True)
    assert r.returncode == 0 and not r.stdout.strip(), r.stdout + r.stderr


def test_style_layers_follow_the_catalog(style):
    st, cat = style
    assert set(st["sources"]) == {l["id"] for l in cat["layers"]}
    for src in st["sources"].values():
        assert src["url"].startswith("http://testserver/tiles/") and src["url"].endswith(".json")
    gem = next(l for l in st["layers"] if l["id"] == "gemeenten-vlak")
    legend = next(l for l in cat["layers"] if l["id"] == "gemeenten")["legend"]
    default = legend["indicators"][0]
    expr = gem["paint"]["fill-color"]
    # ["case", [is number], ["step", value, c0, l1, c1, ...], no_data]
    step = expr[2]
    assert step[2] == default["classes"][0]["color"]
    assert step[3::2] == [c["min"] for c in default["classes"][1:]]
    assert step[4::2] == [c["color"] for c in default["classes"][1:]]
    assert expr[3] == default["no_data"]["color"]


def test_category_expression():
    ind = {"field": "sector", "kind": "categories", "no_data": {"color": "#ccc"},
           "classes": [{"value": "V&V", "color": "#f00"}, {"value": "GZ", "color": "#00f"}]}
    assert colour_expression(ind) == ["match", ["get", "sector"], "V&V", "#f00", "GZ", "#00f", "#ccc"]
