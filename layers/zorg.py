"""Layers ``zorg_<sector>``: one polygon layer per sector of the declaration, with the same fields.

Why a layer per sector and not a sector field: a choropleth needs one feature per gemeente, and a
QGIS user styles one layer and copies the style to the next; with a sector field every map would
need a filter and the outlines would lie three times on top of each other. The fields have the
same names in every sector (``clienten``, ``gebruik``, ``tekort_totaal``, ...); only the groups of
the gap (``tekort_<groep>``) and the texts differ, and all of that comes from ``geo/sectoren.toml``.
"""

from __future__ import annotations

import geopandas as gpd

from geo.sectors import Sector
from geo.settings import Settings

from . import common as c
from .spec import Classification, CountRef, FieldSpec, LayerSpec, Leeswijzer, LegendClass, number_nl, range_classes

LAST, FIRST = CountRef("laatste"), CountRef("eerste")
HOME = CountRef("laatste", place="thuis")
FORECAST = c.FORECAST_SOURCE


def layer_id(sector: Sector) -> str:
    return f"zorg_{sector.id}"


def fields(sec: Sector) -> tuple[FieldSpec, ...]:
    """The fields of a sector's layer, their aliases and leeswijzers from the declaration."""
    short, who = sec.short, sec.text("client_groups")
    src = f"Zorgkantoor, Wlz-cliënten {short}"
    clients = Leeswijzer(src, "{laatste_jaar}", f"{sec.text('clients')}, in elke leveringsvorm (intramuraal, VPT, "
                                               "MPT en PGB).")
    clients_begin = Leeswijzer(src, "{eerste_jaar}", clients.uitleg)
    rate_text = f"Wlz-cliënten {short} ({who}) {sec.text('rate')}."
    rate = Leeswijzer(f"{src}; CBS", "{laatste_jaar}", rate_text)
    rate_begin = Leeswijzer(f"{src}; CBS", "{eerste_jaar}", rate_text)
    growth_rate = Leeswijzer(f"{src}; CBS", "{eerste_jaar}-{laatste_jaar}",
                             f"Verandering van het aantal cliënten {sec.text('rate_short')}, in procenten.")
    growth = Leeswijzer(src, "{eerste_jaar}-{laatste_jaar}",
                        f"Groei van het aantal toewijzingen (cliënten {short}, {who}) van {{eerste_jaar}} tot "
                        "{laatste_jaar}, in procenten.")
    home = Leeswijzer(src, "{laatste_jaar}", f"Aandeel van de cliënten {short} ({who}) met zorg thuis (VPT, MPT of "
                                            "PGB), in procenten.")
    locations = Leeswijzer("Zorgkantoor, zorglocaties", "{laatste_jaar}", sec.text("locations") + ".")
    per_1000 = Leeswijzer(f"Zorgkantoor, zorglocaties en Wlz-cliënten {short}", "{laatste_jaar}",
                          f"Meetellende {short}-locaties per 1.000 Wlz-cliënten {short} ({who}) in de gemeente.")
    other = Leeswijzer(src, "{laatste_jaar}",
                       f"Aandeel van de cliënten {short} ({who}) bij een zorgaanbieder met een contract voor een "
                       "andere sector (sectorvreemde zorg), in procenten. Leeg waar de cliënten bij eigen of bij "
                       "andere aanbieders minder zijn dan {drempel}, of waar het bestand de sector van de aanbieder "
                       "niet geeft.")
    demand, gap = c.VRAAG, c.TEKORT
    places = Leeswijzer(f"Zorgkantoor, zorglocaties {short}", "{laatste_jaar}",
                        f"Plaatsen op de {short}-locaties in de gemeente nu.")
    forecast = Leeswijzer(FORECAST, "{doeljaar}", f"Verwacht aantal Wlz-cliënten {short} ({who}, thuis en "
                                                  "intramuraal): gebruik per leeftijdsgroep in de regio x "
                                                  "bevolkingsprognose van de gemeente. " + c.LAYER_SCENARIO)
    new = Leeswijzer(f"{FORECAST}; zorgkantoor", "{laatste_jaar}-{doeljaar}",
                     f"Verwachte cliënten {short} ({who}) in {{doeljaar}} min de cliënten in {{laatste_jaar}}. "
                     + c.LAYER_SCENARIO)
    forecast_growth = Leeswijzer(f"{FORECAST}; zorgkantoor", "{laatste_jaar}-{doeljaar}",
                                 f"Groei van het aantal Wlz-cliënten {short} ({who}) van {{laatste_jaar}} tot "
                                 "{doeljaar}, in procenten. " + c.LAYER_SCENARIO)
    per_groep = []
    for g in sec.groups:
        per_groep += [
            FieldSpec(f"vraag_{g.id}", "float", f"Vraag {{doeljaar}}, {g.label}", "cliënten", demand, 0,
                      popup=False, kind="count", group=g.id),
            FieldSpec(f"plaatsen_{g.id}", "int", f"Plaatsen nu, {g.label}", "plaatsen", places, popup=False,
                      kind="count", group=g.id),
            FieldSpec(f"tekort_{g.id}", "float", f"Tekort {{doeljaar}}, {g.label}", "plaatsen", gap, 0,
                      kind="count", group=g.id),
        ]
    return (
        FieldSpec("gemeentecode", "str", "Gemeentecode", popup=False),
        FieldSpec("gemeentenaam", "str", "Gemeente", popup=False),
        FieldSpec("clienten", "int", f"Wlz-cliënten {short} ({who}) {{laatste_jaar}}", "cliënten", clients,
                  count=True, kind="count", rests_on=(LAST,)),
        FieldSpec("clienten_begin", "int", f"Wlz-cliënten {short} ({who}) {{eerste_jaar}}", "cliënten",
                  clients_begin, count=True, popup=False, kind="count", rests_on=(FIRST,)),
        FieldSpec("gebruik", "float", f"Cliënten {sec.text('rate_short')}", "", rate, 1, kind="rate",
                  rests_on=(LAST,)),
        FieldSpec("gebruik_begin", "float", f"Cliënten {sec.text('rate_short')} in {{eerste_jaar}}", "",
                  rate_begin, 1, popup=False, kind="rate", rests_on=(FIRST,)),
        FieldSpec("groei_gebruik", "float", f"Groei cliënten {sec.text('rate_short')} {{eerste_jaar}}-{{laatste_jaar}}",
                  "%", growth_rate, 1, kind="growth", rests_on=(FIRST, LAST)),
        FieldSpec("groei_toewijzingen", "float", "Groei toewijzingen {eerste_jaar}-{laatste_jaar}", "%", growth, 1,
                  kind="growth", rests_on=(FIRST, LAST)),
        FieldSpec("groei_klasse", "int", "Groei toewijzingen (klasse)", "", growth, popup=False, kind="class",
                  rests_on=(FIRST, LAST)),
        FieldSpec("aandeel_thuis", "float", "Aandeel met zorg thuis {laatste_jaar}", "%", home, 1, kind="share",
                  rests_on=(HOME, LAST)),
        FieldSpec("aantal_locaties", "int", f"Zorglocaties {short}", "", locations, kind="count"),
        FieldSpec("locaties_per_1000_clienten", "float", f"Zorglocaties {short} per 1.000 cliënten", "", per_1000, 1,
                  kind="rate", rests_on=(LAST,)),
        FieldSpec("aandeel_sectorvreemd", "float", "Sectorvreemde zorg {laatste_jaar}", "%", other, 1, kind="share",
                  rests_on=(LAST,)),
        *per_groep,
        FieldSpec("tekort_totaal", "float", "Tekort {doeljaar}, totaal", "plaatsen", gap, 0, kind="count"),
        FieldSpec("prognose_clienten", "float", f"Verwachte cliënten {short} ({who}) {{doeljaar}}", "cliënten",
                  forecast, 0, kind="count"),
        FieldSpec("nieuwe_clienten", "float", f"Nieuwe cliënten {short} {{laatste_jaar}}-{{doeljaar}}", "cliënten",
                  new, 0, kind="count", rests_on=(LAST,)),
        FieldSpec("prognose_groei", "float", f"Groei cliënten {short} {{laatste_jaar}}-{{doeljaar}}", "%",
                  forecast_growth, 0, kind="growth", rests_on=(LAST,)),
    )


