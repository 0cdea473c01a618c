"""Tests of geo.geocode: postcode normalisation, PC6/PC4 geocoding and the geocoding report."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from geo import geocode
from geo.geocode import geocode_locations, geocode_report, normalise_postcode, pc4_centroids


# --- normalise_postcode ---------------------------------------------------------------

@pytest.mark.parametrize("text", ["3511 ab", " 3511AB ", "3511-AB", "3511ab", "3511AB", "3511  Ab"])
def test_normalise_postcode_valid_forms(text):
    assert normalise_postcode(text) == "3511AB"


@pytest.mark.parametrize("text", [
    "0511AB",    # Dutch postcodes never start with 0
    "3511A",     # one letter
    "35111AB",   # five digits
    "ABCD12",    # letters first
    "3511 A B",  # space between the letters
    "3511AB1",   # trailing digit
    "",
    "   ",
    None,
    float("nan"),
    "3511SA",    # SA, SD and SS are not issued by PostNL
    "3511SD",
    "3511SS",
    "3511ss",
])
def test_normalise_postcode_invalid(text):
    assert normalise_postcode(text) is None


def test_normalise_postcode_keeps_other_s_pairs():
    # only SA, SD and SS are excluded; SB and AS are ordinary letter pairs
    assert normalise_postcode("3511sb") == "3511SB"
    assert normalise_postcode("3511as") == "3511AS"


# --- geocode_locations ----------------------------------------------------------------

@pytest.fixture
def pc6() -> pd.DataFrame:
    """Five PC6 centroids in RD metres.

    PC4 3511 = 3511AB (10 addresses at x=1000, y=5000) + 3511AC (30 at x=2000, y=6000)
             + 3511AD (0 addresses at 9000, 9000: carries no weight).
    PC4 3512 = 3512AA only. PC4 3600 has only a PC6 without addresses.
    """
    return pd.DataFrame({
        "postcode": ["3511AB", "3511AC", "3511AD", "3512AA", "3600ZZ"],
        "aantal_adressen": [10, 30, 0, 5, 0],
        "x": [1000.0, 2000.0, 9000.0, 4000.0, 7000.0],
        "y": [5000.0, 6000.0, 9000.0, 7000.0, 8000.0],
    })


# address-weighted PC4 3511 centroid, by hand:
#   x = (10*1000 + 30*2000 + 0*9000) / (10+30+0) = 70000/40 = 1750
#   y = (10*5000 + 30*6000 + 0*9000) / 40 = 230000/40 = 5750
PC4_3511 = (1750.0, 5750.0)


@pytest.fixture
def locations() -> pd.DataFrame:
    return pd.DataFrame({
        "locatie_id": ["L1", "L2", "L3", "L4", "L5", "L6", "L7"],
        "naam": ["De Linde", "De Eik", "Het Anker", "Zonnehof", "Berkenhof", "Zoë", "Rozenhof"],
        "postcode": ["3511 ab", "3511AB", "3511ZZ", "9999AA", "0511AB", "", "3600AB"],
    })


def test_pc4_centroids_are_address_weighted(pc6):
    c = pc4_centroids(pc6)
    assert (c.at["3511", "x"], c.at["3511", "y"]) == pytest.approx(PC4_3511)
    assert (c.at["3512", "x"], c.at["3512", "y"]) == pytest.approx((4000.0, 7000.0))
    # a PC4 without any address has no centroid
    assert "3600" not in c.index


def test_geocode_outcomes_and_points(pc6, locations):
    g = geocode_locations(locations, pc6).set_index("locatie_id")
    expected = {
        "L1": (geocode.EXACT, (1000.0, 5000.0)),
        "L2": (geocode.EXACT, (1000.0, 5000.0)),
        "L3": (geocode.PC4, PC4_3511),
        "L4": (geocode.UNKNOWN, None),
        "L5": (geocode.INVALID, None),
        "L6": (geocode.MISSING, None),
        "L7": (geocode.UNKNOWN, None),  # PC4 3600 has no addresses, so no PC4 centroid
    }
    for loc_id, (outcome, xy) in expected.items():
        assert g.at[loc_id, "geocodering"] == outcome, loc_id
        geom = g.geometry[loc_id]
        if xy is None:
            assert geom is None or geom.is_empty, loc_id
        else:
            assert (geom.x, geom.y) == pytest.approx(xy), loc_id
    assert g.crs.to_epsg() == 28992


def test_geocode_keeps_input_and_normalises(pc6, locations):
    g = geocode_locations(locations, pc6).set_index("locatie_id")
    assert g.at["L1", "postcode_invoer"] == "3511 ab"
    assert g.at["L1", "postcode"] == "3511AB"
    assert g.at["L5", "postcode_invoer"] == "0511AB"
    assert g.at["L5", "postcode"] == ""
    assert g.at["L6", "naam"] == "Zoë"


def test_locations_sharing_a_pc6_stay_separate_records(pc6, locations):
    g = geocode_locations(locations, pc6)
    assert len(g) == len(locations) == 7
    same = g[g["postcode"] == "3511AB"]
    assert list(same["locatie_id"]) == ["L1", "L2"]
    assert same.geometry.iloc[0].equals(same.geometry.iloc[1])


@pytest.mark.parametrize("missing", ["", "   ", None, np.nan])
def test_missing_postcode_is_reported_as_missing(pc6, missing):
    locs = pd.DataFrame({"locatie_id": ["A", "B"], "naam": ["a", "b"], "postcode": ["3512AA", missing]})
    g = geocode_locations(locs, pc6)
    assert list(g["geocodering"]) == [geocode.EXACT, geocode.MISSING]
    assert g.geometry.iloc[1] is None or g.geometry.iloc[1].is_empty


# --- geocode_report -------------------------------------------------------------------

def test_geocode_report(pc6, locations):
    rep = geocode_report(geocode_locations(locations, pc6))
    assert rep["totaal"] == 7
    assert rep["per_uitkomst"] == {geocode.EXACT: 2, geocode.PC4: 1, geocode.UNKNOWN: 2,
                                   geocode.INVALID: 1, geocode.MISSING: 1}
    assert rep["exact_pc6"] == 2
    assert rep["geplaatst"] == 3          # 2 exact + 1 PC4
    assert rep["match_rate_pc6"] == pytest.approx(2 / 7)
    not_exact = {r["locatie_id"]: r for r in rep["niet_exact"]}
    assert set(not_exact) == {"L3", "L4", "L5", "L6", "L7"}
    assert not_exact["L3"] == {"locatie_id": "L3", "naam": "Het Anker", "postcode_invoer": "3511ZZ",
                               "uitkomst": geocode.PC4}
    assert not_exact["L5"]["uitkomst"] == geocode.INVALID
    assert not_exact["L5"]["postcode_invoer"] == "0511AB"
    assert not_exact["L4"]["uitkomst"] == geocode.UNKNOWN
    assert not_exact["L6"]["uitkomst"] == geocode.MISSING


def test_geocode_report_all_exact(pc6):
    locs = pd.DataFrame({"locatie_id": ["A"], "naam": ["a"], "postcode": ["3512AA"]})
    rep = geocode_report(geocode_locations(locs, pc6))
    assert rep["match_rate_pc6"] == 1.0
    assert rep["niet_exact"] == []
    assert not math.isnan(rep["match_rate_pc6"])
