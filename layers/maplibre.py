"""A MapLibre GL style generated from the catalog (the layers' declarations), for web clients and QGIS."""

from __future__ import annotations

BACKGROUND = "#eef0f2"


def colour_expression(indicator: dict) -> list:
    """MapLibre expression with the legend's exact classes: ranges ``min <= v < max``, categories by value."""
    field = ["get", indicator["field"]]
    no_data = indicator["no_data"]["color"]
    classes = indicator["classes"]
    if indicator["kind"] == "categories":
        expr: list = ["match", field]
        for c in classes:
            expr += [c["value"], c["color"]]
        return expr + [no_data]
    step: list = ["step", field, classes[0]["color"]]
    for c in classes[1:]:
        step += [c["min"], c["color"]]
    return ["case", ["==", ["typeof", field], "number"], step, no_data]


def style_json(catalog: dict, base_url: str) -> dict:
    """Style document (version 8): each public layer's default legend, drawn in the catalog's order."""
    base = base_url.rstrip("/")
    style = {
        "version": 8,
        "name": f"{catalog['title']} - {catalog['region']}",
        "metadata": {"wonenzorg:region": catalog["region"]},
        "center": catalog["center"],
        "zoom": 9,
        "sources": {},
        "layers": [{"id": "achtergrond", "type": "background", "paint": {"background-color": BACKGROUND}}],
    }
    for layer in catalog["layers"]:
        if not layer.get("public", True):
            continue
        lid = layer["id"]
        style["sources"][lid] = {"type": "vector", "url": f"{base}/tiles/{lid}.json",
                                 "attribution": catalog.get("attribution", "")}
        legend = layer["legend"]
        default = next(i for i in legend["indicators"] if i["field"] == legend["default"])
        visible = "visible" if layer.get("in_viewer", True) else "none"
        common = {"source": lid, "source-layer": lid, "minzoom": layer["minzoom"],
                  "layout": {"visibility": visible}, "metadata": {"wonenzorg:legend": default["title"]}}
        if layer["geometry_type"] == "polygon":
            style["layers"].append({"id": f"{lid}-vlak", "type": "fill", **common,
                                    "paint": {"fill-color": colour_expression(default), "fill-opacity": 0.85}})
            style["layers"].append({"id": f"{lid}-rand", "type": "line", **common,
                                    "paint": {"line-color": "#4d4d4d", "line-width": 0.8}})
        else:
            size = legend.get("size_field")
            radius = (["interpolate", ["linear"], ["sqrt", ["coalesce", ["get", size], 0]], 0, 3, 12, 10]
                      if size else 5)
            style["layers"].append({"id": f"{lid}-punt", "type": "circle", **common,
                                    "paint": {"circle-color": colour_expression(default), "circle-radius": radius,
                                              "circle-stroke-color": "#ffffff", "circle-stroke-width": 1}})
    return style
