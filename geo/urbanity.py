"""Omgevingsadressendichtheid (OAD) and the CBS stedelijkheid classes."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from affine import Affine
from rasterio.transform import from_origin, rowcol
from scipy.signal import fftconvolve
from scipy.spatial import cKDTree

#: Dutch CBS labels of stedelijkheid classes 1..5
STEDELIJKHEID_LABELS = {
    1: "zeer sterk stedelijk",
    2: "sterk stedelijk",
    3: "matig stedelijk",
    4: "weinig stedelijk",
    5: "niet stedelijk",
}


def address_density(x: np.ndarray, y: np.ndarray, radius_m: float = 1000.0) -> np.ndarray:
    """OAD of each address: addresses within ``radius_m`` (itself included) per km2 of the circle.

    This is the CBS definition: the count in a 1 km circle divided by the
    circle's area (pi km2). Coordinates in metres (RD New).
    """
    pts = np.column_stack([np.asarray(x, float), np.asarray(y, float)])
    if len(pts) == 0:
        return np.zeros(0)
    tree = cKDTree(pts)
    counts = tree.query_ball_point(pts, r=radius_m, return_length=True)
    area_km2 = np.pi * (radius_m / 1000.0) ** 2
    return np.asarray(counts, float) / area_km2


def stedelijkheid_class(oad, limits=(2500.0, 1500.0, 1000.0, 500.0)):
    """CBS stedelijkheid class 1 (zeer sterk stedelijk) .. 5 (niet stedelijk) of an OAD.

    ``oad >= limits[0]`` is class 1, ``limits[1] <= oad < limits[0]`` class 2, and so
    on; below ``limits[3]`` class 5. Missing values stay missing (pandas ``<NA>``).
    """
    values = pd.Series(np.atleast_1d(np.asarray(oad, dtype=float)))
    cls = pd.Series(5, index=values.index, dtype="Int64")
    for k, limit in reversed(list(enumerate(limits, start=1))):
        cls[values >= limit] = k
    cls[values.isna()] = pd.NA
    return cls if np.ndim(oad) else cls.iloc[0]


@dataclass
class DensityGrid:
    """OAD on a regular grid: addresses per km2 within the radius around each cell centre.

    ``values`` has rows from north to south; ``transform`` is the rasterio affine
    transform of the grid in RD New.
    """

    values: np.ndarray
    transform: Affine
    cell_m: float
    radius_m: float


def grid_shape(x, y, radius_m: float = 1000.0, cell_m: float = 25.0,
               margin_m: float | None = None) -> tuple[float, float, int, int]:
    """West and north edge, width and height in cells of the OAD grid around the points.

    Examples
    --------
    >>> grid_shape([0.0, 100.0], [0.0, 50.0], radius_m=50.0, cell_m=25.0)
    (-75.0, 125.0, 10, 8)
    """
    x = np.asarray(x, float)
    y = np.asarray(y, float)
    margin = radius_m + cell_m if margin_m is None else margin_m
    west = float(np.floor((x.min() - margin) / cell_m) * cell_m)
    north = float(np.ceil((y.max() + margin) / cell_m) * cell_m)
    width = int(np.ceil((x.max() + margin - west) / cell_m))
    height = int(np.ceil((north - (y.min() - margin)) / cell_m))
    return west, north, width, height


def density_grid(x, y, radius_m: float = 1000.0, cell_m: float = 25.0, margin_m: float | None = None) -> DensityGrid:
    """Count addresses on a grid and sum them over a circular window (the OAD surface).

    Each cell of the result holds the number of addresses in cells whose centres
    lie within ``radius_m`` of the cell's centre, divided by pi r^2 in km2.
    """
    x = np.asarray(x, float)
    y = np.asarray(y, float)
    west, north, width, height = grid_shape(x, y, radius_m, cell_m, margin_m)
    transform = from_origin(west, north, cell_m, cell_m)
    rows, cols = rowcol(transform, x, y)
    rows = np.asarray(rows)
    cols = np.asarray(cols)
    counts = np.bincount(rows * width + cols, minlength=width * height).reshape(height, width).astype(float)
    r = int(np.floor(radius_m / cell_m))
    yy, xx = np.mgrid[-r:r + 1, -r:r + 1]
    kernel = ((xx * cell_m) ** 2 + (yy * cell_m) ** 2 <= radius_m ** 2).astype(float)
    summed = np.rint(fftconvolve(counts, kernel, mode="same"))
    area_km2 = np.pi * (radius_m / 1000.0) ** 2
    return DensityGrid(values=(summed / area_km2).astype(np.float32), transform=transform,
                       cell_m=cell_m, radius_m=radius_m)


def sample_grid(grid: DensityGrid, x, y) -> np.ndarray:
    """The grid's value at each point (the cell it falls in)."""
    rows, cols = rowcol(grid.transform, np.asarray(x, float), np.asarray(y, float))
    return grid.values[np.asarray(rows), np.asarray(cols)].astype(float)


def address_density_raster(x, y, radius_m: float = 1000.0, cell_m: float = 25.0) -> tuple[np.ndarray, DensityGrid]:
    """OAD per address by the grid method; also returns the grid (for the GeoTIFF)."""
    grid = density_grid(x, y, radius_m, cell_m)
    return sample_grid(grid, x, y), grid


def stedelijkheid_grid(grid: DensityGrid, limits, areas) -> np.ndarray:
    """Stedelijkheid class (1..5) of every cell of an OAD grid; 0 outside the given areas."""
    from rasterio.features import geometry_mask

    cls = np.full(grid.values.shape, 5, dtype=np.uint8)
    for k, limit in reversed(list(enumerate(limits, start=1))):
        cls[grid.values >= limit] = k
    outside = geometry_mask(list(areas), out_shape=grid.values.shape, transform=grid.transform)
    cls[outside] = 0
    return cls
