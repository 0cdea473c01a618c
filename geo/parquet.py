"""The large inputs (``adressen``, ``pc6``) as GeoParquet or plain Parquet.

A Parquet file gives exactly the table :func:`geo.io.read_table` gives for the
same data as CSV: the contract's columns with the same dtypes and values, and
the record number of each row in ``attrs["regels"]`` (the first record is
row 2, as in a spreadsheet with its header). It is checked against the same
contract, with Dutch messages naming the file, the row and the column.

The points come from either

* a GeoParquet (1.0 or 1.1) geometry column: the ``geo`` metadata of the file
  names it; WKB or the GeoArrow ``point`` encoding; points in RD New
  (EPSG:28992), or with an unknown (``null``) CRS, which is then taken to be
  RD New, as the coordinates of a CSV are; or
* plain ``x`` and ``y`` columns, as in the CSV contract.

Arrow data never reaches pandas as Arrow: numbers become numpy arrays (the
decoded Parquet buffers themselves where their type allows, writeable), text
becomes Python strings in pandas' Python string storage (see ``geo/__init__.py``).
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from .errors import InputError
from .settings import SETTINGS_FILE, Settings, load_settings
from .validate import RD_BOUNDS, RowNumbers, dutch_number, looks_like_degrees

#: the inputs that may be given as Parquet, and their file names
PARQUET_FILES = {"adressen": "adressen.parquet", "pc6": "pc6.parquet"}
MAGIC = b"PAR1"
#: the text dtype of the tables read (pandas' default ``str`` dtype, in Python storage)
TEXT_DTYPE = pd.StringDtype("python", na_value=np.nan)
RD_EPSG = 28992
#: the GeoParquet version this module writes
GEOPARQUET_VERSION = "1.1.0"


def _use_jemalloc() -> None:
    """Arrow's jemalloc pool in place of its default (mimalloc), unless ``ARROW_DEFAULT_MEMORY_POOL`` says.

    Measured reading the national adressen.parquet (8 million rows, 2 cores): mimalloc 1.25 .. 3.6 s
    (median 2.35 s, most of it system time returning and faulting in pages), jemalloc 1.08 .. 1.32 s,
    the same peak memory. Only this module uses Arrow.
    """
    import os

    if os.environ.get("ARROW_DEFAULT_MEMORY_POOL"):
        return
    try:
        pa.set_memory_pool(pa.jemalloc_memory_pool())
    except (NotImplementedError, pa.ArrowException):  # a pyarrow built without jemalloc
        pass


_use_jemalloc()


# --- which file is the input ---------------------------------------------------------------------

def parquet_inputs(folder: Path, files: dict[str, Path]) -> dict[str, Path]:
    """The Parquet files in ``folder`` that are inputs, by key (``adressen``, ``pc6``).

    A Parquet file next to a CSV or Excel file of the same input is refused:
    which of the two is current cannot be told, and a build on the stale one
    would look just as good.
    """
    folder = Path(folder)
    found = {}
    for key, name in PARQUET_FILES.items():
        p = folder / name
        if not p.exists():
            continue
        stem = Path(name).stem
        others = [q for q in dict.fromkeys([Path(files.get(key, folder / f"{stem}.csv")),
                                            folder / f"{stem}.csv", folder / f"{stem}.xlsx"])
                  if q.exists() and q != p]
        if others:
            raise InputError(name, f"de map heeft twee bestanden voor dezelfde invoer: {name} en {others[0].name}; "
                             "verwijder of hernoem er één, zodat vaststaat welke de build leest")
        found[key] = p
    return found


# --- reading ------------------------------------------------------------------------------------------

def read_parquet_table(path: Path, contract, settings: Settings | None = None, *,
                       extra_columns: bool = False) -> pd.DataFrame:
    """Read a (Geo)Parquet table and check it against its contract, as :func:`geo.io.read_table` does a CSV.

    Parameters
    ----------
    path
        The ``.parquet`` file.
    contract
        The columns it must hold (``geo.io.CONTRACTS``); ``x`` and ``y`` may come from a
        GeoParquet point geometry.
    settings
        Gives the plausibility limits named by the columns (default: the defaults).
    extra_columns
        Also return the file's other columns, as text (the geometry excepted).
    """
    from .io import _check_numbers  # geo.io imports this module only when it reads a Parquet file

    path = Path(path)
    name = path.name
    if not path.exists():
        raise InputError(name, f"het bestand ontbreekt (gezocht in {path.parent})")
    pf = _open(path)
    schema = pf.schema_arrow
    lower = _column_names(name, schema.names)
    geo = _geo_metadata(name, schema)
    geom_col = geo["primary_column"] if geo else None
    if geom_col is not None and geom_col not in schema.names:
        raise InputError(name, f"de GeoParquet-metadata noemt geometriekolom '{geom_col}', maar die ontbreekt; "
                         f"gevonden: {', '.join(schema.names)}", row=1, column=geom_col)
    names = [c.name for c in contract]
    from_geometry = geom_col is not None and "x" in names and "y" in names
    if not from_geometry and geom_col is None and not {"x", "y"} <= set(lower) and {"x", "y"} <= set(names):
        loose = next((c for c in ("geometry", "geom", "wkb_geometry") if c in lower), None)
        if loose is not None:
            raise InputError(name, f"kolom '{loose}' zonder GeoParquet-metadata ('geo' in de metadata van het "
                             "bestand): de punten zijn niet te lezen; schrijf het bestand als GeoParquet "
                             "(geopandas: gdf.to_parquet) of geef kolommen x en y (RD New, meters)",
                             row=1, column=loose)
    point_columns = {"x", "y"} if from_geometry else set()
    wanted = [c for c in contract if c.name not in point_columns]
    missing = [c.name for c in wanted if c.name not in lower and c.required]
    if missing:
        raise InputError(name, f"kolom(men) ontbreken: {', '.join(missing)}; gevonden: {', '.join(schema.names)}",
                         row=1, column=missing[0])
    read = [lower[c.name] for c in wanted if c.name in lower]
    if from_geometry:
        read.append(geom_col)
    if extra_columns:
        taken = {c.name for c in wanted} | point_columns
        read += [orig for low, orig in lower.items() if low not in taken and orig != geom_col]
    table = _read(path, pf, read)
    n = table.num_rows
    if n == 0:
        raise InputError(name, "het bestand bevat geen rijen (alleen het schema)")
    rows = np.arange(n, dtype=np.int64) + 2
    limits = settings or Settings()
    out: dict[str, object] = {}
    points = _points(name, table.column(geom_col), geo["columns"][geom_col], geom_col) if from_geometry else None
    if points is not None:  # the stated CRS first: coordinates in another CRS fail the RD ranges anyway
        _check_crs(name, geo["columns"][geom_col], geom_col, points)
    for col in contract:
        if points is not None and col.name in point_columns:
            values = points[col.name]
            label = geom_col
        elif col.name in lower:
            label = lower[col.name]
            values = table.column(label)
        else:  # an optional column left out: empty, as an empty CSV column
            out[col.name] = pd.arrays.StringArray(np.full(n, "", dtype=object), dtype=TEXT_DTYPE)
            continue
        if col.kind in ("int", "float"):
            out[col.name] = _numbers(name, values, col, label, rows, limits, _check_numbers,
                                     from_geometry=points is not None and col.name in point_columns)
        else:
            out[col.name] = _texts(name, values, col, label, rows)
    if extra_columns:
        for orig in read:
            low = orig.strip().lower()
            if low not in out and orig != geom_col:
                out[low] = _as_text(table.column(orig))
    df = pd.DataFrame(out, copy=False)
    df.attrs["regels"] = RowNumbers(rows)
    return df


def _open(path: Path) -> pq.ParquetFile:
    """The file's Parquet reader; refuses, naming the cause, an empty, non-Parquet, cut-off or damaged file."""
    from .io import _MAGIC

    size = path.stat().st_size
    if size == 0:
        raise InputError(path.name, "het bestand is leeg (0 bytes)")
    with open(path, "rb") as fh:
        head = fh.read(4096)
        fh.seek(max(size - 8, 0))
        tail = fh.read(8)
    if not head.startswith(MAGIC):
        for magic, what in _MAGIC:
            if head.startswith(magic):
                raise InputError(path.name, f"het bestand is geen Parquet-bestand maar {what}")
        text = b"\x00" not in head
        if text:
            try:
                head.decode("utf-8")
            except UnicodeDecodeError:
                text = len(head) == 4096  # a multi-byte character cut off at the end of the sample
        raise InputError(path.name, "het bestand is geen Parquet-bestand"
                         + (f": het is tekst (een CSV-bestand? noem het dan {path.stem}.csv)" if text else
                            " (het begint niet met 'PAR1')"))
    if tail[4:] == b"PARE":
        raise InputError(path.name, "het Parquet-bestand is versleuteld; lever het onversleuteld aan")
    if size < 12 or tail[4:] != MAGIC:
        raise InputError(path.name, f"het Parquet-bestand is afgebroken: het einde ontbreekt ({dutch_number(size)} "
                         "bytes, zonder de afsluitende metadata); lever het volledige bestand aan")
    footer = int.from_bytes(tail[:4], "little")
    if footer + 12 > size:
        raise InputError(path.name, f"het Parquet-bestand is afgebroken of beschadigd: de metadata beslaat "
                         f"{dutch_number(footer)} bytes, het bestand is {dutch_number(size)} bytes")
    try:
        return pq.ParquetFile(path)
    except (pa.ArrowException, OSError, ValueError) as exc:
        raise InputError(path.name, f"het Parquet-bestand is beschadigd; de metadata is onleesbaar ({exc})") from None


