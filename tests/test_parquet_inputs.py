"""adressen and pc6 as (Geo)Parquet: the same tables as their CSV, the same contract, Dutch refusals.

Also the pinned string storage of pandas (geo/__init__.py): with pyarrow installed, text stays
Python strings, so the rest of the program behaves as it did without pyarrow.
"""

from __future__ import annotations

import json
import subprocess
import sys

import geopandas as gpd
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
import shapely

from geo.errors import InputError
from geo.io import CONTRACTS, read_inputs, read_table, source_rows
from geo.parquet import PARQUET_FILES, convert_to_parquet, point_wkb, write_demo_inputs, write_parquet
from geo.settings import Settings

PYTHON_STR = pd.StringDtype("python", na_value=np.nan)

ADDRESSES = pd.DataFrame({
    "postcode": ["3511AB", "3511AB", "3512CD", "3512CD", "3513EF"],
    "huisnummer": [1, 3, 10, 12, 7],
    "x": [136000.5, 136010.0, 136200.3, 136210.1, 135000.0],
    "y": [455000.0, 455020.7, 455500.2, 455510.9, 456000.4],
})
PC6 = pd.DataFrame({
    "postcode": ["3511AB", "3512CD", "3513EF"],
    "aantal_adressen": [2, 2, 1],
    "x": [136005.3, 136205.2, 135000.0],
    "y": [455010.4, 455505.6, 456000.4],
})


def csv_frame(tmp_path, df: pd.DataFrame, key: str) -> pd.DataFrame:
    """What the build reads from the same table as CSV: the reference."""
    path = tmp_path / f"{key}.csv"
    df.to_csv(path, sep=";", index=False, lineterminator="\n")
    return read_table(path, CONTRACTS[key])


def plain(tmp_path, columns: dict, name: str = "adressen.parquet", **kw):
    path = tmp_path / name
    pq.write_table(pa.table(columns), path, **kw)
    return path


def geoparquet(tmp_path, table: pa.Table, geo: dict, name: str = "adressen.parquet"):
    path = tmp_path / name
    pq.write_table(table.replace_schema_metadata({b"geo": json.dumps(geo).encode()}), path)
    return path


def refused(path, key: str = "adressen", settings: Settings | None = None) -> InputError:
    with pytest.raises(InputError) as exc:
        read_table(path, CONTRACTS[key], settings)
    return exc.value


def addresses_columns(**change) -> dict:
    cols = {c: pa.array(ADDRESSES[c].tolist()) for c in ADDRESSES.columns}
    cols.update(change)
    return {k: v for k, v in cols.items() if v is not None}


# --- pandas keeps Python strings with pyarrow installed ----------------------------------------------------

def test_pyarrow_is_installed_and_text_stays_python_strings():
    assert pa.__version__
    assert pd.get_option("mode.string_storage") == "python"
    s = pd.Series(["a"])
    assert s.dtype == PYTHON_STR and s.dtype.storage == "python"
    assert type(s.array) is pd.arrays.StringArray  # not ArrowStringArray
    lone = "3511\ud800AB"  # a lone surrogate, as a mis-decoded file gives; Arrow strings refuse it
    t = pd.Series([lone, "x"])
    assert t.iloc[0] == lone and t.str.upper().iloc[0] == lone.upper()
    assert t.str.replace("\ud800", "", regex=False).iloc[0] == "3511AB"


