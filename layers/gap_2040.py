"""Layer ``gap_2040``: one row per gemeente x sector x group with demand, places and gap (for charts and QGIS).

A long table with a ``sector`` field (filter on ``sector`` and ``groep_id``): every outline lies once
per group, which suits charts and QGIS's filters, not a choropleth (the ``zorg_<sector>`` layers).
"""

from __future__ import annotations

import geopandas as gpd
import pandas as pd

from geo.settings import Settings

from . import common as c
from .spec import Classification, FieldSpec, LayerSpec, LegendClass, range_classes

FIELDS = (
    FieldSpec("gemeentecode", "str", "Gemeentecode", popup=False),
    FieldSpec("gemeentenaam", "str", "Gemeente", popup=False),
    FieldSpec("sector", "str", "Sector"),
    FieldSpec("zzp_groep", "str", "Groep"),
    FieldSpec("groep_id", "str", "Groep-id", popup=False),
    FieldSpec("groep_volgorde", "int", "Volgorde groep", popup=False, kind="class"),
    FieldSpec("jaar", "int", "Doeljaar", popup=False, kind="class"),
    FieldSpec("vraag", "float", "Vraag {doeljaar}", "cliënten", c.VRAAG, 0, kind="count"),
    FieldSpec("plaatsen", "int", "Plaatsen nu", "plaatsen", c.PLAATSEN, kind="count"),
    FieldSpec("tekort", "float", "Tekort {doeljaar}", "plaatsen", c.TEKORT, 0, kind="count"),
)


def spec_for(declared) -> LayerSpec:
    order = {g.id: k for sec in declared for k, g in enumerate(sec.groups, start=1)}
    codes = {sec.id: sec.code for sec in declared}

    def build(results, settings: Settings) -> gpd.GeoDataFrame:
        """The gap tables of every sector joined to the gemeente outlines (each outline once per group)."""
        geo = results.gemeenten[["gemeentecode", "gemeentenaam", "geometry"]]
        parts = [r.gap for r in results.sectors.values()]
        gap = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(
            columns=["sector", "gemeentecode", "zzp_groep", "groep_id", "jaar", "vraag", "plaatsen", "tekort"])
        table = gap.merge(geo, on="gemeentecode", how="inner")
        table["sector"] = table["sector"].map(codes)
        table["groep_volgorde"] = table["groep_id"].map(order).astype(int)
        table["plaatsen"] = table["plaatsen"].round().astype(int)
        table["jaar"] = table["jaar"].astype(int)
        return gpd.GeoDataFrame(table, geometry="geometry", crs=results.gemeenten.crs)

    def classifications(settings: Settings) -> list[Classification]:
        """Tekort per group (default), or the group itself for QGIS users who style by group."""
        return [
            Classification("tekort", f"Tekort aan plaatsen {settings.target_year} per groep", "classes",
                           range_classes((0.0, 10.0, 25.0, 100.0), c.GAP, "", 0,
                                         low_label="overschot (minder dan 0)"), unit="plaatsen"),
            Classification("groep_id", "Groep", "categories",
                           tuple(LegendClass(color=g.colour, label=g.label + ("" if len(declared) < 2 else
                                                                              f" ({sec.short})"), value=g.id)
                                 for sec in declared for g in sec.groups)),
        ]

    return LayerSpec(
        id="gap_2040",
        title="Tekort per sector en groep",
        geometry_type="polygon",
        id_field="gemeentecode",
        label_field="gemeentenaam",
        fields=FIELDS,
        build=build,
        classifications=classifications,
        minzoom=5,
        maxzoom=12,
        tippecanoe_options=c.POLYGON_TIPPECANOE,
        description="Vraag, plaatsen en tekort per gemeente, sector en groep (een rij per groep; filter op sector "
                    "en groep_id).",
        in_viewer=False,
    )