def _read(path: Path, pf: pq.ParquetFile, columns: list[str]) -> pa.Table:
    try:
        return pf.read(columns=columns, use_threads=True)
    except (pa.ArrowException, OSError, ValueError) as exc:
        raise InputError(path.name, f"het Parquet-bestand is beschadigd; de gegevens zijn onleesbaar ({exc})") from None


def _column_names(name: str, names: list[str]) -> dict[str, str]:
    """Lower-case, stripped column name -> the file's name; a name that repeats is refused."""
    lower: dict[str, str] = {}
    for k, orig in enumerate(names, start=1):
        low = str(orig).strip().lower()
        if low in lower:
            raise InputError(name, f"kolom '{low}' staat twee keer in het bestand (kolom {names.index(lower[low]) + 1} "
                             f"en {k})", row=1, column=low)
        lower[low] = orig
    return lower


def _geo_metadata(name: str, schema: pa.Schema) -> dict | None:
    """The GeoParquet ``geo`` metadata (None for a plain Parquet file)."""
    raw = (schema.metadata or {}).get(b"geo")
    if raw is None:
        return None
    try:
        geo = json.loads(raw)
    except (json.JSONDecodeError, UnicodeDecodeError):
        raise InputError(name, "de GeoParquet-metadata ('geo') is geen geldige JSON") from None
    if not isinstance(geo, dict) or not isinstance(geo.get("columns"), dict) or \
            geo.get("primary_column") not in geo["columns"]:
        raise InputError(name, "de GeoParquet-metadata ('geo') noemt geen geometriekolom (primary_column en "
                         "columns)")
    return geo


