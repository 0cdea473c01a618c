"""geo.validate: numbers as written, Dutch limits, duplicate keys, row numbers carried through pandas."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from geo.validate import RowNumbers, dutch_number, first_duplicate, number_problem, parse_numbers


@pytest.mark.parametrize("text, kind, mark, value", [
    ("12", "int", ",", 12.0),
    ("1.234", "int", ",", 1234.0),          # thousands separator in a ;-file
    ("1.234.567", "int", ",", 1234567.0),
    ("12,0", "int", ",", 12.0),
    ("-3", "int", ",", -3.0),               # parsed; the minimum refuses it later
    ("12.0", "int", ".", 12.0),             # Excel's text of a whole number
    ("99999999999999999999", "int", ".", 1e20),  # parsed as a float: the maximum refuses it, no overflow
    ("136000,5", "float", ",", 136000.5),
    ("136000.5", "float", ",", 136000.5),
    ("1.5e5", "float", ".", 150000.0),      # an exponent is fine in a coordinate
    ("-0.25", "float", ".", -0.25),
])
def test_numbers_that_are_accepted(text, kind, mark, value):
    nums, bad = parse_numbers(pd.Series([text]), kind, mark)
    assert not bad.iloc[0]
    assert nums.iloc[0] == value


@pytest.mark.parametrize("text, kind, mark", [
    ("2.5", "int", ","),      # not a thousands group: would silently become 25
    ("2.5", "int", "."),
    ("1e3", "int", "."),
    ("1E+05", "int", ","),
    ("NaN", "int", "."), ("nan", "float", "."), ("inf", "float", ","), ("-Infinity", "float", "."),
    ("1e400", "float", "."),  # overflows to infinity
    ("drie", "int", ","), ("1 000", "int", ","), ("0x10", "int", "."), ("12-3", "int", "."), ("-", "float", "."),
])
def test_numbers_that_are_refused(text, kind, mark):
    nums, bad = parse_numbers(pd.Series(["7", text]), kind, mark)
    assert bad.tolist() == [False, True]
    assert nums.iloc[0] == 7.0 and math.isnan(nums.iloc[1])


def test_empty_cells_are_neither_bad_nor_numbers():
    nums, bad = parse_numbers(pd.Series(["", "5"]), "int", ",")
    assert bad.tolist() == [False, False]
    assert math.isnan(nums.iloc[0]) and nums.iloc[1] == 5.0


@pytest.mark.parametrize("text, kind, says", [
    ("1e3", "int", "wetenschappelijke notatie"),
    ("inf", "int", "'inf' is geen getal"),
    ("NaN", "float", "'NaN' is geen getal"),
    ("2,5", "int", "'2,5' is geen geheel getal"),
    ("1e400", "float", "geen eindig getal"),
    ("veel", "int", "'veel' is geen geheel getal"),
    ("veel", "float", "'veel' is geen getal"),
])
def test_number_problem_says_why(text, kind, says):
    assert says in number_problem(text, kind)


@pytest.mark.parametrize("value, text", [(2_000_000, "2.000.000"), (-7000, "-7.000"), (0, "0"), (0.5, "0,5"),
                                         (99_999, "99.999"), (1.0, "1")])
def test_dutch_number(value, text):
    assert dutch_number(value) == text


def test_first_duplicate_names_the_earlier_row_too():
    df = pd.DataFrame({"a": [1, 2, 1, 2], "b": ["x", "y", "z", "y"]})
    assert first_duplicate(df, ["a"]) == (0, 2)
    assert first_duplicate(df, ["a", "b"]) == (1, 3)
    assert first_duplicate(df, ["b"]) == (1, 3)
    assert first_duplicate(df.iloc[:2], ["a"]) is None


def test_row_numbers_survive_pandas_operations_that_compare_attrs():
    a = pd.DataFrame({"x": [1, 2]})
    b = pd.DataFrame({"x": [3]})
    a.attrs["regels"] = RowNumbers([2, 3])
    b.attrs["regels"] = RowNumbers([2])
    both = pd.concat([a, b])  # pandas compares the attrs of both frames: must not raise
    assert len(both) == 3
    assert a.copy(deep=True).attrs["regels"] is a.attrs["regels"]
