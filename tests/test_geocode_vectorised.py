"""The vectorised geocoding of geo.geocode against a row-by-row reference written here.

The reference spells out the rule of a Dutch postcode once more, independently of geo.geocode:
strip white space, then 4 digits (the first not 0), any run of white space and dashes, 2 letters
(SA, SD and SS excepted); look the code up among the PC6 centroids, else its first four
characters among the address-weighted PC4 centroids. Thousands of random messy postcodes, and
PC6 tables with and without odd entries, must give exactly the reference's outcome, text, point
and report.
"""

from __future__ import annotations

import math
import re

import numpy as np
import pandas as pd
import pytest
import shapely

from geo import geocode
from geo.geocode import geocode_locations, geocode_report, normalise_postcodes, pc4_centroids, postcode_text

# --- the reference ------------------------------------------------------------------------

REF_RULE = re.compile(r"([1-9]\d{3})[\s-]*([A-Za-z]{2})")
REF_EXACT, REF_PC4, REF_UNKNOWN, REF_INVALID, REF_MISSING = (
    "PC6", "PC4 (benadering)", "postcode onbekend", "ongeldige postcode", "geen postcode")


def ref_text(value) -> str:
    """The postcode as given, as text; "" when missing."""
    if value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value)):
        return ""
    return str(value)


def ref_code(text: str) -> str | None:
    m = REF_RULE.fullmatch(text.strip())
    if m is None or m.group(2).upper() in {"SA", "SD", "SS"}:
        return None
    return m.group(1) + m.group(2).upper()


def ref_centroids(pc6: pd.DataFrame) -> tuple[dict, dict]:
    """PC6 -> (x, y) and PC4 -> address-weighted (x, y), PC4s without addresses left out."""
    exact, sums = {}, {}
    for code, n, x, y in zip(pc6["postcode"], pc6["aantal_adressen"], pc6["x"], pc6["y"]):
        exact[code] = (float(x), float(y))
        s = sums.setdefault(code[:4], ([], [], []))
        s[0].append(n), s[1].append(n * x), s[2].append(n * y)
    near = {k: (math.fsum(wx) / sum(n), math.fsum(wy) / sum(n)) for k, (n, wx, wy) in sums.items() if sum(n) > 0}
    return exact, near


def ref_geocode(values, pc6: pd.DataFrame) -> list[tuple[str, str, str, tuple | None]]:
    """(text as given, normalised code or "", outcome, (x, y) or None) per value."""
    exact, near = ref_centroids(pc6)
    out = []
    for value in values:
        text = ref_text(value)
        code = ref_code(text)
        if code is None:
            out.append((text, "", REF_MISSING if text.strip() == "" else REF_INVALID, None))
        elif code in exact:
            out.append((text, code, REF_EXACT, exact[code]))
        elif code[:4] in near:
            out.append((text, code, REF_PC4, near[code[:4]]))
        else:
            out.append((text, code, REF_UNKNOWN, None))
    return out


# --- random messy data ------------------------------------------------------------------------

PC4S = ["1011", "3511", "3512", "6211", "9999", "4000"]  # 4000: only PC6s without addresses
ODD_PC6 = ["3511ab", "3٥١١AB", "3512", "0123AB"]  # \d also matches Arabic-Indic digits (not the first)


def pc6_table(rng: np.random.Generator, odd: bool) -> pd.DataFrame:
    pairs = [a + b for a in "ABCDEFGHSZ" for b in "ABDEKSXZ" if a + b not in ("SA", "SD", "SS")]
    codes = sorted({p4 + p for p4 in PC4S for p in rng.choice(pairs, 25)})
    if odd:
        codes += ODD_PC6
    n = len(codes)
    addresses = rng.integers(0, 40, n)
    addresses[[c.startswith("4000") for c in codes]] = 0
    return pd.DataFrame({"postcode": codes, "aantal_adressen": addresses,
                         "x": rng.uniform(0, 280_000, n).round(3), "y": rng.uniform(300_000, 620_000, n)})


DIGITS = PC4S + ["1234", "0511", "351", "35111", "٣٥١١", "３５１１", "3٥11", "35 11", "12a4"]
LETTERS = ["AB", "ab", "Ab", "aB", "ZZ", "SA", "sd", "Ss", "SB", "AS", "A", "ABC", "1A", "ＡＢ", "ÉA", "ß", "",
           "XK", "xz", "EK", "HD"]