def classifications(sec: Sector, settings: Settings) -> list[Classification]:
    """The sector's indicators the viewer can switch between (the gap first); limits from the declaration."""
    g = settings.growth_class_limits_pct
    growth_labels = [f"minder dan {number_nl(g[0])}%"] + [
        f"{number_nl(a)}% tot {number_nl(b)}%" for a, b in zip(g[:-1], g[1:])] + [f"{number_nl(g[-1])}% of meer"]
    first, last, target = settings.observed_years[0], settings.observed_years[-1], settings.target_year
    decimals = lambda limits: 0 if all(float(x).is_integer() for x in limits) else 1  # noqa: E731
    lim = sec.limits
    return [
        Classification("tekort_totaal", f"Tekort aan plaatsen {sec.short} {target}", "classes",
                       range_classes(lim("tekort_totaal"), c.GAP, "", 0, low_label="overschot (minder dan 0)"),
                       unit="plaatsen"),
        Classification("gebruik", f"Cliënten {sec.short} {sec.text('rate_short')}", "classes",
                       range_classes(lim("gebruik"), c.GREENS, "", decimals(lim("gebruik")))),
        Classification("groei_klasse", f"Groei toewijzingen {sec.short} {first}-{last}", "categories",
                       tuple(LegendClass(color=col, label=lab, value=k)
                             for k, (col, lab) in enumerate(zip(c.BLUES, growth_labels), start=1))),
        Classification("aandeel_thuis", f"Aandeel {sec.short}-cliënten met zorg thuis", "classes",
                       range_classes(lim("aandeel_thuis"), c.YL_GN_BU, "%", 0), unit="%"),
        Classification("locaties_per_1000_clienten", f"Zorglocaties {sec.short} per 1.000 cliënten", "classes",
                       range_classes(lim("locaties_per_1000_clienten"), c.GREENS, "", 0)),
        Classification("prognose_groei", f"Groei cliënten {sec.short} {last}-{target}", "classes",
                       range_classes(lim("prognose_groei"), c.BLUES, "%", 0), unit="%"),
        Classification("nieuwe_clienten", f"Nieuwe cliënten {sec.short} {last}-{target}", "classes",
                       range_classes(lim("nieuwe_clienten"), c.YL_OR_BR, "", 0), unit="cliënten"),
    ]


