"""Styles in the GeoPackage: one row per declared classification, QML and SLD naming its classes and colours."""

from __future__ import annotations

import sqlite3
import xml.etree.ElementTree as ET

import pyogrio
import pytest

from geo.settings import Settings
from layers.publish import gpkg_name
from layers.registry import load_registry
from layers.spec import LegendClass
from layers.styles import range_filter


def rgba(hex_color: str) -> str:
    h = hex_color.lstrip("#")
    return ",".join(str(int(h[i:i + 2], 16)) for i in (0, 2, 4)) + ",255"


@pytest.fixture(scope="module")
def styles(demo_build):
    rows = []
    for name in {gpkg_name(s) for s in load_registry()}:
        con = sqlite3.connect(demo_build / name)
        rows += con.execute("SELECT f_table_name, styleName, styleQML, styleSLD, useAsDefault FROM layer_styles "
                            "ORDER BY id").fetchall()
        con.close()
    return rows


def test_gpkg_opens_with_pyogrio(demo_build):
    for spec in load_registry():
        assert spec.id in dict(pyogrio.list_layers(demo_build / gpkg_name(spec)))
        info = pyogrio.read_info(demo_build / gpkg_name(spec), layer=spec.id)
        assert info["crs"] == "EPSG:28992"


@pytest.mark.parametrize("spec", load_registry(), ids=lambda s: s.id)
def test_every_classification_has_a_style_row(styles, spec):
    rows = [r for r in styles if r[0] == spec.id]
    cls = spec.classifications(Settings())
    assert len(rows) == len(cls)
    assert [r[4] for r in rows] == [1] + [0] * (len(cls) - 1)  # the first is the default
    for (_, name, qml, sld, _), cl in zip(rows, cls):
        doc = ET.fromstring(qml.split("\n", 1)[1])
        symbols = {s.get("name"): s for s in doc.find("renderer-v2/symbols")}

        def colour(sym_name):
            layer = symbols[sym_name].find("layer")
            return next(o.get("value") for o in layer.find("Option") if o.get("name") == "color")

        expected = list(cl.classes) + [LegendClass(color=cl.no_data_color, label=cl.no_data_label)]
        if cl.kind == "classes":
            rules = list(doc.iter("rule"))
            assert [r.get("label") for r in rules] == [c.label for c in expected]
            assert [colour(r.get("symbol")) for r in rules] == [rgba(c.color) for c in expected]
            assert rules[0].get("filter") == range_filter(cl.field, cl.classes[0].min, cl.classes[0].max)
        else:
            cats = list(doc.iter("category"))
            assert [c.get("label") for c in cats] == [c.label for c in expected]
            assert [colour(c.get("symbol")) for c in cats] == [rgba(c.color) for c in expected]
            assert [c.get("value") for c in cats[:-1]] == [str(c.value) for c in cl.classes]
        aliases = {a.get("field"): a.get("name") for a in doc.iter("alias")}
        assert set(aliases) == {f.name for f in spec.fields}
        sld_doc = ET.fromstring(sld.encode())
        ns = {"sld": "http://www.opengis.net/sld"}
        rule_titles = [t.text for t in sld_doc.findall(".//sld:Rule/sld:Title", ns)]
        assert rule_titles == [c.label for c in expected]
        fills = [p.text for p in sld_doc.findall(".//sld:Fill/sld:CssParameter", ns)]
        assert fills == [c.color for c in expected]


def test_field_descriptions_in_gpkg_data_columns(demo_build):
    con = sqlite3.connect(demo_build / "wonenzorg.gpkg")
    rows = dict(((t, c), (n, d)) for t, c, n, d in
                con.execute("SELECT table_name, column_name, name, description FROM gpkg_data_columns"))
    ext = con.execute("SELECT count(*) FROM gpkg_extensions WHERE extension_name='gpkg_schema'").fetchone()[0]
    con.close()
    assert ext == 2
    name, desc = rows[("gemeenten", "aandeel_75plus")]
    assert name == "Aandeel 75-plussers (%)"
    assert "Bron: CBS" in desc and "peildatum: 1 januari 2023" in desc
