"""Tests of geo.urbanity: omgevingsadressendichtheid (OAD) and CBS stedelijkheid classes."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from geo.urbanity import STEDELIJKHEID_LABELS, address_density, stedelijkheid_class

PI = math.pi


# --- address_density ------------------------------------------------------------------

def test_cluster_of_five_and_a_lone_address():
    # five addresses at most 600 m apart (the farthest pair is (-300,0)-(300,0) and
    # (0,-300)-(0,300)), and one 5 km away from the origin (>= 4700 m from every other one)
    x = [0.0, 300.0, 0.0, -300.0, 0.0, 5000.0]
    y = [0.0, 0.0, 300.0, 0.0, -300.0, 0.0]
    oad = address_density(x, y)
    # CBS: count within 1 km incl. the address itself / (pi * 1 km2)
    expected = [5 / PI] * 5 + [1 / PI]
    assert oad == pytest.approx(expected)


@pytest.mark.parametrize("dx, dy, inside", [
    (999.0, 0.0, True),
    (1001.0, 0.0, False),
    (0.0, -999.0, True),
    (0.0, 1001.0, False),
    (599.4, 799.2, True),   # 0.999 * (600, 800): 999 m on a diagonal
    (600.6, 800.8, False),  # 1.001 * (600, 800): 1001 m on a diagonal
])
def test_radius_edge(dx, dy, inside):
    oad = address_density([100000.0, 100000.0 + dx], [450000.0, 450000.0 + dy])
    n = 2 if inside else 1
    assert oad == pytest.approx([n / PI, n / PI])


def test_addresses_at_the_same_point_each_count():
    # an apartment building: three addresses share one coordinate
    oad = address_density([10.0, 10.0, 10.0], [20.0, 20.0, 20.0])
    assert oad == pytest.approx([3 / PI] * 3)


def test_other_radius_divides_by_its_own_circle():
    # radius 500 m: circle area = pi * 0.5^2 = pi/4 km2
    # (0,0): itself + (400,0) = 2 -> 2/(pi/4) = 8/pi
    # (400,0): all three (400 m and 300 m away) -> 3/(pi/4) = 12/pi
    # (700,0): itself + (400,0) = 2 -> 8/pi   ((0,0) is 700 m away)
    oad = address_density([0.0, 400.0, 700.0], [0.0, 0.0, 0.0], radius_m=500.0)
    assert oad == pytest.approx([8 / PI, 12 / PI, 8 / PI])


def test_empty_input():
    assert len(address_density([], [])) == 0


def test_matches_brute_force_pairwise_count():
    rng = np.random.default_rng(20240501)
    n = 300
    # clustered and spread points over 6 x 6 km so that counts vary widely
    x = np.concatenate([rng.uniform(0, 6000, 200), rng.normal(3000, 300, 100)])
    y = np.concatenate([rng.uniform(0, 6000, 200), rng.normal(3000, 300, 100)])
    d = np.sqrt((x[:, None] - x[None, :]) ** 2 + (y[:, None] - y[None, :]) ** 2)
    counts = (d <= 1000.0).sum(axis=1)  # includes the point itself (distance 0)
    expected = counts / PI
    got = address_density(x, y)
    assert got.shape == (n,)
    assert got == pytest.approx(expected)
    assert counts.min() < counts.max()  # the check is not trivially uniform


# --- stedelijkheid_class --------------------------------------------------------------

@pytest.mark.parametrize("oad, cls", [
    (10000.0, 1),
    (2500.0, 1),       # exactly at the limit of class 1
    (2499.999, 2),
    (1500.0, 2),
    (1499.999, 3),
    (1000.0, 3),
    (999.999, 4),
    (500.0, 4),
    (499.999, 5),
    (0.0, 5),
])
def test_stedelijkheid_limits(oad, cls):
    assert stedelijkheid_class(oad) == cls
    assert stedelijkheid_class([oad]).iloc[0] == cls


def test_stedelijkheid_array_with_missing():
    got = stedelijkheid_class(np.array([3000.0, np.nan, 750.0, 100.0]))
    assert len(got) == 4
    assert got.iloc[0] == 1
    assert pd.isna(got.iloc[1])
    assert got.iloc[2] == 4
    assert got.iloc[3] == 5


def test_stedelijkheid_scalar_missing_stays_missing():
    assert pd.isna(stedelijkheid_class(float("nan")))


def test_stedelijkheid_custom_limits():
    limits = (100.0, 50.0, 20.0, 10.0)
    got = stedelijkheid_class([100.0, 99.0, 50.0, 20.0, 10.0, 9.0], limits)
    assert list(got) == [1, 2, 2, 3, 4, 5]


def test_labels_cover_every_class():
    assert set(STEDELIJKHEID_LABELS) == {1, 2, 3, 4, 5}
    assert STEDELIJKHEID_LABELS[1] == "zeer sterk stedelijk"
    assert STEDELIJKHEID_LABELS[5] == "niet stedelijk"


# --- the OAD grid, computed in blocks (issue 13) ---------------------------------------

from scipy.signal import fftconvolve  # noqa: E402

from geo import urbanity  # noqa: E402
from geo.urbanity import (address_density_raster, density_grid, density_grid_whole, grid_shape,  # noqa: E402
                          sample_grid)

CELL = 25.0
#: FFT block of the small tests: tiles of 128 - 2 * 40 = 48 cells (1200 m), so a few km has many tile borders
SMALL_BLOCK = 128
TILE = SMALL_BLOCK - 80


def cells_of(grid, x, y):
    """Row and column of each point's cell, by plain arithmetic on the grid's origin (not rasterio)."""
    west, north = grid.transform.c, grid.transform.f
    return (np.floor((north - np.asarray(y)) / CELL).astype(int), np.floor((np.asarray(x) - west) / CELL).astype(int))


def brute_force_cell_sum(rows, cols, r, c, radius=1000.0):
    """Addresses whose cells' centres lie within ``radius`` of the centre of cell (r, c), per km2."""
    inside = ((rows - r) * CELL) ** 2 + ((cols - c) * CELL) ** 2 <= radius ** 2
    return inside.sum() / (np.pi * (radius / 1000.0) ** 2)


