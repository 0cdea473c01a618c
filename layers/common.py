"""Shared pieces of the layer declarations: palettes, leeswijzers, templated text."""

from __future__ import annotations

from geo.sectors import sectors_of
from geo.settings import Settings
from geo.urbanity import STEDELIJKHEID_LABELS

from .spec import Classification, LegendClass, Leeswijzer, range_classes

# ColorBrewer palettes (five classes)
YL_OR_BR = ("#ffffd4", "#fed98e", "#fe9929", "#d95f0e", "#993404")
PURPLES_DARK_FIRST = ("#54278f", "#756bb1", "#9e9ac8", "#cbc9e2", "#f2f0f7")
BLUES = ("#eff3ff", "#bdd7e7", "#6baed6", "#3182bd", "#08519c")
RD_YL_BU = ("#d7191c", "#fdae61", "#ffffbf", "#abd9e9", "#2c7bb6")
GREENS = ("#edf8e9", "#bae4b3", "#74c476", "#31a354", "#006d2c")
#: gap: surplus in purple, shortage in four oranges (ColorBrewer PuOr: no red-green contrast, safe for
#: the common colour-vision deficiencies)
GAP = ("#8073ac", "#fee0b6", "#fdb863", "#e08214", "#b35806")
YL_GN_BU = ("#ffffcc", "#a1dab4", "#41b6c4", "#2c7fb8", "#253494")
PURPLES = tuple(reversed(PURPLES_DARK_FIRST))

BEVOLKING = Leeswijzer("CBS, bevolking naar leeftijd", "1 januari {laatste_jaar}",
                       "Inwoners op 1 januari volgens de bevolkingsstatistiek.")
AANDEEL_75 = Leeswijzer("CBS, bevolking naar leeftijd", "1 januari {laatste_jaar}",
                        "Inwoners van 75 jaar en ouder als percentage van alle inwoners.")
SES = Leeswijzer("CBS/SCP, SES-WOA", "2019",
                 "Sociaal-economische status (welvaart, opleiding, arbeid); hogere score is hogere status.")
SES_GROUP = Leeswijzer("CBS/SCP, SES-WOA; indeling Wonen en Zorg 2040", "2019",
                       "SES-WOA-score in vijf groepen; groep 1 is de laagste status, groep 5 de hoogste.")
OAD = Leeswijzer("Adressen (BAG); berekening Wonen en Zorg 2040", "1 januari {laatste_jaar}",
                 "Omgevingsadressendichtheid: gemiddeld aantal adressen per km² binnen 1 km van elk adres.")
STEDELIJKHEID = Leeswijzer("Adressen (BAG); CBS-klassen", "1 januari {laatste_jaar}",
                           "Stedelijkheid volgens de CBS-klassen van de omgevingsadressendichtheid.")
#: how the public forecast treats small numbers (added to every leeswijzer of a forecast figure)
PUBLIC_MODEL = ("Waar de aantallen van een gemeente klein zijn, rekent de openbare prognose met het aandeel "
                "thuis van de regio (wegens kleine aantallen).")
#: the source of every forecast figure; which scenario the files hold is said in the explanation
FORECAST_SOURCE = "Prognose Wonen en Zorg {doeljaar}"
#: the layers' files hold the headline year and scenario (settings); the viewer shows the chosen one
LAYER_SCENARIO = "In de downloadbestanden: {kaartscenario}."
VRAAG = Leeswijzer(FORECAST_SOURCE, "{doeljaar}",
                   "Verwacht aantal intramurale cliënten: gebruik per leeftijdsgroep in de regio x bevolkingsprognose. "
                   + PUBLIC_MODEL + " " + LAYER_SCENARIO)
PLAATSEN = Leeswijzer("Zorgkantoor, zorglocaties", "{laatste_jaar}",
                      "Plaatsen op de locaties van de sector in de gemeente nu.")
TEKORT = Leeswijzer(FORECAST_SOURCE, "{doeljaar}",
                    "Verwachte vraag naar plaatsen min de plaatsen van nu; positief is een tekort. " + PUBLIC_MODEL
                    + " " + LAYER_SCENARIO)


def template_values(settings: Settings) -> dict:
    """Values for the ``{placeholders}`` in aliases and leeswijzers."""
    return {
        "eerste_jaar": settings.observed_years[0],
        "laatste_jaar": settings.observed_years[-1],
        "doeljaar": settings.target_year,
        "kaartscenario": (f"{settings.target_year}, zorgvraag {settings.headline_demand_scenario}, "
                          f"leveringsvorm scenario {settings.headline_leveringsvorm_scenario}"),
        "min_intramuraal": settings.location_min_intramural,
        "min_thuis": settings.location_min_home,
        "regio": settings.region_name,
        "drempel": settings.privacy_min_count,
        "locatieregels": "; ".join(sec.text("locations") for sec in sectors_of(settings)),
    }


#: tippecanoe options for polygon layers: keep every area at every zoom, simplify instead of dropping
POLYGON_TIPPECANOE = ("--no-tiny-polygon-reduction", "--detect-shared-borders",
                      "--no-feature-limit", "--no-tile-size-limit", "--simplification=4")


def aandeel_75plus_classes() -> Classification:
    """Legend of the share of inhabitants aged 75+ (the same for gemeenten and wijken)."""
    return Classification("aandeel_75plus", "Aandeel 75-plussers", "classes",
                          range_classes((7.0, 8.5, 10.0, 11.5), YL_OR_BR, "%", 1), unit="%")


def inwoners_classes(limits) -> Classification:
    """Legend of the number of inhabitants (limits differ for gemeenten and wijken)."""
    return Classification("inwoners", "Inwoners", "classes", range_classes(limits, YL_GN_BU, "", 0))


def oad_classes() -> Classification:
    """Legend of the address density, at the CBS stedelijkheid limits (darker is more urban)."""
    return Classification("oad", "Omgevingsadressendichtheid", "classes",
                          range_classes((500.0, 1000.0, 1500.0, 2500.0), PURPLES, "", 0), unit="adressen per km²")


def stedelijkheid_classes() -> Classification:
    """Legend of the CBS stedelijkheid classes 1..5."""
    return Classification("stedelijkheid", "Stedelijkheid", "categories",
                          tuple(LegendClass(color=col, label=f"{k} {STEDELIJKHEID_LABELS[k]}", value=k)
                                for k, col in zip(range(1, 6), PURPLES_DARK_FIRST)))


def ses_classes() -> Classification:
    """Legend of the five SES-WOA groups."""
    return Classification("ses_groep", "Sociaal-economische status (SES-WOA)", "categories",
                          tuple(LegendClass(color=col, label=lab, value=k) for k, (col, lab) in enumerate(zip(
                              RD_YL_BU, ("1 laagste", "2", "3", "4", "5 hoogste")), start=1)))