def test_importing_geo_pins_the_storage_in_a_fresh_process():
    code = ("import geo, pandas as pd, pyarrow; s = pd.Series(['a\\ud800']); "
            "print(s.dtype.storage, pd.read_csv(__import__('io').StringIO('p\\nq'), dtype=str)['p'].dtype.storage, "
            "len(s.str.upper().iloc[0]))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.split()
    assert out == ["python", "python", "2"]


# --- the same frames as the CSV ----------------------------------------------------------------------------

def assert_python_frame(df: pd.DataFrame) -> None:
    for c in df.columns:
        assert not isinstance(df[c].dtype, pd.ArrowDtype), c
        if df[c].dtype.kind == "O" or isinstance(df[c].dtype, pd.StringDtype):
            assert df[c].dtype == PYTHON_STR, c


def test_plain_parquet_with_x_y_reads_as_the_csv(tmp_path):
    path = plain(tmp_path, addresses_columns())
    df = read_table(path, CONTRACTS["adressen"])
    pd.testing.assert_frame_equal(df, csv_frame(tmp_path, ADDRESSES, "adressen"))
    assert_python_frame(df)
    assert source_rows(df).tolist() == [2, 3, 4, 5, 6]
    assert df["huisnummer"].dtype == np.int64 and df["x"].dtype == np.float64


def test_geoparquet_of_the_writer_reads_as_the_csv(tmp_path):
    path = tmp_path / "pc6.parquet"
    write_parquet(PC6, path)
    assert "x" not in pq.read_schema(path).names
    df = read_table(path, CONTRACTS["pc6"])
    pd.testing.assert_frame_equal(df, csv_frame(tmp_path, PC6, "pc6"))
    assert_python_frame(df)


@pytest.mark.parametrize("encoding", ["WKB", "geoarrow"])
def test_geoparquet_written_by_geopandas_reads_right(tmp_path, encoding):
    """An independent writer: geopandas' to_parquet, WKB and the GeoArrow point encoding (GeoParquet 1.1)."""
    gdf = gpd.GeoDataFrame(ADDRESSES[["postcode", "huisnummer"]],
                           geometry=gpd.points_from_xy(ADDRESSES["x"], ADDRESSES["y"]), crs="EPSG:28992")
    path = tmp_path / "adressen.parquet"
    gdf.to_parquet(path, geometry_encoding=encoding)
    df = read_table(path, CONTRACTS["adressen"])
    pd.testing.assert_frame_equal(df, csv_frame(tmp_path, ADDRESSES, "adressen"))
    assert_python_frame(df)


def test_categorical_text_more_row_groups_and_other_number_types(tmp_path):
    """Dictionary-encoded text (pandas categoricals), several row groups, int32 and float32 columns."""
    src = ADDRESSES.assign(postcode=ADDRESSES["postcode"].astype("category"),
                           huisnummer=ADDRESSES["huisnummer"].astype(np.int32))
    path = tmp_path / "adressen.parquet"
    src.to_parquet(path, row_group_size=2)
    assert pq.ParquetFile(path).num_row_groups == 3
    df = read_table(path, CONTRACTS["adressen"])
    pd.testing.assert_frame_equal(df, csv_frame(tmp_path, ADDRESSES, "adressen"))
    assert_python_frame(df)


def test_text_is_stripped_and_whole_floats_count_as_whole_numbers(tmp_path):
    path = plain(tmp_path, addresses_columns(postcode=pa.array([" 3511AB", "3511AB ", "3512CD", "3512CD", "3513EF"]),
                                             huisnummer=pa.array([1.0, 3.0, 10.0, 12.0, 7.0])))
    pd.testing.assert_frame_equal(read_table(path, CONTRACTS["adressen"]), csv_frame(tmp_path, ADDRESSES, "adressen"))


def test_columns_are_numpy_and_writeable(tmp_path):
    """Numbers come as numpy (zero-copy where the type allows) that pandas can write into."""
    df = read_table(plain(tmp_path, addresses_columns()), CONTRACTS["adressen"])
    df.loc[0, "x"] = 1.0
    df.loc[1, "huisnummer"] = 99
    assert df["x"].iloc[0] == 1.0 and df["huisnummer"].iloc[1] == 99


def test_only_the_contract_columns_are_read(tmp_path, monkeypatch):
    path = plain(tmp_path, addresses_columns(extra=pa.array(["a"] * 5), big=pa.array(np.arange(5.0))))
    seen = []
    read = pq.ParquetFile.read

    def spy(self, columns=None, **kw):
        seen.append(columns)
        return read(self, columns=columns, **kw)

    monkeypatch.setattr(pq.ParquetFile, "read", spy)
    df = read_table(path, CONTRACTS["adressen"])
    assert seen == [["postcode", "huisnummer", "x", "y"]]
    assert list(df.columns) == ["postcode", "huisnummer", "x", "y"]


# --- the demo as CSV and as Parquet ---------------------------------------------------------------------------

@pytest.fixture(scope="module")
def demo_both(tmp_path_factory):
    from geo.demo import generate_demo

    region = generate_demo()
    as_csv, as_parquet = tmp_path_factory.mktemp("demo_csv"), tmp_path_factory.mktemp("demo_parquet")
    write_demo_inputs(region, as_csv)
    files = write_demo_inputs(region, as_parquet, parquet=True)
    assert {p.name for p in files} >= set(PARQUET_FILES.values())
    assert not (as_parquet / "adressen.csv").exists() and not (as_parquet / "pc6.csv").exists()
    return read_inputs(as_csv), read_inputs(as_parquet)


def test_demo_as_parquet_gives_the_same_inputs(demo_both):
    a, b = demo_both
    assert b.files["adressen"].name == "adressen.parquet" and b.files["pc6"].name == "pc6.parquet"
    for name in ("addresses", "pc6", "population", "projection", "clients", "locations", "ses"):
        pd.testing.assert_frame_equal(getattr(a, name), getattr(b, name), obj=name)
    assert a.notes == b.notes and a.internal_notes == b.internal_notes
    assert_python_frame(b.addresses)
    assert_python_frame(b.pc6)


def test_demo_as_parquet_gives_the_same_build(demo_both):
    from geo.pipeline import compute

    a, b = (compute(x) for x in demo_both)
    for name in ("gemeenten", "wijken", "locaties"):
        pd.testing.assert_frame_equal(pd.DataFrame(getattr(a, name)), pd.DataFrame(getattr(b, name)), obj=name)
    assert a.geocoding == b.geocoding and a.notes == b.notes
    assert a.sectors.keys() == b.sectors.keys()
    for sid in a.sectors:
        for table in ("care", "gap", "care_use", "severity"):
            pd.testing.assert_frame_equal(getattr(a.sectors[sid], table), getattr(b.sectors[sid], table),
                                          obj=f"{sid}.{table}")
    assert (a.oad_grid is None) == (b.oad_grid is None)
    if a.oad_grid is not None:
        assert np.array_equal(a.oad_grid.values, b.oad_grid.values) and a.oad_grid.transform == b.oad_grid.transform


def test_wz_demo_parquet_and_back(tmp_path, capsys):
    from server.cli import main

    assert main(["demo", "--parquet", "--out", str(tmp_path)]) == 0
    assert (tmp_path / "adressen.parquet").exists() and not (tmp_path / "adressen.csv").exists()
    assert "adressen.parquet" in capsys.readouterr().out
    assert main(["demo", "--out", str(tmp_path)]) == 0  # CSV again: no Parquet left beside it
    assert (tmp_path / "adressen.csv").exists() and not (tmp_path / "adressen.parquet").exists()


def test_convert_a_folder(tmp_path, demo_both):
    a, _ = demo_both
    out = tmp_path / "pq"
    written = convert_to_parquet(a.folder, out)
    assert {p.name for p in written} == set(PARQUET_FILES.values())
    assert (a.folder / "adressen.csv").exists()  # the source folder is left alone
    pd.testing.assert_frame_equal(read_inputs(out).addresses, a.addresses)


def test_csv_and_parquet_of_one_input_are_refused(tmp_path, demo_both):
    a, _ = demo_both
    folder = tmp_path / "both"
    convert_to_parquet(a.folder, folder)
    (folder / "adressen.csv").write_bytes((a.folder / "adressen.csv").read_bytes())
    with pytest.raises(InputError, match=r"twee bestanden voor dezelfde invoer: adressen\.parquet en adressen\.csv"):
        read_inputs(folder)


# --- refusals -----------------------------------------------------------------------------------------------------

def test_missing_column(tmp_path):
    e = refused(plain(tmp_path, addresses_columns(huisnummer=None)))
    assert (e.file, e.row, e.column) == ("adressen.parquet", 1, "huisnummer")
    assert "kolom(men) ontbreken: huisnummer" in str(e)


def test_duplicate_column_names(tmp_path):
    e = refused(plain(tmp_path, addresses_columns(Postcode=pa.array(["1"] * 5))))
    assert e.column == "postcode" and "twee keer" in e.detail


def test_text_where_numbers_belong(tmp_path):
    e = refused(plain(tmp_path, addresses_columns(huisnummer=pa.array(["1", "3", "10", "12", "7"]))))
    assert (e.row, e.column) == (2, "huisnummer")
    assert "'1' is tekst; verwacht een geheel getal" in e.detail and "sla de kolom op als getal" in e.detail


def test_numbers_where_text_belongs(tmp_path):
    e = refused(plain(tmp_path, addresses_columns(postcode=pa.array([3511, 3511, 3512, 3512, 3513]))))
    assert (e.row, e.column) == (2, "postcode") and "geen tekst" in e.detail


@pytest.mark.parametrize("column", ["postcode", "huisnummer", "x"])
def test_null_in_a_required_column(tmp_path, column):
    values = ADDRESSES[column].tolist()
    values[2] = None
    e = refused(plain(tmp_path, addresses_columns(**{column: pa.array(values)})))
    assert (e.row, e.column) == (4, column) and e.detail.startswith("leeg (null)")


def test_empty_text_in_a_required_column(tmp_path):
    e = refused(plain(tmp_path, addresses_columns(postcode=pa.array(["3511AB", "", "3512CD", "3512CD", "3513EF"]))))
    assert (e.row, e.column) == (3, "postcode") and e.detail == "leeg; verwacht een postcode"


@pytest.mark.parametrize("column, values, message", [
    ("huisnummer", [1, 100_000, 10, 12, 7], "100.000 is groter dan 99.999"),
    ("huisnummer", [1, -3, 10, 12, 7], "-3 is kleiner dan 0"),
    ("huisnummer", [1.0, 3.5, 10.0, 12.0, 7.0], "'3,5' is geen geheel getal"),
    ("x", [136000.5, 400_000.0, 1.0, 1.0, 1.0], "400.000 is groter dan 300.000"),
    ("x", [136000.5, float("nan"), 1.0, 1.0, 1.0], "geen getal (NaN"),
    ("y", [455000.0, float("inf"), 1.0, 1.0, 1.0], "geen getal (oneindig)"),
])
def test_values_out_of_range(tmp_path, column, values, message):
    e = refused(plain(tmp_path, addresses_columns(**{column: pa.array(values)})))
    assert (e.row, e.column) == (3, column) and message in e.detail


def test_limit_of_the_settings_is_named(tmp_path):
    path = tmp_path / "pc6.parquet"
    write_parquet(PC6.assign(aantal_adressen=[2, 9000, 1]), path)
    e = refused(path, "pc6")
    assert (e.row, e.column) == (3, "aantal_adressen") and "max_addresses_per_pc6" in e.detail
    assert read_table(path, CONTRACTS["pc6"], Settings(max_addresses_per_pc6=10_000))["aantal_adressen"].iloc[1] == 9000


def test_pattern_of_the_contract(tmp_path):
    path = tmp_path / "pc6.parquet"
    write_parquet(PC6.assign(postcode=["3511AB", "3512CD", "3513 E"]), path)
    e = refused(path, "pc6")
    assert (e.row, e.column) == (4, "postcode") and "'3513 E' is geen geldige waarde" in e.detail


def test_degrees_in_x_y_columns(tmp_path):
    e = refused(plain(tmp_path, addresses_columns(x=pa.array([5.1] * 5), y=pa.array([52.1] * 5))))
    assert (e.row, e.column) == (2, "y") and "lengte- of breedtegraad" in e.detail


def points_table(geoms, crs="EPSG:28992") -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(ADDRESSES[["postcode", "huisnummer"]], geometry=geoms, crs=crs)


def test_a_geometry_that_is_not_a_point(tmp_path):
    geoms = list(gpd.points_from_xy(ADDRESSES["x"], ADDRESSES["y"]))
    geoms[3] = shapely.LineString([(136000, 455000), (136100, 455100)])
    path = tmp_path / "adressen.parquet"
    points_table(geoms).to_parquet(path)
    e = refused(path)
    assert (e.row, e.column) == (5, "geometry") and "LineString, geen punt" in e.detail


def test_a_polygon_layer_in_geoarrow_encoding(tmp_path):
    geoms = [shapely.box(136000, 455000, 136010, 455010)] * 5
    path = tmp_path / "adressen.parquet"
    points_table(geoms).to_parquet(path, geometry_encoding="geoarrow")
    e = refused(path)
    assert e.column == "geometry" and "geen punten" in e.detail


def test_missing_and_empty_geometries(tmp_path):
    geoms = list(gpd.points_from_xy(ADDRESSES["x"], ADDRESSES["y"]))
    path = tmp_path / "adressen.parquet"
    points_table(geoms[:1] + [None] + geoms[2:]).to_parquet(path)
    e = refused(path)
    assert (e.row, e.column) == (3, "geometry") and "ontbreekt (null)" in e.detail
    points_table(geoms[:2] + [shapely.Point()] + geoms[3:]).to_parquet(path)
    e = refused(path)
    assert (e.row, e.column) == (4, "geometry") and "POINT EMPTY" in e.detail


def test_a_crs_in_degrees_is_refused(tmp_path):
    gdf = points_table(gpd.points_from_xy(ADDRESSES["x"], ADDRESSES["y"])).to_crs("EPSG:4326")
    path = tmp_path / "adressen.parquet"
    gdf.to_parquet(path)
    e = refused(path)
    assert e.column == "geometry" and "WGS 84 (EPSG:4326)" in e.detail and "lengte- en breedtegraden" in e.detail
    assert "gdf.to_crs(28992)" in e.detail


def test_rd_metres_labelled_as_degrees(tmp_path):
    path = tmp_path / "adressen.parquet"
    points_table(gpd.points_from_xy(ADDRESSES["x"], ADDRESSES["y"]), crs="EPSG:4326").to_parquet(path)
    e = refused(path)
    assert "meters in RD New" in e.detail and "set_crs(28992" in e.detail


def test_another_projected_crs_is_refused(tmp_path):
    gdf = points_table(gpd.points_from_xy(ADDRESSES["x"], ADDRESSES["y"])).to_crs("EPSG:3857")
    path = tmp_path / "adressen.parquet"
    gdf.to_parquet(path)
    e = refused(path)
    assert "EPSG:3857" in e.detail and "verwacht RD New (EPSG:28992)" in e.detail


def test_geoparquet_without_crs_key_is_wgs84_and_null_crs_is_taken_as_rd(tmp_path):
    wkb = point_wkb(ADDRESSES["x"].to_numpy(), ADDRESSES["y"].to_numpy())
    table = pa.table({"postcode": ADDRESSES["postcode"].tolist(), "huisnummer": ADDRESSES["huisnummer"].tolist(),
                      "geometry": wkb})
    meta = {"encoding": "WKB", "geometry_types": ["Point"]}
    e = refused(geoparquet(tmp_path, table, {"version": "1.0.0", "primary_column": "geometry",
                                              "columns": {"geometry": meta}}))
    assert "geen crs, dus WGS84" in e.detail
    path = geoparquet(tmp_path, table, {"version": "1.0.0", "primary_column": "geometry",
                                         "columns": {"geometry": meta | {"crs": None}}})
    pd.testing.assert_frame_equal(read_table(path, CONTRACTS["adressen"]), csv_frame(tmp_path, ADDRESSES, "adressen"))


def test_degrees_with_an_unknown_crs(tmp_path):
    wkb = point_wkb(np.full(5, 5.1), np.full(5, 52.1))
    table = pa.table({"postcode": ADDRESSES["postcode"].tolist(), "huisnummer": ADDRESSES["huisnummer"].tolist(),
                      "geometry": wkb})
    e = refused(geoparquet(tmp_path, table, {"version": "1.1.0", "primary_column": "geometry",
                                              "columns": {"geometry": {"encoding": "WKB", "crs": None}}}))
    assert (e.row, e.column) == (2, "geometry") and "y = " in e.detail and "lengte- of breedtegraad" in e.detail


def test_geometry_column_without_geo_metadata(tmp_path):
    wkb = point_wkb(ADDRESSES["x"].to_numpy(), ADDRESSES["y"].to_numpy())
    e = refused(plain(tmp_path, addresses_columns(x=None, y=None, geometry=wkb)))
    assert e.column == "geometry" and "GeoParquet-metadata" in e.detail


def test_broken_geo_metadata(tmp_path):
    table = pa.table(addresses_columns()).replace_schema_metadata({b"geo": b"{not json"})
    pq.write_table(table, tmp_path / "adressen.parquet")
    assert "geen geldige JSON" in refused(tmp_path / "adressen.parquet").detail


@pytest.mark.parametrize("data, text", [
    (b"", "leeg (0 bytes)"),
    (b"postcode;huisnummer;x;y\n3511AB;1;136000;455000\n", "het is tekst (een CSV-bestand? noem het dan adressen.csv)"),
    (b"PK\x03\x04" + b"\x00" * 40, "zip-archief"),
    (b"\x00\x01\x02garbage" * 10, "geen Parquet-bestand (het begint niet met 'PAR1')"),
])
def test_not_parquet(tmp_path, data, text):
    path = tmp_path / "adressen.parquet"
    path.write_bytes(data)
    e = refused(path)
    assert e.file == "adressen.parquet" and text in e.detail


def test_cut_off(tmp_path):
    path = plain(tmp_path, addresses_columns())
    data = path.read_bytes()
    path.write_bytes(data[: len(data) * 2 // 3])
    e = refused(path)
    assert "afgebroken" in e.detail and "lever het volledige bestand aan" in e.detail


def test_damaged_data(tmp_path):
    path = plain(tmp_path, {"postcode": pa.array(["3511AB"] * 5000), "huisnummer": pa.array(np.arange(5000)),
                            "x": pa.array(np.full(5000, 136000.5)), "y": pa.array(np.full(5000, 455000.5))},
                 compression="zstd", use_dictionary=False)
    data = bytearray(path.read_bytes())
    meta = pq.ParquetFile(path).metadata.row_group(0).column(1)
    start = meta.data_page_offset + 40
    data[start:start + 64] = b"\xff" * 64  # inside the compressed page of huisnummer
    path.write_bytes(bytes(data))
    e = refused(path)
    assert "beschadigd" in e.detail


def test_no_rows(tmp_path):
    path = plain(tmp_path, {c: pa.array([], type=t) for c, t in
                            (("postcode", pa.string()), ("huisnummer", pa.int64()), ("x", pa.float64()),
                             ("y", pa.float64()))})
    assert "geen rijen" in refused(path).detail


def test_extra_columns_come_as_text(tmp_path):
    path = plain(tmp_path, addresses_columns(woonplaats=pa.array([" Utrecht", "Utrecht", None, "Zeist", "Zeist"]),
                                             bouwjaar=pa.array([1900, 1901, 1902, 1903, 1904])))
    df = read_table(path, CONTRACTS["adressen"], extra_columns=True)
    assert list(df.columns) == ["postcode", "huisnummer", "x", "y", "woonplaats", "bouwjaar"]
    assert df["woonplaats"].tolist() == ["Utrecht", "Utrecht", "", "Zeist", "Zeist"]
    assert df["bouwjaar"].tolist() == ["1900", "1901", "1902", "1903", "1904"]
    assert_python_frame(df)


@pytest.mark.parametrize("kind", ["big-endian", "3D", "mixed"])
def test_other_wkb_points(tmp_path, kind):
    """Big-endian and 3D WKB (read by shapely, not from the bytes): the same x and y."""
    pts = shapely.points(ADDRESSES["x"], ADDRESSES["y"], np.full(5, 3.0) if kind == "3D" else None)
    wkb = shapely.to_wkb(pts, byte_order=0 if kind == "big-endian" else 1, output_dimension=3)
    if kind == "mixed":
        wkb[1] = shapely.to_wkb(pts[1], byte_order=0)
    table = pa.table({"postcode": ADDRESSES["postcode"].tolist(), "huisnummer": ADDRESSES["huisnummer"].tolist(),
                      "geometry": pa.array(list(wkb), type=pa.binary())})
    path = geoparquet(tmp_path, table, {"version": "1.1.0", "primary_column": "geometry",
                                         "columns": {"geometry": {"encoding": "WKB", "geometry_types": ["Point"],
                                                                  "crs": "EPSG:28992"}}})
    pd.testing.assert_frame_equal(read_table(path, CONTRACTS["adressen"]), csv_frame(tmp_path, ADDRESSES, "adressen"))
