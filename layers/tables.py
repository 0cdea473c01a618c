"""Tables a build publishes for analysts: the full forecast and gap, CSV (Dutch Excel) and XLSX."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

#: columns that hold (or reveal) observed client counts of the base year
OBSERVED = ("clienten_thuis_nu", "clienten_intramuraal_nu")
REVEALING = OBSERVED + ("extra_thuis", "extra_intramuraal", "aandeel_thuis")

COLUMN_TEXT = {
    "gemeentecode": "CBS-code van de gemeente; 'regio' is de hele regio (som van de gemeenten)",
    "zzp_groep": "ZZP-groep: ZZP 4, ZZP 5-7, ZZP 6-8 of overig",
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
    "plaatsen_nu": "Plaatsen op de V&V-locaties in de gemeente nu",
    "tekort": "Intramurale vraag min plaatsen nu; positief is een tekort",
    "bevolkingsmethode": "Hoe de bevolking per leeftijd is bepaald",
}


def public_forecast_table(table: pd.DataFrame, threshold: int) -> pd.DataFrame:
    """The forecast table without observed counts below ``threshold`` (nor what reveals them).

    Where the base year's observed home or intramural count of a gemeente and
    group is below the threshold, both counts, the extra places (which equal a
    projection minus that count) and the home share are left empty.
    """
    out = table.copy()
    small = (out[list(OBSERVED)] < threshold).any(axis=1)
    for col in REVEALING:
        if col in out:
            out[col] = out[col].astype(float)
            out.loc[small, col] = np.nan
    return out


def write_csv_nl(df: pd.DataFrame, path: Path) -> None:
    """CSV as Dutch Excel opens it: ``;``, decimal comma, UTF-8 with BOM."""
    df.to_csv(path, sep=";", decimal=",", index=False, encoding="utf-8-sig", float_format="%.2f")


def write_forecast_tables(folder: Path, table: pd.DataFrame, summary: pd.DataFrame, assumptions: dict,
                          threshold: int, internal_folder: Path | None = None) -> list[Path]:
    """Full table as CSV and XLSX (sheets: the table, extra places per scenario, explanation)."""
    public = public_forecast_table(table, threshold)
    csv = folder / "prognose_tekort.csv"
    write_csv_nl(public, csv)
    xlsx = folder / "prognose_tekort.xlsx"
    explanation = pd.DataFrame(
        [(k, v) for k, v in COLUMN_TEXT.items()]
        + [("", ""), ("Aanname", "Waarde")]
        + [(k, ", ".join(f"{a}: {b}" for a, b in v.items()) if isinstance(v, dict) else str(v))
           for k, v in assumptions.items()]
        + [("", ""), ("Privacy", f"Waargenomen aantallen kleiner dan {threshold} en wat ze verraadt zijn leeg gelaten")],
        columns=["Kolom of aanname", "Toelichting"])
    with pd.ExcelWriter(xlsx, engine="openpyxl") as xl:
        public.to_excel(xl, sheet_name="Prognose en tekort", index=False)
        summary.to_excel(xl, sheet_name="Extra plaatsen regio", index=False)
        explanation.to_excel(xl, sheet_name="Toelichting", index=False)
        for ws in xl.book.worksheets:
            ws.freeze_panes = "A2"
            for col in ws.columns:
                width = max(len(str(c.value)) if c.value is not None else 0 for c in col[:200])
                ws.column_dimensions[col[0].column_letter].width = min(max(10, width + 2), 60)
    written = [csv, xlsx]
    if internal_folder is not None:
        exact = internal_folder / "prognose_tekort_intern.csv"
        write_csv_nl(table, exact)
        written.append(exact)
    return written


def public_care_use(care_use: pd.DataFrame, threshold: int) -> pd.DataFrame:
    """Clients ZZP 4-8 per 1,000 aged 75+ per gemeente and year, without counts below ``threshold``."""
    out = care_use.copy()
    small = out["clienten_zzp4_8"] < threshold
    out["clienten_zzp4_8"] = out["clienten_zzp4_8"].astype(float)
    out.loc[small, ["clienten_zzp4_8", "per_1000_75plus"]] = np.nan
    return out
