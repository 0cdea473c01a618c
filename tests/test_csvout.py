"""The columnar CSV writer (geo/csvout.py) against pandas' own to_csv, the independent method."""

from __future__ import annotations

import io
import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings, strategies as st

from geo.csvout import fixed_matrix, write_csv


def _pandas(df: pd.DataFrame, sep=";", decimal=",", digits=2, bom=True) -> bytes:
    buf = io.BytesIO()
    df.to_csv(buf, sep=sep, decimal=decimal, index=False, float_format=f"%.{digits}f", lineterminator="\n",
              encoding="utf-8-sig" if bom else "utf-8")
    return buf.getvalue()


def _ours(df: pd.DataFrame, sep=";", decimal=",", digits=2, bom=True, chunk=500_000) -> bytes:
    buf = io.BytesIO()
    write_csv(df, buf, sep=sep, decimal=decimal, digits=digits, bom=bom, chunk=chunk)
    return buf.getvalue()


def test_mixed_table_byte_for_byte():
    df = pd.DataFrame({
        "gemeentecode": ["GM0001", "regio", None, "GM0004", "GM0005"],
        "jaar": np.array([2023, 2030, -5, 0, 2040]),
        "aantal": pd.array([5, None, 12, 0, -3], dtype="Int64"),
        "aandeel": [0.125, np.nan, -0.001, 1.005, 2.675],
        "groot": [1e17, -2.5e20, math.inf, -math.inf, 123456789.995],
        "tekst": ['a;b', 'zeg "hoi"', "regel\nnieuw", "ë ü €", ""],
        "vlag": [True, False, True, False, True],
        "cat": pd.Categorical(["x", "y;z", "x", None, "y;z"]),
        "f32": np.array([0.1, 0.2, 0.3, np.nan, 1 / 3], dtype=np.float32),
    })
    assert _ours(df) == _pandas(df)
    assert _ours(df, sep=",", decimal=".", digits=1, bom=False) == _pandas(df, sep=",", decimal=".", digits=1, bom=False)
    assert _ours(df, chunk=2) == _pandas(df)


def test_halfway_values_round_as_python_does():
    # exact binary halves and their neighbours: the integer shortcut must step aside for them
    v = np.concatenate([np.arange(-2000, 2000) / 200.0 + 0.0025, np.arange(0, 1000) * 0.005,
                        np.nextafter(np.arange(0, 100) * 0.005, 1), [0.0, -0.0, 5e-3, 4.5e15, 2**53 + 0.5]])
    got = [b.decode() for b in (fixed_matrix(v, 2).tobytes().split(b"\0")) if b]
    rows = fixed_matrix(v, 2)
    texts = [bytes(r[r != 0]).decode() for r in rows]
    assert texts == ["%.2f" % x for x in v]
    assert got  # the matrix is not empty


def test_empty_frame_and_header_quoting():
    df = pd.DataFrame({"a;b": pd.Series([], dtype=float), 'c"d': pd.Series([], dtype=object)})
    assert _ours(df) == _pandas(df)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.floats(allow_nan=True, allow_infinity=True, width=64),
                          st.integers(min_value=-10**12, max_value=10**12),
                          st.one_of(st.none(), st.text(alphabet=st.characters(blacklist_categories=("Cs",),
                                                                                blacklist_characters="\x00\r"),
                                                       max_size=8))),
                min_size=1, max_size=30),
       st.integers(min_value=0, max_value=3))
def test_random_tables_as_pandas_writes_them(rows, digits):
    df = pd.DataFrame(rows, columns=["f", "i", "t"])
    df["t"] = df["t"].astype(object)
    assert _ours(df, digits=digits) == _pandas(df, digits=digits)
    assert _ours(df, sep=",", decimal=".", digits=digits, bom=False) == \
        _pandas(df, sep=",", decimal=".", digits=digits, bom=False)
