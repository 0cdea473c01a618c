"""Tables a build publishes for analysts: the full forecast and gap, CSV (Dutch Excel) and XLSX."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from geo.csvout import write_csv
from geo.sectors import default_sectors

from .spec import CountRef, FieldSpec
from .xlsx import write_workbook

#: columns that hold observed client counts of the base year
OBSERVED = ("clienten_thuis_nu", "clienten_intramuraal_nu")

#: the columns of zorggebruik.csv that rest on observed client counts (of the row's year)
CARE_USE_FIELDS = (
    FieldSpec("clienten", "int", "Cliënten (de cliëntgroepen van de sector)", "cliënten", count=True, kind="count",
              rests_on=(CountRef("jaar"),)),
    FieldSpec("gebruik", "float", "Cliënten per referentiebevolking (zie eenheid)", kind="rate",
              rests_on=(CountRef("jaar"),)),
)

COLUMN_TEXT = {
    "sector": "Sector: " + ", ".join(f"{s.id} ({s.label})" for s in default_sectors()),
    "groep_id": "Code van de groep",
    "gemeentecode": "CBS-code van de gemeente; 'regio' is de hele regio (som van de gemeenten)",
    "zzp_groep": "Groep van zorgprofielen: " + "; ".join(
        f"{s.short}: {', '.join(s.group_labels.values())}" for s in default_sectors()),
    "jaar": "Jaar van de prognose",
    "vraagscenario": "min / midden / max: laagste, gemiddeld of hoogste waargenomen gebruik per leeftijdsklasse",
    "leveringsvormscenario": "1 aandeel thuis gelijk; 2 groeit half zo snel als vroeger; 3 groeit even snel; "
                             "4 alle groei thuis",
    "clienten_totaal": "Verwacht aantal cliënten (thuis en intramuraal)",
    "clienten_thuis": "Verwacht aantal cliënten met zorg thuis (VPT, MPT, PGB)",
    "clienten_intramuraal": "Verwacht aantal cliënten dat een plaats in een instelling nodig heeft",
    "aandeel_thuis": "Aandeel cliënten met zorg thuis in dit scenario",
    "clienten_thuis_nu": "Cliënten thuis in het basisjaar (waargenomen)",
    "clienten_intramuraal_nu": "Cliënten intramuraal in het basisjaar (waargenomen)",
    "extra_thuis": "Extra cliënten thuis ten opzichte van het basisjaar",
    "extra_intramuraal": "Extra intramurale plaatsen nodig ten opzichte van het basisjaar",
    "plaatsen_nu": "Plaatsen op de locaties van de sector in de gemeente nu",
    "tekort": "Intramurale vraag min plaatsen nu; positief is een tekort",
    "bevolkingsmethode": "Hoe de bevolking per leeftijd is bepaald",
}
PRIVACY_TEXT = ("Waargenomen aantallen kleiner dan {drempel} zijn leeg gelaten, en ook de aantallen waarmee een klein "
                "aantal uit te rekenen zou zijn (onderdrukt wegens kleine aantallen). Waar de aantallen van een "
                "gemeente en groep niet gepubliceerd worden, rekent de prognose met het aandeel thuis van de regio "
                "en zijn de extra cliënten leeg; het gebruik per leeftijd is gemeten over samengevoegde "
                "leeftijdsklassen met minstens {drempel} cliënten. Zie docs/methode.md.")


class PublicationError(Exception):
    """A table meant for the public holds an observed count below the threshold (a bug, never published)."""


def check_public_forecast(table: pd.DataFrame, threshold: int) -> pd.DataFrame:
    """The public forecast table as it is (computed from published counts only, ``geo.forecast``),
    after checking that no observed count in it lies below ``threshold``."""
    for col in OBSERVED:
        small = table[col].dropna() < threshold
        if small.any():
            raise PublicationError(f"openbare prognosetabel: kolom {col} bevat {int(small.sum())} aantal(len) "
                                   f"onder de privacydrempel {threshold}")
    return table


def write_csv_nl(df: pd.DataFrame, path) -> None:
    """CSV as Dutch Excel opens it: ``;``, decimal comma, two decimals, UTF-8 with BOM; ``path`` is a
    path or a binary file object. The bytes of pandas' ``to_csv`` with those options, written a
    column at a time (``geo.csvout``)."""
    write_csv(df, path, sep=";", decimal=",", digits=2, bom=True)


def write_xlsx(target, sheets: dict[str, pd.DataFrame]) -> None:
    """A workbook with one sheet per table: header row frozen, columns as wide as their content.

    ``target`` is a path or a binary file object. Written a column at a time (``layers.xlsx``).
    """
    write_workbook(target, sheets)


def write_forecast_tables(folder: Path, table: pd.DataFrame, summary: pd.DataFrame, assumptions: dict,
                          threshold: int, internal_folder: Path | None = None,
                          exact: pd.DataFrame | None = None, xlsx_max_rows: int = 50_000) -> list[Path]:
    """Full table as CSV and XLSX (sheets: the table, extra places per scenario, explanation).

    ``table`` is the public forecast; ``exact`` (the forecast on every exact
    count) goes only to ``internal_folder``, as ``prognose_tekort_intern.csv``.
    A table longer than ``xlsx_max_rows`` (a national build: some 600,000 rows,
    minutes of spreadsheet writing and near Excel's row limit) goes whole into
    the CSV only; the workbook then holds the region's rows, and the explanation
    sheet says where the gemeenten's rows are.
    """
    public = check_public_forecast(table, threshold)
    csv = folder / "prognose_tekort.csv"
    write_csv_nl(public, csv)
    xlsx = folder / "prognose_tekort.xlsx"
    whole = len(public) <= xlsx_max_rows
    sheet = public if whole else public[public["gemeentecode"] == "regio"]
    where = [] if whole else [("Gemeenten", SPLIT_TEXT.format(rows=len(public), max=xlsx_max_rows))]
    explanation = pd.DataFrame(
        [(k, v) for k, v in COLUMN_TEXT.items()]
        + [("", ""), ("Aanname", "Waarde")]
        + [(f"{sector}: {k}", ", ".join(f"{a}: {b}" for a, b in v.items()) if isinstance(v, dict) else str(v))
           for sector, block in assumptions.items() for k, v in block.items()]
        + [("", ""), ("Privacy", PRIVACY_TEXT.format(drempel=threshold))] + where,
        columns=["Kolom of aanname", "Toelichting"])
    write_xlsx(xlsx, {"Prognose en tekort" if whole else "Prognose en tekort regio": sheet,
                      "Extra plaatsen regio": summary, "Toelichting": explanation})
    written = [csv, xlsx]
    if internal_folder is not None:
        path = internal_folder / "prognose_tekort_intern.csv"
        write_csv_nl(table if exact is None else exact, path)
        written.append(path)
    return written


#: the explanation sheet's line when the workbook holds the region's rows only
SPLIT_TEXT = ("De volledige tabel heeft {rows} regels, meer dan {max} (instelling xlsx_max_rows): de regels per "
              "gemeente staan in prognose_tekort.csv, en per gemeente als Excel via de kaart (Cijfers van deze "
              "gemeente) of /api/gemeenten/<code>/prognose.xlsx. Dit werkblad heeft de regels van de regio.")
