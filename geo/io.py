"""Every read and write of input files, with their contracts.

Each input is checked against its contract when read; the first violation
stops the run with an :class:`~geo.errors.InputError` that names the file, the
row and the column. Row numbers count the header as row 1, as a spreadsheet
does. The contracts are documented for users in ``data/README.md``.
"""

from __future__ import annotations

import csv
import io as _io
import json
import re
from dataclasses import dataclass, field
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import shapely

from .ages import AGE_BANDS
from .errors import InputError
from .settings import SETTINGS_FILE, Settings, load_settings

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

ZORGPROFIELEN = ("VV4", "VV5", "VV6", "VV7", "VV8", "VV9", "VV10")
LEVERINGSVORMEN = ("intramuraal", "VPT", "MPT", "PGB")
SECTORS = ("V&V", "GZ", "GGZ")


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
    files: dict[str, Path] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)


# --- table contracts ------------------------------------------------------------

@dataclass(frozen=True)
class Column:
    """One column of a table contract."""

    name: str
    kind: str = "str"  # str | int | float | code
    pattern: str | None = None
    allowed: tuple[str, ...] | None = None
    minimum: float | None = None
    required: bool = True
    expected: str = ""


def _pattern(regex: str, text: str) -> dict:
    return {"kind": "code", "pattern": regex, "expected": text}


GM_CODE = _pattern(r"GM\d{4}", "een gemeentecode als GM0344")
REGION_CODE = _pattern(r"(GM\d{4}|WK\d{6})", "een gemeente- of wijkcode als GM0344 of WK034401")

CONTRACTS: dict[str, tuple[Column, ...]] = {
    "adressen": (
        Column("postcode", expected="een postcode"),
        Column("huisnummer", "int", minimum=0),
        Column("x", "float"),
        Column("y", "float"),
    ),
    "pc6": (
        Column("postcode", **_pattern(r"\d{4}[A-Z]{2}", "een postcode als 3511AB")),
        Column("aantal_adressen", "int", minimum=0),
        Column("x", "float"),
        Column("y", "float"),
    ),
    "bevolking": (
        Column("peildatum", **_pattern(r"\d{4}-\d{2}-\d{2}", "een datum als 2023-01-01")),
        Column("regiocode", **REGION_CODE),
        Column("leeftijd_van", "int", allowed=tuple(str(b) for b in AGE_BANDS),
               expected="de ondergrens van een 5-jaarsklasse (0, 5, ..., 95)"),
        Column("leeftijd_tot", "int"),
        Column("mannen", "int", minimum=0),
        Column("vrouwen", "int", minimum=0),
    ),
    "clienten": (
        Column("jaar", "int", minimum=1990),
        Column("gemeentecode", **GM_CODE),
        Column("leeftijdsklasse", expected="een leeftijdsklasse als 80-84 of 95+"),
        Column("zorgprofiel", expected="een zorgprofiel VV4 .. VV10"),
        Column("leveringsvorm", expected="intramuraal, VPT, MPT of PGB"),
        Column("aantal_clienten", "int", minimum=0),
    ),
    "locaties": (
        Column("locatie_id"),
        Column("naam"),
        Column("zorgaanbieder", required=False),
        Column("postcode", required=False),
        Column("huisnummer", required=False),
        Column("plaats", required=False),
        Column("sector", allowed=SECTORS, expected="V&V, GZ of GGZ"),
        Column("plaatsen_zzp4", "int", minimum=0),
        Column("plaatsen_zzp5_7", "int", minimum=0),
        Column("plaatsen_zzp6_8", "int", minimum=0),
        Column("plaatsen_overig", "int", minimum=0),
        Column("clienten_intramuraal", "int", minimum=0),
        Column("clienten_vpt_mpt", "int", minimum=0),
    ),
}
CONTRACTS["prognose"] = CONTRACTS["bevolking"]
CONTRACTS["overlevingskansen"] = (
    Column("leeftijd_van", "int", allowed=tuple(str(b) for b in AGE_BANDS),
           expected="de ondergrens van een 5-jaarsklasse (0, 5, ..., 95)"),
    Column("overlevingskans", "float", minimum=0.0, expected="een kans tussen 0 en 1"),
)
#: a projection with totals per gemeente only (no age detail): the forecast ages cohorts forward
TOTALS_CONTRACT = (
    Column("peildatum", **_pattern(r"\d{4}-\d{2}-\d{2}", "een datum als 2030-01-01")),
    Column("regiocode", **GM_CODE),
)


