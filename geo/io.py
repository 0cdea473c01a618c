"""Every read and write of input files, with their contracts.

Each input is checked against its contract when read; the first violation
stops the run with an :class:`~geo.errors.InputError` that names the file, the
row and the column. Row numbers count the header as row 1, as a spreadsheet
does. The contracts are documented for users in ``data/README.md``.
"""

from __future__ import annotations

import csv
import dataclasses
import io as _io
import json
import re
from dataclasses import dataclass, field
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import pyproj
import shapely

from .ages import AGE_BANDS
from .errors import InputError
from .settings import SETTINGS_FILE, Settings, load_settings
from .validate import (FLOAT_TEXT, NL_LONLAT, RD_BOUNDS, RowNumbers, dutch_number, first_duplicate, first_over,
                       looks_like_degrees, number_problem, parse_numbers, stripped)

RD_NEW = "EPSG:28992"

# file names of the inputs in a folder
FILES = {
    "gemeenten": "gemeenten.geojson",
    "wijken": "wijken.geojson",
    "adressen": "adressen.csv",
    "pc6": "pc6.csv",
    "bevolking": "bevolking.csv",
    "prognose": "bevolkingsprognose.csv",
    "clienten": "wlz_clienten.csv",
    "locaties": "zorglocaties.csv",
    "ses": "ses_woa.csv",
}
#: optional inputs: used when present
OPTIONAL_FILES = {"sessies": "sessies.csv", "woonzorgvarianten": "woonzorgvarianten.csv"}

LEVERINGSVORMEN = ("intramuraal", "VPT", "MPT", "PGB")


@dataclass
class Inputs:
    """All inputs of a build, validated."""

    folder: Path
    settings: Settings
    gemeenten: gpd.GeoDataFrame
    wijken: gpd.GeoDataFrame
    addresses: pd.DataFrame
    pc6: pd.DataFrame
    population: pd.DataFrame
    projection: pd.DataFrame
    clients: pd.DataFrame
    locations: pd.DataFrame
    ses: pd.DataFrame
    survival: pd.DataFrame | None = None
    #: where each gemeente stands in the programme of sessions (optional ``sessies.csv``)
    sessions: pd.DataFrame | None = None
    #: housing-with-care variants with one boolean column per group they suit
    variants: pd.DataFrame | None = None
    files: dict[str, Path] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    #: notes about the confidential client file: shown to the analyst, kept out of public reports
    internal_notes: list[str] = field(default_factory=list)


# --- table contracts ------------------------------------------------------------

@dataclass(frozen=True)
class Column:
    """One column of a table contract.

    ``minimum``/``maximum`` are fixed limits; ``limit`` names a setting
    (e.g. ``max_clients_per_row``) that gives the maximum per build. Every
    whole-number column has a maximum, so no figure can overflow.
    """

    name: str
    kind: str = "str"  # str | int | float | code
    pattern: str | None = None
    allowed: tuple[str, ...] | None = None
    minimum: float | None = None
    required: bool = True
    expected: str = ""
    maximum: float | None = None
    limit: str | None = None


def _pattern(regex: str, text: str) -> dict:
    return {"kind": "code", "pattern": regex, "expected": text}


GM_CODE = _pattern(r"GM\d{4}", "een gemeentecode als GM0344")
REGION_CODE = _pattern(r"(GM\d{4}|WK\d{6})", "een gemeente- of wijkcode als GM0344 of WK034401")
RD_X = {"minimum": RD_BOUNDS["x"][0], "maximum": RD_BOUNDS["x"][1],
        "expected": "een RD-coördinaat in Nederland (x van -7.000 tot 300.000 m)"}
RD_Y = {"minimum": RD_BOUNDS["y"][0], "maximum": RD_BOUNDS["y"][1],
        "expected": "een RD-coördinaat in Nederland (y van 289.000 tot 629.000 m)"}
#: the highest house number the BAG knows (five digits)
HUISNUMMER_MAX = 99_999
#: the years a date or year column may name
YEAR_RANGE = (1900, 2100)

CONTRACTS: dict[str, tuple[Column, ...]] = {
    "adressen": (
        Column("postcode", expected="een postcode"),
        Column("huisnummer", "int", minimum=0, maximum=HUISNUMMER_MAX),
        Column("x", "float", **RD_X),
        Column("y", "float", **RD_Y),
    ),
    "pc6": (
        Column("postcode", **_pattern(r"\d{4}[A-Z]{2}", "een postcode als 3511AB")),
        Column("aantal_adressen", "int", minimum=0, limit="max_addresses_per_pc6"),
        Column("x", "float", **RD_X),
        Column("y", "float", **RD_Y),
    ),
    "bevolking": (
        Column("peildatum", **_pattern(r"\d{4}-\d{2}-\d{2}", "een datum als 2023-01-01")),
        Column("regiocode", **REGION_CODE),
        Column("leeftijd_van", "int", allowed=tuple(str(b) for b in AGE_BANDS),
               expected="de ondergrens van een 5-jaarsklasse (0, 5, ..., 95)", maximum=95),
        Column("leeftijd_tot", "int", minimum=0, maximum=150),
        Column("mannen", "int", minimum=0, limit="max_inhabitants"),
        Column("vrouwen", "int", minimum=0, limit="max_inhabitants"),
    ),
    "clienten": (
        Column("jaar", "int", minimum=1990, maximum=YEAR_RANGE[1]),
        Column("gemeentecode", **GM_CODE),
        Column("sector", required=False),
        Column("leeftijdsklasse", expected="een leeftijdsklasse als 80-84 of 95+"),
        Column("zorgprofiel", expected="een zorgprofiel, bijvoorbeeld VV4 .. VV10"),
        Column("leveringsvorm", expected="intramuraal, VPT, MPT of PGB"),
        Column("sector_aanbieder", required=False),
        Column("aantal_clienten", "int", minimum=0, limit="max_clients_per_row"),
    ),
    "locaties": (),  # built from the sector declaration: see locations_contract
}
CONTRACTS["prognose"] = CONTRACTS["bevolking"]


def locations_contract(declared=None) -> tuple[Column, ...]:
    """The contract of ``zorglocaties.csv``: a ``plaatsen_<groep>`` column per group of every sector.

    The place columns of the sectors a file has locations of are required
    (checked by :func:`check_location_sectors`); the others may be left out.
    """
    from .sectors import default_sectors

    declared = declared or default_sectors()
    codes = tuple(s.code for s in declared)
    places = tuple(Column(col, "int", minimum=0, limit="max_places_per_location", required=False)
                   for s in declared for col in s.place_columns.values())
    return (
        Column("locatie_id"),
        Column("naam"),
        Column("zorgaanbieder", required=False),
        Column("postcode", required=False),
        Column("huisnummer", required=False),
        Column("plaats", required=False),
        Column("sector", expected=", ".join(codes[:-1]) + " of " + codes[-1] if len(codes) > 1 else codes[0]),
        *places,
        Column("clienten_intramuraal", "int", minimum=0, limit="max_clients_per_location"),
        Column("clienten_vpt_mpt", "int", minimum=0, limit="max_clients_per_location"),
    )


def check_location_sectors(path: Path, df: pd.DataFrame, declared) -> pd.DataFrame:
    """Sector cells to the declared codes (aliases, case and spaces allowed) and the place columns.

    A sector's place columns are all given or all left out: left out, its
    locations have 0 places per group (a note in ``attrs["notes"]``); some of
    them missing is refused (one would silently count as 0 places).
    """
    header = set(_header(path))
    rows = source_rows(df)
    text = df["sector"]
    code_of = {t: (declared.by_code(t).code if declared.by_code(t) else None) for t in pd.unique(text)}
    codes = text.map(code_of)
    if codes.isna().any():
        i = int(np.flatnonzero(codes.isna().to_numpy())[0])
        raise InputError(path.name, f"'{text.iloc[i]}' is geen sector; verwacht "
                         + ", ".join(s.code for s in declared), row=int(rows[i]), column="sector")
    df["sector"] = codes.to_numpy()
    notes = []
    for sec in declared:
        cols = list(sec.place_columns.values())
        missing = [c for c in cols if c not in header]
        for col in missing:
            df[col] = 0
        n = int((df["sector"] == sec.code).sum())
        if not n or not missing:
            continue
        if len(missing) < len(cols):
            raise InputError(path.name, f"kolom(men) {', '.join(missing)} ontbreken: het bestand heeft "
                             f"{sec.short}-locaties met plaatsen per groep ({', '.join(sec.group_labels.values())}); "
                             "geef alle groepen of geen", row=1, column=missing[0])
        notes.append(f"{path.name}: geen kolommen met plaatsen per groep voor de {n} {sec.short}-locatie(s) "
                     f"({', '.join(cols)}): het tekort van {sec.short} rekent met 0 plaatsen nu")
    df.attrs["notes"] = notes
    return df


CONTRACTS["locaties"] = locations_contract()
#: where each gemeente stands in the programme of sessions (optional input)
CONTRACTS["sessies"] = (
    Column("gemeentecode", **GM_CODE),
    Column("status", expected="een korte status, bijvoorbeeld 'sessie gepland'"),
    Column("datum", required=False, **_pattern(r"\d{4}-\d{2}-\d{2}", "een datum als 2026-03-15")),
    Column("volgende_stap", required=False),
    Column("contactpersoon_rol", required=False),
)
#: the housing-with-care variants and the ZZP groups each suits (``x``); replaceable by the user
CONTRACTS["woonzorgvarianten"] = (
    Column("nummer", "int", minimum=1, maximum=999),
    Column("variant"),
    Column("partijen", required=False),
)
#: the project's own table of housing-with-care variants (Wonen en Zorg 2040), used when the inputs have none
DEFAULT_VARIANTS = Path(__file__).resolve().parent.parent / "data" / "woonzorgvarianten.csv"
CONTRACTS["overlevingskansen"] = (
    Column("leeftijd_van", "int", allowed=tuple(str(b) for b in AGE_BANDS),
           expected="de ondergrens van een 5-jaarsklasse (0, 5, ..., 95)", maximum=95),
    Column("overlevingskans", "float", minimum=0.0, maximum=1.0, expected="een kans tussen 0 en 1"),
)
#: a projection with totals per gemeente only (no age detail): the forecast ages cohorts forward
TOTALS_CONTRACT = (
    Column("peildatum", **_pattern(r"\d{4}-\d{2}-\d{2}", "een datum als 2030-01-01")),
    Column("regiocode", **GM_CODE),
)

#: first bytes of binary formats that people save by mistake under a table's name
_MAGIC = ((b"PK\x03\x04", "een zip-archief (een Excel-bestand .xlsx?)"),
          (b"SQLite format 3\x00", "een SQLite-database (een GeoPackage?)"),
          (b"\xd0\xcf\x11\xe0", "een oud Excel-bestand (.xls)"),
          (b"%PDF", "een PDF-bestand"),
          (b"\x1f\x8b", "een gzip-archief"))


def _read_text(path: Path) -> str:
    """The text of a CSV file; refuses, naming the cause, a file that is empty, UTF-16 or binary."""
    raw = path.read_bytes()
    _check_bytes(path, raw)
    for enc in ("utf-8-sig", "cp1252"):
        try:
            return raw.decode(enc)
        except UnicodeDecodeError:
            continue
    raise InputError(path.name, "het bestand is geen UTF-8 of Windows-1252 tekst")


