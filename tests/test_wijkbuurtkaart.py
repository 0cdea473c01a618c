"""The CBS wijk- en buurtkaart GeoPackage layout: CBS column names, water features, negative sentinels."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pytest
from shapely.geometry import box as shapely_box

from geo.errors import InputError
from geo.io import read_wijkbuurtkaart


def box(x0, y0, x1, y1):
    """A square in RD New near Utrecht (the readers refuse areas outside the Netherlands)."""
    return shapely_box(150_000 + x0, 450_000 + y0, 150_000 + x1, 450_000 + y1)


@pytest.fixture()
def wbk(tmp_path):
    """A tiny GeoPackage laid out like CBS's wijkenbuurten_2023: layers gemeenten and wijken, RD New."""
    path = tmp_path / "wijkenbuurten_2023_v1.gpkg"
    gem = gpd.GeoDataFrame({
        "gemeentecode": ["GM0001", "GM0002", "GM0002"],
        "gemeentenaam": ["Eerstedorp", "Tweestad", "Tweestad"],
        "water": ["NEE", "NEE", "JA"],  # CBS adds water-only features
        "aantal_inwoners": [1200, -99999999, 0],  # -99999999: secret
        "percentage_personen_65_jaar_en_ouder": [21.0, -99999997, -99999997],
    }, geometry=[box(0, 0, 1000, 1000), box(1000, 0, 2000, 1000), box(2000, 0, 2500, 1000)], crs=28992)
    wijk = gpd.GeoDataFrame({
        "wijkcode": ["WK000100", "WK000200"], "wijknaam": ["Wijk 00 Eerstedorp", "Wijk 00 Tweestad"],
        "gemeentecode": ["GM0001", "GM0002"], "water": ["NEE", "NEE"], "aantal_inwoners": [1200, 800],
    }, geometry=[box(0, 0, 1000, 1000), box(1000, 0, 2000, 1000)], crs=28992)
    gem.to_file(path, layer="gemeenten", driver="GPKG")
    wijk.to_file(path, layer="wijken", driver="GPKG")
    return path


def test_gemeenten_level(wbk):
    g = read_wijkbuurtkaart(wbk, "gemeenten")
    assert list(g["statcode"]) == ["GM0001", "GM0002"]  # the water feature is left out
    assert list(g["statnaam"]) == ["Eerstedorp", "Tweestad"]
    assert g["aantal_inwoners"].iloc[0] == 1200 and np.isnan(g["aantal_inwoners"].iloc[1])
    assert g["percentage_personen_65_jaar_en_ouder"].iloc[0] == 21.0
    assert np.isnan(g["percentage_personen_65_jaar_en_ouder"].iloc[1])
    assert g.crs.to_epsg() == 28992


def test_wijken_level(wbk):
    w = read_wijkbuurtkaart(wbk, "wijken")
    assert list(w["statcode"]) == ["WK000100", "WK000200"]


def test_missing_level_names_the_file(wbk):
    with pytest.raises(InputError) as err:
        read_wijkbuurtkaart(wbk, "buurten")
    assert "wijkenbuurten_2023_v1.gpkg" in str(err.value) and "buurten" in str(err.value)


def test_input_folder_with_the_cbs_geopackage(demo_inputs, tmp_path):
    """A folder that brings the CBS GeoPackage instead of the GeoJSON boundaries reads the same areas."""
    import shutil

    from geo.io import read_inputs

    folder = tmp_path / "invoer"
    shutil.copytree(demo_inputs, folder)
    gem = gpd.read_file(folder / "gemeenten.geojson").rename(columns={"statcode": "gemeentecode",
                                                                     "statnaam": "gemeentenaam"})
    wijk = gpd.read_file(folder / "wijken.geojson").rename(columns={"statcode": "wijkcode", "statnaam": "wijknaam"})
    gem["water"] = "NEE"
    gpkg = folder / "wijkenbuurten_2023_v1.gpkg"
    gem.to_file(gpkg, layer="gemeenten", driver="GPKG")
    wijk.to_file(gpkg, layer="wijken", driver="GPKG")
    (folder / "gemeenten.geojson").unlink()
    (folder / "wijken.geojson").unlink()
    inputs = read_inputs(folder)
    assert sorted(inputs.gemeenten["statcode"]) == sorted(gem["gemeentecode"])
    assert sorted(inputs.wijken["statcode"]) == sorted(wijk["wijkcode"])
    assert inputs.files["gemeenten"] == gpkg