def _read_text(path: Path) -> str:
    raw = path.read_bytes()
    for enc in ("utf-8-sig", "cp1252"):
        try:
            return raw.decode(enc)
        except UnicodeDecodeError:
            continue
    raise InputError(path.name, "het bestand is geen UTF-8 of Windows-1252 tekst")


def _sniff_delimiter(text: str) -> str:
    header = text.splitlines()[0] if text else ""
    return max((";", ",", "\t"), key=header.count)


def read_table(path: Path, contract: tuple[Column, ...]) -> pd.DataFrame:
    """Read a CSV (``;`` or ``,``; UTF-8 or Windows-1252; decimal comma or point)
    or an Excel sheet and check it against its contract.

    Parameters
    ----------
    path
        The file.
    contract
        The columns it must hold.

    Returns
    -------
    pandas.DataFrame
        One column per contract column, converted to its type.
    """
    path = Path(path)
    if not path.exists():
        raise InputError(path.name, f"het bestand ontbreekt (gezocht in {path.parent})")
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        try:
            df = pd.read_excel(path, dtype=str, keep_default_na=False)
        except Exception as exc:  # noqa: BLE001 - any unreadable workbook
            raise InputError(path.name, f"kan het Excel-bestand niet lezen ({exc})") from None
        decimal_comma = True
    else:
        text = _read_text(path)
        delim = _sniff_delimiter(text)
        try:
            df = pd.read_csv(_io.StringIO(text), sep=delim, dtype=str, keep_default_na=False,
                             quotechar='"', skipinitialspace=False, skip_blank_lines=False)
        except (pd.errors.ParserError, ValueError) as exc:
            raise InputError(path.name, f"kan het CSV-bestand niet lezen ({exc})") from None
        decimal_comma = delim != ","
    df.columns = [str(c).strip().lower() for c in df.columns]
    # blank lines are skipped, but row numbers keep counting them, as a spreadsheet does
    df = df[~(df.fillna("").astype(str).apply(lambda c: c.str.strip()) == "").all(axis=1)]
    missing = [c.name for c in contract if c.name not in df.columns and c.required]
    if missing:
        raise InputError(path.name, f"kolom(men) ontbreken: {', '.join(missing)}; "
                         f"gevonden: {', '.join(df.columns)}", row=1, column=missing[0])
    out = pd.DataFrame(index=df.index)
    for col in contract:
        if col.name not in df.columns:
            out[col.name] = ""
            continue
        values = df[col.name].astype(str).str.strip()
        out[col.name] = _convert(path, values, col, decimal_comma)
    return out.reset_index(drop=True)


