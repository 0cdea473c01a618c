"""Layer declarations: registry validation and privacy suppression in public layers."""

from __future__ import annotations

import dataclasses

import geopandas as gpd
from shapely.geometry import box

from geo.settings import Settings
from layers import gemeenten
from layers.registry import load_registry, validate_data, validate_specs


def test_registry_loads_in_drawing_order():
    assert [s.id for s in load_registry()] == ["gemeenten", "gap_2040", "wijken", "locaties", "locaties_intern"]


def test_validation_reports_every_problem_at_once():
    specs = load_registry()
    dup = dataclasses.replace(specs[1], id="gemeenten")
    bad_zoom = dataclasses.replace(specs[2], minzoom=12, maxzoom=8)
    problems = validate_specs((specs[0], dup, bad_zoom), Settings())
    assert any("dubbel" in p for p in problems)
    assert any("zoomniveaus" in p for p in problems)
    assert len(problems) >= 2


def test_a_class_that_misses_data_and_a_missing_field_are_caught():
    spec = gemeenten.SPEC
    cls = spec.classifications(Settings())
    gap_legend = next(c for c in cls if c.field == "stedelijkheid")
    assert gap_legend.class_of(6) is None
    frame = gpd.GeoDataFrame({f.name: [None] for f in spec.fields if f.name != "inwoners"},
                             geometry=[box(0, 0, 1, 1)], crs=28992)
    frame["stedelijkheid"] = 6
    problems = validate_data(spec, frame, Settings())
    assert any("'inwoners' ontbreekt" in p for p in problems)
    assert any("stedelijkheid" in p and "geen enkele legendaklasse" in p for p in problems)


def test_range_classes_cover_everything():
    cls = next(c for c in gemeenten.classifications(Settings()) if c.field == "tekort_totaal")
    for v in (-1e9, -0.001, 0, 49.99, 50, 250, 1e9):
        assert cls.class_of(v) is not None
    assert cls.class_of(0) == 1 and cls.class_of(-0.001) == 0 and cls.class_of(250) == 4


class _Results:
    def __init__(self, gdf):
        self.gemeenten = gdf


def test_small_client_counts_are_suppressed_in_the_public_layer():
    s = Settings(privacy_min_count=10)
    gdf = gpd.GeoDataFrame({
        "gemeentecode": ["GM9991", "GM9992", "GM9993"],
        "vv_clienten": [9, 10, 250], "vv_clienten_begin": [12, 8, 200],
        "clienten_per_1000_75plus": [80.0, 90.0, 120.0], "groei_toewijzingen": [-25.0, 25.0, 25.0],
        "groei_klasse": [1, 5, 5], "clienten_per_1000_75plus_begin": [70.0, 80.0, 110.0],
        "groei_clienten_per_1000": [14.3, 12.5, 9.1], "locaties_per_1000_clienten": [111.1, 100.0, 12.0],
        "nieuwe_clienten": [4.0, 9.0, 120.0], "prognose_groei": [44.4, 90.0, 48.0],
    }, geometry=[box(0, 0, 1, 1)] * 3, crs=28992)
    out = gemeenten.build(_Results(gdf), s)
    # GM9991 has 9 clients now, GM9992 had 8 at the start: both hidden entirely
    for name in ("vv_clienten", "vv_clienten_begin", "clienten_per_1000_75plus", "groei_toewijzingen", "groei_klasse",
                 "clienten_per_1000_75plus_begin", "groei_clienten_per_1000", "locaties_per_1000_clienten",
                 "nieuwe_clienten", "prognose_groei"):
        assert out[name].isna().tolist() == [True, True, False], name
    assert out.loc[2, "vv_clienten"] == 250


def test_published_count_below_threshold_is_a_validation_problem():
    spec = gemeenten.SPEC
    frame = gpd.GeoDataFrame({f.name: [1.0] for f in spec.fields}, geometry=[box(0, 0, 1, 1)], crs=28992)
    problems = validate_data(spec, frame, Settings(privacy_min_count=10))
    assert any("privacydrempel" in p for p in problems)


def test_internal_layer_goes_to_its_own_geopackage(demo_build):
    """Exact client counts exist only in the internal file; the public one never holds them."""
    import pyogrio

    public = dict(pyogrio.list_layers(demo_build / "wonenzorg.gpkg"))
    internal = dict(pyogrio.list_layers(demo_build / "wonenzorg_intern.gpkg"))
    assert "locaties_intern" in internal and "locaties_intern" not in public
    for layer in public:
        if layer == "layer_styles":
            continue
        cols = pyogrio.read_info(demo_build / "wonenzorg.gpkg", layer=layer)["fields"]
        assert "clienten_intramuraal" not in cols and "clienten_vpt_mpt" not in cols
