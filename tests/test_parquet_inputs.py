"""The large inputs (addresses, PC6 centroids) may also come as Parquet or GeoParquet."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

from geo.errors import InputError
from geo.io import CONTRACTS, read_parquet_table, read_table

ROWS = pd.DataFrame({"postcode": ["3511AB", "3511AC", " 3512CD "], "huisnummer": [1, 12, 7],
                     "x": [136_000.5, 136_100.25, 137_000.0], "y": [455_000.0, 455_050.75, 456_000.5]})


def test_parquet_and_geoparquet_give_the_csv_frame(tmp_path):
    csv = tmp_path / "adressen.csv"
    ROWS.to_csv(csv, sep=";", index=False)
    want = read_table(csv, CONTRACTS["adressen"])
    ROWS.to_parquet(tmp_path / "adressen.parquet")
    plain = read_parquet_table(tmp_path / "adressen.parquet", CONTRACTS["adressen"])
    pd.testing.assert_frame_equal(plain, want, check_dtype=False)
    # GeoParquet in WGS84: the points come back in RD New (to within a millimetre)
    geo = gpd.GeoDataFrame(ROWS[["postcode", "huisnummer"]],
                           geometry=shapely.points(ROWS["x"], ROWS["y"]), crs=28992).to_crs(4326)
    geo.to_parquet(tmp_path / "g.parquet")
    got = read_parquet_table(tmp_path / "g.parquet", CONTRACTS["adressen"])
    assert got["postcode"].tolist() == ["3511AB", "3511AC", "3512CD"]
    assert np.allclose(got["x"], ROWS["x"], atol=1e-3) and np.allclose(got["y"], ROWS["y"], atol=1e-3)


@pytest.mark.parametrize("change,column,row,words", [
    (lambda d: d.assign(x=[136_000.0, np.nan, 1.0]), "x", 3, "leeg of geen eindig getal"),
    (lambda d: d.assign(y=[455_000.0, 455_000.0, 52.1]), "y", 4, "kleiner dan"),
    (lambda d: d.assign(huisnummer=[1.0, 2.5, 3.0]), "huisnummer", 3, "geen geheel getal"),
    (lambda d: d.assign(huisnummer=["1", "2", "3"]), "huisnummer", 2, "verwacht getallen"),
    (lambda d: d.drop(columns="y"), "y", 1, "ontbreken"),
])
def test_a_wrong_parquet_value_names_row_and_column(tmp_path, change, column, row, words):
    path = tmp_path / "adressen.parquet"
    change(ROWS.copy()).to_parquet(path)
    with pytest.raises(InputError) as err:
        read_parquet_table(path, CONTRACTS["adressen"])
    assert err.value.column == column and err.value.row == row and words in str(err.value)
