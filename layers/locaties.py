"""Layer ``locaties``: care locations as points at their PC6 centroid."""

from __future__ import annotations

import geopandas as gpd

from geo.settings import Settings

from .spec import Classification, FieldSpec, LayerSpec, LegendClass, Leeswijzer

GEOCODE = Leeswijzer("Postcodes (PC6-centroïden)", "{laatste_jaar}",
                     "Hoe de locatie op de kaart is gezet: op het midden van de PC6, of benaderd met de PC4.")
PLACES = Leeswijzer("Zorgkantoor, zorglocaties", "{laatste_jaar}", "Aantal plaatsen op de locatie.")

LOCATIONS = Leeswijzer("Zorgkantoor, zorglocaties", "{laatste_jaar}",
                      "Of de locatie meetelt volgens de regel van haar sector (kleine locaties tellen niet mee): "
                      "{locatieregels}.")


def fields(declared) -> tuple[FieldSpec, ...]:
    """The fields, with a place column per group of every sector of the declaration."""
    places = tuple(FieldSpec(f"plaatsen_{g.id}", "int", f"Plaatsen {g.label}" + ("" if len(declared) < 2 else
                                                                              f" ({sec.short})"),
                             "plaatsen", PLACES, kind="count", popup=False, group=g.id)
                   for sec in declared for g in sec.groups)
    return (
        FieldSpec("locatie_id", "str", "Locatie-id", popup=False),
        FieldSpec("naam", "str", "Naam", popup=False),
        FieldSpec("zorgaanbieder", "str", "Zorgaanbieder"),
        FieldSpec("sector", "str", "Sector"),
        FieldSpec("postcode", "str", "Postcode"),
        FieldSpec("plaats", "str", "Plaats", popup=False),
        FieldSpec("gemeentecode", "str", "Gemeentecode", popup=False),
        FieldSpec("gemeentenaam", "str", "Gemeente"),
        FieldSpec("plaatsen_totaal", "int", "Plaatsen totaal", "plaatsen", PLACES, kind="count"),
        *places,
        FieldSpec("telt_mee", "bool", "Telt mee als zorglocatie", "", LOCATIONS, kind="flag"),
        FieldSpec("geocodering", "str", "Plaatsbepaling", "", GEOCODE),
    )


def sector_classes(declared) -> tuple[LegendClass, ...]:
    """One symbol colour per sector, from the declaration (Okabe-Ito colours: told apart with every
    common colour-vision deficiency, none of them in the yellow-orange-brown range of the choropleths;
    drawn with a white halo on the maps)."""
    return tuple(LegendClass(color=sec.colour, label=f"{sec.label[:1].upper()}{sec.label[1:]} ({sec.short})",
                             value=sec.code) for sec in declared)


def build(results, settings: Settings) -> gpd.GeoDataFrame:
    """The placed locations with their declared fields; client counts are not published."""
    gdf = results.locaties.copy()
    gdf["telt_mee"] = gdf["telt_mee"].astype(bool)
    return gdf


def classifications_for(declared):
    """Symbol colour by sector."""
    return lambda settings: [Classification("sector", "Zorglocaties", "categories", sector_classes(declared))]


#: tippecanoe options of the location layers (every point at every zoom)
TIPPECANOE = ("-r1", "--no-feature-limit", "--no-tile-size-limit")
MINZOOM, MAXZOOM = 7, 14


def spec_for(declared) -> LayerSpec:
    return LayerSpec(
        id="locaties",
        title="Zorglocaties",
        geometry_type="point",
        id_field="locatie_id",
        label_field="naam",
        fields=fields(declared),
        build=build,
        classifications=classifications_for(declared),
        minzoom=MINZOOM,
        maxzoom=MAXZOOM,
        tippecanoe_options=TIPPECANOE,
        description="Zorglocaties op het midden van hun postcode (PC6); grootte naar aantal plaatsen.",
        point_size_field="plaatsen_totaal",
    )
