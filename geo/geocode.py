"""Geocoding of care locations to postcode-6 (PC6) centroids, vectorised over all locations at once."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

RD_NEW = "EPSG:28992"

_POSTCODE = re.compile(r"^([1-9]\d{3})[\s-]*([A-Za-z]{2})$")

#: outcome of geocoding one location (Dutch, users read these)
EXACT = "PC6"
PC4 = "PC4 (benadering)"
UNKNOWN = "postcode onbekend"
INVALID = "ongeldige postcode"
MISSING = "geen postcode"

#: the outcomes in the order of their codes in :class:`Placement`
OUTCOMES = np.array([EXACT, PC4, UNKNOWN, INVALID, MISSING], dtype=object)
_EXACT, _PC4, _UNKNOWN, _INVALID, _MISSING = range(len(OUTCOMES))

# A valid postcode ``1234AB`` is packed into the integer key (1234 * 26 + A) * 26 + B, where A and
# B count letters from 0 (A) to 25 (Z): keys run from KEY_MIN (1000AA) to KEY_MAX (9999ZZ).
KEY_MIN, KEY_MAX = 1000 * 676, 9999 * 676 + 675
#: keys of what is no code ``1234AB``: not a postcode, blank, or a valid code outside ASCII
KEY_INVALID, KEY_BLANK, KEY_OTHER = -1, -2, -3

# Character classes of the codes 0..255 (Latin-1).
# Python's str.isspace is both what str.strip() strips and what the pattern's \s matches (in
# Latin-1 also U+0085 and the no-break space U+00A0); \d matches no Latin-1 digit but 0-9.
_CODE = np.arange(256)
_NOT_SPACE = ~np.array([chr(c).isspace() for c in range(256)])
_NOT_SEPARATOR = _NOT_SPACE & (_CODE != ord("-"))
_DIGIT = (_CODE >= ord("0")) & (_CODE <= ord("9"))
_DIGIT_1_9 = _DIGIT & (_CODE != ord("0"))
_UPPER = (_CODE >= ord("A")) & (_CODE <= ord("Z"))
_LETTER = _UPPER | ((_CODE >= ord("a")) & (_CODE <= ord("z")))
#: letter pairs PostNL does not issue (as letter numbers, A = 0)
_NOT_ISSUED = [(18, 0), (18, 3), (18, 18)]  # SA, SD, SS


def normalise_postcode(text: object) -> str | None:
    """Normalise a Dutch postcode to ``1234AB``; None when it is not a valid postcode.

    ``'3511 ab'``, ``' 3511AB '`` and ``'3511-AB'`` all give ``'3511AB'``.
    Letter pairs SA, SD and SS are not issued by PostNL and count as invalid.
    This is the rule for one value; :func:`normalise_postcodes` applies it to many at once.

    Examples
    --------
    >>> normalise_postcode(" 3511-ab ")
    '3511AB'
    >>> normalise_postcode("3511SS") is None
    True
    """
    if text is None or (isinstance(text, float) and np.isnan(text)):
        return None
    m = _POSTCODE.match(str(text).strip())
    if not m:
        return None
    letters = m.group(2).upper()
    if letters in ("SA", "SD", "SS"):
        return None
    return m.group(1) + letters


def postcode_text(values) -> np.ndarray:
    """The postcodes as given, as text: ``""`` where missing (None, NaN, NA), else ``str(value)``.

    Examples
    --------
    >>> postcode_text(pd.Series(["3511 ab", None, 3512])).tolist()
    ['3511 ab', '', '3512']
    """
    arr = np.asarray(values, dtype=object)
    missing = pd.isna(arr)
    if pd.api.types.infer_dtype(arr, skipna=True) not in ("string", "empty"):
        # numbers or other objects among the values: str() of each, as for one value
        return np.array(["" if m else str(v) for v, m in zip(arr, missing)], dtype=object)
    return np.where(missing, "", arr)


@dataclass(frozen=True)
class Postcodes:
    """Normalised postcodes: one integer key per text, see :data:`KEY_MIN`.

    ``key`` is :data:`KEY_INVALID` for text that is not a postcode, :data:`KEY_BLANK` for blank
    text and :data:`KEY_OTHER` for a valid code outside ASCII (``\\d`` also matches e.g. Arabic
    digits), whose code is then in ``other`` by row.
    """

    key: np.ndarray
    other: dict[int, str] = field(default_factory=dict)

    def codes(self) -> np.ndarray:
        """The normalised postcodes as text, ``""`` where not valid."""
        out = np.full(len(self.key), "", dtype=object)
        valid = self.key >= 0
        out[valid] = key_text(self.key[valid])
        for row, code in self.other.items():
            out[row] = code
        return out


def key_text(keys: np.ndarray) -> np.ndarray:
    """The postcodes ``1234AB`` of valid keys, as an object array of str.

    Examples
    --------
    >>> key_text([3511 * 676 + 0 * 26 + 1]).tolist()
    ['3511AB']
    """
    keys = np.asarray(keys, dtype=np.int64)
    chars = np.empty((len(keys), 6), dtype=np.uint32)  # the code points of a "U6" array
    pc4, pair = np.divmod(keys, 676)
    for k, unit in enumerate((1000, 100, 10, 1)):
        chars[:, k] = ord("0") + pc4 // unit % 10
    chars[:, 4] = ord("A") + pair // 26
    chars[:, 5] = ord("A") + pair % 26
    return chars.view("U6").ravel().astype(object)


def _key_of(code: str) -> int:
    """The key of one valid ASCII postcode ``1234AB``."""
    return int(code[:4]) * 676 + (ord(code[4]) - ord("A")) * 26 + ord(code[5]) - ord("A")


def _flat_chars(texts: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """All texts end to end as Latin-1 codes, with a NUL after each and 4 more at the end; each
    text's start and end in them; and the rows of the texts that hold a "?", which also stands for
    every character beyond Latin-1."""
    joined = "\0".join(texts) + "\0" * 5
    encoded = joined.encode("latin-1", "replace")
    chars = np.frombuffer(encoded, dtype=np.uint8)
    if joined.count("\0") == len(texts) + 4:  # no NUL inside a text: the NULs are the boundaries
        ends = np.flatnonzero(chars == 0)[:len(texts)]
    else:
        ends = np.cumsum(np.fromiter(map(len, texts), dtype=np.int64, count=len(texts)) + 1) - 1
    starts = np.zeros_like(ends)
    starts[1:] = ends[:-1] + 1
    if b"?" not in encoded:
        return chars, starts, ends, np.empty(0, dtype=np.int64)
    before = _count_before(chars == ord("?"))
    return chars, starts, ends, np.flatnonzero(before[ends] > before[starts])


def _count_before(flags: np.ndarray) -> np.ndarray:
    """``out[p]`` is how many of ``flags[:p]`` are true, for p = 0 .. len(flags)."""
    out = np.zeros(len(flags) + 1, dtype=np.int32 if len(flags) < 2**31 - 1 else np.int64)
    np.cumsum(flags, out=out[1:])
    return out


def _latin1_keys(chars: np.ndarray, starts: np.ndarray, ends: np.ndarray) -> np.ndarray:
    """Keys of the texts ``chars[starts:ends]`` (Latin-1, as from :func:`_flat_chars`) by the rule of
    :func:`normalise_postcode`.

    After stripping white space the text must be 4 digits (the first not 0), any run of white
    space and dashes, and 2 letters. Works on the flat characters with prefix counts, so a text
    of any length costs the same per character.
    """
    not_space = _NOT_SPACE[chars]
    non_space = np.flatnonzero(not_space)  # positions of the characters other than white space
    before = _count_before(not_space)
    i, count = before[starts], before[ends] - before[starts]
    blank = count == 0
    # the stripped text runs from first to last (garbage where blank); the NULs after each text and
    # at the end keep every index below inside the characters and fail every check past a text's end
    first, last = non_space[i], non_space[i + count - 1]
    d0, d1, d2, d3 = (chars[first + k] for k in range(4))
    a, b = chars[last - 1], chars[last]
    # 4 digits and 2 letters (which cannot overlap) are 6 characters other than white space and
    # dashes: the text may hold no other
    others = _count_before(_NOT_SEPARATOR[chars])
    ok = ((others[ends] - others[starts] == 6) & ~blank & _DIGIT_1_9[d0] & _DIGIT[d1] & _DIGIT[d2] & _DIGIT[d3]
          & _LETTER[a] & _LETTER[b])
    a, b = (a & 0xDF).astype(np.int32) - ord("A"), (b & 0xDF).astype(np.int32) - ord("A")  # upper case, A = 0
    for x, y in _NOT_ISSUED:
        ok &= (a != x) | (b != y)
    pc4 = d0.astype(np.int32) * 1000 + d1.astype(np.int32) * 100 + d2.astype(np.int32) * 10 + d3 - 48 * 1111
    return np.where(ok, pc4 * 676 + a * 26 + b, np.where(blank, KEY_BLANK, KEY_INVALID))


def normalise_postcodes(texts) -> Postcodes:
    """Normalise many postcodes at once, by exactly the rule of :func:`normalise_postcode`.

    Texts in Latin-1 (all but a rare few; the no-break space included) are handled as arrays of
    character codes; a text with a character beyond (a thin space, a digit in another script) or
    a "?" (which stands in for those) goes through :func:`normalise_postcode`.

    Parameters
    ----------
    texts
        The postcodes as text, e.g. from :func:`postcode_text`.

    Examples
    --------
    >>> p = normalise_postcodes(["3511 ab", "0511AB", " ", "3511\\u00a0AB"])
    >>> p.codes().tolist(), p.key.tolist()[1:3] == [KEY_INVALID, KEY_BLANK]
    (['3511AB', '', '', '3511AB'], True)
    """
    texts = np.asarray(texts, dtype=object)
    chars, starts, ends, rare = _flat_chars(texts)
    key = _latin1_keys(chars, starts, ends)
    other = {}
    for row in rare:
        code = normalise_postcode(texts[row])
        if code is None:
            key[row] = KEY_INVALID if texts[row].strip() else KEY_BLANK
        elif code.isascii():
            key[row] = _key_of(code)
        else:
            key[row], other[int(row)] = KEY_OTHER, code
    return Postcodes(key, other)


def pc4_centroids(pc6: pd.DataFrame) -> pd.DataFrame:
    """Centroid of every PC4: the mean of its addresses, from PC6 centroids weighted by address count."""
    return _weighted_centroids(pc6, pc6["postcode"].str[:4])


def _weighted_centroids(pc6: pd.DataFrame, group) -> pd.DataFrame:
    """Address-weighted centroid of the PC6 rows of each group; groups without addresses left out."""
    df = pc6.assign(pc4=group, wx=pc6["x"] * pc6["aantal_adressen"], wy=pc6["y"] * pc6["aantal_adressen"])
    g = df.groupby("pc4")[["wx", "wy", "aantal_adressen"]].sum()
    g = g[g["aantal_adressen"] > 0]
    return pd.DataFrame({"x": g["wx"] / g["aantal_adressen"], "y": g["wy"] / g["aantal_adressen"]})


@dataclass(frozen=True)
class Placement:
    """Where each location goes: outcome code (index into :data:`OUTCOMES`) and x, y (NaN where not placed)."""

    outcome: np.ndarray
    x: np.ndarray
    y: np.ndarray


@dataclass(frozen=True)
class KeyIndex:
    """The row of each integer key, in an array over the range of the keys (-1: no row, -2: several rows).

    Examples
    --------
    >>> index = KeyIndex.of(np.array([12, 10, -1, 12]))
    >>> index.find(np.array([10, 11, 12, 99, -1])).tolist()
    [1, -1, -2, -1, -1]
    """

    low: int
    rows: np.ndarray

    @classmethod
    def of(cls, keys: np.ndarray) -> KeyIndex:
        """The index of the keys of rows 0, 1, ...; keys < 0 are left out."""
        present = np.flatnonzero(keys >= 0)
        if not len(present):
            return cls(0, np.full(1, -1, dtype=np.int32))
        k = keys[present]
        low = int(k.min())
        rows = np.full(int(k.max()) - low + 1, -1, dtype=np.int32)
        rows[k - low] = present
        twice = rows[k - low] != present  # rows whose key a later row took
        rows[k[twice] - low] = -2
        return cls(low, rows)

    def find(self, keys: np.ndarray) -> np.ndarray:
        """The row of each key: -1 where there is none (always for keys < 0), -2 where there are several."""
        i = keys - self.low
        inside = (i >= 0) & (i < len(self.rows))
        return np.where(inside, self.rows[np.where(inside, i, 0)], -1)


@dataclass(frozen=True)
class PostcodeTable:
    """The PC6 and PC4 centroids indexed by key, to look up many postcodes at once.

    Row -1 of ``x``, ``y`` (PC6) and ``pc4_x``, ``pc4_y`` (PC4) is NaN: where a lookup finds no row.
    Postcodes in the table that are not a plain ASCII code (and the PC4 labels from them) are in
    ``other_pc6`` and ``other_pc4`` (text -> row); only a valid code outside ASCII can match them.

    Examples
    --------
    >>> pc6 = pd.DataFrame({"postcode": ["3511AB"], "aantal_adressen": [10], "x": [1.0], "y": [2.0]})
    >>> placed = PostcodeTable.from_pc6(pc6).lookup(normalise_postcodes(["3511 ab", "3511ZZ", "x"]))
    >>> OUTCOMES[placed.outcome].tolist(), placed.x.tolist()
    (['PC6', 'PC4 (benadering)', 'ongeldige postcode'], [1.0, 1.0, nan])
    """

    pc6: KeyIndex
    x: np.ndarray
    y: np.ndarray
    pc4: KeyIndex
    pc4_x: np.ndarray
    pc4_y: np.ndarray
    other_pc6: dict
    other_pc4: dict

    @classmethod
    def from_pc6(cls, pc6: pd.DataFrame) -> PostcodeTable:
        """The table of a PC6 file: ``postcode``, ``aantal_adressen``, ``x``, ``y`` (RD New)."""
        given = pc6["postcode"].to_numpy(dtype=object)
        keys = _table_keys(given)
        pc4_keys, centroids, other_pc4 = _pc4_centroids_by_key(pc6, keys)
        return cls(pc6=KeyIndex.of(keys), x=_with_nan(pc6["x"]), y=_with_nan(pc6["y"]),
                   pc4=KeyIndex.of(pc4_keys), pc4_x=_with_nan(centroids["x"]), pc4_y=_with_nan(centroids["y"]),
                   other_pc6=_others(given, keys < 0), other_pc4=other_pc4)

    def lookup(self, postcodes: Postcodes) -> Placement:
        """Place each postcode at its PC6 centroid, else at its PC4 centroid, else nowhere."""
        key = postcodes.key
        row6 = self.pc6.find(key)
        if (row6 == -2).any():
            twice = key_text(key[row6 == -2][:1])[0]
            raise ValueError(f"postcode {twice} komt meer dan eens voor in de PC6-tabel")
        row4 = np.where(row6 < 0, self.pc4.find(np.where(key >= 0, key // 676, -1)), -1)
        for r, code in postcodes.other.items():  # the rare valid codes outside ASCII
            row6[r] = self.other_pc6.get(code, -1)
            row4[r] = self.other_pc4.get(code[:4], -1) if row6[r] < 0 else -1
        exact, near = row6 >= 0, row4 >= 0
        outcome = np.select([exact, near, key == KEY_BLANK, key == KEY_INVALID], [_EXACT, _PC4, _MISSING, _INVALID],
                            _UNKNOWN).astype(np.int8)
        return Placement(outcome, np.where(exact, self.x[row6], self.pc4_x[row4]),
                         np.where(exact, self.y[row6], self.pc4_y[row4]))


def _with_nan(values) -> np.ndarray:
    """The values as floats with NaN appended, so that row -1 reads NaN."""
    return np.append(np.asarray(values, dtype=float), np.nan)


def _table_keys(given: np.ndarray) -> np.ndarray:
    """Keys of the PC6 table's postcodes that are a plain code ``1234AB`` as given, -1 for any other."""
    texts = postcode_text(given)
    chars, starts, ends, _ = _flat_chars(texts)
    keys = _latin1_keys(chars, starts, ends)
    # valid and 6 characters long: plain unless a letter is in lower case
    rows = np.flatnonzero((keys >= 0) & (ends - starts == 6))
    plain = np.zeros(len(keys), dtype=bool)
    plain[rows] = _UPPER[chars[ends[rows] - 2]] & _UPPER[chars[ends[rows] - 1]]
    if pd.api.types.infer_dtype(given, skipna=True) != "string":  # a number is no postcode, whatever its text
        plain &= np.array([isinstance(v, str) for v in given], dtype=bool)
    return np.where(plain, keys, -1)


