"""Tests of geo.regions on tiny hand-made polygons (RD New metres, areas computed by hand)."""

from __future__ import annotations

import geopandas as gpd
import pytest
from shapely.geometry import Polygon, box

from geo.errors import InputError
from geo.regions import assign_to_regions, gemeenten_of_region, wijken_by_code

RD = "EPSG:28992"


def frame(rows: list[tuple[str, str, object]], crs: str | None = RD) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame({"statcode": [r[0] for r in rows], "statnaam": [r[1] for r in rows]},
                            geometry=[r[2] for r in rows], crs=crs)


# Two regions side by side, each 100 m x 100 m; the east one listed first so that
# table order cannot be what decides.
REGIONS = frame([
    ("ZK02", "Oost", box(100, 0, 200, 100)),
    ("ZK01", "West", box(0, 0, 100, 100)),
])

# GM0001: x 30..130 -> 70 x 100 = 7000 m2 in West, 30 x 100 = 3000 m2 in Oost
# GM0002: x 150..190 -> entirely in Oost (4000 m2)
# GM0003: far away, overlaps nothing
# GM0004: x 50..100, only touches Oost along x = 100 (zero area there) -> West
GEMEENTEN = frame([
    ("GM0001", "Straddel", box(30, 0, 130, 100)),
    ("GM0002", "Oosterdorp", box(150, 10, 190, 110)),
    ("GM0003", "Nergens", box(5000, 5000, 5010, 5010)),
    ("GM0004", "Randdorp", box(50, 0, 100, 100)),
])


def test_straddling_area_goes_to_region_with_larger_share():
    got = assign_to_regions(GEMEENTEN, REGIONS)
    assert got["GM0001"] == "ZK01"  # 70 % West
    assert got["GM0002"] == "ZK02"


def test_area_in_no_region_gets_none_and_touching_is_not_overlap():
    got = assign_to_regions(GEMEENTEN, REGIONS)
    assert got["GM0003"] is None
    assert got["GM0004"] == "ZK01"


def test_area_only_touching_a_region_gets_none():
    # x 200..250 shares only the line x = 200 with Oost
    got = assign_to_regions(frame([("GM0007", "Buurdorp", box(200, 0, 250, 100))]), REGIONS)
    assert got["GM0007"] is None


def test_result_is_indexed_by_area_code_in_area_order():
    got = assign_to_regions(GEMEENTEN, REGIONS)
    assert got.index.tolist() == ["GM0001", "GM0002", "GM0003", "GM0004"]
    assert got.tolist() == ["ZK01", "ZK02", None, "ZK01"]


def test_30_70_the_other_way_round():
    # x 70..170: 3000 m2 in West, 7000 m2 in Oost
    got = assign_to_regions(frame([("GM0005", "Andersom", box(70, 0, 170, 100))]), REGIONS)
    assert got["GM0005"] == "ZK02"


def test_overlapping_generalised_regions_largest_share_wins():
    # regions that overlap each other (as generalised boundaries do): the area's
    # share is 60 x 100 in R1 (x 0..60) and 80 x 100 in R2 (x 20..100)
    regions = frame([("ZK01", "R1", box(-100, 0, 60, 100)), ("ZK02", "R2", box(20, 0, 300, 100))])
    got = assign_to_regions(frame([("GM0001", "A", box(0, 0, 100, 100))]), regions)
    assert got["GM0001"] == "ZK02"


def test_invalid_bowtie_area_is_assigned():
    # self-intersecting "bowtie" inside West; shapely cannot intersect it as is
    bowtie = Polygon([(10, 10), (40, 40), (40, 10), (10, 40)])
    assert not bowtie.is_valid
    got = assign_to_regions(frame([("GM0006", "Strik", bowtie)]), REGIONS)
    assert got["GM0006"] == "ZK01"


def test_areas_in_another_crs_are_reprojected():
    # the same areas in WGS84: without reprojection nothing would intersect (degrees vs metres)
    real = frame([("GM0001", "A", box(150_000, 450_000, 151_000, 451_000)),   # in Oost below
                  ("GM0002", "B", box(148_200, 450_000, 149_200, 451_000))])  # 800 in West, 200 in Oost
    regions = frame([("ZK01", "West", box(140_000, 440_000, 149_000, 460_000)),
                     ("ZK02", "Oost", box(149_000, 440_000, 160_000, 460_000))])
    got = assign_to_regions(real.to_crs("EPSG:4326"), regions)
    assert got.tolist() == ["ZK02", "ZK01"]


def test_region_by_name_case_insensitive_and_by_code():
    by_name = gemeenten_of_region(GEMEENTEN, REGIONS, "west")
    by_upper = gemeenten_of_region(GEMEENTEN, REGIONS, "WEST")
    by_code = gemeenten_of_region(GEMEENTEN, REGIONS, "zk01")
    for got in (by_name, by_upper, by_code):
        assert got["statcode"].tolist() == ["GM0001", "GM0004"]
        assert got.attrs["regiocode"] == "ZK01"
        assert got.attrs["regionaam"] == "West"
    assert gemeenten_of_region(GEMEENTEN, REGIONS, "Oost")["statcode"].tolist() == ["GM0002"]


def test_gemeenten_of_region_keeps_their_crs_and_columns():
    got = gemeenten_of_region(GEMEENTEN, REGIONS, "ZK02")
    assert got.crs == GEMEENTEN.crs
    assert list(got.columns) == list(GEMEENTEN.columns)


def test_unknown_region_error_lists_known_names_in_dutch():
    with pytest.raises(InputError) as exc:
        gemeenten_of_region(GEMEENTEN, REGIONS, "Noord")
    msg = str(exc.value)
    assert "onbekende regio 'Noord'" in msg
    assert "bekende regio's: Oost, West" in msg


def test_unknown_region_suggests_a_close_name():
    with pytest.raises(InputError, match="bedoelt u 'West'"):
        gemeenten_of_region(GEMEENTEN, REGIONS, "Wets")


def test_wijk_code_names_its_gemeente():
    # WK000102 lies geometrically in GM0002's territory, but its code names GM0001
    wijken = frame([
        ("WK000101", "Centrum", box(40, 10, 60, 30)),
        ("WK000102", "Over de grens", box(160, 20, 170, 30)),
        ("WK000201", "Oost-Centrum", box(160, 40, 170, 50)),
        ("WK059001", "Elders", box(9000, 9000, 9010, 9010)),
    ])
    wijken.attrs["hersteld"] = ["WK000101"]
    got = wijken_by_code(wijken, GEMEENTEN)
    assert got["gemeentecode"].tolist() == ["GM0001", "GM0001", "GM0002", "GM0590"]
    assert got.attrs["buiten_regio"] == ["WK059001"]
    assert got.attrs["hersteld"] == ["WK000101"]      # earlier reports kept
    assert "gemeentecode" not in wijken.columns       # input untouched
    assert "buiten_regio" not in wijken.attrs
    assert len(got) == 4                              # reported, not dropped


def test_wijken_all_inside_report_empty_list():
    wijken = frame([("WK000401", "Rand", box(60, 10, 70, 20))])
    assert wijken_by_code(wijken, GEMEENTEN).attrs["buiten_regio"] == []


def test_bad_wijk_code_is_an_input_error():
    wijken = frame([("WK000101", "Goed", box(0, 0, 1, 1)), ("GM0001", "Fout", box(0, 0, 1, 1))])
    with pytest.raises(InputError) as exc:
        wijken_by_code(wijken, GEMEENTEN)
    assert exc.value.row == 3
    assert "'GM0001' is geen wijkcode" in str(exc.value)