# --- columns to numpy ----------------------------------------------------------------------------------

def _first(mask: np.ndarray) -> int:
    return int(np.flatnonzero(mask)[0])


def _null_mask(values: pa.ChunkedArray) -> np.ndarray | None:
    if values.null_count == 0:
        return None
    return values.is_null().to_numpy(zero_copy_only=False)


def _empty_message(col) -> str:
    return f"leeg (null); verwacht {col.expected or 'een waarde'}"


def _texts(name: str, values: pa.ChunkedArray, col, label: str, rows: np.ndarray) -> pd.arrays.StringArray:
    """A text column as Python strings (stripped, as a CSV cell), checked: not empty, pattern, allowed."""
    def fail(i: int, msg: str) -> None:
        raise InputError(name, msg, row=int(rows[i]), column=label)

    typ = values.type
    if pa.types.is_dictionary(typ):
        typ = typ.value_type
    if not (pa.types.is_string(typ) or pa.types.is_large_string(typ) or pa.types.is_string_view(typ)
            or pa.types.is_null(typ)):
        i = _first_valid(values)
        fail(i, f"{_shown(values, i)} is geen tekst maar een waarde van het Parquet-type {typ}; "
                f"verwacht {col.expected or 'tekst'}: sla de kolom op als tekst (string)")
    uniques, codes = _dictionary(values)
    nulls = codes < 0
    if col.required and nulls.any():
        fail(_first(nulls), _empty_message(col))
    uniques = np.array([u.strip() for u in uniques], dtype=object)
    uniques = np.append(uniques, "")  # code -1 (null) -> "", as an empty CSV cell
    text = pd.Series(uniques[:-1], dtype=object)
    checks = [(text == "", lambda u: f"leeg; verwacht {col.expected or 'een waarde'}") if col.required else None]
    if col.pattern is not None:
        checks.append((~text.str.fullmatch(col.pattern).astype(bool) & (text != ""),
                       lambda u: f"'{u}' is geen geldige waarde; verwacht {col.expected}"))
    if col.allowed is not None:
        checks.append((~text.isin(col.allowed) & (text != ""),
                       lambda u: f"'{u}' is niet toegestaan; verwacht {col.expected}"))
    for check in checks:
        if check is None:
            continue
        bad, msg = check
        bad = np.append(bad.to_numpy(dtype=bool), False)
        if bad.any():
            i = _first(bad[codes])
            fail(i, msg(uniques[codes[i]]))
    return pd.arrays.StringArray(uniques[codes], dtype=TEXT_DTYPE)


