"""QGIS (QML) and SLD styles generated from the layer declarations, stored in the GeoPackage.

Ranges are written as rule-based styles with the viewer's exact semantics
(``min <= value < max``), categories as categorized styles; every style carries
the Dutch field aliases. Each classification of a layer becomes one style row
in the GeoPackage's ``layer_styles`` table; the first is the default, so QGIS
opens the layer already classified as the viewer shows it.
"""

from __future__ import annotations

import sqlite3
import xml.etree.ElementTree as ET
from pathlib import Path

from .spec import Classification, LayerSpec

QGIS_VERSION = "3.22.0-Białowieża"
OUTLINE = "#4d4d4d"
SLD_NS = {"": "http://www.opengis.net/sld", "ogc": "http://www.opengis.net/ogc",
          "xlink": "http://www.w3.org/1999/xlink", "xsi": "http://www.w3.org/2001/XMLSchema-instance"}


def _rgba(hex_color: str, alpha: int = 255) -> str:
    h = hex_color.lstrip("#")
    return f"{int(h[0:2], 16)},{int(h[2:4], 16)},{int(h[4:6], 16)},{alpha}"


def _options(parent: ET.Element, props: dict) -> None:
    """Symbol-layer properties in both the QGIS 3 ``Option`` map and the legacy ``prop`` form."""
    opt = ET.SubElement(parent, "Option", type="Map")
    for k, v in props.items():
        ET.SubElement(opt, "Option", type="QString", name=k, value=str(v))
    for k, v in props.items():
        ET.SubElement(parent, "prop", k=k, v=str(v))


def _symbol(parent: ET.Element, name: str, geometry_type: str, color: str, size_expr: str | None = None) -> None:
    kind = {"polygon": "fill", "point": "marker"}[geometry_type]
    sym = ET.SubElement(parent, "symbol", type=kind, name=name, alpha="1", clip_to_extent="1", force_rhr="0")
    if kind == "fill":
        layer = ET.SubElement(sym, "layer", {"class": "SimpleFill", "enabled": "1", "pass": "0", "locked": "0"})
        _options(layer, {"color": _rgba(color), "outline_color": _rgba(OUTLINE), "outline_style": "solid",
                         "outline_width": "0.3", "outline_width_unit": "MM", "style": "solid",
                         "joinstyle": "bevel"})
    else:
        layer = ET.SubElement(sym, "layer", {"class": "SimpleMarker", "enabled": "1", "pass": "0", "locked": "0"})
        _options(layer, {"color": _rgba(color), "outline_color": "255,255,255,255", "outline_style": "solid",
                         "outline_width": "0.3", "outline_width_unit": "MM", "name": "circle", "size": "2.6",
                         "size_unit": "MM", "scale_method": "diameter"})
        if size_expr:
            dd = ET.SubElement(layer, "data_defined_properties")
            m = ET.SubElement(dd, "Option", type="Map")
            ET.SubElement(m, "Option", type="QString", name="name", value="")
            props = ET.SubElement(m, "Option", type="Map", name="properties")
            size = ET.SubElement(props, "Option", type="Map", name="size")
            ET.SubElement(size, "Option", type="bool", name="active", value="true")
            ET.SubElement(size, "Option", type="QString", name="expression", value=size_expr)
            ET.SubElement(size, "Option", type="int", name="type", value="3")
            ET.SubElement(m, "Option", type="QString", name="type", value="collection")


def range_filter(field: str, lo, hi) -> str:
    """QGIS expression for ``lo <= field < hi`` (open ends allowed)."""
    parts = []
    if lo is not None:
        parts.append(f'"{field}" >= {lo!r}')
    if hi is not None:
        parts.append(f'"{field}" < {hi!r}')
    return " AND ".join(parts) if parts else f'"{field}" IS NOT NULL'