SEPARATORS = ["", "", "", " ", " ", "  ", "-", " - ", "--", "\t", "\u00a0", "\u2009", "_", ".", "\n", "-\u00a0",
              "\x85", "\xad", "\u2010"]
PADDING = ["", "", "", "", " ", "  ", "\t", "\u00a0", "\n", "\x1c", "\u3000", "\x00", "-", "\r\n", "\x85", "é",
           "\xff"]
WHOLE = [None, np.nan, pd.NA, "", " ", "\t \u00a0", "onbekend", "3511" + " " * 60 + "AB", "x" * 200,
         "3511AB3511AB", "\ud800", "3511\ud800AB", "35\x0011AB", "\x003511AB", "3511AB\x00", "3511 AB\n\n",
         "3511?AB", "?", "3511AB?", "3511 AB\xff"]


def messy_postcodes(rng: np.random.Generator, table: pd.DataFrame, n: int) -> list:
    known = list(table["postcode"])
    out = []
    for _ in range(n):
        r = rng.random()
        if r < 0.08:
            out.append(WHOLE[rng.integers(len(WHOLE))])
        elif r < 0.35:  # a postcode of the table, written in some way
            code = known[rng.integers(len(known))]
            out.append(str(rng.choice(PADDING)) + code[:4] + str(rng.choice(SEPARATORS)) + code[4:].lower()
                       if rng.random() < 0.5 else code)
        else:
            out.append(str(rng.choice(PADDING)) + str(rng.choice(DIGITS)) + str(rng.choice(SEPARATORS))
                       + str(rng.choice(LETTERS)) + str(rng.choice(PADDING)))
    return out


def assert_like_reference(g, locations: pd.DataFrame, pc6: pd.DataFrame) -> None:
    expected = ref_geocode(list(locations["postcode"]), pc6)
    assert list(g.index) == list(locations.index)
    assert list(g["postcode_invoer"]) == [e[0] for e in expected]
    assert list(g["postcode"]) == [e[1] for e in expected]
    assert list(g["geocodering"]) == [e[2] for e in expected]
    exact, _ = ref_centroids(pc6)
    near = pc4_centroids(pc6)  # today's PC4 centroids, kept unchanged
    for geom, (_, code, outcome, xy) in zip(g.geometry, expected):
        if xy is None:
            assert geom is None
        elif outcome == REF_EXACT:
            assert (geom.x, geom.y) == xy
        else:  # the reference sums exactly; pandas with compensation: equal to the last digits
            assert (geom.x, geom.y) == pytest.approx(xy, rel=1e-12)
            assert (geom.x, geom.y) == (near.at[code[:4], "x"], near.at[code[:4], "y"])
    str_dtype = pd.Series(["x"]).dtype  # what a list of text becomes
    assert g["postcode"].dtype == g["postcode_invoer"].dtype == g["geocodering"].dtype == str_dtype
    assert g.crs.to_epsg() == 28992


def ref_report(locations: pd.DataFrame, pc6: pd.DataFrame) -> dict:
    rows = ref_geocode(list(locations["postcode"]), pc6)
    counts: dict[str, int] = {}
    for _, _, outcome, _ in rows:
        counts[outcome] = counts.get(outcome, 0) + 1
    exact = counts.get(REF_EXACT, 0)
    return {"totaal": len(rows), "per_uitkomst": counts, "exact_pc6": exact,
            "geplaatst": exact + counts.get(REF_PC4, 0), "match_rate_pc6": exact / len(rows) if rows else 0.0,
            "niet_exact": [{"locatie_id": str(i), "naam": str(nm), "postcode_invoer": text, "uitkomst": outcome}
                           for i, nm, (text, _, outcome, _) in zip(locations["locatie_id"], locations["naam"], rows)
                           if outcome != REF_EXACT]}


# --- tests ----------------------------------------------------------------------------------