def _dictionary(values: pa.ChunkedArray) -> tuple[np.ndarray, np.ndarray]:
    """The distinct strings (Python objects) and each row's code into them (-1 where null).

    Dictionary-encoding first makes one Python string per distinct value, not per row: 8
    million addresses have some 460,000 postcodes.
    """
    if pa.types.is_null(values.type):
        return np.empty(0, dtype=object), np.full(len(values), -1, dtype=np.int64)
    if not pa.types.is_dictionary(values.type):
        if pa.types.is_string_view(values.type):
            values = values.cast(pa.large_string())
        values = pc.dictionary_encode(values)
    values = values.unify_dictionaries() if values.num_chunks > 1 else values
    if values.num_chunks == 0:
        return np.empty(0, dtype=object), np.empty(0, dtype=np.int64)
    dictionary = values.chunk(0).dictionary
    if not (pa.types.is_string(dictionary.type) or pa.types.is_large_string(dictionary.type)):
        dictionary = dictionary.cast(pa.large_string())
    uniques = dictionary.to_numpy(zero_copy_only=False)
    codes = pa.chunked_array([c.indices for c in values.chunks]).cast(pa.int64()).fill_null(-1)
    return uniques, codes.to_numpy()


def _as_text(values: pa.ChunkedArray) -> pd.arrays.StringArray:
    """Any column as text, nulls as empty (an extra column of the table, as a CSV gives it)."""
    if not (pa.types.is_string(values.type) or pa.types.is_large_string(values.type)):
        values = values.cast(pa.large_string())
    uniques, codes = _dictionary(values)
    uniques = np.append(np.array([u.strip() for u in uniques], dtype=object), "")
    return pd.arrays.StringArray(uniques[codes], dtype=TEXT_DTYPE)


def _first_valid(values: pa.ChunkedArray) -> int:
    nulls = _null_mask(values)
    return 0 if nulls is None or nulls.all() else _first(~nulls)


def _shown(values: pa.ChunkedArray, i: int) -> str:
    v = values[i].as_py()
    return f"'{v}'" if isinstance(v, str) else str(v)


def _number_text(v) -> str:
    """A number for a message, as Dutch readers write it (``-7.500``, ``52,1``)."""
    v = float(v)
    if np.isfinite(v) and v.is_integer() and abs(v) < 1e15:
        return dutch_number(v)
    return repr(v).replace(".", ",")


def _numpy(values: pa.ChunkedArray) -> np.ndarray:
    """The values of a numeric column without nulls as numpy: the decoded buffer itself when possible."""
    if values.num_chunks == 1:
        chunk = values.chunk(0)
        dtype = np.dtype(chunk.type.to_pandas_dtype())
        buf = chunk.buffers()[1]
        if chunk.null_count == 0 and buf is not None and buf.is_mutable and dtype.kind in "iuf":
            # zero-copy and writeable: the buffer is the reader's own (not a memory map); pandas may
            # write into a column it owns (``df.loc[...] = ...``)
            return np.frombuffer(buf, dtype=dtype, count=chunk.offset + len(chunk))[chunk.offset:]
    return values.to_numpy()