def tile_border_points(rng, width_m=9_000.0, height_m=7_000.0, x0=120_003.3, y0=480_007.9):
    """Clustered and spread points, the four corners of the box, and points in the cells on both
    sides of every tile border (of SMALL_BLOCK) and in the outermost cells the points reach.

    The box starts at (x0, y0), off the 25 m lattice, so that no point lies on a cell edge.
    """
    x = np.concatenate([rng.uniform(0, width_m, 800), rng.normal(3000, 250, 700), rng.normal(7000, 400, 400)])
    y = np.concatenate([rng.uniform(0, height_m, 800), rng.normal(2000, 250, 700), rng.normal(5000, 400, 400)])
    x = np.clip(x, 0, width_m)
    y = np.clip(y, 0, height_m)
    x = np.concatenate([x, [0.0, width_m, 0.0, width_m]]) + x0
    y = np.concatenate([y, [0.0, 0.0, height_m, height_m]]) + y0
    west, north, width, height = grid_shape(x, y, 1000.0, CELL)
    extra_x, extra_y = [], []
    for border in range(TILE, max(width, height), TILE):
        for cell in (border - 1, border):  # the last cell of a tile and the first of the next
            # 25 points a few m from the centre line of the column / row, spread along it
            if cell < width:
                xc = west + (cell + 0.5) * CELL
                if x0 <= xc <= x0 + width_m:
                    extra_x += [xc + rng.uniform(-8, 8) for _ in range(25)]
                    extra_y += list(y0 + rng.uniform(0, height_m, 25))
            if cell < height:
                yc = north - (cell + 0.5) * CELL
                if y0 <= yc <= y0 + height_m:
                    extra_y += [yc + rng.uniform(-8, 8) for _ in range(25)]
                    extra_x += list(x0 + rng.uniform(0, width_m, 25))
    return np.concatenate([x, extra_x]), np.concatenate([y, extra_y])