@pytest.mark.parametrize("odd", [False, True], ids=["plain PC6 table", "PC6 table with odd entries"])
@pytest.mark.parametrize("seed", [1, 2, 3])
def test_geocode_equals_reference_on_messy_postcodes(seed, odd):
    rng = np.random.default_rng(seed)
    pc6 = pc6_table(rng, odd)
    values = messy_postcodes(rng, pc6, 3000)
    if odd:
        values += ["3٥١١ ab", "3٥١١AC", "3511 ab", "0123AB"]  # the odd PC6, its PC4, and what never matches
    locations = pd.DataFrame({"locatie_id": [f"L{i}" for i in range(len(values))],
                              "naam": [f"Locatie {i}" for i in range(len(values))],
                              "postcode": np.array(values, dtype=object)},
                             index=np.arange(len(values)) * 3 + 7)
    g = geocode_locations(locations, pc6)
    assert_like_reference(g, locations, pc6)
    if odd:  # the code in Arabic-Indic digits is found, as PC6 and as PC4; a PC6 starting with 0 never
        assert list(g["geocodering"].iloc[[-4, -3, -1]]) == [REF_EXACT, REF_PC4, REF_INVALID]
    assert geocode_report(g) == ref_report(locations, pc6)
    # every outcome occurs, so that none goes untested, and most are not "missing"
    counts = g["geocodering"].value_counts()
    assert set(counts.index) == {REF_EXACT, REF_PC4, REF_UNKNOWN, REF_INVALID, REF_MISSING}
    assert counts[REF_EXACT] > 0.15 * len(g) and counts[REF_MISSING] < 0.1 * len(g)
    assert list(g["naam"]) == list(locations["naam"])


@pytest.mark.parametrize("seed", [4, 5])
def test_normalise_postcodes_equals_reference(seed):
    rng = np.random.default_rng(seed)
    values = messy_postcodes(rng, pc6_table(rng, False), 5000)
    texts = postcode_text(values)
    assert list(texts) == [ref_text(v) for v in values]
    codes = normalise_postcodes(texts).codes()
    assert list(codes) == [ref_code(t) or "" for t in texts]
    # and the rule for one value says the same
    assert [geocode.normalise_postcode(t) or "" for t in texts] == list(codes)
    # without any "?" (which also marks the characters beyond Latin-1) too
    texts = np.array([t for t in texts if "?" not in t], dtype=object)
    assert list(normalise_postcodes(texts).codes()) == [ref_code(t) or "" for t in texts]


@pytest.mark.parametrize("column", [
    pd.Series(["3511 AB", None, "3512aa"], dtype="str"),           # as io.py reads it
    pd.Series(["3511 AB", None, "3512aa"], dtype=object),
    pd.Series([3511, 3512, 1011]),                                 # numbers: their text is no postcode
    pd.Series([np.nan, np.nan, np.nan]),                           # an empty column read as numbers
    pd.Series(["3511AB", 3512.0, pd.NA], dtype=object),            # a mixture
    pd.Series(["3511\x00AB", "\x00", "3511AB"], dtype=object),     # NUL inside a text
    pd.Series(["3511\u00a0AB", "\u00a0", "3512 aa"], dtype=object),
    pd.Series(["3511\u2009AB", "\u3000", "3٥١١ab"], dtype=object),      # beyond Latin-1, and no "?"
    pd.Series(["3511\u2009AB", "3511?AB", "?"], dtype=object),           # beyond Latin-1, and a "?"
], ids=["str", "object", "int", "all-nan", "mixed", "nul", "nbsp", "beyond-latin1", "question-mark"])
def test_geocode_column_kinds(column):
    pc6 = pc6_table(np.random.default_rng(0), False)
    locations = pd.DataFrame({"locatie_id": ["a", "b", "c"], "naam": ["A", "B", "C"], "postcode": column})
    assert_like_reference(geocode_locations(locations, pc6), locations, pc6)


@pytest.mark.parametrize("values", [[], ["3511AB"], [""], [None], ["\u00a0"]], ids=["none", "one", "blank", "missing",
                                                                                    "nbsp"])
def test_geocode_few_rows(values):
    pc6 = pc6_table(np.random.default_rng(0), False)
    locations = pd.DataFrame({"locatie_id": [str(i) for i in range(len(values))], "naam": ["x"] * len(values),
                              "postcode": pd.Series(values, dtype=object)})
    g = geocode_locations(locations, pc6)
    assert len(g) == len(values)
    if values:
        assert_like_reference(g, locations, pc6)
    assert geocode_report(g) == ref_report(locations, pc6)