def _numbers(name: str, values, col, label: str, rows: np.ndarray, settings: Settings, check_numbers,
             from_geometry: bool = False) -> np.ndarray | pd.arrays.IntegerArray:
    """A numeric column as the CSV reader gives it (int64, Int64 with empties, float64), checked."""
    def fail(i: int, msg: str) -> None:
        raise InputError(name, (f"{col.name} = " if from_geometry else "") + msg, row=int(rows[i]), column=label)

    wanted = "een geheel getal" if col.kind == "int" else "een getal"
    nulls = None
    if isinstance(values, np.ndarray):  # coordinates of the points
        arr = values
    else:
        typ = values.type
        if pa.types.is_dictionary(typ):
            values, typ = values.cast(typ.value_type), typ.value_type
        if pa.types.is_null(typ):
            if col.required:
                fail(0, _empty_message(col))
            return _all_empty(len(values), col)
        if pa.types.is_decimal(typ):
            values, typ = values.cast(pa.float64()), pa.float64()
        if not (pa.types.is_integer(typ) or pa.types.is_floating(typ)):
            i = _first_valid(values)
            kind = ("tekst" if pa.types.is_string(typ) or pa.types.is_large_string(typ) or
                    pa.types.is_string_view(typ) else f"een waarde van het Parquet-type {typ}")
            fail(i, f"{_shown(values, i)} is {kind}; verwacht {wanted}{_hint(col)}: sla de kolom op als getal "
                    f"({'int64' if col.kind == 'int' else 'double'})")
        nulls = _null_mask(values)
        if nulls is not None:
            if col.required:
                fail(_first(nulls), _empty_message(col))
            values = values.fill_null(0)
        if pa.types.is_floating(typ) and typ != pa.float64():
            values = values.cast(pa.float64())
        arr = _numpy(values)
    if arr.dtype.kind == "f":
        bad = ~np.isfinite(arr)
        if nulls is not None:
            bad &= ~nulls
        if bad.any():
            i = _first(bad)
            what = "NaN: ontbrekend" if np.isnan(arr[i]) else "oneindig"
            fail(i, f"'{arr[i]}' is geen getal ({what}); verwacht {wanted}")
    nums = pd.Series(arr, copy=False)
    if nulls is not None:
        nums = nums.astype(float).where(~nulls)
    check_numbers(nums, col, settings, fail, lambda i: _number_text(arr[i]))
    if col.kind == "int":
        ints = arr.astype(np.int64, copy=False)
        if nulls is not None:
            return pd.arrays.IntegerArray(ints.copy(), nulls.copy())
        return ints
    return arr if arr.dtype == np.float64 else arr.astype(np.float64)


def _all_empty(n: int, col):
    if col.kind == "int":
        return pd.arrays.IntegerArray(np.zeros(n, dtype=np.int64), np.ones(n, dtype=bool))
    return np.full(n, np.nan)


def _hint(col) -> str:
    return f" ({col.expected})" if col.expected else ""


# --- geometry --------------------------------------------------------------------------------------------

_GEOM_NAMES = {0: "lege geometrie", 1: "LineString", 2: "LinearRing", 3: "Polygon", 4: "MultiPoint",
               5: "MultiLineString", 6: "MultiPolygon", 7: "GeometryCollection"}


