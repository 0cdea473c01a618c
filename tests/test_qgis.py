"""GIS staff's view: the GeoPackage opened in headless QGIS is styled as declared (skips without QGIS)."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest

from geo.settings import Settings
from layers.publish import field_dicts, gpkg_name
from layers.registry import RASTERS, load_registry

SYSTEM_PYTHON = "/usr/bin/python3"
SCRIPT = Path(__file__).with_name("qgis_check.py")


def qgis_available() -> bool:
    if not Path(SYSTEM_PYTHON).exists():
        return False
    r = subprocess.run([SYSTEM_PYTHON, "-c", "import qgis.core"], capture_output=True)
    return r.returncode == 0


@pytest.fixture(scope="module")
def qgis_report(demo_build, tmp_path_factory):
    if not qgis_available():
        pytest.skip("QGIS (Debian python3-qgis) is not installed: the headless QGIS check cannot run here")
    png = tmp_path_factory.mktemp("qgis") / "qgis.png"
    names = [f"{demo_build / gpkg_name(s)}::{s.id}" for s in load_registry()] + [str(demo_build / r.file)
                                                                                 for r in RASTERS]
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "XDG_RUNTIME_DIR": str(png.parent)}
    r = subprocess.run([SYSTEM_PYTHON, str(SCRIPT), str(png), *names],
                       capture_output=True, text=True, env=env, timeout=300)
    assert r.returncode == 0, r.stderr[-2000:]
    return json.loads(r.stdout), png


@pytest.mark.parametrize("spec", load_registry(), ids=lambda s: s.id)
def test_layer_opens_styled_with_the_declared_classes(qgis_report, spec):
    report, _ = qgis_report
    info = report[spec.id]
    assert info["valid"]
    default = spec.classifications(Settings())[0]
    expected = [[c.label, c.color] for c in default.classes] + [[default.no_data_label, default.no_data_color]]
    assert info["classes"] == expected
    assert info["renderer"] == ("RuleRenderer" if default.kind == "classes" else "categorizedSymbol")
    assert len(info["styles"]) == len(spec.classifications(Settings()))
    for f in field_dicts(spec, Settings()):
        alias = f"{f['alias']} ({f['unit']})" if f["unit"] else f["alias"]
        assert info["aliases"][f["name"]] == alias
    assert info["labels"] == (spec.geometry_type == "polygon")


def test_qgis_rendering_shows_the_choropleth(qgis_report):
    """The rendered map holds the default legend's colours (not a blank or single-colour image)."""
    from PIL import Image

    _, png = qgis_report
    img = Image.open(png).convert("RGB")
    colours = {"#%02x%02x%02x" % p for p in img.getdata()}
    legend = {c.color for c in load_registry()[0].classifications(Settings())[0].classes}
    assert len(legend & colours) >= 3


@pytest.mark.parametrize("raster", RASTERS, ids=lambda r: r.id)
def test_raster_opens_with_its_palette(qgis_report, raster):
    report, _ = qgis_report
    info = report[raster.id]
    assert info["valid"] and info["renderer"] == "paletted"
    cl = raster.classifications(Settings())[0]
    assert info["classes"] == [[k.label, k.color] for k in cl.classes]