def spec_for(sec: Sector) -> LayerSpec:
    """The layer of one sector."""

    def build(results, settings: Settings) -> gpd.GeoDataFrame:
        geo = results.gemeenten[["gemeentecode", "geometry"]]
        table = results.sectors[sec.id].care.merge(geo, on="gemeentecode", how="left")
        for name in ("clienten", "clienten_begin", "groei_klasse", "aantal_locaties"):
            table[name] = table[name].astype("Int64")
        for g in sec.group_ids:
            table[f"plaatsen_{g}"] = table[f"plaatsen_{g}"].round().astype("Int64")
        return gpd.GeoDataFrame(table, geometry="geometry", crs=results.gemeenten.crs)

    return LayerSpec(
        id=layer_id(sec),
        title=f"Zorg {sec.short}",
        geometry_type="polygon",
        id_field="gemeentecode",
        label_field="gemeentenaam",
        fields=fields(sec),
        build=build,
        classifications=lambda settings: classifications(sec, settings),
        minzoom=5,
        maxzoom=13,
        tippecanoe_options=c.POLYGON_TIPPECANOE,
        description=f"Wlz-zorg {sec.label} ({sec.short}) per gemeente: cliënten, gebruik, groei, zorg thuis, "
                    "zorglocaties, prognose en het tekort aan plaatsen per groep.",
        sector=sec.id,
    )
