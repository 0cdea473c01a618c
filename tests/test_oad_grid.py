"""The grid (rasterio) OAD agrees with an exact neighbour count, and its GeoTIFF is usable in QGIS."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import rasterio
from scipy.spatial import cKDTree

from geo.io import read_inputs
from geo.pipeline import assign_points_to_areas
from geo.urbanity import address_density_raster

pytestmark = pytest.mark.slow


def exact_oad(x, y, radius=1000.0):
    """Independent exact count: neighbours within the radius via a KD-tree, itself included."""
    pts = np.column_stack([x, y])
    tree = cKDTree(pts)
    counts = tree.query_ball_point(pts, r=radius, return_length=True)
    return counts / np.pi


def test_grid_oad_within_two_percent_per_area(demo_inputs):
    inp = read_inputs(demo_inputs)
    a = inp.addresses
    exact = exact_oad(a["x"].to_numpy(), a["y"].to_numpy())
    grid, _ = address_density_raster(a["x"], a["y"], 1000.0)
    for areas in (inp.gemeenten, inp.wijken):
        codes = assign_points_to_areas(a["x"], a["y"], areas)
        df = pd.DataFrame({"code": codes, "exact": exact, "grid": grid}).dropna(subset=["code"])
        means = df.groupby("code")[["exact", "grid"]].mean()
        rel = (means["grid"] - means["exact"]).abs() / means["exact"]
        assert rel.max() < 0.02, rel.sort_values().tail()


def test_oad_geotiff_is_a_cog_in_rd_new(demo_build, demo_inputs):
    with rasterio.open(demo_build / "oad.tif") as ds:
        assert ds.crs.to_epsg() == 28992
        assert ds.profile["tiled"] and ds.overviews(1)
        a = pd.read_csv(demo_inputs / "adressen.csv", sep=";").iloc[::5000]
        sampled = np.array([v[0] for v in ds.sample(zip(a["x"], a["y"]))])
    exact = exact_oad(*np.array(pd.read_csv(demo_inputs / "adressen.csv", sep=";")[["x", "y"]]).T)[::5000]
    # per address the grid is an approximation: within 10 % or 40 addresses/km2 everywhere
    assert np.all(np.abs(sampled - exact) <= np.maximum(0.10 * exact, 40))
