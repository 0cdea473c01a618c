"""Layer ``gemeenten``: polygons with the indicators and the gap by ZZP group."""

from __future__ import annotations

import geopandas as gpd

from geo.forecast import GROUP_LABELS, ZZP_GROUPS
from geo.settings import Settings

from . import common as c
from .spec import Classification, CountRef, FieldSpec, LayerSpec, LegendClass, number_nl, range_classes

LAST, FIRST = CountRef("laatste"), CountRef("eerste")

_GAP_FIELDS = []
for _g in ZZP_GROUPS:
    _GAP_FIELDS += [
        FieldSpec(f"vraag_{_g}", "float", f"Vraag {{doeljaar}}, {GROUP_LABELS[_g]}", "cliënten", c.VRAAG, 0,
                  popup=False, kind="count", group=_g),
        FieldSpec(f"plaatsen_{_g}", "int", f"Plaatsen nu, {GROUP_LABELS[_g]}", "plaatsen", c.PLAATSEN, popup=False,
                  kind="count", group=_g),
        FieldSpec(f"tekort_{_g}", "float", f"Tekort {{doeljaar}}, {GROUP_LABELS[_g]}", "plaatsen", c.TEKORT, 0,
                  kind="count", group=_g),
    ]

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
    FieldSpec("vv_clienten", "int", "Wlz-cliënten V&V (ZZP 4-8) {laatste_jaar}", "cliënten", c.CLIENTEN, count=True,
              kind="count", rests_on=(LAST,)),
    FieldSpec("vv_clienten_begin", "int", "Wlz-cliënten V&V (ZZP 4-8) {eerste_jaar}", "cliënten", c.CLIENTEN_BEGIN,
              count=True, popup=False, kind="count", rests_on=(FIRST,)),
    FieldSpec("clienten_per_1000_75plus", "float", "Cliënten per 1.000 inwoners 75+", "", c.CLIENTEN_PER_1000, 0,
              kind="rate", rests_on=(LAST,)),
    FieldSpec("clienten_per_1000_75plus_begin", "float", "Cliënten per 1.000 inwoners 75+ in {eerste_jaar}", "",
              c.CLIENTEN_PER_1000_BEGIN, 0, popup=False, kind="rate", rests_on=(FIRST,)),
    FieldSpec("groei_clienten_per_1000", "float", "Groei cliënten per 1.000 inwoners 75+ {eerste_jaar}-{laatste_jaar}",
              "%", c.CLIENTEN_PER_1000_GROEI, 1, kind="growth", rests_on=(FIRST, LAST)),
    FieldSpec("groei_toewijzingen", "float", "Groei toewijzingen {eerste_jaar}-{laatste_jaar}", "%", c.GROEI, 1,
              kind="growth", rests_on=(FIRST, LAST)),
    FieldSpec("groei_klasse", "int", "Groei toewijzingen (klasse)", "", c.GROEI, popup=False, kind="class",
              rests_on=(FIRST, LAST)),
    FieldSpec("aantal_locaties", "int", "Zorglocaties V&V", "", c.LOCATIES, kind="count"),
    FieldSpec("locaties_per_1000_clienten", "float", "Zorglocaties V&V per 1.000 cliënten", "", c.LOCATIES_PER_1000, 1,
              kind="rate", rests_on=(LAST,)),
    *_GAP_FIELDS,
    FieldSpec("tekort_totaal", "float", "Tekort {doeljaar}, totaal", "plaatsen", c.TEKORT, 0, kind="count"),
    FieldSpec("prognose_clienten", "float", "Verwachte cliënten V&V (ZZP 4-8) {doeljaar}", "cliënten", c.PROGNOSE, 0,
              kind="count"),
    FieldSpec("nieuwe_clienten", "float", "Nieuwe cliënten (ZZP 4-8) {laatste_jaar}-{doeljaar}", "cliënten", c.NIEUW,
              0, kind="count", rests_on=(LAST,)),
    FieldSpec("prognose_groei", "float", "Groei cliënten (ZZP 4-8) {laatste_jaar}-{doeljaar}", "%", c.PROGNOSE_GROEI,
              0, kind="growth", rests_on=(LAST,)),
)


def build(results, settings: Settings) -> gpd.GeoDataFrame:
    """The gemeenten with every declared field (suppression of small counts: ``layers.privacy``)."""
    gdf = results.gemeenten.copy()
    for name in ("vv_clienten", "vv_clienten_begin", "groei_klasse"):
        gdf[name] = gdf[name].astype("Int64")
    return gdf


def classifications(settings: Settings) -> list[Classification]:
    """The indicators the viewer can switch between; the first is the default."""
    g = settings.growth_class_limits_pct
    growth_labels = [f"minder dan {number_nl(g[0])}%"] + [
        f"{number_nl(a)}% tot {number_nl(b)}%" for a, b in zip(g[:-1], g[1:])] + [f"{number_nl(g[-1])}% of meer"]
    return [
        c.aandeel_75plus_classes(),
        c.stedelijkheid_classes(),
        Classification("tekort_totaal", f"Tekort aan plaatsen {settings.target_year}", "classes",
                       range_classes((0.0, 50.0, 100.0, 250.0), c.GAP, "", 0,
                                     low_label="overschot (minder dan 0)"), unit="plaatsen"),
        Classification("prognose_groei", f"Groei cliënten {settings.observed_years[-1]}-{settings.target_year}",
                       "classes", range_classes((40.0, 60.0, 80.0, 100.0), c.BLUES, "%", 0), unit="%"),
        Classification("groei_klasse", f"Groei toewijzingen {settings.observed_years[0]}-{settings.observed_years[-1]}",
                       "categories",
                       tuple(LegendClass(color=col, label=lab, value=k)
                             for k, (col, lab) in enumerate(zip(c.BLUES, growth_labels), start=1))),
        c.ses_classes(),
        Classification("clienten_per_1000_75plus", "Cliënten V&V per 1.000 inwoners 75+", "classes",
                       range_classes((90.0, 110.0, 130.0, 150.0), c.GREENS, "", 0)),
        c.inwoners_classes((10_000.0, 25_000.0, 50_000.0, 100_000.0)),
        c.oad_classes(),
        Classification("locaties_per_1000_clienten", "Zorglocaties V&V per 1.000 cliënten", "classes",
                       range_classes((10.0, 15.0, 20.0, 25.0), c.GREENS, "", 0)),
        Classification("nieuwe_clienten", f"Nieuwe cliënten {settings.observed_years[-1]}-{settings.target_year}",
                       "classes", range_classes((50.0, 100.0, 250.0, 500.0), c.YL_OR_BR, "", 0), unit="cliënten"),
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
    description="Gemeenten van de regio met bevolking, stedelijkheid, zorggebruik en het tekort aan plaatsen.",
)
