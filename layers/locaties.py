"""Layer ``locaties``: care locations as points at their PC6 centroid."""

from __future__ import annotations

import geopandas as gpd

from geo.settings import Settings

from . import common as c
from .spec import Classification, FieldSpec, LayerSpec, LegendClass, Leeswijzer

GEOCODE = Leeswijzer("Postcodes (PC6-centroïden)", "{laatste_jaar}",
                     "Hoe de locatie op de kaart is gezet: op het midden van de PC6, of benaderd met de PC4.")
PLACES = Leeswijzer("Zorgkantoor, zorglocaties", "{laatste_jaar}", "Aantal plaatsen op de locatie.")

FIELDS = (
    FieldSpec("locatie_id", "str", "Locatie-id", popup=False),
    FieldSpec("naam", "str", "Naam", popup=False),
    FieldSpec("zorgaanbieder", "str", "Zorgaanbieder"),
    FieldSpec("sector", "str", "Sector"),
    FieldSpec("postcode", "str", "Postcode"),
    FieldSpec("plaats", "str", "Plaats", popup=False),
    FieldSpec("gemeentecode", "str", "Gemeentecode", popup=False),
    FieldSpec("gemeentenaam", "str", "Gemeente"),
    FieldSpec("plaatsen_totaal", "int", "Plaatsen totaal", "plaatsen", PLACES, kind="count"),
    FieldSpec("plaatsen_zzp4", "int", "Plaatsen ZZP 4", "plaatsen", PLACES, kind="count"),
    FieldSpec("plaatsen_zzp5_7", "int", "Plaatsen ZZP 5-7", "plaatsen", PLACES, kind="count"),
    FieldSpec("plaatsen_zzp6_8", "int", "Plaatsen ZZP 6-8", "plaatsen", PLACES, kind="count"),
    FieldSpec("plaatsen_overig", "int", "Plaatsen overig", "plaatsen", PLACES, kind="count"),
    FieldSpec("telt_mee", "bool", "Telt mee als zorglocatie", "", c.LOCATIES, kind="flag"),
    FieldSpec("geocodering", "str", "Plaatsbepaling", "", GEOCODE),
)

#: Okabe-Ito colours: told apart with every common colour-vision deficiency, and none of them in
#: the yellow-orange-brown range of the choropleths (drawn with a white halo on the maps)
SECTOR_CLASSES = (
    LegendClass(color="#0072b2", label="Verpleging en verzorging (V&V)", value="V&V"),
    LegendClass(color="#009e73", label="Gehandicaptenzorg (GZ)", value="GZ"),
    LegendClass(color="#cc79a7", label="Geestelijke gezondheidszorg (GGZ)", value="GGZ"),
)


def build(results, settings: Settings) -> gpd.GeoDataFrame:
    """The placed locations with their declared fields; client counts are not published."""
    gdf = results.locaties.copy()
    gdf["telt_mee"] = gdf["telt_mee"].astype(bool)
    return gdf


def classifications(settings: Settings) -> list[Classification]:
    """Symbol colour by sector."""
    return [Classification("sector", "Zorglocaties", "categories", SECTOR_CLASSES)]


SPEC = LayerSpec(
    id="locaties",
    title="Zorglocaties",
    geometry_type="point",
    id_field="locatie_id",
    label_field="naam",
    fields=FIELDS,
    build=build,
    classifications=classifications,
    minzoom=7,
    maxzoom=14,
    tippecanoe_options=("-r1", "--no-feature-limit", "--no-tile-size-limit"),
    description="Zorglocaties op het midden van hun postcode (PC6); grootte naar aantal plaatsen.",
    point_size_field="plaatsen_totaal",
)
