"""The columnar XLSX writer (layers/xlsx.py), read back by openpyxl as the independent reader."""

from __future__ import annotations

import io
import math
import xml.etree.ElementTree as ET
import zipfile

import numpy as np
import openpyxl
import pandas as pd
import pytest

from layers.xlsx import WorkbookError, column_letters, write_workbook


def _frame() -> pd.DataFrame:
    return pd.DataFrame({
        "gemeentecode": ["GM0001", "regio", "GM0003", None],
        "jaar": np.array([2023, 2030, 2035, 2040], dtype="int64"),
        "aantal": pd.array([5, None, 12, 0], dtype="Int64"),
        "aandeel": [0.1, np.nan, -2.5e-7, 123456789.125],
        "tekst": ["A & B <c>", "  spaties  ", "ë ü € 🏠", "tab\tregel\nnieuw"],
        "vlag": [True, False, True, False],
        "oneindig": [1.0, math.inf, -math.inf, 2.0],
    })


def _read(buf: io.BytesIO):
    buf.seek(0)
    return openpyxl.load_workbook(buf)


def test_values_come_back_as_written():
    frame = _frame()
    buf = io.BytesIO()
    write_workbook(buf, {"Tabel": frame})
    ws = _read(buf)["Tabel"]
    rows = list(ws.iter_rows(values_only=True))
    assert rows[0] == tuple(frame.columns)
    assert rows[1] == ("GM0001", 2023, 5, 0.1, "A & B <c>", True, 1.0)
    # empty values and infinities are no cell at all
    assert rows[2] == ("regio", 2030, None, None, "  spaties  ", False, None)
    assert rows[3] == ("GM0003", 2035, 12, -2.5e-7, "ë ü € 🏠", True, None)
    assert rows[4] == (None, 2040, 0, 123456789.125, "tab\tregel\nnieuw", False, 2.0)
    # numbers are numbers, text is text
    assert ws["B2"].data_type == "n" and ws["A2"].data_type == "s" and ws["F2"].data_type == "b"


def test_pandas_reads_the_same_table():
    frame = pd.DataFrame({"a": np.arange(1000) * 0.37, "b": [f"gemeente {i % 7}" for i in range(1000)],
                          "c": np.arange(1000)})
    buf = io.BytesIO()
    write_workbook(buf, {"x": frame})
    buf.seek(0)
    back = pd.read_excel(buf, sheet_name="x")
    pd.testing.assert_frame_equal(back, frame, check_dtype=False)


def test_sheets_in_order_header_bold_and_frozen_widths():
    buf = io.BytesIO()
    long = pd.DataFrame({"kort": ["x"], "lang": ["y" * 40], "heel lang": ["z" * 200]})
    write_workbook(buf, {"Eerste": _frame(), "Tweede & laatste": long})
    wb = _read(buf)
    assert wb.sheetnames == ["Eerste", "Tweede & laatste"]
    ws = wb["Tweede & laatste"]
    assert ws.freeze_panes == "A2"
    assert ws["A1"].font.b and not ws["A2"].font.b
    assert ws.column_dimensions["A"].width == 10      # at least 10
    assert ws.column_dimensions["B"].width == 42      # content + 2
    assert ws.column_dimensions["C"].width == 60      # at most 60


def test_characters_xml_cannot_carry_are_left_out():
    frame = pd.DataFrame({"t": ["a\x00b\x1fc", "d\ud800e", "ok"]})
    buf = io.BytesIO()
    write_workbook(buf, {"t": frame})
    ws = _read(buf)["t"]
    assert [c.value for c in ws["A"]][1:] == ["abc", "de", "ok"]


def test_every_part_is_well_formed_xml_and_the_file_is_reproducible():
    one, two = io.BytesIO(), io.BytesIO()
    write_workbook(one, {"a": _frame()})
    write_workbook(two, {"a": _frame()})
    assert one.getvalue() == two.getvalue()
    with zipfile.ZipFile(one) as zf:
        names = zf.namelist()
        assert "[Content_Types].xml" in names and "xl/worksheets/sheet1.xml" in names
        for name in names:
            ET.fromstring(zf.read(name))


def test_empty_table_and_bad_sheet_names():
    buf = io.BytesIO()
    write_workbook(buf, {"leeg": pd.DataFrame({"a": pd.Series([], dtype=float), "b": pd.Series([], dtype=object)})})
    ws = _read(buf)["leeg"]
    assert [c.value for c in ws[1]] == ["a", "b"] and ws.max_row == 1
    for bad in ("a/b", "x" * 32, ""):
        with pytest.raises(WorkbookError):
            write_workbook(io.BytesIO(), {bad: _frame()})
    with pytest.raises(WorkbookError):
        write_workbook(io.BytesIO(), {})


def test_column_letters_by_hand():
    assert [column_letters(i) for i in (0, 25, 26, 27, 51, 52, 701, 702)] == \
        ["A", "Z", "AA", "AB", "AZ", "BA", "ZZ", "AAA"]


def test_benchmark_script_prints_its_figures():
    """scripts/bench_tables.py on a small synthetic table: a line per format in the expected shape."""
    import re
    import subprocess
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent
    done = subprocess.run([sys.executable, str(root / "scripts" / "bench_tables.py"), "--rows", "2000",
                           "--repeat", "1"], capture_output=True, text=True, timeout=300, cwd=root)
    assert done.returncode == 0, done.stderr
    line = re.compile(r"^(CSV|XLSX): columnar \d+\.\d\d s \([\d,]+ rows/s\), pandas \d+\.\d\d s \([\d,]+ rows/s\), "
                      r"ratio \d+\.\dx$")
    lines = done.stdout.splitlines()
    assert sum(bool(line.match(s)) for s in lines) == 2, done.stdout
    assert "CSV bytes the same as pandas': yes" in lines
