"""The viewer's declarations in the catalog: themes, forecast controls and downloads."""

from __future__ import annotations

import json

from geo.settings import Settings
from layers.registry import load_registry
from layers.themes import THEMES, Indicator, Theme, theme_problems


def test_every_indicator_of_every_theme_has_a_legend():
    specs = {s.id: s for s in load_registry()}
    assert theme_problems(specs, Settings()) == []
    assert [t.title for t in THEMES] == ["Demografie", "Wonen", "Zorg"]


def test_an_indicator_without_a_legend_is_reported(monkeypatch):
    import layers.themes as themes

    specs = {s.id: s for s in load_registry()}
    bad = (Theme("x", "X", (Indicator("geen", "Geen", {"wijk": ("wijken", "tekort_totaal")}),
                            Indicator("laag", "Laag", {"gemeente": ("bestaat_niet", "inwoners")}))),)
    monkeypatch.setattr(themes, "THEMES", bad)
    problems = themes.theme_problems(specs, Settings())
    assert any("geen legenda voor 'wijken.tekort_totaal'" in p for p in problems)
    assert any("onbekende laag 'bestaat_niet'" in p for p in problems)


def test_catalog_tells_the_viewer_years_scenarios_groups_and_downloads(demo_build):
    cat = json.loads((demo_build / "catalog.json").read_text())
    fc = cat["forecast"]
    assert fc["years"] == list(range(2023, 2041)) and fc["base_year"] == 2023
    assert [s["id"] for s in fc["demand_scenarios"]] == ["min", "midden", "max"]
    assert [s["id"] for s in fc["leveringsvorm_scenarios"]] == [1, 2, 3, 4]
    assert all(s["uitleg"] for s in fc["demand_scenarios"] + fc["leveringsvorm_scenarios"])
    assert "groups" not in fc and "client_groups" not in fc, "the groups are per sector now"
    assert fc["headline"] == {"jaar": 2040, "vraag": "midden", "levering": 1}
    # every download is a file of the build, and none is confidential
    internal = {l["gpkg"] for l in cat["layers"] if not l["public"]}
    for d in cat["downloads"]:
        assert (demo_build / d["file"]).is_file(), d
        assert d["file"] not in internal and "intern" not in d["file"]
    # the themes' fields exist in the catalog's layers, with a legend there (for an indicator of the
    # sectors: in the layer of every sector)
    layers = {l["id"]: l for l in cat["layers"]}
    for theme in cat["themes"]:
        for ind in theme["indicators"]:
            for level in ind["levels"].values():
                assert ind["per_sector"] == ("{sector}" in level["layer"]), (theme["id"], ind["id"])
                names = [level["layer"].replace("{sector}", s["id"]) for s in cat["sectors"]] if ind["per_sector"] \
                    else [level["layer"]]
                for name in names:
                    legend = layers[name]["legend"]["indicators"]
                    assert any(i["field"] == level["field"] for i in legend), (theme["id"], ind["id"], name)


def test_catalog_tells_the_viewer_the_sectors_their_groups_texts_and_layers(demo_build):
    """What the viewer's sector switch, legends and panel are built from (docs/viewer-api.md)."""
    cat = json.loads((demo_build / "catalog.json").read_text())
    sectors = cat["sectors"]
    assert [s["id"] for s in sectors] == ["vv", "gz", "ggz"], "the first is the default"
    layers = {l["id"]: l for l in cat["layers"]}
    group_ids = [g["id"] for s in sectors for g in s["groups"]]
    assert len(group_ids) == len(set(group_ids)), "group ids are unique over the sectors"
    for s in sectors:
        assert s["short"] and s["label"] and s["color"].startswith("#")
        assert {"explanation", "client_groups", "clients", "rate"} <= set(s["texts"])
        assert s["texts"]["explanation"].lower().startswith(s["label"].lower())
        assert set(s["client_groups"]) <= {g["id"] for g in s["groups"]}
        assert all(g["label"] and g["color"].startswith("#") for g in s["groups"])
        layer = layers[s["layer"]]
        assert s["layer"] == f"zorg_{s['id']}" and layer["sector"] == s["id"] and layer["geometry_type"] == "polygon"
        fields = {f["name"] for f in layer["fields"]}
        assert {f"tekort_{g['id']}" for g in s["groups"]} <= fields
        assert s["short"] in next(i["title"] for i in layer["legend"]["indicators"] if i["field"] == "tekort_totaal")
        assert set(cat["region_values"][s["id"]]) >= {"clienten", "tekort_totaal"}
    # the demographic layers are the same for every sector
    assert layers["gemeenten"]["sector"] is None and layers["wijken"]["sector"] is None
    assert not {"tekort_totaal", "clienten"} & {f["name"] for f in layers["gemeenten"]["fields"]}
    zorg = next(t for t in cat["themes"] if t["id"] == "zorg")
    assert all(i["per_sector"] and i["levels"]["gemeente"]["layer"] == "zorg_{sector}" for i in zorg["indicators"])
    assert not any(i["per_sector"] for t in cat["themes"] if t["id"] != "zorg" for i in t["indicators"])