def test_blocked_grid_matches_brute_force_count_at_addresses_and_cells():
    rng = np.random.default_rng(1313)
    x, y = tile_border_points(rng)
    oad, grid = address_density_raster(x, y, block=SMALL_BLOCK, workers=2)
    rows, cols = cells_of(grid, x, y)
    height, width = grid.values.shape
    assert height > 3 * TILE and width > 3 * TILE  # many tiles, so many tile borders
    # every point's cell is unambiguous (none within 1 mm of a cell edge), so the arithmetic above is exact
    west, north = grid.transform.c, grid.transform.f
    assert np.all(np.abs((x - west) / CELL - np.rint((x - west) / CELL)) > 4e-5)
    assert np.all(np.abs((north - y) / CELL - np.rint((north - y) / CELL)) > 4e-5)

    # at 300 random addresses and at every address in a cell next to a tile border
    border = (cols % TILE == 0) | (cols % TILE == TILE - 1) | (rows % TILE == 0) | (rows % TILE == TILE - 1)
    assert border.sum() > 500
    picks = np.unique(np.concatenate([rng.choice(len(x), 300, replace=False), np.flatnonzero(border)]))
    expected = np.array([brute_force_cell_sum(rows, cols, rows[i], cols[i]) for i in picks])
    assert oad[picks] == pytest.approx(expected, rel=1e-6)
    assert expected.min() < expected.max() / 10  # dense and sparse places

    # at cells without addresses too: the grid's outermost rows and columns, the corners, tile borders
    edge = [(0, 0), (0, width - 1), (height - 1, 0), (height - 1, width - 1)]
    edge += [(int(r), c) for r in rng.integers(0, height, 40) for c in (0, width - 1)]
    edge += [(r, int(c)) for c in rng.integers(0, width, 40) for r in (0, height - 1)]
    edge += [(int(r), int(c)) for r in (TILE - 1, TILE, 2 * TILE) for c in rng.integers(0, width, 30)]
    edge += [(int(r), int(c)) for r, c in zip(rng.integers(0, height, 200), rng.integers(0, width, 200))]
    got = np.array([grid.values[r, c] for r, c in edge])
    want = np.array([brute_force_cell_sum(rows, cols, r, c) for r, c in edge])
    assert got == pytest.approx(want, rel=1e-6, abs=0)
    assert (want == 0).any() and (want > 0).any()  # the grid edge reaches beyond the points' 1 km