def _check_bytes(path: Path, raw: bytes) -> None:
    """Refuse, naming the cause, the bytes of a CSV file that is empty, UTF-16 or binary."""
    if not raw[:1 << 16].strip() and not raw.strip():  # the first bytes decide, mostly: no copy of the file
        raise InputError(path.name, "het bestand is leeg" + (" (alleen witruimte)" if raw else " (0 bytes)"))
    head = raw[:4096]
    if head[:2] in (b"\xff\xfe", b"\xfe\xff") or (len(head) >= 4 and
                                                  max(head[0::2].count(0), head[1::2].count(0)) > len(head) // 4):
        raise InputError(path.name, "het bestand is UTF-16-tekst (Excel: 'Unicode-tekst'); sla het op als "
                         "'CSV UTF-8 (gescheiden door lijstscheidingsteken)' of als Windows-1252-CSV")
    for magic, what in _MAGIC:
        if raw.startswith(magic):
            hint = f" of noem het {path.stem}.xlsx" if magic == b"PK\x03\x04" else ""
            raise InputError(path.name, f"het bestand is geen tekst maar {what}; sla de tabel op als CSV{hint}")
    if b"\x00" in raw[:1 << 20]:
        raise InputError(path.name, "het bestand is geen tekst: het bevat nul-bytes (binaire gegevens); "
                         "verwacht een CSV-bestand")


def _sniff_delimiter(text: str) -> str:
    header = text.splitlines()[0] if text else ""
    return max((";", ",", "\t"), key=header.count)


def _csv_record_lines(path: Path, text: str, delim: str) -> np.ndarray:
    """Line number of every record after the header (as pandas reads them: not blank, not only spaces).

    A record with another number of fields than the header is refused: the
    last record short of fields means the file was cut off.
    """
    reader = csv.reader(_io.StringIO(text), delimiter=delim, quotechar='"')
    header = [h.strip().lower() for h in next(reader, [])]
    seen: dict[str, int] = {}
    for k, name in enumerate(header, start=1):
        if name and name in seen:
            raise InputError(path.name, f"kolom '{name}' staat twee keer in de kopregel (veld {seen[name]} en {k})",
                             row=1, column=name)
        seen[name] = k
    n = len(header)
    lines: list[int] = []
    bad: tuple[int, int, int] | None = None  # (line, fields, position among records)
    if '"' not in text:  # no quoting: every line is one record, its fields counted by the separator
        body = text.split("\n")[1:]
        counts = np.fromiter((line.count(delim) for line in body), dtype=np.int64, count=len(body)) + 1
        filled = np.fromiter((bool(line.strip()) for line in body), dtype=bool, count=len(body))
        numbers = np.arange(2, len(body) + 2)
        wrong = np.flatnonzero(filled & (counts != n))
        for k in wrong:
            if any(f.strip() for f in body[k].split(delim)):
                bad = (int(numbers[k]), int(counts[k]), int(filled[:k + 1].sum()))
                break
        lines = numbers[filled].tolist()
        reader = ()
    for row in reader:
        if not row or (len(row) == 1 and not row[0].strip()):
            continue
        lines.append(reader.line_num)
        if bad is None and len(row) != n and any(f.strip() for f in row):
            bad = (reader.line_num, len(row), len(lines))
    if bad is not None:
        line, fields, position = bad
        if fields < n and position == len(lines):
            raise InputError(path.name, f"de laatste regel heeft {fields} van de {n} velden: het bestand is "
                             "afgebroken (onvolledig opgeslagen, gekopieerd of gedownload); lever het volledige "
                             "bestand aan", row=line, column=header[fields])
        if fields < n:
            raise InputError(path.name, f"{fields} velden, verwacht {n} zoals in de kopregel",
                             row=line, column=header[fields])
        raise InputError(path.name, f"{fields} velden, verwacht {n} zoals in de kopregel; staat er een "
                         f"'{delim}' in een waarde zonder aanhalingstekens?", row=line)
    return np.asarray(lines, dtype=np.int64)


def _head(path: Path, n: int) -> tuple[int, bytes]:
    """The size of a file and its first ``n`` bytes; an empty file is refused."""
    size = path.stat().st_size
    if size == 0:
        raise InputError(path.name, "het bestand is leeg (0 bytes)")
    with open(path, "rb") as fh:
        return size, fh.read(n)


def _check_xlsx(path: Path) -> None:
    """Refuse, naming the cause, an Excel file that is empty, no workbook, or cut off."""
    import zipfile

    size, magic = _head(path, 4)
    if magic != b"PK\x03\x04":
        raise InputError(path.name, "het bestand is geen Excel-werkmap (.xlsx); sla het op als "
                         "'Excel-werkmap' of als CSV")
    try:
        with zipfile.ZipFile(path) as zf:
            names = set(zf.namelist())
            broken = zf.testzip()
    except (zipfile.BadZipFile, OSError, EOFError):
        raise InputError(path.name, f"het Excel-bestand is afgebroken of beschadigd ({dutch_number(size)} bytes, de inhoudsopgave "
                         "van het zip-archief ontbreekt); lever het volledige bestand aan") from None
    if broken is not None:
        raise InputError(path.name, f"het Excel-bestand is beschadigd (onderdeel {broken} is onleesbaar)")
    if "xl/workbook.xml" not in names:
        raise InputError(path.name, "het zip-archief is geen Excel-werkmap (xl/workbook.xml ontbreekt)")


def _read_raw_table(path: Path) -> tuple[pd.DataFrame, np.ndarray, str]:
    """The cells as text, the spreadsheet row of each row, and the decimal mark of the numbers."""
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        _check_xlsx(path)
        try:
            df = pd.read_excel(path, dtype=str, keep_default_na=False)
        except Exception as exc:  # noqa: BLE001 - any unreadable workbook
            raise InputError(path.name, f"kan het Excel-bestand niet lezen ({exc})") from None
        # Excel numbers arrive as Python's text of them: a decimal point, no thousands separator
        return df, np.arange(len(df), dtype=np.int64) + 2, "."
    text = _read_text(path)
    if "\r" in text:  # old Mac line ends (a lone CR) count as line ends, as a spreadsheet reads them
        text = re.sub(r"\r(?!\n)", "\n", text)
    delim = _sniff_delimiter(text)
    lines = _csv_record_lines(path, text, delim)
    try:
        df = pd.read_csv(_io.StringIO(text), sep=delim, dtype=str, keep_default_na=False, index_col=False,
                         quotechar='"', skipinitialspace=False, skip_blank_lines=True)
    except (pd.errors.ParserError, ValueError) as exc:
        raise InputError(path.name, f"kan het CSV-bestand niet lezen ({exc})") from None
    if len(lines) != len(df):  # cannot happen with the rules above; keep counting rows then
        lines = np.arange(len(df), dtype=np.int64) + 2
    return df, lines, "," if delim != "," else "."


# --- the fast CSV reader -------------------------------------------------------------
#
# Most large inputs are "simple" CSV files: no quotes, no blank lines, the same number of
# separators on every line, numbers as pandas' C parser reads them. For those the cells need
# not become Python strings first: the C parser reads the numeric columns as numbers and the
# checks run on whole columns. The fast reader only ever gives up (returns None): any file it
# is not sure of, and every invalid file, is read again by the strict reader, which names the
# problem. The result of the fast reader is the strict reader's, value for value and dtype for
# dtype (tests/test_read_fast.py compares both).

#: try the fast reader first for CSV files (the tests switch it off to compare with the strict reader)
FAST_CSV = True

#: bytes that may be white space at the edge of a cell (str.strip): ASCII white space, and any
#: byte of a non-ASCII character (U+00A0, U+2007, ... ; checked by the strict rules then)
_EDGE_SPACE = np.zeros(256, dtype=bool)
_EDGE_SPACE[list(b" \t\r\n\x0b\x0c\x1c\x1d\x1e\x1f")] = True
_EDGE_SPACE[0x80:] = True
#: the ASCII white space bytes that may stand in a cell ("\r" only ends a line in a simple file)
_EDGE_SPACE_ASCII = b" \t\x0b\x0c\x1c\x1d\x1e\x1f"


class _NotSimple(Exception):
    """The fast reader gives up; the strict reader decides."""


def _read_table_fast(path: Path, contract: tuple[Column, ...], settings: Settings,
                     extra_columns: bool) -> pd.DataFrame | None:
    """:func:`read_table` of a simple CSV file, or None when the strict reader must read it."""
    try:
        return _read_fast(path, contract, settings, extra_columns)
    except Exception:  # noqa: BLE001 - whatever goes wrong, the strict reader reads the file and names it
        return None


def _read_fast(path: Path, contract: tuple[Column, ...], settings: Settings,
               extra_columns: bool) -> pd.DataFrame:
    import warnings

    raw = path.read_bytes()
    _check_bytes(path, raw)  # empty, UTF-16, binary: the strict reader names these
    start = 3 if raw.startswith(b"\xef\xbb\xbf") else 0
    arr = np.frombuffer(raw, dtype=np.uint8)
    size = len(arr)
    text, encoding = None, "utf-8"  # plain ASCII: pandas reads the bytes themselves
    if start or arr.max() >= 0x80:
        # not plain ASCII: the text as the strict reader decodes it (UTF-8, else Windows-1252)
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError:
            if start:  # a BOM in a Windows-1252 file becomes part of the first column name
                raise _NotSimple from None
            text, encoding = raw.decode("cp1252"), "cp1252"
    # quotes, NUL bytes and a carriage return that does not end a line: the strict reader
    crlf = raw.find(b"\r") >= 0
    if raw.find(b'"') >= 0 or raw.find(b"\x00") >= 0 or (crlf and raw.count(b"\r") != raw.count(b"\r\n")):
        raise _NotSimple
    flags = np.empty(size, dtype=bool)  # one scratch buffer for both byte searches (large files)
    newlines = np.flatnonzero(np.equal(arr, 10, out=flags))
    ends = newlines if raw.endswith(b"\n") else np.append(newlines, size)
    if len(ends) < 2:  # only a header
        raise _NotSimple
    # the header: the separator as the strict reader sniffs it, the names as pandas reads them
    head = raw[start:int(ends[0])].decode(encoding)
    delim = _sniff_delimiter(head)
    lines = head.splitlines()
    if len(lines) != 1:
        raise _NotSimple
    names = [h.strip().lower() for h in lines[0].split(delim)]
    k = len(names) - 1
    if k < 1 or "" in names or len(set(names)) != len(names):
        raise _NotSimple
    # every line holds exactly k separators: the i-th group of k separators lies on line i
    seps = np.flatnonzero(np.equal(arr, ord(delim), out=flags))
    del flags
    n_lines = len(ends)
    if len(seps) != k * n_lines:
        raise _NotSimple
    seps = seps.reshape(n_lines, k)
    if not ((seps[:, -1] < ends).all() and (seps[1:, 0] > ends[:-1]).all()):
        raise _NotSimple
    n = n_lines - 1
    cache: dict[str, np.ndarray] = {}

    def cells(name: str) -> tuple[np.ndarray, np.ndarray]:
        """Where the cells of a column start and stop ([first, stop), before any "\r")."""
        j = names.index(name)
        first = ends[:-1] + 1 if j == 0 else seps[1:, j - 1] + 1
        if j < k:
            stop = seps[1:, j]
        else:
            stop = ends[1:] - (arr[np.maximum(ends[1:] - 1, 0)] == 13) if crlf else ends[1:]
        return first, stop

    def empty(name: str) -> np.ndarray:
        """Which cells of a column are empty (no byte at all); computed when needed."""
        if name not in cache:
            first, stop = cells(name)
            cache[name] = stop == first
        return cache[name]

    # white space at the edge of a cell (stripped by the strict reader), and rows that may be blank
    # (skipped by the strict reader, which counts on); a file without any white space byte, as most
    # large inputs, has no such cell, and a blank row there is a line of only its k separators
    spaces = text is not None or any(raw.find(bytes([b])) >= 0 for b in _EDGE_SPACE_ASCII)
    edge = False
    if spaces:
        maybe_blank = np.ones(n, dtype=bool)
        for name in names:
            first, stop = cells(name)
            filled = ~empty(name)
            lead = _EDGE_SPACE[arr[np.minimum(first, size - 1)]] & filled
            trail = _EDGE_SPACE[arr[np.maximum(stop - 1, 0)]] & filled
            edge = edge or bool(lead.any() or trail.any())
            maybe_blank &= ~filled | lead
        if maybe_blank.any():
            raise _NotSimple
    else:
        first, stop = cells(names[-1])
        if ((stop - (ends[:-1] + 1)) == k).any():
            raise _NotSimple
    del newlines
    decimal_mark = "," if delim != "," else "."
    kinds = {c.name: c.kind for c in contract if c.kind in ("int", "float") and c.name in names}
    if any(c.name not in names and c.required for c in contract):
        raise _NotSimple

    def parse(columns: list[str] | None, mark: str, as_text: bool, floats: bool = False) -> pd.DataFrame:
        """The cells (of ``columns``, default all) as pandas' C parser reads them: text as str, or
        (``as_text`` False) the numeric contract columns as numbers, only "" empty (``floats``: the
        decimal columns as float64 at once, failing on any other cell)."""
        used = names if columns is None else columns
        options = dict(sep=delim, header=0, names=names, index_col=False, quotechar='"', thousands=None,
                       skipinitialspace=False, skip_blank_lines=True, keep_default_na=False, decimal=mark)
        if as_text:
            options["dtype"] = str
        else:
            options["dtype"] = {c: str for c in used if c not in kinds} | (
                {c: np.float64 for c in used if kinds.get(c) == "float"} if floats else {})
            options["na_values"] = {c: [""] for c in used if c in kinds}
        if columns is not None:
            options["usecols"] = columns
        if text is None:
            source, options["encoding"] = _io.BytesIO(raw), encoding
        else:
            source = _io.StringIO(text)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", pd.errors.DtypeWarning)
            df = pd.read_csv(source, **options)
        if len(df) != n:
            raise _NotSimple
        return df

    # the decimal columns as float64 at once, with the decimal mark of the first row (a ';' file may
    # write decimals with a point: the strict rules allow both); else each as the C parser infers it
    floats = [c for c, kind in kinds.items() if kind == "float"]
    mark = decimal_mark
    if floats and decimal_mark == ",":
        row = raw[int(ends[0]) + 1:int(ends[1])].decode(encoding, "replace").rstrip("\r").split(delim)
        if any("." in row[names.index(c)] for c in floats) and not any("," in row[names.index(c)] for c in floats):
            mark = "."
    try:
        df = parse(None, mark, as_text=False, floats=bool(floats))
    except ValueError:  # a cell that is no number: every numeric column as the C parser infers it
        mark = decimal_mark
        df = parse(None, mark, as_text=False)
    retry = [c for c in floats if not _numbers_ok(df[c], empty, "float")]
    if retry and decimal_mark == ",":  # decimals with the other mark (a point, or a comma after all)
        again = parse(retry, "," if mark == "." else ".", as_text=False)
        for c in retry:
            df[c] = again[c]
    rows = np.arange(2, n + 2, dtype=np.int64)
    out = pd.DataFrame(index=pd.RangeIndex(n))
    for col in contract:
        if col.name not in df.columns:
            out[col.name] = ""
            continue
        if col.kind in ("int", "float"):
            values = df[col.name]
            if _numbers_ok(values, empty, col.kind):
                out[col.name] = _fast_numbers(values, col, settings)
                continue
            # numbers the C parser does not read as the strict rules do: this column by the strict rules
            text_values = stripped(parse([col.name], decimal_mark, as_text=True)[col.name].fillna("").astype(str))
            out[col.name] = _convert(path, text_values, col, decimal_mark, rows, settings)
            continue
        values = stripped(df[col.name]) if edge else df[col.name]
        blank = (values == "").to_numpy() if edge else empty(col.name)
        if col.required and blank.any():
            raise _NotSimple
        if col.pattern is not None and (~values.str.fullmatch(col.pattern) & ~blank).any():
            raise _NotSimple
        if col.allowed is not None and (~values.isin(col.allowed) & ~blank).any():
            raise _NotSimple
        out[col.name] = values
    if extra_columns:
        taken = {c.name for c in contract}
        for c in df.columns:
            if c and c not in taken and not c.startswith("unnamed:"):
                out[c] = stripped(df[c]) if edge else df[c]
    out = out.reset_index(drop=True)
    out.attrs["regels"] = RowNumbers(rows)
    return out


def _numbers_ok(values: pd.Series, empty, kind: str) -> bool:
    """True when the C parser read a numeric column as the strict rules (:func:`parse_numbers`) would.

    Whole numbers (int64: an optional sign and digits, perhaps padded with ASCII spaces) are read
    alike for both kinds. For decimals (float64) an empty cell must be the only NaN, no value may
    be infinite (the strict rules refuse it) or -0.0 (the strict rules may give 0.0). Anything else
    (an exponent, ``5.`` or ``12,0`` in a whole-number column, text, an empty cell in one) is left
    to the strict rules. ``empty(name)`` tells which cells of a column are empty.
    """
    if values.dtype == np.int64:
        return True
    if kind != "float" or values.dtype != np.float64:
        return False
    a = values.to_numpy()
    low, high = a.min(), a.max()  # NaN when a cell is NaN
    if np.isnan(low) or np.isnan(high):
        nan = np.isnan(a)
        if not np.array_equal(nan, empty(values.name)):
            return False
        a = a[~nan]
        if not len(a):
            return True
        low, high = a.min(), a.max()
    # else no cell is empty: an empty cell is NaN
    # finite and below 2**53 (exact, as whole numbers read as int64 then converted would be), no -0.0
    if not (-2.0 ** 53 < low and high < 2.0 ** 53):
        return False
    return not (low <= 0 <= high and bool(np.signbit(a[a == 0]).any()))


def _fast_numbers(values: pd.Series, col: Column, settings: Settings) -> pd.Series:
    """A numeric column read by the C parser (:func:`_numbers_ok`), checked as :func:`_convert` does."""
    if col.required and values.isna().any():  # empty cells (the only NaN)
        raise _NotSimple
    if not _within_limits(values.to_numpy(), col, settings):
        raise _NotSimple
    if col.kind == "int":  # only int64 columns come here: no empty cell
        return values
    return values.astype(float)


def _within_limits(a: np.ndarray, col: Column, settings: Settings) -> bool:
    """True when :func:`_check_numbers` finds nothing in these numbers (int64, or float64 with NaN
    for empty cells): the same rules, run on the whole array, giving up instead of naming a cell."""
    def give_up(i: int, msg: str) -> None:
        raise _NotSimple

    try:
        _check_numbers(pd.Series(a, copy=False), col, settings, give_up, lambda i: "")
    except _NotSimple:
        return False
    return True


def source_rows(df: pd.DataFrame) -> np.ndarray:
    """The spreadsheet row (header = 1) of each row of a table just read by :func:`read_table`."""
    rows = df.attrs.get("regels")
    return rows.values if isinstance(rows, RowNumbers) and len(rows) == len(df) else np.arange(len(df)) + 2


def read_table(path: Path, contract: tuple[Column, ...], settings: Settings | None = None, *,
               extra_columns: bool = False) -> pd.DataFrame:
    """Read a CSV (``;`` or ``,``; UTF-8 or Windows-1252; decimal comma or point)
    or an Excel sheet and check it against its contract.

    Parameters
    ----------
    path
        The file.
    contract
        The columns it must hold.
    settings
        Gives the plausibility limits named by the columns (default: the defaults).
    extra_columns
        Also return the file's columns outside the contract (as text), e.g.
        the breakdowns of a CBS extract.

    Returns
    -------
    pandas.DataFrame
        One column per contract column, converted to its type; the spreadsheet
        row of each row in ``attrs["regels"]`` (see :func:`source_rows`).
    """
    if str(path).lower().endswith(".parquet"):  # adressen/pc6 as (Geo)Parquet: the same frame (geo/parquet.py)
        from .parquet import read_parquet_table

        return read_parquet_table(Path(path), contract, settings, extra_columns=extra_columns)
    path = Path(path)
    if not path.exists():
        raise InputError(path.name, f"het bestand ontbreekt (gezocht in {path.parent})")
    if FAST_CSV and path.suffix.lower() not in (".xlsx", ".xlsm"):
        fast = _read_table_fast(path, contract, settings or Settings(), extra_columns)
        if fast is not None:  # a simple CSV file, read and checked as below but on whole columns
            return fast
    df, rows, decimal_mark = _read_raw_table(path)
    df.columns = [str(c).strip().lower() for c in df.columns]
    df = pd.DataFrame({c: stripped(df[c].fillna("").astype(str)) for c in df.columns}
                      if df.columns.is_unique else df.fillna("").astype(str).apply(lambda c: c.str.strip()))
    # blank lines are skipped, but row numbers keep counting them, as a spreadsheet does
    blank = (df == "").all(axis=1).to_numpy()
    df, rows = df[~blank], rows[~blank]
    if df.empty:
        raise InputError(path.name, "het bestand bevat alleen de kopregel en geen gegevens")
    missing = [c.name for c in contract if c.name not in df.columns and c.required]
    if missing:
        raise InputError(path.name, f"kolom(men) ontbreken: {', '.join(missing)}; "
                         f"gevonden: {', '.join(df.columns)}", row=1, column=missing[0])
    limits = settings or Settings()
    out = pd.DataFrame(index=df.index)
    for col in contract:
        if col.name not in df.columns:
            out[col.name] = ""
            continue
        values = df[col.name]
        out[col.name] = _convert(path, values, col, decimal_mark, rows, limits)
    if extra_columns:
        names = {c.name for c in contract}
        for c in df.columns:
            if c and c not in names and not c.startswith("unnamed:"):
                out[c] = df[c]
    out = out.reset_index(drop=True)
    out.attrs["regels"] = RowNumbers(rows)
    return out


def _convert(path: Path, values: pd.Series, col: Column, decimal_mark: str, rows: np.ndarray,
             settings: Settings) -> pd.Series:
    def fail(i: int, msg: str) -> None:
        raise InputError(path.name, msg, row=int(rows[i]), column=col.name)

    def first(mask) -> int:
        return int(np.flatnonzero(np.asarray(mask))[0])

    empty = values == ""
    if col.required and empty.any():
        fail(first(empty), f"leeg; verwacht {col.expected or 'een waarde'}")
    if col.kind in ("int", "float"):
        nums, bad = parse_numbers(values, col.kind, decimal_mark)
        if bad.any():
            i = first(bad)
            fail(i, number_problem(values.iloc[i], col.kind))
        _check_numbers(nums, col, settings, fail, lambda i: values.iloc[i])
        if col.kind == "int":  # safe: every whole-number column has a maximum far below 2**63
            return nums.astype("Int64") if empty.any() else nums.astype(np.int64)
        return nums.astype(float)
    if col.pattern is not None:
        bad = ~values.str.fullmatch(col.pattern) & ~empty
        if bad.any():
            i = first(bad)
            fail(i, f"'{values.iloc[i]}' is geen geldige waarde; verwacht {col.expected}")
    if col.allowed is not None:
        bad = ~values.isin(col.allowed) & ~empty
        if bad.any():
            i = first(bad)
            fail(i, f"'{values.iloc[i]}' is niet toegestaan; verwacht {col.expected}")
    return values


def _check_numbers(nums: pd.Series, col: Column, settings: Settings, fail, text) -> None:
    """Whole numbers, fixed limits, the setting's limit and allowed values of a numeric column
    (``text(i)`` is how cell ``i`` was written, for the message)."""

    def first(mask) -> int:
        return int(np.flatnonzero(np.asarray(mask))[0])

    if col.kind == "int":
        frac = (nums % 1 != 0) & nums.notna()
        if frac.any():
            i = first(frac)
            fail(i, f"'{text(i)}' is geen geheel getal")
    if col.minimum is not None and (nums < col.minimum).any():
        i = first(nums < col.minimum)
        fail(i, f"{text(i)} is kleiner dan {dutch_number(col.minimum)}" + _range_hint(col, nums.iloc[i]))
    high = getattr(settings, col.limit) if col.limit else col.maximum
    if high is not None and (nums > high).any():
        i = first(nums > high)
        where = (f", de grens '{col.limit}' in {SETTINGS_FILE}; is het echt zo veel, verhoog dan die grens"
                 if col.limit else _range_hint(col, nums.iloc[i]))
        fail(i, f"{text(i)} is groter dan {dutch_number(high)}{where}")
    if col.allowed is not None:
        bad = ~nums.isin([float(a) for a in col.allowed]) & nums.notna()
        if bad.any():
            i = first(bad)
            fail(i, f"'{text(i)}' is niet toegestaan; verwacht {col.expected}")


def _range_hint(col: Column, value: float) -> str:
    """What a value outside a fixed range should have been (and, for coordinates, what it looks like)."""
    hint = f"; verwacht {col.expected}" if col.expected else ""
    if col.name in RD_BOUNDS and looks_like_degrees(float(value), col.name):
        hint += "; dit lijkt een lengte- of breedtegraad (WGS84): geef RD New (EPSG:28992) in meters"
    return hint


def refuse_duplicates(file: str, df: pd.DataFrame, key: list[str], rows: np.ndarray | None = None) -> None:
    """Refuse a table in which a key repeats, naming both rows.

    Parameters
    ----------
    file
        File name for the message.
    df
        The table (positions match ``rows``).
    key
        The columns that together must be unique.
    rows
        Spreadsheet row of each position (default :func:`source_rows`).
    """
    pair = first_duplicate(df, key)
    if pair is None:
        return
    i, j = pair
    rows = source_rows(df) if rows is None else rows
    values = ", ".join(f"{k} {df[k].iloc[j]}" for k in key) if len(key) > 1 else f"'{df[key[0]].iloc[j]}'"
    raise InputError(file, f"{values} komt dubbel voor: op regel {int(rows[i])} en op regel {int(rows[j])}; "
                     "elke " + ("combinatie" if len(key) > 1 else "waarde") + " mag maar één keer voorkomen",
                     row=int(rows[j]), column=", ".join(key))


# --- boundaries ------------------------------------------------------------------

def read_boundaries(path: Path, code_pattern: str, expected: str) -> gpd.GeoDataFrame:
    """Read CBS boundaries (GeoJSON or GeoPackage with ``statcode``/``statnaam``).

    A file without a CRS is GeoJSON in WGS84 (RFC 7946); everything is
    returned in RD New. Invalid polygons are repaired. A file that is empty,
    cut off, not JSON, with an unknown ``crs`` member, or whose areas do not
    lie in the Netherlands in the CRS it states, is refused with that cause.
    """
    path = Path(path)
    if not path.exists():
        raise InputError(path.name, f"het bestand ontbreekt (gezocht in {path.parent})")
    declared = None
    if path.suffix.lower() == ".gpkg":
        _check_geopackage(path)
    else:
        declared = _check_geojson(path)
    try:
        gdf = gpd.read_file(path)
    except Exception as exc:  # noqa: BLE001 - GDAL raises many kinds
        raise InputError(path.name, f"kan de geometrieën niet lezen ({exc})") from None
    if declared is not None:  # GDAL falls back to WGS84 on a name it does not know; we checked the name
        gdf = gdf.set_crs(pyproj.CRS.from_user_input(declared), allow_override=True)
    cols = {c.lower(): c for c in gdf.columns}
    for needed in ("statcode", "statnaam"):
        if needed not in cols:
            raise InputError(path.name, f"kolom '{needed}' ontbreekt; gevonden: "
                             f"{', '.join(map(str, gdf.columns))}", row=1, column=needed)
    gdf = gdf.rename(columns={cols["statcode"]: "statcode", cols["statnaam"]: "statnaam"})
    gdf["statcode"] = gdf["statcode"].astype(str).str.strip()
    gdf["statnaam"] = gdf["statnaam"].astype(str).str.strip()
    bad = ~gdf["statcode"].str.fullmatch(code_pattern)
    if bad.any():
        i = int(np.flatnonzero(bad.to_numpy())[0])
        raise InputError(path.name, f"'{gdf['statcode'].iloc[i]}' is geen {expected}",
                         row=i + 2, column="statcode")
    refuse_duplicates(path.name, gdf, ["statcode"], np.arange(len(gdf)) + 2)
    _check_areas(path.name, gdf, "geometry", np.arange(len(gdf)) + 2)
    if gdf.crs is None:
        gdf = gdf.set_crs("EPSG:4326")
    _check_in_netherlands(path.name, gdf, None if path.suffix.lower() == ".gpkg" else declared or "")
    gdf = gdf.to_crs(RD_NEW)
    gdf = repair_polygons(gdf, path.name)
    out = gdf[["statcode", "statnaam", "geometry"]].reset_index(drop=True)
    out.attrs["hersteld"] = gdf.attrs.get("hersteld", [])
    return out


def _check_geojson(path: Path) -> str | None:
    """Refuse a GeoJSON file that is empty, no text, cut off, not JSON or without areas; its declared CRS.

    Returns
    -------
    str or None
        The name in the ``crs`` member (checked to be a known CRS), or None without one (WGS84).
    """
    text = _read_text(path)
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as exc:
        if text.count("{") + text.count("[") > text.count("}") + text.count("]"):
            raise InputError(path.name, f"het bestand is afgebroken: de JSON houdt op na {dutch_number(len(text))} "
                             "tekens terwijl er nog haakjes open staan; lever het volledige bestand aan") from None
        raise InputError(path.name, f"het bestand is geen geldige JSON (fout bij teken {exc.colno} van tekstregel "
                         f"{exc.lineno}); verwacht GeoJSON") from None
    if not isinstance(doc, dict) or doc.get("type") != "FeatureCollection":
        found = doc.get("type") if isinstance(doc, dict) else type(doc).__name__
        raise InputError(path.name, f"het bestand is geen GeoJSON FeatureCollection (type: {found})")
    if not isinstance(doc.get("features"), list) or not doc["features"]:
        raise InputError(path.name, "het bestand bevat geen gebieden (de lijst 'features' is leeg)")
    crs = doc.get("crs")
    if crs is None:
        return None
    name = crs.get("properties", {}).get("name") if isinstance(crs, dict) and \
        isinstance(crs.get("properties"), dict) else None
    try:
        pyproj.CRS.from_user_input(name)
    except (pyproj.exceptions.CRSError, TypeError):
        raise InputError(path.name, f"onbekend coördinatenstelsel {json.dumps(name if name else crs)} in het "
                         "crs-lid; verwacht bijvoorbeeld \"urn:ogc:def:crs:EPSG::28992\" (RD New), of geen "
                         "crs-lid voor WGS84") from None
    return name


def _check_geopackage(path: Path) -> None:
    """Refuse a GeoPackage that is empty, no SQLite database, or shorter than its header says (cut off)."""
    size, head = _head(path, 100)
    if not head.startswith(b"SQLite format 3\x00"):
        raise InputError(path.name, "het bestand is geen GeoPackage (geen SQLite-database)")
    page = int.from_bytes(head[16:18], "big") if len(head) >= 18 else 0
    page = 65536 if page == 1 else page
    pages = int.from_bytes(head[28:32], "big") if len(head) >= 32 else 0
    counted = len(head) == 100 and head[24:28] == head[92:96]  # the header's page count is current
    if len(head) < 100 or not page or size % page or (counted and pages and size < pages * page):
        expected = f", de database zegt {dutch_number(pages * page)} bytes" if counted and pages else ""
        raise InputError(path.name, f"het bestand is afgebroken: {dutch_number(size)} bytes{expected}; lever de "
                         "volledige GeoPackage aan")


def _check_areas(name: str, gdf: gpd.GeoDataFrame, column: str, rows: np.ndarray) -> None:
    """Every feature has a polygon."""
    empty = (gdf.geometry.isna() | gdf.geometry.is_empty).to_numpy()
    if empty.any():
        i = int(np.flatnonzero(empty)[0])
        raise InputError(name, "geometrie ontbreekt", row=int(rows[i]), column=column)
    kinds = gdf.geometry.geom_type
    bad = ~kinds.isin(["Polygon", "MultiPolygon"]).to_numpy()
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        raise InputError(name, f"de geometrie van {gdf['statcode'].iloc[i]} is een {kinds.iloc[i]}, geen vlak; "
                         "verwacht (Multi)Polygon-grenzen", row=int(rows[i]), column=column)


def _deg(v: float) -> str:
    return f"{v:.2f}".replace(".", ",")


def _within(bounds, box: dict) -> bool:
    x0, y0, x1, y1 = bounds
    return bool(np.isfinite(bounds).all() and box["x"][0] <= x0 and x1 <= box["x"][1]
                and box["y"][0] <= y0 and y1 <= box["y"][1])


def _check_in_netherlands(name: str, gdf: gpd.GeoDataFrame, declared: str | None, column: str = "geometry") -> None:
    """Refuse areas that do not lie in the Netherlands in the CRS the file states, saying what they look like.

    ``declared`` is the name in a GeoJSON ``crs`` member ("" for a GeoJSON without one, None for a
    GeoPackage, whose CRS is ``gdf.crs``).
    """
    raw = np.asarray(gdf.total_bounds, dtype=float)
    with np.errstate(all="ignore"):
        rd = np.asarray(gdf.to_crs(RD_NEW).total_bounds, dtype=float)
    if _within(rd, RD_BOUNDS):
        return
    degrees = {"x": (NL_LONLAT["x"][0] - 1, NL_LONLAT["x"][1] + 1), "y": (NL_LONLAT["y"][0] - 1, NL_LONLAT["y"][1] + 1)}
    stated = (f"crs {gdf.crs.to_string()}" if declared is None else f"crs {declared}" if declared
              else "geen crs-lid, dus WGS84")
    if gdf.crs.is_geographic and _within(raw, RD_BOUNDS):
        raise InputError(name, f"de coördinaten zijn meters in RD New (x {dutch_number(round(raw[0]))} .. "
                         f"{dutch_number(round(raw[2]))}), maar het bestand heeft {stated} (graden); "
                         + ("geef het crs-lid van RD New op: \"crs\": {\"type\": \"name\", \"properties\": "
                            "{\"name\": \"urn:ogc:def:crs:EPSG::28992\"}}" if declared is not None
                            else "zet het coördinatenstelsel van de laag op RD New (EPSG:28992)"))
    if not gdf.crs.is_geographic and _within(raw, degrees):
        raise InputError(name, f"het bestand zegt {gdf.crs.to_string()} (meters), maar de coördinaten zijn graden "
                         f"(WGS84: lengte {_deg(raw[0])} .. {_deg(raw[2])}, breedte {_deg(raw[1])} .. {_deg(raw[3])}); "
                         + ("verwijder het crs-lid of zet het op WGS84 (EPSG:4326)" if declared is not None
                            else "zet het coördinatenstelsel van de laag op WGS84 (EPSG:4326)"))
    if gdf.crs.is_geographic and _within(raw[[1, 0, 3, 2]], degrees):
        raise InputError(name, "lengte- en breedtegraad zijn verwisseld (de eerste coördinaat ligt tussen "
                         f"{_deg(raw[0])} en {_deg(raw[2])}: een breedtegraad); GeoJSON verwacht lengte, breedte")
    with np.errstate(all="ignore"):
        each = gdf.geometry.to_crs(RD_NEW).bounds.to_numpy()
    outside = [k for k, b in enumerate(each) if not _within(b, RD_BOUNDS)]
    i = outside[0] if outside else 0
    shown = (f"x {dutch_number(round(rd[0]))} .. {dutch_number(round(rd[2]))}, y {dutch_number(round(rd[1]))} .. "
             f"{dutch_number(round(rd[3]))}" if np.isfinite(rd).all() else "buiten het bereik van RD New")
    raise InputError(name, f"de gebieden liggen niet in Nederland (in RD New: {shown}; Nederland: x -7.000 .. "
                     f"300.000, y 289.000 .. 629.000); controleer het coördinatenstelsel (het bestand heeft {stated})",
                     row=i + 2, column=column)

def repair_polygons(gdf: gpd.GeoDataFrame, source: str | None = None) -> gpd.GeoDataFrame:
    """Repair invalid polygons (``make_valid``, keeping the polygonal part).

    The codes of the repaired features are listed in ``attrs["hersteld"]``.
    """
    invalid = ~gdf.geometry.is_valid
    gdf = gdf.copy()
    if invalid.any():
        gdf.loc[invalid, "geometry"] = shapely.make_valid(gdf.geometry[invalid].values)
        gdf.loc[invalid, "geometry"] = gdf.geometry[invalid].apply(_polygonal_part)
        collapsed = invalid & ~gdf.geometry.geom_type.isin(["Polygon", "MultiPolygon"])
        if collapsed.any():
            i = int(np.flatnonzero(collapsed.to_numpy())[0])
            raise InputError(source or "grenzen", f"de geometrie van {gdf['statcode'].iloc[i]} is ongeldig en "
                             "houdt na herstel geen oppervlak over", row=i + 2, column="geometry")
    gdf.attrs["hersteld"] = gdf.loc[invalid, "statcode"].tolist()
    return gdf


def _polygonal_part(geom):
    if geom.geom_type in ("Polygon", "MultiPolygon"):
        return geom
    polys = [g for g in getattr(geom, "geoms", []) if g.geom_type in ("Polygon", "MultiPolygon")]
    return shapely.union_all(polys) if polys else geom


# --- CBS wijk- en buurtkaart (GeoPackage) ------------------------------------------

#: CBS writes these (and other values <= -99999990) for "secret" or "unknown"
CBS_SENTINEL_LIMIT = -99_999_990
WBK_LAYERS = {"gemeenten": ("gemeentecode", "gemeentenaam", r"GM\d{4}"),
              "wijken": ("wijkcode", "wijknaam", r"WK\d{6}"),
              "buurten": ("buurtcode", "buurtnaam", r"BU\d{8}")}


def read_wijkbuurtkaart(path: Path, level: str) -> gpd.GeoDataFrame:
    """One level (``gemeenten``, ``wijken`` or ``buurten``) of a CBS wijk- en buurtkaart GeoPackage.

    CBS column names are kept and ``statcode``/``statnaam`` added; water-only
    features (``water == 'JA'``) are left out; CBS's negative sentinel values
    (-99999999, -99999997, ...) become missing.
    """
    path = Path(path)
    code_col, name_col, pattern = WBK_LAYERS[level]
    if not path.exists():
        raise InputError(path.name, f"het bestand ontbreekt (gezocht in {path.parent})")
    _check_geopackage(path)
    try:
        layers = [name for name, _ in pyogrio.list_layers(path)]
    except Exception as exc:  # noqa: BLE001 - GDAL raises many kinds
        raise InputError(path.name, f"kan de GeoPackage niet lezen; is het bestand beschadigd? ({exc})") from None
    layer = next((l for l in layers if l.lower() == level or l.lower().endswith("_" + level)), None)
    if layer is None:
        raise InputError(path.name, f"laag '{level}' ontbreekt; gevonden: {', '.join(layers)}")
    try:
        gdf = gpd.read_file(path, layer=layer)
    except Exception as exc:  # noqa: BLE001
        raise InputError(f"{path.name} (laag {layer})", f"kan de laag niet lezen; is het bestand beschadigd? "
                         f"({exc})") from None
    if gdf.empty:
        raise InputError(f"{path.name} (laag {layer})", "de laag bevat geen gebieden")
    cols = {c.lower(): c for c in gdf.columns}
    for needed in (code_col, name_col):
        if needed not in cols:
            raise InputError(f"{path.name} (laag {layer})", f"kolom '{needed}' ontbreekt", row=1, column=needed)
    gdf = gdf.rename(columns={cols[code_col]: code_col, cols[name_col]: name_col})
    if "water" in cols:
        gdf = gdf[gdf[cols["water"]].astype(str).str.upper() != "JA"]
    for c in gdf.columns:
        if c != "geometry" and pd.api.types.is_numeric_dtype(gdf[c]):
            gdf[c] = gdf[c].where(gdf[c] > CBS_SENTINEL_LIMIT)
    gdf["statcode"] = gdf[code_col].astype(str).str.strip()
    gdf["statnaam"] = gdf[name_col].astype(str).str.strip()
    name = f"{path.name} (laag {layer})"
    rows = gdf.index.to_numpy() + 2  # the feature's place in the layer, water features counted
    bad = ~gdf["statcode"].str.fullmatch(pattern)
    if bad.any():
        i = int(np.flatnonzero(bad.to_numpy())[0])
        raise InputError(name, f"'{gdf['statcode'].iloc[i]}' is geen geldige code", row=int(rows[i]), column=code_col)
    pair = first_duplicate(gdf, ["statcode"])
    if pair is not None:
        i, j = pair
        raise InputError(name, f"'{gdf['statcode'].iloc[j]}' komt dubbel voor: op regel {int(rows[i])} en op regel "
                         f"{int(rows[j])}; elke waarde mag maar één keer voorkomen", row=int(rows[j]), column=code_col)
    _check_areas(name, gdf, "geom", rows)
    if gdf.crs is None:
        raise InputError(name, "het coördinatenstelsel ontbreekt")
    _check_in_netherlands(name, gdf, None, "geom")
    gdf = repair_polygons(gdf.to_crs(RD_NEW).reset_index(drop=True), name)
    return gdf


def _find_wijkbuurtkaart(folder: Path) -> Path | None:
    found = sorted(folder.glob("wijkenbuurten*.gpkg")) + sorted(folder.glob("wijkbuurtkaart*.gpkg"))
    return found[0] if found else None


# --- population (CBS extracts) -------------------------------------------------------

def read_population(path: Path, settings: Settings | None = None) -> tuple[pd.DataFrame, list[str]]:
    """Population by 5-year band per gemeente and wijk, as CBS extracts give it.

    Rows for other areas (Nederland ``NL01``, provinces ``PV..``, ...) are
    skipped and counted; extra breakdowns (such as ``herkomst``) are summed.
    A key (``peildatum``, ``regiocode``, ``leeftijd_van`` and the breakdown
    columns) that repeats is refused, naming both rows, as is an area with
    more inhabitants in one year than ``max_inhabitants``.
    """
    settings = settings or Settings()
    name = Path(path).name
    header = _header(path)
    if "leeftijd_van" not in header:  # totals per gemeente only
        count = dict(minimum=0, limit="max_inhabitants")
        if "inwoners" in header:
            contract = TOTALS_CONTRACT[:2] + (Column("inwoners", "int", **count),)
        else:
            contract = TOTALS_CONTRACT[:2] + (Column("mannen", "int", **count), Column("vrouwen", "int", **count))
        df = read_table(path, contract, settings, extra_columns=True)
        if "inwoners" in df:
            df["mannen"], df["vrouwen"] = df["inwoners"], 0
        _check_population(name, df, [c.name for c in contract], ["peildatum", "regiocode"], settings)
        df = df.groupby(["peildatum", "regiocode"], as_index=False)[["mannen", "vrouwen"]].sum()
        return (df[["peildatum", "regiocode", "mannen", "vrouwen"]],
                [f"{name}: alleen totalen per gemeente; leeftijdsverdeling afgeleid met cohortvergrijzing"])
    contract = tuple(
        dataclasses.replace(c, pattern=r"[A-Z]{2}\d{2,8}", expected="een CBS-regiocode")
        if c.name == "regiocode" else c for c in CONTRACTS["bevolking"])
    df = read_table(path, contract, settings, extra_columns=True)
    keep = df["regiocode"].str.fullmatch(r"GM\d{4}|WK\d{6}").to_numpy()
    notes = []
    if (~keep).any():
        kinds = sorted(df.loc[~keep, "regiocode"].str[:2].unique())
        notes.append(f"{name}: {int((~keep).sum())} regel(s) voor andere gebieden "
                     f"({', '.join(kinds)}) overgeslagen")
    rows = source_rows(df)[keep]
    df = df[keep].reset_index(drop=True)
    df.attrs["regels"] = RowNumbers(rows)
    _check_population(name, df, [c.name for c in contract], ["peildatum", "regiocode", "leeftijd_van"], settings)
    # the band 95-100 means 95 and over: any upper limit of 100 or more is the same band
    df["leeftijd_tot"] = df["leeftijd_van"] + 5
    df = (df.groupby(["peildatum", "regiocode", "leeftijd_van", "leeftijd_tot"], as_index=False)
          [["mannen", "vrouwen"]].sum())
    return df, notes


def _check_population(name: str, df: pd.DataFrame, contract_columns: list[str], key: list[str],
                      settings: Settings) -> None:
    """Dates that exist, consistent bands, a unique key per breakdown, plausible totals per area and year."""
    rows = source_rows(df)
    dates = pd.to_datetime(df["peildatum"], format="%Y-%m-%d", errors="coerce")
    bad = dates.isna() | ~dates.dt.year.between(*YEAR_RANGE)
    if bad.any():
        i = int(np.flatnonzero(bad.to_numpy())[0])
        raise InputError(name, f"'{df['peildatum'].iloc[i]}' is geen bestaande datum tussen {YEAR_RANGE[0]} en "
                         f"{YEAR_RANGE[1]}", row=int(rows[i]), column="peildatum")
    if "leeftijd_tot" in df:
        van, tot = df["leeftijd_van"], df["leeftijd_tot"]
        bad = (tot != van + 5) & ~((van == AGE_BANDS[-1]) & (tot >= van + 5))
        if bad.any():
            i = int(np.flatnonzero(bad.to_numpy())[0])
            raise InputError(name, f"leeftijdsklasse {van.iloc[i]}-{tot.iloc[i]} is geen 5-jaarsklasse; verwacht "
                             f"leeftijd_tot {van.iloc[i] + 5}", row=int(rows[i]), column="leeftijd_tot")
    breakdowns = [c for c in df.columns if c not in contract_columns and c not in ("mannen", "vrouwen")]
    refuse_duplicates(name, df, key + breakdowns, rows)
    limit = settings.max_inhabitants
    total = df["mannen"].astype(np.int64) + df["vrouwen"].astype(np.int64)  # each <= limit: no overflow
    running = total.groupby([df["peildatum"], df["regiocode"]]).cumsum()
    i = first_over(running, limit)
    if i is not None:
        column = "mannen" if df["mannen"].iloc[i] >= df["vrouwen"].iloc[i] else "vrouwen"
        raise InputError(name, f"{df['regiocode'].iloc[i]} heeft op {df['peildatum'].iloc[i]} samen meer dan "
                         f"{dutch_number(limit)} inwoners (tot en met deze regel {dutch_number(running.iloc[i])}), "
                         f"de grens 'max_inhabitants' in {SETTINGS_FILE}", row=int(rows[i]), column=column)

def _header(path: Path) -> list[str]:
    """Lower-case column names of a CSV or Excel table (empty when unreadable: read_table reports that)."""
    path = Path(path)
    try:
        if path.suffix.lower() in (".xlsx", ".xlsm"):
            return [str(c).strip().lower() for c in pd.read_excel(path, nrows=0).columns]
        text = _read_text(path)
        first = text.splitlines()[0] if text else ""
        return [c.strip().strip('"').lower() for c in first.split(_sniff_delimiter(text))]
    except (OSError, InputError, ValueError):
        return []


def read_survival(path: Path) -> pd.DataFrame:
    """A replacement life table: one-year survival per 5-year band (``leeftijd_van``, ``overlevingskans``)."""
    df = read_table(path, CONTRACTS["overlevingskansen"])
    refuse_duplicates(Path(path).name, df, ["leeftijd_van"])
    missing = sorted(set(AGE_BANDS) - set(df["leeftijd_van"]))
    if missing:
        raise InputError(Path(path).name, "elke leeftijdsklasse 0, 5, ..., 95 moet precies een keer voorkomen"
                         f" (ontbreekt: {', '.join(map(str, missing))})", column="leeftijd_van")
    return df

# --- SES-WOA StatLine export -------------------------------------------------------

SES_CODE_COLUMN = "Regiocode (gemeente, wijk, buurt) (code)"


#: plausible range of an SES-WOA total score (CBS: a standardised score, in practice about -1.5 .. 1)
SES_SCORE_RANGE = (-3.0, 3.0)


def read_ses_statline(path: Path, settings: Settings | None = None) -> pd.DataFrame:
    """Read an SES-WOA export of CBS StatLine (BOM, ``;``, quoted, padded, ``.`` = suppressed).

    Returns
    -------
    pandas.DataFrame
        Columns ``regiocode``, ``naam``, ``huishoudens``, ``ses_woa`` (NaN where suppressed).
    """
    path = Path(path)
    settings = settings or Settings()
    if not path.exists():
        raise InputError(path.name, f"het bestand ontbreekt (gezocht in {path.parent})")
    text = _read_text(path)
    reader = csv.reader(_io.StringIO(text), delimiter=";", quotechar='"')
    header = [h.strip() for h in next(reader, [])]

    def find(pred, what: str) -> int:
        for k, h in enumerate(header):
            if pred(h):
                return k
        raise InputError(path.name, f"kolom met {what} ontbreekt", row=1, column=what)

    i_code = find(lambda h: h.startswith("Regiocode") or h.lower() == "regiocode", "de regiocode")
    i_name = find(lambda h: h in ("Wijken en buurten", "Regio's", "naam"), "'Wijken en buurten'")
    i_score = find(lambda h: h.startswith("SES-WOA/Totaalscore") or h.lower() == "ses_woa",
                   "'SES-WOA/Totaalscore/Gemiddelde score'")
    i_hh = next((k for k, h in enumerate(header) if h.startswith("Particuliere huishoudens")), None)
    records = [(reader.line_num, row) for row in reader if row and any(c.strip() for c in row)]
    if not records:
        raise InputError(path.name, "het bestand bevat alleen de kopregel en geen gegevens")
    recs, lines = [], []
    for k, (r, row) in enumerate(records):
        if len(row) != len(header):
            cut = len(row) < len(header) and k == len(records) - 1
            raise InputError(path.name, f"de laatste regel heeft {len(row)} van de {len(header)} velden: het "
                             "bestand is afgebroken; lever het volledige bestand aan" if cut
                             else f"{len(row)} velden, verwacht {len(header)}", row=r)
        code = row[i_code].strip()
        if not re.fullmatch(r"(GM\d{4}|WK\d{6}|BU\d{8})", code):
            raise InputError(path.name, f"'{code}' is geen gemeente-, wijk- of buurtcode",
                             row=r, column=header[i_code])
        score = _statline_number(path, row[i_score], r, header[i_score], SES_SCORE_RANGE, None)
        hh = (_statline_number(path, row[i_hh], r, header[i_hh], (0, settings.max_households), "max_households")
              if i_hh is not None else np.nan)
        if i_hh is not None and not np.isnan(hh) and not float(hh).is_integer():
            raise InputError(path.name, f"'{row[i_hh].strip()}' is geen geheel aantal huishoudens",
                             row=r, column=header[i_hh])
        recs.append((code, row[i_name].strip(), hh, score))
        lines.append(r)
    df = pd.DataFrame(recs, columns=["regiocode", "naam", "huishoudens", "ses_woa"])
    refuse_duplicates(path.name, df, ["regiocode"], np.asarray(lines))
    df.attrs["regels"] = RowNumbers(lines)
    return df


def _statline_number(path: Path, text: str, row: int, column: str, bounds: tuple[float, float],
                     limit: str | None) -> float:
    t = text.strip()
    if t == "-":  # CBS: nihil
        return 0.0
    if t in (".", "", "x"):  # CBS: unknown, secret or not applicable
        return np.nan
    if not re.fullmatch(FLOAT_TEXT, t):
        raise InputError(path.name, number_problem(t, "float"), row=row, column=column)
    value = float(t.replace(",", "."))
    low, high = bounds
    if not np.isfinite(value) or value < low or value > high:
        where = (f", de grens '{limit}' in {SETTINGS_FILE}" if limit and value > high
                 else f"; verwacht een waarde van {dutch_number(low)} tot {dutch_number(high)}")
        side = "kleiner" if value < low else "groter"
        raise InputError(path.name, f"{t} is {side} dan {dutch_number(low if value < low else high)}{where}",
                         row=row, column=column)
    return value

# --- the whole input folder ---------------------------------------------------------------

def read_inputs(folder: Path, settings_path: Path | None = None) -> Inputs:
    """Read and validate every input of a build from one folder.

    Every check runs here, before the expensive stages (geocoding, OAD,
    tiling): the contracts and limits of each file, unique keys, and
    (:func:`geo.completeness.review`) whether the files describe the same
    region; rows left out and areas without rows end up in ``notes``. A build
    that would not fit in memory is refused before the large files are read.

    Parameters
    ----------
    folder
        The folder with the input files (see ``data/README.md``).
    settings_path
        A settings file; default ``instellingen.toml`` in the folder, if present.
    """
    from .completeness import review

    folder = Path(folder)
    if not folder.is_dir():
        raise InputError(str(folder), "de map met invoerbestanden bestaat niet")
    if settings_path is None and (folder / SETTINGS_FILE).exists():
        settings_path = folder / SETTINGS_FILE
    settings = load_settings(settings_path)
    files = {k: folder / v for k, v in FILES.items()}
    xlsx = {k: folder / (Path(v).stem + ".xlsx") for k, v in FILES.items() if v.endswith(".csv")}
    for k, alt in xlsx.items():
        if not files[k].exists() and alt.exists():
            files[k] = alt
    from .parquet import parquet_inputs  # adressen.parquet, pc6.parquet: refused next to their CSV/xlsx

    files |= parquet_inputs(folder, files)
    notes: list[str] = []
    wbk = _find_wijkbuurtkaart(folder)
    if not files["gemeenten"].exists() and wbk is not None:
        files["gemeenten"] = files["wijken"] = wbk
    budget = check_memory(files, settings)
    if files["gemeenten"] == wbk:
        gemeenten = read_wijkbuurtkaart(wbk, "gemeenten")
        wijken = read_wijkbuurtkaart(wbk, "wijken")
    else:
        gemeenten = read_boundaries(files["gemeenten"], r"GM\d{4}", "gemeentecode als GM0344")
        wijken = read_boundaries(files["wijken"], r"WK\d{6}", "wijkcode als WK034401")
    for key, gdf in (("gemeenten", gemeenten), ("wijken", wijken)):
        fixed = gdf.attrs.get("hersteld", [])
        if fixed:
            notes.append(f"{files[key].name}: {len(fixed)} ongeldige geometrie(ën) hersteld "
                         f"({', '.join(fixed[:10])}{' ...' if len(fixed) > 10 else ''})")
    addresses = read_table(files["adressen"], CONTRACTS["adressen"], settings)
    check_grid_memory(files["adressen"].name, addresses, settings, budget)
    pc6 = read_table(files["pc6"], CONTRACTS["pc6"], settings)
    refuse_duplicates(files["pc6"].name, pc6, ["postcode"])
    population, pop_notes = read_population(files["bevolking"], settings)
    projection, proj_notes = read_population(files["prognose"], settings)
    notes += pop_notes + proj_notes
    clients = _normalise_clients(files["clienten"], read_table(files["clienten"], CONTRACTS["clienten"], settings),
                                 settings)
    notes_on_codes = clients.attrs.pop("normalisatie", [])
    from .sectors import sectors_of

    declared = sectors_of(settings)
    locations = check_location_sectors(files["locaties"],
                                       read_table(files["locaties"], locations_contract(declared), settings), declared)
    notes += locations.attrs.pop("notes", [])
    refuse_duplicates(files["locaties"].name, locations, ["locatie_id"])
    ses = read_ses_statline(files["ses"], settings)
    for name, df in (("bevolking", population), ("prognose", projection)):
        df["jaar"] = df["peildatum"].str[:4].astype(int)
        df["inwoners"] = df["mannen"].astype(np.int64) + df["vrouwen"].astype(np.int64)
    survival = None
    if settings.life_table_file:
        files["overlevingskansen"] = folder / settings.life_table_file
        survival = read_survival(files["overlevingskansen"])
    _check_years(files["bevolking"], population, settings.observed_years)
    _check_years(files["clienten"], clients, settings.observed_years)
    if settings.target_year > projection["jaar"].max():
        raise InputError(files["prognose"].name,
                         f"de prognose loopt tot {projection['jaar'].max()}, "
                         f"het doeljaar is {settings.target_year}", column="peildatum")
    checked = review(gemeenten=gemeenten, wijken=wijken, population=population, projection=projection,
                     clients=clients, ses=ses, addresses=addresses, locations=locations, pc6=pc6,
                     years=settings.observed_years, files={k: Path(v).name for k, v in files.items()})
    notes += checked.notes
    internal_notes = notes_on_codes + list(checked.internal_notes)
    sessions = None
    if (folder / OPTIONAL_FILES["sessies"]).exists():
        files["sessies"] = folder / OPTIONAL_FILES["sessies"]
        sessions = read_sessions(files["sessies"], set(gemeenten["statcode"]), settings)
    files["woonzorgvarianten"] = (folder / OPTIONAL_FILES["woonzorgvarianten"]
                                  if (folder / OPTIONAL_FILES["woonzorgvarianten"]).exists() else DEFAULT_VARIANTS)
    variants = read_variants(files["woonzorgvarianten"], settings)
    for df in (addresses, pc6, locations, checked.population, checked.projection, checked.clients, checked.ses):
        df.attrs.pop("regels", None)  # the row numbers served the checks; downstream frames do not carry them
    return Inputs(folder=folder, settings=settings, gemeenten=gemeenten, wijken=wijken,
                  addresses=addresses, pc6=pc6, population=checked.population, projection=checked.projection,
                  clients=checked.clients, locations=locations, ses=checked.ses, survival=survival,
                  sessions=sessions, variants=variants, files={k: v for k, v in files.items()}
                  | ({"instellingen": Path(settings_path)} if settings_path else {}),
                  notes=notes, internal_notes=internal_notes)


# --- optional inputs: session progress, housing-with-care variants -----------------------------

def read_sessions(path: Path, gemeenten: set[str], settings: Settings | None = None) -> pd.DataFrame:
    """``sessies.csv``: one row per gemeente with its status in the programme (unique, of the region)."""
    df = read_table(path, CONTRACTS["sessies"], settings)
    refuse_duplicates(Path(path).name, df, ["gemeentecode"])
    for i, code in enumerate(df["gemeentecode"]):
        if code not in gemeenten:
            raise InputError(Path(path).name, f"gemeente {code} hoort niet bij de gemeenten van de regio",
                             row=i + 2, column="gemeentecode")
    for i, text in enumerate(df["datum"]):
        if text:
            try:
                pd.Timestamp(text)
            except ValueError:
                raise InputError(Path(path).name, f"'{text}' is geen bestaande datum", row=i + 2,
                                 column="datum") from None
    df.attrs.pop("regels", None)
    return df


def read_variants(path: Path, settings: Settings | None = None) -> pd.DataFrame:
    """``woonzorgvarianten.csv``: number, name, parties and, per group column, ``x`` where it suits.

    The group columns are group ids of the sector declaration (V&V: ``zzp4``, ``zzp5_7``,
    ``zzp6_8``, ...); at least one must be present. Returned with one boolean column per group.
    """
    from .sectors import sectors_of

    path = Path(path)
    known = [g for sec in sectors_of(settings or Settings()) for g in sec.group_ids]
    df = read_table(path, CONTRACTS["woonzorgvarianten"], settings)
    header = _header(path)
    groups = [g for g in known if g in header]
    if not groups:
        raise InputError(path.name, "geen kolom voor een groep van zorgprofielen; verwacht bijvoorbeeld "
                         + ", ".join(known), row=1)
    raw = pd.read_csv(path, sep=";", dtype=str, keep_default_na=False, encoding="utf-8-sig") \
        if path.suffix.lower() == ".csv" else pd.read_excel(path, dtype=str, keep_default_na=False)
    raw.columns = [str(c).strip().lower() for c in raw.columns]
    for g in groups:
        values = raw[g].str.strip().str.lower()
        bad = ~values.isin(["", "x", "ja", "1"])
        if bad.any():
            i = int(np.flatnonzero(bad.to_numpy())[0])
            raise InputError(path.name, f"'{raw[g].iloc[i]}' is geen x of leeg", row=i + 2, column=g)
        df[g] = values.isin(["x", "ja", "1"]).to_numpy()
    refuse_duplicates(path.name, df, ["nummer"])
    df.attrs.pop("regels", None)
    df.attrs["groepen"] = groups
    return df


# --- memory: refuse early what would not fit -----------------------------------------------

#: memory of the program and its libraries, in bytes (measured: about 120 MB after import, 250 MB building)
BASE_MEMORY = 250 * 2**20
#: bytes of memory per byte of an input file while it is read and used (measured on the demo: CSV about 9)
MEMORY_PER_BYTE = {".csv": 12, ".xlsx": 60, ".xlsm": 60, ".geojson": 25, ".json": 25, ".gpkg": 10,
                   # Parquet is compressed: the national adressen.parquet is 6.6 times smaller than its CSV
                   # for the same frame (peak while reading: 34 bytes per byte, geo/parquet.py)
                   ".parquet": 80}
#: bytes per cell of the OAD grid while it is computed in tiles (float32 result, one band of counts, one FFT
#: block; measured about 7 on the national grid, geo/urbanity.py)
GRID_BYTES_PER_CELL = 16
#: cell size of the OAD grid in metres (as :func:`geo.urbanity.address_density_raster`)
GRID_CELL_M = 25.0


def available_memory() -> int | None:
    """Bytes this process may still use: MemAvailable, or the container's (cgroup) limit if lower."""
    found = []
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemAvailable:"):
                found.append(int(line.split()[1]) * 1024)
    except (OSError, ValueError, IndexError):
        pass
    for limit, usage in (("/sys/fs/cgroup/memory.max", "/sys/fs/cgroup/memory.current"),
                         ("/sys/fs/cgroup/memory/memory.limit_in_bytes", "/sys/fs/cgroup/memory/memory.usage_in_bytes")):
        try:
            cap = Path(limit).read_text().strip()
            if cap != "max" and int(cap) < 2**60:
                found.append(int(cap) - int(Path(usage).read_text().strip()))
        except (OSError, ValueError):
            continue
    return min(found) if found else None


def _memory_budget(settings: Settings) -> tuple[int | None, str]:
    if settings.memory_limit_mb:
        return settings.memory_limit_mb * 2**20, f"de grens 'memory_limit_mb' in {SETTINGS_FILE}"
    return available_memory(), "beschikbaar op deze machine"


def _mb(n: float) -> str:
    return f"{dutch_number(round(n / 2**20))} MB"


def check_memory(files: dict[str, Path], settings: Settings) -> int:
    """Refuse, before reading them, inputs that would not fit in memory; returns the estimate in bytes.

    The estimate is :data:`BASE_MEMORY` plus each file's size times
    :data:`MEMORY_PER_BYTE` of its kind; it is compared with
    ``memory_limit_mb`` or, when that is 0, with :func:`available_memory`.
    """
    sizes = {p: p.stat().st_size for p in set(files.values()) if p.exists()}
    need = BASE_MEMORY + sum(size * MEMORY_PER_BYTE.get(p.suffix.lower(), 12) for p, size in sizes.items())
    have, source = _memory_budget(settings)
    if have is not None and need > have and sizes:
        biggest = max(sizes, key=lambda p: sizes[p] * MEMORY_PER_BYTE.get(p.suffix.lower(), 12))
        raise InputError(biggest.name, f"de invoer past niet in het geheugen: de build vraagt naar schatting "
                         f"{_mb(need)} (waarvan {_mb(sizes[biggest] * MEMORY_PER_BYTE.get(biggest.suffix.lower(), 12))}"
                         f" voor dit bestand van {_mb(sizes[biggest])}), {_mb(have)} is {source}; "
                         "maak de invoer kleiner (alleen de regio) of draai de build op een machine met meer geheugen")
    return need


def check_grid_memory(name: str, addresses: pd.DataFrame, settings: Settings, tables: int) -> None:
    """Refuse addresses whose extent makes the OAD grid too large for memory (before it is computed)."""
    from .urbanity import grid_shape

    _, _, width, height = grid_shape(addresses["x"], addresses["y"], settings.oad_radius_m, GRID_CELL_M)
    need = tables + width * height * GRID_BYTES_PER_CELL
    have, source = _memory_budget(settings)
    if have is not None and need > have:
        x, y = addresses["x"], addresses["y"]
        raise InputError(name, f"het raster van de omgevingsadressendichtheid wordt {dutch_number(width)} x "
                         f"{dutch_number(height)} cellen van {GRID_CELL_M:.0f} m (de adressen liggen van x "
                         f"{dutch_number(round(x.min()))} tot {dutch_number(round(x.max()))} en y "
                         f"{dutch_number(round(y.min()))} tot {dutch_number(round(y.max()))}) en vraagt met de "
                         f"invoer naar schatting {_mb(need)} geheugen; {_mb(have)} is {source}; liggen er "
                         "adressen ver buiten de regio?", column="x, y")

def _check_years(path: Path, df: pd.DataFrame, years: tuple[int, ...]) -> None:
    present = set(df["jaar"].unique())
    missing = [y for y in years if y not in present]
    if missing:
        raise InputError(path.name, f"geen gegevens voor waarnemingsjaar {', '.join(map(str, missing))}",
                         column="jaar" if "jaar" in df.columns else "peildatum")


_BAND = re.compile(r"^(\d{1,2})\s*(?:-|t/m|tot)\s*(\d{1,3})(?:\s*jaar)?$|^(\d{2})\s*(?:\+|jaar of ouder|en ouder)$")


def _normalise_clients(path: Path, df: pd.DataFrame, settings: Settings | None = None) -> pd.DataFrame:
    """Sector, age band, zorgprofiel and leveringsvorm to their codes; a key that repeats after that is refused.

    The ``sector`` column (optional: absent or empty means V&V) names a sector of the declaration
    (:mod:`geo.sectors`) by its code, id or an alias, and becomes its id; the age band must be one
    of that sector's bands and the zorgprofiel one of its profiles. Older spellings of a profile
    (``ZZP 4 VV``, ``3VG``) are read as the profile and counted in ``attrs["normalisatie"]`` (a
    Dutch report for the analyst); ``sector_aanbieder`` (optional) is the contract segment of the
    provider, a sector of the declaration too.
    """
    from .sectors import DEFAULT_SECTOR, sectors_of

    declared = sectors_of(settings or Settings())
    rows = source_rows(df)
    report: list[str] = []

    def fail_at(mask, column: str, msg) -> None:
        i = int(np.flatnonzero(np.asarray(mask))[0])
        raise InputError(path.name, msg(i), row=int(rows[i]), column=column)

    known = ", ".join(s.code for s in declared)
    sector_text = df["sector"] if "sector" in df else pd.Series("", index=df.index)
    ids = {t: (declared.by_code(t).id if declared.by_code(t) else None) for t in pd.unique(sector_text) if t}
    sector = sector_text.map(ids).where(sector_text != "", DEFAULT_SECTOR if DEFAULT_SECTOR in declared.ids
                                        else declared.ids[0])
    if sector.isna().any():
        fail_at(sector.isna(), "sector", lambda i: f"'{sector_text.iloc[i]}' is geen sector; verwacht {known}")
    df["sector"] = sector.to_numpy()
    if "sector_aanbieder" in df:
        seg_text = df["sector_aanbieder"]
        segs = {t: (declared.by_code(t).id if declared.by_code(t) else None) for t in pd.unique(seg_text) if t}
        seg = seg_text.map(segs).where(seg_text != "", "")
        if seg.isna().any():
            fail_at(seg.isna(), "sector_aanbieder",
                    lambda i: f"'{seg_text.iloc[i]}' is geen sector van een zorgaanbieder; verwacht {known} of leeg")
        df["sector_aanbieder"] = seg.to_numpy()
    else:
        df["sector_aanbieder"] = ""

    lowers = np.full(len(df), -1, dtype=np.int64)
    profiles = np.empty(len(df), dtype=object)
    sector_arr = df["sector"].to_numpy()
    for sid in pd.unique(sector_arr):
        sec = declared.get(sid)
        here = sector_arr == sid
        bands_text = df.loc[here, "leeftijdsklasse"]
        band_of = {}
        for text in pd.unique(bands_text):
            m = _BAND.match(text.strip().lower())
            lower = int(m.group(1) or m.group(3)) if m else None
            band_of[text] = lower if lower in sec.age_bands else -1
        lw = bands_text.map(band_of).to_numpy(np.int64)
        if (lw < 0).any():
            examples = " of ".join(sec.band_label(b) for b in (sec.age_bands[-2], sec.age_bands[-1]))
            bad_rows = np.zeros(len(df), bool)
            bad_rows[np.flatnonzero(here)[lw < 0]] = True
            fail_at(bad_rows, "leeftijdsklasse", lambda i: f"'{df['leeftijdsklasse'].iloc[i]}' is geen leeftijdsklasse "
                    f"van {sec.short}; verwacht bijvoorbeeld {examples} (klassen "
                    f"{', '.join(sec.band_label(b) for b in sec.age_bands)})")
        lowers[here] = lw
        prof_text = df.loc[here, "zorgprofiel"]
        prof_of = {t: sec.normalise_profile(t) for t in pd.unique(prof_text)}
        pr = prof_text.map(prof_of)
        if pr.isna().any():
            bad_rows = np.zeros(len(df), bool)
            bad_rows[np.flatnonzero(here)[pr.isna().to_numpy()]] = True

            def msg(i, sec=sec):
                text = df["zorgprofiel"].iloc[i]
                other = declared.sector_of_profile(text)
                where = (f"; dat is een zorgprofiel van {other.short}: klopt de kolom sector?" if other else "")
                return (f"'{text}' is geen zorgprofiel van {sec.short}; verwacht {sec.profiles[0]} .. "
                        f"{sec.profiles[-1]}{where}")
            fail_at(bad_rows, "zorgprofiel", msg)
        profiles[here] = pr.to_numpy()
        changed = {t: p for t, p in prof_of.items() if t != p}
        if changed:
            n = prof_text[prof_text.isin(list(changed))].value_counts()
            parts = [f"'{t}' -> {changed[t]} ({int(n[t])} regel(s))" for t in sorted(changed, key=lambda t: -n[t])]
            report.append(f"{path.name}: {int(n.sum())} regel(s) van {sec.short} met een andere schrijfwijze van het "
                          f"zorgprofiel gelezen als het zorgprofiel: " + ", ".join(parts[:12])
                          + (" ..." if len(parts) > 12 else ""))
    df["leeftijd_van"] = lowers
    raw = df[["leeftijdsklasse", "zorgprofiel"]].copy()
    df["zorgprofiel"] = profiles
    lv_map = {v.lower(): v for v in LEVERINGSVORMEN}
    lv = df["leveringsvorm"].str.strip().str.lower().map(lv_map)
    if lv.isna().any():
        i = int(np.flatnonzero(lv.isna().to_numpy())[0])
        raise InputError(path.name, f"'{df['leveringsvorm'].iloc[i]}' is geen leveringsvorm; "
                         "verwacht intramuraal, VPT, MPT of PGB", row=int(rows[i]), column="leveringsvorm")
    df["leveringsvorm"] = lv
    key = ["jaar", "gemeentecode", "sector", "leeftijd_van", "zorgprofiel", "leveringsvorm", "sector_aanbieder"]
    pair = first_duplicate(df, key)
    if pair is not None:
        i, j = pair
        r = df.iloc[j]
        shown = (f"jaar {r['jaar']}, gemeentecode {r['gemeentecode']}, leeftijdsklasse {raw['leeftijdsklasse'].iloc[j]}"
                 f"{'' if raw['leeftijdsklasse'].iloc[i] == raw['leeftijdsklasse'].iloc[j] else ' (= ' + raw['leeftijdsklasse'].iloc[i] + ')'}"
                 f", zorgprofiel {r['zorgprofiel']}, leveringsvorm {r['leveringsvorm']}")
        raise InputError(path.name, f"dezelfde combinatie ({shown}) staat op regel {int(rows[i])} en op regel "
                         f"{int(rows[j])}; tel de aantallen samen in één regel of verwijder de dubbele",
                         row=int(rows[j]), column="jaar, gemeentecode, leeftijdsklasse, zorgprofiel, leveringsvorm")
    df.attrs["regels"] = RowNumbers(rows)
    df.attrs["normalisatie"] = report
    return df

# --- writing the demo region (deterministic bytes) -------------------------------------------------

def write_demo(region, folder: Path, settings: Settings | None = None) -> list[Path]:
    """Write a :class:`geo.demo.DemoRegion` as input files; the same region gives the same bytes."""
    big = _write_csv
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    written = []

    def out(key: str) -> Path:
        p = folder / FILES[key]
        written.append(p)
        return p

    _write_geojson(region.gemeenten, out("gemeenten"), "gemeente")
    _write_geojson(region.wijken, out("wijken"), "wijk")
    big(region.addresses, out("adressen"))
    big(region.pc6, out("pc6"))
    big(region.population, out("bevolking"))
    big(region.projection, out("prognose"))
    big(region.clients, out("clienten"))
    _write_csv(region.locations, out("locaties"))
    _write_statline_ses(region.ses, out("ses"))
    if getattr(region, "sessions", None) is not None:
        p = folder / OPTIONAL_FILES["sessies"]
        _write_csv(region.sessions, p)
        written.append(p)
    s = settings or Settings()
    p = folder / SETTINGS_FILE
    p.write_text(settings_toml(s), encoding="utf-8")
    written.append(p)
    return written


def settings_toml(s: Settings) -> str:
    """The settings as a commented TOML file (Dutch comments, for analysts)."""
    def fmt(v):
        if isinstance(v, str):
            return json.dumps(v, ensure_ascii=False)
        if isinstance(v, tuple):
            return "[" + ", ".join(fmt(x) for x in v) + "]"
        return repr(v)

    comments = {
        "region_name": "Naam van de zorgkantoorregio in titels",
        "observed_years": "Waargenomen jaren (bevolking en cliënten)",
        "target_year": "Doeljaar van het tekort",
        "oad_radius_m": "Straal van de omgevingsadressendichtheid in meter (CBS: 1000)",
        "stedelijkheid_limits": "CBS-grenzen stedelijkheid, adressen per km2 (klasse 1 t/m 4)",
        "growth_class_limits_pct": "Klassegrenzen groei toewijzingen, procent over de waargenomen jaren",
        "ses_group_limits": "Grenzen SES-WOA-score voor de vijf groepen",
        "privacy_min_count": "Aantallen cliënten kleiner dan dit worden nooit gepubliceerd, en zijn ook niet af te leiden",
        "privacy_min_range": "Minimale marge (hoogste min laagste mogelijke waarde) van een onderdrukt aantal; 0 = de drempel",
        "location_min_intramural": "Een locatie telt mee met minstens zoveel intramurale cliënten",
        "location_min_home": "... of met minstens zoveel VPT/MPT-cliënten",
        "forecast_target_years": "Doeljaren van de prognose (extra plaatsen per scenario)",
        "home_share_growth_factors": "Groei aandeel thuis in scenario 1-3, als deel van het historische tempo",
        "life_table_file": "Eigen overlevingstafel (CSV leeftijd_van;overlevingskans); leeg = ingebouwde tafel",
        "headline_demand_scenario": "Vraagscenario op de kaart: min, midden of max",
        "headline_leveringsvorm_scenario": "Leveringsvormscenario op de kaart: 1, 2, 3 of 4",
        "attribution": "Bronvermelding op kaarten en lagen",
        "max_inhabitants": "Grens: hoogstens zoveel inwoners per gemeente of wijk per jaar (en per regel); "
                           "een groter getal in de invoer wordt geweigerd",
        "max_households": "Grens: hoogstens zoveel huishoudens per gebied in ses_woa.csv",
        "max_clients_per_row": "Grens: hoogstens zoveel cliënten in één regel van wlz_clienten.csv",
        "max_places_per_location": "Grens: hoogstens zoveel plaatsen per kolom plaatsen_* van één zorglocatie",
        "max_clients_per_location": "Grens: hoogstens zoveel cliënten (intramuraal, VPT/MPT) per zorglocatie",
        "max_addresses_per_pc6": "Grens: hoogstens zoveel adressen in één PC6 (pc6.csv)",
        "memory_limit_mb": "Geheugen dat een build mag gebruiken, in MB; 0 = wat de machine beschikbaar heeft",
    }
    lines = ["# Instellingen voor een build van Wonen en Zorg 2040", ""]
    for key, text in comments.items():
        lines.append(f"# {text}")
        lines.append(f"{key} = {fmt(getattr(s, key))}")
    return "\n".join(lines) + "\n"


def _write_csv(df: pd.DataFrame, path: Path) -> None:
    """The bytes of ``df.to_csv(path, sep=";", index=False, lineterminator="\\n", float_format="%.1f")``,
    written a column at a time (``geo.csvout``)."""
    from .csvout import write_csv

    write_csv(df, path, sep=";", decimal=".", digits=1)


def _write_geojson(gdf: gpd.GeoDataFrame, path: Path, rubriek: str) -> None:
    """GeoJSON in RD New the way PDOK delivers it (with a named ``crs`` member)."""
    feats = []
    for k, row in enumerate(gdf.itertuples(index=False)):
        geom = shapely.geometry.mapping(row.geometry)
        feats.append({
            "type": "Feature", "id": k + 1,
            "properties": {"statcode": row.statcode, "statnaam": row.statnaam,
                           "jrstatcode": f"2023{row.statcode}", "rubriek": rubriek},
            "geometry": _round_coords(geom),
        })
    doc = {"type": "FeatureCollection",
           "crs": {"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::28992"}},
           "features": feats}
    path.write_text(json.dumps(doc, ensure_ascii=False, separators=(",", ":")) + "\n", encoding="utf-8")


def _round_coords(geom: dict) -> dict:
    def rnd(c):
        if isinstance(c[0], (int, float)):
            return [round(float(c[0]), 2), round(float(c[1]), 2)]
        return [rnd(x) for x in c]
    return {"type": geom["type"], "coordinates": rnd(geom["coordinates"])}


def _write_statline_ses(ses: pd.DataFrame, path: Path) -> None:
    """SES-WOA in the exact layout of a StatLine CSV export."""
    header = ["Perioden", "Wijken en buurten", SES_CODE_COLUMN, "Particuliere huishoudens (Aantal)",
              "SES-WOA/Totaalscore/Gemiddelde score (Getal)"]
    lines = [";".join(f'"{h}"' for h in header)]
    for r in ses.itertuples(index=False):
        score = "       ." if r.ses_woa is None or pd.isna(r.ses_woa) else f"{r.ses_woa:8.3f}"
        fields = [str(r.perioden), r.naam, f"{r.regiocode:<10}", f"{int(r.huishoudens):8d}", score]
        lines.append(";".join(f'"{f}"' for f in fields))
    path.write_bytes(("\ufeff" + "\r\n".join(lines) + "\r\n").encode("utf-8"))
