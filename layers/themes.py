"""What the viewer offers, declared once as data: themes with their indicators per level, the
forecast's years, scenarios and groups, and the public downloads. Written into the catalog; the
viewer knows nothing that the catalog does not tell it.
"""

from __future__ import annotations

from dataclasses import dataclass

from geo.forecast import DEMAND_SCENARIOS, LEVERINGSVORM_SCENARIOS
from geo.sectors import sectors_of
from geo.settings import Settings

#: in a layer id of an indicator: the sector the viewer shows (``zorg_{sector}`` -> ``zorg_gz``)
SECTOR = "{sector}"

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

    @property
    def per_sector(self) -> bool:
        """Whether the indicator follows the sector switch (its layer id holds ``{sector}``)."""
        return any(SECTOR in layer for layer, _ in self.levels.values())

    def as_dict(self) -> dict:
        d = {"id": self.id, "title": self.title, "per_sector": self.per_sector,
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


def _care(field: str) -> dict[str, tuple[str, str]]:
    return {"gemeente": (f"zorg_{SECTOR}", field)}


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
        Indicator("tekort_totaal", "Tekort aan plaatsen", _care("tekort_totaal"), forecast="tekort_totaal"),
        Indicator("gebruik", "Cliënten per inwoners", _care("gebruik")),
        Indicator("groei_toewijzingen", "Groei in toewijzingen", _care("groei_klasse")),
        Indicator("aandeel_thuis", "Zorg thuis", _care("aandeel_thuis")),
        Indicator("locaties_per_1000_clienten", "Zorglocaties per 1.000 cliënten", _care("locaties_per_1000_clienten")),
        Indicator("prognose_groei", "Groei van het aantal cliënten", _care("prognose_groei"),
                  forecast="prognose_groei"),
        Indicator("nieuwe_clienten", "Nieuwe cliënten", _care("nieuwe_clienten"), forecast="nieuwe_clienten"),
    )),
)


def sector_meta(settings: Settings, present=None) -> list[dict]:
    """The sectors of a build (declared, with client data), as the catalog and the API give them:
    id, code, labels, colour, the groups of the gap and the client groups, the rate's reference."""
    out = []
    for d in sectors_of(settings).as_catalog():
        if present is None or d["id"] in present:
            d["layer"] = f"zorg_{d['id']}"
            out.append(d)
    return out


def forecast_meta(settings: Settings) -> dict:
    """The forecast's years and scenarios, as the viewer's controls show them (the groups: per sector,
    :func:`sector_meta`)."""
    base = settings.observed_years[-1]
    end = max(settings.target_year, *settings.forecast_target_years)
    return {
        "base_year": base, "years": list(range(base, end + 1)), "target_year": settings.target_year,
        "headline": {"jaar": settings.target_year, "vraag": settings.headline_demand_scenario,
                     "levering": settings.headline_leveringsvorm_scenario},
        "demand_scenarios": [{"id": s, "label": s, "uitleg": DEMAND_TEXT[s]} for s in DEMAND_SCENARIOS],
        "leveringsvorm_scenarios": [{"id": k, "label": f"scenario {k}", "uitleg": v}
                                    for k, v in LEVERINGSVORM_SCENARIOS.items()],
    }


#: the public files of a build that the viewer links for download (never an internal one)
DOWNLOADS: tuple[tuple[str, str], ...] = (
    ("prognose_tekort.xlsx", "Prognose en tekort, alle gemeenten, jaren en scenario's (Excel)"),
    ("prognose_tekort.csv", "Prognose en tekort (CSV)"),
    ("tekort_{doeljaar}.csv", "Tekort per sector, gemeente en groep in {doeljaar} (CSV)"),
    ("zorggebruik.csv", "Zorggebruik per sector, gemeente en jaar (CSV)"),
    ("zorgzwaarte.csv", "Cliënten per sector en groep van zorgprofielen in de regio, per jaar (CSV)"),
    ("wonenzorg.gpkg", "Alle kaartlagen voor QGIS (GeoPackage)"),
    ("geocodering.csv", "Zorglocaties die niet precies op hun postcode staan (CSV)"),
)


def downloads(settings: Settings) -> list[dict]:
    """The download list with file names and titles filled in."""
    return [{"file": f.format(doeljaar=settings.target_year), "title": t.format(doeljaar=settings.target_year)}
            for f, t in DOWNLOADS]


def theme_problems(layers: dict[str, object], settings: Settings) -> list[str]:
    """Every indicator must name a declared field that has a legend in its layer (for a sector's
    indicator: in the layer of every sector)."""
    problems = []
    sector_ids = [i[len("zorg_"):] for i in layers if i.startswith("zorg_")]
    for theme in THEMES:
        for ind in theme.indicators:
            for level, (pattern, field) in ind.levels.items():
                names = [pattern.replace(SECTOR, sid) for sid in sector_ids] if SECTOR in pattern else [pattern]
                for layer in names:
                    spec = layers.get(layer)
                    if spec is None:
                        problems.append(f"thema {theme.id}: {ind.id} ({level}) verwijst naar onbekende laag '{layer}'")
                    elif not any(c.field == field for c in spec.classifications(settings)):
                        problems.append(f"thema {theme.id}: {ind.id} ({level}) heeft geen legenda voor "
                                        f"'{layer}.{field}'")
    return problems
