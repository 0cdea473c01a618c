"""Omgevingsadressendichtheid (OAD) and the CBS stedelijkheid classes."""

from __future__ import annotations

import os
from dataclasses import dataclass

import numpy as np
import pandas as pd
from affine import Affine
from rasterio.transform import from_origin, rowcol

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
    from scipy.spatial import cKDTree  # here: scipy.spatial costs 0.3 s to import, the build needs none

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


#: side in cells of the FFT blocks of the OAD convolution: a tile of the grid plus the kernel radius on each side
OAD_BLOCK = 1024
#: addresses converted to grid cells (and sampled) at a time
POINT_CHUNK = 1 << 20


def _grid_of(x, y, radius_m: float, cell_m: float, margin_m: float | None) -> tuple[Affine, int, int]:
    west, north, width, height = grid_shape(x, y, radius_m, cell_m, margin_m)
    return from_origin(west, north, cell_m, cell_m), width, height


def _disc_kernel(radius_m: float, cell_m: float) -> np.ndarray:
    """1 for the cells whose centres lie within ``radius_m`` of the centre cell's, 0 elsewhere; side 2r+1."""
    r = int(np.floor(radius_m / cell_m))
    yy, xx = np.mgrid[-r:r + 1, -r:r + 1]
    return ((xx * cell_m) ** 2 + (yy * cell_m) ** 2 <= radius_m ** 2).astype(float)