def _convert(path: Path, values: pd.Series, col: Column, decimal_comma: bool) -> pd.Series:
    def fail(i: int, msg: str) -> None:
        raise InputError(path.name, msg, row=int(values.index[i]) + 2, column=col.name)

    empty = values == ""
    if col.required and empty.any():
        i = int(np.flatnonzero(empty.to_numpy())[0])
        fail(i, f"leeg; verwacht {col.expected or 'een waarde'}")
    if col.kind in ("int", "float"):
        text = values
        if decimal_comma:
            text = text.str.replace(".", "", regex=False) if col.kind == "int" else text
            text = text.str.replace(",", ".", regex=False)
        nums = pd.to_numeric(text.where(~empty, None), errors="coerce")
        bad = nums.isna() & ~empty
        if bad.any():
            i = int(np.flatnonzero(bad.to_numpy())[0])
            fail(i, f"'{values.iloc[i]}' is geen {'geheel ' if col.kind == 'int' else ''}getal")
        if col.kind == "int":
            frac = (nums % 1 != 0) & nums.notna()
            if frac.any():
                i = int(np.flatnonzero(frac.to_numpy())[0])
                fail(i, f"'{values.iloc[i]}' is geen geheel getal")
        if col.minimum is not None and (nums < col.minimum).any():
            i = int(np.flatnonzero((nums < col.minimum).to_numpy())[0])
            fail(i, f"{values.iloc[i]} is kleiner dan {col.minimum:g}")
        if col.allowed is not None:
            bad = ~nums.isin([float(a) for a in col.allowed]) & nums.notna()
            if bad.any():
                i = int(np.flatnonzero(bad.to_numpy())[0])
                fail(i, f"'{values.iloc[i]}' is niet toegestaan; verwacht {col.expected}")
        if col.kind == "int":
            return nums.astype("Int64") if empty.any() else nums.astype(np.int64)
        return nums.astype(float)
    if col.pattern is not None:
        bad = ~values.str.fullmatch(col.pattern) & ~empty
        if bad.any():
            i = int(np.flatnonzero(bad.to_numpy())[0])
            fail(i, f"'{values.iloc[i]}' is geen geldige waarde; verwacht {col.expected}")
    if col.allowed is not None:
        bad = ~values.isin(col.allowed) & ~empty
        if bad.any():
            i = int(np.flatnonzero(bad.to_numpy())[0])
            fail(i, f"'{values.iloc[i]}' is niet toegestaan; verwacht {col.expected}")
    return values


# --- boundaries ------------------------------------------------------------------

def read_boundaries(path: Path, code_pattern: str, expected: str) -> gpd.GeoDataFrame:
    """Read CBS boundaries (GeoJSON or GeoPackage with ``statcode``/``statnaam``).

    A file without a CRS is GeoJSON in WGS84 (RFC 7946); everything is
    returned in RD New. Invalid polygons are repaired.
    """
    path = Path(path)
    if not path.exists():
        raise InputError(path.name, f"het bestand ontbreekt (gezocht in {path.parent})")
    try:
        gdf = gpd.read_file(path)
    except Exception as exc:  # noqa: BLE001 - GDAL raises many kinds
        raise InputError(path.name, f"kan de geometrieën niet lezen ({exc})") from None
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
    dup = gdf["statcode"].duplicated()
    if dup.any():
        i = int(np.flatnonzero(dup.to_numpy())[0])
        raise InputError(path.name, f"code '{gdf['statcode'].iloc[i]}' komt dubbel voor",
                         row=i + 2, column="statcode")
    empty = gdf.geometry.isna() | gdf.geometry.is_empty
    if empty.any():
        i = int(np.flatnonzero(empty.to_numpy())[0])
        raise InputError(path.name, "geometrie ontbreekt", row=i + 2, column="geometry")
    if gdf.crs is None:
        gdf = gdf.set_crs("EPSG:4326")
    gdf = gdf.to_crs(RD_NEW)
    gdf = repair_polygons(gdf, path.name)
    out = gdf[["statcode", "statnaam", "geometry"]].reset_index(drop=True)
    out.attrs["hersteld"] = gdf.attrs.get("hersteld", [])
    return out


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
    layers = [name for name, _ in pyogrio.list_layers(path)]
    layer = next((l for l in layers if l.lower() == level or l.lower().endswith("_" + level)), None)
    if layer is None:
        raise InputError(path.name, f"laag '{level}' ontbreekt; gevonden: {', '.join(layers)}")
    gdf = gpd.read_file(path, layer=layer)
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
    bad = ~gdf["statcode"].str.fullmatch(pattern)
    if bad.any():
        i = int(np.flatnonzero(bad.to_numpy())[0])
        raise InputError(f"{path.name} (laag {layer})", f"'{gdf['statcode'].iloc[i]}' is geen geldige code",
                         row=i + 2, column=code_col)
    if gdf.crs is None:
        raise InputError(f"{path.name} (laag {layer})", "het coördinatenstelsel ontbreekt")
    gdf = repair_polygons(gdf.to_crs(RD_NEW).reset_index(drop=True), f"{path.name} (laag {layer})")
    return gdf