def _points(name: str, column: pa.ChunkedArray, meta: dict, label: str) -> dict[str, np.ndarray]:
    """x and y of a GeoParquet point column (WKB or GeoArrow ``point``); anything but a point is refused."""
    encoding = str(meta.get("encoding", "WKB"))
    if column.null_count:
        i = _first(column.is_null().to_numpy(zero_copy_only=False))
        raise InputError(name, "de geometrie ontbreekt (null); verwacht een punt", row=i + 2, column=label)
    typ = column.type
    if isinstance(typ, pa.ExtensionType):
        column, typ = pa.chunked_array([c.storage for c in column.chunks], typ.storage_type), typ.storage_type
    if encoding.lower() == "point" and pa.types.is_struct(typ):
        x = pc.struct_field(column, "x").to_numpy().astype(np.float64)
        y = pc.struct_field(column, "y").to_numpy().astype(np.float64)
    elif encoding.upper() == "WKB" and (pa.types.is_binary(typ) or pa.types.is_large_binary(typ)):
        x, y = _wkb_points(name, column, label)
    elif encoding.lower() in ("linestring", "polygon", "multipoint", "multilinestring", "multipolygon"):
        raise InputError(name, f"de geometrieën zijn van het type {encoding} (GeoArrow-codering), geen punten; "
                         "verwacht een punt per rij", row=2, column=label)
    else:
        raise InputError(name, f"de geometriecodering '{encoding}' met Parquet-type {typ} wordt niet ondersteund; "
                         "verwacht WKB (of GeoArrow 'point')", row=1, column=label)
    empty = np.isnan(x) | np.isnan(y)
    if empty.any():
        i = _first(empty)
        raise InputError(name, "de geometrie is een leeg punt (POINT EMPTY); verwacht een punt met coördinaten",
                         row=i + 2, column=label)
    return {"x": x, "y": y}


def _wkb_points(name: str, column: pa.ChunkedArray, label: str) -> tuple[np.ndarray, np.ndarray]:
    """Coordinates of WKB points: read from the bytes when every row is a 2D point (21 bytes), else by shapely."""
    x = np.empty(len(column), dtype=np.float64)
    y = np.empty(len(column), dtype=np.float64)
    start = 0
    for chunk in column.chunks:
        n = len(chunk)
        if n == 0:
            continue
        off_type = np.int64 if pa.types.is_large_binary(chunk.type) else np.int32
        offsets = np.frombuffer(chunk.buffers()[1], dtype=off_type, count=chunk.offset + n + 1)[chunk.offset:]
        data = np.frombuffer(chunk.buffers()[2], dtype=np.uint8) if chunk.buffers()[2] is not None else None
        coords = _wkb_2d_points(data, offsets, n) or _shapely_points(name, chunk, label, start)
        x[start:start + n], y[start:start + n] = coords
        start += n
    return x, y


def _wkb_2d_points(data: np.ndarray | None, offsets: np.ndarray, n: int) -> tuple[np.ndarray, np.ndarray] | None:
    """x and y when every value is a 2D WKB point of one byte order (21 bytes each), else None.

    The fields are read through strided views of the bytes (unaligned, no copy) and only x and
    y are copied out: the plain WKB of a point is a byte-order byte, the type (uint32 1) and the
    two doubles.
    """
    if data is None or not bool((np.diff(offsets) == 21).all()):
        return None
    base = int(offsets[0])

    def field(at: int, dtype: str) -> np.ndarray:
        return np.ndarray(shape=(n,), dtype=dtype, buffer=data, offset=base + at, strides=(21,))

    order = field(0, "u1")
    if (order == 1).all():
        end = "<"
    elif (order == 0).all():
        end = ">"
    else:
        return None
    if not (field(1, end + "u4") == 1).all():
        return None
    return field(5, end + "f8"), field(13, end + "f8")


def _shapely_points(name: str, chunk: pa.Array, label: str, start: int) -> tuple[np.ndarray, np.ndarray]:
    import shapely

    try:
        geoms = shapely.from_wkb(chunk.to_numpy(zero_copy_only=False))
    except shapely.errors.GEOSException as exc:
        bad = _first_bad_wkb(chunk)
        raise InputError(name, f"de geometrie is geen geldige WKB ({exc})", row=start + bad + 2,
                         column=label) from None
    kinds = shapely.get_type_id(geoms)
    not_point = kinds != 0
    if not_point.any():
        i = _first(not_point)
        raise InputError(name, f"de geometrie is een {_GEOM_NAMES.get(int(kinds[i]), 'onbekend type')}, geen punt; "
                         "verwacht een punt per rij (Point)", row=start + i + 2, column=label)
    empty = shapely.is_empty(geoms)
    if empty.any():
        i = _first(empty)
        raise InputError(name, "de geometrie is een leeg punt (POINT EMPTY); verwacht een punt met coördinaten",
                         row=start + i + 2, column=label)
    return shapely.get_x(geoms).astype(np.float64), shapely.get_y(geoms).astype(np.float64)


