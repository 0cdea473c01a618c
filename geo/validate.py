"""Pure checks of input values: numbers as they are written, plausibility limits, unique keys.

The readers in :mod:`geo.io` call these on freshly read tables and turn a
finding into an :class:`~geo.errors.InputError` naming the file, row and
column. Nothing here touches a file.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

#: RD New (EPSG:28992) area of use: the Netherlands, onshore and offshore, in metres
RD_BOUNDS = {"x": (-7_000.0, 300_000.0), "y": (289_000.0, 629_000.0)}
#: WGS84 box around the European Netherlands (longitude, latitude), for telling degrees from metres
NL_LONLAT = {"x": (3.0, 7.5), "y": (50.5, 54.0)}

#: a whole number as written, by the file's decimal mark: "," files may group thousands with "."
# [0-9], not \d: \d also matches other scripts' digits (Arabic-Indic, ...), which no number parser reads
_INT_TEXT = {
    ",": r"[+-]?(?:[0-9]+|[0-9]{1,3}(?:\.[0-9]{3})+)(?:,0+)?",
    ".": r"[+-]?[0-9]+(?:\.0+)?",
}
FLOAT_TEXT = r"[+-]?(?:[0-9]+(?:[.,][0-9]*)?|[.,][0-9]+)(?:[eE][+-]?[0-9]+)?"
#: texts that need no rewriting: a column of only these characters is parsed at once
_PLAIN = {"int": re.compile(r"[-0-9\n]*"), "float": re.compile(r"[-0-9.\n]*")}
_EXPONENT = re.compile(r"[+-]?[0-9]+(?:[.,][0-9]*)?[eE][+-]?[0-9]+")
_NOT_A_NUMBER = {"nan", "+nan", "-nan", "inf", "+inf", "-inf", "infinity", "+infinity", "-infinity",
                 "na", "n/a", "#n/a", "#n/b", "null", "none", "#getal!", "#num!", "#waarde!", "#value!"}


def parse_numbers(text: pd.Series, kind: str, decimal_mark: str) -> tuple[pd.Series, pd.Series]:
    """Numbers from their text, strictly: whole numbers without exponent, no NaN or infinity.

    Parameters
    ----------
    text
        Stripped cell texts; ``""`` is treated as empty (not bad).
    kind
        ``"int"`` or ``"float"``.
    decimal_mark
        ``","`` (a ``;``-separated file: ``1.234`` is a thousand, ``2,5`` two and a half)
        or ``"."`` (a ``,``-separated file or an Excel sheet).

    Returns
    -------
    (pandas.Series, pandas.Series)
        The values as floats (NaN where empty or bad; exact for whole numbers
        up to 2**53, far above every limit) and a mask of the bad cells.

    Examples
    --------
    >>> nums, bad = parse_numbers(pd.Series(["1.234", "2,5", "1e3"]), "int", ",")
    >>> float(nums.iloc[0]), bad.tolist()
    (1234.0, [False, True, True])
    """
    empty = text == ""
    pattern = _INT_TEXT[decimal_mark] if kind == "int" else FLOAT_TEXT
    # fast path: only digits, minus signs (and points in decimals) in the whole column; any such text
    # that parses is a well-formed number, and what does not parse is flagged below
    if _PLAIN[kind].fullmatch("\n".join(text.tolist())):
        nums = pd.to_numeric(text.where(~empty, None), errors="coerce").astype(float)
        bad = ~empty & ~np.isfinite(nums.fillna(np.inf))
        return nums.where(~bad), bad
    ok = text.str.fullmatch(pattern)
    clean = text.str.replace(".", "", regex=False) if kind == "int" and decimal_mark == "," else text
    clean = clean.str.replace(",", ".", regex=False)
    nums = pd.to_numeric(clean.where(ok & ~empty, None), errors="coerce").astype(float)
    bad = ~empty & (~ok | ~np.isfinite(nums.fillna(0.0)))
    return nums.where(~bad), bad


def stripped(values: pd.Series) -> pd.Series:
    """The cells without leading and trailing white space (checked at once; stripped only when needed)."""
    joined = "\x1f" + "\x1f".join(values.tolist()) + "\x1f"
    if any(f"\x1f{w}" in joined or f"{w}\x1f" in joined for w in " \t\r\n\xa0\u2007\u202f\f\v"):
        return values.str.strip()
    return values


def number_problem(text: str, kind: str) -> str:
    """Why ``text`` is not a number of the wanted kind, in Dutch.

    Examples
    --------
    >>> number_problem("1E+05", "int")
    "'1E+05' staat in wetenschappelijke notatie; schrijf het gehele getal voluit"
    """
    t = text.strip()
    wanted = "een geheel getal" if kind == "int" else "een getal"
    if t.lower() in _NOT_A_NUMBER:
        return f"'{t}' is geen getal (ontbrekend of oneindig); verwacht {wanted}"
    if kind == "int" and _EXPONENT.fullmatch(t):
        return f"'{t}' staat in wetenschappelijke notatie; schrijf het gehele getal voluit"
    if kind == "int" and re.fullmatch(FLOAT_TEXT, t):
        return f"'{t}' is geen geheel getal"
    if re.fullmatch(FLOAT_TEXT, t):  # a float that overflows to infinity
        return f"'{t}' is geen eindig getal"
    return f"'{t}' is geen {'geheel ' if kind == 'int' else ''}getal"


def dutch_number(v: float) -> str:
    """A limit as Dutch readers write it: ``2.000.000``, ``-7.000``, ``0,5``.

    Examples
    --------
    >>> dutch_number(2_000_000), dutch_number(0.5)
    ('2.000.000', '0,5')
    """
    if float(v).is_integer():
        return f"{int(v):,}".replace(",", ".")
    return f"{v:g}".replace(".", ",")


def looks_like_degrees(value: float, axis: str) -> bool:
    """True when a coordinate lies in the WGS84 box of the Netherlands (longitude for x, latitude for y)."""
    low, high = NL_LONLAT[axis]
    return low <= value <= high


def first_duplicate(df: pd.DataFrame, key: list[str]) -> tuple[int, int] | None:
    """Positions of the first row whose key repeats an earlier row, and of that earlier row.

    Returns
    -------
    (int, int) or None
        (earlier position, repeating position), or None when every key is unique.

    Examples
    --------
    >>> first_duplicate(pd.DataFrame({"id": ["a", "b", "a"]}), ["id"])
    (0, 2)
    """
    dup = df.duplicated(key, keep="first").to_numpy()
    if not dup.any():
        return None
    j = int(np.flatnonzero(dup)[0])
    same = np.ones(len(df), dtype=bool)
    for k in key:
        same &= (df[k] == df[k].iloc[j]).to_numpy()
    return int(np.flatnonzero(same)[0]), j


def first_over(values: pd.Series, limit: float) -> int | None:
    """Position of the first value above ``limit`` (None when none is)."""
    over = (values > limit).to_numpy()
    return int(np.flatnonzero(over)[0]) if over.any() else None


class RowNumbers:
    """The spreadsheet row (header = 1) of each row of a table, carried in ``DataFrame.attrs["regels"]``.

    Compares by identity and is not copied, so that pandas can carry it
    through its operations (it compares and deep-copies ``attrs``).
    """

    __slots__ = ("values",)

    def __init__(self, values):
        self.values = np.asarray(values, dtype=np.int64)

    def __len__(self) -> int:
        return len(self.values)

    def __eq__(self, other) -> bool:
        return self is other

    __hash__ = object.__hash__

    def __deepcopy__(self, memo) -> "RowNumbers":
        return self

    def __copy__(self) -> "RowNumbers":
        return self