def qml(spec: LayerSpec, cl: Classification, aliases: dict[str, str]) -> str:
    """A QGIS style document for one classification of a layer."""
    root = ET.Element("qgis", version=QGIS_VERSION, styleCategories="Symbology|Labeling|Fields",
                      labelsEnabled="1" if spec.geometry_type == "polygon" else "0")
    size_expr = None
    if spec.geometry_type == "point" and spec.point_size_field:
        size_expr = f'coalesce(scale_linear(sqrt("{spec.point_size_field}"), 0, 12, 1.6, 5.2), 1.6)'
    if cl.kind == "classes":
        r = ET.SubElement(root, "renderer-v2", type="RuleRenderer", symbollevels="0", enableorderby="0",
                          forceraster="0")
        rules = ET.SubElement(r, "rules", key="root")
        symbols = ET.SubElement(r, "symbols")
        for k, c in enumerate(cl.classes):
            ET.SubElement(rules, "rule", key=f"klasse{k}", symbol=str(k), label=c.label,
                          filter=range_filter(cl.field, c.min, c.max))
            _symbol(symbols, str(k), spec.geometry_type, c.color, size_expr)
        n = len(cl.classes)
        ET.SubElement(rules, "rule", key="geen_gegevens", symbol=str(n), label=cl.no_data_label,
                      filter=f'"{cl.field}" IS NULL')
        _symbol(symbols, str(n), spec.geometry_type, cl.no_data_color, size_expr)
    else:
        r = ET.SubElement(root, "renderer-v2", type="categorizedSymbol", attr=cl.field, symbollevels="0",
                          enableorderby="0", forceraster="0")
        cats = ET.SubElement(r, "categories")
        symbols = ET.SubElement(r, "symbols")
        for k, c in enumerate(cl.classes):
            ET.SubElement(cats, "category", value=str(c.value), symbol=str(k), label=c.label, render="true")
            _symbol(symbols, str(k), spec.geometry_type, c.color, size_expr)
        n = len(cl.classes)
        ET.SubElement(cats, "category", value="", symbol=str(n), label=cl.no_data_label, render="true")
        _symbol(symbols, str(n), spec.geometry_type, cl.no_data_color, size_expr)
        src = ET.SubElement(r, "source-symbol")
        _symbol(src, "0", spec.geometry_type, cl.no_data_color, size_expr)
    if spec.geometry_type == "polygon":
        lab = ET.SubElement(root, "labeling", type="simple")
        settings = ET.SubElement(lab, "settings", calloutType="simple")
        ET.SubElement(settings, "text-style", fieldName=spec.label_field, fontSize="8", fontFamily="Sans Serif",
                      textColor="25,25,25,255", isExpression="0", fontWeight="50", textOpacity="1")
        ET.SubElement(settings, "text-buffer", bufferDraw="1", bufferSize="0.8", bufferSizeUnits="MM",
                      bufferColor="255,255,255,255", bufferOpacity="0.8")
        ET.SubElement(settings, "placement", placement="0", centroidInside="1", centroidWhole="0")
        ET.SubElement(settings, "rendering", scaleVisibility="0", obstacle="1", displayAll="0")
    al = ET.SubElement(root, "aliases")
    for i, f in enumerate(spec.fields):
        ET.SubElement(al, "alias", field=f.name, index=str(i), name=aliases.get(f.name, f.alias))
    ET.SubElement(root, "layerGeometryType").text = "2" if spec.geometry_type == "polygon" else "0"
    return "<!DOCTYPE qgis PUBLIC 'http://mrcc.com/qgis.dtd' 'SYSTEM'>\n" + ET.tostring(root, encoding="unicode")


def sld(spec: LayerSpec, cl: Classification, title: str) -> str:
    """An SLD 1.0 style for one classification (same classes and colours as the QML)."""
    for prefix, uri in SLD_NS.items():
        ET.register_namespace(prefix, uri)
    S, O = "{%s}" % SLD_NS[""], "{%s}" % SLD_NS["ogc"]
    root = ET.Element(S + "StyledLayerDescriptor", version="1.0.0")
    nl = ET.SubElement(root, S + "NamedLayer")
    ET.SubElement(nl, S + "Name").text = spec.id
    us = ET.SubElement(nl, S + "UserStyle")
    ET.SubElement(us, S + "Name").text = f"{spec.id}_{cl.field}"
    ET.SubElement(us, S + "Title").text = title
    fts = ET.SubElement(us, S + "FeatureTypeStyle")

    def prop(tag, value):
        p = ET.SubElement(tag, O + "PropertyName")
        p.text = cl.field
        ET.SubElement(tag, O + "Literal").text = str(value)

    def symbolizer(rule, color):
        if spec.geometry_type == "polygon":
            sym = ET.SubElement(rule, S + "PolygonSymbolizer")
            fill = ET.SubElement(sym, S + "Fill")
            ET.SubElement(fill, S + "CssParameter", name="fill").text = color
            stroke = ET.SubElement(sym, S + "Stroke")
            ET.SubElement(stroke, S + "CssParameter", name="stroke").text = OUTLINE
            ET.SubElement(stroke, S + "CssParameter", name="stroke-width").text = "0.5"
        else:
            sym = ET.SubElement(rule, S + "PointSymbolizer")
            g = ET.SubElement(sym, S + "Graphic")
            mark = ET.SubElement(g, S + "Mark")
            ET.SubElement(mark, S + "WellKnownName").text = "circle"
            fill = ET.SubElement(mark, S + "Fill")
            ET.SubElement(fill, S + "CssParameter", name="fill").text = color
            ET.SubElement(g, S + "Size").text = "8"

    for c in cl.classes:
        rule = ET.SubElement(fts, S + "Rule")
        ET.SubElement(rule, S + "Name").text = c.label
        ET.SubElement(rule, S + "Title").text = c.label
        flt = ET.SubElement(rule, O + "Filter")
        if cl.kind == "categories":
            prop(ET.SubElement(flt, O + "PropertyIsEqualTo"), c.value)
        else:
            conds = []
            if c.min is not None:
                conds.append(("PropertyIsGreaterThanOrEqualTo", c.min))
            if c.max is not None:
                conds.append(("PropertyIsLessThan", c.max))
            holder = ET.SubElement(flt, O + "And") if len(conds) > 1 else flt
            for op, v in conds:
                prop(ET.SubElement(holder, O + op), v)
        symbolizer(rule, c.color)
    rule = ET.SubElement(fts, S + "Rule")
    ET.SubElement(rule, S + "Name").text = cl.no_data_label
    ET.SubElement(rule, S + "Title").text = cl.no_data_label
    flt = ET.SubElement(rule, O + "Filter")
    isnull = ET.SubElement(flt, O + "PropertyIsNull")
    ET.SubElement(isnull, O + "PropertyName").text = cl.field
    symbolizer(rule, cl.no_data_color)
    return ET.tostring(root, encoding="unicode", xml_declaration=True)


