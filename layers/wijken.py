"""Layer ``wijken``: CBS wijken with population, SES and stedelijkheid."""

from __future__ import annotations

import geopandas as gpd

from geo.settings import Settings
from geo.urbanity import STEDELIJKHEID_LABELS

from . import common as c
from .spec import Classification, FieldSpec, LayerSpec, LegendClass, range_classes

FIELDS = (
    FieldSpec("wijkcode", "str", "Wijkcode", popup=False),
    FieldSpec("wijknaam", "str", "Wijk", popup=False),
    FieldSpec("gemeentecode", "str", "Gemeentecode", popup=False),
    FieldSpec("gemeentenaam", "str", "Gemeente"),
    FieldSpec("inwoners", "int", "Inwoners", "", c.BEVOLKING),
    FieldSpec("inwoners_75plus", "int", "Inwoners 75+", "", c.BEVOLKING, popup=False),
    FieldSpec("aandeel_75plus", "float", "Aandeel 75-plussers", "%", c.AANDEEL_75, 1),
    FieldSpec("ses_woa", "float", "SES-WOA-score", "", c.SES, 3, popup=False),
    FieldSpec("ses_groep", "int", "SES-groep (1 laag - 5 hoog)", "", c.SES_GROUP),
    FieldSpec("oad", "float", "Omgevingsadressendichtheid", "adressen per km²", c.OAD, 0),
    FieldSpec("stedelijkheid", "int", "Stedelijkheid (klasse)", "", c.STEDELIJKHEID, popup=False),
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
        Classification("aandeel_75plus", "Aandeel 75-plussers", "classes",
                       range_classes((7.0, 8.5, 10.0, 11.5), c.YL_OR_BR, "%", 1), unit="%"),
        Classification("stedelijkheid", "Stedelijkheid", "categories",
                       tuple(LegendClass(color=col, label=f"{k} {STEDELIJKHEID_LABELS[k]}", value=k)
                             for k, col in zip(range(1, 6), c.PURPLES_DARK_FIRST))),
        Classification("ses_groep", "Sociaal-economische status (SES-WOA)", "categories",
                       tuple(LegendClass(color=col, label=lab, value=k) for k, (col, lab) in enumerate(zip(
                           c.RD_YL_BU, ("1 laagste", "2", "3", "4", "5 hoogste")), start=1))),
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
    tippecanoe_options=("--no-tiny-polygon-reduction", "--detect-shared-borders",
                        "--no-feature-limit", "--no-tile-size-limit", "--simplification=4"),
    description="CBS-wijken met bevolking, sociaal-economische status en stedelijkheid.",
)
