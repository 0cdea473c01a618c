"""A forecast table too long for a workbook goes whole into the CSV; the workbook keeps the region."""

from __future__ import annotations

import pandas as pd

from layers.tables import write_forecast_tables


def _table():
    rows = [{"sector": "vv", "gemeentecode": code, "zzp_groep": "ZZP 4", "groep_id": "zzp4", "jaar": year,
             "vraagscenario": "midden", "leveringsvormscenario": 1, "clienten_totaal": 20.0, "clienten_thuis": 8.0,
             "clienten_intramuraal": 12.0, "aandeel_thuis": 0.4, "clienten_thuis_nu": 12.0,
             "clienten_intramuraal_nu": 15.0, "extra_thuis": -4.0, "extra_intramuraal": -3.0, "plaatsen_nu": 10.0,
             "tekort": 2.0, "bevolkingsmethode": "x"}
            for code in ("GM0001", "GM0002", "regio") for year in (2023, 2030, 2040)]
    return pd.DataFrame(rows)


def test_the_workbook_keeps_the_region_when_the_table_is_too_long(tmp_path):
    table = _table()
    summary = pd.DataFrame({"sector": ["vv"], "jaar": [2040], "tekort": [2.0]})
    write_forecast_tables(tmp_path, table, summary, {"V&V": {"basisjaar": 2023}}, 10, xlsx_max_rows=5)
    csv = pd.read_csv(tmp_path / "prognose_tekort.csv", sep=";", decimal=",", encoding="utf-8-sig")
    assert len(csv) == 9  # every row in the CSV
    book = pd.read_excel(tmp_path / "prognose_tekort.xlsx", sheet_name=None)
    assert list(book) == ["Prognose en tekort regio", "Extra plaatsen regio", "Toelichting"]
    assert book["Prognose en tekort regio"]["gemeentecode"].tolist() == ["regio"] * 3
    text = " ".join(book["Toelichting"]["Toelichting"].dropna().astype(str))
    assert "9 regels, meer dan 5" in text and "prognose_tekort.csv" in text
    # within the limit the workbook holds the whole table
    write_forecast_tables(tmp_path, table, summary, {"V&V": {"basisjaar": 2023}}, 10, xlsx_max_rows=9)
    assert len(pd.read_excel(tmp_path / "prognose_tekort.xlsx", sheet_name="Prognose en tekort")) == 9
