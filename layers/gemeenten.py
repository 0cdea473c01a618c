"""Layer ``gemeenten``: polygons with population, SES and stedelijkheid (care per sector: ``layers.zorg``)."""

from __future__ import annotations

import geopandas as gpd

from geo.settings import Settings

from . import common as c
from .spec import Classification, FieldSpec, LayerSpec

FIELDS = (
    FieldSpec("gemeentecode", "str", "Gemeentecode", popup=False),
    FieldSpec("gemeentenaam", "str", "Gemeente", popup=False),
    FieldSpec("inwoners", "int", "Inwoners", "", c.BEVOLKING, kind="count"),
    FieldSpec("inwoners_75plus", "int", "Inwoners 75+", "", c.BEVOLKING, popup=False, kind="count"),
    FieldSpec("aandeel_75plus", "float", "Aandeel 75-plussers", "%", c.AANDEEL_75, 1, kind="share"),
    FieldSpec("ses_woa", "float", "SES-WOA-score", "", c.SES, 3, popup=False, kind="score"),
    FieldSpec("ses_groep", "int", "SES-groep (1 laag - 5 hoog)", "", c.SES_GROUP, kind="class"),
    FieldSpec("oad", "float", "Omgevingsadressendichtheid", "adressen per km²", c.OAD, 0, popup=False, kind="rate"),
    FieldSpec("stedelijkheid", "int", "Stedelijkheid (klasse)", "", c.STEDELIJKHEID, popup=False, kind="class"),
    FieldSpec("stedelijkheid_label", "str", "Stedelijkheid", "", c.STEDELIJKHEID),
)


def build(results, settings: Settings) -> gpd.GeoDataFrame:
    """The gemeenten with every declared field (their care figures: the ``zorg_<sector>`` layers)."""
    return results.gemeenten.copy()


def classifications(settings: Settings) -> list[Classification]:
    """The indicators the viewer can switch between; the first is the default."""
    return [
        c.aandeel_75plus_classes(),
        c.stedelijkheid_classes(),
        c.ses_classes(),
        c.inwoners_classes((10_000.0, 25_000.0, 50_000.0, 100_000.0)),
        c.oad_classes(),
    ]


SPEC = LayerSpec(
    id="gemeenten",
    title="Gemeenten",
    geometry_type="polygon",
    id_field="gemeentecode",
    label_field="gemeentenaam",
    fields=FIELDS,
    build=build,
    classifications=classifications,
    minzoom=5,
    maxzoom=13,
    tippecanoe_options=c.POLYGON_TIPPECANOE,
    description="Gemeenten van de regio met bevolking, sociaal-economische status en stedelijkheid.",
)