def _pc4_centroids_by_key(pc6: pd.DataFrame, keys: np.ndarray) -> tuple[np.ndarray, pd.DataFrame, dict]:
    """The centroids of :func:`pc4_centroids`, with the PC4 number of each (-1 for another label) and
    label -> row of the others."""
    if (keys >= 0).all():  # every postcode plain: group by PC4 number, which sums as grouping by its text
        centroids = _weighted_centroids(pc6, keys // 676)
        return centroids.index.to_numpy(dtype=np.int64), centroids, {}
    centroids = pc4_centroids(pc6)
    labels = centroids.index.to_numpy(dtype=object)
    # [0-9] is ASCII only (unlike \d): these are the labels 1000..9999 written plainly
    plain = pd.Series(labels, dtype=object).str.fullmatch(r"[1-9][0-9]{3}", na=False).to_numpy(dtype=bool)
    return np.where(plain, labels, "-1").astype(np.int64), centroids, _others(labels, ~plain)


def _others(texts: np.ndarray, which: np.ndarray) -> dict:
    """Text -> row of the few table entries in ``which`` (the first row of a repeated text)."""
    rows = np.flatnonzero(which)
    return {t: int(r) for t, r in zip(texts[rows][::-1], rows[::-1])}


def geocode_locations(locations: pd.DataFrame, pc6: pd.DataFrame) -> gpd.GeoDataFrame:
    """Place each location at the centroid of its PC6, else of its PC4 (flagged).

    Every location keeps its own record, also when several share a PC6.

    Parameters
    ----------
    locations
        Table with a ``postcode`` column.
    pc6
        PC6 centroids: ``postcode``, ``aantal_adressen``, ``x``, ``y`` (RD New).

    Returns
    -------
    geopandas.GeoDataFrame
        The locations with ``postcode`` normalised, ``postcode_invoer`` as given,
        ``geocodering`` (the outcome) and a point geometry (empty where not placed).
    """
    out = locations.copy()
    texts = postcode_text(out["postcode"])
    postcodes = normalise_postcodes(texts)
    placed = PostcodeTable.from_pc6(pc6).lookup(postcodes)
    out["postcode_invoer"] = texts
    out["postcode"] = postcodes.codes()
    out["geocodering"] = OUTCOMES[placed.outcome]
    return gpd.GeoDataFrame(out, geometry=_points(placed.x, placed.y), crs=RD_NEW)


def _points(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """A point at each x, y; None where x is NaN (not placed)."""
    geom = np.full(len(x), None, dtype=object)
    placed = ~np.isnan(x)
    geom[placed] = shapely.points(x[placed], y[placed])
    return geom


def geocode_report(geocoded: gpd.GeoDataFrame) -> dict:
    """Counts per outcome and every location not placed exactly, with the reason."""
    counts = geocoded["geocodering"].value_counts().to_dict()
    total = len(geocoded)
    exact = int(counts.get(EXACT, 0))
    placed = exact + int(counts.get(PC4, 0))
    not_exact = (geocoded["geocodering"] != EXACT).to_numpy()
    columns = [_texts(geocoded[c].to_numpy(dtype=object)[not_exact])
               for c in ("locatie_id", "naam", "postcode_invoer", "geocodering")]
    return {
        "totaal": total,
        "per_uitkomst": {k: int(v) for k, v in counts.items()},
        "exact_pc6": exact,
        "geplaatst": placed,
        "match_rate_pc6": exact / total if total else 0.0,
        "niet_exact": [{"locatie_id": i, "naam": n, "postcode_invoer": p, "uitkomst": u}
                       for i, n, p, u in zip(*columns)],
    }


def _texts(values: np.ndarray) -> list[str]:
    """``str()`` of every value, without calling it where the values are text already."""
    if pd.api.types.infer_dtype(values, skipna=False) == "string":
        return values.tolist()
    return [str(v) for v in values]