LAYER_STYLES_SQL = """
CREATE TABLE IF NOT EXISTS layer_styles (
  id INTEGER PRIMARY KEY AUTOINCREMENT, f_table_catalog TEXT(256), f_table_schema TEXT(256),
  f_table_name TEXT(256), f_geometry_column TEXT(256), styleName TEXT(30), styleQML TEXT, styleSLD TEXT,
  useAsDefault BOOLEAN, description TEXT, owner TEXT(30), ui TEXT(30),
  update_time DATETIME DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')))
"""
DATA_COLUMNS_SQL = """
CREATE TABLE IF NOT EXISTS gpkg_data_columns (
  table_name TEXT NOT NULL, column_name TEXT NOT NULL, name TEXT, title TEXT, description TEXT,
  mime_type TEXT, constraint_name TEXT, CONSTRAINT pk_gdc PRIMARY KEY (table_name, column_name))
"""
CONSTRAINTS_SQL = """
CREATE TABLE IF NOT EXISTS gpkg_data_column_constraints (
  constraint_name TEXT NOT NULL, constraint_type TEXT NOT NULL, value TEXT, min NUMERIC,
  min_is_inclusive BOOLEAN, max NUMERIC, max_is_inclusive BOOLEAN, description TEXT,
  CONSTRAINT gdcc_ntv UNIQUE (constraint_name, constraint_type, value))
"""


def write_gpkg_metadata(gpkg: Path, spec: LayerSpec, fields: list[dict], legends: list[dict],
                        classifications: list[Classification]) -> None:
    """Field aliases and descriptions (``gpkg_data_columns``) and one style row per classification."""
    aliases = {f["name"]: (f"{f['alias']} ({f['unit']})" if f["unit"] else f["alias"]) for f in fields}
    con = sqlite3.connect(gpkg)
    try:
        cur = con.cursor()
        cur.execute(DATA_COLUMNS_SQL)
        cur.execute(CONSTRAINTS_SQL)
        for table in ("gpkg_data_columns", "gpkg_data_column_constraints"):
            cur.execute("SELECT 1 FROM gpkg_extensions WHERE table_name=? AND extension_name='gpkg_schema'", (table,))
            if not cur.fetchone():
                cur.execute("INSERT INTO gpkg_extensions(table_name, column_name, extension_name, definition, scope) "
                            "VALUES (?, NULL, 'gpkg_schema', 'http://www.geopackage.org/spec/#extension_schema', "
                            "'read-write')", (table,))
        for f in fields:
            lw = f.get("leeswijzer")
            desc = f"{lw['uitleg']} Bron: {lw['bron']}; peildatum: {lw['peildatum']}." if lw else None
            cur.execute("INSERT OR REPLACE INTO gpkg_data_columns(table_name, column_name, name, title, description)"
                        " VALUES (?, ?, ?, ?, ?)", (spec.id, f["name"], aliases[f["name"]], aliases[f["name"]], desc))
        cur.execute(LAYER_STYLES_SQL)
        cur.execute("SELECT 1 FROM gpkg_contents WHERE table_name='layer_styles'")
        if not cur.fetchone():
            cur.execute("INSERT INTO gpkg_contents(table_name, data_type, identifier, description, last_change) "
                        "VALUES ('layer_styles', 'attributes', 'layer_styles', 'QGIS-stijlen', "
                        "strftime('%Y-%m-%dT%H:%M:%fZ','now'))")
        cur.execute("SELECT column_name FROM gpkg_geometry_columns WHERE table_name=?", (spec.id,))
        geom_col = cur.fetchone()[0]
        for k, (cl, legend) in enumerate(zip(classifications, legends)):
            cur.execute(
                "INSERT INTO layer_styles(f_table_catalog, f_table_schema, f_table_name, f_geometry_column, styleName,"
                " styleQML, styleSLD, useAsDefault, description, owner, ui) VALUES ('', '', ?, ?, ?, ?, ?, ?, ?, '', '')",
                (spec.id, geom_col, f"{spec.title} - {legend['title']}", qml(spec, cl, aliases),
                 sld(spec, cl, legend["title"]), 1 if k == 0 else 0,
                 f"{spec.title} gekleurd naar {legend['title']} (Wonen en Zorg 2040)"))
        con.commit()
    finally:
        con.close()