def reference_grid(x, y, radius=1000.0):
    """The whole grid by one direct FFT of the counts, built here from plain arithmetic."""
    west, north, width, height = grid_shape(x, y, radius, CELL)
    rows = np.floor((north - np.asarray(y)) / CELL).astype(int)
    cols = np.floor((np.asarray(x) - west) / CELL).astype(int)
    counts = np.zeros((height, width))
    np.add.at(counts, (rows, cols), 1.0)
    r = int(radius // CELL)
    dy, dx = np.mgrid[-r:r + 1, -r:r + 1]
    disc = (((dx * CELL) ** 2 + (dy * CELL) ** 2) <= radius ** 2).astype(float)
    return np.rint(fftconvolve(counts, disc, mode="same")) / (np.pi * (radius / 1000.0) ** 2), (west, north)


@pytest.mark.parametrize("block, workers", [(SMALL_BLOCK, 1), (SMALL_BLOCK, 3), (200, 2), (1024, None)])
def test_blocked_grid_equals_one_fft_of_the_whole_grid(block, workers):
    rng = np.random.default_rng(7)
    x, y = tile_border_points(rng)
    grid = density_grid(x, y, block=block, workers=workers)
    want, (west, north) = reference_grid(x, y)
    assert grid.values.shape == want.shape and grid.values.dtype == np.float32
    assert (grid.transform.c, grid.transform.f, grid.transform.a, grid.transform.e) == (west, north, CELL, -CELL)
    assert grid.cell_m == CELL and grid.radius_m == 1000.0
    np.testing.assert_allclose(grid.values, want, rtol=1e-6, atol=0)
    # and bit for bit the same as the method before issue 13 (except that no cell is -0.0)
    old = density_grid_whole(x, y)
    assert old.transform == grid.transform and old.values.shape == grid.values.shape
    assert old.values.dtype == grid.values.dtype
    assert np.array_equal(old.values, grid.values)
    assert not np.signbit(grid.values).any()


@pytest.mark.parametrize("radius", [500.0, 333.0, 1000.0])
def test_blocked_grid_other_radius_and_whole_metre_coordinates(radius):
    # whole metres (as in adressen.csv) put many points exactly on cell edges: the cells must be
    # those of rasterio's rowcol, as before
    rng = np.random.default_rng(int(radius))
    x = np.rint(np.concatenate([rng.uniform(0, 8000, 1500), rng.normal(4000, 300, 1500)]))
    y = np.rint(np.concatenate([rng.uniform(0, 6000, 1500), rng.normal(3000, 300, 1500)]))
    assert (x % CELL == 0).sum() > 50
    new = density_grid(x, y, radius, block=96)
    old = density_grid_whole(x, y, radius)
    assert new.transform == old.transform and np.array_equal(new.values, old.values)
    oad, grid = address_density_raster(x, y, radius)
    assert np.array_equal(oad, sample_grid(old, x, y))


def test_empty_tiles_are_skipped_and_stay_zero(monkeypatch):
    # two towns 60 km apart: most tiles between them have no address within 1 km
    rng = np.random.default_rng(3)
    x = np.concatenate([rng.normal(0, 300, 500), rng.normal(60_000, 300, 500)])
    y = np.concatenate([rng.normal(0, 300, 500), rng.normal(40_000, 300, 500)])
    transforms = []
    real = np.fft.rfft
    monkeypatch.setattr(np.fft, "rfft", lambda *a, **k: transforms.append(1) or real(*a, **k))
    grid = density_grid(x, y, block=SMALL_BLOCK, workers=1)
    height, width = grid.values.shape
    tiles = -(-height // TILE) * -(-width // TILE)
    used = len(transforms) - 1  # one for the kernel's spectrum
    assert 0 < used < tiles / 20
    monkeypatch.undo()
    want, _ = reference_grid(x, y)
    np.testing.assert_allclose(grid.values, want, rtol=1e-6, atol=0)
    assert (grid.values == 0).mean() > 0.9


def test_grid_smaller_than_a_block_and_a_single_address():
    grid = density_grid([155_000.0], [463_000.0])
    want, _ = reference_grid([155_000.0], [463_000.0])
    assert grid.values.shape == want.shape and min(want.shape) > 80  # 1 km + a cell around the point
    np.testing.assert_allclose(grid.values, want, rtol=1e-6, atol=0)
    assert grid.values.max() == pytest.approx(1 / PI)
    oad, _ = address_density_raster([155_000.0, 155_000.0], [463_000.0, 463_000.0])
    assert oad == pytest.approx([2 / PI, 2 / PI])


def test_points_are_converted_and_sampled_in_chunks(monkeypatch):
    rng = np.random.default_rng(11)
    x = rng.uniform(0, 5000, 1000)
    y = rng.uniform(0, 5000, 1000)
    whole = density_grid_whole(x, y)
    expected = sample_grid(whole, x, y)
    monkeypatch.setattr(urbanity, "POINT_CHUNK", 7)
    oad, grid = address_density_raster(x, y, block=SMALL_BLOCK)
    assert np.array_equal(grid.values, whole.values)
    assert np.array_equal(oad, expected)
    assert np.array_equal(sample_grid(grid, x, y), expected)
    assert oad.dtype == np.float64 and oad.shape == (1000,)


def test_pandas_columns_are_not_copied_and_memory_is_the_result_plus_one_band():
    import tracemalloc

    # 100 x 100 km with 50,000 addresses: 4,082 x 4,082 cells; the old method needed ~50 bytes per cell
    rng = np.random.default_rng(5)
    df = pd.DataFrame({"x": np.rint(rng.uniform(0, 100_000, 50_000)), "y": np.rint(rng.uniform(0, 100_000, 50_000))})
    tracemalloc.start()
    try:
        oad, grid = address_density_raster(df["x"], df["y"], workers=1)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    cells = grid.values.size
    assert cells > 16_000_000
    band = (urbanity.OAD_BLOCK * grid.values.shape[1]) * 8  # one band of counts (float64)
    ffts = 3 * urbanity.OAD_BLOCK ** 2 * 8  # one thread's work arrays
    # the float32 result, one band, one FFT block, and a few bytes per address; no copy of x and y
    assert peak < grid.values.nbytes + band + ffts + 40 * len(df) + 8 * 2**20, peak / 2**20
    assert peak < 12 * cells  # one FFT of the whole grid needed 44 bytes per cell here
    assert len(oad) == len(df)
