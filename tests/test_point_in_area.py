"""Points to areas (geo.pipeline.assign_points_to_areas): the raster shortcut gives, point for point,
what a plain test of every area in the table's order gives (the independent method here)."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pytest
import shapely
from shapely.geometry import MultiPolygon, Polygon, box

from geo.pipeline import assign_points_exact, assign_points_to_areas


def _by_hand(x, y, areas: gpd.GeoDataFrame) -> list:
    """The first area (table order) that intersects the point, tested one by one."""
    out = []
    for px, py in zip(x, y):
        code = None
        if np.isfinite(px) and np.isfinite(py):
            p = shapely.Point(px, py)
            for geom, c in zip(areas.geometry, areas["statcode"]):
                if geom is not None and not geom.is_empty and geom.intersects(p):
                    code = c
                    break
        out.append(code)
    return out


@pytest.fixture
def areas() -> gpd.GeoDataFrame:
    ring = Polygon([(0, 0), (100, 0), (100, 100), (0, 100)], holes=[[(40, 40), (60, 40), (60, 60), (40, 60)]])
    return gpd.GeoDataFrame({"statcode": ["A", "B", "C", "D", "E", "F"]}, geometry=[
        ring,                                                     # a hole in the middle
        box(100, 0, 200, 100),                                    # shares the border x=100 with A
        box(150, 50, 250, 150),                                   # overlaps B: B comes first
        MultiPolygon([box(0, 200, 50, 250), box(60, 200, 120, 240)]),
        Polygon([(200, 200), (260, 230), (230, 300), (190, 260)]),  # slanted edges
        box(42, 42, 58, 58),                                      # an island in A's hole
    ], crs="EPSG:28992")


def _points(areas, n=20_000, seed=3):
    rng = np.random.default_rng(seed)
    x = rng.uniform(-20, 280, n)
    y = rng.uniform(-20, 320, n)
    # points exactly on borders, vertices and hole edges, and points that are no point at all
    special = np.array([(100, 50), (100, 0), (0, 0), (40, 50), (60, 60), (150, 75), (150, 100), (42, 42),
                        (50, 225), (60, 200), (230, 215), (200, 200), (250, 150), (np.nan, 5), (5, np.inf)])
    vertices = shapely.get_coordinates(areas.geometry.values)
    return np.r_[x, special[:, 0], vertices[:, 0]], np.r_[y, special[:, 1], vertices[:, 1]]


@pytest.mark.parametrize("cells", [7, 40, 400, 4000])
def test_raster_shortcut_equals_testing_every_area(areas, cells):
    x, y = _points(areas, n=4000)
    got = assign_points_to_areas(x, y, areas, grid_cells=cells)
    assert got.tolist() == _by_hand(x, y, areas)


def test_exact_path_equals_testing_every_area(areas):
    x, y = _points(areas, n=3000, seed=5)
    assert assign_points_exact(x, y, areas, block=701).tolist() == _by_hand(x, y, areas)


def test_on_a_shared_border_the_first_area_wins(areas):
    got = assign_points_to_areas([100.0, 100.0, 170.0], [50.0, 0.0, 70.0], areas)
    assert got.tolist() == ["A", "A", "B"]       # x=100 is A's and B's; (170, 70) is in B and C
    swapped = areas.iloc[[2, 1, 0, 3, 4, 5]].reset_index(drop=True)
    assert assign_points_to_areas([170.0], [70.0], swapped).tolist() == ["C"]


def test_nothing_to_assign(areas):
    assert assign_points_to_areas([], [], areas).tolist() == []
    empty = gpd.GeoDataFrame({"statcode": ["X"]}, geometry=[Polygon()], crs="EPSG:28992")
    assert assign_points_to_areas([1.0], [1.0], empty).tolist() == [None]


def test_demo_addresses_as_before(tmp_path):
    """On the demo region's wijken and addresses the two paths agree for every address."""
    from geo.demo import generate_demo

    region = generate_demo()
    a = region.addresses
    w = region.wijken.to_crs("EPSG:28992") if region.wijken.crs is not None else region.wijken
    got = assign_points_to_areas(a["x"], a["y"], w)
    assert got.tolist() == assign_points_exact(a["x"], a["y"], w).tolist()
    assert (~np.equal(got, None)).mean() > 0.95


def test_benchmark_script_prints_its_figures():
    """scripts/bench_areas.py on the demo region: a line per area layer in the expected shape."""
    import re
    import subprocess
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent
    done = subprocess.run([sys.executable, str(root / "scripts" / "bench_areas.py"), "--repeat", "1"],
                          capture_output=True, text=True, timeout=300, cwd=root)
    assert done.returncode == 0, done.stderr
    line = re.compile(r"^(wijken|gemeenten): \d+ areas; raster shortcut \d+\.\d\d s, exact \d+\.\d\d s, "
                      r"ratio \d+\.\dx; exact test for [\d,]+ addresses \(\d+\.\d%\); same area for every "
                      r"address: yes$")
    lines = done.stdout.splitlines()
    assert sum(bool(line.match(s)) for s in lines) == 2, done.stdout
    assert lines[-1].startswith("load average ")
