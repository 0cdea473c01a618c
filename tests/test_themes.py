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
    assert [g["label"] for g in fc["groups"]] == ["ZZP 4", "ZZP 5-7", "ZZP 6-8", "overig"]
    assert fc["headline"] == {"jaar": 2040, "vraag": "midden", "levering": 1}
    # every download is a file of the build, and none is confidential
    internal = {l["gpkg"] for l in cat["layers"] if not l["public"]}
    for d in cat["downloads"]:
        assert (demo_build / d["file"]).is_file(), d
        assert d["file"] not in internal and "intern" not in d["file"]
    # the themes' fields exist in the catalog's layers, with a legend there
    layers = {l["id"]: l for l in cat["layers"]}
    for theme in cat["themes"]:
        for ind in theme["indicators"]:
            for level in ind["levels"].values():
                legend = layers[level["layer"]]["legend"]["indicators"]
                assert any(i["field"] == level["field"] for i in legend), (theme["id"], ind["id"])