def _first_bad_wkb(chunk: pa.Array) -> int:
    import shapely

    for i, wkb in enumerate(chunk.to_pylist()):
        try:
            shapely.from_wkb(wkb)
        except shapely.errors.GEOSException:
            return i
    return 0


def _check_crs(name: str, meta: dict, label: str, points: dict[str, np.ndarray]) -> None:
    """The points' CRS must be RD New; a missing ``crs`` key means OGC:CRS84 (GeoParquet), ``null`` unknown."""
    import pyproj

    if "crs" in meta and meta["crs"] is None:
        return  # unknown: taken to be RD New, as the x and y of a CSV; the coordinate checks guard it
    stated = meta.get("crs", "OGC:CRS84")
    try:
        crs = pyproj.CRS.from_user_input(stated)
    except (pyproj.exceptions.CRSError, TypeError, ValueError):
        raise InputError(name, f"onbekend coördinatenstelsel in de GeoParquet-metadata "
                         f"({json.dumps(stated)[:120]}); verwacht RD New (EPSG:28992)", column=label) from None
    if crs.to_epsg() == RD_EPSG or crs.equals(pyproj.CRS.from_epsg(RD_EPSG), ignore_axis_order=True):
        return
    shown = crs.name + (f" (EPSG:{crs.to_epsg()})" if crs.to_epsg() else "") if "crs" in meta else \
        "geen crs, dus WGS84 (OGC:CRS84)"
    x, y = points["x"], points["y"]
    in_rd = (RD_BOUNDS["x"][0] <= x.min() and x.max() <= RD_BOUNDS["x"][1]
             and RD_BOUNDS["y"][0] <= y.min() and y.max() <= RD_BOUNDS["y"][1])
    degrees = looks_like_degrees(float(np.median(x)), "x") and looks_like_degrees(float(np.median(y)), "y")
    if crs.is_geographic and in_rd:
        raise InputError(name, f"de coördinaten zijn meters in RD New (x {_number_text(round(x.min()))} .. "
                         f"{_number_text(round(x.max()))}), maar de GeoParquet-metadata zegt {shown} (graden); "
                         "zet het coördinatenstelsel op RD New (geopandas: gdf.set_crs(28992, allow_override=True))",
                         column=label)
    raise InputError(name, f"het coördinatenstelsel is {shown}"
                     + (": de punten zijn lengte- en breedtegraden" if degrees else "")
                     + "; verwacht RD New (EPSG:28992) in meters: zet de punten om (geopandas: gdf.to_crs(28992))",
                     column=label)


# --- writing ----------------------------------------------------------------------------------------------

def rd_new_projjson() -> dict:
    import pyproj

    return pyproj.CRS.from_epsg(RD_EPSG).to_json_dict()


def point_wkb(x: np.ndarray, y: np.ndarray) -> pa.BinaryArray:
    """2D points as little-endian WKB (21 bytes each), built in numpy."""
    n = len(x)
    rec = np.empty((n, 21), dtype=np.uint8)
    rec[:, 0] = 1
    rec[:, 1:5] = np.frombuffer(np.uint32(1).astype("<u4").tobytes(), dtype=np.uint8)
    rec[:, 5:13] = np.ascontiguousarray(x, dtype="<f8").view(np.uint8).reshape(n, 8)
    rec[:, 13:21] = np.ascontiguousarray(y, dtype="<f8").view(np.uint8).reshape(n, 8)
    offsets = np.arange(0, 21 * (n + 1), 21, dtype=np.int32)
    return pa.Array.from_buffers(pa.binary(), n, [None, pa.py_buffer(offsets), pa.py_buffer(rec)])


