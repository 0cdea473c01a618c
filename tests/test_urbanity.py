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