def test_latin1_classes_are_those_of_the_rule():
    # the vectorised path classifies Latin-1 by str.isspace: the same set as strip() and \s; and
    # in Latin-1 only 0-9 are \d
    for c in map(chr, range(256)):
        assert c.isspace() == bool(re.fullmatch(r"\s", c)) == (c.strip() == "" and c != ""), repr(c)
        assert bool(re.fullmatch(r"\d", c)) == ("0" <= c <= "9"), repr(c)


def test_pc4_centroids_unchanged_by_fast_grouping():
    pc6 = pc6_table(np.random.default_rng(9), False)
    table = geocode.PostcodeTable.from_pc6(pc6)
    today = pc4_centroids(pc6)
    rows = table.pc4.find(today.index.to_numpy(dtype=np.int64))
    assert (rows >= 0).all()
    assert list(table.pc4_x[rows]) == list(today["x"]) and list(table.pc4_y[rows]) == list(today["y"])
    assert (table.pc4.rows >= 0).sum() == len(today)


def test_empty_pc6_table_places_nothing():
    pc6 = pd.DataFrame({"postcode": pd.Series([], dtype="str"), "aantal_adressen": pd.Series([], dtype=int),
                        "x": pd.Series([], dtype=float), "y": pd.Series([], dtype=float)})
    locations = pd.DataFrame({"postcode": ["3511AB", "x", "", None]})
    g = geocode_locations(locations, pc6)
    assert list(g["geocodering"]) == [REF_UNKNOWN, REF_INVALID, REF_MISSING, REF_MISSING]
    assert g.geometry.isna().all()


def test_a_postcode_twice_in_the_pc6_table_is_refused_when_used():
    pc6 = pd.DataFrame({"postcode": ["3511AB", "3511AB", "3512AA"], "aantal_adressen": [1, 2, 3],
                        "x": [1.0, 2.0, 3.0], "y": [4.0, 5.0, 6.0]})
    ok = geocode_locations(pd.DataFrame({"postcode": ["3512 aa", "3511AC"]}), pc6)
    assert list(ok["geocodering"]) == [REF_EXACT, REF_PC4]
    with pytest.raises(ValueError, match="3511AB"):
        geocode_locations(pd.DataFrame({"postcode": ["3511ab"]}), pc6)


def test_points_are_separate_records_and_none_where_not_placed():
    pc6 = pd.DataFrame({"postcode": ["3511AB"], "aantal_adressen": [1], "x": [1.5], "y": [2.5]})
    g = geocode_locations(pd.DataFrame({"postcode": ["3511AB", "3511 ab", "9999AA", ""]}), pc6)
    assert shapely.equals(g.geometry.iloc[0], shapely.Point(1.5, 2.5))
    assert g.geometry.iloc[0].equals(g.geometry.iloc[1])
    assert g.geometry.iloc[2] is None and g.geometry.iloc[3] is None


def test_report_writes_every_value_as_text():
    # ids as numbers and names missing: the report holds str() of each, as the row-by-row report did
    pc6 = pc6_table(np.random.default_rng(0), False)
    locations = pd.DataFrame({"locatie_id": [7, 8, 9, 10], "naam": ["De Linde", None, np.nan, "Zoë"],
                              "postcode": ["0511AB", "", "9999QQ", "3511 AB"]})
    rep = geocode_report(geocode_locations(locations, pc6))
    assert rep == ref_report(locations, pc6)
    assert [r["naam"] for r in rep["niet_exact"]][:2] == ["De Linde", "nan"]
    assert [r["locatie_id"] for r in rep["niet_exact"]][:3] == ["7", "8", "9"]


def test_coordinates_missing_in_the_pc6_table():
    # as before: no point where x is missing, a point with y NaN where only y is; the PC4 sums skip
    # what is missing: x = (1 * 1) / (1 + 1) = 0.5, y = (1 * 1) / 2 = 0.5
    pc6 = pd.DataFrame({"postcode": ["3511AB", "3511AC"], "aantal_adressen": [1, 1],
                        "x": [np.nan, 1.0], "y": [1.0, np.nan]})
    g = geocode_locations(pd.DataFrame({"postcode": ["3511AB", "3511AC", "3511ZZ"]}), pc6)
    assert list(g["geocodering"]) == [REF_EXACT, REF_EXACT, REF_PC4]
    assert g.geometry.iloc[0] is None
    assert g.geometry.iloc[1].x == 1.0 and math.isnan(g.geometry.iloc[1].y)
    assert (g.geometry.iloc[2].x, g.geometry.iloc[2].y) == (0.5, 0.5)
