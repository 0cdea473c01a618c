"""What the viewer offers, declared once as data: themes with their indicators per level, the
forecast's years, scenarios and groups, and the public downloads. Written into the catalog; the
viewer knows nothing that the catalog does not tell it.
"""

from __future__ import annotations

from dataclasses import dataclass

from geo.forecast import DEMAND_SCENARIOS, GROUP_LABELS, LEVERINGSVORM_SCENARIOS, ZZP_GROUPS
from geo.indicators import ZZP_GROUPS_4_TO_8
from geo.settings import Settings

#: one colour per group in charts and the gap_2040 legend (ColorBrewer PuOr/grey: safe for the
#: common colour-vision deficiencies, none of them red or green)
GROUP_COLOURS = {"zzp4": "#fdb863", "zzp5_7": "#b2abd2", "zzp6_8": "#5e3c99", "overig": "#7a7a7a"}

#: Dutch explanation of each demand scenario
DEMAND_TEXT = {"min": "laagste waargenomen zorggebruik per leeftijdsklasse",
               "midden": "gemiddeld zorggebruik over de waargenomen jaren",
               "max": "hoogste waargenomen zorggebruik per leeftijdsklasse"}


@dataclass(frozen=True)
class Indicator:
    """One indicator of a theme: a field per level (``gemeente``, ``wijk``) where it exists.

    ``forecast`` names the measure of ``/api/prognose`` that gives its values for another year and
    scenario than the headline (None: the value does not depend on them).
    """

    id: str
    title: str
    levels: dict[str, tuple[str, str]]  # level -> (layer id, field)
    forecast: str | None = None

    def as_dict(self) -> dict:
        d = {"id": self.id, "title": self.title,
             "levels": {lv: {"layer": layer, "field": f} for lv, (layer, f) in self.levels.items()}}
        if self.forecast:
            d["forecast"] = self.forecast
        return d


@dataclass(frozen=True)
class Theme:
    id: str
    title: str
    indicators: tuple[Indicator, ...]

    def as_dict(self) -> dict:
        return {"id": self.id, "title": self.title, "indicators": [i.as_dict() for i in self.indicators]}


def _both(field: str) -> dict[str, tuple[str, str]]:
    return {"gemeente": ("gemeenten", field), "wijk": ("wijken", field)}


def _gemeente(field: str) -> dict[str, tuple[str, str]]:
    return {"gemeente": ("gemeenten", field)}


#: the themes of the Wonen en Zorg 2040 system, in the order the viewer shows them
THEMES: tuple[Theme, ...] = (
    Theme("demografie", "Demografie", (
        Indicator("inwoners", "Inwoners", _both("inwoners")),
        Indicator("aandeel_75plus", "Aandeel 75-plussers", _both("aandeel_75plus")),
        Indicator("ses_groep", "Sociaal-economische status (SES-groep)", _both("ses_groep")),
    )),
    Theme("wonen", "Wonen", (
        Indicator("stedelijkheid", "Stedelijkheid", _both("stedelijkheid")),
        Indicator("oad", "Adressendichtheid (OAD)", _both("oad")),
    )),
    Theme("zorg", "Zorg", (
        Indicator("tekort_totaal", "Tekort aan plaatsen", _gemeente("tekort_totaal"), forecast="tekort_totaal"),
        Indicator("clienten_per_1000_75plus", "Cliënten per 1.000 inwoners 75+", _gemeente("clienten_per_1000_75plus")),
        Indicator("groei_toewijzingen", "Groei in toewijzingen", _gemeente("groei_klasse")),
        Indicator("locaties_per_1000_clienten", "Zorglocaties per 1.000 cliënten",
                  _gemeente("locaties_per_1000_clienten")),
        Indicator("prognose_groei", "Groei van het aantal cliënten", _gemeente("prognose_groei"),
                  forecast="prognose_groei"),
        Indicator("nieuwe_clienten", "Nieuwe cliënten", _gemeente("nieuwe_clienten"), forecast="nieuwe_clienten"),
    )),
)


def forecast_meta(settings: Settings) -> dict:
    """The forecast's years, scenarios and groups, as the viewer's controls show them."""
    base = settings.observed_years[-1]
    end = max(settings.target_year, *settings.forecast_target_years)
    return {
        "base_year": base, "years": list(range(base, end + 1)), "target_year": settings.target_year,
        "headline": {"jaar": settings.target_year, "vraag": settings.headline_demand_scenario,
                     "levering": settings.headline_leveringsvorm_scenario},
        "demand_scenarios": [{"id": s, "label": s, "uitleg": DEMAND_TEXT[s]} for s in DEMAND_SCENARIOS],
        "leveringsvorm_scenarios": [{"id": k, "label": f"scenario {k}", "uitleg": v}
                                    for k, v in LEVERINGSVORM_SCENARIOS.items()],
        "groups": [{"id": g, "label": GROUP_LABELS[g], "color": GROUP_COLOURS[g]} for g in ZZP_GROUPS],
        # the groups whose clients make up "cliënten" (ZZP 4-8, as the regioanalyse counts them)
        "client_groups": list(ZZP_GROUPS_4_TO_8),
    }


#: the public files of a build that the viewer links for download (never an internal one)
DOWNLOADS: tuple[tuple[str, str], ...] = (
    ("prognose_tekort.xlsx", "Prognose en tekort, alle gemeenten, jaren en scenario's (Excel)"),
    ("prognose_tekort.csv", "Prognose en tekort (CSV)"),
    ("tekort_{doeljaar}.csv", "Tekort per gemeente en ZZP-groep in {doeljaar} (CSV)"),
    ("zorggebruik.csv", "Zorggebruik per gemeente en jaar (CSV)"),
    ("wonenzorg.gpkg", "Alle kaartlagen voor QGIS (GeoPackage)"),
    ("geocodering.csv", "Zorglocaties die niet precies op hun postcode staan (CSV)"),
)


def downloads(settings: Settings) -> list[dict]:
    """The download list with file names and titles filled in."""
    return [{"file": f.format(doeljaar=settings.target_year), "title": t.format(doeljaar=settings.target_year)}
            for f, t in DOWNLOADS]


def theme_problems(layers: dict[str, object], settings: Settings) -> list[str]:
    """Every indicator must name a declared field that has a legend in its layer."""
    problems = []
    for theme in THEMES:
        for ind in theme.indicators:
            for level, (layer, field) in ind.levels.items():
                spec = layers.get(layer)
                if spec is None:
                    problems.append(f"thema {theme.id}: {ind.id} ({level}) verwijst naar onbekende laag '{layer}'")
                    continue
                if not any(c.field == field for c in spec.classifications(settings)):
                    problems.append(f"thema {theme.id}: {ind.id} ({level}) heeft geen legenda voor '{layer}.{field}'")
    return problems
