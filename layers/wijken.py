"""Layer ``wijken``: CBS wijken with population, SES and stedelijkheid."""

from __future__ import annotations

import geopandas as gpd

from geo.settings import Settings

from . import common as c
from .spec import Classification, FieldSpec, LayerSpec

FIELDS = (
    FieldSpec("wijkcode", "str", "Wijkcode", popup=False),
    FieldSpec("wijknaam", "str", "Wijk", popup=False),
    FieldSpec("gemeentecode", "str", "Gemeentecode", popup=False),
    FieldSpec("gemeentenaam", "str", "Gemeente"),
    FieldSpec("inwoners", "int", "Inwoners", "", c.BEVOLKING, kind="count"),
    FieldSpec("inwoners_75plus", "int", "Inwoners 75+", "", c.BEVOLKING, popup=False, kind="count"),
    FieldSpec("aandeel_75plus", "float", "Aandeel 75-plussers", "%", c.AANDEEL_75, 1, kind="share"),
    FieldSpec("ses_woa", "float", "SES-WOA-score", "", c.SES, 3, popup=False, kind="score"),
    FieldSpec("ses_groep", "int", "SES-groep (1 laag - 5 hoog)", "", c.SES_GROUP, kind="class"),
    FieldSpec("oad", "float", "Omgevingsadressendichtheid", "adressen per km²", c.OAD, 0, kind="rate"),
    FieldSpec("stedelijkheid", "int", "Stedelijkheid (klasse)", "", c.STEDELIJKHEID, popup=False, kind="class"),
    FieldSpec("stedelijkheid_label", "str", "Stedelijkheid", "", c.STEDELIJKHEID),
)


def build(results, settings: Settings) -> gpd.GeoDataFrame:
    """The wijken with every declared field."""
    gdf = results.wijken.copy()
    gdf["ses_groep"] = gdf["ses_groep"].astype("Int64")
    return gdf


def classifications(settings: Settings) -> list[Classification]:
    """Indicators per wijk; the first is the default."""
    return [
        c.aandeel_75plus_classes(),
        c.stedelijkheid_classes(),
        c.ses_classes(),
        c.inwoners_classes((1_000.0, 2_500.0, 5_000.0, 10_000.0)),
        c.oad_classes(),
    ]


SPEC = LayerSpec(
    id="wijken",
    title="Wijken",
    geometry_type="polygon",
    id_field="wijkcode",
    label_field="wijknaam",
    fields=FIELDS,
    build=build,
    classifications=classifications,
    minzoom=8,
    maxzoom=14,
    tippecanoe_options=c.POLYGON_TIPPECANOE,
    description="CBS-wijken met bevolking, sociaal-economische status en stedelijkheid.",
)