def _find_wijkbuurtkaart(folder: Path) -> Path | None:
    found = sorted(folder.glob("wijkenbuurten*.gpkg")) + sorted(folder.glob("wijkbuurtkaart*.gpkg"))
    return found[0] if found else None


# --- population (CBS extracts) -------------------------------------------------------

def read_population(path: Path) -> tuple[pd.DataFrame, list[str]]:
    """Population by 5-year band per gemeente and wijk, as CBS extracts give it.

    Rows for other areas (Nederland ``NL01``, provinces ``PV..``, ...) are
    skipped and counted; extra breakdowns (such as ``herkomst``) are summed.
    """
    header = _header(path)
    if "leeftijd_van" not in header:  # totals per gemeente only
        if "inwoners" in header:
            contract = TOTALS_CONTRACT[:2] + (Column("inwoners", "int", minimum=0),)
        else:
            contract = TOTALS_CONTRACT[:2] + (Column("mannen", "int", minimum=0), Column("vrouwen", "int", minimum=0))
        df = read_table(path, contract)
        if "inwoners" in df:
            df["mannen"], df["vrouwen"] = df["inwoners"], 0
        return (df[["peildatum", "regiocode", "mannen", "vrouwen"]],
                [f"{Path(path).name}: alleen totalen per gemeente; leeftijdsverdeling afgeleid met cohortvergrijzing"])
    contract = tuple(
        Column(c.name, c.kind, r"[A-Z]{2}\d{2,8}", c.allowed, c.minimum, c.required, "een CBS-regiocode")
        if c.name == "regiocode" else c for c in CONTRACTS["bevolking"])
    df = read_table(path, contract)
    keep = df["regiocode"].str.fullmatch(r"GM\d{4}|WK\d{6}")
    notes = []
    if (~keep).any():
        kinds = sorted(df.loc[~keep, "regiocode"].str[:2].unique())
        notes.append(f"{Path(path).name}: {int((~keep).sum())} regel(s) voor andere gebieden "
                     f"({', '.join(kinds)}) overgeslagen")
    df = df[keep]
    df = (df.groupby(["peildatum", "regiocode", "leeftijd_van", "leeftijd_tot"], as_index=False)
          [["mannen", "vrouwen"]].sum())
    return df, notes


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
    bad = df["overlevingskans"] > 1
    if bad.any():
        i = int(np.flatnonzero(bad.to_numpy())[0])
        raise InputError(Path(path).name, f"{df['overlevingskans'].iloc[i]} is groter dan 1",
                         row=i + 2, column="overlevingskans")
    missing = sorted(set(AGE_BANDS) - set(df["leeftijd_van"]))
    if missing or df["leeftijd_van"].duplicated().any():
        raise InputError(Path(path).name, "elke leeftijdsklasse 0, 5, ..., 95 moet precies een keer voorkomen"
                         + (f" (ontbreekt: {', '.join(map(str, missing))})" if missing else ""),
                         column="leeftijd_van")
    return df


# --- SES-WOA StatLine export -------------------------------------------------------

SES_CODE_COLUMN = "Regiocode (gemeente, wijk, buurt) (code)"


