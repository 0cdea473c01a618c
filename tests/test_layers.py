"""Layer declarations: registry validation and privacy suppression in public layers."""

from __future__ import annotations

import dataclasses

import geopandas as gpd
from shapely.geometry import box

from geo.sectors import default_sectors
from geo.settings import Settings
from layers import gemeenten, zorg
from layers.registry import load_registry, validate_data, validate_specs

VV = zorg.spec_for(default_sectors().get("vv"))


def test_registry_loads_in_drawing_order():
    assert [s.id for s in load_registry()] == ["gemeenten", "zorg_vv", "zorg_gz", "zorg_ggz", "gap_2040", "wijken",
                                               "locaties", "locaties_intern"]
    # only the sectors with client data get a care layer
    assert [s.id for s in load_registry(sectors=("gz",))][:3] == ["gemeenten", "zorg_gz", "gap_2040"]


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
    cls = next(c for c in VV.classifications(Settings()) if c.field == "tekort_totaal")
    for v in (-1e9, -0.001, 0, 49.99, 50, 250, 1e9):
        assert cls.class_of(v) is not None
    assert cls.class_of(0) == 1 and cls.class_of(-0.001) == 0 and cls.class_of(250) == 4


class _Pattern:
    """A stand-in for geo.disclosure.Disclosure: the keys given are suppressed, every other one shown."""

    def __init__(self, hidden):
        self.hidden = set(hidden)

    def shown(self, key):
        return key not in self.hidden


def test_fields_resting_on_a_suppressed_count_are_left_empty():
    from layers.privacy import public_region_values, suppress_fields

    s = Settings(privacy_min_count=10, observed_years=(2020, 2023))
    gdf = gpd.GeoDataFrame({
        "gemeentecode": ["GM9991", "GM9992", "GM9993"],
        "inwoners": [1000, 2000, 3000],
        "clienten": [9, 40, 250], "clienten_begin": [12, 8, 200],
        "gebruik": [80.0, 90.0, 120.0], "groei_toewijzingen": [-25.0, 400.0, 25.0],
        "groei_klasse": [1, 5, 5], "gebruik_begin": [70.0, 80.0, 110.0],
        "groei_gebruik": [14.3, 12.5, 9.1], "locaties_per_1000_clienten": [111.1, 100.0, 12.0],
        "nieuwe_clienten": [4.0, 9.0, 120.0], "prognose_groei": [44.4, 90.0, 48.0],
    }, geometry=[box(0, 0, 1, 1)] * 3, crs=28992)
    # GM9991's last-year count and GM9992's first-year count are suppressed
    hidden = {("GM9991", 2023, "clienten", "alle"), ("GM9992", 2020, "clienten", "alle")}
    fields = [f for f in (*gemeenten.SPEC.fields, *VV.fields) if f.name in gdf.columns]
    out = suppress_fields(gdf, fields, _Pattern(hidden), s, "gemeentecode")
    last_only = ("clienten", "gebruik", "locaties_per_1000_clienten", "nieuwe_clienten",
                 "prognose_groei")
    first_only = ("clienten_begin", "gebruik_begin")
    both = ("groei_toewijzingen", "groei_klasse", "groei_gebruik")
    for name in last_only:
        assert out[name].isna().tolist() == [True, False, False], name
    for name in first_only:
        assert out[name].isna().tolist() == [False, True, False], name
    for name in both:
        assert out[name].isna().tolist() == [True, True, False], name
    assert out["inwoners"].tolist() == [1000, 2000, 3000]  # rests on no client count
    assert out.loc[2, "clienten"] == 250 and str(out["clienten"].dtype) == "Int64"
    assert gdf.loc[0, "clienten"] == 9  # the input frame is left alone
    # region values: the same rule with the region's counts
    region = {"clienten": 5000, "groei_toewijzingen": 3.0, "inwoners": 6000}
    assert public_region_values(tuple(fields), region, _Pattern({("regio", 2020, "clienten", "alle")}), s) == {
        "clienten": 5000, "inwoners": 6000}


def test_every_field_resting_on_client_counts_says_so_in_its_leeswijzer():
    for spec in load_registry():
        for f in spec.fields:
            lw = f.as_dict().get("leeswijzer")
            if f.rests_on:
                assert lw and "onderdrukt wegens kleine aantallen" in lw["uitleg"], f.name
            elif lw:
                assert "onderdrukt" not in lw["uitleg"], f.name


def test_published_count_below_threshold_is_a_validation_problem():
    spec = VV
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


def test_numbers_declare_their_kind_and_counts_what_they_rest_on():
    from layers.spec import CountRef, FieldSpec

    extra = (FieldSpec("x", "float", "X"),                                     # a number without a kind
             FieldSpec("y", "int", "Y", count=True, kind="count"),             # a client count resting on nothing
             FieldSpec("z", "float", "Z", kind="rate", rests_on=(CountRef("laatste", "totaal"),)),  # all clients
             FieldSpec("w", "float", "W", kind="gewicht"))                     # no such kind
    bad = dataclasses.replace(gemeenten.SPEC, fields=gemeenten.SPEC.fields + extra)
    problems = validate_specs((bad,), Settings())
    assert any("gemeenten.x" in p and "soort" in p for p in problems)
    assert any("gemeenten.y" in p and "rust" in p for p in problems)
    # all clients per gemeente are never published (beside ZZP 4-8 they would give away 'overig')
    assert any("gemeenten.z" in p and "geen openbare tabel" in p for p in problems)
    assert any("gemeenten.w" in p and "onbekende soort" in p for p in problems)
    assert validate_specs((gemeenten.SPEC,), Settings()) == []
