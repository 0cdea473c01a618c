"""Layer ``gap_2040``: one row per gemeente x ZZP group with demand, places and gap (for charts and QGIS)."""

from __future__ import annotations

import geopandas as gpd

from geo.forecast import GROUP_LABELS
from geo.settings import Settings

from . import common as c
from .themes import GROUP_COLOURS
from .spec import Classification, FieldSpec, LayerSpec, LegendClass, range_classes

GROUP_ORDER = {label: k for k, label in enumerate(GROUP_LABELS.values(), start=1)}

FIELDS = (
    FieldSpec("gemeentecode", "str", "Gemeentecode", popup=False),
    FieldSpec("gemeentenaam", "str", "Gemeente", popup=False),
    FieldSpec("zzp_groep", "str", "ZZP-groep"),
    FieldSpec("groep_volgorde", "int", "Volgorde ZZP-groep", popup=False, kind="class"),
    FieldSpec("jaar", "int", "Doeljaar", popup=False, kind="class"),
    FieldSpec("vraag", "float", "Vraag {doeljaar}", "cliënten", c.VRAAG, 0, kind="count"),
    FieldSpec("plaatsen", "int", "Plaatsen nu", "plaatsen", c.PLAATSEN, kind="count"),
    FieldSpec("tekort", "float", "Tekort {doeljaar}", "plaatsen", c.TEKORT, 0, kind="count"),
)



def build(results, settings: Settings) -> gpd.GeoDataFrame:
    """The gap table joined to the gemeente outlines (each outline once per ZZP group)."""
    geo = results.gemeenten[["gemeentecode", "gemeentenaam", "geometry"]]
    table = results.gap.merge(geo, on="gemeentecode", how="inner")
    table["groep_volgorde"] = table["zzp_groep"].map(GROUP_ORDER).astype(int)
    table["plaatsen"] = table["plaatsen"].round().astype(int)
    table["jaar"] = table["jaar"].astype(int)
    return gpd.GeoDataFrame(table, geometry="geometry", crs=results.gemeenten.crs)


def classifications(settings: Settings) -> list[Classification]:
    """Tekort per group (default), or the group itself for QGIS users who style by group."""
    return [
        Classification("tekort", f"Tekort aan plaatsen {settings.target_year} per ZZP-groep", "classes",
                       range_classes((0.0, 10.0, 25.0, 100.0), c.GAP, "", 0,
                                     low_label="overschot (minder dan 0)"), unit="plaatsen"),
        Classification("zzp_groep", "ZZP-groep", "categories",
                       tuple(LegendClass(color=GROUP_COLOURS[g], label=lab, value=lab)
                             for g, lab in GROUP_LABELS.items())),
    ]


SPEC = LayerSpec(
    id="gap_2040",
    title="Tekort per ZZP-groep",
    geometry_type="polygon",
    id_field="gemeentecode",
    label_field="gemeentenaam",
    fields=FIELDS,
    build=build,
    classifications=classifications,
    minzoom=5,
    maxzoom=12,
    tippecanoe_options=c.POLYGON_TIPPECANOE,
    description="Vraag, plaatsen en tekort per gemeente en ZZP-groep (een rij per groep; filter op zzp_groep).",
    in_viewer=False,
)
