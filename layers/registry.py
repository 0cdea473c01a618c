"""The registry of published layers in drawing order, validated when loaded."""

from __future__ import annotations

import geopandas as gpd
import pandas as pd

from geo.settings import Settings

from geo.sectors import sectors_of

from . import gap_2040, gemeenten, locaties, locaties_intern, stedelijkheid, wijken, zorg
from geo.disclosure import GROUP_SETS, GROUPS, PLACE_SETS, PUBLISHED_TABLES

from .spec import FIELD_KINDS, LayerSpec
from .themes import theme_problems

GEOMETRY_TYPES = {"polygon": ("Polygon", "MultiPolygon"), "point": ("Point",)}
FIELD_TYPES = ("str", "int", "float", "bool")


class RegistryError(Exception):
    """One or more layer declarations, or their data, are wrong; lists every problem."""

    def __init__(self, problems: list[str]):
        self.problems = list(problems)
        super().__init__("; ".join(self.problems))


def validate_specs(specs: tuple[LayerSpec, ...], settings: Settings) -> list[str]:
    """Every problem with the declarations themselves (no data needed)."""
    problems = []
    seen: set[str] = set()
    for spec in specs:
        if spec.id in seen:
            problems.append(f"laag-id '{spec.id}' komt dubbel voor")
        seen.add(spec.id)
        if not (0 <= spec.minzoom <= spec.maxzoom <= 22):
            problems.append(f"{spec.id}: zoomniveaus {spec.minzoom}-{spec.maxzoom} ongeldig (0 <= min <= max <= 22)")
        if spec.geometry_type not in GEOMETRY_TYPES:
            problems.append(f"{spec.id}: onbekend geometrietype '{spec.geometry_type}'")
        names = [f.name for f in spec.fields]
        for dup in {n for n in names if names.count(n) > 1}:
            problems.append(f"{spec.id}: veld '{dup}' is dubbel gedeclareerd")
        for f in spec.fields:
            if f.type not in FIELD_TYPES:
                problems.append(f"{spec.id}.{f.name}: onbekend type '{f.type}'")
            problems += _kind_problems(spec.id, f, spec.public)
        for key in (spec.id_field, spec.label_field, spec.point_size_field):
            if key is not None and key not in names:
                problems.append(f"{spec.id}: veld '{key}' is niet gedeclareerd")
        for cl in spec.classifications(settings):
            if cl.field not in names:
                problems.append(f"{spec.id}: legenda voor onbekend veld '{cl.field}'")
            if cl.kind == "classes":
                bounds = [(k.min, k.max) for k in cl.classes]
                if bounds and (bounds[0][0] is not None or bounds[-1][1] is not None):
                    problems.append(f"{spec.id}.{cl.field}: klassen dekken niet alle waarden (open begin en eind nodig)")
                for (_, hi), (lo, _) in zip(bounds[:-1], bounds[1:]):
                    if hi != lo:
                        problems.append(f"{spec.id}.{cl.field}: gat of overlap tussen klassen bij {hi} en {lo}")
            elif cl.kind != "categories":
                problems.append(f"{spec.id}.{cl.field}: onbekende legendasoort '{cl.kind}'")
    return problems


def _kind_problems(layer: str, f, public: bool) -> list[str]:
    """A field must say what kind of number it is, and (in a public layer) a client count must say
    which published counts it rests on."""
    out = []
    if f.kind not in FIELD_KINDS:
        out.append(f"{layer}.{f.name}: onbekende soort '{f.kind}'")
    elif f.type in ("int", "float") and f.kind == "label":
        out.append(f"{layer}.{f.name}: een getal moet zeggen wat voor getal het is (soort {', '.join(FIELD_KINDS[1:])})")
    for ref in f.rests_on:
        if ref.year not in ("eerste", "laatste", "jaar") or ref.group not in GROUP_SETS or ref.place not in PLACE_SETS:
            out.append(f"{layer}.{f.name}: onbekende verwijzing naar cliëntaantallen {ref}")
        elif not any(ref.group in t.group_list(GROUPS) and ref.place in t.places and not t.region_only
                     for t in PUBLISHED_TABLES):
            out.append(f"{layer}.{f.name}: rust op aantallen ({ref.group}, {ref.place}) die geen openbare tabel heeft")
    if f.count and public and not f.rests_on:
        out.append(f"{layer}.{f.name}: een cliëntaantal moet zeggen op welke aantallen het rust")
    return out


def validate_data(spec: LayerSpec, gdf: gpd.GeoDataFrame, settings: Settings) -> list[str]:
    """Every problem with a layer's built data against its declaration."""
    problems = []
    for f in spec.fields:
        if f.name not in gdf.columns:
            problems.append(f"{spec.id}: veld '{f.name}' ontbreekt in de gegevens")
            continue
        col = gdf[f.name]
        ok = {
            "str": pd.api.types.is_object_dtype(col) or pd.api.types.is_string_dtype(col),
            "int": pd.api.types.is_integer_dtype(col),
            "float": pd.api.types.is_numeric_dtype(col) and not pd.api.types.is_bool_dtype(col),
            "bool": pd.api.types.is_bool_dtype(col),
        }.get(f.type, False)
        if not ok:
            problems.append(f"{spec.id}: veld '{f.name}' heeft type {col.dtype}, gedeclareerd {f.type}")
        if f.count and spec.public and f.name in gdf.columns:
            small = col.dropna()
            small = small[small < settings.privacy_min_count]
            if len(small):
                problems.append(f"{spec.id}: veld '{f.name}' bevat {len(small)} aantal(len) onder de "
                                f"privacydrempel {settings.privacy_min_count}")
    allowed = GEOMETRY_TYPES.get(spec.geometry_type, ())
    wrong = ~gdf.geometry.geom_type.isin(allowed)
    if wrong.any():
        problems.append(f"{spec.id}: {int(wrong.sum())} geometrie(ën) van een ander type dan {spec.geometry_type}")
    for cl in spec.classifications(settings):
        if cl.field not in gdf.columns:
            continue
        values = gdf[cl.field].dropna()
        missed = [v for v in values.unique() if cl.class_of(v) is None]
        if missed:
            problems.append(f"{spec.id}.{cl.field}: waarde(n) {missed[:5]} vallen in geen enkele legendaklasse")
    return problems


#: raster layers (GeoTIFF), published beside the vector layers
RASTERS = (stedelijkheid.SPEC,)


def load_registry(settings: Settings | None = None, sectors=None) -> tuple[LayerSpec, ...]:
    """The layers in drawing order (bottom first), a care layer per declared sector; raises RegistryError
    listing every problem. ``sectors`` (ids) limits the care layers to the sectors with client data
    (default: every declared sector)."""
    settings = settings or Settings()
    declared = sectors_of(settings)
    care = [sec for sec in declared if sectors is None or sec.id in set(sectors)]
    specs = (gemeenten.SPEC, *(zorg.spec_for(sec) for sec in care), gap_2040.spec_for(declared), wijken.SPEC,
             locaties.spec_for(declared), locaties_intern.spec_for(declared))
    problems = validate_specs(specs, settings)
    problems += theme_problems({s.id: s for s in specs}, settings)
    if problems:
        raise RegistryError(problems)
    return specs