def read_ses_statline(path: Path) -> pd.DataFrame:
    """Read an SES-WOA export of CBS StatLine (BOM, ``;``, quoted, padded, ``.`` = suppressed).

    Returns
    -------
    pandas.DataFrame
        Columns ``regiocode``, ``naam``, ``huishoudens``, ``ses_woa`` (NaN where suppressed).
    """
    path = Path(path)
    if not path.exists():
        raise InputError(path.name, f"het bestand ontbreekt (gezocht in {path.parent})")
    text = _read_text(path)
    rows = list(csv.reader(_io.StringIO(text), delimiter=";", quotechar='"'))
    if not rows:
        raise InputError(path.name, "het bestand is leeg")
    header = [h.strip() for h in rows[0]]

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
    recs = []
    for r, row in enumerate(rows[1:], start=2):
        if not row or all(not c.strip() for c in row):
            continue
        if len(row) != len(header):
            raise InputError(path.name, f"{len(row)} velden, verwacht {len(header)}", row=r)
        code = row[i_code].strip()
        if not re.fullmatch(r"(GM\d{4}|WK\d{6}|BU\d{8})", code):
            raise InputError(path.name, f"'{code}' is geen gemeente-, wijk- of buurtcode",
                             row=r, column=header[i_code])
        score = _statline_number(path, row[i_score], r, header[i_score])
        hh = _statline_number(path, row[i_hh], r, header[i_hh]) if i_hh is not None else np.nan
        recs.append((code, row[i_name].strip(), hh, score))
    return pd.DataFrame(recs, columns=["regiocode", "naam", "huishoudens", "ses_woa"])


def _statline_number(path: Path, text: str, row: int, column: str) -> float:
    t = text.strip()
    if t == "-":  # CBS: nihil
        return 0.0
    if t in (".", "", "x"):  # CBS: unknown, secret or not applicable
        return np.nan
    try:
        return float(t.replace(",", "."))
    except ValueError:
        raise InputError(path.name, f"'{t}' is geen getal", row=row, column=column) from None


# --- the whole input folder ---------------------------------------------------------------

def read_inputs(folder: Path, settings_path: Path | None = None) -> Inputs:
    """Read and validate every input of a build from one folder.

    Parameters
    ----------
    folder
        The folder with the input files (see ``data/README.md``).
    settings_path
        A settings file; default ``instellingen.toml`` in the folder, if present.
    """
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
    notes: list[str] = []
    wbk = _find_wijkbuurtkaart(folder)
    if not files["gemeenten"].exists() and wbk is not None:
        files["gemeenten"] = files["wijken"] = wbk
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
    addresses = read_table(files["adressen"], CONTRACTS["adressen"])
    pc6 = read_table(files["pc6"], CONTRACTS["pc6"])
    population, pop_notes = read_population(files["bevolking"])
    projection, proj_notes = read_population(files["prognose"])
    notes += pop_notes + proj_notes
    clients = _normalise_clients(files["clienten"], read_table(files["clienten"], CONTRACTS["clienten"]))
    locations = read_table(files["locaties"], CONTRACTS["locaties"])
    ses = read_ses_statline(files["ses"])
    for name, df in (("bevolking", population), ("prognose", projection)):
        df["jaar"] = df["peildatum"].str[:4].astype(int)
        df["inwoners"] = df["mannen"].astype(int) + df["vrouwen"].astype(int)
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
    return Inputs(folder=folder, settings=settings, gemeenten=gemeenten, wijken=wijken,
                  addresses=addresses, pc6=pc6, population=population, projection=projection,
                  clients=clients, locations=locations, ses=ses, survival=survival,
                  files={k: v for k, v in files.items()}
                  | ({"instellingen": Path(settings_path)} if settings_path else {}),
                  notes=notes)


def _check_years(path: Path, df: pd.DataFrame, years: tuple[int, ...]) -> None:
    present = set(df["jaar"].unique())
    missing = [y for y in years if y not in present]
    if missing:
        raise InputError(path.name, f"geen gegevens voor waarnemingsjaar {', '.join(map(str, missing))}",
                         column="jaar" if "jaar" in df.columns else "peildatum")


_BAND = re.compile(r"^(\d{1,2})\s*(?:-|t/m|tot)\s*(\d{1,3})(?:\s*jaar)?$|^(\d{2})\s*(?:\+|jaar of ouder|en ouder)$")