def write_parquet(df: pd.DataFrame, path: Path, *, geometry: bool = True, decimals: int | None = None,
                  row_group_size: int = 1 << 20) -> None:
    """Write a table with ``x`` and ``y`` (RD New) as GeoParquet 1.1 (WKB points) or as plain Parquet.

    Parameters
    ----------
    df
        The table; text columns become Parquet strings, whole numbers int64, others float64.
    geometry
        True: ``x`` and ``y`` become the WKB point column ``geometry`` with its ``geo`` metadata
        (EPSG:28992 as PROJJSON, the bounding box); False: they stay columns.
    decimals
        Round the coordinates as the CSV writer does (``%.1f``: 1), so that both read the same.
    """
    cols = {}
    for c in df.columns:
        if geometry and c in ("x", "y"):
            continue
        s = df[c]
        if pd.api.types.is_integer_dtype(s.dtype):
            cols[c] = pa.array(s.to_numpy(np.int64))
        elif pd.api.types.is_float_dtype(s.dtype):
            cols[c] = pa.array(s.to_numpy(np.float64))
        else:
            cols[c] = pa.array(s.astype(object).to_numpy(), type=pa.string())
    x = df["x"].to_numpy(np.float64)
    y = df["y"].to_numpy(np.float64)
    if decimals is not None:
        x, y = np.round(x, decimals), np.round(y, decimals)
    metadata = None
    if geometry:
        cols["geometry"] = point_wkb(x, y)
        geo = {"version": GEOPARQUET_VERSION, "primary_column": "geometry",
               "columns": {"geometry": {"encoding": "WKB", "geometry_types": ["Point"], "crs": rd_new_projjson(),
                                        "bbox": [float(x.min()), float(y.min()), float(x.max()), float(y.max())]
                                        if len(x) else []}}}
        metadata = {b"geo": json.dumps(geo, separators=(",", ":")).encode("utf-8")}
    else:
        cols["x"], cols["y"] = pa.array(x), pa.array(y)
        order = [c for c in df.columns]
        cols = {c: cols[c] for c in order}
    table = pa.table(cols)
    if metadata:
        table = table.replace_schema_metadata(metadata)
    path = Path(path)
    tmp = path.with_name(path.name + ".tmp")
    pq.write_table(table, tmp, compression="zstd", row_group_size=row_group_size)
    tmp.replace(path)


def write_demo_inputs(region, folder: Path, settings=None, *, parquet: bool = False) -> list[Path]:
    """:func:`geo.io.write_demo`, with the addresses and PC6 as GeoParquet when ``parquet``.

    The other format's file of those two inputs is removed from ``folder``, so that the folder
    holds one file per input (a folder with both is refused by :func:`parquet_inputs`). The
    coordinates are rounded as the CSV writer writes them (one decimal), so that the two formats
    read to the same tables.
    """
    from .io import FILES, write_demo

    folder = Path(folder)
    files = write_demo(region, folder, settings)
    tables = {"adressen": region.addresses, "pc6": region.pc6}
    for key, name in PARQUET_FILES.items():
        csv, target = folder / FILES[key], folder / name
        if not parquet:
            target.unlink(missing_ok=True)
            continue
        write_parquet(tables[key], target, decimals=1)
        csv.unlink(missing_ok=True)
        csv.with_suffix(".xlsx").unlink(missing_ok=True)
        files = [target if p == csv else p for p in files]
    return files


def convert_to_parquet(src: Path, dst: Path | None = None, *, geometry: bool = True) -> list[Path]:
    """Write ``adressen`` and ``pc6`` of the input folder ``src`` as (Geo)Parquet.

    With ``dst`` (another folder) every other input is copied there and the two CSV files are
    written as Parquet; without it, the CSV files in ``src`` are replaced. The tables are read
    (and checked) as a build reads them, so the Parquet files read back to the same frames.
    """
    import shutil

    from .io import CONTRACTS, FILES, read_table

    src = Path(src)
    dst = Path(dst) if dst is not None else src
    dst.mkdir(parents=True, exist_ok=True)
    settings = load_settings(src / SETTINGS_FILE if (src / SETTINGS_FILE).exists() else None)
    csvs = {src / FILES[k] for k in PARQUET_FILES}
    if dst != src:
        for p in sorted(src.iterdir()):
            if p.is_file() and p not in csvs and p.suffix != ".parquet":
                shutil.copy2(p, dst / p.name)
    written = []
    for key, name in PARQUET_FILES.items():
        df = read_table(src / FILES[key], CONTRACTS[key], settings)
        df.attrs.clear()
        write_parquet(df, dst / name, geometry=geometry)
        written.append(dst / name)
        if dst == src:
            (src / FILES[key]).unlink()
    return written
