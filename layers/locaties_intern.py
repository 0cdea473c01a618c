"""Internal layer ``locaties_intern``: care locations with their exact client counts (token only)."""

from __future__ import annotations

import geopandas as gpd

from geo.settings import Settings

from . import locaties
from .spec import FieldSpec, LayerSpec, Leeswijzer

CLIENTS = Leeswijzer("Zorgkantoor, declaraties Wlz (vertrouwelijk)", "{laatste_jaar}",
                     "Exact aantal cliënten op de locatie; alleen voor intern gebruik.")

EXACT = (
    FieldSpec("clienten_intramuraal", "int", "Cliënten intramuraal", "cliënten", CLIENTS, count=True, kind="count"),
    FieldSpec("clienten_vpt_mpt", "int", "Cliënten VPT/MPT", "cliënten", CLIENTS, count=True, kind="count"),
)


def build(results, settings: Settings) -> gpd.GeoDataFrame:
    """The placed locations with their exact client counts."""
    gdf = locaties.build(results, settings)
    for col in ("clienten_intramuraal", "clienten_vpt_mpt"):
        gdf[col] = gdf[col].astype(int)
    return gdf


def spec_for(declared) -> LayerSpec:
    return LayerSpec(
        id="locaties_intern",
        title="Zorglocaties met cliëntaantallen (intern)",
        geometry_type="point",
        id_field="locatie_id",
        label_field="naam",
        fields=locaties.fields(declared) + EXACT,
        build=build,
        classifications=locaties.classifications_for(declared),
        minzoom=locaties.MINZOOM,
        maxzoom=locaties.MAXZOOM,
        tippecanoe_options=locaties.TIPPECANOE,
        public=False,
        description="Zorglocaties met het exacte aantal cliënten: vertrouwelijk, alleen met een geldige sleutel.",
        point_size_field="plaatsen_totaal",
        in_viewer=False,
    )