def _normalise_clients(path: Path, df: pd.DataFrame) -> pd.DataFrame:
    lowers = []
    for i, text in enumerate(df["leeftijdsklasse"]):
        m = _BAND.match(text.strip().lower())
        lower = int(m.group(1) or m.group(3)) if m else None
        if lower is None or lower not in AGE_BANDS:
            raise InputError(path.name, f"'{text}' is geen 5-jaarsklasse; verwacht bijvoorbeeld 80-84 of 95+",
                             row=i + 2, column="leeftijdsklasse")
        lowers.append(lower)
    df["leeftijd_van"] = lowers
    profiles = []
    for i, text in enumerate(df["zorgprofiel"]):
        t = re.sub(r"\s+", "", text.upper())
        m = re.fullmatch(r"(?:VV|ZZP)(\d{1,2})(?:VV)?", t)
        code = f"VV{int(m.group(1))}" if m else None
        if code not in ZORGPROFIELEN:
            raise InputError(path.name, f"'{text}' is geen V&V-zorgprofiel; verwacht VV4 .. VV10",
                             row=i + 2, column="zorgprofiel")
        profiles.append(code)
    df["zorgprofiel"] = profiles
    lv_map = {v.lower(): v for v in LEVERINGSVORMEN}
    lv = df["leveringsvorm"].str.strip().str.lower().map(lv_map)
    if lv.isna().any():
        i = int(np.flatnonzero(lv.isna().to_numpy())[0])
        raise InputError(path.name, f"'{df['leveringsvorm'].iloc[i]}' is geen leveringsvorm; "
                         "verwacht intramuraal, VPT, MPT of PGB", row=i + 2, column="leveringsvorm")
    df["leveringsvorm"] = lv
    return df


# --- writing the demo region (deterministic bytes) -------------------------------------------------

def write_demo(region, folder: Path, settings: Settings | None = None) -> list[Path]:
    """Write a :class:`geo.demo.DemoRegion` as input files; the same region gives the same bytes."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    written = []

    def out(key: str) -> Path:
        p = folder / FILES[key]
        written.append(p)
        return p

    _write_geojson(region.gemeenten, out("gemeenten"), "gemeente")
    _write_geojson(region.wijken, out("wijken"), "wijk")
    _write_csv(region.addresses, out("adressen"))
    _write_csv(region.pc6, out("pc6"))
    _write_csv(region.population, out("bevolking"))
    _write_csv(region.projection, out("prognose"))
    _write_csv(region.clients, out("clienten"))
    _write_csv(region.locations, out("locaties"))
    _write_statline_ses(region.ses, out("ses"))
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
        "privacy_min_count": "Aantallen cliënten kleiner dan dit worden nooit gepubliceerd",
        "location_min_intramural": "Een locatie telt mee met minstens zoveel intramurale cliënten",
        "location_min_home": "... of met minstens zoveel VPT/MPT-cliënten",
        "forecast_target_years": "Doeljaren van de prognose (extra plaatsen per scenario)",
        "home_share_growth_factors": "Groei aandeel thuis in scenario 1-3, als deel van het historische tempo",
        "life_table_file": "Eigen overlevingstafel (CSV leeftijd_van;overlevingskans); leeg = ingebouwde tafel",
        "headline_demand_scenario": "Vraagscenario op de kaart: min, midden of max",
        "headline_leveringsvorm_scenario": "Leveringsvormscenario op de kaart: 1, 2, 3 of 4",
        "attribution": "Bronvermelding op kaarten en lagen",
    }
    lines = ["# Instellingen voor een build van Wonen en Zorg 2040", ""]
    for key, text in comments.items():
        lines.append(f"# {text}")
        lines.append(f"{key} = {fmt(getattr(s, key))}")
    return "\n".join(lines) + "\n"


def _write_csv(df: pd.DataFrame, path: Path) -> None:
    df.to_csv(path, sep=";", index=False, lineterminator="\n", float_format="%.1f")


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