def _cell_index(transform: Affine, width: int, height: int, x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Flat index ``row * width + col`` of the grid cell of each point (rasterio's ``rowcol``, chunk by chunk).

    int32 when the grid has fewer than 2**31 cells, else int64. A point outside the grid is an error.
    """
    dtype = np.int32 if width * height < 2**31 else np.int64
    flat = np.empty(len(x), dtype)
    for i in range(0, len(x), POINT_CHUNK):
        rows, cols = rowcol(transform, x[i:i + POINT_CHUNK], y[i:i + POINT_CHUNK])
        rows = np.asarray(rows)
        cols = np.asarray(cols)
        if len(rows) and (rows.min() < 0 or rows.max() >= height or cols.min() < 0 or cols.max() >= width):
            raise ValueError("a point lies outside the OAD grid (margin_m too small?)")
        out = flat[i:i + POINT_CHUNK]
        np.multiply(rows, width, out=out, dtype=dtype)
        out += cols
    return flat


def _blocked_disc_sum(cells: np.ndarray, width: int, height: int, kernel: np.ndarray, divisor: float,
                      block: int = OAD_BLOCK, workers: int | None = None) -> np.ndarray:
    """Per grid cell: the number of points in the cells under the kernel centred on it, over ``divisor`` (float32).

    ``cells`` are the points' flat cell indices (``row * width + col``), sorted; ``kernel`` is
    square, of odd side 2m + 1 and symmetric. The grid is convolved tile by tile
    (overlap-save): a tile of ``block - 2m`` cells square is cut from the counts with a margin
    of ``m`` cells around it (zeros where it passes the grid edge) and convolved circularly
    with the kernel by a real FFT of ``block`` x ``block`` in float64; in the tile itself the
    circular convolution equals the linear one, and it is rounded to whole counts. The counts
    are made per band of tiles (its rows plus the margins), so besides the result only one
    band of counts and one FFT block per thread are in memory. A tile without a point in it
    or its margin is 0 without an FFT. ``workers`` threads transform tiles of a band at once
    (NumPy's FFT releases the GIL). A grid smaller than a block is done in one smaller block.
    """
    import threading
    from concurrent.futures import ThreadPoolExecutor

    from scipy.fft import next_fast_len

    m = (kernel.shape[0] - 1) // 2
    size = next_fast_len(max(min(block, max(height, width) + 2 * m), 2 * m + 16), real=True)
    tile = size - 2 * m
    # the kernel centred on cell (0, 0), wrapped around: its spectrum is real (the kernel is symmetric)
    wrapped = np.zeros((size, size))
    around = np.arange(-m, m + 1) % size
    wrapped[np.ix_(around, around)] = kernel
    spectrum = np.ascontiguousarray(np.fft.rfft2(wrapped).real)
    del wrapped
    out = np.zeros((height, width), np.float32)
    if workers is None:
        cpus = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
        workers = max(1, min(4, cpus))
    local = threading.local()

    def convolve(job) -> None:
        band, b0, b1, r0, r1, c0, c1 = job
        if not hasattr(local, "block"):  # one set of work arrays per thread, reused: no page faults per tile
            local.block = np.empty((size, size))
            local.spec = np.empty((size, size // 2 + 1), complex)
            local.result = np.empty((size, size))
        data, spec, result = local.block, local.spec, local.result
        lo_c, hi_c = max(c0 - m, 0), min(c1 + m, width)
        data.fill(0.0)
        # block row i is grid row r0 - m + i, block column j grid column c0 - m + j
        data[b0 - (r0 - m):b1 - (r0 - m), lo_c - (c0 - m):hi_c - (c0 - m)] = band[:, lo_c:hi_c]
        # rfft2 and irfft2 one axis at a time, in place (np.fft.irfft2 with out= gives wrong values in
        # NumPy 2.4: numpy/numpy#30909, fixed by #30910)
        np.fft.rfft(data, axis=1, out=spec)
        np.fft.fft(spec, axis=0, out=spec)
        spec *= spectrum
        np.fft.ifft(spec, axis=0, out=spec)
        np.fft.irfft(spec, n=size, axis=1, out=result)
        # whole counts (abs: a tiny negative rounding error of a 0 becomes 0.0, not -0.0), then per km2
        interior = result[m:m + r1 - r0, m:m + c1 - c0]
        np.abs(interior, out=interior)
        np.rint(interior, out=interior)
        np.divide(interior, divisor, out=out[r0:r1, c0:c1])

    band_buffer = np.empty(min(tile + 2 * m, height) * width)
    with ThreadPoolExecutor(workers) as pool:
        for r0 in range(0, height, tile):
            r1 = min(r0 + tile, height)
            b0, b1 = max(r0 - m, 0), min(r1 + m, height)
            # bounds in the cells' own dtype: a list would make searchsorted cast all the cells to int64
            lo, hi = np.searchsorted(cells, np.array([b0 * width, b1 * width], cells.dtype))
            if lo == hi:
                continue
            # the band's counts: run lengths of the sorted cells, into one buffer reused for every band
            # (a fresh array per band would cost page faults)
            here = cells[lo:hi] - b0 * width
            starts = np.flatnonzero(here[1:] != here[:-1]) + 1
            starts = np.concatenate([[0], starts])
            counts = np.diff(starts, append=len(here))
            cell = here[starts]
            del here, starts
            band = band_buffer[:(b1 - b0) * width]
            band.fill(0.0)
            band[cell] = counts
            occupied = np.concatenate([[0], np.cumsum(np.bincount(cell % width, minlength=width) > 0)])
            del cell, counts
            band = band.reshape(b1 - b0, width)
            jobs = [(band, b0, b1, r0, r1, c0, min(c0 + tile, width)) for c0 in range(0, width, tile)
                    if occupied[min(c0 + tile + m, width)] > occupied[max(c0 - m, 0)]]
            list(pool.map(convolve, jobs))
    return out


def density_grid(x, y, radius_m: float = 1000.0, cell_m: float = 25.0, margin_m: float | None = None,
                 *, block: int = OAD_BLOCK, workers: int | None = None) -> DensityGrid:
    """Count addresses on a grid and sum them over a circular window (the OAD surface).

    Each cell of the result holds the number of addresses in cells whose centres
    lie within ``radius_m`` of the cell's centre, divided by pi r^2 in km2.
    Computed in blocks (see :func:`_blocked_disc_sum`): memory is the float32 result
    plus a few bytes per address and per cell of one band of tiles, not the
    whole grid's FFT. ``workers`` threads convolve tiles at once (default: the
    available CPUs, at most 4).
    """
    grid, _ = _density_grid_and_cells(x, y, radius_m, cell_m, margin_m, block=block, workers=workers)
    return grid


def _density_grid_and_cells(x, y, radius_m, cell_m, margin_m, *, block=OAD_BLOCK, workers=None, keep_cells=False):
    x = np.asarray(x, float)  # no copy of a float64 array or column
    y = np.asarray(y, float)
    transform, width, height = _grid_of(x, y, radius_m, cell_m, margin_m)
    cells = _cell_index(transform, width, height, x, y)
    if keep_cells:  # the points' order is needed to sample the grid back at them
        ordered = np.sort(cells)
    else:
        cells.sort()
        ordered, cells = cells, None
    area_km2 = np.pi * (radius_m / 1000.0) ** 2
    values = _blocked_disc_sum(ordered, width, height, _disc_kernel(radius_m, cell_m), area_km2,
                               block=block, workers=workers)
    return DensityGrid(values=values, transform=transform, cell_m=cell_m, radius_m=radius_m), cells


def density_grid_whole(x, y, radius_m: float = 1000.0, cell_m: float = 25.0,
                       margin_m: float | None = None) -> DensityGrid:
    """:func:`density_grid` by one FFT of the whole grid (the method before issue 13).

    Same grid and values, but it needs about 50 bytes per cell (4.3 GiB for the
    Netherlands at 25 m); kept for ``scripts/bench_oad.py --old`` and as a reference.
    """
    x = np.asarray(x, float)
    y = np.asarray(y, float)
    transform, width, height = _grid_of(x, y, radius_m, cell_m, margin_m)
    rows, cols = rowcol(transform, x, y)
    rows = np.asarray(rows)
    cols = np.asarray(cols)
    counts = np.bincount(rows * width + cols, minlength=width * height).reshape(height, width).astype(float)
    from scipy.signal import fftconvolve  # here: scipy.signal costs 0.35 s to import, the tiled method needs none

    summed = np.rint(fftconvolve(counts, _disc_kernel(radius_m, cell_m), mode="same"))
    area_km2 = np.pi * (radius_m / 1000.0) ** 2
    return DensityGrid(values=(summed / area_km2).astype(np.float32), transform=transform,
                       cell_m=cell_m, radius_m=radius_m)


def sample_grid(grid: DensityGrid, x, y) -> np.ndarray:
    """The grid's value at each point (the cell it falls in), as float64; computed chunk by chunk."""
    x = np.asarray(x, float)
    y = np.asarray(y, float)
    out = np.empty(len(x))
    for i in range(0, len(x), POINT_CHUNK):
        rows, cols = rowcol(grid.transform, x[i:i + POINT_CHUNK], y[i:i + POINT_CHUNK])
        out[i:i + POINT_CHUNK] = grid.values[np.asarray(rows), np.asarray(cols)]
    return out


def address_density_raster(x, y, radius_m: float = 1000.0, cell_m: float = 25.0, *, block: int = OAD_BLOCK,
                           workers: int | None = None) -> tuple[np.ndarray, DensityGrid]:
    """OAD per address by the grid method; also returns the grid (for the GeoTIFF).

    The same as :func:`density_grid` and :func:`sample_grid`, but each address's cell is found once.
    """
    grid, cells = _density_grid_and_cells(x, y, radius_m, cell_m, None, keep_cells=True, block=block,
                                          workers=workers)
    flat = grid.values.reshape(-1)
    out = np.empty(len(cells))
    for i in range(0, len(cells), POINT_CHUNK):
        out[i:i + POINT_CHUNK] = flat[cells[i:i + POINT_CHUNK]]
    return out, grid


def stedelijkheid_grid(grid: DensityGrid, limits, areas) -> np.ndarray:
    """Stedelijkheid class (1..5) of every cell of an OAD grid; 0 outside the given areas."""
    from rasterio.features import geometry_mask

    cls = np.full(grid.values.shape, 5, dtype=np.uint8)
    for k, limit in reversed(list(enumerate(limits, start=1))):
        cls[grid.values >= limit] = k
    outside = geometry_mask(list(areas), out_shape=grid.values.shape, transform=grid.transform)
    cls[outside] = 0
    return cls
